"""Steps: checkpoint sequence, replay, retries, semantics, serdes (scenarios S-01..S-17)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from typing import Any

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    ExecutionError,
    OperationAction,
    OperationStatus,
    StepInterruptedError,
)
from durable_lambda_context import (
    DurableContext,
    Duration,
    JitterStrategy,
    RetryPresets,
    RetryStrategyConfig,
    StepConfig,
    StepContext,
    StepSemantics,
    create_retry_strategy,
    durable_execution,
    durable_step,
)
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_serdes import JsonSerDes, PassThroughSerDes, SerDes, SerDesContext

ID1, ID2, ID3 = (operation_id(None, n) for n in (1, 2, 3))


@durable_step
def add_numbers(step_context: StepContext, a: int, b: int) -> int:
    calls.append("add")
    return a + b


calls: list[str] = []


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    calls.clear()


def test_decorated_step_records_start_and_succeed_then_replays(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        return context.step(add_numbers(5, 3))

    output = service.invoke(handler)
    assert output == {"Status": "SUCCEEDED", "Result": "8"}
    assert service.summary() == [
        ("STEP", "Step", "START", "add_numbers"),
        ("STEP", "Step", "SUCCEED", "add_numbers"),
    ]
    assert service.wire()[1] == {
        "Id": ID1,
        "Type": "STEP",
        "Action": "SUCCEED",
        "Name": "add_numbers",
        "SubType": "Step",
        "Payload": "8",
    }
    # Replay: the body is not called, nothing is checkpointed.
    updates_before = len(service.updates)
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "8"}
    assert calls == ["add"]
    assert len(service.updates) == updates_before


def test_explicit_name_and_unnamed_lambda(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        result = context.step(lambda _: "Step with explicit name", name="custom_step")
        context.step(lambda _: 1)
        return f"Result: {result}"

    assert service.result_of(service.invoke(handler)) == "Result: Step with explicit name"
    wire = service.wire()
    assert wire[1]["Name"] == "custom_step"
    assert wire[1]["Payload"] == '"Step with explicit name"'
    assert "Name" not in wire[2]
    assert "Name" not in wire[3]


def test_sequential_steps_resume_after_an_interrupted_step(new_service: Any) -> None:
    service = new_service()

    @durable_step
    def fetch_user(step_context: StepContext, user_id: str) -> dict[str, str]:
        calls.append("fetch")
        return {"user_id": user_id, "name": "Jane Doe", "email": "jane_doe@example.com"}

    @durable_step
    def validate_user(step_context: StepContext, user: dict[str, str]) -> bool:
        calls.append("validate")
        return True

    @durable_step
    def send_notification(step_context: StepContext, user: dict[str, str]) -> bool:
        calls.append("notify")
        return True

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        user = context.step(fetch_user("u1"))
        context.step(validate_user(user))
        sent = context.step(send_notification(user))
        return {"status": "completed", "user_id": user["user_id"], "notification_sent": sent}

    assert service.result_of(service.invoke(handler))["notification_sent"] is True
    assert service.wire()[1]["Payload"] == (
        '{"t":"m","v":{"user_id":{"t":"s","v":"u1"},"name":{"t":"s","v":"Jane Doe"},'
        '"email":{"t":"s","v":"jane_doe@example.com"}}}'
    )

    # A crash inside validate_user: #2 stays STARTED, #3 never ran.
    crashed = new_service()
    first = service.operations[ID1]
    second = service.operations[ID2]
    crashed.operations[ID1] = first
    crashed.operations[ID2] = dataclasses.replace(
        second, status=OperationStatus.STARTED, step_details=None
    )
    calls.clear()
    assert crashed.result_of(crashed.invoke(handler))["status"] == "completed"
    assert calls == ["validate", "notify"]
    assert crashed.summary() == [
        ("STEP", "Step", "SUCCEED", "validate_user"),
        ("STEP", "Step", "START", "send_notification"),
        ("STEP", "Step", "SUCCEED", "send_notification"),
    ]


def raise_value_error(_: StepContext) -> Any:
    raise ValueError("bad")


def test_failing_step_without_retries(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(
            raise_value_error, name="fails", config=StepConfig(retry_strategy=RetryPresets.none())
        )

    output = service.invoke(handler)
    assert output == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "bad", "ErrorType": "CallableRuntimeError"},
    }
    assert service.wire()[1]["Error"] == {"ErrorMessage": "bad", "ErrorType": "ValueError"}
    assert [u.action for u in service.updates] == [OperationAction.START, OperationAction.FAIL]

    seen: list[CallableRuntimeError] = []

    @durable_execution
    def replay(event: Any, context: DurableContext) -> str:
        try:
            context.step(lambda _: calls.append("ran"), name="fails")
        except CallableRuntimeError as error:
            seen.append(error)
        return "caught"

    assert service.result_of(service.invoke(replay)) == "caught"
    assert calls == []
    assert (seen[0].message, seen[0].error_type) == ("bad", "ValueError")


def test_default_strategy_retries_six_times_then_fails(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.step(lambda _: "one", name="step1")
        context.step(lambda _: "two", name="step2")

        def step3(_: StepContext) -> None:
            calls.append("step3")
            raise RuntimeError("Step 3 failed")

        return context.step(step3, name="step3")

    output = service.run(handler)
    assert output == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "Step 3 failed", "ErrorType": "CallableRuntimeError"},
    }
    assert calls == ["step3"] * 6
    step3 = [u for u in service.updates if u.name == "step3"]
    assert [u.action.value for u in step3] == ["START", "RETRY"] * 5 + ["START", "FAIL"]
    retries = [u for u in step3 if u.action is OperationAction.RETRY]
    for attempt, update in enumerate(retries, start=1):
        assert update.step_options is not None
        delay = update.step_options.next_attempt_delay_seconds
        assert 1 <= delay <= min(5 * 2 ** (attempt - 1), 60)
        assert update.error is not None
        assert update.error.to_dict() == {
            "ErrorMessage": "Step 3 failed",
            "ErrorType": "RuntimeError",
        }
    assert service.invocations == 6


def test_retry_until_success_with_exact_delays(service: Any) -> None:
    attempts: list[int] = []

    def unreliable(_: StepContext) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("Transient error")
        return "Operation succeeded"

    strategy = create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=5,
            retryable_error_types=[RuntimeError],
            jitter_strategy=JitterStrategy.NONE,
            initial_delay=Duration.from_seconds(2),
        )
    )

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(unreliable, name="unreliable", config=StepConfig(strategy))

    assert service.result_of(service.run(handler)) == "Operation succeeded"
    assert len(attempts) == 3
    delays = [
        u.step_options.next_attempt_delay_seconds
        for u in service.updates
        if u.action is OperationAction.RETRY and u.step_options is not None
    ]
    assert delays == [2, 4]
    assert [u.action.value for u in service.updates] == [
        "START", "RETRY", "START", "RETRY", "START", "SUCCEED",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("config", "message", "retried"),
    [
        (RetryStrategyConfig(max_attempts=3, retryable_error_types=[RuntimeError]), "nope", False),
        (RetryStrategyConfig(retryable_errors=["timeout"]), "read timeout", True),
        (RetryStrategyConfig(retryable_errors=["timeout"]), "boom", False),
        (RetryStrategyConfig(retryable_errors=[re.compile(r"^HTTP 5\d\d")]), "HTTP 503", True),
        (
            RetryStrategyConfig(retryable_errors=[re.compile(r"^HTTP 5\d\d")]),
            "error HTTP 503",
            False,
        ),
        (RetryStrategyConfig(), "anything", True),
    ],
)
def test_retry_filters_decide_retry_or_fail(
    service: Any, config: RetryStrategyConfig, message: str, retried: bool
) -> None:
    error_type = ValueError if "nope" in message else RuntimeError

    def failing(_: StepContext) -> None:
        raise error_type(message)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.step(failing, name="s", config=StepConfig(create_retry_strategy(config)))

    output = service.invoke(handler)
    actions = [u.action for u in service.updates]
    if retried:
        assert output == {"Status": "PENDING"}
        assert actions == [OperationAction.START, OperationAction.RETRY]
    else:
        assert output["Status"] == "FAILED"
        assert actions == [OperationAction.START, OperationAction.FAIL]


def test_caught_step_error_is_callable_runtime_error(service: Any) -> None:
    @durable_step
    def process_order(step_context: StepContext, order_id: str | None) -> None:
        raise ValueError("Order ID is required")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return context.step(process_order(event.get("order_id")))
        except ValueError as error:  # never matches: the step raises CallableRuntimeError
            return {"error": "InvalidInput", "message": str(error)}

    assert service.run(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "Order ID is required", "ErrorType": "CallableRuntimeError"},
    }

    @durable_execution
    def catching(event: Any, context: DurableContext) -> Any:
        try:
            return context.step(process_order(None))
        except CallableRuntimeError as error:
            return {"type": error.error_type}

    fresh = type(service)()
    assert fresh.result_of(fresh.run(catching)) == {"type": "ValueError"}


def test_execution_error_in_a_step_skips_retries_and_checkpoints(service: Any) -> None:
    def charge(_: StepContext) -> None:
        raise ExecutionError("Invalid card number")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, str]:
        try:
            context.step(charge, name="charge")
        except ExecutionError as error:
            return {"status": "failed", "error": str(error)}
        return {"status": "ok"}

    assert service.result_of(service.invoke(handler)) == {
        "status": "failed",
        "error": "Invalid card number",
    }
    assert service.summary() == [("STEP", "Step", "START", "charge")]

    def fatal(_: StepContext) -> None:
        raise ExecutionError("fatal")

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> None:
        context.step(fatal)

    fresh = type(service)()
    assert fresh.invoke(uncaught) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "fatal", "ErrorType": "ExecutionError"},
    }


def test_at_most_once_start_is_durable_before_the_body_runs(service: Any) -> None:
    seen_before_body: list[int] = []

    @durable_step
    def charge_credit_card(step_context: StepContext, amount: float) -> str:
        seen_before_body.append(len(service.calls))
        return "charged"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(
            charge_credit_card(100.0),
            config=StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY),
        )

    assert service.result_of(service.invoke(handler)) == "charged"
    assert seen_before_body == [1]
    assert [[u.action.value for u in call] for call in service.calls] == [["START"], ["SUCCEED"]]


def _interrupted_service(new_service: Any) -> Any:
    from durable_lambda_client import Operation, OperationSubType, OperationType, StepDetails

    service = new_service()
    service.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.STEP,
        status=OperationStatus.STARTED,
        name="charge_credit_card",
        sub_type=OperationSubType.STEP,
        step_details=StepDetails(attempt=0),
    )
    return service


def test_interrupted_at_most_once_step_is_retried_not_rerun(new_service: Any) -> None:
    service = _interrupted_service(new_service)

    @durable_step
    def charge_credit_card(step_context: StepContext, amount: float) -> str:
        calls.append("charge")
        return "charged"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(
            charge_credit_card(100.0),
            config=StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY),
        )

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert calls == []
    retry = service.wire()[0]
    assert retry["Action"] == "RETRY"
    assert retry["Error"] == {
        "ErrorMessage": (
            f"Step operation_id={ID1} name=charge_credit_card was previously interrupted"
        ),
        "ErrorType": "StepInterruptedError",
    }
    service.advance()
    assert service.result_of(service.invoke(handler)) == "charged"
    assert [[u.action.value for u in call] for call in service.calls] == [
        ["RETRY"],
        ["START"],
        ["SUCCEED"],
    ]


def test_interrupted_at_most_once_step_without_retry_fails_the_invocation(
    new_service: Any,
) -> None:
    service = _interrupted_service(new_service)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(
            lambda _: "never",
            name="charge_credit_card",
            config=StepConfig(
                retry_strategy=RetryPresets.none(),
                step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
            ),
        )

    with pytest.raises(StepInterruptedError):
        service.invoke(handler)
    assert service.wire()[0]["Action"] == "FAIL"
    # Lambda retries the invocation: the step is now FAILED.
    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": f"Step operation_id={ID1} name=charge_credit_card was previously "
            "interrupted",
            "ErrorType": "CallableRuntimeError",
        },
    }


def test_interrupted_at_least_once_step_runs_again_without_start(new_service: Any) -> None:
    service = _interrupted_service(new_service)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda _: "again", name="charge_credit_card")

    assert service.result_of(service.invoke(handler)) == "again"
    assert [u.action.value for u in service.updates] == ["SUCCEED"]


def test_step_returning_none(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        return context.step(lambda _: None, name="n")

    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "null"}
    assert service.wire()[1]["Payload"] == "null"
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "null"}


class EncryptedSerDes(SerDes[Any]):
    def __init__(self) -> None:
        self.contexts: list[SerDesContext] = []

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return base64.b64encode(json.dumps(value).encode()).decode()

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        self.contexts.append(serdes_context)
        return json.loads(base64.b64decode(data))


def test_custom_step_serdes(service: Any) -> None:
    serdes = EncryptedSerDes()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: {"processed": True}, config=StepConfig(serdes=serdes))

    assert service.result_of(service.invoke(handler)) == {"processed": True}
    assert service.wire()[1]["Payload"] == "eyJwcm9jZXNzZWQiOiB0cnVlfQ=="
    assert service.result_of(service.invoke(handler)) == {"processed": True}
    assert serdes.contexts[-1].operation_id == ID1
    assert serdes.contexts[-1].durable_execution_arn.endswith(
        "/run/" + service.execution.operation_id
    )


def test_unserializable_step_result(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: {1, 2}, name="bad")

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": f"Serialization failed for id: {ID1}, error: Unsupported type: "
            "<class 'set'>.",
            "ErrorType": "ExecutionError",
        },
    }
    assert service.summary() == [("STEP", "Step", "START", "bad")]


def test_json_and_pass_through_step_serdes(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        a = context.step(lambda _: '{"k": 1}', config=StepConfig(serdes=JsonSerDes()))
        b = context.step(lambda _: '{"k": 1}', config=StepConfig(serdes=PassThroughSerDes()))
        return [a, b]

    assert service.result_of(service.invoke(handler)) == ['{"k": 1}', '{"k": 1}']
    payloads = [u.payload for u in service.updates if u.action is OperationAction.SUCCEED]
    assert payloads == ['"{\\"k\\": 1}"', '{"k": 1}']
    assert service.result_of(service.invoke(handler)) == ['{"k": 1}', '{"k": 1}']


def test_non_deterministic_values_are_fixed_by_steps(service: Any) -> None:
    import random
    import time

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        timestamp = context.step(lambda _: time.time(), name="timestamp")
        request_id = context.step(lambda _: random.random(), name="request_id")
        context.wait(Duration.from_seconds(1))
        return {"timestamp": timestamp, "request_id": request_id}

    assert service.invoke(handler) == {"Status": "PENDING"}
    recorded = [float(u.payload) for u in service.updates if u.action is OperationAction.SUCCEED]
    service.advance()
    result = service.result_of(service.invoke(handler))
    assert [result["timestamp"], result["request_id"]] == recorded


def test_a_retry_delay_under_one_second_is_clamped(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from durable_lambda_context import RetryDecision

    def failing(_: StepContext) -> None:
        raise RuntimeError("again")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.step(
            failing,
            name="s",
            config=StepConfig(
                retry_strategy=lambda error, attempt: RetryDecision.retry(Duration())
            ),
        )

    assert service.invoke(handler) == {"Status": "PENDING"}
    retry = service.updates[-1]
    assert retry.step_options is not None
    assert (retry.action.value, retry.step_options.next_attempt_delay_seconds) == ("RETRY", 1)
    assert any("using the minimum of 1s" in r.getMessage() for r in caplog.records)
