"""Waits: a wait of days (the service skips the time) and a polled condition."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
)


@durable_execution
def long_wait(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    reminder = context.step(lambda _: f"remind {event['customer']}", name="prepare-reminder")
    context.wait(Duration.from_days(3), name="three-days")
    sent = context.step(lambda _: f"{reminder}: sent", name="send-reminder")
    return {"reminder": sent}


def _poll_every_second(state: dict[str, int], attempts_made: int) -> WaitForConditionDecision:
    if state["ready"] >= 3:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(1))


@durable_execution
def polled_condition(event: dict[str, Any], context: DurableContext) -> dict[str, int]:
    return context.wait_for_condition(
        lambda state, _check: {"ready": state["ready"] + 1},
        config=WaitForConditionConfig(wait_strategy=_poll_every_second, initial_state={"ready": 0}),
        name="until-ready",
    )
