"""A. Handler envelope (E-01, E-05..E-07, E-10) and handler errors (F-08), on both backends."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from durable_lambda import (
    CallbackError,
    DurableContext,
    ExecutionError,
    InvocationError,
    StepContext,
    durable_execution,
    durable_step,
)
from durable_lambda.config import Duration
from durable_lambda.execution import InvocationStatus

from .conftest import ID1, flat


@durable_step
def greet_user(step_context: StepContext, name: str) -> str:
    return f"Hello {name}!"


@durable_execution
def greeting(event: Any, context: DurableContext) -> str:
    return context.step(greet_user(event.get("name", "World")))


def test_e01_quick_start_greeting(scenario: Any) -> None:
    run = scenario(greeting)
    result = run.run({"name": "Ada"})
    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"Hello Ada!"'
    assert run.wire() == [
        {"Id": ID1, "Type": "STEP", "Action": "START", "Name": "greet_user", "SubType": "Step"},
        {
            "Id": ID1,
            "Type": "STEP",
            "Action": "SUCCEED",
            "Name": "greet_user",
            "SubType": "Step",
            "Payload": '"Hello Ada!"',
        },
    ]
    assert flat(result) == [("STEP", "Step", "greet_user", "SUCCEEDED")]
    assert result.get_step("greet_user").result == '"Hello Ada!"'
    assert run.outputs == [{"Status": "SUCCEEDED", "Result": '"Hello Ada!"'}]


def test_e05_result_under_the_response_limit_is_returned_not_checkpointed(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return "z" * 1000

    run = scenario(handler)
    result = run.run()
    assert result.value == "z" * 1000
    assert run.outputs == [{"Status": "SUCCEEDED", "Result": json.dumps("z" * 1000)}]
    assert run.updates == []


def test_e06_small_error_is_returned_not_checkpointed(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        raise ValueError("Test error")

    run = scenario(handler)
    result = run.run()
    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("ValueError", "Test error")
    assert run.outputs == [
        {"Status": "FAILED", "Error": {"ErrorMessage": "Test error", "ErrorType": "ValueError"}}
    ]
    assert run.updates == []


def test_e07_result_json_cannot_encode(scenario: Any) -> None:
    @durable_execution
    def returns_datetime(event: Any, context: DurableContext) -> Any:
        return datetime(2024, 1, 2, tzinfo=UTC)

    @durable_execution
    def returns_batch(event: Any, context: DurableContext) -> Any:
        return context.map([1], lambda ctx, item, index, items: item, name="m")

    for handler, type_name in ((returns_datetime, "datetime"), (returns_batch, "BatchResult")):
        result = scenario(handler).run()
        assert result.status is InvocationStatus.FAILED
        assert result.error is not None
        assert (result.error.type, result.error.message) == (
            "TypeError",
            f"Object of type {type_name} is not JSON serializable",
        )


def test_e10_state_pages_are_read_before_the_handler_replays(runner_scenario: Any) -> None:
    calls: list[str] = []
    replaying: list[bool] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        replaying.append(context.state.is_replaying())
        values = []
        for n in range(5):

            def body(_: StepContext, n: int = n) -> str:
                calls.append(f"s{n}")
                return f"v{n}" + "x" * 100

            values.append(context.step(body, name=f"s{n}")[:2])
        context.wait(Duration(1), name="w")
        return values

    # A page of at most 300 bytes holds two or three operations: the second
    # invocation must read the rest of its state with GetDurableExecutionState.
    run = runner_scenario(handler, max_invocation_page_bytes=300)
    result = run.run()
    assert result.value == ["v0", "v1", "v2", "v3", "v4"]
    assert calls == ["s0", "s1", "s2", "s3", "s4"]
    assert replaying == [False, True]
    assert run.summary(1) == []


def test_f08_errors_raised_by_the_handler(scenario: Any) -> None:
    @durable_execution
    def invocation(event: Any, context: DurableContext) -> None:
        raise InvocationError("Service unavailable")

    run = scenario(invocation)
    result = run.run()
    # The wrapper raises: Lambda (here the service) retries the invocation.
    assert len(run.invocations) > 1
    assert {(type(e), str(e)) for e in run.raised} == {(InvocationError, "Service unavailable")}
    assert run.outputs == []
    assert result.status is InvocationStatus.FAILED

    @durable_execution
    def execution(event: Any, context: DurableContext) -> None:
        raise ExecutionError("Required field missing")

    run = scenario(execution)
    result = run.run()
    assert run.outputs == [
        {
            "Status": "FAILED",
            "Error": {"ErrorMessage": "Required field missing", "ErrorType": "ExecutionError"},
        }
    ]
    assert len(run.invocations) == 1

    @durable_execution
    def callback(event: Any, context: DurableContext) -> None:
        raise CallbackError("x", callback_id="c")

    result = scenario(callback).run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallbackError", "x")


def test_e10_replays_from_paged_state_even_when_the_event_is_rebuilt(scenario: Any) -> None:
    """The wrapper reads the input from the EXECUTION operation, whatever page it is on."""
    seen: list[Any] = []

    @durable_execution
    def inner(event: Any, context: DurableContext) -> str:
        seen.append(event)
        context.wait(Duration(1))
        return str(event["name"])

    def handler(event: Any, lambda_context: Any) -> dict[str, Any]:
        # Move the EXECUTION operation behind the others, as a later page would hold it.
        state = event.initial_execution_state
        operations = sorted(state.operations, key=lambda op: op.operation_type.value == "EXECUTION")
        moved = dataclasses.replace(state, operations=operations)
        return inner(dataclasses.replace(event, initial_execution_state=moved), lambda_context)

    result = scenario(handler).run({"name": "Bo"})
    assert result.value == "Bo"
    assert seen == [{"name": "Bo"}, {"name": "Bo"}]
