"""C. Waits (W-01..W-10), on both backends."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from durable_lambda import DurableContext, StepContext, ValidationError, durable_execution
from durable_lambda.config import Duration
from durable_lambda.execution import InvocationStatus

from .conftest import ID1, ID2, ID3, START, flat


def test_w01_basic_wait(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(duration=Duration.from_seconds(5))
        return "Wait completed"

    run = scenario(handler)
    result = run.run()
    assert result.value == "Wait completed"
    assert run.wire(0) == [
        {
            "Id": ID1,
            "Type": "WAIT",
            "Action": "START",
            "SubType": "Wait",
            "WaitOptions": {"WaitSeconds": 5},
        }
    ]
    assert run.outputs[0] == {"Status": "PENDING"}
    assert run.invocations[1] == []
    wait = result.operations[0]
    assert (wait.status.value, wait.end_timestamp) == ("SUCCEEDED", START + timedelta(seconds=5))


def test_w02_named_wait(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.wait(duration=Duration.from_seconds(2), name="custom_wait")

    run = scenario(handler)
    run.run()
    assert run.wire(0)[0]["Name"] == "custom_wait"
    assert run.wire(0)[0]["WaitOptions"] == {"WaitSeconds": 2}


def test_w03_multiple_sequential_waits(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_seconds(1), name="wait-1")
        context.wait(Duration.from_seconds(1), name="wait-2")
        return "done"

    run = scenario(handler)
    result = run.run()
    assert result.value == "done"
    assert [run.summary(n) for n in range(3)] == [
        [("WAIT", "Wait", "START", "wait-1")],
        [("WAIT", "Wait", "START", "wait-2")],
        [],
    ]
    assert run.outputs[:2] == [{"Status": "PENDING"}] * 2
    assert flat(result) == [
        ("WAIT", "Wait", "wait-1", "SUCCEEDED"),
        ("WAIT", "Wait", "wait-2", "SUCCEEDED"),
    ]


def test_w04_too_short_wait(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.wait(duration=Duration.from_seconds(0))

    run = scenario(handler)
    result = run.run()
    assert run.outputs == [
        {
            "Status": "FAILED",
            "Error": {
                "ErrorMessage": "duration must be at least 1 second",
                "ErrorType": "ValidationError",
            },
        }
    ]
    assert result.status is InvocationStatus.FAILED
    assert run.updates == []

    @durable_execution
    def follow_up(event: Any, context: DurableContext) -> str:
        with contextlib.suppress(ValidationError):
            context.wait(Duration.from_seconds(0))
        return context.step(lambda _: "next", name="next")

    run = scenario(follow_up)
    assert run.run().value == "next"
    assert run.updates[0].operation_id == ID1


def test_w05_duration_helpers(scenario: Any) -> None:
    durations = [
        Duration.from_seconds(30),
        Duration.from_minutes(5),
        Duration.from_hours(2),
        Duration.from_days(1),
        Duration(seconds=300),
        Duration.from_minutes(0.5),
    ]

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        for duration in durations:
            context.wait(duration)

    run = scenario(handler, execution_timeout=3 * 86400)
    run.run()
    assert [u.wait_options.wait_seconds for u in run.updates if u.wait_options] == [
        30,
        300,
        7200,
        86400,
        300,
        30,
    ]


def test_w06_step_wait_step_across_invocations(scenario: Any) -> None:
    fetched: list[str] = []

    def fetch_data(item_id: str) -> Any:
        def body(_: StepContext) -> dict[str, str]:
            fetched.append(item_id)
            return {"id": item_id}

        return body

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        data = context.step(fetch_data(event["id"]), name="fetch_data")
        context.wait(Duration.from_seconds(30))
        return context.step(lambda _: {"processed": data["id"]}, name="process_data")

    run = scenario(handler)
    result = run.run({"id": "a1"})
    assert result.value == {"processed": "a1"}
    assert run.summary(0) == [
        ("STEP", "Step", "START", "fetch_data"),
        ("STEP", "Step", "SUCCEED", "fetch_data"),
        ("WAIT", "Wait", "START", None),
    ]
    assert run.wire(0)[2]["Id"] == ID2
    assert run.wire(0)[2]["WaitOptions"] == {"WaitSeconds": 30}
    assert run.summary(1) == [
        ("STEP", "Step", "START", "process_data"),
        ("STEP", "Step", "SUCCEED", "process_data"),
    ]
    assert run.wire(1)[0]["Id"] == ID3
    assert fetched == ["a1"]


def test_w07_long_wait(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.step(lambda _: "before", name="before")
        context.wait(Duration.from_seconds(3600), name="long_wait")
        return context.step(lambda _: "after", name="after")

    run = scenario(handler, execution_timeout=7200)
    result = run.run()
    assert result.value == "after"
    wait = result.get_wait("long_wait")
    assert wait.scheduled_end_timestamp is not None
    assert wait.end_timestamp is not None
    assert wait.end_timestamp - START >= timedelta(seconds=3600)
    assert [op.name for op in result.operations] == ["before", "long_wait", "after"]


def polling(target: int) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        state = 0
        attempt = 0
        max_attempts = 5
        while attempt < max_attempts:
            attempt += 1
            state = context.step(lambda _, s=state: s + 1, name=f"increment_{attempt}")
            if state >= target or attempt == max_attempts:
                break
            context.wait(Duration.from_seconds(1), name=f"wait_{attempt}")
        return {"state": state, "attempts": attempt, "reached_target": state >= target}

    return handler


def test_w08_polling_loop_with_steps_and_waits(scenario: Any) -> None:
    run = scenario(polling(3))
    result = run.run()
    assert result.value == {"state": 3, "attempts": 3, "reached_target": True}
    assert [(op.operation_type.value, op.name) for op in result.operations] == [
        ("STEP", "increment_1"),
        ("WAIT", "wait_1"),
        ("STEP", "increment_2"),
        ("WAIT", "wait_2"),
        ("STEP", "increment_3"),
    ]
    from durable_lambda_context._operation_ids import operation_id

    assert [op.operation_id for op in result.operations] == [
        operation_id(None, n) for n in range(1, 6)
    ]


def test_w09_polling_that_runs_out_of_attempts(scenario: Any) -> None:
    result = scenario(polling(10)).run({"target": 10})
    assert result.value == {"state": 5, "attempts": 5, "reached_target": False}
    kinds = [op.operation_type.value for op in result.operations]
    assert (kinds.count("STEP"), kinds.count("WAIT")) == (5, 4)


def test_w10_suspension_is_not_an_exception(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.wait(Duration.from_seconds(5))
        except Exception:
            return "swallowed"
        return "waited"

    run = scenario(handler)
    assert run.run().value == "waited"
    assert run.outputs == [{"Status": "PENDING"}, {"Status": "SUCCEEDED", "Result": '"waited"'}]
