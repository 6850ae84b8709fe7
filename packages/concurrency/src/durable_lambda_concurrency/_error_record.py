"""What a failed item's error looks like: a structural record and a plain default.

A ``BatchItem`` keeps its failure as a record rather than as the exception
object, so that a result can be written as JSON, read back in another process
and still say what went wrong. Any object with the four fields and
``to_dict()`` will do; the durable context stores its own ``ErrorObject``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from durable_lambda_concurrency._errors import BatchFormatError

__all__ = ["ErrorInfo", "ErrorRecord"]


@runtime_checkable
class ErrorRecord(Protocol):
    """The error of a failed item: message, type name, data and stack trace.

    ``to_dict()`` returns the wire shape ``{"ErrorMessage", "ErrorType",
    "ErrorData", "StackTrace"}`` with only the keys whose value is not
    ``None``.
    """

    @property
    def message(self) -> str | None:
        """The failure message, usually ``str(exception)``."""
        ...

    @property
    def type(self) -> str | None:
        """The name of the exception class, without its module."""
        ...

    @property
    def data(self) -> str | None:
        """Extra data attached to the failure."""
        ...

    @property
    def stack_trace(self) -> Sequence[str] | None:
        """Stack trace lines attached to the failure."""
        ...

    def to_dict(self) -> Mapping[str, Any]:
        """The wire dict of the record."""
        ...


_WIRE_KEYS = {
    "message": "ErrorMessage",
    "type": "ErrorType",
    "data": "ErrorData",
    "stack_trace": "StackTrace",
}


@dataclass(frozen=True)
class ErrorInfo:
    """The error record this package uses when the caller supplies none.

    Attributes:
        message: the failure message.
        type: the exception class name (no module), e.g. ``"ValueError"``.
        data: extra data, or ``None``.
        stack_trace: stack trace lines, or ``None``.
    """

    message: str | None = None
    type: str | None = None
    data: str | None = None
    stack_trace: tuple[str, ...] | None = None

    @classmethod
    def from_exception(cls, error: BaseException) -> ErrorInfo:
        """Record an exception as its message and class name.

        Example:
            >>> ErrorInfo.from_exception(ValueError("bad input"))
            ErrorInfo(message='bad input', type='ValueError', data=None, stack_trace=None)
        """
        return cls(message=str(error), type=type(error).__name__)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ErrorInfo:
        """Read the wire dict written by :meth:`to_dict` (missing keys are ``None``).

        Raises:
            BatchFormatError: ``data`` is not a mapping, or a field has the wrong type.
        """
        if not isinstance(data, Mapping):
            msg = f"an error record must be a dict, got: {type(data).__name__}"
            raise BatchFormatError(msg)
        fields: dict[str, Any] = {}
        for field_name, key in _WIRE_KEYS.items():
            value = data.get(key)
            if field_name == "stack_trace":
                if value is not None:
                    if not isinstance(value, list | tuple) or not all(
                        isinstance(line, str) for line in value
                    ):
                        msg = f"{key} must be a list of strings, got: {value!r}"
                        raise BatchFormatError(msg)
                    value = tuple(value)
            elif value is not None and not isinstance(value, str):
                msg = f"{key} must be a string, got: {value!r}"
                raise BatchFormatError(msg)
            fields[field_name] = value
        return cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        """The wire dict; keys whose value is ``None`` are left out.

        Example:
            >>> ErrorInfo("boom", "ValueError").to_dict()
            {'ErrorMessage': 'boom', 'ErrorType': 'ValueError'}
        """
        wire: dict[str, Any] = {}
        if self.message is not None:
            wire["ErrorMessage"] = self.message
        if self.type is not None:
            wire["ErrorType"] = self.type
        if self.data is not None:
            wire["ErrorData"] = self.data
        if self.stack_trace is not None:
            wire["StackTrace"] = list(self.stack_trace)
        return wire
