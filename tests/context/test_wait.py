"""Waits: what the scenarios W-01..W-10 (tests/durable_lambda/scenarios/test_waits.py)
leave to the fake: an invocation before the wait elapsed, a wait the service completes
at once, and the suspension helpers."""

from __future__ import annotations

import time
from typing import Any

import pytest

from durable_lambda_client import SuspendExecution, TimedSuspendExecution
from durable_lambda_context import DurableContext, Duration, durable_execution
from durable_lambda_context._suspend import (
    suspend_with_optional_resume_delay,
    suspend_with_optional_resume_timestamp,
)


def test_wait_not_yet_elapsed_suspends_again_without_checkpoint(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration.from_seconds(5), name="custom_wait")
        return "done"

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary() == [("WAIT", "Wait", "START", "custom_wait")]


def test_suspension_helpers() -> None:
    with pytest.raises(SuspendExecution) as untimed:
        suspend_with_optional_resume_delay("op")
    assert not isinstance(untimed.value, TimedSuspendExecution)
    assert "original operation: [op]" in str(untimed.value)

    before = time.time()
    with pytest.raises(TimedSuspendExecution) as timed:
        suspend_with_optional_resume_delay("op", 30)
    assert before + 30 <= timed.value.scheduled_timestamp <= time.time() + 30

    with pytest.raises(TimedSuspendExecution) as negative:
        suspend_with_optional_resume_delay("op", -5)
    assert negative.value.scheduled_timestamp <= time.time()

    from datetime import UTC, datetime, timedelta

    past = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(TimedSuspendExecution) as clamped:
        suspend_with_optional_resume_timestamp("op", past)
    assert clamped.value.scheduled_timestamp >= before
    with pytest.raises(SuspendExecution):
        suspend_with_optional_resume_timestamp("op")


def test_double_check_sees_a_wait_the_service_completed_at_once(service: Any) -> None:
    import dataclasses

    from durable_lambda_client import OperationStatus, OperationType

    def complete_waits(operation: Any) -> Any:
        if operation.operation_type is OperationType.WAIT:
            return dataclasses.replace(operation, status=OperationStatus.SUCCEEDED)
        return operation

    service.on_apply = complete_waits

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.wait(Duration(5))
        return "no suspension"

    assert service.result_of(service.invoke(handler)) == "no suspension"
