"""Turning a stored outcome back into what the caller sees on replay."""

from __future__ import annotations

from typing import NoReturn

from durable_lambda_client import CallableRuntimeError, ErrorObject

_UNKNOWN_ERROR = "Unknown error. No ErrorObject exists on the Checkpoint Operation."


def raise_stored_error(error: ErrorObject | None) -> NoReturn:
    """Raise the recorded failure as ``CallableRuntimeError`` (all four fields kept)."""
    if error is None:
        raise CallableRuntimeError(_UNKNOWN_ERROR, None, None, None)
    raise CallableRuntimeError(error.message, error.type, error.data, error.stack_trace)


def error_from_exception(error: BaseException) -> ErrorObject:
    """The ``ErrorObject`` recorded for ``error``.

    A ``CallableRuntimeError`` already carries the recorded failure of an inner
    operation; its fields are kept so a first run and a replay report the same.
    """
    if isinstance(error, CallableRuntimeError):
        return ErrorObject(error.message, error.error_type, error.data, error.stack_trace)
    return ErrorObject.from_exception(error)
