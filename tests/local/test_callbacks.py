"""CALLBACK operations: ids, the three callback APIs, timeouts under the virtual clock."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest

from durable_lambda_client import (
    CallbackOptions,
    ErrorObject,
    OperationAction,
    OperationSubType,
    OperationType,
    OperationUpdate,
)
from durable_lambda_local._errors import (
    CallbackTimeoutException,
    InvalidParameterValueException,
    ResourceNotFoundException,
)
from durable_lambda_local._history_assertions import assert_history

from .conftest import PENDING, START, Harness, Invocation, Script, succeeded, wait_start


def callback(op_id: str, timeout: int = 0, heartbeat: int = 0, **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.CALLBACK)
    return OperationUpdate(
        op_id,
        OperationType.CALLBACK,
        OperationAction.START,
        callback_options=CallbackOptions(timeout, heartbeat),
        **kw,
    )


def result_of(inv: Invocation, op_id: str) -> Any:
    details = inv.operations[op_id].callback_details
    assert details is not None
    return details


def waits_for_callback(op_id: str, **options: Any) -> Script:
    """Creates a callback, then suspends until it is no longer STARTED."""

    def run(inv: Invocation) -> Any:
        if op_id not in inv.operations:
            inv.checkpoint(callback(op_id, **options))
            return PENDING
        if inv.status(op_id) == "STARTED":
            return PENDING
        return succeeded(f'"{inv.status(op_id)}"')

    return Script(run)


def start_and_get_callback_id(harness: Harness, script: Script, **options: Any) -> tuple[str, str]:
    arn = harness.start(script, **options)
    service = harness.service
    service.run_until(
        lambda: (
            bool(script.invocations)
            and not service.execution_record(arn).invocation_active
            and any(op.callback_id for op in service.operation_records(arn))
        )
    )
    [op] = [op for op in service.operation_records(arn) if op.callback_id]
    assert op.callback_id is not None
    return arn, op.callback_id


def test_callback_ids_are_opaque_base64_and_come_back_in_the_response(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        out = inv.checkpoint(callback("cb", name="approval"))
        details = result_of(inv, "cb")
        assert re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", details.callback_id)
        assert len(details.callback_id) <= 1024
        base64.b64decode(details.callback_id, validate=True)
        assert out.new_execution_state.operations[0].callback_details == details
        return PENDING

    arn, callback_id = start_and_get_callback_id(harness, Script(first))
    started = harness.history(arn)[1]
    assert started["CallbackStartedDetails"] == {"CallbackId": callback_id}
    assert started["Name"] == "approval"


def test_success_is_stored_verbatim_and_resumes_the_execution(harness: Harness) -> None:
    script = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, script)
    harness.service.send_durable_execution_callback_success(callback_id, b'{"status": "approved"}')
    harness.service.wait_for_execution(arn)
    script.check()
    assert_history(
        harness.history(arn),
        [
            {
                "EventId": 2,
                "EventType": "CallbackStarted",
                "SubType": "Callback",
                "CallbackStartedDetails": {"CallbackId": "${CB}"},
            },
            {"EventId": 3, "EventType": "InvocationCompleted", "InvocationCompletedDetails": {}},
            {
                "EventId": 4,
                "EventType": "CallbackSucceeded",
                "Id": "cb",
                "CallbackSucceededDetails": {
                    "Result": {"Payload": '{"status": "approved"}', "Truncated": False}
                },
            },
            {"EventId": 5, "EventType": "InvocationCompleted"},
            {
                "EventId": 6,
                "EventType": "ExecutionSucceeded",
                "ExecutionSucceededDetails": {"Result": {"Payload": '"SUCCEEDED"'}},
            },
        ],
        variables={"CB": callback_id},
    )
    assert result_of(script.invocations[-1], "cb").result == '{"status": "approved"}'


def test_success_without_a_result_and_failure_without_an_error(harness: Harness) -> None:
    script = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, script)
    harness.service.send_durable_execution_callback_success(callback_id, b"")
    harness.service.wait_for_execution(arn)
    assert harness.history(arn)[3]["CallbackSucceededDetails"] == {"Result": {"Truncated": False}}

    other = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, other)
    harness.service.send_durable_execution_callback_failure(callback_id)
    harness.service.wait_for_execution(arn)
    failed = harness.history(arn)[3]
    assert failed["CallbackFailedDetails"] == {"Error": {"Payload": {}, "Truncated": False}}
    assert result_of(other.invocations[-1], "cb").error == ErrorObject(None, None, None, None)


def test_failure_is_stored_verbatim(harness: Harness) -> None:
    script = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, script)
    error = ErrorObject("not approved", "RejectedError", "{}", ["frame"])
    harness.service.send_durable_execution_callback_failure(callback_id, error)
    harness.service.wait_for_execution(arn)
    assert harness.history(arn)[3]["CallbackFailedDetails"]["Error"]["Payload"] == error.to_dict()
    assert result_of(script.invocations[-1], "cb").error == error


@pytest.mark.parametrize(
    ("options", "error_type", "message", "after"),
    [
        ({"timeout": 5}, "Callback.Timeout", "Callback timed out", 5),
        ({"heartbeat": 7}, "Callback.Heartbeat", "Callback timed out on heartbeat", 7),
        ({"timeout": 5, "heartbeat": 60}, "Callback.Timeout", "Callback timed out", 5),
    ],
)
def test_timeouts_fire_in_virtual_time(
    harness: Harness, options: dict[str, int], error_type: str, message: str, after: int
) -> None:
    script = waits_for_callback("cb", **options)
    arn = harness.start(script)
    record = harness.service.wait_for_execution(arn, timeout=30)
    assert record.result == '"TIMED_OUT"'
    events = harness.history(arn)
    started = events[1]["CallbackStartedDetails"]
    assert started.get("Timeout") == options.get("timeout")
    assert started.get("HeartbeatTimeout") == options.get("heartbeat")
    timed_out = events[3]
    assert timed_out["EventType"] == "CallbackTimedOut"
    assert timed_out["EventTimestamp"] == START + timedelta(seconds=after)
    assert timed_out["CallbackTimedOutDetails"] == {
        "Error": {"Payload": {"ErrorMessage": message, "ErrorType": error_type}, "Truncated": False}
    }
    assert result_of(script.invocations[-1], "cb").error == ErrorObject(
        message, error_type, None, None
    )


def test_heartbeats_keep_a_callback_alive_and_write_no_event(harness: Harness) -> None:
    script = waits_for_callback("cb", heartbeat=10)
    arn, callback_id = start_and_get_callback_id(harness, script)
    for _ in range(3):
        harness.clock.advance(8)  # type: ignore[attr-defined]
        harness.service.send_durable_execution_callback_heartbeat(callback_id)
    harness.service.send_durable_execution_callback_success(callback_id, b'"ok"')
    harness.service.wait_for_execution(arn)
    assert harness.event_types(arn) == [
        "ExecutionStarted",
        "CallbackStarted",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    assert harness.history(arn)[3]["EventTimestamp"] == START + timedelta(seconds=24)


def test_closed_unknown_and_malformed_callbacks(harness: Harness) -> None:
    script = waits_for_callback("cb")
    _, callback_id = start_and_get_callback_id(harness, script)
    service = harness.service
    service.send_durable_execution_callback_success(callback_id, b"1")
    for send in (
        lambda: service.send_durable_execution_callback_success(callback_id, b"2"),
        lambda: service.send_durable_execution_callback_failure(callback_id),
        lambda: service.send_durable_execution_callback_heartbeat(callback_id),
    ):
        with pytest.raises(CallbackTimeoutException) as closed:
            send()
        assert closed.value.shape_name == "CallbackTimeoutException"
    with pytest.raises(ResourceNotFoundException):
        service.send_durable_execution_callback_success(base64.b64encode(b"x" * 34).decode())
    with pytest.raises(InvalidParameterValueException, match="CallbackId must be 1 to 1024"):
        service.send_durable_execution_callback_success("not/valid!")
    with pytest.raises(InvalidParameterValueException, match="CallbackId must be 1 to 1024"):
        service.send_durable_execution_callback_heartbeat("")


def test_invalid_utf8_or_oversized_results_are_refused(harness: Harness) -> None:
    script = waits_for_callback("cb")
    _, callback_id = start_and_get_callback_id(harness, script)
    with pytest.raises(InvalidParameterValueException, match="valid UTF-8"):
        harness.service.send_durable_execution_callback_success(callback_id, b"\xff\xfe")
    with pytest.raises(InvalidParameterValueException, match="at most 1048576 bytes"):
        harness.service.send_durable_execution_callback_success(callback_id, b"x" * 1_048_577)


def test_callbacks_of_an_ended_execution_are_closed(harness: Harness) -> None:
    script = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, script)
    harness.service.stop_durable_execution(arn)
    with pytest.raises(CallbackTimeoutException):
        harness.service.send_durable_execution_callback_success(callback_id, b"1")


def test_callbacks_of_a_deleted_execution_stop_resolving(harness: Harness) -> None:
    """service.md §2.7: after DeleteDurableExecution the callback id is unknown."""
    script = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, script)
    harness.service.stop_durable_execution(arn)
    harness.service.delete_durable_execution(arn)
    with pytest.raises(ResourceNotFoundException):
        harness.service.send_durable_execution_callback_heartbeat(callback_id)


def test_a_callback_completes_while_paused_and_the_resume_delivers_it(
    harness: Harness,
) -> None:
    """service.md §2.6, §7: callbacks keep completing (with their event) while the
    execution is paused; no invocation until the resume, which owes one."""
    script = waits_for_callback("cb")
    arn, callback_id = start_and_get_callback_id(harness, script, execution_timeout=3600)
    service = harness.service
    service.pause_durable_execution(arn)
    service.send_durable_execution_callback_success(callback_id, b'"late"')
    service.run_until_idle()
    assert len(script.invocations) == 1
    assert harness.event_types(arn)[-2:] == ["ExecutionPaused", "CallbackSucceeded"]
    service.resume_durable_execution(arn)
    record = service.wait_for_execution(arn)

    assert record.result == '"SUCCEEDED"'
    assert len(script.invocations) == 2
    assert harness.event_types(arn)[-4:] == [
        "CallbackSucceeded",
        "ExecutionResumed",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


def test_completion_during_a_wait_is_its_own_invocation(harness: Harness) -> None:
    """Conformance 4-9: callback answered while the function waits on a timer."""

    def first(inv: Invocation) -> Any:
        inv.checkpoint(callback("cb"), wait_start("w", 5))
        return PENDING

    def later(inv: Invocation) -> Any:
        if inv.status("w") != "SUCCEEDED" or inv.status("cb") == "STARTED":
            return PENDING
        return succeeded()

    script = Script(first, later)
    arn, callback_id = start_and_get_callback_id(harness, script)
    harness.service.send_durable_execution_callback_success(callback_id, b'"x"')
    harness.service.wait_for_execution(arn)
    script.check()
    assert harness.event_types(arn) == [
        "ExecutionStarted",
        "CallbackStarted",
        "WaitStarted",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "WaitSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


def test_a_completion_while_the_invocation_runs_arrives_in_the_next_checkpoint(
    harness: Harness,
) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(callback("cb"))
        callback_id = result_of(inv, "cb").callback_id
        inv.service.send_durable_execution_callback_success(callback_id, b'"early"')
        out = inv.checkpoint()
        [op] = out.new_execution_state.operations
        assert op.operation_id == "cb"
        assert result_of(inv, "cb").result == '"early"'
        return succeeded()

    script = Script(first)
    arn = harness.run(script)
    assert len(script.invocations) == 1
    assert harness.event_types(arn).count("InvocationCompleted") == 1


def test_updated_operation_ids_name_what_the_service_changed(harness: Harness) -> None:
    seen: list[Any] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.append(event)
        ops = {op["Id"]: op for op in event["InitialExecutionState"]["Operations"]}
        if "w" not in ops:
            harness.service.checkpoint_durable_execution(
                event["DurableExecutionArn"], event["CheckpointToken"], [wait_start("w", 2)]
            )
            return PENDING
        return succeeded()

    from durable_lambda_local._functions import EventFormat

    harness.register(handler, event_format=EventFormat.JSON)
    arn, _ = harness.service.start_execution("fn")
    harness.service.wait_for_execution(arn)
    assert seen[0]["UpdatedOperationIds"] == []
    assert seen[1]["UpdatedOperationIds"] == ["w"]
    wait = {op["Id"]: op for op in seen[1]["InitialExecutionState"]["Operations"]}["w"]
    assert wait["WaitDetails"]["ScheduledEndTimestamp"] == wait["StartTimestamp"] + 2000
    assert isinstance(wait["EndTimestamp"], int)
