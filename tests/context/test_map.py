"""Map: what the scenarios (tests/durable_lambda/scenarios/test_map.py) cannot show.

Stored records the SDK would not write itself, the suspension time of waiting items,
validation, serdes failures, and results rebuilt without a summary.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    ContextDetails,
    Operation,
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
    durable_execution,
)
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_serdes import EXTENDED_TYPES_SERDES, JsonSerDes, SerDesContext

ID1 = operation_id(None, 1)


def square(ctx: DurableContext, item: int, index: int, items: Any) -> int:
    return item * item


def test_throw_if_error_raises_callable_runtime_error() -> None:
    from durable_lambda_client import ErrorObject

    result = BatchResult(
        [BatchItem(0, BatchItemStatus.FAILED, None, ErrorObject("two", "ValueError", None, None))],
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    )
    with pytest.raises(CallableRuntimeError) as raised:
        result.throw_if_error()
    assert (raised.value.message, raised.value.error_type) == ("two", "ValueError")


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
