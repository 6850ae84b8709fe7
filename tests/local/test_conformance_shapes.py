"""Histories produced through the SDK compared with the shapes the real service writes
(spec/conformance.md): EventIds, event types, Id/Name/SubType/ParentId and the details
keys, matched with the conformance rules (placeholders, ``"*"``, ``${/regex/}``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from durable_lambda import DurableContext, StepContext, durable_execution
from durable_lambda.config import (
    CallbackConfig,
    Duration,
    JitterStrategy,
    MapConfig,
    ParallelConfig,
    StepConfig,
    StepSemantics,
    WaitForCallbackConfig,
)
from durable_lambda.retries import RetryStrategyConfig, create_retry_strategy
from durable_lambda.waits import WaitForConditionConfig, WaitForConditionDecision
from durable_lambda_local import DurableFunctionTestRunner, VirtualClock

from .conftest import START

ANY = "*"


def step_started(event_id: int, ident: str, **extra: Any) -> dict[str, Any]:
    return {
        "EventId": event_id,
        "EventType": "StepStarted",
        "SubType": "Step",
        "Id": ident,
        "EventTimestamp": ANY,
        "StepStartedDetails": {},
        **extra,
    }


def step_succeeded(
    event_id: int, ident: str, payload: str, attempt: int = 1, **extra: Any
) -> dict[str, Any]:
    return {
        "EventId": event_id,
        "EventType": "StepSucceeded",
        "SubType": "Step",
        "Id": ident,
        "EventTimestamp": ANY,
        "StepSucceededDetails": {
            "Result": {"Payload": payload, "Truncated": False},
            "RetryDetails": {"CurrentAttempt": attempt},
        },
        **extra,
    }


def invocation_completed(event_id: int) -> dict[str, Any]:
    return {
        "EventId": event_id,
        "EventType": "InvocationCompleted",
        "EventTimestamp": ANY,
        "InvocationCompletedDetails": {},
    }


def wait_started(event_id: int, duration: int, **extra: Any) -> dict[str, Any]:
    return {
        "EventId": event_id,
        "EventType": "WaitStarted",
        "SubType": "Wait",
        "Id": "${WAIT}",
        "WaitStartedDetails": {"Duration": duration, "ScheduledEndTimestamp": ANY},
        **extra,
    }


def wait_succeeded(event_id: int, duration: int, **extra: Any) -> dict[str, Any]:
    return {
        "EventId": event_id,
        "EventType": "WaitSucceeded",
        "SubType": "Wait",
        "Id": "${WAIT}",
        "WaitSucceededDetails": {"Duration": duration},
        **extra,
    }


Actions = Sequence[tuple[str, str, Any]]


def check(
    handler: Callable[..., Any],
    expected: Sequence[Mapping[str, Any]],
    *,
    status: str = "SUCCEEDED",
    result: Any = ...,
    event: Any = None,
    callbacks: Actions = (),
    setup: Callable[[DurableFunctionTestRunner], None] | None = None,
) -> DurableFunctionTestRunner:
    runner = DurableFunctionTestRunner(
        handler, clock=VirtualClock(start=START), execution_timeout=86_400
    )
    if setup is not None:
        setup(runner)
    arn = runner.run_async(input=event)
    for name, operation, payload in callbacks:
        callback_id = runner.wait_for_callback(arn, name=name)
        if operation == "success":
            runner.send_callback_success(callback_id, payload)
        elif operation == "failure":
            runner.send_callback_failure(callback_id, payload)
        else:
            runner.send_callback_heartbeat(callback_id)
    outcome = runner.wait_for_result(arn)
    runner.assert_history(expected, arn)
    assert outcome.execution_status is not None
    assert outcome.execution_status.value == status
    if result is not ...:
        assert outcome.value == result
    runner.close()
    return runner


@durable_execution
def one_step(event: Any, context: DurableContext) -> str:
    return context.step(lambda _: f"Hello, {event['name']}!")


def test_1_1_one_unnamed_step() -> None:
    check(
        one_step,
        [
            step_started(2, "${S}"),
            step_succeeded(3, "${S}", '"Hello, World!"'),
            invocation_completed(4),
        ],
        event={"name": "World"},
        result="Hello, World!",
    )


@durable_execution
def named_step(event: Any, context: DurableContext) -> str:
    return context.step(lambda _: "Hello, World!", name="custom_step_name")


def test_1_2_named_step() -> None:
    check(
        named_step,
        [
            step_started(2, "${S}", Name="custom_step_name"),
            step_succeeded(3, "${S}", '"Hello, World!"', Name="custom_step_name"),
            invocation_completed(4),
        ],
        result="Hello, World!",
    )


@durable_execution
def step_then_wait(event: Any, context: DurableContext) -> str:
    value = context.step(lambda _: "computed")
    context.wait(Duration.from_seconds(2))
    return value


def test_1_8_step_then_wait() -> None:
    check(
        step_then_wait,
        [
            step_started(2, "${S}"),
            step_succeeded(3, "${S}", '"computed"'),
            wait_started(4, 2),
            invocation_completed(5),
            wait_succeeded(6, 2),
            invocation_completed(7),
            {
                "EventId": 8,
                "EventType": "ExecutionSucceeded",
                "ExecutionSucceededDetails": {"Result": {"Payload": '"computed"'}},
            },
        ],
        result="computed",
    )


attempts: list[int] = []


@durable_execution
def fails_once(event: Any, context: DurableContext) -> str:
    def flaky(_: StepContext) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        return "Operation succeeded"

    strategy = create_retry_strategy(
        RetryStrategyConfig(max_attempts=3, initial_delay=Duration.from_seconds(1))
    )
    return context.step(flaky, config=StepConfig(retry_strategy=strategy))


def test_1_11_retry_then_succeed() -> None:
    attempts.clear()
    check(
        fails_once,
        [
            step_started(2, "${S}"),
            {
                "EventId": 3,
                "EventType": "StepFailed",
                "Id": "${S}",
                "SubType": "Step",
                "StepFailedDetails": {
                    "Error": {
                        "Payload": {
                            "ErrorType": "RuntimeError",
                            "ErrorMessage": "first attempt fails",
                        }
                    },
                    "RetryDetails": {
                        "CurrentAttempt": 1,
                        "NextAttemptDelaySeconds": "${/^[0-9]+$/}",
                    },
                },
            },
            invocation_completed(4),
            step_started(5, "${S}"),
            step_succeeded(6, "${S}", '"Operation succeeded"', attempt=2),
            invocation_completed(7),
        ],
        result="Operation succeeded",
    )


@durable_execution
def always_fails(event: Any, context: DurableContext) -> str:
    def broken(_: StepContext) -> str:
        raise ValueError("always")

    strategy = create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=4,
            initial_delay=Duration.from_seconds(1),
            backoff_rate=1,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    return context.step(broken, config=StepConfig(retry_strategy=strategy))


def test_1_12_retries_exhausted() -> None:
    expected: list[dict[str, Any]] = []
    event_id = 2
    for attempt in range(1, 5):
        retry = {"CurrentAttempt": attempt}
        if attempt < 4:
            retry["NextAttemptDelaySeconds"] = 1
        expected += [
            step_started(event_id, "${S}"),
            {
                "EventId": event_id + 1,
                "EventType": "StepFailed",
                "Id": "${S}",
                "StepFailedDetails": {"Error": ANY, "RetryDetails": retry},
            },
            invocation_completed(event_id + 2),
        ]
        event_id += 3
    expected.append(
        {
            "EventId": event_id,
            "EventType": "ExecutionFailed",
            "ExecutionFailedDetails": {"Error": ANY},
        }
    )
    check(always_fails, expected, status="FAILED")


crashes: list[int] = []


@durable_execution
def crashes_once(event: Any, context: DurableContext) -> str:
    def fragile(_: StepContext) -> str:
        crashes.append(1)
        if len(crashes) == 1:
            raise SystemExit(1)
        return "succeeded on second attempt"

    strategy = create_retry_strategy(
        RetryStrategyConfig(max_attempts=2, initial_delay=Duration.from_seconds(1))
    )
    return context.step(
        fragile,
        name="at_most_once_flaky_step",
        config=StepConfig(
            retry_strategy=strategy, step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY
        ),
    )


def test_1_18_crash_recorded_as_a_retry() -> None:
    crashes.clear()
    check(
        crashes_once,
        [
            step_started(2, "${S}", Name="at_most_once_flaky_step"),
            {
                "EventId": 3,
                "EventType": "InvocationCompleted",
                "InvocationCompletedDetails": {
                    "Error": {"Payload": {"ErrorType": "Runtime.ExitError"}}
                },
            },
            {
                "EventId": 4,
                "EventType": "StepFailed",
                "Id": "${S}",
                "StepFailedDetails": {"RetryDetails": {"CurrentAttempt": 1}},
            },
            invocation_completed(5),
            step_started(6, "${S}"),
            step_succeeded(7, "${S}", '"succeeded on second attempt"', attempt=2),
            invocation_completed(8),
        ],
        result="succeeded on second attempt",
    )


@durable_execution
def two_waits(event: Any, context: DurableContext) -> Any:
    context.wait(Duration.from_seconds(2), name="wait-1")
    context.wait(Duration.from_seconds(2), name="wait-2")
    return {"completedWaits": 2}


def test_2_3_two_named_waits() -> None:
    check(
        two_waits,
        [
            {
                "EventId": 2,
                "EventType": "WaitStarted",
                "Name": "wait-1",
                "WaitStartedDetails": {"Duration": 2, "ScheduledEndTimestamp": ANY},
            },
            invocation_completed(3),
            {
                "EventId": 4,
                "EventType": "WaitSucceeded",
                "Name": "wait-1",
                "WaitSucceededDetails": {"Duration": 2},
            },
            {"EventId": 5, "EventType": "WaitStarted", "Name": "wait-2"},
            invocation_completed(6),
            {"EventId": 7, "EventType": "WaitSucceeded", "Name": "wait-2"},
            invocation_completed(8),
        ],
        result={"completedWaits": 2},
    )


@durable_execution
def child_with_step(event: Any, context: DurableContext) -> Any:
    return context.run_in_child_context(lambda child: child.step(lambda _: event["value"]))


def test_3_1_child_context_with_a_step() -> None:
    check(
        child_with_step,
        [
            {
                "EventId": 2,
                "EventType": "ContextStarted",
                "SubType": "RunInChildContext",
                "Id": "${CTX}",
                "ContextStartedDetails": {},
            },
            step_started(3, "${S}", ParentId="${CTX}"),
            step_succeeded(4, "${S}", '"v1"', ParentId="${CTX}"),
            {
                "EventId": 5,
                "EventType": "ContextSucceeded",
                "SubType": "RunInChildContext",
                "Id": "${CTX}",
                "ContextSucceededDetails": {"Result": {"Payload": '"v1"'}},
            },
            invocation_completed(6),
        ],
        event={"value": "v1"},
        result="v1",
    )


@durable_execution
def child_fails(event: Any, context: DurableContext) -> Any:
    def body(child: DurableContext) -> Any:
        def boom(_: StepContext) -> Any:
            raise ValueError("inner")

        no_retry = create_retry_strategy(RetryStrategyConfig(max_attempts=1))
        return child.step(boom, config=StepConfig(retry_strategy=no_retry))

    return context.run_in_child_context(body)


def test_3_4_child_context_failure() -> None:
    check(
        child_fails,
        [
            {"EventId": 2, "EventType": "ContextStarted", "Id": "${CTX}"},
            {"EventId": 3, "EventType": "StepStarted", "ParentId": "${CTX}"},
            {"EventId": 4, "EventType": "StepFailed", "ParentId": "${CTX}"},
            {
                "EventId": 5,
                "EventType": "ContextFailed",
                "Id": "${CTX}",
                "ContextFailedDetails": {"Error": ANY},
            },
            invocation_completed(6),
        ],
        status="FAILED",
    )


@durable_execution
def awaits_callback(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(name="approval")
    return callback.result()


def test_4_2_named_callback_answered() -> None:
    check(
        awaits_callback,
        [
            {
                "EventId": 2,
                "EventType": "CallbackStarted",
                "SubType": "Callback",
                "Name": "approval",
                "Id": "${CB}",
                "CallbackStartedDetails": {"CallbackId": "${CALLBACK_ID}"},
            },
            invocation_completed(3),
            {
                "EventId": 4,
                "EventType": "CallbackSucceeded",
                "Name": "approval",
                "Id": "${CB}",
                "CallbackSucceededDetails": {"Result": {"Payload": '"approved"'}},
            },
            invocation_completed(5),
            {"EventId": 6, "EventType": "ExecutionSucceeded"},
        ],
        callbacks=[("approval", "success", b'"approved"')],
    )


@durable_execution
def callback_times_out(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(config=CallbackConfig(timeout=Duration.from_seconds(5)))
    return callback.result()


@durable_execution
def heartbeat_times_out(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(
        config=CallbackConfig(heartbeat_timeout=Duration.from_seconds(5))
    )
    return callback.result()


@pytest.mark.parametrize(
    ("handler", "started", "error_type"),
    [
        (callback_times_out, {"Timeout": 5}, "Callback.Timeout"),
        (heartbeat_times_out, {"HeartbeatTimeout": 5}, "Callback.Heartbeat"),
    ],
    ids=["4-3", "4-4"],
)
def test_4_3_and_4_4_callback_timeouts(
    handler: Any, started: dict[str, int], error_type: str
) -> None:
    check(
        handler,
        [
            {
                "EventId": 2,
                "EventType": "CallbackStarted",
                "CallbackStartedDetails": {"CallbackId": ANY, **started},
            },
            invocation_completed(3),
            {
                "EventId": 4,
                "EventType": "CallbackTimedOut",
                "CallbackTimedOutDetails": {"Error": {"Payload": {"ErrorType": error_type}}},
            },
            invocation_completed(5),
            {"EventId": 6, "EventType": "ExecutionFailed"},
        ],
        status="FAILED",
    )


@durable_execution
def callback_during_wait(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(name="cb")
    context.wait(Duration.from_seconds(5))
    return callback.result()


def test_4_9_callback_completes_during_a_wait() -> None:
    check(
        callback_during_wait,
        [
            {"EventId": 2, "EventType": "CallbackStarted"},
            {"EventId": 3, "EventType": "WaitStarted", "WaitStartedDetails": {"Duration": 5}},
            invocation_completed(4),
            {"EventId": 5, "EventType": "CallbackSucceeded"},
            invocation_completed(6),
            {"EventId": 7, "EventType": "WaitSucceeded", "WaitSucceededDetails": {"Duration": 5}},
            invocation_completed(8),
            {"EventId": 9, "EventType": "ExecutionSucceeded"},
        ],
        callbacks=[("cb", "success", b'"x"')],
    )


@durable_execution
def echo(event: Any, context: DurableContext) -> Any:
    return event


@durable_execution
def invokes_echo(event: Any, context: DurableContext) -> Any:
    return context.invoke("TargetEcho:$LATEST", event, name="call-echo")


def test_5_1_chained_invoke_of_a_durable_target() -> None:
    check(
        invokes_echo,
        [
            {
                "EventId": 2,
                "EventType": "ChainedInvokeStarted",
                "SubType": "ChainedInvoke",
                "Name": "call-echo",
                "Id": "${I}",
                "ChainedInvokeStartedDetails": {
                    "FunctionName": "TargetEcho:$LATEST",
                    "Input": ANY,
                    "ExecutedVersion": ANY,
                    "DurableExecutionArn": ANY,
                },
            },
            invocation_completed(3),
            {
                "EventId": 4,
                "EventType": "ChainedInvokeSucceeded",
                "Id": "${I}",
                "ChainedInvokeSucceededDetails": {"Result": {"Payload": '"hi"'}},
            },
            invocation_completed(5),
        ],
        event="hi",
        result="hi",
        setup=lambda runner: runner.register_durable_function("TargetEcho", echo, 300, 7),
    )


@durable_execution
def counter(event: Any, context: DurableContext) -> Any:
    def check_state(state: int, _: Any) -> int:
        return state + 1

    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(1))

    return context.wait_for_condition(
        check_state, WaitForConditionConfig(wait_strategy=strategy, initial_state=0)
    )


def test_6_1_wait_for_condition() -> None:
    wfc = {"SubType": "WaitForCondition", "Id": "${P}"}
    check(
        counter,
        [
            {"EventId": 2, "EventType": "StepStarted", **wfc},
            {
                "EventId": 3,
                "EventType": "StepSucceeded",
                **wfc,
                "StepSucceededDetails": {
                    "Result": {"Payload": "1"},
                    "RetryDetails": {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 1},
                },
            },
            invocation_completed(4),
            {"EventId": 5, "EventType": "StepStarted", **wfc},
            {
                "EventId": 6,
                "EventType": "StepSucceeded",
                **wfc,
                "StepSucceededDetails": {"Result": {"Payload": "2"}},
            },
            invocation_completed(7),
            {"EventId": 8, "EventType": "StepStarted", **wfc},
            {
                "EventId": 9,
                "EventType": "StepSucceeded",
                **wfc,
                "StepSucceededDetails": {"Result": {"Payload": "3"}},
            },
            invocation_completed(10),
            {
                "EventId": 11,
                "EventType": "ExecutionSucceeded",
                "ExecutionSucceededDetails": {"Result": {"Payload": "3"}},
            },
        ],
        result=3,
    )


@durable_execution
def waits_for_approval(event: Any, context: DurableContext) -> Any:
    return context.wait_for_callback(
        lambda callback_id, _: None,
        name="approval",
        config=WaitForCallbackConfig(timeout=Duration.from_seconds(3)),
    )


def test_7_2_wait_for_callback_answered() -> None:
    check(
        waits_for_approval,
        [
            {
                "EventId": 2,
                "EventType": "ContextStarted",
                "SubType": "WaitForCallback",
                "Name": "approval",
                "Id": "${CTX}",
            },
            {
                "EventId": 3,
                "EventType": "CallbackStarted",
                "ParentId": "${CTX}",
                "CallbackStartedDetails": {"Timeout": 3},
            },
            {"EventId": 4, "EventType": "StepStarted", "ParentId": "${CTX}"},
            {"EventId": 5, "EventType": "StepSucceeded", "ParentId": "${CTX}"},
            invocation_completed(6),
            {"EventId": 7, "EventType": "CallbackSucceeded"},
            {
                "EventId": 8,
                "EventType": "ContextSucceeded",
                "SubType": "WaitForCallback",
                "Name": "approval",
            },
            invocation_completed(9),
            {"EventId": 10, "EventType": "ExecutionSucceeded"},
        ],
        callbacks=[("approval", "success", b'{"status": "approved"}')],
    )


def test_7_5_wait_for_callback_times_out() -> None:
    check(
        waits_for_approval,
        [
            {"EventId": 2, "EventType": "ContextStarted", "SubType": "WaitForCallback"},
            {
                "EventId": 3,
                "EventType": "CallbackStarted",
                "CallbackStartedDetails": {"Timeout": 3},
            },
            {"EventId": 4, "EventType": "StepStarted"},
            {"EventId": 5, "EventType": "StepSucceeded"},
            invocation_completed(6),
            {
                "EventId": 7,
                "EventType": "CallbackTimedOut",
                "CallbackTimedOutDetails": {
                    "Error": {"Payload": {"ErrorType": "Callback.Timeout"}}
                },
            },
            {"EventId": 8, "EventType": "ContextFailed", "SubType": "WaitForCallback"},
            invocation_completed(9),
            {"EventId": 10, "EventType": "ExecutionFailed"},
        ],
        status="FAILED",
    )


@durable_execution
def two_branches(event: Any, context: DurableContext) -> Any:
    batch = context.parallel(
        [lambda c: c.step(lambda _: "task-1"), lambda c: c.step(lambda _: "task-2")],
        name="parallel",
        config=ParallelConfig(max_concurrency=1),
    )
    return batch.get_results()


def test_8_1_parallel_branches() -> None:
    branch = {"SubType": "ParallelBranch", "ParentId": "${PAR}"}
    check(
        two_branches,
        [
            {
                "EventId": 2,
                "EventType": "ContextStarted",
                "SubType": "Parallel",
                "Name": "parallel",
                "Id": "${PAR}",
            },
            {"EventId": 3, "EventType": "ContextStarted", "Id": "${B1}", **branch},
            {"EventId": 4, "EventType": "StepStarted", "ParentId": "${B1}"},
            {"EventId": 5, "EventType": "StepSucceeded", "ParentId": "${B1}"},
            {"EventId": 6, "EventType": "ContextSucceeded", "Id": "${B1}", **branch},
            {"EventId": 7, "EventType": "ContextStarted", "Id": "${B2}", **branch},
            {"EventId": 8, "EventType": "StepStarted", "ParentId": "${B2}"},
            {"EventId": 9, "EventType": "StepSucceeded", "ParentId": "${B2}"},
            {"EventId": 10, "EventType": "ContextSucceeded", "Id": "${B2}", **branch},
            {"EventId": 11, "EventType": "ContextSucceeded", "SubType": "Parallel", "Id": "${PAR}"},
            invocation_completed(12),
        ],
        result=["task-1", "task-2"],
    )


@durable_execution
def greets_each(event: Any, context: DurableContext) -> Any:
    batch = context.map(
        ["World", "Kiro"],
        lambda c, item, index, items: c.step(lambda _: f"Hello, {item}!"),
        name="map",
        config=MapConfig(max_concurrency=1),
    )
    return batch.get_results()


def test_9_1_map_iterations() -> None:
    iteration = {"SubType": "MapIteration", "ParentId": "${MAP}"}
    check(
        greets_each,
        [
            {
                "EventId": 2,
                "EventType": "ContextStarted",
                "SubType": "Map",
                "Name": "map",
                "Id": "${MAP}",
            },
            {"EventId": 3, "EventType": "ContextStarted", **iteration},
            {"EventId": 4, "EventType": "StepStarted"},
            {"EventId": 5, "EventType": "StepSucceeded"},
            {"EventId": 6, "EventType": "ContextSucceeded", **iteration},
            {"EventId": 7, "EventType": "ContextStarted", **iteration},
            {"EventId": 8, "EventType": "StepStarted"},
            {"EventId": 9, "EventType": "StepSucceeded"},
            {"EventId": 10, "EventType": "ContextSucceeded", **iteration},
            {"EventId": 11, "EventType": "ContextSucceeded", "SubType": "Map", "Id": "${MAP}"},
            invocation_completed(12),
        ],
        result=["Hello, World!", "Hello, Kiro!"],
    )


def test_matcher_reports_every_difference() -> None:
    from durable_lambda_local import HistoryMismatchError, assert_history

    events = [
        {"EventId": 1, "EventType": "ExecutionStarted"},
        {"EventId": 2, "EventType": "StepStarted", "Id": "a"},
        {"EventId": 3, "EventType": "StepSucceeded", "Id": "b", "Name": "n"},
    ]
    with pytest.raises(HistoryMismatchError) as mismatch:
        assert_history(
            events,
            [
                {"EventId": 2, "Id": "${X}", "StepStartedDetails": {}},
                {"EventId": 3, "Id": "${X}", "Name": "${/^m/}"},
                {"EventId": 9},
            ],
        )
    assert mismatch.value.problems == [
        "EventId=2.StepStartedDetails: key missing in actual event",
        "EventId=3.Id: expected ${X} = 'a', got 'b'",
        "EventId=3.Name: 'n' does not match /^m/",
        "No actual event found for EventId=9",
    ]
    named = [{"EventId": 2, "Id": "a"}, {"EventId": 3, "Name": "a-1", "Result": 2}]
    bindings = assert_history(
        named,
        [{"EventId": 2, "Id": "${X}"}, {"EventId": 3, "Name": "${X}-1", "Result": 2}],
        variables={"Y": 1},
    )
    assert bindings == {"X": "a", "Y": 1}


def test_matcher_reads_placeholders_and_patterns_as_the_conformance_runner_does() -> None:
    from durable_lambda_local import HistoryMismatchError, assert_history

    events = [{"EventId": 2, "Id": "op-1", "Name": "a\nb", "Payload": "${//}"}]
    # Any name makes a placeholder; an empty or multi-line pattern is no regex.
    bindings = assert_history(
        events, [{"EventId": 2, "Id": "${ID-1}", "Payload": "${//}", "Name": "${/a.b/x}"}]
    )
    assert bindings == {"ID-1": "op-1", "//": "${//}", "/a.b/x": "a\nb"}
    with pytest.raises(HistoryMismatchError) as mismatch:
        assert_history(events, [{"EventId": 2, "Name": "${/a.b/}"}])
    assert mismatch.value.problems == ["EventId=2.Name: 'a\\nb' does not match /a.b/"]
    # Inside a longer string only bound identifier names are replaced.
    assert assert_history(
        [{"EventId": 2, "Name": "op-1/${B}"}],
        [{"EventId": 2, "Name": "${A}/${B}"}],
        variables={"A": "op-1"},
    ) == {"A": "op-1"}
