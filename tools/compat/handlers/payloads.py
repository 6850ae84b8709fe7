"""A result too large to checkpoint in one piece (more than 256 KB)."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def large_result(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    size = context.step(lambda _: event["kilobytes"] * 1024, name="size")
    return {"blob": "x" * size}
