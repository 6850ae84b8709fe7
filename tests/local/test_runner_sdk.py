"""End to end through the SDK: every operation run by DurableFunctionTestRunner, with
waits of days and callback timeouts taking no real time."""

from __future__ import annotations

import time
import warnings
from datetime import timedelta
from typing import Any

import pytest

from durable_lambda import DurableContext, StepContext, durable_execution, durable_step
from durable_lambda.config import (
    CallbackConfig,
    Duration,
    InvokeConfig,
    MapConfig,
    ParallelConfig,
    StepConfig,
    WaitForCallbackConfig,
)
from durable_lambda.retries import RetryStrategyConfig, create_retry_strategy
from durable_lambda.waits import WaitForConditionConfig, WaitForConditionDecision
from durable_lambda_client import (
    CallableRuntimeError,
    ExecutionStatus,
    InvocationStatus,
    OperationStatus,
)
from durable_lambda_local import (
    DurableChildContextTestRunner,
    DurableFunctionsTestError,
    DurableFunctionTestRunner,
    ExecutionTimeoutWarning,
    VirtualClock,
)

from .conftest import START

DAYS = 86_400


@durable_step
def add(step_context: StepContext, a: int, b: int) -> int:
    return a + b


@durable_execution
def hello(event: Any, context: DurableContext) -> str:
    name = context.step(lambda _: event.get("name", "World"), name="who")
    return f"Hello, {name}!"


@durable_execution
def sleepy(event: Any, context: DurableContext) -> int:
    total = context.step(add(1, 2))
    context.wait(Duration.from_days(30), name="month")
    return context.step(lambda _: total * 10, name="times-ten")


def runner(handler: Any, **options: Any) -> DurableFunctionTestRunner:
    options.setdefault("clock", VirtualClock(start=START))
    return DurableFunctionTestRunner(handler, **options)


def test_hello_world() -> None:
    with runner(hello) as r:
        result = r.run(input={"name": "Ada"})
    assert result.status is InvocationStatus.SUCCEEDED
    assert result.execution_status is ExecutionStatus.SUCCEEDED
    assert result.result == '"Hello, Ada!"'
    assert result.value == "Hello, Ada!"
    step = result.get_step("who")
    assert step.result == '"Ada"'
    assert step.status is OperationStatus.SUCCEEDED
    assert result.invocation_count == 1
    r.assert_history(
        [
            {
                "EventId": 2,
                "EventType": "StepStarted",
                "SubType": "Step",
                "Name": "who",
                "Id": "${STEP}",
                "StepStartedDetails": {},
            },
            {
                "EventId": 3,
                "EventType": "StepSucceeded",
                "Id": "${STEP}",
                "StepSucceededDetails": {
                    "Result": {"Payload": '"Ada"'},
                    "RetryDetails": {"CurrentAttempt": 1},
                },
            },
            {"EventId": 4, "EventType": "InvocationCompleted", "InvocationCompletedDetails": {}},
            {
                "EventId": 5,
                "EventType": "ExecutionSucceeded",
                "ExecutionSucceededDetails": {"Result": {"Payload": '"Hello, Ada!"'}},
            },
        ],
        result.execution_arn,
    )


def test_a_month_long_wait_takes_no_real_time() -> None:
    started = time.monotonic()
    with runner(sleepy, execution_timeout=60 * DAYS) as r:
        result = r.run()
    assert time.monotonic() - started < 5
    assert result.value == 30
    wait = result.get_wait("month")
    assert wait.scheduled_end_timestamp == START + timedelta(days=30)
    assert wait.end_timestamp == START + timedelta(days=30)
    assert result.invocation_count == 2
    with pytest.raises(DurableFunctionsTestError, match="not a STEP"):
        result.get_step("month")


def test_the_same_runner_gives_reproducible_ids() -> None:
    arns = []
    for _ in range(2):
        with runner(hello, seed=42) as r:
            arns.append(r.run().execution_arn)
    assert arns[0] == arns[1]
    with runner(hello) as r:
        assert r.run().execution_arn != r.run().execution_arn


flaky_calls: list[int] = []


@durable_execution
def retrying(event: Any, context: DurableContext) -> str:
    def sometimes(_: StepContext) -> str:
        flaky_calls.append(1)
        if len(flaky_calls) < 3:
            raise RuntimeError("transient")
        return "finally"

    strategy = create_retry_strategy(
        RetryStrategyConfig(max_attempts=5, initial_delay=Duration.from_minutes(10), backoff_rate=2)
    )
    return context.step(sometimes, name="flaky", config=StepConfig(retry_strategy=strategy))


def test_step_retries_wait_in_virtual_time() -> None:
    flaky_calls.clear()
    with runner(retrying, execution_timeout=DAYS) as r:
        result = r.run()
    assert result.value == "finally"
    step = result.get_step("flaky")
    assert step.attempt == 3
    events = [e.to_dict() for e in result.history]
    failed = [e for e in events if e["EventType"] == "StepFailed"]
    assert [e["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"] for e in failed] == [1, 2]
    succeeded = next(e for e in events if e["EventType"] == "StepSucceeded")
    assert succeeded["StepSucceededDetails"]["RetryDetails"] == {"CurrentAttempt": 3}
    assert result.invocation_count == 3


@durable_execution
def approval(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(
        name="approval", config=CallbackConfig(timeout=Duration.from_days(2))
    )
    return {"decision": callback.result()}


def test_callback_answered_by_name() -> None:
    with runner(approval, execution_timeout=7 * DAYS) as r:
        arn = r.run_async(input={})
        callback_id = r.wait_for_callback(arn, name="approval")
        assert r.callback_id("approval") == callback_id
        r.send_callback_success(name="approval", result=b"yes")
        result = r.wait_for_result(arn)
    assert result.value == {"decision": "yes"}, "callback results arrive as sent (raw text)"
    callback = result.get_callback("approval")
    assert callback.callback_id == callback_id
    assert callback.result == "yes"


@durable_execution
def two_approvals(event: Any, context: DurableContext) -> Any:
    first = context.create_callback(name="first").result()
    second = context.create_callback(name="second").result()
    return [first, second]


def test_wait_for_callback_never_returns_a_callback_already_answered() -> None:
    """service.md §13 #35: the official helper could hand back a completed callback."""
    with runner(two_approvals, execution_timeout=DAYS) as r:
        arn = r.run_async()
        first = r.wait_for_callback(arn)
        r.send_callback_success(first, b'"one"')
        second = r.wait_for_callback(arn)
        assert second != first
        assert r.wait_for_callback(arn, name="second") == second
        r.send_callback_success(second, b'"two"')
        result = r.wait_for_result(arn)
    assert result.value == ['"one"', '"two"']
    assert result.get_callback("first").callback_id == first
    assert result.get_callback("second").callback_id == second


def test_callback_failure_and_timeout() -> None:
    with runner(approval, execution_timeout=7 * DAYS) as r:
        arn = r.run_async()
        r.send_callback_failure(name="approval", error=ValueError("rejected"))
        failed = r.wait_for_result(arn)
        assert failed.status is InvocationStatus.FAILED
        assert failed.error is not None
        assert "rejected" in (failed.error.message or "")

        arn = r.run_async()
        r.wait_for_callback(arn, "approval")
        r.advance(2 * DAYS)
        timed_out = r.wait_for_result(arn)
    assert timed_out.status is InvocationStatus.FAILED
    assert timed_out.get_callback("approval").status is OperationStatus.TIMED_OUT
    assert timed_out.get_callback("approval").error is not None


@durable_execution
def with_submitter(event: Any, context: DurableContext) -> Any:
    def submit(callback_id: str, ctx: Any) -> None:
        submitted.append(callback_id)

    return context.wait_for_callback(
        submit,
        name="external",
        config=WaitForCallbackConfig(heartbeat_timeout=Duration.from_hours(1)),
    )


submitted: list[str] = []


def test_wait_for_callback_with_heartbeats() -> None:
    submitted.clear()
    with runner(with_submitter, execution_timeout=DAYS) as r:
        arn = r.run_async()
        callback_id = r.wait_for_callback(arn, name="external")
        assert submitted == [callback_id]
        for _ in range(5):
            r.advance(50 * 60)
            r.send_callback_heartbeat(callback_id)
        r.send_callback_success(callback_id, '{"ok": true}')
        result = r.wait_for_result(arn)
    assert result.value == '{"ok": true}'
    context = result.get_context("external")
    assert context.sub_type == "WaitForCallback"
    assert {op.operation_type.value for op in context.child_operations} >= {"CALLBACK", "STEP"}


def test_unanswered_callback_reports_what_it_waits_for() -> None:
    @durable_execution
    def forever(event: Any, context: DurableContext) -> Any:
        return context.create_callback(name="never").result()

    with runner(forever) as r:
        arn = r.run_async()
        r.wait_for_callback(arn, "never")
        with pytest.warns(ExecutionTimeoutWarning) as warned:
            result = r.wait_for_result(arn)
    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert str(warned[0].message) == (
        f"execution {arn.split('/')[-2]} timed out after 300 seconds (the runner's default "
        "execution_timeout) while waiting on callback 'never'; pass execution_timeout=... "
        "to DurableFunctionTestRunner or to run() for longer waits"
    )
    assert warned[0].filename == __file__


def test_a_wait_past_the_default_execution_timeout_is_reported() -> None:
    with runner(sleepy) as r, pytest.warns(ExecutionTimeoutWarning, match="wait 'month'") as w:
        result = r.run()
    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert result.error is not None
    assert result.error.message == "Execution timed out after 300 seconds."
    assert w[0].filename == __file__
    # A timeout the test chose is its own business: no warning.
    with runner(sleepy, execution_timeout=300) as r, warnings.catch_warnings():
        warnings.simplefilter("error")
        assert r.run().execution_status is ExecutionStatus.TIMED_OUT
    with runner(sleepy) as r, warnings.catch_warnings():
        warnings.simplefilter("error")
        assert r.run(execution_timeout=60).execution_status is ExecutionStatus.TIMED_OUT


@durable_execution
def fan_out(event: Any, context: DurableContext) -> Any:
    doubled = context.map(
        [1, 2, 3],
        lambda ctx, item, index, items: ctx.step(lambda _: item * 2, name=f"double-{index}"),
        name="doubles",
        config=MapConfig(max_concurrency=2),
    )
    branches = context.parallel(
        [lambda ctx: ctx.step(lambda _: "a", name="a"), lambda ctx: "b"],
        name="both",
        config=ParallelConfig(max_concurrency=1),
    )
    return {"map": doubled.get_results(), "parallel": branches.get_results()}


def test_map_and_parallel() -> None:
    with runner(fan_out) as r:
        result = r.run()
    assert result.value == {"map": [2, 4, 6], "parallel": ["a", "b"]}
    doubles = result.get_context("doubles")
    assert doubles.sub_type == "Map"
    assert [child.sub_type for child in doubles.child_operations] == ["MapIteration"] * 3
    assert result.get_context("both").sub_type == "Parallel"


@durable_execution
def polling(event: Any, context: DurableContext) -> Any:
    def check(state: int, ctx: Any) -> int:
        return state + 1

    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_hours(6))

    return context.wait_for_condition(
        check, WaitForConditionConfig(wait_strategy=strategy, initial_state=0), name="poll"
    )


def test_wait_for_condition_polls_in_virtual_time() -> None:
    with runner(polling, execution_timeout=DAYS) as r:
        result = r.run()
    assert result.value == 3
    assert result.invocation_count == 3
    events = [e.to_dict() for e in result.history]
    polls = [e for e in events if e["EventType"] == "StepSucceeded"]
    assert [e["StepSucceededDetails"]["Result"]["Payload"] for e in polls] == ["1", "2", "3"]
    assert polls[0]["StepSucceededDetails"]["RetryDetails"]["NextAttemptDelaySeconds"] == 21_600
    assert polls[0]["SubType"] == "WaitForCondition"


@durable_execution
def echo_target(event: Any, context: DurableContext) -> Any:
    return {"echo": event}


@durable_execution
def calls_others(event: Any, context: DurableContext) -> Any:
    durable = context.invoke("Echo", {"n": 1}, name="durable", config=InvokeConfig(tenant_id="t1"))
    plain = context.invoke("Plain", {"n": 2}, name="plain")
    try:
        context.invoke("Missing", None, name="missing")
    except CallableRuntimeError as error:
        missing = [type(error).__name__, error.error_type, error.message]
    return {"durable": durable, "plain": plain, "missing": missing}


def test_chained_invokes_durable_plain_and_missing() -> None:
    with runner(calls_others) as r:
        r.register_durable_function("Echo", echo_target)
        r.register_function("Plain", lambda event, ctx: {"plain": event, "tenant": ctx.tenant_id})
        result = r.run()
    assert result.value["durable"] == {"echo": {"n": 1}}
    assert result.value["plain"] == {"plain": {"n": 2}, "tenant": None}
    not_found = "Function not found: arn:aws:lambda:us-west-2:123456789012:function:Missing"
    assert result.value["missing"] == [
        "CallableRuntimeError",
        "ResourceNotFoundException",
        not_found,
    ]
    invoke = result.get_invoke("durable")
    assert invoke.status is OperationStatus.SUCCEEDED
    missing = result.get_invoke("missing")
    assert missing.status is OperationStatus.FAILED
    assert missing.error is not None
    assert (missing.error.type, missing.error.message) == ("ResourceNotFoundException", not_found)
    failed = next(e for e in result.history if e.event_type.value == "ChainedInvokeFailed")
    assert failed.to_dict()["ChainedInvokeFailedDetails"]["Error"]["Payload"] == {
        "ErrorType": "ResourceNotFoundException",
        "ErrorMessage": not_found,
    }
    started = [e.to_dict() for e in result.history if e.event_type.value == "ChainedInvokeStarted"]
    assert started[0]["ChainedInvokeStartedDetails"]["TenantId"] == "t1"
    child_arn = started[0]["ChainedInvokeStartedDetails"]["DurableExecutionArn"]
    child_history = r.get_execution_history(child_arn).events
    assert child_history[-1].event_type.value == "ExecutionSucceeded"


@durable_execution
def fails(event: Any, context: DurableContext) -> Any:
    context.step(lambda _: "fine", name="first")
    raise ValueError("Value must be non-negative")


def test_failures_surface_in_the_result() -> None:
    with runner(fails) as r:
        result = r.run()
    assert result.status is InvocationStatus.FAILED
    assert "Value must be non-negative" in str(result.error)
    assert result.get_step("first").result == '"fine"'


def test_child_context_runner() -> None:
    from durable_lambda import durable_with_child_context

    @durable_with_child_context
    def child(ctx: DurableContext, value: int) -> int:
        ctx.wait(Duration.from_minutes(2))
        return ctx.step(lambda _: value * 2, name="multiply")

    with DurableChildContextTestRunner(child, 21) as r:
        result = r.run()
    assert result.value == 42
    assert result.invocation_count == 2


def test_pause_and_resume_through_the_runner() -> None:
    with runner(sleepy, execution_timeout=60 * DAYS) as r:
        arn = r.run_async()
        r.run_until(
            lambda: (
                r.service.execution_record(arn).invocation_count == 1
                and not r.service.execution_record(arn).invocation_active
            )
        )
        r.pause_execution(arn)
        r.advance(40 * DAYS)
        assert r.service.execution_record(arn).status is ExecutionStatus.PAUSED
        r.resume_execution(arn)
        result = r.wait_for_result(arn)
    assert result.value == 30
    types = [e.event_type.value for e in result.history]
    assert "ExecutionPaused" in types
    assert "ExecutionResumed" in types


@durable_execution
def many_then_wait(event: Any, context: DurableContext) -> Any:
    values = [context.step(lambda _, i=i: "v" * 50 + str(i), name=f"s{i}") for i in range(20)]
    context.wait(Duration.from_seconds(5))
    return len(values)


def test_small_state_pages_are_followed_by_the_sdk() -> None:
    with runner(many_then_wait, max_invocation_page_bytes=200) as r:
        result = r.run()
    assert result.value == 20
    assert result.invocation_count == 2
