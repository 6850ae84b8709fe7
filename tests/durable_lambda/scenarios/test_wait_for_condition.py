"""I. wait_for_condition (Q-01..Q-07), on both backends."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from durable_lambda import CallableRuntimeError, DurableContext, ValidationError, durable_execution
from durable_lambda.config import Duration, JitterStrategy
from durable_lambda.serdes import JsonSerDes
from durable_lambda.types import WaitForConditionCheckContext
from durable_lambda.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

from .conftest import ID1


def threshold_strategy(attempts: list[int]) -> Any:
    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        attempts.append(attempt)
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(2))

    return strategy


def test_q01_poll_until_a_threshold(scenario: Any) -> None:
    attempts: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy(attempts), initial_state=0)
        return context.wait_for_condition(lambda state, ctx: state + 1, config, name="poll")

    run = scenario(handler)
    result = run.run()
    assert result.result == "3"
    assert run.wire(0) == [
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
    assert [[(u.action.value, u.payload) for u in updates] for updates in run.invocations] == [
        [("START", None), ("RETRY", "1")],
        [("START", None), ("RETRY", "2")],
        [("START", None), ("SUCCEED", "3")],
    ]
    assert attempts == [1, 2, 3]
    step = result.get_step("poll")
    assert (step.status.value, step.result) == ("SUCCEEDED", "3")


def test_q01_a_met_condition_replays_from_its_record(scenario: Any) -> None:
    checks: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=2)
        value = context.wait_for_condition(
            lambda state, ctx: checks.append(state) or state + 1, config, name="poll"
        )
        context.wait(Duration(1))
        return value

    run = scenario(handler)
    assert run.run().result == "3"
    assert checks == [2]
    assert run.invocations[1] == []


def test_q02_condition_met_immediately(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=5)
        return context.wait_for_condition(lambda state, ctx: state, config)

    run = scenario(handler)
    assert run.run().result == "5"
    assert [u.action.value for u in run.updates] == ["START", "SUCCEED"]
    assert len(run.invocations) == 1


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


def test_q03_create_wait_strategy_exhausts_its_attempts(scenario: Any) -> None:
    run = scenario(polling_handler(max_attempts=3, done_at=10))
    result = run.run()
    message = "wait_for_condition exhausted 3 attempts before the condition was met"
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("WaitForConditionError", message)
    delays = [u.step_options.next_attempt_delay_seconds for u in run.updates if u.step_options]
    assert delays == [5, 8]
    fail = run.wire()[-1]
    assert (fail["Action"], fail["Error"]) == (
        "FAIL",
        {"ErrorMessage": message, "ErrorType": "WaitForConditionError"},
    )
    assert result.get_step("job").status.value == "FAILED"


def test_q03_condition_met_on_the_last_attempt_succeeds(scenario: Any) -> None:
    result = scenario(polling_handler(max_attempts=3, done_at=3)).run()
    assert result.value == {"polls": 3, "status": "done"}


def test_q04_check_function_raises(scenario: Any) -> None:
    def check(state: int, ctx: WaitForConditionCheckContext) -> int:
        raise ValueError("probe failed")

    config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=0)
    outcomes: list[str] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            context.wait_for_condition(check, config)
        except CallableRuntimeError as error:
            outcomes.append(f"replayed {error.error_type}")
        except ValueError:
            outcomes.append("first run")
        context.wait(Duration(1))
        return outcomes[-1]

    run = scenario(handler)
    assert run.run().value == "replayed ValueError"
    assert outcomes == ["first run", "replayed ValueError"]
    assert run.wire(0)[1]["Error"] == {"ErrorMessage": "probe failed", "ErrorType": "ValueError"}

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> Any:
        return context.wait_for_condition(check, config)

    run = scenario(uncaught)
    run.run()
    assert run.outputs == [
        {"Status": "FAILED", "Error": {"ErrorMessage": "probe failed", "ErrorType": "ValueError"}}
    ]


def test_q05_validation_consumes_no_id(scenario: Any) -> None:
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

    run = scenario(handler)
    assert run.run().value == [
        "`check` is required for wait_for_condition",
        "`config` is required for wait_for_condition",
    ]
    assert run.updates[0].operation_id == ID1


def test_q06_state_serdes(scenario: Any) -> None:
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

    run = scenario(handler)
    assert run.run().value == {"n": 2}
    assert run.wire(0)[1]["Payload"] == '{"n": 1}'
    assert seen == [{"n": 0}, {"n": 1}]


def test_q07_check_logger_carries_the_current_attempt(
    scenario: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def check(state: int, ctx: WaitForConditionCheckContext) -> int:
        ctx.logger.info("poll")
        return state + 1

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=threshold_strategy([]), initial_state=1)
        return context.wait_for_condition(check, config, name="poll")

    run = scenario(handler)
    with caplog.at_level(logging.INFO):
        result = run.run()
    records = [r for r in caplog.records if r.getMessage() == "poll"]
    assert [r.__dict__["attempt"] for r in records] == [1, 2]
    assert {r.__dict__["executionArn"] for r in records} == {result.execution_arn}
    assert records[0].__dict__["operationName"] == "poll"
    assert records[0].__dict__["operationId"] == ID1
    assert "parentId" not in records[0].__dict__
