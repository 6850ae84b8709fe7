"""``Operation`` and its ``*Details``: the state of one operation as the service keeps it.

Two dict forms exist. ``from_dict``/``to_dict`` use boto3's form (timestamps are
``datetime`` objects). ``from_json_dict``/``to_json_dict`` use the Lambda invocation
envelope's form (timestamps are integers in epoch milliseconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypeAlias

from durable_lambda_client._enums import (
    OperationStatus,
    OperationSubType,
    OperationType,
    WireEnumParser,
)
from durable_lambda_client._error_object import ErrorObject
from durable_lambda_client._timestamps import datetime_from_epoch_ms, epoch_ms_from_datetime

__all__ = [
    "CallbackDetails",
    "OperationPayload",
    "ReplayChildren",
    "TimeoutSeconds",
    "ChainedInvokeDetails",
    "ContextDetails",
    "ExecutionDetails",
    "Operation",
    "StepDetails",
    "WaitDetails",
]

ReplayChildren: TypeAlias = bool
"""``ContextDetails.ReplayChildren`` / ``ContextOptions.ReplayChildren``."""
OperationPayload: TypeAlias = str
"""A serialized value as the service stores it (opaque text, usually JSON)."""
TimeoutSeconds: TypeAlias = int
"""A duration in whole seconds, as every option of an update carries it."""

_parse_type = WireEnumParser(OperationType)
_parse_status = WireEnumParser(OperationStatus)
_parse_sub_type = WireEnumParser(OperationSubType)


def _error_from(data: Mapping[str, Any]) -> ErrorObject | None:
    error = data.get("Error")
    return None if error is None else ErrorObject.from_dict(error)


@dataclass(frozen=True, slots=True)
class ExecutionDetails:
    """Details of the EXECUTION operation: the user's input, as JSON text."""

    input_payload: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"InputPayload"}``."""
        return cls(data.get("InputPayload"))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"InputPayload"}`` (omitted when ``None``)."""
        if self.input_payload is None:
            return {}
        return {"InputPayload": self.input_payload}


@dataclass(frozen=True, slots=True)
class ContextDetails:
    """Details of a CONTEXT operation.

    ``replay_children`` is true when the result was too large to store, so the SDK
    rebuilds it by replaying the children.
    """

    replay_children: bool = False
    result: str | None = None
    error: ErrorObject | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"ReplayChildren", "Result", "Error"}``."""
        return cls(bool(data.get("ReplayChildren", False)), data.get("Result"), _error_from(data))

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set (``ReplayChildren`` only when true)."""
        result: dict[str, Any] = {}
        if self.replay_children:
            result["ReplayChildren"] = True
        if self.result is not None:
            result["Result"] = self.result
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        return result


@dataclass(frozen=True, slots=True)
class StepDetails:
    """Details of a STEP operation.

    ``attempt`` counts the attempts already checkpointed; ``next_attempt_timestamp`` is
    set while a retry is PENDING.
    """

    attempt: int = 0
    next_attempt_timestamp: datetime | None = None
    result: str | None = None
    error: ErrorObject | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read boto3's form (``NextAttemptTimestamp`` is a ``datetime``)."""
        return cls(
            data.get("Attempt", 0),
            data.get("NextAttemptTimestamp"),
            data.get("Result"),
            _error_from(data),
        )

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the envelope's form (``NextAttemptTimestamp`` in epoch milliseconds)."""
        return cls(
            data.get("Attempt", 0),
            datetime_from_epoch_ms(
                data.get("NextAttemptTimestamp"), "StepDetails.NextAttemptTimestamp"
            ),
            data.get("Result"),
            _error_from(data),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write boto3's form: ``Attempt`` always, the others when set."""
        result: dict[str, Any] = {"Attempt": self.attempt}
        if self.next_attempt_timestamp is not None:
            result["NextAttemptTimestamp"] = self.next_attempt_timestamp
        if self.result is not None:
            result["Result"] = self.result
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        return result

    def to_json_dict(self) -> dict[str, Any]:
        """Write the envelope's form (epoch milliseconds)."""
        result = self.to_dict()
        if self.next_attempt_timestamp is not None:
            result["NextAttemptTimestamp"] = epoch_ms_from_datetime(self.next_attempt_timestamp)
        return result


@dataclass(frozen=True, slots=True)
class WaitDetails:
    """Details of a WAIT operation: when the timer fires."""

    scheduled_end_timestamp: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read boto3's form."""
        return cls(data.get("ScheduledEndTimestamp"))

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the envelope's form (epoch milliseconds)."""
        return cls(
            datetime_from_epoch_ms(
                data.get("ScheduledEndTimestamp"), "WaitDetails.ScheduledEndTimestamp"
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """Write boto3's form."""
        if self.scheduled_end_timestamp is None:
            return {}
        return {"ScheduledEndTimestamp": self.scheduled_end_timestamp}

    def to_json_dict(self) -> dict[str, Any]:
        """Write the envelope's form (epoch milliseconds)."""
        if self.scheduled_end_timestamp is None:
            return {}
        return {"ScheduledEndTimestamp": epoch_ms_from_datetime(self.scheduled_end_timestamp)}


@dataclass(frozen=True, slots=True)
class CallbackDetails:
    """Details of a CALLBACK operation; ``callback_id`` is what external systems answer to."""

    callback_id: str
    result: str | None = None
    error: ErrorObject | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"CallbackId" (required), "Result", "Error"}``."""
        return cls(data["CallbackId"], data.get("Result"), _error_from(data))

    def to_dict(self) -> dict[str, Any]:
        """Write ``CallbackId`` and the members that are set."""
        result: dict[str, Any] = {"CallbackId": self.callback_id}
        if self.result is not None:
            result["Result"] = self.result
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        return result


@dataclass(frozen=True, slots=True)
class ChainedInvokeDetails:
    """Details of a CHAINED_INVOKE operation: the invoked function's result or error."""

    result: str | None = None
    error: ErrorObject | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Result", "Error"}``."""
        return cls(data.get("Result"), _error_from(data))

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {}
        if self.result is not None:
            result["Result"] = self.result
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        return result


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a durable execution, as returned by the service.

    Only the ``*_details`` member matching ``operation_type`` is normally set.
    """

    operation_id: str
    operation_type: OperationType
    status: OperationStatus
    parent_id: str | None = None
    name: str | None = None
    start_timestamp: datetime | None = None
    end_timestamp: datetime | None = None
    sub_type: OperationSubType | None = None
    execution_details: ExecutionDetails | None = None
    context_details: ContextDetails | None = None
    step_details: StepDetails | None = None
    wait_details: WaitDetails | None = None
    callback_details: CallbackDetails | None = None
    chained_invoke_details: ChainedInvokeDetails | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read boto3's form (timestamps are ``datetime`` objects).

        Raises:
            KeyError: ``Id`` is missing.
            ValueError: ``Type``, ``Status`` or ``SubType`` is not a known value.
        """
        get = data.get
        execution = get("ExecutionDetails")
        context = get("ContextDetails")
        step = get("StepDetails")
        wait = get("WaitDetails")
        callback = get("CallbackDetails")
        invoke = get("ChainedInvokeDetails")
        return cls(
            data["Id"],
            _parse_type(get("Type"), "Operation.Type"),
            _parse_status(get("Status"), "Operation.Status"),
            get("ParentId"),
            get("Name"),
            get("StartTimestamp"),
            get("EndTimestamp"),
            _parse_sub_type.optional(get("SubType"), "Operation.SubType"),
            None if execution is None else ExecutionDetails.from_dict(execution),
            None if context is None else ContextDetails.from_dict(context),
            None if step is None else StepDetails.from_dict(step),
            None if wait is None else WaitDetails.from_dict(wait),
            None if callback is None else CallbackDetails.from_dict(callback),
            None if invoke is None else ChainedInvokeDetails.from_dict(invoke),
        )

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the invocation envelope's form (timestamps in epoch milliseconds).

        ``datetime`` values are accepted unchanged.

        Raises:
            KeyError: ``Id`` is missing.
            ValueError: ``Type``, ``Status`` or ``SubType`` is not a known value.
            TypeError: a timestamp is neither a number nor a ``datetime``.
        """
        get = data.get
        execution = get("ExecutionDetails")
        context = get("ContextDetails")
        step = get("StepDetails")
        wait = get("WaitDetails")
        callback = get("CallbackDetails")
        invoke = get("ChainedInvokeDetails")
        return cls(
            data["Id"],
            _parse_type(get("Type"), "Operation.Type"),
            _parse_status(get("Status"), "Operation.Status"),
            get("ParentId"),
            get("Name"),
            datetime_from_epoch_ms(get("StartTimestamp"), "Operation.StartTimestamp"),
            datetime_from_epoch_ms(get("EndTimestamp"), "Operation.EndTimestamp"),
            _parse_sub_type.optional(get("SubType"), "Operation.SubType"),
            None if execution is None else ExecutionDetails.from_dict(execution),
            None if context is None else ContextDetails.from_dict(context),
            None if step is None else StepDetails.from_json_dict(step),
            None if wait is None else WaitDetails.from_json_dict(wait),
            None if callback is None else CallbackDetails.from_dict(callback),
            None if invoke is None else ChainedInvokeDetails.from_dict(invoke),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write boto3's form: ``Id``, ``Type``, ``Status`` always, the rest when set."""
        result: dict[str, Any] = {
            "Id": self.operation_id,
            "Type": self.operation_type.value,
            "Status": self.status.value,
        }
        if self.parent_id is not None:
            result["ParentId"] = self.parent_id
        if self.name is not None:
            result["Name"] = self.name
        if self.start_timestamp is not None:
            result["StartTimestamp"] = self.start_timestamp
        if self.end_timestamp is not None:
            result["EndTimestamp"] = self.end_timestamp
        if self.sub_type is not None:
            result["SubType"] = self.sub_type.value
        if self.execution_details is not None:
            result["ExecutionDetails"] = self.execution_details.to_dict()
        if self.context_details is not None:
            result["ContextDetails"] = self.context_details.to_dict()
        if self.step_details is not None:
            result["StepDetails"] = self.step_details.to_dict()
        if self.wait_details is not None:
            result["WaitDetails"] = self.wait_details.to_dict()
        if self.callback_details is not None:
            result["CallbackDetails"] = self.callback_details.to_dict()
        if self.chained_invoke_details is not None:
            result["ChainedInvokeDetails"] = self.chained_invoke_details.to_dict()
        return result

    def to_json_dict(self) -> dict[str, Any]:
        """Write the invocation envelope's form (timestamps in epoch milliseconds)."""
        result = self.to_dict()
        if self.start_timestamp is not None:
            result["StartTimestamp"] = epoch_ms_from_datetime(self.start_timestamp)
        if self.end_timestamp is not None:
            result["EndTimestamp"] = epoch_ms_from_datetime(self.end_timestamp)
        if self.step_details is not None:
            result["StepDetails"] = self.step_details.to_json_dict()
        if self.wait_details is not None:
            result["WaitDetails"] = self.wait_details.to_json_dict()
        return result
