"""WAIT and CONTEXT operations through raw checkpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from durable_lambda_client import (
    ContextOptions,
    ErrorObject,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    WaitOptions,
)
from durable_lambda_local._errors import InvalidParameterValueException
from durable_lambda_local._timers import TimerKey, TimerKind

from .conftest import (
    PENDING,
    START,
    Harness,
    Invocation,
    Script,
    step_start,
    step_succeed,
    succeeded,
    wait_start,
)


def ctx(op_id: str, action: OperationAction, **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.RUN_IN_CHILD_CONTEXT)
    return OperationUpdate(op_id, OperationType.CONTEXT, action, **kw)


def cancel_wait(op_id: str, **kw: Any) -> OperationUpdate:
    return OperationUpdate(op_id, OperationType.WAIT, OperationAction.CANCEL, **kw)


def test_a_wait_of_days_ends_the_invocation_and_resumes_in_a_new_one(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        out = inv.checkpoint(wait_start("w", 3 * 86_400, name="cool-off"))
        wait = out.new_execution_state.operations[0].wait_details
        assert wait is not None
        assert wait.scheduled_end_timestamp == START + timedelta(days=3)
        return PENDING

    def second(inv: Invocation) -> Any:
        assert inv.status("w") == "SUCCEEDED"
        assert inv.operations["w"].end_timestamp == START + timedelta(days=3)
        assert (
            inv.event.initial_execution_state.operations[0].operation_type
            is OperationType.EXECUTION
        )
        return succeeded()

    arn = harness.run(Script(first, second), execution_timeout=7 * 86_400)
    events = harness.history(arn)
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "WaitStarted",
        "InvocationCompleted",
        "WaitSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    assert events[1]["WaitStartedDetails"] == {
        "Duration": 259_200,
        "ScheduledEndTimestamp": START + timedelta(days=3),
    }
    assert events[3]["WaitSucceededDetails"] == {"Duration": 259_200}
    assert events[3]["EventTimestamp"] == START + timedelta(days=3)
    assert events[1]["Name"] == "cool-off"


def test_cancel_a_started_wait(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(wait_start("w", 60))
        inv.checkpoint(cancel_wait("w"))
        assert inv.status("w") == "CANCELLED"
        return succeeded()

    arn = harness.run(Script(first))
    assert harness.event_types(arn)[1:3] == ["WaitStarted", "WaitCancelled"]
    assert harness.history(arn)[2]["WaitCancelledDetails"] == {}
    key = TimerKey(arn.rsplit("/", 1)[-1], TimerKind.WAIT_END, "w")
    assert harness.service.scheduler.timers.due_time(key) is None


@pytest.mark.parametrize(
    ("setup", "update", "message"),
    [
        ([wait_start("w")], wait_start("w"), "Cannot start a WAIT that already exist."),
        (
            [],
            cancel_wait("w"),
            "Cannot cancel a WAIT that does not exist or has already completed.",
        ),
        (
            [wait_start("w"), cancel_wait("w")],
            cancel_wait("w"),
            "Cannot cancel a WAIT that does not exist or has already completed.",
        ),
        (
            [],
            OperationUpdate("w", OperationType.WAIT, OperationAction.START),
            "WaitOptions are required to START a WAIT.",
        ),
        (
            [],
            OperationUpdate(
                "w", OperationType.WAIT, OperationAction.START, wait_options=WaitOptions(0)
            ),
            "WaitOptions.WaitSeconds must be between 1 and 31622400; got 0.",
        ),
        (
            [],
            OperationUpdate("w", OperationType.WAIT, OperationAction.SUCCEED),
            "Invalid action for the given operation type.",
        ),
        (
            [ctx("c", OperationAction.START)],
            ctx("c", OperationAction.START),
            "Cannot start a CONTEXT that already exist.",
        ),
        (
            [ctx("c", OperationAction.SUCCEED)],
            ctx("c", OperationAction.FAIL),
            "Invalid current CONTEXT state to close.",
        ),
        (
            [ctx("c", OperationAction.FAIL)],
            ctx("c", OperationAction.START),
            "Cannot start a CONTEXT that already exist.",
        ),
        ([], ctx("c", OperationAction.RETRY), "Invalid action for the given operation type."),
        (
            [],
            ctx("c", OperationAction.SUCCEED, error=ErrorObject("x", None, None, None)),
            "Cannot provide an Error for SUCCEED action.",
        ),
        (
            [ctx("c", OperationAction.START, sub_type=OperationSubType.MAP)],
            ctx("c", OperationAction.SUCCEED, sub_type=OperationSubType.PARALLEL),
            "Inconsistent operation subtype.",
        ),
        (
            [ctx("c", OperationAction.START), ctx("d", OperationAction.START)],
            step_start("s", parent_id="c"),
            None,
        ),
        (
            [
                ctx("c", OperationAction.START),
                ctx("d", OperationAction.START),
                step_start("s", parent_id="c"),
            ],
            step_succeed("s", parent_id="d"),
            "Inconsistent parent operation id.",
        ),
    ],
)
def test_rejected_wait_and_context_updates(
    harness: Harness, setup: list[OperationUpdate], update: OperationUpdate, message: str | None
) -> None:
    seen: list[Any] = []

    def first(inv: Invocation) -> Any:
        for update_before in setup:
            inv.checkpoint(update_before)
        if message is None:
            inv.checkpoint(update)
        else:
            seen.append(inv.rejected(update))
        return succeeded()

    harness.run(Script(first))
    if message is not None:
        [error] = seen
        assert isinstance(error, InvalidParameterValueException)
        assert error.message == message


def test_context_lifecycle_and_result(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(ctx("c", OperationAction.START, name="child"))
        inv.checkpoint(step_start("s", parent_id="c"), step_succeed("s", '"x"', parent_id="c"))
        inv.checkpoint(ctx("c", OperationAction.SUCCEED, payload='"x"'))
        details = inv.operations["c"].context_details
        assert details is not None
        assert details.result == '"x"'
        assert details.replay_children is False
        inv.checkpoint(ctx("f", OperationAction.FAIL, error=ErrorObject("no", "E", None, None)))
        return succeeded()

    arn = harness.run(Script(first))
    events = harness.history(arn)
    assert [(e["EventType"], e.get("ParentId")) for e in events[1:7]] == [
        ("ContextStarted", None),
        ("StepStarted", "c"),
        ("StepSucceeded", "c"),
        ("ContextSucceeded", None),
        ("ContextFailed", None),
        ("InvocationCompleted", None),
    ]
    assert events[1]["ContextStartedDetails"] == {}
    assert events[1]["SubType"] == "RunInChildContext"
    assert events[4]["ContextSucceededDetails"] == {
        "Result": {"Payload": '"x"', "Truncated": False}
    }
    assert events[5]["ContextFailedDetails"] == {
        "Error": {"Payload": {"ErrorMessage": "no", "ErrorType": "E"}, "Truncated": False}
    }


def test_completed_context_children_are_left_out_of_state_unless_replayed(
    harness: Harness,
) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(
            ctx("small", OperationAction.START),
            step_succeed("a", parent_id="small"),
            ctx("small", OperationAction.SUCCEED, payload='"r"'),
            ctx("big", OperationAction.START),
            ctx("inner", OperationAction.START, parent_id="big"),
            step_succeed("b", parent_id="inner"),
            ctx("inner", OperationAction.SUCCEED, parent_id="big"),
            ctx(
                "big",
                OperationAction.SUCCEED,
                context_options=ContextOptions(replay_children=True),
            ),
            ctx("open", OperationAction.START),
            step_succeed("c", parent_id="open"),
            wait_start("w", 5, parent_id="open"),
        )
        return PENDING

    def second(inv: Invocation) -> Any:
        ids = [op.operation_id for op in inv.event.initial_execution_state.operations]
        assert ids[1:] == ["small", "big", "inner", "open", "c", "w"]
        state = inv.service.get_durable_execution_state(inv.arn, inv.token)
        assert [op.operation_id for op in state.operations][1:] == ids[1:]
        return succeeded()

    harness.run(Script(first, second))


def test_parent_must_be_a_context(harness: Harness) -> None:
    errors: list[Any] = []

    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_succeed("s"))
        errors.append(inv.rejected(step_start("t", parent_id="s")))
        errors.append(inv.rejected(step_start("t", parent_id="missing")))
        errors.append(inv.rejected(step_start("p"), step_start("t", parent_id="p")))
        inv.checkpoint(ctx("c", OperationAction.START), step_start("t", parent_id="c"))
        return succeeded()

    harness.run(Script(first))
    assert [error.message for error in errors] == ["Invalid parent operation id."] * 3


def test_an_operation_status_is_shown_by_its_operation(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(ctx("c", OperationAction.START))
        assert inv.operations["c"].status is OperationStatus.STARTED
        return succeeded()

    harness.run(Script(first))


def test_timers_due_at_the_same_instant_release_one_invocation(harness: Harness) -> None:
    """service.md §3.1: with a virtual clock, timers due together fire together before
    the invocation they release starts."""

    def first(inv: Invocation) -> Any:
        inv.checkpoint(wait_start("a", 60), wait_start("b", 60))
        return PENDING

    def second(inv: Invocation) -> Any:
        assert (inv.status("a"), inv.status("b")) == ("SUCCEEDED", "SUCCEEDED")
        return succeeded()

    script = Script(first, second)
    arn = harness.run(script)
    assert len(script.invocations) == 2
    assert harness.event_types(arn)[3:] == [
        "InvocationCompleted",
        "WaitSucceeded",
        "WaitSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
