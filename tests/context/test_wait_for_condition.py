"""wait_for_condition (scenarios Q-01..Q-07)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from durable_lambda_client import CallableRuntimeError, ValidationError
from durable_lambda_context import (
    DurableContext,
    Duration,
    JitterStrategy,
    WaitForConditionCheckContext,
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
    durable_execution,
)
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_serdes import JsonSerDes

ID1 = operation_id(None, 1)


def threshold_strategy(attempts: list[int]) -> Any:
    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        attempts.append(attempt)
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(2))

    return strategy


def test_poll_until_a_threshold(service: Any) -> None:
    attempts: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy(attempts), initial_state=0)
        return context.wait_for_condition(lambda state, ctx: state + 1, config, name="poll")

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.wire() == [
        {
            "Id": ID1,
            "Type": "STEP",
            "Action": "START",
            "Name": "poll",
            "SubType": "WaitForCondition",
        },
        {
            "Id": ID1,
            "Type": "STEP",
            "Action": "RETRY",
            "Name": "poll",
            "SubType": "WaitForCondition",
            "Payload": "1",
            "StepOptions": {"NextAttemptDelaySeconds": 2},
        },
    ]
    service.advance()
    assert service.invoke(handler) == {"Status": "PENDING"}
    service.advance()
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "3"}
    assert [(u.action.value, u.payload) for u in service.updates] == [
        ("START", None),
        ("RETRY", "1"),
        ("START", None),
        ("RETRY", "2"),
        ("START", None),
        ("SUCCEED", "3"),
    ]
    assert attempts == [1, 2, 3]
    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "3"}


def test_condition_met_immediately(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=5)
        return context.wait_for_condition(lambda state, ctx: state, config)

    assert service.invoke(handler) == {"Status": "SUCCEEDED", "Result": "5"}
    assert [u.action.value for u in service.updates] == ["START", "SUCCEED"]


def polling_handler(max_attempts: int, done_at: int) -> Any:
    strategy = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda s: s["status"] != "done",
            max_attempts=max_attempts,
            initial_delay=Duration.from_seconds(5),
            backoff_rate=1.5,
            jitter_strategy=JitterStrategy.NONE,
        )
    )

    def check(state: dict[str, Any], ctx: WaitForConditionCheckContext) -> dict[str, Any]:
        polls = state["polls"] + 1
        return {"polls": polls, "status": "done" if polls >= done_at else "pending"}

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        config = WaitForConditionConfig(
            wait_strategy=strategy, initial_state={"polls": 0, "status": "pending"}
        )
        return context.wait_for_condition(check, config, name="job")

    return handler


def test_create_wait_strategy_exhausts_its_attempts(service: Any) -> None:
    output = service.run(polling_handler(max_attempts=3, done_at=10))
    assert output == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": "wait_for_condition exhausted 3 attempts before the condition was met",
            "ErrorType": "WaitForConditionError",
        },
    }
    delays = [u.step_options.next_attempt_delay_seconds for u in service.updates if u.step_options]
    assert delays == [5, 8]
    assert service.updates[-1].action.value == "FAIL"


def test_condition_met_on_the_last_attempt_succeeds(service: Any) -> None:
    assert service.result_of(service.run(polling_handler(max_attempts=3, done_at=3))) == {
        "polls": 3,
        "status": "done",
    }


def test_check_function_raises(service: Any) -> None:
    def check(state: int, ctx: WaitForConditionCheckContext) -> int:
        raise ValueError("probe failed")

    config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=0)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.wait_for_condition(check, config)

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "probe failed", "ErrorType": "ValueError"},
    }
    assert service.wire()[-1]["Error"] == {
        "ErrorMessage": "probe failed",
        "ErrorType": "ValueError",
    }

    @durable_execution
    def catching(event: Any, context: DurableContext) -> str:
        try:
            context.wait_for_condition(check, config)
        except CallableRuntimeError as error:
            return f"replayed {error.error_type}"
        except ValueError:
            return "first run"
        return "unexpected"

    assert service.result_of(service.invoke(catching)) == "replayed ValueError"
    fresh = type(service)()
    assert fresh.result_of(fresh.invoke(catching)) == "first run"


def test_validation_consumes_no_id(service: Any) -> None:
    config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=0)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        errors = []
        for check, cfg in ((None, config), (lambda s, c: s, None)):
            try:
                context.wait_for_condition(check, cfg)  # type: ignore[arg-type]
            except ValidationError as error:
                errors.append(str(error))
        context.step(lambda _: 1, name="after")
        return errors

    assert service.result_of(service.invoke(handler)) == [
        "`check` is required for wait_for_condition",
        "`config` is required for wait_for_condition",
    ]
    assert service.updates[0].operation_id == ID1


def test_state_serdes(service: Any) -> None:
    seen: list[Any] = []

    def check(state: dict[str, int], ctx: WaitForConditionCheckContext) -> dict[str, int]:
        seen.append(state)
        return {"n": state["n"] + 1}

    def strategy(state: dict[str, int], attempt: int) -> WaitForConditionDecision:
        if state["n"] >= 2:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration(1))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        config = WaitForConditionConfig(
            wait_strategy=strategy, initial_state={"n": 0}, serdes=JsonSerDes()
        )
        return context.wait_for_condition(check, config)

    assert service.result_of(service.run(handler)) == {"n": 2}
    assert service.updates[1].payload == '{"n": 1}'
    assert seen == [{"n": 0}, {"n": 1}]


def test_check_logger_carries_the_current_attempt(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def check(state: int, ctx: WaitForConditionCheckContext) -> int:
        ctx.logger.info("poll")
        return state + 1

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=1)
        return context.wait_for_condition(check, config, name="poll")

    with caplog.at_level(logging.INFO):
        service.run(handler)
    records = [r for r in caplog.records if r.getMessage() == "poll"]
    assert [r.__dict__["attempt"] for r in records] == [1, 2]
    assert records[0].__dict__["operationName"] == "poll"
    assert records[0].__dict__["operationId"] == ID1


def test_a_delay_under_one_second_is_clamped_for_the_retry_and_the_suspension(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import time

    from durable_lambda_client import TimedSuspendExecution

    def now_strategy(state: int, attempt: int) -> WaitForConditionDecision:
        return WaitForConditionDecision.continue_waiting(Duration(0))

    delays: list[float] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=now_strategy, initial_state=0)
        before = time.time()
        try:
            return context.wait_for_condition(lambda s, ctx: s + 1, config, name="poll")
        except TimedSuspendExecution as suspension:
            delays.append(suspension.scheduled_timestamp - before)
            raise

    assert service.invoke(handler) == {"Status": "PENDING"}
    retry = service.updates[-1]
    assert retry.step_options is not None
    assert (retry.action.value, retry.step_options.next_attempt_delay_seconds) == ("RETRY", 1)
    assert 0.9 <= delays[0] <= 2
    assert any("using the minimum of 1s" in r.getMessage() for r in caplog.records)


def test_a_stored_state_that_cannot_be_decoded_fails_the_operation(service: Any) -> None:
    from durable_lambda_client import (
        Operation,
        OperationStatus,
        OperationSubType,
        OperationType,
        StepDetails,
    )

    service.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.STEP,
        status=OperationStatus.READY,
        name="poll",
        sub_type=OperationSubType.WAIT_FOR_CONDITION,
        step_details=StepDetails(attempt=1, result='{"not": "an envelope"}'),
    )
    checked: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=0)
        return context.wait_for_condition(
            lambda s, ctx: checked.append(s) or s, config, name="poll"
        )

    message = f"Deserialization failed for id: {ID1}"
    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": message, "ErrorType": "ExecutionError"},
    }
    assert checked == []
    assert [(u.action.value, u.error.to_dict() if u.error else None) for u in service.updates] == [
        ("START", None),
        ("FAIL", {"ErrorMessage": message, "ErrorType": "ExecutionError"}),
    ]
