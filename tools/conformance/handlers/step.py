"""Handlers of the ``step`` area (requirements 1-1 to 1-20)."""

from __future__ import annotations

import json
from typing import Any

from conformance.handlers import requirement
from conformance.handlers._attempts import next_attempt
from durable_lambda import DurableContext, StepContext, durable_execution, durable_step
from durable_lambda.config import Duration, JitterStrategy, StepConfig, StepSemantics
from durable_lambda.retries import (
    RetryDecision,
    RetryPresets,
    RetryStrategyConfig,
    create_retry_strategy,
)
from durable_lambda.serdes import SerDes, SerDesContext

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


def every_second(max_attempts: int) -> StepConfig:
    """Retries ``max_attempts - 1`` times, one second apart."""
    return StepConfig(
        retry_strategy=create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=max_attempts,
                initial_delay=Duration.from_seconds(1),
                backoff_rate=1,
                jitter_strategy=JitterStrategy.NONE,
            )
        )
    )


class TransientError(Exception):
    """The error the retry strategies of 1-15 and 1-16 single out."""


@durable_step
def greet(step_context: StepContext, name: str) -> str:
    return f"Hello, {name}!"


@requirement("1-1")
@durable_execution
def step_basic(event: str, context: DurableContext) -> str:
    return context.step(greet(event))


@requirement("1-2")
@durable_execution
def step_named(event: str, context: DurableContext) -> str:
    return context.step(lambda _: f"Hello, {event}!", name="custom_step_name")


@durable_step
def step_one(step_context: StepContext) -> str:
    return "first"


@durable_step
def step_two(step_context: StepContext, previous: str) -> str:
    return f"{previous}_second"


@requirement("1-3")
@durable_execution
def sequential_steps(event: Any, context: DurableContext) -> str:
    first = context.step(step_one())
    return context.step(step_two(first))


@durable_step
def build_response(step_context: StepContext, event: dict[str, Any]) -> dict[str, Any]:
    return {"user": {"name": event["name"], "tags": event["tags"]}, "count": len(event["tags"])}


@requirement("1-4")
@durable_execution
def complex_result(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    return context.step(build_response(event))


@durable_step
def do_nothing(step_context: StepContext) -> None:
    return None


@requirement("1-5")
@durable_execution
def null_result(event: Any, context: DurableContext) -> None:
    return context.step(do_nothing())


class UppercaseSerDes(SerDes[Any]):
    """JSON that upper-cases strings on the way in."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps(value.upper() if isinstance(value, str) else value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)


@requirement(
    "1-6",
    difference=(
        "a step returns its function's own value on the first run; the round trip "
        "through the step's serdes happens only on replay (reference 1.1.0; the 3.x SDK "
        "returns the deserialized value at once)"
    ),
)
@durable_execution
def step_custom_serdes(event: str, context: DurableContext) -> str:
    return context.step(lambda _: event, config=StepConfig(serdes=UppercaseSerDes()))


@durable_step
def greet_with_logs(step_context: StepContext, name: str) -> str:
    step_context.logger.info(f"Greeting step started for: {name}")
    greeting = f"Hello, {name}!"
    step_context.logger.info(f"Greeting step completed with: {greeting}")
    return greeting


@requirement("1-7")
@durable_execution
def step_logger(event: str, context: DurableContext) -> str:
    return context.step(greet_with_logs(event))


@requirement("1-8")
@durable_execution
def step_then_wait(event: Any, context: DurableContext) -> str:
    value = context.step(lambda _: "computed")
    context.wait(Duration.from_seconds(2))
    return value


@requirement("1-9")
@durable_execution
def replay_skips_step(event: Any, context: DurableContext) -> str:
    def cached(step_context: StepContext) -> str:
        step_context.logger.info("step executed")
        return "cached_value"

    value = context.step(cached)
    context.wait(Duration.from_seconds(1))
    return value


@requirement("1-10")
@durable_execution
def replay_rethrows(event: Any, context: DurableContext) -> None:
    def broken(step_context: StepContext) -> None:
        step_context.logger.info("step executed")
        raise RuntimeError("permanent failure")

    try:
        context.step(broken, config=NO_RETRY)
    except Exception:  # the cached failure is raised again on replay
        context.logger.info("step failure caught")
    context.wait(Duration.from_seconds(1))


@requirement("1-11")
@durable_execution
def retry_then_succeed(event: Any, context: DurableContext) -> str:
    def unreliable(_: StepContext) -> str:
        if next_attempt(context, "unreliable") == 1:
            raise RuntimeError("first attempt fails")
        return "Operation succeeded"

    return context.step(unreliable, config=every_second(3))


@requirement("1-12")
@durable_execution
def retries_exhausted(event: Any, context: DurableContext) -> str:
    def always_fail(_: StepContext) -> str:
        raise RuntimeError("always fails")

    return context.step(always_fail, config=every_second(4))


@requirement("1-13")
@durable_execution
def default_retry(event: Any, context: DurableContext) -> str:
    def unreliable(_: StepContext) -> str:
        if next_attempt(context, "unreliable") <= 2:
            raise RuntimeError("fails twice")
        return "third time lucky"

    return context.step(unreliable)


@requirement("1-14")
@durable_execution
def custom_backoff(event: Any, context: DurableContext) -> str:
    def unreliable(_: StepContext) -> str:
        if next_attempt(context, "unreliable") <= 2:
            raise RuntimeError("fails twice")
        return "third time lucky"

    strategy = create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=5,
            initial_delay=Duration.from_seconds(2),
            backoff_rate=3,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    return context.step(unreliable, config=StepConfig(retry_strategy=strategy))


def retry_on_transient(error: Exception, attempt: int) -> RetryDecision:
    if isinstance(error, TransientError) and attempt < 3:
        return RetryDecision.retry(Duration.from_seconds(1))
    return RetryDecision.no_retry()


def no_retry_on_transient(error: Exception, attempt: int) -> RetryDecision:
    if isinstance(error, TransientError):
        return RetryDecision.no_retry()
    return RetryDecision.retry(Duration.from_seconds(1))


@requirement("1-15")
@durable_execution
def retry_specific_error(event: Any, context: DurableContext) -> str:
    def flaky(_: StepContext) -> str:
        if next_attempt(context, "flaky") == 1:
            raise TransientError("temporary outage")
        return "recovered"

    return context.step(flaky, config=StepConfig(retry_strategy=retry_on_transient))


@requirement("1-16")
@durable_execution
def refuse_specific_error(event: Any, context: DurableContext) -> str:
    def flaky(_: StepContext) -> str:
        raise TransientError("temporary outage")

    return context.step(flaky, config=StepConfig(retry_strategy=no_retry_on_transient))


@requirement("1-17")
@durable_execution
def at_most_once_crash(event: str, context: DurableContext) -> str:
    def flaky(step_context: StepContext) -> str:
        step_context.logger.info(f"at most once step running for: {event}")
        raise SystemExit(1)  # the runtime dies mid-step

    return context.step(
        flaky,
        name="at_most_once_flaky_step",
        config=StepConfig(
            retry_strategy=RetryPresets.none(),
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
        ),
    )


@requirement("1-18")
@durable_execution
def at_most_once_crash_then_retry(event: str, context: DurableContext) -> str:
    def flaky(step_context: StepContext) -> str:
        step_context.logger.info(f"at most once step running for: {event}")
        if next_attempt(context, "flaky") == 1:
            raise SystemExit(1)  # the runtime dies mid-step
        return "succeeded on second attempt"

    return context.step(
        flaky,
        config=StepConfig(
            retry_strategy=every_second(2).retry_strategy,
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
        ),
    )


@requirement("1-19")
@durable_execution
def step_fails(event: Any, context: DurableContext) -> str:
    def failing(_: StepContext) -> str:
        raise RuntimeError("step failed")

    return context.step(failing, config=NO_RETRY)


@requirement("1-20")
@durable_execution
def step_error_caught(event: Any, context: DurableContext) -> str:
    def failing(_: StepContext) -> str:
        raise RuntimeError("step failed")

    try:
        return context.step(failing, config=NO_RETRY)
    except Exception:
        return context.step(lambda _: "fallback_result")
