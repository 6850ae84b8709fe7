"""An order workflow as a durable function: validate, reserve stock, take payment, ship.

Run it locally (time is skipped, so the waits take no time)::

    uv run durable-lambda run docs/examples/order_workflow.py:handler --input '{
        "order_id": "A-1001",
        "items": [{"sku": "book", "quantity": 2, "unit_price": 12.5},
                  {"sku": "pen", "quantity": 10, "unit_price": 1.2}]}'

What it shows:

* steps (``context.step``) whose results are checkpointed, so a replay never runs them
  twice;
* ``context.map`` reserving every order line as its own durable branch;
* a child context (``@durable_with_child_context``) grouping the payment steps, with a
  durable wait for the settlement window inside it;
* a wait of a whole day before the follow-up, costing nothing while it waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from durable_lambda import (
    DurableContext,
    Duration,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)

DEFAULT_ORDER = {
    "order_id": "A-1001",
    "items": [
        {"sku": "book", "quantity": 2, "unit_price": 12.5},
        {"sku": "pen", "quantity": 10, "unit_price": 1.2},
    ],
}


@durable_step
def validate(step_context: StepContext, order: dict[str, Any]) -> dict[str, Any]:
    """Check the order and compute its total (runs once, then replays from its checkpoint)."""
    items = order.get("items") or []
    if not items:
        raise ValueError("an order needs at least one item")
    total = round(sum(line["quantity"] * line["unit_price"] for line in items), 2)
    step_context.logger.info("order %s is valid, total %s", order["order_id"], total)
    return {"order_id": order["order_id"], "items": items, "total": total}


def reserve_line(
    context: DurableContext, line: dict[str, Any], index: int, lines: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Reserve the stock of one order line (one branch of the map)."""
    return context.step(
        lambda _: {"sku": line["sku"], "reserved": line["quantity"], "warehouse": "east"},
        name=f"reserve-{line['sku']}",
    )


@durable_step
def authorize(step_context: StepContext, order_id: str, amount: float) -> dict[str, Any]:
    """Authorize the card payment."""
    return {"authorization": f"auth-{order_id}", "amount": amount}


@durable_step
def capture(step_context: StepContext, authorization: dict[str, Any]) -> dict[str, Any]:
    """Capture the authorized amount."""
    return {"captured": authorization["amount"], "reference": authorization["authorization"]}


@durable_with_child_context
def take_payment(context: DurableContext, order_id: str, amount: float) -> dict[str, Any]:
    """Authorize, wait for the settlement window, then capture."""
    authorization = context.step(authorize(order_id, amount), name="authorize")
    context.wait(Duration.from_minutes(30), name="settlement-window")
    return context.step(capture(authorization), name="capture")


@durable_execution
def handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Process one order end to end."""
    order = context.step(validate(event or DEFAULT_ORDER), name="validate")
    reservations = context.map(order["items"], reserve_line, name="reserve-stock")
    payment = context.run_in_child_context(
        take_payment(order["order_id"], order["total"]), name="payment"
    )
    context.wait(Duration.from_days(1), name="follow-up-delay")
    shipment = context.step(lambda _: {"tracking": f"TRACK-{order['order_id']}"}, name="ship")
    return {
        "order_id": order["order_id"],
        "total": order["total"],
        "reserved": [r["sku"] for r in reservations.get_results()],
        "payment": payment["reference"],
        "tracking": shipment["tracking"],
    }
