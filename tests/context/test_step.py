"""Steps: the one-second floor of a retry delay. The step scenarios S-01..S-17 are in
tests/durable_lambda/scenarios/test_steps.py."""

from __future__ import annotations

from typing import Any

import pytest

from durable_lambda_context import (
    DurableContext,
    Duration,
    RetryDecision,
    StepConfig,
    StepContext,
    durable_execution,
)


def test_a_retry_delay_under_one_second_is_clamped(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
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
