"""Child contexts, ``map`` with a concurrency limit, and ``parallel`` branches."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import MapConfig, ParallelConfig


def _ship(child: DurableContext) -> str:
    label = child.step(lambda _: "label-42", name="print-label")
    return child.step(lambda _: f"{label} shipped", name="hand-to-carrier")


@durable_execution
def child_context(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    shipped = context.run_in_child_context(_ship, name="shipping")
    return {"shipment": shipped}


def _square(child: DurableContext, item: int, index: int, items: Any) -> int:
    return child.step(lambda _: item * item, name=f"square-{index}")


@durable_execution
def bounded_map(event: dict[str, Any], context: DurableContext) -> list[int]:
    squares = context.map(
        event["numbers"], _square, name="squares", config=MapConfig(max_concurrency=2)
    )
    return squares.get_results()


def _price(child: DurableContext) -> int:
    return child.step(lambda _: 120, name="look-up-price")


def _stock(child: DurableContext) -> int:
    return child.step(lambda _: 7, name="count-stock")


@durable_execution
def parallel_branches(event: dict[str, Any], context: DurableContext) -> list[int]:
    found = context.parallel(
        [_price, _stock], name="catalogue", config=ParallelConfig(max_concurrency=2)
    )
    return found.get_results()
