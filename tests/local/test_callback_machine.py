"""Callbacks as a state machine: random answers, heartbeats and clock moves against a
model of their timeouts (service.md §5.3), through the service's callback APIs."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from durable_lambda_client import (
    CallbackOptions,
    ErrorObject,
    OperationAction,
    OperationType,
    OperationUpdate,
)
from durable_lambda_local._clock import VirtualClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import CallbackTimeoutException

from .conftest import PENDING, START, Harness, Invocation, Script, succeeded

CALLBACKS = {"a": (30, 0), "b": (0, 10), "c": (60, 20), "d": (0, 0)}
"""Callback name -> (timeout, heartbeat timeout) in seconds; 0 means none."""


class CallbackMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.service = DurableExecutionService(
            clock=VirtualClock(start=START), seed=11, max_invocation_attempts=1
        )
        self.clock: VirtualClock = self.service.clock  # type: ignore[assignment]
        self.ids: dict[str, str] = {}
        self.model: dict[str, str] = {}
        self.deadline: dict[str, float] = {}
        self.heartbeat: dict[str, float] = {}
        self.now = 0.0

    @initialize()
    def start(self) -> None:
        def create(inv: Invocation) -> Any:
            if not inv.operations.keys() & CALLBACKS.keys():
                out = inv.checkpoint(
                    *[
                        OperationUpdate(
                            name,
                            OperationType.CALLBACK,
                            OperationAction.START,
                            name=name,
                            callback_options=CallbackOptions(timeout, heartbeat),
                        )
                        for name, (timeout, heartbeat) in CALLBACKS.items()
                    ]
                )
                for op in out.new_execution_state.operations:
                    assert op.callback_details is not None
                    self.ids[op.operation_id] = op.callback_details.callback_id
            if all(inv.status(name) != "STARTED" for name in CALLBACKS):
                return succeeded()
            return PENDING

        harness = Harness(self.service)
        self.arn = harness.start(Script(create), execution_timeout=86_400)
        self.service.run_until(lambda: len(self.ids) == len(CALLBACKS))
        for name, (timeout, heartbeat) in CALLBACKS.items():
            self.model[name] = "STARTED"
            if timeout:
                self.deadline[name] = timeout
            if heartbeat:
                self.heartbeat[name] = heartbeat

    def teardown(self) -> None:
        self.service.close()

    def _expire(self) -> None:
        for name in CALLBACKS:
            if self.model[name] != "STARTED":
                continue
            ends = [t for t in (self.deadline.get(name), self.heartbeat.get(name)) if t is not None]
            if ends and min(ends) <= self.now:
                self.model[name] = "TIMED_OUT"

    @rule(seconds=st.sampled_from([1, 5, 9, 15, 31]))
    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.now += seconds
        self._expire()

    def _send(self, name: str, action: Any, closes: str | None) -> None:
        if self.model[name] == "STARTED":
            action(self.ids[name])
            if closes is None:
                if name in self.heartbeat:
                    self.heartbeat[name] = self.now + CALLBACKS[name][1]
            else:
                self.model[name] = closes
        else:
            try:
                action(self.ids[name])
            except CallbackTimeoutException:
                return
            raise AssertionError(f"a closed callback {name} accepted an answer")

    @rule(name=st.sampled_from(sorted(CALLBACKS)))
    def succeed(self, name: str) -> None:
        self._send(
            name,
            lambda cid: self.service.send_durable_execution_callback_success(cid, b'"ok"'),
            "SUCCEEDED",
        )

    @rule(name=st.sampled_from(sorted(CALLBACKS)))
    def fail(self, name: str) -> None:
        error = ErrorObject("no", "Rejected", None, None)
        self._send(
            name,
            lambda cid: self.service.send_durable_execution_callback_failure(cid, error),
            "FAILED",
        )

    @rule(name=st.sampled_from(sorted(CALLBACKS)))
    def heartbeat_sent(self, name: str) -> None:
        self._send(
            name, lambda cid: self.service.send_durable_execution_callback_heartbeat(cid), None
        )

    @invariant()
    def statuses_match(self) -> None:
        if not self.ids:
            return
        stored = {
            op.name: op.status.value
            for op in self.service.operation_records(self.arn)
            if op.name in CALLBACKS
        }
        assert stored == self.model
        events = [
            event.event_type.value
            for event in self.service.get_durable_execution_history(self.arn, max_items=1000).events
        ]
        closed = sum(status != "STARTED" for status in self.model.values())
        completions = sum(
            t in ("CallbackSucceeded", "CallbackFailed", "CallbackTimedOut") for t in events
        )
        assert completions == closed


TestCallbackMachine = CallbackMachine.TestCase
TestCallbackMachine.settings = settings(max_examples=150, stateful_step_count=15, deadline=None)
