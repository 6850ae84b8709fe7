"""Execution state (the reference SDK's ``state`` module)."""

from durable_lambda_state import (
    CHECKPOINT_NOT_FOUND,
    CheckpointBatcherConfig,
    CheckpointedResult,
    ExecutionState,
    QueuedOperation,
    ReplayStatus,
)

__all__ = [
    "CHECKPOINT_NOT_FOUND",
    "CheckpointBatcherConfig",
    "CheckpointedResult",
    "ExecutionState",
    "QueuedOperation",
    "ReplayStatus",
]
