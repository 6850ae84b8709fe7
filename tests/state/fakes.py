"""A scriptable in-memory service client and record builders for the state tests.

Loaded by ``conftest.py`` under the module name ``state_test_fakes`` (tests run with
``--import-mode=importlib``, so sibling modules are not importable by path).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from durable_lambda_client import (
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    ContextDetails,
    Operation,
    OperationAction,
    OperationIdentifier,
    OperationStatus,
    OperationType,
    OperationUpdate,
    StateOutput,
    StepDetails,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST/durable-execution/run/statetests01"

_STATUS_AFTER = {
    OperationAction.START: OperationStatus.STARTED,
    OperationAction.SUCCEED: OperationStatus.SUCCEEDED,
    OperationAction.FAIL: OperationStatus.FAILED,
    OperationAction.RETRY: OperationStatus.PENDING,
    OperationAction.CANCEL: OperationStatus.CANCELLED,
}


@dataclass
class Call:
    """One checkpoint call as the fake service saw it."""

    token: str
    updates: list[dict[str, Any]]
    thread: str


@dataclass
class StateCall:
    """One get_execution_state call."""

    token: str
    marker: str
    max_items: int


@dataclass
class FakeClient:
    """Answers checkpoint calls with ``t1``, ``t2``, ... and echoes each update as an operation.

    Hooks:
        fail_on: call numbers (1-based) that raise ``error``.
        revoke_on: call numbers whose response carries no token.
        gate: when set, call number ``gate_call`` blocks until ``gate`` is released;
            ``entered`` is set once that call is in flight.
        extra_ops / marker_on: call number -> operations added to the response / marker.
        pages: marker -> (operations, next marker) for get_execution_state.
    """

    error: BaseException | None = None
    fail_on: set[int] = field(default_factory=set)
    revoke_on: set[int] = field(default_factory=set)
    gate: threading.Event | None = None
    gate_call: int = 1
    entered: threading.Event = field(default_factory=threading.Event)
    extra_ops: dict[int, list[Operation]] = field(default_factory=dict)
    marker_on: dict[int, str] = field(default_factory=dict)
    pages: dict[str, tuple[list[Operation], str | None]] = field(default_factory=dict)
    state_error: BaseException | None = None
    calls: list[Call] = field(default_factory=list)
    state_calls: list[StateCall] = field(default_factory=list)
    on_call: Callable[[int], None] | None = None

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        assert durable_execution_arn == ARN
        assert client_token is None
        return self.respond(checkpoint_token, [update.to_dict() for update in updates], updates)

    def respond(
        self, checkpoint_token: str, wire: list[dict[str, Any]], updates: list[OperationUpdate]
    ) -> CheckpointOutput:
        """Record one call and answer it (shared by every entry point of the fake)."""
        number = len(self.calls) + 1
        self.calls.append(Call(checkpoint_token, wire, threading.current_thread().name))
        if self.on_call is not None:
            self.on_call(number)
        if self.gate is not None and number == self.gate_call:
            self.entered.set()
            self.gate.wait()
        if number in self.fail_on:
            assert self.error is not None
            raise self.error
        operations = [
            Operation(
                update.operation_id,
                update.operation_type,
                _STATUS_AFTER[update.action],
                parent_id=update.parent_id,
                name=update.name,
            )
            for update in updates
        ]
        operations.extend(self.extra_ops.get(number, []))
        token = "" if number in self.revoke_on else f"t{number}"
        return CheckpointOutput(
            token,
            CheckpointUpdatedExecutionState(operations, self.marker_on.get(number)),
        )

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        assert durable_execution_arn == ARN
        self.state_calls.append(StateCall(checkpoint_token, next_marker, max_items))
        if self.state_error is not None:
            raise self.state_error
        operations, marker = self.pages[next_marker]
        return StateOutput(operations, marker)

    @property
    def sent_ids(self) -> list[str]:
        """Ids of every update sent, in order."""
        return [update["Id"] for call in self.calls for update in call.updates]


def step_start(operation_id: str, parent_id: str | None = None) -> OperationUpdate:
    return OperationUpdate.create_step_start(OperationIdentifier(operation_id, parent_id))


def step_succeed(operation_id: str, payload: str = '"ok"', parent_id: str | None = None):
    return OperationUpdate.create_step_succeed(
        OperationIdentifier(operation_id, parent_id), payload
    )


def execution_op(operation_id: str = "exec-1") -> Operation:
    return Operation(operation_id, OperationType.EXECUTION, OperationStatus.STARTED)


def step_op(
    operation_id: str,
    status: OperationStatus = OperationStatus.SUCCEEDED,
    parent_id: str | None = None,
    result: str | None = '"r"',
) -> Operation:
    return Operation(
        operation_id,
        OperationType.STEP,
        status,
        parent_id=parent_id,
        step_details=StepDetails(result=result),
    )


def context_op(
    operation_id: str,
    status: OperationStatus = OperationStatus.SUCCEEDED,
    parent_id: str | None = None,
    replay_children: bool = False,
) -> Operation:
    return Operation(
        operation_id,
        OperationType.CONTEXT,
        status,
        parent_id=parent_id,
        context_details=ContextDetails(replay_children=replay_children, result='"c"'),
    )


def wait_until(predicate: Callable[[], bool], what: str) -> None:
    """Wait (bounded) for another thread to reach a state; fail instead of hanging."""
    pause = threading.Event()
    for _ in range(10_000):
        if predicate():
            return
        pause.wait(0.001)
    raise AssertionError(f"timed out waiting for {what}")


def queued_count(state: Any) -> int:
    """Updates waiting in the state's queue (not yet taken for a call)."""
    return len(state._batcher._queue)
