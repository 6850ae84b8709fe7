"""``ErrorObject``: how a failure travels on the wire."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from durable_lambda_client._exceptions import CallableRuntimeError

__all__ = ["ErrorObject"]


@dataclass(frozen=True, slots=True)
class ErrorObject:
    """A recorded failure: ``{"ErrorMessage", "ErrorType", "ErrorData", "StackTrace"}``.

    Every member is optional on the wire; ``to_dict`` writes only those that are not
    ``None``.
    """

    message: str | None
    type: str | None
    data: str | None
    stack_trace: list[str] | None

    @classmethod
    def from_exception(cls, exception: BaseException) -> Self:
        """Message ``str(exception)``, type the bare class name; no data, no stack."""
        return cls(str(exception), type(exception).__name__, None, None)

    @classmethod
    def from_message(cls, message: str) -> Self:
        """An error with only a message."""
        return cls(message, None, None, None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the wire form (missing members become ``None``)."""
        return cls(
            data.get("ErrorMessage"),
            data.get("ErrorType"),
            data.get("ErrorData"),
            data.get("StackTrace"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the wire form, omitting ``None`` members."""
        result: dict[str, Any] = {}
        if self.message is not None:
            result["ErrorMessage"] = self.message
        if self.type is not None:
            result["ErrorType"] = self.type
        if self.data is not None:
            result["ErrorData"] = self.data
        if self.stack_trace is not None:
            result["StackTrace"] = self.stack_trace
        return result

    def to_callable_runtime_error(self) -> CallableRuntimeError:
        """The exception the SDK raises when user code meets this recorded failure."""
        return CallableRuntimeError(
            message=self.message,
            error_type=self.type,
            data=self.data,
            stack_trace=self.stack_trace,
        )
