"""Callbacks and wait_for_callback (scenarios C-01..C-14)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    CallbackDetails,
    CallbackError,
    ErrorObject,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from durable_lambda_context import (
    CallbackConfig,
    DurableContext,
    Duration,
    RetryPresets,
    WaitForCallbackConfig,
    WaitForCallbackContext,
    durable_execution,
    durable_wait_for_callback,
)
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_serdes import JsonSerDes

ID1, ID2 = operation_id(None, 1), operation_id(None, 2)
ID1_1, ID1_2 = operation_id(ID1, 1), operation_id(ID1, 2)


def approval_handler(config: CallbackConfig) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        callback = context.create_callback(name="example_callback", config=config)
        context.step(lambda _: callback.callback_id, name="send")
        return {"status": "completed", "result": callback.result()}

    return handler


def test_create_callback_and_receive_the_raw_string(service: Any) -> None:
    handler = approval_handler(
        CallbackConfig(timeout=Duration.from_minutes(2), heartbeat_timeout=Duration(60))
    )
    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.calls[0][0].to_dict() == {
        "Id": ID1,
        "Type": "CALLBACK",
        "Action": "START",
        "Name": "example_callback",
        "SubType": "Callback",
        "CallbackOptions": {"TimeoutSeconds": 120, "HeartbeatTimeoutSeconds": 60},
    }
    assert len(service.calls[0]) == 1
    assert service.wire()[2]["Payload"] == '"callback-1"'

    service.complete_callback("example_callback", '{"status": "approved", "amount": 1000}')
    assert service.result_of(service.invoke(handler)) == {
        "status": "completed",
        "result": '{"status": "approved", "amount": 1000}',
    }
    assert len(service.updates) == 3


def test_callback_with_json_serdes(service: Any) -> None:
    handler = approval_handler(CallbackConfig(serdes=JsonSerDes()))
    service.invoke(handler)
    service.complete_callback("example_callback", '{"status": "approved", "amount": 1000}')
    assert service.result_of(service.invoke(handler))["result"] == {
        "status": "approved",
        "amount": 1000,
    }


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ErrorObject("Insufficient funds", "PaymentDeclined", None, None), "Insufficient funds"),
        (None, "Callback failed"),
    ],
)
def test_callback_failure_raises_callback_error(
    service: Any, error: ErrorObject | None, message: str
) -> None:
    handler = approval_handler(CallbackConfig())
    service.invoke(handler)
    service.fail_callback("example_callback", error)
    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": message, "ErrorType": "CallbackError"},
    }


def test_callback_timeout_raises_with_the_callback_id(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        callback = context.create_callback(
            name="c", config=CallbackConfig(timeout=Duration.from_seconds(30))
        )
        try:
            return callback.result()
        except CallbackError as error:
            return {"err": str(error), "id": error.callback_id}

    assert service.invoke(handler) == {"Status": "PENDING"}
    service.fail_callback(
        "c",
        ErrorObject("Callback timed out", "Callback.Timeout", None, None),
        status=OperationStatus.TIMED_OUT,
    )
    assert service.result_of(service.invoke(handler)) == {
        "err": "Callback timed out",
        "id": "callback-1",
    }


def test_create_and_return_the_id(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        callback = context.create_callback(
            name="timeout_callback",
            config=CallbackConfig(timeout=Duration(60), heartbeat_timeout=Duration(30)),
        )
        return f"Callback created with 60s timeout: {callback.callback_id}"

    assert service.result_of(service.invoke(handler)) == (
        "Callback created with 60s timeout: callback-1"
    )
    assert service.wire()[0]["CallbackOptions"] == {
        "TimeoutSeconds": 60,
        "HeartbeatTimeoutSeconds": 30,
    }


def test_default_callback_options(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.create_callback().callback_id

    service.invoke(handler)
    wire = service.wire()[0]
    assert "Name" not in wire
    assert wire["CallbackOptions"] == {"TimeoutSeconds": 0, "HeartbeatTimeoutSeconds": 0}


def test_two_callbacks_awaited_in_order(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        credit = context.create_callback(
            name="credit_check", config=CallbackConfig(timeout=Duration.from_minutes(5))
        )
        fraud = context.create_callback(
            name="fraud_check", config=CallbackConfig(timeout=Duration.from_minutes(3))
        )
        context.step(lambda _: [credit.callback_id, fraud.callback_id], name="send")
        return [credit.result(), fraud.result()]

    assert service.invoke(handler) == {"Status": "PENDING"}
    timeouts = [u.callback_options.timeout_seconds for u in service.updates if u.callback_options]
    assert timeouts == [300, 180]
    service.complete_callback("credit_check", "ok")
    assert service.invoke(handler) == {"Status": "PENDING"}
    service.complete_callback("fraud_check", "clean")
    assert service.result_of(service.invoke(handler)) == ["ok", "clean"]


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


def test_callback_in_a_child_context(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(
            lambda child: child.create_callback(name="inner").result(), name="wrap"
        )

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary() == [
        ("CONTEXT", "RunInChildContext", "START", "wrap"),
        ("CALLBACK", "Callback", "START", "inner"),
    ]
    assert service.updates[1].parent_id == ID1
    service.complete_callback("inner", "yes")
    assert service.result_of(service.invoke(handler)) == "yes"
    succeed = service.wire()[-1]
    assert succeed["Action"] == "SUCCEED"
    assert succeed["Payload"] == '"yes"'
    assert succeed["ContextOptions"] == {"ReplayChildren": False}


submitted: list[tuple[str, int, str]] = []


@durable_wait_for_callback
def submit_task(
    callback_id: str, ctx: WaitForCallbackContext, task_name: str, priority: int
) -> None:
    ctx.logger.info("submitting")
    submitted.append((task_name, priority, callback_id))


def test_wait_for_callback_with_the_decorator(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    submitted.clear()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(
            submit_task("my_task", priority=5),
            config=WaitForCallbackConfig(timeout=Duration.from_minutes(1)),
        )

    with caplog.at_level(logging.INFO):
        assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary() == [
        ("CONTEXT", "WaitForCallback", "START", "submit_task"),
        ("CALLBACK", "Callback", "START", "submit_task create callback id"),
        ("STEP", "Step", "START", "submit_task submitter"),
        ("STEP", "Step", "SUCCEED", "submit_task submitter"),
    ]
    wire = service.wire()
    assert wire[1]["Id"] == ID1_1
    assert wire[1]["ParentId"] == ID1
    assert wire[1]["CallbackOptions"] == {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 0}
    assert (wire[3]["Id"], wire[3]["Payload"]) == (ID1_2, "null")
    assert submitted == [("my_task", 5, "callback-1")]

    record = next(r for r in caplog.records if r.getMessage() == "submitting")
    assert record.__dict__["executionArn"].endswith(service.execution.operation_id)
    assert record.__dict__["parentId"] == ID1
    assert record.__dict__["operationName"] == "submit_task submitter"
    assert record.__dict__["attempt"] == 1
    assert record.__dict__["operationId"] == ID1_2

    service.complete_callback("submit_task create callback id", "ok")
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": '"ok"'}
    assert service.wire()[-1] == {
        "Id": ID1,
        "Type": "CONTEXT",
        "Action": "SUCCEED",
        "Name": "submit_task",
        "SubType": "WaitForCallback",
        "Payload": '"ok"',
        "ContextOptions": {"ReplayChildren": False},
    }
    assert len(submitted) == 1


def test_anonymous_submitter(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(lambda callback_id, ctx: None)

    service.invoke(handler)
    assert [name for *_, name in service.summary()] == [
        None,
        "create callback id",
        "submitter",
        "submitter",
    ]


def test_failing_submitter(service: Any) -> None:
    def submitter(callback_id: str, ctx: WaitForCallbackContext) -> None:
        raise RuntimeError("queue down")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return context.wait_for_callback(
                submitter,
                name="w",
                config=WaitForCallbackConfig(retry_strategy=RetryPresets.none()),
            )
        except CallableRuntimeError as error:
            return {"type": error.error_type, "message": error.message}

    assert service.result_of(service.invoke(handler)) == {
        "type": "CallableRuntimeError",
        "message": "queue down",
    }
    wire = service.wire()
    assert wire[3]["Action"] == "FAIL"
    assert wire[3]["Error"]["ErrorType"] == "RuntimeError"
    assert wire[4]["Action"] == "FAIL"
    assert wire[4]["Error"] == {"ErrorMessage": "queue down", "ErrorType": "CallableRuntimeError"}


def test_wait_for_callback_timing_out(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return context.wait_for_callback(lambda callback_id, ctx: None, name="w")
        except CallableRuntimeError as error:
            return {"fallback": True, "type": error.error_type}

    service.invoke(handler)
    service.fail_callback(
        "w create callback id",
        ErrorObject("Callback timed out", "Callback.Timeout", None, None),
        status=OperationStatus.TIMED_OUT,
    )
    assert service.result_of(service.invoke(handler)) == {"fallback": True, "type": "CallbackError"}
    assert service.wire()[-1]["Error"] == {
        "ErrorMessage": "Callback timed out",
        "ErrorType": "CallbackError",
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
