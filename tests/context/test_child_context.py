"""Child contexts (scenarios X-01..X-09)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    InvocationError,
    OperationSubType,
)
from durable_lambda_context import (
    ChildConfig,
    DurableContext,
    Duration,
    RetryPresets,
    StepConfig,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_serdes import JsonSerDes

ID1, ID2 = operation_id(None, 1), operation_id(None, 2)
ID1_1 = operation_id(ID1, 1)
bodies: list[str] = []


@durable_step
def validate_order(step_context: StepContext, order_id: str) -> str:
    return order_id


@durable_with_child_context
def process_order(ctx: DurableContext, order_id: str) -> dict[str, str]:
    bodies.append("process_order")
    ctx.step(validate_order(order_id))
    ctx.step(lambda _: "reserved", name="reserve_inventory")
    ctx.step(lambda _: "charged", name="charge_payment")
    return {"order_id": order_id, "status": "completed"}


def test_group_steps_and_replay_the_completed_child(service: Any) -> None:
    bodies.clear()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        result = context.run_in_child_context(process_order("o1"), name="order_processing")
        return context.step(lambda _: f"sent {result['order_id']}", name="send_confirmation")

    assert service.result_of(service.invoke(handler)) == "sent o1"
    assert service.summary() == [
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
    ]
    wire = service.wire()
    assert wire[1]["ParentId"] == ID1
    assert wire[7]["Payload"] == (
        '{"t":"m","v":{"order_id":{"t":"s","v":"o1"},"status":{"t":"s","v":"completed"}}}'
    )
    assert wire[7]["ContextOptions"] == {"ReplayChildren": False}
    assert service.result_of(service.invoke(handler)) == "sent o1"
    assert bodies == ["process_order"]


def test_name_comes_from_the_decorator(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(process_order("o1"))

    service.invoke(handler)
    assert service.summary()[0] == ("CONTEXT", "RunInChildContext", "START", "process_order")


def test_child_with_a_step_and_a_wait(service: Any) -> None:
    def kid(ctx: DurableContext) -> int:
        doubled = ctx.step(lambda _: 5 * 2, name="double")
        ctx.wait(Duration.from_seconds(1))
        return doubled

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        return context.run_in_child_context(kid, name="kid")

    assert service.invoke(handler) == {"Status": "PENDING"}
    wire = service.wire()
    assert [(w["Type"], w["Action"], w.get("ParentId")) for w in wire] == [
        ("CONTEXT", "START", None),
        ("STEP", "START", ID1),
        ("STEP", "SUCCEED", ID1),
        ("WAIT", "START", ID1),
    ]
    assert wire[3]["Id"] == operation_id(ID1, 2)
    service.advance()
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "10"}
    assert service.wire()[-1] == {
        "Id": ID1,
        "Type": "CONTEXT",
        "Action": "SUCCEED",
        "Name": "kid",
        "SubType": "RunInChildContext",
        "Payload": "10",
        "ContextOptions": {"ReplayChildren": False},
    }


def test_error_handled_inside_the_child(service: Any) -> None:
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

    assert service.result_of(service.invoke(handler)) == {
        "status": "fallback",
        "result": "fallback value",
        "error": "risky failed",
    }
    assert [(t, a, n) for t, _, a, n in service.summary()][1:] == [
        ("STEP", "START", "risky_step"),
        ("STEP", "FAIL", "risky_step"),
        ("STEP", "START", "fallback"),
        ("STEP", "SUCCEED", "fallback"),
        ("CONTEXT", "SUCCEED", "c"),
    ]


def test_error_escaping_the_child(service: Any) -> None:
    def child(ctx: DurableContext) -> None:
        bodies.append("child")
        raise ValueError("boom")

    seen: list[CallableRuntimeError] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.run_in_child_context(child, name="c")
        except CallableRuntimeError as error:
            seen.append(error)
        return "caught"

    bodies.clear()
    assert service.result_of(service.invoke(handler)) == "caught"
    assert service.wire()[1]["Error"] == {"ErrorMessage": "boom", "ErrorType": "ValueError"}
    assert (seen[0].message, seen[0].error_type) == ("boom", "ValueError")
    assert service.result_of(service.invoke(handler)) == "caught"
    assert bodies == ["child"]
    assert (seen[1].message, seen[1].error_type) == ("boom", "ValueError")

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(child, name="c")

    assert service.invoke(uncaught) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "boom", "ErrorType": "CallableRuntimeError"},
    }


def test_invocation_error_escaping_the_child_is_retried_by_lambda(service: Any) -> None:
    def child(ctx: DurableContext) -> None:
        raise InvocationError("Service unavailable")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(child, name="c")

    with pytest.raises(InvocationError, match=r"^Service unavailable$"):
        service.invoke(handler)
    assert service.wire()[-1]["Action"] == "FAIL"
    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "Service unavailable", "ErrorType": "CallableRuntimeError"},
    }


def test_large_child_result_is_rebuilt_on_replay(service: Any) -> None:
    calls: list[str] = []

    def big(ctx: DurableContext) -> str:
        def small(_: StepContext) -> str:
            calls.append("s")
            return "y" * 100

        return ctx.step(small, name="s") + "x" * (300 * 1024)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        result = context.run_in_child_context(big, name="big")
        context.wait(Duration.from_seconds(1))
        return len(result)

    assert service.invoke(handler) == {"Status": "PENDING"}
    succeed = next(w for w in service.wire() if w["Type"] == "CONTEXT" and w["Action"] == "SUCCEED")
    assert succeed["ContextOptions"] == {"ReplayChildren": True}
    assert succeed["Payload"] == ""
    service.advance()
    count = len(service.updates)
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "307300"}
    assert calls == ["s"]
    assert len(service.updates) == count

    fresh = type(service)()

    @durable_execution
    def summarised(event: Any, context: DurableContext) -> int:
        return len(
            context.run_in_child_context(
                big,
                name="big",
                config=ChildConfig(summary_generator=lambda r: json.dumps({"len": len(r)})),
            )
        )

    fresh.invoke(summarised)
    assert fresh.wire()[-1]["Payload"] == '{"len": 307300}'


def test_nested_child_contexts(service: Any) -> None:
    def inner(ctx: DurableContext) -> str:
        return ctx.step(lambda _: "leaf", name="leaf")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.run_in_child_context(
            lambda ctx: ctx.run_in_child_context(inner, name="inner"), name="outer"
        )

    assert service.result_of(service.invoke(handler)) == "leaf"
    by_name = {(w.get("Name"), w["Action"]): w for w in service.wire()}
    assert "ParentId" not in by_name[("outer", "START")]
    assert by_name[("inner", "START")]["ParentId"] == ID1
    assert by_name[("inner", "START")]["Id"] == ID1_1
    assert by_name[("leaf", "START")]["ParentId"] == ID1_1
    assert by_name[("leaf", "START")]["Id"] == operation_id(ID1_1, 1)
    actions = [(w.get("Name"), w["Action"]) for w in service.wire()]
    assert actions.index(("inner", "SUCCEED")) < actions.index(("outer", "SUCCEED"))


def test_child_returning_none(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        return context.run_in_child_context(lambda c: None, name="n")

    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "null"}
    assert service.wire()[-1]["Payload"] == "null"
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "null"}


def test_child_config_subtype_and_serdes(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.run_in_child_context(
            lambda c: 1, config=ChildConfig(sub_type=OperationSubType.MAP_ITERATION)
        )
        return context.run_in_child_context(
            lambda c: {"a": 1}, config=ChildConfig(serdes=JsonSerDes())
        )

    assert service.result_of(service.invoke(handler)) == {"a": 1}
    wire = service.wire()
    assert [w["SubType"] for w in wire[:2]] == ["MapIteration", "MapIteration"]
    assert wire[-1]["Payload"] == '{"a": 1}'
    assert wire[-1]["Id"] == ID2


def test_unserializable_child_result_fails_the_context(service: Any) -> None:
    bodies.clear()

    def child(ctx: DurableContext) -> set[int]:
        bodies.append("child")
        return {1, 2}

    seen: list[CallableRuntimeError] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.run_in_child_context(child, name="bad")
        except CallableRuntimeError as error:
            seen.append(error)
        return "caught"

    message = f"Serialization failed for id: {ID1}, error: Unsupported type: <class 'set'>."
    assert service.result_of(service.invoke(handler)) == "caught"
    assert service.summary() == [
        ("CONTEXT", "RunInChildContext", "START", "bad"),
        ("CONTEXT", "RunInChildContext", "FAIL", "bad"),
    ]
    assert service.wire()[1]["Error"] == {"ErrorMessage": message, "ErrorType": "ExecutionError"}
    assert (seen[0].message, seen[0].error_type) == (message, "ExecutionError")
    # The recorded failure replays without running the body again.
    assert service.result_of(service.invoke(handler)) == "caught"
    assert bodies == ["child"]
    assert (seen[1].message, seen[1].error_type) == (message, "ExecutionError")


def test_failing_summary_generator_fails_the_context(service: Any) -> None:
    def broken_summary(result: str) -> str:
        raise RuntimeError("no summary")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        return len(
            context.run_in_child_context(
                lambda ctx: "x" * (300 * 1024),
                name="big",
                config=ChildConfig(summary_generator=broken_summary),
            )
        )

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "no summary", "ErrorType": "CallableRuntimeError"},
    }
    assert service.wire()[-1]["Error"] == {
        "ErrorMessage": "no summary",
        "ErrorType": "RuntimeError",
    }
