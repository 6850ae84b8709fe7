"""More conformance histories (spec/conformance.md §2), the ones whose order the service
decides: async completions while suspended each get their own invocation (R5), crashes
recorded on the invocation (R8), timeouts that land during a wait, chained-invoke
failures, submitter retries, and an SDK rejection before any checkpoint (8-19)."""

from __future__ import annotations

import threading
from typing import Any

from durable_lambda import DurableContext, StepContext, durable_execution
from durable_lambda.config import (
    CallbackConfig,
    Duration,
    ParallelConfig,
    StepConfig,
    StepSemantics,
    WaitForCallbackConfig,
)
from durable_lambda.retries import RetryStrategyConfig, create_retry_strategy
from durable_lambda.waits import WaitForConditionConfig, WaitForConditionDecision
from durable_lambda_local import DurableFunctionTestRunner, ExecutionChange, VirtualClock

from .conftest import START
from .test_conformance_shapes import ANY, check, invocation_completed, step_started


@durable_execution
def times_out_during_a_wait(event: Any, context: DurableContext) -> Any:
    callback = context.create_callback(
        name="cb", config=CallbackConfig(timeout=Duration.from_seconds(3))
    )
    context.wait(Duration.from_seconds(6), name="w")
    return callback.result()


def test_4_11_callback_times_out_during_a_wait() -> None:
    check(
        times_out_during_a_wait,
        [
            {
                "EventId": 2,
                "EventType": "CallbackStarted",
                "CallbackStartedDetails": {"Timeout": 3},
            },
            {"EventId": 3, "EventType": "WaitStarted", "WaitStartedDetails": {"Duration": 6}},
            invocation_completed(4),
            {
                "EventId": 5,
                "EventType": "CallbackTimedOut",
                "CallbackTimedOutDetails": {
                    "Error": {"Payload": {"ErrorType": "Callback.Timeout"}}
                },
            },
            invocation_completed(6),
            {"EventId": 7, "EventType": "WaitSucceeded", "WaitSucceededDetails": {"Duration": 6}},
            invocation_completed(8),
            {"EventId": 9, "EventType": "ExecutionFailed"},
        ],
        status="FAILED",
    )


@durable_execution
def awaits_b_then_a(event: Any, context: DurableContext) -> Any:
    first = context.create_callback(name="a")
    second = context.create_callback(name="b")
    return [second.result(), first.result()]


def test_4_19_each_answer_while_suspended_gets_its_own_invocation() -> None:
    """A is answered first while the handler waits on B: that still takes an invocation
    of its own, which suspends again without a new event (R5)."""
    with DurableFunctionTestRunner(
        awaits_b_then_a, clock=VirtualClock(start=START), execution_timeout=3600
    ) as runner:
        arn = runner.run_async()
        a = runner.wait_for_callback(arn, name="a")
        b = runner.callback_id("b", arn)
        runner.send_callback_success(a, b'"A"')
        runner.run_until_idle()
        runner.send_callback_success(b, b'"B"')
        result = runner.wait_for_result(arn)
        runner.assert_history(
            [
                {"EventId": 2, "EventType": "CallbackStarted", "Name": "a"},
                {"EventId": 3, "EventType": "CallbackStarted", "Name": "b"},
                invocation_completed(4),
                {"EventId": 5, "EventType": "CallbackSucceeded", "Name": "a"},
                invocation_completed(6),
                {"EventId": 7, "EventType": "CallbackSucceeded", "Name": "b"},
                invocation_completed(8),
                {"EventId": 9, "EventType": "ExecutionSucceeded"},
            ],
            arn,
        )
    assert result.value == ['"B"', '"A"']
    assert result.invocation_count == 3


crashes: list[int] = []


@durable_execution
def crashes_at_most_once(event: Any, context: DurableContext) -> Any:
    def fragile(_: StepContext) -> str:
        crashes.append(1)
        raise SystemExit(1)

    return context.step(
        fragile,
        name="at_most_once_flaky_step",
        config=StepConfig(
            retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=1)),
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
        ),
    )


def test_1_17_crash_of_an_at_most_once_step_fails_it_on_replay() -> None:
    crashes.clear()
    check(
        crashes_at_most_once,
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
                "Name": "at_most_once_flaky_step",
                "Id": "${S}",
                "StepFailedDetails": {"RetryDetails": {"CurrentAttempt": 1}},
            },
            # The SDK ends that invocation with the StepInterruptedError it raised; only
            # the next one fails the execution (the requirement stops at EventId 5).
            invocation_completed(5),
        ],
        status="FAILED",
    )
    assert len(crashes) == 1


child_crashes: list[int] = []
step_started_reached_the_service = threading.Event()


@durable_execution
def crashes_inside_a_child(event: Any, context: DurableContext) -> Any:
    def work(_: StepContext) -> str:
        child_crashes.append(1)
        if len(child_crashes) == 1:
            # Crash once the StepStarted checkpoint has reached the service, as the
            # requirement's handler does; a crash before the SDK flushed it loses it.
            step_started_reached_the_service.wait(10)
            raise SystemExit(1)
        return "done"

    return context.run_in_child_context(lambda child: child.step(work, name="work"), name="c")


def _note_step_started(change: ExecutionChange) -> None:
    if change.event_count >= 3:
        step_started_reached_the_service.set()


def _listen_for_step_started(runner: DurableFunctionTestRunner) -> None:
    runner.service.subscribe(_note_step_started)


def test_3_12_a_crashed_step_succeeds_on_replay_without_a_second_start() -> None:
    child_crashes.clear()
    step_started_reached_the_service.clear()
    check(
        crashes_inside_a_child,
        [
            {"EventId": 2, "EventType": "ContextStarted", "SubType": "RunInChildContext"},
            {"EventId": 3, "EventType": "StepStarted", "Id": "${S}", "ParentId": "${C}"},
            {
                "EventId": 4,
                "EventType": "InvocationCompleted",
                "InvocationCompletedDetails": {
                    "Error": {"Payload": {"ErrorType": "Runtime.ExitError"}}
                },
            },
            {"EventId": 5, "EventType": "StepSucceeded", "Id": "${S}", "ParentId": "${C}"},
            {"EventId": 6, "EventType": "ContextSucceeded", "Id": "${C}"},
            invocation_completed(7),
            {"EventId": 8, "EventType": "ExecutionSucceeded"},
        ],
        result="done",
        setup=_listen_for_step_started,
    )


@durable_execution
def target_raises(event: Any, context: DurableContext) -> Any:
    raise ValueError("target failed on purpose")


@durable_execution
def invokes_a_failing_target(event: Any, context: DurableContext) -> Any:
    return context.invoke("TargetFails", event, name="call")


def test_5_5_a_failing_target_fails_the_chained_invoke() -> None:
    check(
        invokes_a_failing_target,
        [
            {
                "EventId": 2,
                "EventType": "ChainedInvokeStarted",
                "ChainedInvokeStartedDetails": {
                    "FunctionName": "TargetFails",
                    "Input": ANY,
                    "ExecutedVersion": ANY,
                    "DurableExecutionArn": ANY,
                },
            },
            invocation_completed(3),
            {
                "EventId": 4,
                "EventType": "ChainedInvokeFailed",
                "ChainedInvokeFailedDetails": {
                    "Error": {"Payload": {"ErrorMessage": "target failed on purpose"}}
                },
            },
            invocation_completed(5),
            {"EventId": 6, "EventType": "ExecutionFailed"},
        ],
        status="FAILED",
        event={"x": 1},
        setup=lambda runner: runner.register_durable_function("TargetFails", target_raises),
    )


@durable_execution
def polls_every_two_seconds(event: Any, context: DurableContext) -> Any:
    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(2))

    return context.wait_for_condition(
        lambda state, _: state + 1,
        WaitForConditionConfig(wait_strategy=strategy, initial_state=0),
    )


def test_6_5_each_poll_records_its_delay() -> None:
    poll = {"EventType": "StepSucceeded", "SubType": "WaitForCondition"}
    check(
        polls_every_two_seconds,
        [
            {
                "EventId": 3,
                **poll,
                "StepSucceededDetails": {
                    "Result": {"Payload": "1"},
                    "RetryDetails": {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 2},
                },
            },
            invocation_completed(4),
            {
                "EventId": 6,
                **poll,
                "StepSucceededDetails": {
                    "Result": {"Payload": "2"},
                    "RetryDetails": {"CurrentAttempt": 2, "NextAttemptDelaySeconds": 2},
                },
            },
            invocation_completed(7),
            {
                "EventId": 9,
                **poll,
                "StepSucceededDetails": {
                    "Result": {"Payload": "3"},
                    "RetryDetails": {"CurrentAttempt": 3},
                },
            },
            invocation_completed(10),
            {"EventId": 11, "EventType": "ExecutionSucceeded"},
        ],
        result=3,
    )


@durable_execution
def submitter_always_fails(event: Any, context: DurableContext) -> Any:
    def submit(callback_id: str, _: Any) -> None:
        raise RuntimeError("cannot reach the approver")

    return context.wait_for_callback(
        submit,
        name="approval",
        config=WaitForCallbackConfig(
            retry_strategy=create_retry_strategy(
                RetryStrategyConfig(max_attempts=2, initial_delay=Duration.from_seconds(1))
            )
        ),
    )


def test_7_7_a_failing_submitter_is_retried_then_fails_the_context() -> None:
    check(
        submitter_always_fails,
        [
            {"EventId": 2, "EventType": "ContextStarted", "SubType": "WaitForCallback"},
            {"EventId": 3, "EventType": "CallbackStarted"},
            {"EventId": 4, "EventType": "StepStarted"},
            {
                "EventId": 5,
                "EventType": "StepFailed",
                "StepFailedDetails": {"RetryDetails": {"CurrentAttempt": 1}},
            },
            invocation_completed(6),
            {"EventId": 7, "EventType": "StepStarted"},
            {
                "EventId": 8,
                "EventType": "StepFailed",
                "StepFailedDetails": {"RetryDetails": {"CurrentAttempt": 2}},
            },
            {"EventId": 9, "EventType": "ContextFailed", "SubType": "WaitForCallback"},
            invocation_completed(10),
            {"EventId": 11, "EventType": "ExecutionFailed"},
        ],
        status="FAILED",
    )


@durable_execution
def no_concurrency(event: Any, context: DurableContext) -> Any:
    return context.parallel(
        [lambda c: "a"], name="parallel", config=ParallelConfig(max_concurrency=0)
    ).get_results()


def test_8_19_a_rejected_configuration_ends_before_any_checkpoint() -> None:
    check(
        no_concurrency,
        [invocation_completed(2), {"EventId": 3, "EventType": "ExecutionFailed"}],
        status="FAILED",
    )
