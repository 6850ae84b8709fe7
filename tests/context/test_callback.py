"""Callbacks: what the scenarios (tests/durable_lambda/scenarios/test_callbacks.py)
cannot show: hand-made records and a callback the service completes at once."""

from __future__ import annotations

from typing import Any

from durable_lambda_client import (
    CallbackDetails,
    CallbackError,
    ErrorObject,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from durable_lambda_context import DurableContext, durable_execution
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)


def test_deferred_failure_keeps_replay_deterministic(service: Any) -> None:
    service.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.CALLBACK,
        status=OperationStatus.FAILED,
        name="c",
        sub_type=OperationSubType.CALLBACK,
        callback_details=CallbackDetails(
            callback_id="cb-9", error=ErrorObject("declined", None, None, None)
        ),
    )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        callback = context.create_callback(name="c")
        between = context.step(lambda _: "between", name="between")
        try:
            callback.result()
        except CallbackError:
            return between
        return "unexpected"

    assert service.result_of(service.invoke(handler)) == "between"
    assert service.summary() == [
        ("STEP", "Step", "START", "between"),
        ("STEP", "Step", "SUCCEED", "between"),
    ]


def test_callback_result_without_record_and_missing_details(service: Any) -> None:
    from durable_lambda_context import Callback

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        orphan: Callback[Any] = Callback("cb-x", "no-such-operation", context.state)
        try:
            orphan.result()
        except CallbackError as error:
            return f"{error} {error.callback_id}"
        return "unexpected"

    assert service.result_of(service.invoke(handler)) == "Callback operation must exist cb-x"

    fresh = type(service)()
    fresh.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.CALLBACK,
        status=OperationStatus.STARTED,
        sub_type=OperationSubType.CALLBACK,
    )

    @durable_execution
    def broken(event: Any, context: DurableContext) -> str:
        return context.create_callback().callback_id

    assert fresh.invoke(broken) == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": f"Missing callback details for operation: {ID1}",
            "ErrorType": "CallbackError",
        },
    }


def test_double_check_sees_a_callback_completed_at_once(service: Any) -> None:
    import dataclasses

    def deliver_at_once(operation: Operation) -> Operation:
        if operation.operation_type is OperationType.CALLBACK and operation.callback_details:
            details = dataclasses.replace(operation.callback_details, result="instant")
            return dataclasses.replace(
                operation, status=OperationStatus.SUCCEEDED, callback_details=details
            )
        return operation

    service.on_apply = deliver_at_once

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.create_callback(name="fast").result()

    assert service.result_of(service.invoke(handler)) == "instant"
    assert service.invocations == 1
