"""Step retry strategies (the reference SDK's ``retries`` module)."""

from durable_lambda_context import (
    Duration,
    JitterStrategy,
    RetryDecision,
    RetryPresets,
    RetryStrategyConfig,
    create_retry_strategy,
)

__all__ = [
    "Duration",
    "JitterStrategy",
    "RetryDecision",
    "RetryPresets",
    "RetryStrategyConfig",
    "create_retry_strategy",
]
