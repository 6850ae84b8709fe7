"""Every wire model survives model -> dict -> model, in both dict forms where it has two."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
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

from .conftest import WIRE_MODELS

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

execution_details = st.builds(ExecutionDetails, input_payload=opt_text)
context_details = st.builds(
    ContextDetails, replay_children=st.booleans(), result=opt_text, error=opt_errors
)
step_details = st.builds(
    StepDetails,
    attempt=small_ints,
    next_attempt_timestamp=opt_datetimes,
    result=opt_text,
    error=opt_errors,
)
wait_details = st.builds(WaitDetails, scheduled_end_timestamp=opt_datetimes)
callback_details = st.builds(CallbackDetails, callback_id=ids, result=opt_text, error=opt_errors)
chained_invoke_details = st.builds(ChainedInvokeDetails, result=opt_text, error=opt_errors)

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
    execution_details=st.none() | execution_details,
    context_details=st.none() | context_details,
    step_details=st.none() | step_details,
    wait_details=st.none() | wait_details,
    callback_details=st.none() | callback_details,
    chained_invoke_details=st.none() | chained_invoke_details,
)

context_options = st.builds(ContextOptions, replay_children=st.booleans())
step_options = st.builds(StepOptions, next_attempt_delay_seconds=small_ints)
wait_options = st.builds(WaitOptions, wait_seconds=small_ints)
callback_options = st.builds(
    CallbackOptions, timeout_seconds=small_ints, heartbeat_timeout_seconds=small_ints
)
chained_invoke_options = st.builds(ChainedInvokeOptions, function_name=ids, tenant_id=opt_text)

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
    context_options=st.none() | context_options,
    step_options=st.none() | step_options,
    wait_options=st.none() | wait_options,
    callback_options=st.none() | callback_options,
    chained_invoke_options=st.none() | chained_invoke_options,
)

updated_states = st.builds(
    CheckpointUpdatedExecutionState,
    st.lists(operations, max_size=3),
    st.none() | text,
)

event_errors = st.builds(EventError, payload=opt_errors, truncated=st.booleans())
event_results = st.builds(EventResult, payload=opt_text, truncated=st.booleans())
event_inputs = st.builds(EventInput, payload=opt_text, truncated=st.booleans())
pause_reasons = st.builds(EventPauseReason, payload=opt_text, truncated=st.booleans())
resume_reasons = st.builds(EventResumeReason, payload=opt_text, truncated=st.booleans())
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


_REASONS = {
    EventType.EXECUTION_PAUSED: pause_reasons,
    EventType.EXECUTION_RESUMED: resume_reasons,
}


def _details_strategy(event_type: EventType) -> st.SearchStrategy[Any]:
    """Build the event type's details class, drawing ``None`` for its optional members."""
    details_class = EVENT_DETAILS_TYPES[event_type]
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for name, spec in details_class.__dataclass_fields__.items():
        strategy = _REASONS[event_type] if name == "reason" else _FIELD_STRATEGIES[name]
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


trace_headers = st.builds(TraceHeader, x_amzn_trace_id=opt_text)
durable_configs = st.builds(
    DurableConfig,
    kms_key_arn=opt_text,
    retention_period_in_days=st.none() | small_ints,
    execution_timeout=st.none() | small_ints,
)
pause_details = st.builds(
    PauseDetails,
    pause_request_timestamp=datetimes_ms,
    execution_timeout_paused=st.booleans(),
    reason=opt_text,
)
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

# A strategy for every wire model of conftest.WIRE_MODELS, and for the models that
# have no shape of their own in botocore's model (events, the handler's output).
STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {
    ErrorObject: error_objects,
    ExecutionDetails: execution_details,
    ContextDetails: context_details,
    StepDetails: step_details,
    WaitDetails: wait_details,
    CallbackDetails: callback_details,
    ChainedInvokeDetails: chained_invoke_details,
    StepOptions: step_options,
    WaitOptions: wait_options,
    CallbackOptions: callback_options,
    ChainedInvokeOptions: chained_invoke_options,
    ContextOptions: context_options,
    Operation: operations,
    OperationUpdate: operation_updates,
    CheckpointUpdatedExecutionState: updated_states,
    CheckpointOutput: st.builds(CheckpointOutput, text, updated_states),
    StateOutput: st.builds(StateOutput, st.lists(operations, max_size=3), st.none() | text),
    GetDurableExecutionOutput: st.builds(
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
        trace_header=st.none() | trace_headers,
        execution_data_included=st.none() | st.booleans(),
        durable_config=st.none() | durable_configs,
        pause_details=st.none() | pause_details,
        expected_execution_timeout_timestamp=opt_datetimes,
    ),
    TraceHeader: trace_headers,
    DurableConfig: durable_configs,
    PauseDetails: pause_details,
    ExecutionSummary: execution_summaries,
    ListDurableExecutionsByFunctionOutput: st.builds(
        ListDurableExecutionsByFunctionOutput,
        st.lists(execution_summaries, max_size=3),
        st.none() | text,
    ),
    StopDurableExecutionOutput: st.builds(StopDurableExecutionOutput, datetimes_ms),
    DeleteDurableExecutionOutput: st.builds(DeleteDurableExecutionOutput, datetimes_ms),
    EventInput: event_inputs,
    EventResult: event_results,
    EventError: event_errors,
    EventPauseReason: pause_reasons,
    EventResumeReason: resume_reasons,
    RetryDetails: retry_details,
    Event: events(),
    GetDurableExecutionHistoryOutput: st.builds(
        GetDurableExecutionHistoryOutput, st.lists(events(), max_size=3), st.none() | text
    ),
    DurableExecutionInvocationOutput: st.builds(
        DurableExecutionInvocationOutput,
        st.sampled_from(InvocationStatus),
        opt_text,
        opt_errors,
    ),
}
ROUND_TRIPPED = [
    *WIRE_MODELS.values(),
    Event,
    GetDurableExecutionHistoryOutput,
    DurableExecutionInvocationOutput,
]


# --- properties -------------------------------------------------------------------------


@pytest.mark.parametrize("model", ROUND_TRIPPED, ids=[model.__name__ for model in ROUND_TRIPPED])
@given(data=st.data())
def test_every_wire_model_round_trips_in_boto3_form(model: type[Any], data: st.DataObject) -> None:
    value = data.draw(STRATEGIES[model])
    assert model.from_dict(value.to_dict()) == value


@given(operations)
def test_operation_round_trips_in_envelope_form(operation: Operation) -> None:
    wire = operation.to_json_dict()
    assert Operation.from_json_dict(wire) == operation
    for key in ("StartTimestamp", "EndTimestamp"):
        if key in wire:
            assert type(wire[key]) is int


@given(st.lists(operations, max_size=3), text, ids, ids)
def test_invocation_input_round_trips(
    ops: list[Operation], marker: str, arn: str, token: str
) -> None:
    invocation = DurableExecutionInvocationInput(arn, token, InitialExecutionState(ops, marker))
    assert DurableExecutionInvocationInput.from_dict(invocation.to_dict()) == invocation
    assert DurableExecutionInvocationInput.from_json_dict(invocation.to_json_dict()) == invocation
