"""Handlers of the ``wait`` area (requirements 2-1 to 2-5)."""

from __future__ import annotations

from typing import Any

from conformance.handlers import requirement
from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import Duration


@requirement("2-1")
@durable_execution
def wait_basic(event: Any, context: DurableContext) -> None:
    context.wait(Duration.from_seconds(2))


@requirement("2-2")
@durable_execution
def wait_named(event: Any, context: DurableContext) -> None:
    context.wait(Duration.from_seconds(2), name="custom_wait_name")


@requirement("2-3")
@durable_execution
def two_waits(event: Any, context: DurableContext) -> dict[str, int]:
    context.wait(Duration.from_seconds(2), name="wait-1")
    context.wait(Duration.from_seconds(2), name="wait-2")
    return {"completedWaits": 2}


@requirement("2-4")
@durable_execution
def wait_minutes(event: Any, context: DurableContext) -> None:
    context.wait(Duration.from_minutes(1))


@requirement("2-5")
@durable_execution
def wait_hours(event: Any, context: DurableContext) -> None:
    context.wait(Duration.from_hours(1))
