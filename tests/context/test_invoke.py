"""Chained invokes (scenarios I-01..I-08)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from durable_lambda_client import (
    CallableRuntimeError,
    ChainedInvokeDetails,
    ErrorObject,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from durable_lambda_context import DurableContext, Duration, InvokeConfig, durable_execution
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_serdes import SerDes, SerDesContext

ID1 = operation_id(None, 1)


def test_two_invokes_in_sequence(service: Any) -> None:
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

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.wire() == [
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
    assert service.invoke(handler) == {"Status": "PENDING"}
    assert len(service.updates) == 1
    service.finish_invoke("validate_order", result='{"valid": true}')
    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary()[-1] == ("CHAINED_INVOKE", "ChainedInvoke", "START", "process_payment")
    service.finish_invoke("process_payment", result='"paid"')
    assert service.result_of(service.invoke(handler)) == {"status": "completed", "payment": "paid"}


def test_tenant_id_is_sent_only_when_set(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.invoke("fn", 1, config=InvokeConfig(tenant_id="t-1"))
        context.invoke("fn", 2)

    service.invoke(handler)
    assert service.wire()[0]["ChainedInvokeOptions"] == {"FunctionName": "fn", "TenantId": "t-1"}


def test_failed_invoke_raises_callable_runtime_error(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        try:
            return context.invoke("target", {}, name="call")
        except CallableRuntimeError as error:
            return {"status": "failed", "error": str(error), "type": error.error_type}

    service.invoke(handler)
    service.finish_invoke(
        "call",
        error=ErrorObject("target blew up", "RuntimeError", None, None),
        status=OperationStatus.FAILED,
    )
    assert service.result_of(service.invoke(handler)) == {
        "status": "failed",
        "error": "target blew up",
        "type": "RuntimeError",
    }

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> Any:
        return context.invoke("target", {}, name="call")

    assert service.invoke(uncaught) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "target blew up", "ErrorType": "CallableRuntimeError"},
    }


def test_none_payload_and_json_results(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("fn", None)

    service.invoke(handler)
    wire = service.wire()[0]
    assert wire["Payload"] == "null"
    assert "Name" not in wire
    service.finish_invoke(None, result="[1, 2]")
    assert service.result_of(service.invoke(handler)) == [1, 2]
    service.finish_invoke(None, result=None)
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "null"}


class WrappingSerDes(SerDes[Any]):
    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps({"custom": value})

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)["custom"]


def test_custom_payload_and_result_serdes(service: Any) -> None:
    serdes = WrappingSerDes()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke(
            "fn",
            {"complex": "data"},
            config=InvokeConfig(serdes_payload=serdes, serdes_result=serdes),
        )

    service.invoke(handler)
    assert service.wire()[0]["Payload"] == '{"custom": {"complex": "data"}}'
    service.finish_invoke(None, result='{"custom": 5}')
    assert service.result_of(service.invoke(handler)) == 5


def test_invoke_timeout_is_not_sent(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("fn", 1, config=InvokeConfig(timeout=Duration.from_seconds(30)))

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert set(service.wire()[0]) == {
        "Id",
        "Type",
        "Action",
        "SubType",
        "Payload",
        "ChainedInvokeOptions",
    }
    service.finish_invoke(
        None,
        error=ErrorObject("timed out", "ChainedInvoke.Timeout", None, None),
        status=OperationStatus.TIMED_OUT,
    )
    output = service.invoke(handler)
    assert output["Status"] == "FAILED"
    assert output["Error"]["ErrorMessage"] == "timed out"


def test_invoke_replay(service: Any) -> None:
    service.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.CHAINED_INVOKE,
        status=OperationStatus.SUCCEEDED,
        sub_type=OperationSubType.CHAINED_INVOKE,
        chained_invoke_details=ChainedInvokeDetails(result='{"ok": 1}'),
    )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("fn", None)

    assert service.result_of(service.invoke(handler)) == {"ok": 1}
    assert service.updates == []


def test_invoke_failing_to_start_is_seen_at_once(service: Any) -> None:
    def fail_at_start(operation: Operation) -> Operation:
        return dataclasses.replace(
            operation,
            status=OperationStatus.FAILED,
            chained_invoke_details=ChainedInvokeDetails(
                error=ErrorObject("no such function", "ChainedInvoke.FailedToStart", None, None)
            ),
        )

    service.on_invoke_start = fail_at_start

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("missing", None)

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "no such function", "ErrorType": "CallableRuntimeError"},
    }
