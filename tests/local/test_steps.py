"""STEP operations through raw checkpoints: every allowed and rejected transition."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from durable_lambda_client import (
    ErrorObject,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
)
from durable_lambda_local._errors import InvalidParameterValueException
from durable_lambda_local._records import OperationRecord
from durable_lambda_local._state_machines import (
    TransitionContext,
    apply_update,
    make_step_ready,
)

from .conftest import (
    PENDING,
    START,
    Harness,
    Invocation,
    Script,
    step_fail,
    step_retry,
    step_start,
    step_succeed,
    succeeded,
)

BOOM = ErrorObject("boom", "ValueError", None, None)


def test_start_then_succeed_in_one_batch(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        out = inv.checkpoint(step_start("s", name="greet"), step_succeed("s", '"hi"'))
        [op] = out.new_execution_state.operations
        assert op.status is OperationStatus.SUCCEEDED
        assert op.step_details is not None
        assert op.step_details.attempt == 1
        assert op.step_details.result == '"hi"'
        assert op.name == "greet"
        assert op.end_timestamp is not None
        return succeeded('"hi"')

    arn = harness.run(Script(first))
    assert harness.event_types(arn) == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    succeeded_event = harness.history(arn)[2]
    assert succeeded_event["StepSucceededDetails"] == {
        "Result": {"Payload": '"hi"', "Truncated": False},
        "RetryDetails": {"CurrentAttempt": 1},
    }
    assert succeeded_event["Name"] == "greet"
    assert succeeded_event["SubType"] == "Step"


def test_succeed_and_fail_without_start(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_succeed("a"))
        inv.checkpoint(step_fail("b", BOOM))
        assert inv.operations["a"].status is OperationStatus.SUCCEEDED
        assert inv.operations["b"].status is OperationStatus.FAILED
        assert inv.operations["b"].step_details is not None
        assert inv.operations["b"].step_details.error == BOOM
        return succeeded()

    arn = harness.run(Script(first))
    failed = harness.history(arn)[2]
    assert failed["EventType"] == "StepFailed"
    assert failed["StepFailedDetails"] == {
        "Error": {
            "Payload": {"ErrorMessage": "boom", "ErrorType": "ValueError"},
            "Truncated": False,
        },
        "RetryDetails": {"CurrentAttempt": 1},
    }


def test_retry_makes_the_step_pending_then_ready_then_reattempted(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        out = inv.checkpoint(step_start("s"), step_retry("s", 30, error=BOOM))
        op = out.new_execution_state.operations[0]
        assert op.status is OperationStatus.PENDING
        assert op.step_details is not None
        assert op.step_details.attempt == 1
        assert op.step_details.next_attempt_timestamp is not None
        assert (op.step_details.next_attempt_timestamp - START).total_seconds() == 30
        return PENDING

    def second(inv: Invocation) -> Any:
        assert inv.status("s") == "READY"
        step = inv.operations["s"].step_details
        assert step is not None
        assert step.next_attempt_timestamp is None
        assert step.error == BOOM
        inv.checkpoint(step_start("s"), step_succeed("s", '"second"'))
        step = inv.operations["s"].step_details
        assert step is not None
        assert step.attempt == 2
        return succeeded()

    arn = harness.run(Script(first, second))
    events = harness.history(arn)
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "StepStarted",
        "StepFailed",
        "InvocationCompleted",
        "StepStarted",
        "StepSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    assert events[2]["StepFailedDetails"]["RetryDetails"] == {
        "CurrentAttempt": 1,
        "NextAttemptDelaySeconds": 30,
    }
    assert events[5]["StepSucceededDetails"]["RetryDetails"] == {"CurrentAttempt": 2}
    assert (events[4]["EventTimestamp"] - START).total_seconds() == 30


def test_retry_without_error_is_a_wait_for_condition_poll(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_start("p"), step_retry("p", 2, payload="1"))
        return PENDING

    def second(inv: Invocation) -> Any:
        step = inv.operations["p"].step_details
        assert step is not None
        assert step.result == "1"
        inv.checkpoint(step_start("p"))
        step = inv.operations["p"].step_details
        assert step is not None
        assert step.result == "1", "a READY step keeps its state when it starts again"
        inv.checkpoint(step_succeed("p", "2"))
        return succeeded("2")

    arn = harness.run(Script(first, second))
    poll = harness.history(arn)[2]
    assert poll["EventType"] == "StepSucceeded"
    assert poll["StepSucceededDetails"] == {
        "Result": {"Payload": "1", "Truncated": False},
        "RetryDetails": {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 2},
    }


REJECTIONS: list[tuple[str, list[OperationUpdate], list[OperationUpdate], str]] = [
    ("start twice", [step_start("s")], [step_start("s")], "Invalid current STEP state to start."),
    (
        "start a succeeded step",
        [step_succeed("s")],
        [step_start("s")],
        "Invalid current STEP state to start.",
    ),
    (
        "start a pending step",
        [step_start("s"), step_retry("s", 60)],
        [step_start("s")],
        "Invalid current STEP state to start.",
    ),
    (
        "succeed a pending step",
        [step_start("s"), step_retry("s", 60)],
        [step_succeed("s")],
        "Invalid current STEP state to close.",
    ),
    (
        "succeed twice",
        [step_succeed("s")],
        [step_succeed("s")],
        "Invalid current STEP state to close.",
    ),
    (
        "fail a failed step",
        [step_fail("s")],
        [step_fail("s")],
        "Invalid current STEP state to close.",
    ),
    (
        "retry a pending step",
        [step_start("s"), step_retry("s", 60)],
        [step_retry("s", 1)],
        "Invalid current STEP state to re-attempt.",
    ),
    (
        "retry a succeeded step",
        [step_succeed("s")],
        [step_retry("s", 1)],
        "Invalid current STEP state to re-attempt.",
    ),
    (
        "fail with a payload",
        [],
        [step_fail("s", payload='"x"')],
        "Cannot provide a Payload for FAIL action.",
    ),
    (
        "succeed with an error",
        [],
        [step_succeed("s", error=BOOM)],
        "Cannot provide an Error for SUCCEED action.",
    ),
    (
        "retry without options",
        [],
        [OperationUpdate("s", OperationType.STEP, OperationAction.RETRY)],
        "Invalid StepOptions for the given action.",
    ),
    (
        "retry with error and payload",
        [],
        [step_retry("s", 1, error=BOOM, payload="1")],
        "Cannot provide both error and payload to RETRY a STEP.",
    ),
    (
        "cancel a step",
        [],
        [OperationUpdate("s", OperationType.STEP, OperationAction.CANCEL)],
        "Invalid action for the given operation type.",
    ),
    (
        "change the name",
        [step_start("s", name="a")],
        [step_succeed("s", name="b")],
        "Inconsistent operation name.",
    ),
    (
        "change the type",
        [step_start("s")],
        [OperationUpdate("s", OperationType.CONTEXT, OperationAction.SUCCEED)],
        "Inconsistent operation type.",
    ),
]


@pytest.mark.parametrize(
    ("setup", "update", "message"),
    [(setup, update, message) for _, setup, update, message in REJECTIONS],
    ids=[case[0] for case in REJECTIONS],
)
def test_rejected_transitions(
    harness: Harness, setup: list[OperationUpdate], update: list[OperationUpdate], message: str
) -> None:
    seen: list[BaseException] = []

    def first(inv: Invocation) -> Any:
        if setup:
            inv.checkpoint(*setup)
        before = dict(inv.operations)
        error = inv.rejected(*update)
        seen.append(error)
        out = inv.checkpoint()
        assert out.new_execution_state.operations == [], "nothing of the batch applied"
        assert inv.operations == before
        return succeeded()

    harness.run(Script(first))
    [error] = seen
    assert isinstance(error, InvalidParameterValueException)
    assert error.message == message
    assert error.http_status == 400


def _context(now_ms: int, position: int = 1) -> TransitionContext:
    return TransitionContext(
        execution_id="e",
        now_ms=now_ms,
        position=position,
        new_callback_id=lambda op: f"cb-{op}",
        resolve_target=lambda name, tenant: ErrorObject("unused", None, None, None),
    )


class StepMachine(RuleBasedStateMachine):
    """Random updates and timer firings on one STEP, checked against the transition
    table of service.md §5.1 (the pure state machine, no service around it)."""

    def __init__(self) -> None:
        super().__init__()
        self.record: OperationRecord | None = None
        self.model: str | None = None
        self.attempt = 0
        self.now = 1_000

    def _apply(self, update: OperationUpdate, allowed: dict[str | None, str]) -> None:
        self.now += 10
        if self.model in allowed:
            moved = apply_update(update, self.record, _context(self.now))
            self.record = moved.operation
            if update.action is not OperationAction.START:
                self.attempt += 1
            self.model = allowed[self.model]
            assert [event.event_type.value for event in moved.events] == [
                EXPECTED_EVENT[(update.action, update.error is not None)]
            ]
        else:
            with pytest.raises(InvalidParameterValueException):
                apply_update(update, self.record, _context(self.now))

    @rule()
    def start(self) -> None:
        self._apply(step_start("s"), {None: "STARTED", "READY": "STARTED"})

    @rule(payload=st.sampled_from([None, '"v"']))
    def succeed(self, payload: str | None) -> None:
        allowed = {None: "SUCCEEDED", "STARTED": "SUCCEEDED", "READY": "SUCCEEDED"}
        self._apply(step_succeed("s", payload), allowed)

    @rule()
    def fail(self) -> None:
        self._apply(step_fail("s", BOOM), {None: "FAILED", "STARTED": "FAILED", "READY": "FAILED"})

    @rule(delay=st.integers(min_value=0, max_value=5), with_error=st.booleans())
    def retry(self, delay: int, with_error: bool) -> None:
        allowed = {None: "PENDING", "STARTED": "PENDING", "READY": "PENDING"}
        if with_error:
            update = step_retry("s", delay, error=BOOM)
        else:
            update = step_retry("s", delay, payload='{"n": 1}')
        self._apply(update, allowed)

    @rule()
    def retry_timer_fires(self) -> None:
        if self.record is None:
            return
        moved = make_step_ready(self.record)
        if self.model == "PENDING":
            assert moved is not None
            assert moved.events == ()
            self.record = moved.operation
            self.model = "READY"
        else:
            assert moved is None

    @invariant()
    def matches_model(self) -> None:
        if self.record is None:
            assert self.model is None
            return
        assert self.record.status.value == self.model
        assert self.record.attempt == self.attempt
        assert (self.record.next_attempt_ms is not None) == (self.model == "PENDING")
        assert (self.record.end_ms is not None) == (self.model in ("SUCCEEDED", "FAILED"))


EXPECTED_EVENT = {
    (OperationAction.START, False): "StepStarted",
    (OperationAction.SUCCEED, False): "StepSucceeded",
    (OperationAction.FAIL, True): "StepFailed",
    (OperationAction.RETRY, True): "StepFailed",
    (OperationAction.RETRY, False): "StepSucceeded",
}

TestStepMachine = StepMachine.TestCase
TestStepMachine.settings = settings(max_examples=60, stateful_step_count=15, deadline=None)
