"""Handlers of the ``invoke`` area (requirements 5-1 to 5-16) and their targets."""

from __future__ import annotations

import json
from typing import Any

from conformance.handlers import requirement
from durable_lambda import DurableContext, durable_execution, durable_with_child_context
from durable_lambda.config import Duration, InvokeConfig
from durable_lambda.serdes import SerDes, SerDesContext

ECHO = "TargetEcho"
FAILING = "TargetFailing"
LARGE = "TargetLarge"


@durable_execution
def echo_target(event: Any, context: DurableContext) -> Any:
    return event


@durable_execution
def failing_target(event: Any, context: DurableContext) -> Any:
    raise RuntimeError("target function failed")


@durable_execution
def large_target(event: Any, context: DurableContext) -> Any:
    return {"receivedCharacters": len(event)}


ECHO_TARGET = {ECHO: echo_target}
FAILING_TARGET = {FAILING: failing_target}

LARGE_PAYLOAD_CHARACTERS = 200_000
"""Just under the 256 KB a checkpointed payload may take."""


@requirement("5-1", "5-3", "5-4", targets=ECHO_TARGET)
@durable_execution
def invoke_echo(event: Any, context: DurableContext) -> Any:
    return context.invoke(ECHO, event)


@requirement("5-2", targets=ECHO_TARGET)
@durable_execution
def invoke_named(event: dict[str, Any], context: DurableContext) -> Any:
    return context.invoke(ECHO, event["payload"], name=event["name"])


@requirement("5-5", targets=FAILING_TARGET)
@durable_execution
def invoke_fails(event: Any, context: DurableContext) -> Any:
    return context.invoke(FAILING, event)


@requirement("5-6", targets=FAILING_TARGET)
@durable_execution
def invoke_failure_caught(event: Any, context: DurableContext) -> Any:
    try:
        return context.invoke(FAILING, event)
    except Exception:
        return "fallback"


@requirement("5-7", targets={LARGE: large_target})
@durable_execution
def invoke_large_payload(event: Any, context: DurableContext) -> Any:
    return context.invoke(LARGE, "x" * LARGE_PAYLOAD_CHARACTERS)


@requirement("5-8", targets=ECHO_TARGET)
@durable_execution
def invoke_with_tenant(event: dict[str, Any], context: DurableContext) -> Any:
    config: InvokeConfig[Any, Any] = InvokeConfig(tenant_id=event["tenantId"])
    return context.invoke(ECHO, event["payload"], config=config)


@requirement("5-9", targets=ECHO_TARGET)
@durable_execution
def invoke_then_wait(event: Any, context: DurableContext) -> Any:
    value = context.invoke(ECHO, "cached")
    context.wait(Duration.from_seconds(1))
    return value


@requirement("5-10", targets=FAILING_TARGET)
@durable_execution
def invoke_failure_then_wait(event: Any, context: DurableContext) -> Any:
    try:
        value = context.invoke(FAILING, event)
    except Exception:
        value = "fallback"
    context.wait(Duration.from_seconds(1))
    return value


@requirement("5-11", targets=ECHO_TARGET)
@durable_execution
def step_then_invoke(event: Any, context: DurableContext) -> Any:
    value = context.step(lambda _: "from-step")
    return context.invoke(ECHO, value)


@requirement("5-12", targets=ECHO_TARGET)
@durable_execution
def invoke_then_step(event: Any, context: DurableContext) -> Any:
    value = context.invoke(ECHO, "from-invoke")
    return context.step(lambda _: f"processed {value}")


@durable_with_child_context
def invoking_child(child: DurableContext) -> Any:
    return child.invoke(ECHO, "from-child")


@requirement("5-13", targets=ECHO_TARGET)
@durable_execution
def invoke_in_child(event: Any, context: DurableContext) -> Any:
    return context.run_in_child_context(invoking_child())


@requirement("5-14", targets=ECHO_TARGET)
@durable_execution
def two_invokes(event: Any, context: DurableContext) -> Any:
    first = context.invoke(ECHO, "first")
    second = context.invoke(ECHO, "second")
    return [first, second]


class UppercasePayloadSerDes(SerDes[Any]):
    """JSON, upper-cased on the way out."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps(value).upper()

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)


class UppercaseResultSerDes(SerDes[Any]):
    """Hands the result back as its upper-cased JSON text."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return data.upper()


@requirement("5-15", targets=ECHO_TARGET)
@durable_execution
def invoke_payload_serdes(event: Any, context: DurableContext) -> Any:
    config: InvokeConfig[Any, Any] = InvokeConfig(serdes_payload=UppercasePayloadSerDes())
    return context.invoke(ECHO, event, config=config)


@requirement("5-16", targets=ECHO_TARGET)
@durable_execution
def invoke_result_serdes(event: Any, context: DurableContext) -> Any:
    config: InvokeConfig[Any, Any] = InvokeConfig(serdes_result=UppercaseResultSerDes())
    return context.invoke(ECHO, event, config=config)
