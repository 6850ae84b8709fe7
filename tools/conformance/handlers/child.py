"""Handlers of the ``child`` area (requirements 3-1 to 3-18)."""

from __future__ import annotations

from typing import Any

from conformance.handlers import requirement
from conformance.handlers._attempts import next_attempt
from durable_lambda import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from durable_lambda.config import ChildConfig, Duration
from durable_lambda.serdes import SerDes, SerDesContext

from .step import NO_RETRY, every_second


@durable_step
def echo(step_context: StepContext, value: Any) -> Any:
    return value


@durable_step
def explode(step_context: StepContext) -> None:
    raise RuntimeError("inner step failed")


@durable_with_child_context
def echo_in_child(child: DurableContext, value: Any) -> Any:
    return child.step(echo(value))


@requirement("3-1")
@durable_execution
def child_basic(event: str, context: DurableContext) -> Any:
    return context.run_in_child_context(echo_in_child(event))


@requirement("3-2")
@durable_execution
def child_named(event: dict[str, str], context: DurableContext) -> Any:
    return context.run_in_child_context(echo_in_child(event["value"]), name=event["name"])


@durable_with_child_context
def two_steps_in_child(child: DurableContext, value: str) -> Any:
    first = child.step(echo(value))
    return child.step(echo(first))


@requirement("3-3")
@durable_execution
def child_two_steps(event: str, context: DurableContext) -> Any:
    return context.run_in_child_context(two_steps_in_child(event))


@durable_with_child_context
def failing_child(child: DurableContext) -> None:
    child.step(explode(), config=NO_RETRY)


@requirement("3-4")
@durable_execution
def child_fails(event: Any, context: DurableContext) -> None:
    context.run_in_child_context(failing_child())


@requirement("3-5")
@durable_execution
def child_failure_caught(event: str, context: DurableContext) -> Any:
    try:
        context.run_in_child_context(failing_child())
    except Exception:
        return context.step(echo(event))
    raise AssertionError("the child context should have failed")


@durable_with_child_context
def inner_child(child: DurableContext, value: str) -> Any:
    return child.step(echo(value))


@durable_with_child_context
def outer_child(child: DurableContext, value: str) -> Any:
    child.step(echo(value))
    return child.run_in_child_context(inner_child(value))


@requirement("3-6")
@durable_execution
def nested_children(event: str, context: DurableContext) -> Any:
    return context.run_in_child_context(outer_child(event))


@requirement("3-7")
@durable_execution
def child_step_retry(event: str, context: DurableContext) -> Any:
    @durable_with_child_context
    def retrying_child(child: DurableContext) -> Any:
        def flaky(_: StepContext) -> str:
            if next_attempt(context, "flaky") == 1:
                raise RuntimeError("first attempt fails")
            return event

        return child.step(flaky, config=every_second(3))

    return context.run_in_child_context(retrying_child())


@durable_with_child_context
def exhausting_child(child: DurableContext) -> None:
    child.step(explode(), config=every_second(2))


@requirement("3-8")
@durable_execution
def child_retries_exhausted(event: Any, context: DurableContext) -> None:
    context.run_in_child_context(exhausting_child())


@requirement("3-9")
@durable_execution
def child_then_wait(event: str, context: DurableContext) -> Any:
    value = context.run_in_child_context(echo_in_child(event))
    context.wait(Duration.from_seconds(1))
    return value


@durable_with_child_context
def step_and_wait_child(child: DurableContext, value: str) -> Any:
    child.step(echo(value))
    child.wait(Duration.from_seconds(1))
    return value


@requirement("3-10")
@durable_execution
def child_with_wait(event: str, context: DurableContext) -> Any:
    return context.run_in_child_context(step_and_wait_child(event))


@durable_with_child_context
def large_result_child(child: DurableContext, value: str) -> str:
    child.logger.info(f"building a large result for: {value}")
    seed = str(child.step(echo(value)))
    return seed * (300_000 // len(seed) + 1)


@requirement(
    "3-11",
    log_difference=(
        "the child's log line is dropped when the child re-runs on replay: reference 1.1.0 "
        "silences every context logger while replaying and has no switch to log during "
        "replay (sdk-behavior.md §7, §4.8, §10: the switch is 3.x), so the line shows once, "
        "not twice"
    ),
)
@durable_execution
def child_large_result(event: str, context: DurableContext) -> int:
    large = context.run_in_child_context(large_result_child(event))
    context.wait(Duration.from_seconds(1))
    return len(large)


@requirement("3-12")
@durable_execution
def child_interrupted(event: str, context: DurableContext) -> Any:
    @durable_with_child_context
    def crashing_child(child: DurableContext) -> Any:
        def fragile(_: StepContext) -> str:
            if next_attempt(context, "fragile") == 1:
                # The requirement's runtime dies once ContextStarted and StepStarted are
                # recorded; those STARTs are queued without waiting, so wait for them
                # (an empty synchronous checkpoint) before dying.
                context.state.create_checkpoint_sync()
                raise SystemExit(1)
            return event

        return child.step(fragile)

    return context.run_in_child_context(crashing_child())


@durable_with_child_context
def wait_only_child(child: DurableContext, value: str) -> str:
    child.wait(Duration.from_seconds(1))
    return value


@requirement("3-13")
@durable_execution
def child_wait_then_step(event: str, context: DurableContext) -> Any:
    context.run_in_child_context(wait_only_child(event))
    return context.step(echo(event))


class UppercaseTextSerDes(SerDes[Any]):
    """Writes the value upper-cased as plain text and reads it back as it is."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return str(value).upper()

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return data


@requirement(
    "3-14",
    difference=(
        "a child context returns its function's own value on the first run; the round "
        "trip through its serdes happens only on replay (reference 1.1.0)"
    ),
)
@durable_execution
def child_custom_serdes(event: str, context: DurableContext) -> Any:
    return context.run_in_child_context(
        echo_in_child(event), config=ChildConfig(serdes=UppercaseTextSerDes())
    )


@durable_with_child_context
def raising_child(child: DurableContext) -> None:
    raise RuntimeError("child body failed")


@requirement("3-15")
@durable_execution
def child_raises_directly(event: Any, context: DurableContext) -> None:
    context.run_in_child_context(raising_child())


@durable_with_child_context
def null_child(child: DurableContext) -> None:
    return None


@requirement("3-16")
@durable_execution
def child_returns_null(event: Any, context: DurableContext) -> None:
    return context.run_in_child_context(null_child())


@durable_with_child_context
def logging_child(child: DurableContext, value: str) -> str:
    child.logger.info(f"child context running for: {value}")
    return value


@requirement("3-17")
@durable_execution
def child_logs_only(event: str, context: DurableContext) -> Any:
    value = context.run_in_child_context(logging_child(event))
    context.wait(Duration.from_seconds(1))
    return value


@requirement("3-18")
@durable_execution
def child_then_step_and_wait(event: str, context: DurableContext) -> Any:
    context.run_in_child_context(step_and_wait_child(event))
    value = context.step(echo(event))
    context.wait(Duration.from_seconds(1))
    return value
