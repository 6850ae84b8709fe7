"""Handlers of the ``wait_for_condition`` area (requirements 6-1 to 6-13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from conformance.handlers import requirement
from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import Duration, JitterStrategy
from durable_lambda.serdes import SerDes, SerDesContext
from durable_lambda.types import WaitForConditionCheckContext
from durable_lambda.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

T = TypeVar("T")


def poll_while(
    keep_polling: Callable[[T], bool], delay_seconds: int = 1
) -> Callable[[T, int], WaitForConditionDecision]:
    """A strategy that polls every ``delay_seconds`` while ``keep_polling(state)``."""

    def strategy(state: T, attempt: int) -> WaitForConditionDecision:
        if keep_polling(state):
            return WaitForConditionDecision.continue_waiting(Duration.from_seconds(delay_seconds))
        return WaitForConditionDecision.stop_polling()

    return strategy


def increment(state: int, check_context: WaitForConditionCheckContext) -> int:
    return state + 1


def count_to(context: DurableContext, start: int, target: int, name: str | None = None) -> int:
    config = WaitForConditionConfig(
        wait_strategy=poll_while(lambda state: state < target), initial_state=start
    )
    return context.wait_for_condition(increment, config, name=name)


@requirement("6-1")
@durable_execution
def poll_counter(event: int, context: DurableContext) -> int:
    return count_to(context, 0, event)


@requirement("6-2")
@durable_execution
def already_satisfied(event: int, context: DurableContext) -> int:
    config = WaitForConditionConfig(
        wait_strategy=poll_while(lambda state: state < 5), initial_state=5
    )
    return context.wait_for_condition(lambda state, _: state, config)


@requirement("6-3")
@durable_execution
def named_poll(event: int, context: DurableContext) -> int:
    return count_to(context, 0, event, name="poll-status")


@requirement("6-4")
@durable_execution
def seeded_poll(event: int, context: DurableContext) -> int:
    return count_to(context, 5, event)


@requirement("6-5")
@durable_execution
def fixed_delay_poll(event: int, context: DurableContext) -> int:
    strategy = create_wait_strategy(
        WaitStrategyConfig[int](
            should_continue_polling=lambda state: state < event,
            initial_delay=Duration.from_seconds(2),
            backoff_rate=1,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    config = WaitForConditionConfig(wait_strategy=strategy, initial_state=0)
    return context.wait_for_condition(increment, config)


@requirement("6-6")
@durable_execution
def poll_exhausted(event: int, context: DurableContext) -> int:
    strategy = create_wait_strategy(
        WaitStrategyConfig[int](
            should_continue_polling=lambda state: True,
            max_attempts=3,
            initial_delay=Duration.from_seconds(1),
            backoff_rate=1,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    config = WaitForConditionConfig(wait_strategy=strategy, initial_state=event)
    return context.wait_for_condition(increment, config)


def broken_check(state: int, check_context: WaitForConditionCheckContext) -> int:
    raise RuntimeError("status service unavailable")


@requirement("6-7")
@durable_execution
def check_raises(event: Any, context: DurableContext) -> int:
    config = WaitForConditionConfig(wait_strategy=poll_while(lambda state: True), initial_state=0)
    return context.wait_for_condition(broken_check, config)


@requirement("6-8")
@durable_execution
def check_raises_caught(event: Any, context: DurableContext) -> Any:
    config = WaitForConditionConfig(wait_strategy=poll_while(lambda state: True), initial_state=0)
    try:
        return context.wait_for_condition(broken_check, config)
    except Exception:
        return "recovered"


def advance_job(state: dict[str, Any], check_context: WaitForConditionCheckContext) -> Any:
    attempts = state["attempts"] + 1
    return {"status": "DONE" if attempts >= 2 else "PENDING", "attempts": attempts}


@requirement("6-9")
@durable_execution
def object_state(event: Any, context: DurableContext) -> Any:
    config = WaitForConditionConfig(
        wait_strategy=poll_while(lambda state: state["status"] == "PENDING"),
        initial_state={"status": "PENDING", "attempts": 0},
    )
    return context.wait_for_condition(advance_job, config)


@requirement("6-10")
@durable_execution
def null_state(event: Any, context: DurableContext) -> Any:
    config: WaitForConditionConfig[Any] = WaitForConditionConfig(
        wait_strategy=poll_while(lambda state: state is not None), initial_state="start"
    )
    return context.wait_for_condition(lambda state, _: None, config)


class TaggedTextSerDes(SerDes[str]):
    """Stores the text state as ``state:<text>`` and reads it back."""

    def serialize(self, value: str, serdes_context: SerDesContext) -> str:
        return f"state:{value}"

    def deserialize(self, data: str, serdes_context: SerDesContext) -> str:
        if not data.startswith("state:"):
            raise ValueError(f"not a tagged state: {data!r}")
        return data.removeprefix("state:")


@requirement("6-11")
@durable_execution
def custom_state_serdes(event: Any, context: DurableContext) -> str:
    config = WaitForConditionConfig(
        wait_strategy=poll_while(lambda state: len(state) < 2),
        initial_state="",
        serdes=TaggedTextSerDes(),
    )
    return context.wait_for_condition(lambda state, _: state + "x", config)


@requirement("6-12")
@durable_execution
def poll_then_step(event: int, context: DurableContext) -> int:
    reached = count_to(context, 0, event)
    return context.step(lambda _: reached * 10)


@requirement("6-13")
@durable_execution
def two_polls(event: Any, context: DurableContext) -> int:
    first = count_to(context, 0, 2)
    return count_to(context, first, 4)
