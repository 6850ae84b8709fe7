"""G. Map (M-01..M-16), on both backends."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from durable_lambda import (
    BatchResult,
    CallableRuntimeError,
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
)
from durable_lambda.config import CompletionConfig, Duration, ItemBatcher, MapConfig
from durable_lambda.serdes import EXTENDED_TYPES_SERDES, JsonSerDes, SerDesContext
from durable_lambda_concurrency import BatchItemStatus
from durable_lambda_context._operation_ids import branch_id, operation_id

from .conftest import ID1, ID1_B0, WAIT, flat


def square(ctx: DurableContext, item: int, index: int, items: Any) -> int:
    return item * item


def test_m01_square_numbers(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.map([1, 2, 3, 4, 5], square).get_results()

    run = scenario(handler)
    result = run.run()
    assert result.result == "[1, 4, 9, 16, 25]"
    wire = run.wire()
    assert (wire[0]["Type"], wire[0]["SubType"], wire[0]["Action"], "Name" in wire[0]) == (
        "CONTEXT",
        "Map",
        "START",
        False,
    )
    for index in range(5):
        updates = [w for w in wire if w["Id"] == branch_id(ID1, index)]
        assert [(w["SubType"], w["Action"], w["Name"], w["ParentId"]) for w in updates] == [
            ("MapIteration", "START", f"map-item-{index}", ID1),
            ("MapIteration", "SUCCEED", f"map-item-{index}", ID1),
        ]
        assert updates[1]["Payload"] == str((index + 1) ** 2)
        assert updates[1]["ContextOptions"] == {"ReplayChildren": False}
    assert (wire[-1]["SubType"], wire[-1]["Action"]) == ("Map", "SUCCEED")
    assert wire[-1]["Payload"].startswith('{"t":"br","v":{"all":')
    # Concurrent items start (and so are recorded) in any order.
    operation = result.operations[0]
    assert sorted((op.name, op.status.value) for op in operation.child_operations) == [
        (f"map-item-{i}", "SUCCEEDED") for i in range(5)
    ]


def test_m02_map_function_arguments(scenario: Any) -> None:
    def validate_email(ctx: DurableContext, item: str, index: int, items: Any) -> dict[str, Any]:
        return {"email": item, "valid": "@" in item, "position": index, "total": len(items)}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return context.map(["a@x.io", "invalid", "b@y.io"], validate_email).get_results()

    results = scenario(handler).run().value
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


def test_m03_steps_inside_map_items(scenario: Any) -> None:
    def process_user(ctx: DurableContext, user_id: str, index: int, ids: Any) -> bool:
        user = ctx.step(fetch_user_data(user_id))
        return ctx.step(send_notification(user))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[bool]:
        return context.map(["u0", "u1"], process_user).get_results()

    run = scenario(handler)
    result = run.run()
    assert result.value == [True, True]
    steps = [(w["Id"], w["Name"]) for w in run.wire() if w.get("ParentId") == ID1_B0]
    assert steps == [
        ("48550629202cb2d0e1bd4f07d826361bbd2defa71565264c01647fc2da0e9b1e", "fetch_user_data"),
        ("48550629202cb2d0e1bd4f07d826361bbd2defa71565264c01647fc2da0e9b1e", "fetch_user_data"),
        (operation_id(ID1_B0, 2), "send_notification"),
        (operation_id(ID1_B0, 2), "send_notification"),
    ]
    item = result.operations[0].get_context("map-item-0")
    assert [op.name for op in item.child_operations] == ["fetch_user_data", "send_notification"]


@pytest.mark.parametrize(("limit", "expected"), [(2, 2), (None, 6)])
def test_m04_concurrency_limit(scenario: Any, limit: int | None, expected: int) -> None:
    lock = threading.Lock()
    running = [0]
    peak = [0]
    all_in = threading.Barrier(expected, timeout=WAIT)

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

    assert scenario(handler).run().value == list(range(6))
    assert peak[0] == expected


def test_m05_custom_completion_criteria(scenario: Any) -> None:
    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if value % 7 == 0:
            raise ValueError(f"Item {value} failed")
        return value

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
        return {
            "reason": result.completion_reason.value,
            "counts": [result.success_count, result.failure_count],
            "total": result.total_count,
            "started": result.started_count,
        }

    run = scenario(handler)
    result = run.run()
    assert result.value == {
        "reason": "MIN_SUCCESSFUL_REACHED",
        "counts": [15, 3],
        "total": 18,
        "started": 0,
    }
    started = [
        w["Name"] for w in run.wire() if w["SubType"] == "MapIteration" and w["Action"] == "START"
    ]
    assert started == [f"map-item-{i}" for i in range(18)]
    assert flat(result)[0] == ("CONTEXT", "Map", None, "SUCCEEDED")


def fails_on_two(ctx: DurableContext, value: int, index: int, items: Any) -> int:
    if value == 2:
        raise ValueError("two")
    return value


def test_m06_m07_default_completion_is_fail_fast(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        result = context.map([1, 2, 3], fails_on_two, config=MapConfig(max_concurrency=1))
        return {
            "reason": result.completion_reason.value,
            "status": result.status.value,
            "results": result.get_results(),
            "statuses": [i.status.value for i in result.all],
        }

    run = scenario(handler)
    result = run.run()
    assert result.value == {
        "reason": "FAILURE_TOLERANCE_EXCEEDED",
        "status": "FAILED",
        "results": [1],
        "statuses": ["SUCCEEDED", "FAILED"],
    }
    fail = next(w for w in run.wire() if w["Action"] == "FAIL")
    assert (fail["Id"], fail["Error"]) == (
        branch_id(ID1, 1),
        {"ErrorMessage": "two", "ErrorType": "ValueError"},
    )
    assert [op.name for op in result.operations[0].child_operations] == ["map-item-0", "map-item-1"]
    assert result.operations[0].status.value == "SUCCEEDED"

    @durable_execution
    def throwing(event: Any, context: DurableContext) -> None:
        context.map([1, 2, 3], fails_on_two, config=MapConfig(max_concurrency=1)).throw_if_error()

    result = scenario(throwing).run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "two")


def test_m06_concurrent_failure_completes_the_map_and_orphans_the_rest(scenario: Any) -> None:
    release = threading.Event()
    finished = threading.Event()
    released: list[bool] = []

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if index == 1:
            raise ValueError("fast failure")
        released.append(release.wait(WAIT))
        try:
            return ctx.step(lambda _: value, name="late")
        finally:
            finished.set()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        result = context.map([0, 1], item)
        release.set()
        assert finished.wait(WAIT)
        return [i.status.value for i in result.all]

    run = scenario(handler)
    assert run.run().value == ["STARTED", "FAILED"]
    assert released == [True], "item 0 went on before the map had completed"
    assert not [u for u in run.updates if u.name == "late"]
    assert not any(u.operation_id == ID1_B0 and u.action.value == "SUCCEED" for u in run.updates)


def test_m08_tolerated_failures(scenario: Any) -> None:
    def run_with(failing: set[int]) -> Any:
        def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
            if value in failing:
                raise ValueError("bad")
            return value

        @durable_execution
        def handler(event: Any, context: DurableContext) -> list[Any]:
            result = context.map(
                list(range(5)),
                item,
                config=MapConfig(
                    max_concurrency=1,
                    completion_config=CompletionConfig(tolerated_failure_count=1),
                ),
            )
            return [
                result.completion_reason.value,
                result.status.value,
                result.failure_count,
                result.total_count,
            ]

        return scenario(handler).run().value

    assert run_with({1}) == ["ALL_COMPLETED", "FAILED", 1, 5]
    assert run_with({1, 2}) == ["FAILURE_TOLERANCE_EXCEEDED", "FAILED", 2, 3]


def test_m09_empty_input(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return context.map([], square, name="empty").get_results()

    run = scenario(handler)
    assert run.run().value == []
    assert run.wire() == [
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


def test_m10_item_serdes_and_operation_serdes(scenario: Any) -> None:
    @durable_execution
    def items_as_json(event: Any, context: DurableContext) -> list[Any]:
        return context.map(
            [1], lambda c, i, n, a: {"item": i}, config=MapConfig(item_serdes=JsonSerDes())
        ).get_results()

    run = scenario(items_as_json)
    assert run.run().value == [{"item": 1}]
    payloads = [w["Payload"] for w in run.wire() if w["Action"] == "SUCCEED"]
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

    assert scenario(both).run().value == [1]
    assert seen[0] == 1
    assert isinstance(seen[1], BatchResult)


def test_m11_completed_map_replays_from_its_record(scenario: Any) -> None:
    called: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        result = context.map([1, 2], lambda c, i, n, a: called.append(i) or i * i)
        context.wait(Duration(1))
        assert isinstance(result, BatchResult)
        return result.get_results()

    run = scenario(handler)
    assert run.run().value == [1, 4]
    assert sorted(called) == [1, 2]
    assert run.invocations[1] == []


def test_m12_an_item_suspends_while_others_finish(scenario: Any) -> None:
    called: list[int] = []

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        called.append(value)
        if index == 0:
            ctx.wait(Duration.from_seconds(1), name="w0")
        return value

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.map([1, 2], item, config=MapConfig(max_concurrency=1)).get_results()

    run = scenario(handler)
    result = run.run()
    assert result.result == "[1, 2]"
    assert run.summary(0) == [
        ("CONTEXT", "Map", "START", None),
        ("CONTEXT", "MapIteration", "START", "map-item-0"),
        ("WAIT", "Wait", "START", "w0"),
        ("CONTEXT", "MapIteration", "START", "map-item-1"),
        ("CONTEXT", "MapIteration", "SUCCEED", "map-item-1"),
    ]
    assert run.wire(0)[2]["ParentId"] == ID1_B0
    assert run.outputs[0] == {"Status": "PENDING"}
    assert run.summary(1) == [
        ("CONTEXT", "MapIteration", "SUCCEED", "map-item-0"),
        ("CONTEXT", "Map", "SUCCEED", None),
    ]
    assert called == [1, 2, 1]


def test_m13_large_aggregate_result_uses_the_summary(scenario: Any) -> None:
    calls: list[int] = []

    def item(ctx: DurableContext, value: int, index: int, items: Any) -> str:
        calls.append(index)
        return "v" * 70_000

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, int]:
        result = context.map(list(range(4)), item, config=MapConfig(max_concurrency=1))
        context.wait(Duration.from_seconds(1))
        return {"successCount": result.success_count, "totalCount": result.total_count}

    run = scenario(handler)
    result = run.run()
    assert result.value == {"successCount": 4, "totalCount": 4}
    succeed = next(w for w in run.wire(0) if w["SubType"] == "Map" and w["Action"] == "SUCCEED")
    assert succeed["ContextOptions"] == {"ReplayChildren": True}
    assert succeed["Payload"] == (
        '{"totalCount": 4, "successCount": 4, "failureCount": 0, '
        '"completionReason": "ALL_COMPLETED", "status": "SUCCEEDED", "type": "MapResult"}'
    )
    items = [w for w in run.wire(0) if w["SubType"] == "MapIteration" and w["Action"] == "SUCCEED"]
    assert [len(w["Payload"]) for w in items] == [70_002] * 4
    # The replay rebuilds the result from the items' records.
    assert run.invocations[1] == []
    assert calls == [0, 1, 2, 3]


def test_m14_item_batcher_is_ignored(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        result = context.map(
            list(range(25)),
            lambda c, item, i, a: item.items if i == 0 else item,
            config=MapConfig(
                item_batcher=ItemBatcher(max_items_per_batch=10),
                completion_config=CompletionConfig.all_completed(),
            ),
        )
        errors = result.get_errors()
        return [result.total_count, result.success_count, errors[0].type if errors else None]

    run = scenario(handler)
    assert run.run().value == [25, 24, "AttributeError"]
    iterations = {w["Id"] for w in run.wire() if w["SubType"] == "MapIteration"}
    assert len(iterations) == 25


def test_m15_m16_accessing_items_and_none_results(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        result = context.map(
            [{"product_id": n, "in_stock": n != 2} for n in (1, 2, 3, 4)],
            lambda c, v, i, a: None if v["product_id"] == 4 else v,
        )
        return {
            "in_stock": [
                item.result["product_id"]
                for item in result.all
                if item.status is BatchItemStatus.SUCCEEDED
                and item.result is not None
                and item.result["in_stock"]
            ],
            "results": len(result.get_results()),
            "succeeded": [item.index for item in result.succeeded()],
            "count": result.success_count,
            "alias": len(result.results),
            "none_results": [
                item.index
                for item in result.all
                if item.status is BatchItemStatus.SUCCEEDED and item.result is None
            ],
        }

    assert scenario(handler).run().value == {
        "in_stock": [1, 3],
        "results": 3,
        "succeeded": [0, 1, 2],
        "count": 4,
        "alias": 4,
        "none_results": [3],
    }


def test_m_throw_if_error_raises_the_first_failure_by_index(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        result = context.map(
            [1, 2, 3],
            lambda c, v, i, a: (_ for _ in ()).throw(ValueError(f"item {v}")),
            config=MapConfig(completion_config=CompletionConfig.all_completed()),
        )
        try:
            result.throw_if_error()
        except CallableRuntimeError as error:
            return [error.message, result.failure_count]
        return None

    assert scenario(handler).run().value == ["item 1", 3]
