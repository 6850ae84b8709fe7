"""Execution state and checkpoint batching for durable-lambda.

``ExecutionState`` holds one invocation's operations by id, tracks replay, and sends
checkpoints to the service through an ordered batching queue. The context package
builds every durable operation on it; most users never touch it directly.
"""

from durable_lambda_state._batcher_config import CheckpointBatcherConfig
from durable_lambda_state._checkpoint_batcher import StopReason
from durable_lambda_state._checkpointed_result import CHECKPOINT_NOT_FOUND, CheckpointedResult
from durable_lambda_state._completion_event import CompletionEvent
from durable_lambda_state._execution_state import ExecutionState
from durable_lambda_state._ordered_lock import OrderedLock
from durable_lambda_state._queued_operation import QueuedOperation
from durable_lambda_state._replay import ReplayStatus
from durable_lambda_state._wire_checkpoint import SupportsWireCheckpoint

__all__ = [
    "CHECKPOINT_NOT_FOUND",
    "CheckpointBatcherConfig",
    "CheckpointedResult",
    "CompletionEvent",
    "ExecutionState",
    "OrderedLock",
    "QueuedOperation",
    "ReplayStatus",
    "StopReason",
    "SupportsWireCheckpoint",
]
