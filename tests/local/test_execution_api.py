"""Execution-level APIs: start (Invoke), get, history, list, stop, pause, resume, delete,
timeouts and retention."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from durable_lambda_client import ErrorObject, ExecutionStatus, InvocationType
from durable_lambda_local._clock import SkipClock, VirtualClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import (
    DurableExecutionAlreadyStartedException,
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from durable_lambda_local._functions import LocalFunction

from .conftest import PENDING, START, Harness, Invocation, Script, succeeded, wait_start


def waits(seconds: int) -> Script:
    def run(inv: Invocation) -> Any:
        if "w" not in inv.operations:
            inv.checkpoint(wait_start("w", seconds))
        return succeeded() if inv.status("w") == "SUCCEEDED" else PENDING

    return Script(run)


def test_invoke_request_response_returns_the_result(harness: Harness) -> None:
    harness.register(Script(lambda inv: succeeded('{"ok": true}')))
    out = harness.service.invoke("fn", b'{"in": 1}', durable_execution_name="run-1")
    assert out.status_code == 200
    assert out.payload == b'{"ok": true}'
    assert out.function_error is None
    assert out.executed_version == "$LATEST"
    assert out.durable_execution_arn is not None
    assert out.durable_execution_arn.endswith(
        "function:fn:$LATEST/durable-execution/run-1/" + out.durable_execution_arn.split("/")[-1]
    )


def test_invoke_event_returns_at_once_and_names_are_idempotent(harness: Harness) -> None:
    script = waits(10)
    harness.register(script)
    first = harness.service.invoke(
        "fn", b"{}", invocation_type=InvocationType.EVENT, durable_execution_name="once"
    )
    assert first.status_code == 202
    again = harness.service.invoke(
        "fn", b"{}", invocation_type=InvocationType.EVENT, durable_execution_name="once"
    )
    assert again.durable_execution_arn == first.durable_execution_arn
    with pytest.raises(DurableExecutionAlreadyStartedException) as taken:
        harness.service.invoke(
            "fn",
            b'{"other": 1}',
            invocation_type=InvocationType.EVENT,
            durable_execution_name="once",
        )
    assert taken.value.http_status == 409
    assert first.durable_execution_arn is not None
    harness.service.wait_for_execution(first.durable_execution_arn)
    assert len(script.invocations) == 2


def test_invoke_failures_and_dry_run(harness: Harness) -> None:
    harness.register(
        Script(lambda inv: {"Status": "FAILED", "Error": {"ErrorMessage": "bad", "ErrorType": "E"}})
    )
    out = harness.service.invoke("fn", b"{}")
    assert out.function_error == "Unhandled"
    assert out.payload == b'{"errorType": "E", "errorMessage": "bad"}'
    assert harness.service.invoke("fn", invocation_type=InvocationType.DRY_RUN).status_code == 204
    with pytest.raises(ResourceNotFoundException, match="Function not found"):
        harness.service.invoke("missing")
    with pytest.raises(ResourceNotFoundException):
        harness.service.invoke("arn:aws:lambda:us-east-1:999999999999:function:fn")
    with pytest.raises(InvalidParameterValueException, match="valid JSON"):
        harness.service.invoke("fn", b"{not json")
    with pytest.raises(InvalidParameterValueException, match="DurableExecutionName"):
        harness.service.invoke("fn", b"{}", durable_execution_name="no spaces")
    with pytest.raises(InvalidParameterValueException, match="does not match"):
        harness.service.invoke("fn:1", qualifier="2")


def test_plain_functions_are_called_directly(harness: Harness) -> None:
    harness.service.register(
        LocalFunction("plain", lambda event, ctx: {"got": event}, durable=False)
    )
    out = harness.service.invoke("plain", b'{"a": 1}')
    assert (out.status_code, out.payload) == (200, b'{"got": {"a": 1}}')

    def broken(event: Any, ctx: Any) -> Any:
        raise ValueError("nope")

    harness.service.register(LocalFunction("broken", broken, durable=False))
    out = harness.service.invoke("broken")
    assert out.function_error == "Unhandled"
    assert b'"errorType": "ValueError"' in out.payload


def test_get_durable_execution(harness: Harness) -> None:
    arn = harness.run(Script(lambda inv: succeeded('"r"')), payload='{"x": 1}')
    got = harness.service.get_durable_execution(arn)
    assert got.status is ExecutionStatus.SUCCEEDED
    assert got.input_payload == '{"x": 1}'
    assert got.result == '"r"'
    assert got.error is None
    assert got.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"
    assert got.version == "$LATEST"
    assert got.execution_data_included is True
    assert got.durable_config is not None
    assert got.durable_config.execution_timeout == 300
    assert got.expected_execution_timeout_timestamp is None
    assert got.start_timestamp == START
    hidden = harness.service.get_durable_execution(arn, include_execution_data=False)
    assert hidden.input_payload is None
    assert hidden.result is None
    assert hidden.execution_data_included is False
    with pytest.raises(ResourceNotFoundException, match="Durable Execution does not exist"):
        harness.service.get_durable_execution(arn[:-3] + "abc")
    with pytest.raises(ResourceNotFoundException):
        harness.service.get_durable_execution("not an arn")


def test_history_paging_both_ways_and_data_exclusion(harness: Harness) -> None:
    def run(inv: Invocation) -> Any:
        from .conftest import step_succeed

        inv.checkpoint(*[step_succeed(f"s{i}", f'"{i}"') for i in range(7)])
        return succeeded()

    arn = harness.run(Script(run))
    service = harness.service
    everything = [e.event_id for e in service.get_durable_execution_history(arn).events]
    assert everything == list(range(1, 11))
    forward: list[int] = []
    marker = None
    while True:
        page = service.get_durable_execution_history(arn, max_items=3, marker=marker)
        forward.extend(e.event_id for e in page.events)
        marker = page.next_marker
        if marker is None:
            break
    assert forward == everything
    backward: list[int] = []
    marker = None
    while True:
        page = service.get_durable_execution_history(
            arn, max_items=4, marker=marker, reverse_order=True
        )
        backward.extend(e.event_id for e in page.events)
        marker = page.next_marker
        if marker is None:
            break
    assert backward == everything[::-1]
    hidden = service.get_durable_execution_history(arn, include_execution_data=False).events
    assert hidden[0].to_dict()["ExecutionStartedDetails"]["Input"] == {"Truncated": True}
    assert hidden[2].to_dict()["StepSucceededDetails"]["Result"] == {"Truncated": True}
    with pytest.raises(InvalidParameterValueException, match="Invalid marker"):
        service.get_durable_execution_history(arn, marker="nope")
    forward_marker = service.get_durable_execution_history(arn, max_items=2).next_marker
    with pytest.raises(InvalidParameterValueException, match="Invalid marker"):
        service.get_durable_execution_history(arn, marker=forward_marker, reverse_order=True)
    with pytest.raises(InvalidParameterValueException, match="MaxItems"):
        service.get_durable_execution_history(arn, max_items=5000)


def test_large_payloads_are_withheld_from_history(harness: Harness) -> None:
    big = '"' + "x" * 300_000 + '"'
    arn = harness.run(Script(lambda inv: succeeded(big)))
    result = harness.history(arn)[-1]["ExecutionSucceededDetails"]["Result"]
    assert result == {"Truncated": True}
    assert harness.service.get_durable_execution(arn).result == big


def test_list_executions_by_function(harness: Harness) -> None:
    service = harness.service
    harness.register(Script(lambda inv: succeeded()))
    arns = []
    for index in range(5):
        arns.append(
            service.invoke("fn", durable_execution_name=f"run-{index}").durable_execution_arn
        )
        harness.clock.advance(60)  # type: ignore[attr-defined]
    newest_first = [
        s.durable_execution_arn
        for s in service.list_durable_executions_by_function("fn").durable_executions
    ]
    assert newest_first == arns[::-1]
    oldest_first: list[str] = []
    marker = None
    while True:
        page = service.list_durable_executions_by_function(
            "fn", reverse_order=True, max_items=2, marker=marker
        )
        oldest_first.extend(s.durable_execution_arn for s in page.durable_executions)
        marker = page.next_marker
        if marker is None:
            break
    assert oldest_first == arns
    named = service.list_durable_executions_by_function("fn", durable_execution_name="run-2")
    assert [s.durable_execution_name for s in named.durable_executions] == ["run-2"]
    window = service.list_durable_executions_by_function(
        "arn:aws:lambda:us-east-1:123456789012:function:fn",
        started_after=START + timedelta(minutes=1),
        started_before=START + timedelta(minutes=3),
    )
    assert [s.durable_execution_name for s in window.durable_executions] == [
        "run-3",
        "run-2",
        "run-1",
    ]
    assert (
        service.list_durable_executions_by_function(
            "fn", statuses=[ExecutionStatus.RUNNING]
        ).durable_executions
        == []
    )
    assert service.list_durable_executions_by_function("fn", qualifier="7").durable_executions == []
    with pytest.raises(ResourceNotFoundException):
        service.list_durable_executions_by_function("nobody")


def test_executions_of_a_function_nobody_hosts_any_more_are_still_listed(
    harness: Harness,
) -> None:
    harness.register(Script(lambda inv: succeeded()), "gone")
    arn = harness.service.invoke("gone", durable_execution_name="old").durable_execution_arn
    reopened = DurableExecutionService(store=harness.service.store, clock=VirtualClock())

    listed = reopened.list_durable_executions_by_function("gone").durable_executions
    assert [s.durable_execution_arn for s in listed] == [arn]
    assert reopened.store.function_names() == ["gone"]
    for unknown in ("nobody", "arn:aws:lambda:eu-west-1:123456789012:function:gone"):
        with pytest.raises(ResourceNotFoundException, match="Function not found"):
            reopened.list_durable_executions_by_function(unknown)
    with pytest.raises(ResourceNotFoundException):
        reopened.invoke("gone")
    reopened.close()


def test_stop_a_waiting_execution(harness: Harness) -> None:
    arn = harness.start(waits(3600))
    harness.service.run_until(
        lambda: (
            harness.service.execution_record(arn).invocation_count == 1
            and not harness.service.execution_record(arn).invocation_active
        )
    )
    stopped = harness.service.stop_durable_execution(arn)
    assert stopped.stop_timestamp == START
    record = harness.service.execution_record(arn)
    assert record.status is ExecutionStatus.STOPPED
    assert record.error == ErrorObject("Execution stopped by user request", None, None, None)
    events = harness.history(arn)
    assert events[-1]["EventType"] == "ExecutionStopped"
    assert events[-1]["ExecutionStoppedDetails"]["Error"]["Payload"] == {
        "ErrorMessage": "Execution stopped by user request"
    }
    again = harness.service.stop_durable_execution(arn)
    assert again.stop_timestamp == START
    harness.clock.advance(7200)  # type: ignore[attr-defined]
    assert harness.event_types(arn)[-1] == "ExecutionStopped"
    assert harness.service.operation_records(arn)[0].status.value == "STOPPED"


def test_execution_timeout(harness: Harness) -> None:
    arn = harness.run(waits(3600), execution_timeout=60)
    record = harness.service.execution_record(arn)
    assert record.status is ExecutionStatus.TIMED_OUT
    events = harness.history(arn)
    assert events[-1]["EventType"] == "ExecutionTimedOut"
    assert events[-1]["EventTimestamp"] == START + timedelta(seconds=60)
    assert events[-1]["ExecutionTimedOutDetails"]["Error"]["Payload"] == {
        "ErrorMessage": "Execution timed out after 60 seconds."
    }


def test_pause_and_resume_an_idle_execution(harness: Harness) -> None:
    script = waits(100)
    arn = harness.start(script, execution_timeout=1000)
    service = harness.service
    service.run_until(
        lambda: (
            service.execution_record(arn).invocation_count == 1
            and not service.execution_record(arn).invocation_active
        )
    )
    service.pause_durable_execution(arn, client_token="p1", reason="maintenance")
    service.pause_durable_execution(arn, client_token="p1", reason="maintenance")
    with pytest.raises(ResourceConflictException):
        service.pause_durable_execution(arn, client_token="p2")
    paused = service.get_durable_execution(arn)
    assert paused.status is ExecutionStatus.PAUSED
    assert paused.pause_details is not None
    assert paused.pause_details.reason == "maintenance"
    assert paused.expected_execution_timeout_timestamp == START + timedelta(days=366)
    harness.clock.advance(500)  # type: ignore[attr-defined]
    assert len(script.invocations) == 1, "no invocation while paused"
    assert service.execution_record(arn).status is ExecutionStatus.PAUSED
    service.resume_durable_execution(arn, reason="done")
    with pytest.raises(ResourceConflictException):
        service.resume_durable_execution(arn)
    resumed = service.get_durable_execution(arn)
    assert resumed.expected_execution_timeout_timestamp == START + timedelta(seconds=1500)
    service.wait_for_execution(arn)
    assert harness.event_types(arn) == [
        "ExecutionStarted",
        "WaitStarted",
        "InvocationCompleted",
        "ExecutionPaused",
        "WaitSucceeded",
        "ExecutionResumed",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    paused_event = harness.history(arn)[3]["ExecutionPausedDetails"]
    assert paused_event["Reason"] == {"Payload": "maintenance", "Truncated": False}
    assert paused_event["ExecutionTimeoutPaused"] is True


def test_pause_while_invoking_takes_effect_at_the_next_checkpoint(harness: Harness) -> None:
    from .conftest import step_succeed

    def first(inv: Invocation) -> Any:
        inv.service.pause_durable_execution(inv.arn)
        assert inv.service.execution_record(inv.arn).status is ExecutionStatus.PAUSING
        out = inv.checkpoint(step_succeed("a"))
        assert out.checkpoint_token == ""
        assert out.new_execution_state.operations == []
        assert inv.service.execution_record(inv.arn).status is ExecutionStatus.PAUSED
        return PENDING

    script = Script(first, lambda inv: succeeded())
    arn = harness.start(script)
    service = harness.service
    service.run_until(
        lambda: (
            service.execution_record(arn).status is ExecutionStatus.PAUSED
            and not service.execution_record(arn).invocation_active
        )
    )
    script.check()
    assert len(script.invocations) == 1
    service.resume_durable_execution(arn)
    service.wait_for_execution(arn)
    assert harness.event_types(arn) == [
        "ExecutionStarted",
        "StepSucceeded",
        "ExecutionPaused",
        "InvocationCompleted",
        "ExecutionResumed",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


def test_delete_only_ended_executions(harness: Harness) -> None:
    arn = harness.start(waits(100))
    with pytest.raises(ResourceConflictException):
        harness.service.delete_durable_execution(arn)
    harness.service.wait_for_execution(arn)
    deleted = harness.service.delete_durable_execution(arn)
    assert deleted.deletion_request_timestamp == START + timedelta(seconds=100)
    with pytest.raises(ResourceNotFoundException):
        harness.service.get_durable_execution(arn)
    with pytest.raises(ResourceNotFoundException):
        harness.service.get_durable_execution_history(arn)


def test_deleting_an_execution_whose_handler_still_runs_leaves_the_service_working() -> None:
    """Stopped, then deleted, while its last invocation still runs: when that handler
    returns there is nothing left to record its end on. The end is dropped; it must not
    become a background failure that every later call of the service raises."""
    running = threading.Event()
    release = threading.Event()

    def hang(event: Any, context: Any) -> Any:
        running.set()
        assert release.wait(30)
        return PENDING

    with DurableExecutionService(clock=SkipClock(), seed=7) as service:
        harness = Harness(service)
        service.register(LocalFunction("hangs", hang))
        harness.register(Script(lambda inv: succeeded('"still serving"')), name="quick")
        arn, _ = service.start_execution("hangs")
        assert running.wait(30)
        service.stop_durable_execution(arn)
        service.delete_durable_execution(arn)
        release.set()
        service.run_until_idle()

        later = service.invoke("quick", b"{}")

    assert later.payload == b'"still serving"'


def test_retention_purges_ended_executions(harness: Harness) -> None:
    arn = harness.run(Script(lambda inv: succeeded()), retention_period_days=2)
    harness.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    harness.service.get_durable_execution(arn)
    harness.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    with pytest.raises(ResourceNotFoundException):
        harness.service.get_durable_execution(arn)
