"""What the local state knows about one operation id, with the questions operations ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from durable_lambda_client import (
    CallableRuntimeError,
    ErrorObject,
    Operation,
    OperationStatus,
    OperationType,
)

__all__ = ["CHECKPOINT_NOT_FOUND", "CheckpointedResult"]

_NO_ERROR_MESSAGE = "Unknown error. No ErrorObject exists on the Checkpoint Operation."


@dataclass(frozen=True, slots=True)
class CheckpointedResult:
    """The stored record of one operation id, or the absence of one.

    ``result`` and ``error`` come from the details that match the operation's type
    (STEP, CALLBACK, CHAINED_INVOKE, CONTEXT); other types carry neither.

    Attributes:
        operation: the stored operation; None when the id has no record.
        status: the operation's status; None when the id has no record.
        result: the serialized result, if any.
        error: the recorded failure, if any.

    Example:
        >>> CheckpointedResult.create_not_found().is_existent()
        False
    """

    operation: Operation | None = None
    status: OperationStatus | None = None
    result: str | None = None
    error: ErrorObject | None = None

    @classmethod
    def create_from_operation(cls, operation: Operation) -> CheckpointedResult:
        """Wrap a stored operation, taking result and error from its type's details."""
        kind = operation.operation_type
        details: object | None
        if kind is OperationType.STEP:
            details = operation.step_details
        elif kind is OperationType.CALLBACK:
            details = operation.callback_details
        elif kind is OperationType.CHAINED_INVOKE:
            details = operation.chained_invoke_details
        elif kind is OperationType.CONTEXT:
            details = operation.context_details
        else:
            details = None
        if details is None:
            return cls(operation, operation.status)
        return cls(
            operation,
            operation.status,
            getattr(details, "result", None),
            getattr(details, "error", None),
        )

    @classmethod
    def create_not_found(cls) -> CheckpointedResult:
        """The value for an id without a record (same as ``CHECKPOINT_NOT_FOUND``)."""
        return cls()

    def is_existent(self) -> bool:
        """True when the id has a stored record."""
        return self.operation is not None

    def is_succeeded(self) -> bool:
        """True when the operation SUCCEEDED."""
        return self.status is OperationStatus.SUCCEEDED

    def is_failed(self) -> bool:
        """True when the operation FAILED."""
        return self.status is OperationStatus.FAILED

    def is_cancelled(self) -> bool:
        """True when the operation was CANCELLED."""
        return self.status is OperationStatus.CANCELLED

    def is_stopped(self) -> bool:
        """True when the operation was STOPPED."""
        return self.status is OperationStatus.STOPPED

    def is_started(self) -> bool:
        """True when the operation is STARTED (running, not finished)."""
        return self.status is OperationStatus.STARTED

    def is_ready(self) -> bool:
        """True when the operation is READY (a retry or re-check may run now)."""
        return self.status is OperationStatus.READY

    def is_started_or_ready(self) -> bool:
        """True when the operation is STARTED or READY."""
        return self.status is OperationStatus.STARTED or self.status is OperationStatus.READY

    def is_pending(self) -> bool:
        """True when the operation is PENDING (waiting for its next attempt)."""
        return self.status is OperationStatus.PENDING

    def is_timed_out(self) -> bool:
        """True when the operation TIMED_OUT."""
        return self.status is OperationStatus.TIMED_OUT

    def is_replay_children(self) -> bool:
        """True for a CONTEXT whose result must be rebuilt by replaying its children."""
        operation = self.operation
        if operation is None or operation.operation_type is not OperationType.CONTEXT:
            return False
        details = operation.context_details
        return details is not None and details.replay_children

    def raise_callable_error(self, msg: str | None = None) -> NoReturn:
        """Raise the recorded failure as the exception user code sees.

        Args:
            msg: message to use when the record carries no error; defaults to a
                message saying so.

        Raises:
            CallableRuntimeError: always; built from ``error`` when there is one.
        """
        if self.error is not None:
            raise self.error.to_callable_runtime_error()
        raise CallableRuntimeError(msg or _NO_ERROR_MESSAGE, None, None, None)

    def get_next_attempt_timestamp(self) -> datetime | None:
        """When a PENDING step may run its next attempt (None when unknown)."""
        operation = self.operation
        if operation is None or operation.step_details is None:
            return None
        return operation.step_details.next_attempt_timestamp


CHECKPOINT_NOT_FOUND = CheckpointedResult.create_not_found()
"""The shared result for every id without a record."""
