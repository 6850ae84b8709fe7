"""The handler wrapper: envelope in, envelope out (scenarios E-01..E-12, F-01..F-10).

E-01, E-05..E-07, E-10 and F-08 run end to end on both backends in
tests/durable_lambda/scenarios/test_envelope.py; here are the rest, which need the
fake's hand-made events, boto3 stubs or injected checkpoint failures."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any
from unittest.mock import Mock

import pytest
from botocore.exceptions import ClientError

from durable_lambda_client import (
    CallbackError,
    CheckpointError,
    CheckpointErrorCategory,
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    DurableExecutionInvocationInputWithClient,
    ExecutionDetails,
    ExecutionError,
    GetExecutionStateError,
    InitialExecutionState,
    Operation,
    OperationStatus,
    OperationType,
    StateOutput,
    StepDetails,
    StepInterruptedError,
    TerminationReason,
)
from durable_lambda_context import (
    DurableContext,
    StepConfig,
    StepContext,
    StepSemantics,
    durable_execution,
    durable_step,
    handle_checkpoint_error,
)
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)
INVALID = (
    "Unexpected payload provided to start the durable execution. "
    "Check your resource configurations to confirm the durability is set."
)


@durable_step
def greet_user(step_context: StepContext, name: str) -> str:
    return f"Hello {name}!"


@durable_execution
def greeting(event: Any, context: DurableContext) -> str:
    return context.step(greet_user(event.get("name", "World")))


@pytest.mark.parametrize("payload", [None, "", "  "])
def test_missing_or_blank_input_is_an_empty_event(new_service: Any, payload: str | None) -> None:
    service = new_service(payload)
    assert service.invoke(greeting) == {"Status": "SUCCEEDED", "Result": '"Hello World!"'}


def test_no_operations_at_all_gives_an_empty_event(service: Any) -> None:
    event = DurableExecutionInvocationInputWithClient(
        "arn:aws:lambda:us-east-1:1:function:f/durable-execution/x/y",
        "t",
        InitialExecutionState([], ""),
        service,
    )
    service.checkpoint = Mock(
        return_value=CheckpointOutput("t2", CheckpointUpdatedExecutionState([]))
    )
    assert greeting(event, None) == {"Status": "SUCCEEDED", "Result": '"Hello World!"'}


@pytest.mark.parametrize("event", [{"key": "value"}, "not a dict", None])
def test_non_durable_event_is_rejected(event: Any) -> None:
    called: list[Any] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        called.append(event)

    with pytest.raises(ExecutionError) as raised:
        handler(event, None)
    assert str(raised.value) == INVALID
    assert called == []


def test_invalid_json_input(new_service: Any, caplog: pytest.LogCaptureFixture) -> None:
    service = new_service("{not json")
    with pytest.raises(json.JSONDecodeError):
        service.invoke(greeting)
    assert any(
        r.getMessage().startswith("Failed to parse input payload as JSON: payload: ")
        for r in caplog.records
    )
    assert service.calls == []


def test_result_over_the_response_limit_is_checkpointed(service: Any) -> None:
    @durable_execution
    def large(event: Any, context: DurableContext) -> str:
        return "z" * (6 * 1024 * 1024)

    before = int(time.time() * 1000)
    assert service.invoke(large) == {"Status": "SUCCEEDED", "Result": ""}
    (update,) = service.updates
    wire = update.to_dict()
    assert set(wire) == {"Id", "Type", "Action", "Payload"}
    assert (wire["Type"], wire["Action"]) == ("EXECUTION", "SUCCEED")
    assert len(wire["Payload"]) == 6_291_458
    assert wire["Id"].startswith("execution-result-")
    assert int(wire["Id"].removeprefix("execution-result-")) >= before


def test_error_over_the_response_limit_is_checkpointed(service: Any) -> None:
    @durable_execution
    def large(event: Any, context: DurableContext) -> None:
        raise ValueError("e" * (6 * 1024 * 1024))

    assert service.invoke(large) == {"Status": "FAILED"}
    (update,) = service.updates
    assert (update.operation_type, update.action.value) == (OperationType.EXECUTION, "FAIL")
    assert update.error is not None
    assert update.error.type == "ValueError"


class StubLambda:
    """A stand-in for a boto3 ``lambda`` client: records calls, raises what it is told."""

    def __init__(
        self,
        checkpoint_error: Exception | None = None,
        state_error: Exception | None = None,
    ) -> None:
        self.checkpoints: list[dict[str, Any]] = []
        self.state_calls: list[dict[str, Any]] = []
        self.checkpoint_error = checkpoint_error
        self.state_error = state_error

    def checkpoint_durable_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.checkpoints.append(kwargs)
        if self.checkpoint_error is not None:
            raise self.checkpoint_error
        return {"CheckpointToken": f"t{len(self.checkpoints)}", "NewExecutionState": {}}

    def get_durable_execution_state(self, **kwargs: Any) -> dict[str, Any]:
        self.state_calls.append(kwargs)
        if self.state_error is not None:
            raise self.state_error
        return {"Operations": []}


def raw_event(operations: list[dict[str, Any]] | None = None, marker: str = "") -> dict[str, Any]:
    execution = {
        "Id": "y",
        "Type": "EXECUTION",
        "Status": "STARTED",
        "StartTimestamp": 1_700_000_000_000,
        "ExecutionDetails": {"InputPayload": '{"n": 1}'},
    }
    return {
        "DurableExecutionArn": "arn:aws:lambda:us-east-1:1:function:f/durable-execution/x/y",
        "CheckpointToken": "t0",
        "InitialExecutionState": {
            "Operations": [execution, *(operations or [])],
            "NextMarker": marker,
        },
    }


def test_custom_boto3_client(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    monkeypatch.setattr(boto3, "client", Mock(side_effect=AssertionError("boto3.client called")))
    stub = StubLambda()

    @durable_execution(boto3_client=stub)
    def handler(event: Any, context: DurableContext) -> dict[str, str]:
        context.step(lambda _: event["n"], name="one")
        return {"status": "success"}

    assert handler(raw_event(), None) == {"Status": "SUCCEEDED", "Result": '{"status": "success"}'}
    assert stub.checkpoints
    for call in stub.checkpoints:
        assert set(call) == {"DurableExecutionArn", "CheckpointToken", "Updates"}


def test_injected_service_client_receives_keyword_calls(service: Any) -> None:
    spy = Mock(wraps=service)
    event = service.event()
    injected = DurableExecutionInvocationInputWithClient(
        event.durable_execution_arn, event.checkpoint_token, event.initial_execution_state, spy
    )
    assert greeting(injected, None)["Status"] == "SUCCEEDED"
    kwargs = spy.checkpoint.call_args.kwargs
    assert set(kwargs) == {"durable_execution_arn", "checkpoint_token", "updates", "client_token"}
    assert kwargs["client_token"] is None


def test_initial_state_paging_replays_the_stored_step() -> None:
    client = Mock()
    cached = Operation(
        operation_id=ID1,
        operation_type=OperationType.STEP,
        status=OperationStatus.SUCCEEDED,
        name="s",
        step_details=StepDetails(result='"cached"'),
    )
    client.get_execution_state.return_value = StateOutput([cached])
    event = raw_event(marker="m1")
    parsed = DurableExecutionInvocationInputWithClient(
        event["DurableExecutionArn"],
        "t0",
        InitialExecutionState.from_json_dict(event["InitialExecutionState"]),
        client,
    )
    logged: list[bool] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        logged.append(context.state.is_replaying())
        return context.step(lambda _: "fresh", name="s")

    assert handler(parsed, None) == {"Status": "SUCCEEDED", "Result": '"cached"'}
    client.get_execution_state.assert_called_once_with(
        durable_execution_arn=event["DurableExecutionArn"],
        checkpoint_token="t0",
        next_marker="m1",
        max_items=1000,
    )
    client.checkpoint.assert_not_called()
    assert logged == [True]


def test_epoch_millisecond_timestamps_in_the_event() -> None:
    stub = StubLambda()
    pending = {
        "Id": ID1,
        "Type": "STEP",
        "SubType": "Step",
        "Name": "s",
        "Status": "PENDING",
        "StartTimestamp": 1_700_000_000_000,
        "StepDetails": {"Attempt": 1, "NextAttemptTimestamp": int(time.time() * 1000) + 60_000},
    }
    seen: list[Any] = []

    @durable_execution(boto3_client=stub)
    def handler(event: Any, context: DurableContext) -> Any:
        operation = context.state.operations[ID1]
        seen.append(operation.start_timestamp)
        return context.step(lambda _: "never", name="s")

    assert handler(raw_event([pending]), None) == {"Status": "PENDING"}
    assert stub.checkpoints == []
    assert seen[0] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_input_found_on_a_later_page() -> None:
    client = Mock()
    client.get_execution_state.return_value = StateOutput(
        [
            Operation(
                operation_id="y",
                operation_type=OperationType.EXECUTION,
                status=OperationStatus.STARTED,
                execution_details=ExecutionDetails(input_payload='{"name":"Bo"}'),
            )
        ]
    )
    client.checkpoint.return_value = CheckpointOutput("t1", CheckpointUpdatedExecutionState([]))
    event = DurableExecutionInvocationInputWithClient(
        "arn:aws:lambda:us-east-1:1:function:f/durable-execution/x/y",
        "t0",
        InitialExecutionState([], "m"),
        client,
    )
    assert greeting(event, None) == {"Status": "SUCCEEDED", "Result": '"Hello Bo!"'}


def client_error(status: int, code: str, message: str = "boom") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "r1"},
        },
        "CheckpointDurableExecution",
    )


def failing_checkpoints(service: Any, error: BaseException) -> None:
    service.checkpoint_error = lambda updates: CheckpointError.from_exception(error)


at_most_once = StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY)


@durable_execution
def one_step(event: Any, context: DurableContext) -> str:
    return context.step(lambda _: "ok", name="s", config=at_most_once)


def test_checkpoint_5xx_is_retried_by_lambda(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    failing_checkpoints(service, client_error(500, "ServiceException"))
    with pytest.raises(CheckpointError) as raised:
        service.invoke(one_step)
    assert raised.value.error_category is CheckpointErrorCategory.INVOCATION
    assert raised.value.is_retriable()
    logged = next(r for r in caplog.records if r.getMessage() == "Checkpoint processing failed")
    assert logged.__dict__["Error"] == {"Code": "ServiceException", "Message": "boom"}
    assert logged.__dict__["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_checkpoint_4xx_fails_the_execution(service: Any) -> None:
    error = client_error(400, "ValidationException")
    failing_checkpoints(service, error)
    assert service.invoke(one_step) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": str(error), "ErrorType": "CheckpointError"},
    }


@pytest.mark.parametrize(
    "error",
    [
        client_error(429, "TooManyRequestsException"),
        client_error(400, "InvalidParameterValueException", "Invalid Checkpoint Token: expired"),
        client_error(400, "InvalidParameterValueException", "Invalid checkpoint token"),
        Exception("Network timeout"),
    ],
)
def test_retriable_checkpoint_failures_are_raised(service: Any, error: Exception) -> None:
    failing_checkpoints(service, error)
    with pytest.raises(CheckpointError):
        service.invoke(one_step)


def test_state_paging_failure_is_raised_before_the_handler() -> None:
    client = Mock()
    client.get_execution_state.side_effect = GetExecutionStateError.from_exception(
        client_error(503, "ServiceException")
    )
    called: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        called.append(1)

    event = DurableExecutionInvocationInputWithClient(
        "arn:x/durable-execution/x/y", "t0", InitialExecutionState([], "m"), client
    )
    with pytest.raises(GetExecutionStateError):
        handler(event, None)
    assert called == []


@pytest.mark.parametrize(("status", "raises"), [(400, False), (500, True)])
def test_final_large_checkpoints_failing(service: Any, status: int, raises: bool) -> None:
    failing_checkpoints(service, client_error(status, "X"))

    @durable_execution
    def large_result(event: Any, context: DurableContext) -> str:
        return "z" * (7 * 1024 * 1024)

    @durable_execution
    def large_error(event: Any, context: DurableContext) -> None:
        raise ValueError("e" * (7 * 1024 * 1024))

    for handler in (large_result, large_error):
        if raises:
            with pytest.raises(CheckpointError):
                service.invoke(handler)
        else:
            output = service.invoke(handler)
            assert output["Status"] == "FAILED"
            assert output["Error"]["ErrorType"] == "CheckpointError"


def test_checkpoint_failure_inside_map_branches_fails_promptly(service: Any) -> None:
    def failing(updates: list[Any]) -> BaseException | None:
        if any(u.operation_type is OperationType.STEP for u in updates):
            return CheckpointError.from_exception(client_error(500, "ServiceException"))
        return None

    service.checkpoint_error = failing

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.map(
            [1, 2], lambda c, v, i, a: c.step(lambda _: v, name=f"s{v}", config=at_most_once)
        ).get_results()

    with pytest.raises(CheckpointError):
        service.invoke(handler)


def test_handle_checkpoint_error_and_termination_reasons() -> None:
    retriable = CheckpointError.from_exception(client_error(500, "X"))
    with pytest.raises(CheckpointError):
        handle_checkpoint_error(retriable)
    final = CheckpointError.from_exception(client_error(400, "X"))
    assert handle_checkpoint_error(final).to_dict()["Status"] == "FAILED"
    assert [r.value for r in TerminationReason] == [
        "UNHANDLED_ERROR",
        "INVOCATION_ERROR",
        "EXECUTION_ERROR",
        "CHECKPOINT_FAILED",
        "NON_DETERMINISTIC_EXECUTION",
        "STEP_INTERRUPTED",
        "CALLBACK_ERROR",
        "SERIALIZATION_ERROR",
    ]
    assert ExecutionError("m").termination_reason is TerminationReason.EXECUTION_ERROR
    assert retriable.termination_reason is TerminationReason.CHECKPOINT_FAILED
    assert StepInterruptedError("m").termination_reason is TerminationReason.STEP_INTERRUPTED
    assert CallbackError("m").termination_reason is TerminationReason.CALLBACK_ERROR


def test_sdk_logs_are_not_replay_suppressed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="durable_lambda_context")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        return None

    assert any(r.getMessage() == "Starting durable execution handler..." for r in caplog.records)


def test_checkpoint_5xx_through_the_boto3_client_is_raised_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = client_error(500, "ServiceException")
    stub = StubLambda(checkpoint_error=error)

    @durable_execution(boto3_client=stub)
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda _: "ok", name="s", config=at_most_once)

    with pytest.raises(CheckpointError) as raised:
        handler(raw_event(), None)
    assert raised.value.error_category is CheckpointErrorCategory.INVOCATION
    assert raised.value.__cause__ is error
    extras = {
        "Error": {"Code": "ServiceException", "Message": "boom"},
        "ResponseMetadata": {"HTTPStatusCode": 500, "RequestId": "r1"},
    }
    for message in ("Failed to checkpoint.", "Checkpoint processing failed"):
        logged = next(r for r in caplog.records if r.getMessage() == message)
        assert logged.levelno == logging.ERROR
        assert logged.exc_info is not None
        assert {key: logged.__dict__[key] for key in extras} == extras


def test_checkpoint_4xx_through_the_boto3_client_fails_the_execution() -> None:
    error = client_error(400, "ValidationException", "Invalid update")
    stub = StubLambda(checkpoint_error=error)

    @durable_execution(boto3_client=stub)
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda _: "ok", name="s", config=at_most_once)

    assert handler(raw_event(), None) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": str(error), "ErrorType": "CheckpointError"},
    }
    assert len(stub.checkpoints) == 1


def test_state_paging_failure_through_the_boto3_client_is_raised_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stub = StubLambda(state_error=client_error(503, "ServiceException"))
    called: list[int] = []

    @durable_execution(boto3_client=stub)
    def handler(event: Any, context: DurableContext) -> None:
        called.append(1)

    with pytest.raises(GetExecutionStateError):
        handler(raw_event(marker="m1"), None)
    assert called == []
    assert stub.checkpoints == []
    assert stub.state_calls == [
        {
            "DurableExecutionArn": raw_event()["DurableExecutionArn"],
            "CheckpointToken": "t0",
            "MaxItems": 1000,
            "Marker": "m1",
        }
    ]
    logged = next(r for r in caplog.records if r.getMessage() == "Failed to get execution state.")
    assert logged.__dict__["Error"] == {"Code": "ServiceException", "Message": "boom"}
    assert logged.__dict__["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_bare_decorator_builds_one_boto3_client_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3

    from durable_lambda_client import _lambda_client

    stub = StubLambda()
    built: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def fake_client(*args: Any, **kwargs: Any) -> StubLambda:
        built.append((args, kwargs))
        return stub

    monkeypatch.setattr(boto3, "client", fake_client)
    monkeypatch.setattr(_lambda_client, "_clients", {})

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        return context.step(lambda _: event["n"], name="one")

    assert handler(raw_event(), None) == {"Status": "SUCCEEDED", "Result": "1"}
    assert handler(raw_event(), None) == {"Status": "SUCCEEDED", "Result": "1"}
    assert len(built) == 1
    args, kwargs = built[0]
    assert args == ("lambda",)
    config = kwargs["config"]
    assert (config.connect_timeout, config.read_timeout) == (5, 50)
    # Both invocations checkpointed their step (START and SUCCEED) through that client.
    sent = [update["Action"] for call in stub.checkpoints for update in call["Updates"]]
    assert sent == ["START", "SUCCEED", "START", "SUCCEED"]


def revoke_token_on_call(service: Any, call_number: int) -> None:
    """The service accepts call ``call_number`` but answers without a checkpoint token."""
    revoke_token_when(service, lambda updates: len(service.calls) == call_number)


def revoke_token_when(service: Any, revoke: Any) -> None:
    """The service accepts a call but answers without a token when ``revoke(updates)``."""
    accept = service.checkpoint

    def checkpoint(**kwargs: Any) -> CheckpointOutput:
        output = accept(**kwargs)
        if revoke(kwargs["updates"]):
            return CheckpointOutput("", output.new_execution_state)
        return output

    service.checkpoint = checkpoint


def test_missing_token_ends_the_invocation_pending(service: Any) -> None:
    revoke_token_on_call(service, 2)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.step(lambda _: 1, name="a", config=at_most_once)
        context.step(lambda _: 2, name="b")
        return "done"

    assert service.invoke(handler) == {"Status": "PENDING"}
    # The second call (SUCCEED a) was accepted; nothing is sent after it.
    assert service.summary() == [("STEP", "Step", "START", "a"), ("STEP", "Step", "SUCCEED", "a")]


def test_missing_token_after_the_last_checkpoint_still_ends_pending(service: Any) -> None:
    revoke_token_on_call(service, 2)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.step(lambda _: 1, name="a", config=at_most_once)
        return "done"

    assert service.invoke(handler) == {"Status": "PENDING"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (lambda: "z" * (7 * 1024 * 1024), {"Status": "SUCCEEDED", "Result": ""}),
        (lambda: (_ for _ in ()).throw(ValueError("e" * (7 * 1024 * 1024))), {"Status": "FAILED"}),
    ],
    ids=["large result", "large error"],
)
def test_missing_token_after_the_execution_update_keeps_the_outcome(
    service: Any, body: Any, expected: dict[str, Any]
) -> None:
    revoke_token_on_call(service, 1)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return body()

    assert service.invoke(handler) == expected
    assert [u.operation_type for u in service.updates] == [OperationType.EXECUTION]


def test_missing_token_before_a_large_error_ends_pending(service: Any) -> None:
    revoke_token_when(service, lambda updates: any(u.action.value == "SUCCEED" for u in updates))

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="a")
        raise ValueError("e" * (7 * 1024 * 1024))

    assert service.invoke(handler) == {"Status": "PENDING"}
    assert service.summary() == [("STEP", "Step", "START", "a"), ("STEP", "Step", "SUCCEED", "a")]


@pytest.mark.parametrize(("status", "raises"), [(500, True), (400, False)])
def test_a_lost_asynchronous_checkpoint_overrides_the_outcome(
    service: Any, status: int, raises: bool
) -> None:
    """Behaviour 2.5 [REC]: no outcome is reported once a checkpoint is known lost."""
    failing_checkpoints(service, client_error(status, "X"))

    def fatal(_: StepContext) -> None:
        raise ExecutionError("fatal")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        # The only checkpoint is the step's asynchronous START; the handler then fails
        # without waiting for it.
        context.step(fatal, name="s")

    if raises:
        with pytest.raises(CheckpointError):
            service.invoke(handler)
    else:
        output = service.invoke(handler)
        assert output["Status"] == "FAILED"
        assert output["Error"]["ErrorType"] == "CheckpointError"
    assert service.summary() == [("STEP", "Step", "START", "s")]
