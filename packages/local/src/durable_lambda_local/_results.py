"""What a test run returns: the result object and typed views of the operations.

Names and fields follow the official testing library (``DurableFunctionTestResult``,
``StepOperation``, ``get_step``…) so tests written for it keep working; on top of that
the result carries the execution ARN, its full status, the history, and the number of
invocations, and the ``get_*`` lookups check the operation's type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from durable_lambda_client import (
    CallbackDetails,
    ChainedInvokeDetails,
    ContextDetails,
    ErrorObject,
    Event,
    EventType,
    ExecutionDetails,
    ExecutionStatus,
    InvocationStatus,
    OperationStatus,
    OperationSubType,
    OperationType,
    StepDetails,
    WaitDetails,
)
from durable_lambda_client import Operation as ServiceOperation
from durable_lambda_local._errors import DurableFunctionsTestError

__all__ = [
    "CallbackOperation",
    "ContextOperation",
    "DurableFunctionTestResult",
    "ExecutionOperation",
    "InvokeOperation",
    "Operation",
    "StepOperation",
    "WaitOperation",
    "create_operation",
    "operations_from_history",
]

OperationT = TypeVar("OperationT", bound="Operation")


@dataclass(frozen=True)
class Operation:
    """An operation of a finished (or running) execution, as a test sees it."""

    operation_id: str
    operation_type: OperationType
    status: OperationStatus
    parent_id: str | None = field(default=None, kw_only=True)
    name: str | None = field(default=None, kw_only=True)
    sub_type: str | None = field(default=None, kw_only=True)
    start_timestamp: datetime | None = field(default=None, kw_only=True)
    end_timestamp: datetime | None = field(default=None, kw_only=True)


def _lookup(
    operations: Iterable[Operation], name: str, kind: type[OperationT], what: str
) -> OperationT:
    for operation in operations:
        if operation.name == name:
            if not isinstance(operation, kind):
                raise DurableFunctionsTestError(
                    f"Operation '{name}' is a {operation.operation_type.value} operation, "
                    f"not {what}"
                )
            return operation
    raise DurableFunctionsTestError(f"Operation with name '{name}' not found")


class _Lookups:
    """``get_*`` by name over a list of operations."""

    def _children(self) -> Sequence[Operation]:
        raise NotImplementedError

    def get_operation_by_name(self, name: str) -> Operation:
        """The first operation called ``name`` (top level of this list only).

        Raises:
            DurableFunctionsTestError: no operation has that name.
        """
        return _lookup(self._children(), name, Operation, "an operation")

    def get_step(self, name: str) -> StepOperation:
        """The STEP called ``name``.

        Raises:
            DurableFunctionsTestError: missing, or not a STEP.
        """
        return _lookup(self._children(), name, StepOperation, "a STEP")

    def get_wait(self, name: str) -> WaitOperation:
        """The WAIT called ``name`` (raises ``DurableFunctionsTestError`` otherwise)."""
        return _lookup(self._children(), name, WaitOperation, "a WAIT")

    def get_context(self, name: str) -> ContextOperation:
        """The CONTEXT called ``name`` (raises ``DurableFunctionsTestError`` otherwise)."""
        found = _lookup(self._children(), name, ContextOperation, "a CONTEXT")
        if found.operation_type is not OperationType.CONTEXT:
            raise DurableFunctionsTestError(
                f"Operation '{name}' is a {found.operation_type.value} operation, not a CONTEXT"
            )
        return found

    def get_callback(self, name: str) -> CallbackOperation:
        """The CALLBACK called ``name`` (raises ``DurableFunctionsTestError`` otherwise)."""
        return _lookup(self._children(), name, CallbackOperation, "a CALLBACK")

    def get_invoke(self, name: str) -> InvokeOperation:
        """The CHAINED_INVOKE called ``name`` (raises ``DurableFunctionsTestError``
        otherwise)."""
        return _lookup(self._children(), name, InvokeOperation, "a CHAINED_INVOKE")

    def get_execution(self, name: str) -> ExecutionOperation:
        """The EXECUTION operation called ``name``."""
        return _lookup(self._children(), name, ExecutionOperation, "an EXECUTION")


@dataclass(frozen=True)
class ExecutionOperation(Operation):
    input_payload: str | None = None


@dataclass(frozen=True)
class ContextOperation(Operation, _Lookups):
    """A child context (also map, parallel, their branches, wait_for_callback)."""

    child_operations: list[Operation] = field(default_factory=list)
    result: str | None = None
    error: ErrorObject | None = None

    def _children(self) -> Sequence[Operation]:
        return self.child_operations


@dataclass(frozen=True)
class StepOperation(ContextOperation):
    attempt: int = 0
    next_attempt_timestamp: datetime | None = None


@dataclass(frozen=True)
class WaitOperation(Operation):
    scheduled_end_timestamp: datetime | None = None


@dataclass(frozen=True)
class CallbackOperation(ContextOperation):
    callback_id: str | None = None


@dataclass(frozen=True)
class InvokeOperation(Operation):
    result: str | None = None
    error: ErrorObject | None = None


def create_operation(
    operation: ServiceOperation, all_operations: Sequence[ServiceOperation] | None = None
) -> Operation:
    """The test view of a service operation; contexts get their children nested."""
    children: list[Operation] = []
    if all_operations is not None and operation.operation_type is OperationType.CONTEXT:
        children = [
            create_operation(other, all_operations)
            for other in all_operations
            if other.parent_id == operation.operation_id
        ]
    common: dict[str, Any] = {
        "parent_id": operation.parent_id,
        "name": operation.name,
        "sub_type": None if operation.sub_type is None else operation.sub_type.value,
        "start_timestamp": operation.start_timestamp,
        "end_timestamp": operation.end_timestamp,
    }
    ident = (operation.operation_id, operation.operation_type, operation.status)
    kind = operation.operation_type
    if kind is OperationType.STEP:
        step = operation.step_details or StepDetails()
        return StepOperation(
            *ident,
            **common,
            result=step.result,
            error=step.error,
            attempt=step.attempt,
            next_attempt_timestamp=step.next_attempt_timestamp,
        )
    if kind is OperationType.WAIT:
        wait = operation.wait_details or WaitDetails()
        return WaitOperation(*ident, **common, scheduled_end_timestamp=wait.scheduled_end_timestamp)
    if kind is OperationType.CALLBACK:
        callback = operation.callback_details
        return CallbackOperation(
            *ident,
            **common,
            callback_id=None if callback is None else callback.callback_id,
            result=None if callback is None else callback.result,
            error=None if callback is None else callback.error,
        )
    if kind is OperationType.CHAINED_INVOKE:
        invoke = operation.chained_invoke_details or ChainedInvokeDetails()
        return InvokeOperation(*ident, **common, result=invoke.result, error=invoke.error)
    if kind is OperationType.CONTEXT:
        context = operation.context_details or ContextDetails()
        return ContextOperation(
            *ident, **common, child_operations=children, result=context.result, error=context.error
        )
    execution = operation.execution_details or ExecutionDetails()
    return ExecutionOperation(*ident, **common, input_payload=execution.input_payload)


_INVOCATION_STATUS = {
    ExecutionStatus.SUCCEEDED: InvocationStatus.SUCCEEDED,
    ExecutionStatus.RUNNING: InvocationStatus.PENDING,
    ExecutionStatus.PAUSING: InvocationStatus.PENDING,
    ExecutionStatus.PAUSED: InvocationStatus.PENDING,
}


@dataclass(frozen=True)
class DurableFunctionTestResult(_Lookups):
    """The outcome of one execution run by a test runner.

    Attributes:
        status: SUCCEEDED, or FAILED for any other end (failed, timed out, stopped).
        operations: top-level operations in creation order (the EXECUTION operation
            left out), children nested in their contexts.
        result: the serialised result (JSON text) when the execution succeeded.
        error: the error when it did not.
        execution_status: the execution's own status (including TIMED_OUT, STOPPED).
        execution_arn: the execution's ARN.
        history: every history event, oldest first.
    """

    status: InvocationStatus
    operations: list[Operation]
    result: str | None = None
    error: ErrorObject | None = None
    execution_status: ExecutionStatus | None = None
    execution_arn: str | None = None
    history: list[Event] = field(default_factory=list)

    def _children(self) -> Sequence[Operation]:
        return self.operations

    @classmethod
    def from_operations(
        cls,
        *,
        execution_status: ExecutionStatus,
        operations: Sequence[ServiceOperation],
        result: str | None,
        error: ErrorObject | None,
        execution_arn: str | None = None,
        history: Sequence[Event] = (),
    ) -> DurableFunctionTestResult:
        """Build a result from the execution's outcome and its service operations."""
        top = [
            create_operation(operation, operations)
            for operation in operations
            if operation.parent_id is None
            and operation.operation_type is not OperationType.EXECUTION
        ]
        return cls(
            status=_INVOCATION_STATUS.get(execution_status, InvocationStatus.FAILED),
            operations=top,
            result=result,
            error=error,
            execution_status=execution_status,
            execution_arn=execution_arn,
            history=list(history),
        )

    @property
    def value(self) -> Any:
        """The result deserialised from JSON (None when there is no result)."""
        return None if self.result is None else json.loads(self.result)

    @property
    def invocation_count(self) -> int:
        """How many handler invocations the execution took."""
        return sum(
            1 for event in self.history if event.event_type is EventType.INVOCATION_COMPLETED
        )

    def get_all_operations(self) -> list[Operation]:
        """Every operation, depth first (parents before their children)."""
        found: list[Operation] = []
        stack = list(reversed(self.operations))
        while stack:
            operation = stack.pop()
            found.append(operation)
            if isinstance(operation, ContextOperation):
                stack.extend(reversed(operation.child_operations))
        return found

    def get_operation(self, operation_id: str) -> Operation:
        """The operation with this id, at any depth.

        Raises:
            DurableFunctionsTestError: no operation has that id.
        """
        for operation in self.get_all_operations():
            if operation.operation_id == operation_id:
                return operation
        raise DurableFunctionsTestError(f"Operation with id '{operation_id}' not found")


_STEP_EVENTS = {
    EventType.STEP_STARTED,
    EventType.STEP_SUCCEEDED,
    EventType.STEP_FAILED,
}
_TERMINAL_EVENTS: Mapping[EventType, OperationStatus] = {
    EventType.EXECUTION_SUCCEEDED: OperationStatus.SUCCEEDED,
    EventType.EXECUTION_FAILED: OperationStatus.FAILED,
    EventType.EXECUTION_TIMED_OUT: OperationStatus.TIMED_OUT,
    EventType.EXECUTION_STOPPED: OperationStatus.STOPPED,
    EventType.CONTEXT_SUCCEEDED: OperationStatus.SUCCEEDED,
    EventType.CONTEXT_FAILED: OperationStatus.FAILED,
    EventType.WAIT_SUCCEEDED: OperationStatus.SUCCEEDED,
    EventType.WAIT_CANCELLED: OperationStatus.CANCELLED,
    EventType.CALLBACK_SUCCEEDED: OperationStatus.SUCCEEDED,
    EventType.CALLBACK_FAILED: OperationStatus.FAILED,
    EventType.CALLBACK_TIMED_OUT: OperationStatus.TIMED_OUT,
    EventType.CHAINED_INVOKE_SUCCEEDED: OperationStatus.SUCCEEDED,
    EventType.CHAINED_INVOKE_FAILED: OperationStatus.FAILED,
    EventType.CHAINED_INVOKE_TIMED_OUT: OperationStatus.TIMED_OUT,
    EventType.CHAINED_INVOKE_STOPPED: OperationStatus.STOPPED,
}
_TYPE_OF_EVENT_PREFIX = {
    "Execution": OperationType.EXECUTION,
    "Context": OperationType.CONTEXT,
    "Wait": OperationType.WAIT,
    "Step": OperationType.STEP,
    "Callback": OperationType.CALLBACK,
    "ChainedInvoke": OperationType.CHAINED_INVOKE,
}
_SUB_TYPES = {member.value: member for member in OperationSubType}


def _operation_type(event_type: EventType) -> OperationType | None:
    for prefix, kind in _TYPE_OF_EVENT_PREFIX.items():
        if event_type.value.startswith(prefix):
            return kind
    return None


def operations_from_history(events: Iterable[Event]) -> list[ServiceOperation]:
    """Rebuild the operations of an execution from its history (for remote runs, where
    the state API is only open to the running invocation)."""
    operations: dict[str, ServiceOperation] = {}
    for event in events:
        kind = _operation_type(event.event_type)
        if kind is None or event.id is None:
            continue
        current = operations.get(event.id)
        if current is None:
            current = ServiceOperation(
                operation_id=event.id,
                operation_type=kind,
                status=OperationStatus.STARTED,
                parent_id=event.parent_id,
                name=event.name,
                start_timestamp=event.event_timestamp,
                sub_type=_SUB_TYPES.get(event.sub_type or ""),
            )
        operations[event.id] = _fold(current, event)
    return list(operations.values())


def _fold(operation: ServiceOperation, event: Event) -> ServiceOperation:
    details: Any = event.details
    status = _TERMINAL_EVENTS.get(event.event_type, operation.status)
    end = event.event_timestamp if event.event_type in _TERMINAL_EVENTS else None
    kind = operation.operation_type
    if kind is OperationType.EXECUTION:
        input_payload = (
            operation.execution_details.input_payload if operation.execution_details else None
        )
        if event.event_type is EventType.EXECUTION_STARTED:
            input_payload = details.input.payload
        return replace(
            operation,
            status=status,
            end_timestamp=end,
            execution_details=ExecutionDetails(input_payload),
        )
    result = getattr(getattr(details, "result", None), "payload", None)
    error = getattr(getattr(details, "error", None), "payload", None)
    if kind is OperationType.STEP and event.event_type in _STEP_EVENTS:
        step = operation.step_details or StepDetails()
        retry = getattr(details, "retry_details", None)
        if event.event_type is EventType.STEP_STARTED:
            return replace(operation, status=OperationStatus.STARTED, step_details=step)
        attempt = (
            retry.current_attempt if retry and retry.current_attempt is not None else step.attempt
        )
        if retry is not None and retry.next_attempt_delay_seconds is not None:
            return replace(
                operation,
                status=OperationStatus.PENDING,
                step_details=StepDetails(attempt, None, result, error),
            )
        return replace(
            operation,
            status=status,
            end_timestamp=end,
            step_details=StepDetails(attempt, None, result, error),
        )
    if kind is OperationType.WAIT:
        wait = operation.wait_details or WaitDetails()
        if event.event_type is EventType.WAIT_STARTED:
            wait = WaitDetails(details.scheduled_end_timestamp)
        return replace(operation, status=status, end_timestamp=end, wait_details=wait)
    if kind is OperationType.CALLBACK:
        callback = operation.callback_details or CallbackDetails("")
        if event.event_type is EventType.CALLBACK_STARTED:
            callback = CallbackDetails(details.callback_id)
        else:
            callback = CallbackDetails(callback.callback_id, result, error)
        return replace(operation, status=status, end_timestamp=end, callback_details=callback)
    if kind is OperationType.CONTEXT:
        return replace(
            operation,
            status=status,
            end_timestamp=end,
            context_details=ContextDetails(False, result, error),
        )
    return replace(
        operation,
        status=status,
        end_timestamp=end,
        chained_invoke_details=ChainedInvokeDetails(result, error),
    )
