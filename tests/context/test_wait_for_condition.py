"""wait_for_condition: what the scenarios Q-01..Q-07 (tests/durable_lambda/scenarios/
test_wait_for_condition.py) do not cover: the one-second floor of a poll delay and a
stored state that cannot be decoded."""

from __future__ import annotations

from typing import Any

import pytest

from durable_lambda_context import (
    DurableContext,
    Duration,
    WaitForConditionConfig,
    WaitForConditionDecision,
    durable_execution,
)
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)


def threshold_strategy(attempts: list[int]) -> Any:
    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        attempts.append(attempt)
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(2))

    return strategy


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
