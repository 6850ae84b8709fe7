"""The Lambda invocation envelope: what the service sends the handler, and what it returns.

Timestamps inside the input event are integers in epoch milliseconds; read real
events with the ``from_json_dict`` methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Self

from durable_lambda_client._enums import OperationType
from durable_lambda_client._error_object import ErrorObject
from durable_lambda_client._exceptions import DurableExecutionsError
from durable_lambda_client._operation import Operation
from durable_lambda_client._service_client import DurableServiceClient

__all__ = [
    "LAMBDA_RESPONSE_SIZE_LIMIT",
    "DurableExecutionInvocationInput",
    "DurableExecutionInvocationInputWithClient",
    "DurableExecutionInvocationOutput",
    "InitialExecutionState",
    "InvocationStatus",
]

# Lambda's 6 MiB response limit, less room for the envelope around the result.
LAMBDA_RESPONSE_SIZE_LIMIT = 6 * 1024 * 1024 - 50


@dataclass(frozen=True, slots=True)
class InitialExecutionState:
    """The first page of the execution's operations; ``next_marker`` pages the rest."""

    operations: list[Operation]
    next_marker: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Operations", "NextMarker"}`` with ``datetime`` timestamps.

        Missing or empty ``Operations`` -> ``[]``; missing ``NextMarker`` -> ``""``.
        """
        return cls(
            [Operation.from_dict(item) for item in data.get("Operations") or ()],
            data.get("NextMarker") or "",
        )

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Self:
        """Like ``from_dict``, with timestamps in epoch milliseconds (a real event)."""
        return cls(
            [Operation.from_json_dict(item) for item in data.get("Operations") or ()],
            data.get("NextMarker") or "",
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Operations", "NextMarker"}`` with ``datetime`` timestamps."""
        return {
            "Operations": [item.to_dict() for item in self.operations],
            "NextMarker": self.next_marker,
        }

    def to_json_dict(self) -> dict[str, Any]:
        """Write the event form (timestamps in epoch milliseconds)."""
        return {
            "Operations": [item.to_json_dict() for item in self.operations],
            "NextMarker": self.next_marker,
        }

    def get_execution_operation(self) -> Operation | None:
        """The EXECUTION operation, which the service puts first; ``None`` if no operations.

        Raises:
            DurableExecutionsError: the first operation is not of type EXECUTION.
        """
        if not self.operations:
            return None
        candidate = self.operations[0]
        if candidate.operation_type is not OperationType.EXECUTION:
            msg = (
                "First operation in initial execution state is not an execution operation: "
                f"{candidate.operation_type}"
            )
            raise DurableExecutionsError(msg)
        return candidate

    def get_input_payload(self) -> str | None:
        """The user's input (JSON text) from the EXECUTION operation, if any."""
        operation = self.get_execution_operation()
        if operation is None or operation.execution_details is None:
            return None
        return operation.execution_details.input_payload


@dataclass(frozen=True, slots=True)
class DurableExecutionInvocationInput:
    """The event Lambda passes to a durable function's handler."""

    durable_execution_arn: str
    checkpoint_token: str
    initial_execution_state: InitialExecutionState

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the event with ``datetime`` timestamps.

        Raises:
            KeyError: ``DurableExecutionArn`` or ``CheckpointToken`` is missing.
        """
        return cls(
            data["DurableExecutionArn"],
            data["CheckpointToken"],
            InitialExecutionState.from_dict(data.get("InitialExecutionState") or {}),
        )

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a real event (timestamps in epoch milliseconds).

        Raises:
            KeyError: ``DurableExecutionArn`` or ``CheckpointToken`` is missing.
            ValueError: an operation has an unknown ``Type``, ``Status`` or ``SubType``.
            TypeError: a timestamp is neither a number nor a ``datetime``.
        """
        return cls(
            data["DurableExecutionArn"],
            data["CheckpointToken"],
            InitialExecutionState.from_json_dict(data.get("InitialExecutionState") or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the event with ``datetime`` timestamps."""
        return {
            "DurableExecutionArn": self.durable_execution_arn,
            "CheckpointToken": self.checkpoint_token,
            "InitialExecutionState": self.initial_execution_state.to_dict(),
        }

    def to_json_dict(self) -> dict[str, Any]:
        """Write the event as the service sends it (timestamps in epoch milliseconds)."""
        return {
            "DurableExecutionArn": self.durable_execution_arn,
            "CheckpointToken": self.checkpoint_token,
            "InitialExecutionState": self.initial_execution_state.to_json_dict(),
        }


@dataclass(frozen=True, slots=True)
class DurableExecutionInvocationInputWithClient(DurableExecutionInvocationInput):
    """An already-parsed event that brings its own service client.

    Passing one as the Lambda event makes the handler wrapper skip parsing and talk to
    ``service_client`` (an in-process service in tests and benchmarks).
    """

    service_client: DurableServiceClient

    @classmethod
    def from_durable_execution_invocation_input(
        cls,
        invocation_input: DurableExecutionInvocationInput,
        service_client: DurableServiceClient,
    ) -> Self:
        """Attach ``service_client`` to a parsed event."""
        return cls(
            invocation_input.durable_execution_arn,
            invocation_input.checkpoint_token,
            invocation_input.initial_execution_state,
            service_client,
        )


class InvocationStatus(Enum):
    """The ``Status`` a handler invocation reports back to the service."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PENDING = "PENDING"


@dataclass(frozen=True, slots=True)
class DurableExecutionInvocationOutput:
    """What the handler returns: ``{"Status"}`` plus ``Result`` or ``Error``."""

    status: InvocationStatus
    result: str | None = None
    error: ErrorObject | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Status", "Result", "Error"}``.

        Raises:
            KeyError: ``Status`` is missing.
            ValueError: ``Status`` is not SUCCEEDED, FAILED or PENDING.
        """
        error = data.get("Error")
        return cls(
            InvocationStatus(data["Status"]),
            data.get("Result"),
            None if error is None else ErrorObject.from_dict(error),
        )

    def to_dict(self) -> dict[str, Any]:
        """``Status`` always; ``Result`` when not ``None`` (``""`` included); ``Error`` when set."""
        result: dict[str, Any] = {"Status": self.status.value}
        if self.result is not None:
            result["Result"] = self.result
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        return result

    @classmethod
    def create_succeeded(cls, result: str) -> Self:
        """A SUCCEEDED output carrying ``result``."""
        return cls(InvocationStatus.SUCCEEDED, result)
