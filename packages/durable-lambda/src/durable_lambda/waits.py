"""``wait_for_condition`` strategies (the reference SDK's ``waits`` module)."""

from durable_lambda_client import WaitForConditionError
from durable_lambda_context import (
    Duration,
    JitterStrategy,
    WaitDecision,
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

__all__ = [
    "Duration",
    "JitterStrategy",
    "WaitDecision",
    "WaitForConditionConfig",
    "WaitForConditionDecision",
    "WaitForConditionError",
    "WaitStrategyConfig",
    "create_wait_strategy",
]
