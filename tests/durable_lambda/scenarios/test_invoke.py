"""E. Chained invokes (I-01..I-08), on both backends."""

from __future__ import annotations

import json
from typing import Any

from durable_lambda import CallableRuntimeError, DurableContext, durable_execution
from durable_lambda.config import Duration, InvokeConfig
from durable_lambda.serdes import SerDes, SerDesContext

from .conftest import ID1, ID2


@durable_execution
def validate(event: Any, context: DurableContext) -> dict[str, bool]:
    return {"valid": event["order_id"] == "o1"}


@durable_execution
def pay(event: Any, context: DurableContext) -> dict[str, Any]:
    return {"paid": event["amount"]}


@durable_execution
def blow_up(event: Any, context: DurableContext) -> None:
    raise RuntimeError("target blew up")


@durable_execution
def echo(event: Any, context: DurableContext) -> Any:
    return event


def test_i01_invoke_two_functions_in_sequence(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        validation = context.invoke(
            function_name="validate-order", payload={"order_id": "o1"}, name="validate_order"
        )
        if not validation["valid"]:
            return {"status": "rejected"}
        payment = context.invoke(
            "process-payment", {"order_id": "o1", "amount": 10}, name="process_payment"
        )
        return {"status": "completed", "payment": payment}

    run = scenario(handler)
    run.register_durable_function("validate-order", validate)
    run.register_durable_function("process-payment", pay)
    result = run.run()
    assert result.value == {"status": "completed", "payment": {"paid": 10}}
    assert run.wire(0) == [
        {
            "Id": ID1,
            "Type": "CHAINED_INVOKE",
            "Action": "START",
            "Name": "validate_order",
            "SubType": "ChainedInvoke",
            "Payload": '{"order_id": "o1"}',
            "ChainedInvokeOptions": {"FunctionName": "validate-order"},
        }
    ]
    assert run.outputs[:2] == [{"Status": "PENDING"}] * 2
    # Invocation 2 replays #1 (no update) and starts #2.
    assert run.wire(1) == [
        {
            "Id": ID2,
            "Type": "CHAINED_INVOKE",
            "Action": "START",
            "Name": "process_payment",
            "SubType": "ChainedInvoke",
            "Payload": '{"order_id": "o1", "amount": 10}',
            "ChainedInvokeOptions": {"FunctionName": "process-payment"},
        }
    ]
    assert run.invocations[2] == []
    assert result.get_invoke("validate_order").result == '{"valid": true}'


def test_i02_tenant_id_is_sent_only_when_set(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return [
            context.invoke("fn", 1, config=InvokeConfig(tenant_id="t-1")),
            context.invoke("fn", 2),
        ]

    run = scenario(handler)
    run.register_durable_function("fn", echo)
    run.run()
    options = [u["ChainedInvokeOptions"] for u in run.wire()]
    assert options == [{"FunctionName": "fn", "TenantId": "t-1"}, {"FunctionName": "fn"}]


def test_i03_invoked_function_fails(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        try:
            return context.invoke("target", {}, name="call")
        except CallableRuntimeError as error:
            return {"status": "failed", "error": str(error), "type": error.error_type}

    run = scenario(handler)
    run.register_durable_function("target", blow_up)
    assert run.run().value == {
        "status": "failed",
        "error": "target blew up",
        "type": "RuntimeError",
    }

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> Any:
        return context.invoke("target", {}, name="call")

    run = scenario(uncaught)
    run.register_durable_function("target", blow_up)
    result = run.run()
    assert run.outputs == [
        {"Status": "PENDING"},
        {
            "Status": "FAILED",
            "Error": {"ErrorMessage": "target blew up", "ErrorType": "CallableRuntimeError"},
        },
    ]
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "target blew up")
    invoke = result.get_invoke("call")
    assert invoke.error is not None
    assert (invoke.status.value, invoke.error.type) == ("FAILED", "RuntimeError")


def test_i04_none_payload_and_json_defaults(scenario: Any) -> None:
    @durable_execution
    def lister(event: Any, context: DurableContext) -> list[int]:
        return [1, 2]

    @durable_execution
    def nothing(event: Any, context: DurableContext) -> None:
        return None

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return [context.invoke("lister", None), context.invoke("nothing", None)]

    run = scenario(handler)
    run.register_durable_function("lister", lister)
    run.register_durable_function("nothing", nothing)
    assert run.run().value == [[1, 2], None]
    first = run.wire(0)[0]
    assert first["Payload"] == "null"
    assert "Name" not in first


class WrappingSerDes(SerDes[Any]):
    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps({"custom": value})

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)["custom"]


def test_i05_custom_payload_and_result_serdes(scenario: Any) -> None:
    @durable_execution
    def target(event: Any, context: DurableContext) -> dict[str, int]:
        assert event == {"custom": {"complex": "data"}}
        return {"custom": 5}

    serdes = WrappingSerDes()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke(
            "fn",
            {"complex": "data"},
            config=InvokeConfig(serdes_payload=serdes, serdes_result=serdes),
        )

    run = scenario(handler)
    run.register_durable_function("fn", target)
    assert run.run().value == 5
    assert run.wire(0)[0]["Payload"] == '{"custom": {"complex": "data"}}'


def test_i06_invoke_timeout_is_local_only(scenario: Any) -> None:
    @durable_execution
    def slow(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_seconds(120))
        return "late but fine"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("slow", 1, config=InvokeConfig(timeout=Duration.from_seconds(30)))

    run = scenario(handler)
    run.register_durable_function("slow", slow, execution_timeout=600)
    assert run.run().value == "late but fine"
    assert set(run.wire(0)[0]) == {
        "Id",
        "Type",
        "Action",
        "SubType",
        "Payload",
        "ChainedInvokeOptions",
    }
    assert run.outputs[0] == {"Status": "PENDING"}


def test_i07_completed_invoke_replays_from_its_record(scenario: Any) -> None:
    @durable_execution
    def ok(event: Any, context: DurableContext) -> dict[str, int]:
        return {"ok": 1}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        value = context.invoke("ok", None)
        context.wait(Duration(1))
        return value

    run = scenario(handler)
    run.register_durable_function("ok", ok)
    assert run.run().value == {"ok": 1}
    assert [len(updates) for updates in run.invocations] == [1, 1, 0]


def test_i08_invoke_failing_to_start_is_seen_at_once(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("missing", None)

    run = scenario(handler)
    result = run.run()
    assert len(run.invocations) == 1
    assert result.error is not None
    assert result.error.type == "CallableRuntimeError"
    invoke = result.operations[0]
    assert invoke.error is not None
    # The service's error (here: no such function) comes back on the START response
    # and is raised at once, without suspending first.
    assert invoke.status.value == "FAILED"
    assert run.outputs == [
        {
            "Status": "FAILED",
            "Error": {"ErrorMessage": invoke.error.message, "ErrorType": "CallableRuntimeError"},
        }
    ]
