"""How the end of a handler call becomes an outcome: the handler's output parsed and
checked as the service does, and chained-invoke results mapped onto the invoke
operation."""

from __future__ import annotations

import json

from durable_lambda_client import (
    DurableExecutionInvocationOutput,
    ErrorObject,
    ExecutionStatus,
    InvocationStatus,
    OperationStatus,
)
from durable_lambda_local._checkpoint_validation import (
    MAX_CHAINED_INVOKE_PAYLOAD_BYTES,
    utf8_length,
)
from durable_lambda_local._clock import ms_to_datetime
from durable_lambda_local._invoker import CallOutcome, OutcomeKind, error_from_exception
from durable_lambda_local._records import ExecutionRecord

__all__ = ["chained_outcome", "outcome_error", "parse_output", "plain_outcome"]

_EMPTY_ERROR = ErrorObject(None, None, None, None)


def outcome_error(
    outcome: CallOutcome, request_id: str, timeout_seconds: float, now_ms: int
) -> ErrorObject | None:
    """The error Lambda records for a call that did not return (None if it did)."""
    if outcome.kind is OutcomeKind.RETURNED:
        return None
    if outcome.kind is OutcomeKind.TIMED_OUT:
        stamp = ms_to_datetime(now_ms).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return ErrorObject(
            f"{stamp} {request_id} Task timed out after {timeout_seconds:.2f} seconds",
            "Sandbox.Timedout",
            None,
            None,
        )
    return outcome.error


def parse_output(value: object) -> DurableExecutionInvocationOutput | str:
    """The handler's output, or the reason it is not a valid durable output."""
    if isinstance(value, DurableExecutionInvocationOutput):
        data: object = value.to_dict()
    elif isinstance(value, bytes | str):
        try:
            data = json.loads(value)
        except UnicodeDecodeError:
            return "The function output is not valid UTF-8."
        except ValueError:
            return "The function output is not valid JSON."
    else:
        data = value
    if not isinstance(data, dict):
        return "The function output must be a JSON object with a Status."
    status = data.get("Status")
    if status is None:
        return "The function output has no Status."
    if status not in ("SUCCEEDED", "FAILED", "PENDING"):
        return f"The function output has an unknown Status: {status!r}."
    result = data.get("Result")
    error = data.get("Error")
    if status == "SUCCEEDED" and error is not None:
        return "A SUCCEEDED output cannot carry an Error."
    if status == "FAILED" and result is not None:
        return "A FAILED output cannot carry a Result."
    if result is not None and not isinstance(result, str):
        return "The output's Result must be a string."
    if error is not None and not isinstance(error, dict):
        return "The output's Error must be an ErrorObject."
    return DurableExecutionInvocationOutput(
        InvocationStatus(status),
        result,
        None if error is None else ErrorObject.from_dict(error),
    )


def chained_outcome(
    child: ExecutionRecord,
) -> tuple[OperationStatus, str | None, ErrorObject | None]:
    """The status, result and error a finished child execution gives its parent's
    CHAINED_INVOKE operation (service.md §8.4)."""
    status = child.status
    if status is ExecutionStatus.SUCCEEDED:
        return OperationStatus.SUCCEEDED, child.result, None
    if status is ExecutionStatus.TIMED_OUT:
        return (
            OperationStatus.TIMED_OUT,
            None,
            ErrorObject(
                f"CHAINED_INVOKE timed out after {child.timeout_seconds} seconds.",
                "ChainedInvoke.Timeout",
                None,
                None,
            ),
        )
    if status is ExecutionStatus.STOPPED:
        return OperationStatus.STOPPED, None, child.error
    error = child.error
    if error is None or error == _EMPTY_ERROR:
        error = ErrorObject("Chained invoke failed.", None, None, None)
    return OperationStatus.FAILED, None, error


def plain_outcome(
    outcome: CallOutcome, timeout: float
) -> tuple[OperationStatus, str | None, ErrorObject | None]:
    """The status, result and error of a CHAINED_INVOKE of a plain function, from its
    one call (service.md §8.3)."""
    if outcome.kind is OutcomeKind.TIMED_OUT:
        return (
            OperationStatus.TIMED_OUT,
            None,
            ErrorObject(
                f"CHAINED_INVOKE timed out after {timeout:g} seconds.",
                "ChainedInvoke.Timeout",
                None,
                None,
            ),
        )
    if outcome.kind is not OutcomeKind.RETURNED:
        return OperationStatus.FAILED, None, outcome.error
    value = outcome.value
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return (
                OperationStatus.FAILED,
                None,
                ErrorObject(
                    "CHAINED_INVOKE response could not be decoded as UTF-8.", None, None, None
                ),
            )
    else:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as error:
            return OperationStatus.FAILED, None, error_from_exception(error)
    if utf8_length(text) > MAX_CHAINED_INVOKE_PAYLOAD_BYTES:
        return (
            OperationStatus.FAILED,
            None,
            ErrorObject(
                "CHAINED_INVOKE output payload size must be less than or equal to "
                f"{MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes.",
                None,
                None,
                None,
            ),
        )
    return OperationStatus.SUCCEEDED, text, None
