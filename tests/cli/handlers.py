"""Durable handlers the command-line tests run and serve (loaded by path)."""

from __future__ import annotations

from typing import Any

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda_context import WaitForCallbackConfig


@durable_execution
def three_steps(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    total = event.get("start", 0)
    for name in ("one", "two", "three"):
        total = context.step(lambda _, value=total: value + 1, name=name)
    return {"total": total}


@durable_execution
def approval(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    answer = context.wait_for_callback(
        lambda callback_id, _: None,
        name="approval",
        config=WaitForCallbackConfig(timeout=Duration.from_days(1)),
    )
    after = context.step(lambda _: "booked", name="book")
    return {"answer": answer, "after": after}


@durable_execution
def napping(event: dict[str, Any], context: DurableContext) -> str:
    context.step(lambda _: "before", name="before")
    context.wait(Duration.from_seconds(event.get("seconds", 2)), name="nap")
    return context.step(lambda _: "after", name="after")


@durable_execution
def failing(event: dict[str, Any], context: DurableContext) -> None:
    context.step(lambda _: 1, name="fine")
    raise ValueError("the order is not valid")


@durable_execution
def chain(event: dict[str, Any], context: DurableContext) -> Any:
    return context.invoke("echo", {"forwarded": event}, name="call-echo")


def plain(event: Any, context: Any) -> Any:
    return event
