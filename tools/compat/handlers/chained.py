"""A durable function invoking another hosted durable function, with and without a tenant."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import InvokeConfig

TARGET_FUNCTION = "CompatQuoteService"
"""The function name the target handler is hosted under."""


@durable_execution
def quote_service(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    price = context.step(lambda _: event["quantity"] * 5, name="price")
    return {"sku": event["sku"], "price": price}


@durable_execution
def invoker(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    quote = context.invoke(TARGET_FUNCTION, {"sku": event["sku"], "quantity": 3}, name="get-quote")
    return {"quote": quote}


@durable_execution
def tenant_invoke(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    quote = context.invoke(
        TARGET_FUNCTION,
        {"sku": "ink", "quantity": 2},
        name="tenant-quote",
        config=InvokeConfig(tenant_id="acme"),
    )
    return {"quote": quote}
