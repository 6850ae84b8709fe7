"""DurableContext and every durable operation: steps, waits, callbacks, invoke, child contexts,
map, parallel, wait_for_condition.
"""

from durable_lambda_context._decorators import (
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)
from durable_lambda_context._duration import Duration
from durable_lambda_context._jitter import JitterStrategy
from durable_lambda_context._ordered_counter import OrderedCounter
from durable_lambda_context._retries import (
    RetryDecision,
    RetryPresets,
    RetryStrategyConfig,
    create_retry_strategy,
)
from durable_lambda_context._types import (
    LambdaContext,
    LoggerInterface,
    OperationContext,
    StepContext,
    SummaryGenerator,
    WaitForCallbackContext,
    WaitForConditionCheckContext,
)

__all__ = [
    "Duration",
    "JitterStrategy",
    "LambdaContext",
    "LoggerInterface",
    "OperationContext",
    "OrderedCounter",
    "RetryDecision",
    "RetryPresets",
    "RetryStrategyConfig",
    "StepContext",
    "SummaryGenerator",
    "WaitForCallbackContext",
    "WaitForConditionCheckContext",
    "create_retry_strategy",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
]
