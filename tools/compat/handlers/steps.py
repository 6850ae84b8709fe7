"""Steps: a retried step, and a step whose error fails the execution."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryDecision


class FlakyServiceError(Exception):
    """Raised by the first attempts of the retried step."""


def _retry_twice(error: Exception, attempts_made: int) -> RetryDecision:
    # A fixed delay (no jitter) keeps both SDKs' histories identical.
    if attempts_made < 3:
        return RetryDecision.retry(Duration.from_seconds(2))
    return RetryDecision.no_retry()


# Attempts per execution (the driver puts a fresh ``run_id`` in every payload): the
# handler replays in the same process, so a plain counter would be shared by executions.
_attempts: dict[str, int] = {}


def _call_flaky_service(run_id: str) -> dict[str, Any]:
    made = _attempts.get(run_id, 0) + 1
    _attempts[run_id] = made
    if made < 3:
        raise FlakyServiceError(f"attempt {made} was refused")
    return {"status": "accepted", "attempts": made}


@durable_execution
def retried_step(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    doubled = context.step(lambda _: event["amount"] * 2, name="double")
    outcome = context.step(
        lambda _: _call_flaky_service(event["run_id"]),
        name="call-flaky-service",
        config=StepConfig(retry_strategy=_retry_twice),
    )
    return {"doubled": doubled, "outcome": outcome}


def _refuse(_: StepContext) -> None:
    raise ValueError("the order total must be positive")


@durable_execution
def failing_step(event: dict[str, Any], context: DurableContext) -> None:
    context.step(lambda _: "checked", name="check-stock")
    context.step(
        _refuse,
        name="validate-total",
        config=StepConfig(retry_strategy=lambda error, attempts: RetryDecision.no_retry()),
    )
