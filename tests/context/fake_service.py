"""An in-memory durable-execution service: the test double of the context tests.

``FakeService`` plays the service's side of the protocol closely enough for the
SDK: it applies checkpointed updates to its operations (the state machine of
service.md §5), hands out callback ids, answers with the changed operations,
and lets a test complete waits, retries, callbacks and chained invokes between
invocations. Every checkpoint call is recorded so tests can assert the exact
updates the SDK sent, and hooks let a test inject what a real service would
rarely do (failed checkpoint calls, operations completed at once).

``tests/context`` uses it through the ``service`` fixtures; the acceptance scenarios
in ``tests/durable_lambda/scenarios`` drive it as one of their two backends.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from durable_lambda_client import (
    CallbackDetails,
    ChainedInvokeDetails,
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    ContextDetails,
    DurableExecutionInvocationInputWithClient,
    ErrorObject,
    ExecutionDetails,
    InitialExecutionState,
    Operation,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
    StateOutput,
    StepDetails,
    WaitDetails,
)

EXECUTION_ID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/run/"
    + EXECUTION_ID
)

Handler = Callable[[Any, Any], dict[str, Any]]


CALLBACK_TIMED_OUT = ErrorObject("Callback timed out", "Callback.Timeout", None, None)


class FakeService:
    """The service side of one durable execution, in memory.

    Args:
        input_payload: the execution's ``InputPayload`` (JSON text) or ``None``.
        start: where a virtual clock starts, which only ``advance`` moves; ``None``
            stamps operations with the wall clock.
    """

    def __init__(self, input_payload: str | None = "{}", start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._time = start
        self.operations: dict[str, Operation] = {}
        self.calls: list[list[OperationUpdate]] = []
        self.invocations = 0
        self.invoke_requests: dict[str, tuple[str, str | None]] = {}
        """``(function name, payload)`` of every chained invoke started, by operation id."""
        self._callback_timeouts: dict[str, int] = {}
        self._token = 0
        self._callbacks = 0
        self.checkpoint_error: Callable[[list[OperationUpdate]], BaseException | None] | None = None
        self.on_invoke_start: Callable[[Operation], Operation] | None = None
        self.on_apply: Callable[[Operation], Operation] | None = None
        self.execution = Operation(
            operation_id=EXECUTION_ID,
            operation_type=OperationType.EXECUTION,
            status=OperationStatus.STARTED,
            start_timestamp=self.now(),
            execution_details=ExecutionDetails(input_payload=input_payload),
        )

    def now(self) -> datetime:
        return datetime.now(UTC) if self._time is None else self._time

    # -- DurableServiceClient ---------------------------------------------

    def checkpoint(
        self,
        *,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        assert durable_execution_arn == ARN
        assert checkpoint_token, "the SDK must never send an empty token"
        # The service sees the wire form: apply what survives to_dict/from_dict.
        updates = [OperationUpdate.from_dict(update.to_dict()) for update in updates]
        with self._lock:
            self.calls.append(list(updates))
            if self.checkpoint_error is not None:
                error = self.checkpoint_error(list(updates))
                if error is not None:
                    raise error
            changed = [self._apply(update) for update in updates]
            self._token += 1
            token = f"token-{self._token}"
        return CheckpointOutput(token, CheckpointUpdatedExecutionState(changed))

    def get_execution_state(
        self,
        *,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        with self._lock:
            return StateOutput(list(self.operations.values()))

    # -- the state machine -------------------------------------------------

    def _apply(self, update: OperationUpdate) -> Operation:
        if update.operation_type is OperationType.EXECUTION:
            return self.execution
        current = self.operations.get(update.operation_id)
        base = current or Operation(
            operation_id=update.operation_id,
            operation_type=update.operation_type,
            status=OperationStatus.STARTED,
            parent_id=update.parent_id,
            name=update.name,
            sub_type=update.sub_type,
            start_timestamp=self.now(),
        )
        kind = update.operation_type
        action = update.action
        if kind is OperationType.STEP:
            details = base.step_details or StepDetails()
            if action is OperationAction.START:
                new = dataclasses.replace(
                    base, status=OperationStatus.STARTED, step_details=details
                )
            elif action is OperationAction.SUCCEED:
                new = dataclasses.replace(
                    base,
                    status=OperationStatus.SUCCEEDED,
                    end_timestamp=self.now(),
                    step_details=StepDetails(attempt=details.attempt + 1, result=update.payload),
                )
            elif action is OperationAction.FAIL:
                new = dataclasses.replace(
                    base,
                    status=OperationStatus.FAILED,
                    end_timestamp=self.now(),
                    step_details=StepDetails(attempt=details.attempt + 1, error=update.error),
                )
            else:
                assert action is OperationAction.RETRY
                assert update.step_options is not None
                delay = update.step_options.next_attempt_delay_seconds
                new = dataclasses.replace(
                    base,
                    status=OperationStatus.PENDING,
                    step_details=StepDetails(
                        attempt=details.attempt + 1,
                        next_attempt_timestamp=self.now() + timedelta(seconds=delay),
                        result=update.payload,
                        error=update.error,
                    ),
                )
        elif kind is OperationType.WAIT:
            assert update.wait_options is not None
            end = self.now() + timedelta(seconds=update.wait_options.wait_seconds)
            new = dataclasses.replace(base, wait_details=WaitDetails(scheduled_end_timestamp=end))
        elif kind is OperationType.CALLBACK:
            self._callbacks += 1
            new = dataclasses.replace(
                base, callback_details=CallbackDetails(callback_id=f"callback-{self._callbacks}")
            )
            options = update.callback_options
            if options is not None:
                timeouts = [options.timeout_seconds, options.heartbeat_timeout_seconds]
                if any(timeouts):
                    self._callback_timeouts[update.operation_id] = min(t for t in timeouts if t)
        elif kind is OperationType.CHAINED_INVOKE:
            assert update.chained_invoke_options is not None
            self.invoke_requests[update.operation_id] = (
                update.chained_invoke_options.function_name,
                update.payload,
            )
            new = dataclasses.replace(base, chained_invoke_details=ChainedInvokeDetails())
            if self.on_invoke_start is not None:
                new = self.on_invoke_start(new)
        else:
            assert kind is OperationType.CONTEXT
            if action is OperationAction.START:
                new = base
            elif action is OperationAction.SUCCEED:
                options = update.context_options
                new = dataclasses.replace(
                    base,
                    status=OperationStatus.SUCCEEDED,
                    end_timestamp=self.now(),
                    context_details=ContextDetails(
                        replay_children=bool(options and options.replay_children),
                        result=update.payload,
                    ),
                )
            else:
                new = dataclasses.replace(
                    base,
                    status=OperationStatus.FAILED,
                    end_timestamp=self.now(),
                    context_details=ContextDetails(error=update.error),
                )
        if self.on_apply is not None:
            new = self.on_apply(new)
        self.operations[update.operation_id] = new
        return new

    # -- driving the execution ----------------------------------------------

    def event(self) -> DurableExecutionInvocationInputWithClient:
        """The invocation input of the next invocation: EXECUTION first, then the rest."""
        with self._lock:
            self._token += 1
            operations = [self.execution, *self.operations.values()]
            token = f"token-{self._token}"
        return DurableExecutionInvocationInputWithClient(
            ARN, token, InitialExecutionState(operations, ""), self
        )

    def invoke(self, handler: Handler) -> dict[str, Any]:
        self.invocations += 1
        return handler(self.event(), None)

    def _due(self) -> dict[str, datetime]:
        """When each operation that only time moves on is due, by operation id."""
        due: dict[str, datetime] = {}
        for op_id, operation in self.operations.items():
            if operation.status is OperationStatus.PENDING:
                details = operation.step_details or StepDetails()
                due[op_id] = details.next_attempt_timestamp or self.now()
            elif operation.status is not OperationStatus.STARTED:
                continue
            elif operation.operation_type is OperationType.WAIT:
                wait = operation.wait_details or WaitDetails()
                due[op_id] = wait.scheduled_end_timestamp or self.now()
            elif op_id in self._callback_timeouts:
                started = operation.start_timestamp or self.now()
                due[op_id] = started + timedelta(seconds=self._callback_timeouts[op_id])
        return due

    def advance(self) -> None:
        """Let time pass: every wait ends, every scheduled retry becomes due, every
        callback with a timeout times out (a virtual clock moves to the last of them)."""
        with self._lock:
            due = self._due()
            if self._time is not None and due:
                self._time = max(self._time, *due.values())
            for op_id in due:
                operation = self.operations[op_id]
                if operation.operation_type is OperationType.WAIT:
                    self.operations[op_id] = dataclasses.replace(
                        operation, status=OperationStatus.SUCCEEDED, end_timestamp=self.now()
                    )
                elif operation.operation_type is OperationType.CALLBACK:
                    assert operation.callback_details is not None
                    self.operations[op_id] = dataclasses.replace(
                        operation,
                        status=OperationStatus.TIMED_OUT,
                        end_timestamp=self.now(),
                        callback_details=dataclasses.replace(
                            operation.callback_details, error=CALLBACK_TIMED_OUT
                        ),
                    )
                else:
                    details = operation.step_details or StepDetails()
                    self.operations[op_id] = dataclasses.replace(
                        operation,
                        status=OperationStatus.READY,
                        step_details=dataclasses.replace(details, next_attempt_timestamp=None),
                    )

    def run(self, handler: Handler, max_invocations: int = 20) -> dict[str, Any]:
        """Invoke until the handler returns SUCCEEDED or FAILED, advancing time in between."""
        for _ in range(max_invocations):
            output = self.invoke(handler)
            if output["Status"] != "PENDING":
                return output
            self.advance()
        raise AssertionError(f"still PENDING after {max_invocations} invocations")

    # -- external events -----------------------------------------------------

    def update_operation(self, operation: Operation, **changes: Any) -> None:
        """Replace ``operation`` with a copy that has ``changes``, as the service would."""
        with self._lock:
            self.operations[operation.operation_id] = dataclasses.replace(operation, **changes)

    def complete_callback(self, name: str | None, result: str | None) -> None:
        operation = self.op(name, OperationType.CALLBACK)
        assert operation.callback_details is not None
        details = dataclasses.replace(operation.callback_details, result=result)
        self.update_operation(operation, status=OperationStatus.SUCCEEDED, callback_details=details)

    def fail_callback(
        self,
        name: str | None,
        error: ErrorObject | None,
        status: OperationStatus = OperationStatus.FAILED,
    ) -> None:
        operation = self.op(name, OperationType.CALLBACK)
        assert operation.callback_details is not None
        details = dataclasses.replace(operation.callback_details, error=error)
        self.update_operation(operation, status=status, callback_details=details)

    def finish_invoke(
        self,
        name: str | None,
        result: str | None = None,
        error: ErrorObject | None = None,
        status: OperationStatus = OperationStatus.SUCCEEDED,
    ) -> None:
        operation = self.op(name, OperationType.CHAINED_INVOKE)
        details = ChainedInvokeDetails(result=result, error=error)
        self.update_operation(operation, status=status, chained_invoke_details=details)

    def complete_open(self, result: str | None = None) -> None:
        """Complete every open callback and chained invoke with ``result``."""
        for operation in list(self.operations.values()):
            if operation.status is not OperationStatus.STARTED:
                continue
            if operation.operation_type is OperationType.CALLBACK:
                assert operation.callback_details is not None
                details = dataclasses.replace(operation.callback_details, result=result)
                self.update_operation(
                    operation, status=OperationStatus.SUCCEEDED, callback_details=details
                )
            elif operation.operation_type is OperationType.CHAINED_INVOKE:
                self.update_operation(
                    operation,
                    status=OperationStatus.SUCCEEDED,
                    chained_invoke_details=ChainedInvokeDetails(result=result),
                )

    # -- reading ---------------------------------------------------------------

    def op(self, name: str | None, operation_type: OperationType | None = None) -> Operation:
        found = [
            operation
            for operation in self.operations.values()
            if operation.name == name
            and (operation_type is None or operation.operation_type is operation_type)
        ]
        assert len(found) == 1, f"expected one operation named {name!r}, found {found}"
        return found[0]

    @property
    def updates(self) -> list[OperationUpdate]:
        return [update for call in self.calls for update in call]

    def summary(self) -> list[tuple[str, str | None, str, str | None]]:
        """``(Type, SubType, Action, Name)`` of every update, in order."""
        return [
            (
                update.operation_type.value,
                update.sub_type.value if update.sub_type is not None else None,
                update.action.value,
                update.name,
            )
            for update in self.updates
        ]

    def wire(self) -> list[dict[str, Any]]:
        """Every update as its wire dict."""
        return [update.to_dict() for update in self.updates]

    @staticmethod
    def result_of(output: dict[str, Any]) -> Any:
        """The decoded ``Result`` of a SUCCEEDED envelope."""
        assert output["Status"] == "SUCCEEDED", output
        return json.loads(output["Result"])
