"""Large payloads: a result over 256 KB, and a state larger than one page."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def large_result(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    size = context.step(lambda _: event["kilobytes"] * 1024, name="size")
    return {"blob": "x" * size}


@durable_execution
def paginated_replay(event: dict[str, Any], context: DurableContext) -> dict[str, int]:
    # Enough large step results that, after the wait, the replaying invocation's state
    # does not fit one page: the SDK must fetch the rest with a marker.
    chunk = event["kilobytes_per_step"] * 1024
    lengths = [
        len(context.step(lambda _: "y" * chunk, name=f"chunk-{index}"))
        for index in range(event["steps"])
    ]
    context.wait(Duration.from_seconds(1), name="let-it-replay")
    return {"steps": len(lengths), "characters": sum(lengths)}
