"""Chained invokes: the records the scenarios (tests/durable_lambda/scenarios/
test_invoke.py) leave to the fake: an invocation while the invoke still runs, a result
that is not recorded, a timed-out invoke, a hand-made record."""

from __future__ import annotations

from typing import Any

from durable_lambda_client import (
    ChainedInvokeDetails,
    ErrorObject,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from durable_lambda_context import DurableContext, Duration, InvokeConfig, durable_execution
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)


def test_a_started_invoke_suspends_again_without_a_checkpoint(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("validate-order", {"order_id": "o1"}, name="validate_order")

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary() == [
        ("CHAINED_INVOKE", "ChainedInvoke", "START", "validate_order"),
    ]
    service.finish_invoke("validate_order", result='{"valid": true}')
    assert service.result_of(service.invoke(handler)) == {"valid": True}


def test_an_invoke_without_a_recorded_result_returns_none(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("fn", None)

    service.invoke(handler)
    service.finish_invoke(None, result=None)
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "null"}


def test_a_timed_out_invoke_fails_the_execution(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.invoke("fn", 1, config=InvokeConfig(timeout=Duration.from_seconds(30)))

    assert service.invoke(handler) == {"Status": "PENDING"}
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
