"""Handlers of the ``map`` area (requirements 9-1 to 9-20)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.handlers import requirement, unsupported
from durable_lambda import BatchResult, DurableContext, durable_execution
from durable_lambda.config import CompletionConfig, Duration, MapConfig
from durable_lambda.serdes import EXTENDED_TYPES_SERDES, SerDes, SerDesContext
from durable_lambda_concurrency import BatchItem, BatchItemStatus, CompletionReason

from .parallel import SHORT_SUMMARY_KEYS, summary


def one_at_a_time(
    completion: CompletionConfig | None = None,
    item_serdes: SerDes[Any] | None = None,
    serdes: SerDes[Any] | None = None,
) -> MapConfig:
    return MapConfig(
        max_concurrency=1,
        completion_config=completion if completion is not None else CompletionConfig(),
        item_serdes=item_serdes,
        serdes=serdes,
    )


def fail_on_boom(context: DurableContext, item: str, index: int, items: Sequence[str]) -> str:
    if item == "boom":
        raise RuntimeError(f"item {index} failed")
    return item


def upper(context: DurableContext, item: str, index: int, items: Sequence[str]) -> str:
    return item.upper()


@requirement("9-1")
@durable_execution
def map_basic(event: list[str], context: DurableContext) -> Any:
    def greet(item_context: DurableContext, item: str, index: int, items: Sequence[str]) -> Any:
        return item_context.step(lambda _: f"Hello, {item}!")

    return context.map(event, greet, name="map", config=one_at_a_time()).get_results()


@requirement("9-2")
@durable_execution
def map_items_only(event: list[int], context: DurableContext) -> Any:
    def double(item_context: DurableContext, item: int, index: int, items: Sequence[int]) -> int:
        return item * 2

    return context.map(event, double, config=one_at_a_time()).get_results()


@requirement("9-3")
@durable_execution
def map_with_index(event: list[int], context: DurableContext) -> Any:
    def add_index(item_context: DurableContext, item: int, index: int, items: Sequence[int]) -> int:
        return item + index

    return context.map(event, add_index, name="indexed", config=one_at_a_time()).get_results()


@requirement("9-4")
@durable_execution
def map_empty(event: list[Any], context: DurableContext) -> Any:
    return context.map(event, upper, name="empty").get_results()


@requirement("9-5")
@durable_execution
def map_fail_fast(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=0))
    result = context.map(["ok", "boom", "never"], fail_on_boom, name="failfast", config=config)
    return summary(result)


@requirement("9-6")
@durable_execution
def map_rethrows(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=0))
    result = context.map(["boom", "never"], fail_on_boom, name="throwing", config=config)
    result.throw_if_error()
    return result.get_results()


@requirement("9-7")
@durable_execution
def map_min_successful(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(min_successful=2))
    result = context.map(["a", "b", "c", "d"], upper, name="min-successful", config=config)
    return summary(result, ("completionReason", "successCount", "totalCount"))


@requirement("9-8")
@durable_execution
def map_tolerated(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    return summary(context.map(["a", "boom", "c"], fail_on_boom, name="tolerated", config=config))


@requirement("9-9")
@durable_execution
def map_tolerance_exceeded(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    items = ["boom", "boom", "never"]
    result = context.map(items, fail_on_boom, name="tolerated-exceeded", config=config)
    return summary(result, SHORT_SUMMARY_KEYS)


@requirement("9-10")
@durable_execution
def map_percentage_exceeded(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_percentage=25))
    items = ["boom", "boom", "c", "d"]
    result = context.map(items, fail_on_boom, name="tolerated-pct", config=config)
    return summary(result, SHORT_SUMMARY_KEYS)


@requirement("9-11")
@durable_execution
def map_concurrent(event: Any, context: DurableContext) -> Any:
    config = MapConfig(max_concurrency=2)
    result = context.map(["r0", "r1", "r2"], fail_on_boom, name="concurrent", config=config)
    return result.get_results()


unsupported(
    "9-12",
    "FLAT nesting (items in virtual contexts, no MapIteration events) is a 3.x option; "
    "reference 1.1.0 always gives each item its own child context",
)
unsupported(
    "9-13",
    "an item namer in MapConfig is a 3.x option; reference 1.1.0 names iterations itself",
)


class WrappedTextSerDes(SerDes[str]):
    """Stores each item result as ``wrapped:<text>``."""

    def serialize(self, value: str, serdes_context: SerDesContext) -> str:
        return f"wrapped:{value}"

    def deserialize(self, data: str, serdes_context: SerDesContext) -> str:
        return data.removeprefix("wrapped:")


@requirement("9-14")
@durable_execution
def map_item_serdes(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(item_serdes=WrappedTextSerDes())
    return context.map(["x", "y"], upper, name="serdes", config=config).get_results()


@requirement("9-15")
@durable_execution
def map_item_waits(event: Any, context: DurableContext) -> Any:
    def work(item_context: DurableContext, item: str, index: int, items: Sequence[str]) -> Any:
        if index == 1:
            item_context.wait(Duration.from_seconds(1))
        return item_context.step(lambda _: item)

    return context.map(["r0", "r1"], work, name="suspend", config=one_at_a_time()).get_results()


@requirement("9-16")
@durable_execution
def map_large_results(event: Any, context: DurableContext) -> Any:
    def large(item_context: DurableContext, item: int, index: int, items: Sequence[int]) -> str:
        return str(item) * 70_000

    result = context.map([1, 2, 3, 4], large, name="large", config=one_at_a_time())
    return {"successCount": result.success_count, "totalCount": result.total_count}


@requirement("9-17")
@durable_execution
def map_then_wait(event: Any, context: DurableContext) -> Any:
    result = context.map(["a", "b"], upper, name="then-wait", config=one_at_a_time())
    context.wait(Duration.from_seconds(1))
    return result.get_results()


@requirement("9-18")
@durable_execution
def map_failure_then_wait(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    result = context.map(["ok", "boom"], fail_on_boom, name="fail-then-wait", config=config)
    context.wait(Duration.from_seconds(1))
    return summary(result)


class JoinedResultSerDes(SerDes[BatchResult[Any]]):
    """Stores a successful batch as ``OPSERDE:`` and its comma-joined results."""

    def serialize(self, value: BatchResult[Any], serdes_context: SerDesContext) -> str:
        return "OPSERDE:" + ",".join(value.get_results())

    def deserialize(self, data: str, serdes_context: SerDesContext) -> BatchResult[Any]:
        values = data.removeprefix("OPSERDE:").split(",")
        items = [
            BatchItem(index, BatchItemStatus.SUCCEEDED, value) for index, value in enumerate(values)
        ]
        return BatchResult(items, CompletionReason.ALL_COMPLETED)


# Reference 1.1.0 serializes the items with ``item_serdes or serdes``: for items to keep
# the default serdes while the map result gets its own, name the default explicitly.
OPERATION_SERDES_ONLY = one_at_a_time(
    serdes=JoinedResultSerDes(), item_serdes=EXTENDED_TYPES_SERDES
)


@requirement("9-19")
@durable_execution
def map_operation_serdes(event: Any, context: DurableContext) -> Any:
    config = OPERATION_SERDES_ONLY
    return context.map(["x", "y"], upper, name="op-serde", config=config).get_results()


@requirement("9-20")
@durable_execution
def map_operation_serdes_replayed(event: Any, context: DurableContext) -> Any:
    config = OPERATION_SERDES_ONLY
    result = context.map(["x", "y"], upper, name="op-serde-replay", config=config)
    context.wait(Duration.from_seconds(1))
    return result.get_results()
