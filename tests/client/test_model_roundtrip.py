"""Every wire model survives model -> dict -> model, in both dict forms where it has two."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_client import (
    EVENT_DETAILS_TYPES,
    CallbackDetails,
    CallbackOptions,
    ChainedInvokeDetails,
    ChainedInvokeOptions,
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    ContextDetails,
    ContextOptions,
    DeleteDurableExecutionOutput,
    DurableConfig,
    DurableExecutionInvocationInput,
    DurableExecutionInvocationOutput,
    ErrorObject,
    Event,
    EventError,
    EventInput,
    EventPauseReason,
    EventResult,
    EventResumeReason,
    EventType,
    ExecutionDetails,
    ExecutionStatus,
    ExecutionSummary,
    GetDurableExecutionHistoryOutput,
    GetDurableExecutionOutput,
    InitialExecutionState,
    InvocationStatus,
    ListDurableExecutionsByFunctionOutput,
    Operation,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    PauseDetails,
    RetryDetails,
    StateOutput,
    StepDetails,
    StepOptions,
    StopDurableExecutionOutput,
    TraceHeader,
    WaitDetails,
    WaitOptions,
)

# --- strategies -------------------------------------------------------------------------

text = st.text(max_size=20)
opt_text = st.none() | text
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=16)
opt_ids = st.none() | ids
small_ints = st.integers(min_value=0, max_value=10**8)

# The envelope carries whole milliseconds, so datetimes are drawn at that precision.
datetimes_ms = st.integers(min_value=0, max_value=4_102_444_800_000).map(
    lambda ms: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
)
opt_datetimes = st.none() | datetimes_ms

error_objects = st.builds(
    ErrorObject,
    message=opt_text,
    type=opt_text,
    data=opt_text,
    stack_trace=st.none() | st.lists(text, max_size=3),
)
opt_errors = st.none() | error_objects

operations = st.builds(
    Operation,
    operation_id=ids,
    operation_type=st.sampled_from(OperationType),
    status=st.sampled_from(OperationStatus),
    parent_id=opt_ids,
    name=opt_text,
    start_timestamp=opt_datetimes,
    end_timestamp=opt_datetimes,
    sub_type=st.none() | st.sampled_from(OperationSubType),
    execution_details=st.none() | st.builds(ExecutionDetails, input_payload=opt_text),
    context_details=st.none()
    | st.builds(ContextDetails, replay_children=st.booleans(), result=opt_text, error=opt_errors),
    step_details=st.none()
    | st.builds(
        StepDetails,
        attempt=small_ints,
        next_attempt_timestamp=opt_datetimes,
        result=opt_text,
        error=opt_errors,
    ),
    wait_details=st.none() | st.builds(WaitDetails, scheduled_end_timestamp=opt_datetimes),
    callback_details=st.none()
    | st.builds(CallbackDetails, callback_id=ids, result=opt_text, error=opt_errors),
    chained_invoke_details=st.none()
    | st.builds(ChainedInvokeDetails, result=opt_text, error=opt_errors),
)

operation_updates = st.builds(
    OperationUpdate,
    operation_id=ids,
    operation_type=st.sampled_from(OperationType),
    action=st.sampled_from(OperationAction),
    # to_dict drops empty ParentId/Name (as the reference does), so draw non-empty ones.
    parent_id=opt_ids,
    name=st.none() | st.text(min_size=1, max_size=20),
    sub_type=st.none() | st.sampled_from(OperationSubType),
    payload=opt_text,
    error=opt_errors,
    context_options=st.none() | st.builds(ContextOptions, replay_children=st.booleans()),
    step_options=st.none() | st.builds(StepOptions, next_attempt_delay_seconds=small_ints),
    wait_options=st.none() | st.builds(WaitOptions, wait_seconds=small_ints),
    callback_options=st.none()
    | st.builds(CallbackOptions, timeout_seconds=small_ints, heartbeat_timeout_seconds=small_ints),
    chained_invoke_options=st.none()
    | st.builds(ChainedInvokeOptions, function_name=ids, tenant_id=opt_text),
)

event_errors = st.builds(EventError, payload=opt_errors, truncated=st.booleans())
event_results = st.builds(EventResult, payload=opt_text, truncated=st.booleans())
event_inputs = st.builds(EventInput, payload=opt_text, truncated=st.booleans())
retry_details = st.builds(
    RetryDetails,
    current_attempt=st.none() | small_ints,
    next_attempt_delay_seconds=st.none() | small_ints,
)

_FIELD_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "result": event_results,
    "error": event_errors,
    "input": event_inputs,
    "retry_details": retry_details,
    "execution_timeout": small_ints,
    "duration": small_ints,
    "scheduled_end_timestamp": datetimes_ms,
    "pause_request_timestamp": datetimes_ms,
    "resume_request_timestamp": datetimes_ms,
    "execution_timeout_paused": st.booleans(),
    "callback_id": ids,
    "heartbeat_timeout": st.none() | small_ints,
    "timeout": st.none() | small_ints,
    "function_name": ids,
    "tenant_id": opt_text,
    "executed_version": opt_text,
    "durable_execution_arn": opt_text,
    "start_timestamp": datetimes_ms,
    "end_timestamp": datetimes_ms,
    "request_id": ids,
}


_REASON_CLASSES = {
    EventType.EXECUTION_PAUSED: EventPauseReason,
    EventType.EXECUTION_RESUMED: EventResumeReason,
}


def _details_strategy(event_type: EventType) -> st.SearchStrategy[Any]:
    """Build the event type's details class, drawing ``None`` for its optional members."""
    details_class = EVENT_DETAILS_TYPES[event_type]
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for name, spec in details_class.__dataclass_fields__.items():
        if name == "reason":
            reason_class = _REASON_CLASSES[event_type]
            strategy = st.builds(reason_class, payload=opt_text, truncated=st.booleans())
        else:
            strategy = _FIELD_STRATEGIES[name]
        optional = "None" in str(spec.type)  # annotations are strings: "EventError | None"
        kwargs[name] = st.none() | strategy if optional else strategy
    return st.builds(details_class, **kwargs)


@st.composite
def events(draw: st.DrawFn) -> Event:
    event_type = draw(st.sampled_from(EventType))
    details = draw(st.none() | _details_strategy(event_type))
    return Event(
        event_type=event_type,
        event_id=draw(st.integers(min_value=1, max_value=10**6)),
        event_timestamp=draw(datetimes_ms),
        id=draw(opt_ids),
        name=draw(opt_text),
        parent_id=draw(opt_ids),
        sub_type=draw(st.none() | st.sampled_from([s.value for s in OperationSubType])),
        details=details,
    )


# --- properties -------------------------------------------------------------------------


@given(error_objects)
def test_error_object_round_trips(error: ErrorObject) -> None:
    assert ErrorObject.from_dict(error.to_dict()) == error


@given(operations)
def test_operation_round_trips_in_boto3_form(operation: Operation) -> None:
    assert Operation.from_dict(operation.to_dict()) == operation


@given(operations)
def test_operation_round_trips_in_envelope_form(operation: Operation) -> None:
    wire = operation.to_json_dict()
    assert Operation.from_json_dict(wire) == operation
    for key in ("StartTimestamp", "EndTimestamp"):
        if key in wire:
            assert type(wire[key]) is int


@given(operation_updates)
def test_operation_update_round_trips(update: OperationUpdate) -> None:
    assert OperationUpdate.from_dict(update.to_dict()) == update


@given(events())
def test_event_round_trips(event: Event) -> None:
    assert Event.from_dict(event.to_dict()) == event


@given(st.lists(operations, max_size=3), st.none() | text, text)
def test_state_outputs_round_trip(ops: list[Operation], marker: str | None, token: str) -> None:
    state = StateOutput(ops, marker)
    assert StateOutput.from_dict(state.to_dict()) == state
    updated = CheckpointUpdatedExecutionState(ops, marker)
    assert CheckpointUpdatedExecutionState.from_dict(updated.to_dict()) == updated
    output = CheckpointOutput(token, updated)
    assert CheckpointOutput.from_dict(output.to_dict()) == output


@given(st.lists(operations, max_size=3), text, ids, ids)
def test_invocation_input_round_trips(
    ops: list[Operation], marker: str, arn: str, token: str
) -> None:
    invocation = DurableExecutionInvocationInput(arn, token, InitialExecutionState(ops, marker))
    assert DurableExecutionInvocationInput.from_dict(invocation.to_dict()) == invocation
    assert DurableExecutionInvocationInput.from_json_dict(invocation.to_json_dict()) == invocation


@given(st.sampled_from(InvocationStatus), opt_text, opt_errors)
def test_invocation_output_round_trips(
    status: InvocationStatus, result: str | None, error: ErrorObject | None
) -> None:
    output = DurableExecutionInvocationOutput(status, result, error)
    assert DurableExecutionInvocationOutput.from_dict(output.to_dict()) == output


execution_summaries = st.builds(
    ExecutionSummary,
    durable_execution_arn=ids,
    durable_execution_name=ids,
    function_arn=ids,
    status=st.sampled_from(ExecutionStatus),
    start_timestamp=datetimes_ms,
    end_timestamp=opt_datetimes,
    kms_key_arn=opt_text,
)


@given(
    st.builds(
        GetDurableExecutionOutput,
        durable_execution_arn=ids,
        durable_execution_name=ids,
        function_arn=ids,
        status=st.sampled_from(ExecutionStatus),
        start_timestamp=datetimes_ms,
        input_payload=opt_text,
        result=opt_text,
        error=opt_errors,
        end_timestamp=opt_datetimes,
        version=opt_text,
        trace_header=st.none() | st.builds(TraceHeader, x_amzn_trace_id=opt_text),
        execution_data_included=st.none() | st.booleans(),
        durable_config=st.none()
        | st.builds(
            DurableConfig,
            kms_key_arn=opt_text,
            retention_period_in_days=st.none() | small_ints,
            execution_timeout=st.none() | small_ints,
        ),
        pause_details=st.none()
        | st.builds(
            PauseDetails,
            pause_request_timestamp=datetimes_ms,
            execution_timeout_paused=st.booleans(),
            reason=opt_text,
        ),
        expected_execution_timeout_timestamp=opt_datetimes,
    )
)
def test_get_durable_execution_output_round_trips(execution: GetDurableExecutionOutput) -> None:
    assert GetDurableExecutionOutput.from_dict(execution.to_dict()) == execution


@given(st.lists(execution_summaries, max_size=3), st.none() | text)
def test_list_output_round_trips(summaries: list[ExecutionSummary], marker: str | None) -> None:
    page = ListDurableExecutionsByFunctionOutput(summaries, marker)
    assert ListDurableExecutionsByFunctionOutput.from_dict(page.to_dict()) == page


@given(st.lists(events(), max_size=3), st.none() | text)
def test_history_output_round_trips(page_events: list[Event], marker: str | None) -> None:
    page = GetDurableExecutionHistoryOutput(page_events, marker)
    assert GetDurableExecutionHistoryOutput.from_dict(page.to_dict()) == page


@given(datetimes_ms)
def test_stop_and_delete_outputs_round_trip(when: datetime) -> None:
    assert StopDurableExecutionOutput.from_dict(StopDurableExecutionOutput(when).to_dict()) == (
        StopDurableExecutionOutput(when)
    )
    deleted = DeleteDurableExecutionOutput(when)
    assert DeleteDurableExecutionOutput.from_dict(deleted.to_dict()) == deleted
