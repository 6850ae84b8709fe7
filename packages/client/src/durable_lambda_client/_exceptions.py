"""The durable-lambda exception hierarchy, in one place.

``DurableExecutionsError`` and ``SerDesError`` are defined in ``durable_lambda_serdes``
(the bottom of the dependency graph) and re-exported here as the very same classes, so
``except DurableExecutionsError`` catches errors of every durable package.

Three classes derive from ``BaseException`` on purpose (``SuspendExecution``,
``BackgroundThreadError``, ``OrphanedChildException``): they are control flow of the
SDK and must slip past ``except Exception:`` blocks in user code.

``__all__`` is the reference SDK's ``exceptions`` module, which
``durable_lambda.exceptions`` re-exports whole; ``classify_service_error`` is public
through the package ``__init__``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Self, TypedDict

from durable_lambda_serdes import DurableExecutionsError, SerDesError

__all__ = [
    "BAD_REQUEST_ERROR",
    "SERVICE_ERROR",
    "TOO_MANY_REQUESTS_ERROR",
    "AwsErrorMetadata",
    "AwsErrorObj",
    "BackgroundThreadError",
    "BotoClientError",
    "CallableRuntimeError",
    "CallableRuntimeErrorSerializableDetails",
    "CallbackError",
    "CheckpointError",
    "CheckpointErrorCategory",
    "DurableExecutionsError",
    "ExecutionError",
    "GetExecutionStateError",
    "InvalidStateError",
    "InvocationError",
    "NonDeterministicExecutionError",
    "OrderedLockError",
    "OrphanedChildException",
    "SerDesError",
    "StepInterruptedError",
    "SuspendExecution",
    "TerminationReason",
    "TimedSuspendExecution",
    "UnrecoverableError",
    "UserlandError",
    "ValidationError",
    "WaitForConditionError",
]

BAD_REQUEST_ERROR = 400
TOO_MANY_REQUESTS_ERROR = 429
SERVICE_ERROR = 500

_INVALID_PARAMETER_VALUE = "InvalidParameterValueException"
# Compared case-insensitively: the 1.1.0 SDK expected "Invalid Checkpoint Token", the
# service (and later SDKs) say "Invalid checkpoint token".
_INVALID_TOKEN_PREFIX = "invalid checkpoint token"
_KMS_ERROR_CODES = frozenset(
    {
        "KMSAccessDeniedException",
        "KMSDisabledException",
        "KMSInvalidStateException",
        "KMSNotFoundException",
    }
)


class TerminationReason(Enum):
    """Why an execution or invocation ended; an attribute only, never sent on the wire."""

    UNHANDLED_ERROR = "UNHANDLED_ERROR"
    INVOCATION_ERROR = "INVOCATION_ERROR"
    EXECUTION_ERROR = "EXECUTION_ERROR"
    CHECKPOINT_FAILED = "CHECKPOINT_FAILED"
    NON_DETERMINISTIC_EXECUTION = "NON_DETERMINISTIC_EXECUTION"
    STEP_INTERRUPTED = "STEP_INTERRUPTED"
    CALLBACK_ERROR = "CALLBACK_ERROR"
    SERIALIZATION_ERROR = "SERIALIZATION_ERROR"


class CheckpointErrorCategory(Enum):
    """Who has to act on a failed service call.

    ``INVOCATION``: transient (throttling, server error, network, stale token); the
    invocation fails and Lambda retries it. ``EXECUTION``: the request itself is wrong
    (validation, KMS configuration); retrying cannot help, so the execution fails.
    """

    INVOCATION = "INVOCATION"
    EXECUTION = "EXECUTION"


class AwsErrorObj(TypedDict, total=False):
    """The ``Error`` member of a botocore ``ClientError.response``."""

    Code: str | None
    Message: str | None


class AwsErrorMetadata(TypedDict, total=False):
    """The ``ResponseMetadata`` member of a botocore response."""

    RequestId: str | None
    HostId: str | None
    HTTPStatusCode: int | None
    HTTPHeaders: dict[str, str] | None
    RetryAttempts: int | None


def _restore(cls: type[BaseException], args: tuple[Any, ...]) -> BaseException:
    error = cls.__new__(cls, *args)
    error.args = args
    return error


class _RestoredFromState(BaseException):
    """Makes an exception with a custom constructor survive ``pickle``.

    The default reduction calls ``cls(*self.args)``, which fails when the constructor
    takes other arguments than the message; this one rebuilds the instance and its
    attributes without calling ``__init__`` (e.g. across a process pool).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args), self.__dict__)


class UnrecoverableError(_RestoredFromState, DurableExecutionsError):
    """An error after which the current invocation cannot carry on.

    Args:
        message: what went wrong.
        termination_reason: why the invocation or execution ends.
    """

    def __init__(self, message: str, termination_reason: TerminationReason) -> None:
        super().__init__(message)
        self.termination_reason = termination_reason


class ExecutionError(UnrecoverableError):
    """The execution must fail without retry; the handler returns ``FAILED``."""

    def __init__(
        self,
        message: str,
        termination_reason: TerminationReason = TerminationReason.EXECUTION_ERROR,
    ) -> None:
        super().__init__(message, termination_reason)


class InvocationError(UnrecoverableError):
    """This invocation must fail so that Lambda invokes the function again.

    The handler wrapper re-raises it instead of returning an output.
    """

    def __init__(
        self,
        message: str,
        termination_reason: TerminationReason = TerminationReason.INVOCATION_ERROR,
    ) -> None:
        super().__init__(message, termination_reason)


class CallbackError(ExecutionError):
    """A callback failed, timed out, or its details are missing.

    Args:
        message: what went wrong.
        callback_id: the callback concerned, when known.
    """

    def __init__(self, message: str, callback_id: str | None = None) -> None:
        super().__init__(message, TerminationReason.CALLBACK_ERROR)
        self.callback_id = callback_id


class NonDeterministicExecutionError(ExecutionError):
    """Replay met an operation that differs from the one recorded at the same position.

    Args:
        message: which operation diverged and how (recorded vs. now).
        step_id: the id of the diverging operation.
    """

    def __init__(self, message: str, step_id: str | None = None) -> None:
        super().__init__(message, TerminationReason.NON_DETERMINISTIC_EXECUTION)
        self.step_id = step_id


class StepInterruptedError(InvocationError):
    """An at-most-once step was interrupted before its result was checkpointed.

    Args:
        message: what went wrong.
        step_id: the interrupted step.
    """

    def __init__(self, message: str, step_id: str | None = None) -> None:
        super().__init__(message, TerminationReason.STEP_INTERRUPTED)
        self.step_id = step_id


def classify_service_error(
    error: AwsErrorObj | None, response_metadata: AwsErrorMetadata | None
) -> CheckpointErrorCategory:
    """Decide whether a failed Checkpoint/GetDurableExecutionState call is retriable.

    Checked in this order:

    1. a KMS error code -> ``EXECUTION`` (customer configuration; retrying cannot help);
    2. HTTP 4xx other than 429 with an ``Error`` -> ``EXECUTION``, except an
       ``InvalidParameterValueException`` whose message starts with
       "Invalid checkpoint token" (case-insensitive): a superseded invocation, which a
       fresh invocation with a new token fixes;
    3. everything else (429, 5xx, no status: network errors, timeouts, non-botocore
       exceptions) -> ``INVOCATION``.
    """
    code = error.get("Code") if error else None
    if code in _KMS_ERROR_CODES:
        return CheckpointErrorCategory.EXECUTION
    status = response_metadata.get("HTTPStatusCode") if response_metadata else None
    if (
        error
        and isinstance(status, int)
        and BAD_REQUEST_ERROR <= status < SERVICE_ERROR
        and status != TOO_MANY_REQUESTS_ERROR
    ):
        message = error.get("Message") or ""
        if code == _INVALID_PARAMETER_VALUE and message.lower().startswith(_INVALID_TOKEN_PREFIX):
            return CheckpointErrorCategory.INVOCATION
        return CheckpointErrorCategory.EXECUTION
    return CheckpointErrorCategory.INVOCATION


def _response_parts(
    exception: BaseException,
) -> tuple[AwsErrorObj | None, AwsErrorMetadata | None]:
    response: Any = getattr(exception, "response", None)
    if not isinstance(response, dict):
        return None, None
    return response.get("Error"), response.get("ResponseMetadata")


class BotoClientError(InvocationError):
    """A call to the Lambda API failed; keeps the AWS ``Error`` and ``ResponseMetadata``.

    Args:
        message: ``str()`` of the original exception.
        error: ``{"Code", "Message"}`` from the response, when the service answered.
        response_metadata: request id, HTTP status, headers, retry count.
        termination_reason: defaults to ``INVOCATION_ERROR``.
    """

    def __init__(
        self,
        message: str,
        error: AwsErrorObj | None = None,
        response_metadata: AwsErrorMetadata | None = None,
        termination_reason: TerminationReason = TerminationReason.INVOCATION_ERROR,
    ) -> None:
        super().__init__(message, termination_reason)
        self.error = error
        self.response_metadata = response_metadata

    @classmethod
    def from_exception(cls, exception: BaseException) -> Self:
        """Wrap any exception raised by a boto3 call, keeping the response details."""
        error, response_metadata = _response_parts(exception)
        return cls(str(exception), error=error, response_metadata=response_metadata)

    def build_logger_extras(self) -> dict[str, Any]:
        """``extra=`` for a log record: ``Error`` and ``ResponseMetadata`` when non-empty.

        The keys stay PascalCase, as the SDKs for other languages log them.
        """
        extras: dict[str, Any] = {}
        if self.error:
            extras["Error"] = self.error
        if self.response_metadata:
            extras["ResponseMetadata"] = self.response_metadata
        return extras


class CheckpointError(BotoClientError):
    """``CheckpointDurableExecution`` failed (or could not be attempted).

    ``is_retriable()`` tells the handler wrapper what to do: raise (Lambda retries the
    invocation) or return ``FAILED`` (the execution fails). See
    ``classify_service_error`` for the rules.

    Args:
        message: what went wrong.
        error_category: ``INVOCATION`` (retriable) or ``EXECUTION``.
        error: the AWS ``Error`` member, when the service answered.
        response_metadata: the AWS ``ResponseMetadata`` member.
    """

    def __init__(
        self,
        message: str,
        error_category: CheckpointErrorCategory,
        error: AwsErrorObj | None = None,
        response_metadata: AwsErrorMetadata | None = None,
    ) -> None:
        super().__init__(
            message,
            error=error,
            response_metadata=response_metadata,
            termination_reason=TerminationReason.CHECKPOINT_FAILED,
        )
        self.error_category = error_category

    @classmethod
    def from_exception(cls, exception: BaseException) -> Self:
        """Wrap an exception from the checkpoint call and classify it."""
        error, response_metadata = _response_parts(exception)
        return cls(
            str(exception),
            classify_service_error(error, response_metadata),
            error=error,
            response_metadata=response_metadata,
        )

    def is_retriable(self) -> bool:
        """True when a new invocation may succeed (category ``INVOCATION``)."""
        return self.error_category is CheckpointErrorCategory.INVOCATION


class GetExecutionStateError(BotoClientError):
    """``GetDurableExecutionState`` failed; always an invocation error (Lambda retries)."""

    def __init__(
        self,
        message: str,
        error: AwsErrorObj | None = None,
        response_metadata: AwsErrorMetadata | None = None,
    ) -> None:
        super().__init__(
            message,
            error=error,
            response_metadata=response_metadata,
            termination_reason=TerminationReason.INVOCATION_ERROR,
        )


class ValidationError(DurableExecutionsError):
    """An argument of a durable operation or configuration breaks a documented rule."""


class InvalidStateError(DurableExecutionsError):
    """The SDK found its own state inconsistent (an invariant was broken)."""


class UserlandError(DurableExecutionsError):
    """Base of errors that stand for a failure of user code."""


class CallableRuntimeError(_RestoredFromState, UserlandError):
    """A user function failed; raised again on replay from the recorded ``ErrorObject``.

    ``error_type`` is the class name of the original exception, so callers can tell
    failures apart without the class being importable. ``str(error)`` is
    ``str(message)``.

    Args:
        message: the original message.
        error_type: the original exception's class name.
        data: extra error data recorded with the failure.
        stack_trace: the recorded stack trace lines.
    """

    def __init__(
        self,
        message: str | None,
        error_type: str | None,
        data: str | None,
        stack_trace: list[str] | None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data
        self.stack_trace = stack_trace


class WaitForConditionError(DurableExecutionsError):
    """A wait strategy from ``create_wait_strategy`` ran out of attempts.

    Deliberately not an ``ExecutionError``: the ``wait_for_condition`` operation
    records it as its failure like any user error.
    """


class OrderedLockError(_RestoredFromState, DurableExecutionsError):
    """The FIFO lock is broken because an earlier holder failed.

    Args:
        message: what went wrong.
        source_exception: the holder's exception; appended to the message as
            ``"<message> <SourceType>: <source>"``.
    """

    def __init__(self, message: str, source_exception: Exception | None = None) -> None:
        if source_exception is not None:
            message = f"{message} {type(source_exception).__name__}: {source_exception}"
        super().__init__(message)
        self.source_exception = source_exception


class BackgroundThreadError(_RestoredFromState, BaseException):
    """A background thread (the checkpointer) failed; carries the original error.

    A ``BaseException`` so that ``except Exception:`` in user code cannot swallow it.

    Args:
        message: what failed.
        source_exception: the exception raised in the background thread.
    """

    def __init__(self, message: str, source_exception: Exception) -> None:
        super().__init__(message)
        self.source_exception = source_exception


class SuspendExecution(_RestoredFromState, BaseException):
    """Ends the invocation with ``PENDING``: the execution waits for the service.

    A ``BaseException`` so that ``except Exception:`` in user code cannot swallow it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)


class TimedSuspendExecution(SuspendExecution):
    """Suspension with a known resume time.

    Args:
        message: why the execution suspends.
        scheduled_timestamp: when to resume, in epoch seconds.
    """

    def __init__(self, message: str, scheduled_timestamp: float) -> None:
        super().__init__(message)
        self.scheduled_timestamp = scheduled_timestamp

    @classmethod
    def from_delay(cls, message: str, delay_seconds: int) -> Self:
        """Resume ``delay_seconds`` from now."""
        return cls(message, time.time() + delay_seconds)

    @classmethod
    def from_datetime(cls, message: str, datetime_timestamp: datetime) -> Self:
        """Resume at ``datetime_timestamp``."""
        return cls(message, datetime_timestamp.timestamp())


class OrphanedChildException(_RestoredFromState, BaseException):
    """A child of a finished map/parallel tried to checkpoint; its work is discarded.

    Args:
        message: what happened.
        operation_id: the orphaned operation.
    """

    def __init__(self, message: str, operation_id: str) -> None:
        super().__init__(message)
        self.operation_id = operation_id


@dataclass(frozen=True)
class CallableRuntimeErrorSerializableDetails:
    """Class name and message of an exception, in a form that survives serialization."""

    type: str
    message: str

    @classmethod
    def from_exception(cls, exception: BaseException) -> Self:
        """Take ``type(exception).__name__`` and ``str(exception)``."""
        return cls(type=type(exception).__name__, message=str(exception))

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"
