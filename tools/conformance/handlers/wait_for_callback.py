"""Handlers of the ``wait_for_callback`` area (requirements 7-1 to 7-15)."""

from __future__ import annotations

from typing import Any

from conformance.handlers import requirement
from durable_lambda import DurableContext, durable_execution, durable_with_child_context
from durable_lambda.config import Duration, WaitForCallbackConfig
from durable_lambda.serdes import JsonSerDes
from durable_lambda.types import WaitForCallbackContext

from .step import every_second


def submit(callback_id: str, callback_context: WaitForCallbackContext) -> None:
    """Hands the id to the outside world; the runner answers it from the history."""
    callback_context.logger.info(f"callback {callback_id} submitted")


@requirement("7-1", "7-4", "7-15")
@durable_execution
def wait_for_callback_basic(event: str, context: DurableContext) -> Any:
    return context.wait_for_callback(submit, name=event)


@requirement("7-2")
@durable_execution
def wait_for_callback_named(event: Any, context: DurableContext) -> Any:
    return context.wait_for_callback(submit, name="approval")


@requirement("7-3")
@durable_execution
def wait_for_callback_anonymous(event: Any, context: DurableContext) -> Any:
    return context.wait_for_callback(lambda callback_id, _: None)


@requirement("7-5")
@durable_execution
def wait_for_callback_timeout(event: str, context: DurableContext) -> Any:
    config = WaitForCallbackConfig(timeout=Duration.from_seconds(3))
    return context.wait_for_callback(submit, name=event, config=config)


@requirement("7-6")
@durable_execution
def wait_for_callback_failure_caught(event: str, context: DurableContext) -> Any:
    try:
        return context.wait_for_callback(submit, name=event)
    except Exception:
        return "recovered"


@requirement("7-7")
@durable_execution
def wait_for_callback_submitter_fails(event: str, context: DurableContext) -> Any:
    def broken_submitter(callback_id: str, callback_context: WaitForCallbackContext) -> None:
        raise RuntimeError("could not reach the approval system")

    config = WaitForCallbackConfig(retry_strategy=every_second(2).retry_strategy)
    return context.wait_for_callback(broken_submitter, name=event, config=config)


@requirement("7-8")
@durable_execution
def wait_for_callback_in_child(event: str, context: DurableContext) -> Any:
    @durable_with_child_context
    def wrapper(child: DurableContext) -> Any:
        return child.wait_for_callback(submit, name=event)

    return context.run_in_child_context(wrapper())


@requirement("7-9")
@durable_execution
def two_wait_for_callbacks(event: Any, context: DurableContext) -> Any:
    context.wait_for_callback(submit, name="first")
    return context.wait_for_callback(submit, name="second")


@requirement("7-10")
@durable_execution
def wait_step_then_wait_for_callback(event: str, context: DurableContext) -> Any:
    context.wait(Duration.from_seconds(1))
    context.step(lambda _: {"prepared": True})
    return context.wait_for_callback(submit, name=event)


@requirement("7-11")
@durable_execution
def wait_for_callback_json(event: str, context: DurableContext) -> Any:
    config = WaitForCallbackConfig(serdes=JsonSerDes())
    return context.wait_for_callback(submit, name=event, config=config)["status"]


@requirement("7-12")
@durable_execution
def wait_for_callback_heartbeat_timeout(event: str, context: DurableContext) -> Any:
    config = WaitForCallbackConfig(heartbeat_timeout=Duration.from_seconds(5))
    return context.wait_for_callback(submit, name=event, config=config)


@requirement("7-13")
@durable_execution
def wait_for_callback_heartbeat(event: str, context: DurableContext) -> Any:
    config = WaitForCallbackConfig(heartbeat_timeout=Duration.from_seconds(10))
    return context.wait_for_callback(submit, name=event, config=config)


@requirement("7-14")
@durable_execution
def wait_for_callback_timeout_caught(event: str, context: DurableContext) -> Any:
    config = WaitForCallbackConfig(timeout=Duration.from_seconds(3))
    try:
        return context.wait_for_callback(submit, name=event, config=config)
    except Exception:
        return "timed-out-handled"
