"""Map (scenarios M-01..M-16)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    ContextDetails,
    Operation,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
    ValidationError,
)
from durable_lambda_concurrency import BatchItem, BatchItemStatus, CompletionReason
from durable_lambda_context import (
    BatchResult,
    CompletionConfig,
    DurableContext,
    Duration,
    ItemBatcher,
    MapConfig,
    StepContext,
    durable_execution,
    durable_step,
)
from durable_lambda_context._operation_ids import branch_id, operation_id
from durable_lambda_serdes import EXTENDED_TYPES_SERDES, JsonSerDes, SerDesContext

ID1 = operation_id(None, 1)


def square(ctx: DurableContext, item: int, index: int, items: Any) -> int:
    return item * item


def test_square_numbers(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.map([1, 2, 3, 4, 5], square).get_results()

    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "[1, 4, 9, 16, 25]"}
    wire = service.wire()
    assert (wire[0]["Type"], wire[0]["SubType"], wire[0]["Action"]) == ("CONTEXT", "Map", "START")
    assert "Name" not in wire[0]
    for index in range(5):
        updates = [w for w in wire if w["Id"] == branch_id(ID1, index)]
        assert [(w["SubType"], w["Action"], w["Name"], w["ParentId"]) for w in updates] == [
            ("MapIteration", "START", f"map-item-{index}", ID1),
            ("MapIteration", "SUCCEED", f"map-item-{index}", ID1),
        ]
        assert updates[1]["Payload"] == str((index + 1) ** 2)
        assert updates[1]["ContextOptions"] == {"ReplayChildren": False}
    assert wire[-1]["Action"] == "SUCCEED"
    assert wire[-1]["SubType"] == "Map"
    assert wire[-1]["Payload"].startswith('{"t":"br","v":')
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "[1, 4, 9, 16, 25]"}


def test_map_function_arguments(service: Any) -> None:
    def validate_email(ctx: DurableContext, item: str, index: int, items: Any) -> dict[str, Any]:
        return {"email": item, "valid": "@" in item, "position": index, "total": len(items)}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        emails = ["a@x.io", "invalid", "b@y.io"]
        return context.map(emails, validate_email).get_results()

    results = service.result_of(service.invoke(handler))
    assert [(r["position"], r["total"], r["valid"]) for r in results] == [
        (0, 3, True),
        (1, 3, False),
        (2, 3, True),
    ]


@durable_step
def fetch_user_data(step_context: StepContext, user_id: str) -> dict[str, str]:
    return {"id": user_id}


@durable_step
def send_notification(step_context: StepContext, user: dict[str, str]) -> bool:
    return True


def test_steps_inside_map_items(service: Any) -> None:
    def process_user(ctx: DurableContext, user_id: str, index: int, ids: Any) -> bool:
        user = ctx.step(fetch_user_data(user_id))
        return ctx.step(send_notification(user))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[bool]:
        return context.map(
            ["u0", "u1"], process_user, config=MapConfig(max_concurrency=1)
        ).get_results()

    assert service.result_of(service.invoke(handler)) == [True, True]
    branch0 = branch_id(ID1, 0)
    steps = [w for w in service.wire() if w["Type"] == "STEP" and w["ParentId"] == branch0]
    assert [(w["Id"], w["Name"]) for w in steps] == [
        ("48550629202cb2d0e1bd4f07d826361bbd2defa71565264c01647fc2da0e9b1e", "fetch_user_data"),
        ("48550629202cb2d0e1bd4f07d826361bbd2defa71565264c01647fc2da0e9b1e", "fetch_user_data"),
        (operation_id(branch0, 2), "send_notification"),
        (operation_id(branch0, 2), "send_notification"),
    ]


@pytest.mark.parametrize(("limit", "expected"), [(2, 2), (None, 6)])
def test_concurrency_limit(service: Any, limit: int | None, expected: int) -> None:
    lock = threading.Lock()
    running = [0]
    peak = [0]
    all_in = threading.Barrier(expected, timeout=5)

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        all_in.wait()
        with lock:
            running[0] -= 1
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.map(
            list(range(6)), item, config=MapConfig(max_concurrency=limit)
        ).get_results()

    assert service.result_of(service.invoke(handler)) == list(range(6))
    assert peak[0] == expected


def test_custom_completion_criteria(service: Any) -> None:
    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if value % 7 == 0:
            raise ValueError(f"Item {value} failed")
        return value

    captured: list[BatchResult[int]] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        result = context.map(
            list(range(20)),
            item,
            config=MapConfig(
                max_concurrency=1,
                completion_config=CompletionConfig(min_successful=15, tolerated_failure_count=5),
            ),
        )
        captured.append(result)
        return {"reason": result.completion_reason.value}

    assert service.result_of(service.invoke(handler)) == {"reason": "MIN_SUCCESSFUL_REACHED"}
    result = captured[0]
    assert (result.success_count, result.failure_count) == (15, 3)
    assert (result.total_count, result.started_count) == (18, 0)


def test_default_completion_is_fail_fast(service: Any) -> None:
    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if value == 2:
            raise ValueError("two")
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        result = context.map([1, 2, 3], item, config=MapConfig(max_concurrency=1))
        return {
            "reason": result.completion_reason.value,
            "status": result.status.value,
            "results": result.get_results(),
            "statuses": [i.status.value for i in result.all],
        }

    assert service.result_of(service.invoke(handler)) == {
        "reason": "FAILURE_TOLERANCE_EXCEEDED",
        "status": "FAILED",
        "results": [1],
        "statuses": ["SUCCEEDED", "FAILED"],
    }
    fail = next(w for w in service.wire() if w["Action"] == "FAIL")
    assert fail["Id"] == branch_id(ID1, 1)
    assert fail["Error"] == {"ErrorMessage": "two", "ErrorType": "ValueError"}
    assert branch_id(ID1, 2) not in service.operations

    @durable_execution
    def throwing(event: Any, context: DurableContext) -> None:
        context.map([1, 2, 3], item, config=MapConfig(max_concurrency=1)).throw_if_error()

    fresh = type(service)()
    assert fresh.invoke(throwing) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "two", "ErrorType": "CallableRuntimeError"},
    }


def test_throw_if_error_raises_callable_runtime_error() -> None:
    from durable_lambda_client import ErrorObject

    result = BatchResult(
        [BatchItem(0, BatchItemStatus.FAILED, None, ErrorObject("two", "ValueError", None, None))],
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    )
    with pytest.raises(CallableRuntimeError) as raised:
        result.throw_if_error()
    assert (raised.value.message, raised.value.error_type) == ("two", "ValueError")


def test_tolerated_failures(service: Any) -> None:
    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if value in failing:
            raise ValueError("bad")
        return value

    captured: list[Any] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        result = context.map(
            list(range(5)),
            item,
            config=MapConfig(
                max_concurrency=1, completion_config=CompletionConfig(tolerated_failure_count=1)
            ),
        )
        captured.append(result)
        return result.completion_reason.value

    failing = {1}
    assert service.result_of(service.invoke(handler)) == "ALL_COMPLETED"
    assert (captured[0].failure_count, captured[0].total_count, captured[0].status.value) == (
        1,
        5,
        "FAILED",
    )
    failing = {1, 2}
    fresh = type(service)()
    assert fresh.result_of(fresh.invoke(handler)) == "FAILURE_TOLERANCE_EXCEEDED"
    assert captured[1].total_count == 3


def test_empty_input(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return context.map([], square, name="empty").get_results()

    assert service.result_of(service.invoke(handler)) == []
    assert service.wire() == [
        {"Id": ID1, "Type": "CONTEXT", "Action": "START", "Name": "empty", "SubType": "Map"},
        {
            "Id": ID1,
            "Type": "CONTEXT",
            "Action": "SUCCEED",
            "Name": "empty",
            "SubType": "Map",
            "Payload": '{"t":"br","v":{"all":{"t":"l","v":[]},'
            '"completionReason":{"t":"s","v":"ALL_COMPLETED"}}}',
            "ContextOptions": {"ReplayChildren": False},
        },
    ]


def test_item_serdes_and_operation_serdes(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return context.map(
            [1], lambda c, i, n, a: {"item": i}, config=MapConfig(item_serdes=JsonSerDes())
        ).get_results()

    assert service.result_of(service.invoke(handler)) == [{"item": 1}]
    payloads = [w["Payload"] for w in service.wire() if w["Action"] == "SUCCEED"]
    assert payloads[0] == '{"item": 1}'
    assert payloads[1].startswith('{"t":"br"')

    seen: list[Any] = []

    class Recording(JsonSerDes[Any]):
        def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
            seen.append(value)
            if isinstance(value, BatchResult):
                return EXTENDED_TYPES_SERDES.serialize(value, serdes_context)
            return super().serialize(value, serdes_context)

    @durable_execution
    def both(event: Any, context: DurableContext) -> list[Any]:
        return context.map(
            [1], lambda c, i, n, a: i, config=MapConfig(serdes=Recording())
        ).get_results()

    fresh = type(service)()
    assert fresh.result_of(fresh.invoke(both)) == [1]
    assert seen[0] == 1
    assert isinstance(seen[1], BatchResult)


def test_completed_map_replays_from_its_record(service: Any) -> None:
    stored = BatchResult(
        [BatchItem(0, BatchItemStatus.SUCCEEDED, 1), BatchItem(1, BatchItemStatus.SUCCEEDED, 4)],
        CompletionReason.ALL_COMPLETED,
    )
    service.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.CONTEXT,
        status=OperationStatus.SUCCEEDED,
        sub_type=OperationSubType.MAP,
        context_details=ContextDetails(
            result=EXTENDED_TYPES_SERDES.serialize(stored, SerDesContext())
        ),
    )
    called: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.map([1, 2], lambda c, i, n, a: called.append(i) or i * i).get_results()

    assert service.result_of(service.invoke(handler)) == [1, 4]
    assert called == []
    assert service.updates == []


def test_an_item_suspends_while_others_finish(service: Any) -> None:
    called: list[int] = []

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        called.append(value)
        if index == 0:
            ctx.wait(Duration.from_seconds(1), name="w0")
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.map([1, 2], item, config=MapConfig(max_concurrency=1)).get_results()

    assert service.invoke(handler) == {"Status": "PENDING"}
    summary = service.summary()
    assert summary == [
        ("CONTEXT", "Map", "START", None),
        ("CONTEXT", "MapIteration", "START", "map-item-0"),
        ("WAIT", "Wait", "START", "w0"),
        ("CONTEXT", "MapIteration", "START", "map-item-1"),
        ("CONTEXT", "MapIteration", "SUCCEED", "map-item-1"),
    ]
    service.advance()
    count = len(service.updates)
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "[1, 2]"}
    assert service.summary()[count:] == [
        ("CONTEXT", "MapIteration", "SUCCEED", "map-item-0"),
        ("CONTEXT", "Map", "SUCCEED", None),
    ]
    assert called == [1, 2, 1]


def test_earliest_resume_time_of_suspended_items(service: Any) -> None:
    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        ctx.wait(Duration.from_seconds(value))
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        from durable_lambda_client import TimedSuspendExecution

        before = time.time()
        try:
            context.map([300, 60, 600], item)
        except TimedSuspendExecution as suspension:
            delay = suspension.scheduled_timestamp - before
            assert 59 <= delay <= 62, delay
            raise
        return "unexpected"

    assert service.invoke(handler) == {"Status": "PENDING"}


def test_large_aggregate_result_uses_the_summary(service: Any) -> None:
    calls: list[int] = []

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> str:
        calls.append(index)
        return "v" * 70_000

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, int]:
        result = context.map(list(range(4)), item, config=MapConfig(max_concurrency=1))
        context.wait(Duration.from_seconds(1))
        return {"successCount": result.success_count, "totalCount": result.total_count}

    assert service.invoke(handler) == {"Status": "PENDING"}
    map_succeed = next(
        w for w in service.wire() if w["SubType"] == "Map" and w["Action"] == "SUCCEED"
    )
    assert map_succeed["ContextOptions"] == {"ReplayChildren": True}
    assert map_succeed["Payload"] == (
        '{"totalCount": 4, "successCount": 4, "failureCount": 0, '
        '"completionReason": "ALL_COMPLETED", "status": "SUCCEEDED", "type": "MapResult"}'
    )
    items = [
        w for w in service.wire() if w["SubType"] == "MapIteration" and w["Action"] == "SUCCEED"
    ]
    assert all(len(w["Payload"]) == 70_002 for w in items)
    service.advance()
    assert service.result_of(service.invoke(handler)) == {"successCount": 4, "totalCount": 4}
    assert calls == [0, 1, 2, 3]


def test_item_batcher_is_ignored(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        result = context.map(
            list(range(25)),
            lambda c, item, i, a: item,
            config=MapConfig(item_batcher=ItemBatcher(max_items_per_batch=10)),
        )
        return result.total_count

    assert service.result_of(service.invoke(handler)) == 25


def test_accessing_items_and_none_results(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        result = context.map([1, 2, 3, 4], lambda c, v, i, a: None if v % 2 else v)
        return {
            "results": result.get_results(),
            "succeeded": [item.index for item in result.succeeded()],
            "count": result.success_count,
            "all": [i.result for i in result.all if i.status is BatchItemStatus.SUCCEEDED],
        }

    assert service.result_of(service.invoke(handler)) == {
        "results": [2, 4],
        "succeeded": [1, 3],
        "count": 4,
        "all": [None, 2, None, 4],
    }


def test_returning_the_batch_result_fails_the_execution(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.map([1], square)

    output = service.invoke(handler)
    assert output["Status"] == "FAILED"
    assert output["Error"]["ErrorType"] == "TypeError"


def test_invalid_settings_consume_no_id(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        errors = []
        for config in (
            MapConfig(max_concurrency=0),
            MapConfig(completion_config=CompletionConfig(min_successful=3)),
        ):
            try:
                context.map([1, 2], square, config=config)
            except ValidationError as error:
                errors.append(str(error))
        return errors

    assert service.result_of(service.invoke(handler)) == [
        "max_concurrency must be at least 1, got: 0",
        "min_successful cannot be greater than total items: 3 > 2",
    ]
    assert service.updates == []
    with pytest.raises(ValidationError, match=r"^min_successful must be at least 1, got: 0$"):
        CompletionConfig(min_successful=0)


def test_item_failure_after_early_completion_is_not_recorded(service: Any) -> None:
    release = threading.Event()
    first_started = threading.Event()
    finished = threading.Event()

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if index == 1:
            first_started.wait(5)
            raise ValueError("fast failure")
        first_started.set()
        release.wait(5)
        try:
            return ctx.step(lambda _: value, name="late")
        finally:
            finished.set()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        result = context.map([0, 1], item)
        release.set()
        return [i.status.value for i in result.all]

    assert service.result_of(service.invoke(handler)) == ["STARTED", "FAILED"]
    assert finished.wait(5)
    late = [u for u in service.updates if u.name == "late"]
    assert late == []
    assert not any(
        u.operation_id == branch_id(ID1, 0) and u.action is OperationAction.SUCCEED
        for u in service.updates
    )


def test_operation_serdes_that_cannot_encode_the_batch_result(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        try:
            context.map([1], square, name="m", config=MapConfig(serdes=JsonSerDes()))
        except CallableRuntimeError as error:
            return {"message": error.message, "type": error.error_type}
        return {}

    caught = service.result_of(service.invoke(handler))
    assert caught["type"] == "ExecutionError"
    assert caught["message"].startswith(f"Serialization failed for id: {ID1}, error: ")
    fail = service.wire()[-1]
    assert (fail["SubType"], fail["Action"], fail["Error"]["ErrorType"]) == (
        "Map",
        "FAIL",
        "ExecutionError",
    )
    # The item itself was recorded with the same serdes: plain JSON.
    assert service.wire()[-2]["Payload"] == "1"


def test_a_branch_result_too_large_to_record_is_rebuilt_without_a_summary(service: Any) -> None:
    calls: list[int] = []

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> str:
        calls.append(index)
        return ctx.step(lambda _: "s", name="small") + "x" * (300 * 1024)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        result = context.map([0], item, name="big")
        context.wait(Duration.from_seconds(1))
        return [len(r) for r in result.get_results()]

    assert service.invoke(handler) == {"Status": "PENDING"}
    branch = next(
        w for w in service.wire() if w["SubType"] == "MapIteration" and w["Action"] == "SUCCEED"
    )
    assert (branch["ContextOptions"], branch["Payload"]) == ({"ReplayChildren": True}, "")
    operation = next(
        w for w in service.wire() if w["SubType"] == "Map" and w["Action"] == "SUCCEED"
    )
    assert operation["ContextOptions"] == {"ReplayChildren": True}
    assert operation["Payload"].endswith('"type": "MapResult"}')
    service.advance()
    count = len(service.updates)
    assert service.result_of(service.invoke(handler)) == [300 * 1024 + 1]
    assert len(service.updates) == count
    assert calls == [0, 0]


def test_a_non_default_item_batcher_is_reported_once(
    service: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from durable_lambda_context import _batch

    monkeypatch.setattr(_batch, "_batcher_warning_logged", False)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        for _ in range(2):
            context.map(
                [1], square, config=MapConfig(item_batcher=ItemBatcher(max_items_per_batch=10))
            )

    service.invoke(handler)
    warnings = [r for r in caplog.records if "item_batcher is not applied" in r.getMessage()]
    assert len(warnings) == 1
