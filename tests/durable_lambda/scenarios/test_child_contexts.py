"""F. Child contexts (X-01..X-09), on both backends."""

from __future__ import annotations

import json
from typing import Any

from durable_lambda import (
    CallableRuntimeError,
    DurableContext,
    InvocationError,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from durable_lambda.config import ChildConfig, Duration, StepConfig
from durable_lambda.lambda_service import OperationSubType
from durable_lambda.retries import RetryPresets
from durable_lambda.serdes import JsonSerDes
from durable_lambda_context._operation_ids import operation_id

from .conftest import ID1, ID1_1, ID2, flat

bodies: list[str] = []


@durable_step
def validate_order(step_context: StepContext, order_id: str) -> str:
    return order_id


@durable_step
def reserve_inventory(step_context: StepContext, order_id: str) -> str:
    return "reserved"


@durable_step
def charge_payment(step_context: StepContext, order_id: str) -> str:
    return "charged"


@durable_step
def send_confirmation(step_context: StepContext, order: dict[str, str]) -> str:
    return f"sent {order['order_id']}"


@durable_with_child_context
def process_order(ctx: DurableContext, order_id: str) -> dict[str, str]:
    bodies.append(order_id)
    ctx.step(validate_order(order_id))
    ctx.step(reserve_inventory(order_id))
    ctx.step(charge_payment(order_id))
    return {"order_id": order_id, "status": "completed"}


def test_x01_group_steps_and_replay_the_child(scenario: Any) -> None:
    bodies.clear()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        result = context.run_in_child_context(process_order("o1"), name="order_processing")
        sent = context.step(send_confirmation(result))
        context.wait(Duration(1), name="replay")
        return sent

    run = scenario(handler)
    result = run.run()
    assert result.value == "sent o1"
    assert run.summary(0) == [
        ("CONTEXT", "RunInChildContext", "START", "order_processing"),
        ("STEP", "Step", "START", "validate_order"),
        ("STEP", "Step", "SUCCEED", "validate_order"),
        ("STEP", "Step", "START", "reserve_inventory"),
        ("STEP", "Step", "SUCCEED", "reserve_inventory"),
        ("STEP", "Step", "START", "charge_payment"),
        ("STEP", "Step", "SUCCEED", "charge_payment"),
        ("CONTEXT", "RunInChildContext", "SUCCEED", "order_processing"),
        ("STEP", "Step", "START", "send_confirmation"),
        ("STEP", "Step", "SUCCEED", "send_confirmation"),
        ("WAIT", "Wait", "START", "replay"),
    ]
    wire = run.wire(0)
    assert {w["ParentId"] for w in wire[1:7]} == {ID1}
    assert wire[7]["Payload"] == (
        '{"t":"m","v":{"order_id":{"t":"s","v":"o1"},"status":{"t":"s","v":"completed"}}}'
    )
    assert wire[7]["ContextOptions"] == {"ReplayChildren": False}
    # The completed child replays from its record: its body is not called again.
    assert run.invocations[1] == []
    assert bodies == ["o1"]
    child = result.get_context("order_processing")
    assert [op.name for op in child.child_operations] == [
        "validate_order",
        "reserve_inventory",
        "charge_payment",
    ]


def test_x02_name_from_the_decorator(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(process_order("o1"))

    run = scenario(handler)
    run.run()
    assert run.summary()[0] == ("CONTEXT", "RunInChildContext", "START", "process_order")


def test_x03_child_with_a_step_and_a_wait(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        def kid(ctx: DurableContext) -> int:
            doubled = ctx.step(lambda _: 5 * 2, name="double")
            ctx.wait(Duration.from_seconds(1))
            return doubled

        return context.run_in_child_context(kid, name="kid")

    run = scenario(handler)
    result = run.run()
    assert result.result == "10"
    assert [(w["Type"], w["Action"], w.get("ParentId")) for w in run.wire(0)] == [
        ("CONTEXT", "START", None),
        ("STEP", "START", ID1),
        ("STEP", "SUCCEED", ID1),
        ("WAIT", "START", ID1),
    ]
    assert run.wire(0)[2]["Payload"] == "10"
    assert run.wire(0)[3]["Id"] == operation_id(ID1, 2)
    assert run.wire(1) == [
        {
            "Id": ID1,
            "Type": "CONTEXT",
            "Action": "SUCCEED",
            "Name": "kid",
            "SubType": "RunInChildContext",
            "Payload": "10",
            "ContextOptions": {"ReplayChildren": False},
        }
    ]


def test_x04_error_handled_inside_the_child(scenario: Any) -> None:
    def risky(_: StepContext) -> None:
        raise ValueError("risky failed")

    def child(ctx: DurableContext) -> dict[str, Any]:
        try:
            ctx.step(
                risky, name="risky_step", config=StepConfig(retry_strategy=RetryPresets.none())
            )
        except Exception as error:
            fallback = ctx.step(lambda _: "fallback value", name="fallback")
            return {"status": "fallback", "result": fallback, "error": str(error)}
        return {"status": "ok"}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(child, name="c")

    run = scenario(handler)
    result = run.run()
    assert result.value == {
        "status": "fallback",
        "result": "fallback value",
        "error": "risky failed",
    }
    assert [(t, a, n) for t, _, a, n in run.summary()] == [
        ("CONTEXT", "START", "c"),
        ("STEP", "START", "risky_step"),
        ("STEP", "FAIL", "risky_step"),
        ("STEP", "START", "fallback"),
        ("STEP", "SUCCEED", "fallback"),
        ("CONTEXT", "SUCCEED", "c"),
    ]
    assert flat(result) == [
        ("CONTEXT", "RunInChildContext", "c", "SUCCEEDED"),
        ("STEP", "Step", "risky_step", "FAILED"),
        ("STEP", "Step", "fallback", "SUCCEEDED"),
    ]


def test_x05_error_escaping_the_child(scenario: Any) -> None:
    ran: list[int] = []
    seen: list[CallableRuntimeError] = []

    def child(ctx: DurableContext) -> None:
        ran.append(1)
        raise ValueError("boom")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.run_in_child_context(child, name="c")
        except CallableRuntimeError as error:
            seen.append(error)
        context.wait(Duration(1))
        return "caught"

    run = scenario(handler)
    assert run.run().value == "caught"
    assert run.wire(0)[:2] == [
        {
            "Id": ID1,
            "Type": "CONTEXT",
            "Action": "START",
            "Name": "c",
            "SubType": "RunInChildContext",
        },
        {
            "Id": ID1,
            "Type": "CONTEXT",
            "Action": "FAIL",
            "Name": "c",
            "SubType": "RunInChildContext",
            "Error": {"ErrorMessage": "boom", "ErrorType": "ValueError"},
        },
    ]
    # Invocation 2 replays the FAILED record: same error, body not run again.
    assert [(e.message, e.error_type) for e in seen] == [("boom", "ValueError")] * 2
    assert ran == [1]
    assert run.invocations[1] == []

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(child, name="c")

    run = scenario(uncaught)
    result = run.run()
    assert run.outputs == [
        {"Status": "FAILED", "Error": {"ErrorMessage": "boom", "ErrorType": "CallableRuntimeError"}}
    ]
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "boom")
    failed = result.get_context("c")
    assert failed.error is not None
    assert (failed.status.value, failed.error.type) == ("FAILED", "ValueError")


def test_x05_invocation_error_escaping_the_child_is_retried(scenario: Any) -> None:
    def child(ctx: DurableContext) -> None:
        raise InvocationError("Service unavailable")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(child, name="c")

    run = scenario(handler)
    result = run.run()
    # Invocation 1 records CONTEXT FAIL and raises (Lambda retries); invocation 2
    # replays the FAILED record as CallableRuntimeError(error_type="InvocationError").
    assert run.summary(0) == [
        ("CONTEXT", "RunInChildContext", "START", "c"),
        ("CONTEXT", "RunInChildContext", "FAIL", "c"),
    ]
    assert run.outputs == [
        {
            "Status": "FAILED",
            "Error": {"ErrorMessage": "Service unavailable", "ErrorType": "CallableRuntimeError"},
        }
    ]
    assert len(run.invocations) == 2
    assert [(type(e), str(e)) for e in run.raised] == [(InvocationError, "Service unavailable")]
    assert result.get_context("c").error is not None


def big(ctx: DurableContext) -> str:
    return ctx.step(lambda _: "y" * 100, name="s") + "x" * (300 * 1024)


def test_x06_large_child_result_is_rebuilt_on_replay(scenario: Any) -> None:
    calls: list[int] = []
    step_runs: list[int] = []

    def counted(ctx: DurableContext) -> str:
        calls.append(1)
        value = ctx.step(lambda _: step_runs.append(1) or "y" * 100, name="s")
        return value + "x" * (300 * 1024)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        result = context.run_in_child_context(counted, name="big")
        context.wait(Duration.from_seconds(1))
        return len(result)

    run = scenario(handler)
    result = run.run()
    assert result.result == "307300"
    succeed = run.wire(0)[3]
    assert (succeed["Action"], succeed["ContextOptions"], succeed["Payload"]) == (
        "SUCCEED",
        {"ReplayChildren": True},
        "",
    )
    assert run.summary(0)[-1] == ("WAIT", "Wait", "START", None)
    # Invocation 2 runs the child again (its step replays) and checkpoints nothing.
    assert run.invocations[1] == []
    assert calls == [1, 1]
    assert step_runs == [1]

    @durable_execution
    def summarised(event: Any, context: DurableContext) -> int:
        config: ChildConfig[str] = ChildConfig(
            summary_generator=lambda r: json.dumps({"len": len(r)})
        )
        return len(context.run_in_child_context(big, name="big", config=config))

    run = scenario(summarised)
    assert run.run().result == "307300"
    assert run.wire()[-1]["Payload"] == '{"len": 307300}'


def test_x07_nested_child_contexts(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        def inner(ctx: DurableContext) -> str:
            return ctx.step(lambda _: "leaf", name="leaf")

        return context.run_in_child_context(
            lambda ctx: ctx.run_in_child_context(inner, name="inner"), name="outer"
        )

    run = scenario(handler)
    result = run.run()
    assert result.value == "leaf"
    ids = {(w.get("Name"), w["Action"]): (w["Id"], w.get("ParentId")) for w in run.wire()}
    assert ids[("outer", "START")] == (ID1, None)
    assert ids[("inner", "START")] == (ID1_1, ID1)
    assert ids[("leaf", "START")] == (operation_id(ID1_1, 1), ID1_1)
    actions = [(w.get("Name"), w["Action"]) for w in run.wire()]
    assert actions.index(("inner", "SUCCEED")) < actions.index(("outer", "SUCCEED"))
    outer = result.get_context("outer")
    assert outer.get_context("inner").get_step("leaf").result == '"leaf"'


def test_x08_child_returning_none(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        value = context.run_in_child_context(lambda c: None, name="n")
        context.wait(Duration(1))
        assert context.run_in_child_context(lambda c: None, name="n") is None
        return value

    run = scenario(handler)
    result = run.run()
    assert result.result == "null"
    assert run.wire(0)[1]["Payload"] == "null"


def test_x09_child_context_config(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.run_in_child_context(
            lambda c: 1, config=ChildConfig(sub_type=OperationSubType.MAP_ITERATION)
        )
        return context.run_in_child_context(
            lambda c: {"a": 1}, config=ChildConfig(serdes=JsonSerDes())
        )

    run = scenario(handler)
    assert run.run().value == {"a": 1}
    wire = run.wire()
    assert [w["SubType"] for w in wire[:2]] == ["MapIteration", "MapIteration"]
    assert (wire[-1]["Id"], wire[-1]["Payload"]) == (ID2, '{"a": 1}')
