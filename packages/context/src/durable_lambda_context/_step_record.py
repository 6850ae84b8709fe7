"""What ``step`` and ``wait_for_condition`` share, both being STEP operations: replaying
a record that already decides the outcome, and the one-second floor of the delay
before the next attempt."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Final, TypeVar

from durable_lambda_client import OperationStatus
from durable_lambda_context._serialization import deserialize
from durable_lambda_context._stored_outcome import raise_stored_error
from durable_lambda_context._suspend import suspend_with_optional_resume_timestamp

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_serdes import SerDes
    from durable_lambda_state import CheckpointedResult

T = TypeVar("T")

MIN_DELAY_SECONDS: Final = 1


class Undecided(Enum):
    """The record leaves the outcome open: the caller runs the next attempt."""

    UNDECIDED = "UNDECIDED"


UNDECIDED: Final = Undecided.UNDECIDED


def recorded_outcome(
    context: DurableContext,
    operation_id: str,
    checkpoint: CheckpointedResult,
    serdes: SerDes[T] | None,
    waiting: str,
) -> T | Undecided:
    """The outcome the record of a STEP operation already decides.

    Returns the stored result of a SUCCEEDED record (``None`` when it has none), or
    ``UNDECIDED`` when there is no record or it is STARTED or READY.

    Raises:
        CallableRuntimeError: the record is FAILED (the stored error).
        TimedSuspendExecution: the record is PENDING; the message is ``waiting``
            formatted with the operation id, and the invocation resumes when the
            next attempt is due.
    """
    status = checkpoint.status
    if status is OperationStatus.SUCCEEDED:
        invocation = context._invocation
        invocation.state.track_replay(operation_id)
        stored = checkpoint.result
        if stored is None:
            return None  # type: ignore[return-value]
        return deserialize(serdes, stored, operation_id, invocation.arn)
    if status is OperationStatus.FAILED:
        context._invocation.state.track_replay(operation_id)
        raise_stored_error(checkpoint.error)
    if status is OperationStatus.PENDING:
        suspend_with_optional_resume_timestamp(
            waiting.format(operation_id), checkpoint.get_next_attempt_timestamp()
        )
    return UNDECIDED


def at_least_one_second(
    context: DurableContext, delay_seconds: int, what: str, operation_id: str
) -> int:
    """``delay_seconds``, raised to one second with a warning: "<what> <id> is 0s; ..."."""
    if delay_seconds >= MIN_DELAY_SECONDS:
        return delay_seconds
    context._sdk_log.warning(
        "%s %s is %ss; using the minimum of 1s", what, operation_id, delay_seconds
    )
    return MIN_DELAY_SECONDS
