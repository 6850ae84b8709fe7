"""DurableContext and every durable operation: steps, waits, callbacks, invoke, child contexts,
map, parallel, wait_for_condition; their configuration, retry and wait strategies, the
replay-aware logger, the decorators and the Lambda handler wrapper ``durable_execution``.

Most users import these names from the ``durable_lambda`` meta-package.
"""

from durable_lambda_client import (
    DurableExecutionsError,
    InvocationError,
    ValidationError,
)
from durable_lambda_context._batch import BatchResult, MapSummaryGenerator, ParallelSummaryGenerator
from durable_lambda_context._callback import PASS_THROUGH_SERDES, Callback
from durable_lambda_context._child import CHECKPOINT_SIZE_LIMIT
from durable_lambda_context._config import (
    BatchedInput,
    CallbackConfig,
    CheckpointMode,
    ChildConfig,
    CompletionConfig,
    InvokeConfig,
    ItemBatcher,
    ItemsPerBatchUnit,
    MapConfig,
    Numeric,
    ParallelConfig,
    StepConfig,
    StepFuture,
    StepSemantics,
    TerminationMode,
    WaitForCallbackConfig,
)
from durable_lambda_context._context import DurableContext
from durable_lambda_context._decorators import (
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)
from durable_lambda_context._duration import Duration
from durable_lambda_context._execution import durable_execution, handle_checkpoint_error
from durable_lambda_context._jitter import JitterStrategy
from durable_lambda_context._logger import Logger, LogInfo
from durable_lambda_context._ordered_counter import OrderedCounter
from durable_lambda_context._retries import (
    RetryDecision,
    RetryPresets,
    RetryStrategyConfig,
    create_retry_strategy,
)
from durable_lambda_context._serialization import deserialize, serialize
from durable_lambda_context._types import BatchResult as BatchResultProtocol
from durable_lambda_context._types import Callback as CallbackProtocol
from durable_lambda_context._types import DurableContext as DurableContextProtocol
from durable_lambda_context._types import (
    LambdaContext,
    LoggerInterface,
    OperationContext,
    StepContext,
    SummaryGenerator,
    WaitForCallbackContext,
    WaitForConditionCheckContext,
)
from durable_lambda_context._waits import (
    WaitDecision,
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

__all__ = [
    "CHECKPOINT_SIZE_LIMIT",
    "PASS_THROUGH_SERDES",
    "BatchResult",
    "BatchResultProtocol",
    "BatchedInput",
    "Callback",
    "CallbackConfig",
    "CallbackProtocol",
    "CheckpointMode",
    "ChildConfig",
    "CompletionConfig",
    "Duration",
    "DurableContext",
    "DurableContextProtocol",
    "DurableExecutionsError",
    "InvocationError",
    "InvokeConfig",
    "ItemBatcher",
    "ItemsPerBatchUnit",
    "JitterStrategy",
    "LambdaContext",
    "LogInfo",
    "Logger",
    "LoggerInterface",
    "MapConfig",
    "MapSummaryGenerator",
    "Numeric",
    "OperationContext",
    "OrderedCounter",
    "ParallelConfig",
    "ParallelSummaryGenerator",
    "RetryDecision",
    "RetryPresets",
    "RetryStrategyConfig",
    "StepConfig",
    "StepContext",
    "StepFuture",
    "StepSemantics",
    "SummaryGenerator",
    "TerminationMode",
    "ValidationError",
    "WaitDecision",
    "WaitForCallbackConfig",
    "WaitForCallbackContext",
    "WaitForConditionCheckContext",
    "WaitForConditionConfig",
    "WaitForConditionDecision",
    "WaitStrategyConfig",
    "create_retry_strategy",
    "create_wait_strategy",
    "deserialize",
    "durable_execution",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
    "handle_checkpoint_error",
    "serialize",
]
