"""Waits (scenarios W-01..W-10) and suspension with the earliest resume time."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest

from durable_lambda_client import (
    SuspendExecution,
    TimedSuspendExecution,
    ValidationError,
)
from durable_lambda_context import DurableContext, Duration, durable_execution
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_context._suspend import (
    suspend_with_optional_resume_delay,
    suspend_with_optional_resume_timestamp,
)

ID1 = operation_id(None, 1)


def test_basic_wait_suspends_then_completes(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(duration=Duration.from_seconds(5))
        return "Wait completed"

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.wire() == [
        {
            "Id": ID1,
            "Type": "WAIT",
            "Action": "START",
            "SubType": "Wait",
            "WaitOptions": {"WaitSeconds": 5},
        }
    ]
    service.advance()
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": '"Wait completed"'}
    assert len(service.updates) == 1


def test_wait_not_yet_elapsed_suspends_again_without_checkpoint(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_seconds(5), name="custom_wait")
        return "done"

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary() == [("WAIT", "Wait", "START", "custom_wait")]


def test_sequential_waits(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_seconds(1), name="wait-1")
        context.wait(Duration.from_seconds(1), name="wait-2")
        return "both"

    assert service.invoke(handler) == {"Status": "PENDING"}
    service.advance()
    assert service.invoke(handler) == {"Status": "PENDING"}
    service.advance()
    assert service.result_of(service.invoke(handler)) == "both"
    assert service.summary() == [
        ("WAIT", "Wait", "START", "wait-1"),
        ("WAIT", "Wait", "START", "wait-2"),
    ]


def test_too_short_wait_consumes_no_id(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.wait(duration=Duration.from_seconds(0))

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": "duration must be at least 1 second",
            "ErrorType": "ValidationError",
        },
    }
    assert service.updates == []

    @durable_execution
    def recovering(event: Any, context: DurableContext) -> int:
        with contextlib.suppress(ValidationError):
            context.wait(Duration(0))
        return context.step(lambda _: 1, name="after")

    fresh = type(service)()
    assert fresh.result_of(fresh.invoke(recovering)) == 1
    assert fresh.updates[0].operation_id == ID1


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        (Duration.from_seconds(30), 30),
        (Duration.from_minutes(5), 300),
        (Duration.from_hours(2), 7200),
        (Duration.from_days(1), 86400),
        (Duration(seconds=300), 300),
        (Duration.from_minutes(0.5), 30),
    ],
)
def test_duration_helpers_set_wait_seconds(service: Any, duration: Duration, seconds: int) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.wait(duration)

    service.invoke(handler)
    assert service.wire()[0]["WaitOptions"] == {"WaitSeconds": seconds}


def test_step_wait_step_runs_the_first_step_once(new_service: Any) -> None:
    service = new_service('{"id": 7}')
    fetched: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        def fetch(_: Any) -> int:
            fetched.append(event["id"])
            return event["id"] * 2

        data = context.step(fetch, name="fetch_data")
        context.wait(Duration.from_seconds(30))
        return context.step(lambda _: data + 1, name="process_data")

    assert service.run(handler) == {"Status": "SUCCEEDED", "Result": "15"}
    assert fetched == [7]
    assert [name for _, _, _, name in service.summary()] == [
        "fetch_data",
        "fetch_data",
        None,
        "process_data",
        "process_data",
    ]


def test_polling_loop_with_steps_and_waits(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        state = 0
        for attempt in range(1, 6):
            state = context.step(lambda _, s=state: s + 1, name=f"increment_{attempt}")
            if state >= 3:
                break
            context.wait(Duration.from_seconds(1), name=f"wait_{attempt}")
        return state

    assert service.run(handler) == {"Status": "SUCCEEDED", "Result": "3"}
    ids = list(service.operations)
    assert ids == [operation_id(None, n) for n in range(1, 6)]
    names = [service.operations[i].name for i in ids]
    assert names == ["increment_1", "wait_1", "increment_2", "wait_2", "increment_3"]


def test_polling_out_of_attempts(new_service: Any) -> None:
    service = new_service('{"target": 10}')

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        state = 0
        attempts = 0
        for attempt in range(1, 6):
            attempts = attempt
            state = context.step(lambda _, s=state: s + 1, name=f"increment_{attempt}")
            if state >= event["target"]:
                break
            if attempt < 5:
                context.wait(Duration.from_seconds(1), name=f"wait_{attempt}")
        return {"state": state, "attempts": attempts, "reached_target": state >= event["target"]}

    assert service.result_of(service.run(handler)) == {
        "state": 5,
        "attempts": 5,
        "reached_target": False,
    }
    kinds = [op.operation_type.value for op in service.operations.values()]
    assert kinds.count("STEP") == 5
    assert kinds.count("WAIT") == 4


def test_suspension_passes_through_except_exception(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.wait(Duration.from_seconds(5))
        except Exception:
            return "swallowed"
        return "waited"

    assert service.invoke(handler) == {"Status": "PENDING"}
    service.advance()
    assert service.result_of(service.invoke(handler)) == "waited"


def test_suspension_helpers() -> None:
    with pytest.raises(SuspendExecution) as untimed:
        suspend_with_optional_resume_delay("op")
    assert not isinstance(untimed.value, TimedSuspendExecution)
    assert "original operation: [op]" in str(untimed.value)

    before = time.time()
    with pytest.raises(TimedSuspendExecution) as timed:
        suspend_with_optional_resume_delay("op", 30)
    assert before + 30 <= timed.value.scheduled_timestamp <= time.time() + 30

    with pytest.raises(TimedSuspendExecution) as negative:
        suspend_with_optional_resume_delay("op", -5)
    assert negative.value.scheduled_timestamp <= time.time()

    from datetime import UTC, datetime, timedelta

    past = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(TimedSuspendExecution) as clamped:
        suspend_with_optional_resume_timestamp("op", past)
    assert clamped.value.scheduled_timestamp >= before
    with pytest.raises(SuspendExecution):
        suspend_with_optional_resume_timestamp("op")


def test_double_check_sees_a_wait_the_service_completed_at_once(service: Any) -> None:
    import dataclasses

    from durable_lambda_client import OperationStatus, OperationType

    def complete_waits(operation: Any) -> Any:
        if operation.operation_type is OperationType.WAIT:
            return dataclasses.replace(operation, status=OperationStatus.SUCCEEDED)
        return operation

    service.on_apply = complete_waits

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration(5))
        return "no suspension"

    assert service.result_of(service.invoke(handler)) == "no suspension"
