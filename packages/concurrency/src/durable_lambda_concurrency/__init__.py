"""A bounded-concurrency executor with completion policies, early exit and suspension.

Run N callables at most ``max_concurrency`` at a time, stop as soon as a
``CompletionConfig`` (minimum successes, tolerated failures) decides, cancel
what is left, and get a ``BatchResult`` in input order. Standard library
only; usable on its own.

Example:
    >>> from durable_lambda_concurrency import BatchExecutor, CompletionConfig
    >>> executor = BatchExecutor(4, CompletionConfig.all_completed())
    >>> executor.map(lambda x: x * x, [1, 2, 3]).result.get_results()
    [1, 4, 9]
"""

from durable_lambda_concurrency._batch_result import (
    BatchItem,
    BatchItemStatus,
    BatchResult,
    ErrorFactory,
)
from durable_lambda_concurrency._completion import (
    BatchProgress,
    CompletionConfig,
    CompletionReason,
    ExecutionCounters,
)
from durable_lambda_concurrency._error_record import ErrorInfo, ErrorRecord
from durable_lambda_concurrency._errors import (
    BatchFormatError,
    BatchItemError,
    ConcurrencyConfigError,
    ConcurrencyError,
    ItemCancelled,
    SuspendItem,
    register_config_error,
)
from durable_lambda_concurrency._executable import BranchStatus, Executable, ExecutableWithState
from durable_lambda_concurrency._executor import (
    BatchExecutor,
    CompletionPredicate,
    ExceptionClassifier,
    ExceptionRecorder,
    ResumeHook,
)
from durable_lambda_concurrency._item_context import ItemContext
from durable_lambda_concurrency._outcomes import (
    BatchCompleted,
    BatchOutcome,
    BatchSuspended,
    Cancelled,
    Failed,
    ItemOutcome,
    NotStarted,
    Succeeded,
    Suspended,
    SuspendResult,
)
from durable_lambda_concurrency._workers import WorkerGroup

__all__ = [
    "BatchCompleted",
    "BatchExecutor",
    "BatchFormatError",
    "BatchItem",
    "BatchItemError",
    "BatchItemStatus",
    "BatchOutcome",
    "BatchProgress",
    "BatchResult",
    "BatchSuspended",
    "BranchStatus",
    "Cancelled",
    "CompletionConfig",
    "CompletionPredicate",
    "CompletionReason",
    "ConcurrencyConfigError",
    "ConcurrencyError",
    "ErrorFactory",
    "ErrorInfo",
    "ErrorRecord",
    "ExceptionClassifier",
    "ExceptionRecorder",
    "Executable",
    "ExecutableWithState",
    "ExecutionCounters",
    "Failed",
    "ItemCancelled",
    "ItemContext",
    "ItemOutcome",
    "NotStarted",
    "ResumeHook",
    "Succeeded",
    "SuspendItem",
    "SuspendResult",
    "Suspended",
    "WorkerGroup",
    "register_config_error",
]
