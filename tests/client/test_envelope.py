"""The Lambda invocation envelope: epoch-millisecond timestamps in, handler output out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from durable_lambda_client import (
    LAMBDA_RESPONSE_SIZE_LIMIT,
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    DurableExecutionInvocationOutput,
    DurableExecutionsError,
    ErrorObject,
    InitialExecutionState,
    InvocationStatus,
    LambdaClient,
    Operation,
    OperationStatus,
    OperationType,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/n/exec-1"


def lambda_event() -> dict[str, Any]:
    """An event as the service delivers it: timestamps are epoch milliseconds."""
    return {
        "DurableExecutionArn": ARN,
        "CheckpointToken": "dG9rZW4=",
        "InitialExecutionState": {
            "Operations": [
                {
                    "Id": "exec-1",
                    "Type": "EXECUTION",
                    "Status": "STARTED",
                    "StartTimestamp": 1735689600123,
                    "ExecutionDetails": {"InputPayload": '{"name": "Ada"}'},
                },
                {
                    "Id": "step-1",
                    "Type": "STEP",
                    "SubType": "Step",
                    "Status": "PENDING",
                    "StartTimestamp": 1735689601000,
                    "StepDetails": {"Attempt": 1, "NextAttemptTimestamp": 1735689660500},
                },
                {
                    "Id": "wait-1",
                    "Type": "WAIT",
                    "SubType": "Wait",
                    "Status": "SUCCEEDED",
                    "StartTimestamp": 1735689602000,
                    "EndTimestamp": 1735689612000,
                    "WaitDetails": {"ScheduledEndTimestamp": 1735689612000},
                },
            ],
            "NextMarker": "",
        },
    }


def test_envelope_timestamps_become_aware_utc_datetimes() -> None:
    parsed = DurableExecutionInvocationInput.from_json_dict(lambda_event())
    execution, step, wait = parsed.initial_execution_state.operations
    assert execution.start_timestamp == datetime(2025, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
    assert step.step_details is not None
    assert step.step_details.next_attempt_timestamp == datetime(
        2025, 1, 1, 0, 1, 0, 500000, tzinfo=UTC
    )
    assert wait.end_timestamp == datetime(2025, 1, 1, 0, 0, 12, tzinfo=UTC)
    assert wait.wait_details is not None
    assert wait.wait_details.scheduled_end_timestamp == wait.end_timestamp
    assert step.step_details.next_attempt_timestamp > datetime(2024, 12, 31, tzinfo=UTC)


def test_envelope_round_trips_to_the_same_event() -> None:
    event = lambda_event()
    assert DurableExecutionInvocationInput.from_json_dict(event).to_json_dict() == event


def test_datetimes_in_an_injected_event_are_kept() -> None:
    when = datetime(2025, 6, 1, tzinfo=UTC)
    operation = Operation.from_json_dict(
        {"Id": "a", "Type": "WAIT", "Status": "STARTED", "StartTimestamp": when}
    )
    assert operation.start_timestamp is when


def test_a_timestamp_of_the_wrong_type_names_the_field() -> None:
    with pytest.raises(TypeError, match=r"Operation\.StartTimestamp .* got '2025-01-01'"):
        Operation.from_json_dict(
            {"Id": "a", "Type": "WAIT", "Status": "STARTED", "StartTimestamp": "2025-01-01"}
        )


@pytest.mark.parametrize(
    ("member", "value"), [("Type", "TIMER"), ("Status", "DONE"), ("SubType", "Sleep")]
)
def test_unknown_enum_values_raise_value_error_naming_the_member(member: str, value: str) -> None:
    data = {"Id": "a", "Type": "WAIT", "Status": "STARTED", member: value}
    with pytest.raises(ValueError, match=rf"Operation\.{member} must be one of .*got '{value}'"):
        Operation.from_json_dict(data)


@pytest.mark.parametrize("missing", ["DurableExecutionArn", "CheckpointToken"])
def test_required_event_keys(missing: str) -> None:
    event = lambda_event()
    del event[missing]
    with pytest.raises(KeyError, match=missing):
        DurableExecutionInvocationInput.from_json_dict(event)


def test_initial_state_may_be_absent_or_empty() -> None:
    bare = DurableExecutionInvocationInput.from_json_dict(
        {"DurableExecutionArn": ARN, "CheckpointToken": "t"}
    )
    assert bare.initial_execution_state == InitialExecutionState([], "")
    empty = InitialExecutionState.from_json_dict({"Operations": []})
    assert empty == InitialExecutionState([], "")
    assert empty.get_execution_operation() is None
    assert empty.get_input_payload() is None


def test_input_payload_comes_from_the_execution_operation() -> None:
    state = DurableExecutionInvocationInput.from_json_dict(lambda_event()).initial_execution_state
    assert state.get_input_payload() == '{"name": "Ada"}'


def test_first_operation_must_be_the_execution() -> None:
    state = InitialExecutionState(
        [Operation("s", OperationType.STEP, OperationStatus.STARTED)], next_marker=""
    )
    with pytest.raises(DurableExecutionsError, match="not an execution operation"):
        state.get_execution_operation()


def test_input_with_client_carries_the_injected_client() -> None:
    parsed = DurableExecutionInvocationInput.from_json_dict(lambda_event())
    service = LambdaClient(client=object())
    with_client = DurableExecutionInvocationInputWithClient.from_durable_execution_invocation_input(
        parsed, service
    )
    assert with_client.service_client is service
    assert with_client.durable_execution_arn == ARN
    assert with_client.initial_execution_state is parsed.initial_execution_state
    assert isinstance(with_client, DurableExecutionInvocationInput)


@pytest.mark.parametrize(
    ("output", "wire"),
    [
        (
            DurableExecutionInvocationOutput.create_succeeded('"hi"'),
            {"Status": "SUCCEEDED", "Result": '"hi"'},
        ),
        (
            DurableExecutionInvocationOutput.create_succeeded(""),
            {"Status": "SUCCEEDED", "Result": ""},
        ),
        (DurableExecutionInvocationOutput(InvocationStatus.PENDING), {"Status": "PENDING"}),
        (
            DurableExecutionInvocationOutput(
                InvocationStatus.FAILED, error=ErrorObject.from_exception(KeyError("k"))
            ),
            {"Status": "FAILED", "Error": {"ErrorMessage": "'k'", "ErrorType": "KeyError"}},
        ),
        (DurableExecutionInvocationOutput(InvocationStatus.FAILED), {"Status": "FAILED"}),
    ],
)
def test_handler_output(output: DurableExecutionInvocationOutput, wire: dict[str, Any]) -> None:
    assert output.to_dict() == wire
    assert DurableExecutionInvocationOutput.from_dict(wire) == output


def test_response_size_limit() -> None:
    assert LAMBDA_RESPONSE_SIZE_LIMIT == 6_291_406
