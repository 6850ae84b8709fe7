"""The operation tree the CLI prints, rebuilt from history events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_local.cli._operation_tree import summarize
from durable_lambda_local.cli._rendering import format_seconds

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def event(n: int, event_type: str, seconds: float, **fields: Any) -> dict[str, Any]:
    details = fields.pop("details", {})
    return {
        "EventId": n,
        "EventType": event_type,
        "EventTimestamp": T0 + timedelta(seconds=seconds),
        f"{event_type}Details": details,
        **fields,
    }


HISTORY = [
    event(1, "ExecutionStarted", 0, Id="exec", details={"Input": {"Payload": "{}"}}),
    event(2, "StepStarted", 0.1, Id="a", Name="charge", SubType="Step"),
    event(
        3,
        "StepFailed",
        0.2,
        Id="a",
        Name="charge",
        SubType="Step",
        details={
            "Error": {"Payload": {"ErrorType": "Timeout", "ErrorMessage": "slow"}},
            "RetryDetails": {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 5},
        },
    ),
    event(4, "InvocationCompleted", 0.3),
    event(5, "StepStarted", 5.2, Id="a", Name="charge", SubType="Step"),
    event(
        6,
        "StepSucceeded",
        5.4,
        Id="a",
        Name="charge",
        SubType="Step",
        details={"Result": {"Payload": '"ok"'}, "RetryDetails": {"CurrentAttempt": 2}},
    ),
    event(7, "ContextStarted", 5.5, Id="c", Name="payment", SubType="RunInChildContext"),
    event(
        8,
        "WaitStarted",
        5.6,
        Id="w",
        ParentId="c",
        Name="settle",
        SubType="Wait",
        details={"Duration": 1800},
    ),
    event(9, "InvocationCompleted", 5.7),
    event(10, "WaitSucceeded", 1805.6, Id="w", ParentId="c", Name="settle", SubType="Wait"),
    event(11, "ContextSucceeded", 1805.8, Id="c", Name="payment", SubType="RunInChildContext"),
    event(12, "InvocationCompleted", 1806),
    event(13, "ExecutionSucceeded", 1806, Id="exec", details={"Result": {"Payload": "3"}}),
]


def test_summary_of_a_finished_execution() -> None:
    summary = summarize(HISTORY)

    assert summary.status == "SUCCEEDED"
    assert summary.result == "3"
    assert summary.invocations == 3
    step, context = summary.operations
    assert (step.name, step.status, step.attempts, step.retries) == ("charge", "SUCCEEDED", 2, 1)
    assert step.result == '"ok"'
    assert step.error is None
    assert step.duration_seconds == 5.3
    assert context.sub_type == "RunInChildContext"
    (wait,) = context.children
    assert (wait.name, wait.status, wait.wait_seconds) == ("settle", "SUCCEEDED", 1800)
    assert wait.duration_seconds == 1800


def test_summary_while_a_step_waits_for_its_retry() -> None:
    summary = summarize(HISTORY[:4])
    (step,) = summary.operations
    assert summary.status == "RUNNING"
    assert step.status == "PENDING"
    assert step.error == {"ErrorType": "Timeout", "ErrorMessage": "slow"}
    assert step.ended is None


def test_callbacks_keep_their_id_until_completed() -> None:
    started = event(
        2,
        "CallbackStarted",
        1,
        Id="cb",
        Name="approval",
        SubType="Callback",
        details={"CallbackId": "abc+/=", "Timeout": 60},
    )
    (callback,) = summarize([started]).operations
    assert (callback.status, callback.callback_id, callback.wait_seconds) == (
        "STARTED",
        "abc+/=",
        60,
    )
    timed_out = event(
        3,
        "CallbackTimedOut",
        61,
        Id="cb",
        Name="approval",
        SubType="Callback",
        details={"Error": {"Payload": {"ErrorType": "Callback.Timeout"}}},
    )
    (callback,) = summarize([started, timed_out]).operations
    assert callback.status == "TIMED_OUT"
    assert callback.error == {"ErrorType": "Callback.Timeout"}


@given(st.integers(min_value=0, max_value=len(HISTORY)))
def test_every_prefix_of_a_history_summarizes(length: int) -> None:
    summary = summarize(HISTORY[:length])
    ids = [n.id for n in summary.operations]
    assert len(ids) == len(set(ids))
    assert summary.status in ("RUNNING", "SUCCEEDED")


def test_durations_read_well() -> None:
    assert format_seconds(0.0123) == "12 ms"
    assert format_seconds(3.25) == "3.2 s"
    assert format_seconds(5) == "5 s"
    assert format_seconds(1800) == "30 min"
    assert format_seconds(5400) == "1 h 30 min"
    assert format_seconds(86400) == "1 d"
