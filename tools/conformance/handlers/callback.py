"""Handlers of the ``callback`` area (requirements 4-1 to 4-19)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from conformance.handlers import requirement
from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import CallbackConfig, Duration
from durable_lambda.serdes import SerDes, SerDesContext


@requirement("4-1")
@durable_execution
def callback_basic(event: str, context: DurableContext) -> Any:
    return context.create_callback(name=event).result()


@requirement("4-2")
@durable_execution
def callback_named(event: Any, context: DurableContext) -> Any:
    return context.create_callback(name="approval").result()


@requirement("4-3")
@durable_execution
def callback_timeout(event: str, context: DurableContext) -> Any:
    config = CallbackConfig(timeout=Duration.from_seconds(5))
    return context.create_callback(name=event, config=config).result()


@requirement("4-4")
@durable_execution
def callback_heartbeat_timeout(event: str, context: DurableContext) -> Any:
    config = CallbackConfig(heartbeat_timeout=Duration.from_seconds(5))
    return context.create_callback(name=event, config=config).result()


@requirement("4-5")
@durable_execution
def callback_heartbeat_then_success(event: str, context: DurableContext) -> Any:
    config = CallbackConfig(heartbeat_timeout=Duration.from_seconds(10))
    return context.create_callback(name=event, config=config).result()


@requirement("4-6")
@durable_execution
def callback_failure(event: str, context: DurableContext) -> Any:
    return context.create_callback(name=event).result()


@requirement("4-7")
@durable_execution
def callback_step_then_failure(event: str, context: DurableContext) -> Any:
    callback = context.create_callback(name=event)
    context.step(lambda _: "between")
    return callback.result()


@requirement("4-8")
@durable_execution
def callback_step_then_timeout(event: str, context: DurableContext) -> Any:
    callback = context.create_callback(
        name=event, config=CallbackConfig(timeout=Duration.from_seconds(5))
    )
    context.step(lambda _: "between")
    return callback.result()


@requirement("4-9", "4-10")
@durable_execution
def callback_during_wait(event: str, context: DurableContext) -> Any:
    callback = context.create_callback(name=event)
    context.wait(Duration.from_seconds(5))
    return callback.result()


@requirement("4-11")
@durable_execution
def callback_times_out_during_wait(event: str, context: DurableContext) -> Any:
    callback = context.create_callback(
        name=event, config=CallbackConfig(timeout=Duration.from_seconds(3))
    )
    context.wait(Duration.from_seconds(6))
    return callback.result()


@requirement("4-12")
@durable_execution
def callback_then_wait(event: str, context: DurableContext) -> Any:
    value = context.create_callback(name=event).result()
    context.wait(Duration.from_seconds(2))
    return value


@requirement("4-13")
@durable_execution
def callback_failure_caught(event: str, context: DurableContext) -> Any:
    try:
        message = context.create_callback(name=event).result()
    except Exception as error:
        message = f"callback failed: {error}"
    context.wait(Duration.from_seconds(2))
    return message


@requirement("4-14")
@durable_execution
def callback_timeout_caught(event: str, context: DurableContext) -> Any:
    config = CallbackConfig(timeout=Duration.from_seconds(3))
    try:
        message = context.create_callback(name=event, config=config).result()
    except Exception as error:
        message = f"callback timed out: {error}"
    context.wait(Duration.from_seconds(2))
    return message


class ReceivedEventSerDes(SerDes[dict[str, Any]]):
    """Reads the JSON payload and turns its ISO timestamp into a datetime."""

    def serialize(self, value: dict[str, Any], serdes_context: SerDesContext) -> str:
        return json.dumps({**value, "timestamp": value["timestamp"].isoformat()})

    def deserialize(self, data: str, serdes_context: SerDesContext) -> dict[str, Any]:
        received = json.loads(data)
        received["timestamp"] = datetime.fromisoformat(received["timestamp"])
        return dict(received)


@requirement("4-15")
@durable_execution
def callback_typed_payload(event: str, context: DurableContext) -> Any:
    config = CallbackConfig(serdes=ReceivedEventSerDes())
    received = context.create_callback(name=event, config=config).result()
    assert received is not None
    return {
        "received": {
            "id": received["id"],
            "message": received["message"],
            "timestamp": int(received["timestamp"].timestamp()),
        }
    }


class NumberSerDes(SerDes[int]):
    """Reads the payload as a number."""

    def serialize(self, value: int, serdes_context: SerDesContext) -> str:
        return str(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> int:
        return int(json.loads(data))


@requirement("4-16")
@durable_execution
def callback_number_payload(event: str, context: DurableContext) -> Any:
    count = context.create_callback(name=event, config=CallbackConfig(serdes=NumberSerDes()))
    value = count.result()
    assert value is not None
    return {"count": value, "doubled": value * 2}


@requirement("4-17")
@durable_execution
def callbacks_one_after_another(event: list[str], context: DurableContext) -> Any:
    first = context.create_callback(name=event[0]).result()
    second = context.create_callback(name=event[1]).result()
    return [first, second]


@requirement("4-18")
@durable_execution
def two_callbacks_in_order(event: list[str], context: DurableContext) -> Any:
    first = context.create_callback(name=event[0])
    second = context.create_callback(name=event[1])
    return [first.result(), second.result()]


@requirement("4-19")
@durable_execution
def two_callbacks_reversed(event: list[str], context: DurableContext) -> Any:
    first = context.create_callback(name=event[0])
    second = context.create_callback(name=event[1])
    last = second.result()
    return [first.result(), last]
