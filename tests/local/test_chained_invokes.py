"""CHAINED_INVOKE operations: durable children, plain targets, resolution and validation."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from durable_lambda_client import (
    ChainedInvokeOptions,
    ErrorObject,
    ExecutionStatus,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
)
from durable_lambda_local._clock import RealClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import InvalidParameterValueException
from durable_lambda_local._functions import LocalFunction
from durable_lambda_local._history_assertions import assert_history
from durable_lambda_local._memory_store import MemoryStore
from durable_lambda_local._scheduler import SchedulerMode

from .conftest import PENDING, Harness, Invocation, Script, succeeded, wait_start


def invoke(op_id: str, function: str, payload: str | None = '"in"', **kw: Any) -> OperationUpdate:
    tenant = kw.pop("tenant_id", None)
    kw.setdefault("sub_type", OperationSubType.CHAINED_INVOKE)
    return OperationUpdate(
        op_id,
        OperationType.CHAINED_INVOKE,
        OperationAction.START,
        payload=payload,
        chained_invoke_options=ChainedInvokeOptions(function, tenant),
        **kw,
    )


def invoker(target: str, **kw: Any) -> Script:
    def run(inv: Invocation) -> Any:
        if "i" not in inv.operations:
            inv.checkpoint(invoke("i", target, **kw))
            if inv.status("i") != "STARTED":
                return succeeded(f'"{inv.status("i")}"')
            return PENDING
        if inv.status("i") == "STARTED":
            return PENDING
        details = inv.operations["i"].chained_invoke_details
        assert details is not None
        return succeeded(
            details.result if inv.status("i") == "SUCCEEDED" else f'"{inv.status("i")}"'
        )

    return Script(run)


def echo(inv: Invocation) -> Any:
    execution = inv.event.initial_execution_state.operations[0]
    assert execution.execution_details is not None
    return succeeded(execution.execution_details.input_payload)


def waits(seconds: int) -> Script:
    def run(inv: Invocation) -> Any:
        if "w" not in inv.operations:
            inv.checkpoint(wait_start("w", seconds))
        return succeeded() if inv.status("w") == "SUCCEEDED" else PENDING

    return Script(run)


def test_durable_target_runs_as_a_child_execution(harness: Harness) -> None:
    target = Script(echo)
    harness.register(target, "Echo")
    parent = invoker("Echo:$LATEST", tenant_id="tenant-1")
    arn = harness.run(parent)
    record = harness.service.execution_record(arn)
    assert record.result == '"in"'
    bindings = assert_history(
        harness.history(arn),
        [
            {
                "EventId": 2,
                "EventType": "ChainedInvokeStarted",
                "SubType": "ChainedInvoke",
                "Id": "i",
                "ChainedInvokeStartedDetails": {
                    "FunctionName": "Echo:$LATEST",
                    "TenantId": "tenant-1",
                    "Input": {"Payload": '"in"', "Truncated": False},
                    "ExecutedVersion": "$LATEST",
                    "DurableExecutionArn": "${CHILD}",
                },
            },
            {"EventId": 3, "EventType": "InvocationCompleted"},
            {
                "EventId": 4,
                "EventType": "ChainedInvokeSucceeded",
                "ChainedInvokeSucceededDetails": {
                    "Result": {"Payload": '"in"', "Truncated": False}
                },
            },
            {"EventId": 5, "EventType": "InvocationCompleted"},
            {"EventId": 6, "EventType": "ExecutionSucceeded"},
        ],
    )
    child = harness.service.execution_record(bindings["CHILD"])
    assert child.status is ExecutionStatus.SUCCEEDED
    assert child.tenant_id == "tenant-1"
    assert child.parent_execution_id == record.execution_id
    assert child.parent_operation_id == "i"
    assert harness.event_types(bindings["CHILD"])[0] == "ExecutionStarted"


def test_child_failure_timeout_and_stop_complete_the_parent_operation(harness: Harness) -> None:
    harness.register(
        Script(lambda inv: {"Status": "FAILED", "Error": {"ErrorMessage": "bad"}}), "Fails"
    )
    arn = harness.run(invoker("Fails"))
    assert harness.service.execution_record(arn).result == '"FAILED"'
    failed = harness.history(arn)[3]
    assert failed["EventType"] == "ChainedInvokeFailed"
    assert failed["ChainedInvokeFailedDetails"]["Error"]["Payload"] == {"ErrorMessage": "bad"}

    harness.register(waits(100), "Slow", execution_timeout=30)
    arn = harness.run(invoker("Slow"))
    timed_out = harness.history(arn)[3]
    assert timed_out["EventType"] == "ChainedInvokeTimedOut"
    assert timed_out["ChainedInvokeTimedOutDetails"]["Error"]["Payload"] == {
        "ErrorType": "ChainedInvoke.Timeout",
        "ErrorMessage": "CHAINED_INVOKE timed out after 30 seconds.",
    }


def test_stopping_the_child_stops_the_parent_operation(harness: Harness) -> None:
    harness.register(waits(100), "Slow")
    parent = invoker("Slow")
    arn = harness.start(parent)
    service = harness.service
    service.run_until(
        lambda: len(harness.history(arn)) >= 3 and len(service.operation_records(arn)) == 2
    )
    child_id = service.operation_records(arn)[1].child_execution_id
    assert child_id is not None
    child_arn = next(r for r in [service.store.load_execution(child_id)] if r is not None).arn
    service.run_until(
        lambda: (
            not service.execution_record(child_arn).invocation_active
            and service.execution_record(child_arn).invocation_count == 1
        )
    )
    service.stop_durable_execution(child_arn, ErrorObject("halt", "Stop", None, None))
    service.wait_for_execution(arn)
    stopped = harness.history(arn)[3]
    assert stopped["EventType"] == "ChainedInvokeStopped"
    assert stopped["ChainedInvokeStoppedDetails"]["Error"]["Payload"] == {
        "ErrorMessage": "halt",
        "ErrorType": "Stop",
    }
    assert service.execution_record(arn).result == '"STOPPED"'


def test_stopping_the_parent_leaves_its_child_running(harness: Harness) -> None:
    """service.md §2.5 (R): children are independent executions; the parent's
    operation is not completed by a child that ends after the parent."""
    harness.register(waits(100), "Slow")
    arn = harness.start(invoker("Slow"))
    service = harness.service
    service.run_until(
        lambda: (
            len(service.operation_records(arn)) == 2
            and not service.execution_record(arn).invocation_active
        )
    )
    child_id = service.operation_records(arn)[1].child_execution_id
    assert child_id is not None
    child = service.store.load_execution(child_id)
    assert child is not None

    service.stop_durable_execution(arn)
    assert service.execution_record(child.arn).status is ExecutionStatus.RUNNING
    finished = service.wait_for_execution(child.arn)

    assert finished.status is ExecutionStatus.SUCCEEDED
    assert harness.event_types(arn)[-1] == "ExecutionStopped"
    assert service.operation_records(arn)[1].status is OperationStatus.STARTED


def test_plain_target_is_called_once_with_the_decoded_payload(harness: Harness) -> None:
    calls: list[tuple[Any, Any]] = []

    def plain(event: Any, context: Any) -> Any:
        calls.append((event, context))
        return {"echo": event}

    harness.service.register(LocalFunction("Plain", plain, durable=False))
    arn = harness.run(invoker("Plain", payload='{"x": 1}', tenant_id="t"))
    assert calls[0][0] == {"x": 1}
    assert calls[0][1].tenant_id == "t"
    assert calls[0][1].function_name == "Plain"
    assert len(calls) == 1
    assert harness.service.execution_record(arn).result == '{"echo": {"x": 1}}'
    started = harness.history(arn)[1]["ChainedInvokeStartedDetails"]
    assert "DurableExecutionArn" not in started
    assert started["ExecutedVersion"] == "$LATEST"


def test_plain_target_errors_become_failed_invokes(harness: Harness) -> None:
    def plain(event: Any, context: Any) -> Any:
        raise LookupError("missing thing")

    harness.service.register(LocalFunction("Plain", plain, durable=False))
    arn = harness.run(invoker("Plain"))
    payload = harness.history(arn)[3]["ChainedInvokeFailedDetails"]["Error"]["Payload"]
    assert payload["ErrorType"] == "LookupError"
    assert payload["ErrorMessage"] == "missing thing"


def test_plain_target_timeout(harness: Harness) -> None:
    release = threading.Event()

    def plain(event: Any, context: Any) -> Any:
        release.wait()

    harness.service.register(LocalFunction("Plain", plain, durable=False, timeout=0.05))
    try:
        arn = harness.run(invoker("Plain"))
    finally:
        release.set()
    event = harness.history(arn)[3]
    assert event["EventType"] == "ChainedInvokeTimedOut"
    assert event["ChainedInvokeTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == (
        "ChainedInvoke.Timeout"
    )


def test_unknown_target_fails_in_the_checkpoint_response(harness: Harness) -> None:
    arn = harness.run(invoker("Nobody"))
    assert harness.service.execution_record(arn).result == '"FAILED"'
    events = harness.history(arn)
    assert [e["EventType"] for e in events[1:4]] == [
        "ChainedInvokeStarted",
        "ChainedInvokeFailed",
        "InvocationCompleted",
    ]
    assert events[1]["ChainedInvokeStartedDetails"]["FunctionName"] == "Nobody"
    assert "Input" not in events[1]["ChainedInvokeStartedDetails"]
    assert events[2]["ChainedInvokeFailedDetails"]["Error"]["Payload"] == {
        "ErrorType": "ResourceNotFoundException",
        "ErrorMessage": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nobody",
    }


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (
            OperationUpdate("i", OperationType.CHAINED_INVOKE, OperationAction.START),
            "Update for CHAINED_INVOKE operation requires ChainedInvokeOptions.",
        ),
        (invoke("i", "bad name!"), "Invalid function ARN 'bad name!'"),
        (
            invoke("i", "arn:aws:lambda:us-east-1:999999999999:function:Echo"),
            "Cannot start a CHAINED_INVOKE on a function in another account.",
        ),
        (
            invoke("i", "arn:aws:lambda:eu-west-1:123456789012:function:Echo"),
            "Cannot start a CHAINED_INVOKE on a function in another region.",
        ),
        (
            invoke("i", "Echo", tenant_id="bad\ttenant"),
            "TenantId must be 1 to 256 characters matching [a-zA-Z0-9._:/=+-@ ].",
        ),
        (
            invoke("i", "Echo", payload="x" * 1_048_577),
            "CHAINED_INVOKE input payload size must be less than or equal to 1048576 bytes.",
        ),
        (
            OperationUpdate(
                "i",
                OperationType.CHAINED_INVOKE,
                OperationAction.CANCEL,
                chained_invoke_options=ChainedInvokeOptions("Echo"),
            ),
            "Invalid action for the given operation type.",
        ),
    ],
)
def test_invalid_chained_invokes(harness: Harness, update: OperationUpdate, message: str) -> None:
    harness.register(Script(echo), "Echo")
    errors: list[Any] = []

    def run(inv: Invocation) -> Any:
        errors.append(inv.rejected(update))
        inv.checkpoint(invoke("i", "Echo"))
        errors.append(inv.rejected(invoke("i", "Echo")))
        return succeeded()

    harness.run(Script(run))
    assert isinstance(errors[0], InvalidParameterValueException)
    assert errors[0].message == message
    assert errors[1].message == "Cannot start a CHAINED_INVOKE operation that already exists."


def test_child_output_over_one_mebibyte_fails_the_child(harness: Harness) -> None:
    harness.register(Script(lambda inv: succeeded('"' + "x" * 1_048_576 + '"')), "Big")
    arn = harness.run(invoker("Big"))
    error = harness.history(arn)[3]["ChainedInvokeFailedDetails"]["Error"]["Payload"]
    assert error["ErrorMessage"] == (
        "Execution output payload size must be less than or equal to 1048576 bytes."
    )
    assert harness.service.operation_records(arn)[1].status is OperationStatus.FAILED


def test_a_target_starts_only_after_the_invocation_that_invoked_it_has_ended() -> None:
    # In Lambda a target takes longer to start than its caller takes to suspend, so the
    # conformance histories always show InvocationCompleted before ChainedInvoke*; a
    # background service must not let an in-process target run (and finish) first.
    service = DurableExecutionService(
        store=MemoryStore(), clock=RealClock(), mode=SchedulerMode.BACKGROUND
    )
    harness = Harness(service)
    target_ran = threading.Event()
    ran_while_invoking: list[bool] = []

    def echo_and_tell(inv: Invocation) -> Any:
        target_ran.set()
        return echo(inv)

    def start_and_give_the_target_time(inv: Invocation) -> Any:
        inv.checkpoint(invoke("i", "Echo"))
        ran_while_invoking.append(target_ran.wait(timeout=0.5))
        return PENDING

    def finish(inv: Invocation) -> Any:
        details = inv.operations["i"].chained_invoke_details
        return succeeded(None if details is None else details.result)

    target, parent = Script(echo_and_tell), Script(start_and_give_the_target_time, finish)
    harness.register(target, "Echo")
    arn = harness.start(parent)
    try:
        service.wait_for_execution(arn, timeout=30)
        parent.check()
        assert ran_while_invoking == [False]
        assert harness.event_types(arn) == [
            "ExecutionStarted",
            "ChainedInvokeStarted",
            "InvocationCompleted",
            "ChainedInvokeSucceeded",
            "InvocationCompleted",
            "ExecutionSucceeded",
        ]
        assert service.execution_record(arn).result == '"in"'
    finally:
        service.close()
