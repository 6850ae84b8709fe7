"""D. Callbacks and wait_for_callback (C-01..C-14), on both backends."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from durable_lambda import (
    CallableRuntimeError,
    CallbackError,
    DurableContext,
    durable_execution,
    durable_wait_for_callback,
)
from durable_lambda.config import CallbackConfig, Duration, WaitForCallbackConfig
from durable_lambda.execution import InvocationStatus
from durable_lambda.lambda_service import ErrorObject
from durable_lambda.retries import RetryPresets
from durable_lambda.serdes import JsonSerDes
from durable_lambda.types import WaitForCallbackContext

from .conftest import ID1, ID1_1, ID1_2, ID2, ID3, flat

APPROVED = b'{"status": "approved", "amount": 1000}'


def approval_handler(config: CallbackConfig) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        callback = context.create_callback(name="example_callback", config=config)
        context.step(lambda _: callback.callback_id, name="send")
        return {"status": "completed", "result": callback.result()}

    return handler


def test_c01_create_a_callback_and_receive_the_raw_string(scenario: Any) -> None:
    run = scenario(
        approval_handler(
            CallbackConfig(timeout=Duration.from_minutes(2), heartbeat_timeout=Duration(60))
        )
    )
    arn = run.start()
    callback_id = run.callback_id(arn, "example_callback")
    assert run.outputs == [{"Status": "PENDING"}]
    assert run.wire(0)[0] == {
        "Id": ID1,
        "Type": "CALLBACK",
        "Action": "START",
        "Name": "example_callback",
        "SubType": "Callback",
        "CallbackOptions": {"TimeoutSeconds": 120, "HeartbeatTimeoutSeconds": 60},
    }
    assert run.summary(0)[1:] == [
        ("STEP", "Step", "START", "send"),
        ("STEP", "Step", "SUCCEED", "send"),
    ]
    assert run.wire(0)[2]["Payload"] == f'"{callback_id}"'
    # The START is a call of its own: the id exists before the step can send it.
    assert [u.to_dict() for u in run.calls[0]] == run.wire(0)[:1]
    run.send_callback_success(callback_id, APPROVED)
    result = run.finish(arn)
    assert result.value == {"status": "completed", "result": APPROVED.decode()}
    assert run.invocations[1] == []
    callback = result.get_callback("example_callback")
    assert (callback.callback_id, callback.status.value) == (callback_id, "SUCCEEDED")


def test_c02_callback_with_a_json_serdes(scenario: Any) -> None:
    run = scenario(approval_handler(CallbackConfig(serdes=JsonSerDes())))
    arn = run.start()
    run.send_callback_success(run.callback_id(arn, "example_callback"), APPROVED)
    assert run.finish(arn).value["result"] == {"status": "approved", "amount": 1000}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ErrorObject("Insufficient funds", "PaymentDeclined", None, None), "Insufficient funds"),
        (None, "Callback failed"),
    ],
)
def test_c03_callback_failure(scenario: Any, error: ErrorObject | None, message: str) -> None:
    caught: list[CallbackError] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        callback = context.create_callback(name="payment")
        try:
            return callback.result()
        except CallbackError as failure:
            caught.append(failure)
            raise

    run = scenario(handler)
    arn = run.start()
    callback_id = run.callback_id(arn, "payment")
    run.send_callback_failure(callback_id, error)
    result = run.finish(arn)
    assert run.outputs[-1] == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": message, "ErrorType": "CallbackError"},
    }
    assert result.status is InvocationStatus.FAILED
    assert caught[0].callback_id == callback_id


def test_c04_callback_timeout_raises_callback_error(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        callback = context.create_callback(
            name="c", config=CallbackConfig(timeout=Duration.from_seconds(30))
        )
        try:
            return callback.result()
        except CallbackError as error:
            return {"err": str(error), "id": error.callback_id}

    run = scenario(handler)
    result = run.run()
    callback = result.get_callback("c")
    assert callback.status.value == "TIMED_OUT"
    assert callback.error is not None
    assert callback.error.type == "Callback.Timeout"
    assert result.value == {"err": callback.error.message, "id": callback.callback_id}


def test_c05_create_and_return_the_id(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        callback = context.create_callback(
            name="timeout_callback",
            config=CallbackConfig(timeout=Duration(60), heartbeat_timeout=Duration(30)),
        )
        return f"Callback created with 60s timeout: {callback.callback_id}"

    run = scenario(handler)
    result = run.run()
    callback_id = result.get_callback("timeout_callback").callback_id
    assert result.value == f"Callback created with 60s timeout: {callback_id}"
    assert run.wire() == [
        {
            "Id": ID1,
            "Type": "CALLBACK",
            "Action": "START",
            "Name": "timeout_callback",
            "SubType": "Callback",
            "CallbackOptions": {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 30},
        }
    ]
    assert len(run.invocations) == 1


def test_c06_default_callback_options(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.create_callback().callback_id

    run = scenario(handler)
    run.run()
    assert run.wire() == [
        {
            "Id": ID1,
            "Type": "CALLBACK",
            "Action": "START",
            "SubType": "Callback",
            "CallbackOptions": {"TimeoutSeconds": 0, "HeartbeatTimeoutSeconds": 0},
        }
    ]


def test_c07_two_callbacks_awaited_in_order(scenario: Any) -> None:
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

    run = scenario(handler)
    arn = run.start()
    credit = run.callback_id(arn, "credit_check")
    fraud = run.callback_id(arn, "fraud_check")
    assert [(w["Id"], w["Name"], w["CallbackOptions"]) for w in run.wire(0)[:2]] == [
        (ID1, "credit_check", {"TimeoutSeconds": 300, "HeartbeatTimeoutSeconds": 0}),
        (ID2, "fraud_check", {"TimeoutSeconds": 180, "HeartbeatTimeoutSeconds": 0}),
    ]
    run.send_callback_success(credit, b"ok")
    assert run.run_until(lambda: len(run.outputs) == 2)
    assert run.outputs == [{"Status": "PENDING"}] * 2
    run.send_callback_success(fraud, b"clean")
    assert run.finish(arn).value == ["ok", "clean"]


def test_c08_deferred_failure_keeps_replay_deterministic(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        callback = context.create_callback(name="c")
        context.wait(Duration(1), name="pause")
        between = context.step(lambda _: "between", name="between")
        try:
            callback.result()
        except CallbackError:
            return between
        return "unexpected"

    run = scenario(handler)
    arn = run.start()
    run.send_callback_failure(run.callback_id(arn, "c"), ErrorObject("declined", None, None, None))
    result = run.finish(arn)
    # create_callback returns normally from the FAILED record (no new START); the
    # step between creation and result() runs; result() raises.
    assert result.value == "between"
    assert run.summary() == [
        ("CALLBACK", "Callback", "START", "c"),
        ("WAIT", "Wait", "START", "pause"),
        ("STEP", "Step", "START", "between"),
        ("STEP", "Step", "SUCCEED", "between"),
    ]
    assert run.updates[2].operation_id == ID3


def test_c09_callback_in_a_child_context(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(
            lambda child: child.create_callback(name="inner").result(), name="wrap"
        )

    run = scenario(handler)
    arn = run.start()
    callback_id = run.callback_id(arn, "inner")
    assert run.summary(0) == [
        ("CONTEXT", "RunInChildContext", "START", "wrap"),
        ("CALLBACK", "Callback", "START", "inner"),
    ]
    assert (run.wire(0)[1]["Id"], run.wire(0)[1]["ParentId"]) == (ID1_1, ID1)
    run.send_callback_success(callback_id, b"yes")
    result = run.finish(arn)
    assert result.value == "yes"
    assert run.wire(1) == [
        {
            "Id": ID1,
            "Type": "CONTEXT",
            "Action": "SUCCEED",
            "Name": "wrap",
            "SubType": "RunInChildContext",
            "Payload": '"yes"',
            "ContextOptions": {"ReplayChildren": False},
        }
    ]


submitted: list[tuple[str, int, str]] = []


@durable_wait_for_callback
def submit_task(
    callback_id: str, ctx: WaitForCallbackContext, task_name: str, priority: int
) -> None:
    ctx.logger.info("submitting")
    submitted.append((task_name, priority, callback_id))


def test_c10_c14_wait_for_callback_with_the_decorator(
    scenario: Any, caplog: pytest.LogCaptureFixture
) -> None:
    submitted.clear()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(
            submit_task("my_task", priority=5),
            config=WaitForCallbackConfig(timeout=Duration.from_minutes(1)),
        )

    run = scenario(handler)
    with caplog.at_level(logging.INFO):
        arn = run.start()
        callback_id = run.callback_id(arn, "submit_task")
    assert run.summary(0) == [
        ("CONTEXT", "WaitForCallback", "START", "submit_task"),
        ("CALLBACK", "Callback", "START", "submit_task create callback id"),
        ("STEP", "Step", "START", "submit_task submitter"),
        ("STEP", "Step", "SUCCEED", "submit_task submitter"),
    ]
    wire = run.wire(0)
    assert (wire[1]["Id"], wire[1]["ParentId"]) == (ID1_1, ID1)
    assert wire[1]["CallbackOptions"] == {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 0}
    assert (wire[3]["Id"], wire[3]["ParentId"], wire[3]["Payload"]) == (ID1_2, ID1, "null")
    assert submitted == [("my_task", 5, callback_id)]
    # C-14: the submitter's context carries the submitter step's logger.
    record = next(r for r in caplog.records if r.getMessage() == "submitting")
    assert record.__dict__["executionArn"] == arn
    assert record.__dict__["parentId"] == ID1
    assert record.__dict__["operationName"] == "submit_task submitter"
    assert record.__dict__["attempt"] == 1
    assert record.__dict__["operationId"] == ID1_2

    run.send_callback_success(callback_id, b'"ok"')
    result = run.finish(arn)
    assert result.result == '"\\"ok\\""'
    assert run.wire(1) == [
        {
            "Id": ID1,
            "Type": "CONTEXT",
            "Action": "SUCCEED",
            "Name": "submit_task",
            "SubType": "WaitForCallback",
            "Payload": '"\\"ok\\""',
            "ContextOptions": {"ReplayChildren": False},
        }
    ]
    assert len(submitted) == 1
    assert [op.name for op in result.get_context("submit_task").child_operations] == [
        "submit_task create callback id",
        "submit_task submitter",
    ]


def test_c11_anonymous_submitter(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(lambda callback_id, ctx: None)

    run = scenario(handler)
    arn = run.start()
    run.send_callback_success(run.callback_id(arn, "create callback id"), b"x")
    assert run.finish(arn).value == "x"
    assert [name for *_, name in run.summary(0)] == [
        None,
        "create callback id",
        "submitter",
        "submitter",
    ]
    assert run.summary(0)[0][:3] == ("CONTEXT", "WaitForCallback", "START")


def test_c12_submitter_failing(scenario: Any) -> None:
    def submitter(callback_id: str, ctx: WaitForCallbackContext) -> None:
        raise RuntimeError("queue down")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_callback(
            submitter, name="w", config=WaitForCallbackConfig(retry_strategy=RetryPresets.none())
        )

    run = scenario(handler)
    result = run.run()
    wire = run.wire()
    assert (wire[3]["Id"], wire[3]["Action"], wire[3]["Error"]["ErrorType"]) == (
        ID1_2,
        "FAIL",
        "RuntimeError",
    )
    assert (wire[4]["Id"], wire[4]["Action"], wire[4]["Error"]) == (
        ID1,
        "FAIL",
        {"ErrorMessage": "queue down", "ErrorType": "CallableRuntimeError"},
    )
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "queue down")

    @durable_execution
    def catching(event: Any, context: DurableContext) -> Any:
        try:
            return handler.__wrapped__(event, context)
        except CallableRuntimeError as error:
            return {"type": error.error_type, "message": error.message}

    assert scenario(catching).run().value == {
        "type": "CallableRuntimeError",
        "message": "queue down",
    }


def test_c13_wait_for_callback_timing_out(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return context.wait_for_callback(
                lambda callback_id, ctx: None,
                name="w",
                config=WaitForCallbackConfig(timeout=Duration.from_seconds(30)),
            )
        except CallableRuntimeError as error:
            return {"fallback": True, "type": error.error_type, "message": error.message}

    run = scenario(handler)
    result = run.run()
    callback = result.get_context("w").get_callback("w create callback id")
    assert callback.status.value == "TIMED_OUT"
    assert callback.error is not None
    message = callback.error.message
    assert result.value == {"fallback": True, "type": "CallbackError", "message": message}
    fail = run.wire()[-1]
    assert (fail["Id"], fail["Action"], fail["Error"]) == (
        ID1,
        "FAIL",
        {"ErrorMessage": message, "ErrorType": "CallbackError"},
    )
    assert flat(result)[0] == ("CONTEXT", "WaitForCallback", "w", "FAILED")
