"""``OperationUpdate`` and its ``*Options``: what the SDK sends in a checkpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from durable_lambda_client._enums import (
    OperationAction,
    OperationSubType,
    OperationType,
    WireEnumParser,
)
from durable_lambda_client._error_object import ErrorObject
from durable_lambda_client._identifier import OperationIdentifier

__all__ = [
    "CallbackOptions",
    "ChainedInvokeOptions",
    "ContextOptions",
    "OperationUpdate",
    "StepOptions",
    "WaitOptions",
]

_parse_type = WireEnumParser(OperationType)
_parse_action = WireEnumParser(OperationAction)
_parse_sub_type = WireEnumParser(OperationSubType)


@dataclass(frozen=True, slots=True)
class StepOptions:
    """Options of a STEP RETRY: how long until the next attempt, in seconds."""

    next_attempt_delay_seconds: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"NextAttemptDelaySeconds"}`` (default 0)."""
        return cls(data.get("NextAttemptDelaySeconds", 0))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"NextAttemptDelaySeconds": n}``."""
        return {"NextAttemptDelaySeconds": self.next_attempt_delay_seconds}


@dataclass(frozen=True, slots=True)
class WaitOptions:
    """Options of a WAIT START: the duration in seconds."""

    wait_seconds: int = 1

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"WaitSeconds"}`` (default 1)."""
        return cls(data.get("WaitSeconds", 1))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"WaitSeconds": n}``."""
        return {"WaitSeconds": self.wait_seconds}


@dataclass(frozen=True, slots=True)
class CallbackOptions:
    """Options of a CALLBACK START; 0 means no timeout."""

    timeout_seconds: int = 0
    heartbeat_timeout_seconds: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"TimeoutSeconds", "HeartbeatTimeoutSeconds"}`` (defaults 0)."""
        return cls(data.get("TimeoutSeconds", 0), data.get("HeartbeatTimeoutSeconds", 0))

    def to_dict(self) -> dict[str, Any]:
        """Write both members, zeros included."""
        return {
            "TimeoutSeconds": self.timeout_seconds,
            "HeartbeatTimeoutSeconds": self.heartbeat_timeout_seconds,
        }


@dataclass(frozen=True, slots=True)
class ChainedInvokeOptions:
    """Options of a CHAINED_INVOKE START: the function to invoke, and its tenant."""

    function_name: str
    tenant_id: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"FunctionName" (required), "TenantId"}``."""
        return cls(data["FunctionName"], data.get("TenantId"))

    def to_dict(self) -> dict[str, Any]:
        """Write ``FunctionName``, and ``TenantId`` only when set."""
        result: dict[str, Any] = {"FunctionName": self.function_name}
        if self.tenant_id is not None:
            result["TenantId"] = self.tenant_id
        return result


@dataclass(frozen=True, slots=True)
class ContextOptions:
    """Options of a CONTEXT SUCCEED: rebuild the result by replaying the children."""

    replay_children: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"ReplayChildren"}`` (default false)."""
        return cls(bool(data.get("ReplayChildren", False)))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"ReplayChildren": b}``."""
        return {"ReplayChildren": self.replay_children}


def _execution_result_id() -> str:
    return f"execution-result-{int(datetime.now(UTC).timestamp() * 1000)}"


@dataclass(frozen=True, slots=True)
class OperationUpdate:
    """One change to one operation, sent in ``CheckpointDurableExecution.Updates``.

    Build it with the ``create_*`` factories; they set the type, sub-type and action
    that the service expects for each SDK construct.
    """

    operation_id: str
    operation_type: OperationType
    action: OperationAction
    parent_id: str | None = None
    name: str | None = None
    sub_type: OperationSubType | None = None
    payload: str | None = None
    error: ErrorObject | None = None
    context_options: ContextOptions | None = None
    step_options: StepOptions | None = None
    wait_options: WaitOptions | None = None
    callback_options: CallbackOptions | None = None
    chained_invoke_options: ChainedInvokeOptions | None = None

    def to_dict(self) -> dict[str, Any]:
        """Write the wire form.

        ``Id``, ``Type`` and ``Action`` always; ``ParentId``, ``Name``, ``SubType`` when
        non-empty; ``Payload`` whenever not ``None`` (an empty string is a real result);
        ``Error`` and the options when set.
        """
        result: dict[str, Any] = {
            "Id": self.operation_id,
            "Type": self.operation_type.value,
            "Action": self.action.value,
        }
        if self.parent_id:
            result["ParentId"] = self.parent_id
        if self.name:
            result["Name"] = self.name
        if self.sub_type:
            result["SubType"] = self.sub_type.value
        if self.payload is not None:
            result["Payload"] = self.payload
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        if self.context_options is not None:
            result["ContextOptions"] = self.context_options.to_dict()
        if self.step_options is not None:
            result["StepOptions"] = self.step_options.to_dict()
        if self.wait_options is not None:
            result["WaitOptions"] = self.wait_options.to_dict()
        if self.callback_options is not None:
            result["CallbackOptions"] = self.callback_options.to_dict()
        if self.chained_invoke_options is not None:
            result["ChainedInvokeOptions"] = self.chained_invoke_options.to_dict()
        return result

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the wire form (the inverse of ``to_dict``).

        Raises:
            KeyError: ``Id`` is missing.
            ValueError: ``Type``, ``Action`` or ``SubType`` is not a known value.
        """
        get = data.get
        error = get("Error")
        context = get("ContextOptions")
        step = get("StepOptions")
        wait = get("WaitOptions")
        callback = get("CallbackOptions")
        invoke = get("ChainedInvokeOptions")
        return cls(
            data["Id"],
            _parse_type(get("Type"), "OperationUpdate.Type"),
            _parse_action(get("Action"), "OperationUpdate.Action"),
            get("ParentId"),
            get("Name"),
            _parse_sub_type.optional(get("SubType"), "OperationUpdate.SubType"),
            get("Payload"),
            None if error is None else ErrorObject.from_dict(error),
            None if context is None else ContextOptions.from_dict(context),
            None if step is None else StepOptions.from_dict(step),
            None if wait is None else WaitOptions.from_dict(wait),
            None if callback is None else CallbackOptions.from_dict(callback),
            None if invoke is None else ChainedInvokeOptions.from_dict(invoke),
        )

    # Factories. Each copies id, parent id and name from the identifier.

    @classmethod
    def _for(
        cls,
        identifier: OperationIdentifier,
        operation_type: OperationType,
        sub_type: OperationSubType | None,
        action: OperationAction,
        *,
        payload: str | None = None,
        error: ErrorObject | None = None,
        context_options: ContextOptions | None = None,
        step_options: StepOptions | None = None,
        wait_options: WaitOptions | None = None,
        callback_options: CallbackOptions | None = None,
        chained_invoke_options: ChainedInvokeOptions | None = None,
    ) -> Self:
        return cls(
            operation_id=identifier.operation_id,
            operation_type=operation_type,
            action=action,
            parent_id=identifier.parent_id,
            name=identifier.name,
            sub_type=sub_type,
            payload=payload,
            error=error,
            context_options=context_options,
            step_options=step_options,
            wait_options=wait_options,
            callback_options=callback_options,
            chained_invoke_options=chained_invoke_options,
        )

    @classmethod
    def create_step_start(cls, identifier: OperationIdentifier) -> Self:
        """STEP / Step / START."""
        return cls._for(
            identifier, OperationType.STEP, OperationSubType.STEP, OperationAction.START
        )

    @classmethod
    def create_step_succeed(cls, identifier: OperationIdentifier, payload: str | None) -> Self:
        """STEP / Step / SUCCEED with the serialized result."""
        return cls._for(
            identifier,
            OperationType.STEP,
            OperationSubType.STEP,
            OperationAction.SUCCEED,
            payload=payload,
        )

    @classmethod
    def create_step_fail(cls, identifier: OperationIdentifier, error: ErrorObject) -> Self:
        """STEP / Step / FAIL with the final error."""
        return cls._for(
            identifier, OperationType.STEP, OperationSubType.STEP, OperationAction.FAIL, error=error
        )

    @classmethod
    def create_step_retry(
        cls,
        identifier: OperationIdentifier,
        error: ErrorObject,
        next_attempt_delay_seconds: int,
    ) -> Self:
        """STEP / Step / RETRY with the attempt's error and the delay before the next one."""
        return cls._for(
            identifier,
            OperationType.STEP,
            OperationSubType.STEP,
            OperationAction.RETRY,
            error=error,
            step_options=StepOptions(next_attempt_delay_seconds),
        )

    @classmethod
    def create_wait_start(cls, identifier: OperationIdentifier, wait_options: WaitOptions) -> Self:
        """WAIT / Wait / START."""
        return cls._for(
            identifier,
            OperationType.WAIT,
            OperationSubType.WAIT,
            OperationAction.START,
            wait_options=wait_options,
        )

    @classmethod
    def create_callback(
        cls, identifier: OperationIdentifier, callback_options: CallbackOptions
    ) -> Self:
        """CALLBACK / Callback / START."""
        return cls._for(
            identifier,
            OperationType.CALLBACK,
            OperationSubType.CALLBACK,
            OperationAction.START,
            callback_options=callback_options,
        )

    @classmethod
    def create_invoke_start(
        cls,
        identifier: OperationIdentifier,
        payload: str,
        chained_invoke_options: ChainedInvokeOptions,
    ) -> Self:
        """CHAINED_INVOKE / ChainedInvoke / START with the serialized input."""
        return cls._for(
            identifier,
            OperationType.CHAINED_INVOKE,
            OperationSubType.CHAINED_INVOKE,
            OperationAction.START,
            payload=payload,
            chained_invoke_options=chained_invoke_options,
        )

    @classmethod
    def create_context_start(
        cls, identifier: OperationIdentifier, sub_type: OperationSubType
    ) -> Self:
        """CONTEXT / ``sub_type`` / START."""
        return cls._for(identifier, OperationType.CONTEXT, sub_type, OperationAction.START)

    @classmethod
    def create_context_succeed(
        cls,
        identifier: OperationIdentifier,
        payload: str | None,
        sub_type: OperationSubType,
        context_options: ContextOptions | None = None,
    ) -> Self:
        """CONTEXT / ``sub_type`` / SUCCEED with the serialized result."""
        return cls._for(
            identifier,
            OperationType.CONTEXT,
            sub_type,
            OperationAction.SUCCEED,
            payload=payload,
            context_options=context_options,
        )

    @classmethod
    def create_context_fail(
        cls, identifier: OperationIdentifier, error: ErrorObject, sub_type: OperationSubType
    ) -> Self:
        """CONTEXT / ``sub_type`` / FAIL."""
        return cls._for(
            identifier, OperationType.CONTEXT, sub_type, OperationAction.FAIL, error=error
        )

    @classmethod
    def create_wait_for_condition_start(cls, identifier: OperationIdentifier) -> Self:
        """STEP / WaitForCondition / START."""
        return cls._for(
            identifier,
            OperationType.STEP,
            OperationSubType.WAIT_FOR_CONDITION,
            OperationAction.START,
        )

    @classmethod
    def create_wait_for_condition_succeed(
        cls, identifier: OperationIdentifier, payload: str | None
    ) -> Self:
        """STEP / WaitForCondition / SUCCEED with the final state."""
        return cls._for(
            identifier,
            OperationType.STEP,
            OperationSubType.WAIT_FOR_CONDITION,
            OperationAction.SUCCEED,
            payload=payload,
        )

    @classmethod
    def create_wait_for_condition_retry(
        cls,
        identifier: OperationIdentifier,
        payload: str | None,
        next_attempt_delay_seconds: int,
    ) -> Self:
        """STEP / WaitForCondition / RETRY with the current state and the next delay."""
        return cls._for(
            identifier,
            OperationType.STEP,
            OperationSubType.WAIT_FOR_CONDITION,
            OperationAction.RETRY,
            payload=payload,
            step_options=StepOptions(next_attempt_delay_seconds),
        )

    @classmethod
    def create_wait_for_condition_fail(
        cls, identifier: OperationIdentifier, error: ErrorObject
    ) -> Self:
        """STEP / WaitForCondition / FAIL."""
        return cls._for(
            identifier,
            OperationType.STEP,
            OperationSubType.WAIT_FOR_CONDITION,
            OperationAction.FAIL,
            error=error,
        )

    @classmethod
    def create_execution_succeed(cls, payload: str | None) -> Self:
        """EXECUTION / SUCCEED carrying the handler result (used when it is too large).

        The id is ``execution-result-<epoch milliseconds>``.
        """
        return cls(
            operation_id=_execution_result_id(),
            operation_type=OperationType.EXECUTION,
            action=OperationAction.SUCCEED,
            payload=payload,
        )

    @classmethod
    def create_execution_fail(cls, error: ErrorObject) -> Self:
        """EXECUTION / FAIL carrying the handler error (used when it is too large).

        The id is ``execution-result-<epoch milliseconds>``.
        """
        return cls(
            operation_id=_execution_result_id(),
            operation_type=OperationType.EXECUTION,
            action=OperationAction.FAIL,
            error=error,
        )
