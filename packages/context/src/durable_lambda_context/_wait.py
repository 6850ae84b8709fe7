"""``context.wait``: suspend the execution for a duration without using compute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from durable_lambda_client import (
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    ValidationError,
    WaitOptions,
)
from durable_lambda_context._suspend import suspend_with_optional_resume_delay
from durable_lambda_context._validation import require_duration, require_name

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_context._duration import Duration


def run_wait(context: DurableContext, duration: Duration, name: str | None) -> None:
    """Wait ``duration`` as an operation of ``context`` (see ``DurableContext.wait``)."""
    require_duration("duration", duration)
    require_name("name", name)
    name = name or None
    seconds = duration.to_seconds()
    if seconds < 1:
        raise ValidationError("duration must be at least 1 second")
    operation_id, checkpoint = context._begin_operation(
        OperationType.WAIT, OperationSubType.WAIT, name
    )
    invocation = context._invocation
    if checkpoint.status is OperationStatus.SUCCEEDED:
        invocation.state.track_replay(operation_id)
        return
    if not checkpoint.is_existent():
        identifier = OperationIdentifier(operation_id, context._parent_id, name)
        invocation.checkpoint(
            OperationUpdate.create_wait_start(identifier, WaitOptions(wait_seconds=seconds)),
            sync=True,
        )
        # The service may already have completed the wait in its response.
        if invocation.state.get_checkpoint_result(operation_id).is_succeeded():
            invocation.state.track_replay(operation_id)
            return
    suspend_with_optional_resume_delay(f"Wait {operation_id} for {seconds} seconds", seconds)
