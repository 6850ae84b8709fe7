"""B. Steps (S-01..S-17), on both backends."""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any

import pytest

from durable_lambda import (
    CallableRuntimeError,
    DurableContext,
    ExecutionError,
    StepContext,
    StepInterruptedError,
    durable_execution,
    durable_step,
)
from durable_lambda.config import Duration, JitterStrategy, StepConfig, StepSemantics
from durable_lambda.execution import InvocationStatus
from durable_lambda.lambda_service import OperationAction, OperationUpdate
from durable_lambda.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy
from durable_lambda.serdes import SerDes, SerDesContext

from .conftest import ID1, ID2, ID3, WAIT, flat


class Crash(BaseException):
    """The sandbox dies in the middle of a step: nothing of the SDK handles it."""


def actions(updates: list[OperationUpdate], name: str) -> list[str]:
    return [u.action.value for u in updates if u.name == name]


@durable_step
def add_numbers(step_context: StepContext, a: int, b: int) -> int:
    return a + b


def test_s01_decorated_step_then_replay(scenario: Any) -> None:
    calls: list[int] = []

    @durable_step
    def counted_add(step_context: StepContext, a: int, b: int) -> int:
        calls.append(1)
        return a + b

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        total = context.step(counted_add(5, 3))
        context.wait(Duration(1), name="replay")
        return total

    run = scenario(handler)
    result = run.run()
    assert result.result == "8"
    assert run.summary(0)[:2] == [
        ("STEP", "Step", "START", "counted_add"),
        ("STEP", "Step", "SUCCEED", "counted_add"),
    ]
    assert run.wire(0)[1] == {
        "Id": ID1,
        "Type": "STEP",
        "Action": "SUCCEED",
        "Name": "counted_add",
        "SubType": "Step",
        "Payload": "8",
    }
    assert calls == [1]
    assert run.invocations[1] == []
    assert result.get_step("counted_add").result == "8"


def test_s02_explicit_name_and_unnamed_lambda(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        result = context.step(lambda _: "Step with explicit name", name="custom_step")
        context.step(lambda _: 1)
        return f"Result: {result}"

    run = scenario(handler)
    result = run.run()
    assert result.value == "Result: Step with explicit name"
    wire = run.wire()
    assert [(w["Action"], w.get("Name")) for w in wire] == [
        ("START", "custom_step"),
        ("SUCCEED", "custom_step"),
        ("START", None),
        ("SUCCEED", None),
    ]
    assert wire[1]["Payload"] == '"Step with explicit name"'
    assert [op.name for op in result.operations] == ["custom_step", None]


@durable_step
def fetch_user(step_context: StepContext, user_id: str) -> dict[str, str]:
    return {"user_id": user_id, "name": "Jane Doe", "email": "jane_doe@example.com"}


def test_s03_sequential_steps_and_resumption(scenario: Any) -> None:
    validated: list[int] = []
    fetched: list[int] = []
    validate_started = threading.Event()

    @durable_step
    def fetch(step_context: StepContext, user_id: str) -> dict[str, str]:
        fetched.append(1)
        return {"user_id": user_id, "name": "Jane Doe", "email": "jane_doe@example.com"}

    @durable_step
    def validate_user(step_context: StepContext, user: dict[str, str]) -> bool:
        validated.append(1)
        if len(validated) == 1:
            # The first attempt dies once its START is durable: #2 stays STARTED.
            assert validate_started.wait(WAIT)
            raise Crash("sandbox died inside validate_user")
        return True

    @durable_step
    def send_notification(step_context: StepContext, user: dict[str, str]) -> bool:
        return True

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        user = context.step(fetch("u1"), name="fetch_user")
        context.step(validate_user(user))
        sent = context.step(send_notification(user))
        return {"status": "completed", "user_id": user["user_id"], "notification_sent": sent}

    run = scenario(handler)

    def watch(updates: list[OperationUpdate]) -> None:
        if any(u.operation_id == ID2 and u.action is OperationAction.START for u in updates):
            validate_started.set()

    run.on_checkpointed = watch
    result = run.run()
    assert result.value == {"status": "completed", "user_id": "u1", "notification_sent": True}
    assert run.wire(0)[1]["Payload"] == (
        '{"t":"m","v":{"user_id":{"t":"s","v":"u1"},"name":{"t":"s","v":"Jane Doe"},'
        '"email":{"t":"s","v":"jane_doe@example.com"}}}'
    )
    # The retried invocation: fetch_user replays, validate_user runs again without a
    # new START (at least once per retry), then send_notification.
    assert run.summary(1) == [
        ("STEP", "Step", "SUCCEED", "validate_user"),
        ("STEP", "Step", "START", "send_notification"),
        ("STEP", "Step", "SUCCEED", "send_notification"),
    ]
    assert (len(fetched), len(validated)) == (1, 2)
    assert [(op.operation_id, op.name) for op in result.operations] == [
        (ID1, "fetch_user"),
        (ID2, "validate_user"),
        (ID3, "send_notification"),
    ]


def raise_value_error(_: StepContext) -> Any:
    raise ValueError("bad")


def test_s04_step_that_always_fails_without_retries(scenario: Any) -> None:
    seen: list[CallableRuntimeError] = []
    bodies: list[int] = []

    def counted(step_context: StepContext) -> Any:
        bodies.append(1)
        return raise_value_error(step_context)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        config = StepConfig(retry_strategy=RetryPresets.none())
        try:
            context.step(counted, name="fails", config=config)
        except CallableRuntimeError as error:
            seen.append(error)
        context.wait(Duration(1), name="replay")
        return context.step(raise_value_error, name="fails", config=config)

    run = scenario(handler)
    result = run.run()
    assert run.wire(0)[:2] == [
        {"Id": ID1, "Type": "STEP", "Action": "START", "Name": "fails", "SubType": "Step"},
        {
            "Id": ID1,
            "Type": "STEP",
            "Action": "FAIL",
            "Name": "fails",
            "SubType": "Step",
            "Error": {"ErrorMessage": "bad", "ErrorType": "ValueError"},
        },
    ]
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "bad")
    # First run and replay of the FAILED record raise the same error; the replay does
    # not run the body.
    assert [(e.message, e.error_type) for e in seen] == [("bad", "ValueError")] * 2
    assert bodies == [1]
    step = result.get_step("fails")
    assert step.error is not None
    assert (step.error.type, step.status.value) == ("ValueError", "FAILED")


def test_s05_partial_failure_with_the_default_strategy(scenario: Any) -> None:
    bodies: list[str] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.step(lambda _: bodies.append("step1") or "one", name="step1")
        context.step(lambda _: bodies.append("step2") or "two", name="step2")

        def step3(_: StepContext) -> None:
            bodies.append("step3")
            raise RuntimeError("Step 3 failed")

        return context.step(step3, name="step3")

    run = scenario(handler)
    result = run.run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "Step 3 failed")
    assert bodies == ["step1", "step2"] + ["step3"] * 6
    assert actions(run.updates, "step3") == ["START", "RETRY"] * 5 + ["START", "FAIL"]
    retries = [u for u in run.updates if u.name == "step3" and u.action is OperationAction.RETRY]
    for attempt, update in enumerate(retries, start=1):
        assert update.step_options is not None
        assert (
            1 <= update.step_options.next_attempt_delay_seconds <= min(5 * 2 ** (attempt - 1), 60)
        )
        assert update.error is not None
        assert update.error.to_dict() == {
            "ErrorMessage": "Step 3 failed",
            "ErrorType": "RuntimeError",
        }
    assert len(run.invocations) == 6
    assert result.get_step("step3").attempt == 6


@pytest.mark.parametrize("exact", [False, True])
def test_s06_retry_until_success(scenario: Any, exact: bool) -> None:
    attempts: list[int] = []

    def unreliable(_: StepContext) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("Transient error")
        return "Operation succeeded"

    config = RetryStrategyConfig(max_attempts=5, retryable_error_types=[RuntimeError])
    if exact:
        config = RetryStrategyConfig(
            max_attempts=5,
            retryable_error_types=[RuntimeError],
            jitter_strategy=JitterStrategy.NONE,
            initial_delay=Duration.from_seconds(2),
        )
    strategy = create_retry_strategy(config)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(unreliable, name="unreliable", config=StepConfig(strategy))

    run = scenario(handler)
    result = run.run()
    assert result.value == "Operation succeeded"
    assert len(attempts) == 3
    assert actions(run.updates, "unreliable") == [
        "START", "RETRY", "START", "RETRY", "START", "SUCCEED",
    ]  # fmt: skip
    delays = [
        u.step_options.next_attempt_delay_seconds for u in run.updates if u.step_options is not None
    ]
    if exact:
        assert delays == [2, 4]
    else:
        assert 1 <= delays[0] <= 5
        assert 1 <= delays[1] <= 10
    assert run.wire()[-1]["Payload"] == '"Operation succeeded"'


HTTP_5XX = re.compile(r"^HTTP 5\d\d")


@pytest.mark.parametrize(
    ("config", "error", "retried"),
    [
        (
            RetryStrategyConfig(max_attempts=3, retryable_error_types=[RuntimeError]),
            ValueError("nope"),
            False,
        ),
        (RetryStrategyConfig(retryable_errors=["timeout"]), RuntimeError("read timeout"), True),
        (RetryStrategyConfig(retryable_errors=["timeout"]), RuntimeError("boom"), False),
        (RetryStrategyConfig(retryable_errors=[HTTP_5XX]), RuntimeError("HTTP 503"), True),
        (RetryStrategyConfig(retryable_errors=[HTTP_5XX]), RuntimeError("error HTTP 503"), False),
        (RetryStrategyConfig(), ValueError("anything"), True),
    ],
)
def test_s07_retry_filters(
    scenario: Any, config: RetryStrategyConfig, error: Exception, retried: bool
) -> None:
    def failing(_: StepContext) -> None:
        raise error

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.step(failing, name="s", config=StepConfig(create_retry_strategy(config)))

    run = scenario(handler)
    result = run.run()
    assert result.status is InvocationStatus.FAILED
    first = [u.action.value for u in run.invocations[0]]
    assert first == (["START", "RETRY"] if retried else ["START", "FAIL"])
    assert run.outputs[0]["Status"] == ("PENDING" if retried else "FAILED")
    fail = run.wire()[-1]
    assert fail["Action"] == "FAIL"
    assert fail["Error"] == {"ErrorMessage": str(error), "ErrorType": type(error).__name__}


def test_s08_caught_error_is_callable_runtime_error(scenario: Any) -> None:
    @durable_step
    def process_order(step_context: StepContext, order_id: str | None) -> None:
        raise ValueError("Order ID is required")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return context.step(process_order(event.get("order_id")))
        except ValueError as error:  # never matches: the step raises CallableRuntimeError
            return {"error": "InvalidInput", "message": str(error)}

    run = scenario(handler)
    result = run.run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == (
        "CallableRuntimeError",
        "Order ID is required",
    )
    assert len(run.invocations) == 6

    @durable_execution
    def catching(event: Any, context: DurableContext) -> Any:
        try:
            return context.step(process_order(None))
        except CallableRuntimeError as error:
            return {"type": error.error_type}

    assert scenario(catching).run().value == {"type": "ValueError"}


def test_s09_execution_error_skips_retries_and_checkpoints(scenario: Any) -> None:
    def charge(_: StepContext) -> None:
        raise ExecutionError("Invalid card number")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, str]:
        try:
            context.step(charge, name="charge")
        except ExecutionError as error:
            return {"status": "failed", "error": str(error)}
        return {"status": "ok"}

    run = scenario(handler)
    result = run.run()
    assert result.value == {"status": "failed", "error": "Invalid card number"}
    assert run.summary() == [("STEP", "Step", "START", "charge")]
    assert flat(result) == [("STEP", "Step", "charge", "STARTED")]

    @durable_execution
    def uncaught(event: Any, context: DurableContext) -> None:
        context.step(lambda _: (_ for _ in ()).throw(ExecutionError("fatal")))

    run = scenario(uncaught)
    result = run.run()
    assert run.outputs == [
        {"Status": "FAILED", "Error": {"ErrorMessage": "fatal", "ErrorType": "ExecutionError"}}
    ]
    assert [u.action.value for u in run.updates] == ["START"]


@durable_step
def charge_credit_card(step_context: StepContext, amount: float) -> str:
    return f"charged {amount}"


at_most_once = StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY)


def test_s10_at_most_once_start_is_durable_before_the_body_runs(scenario: Any) -> None:
    durable_before_body: list[bool] = []
    started = threading.Event()

    @durable_step
    def charge(step_context: StepContext, amount: float) -> str:
        durable_before_body.append(started.is_set())
        return "charged"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(charge(100.0), config=at_most_once)

    run = scenario(handler)
    run.on_checkpointed = lambda updates: started.set()
    assert run.run().value == "charged"
    assert durable_before_body == [True]
    assert [[u.action.value for u in call] for call in run.calls] == [["START"], ["SUCCEED"]]
    assert run.summary() == [
        ("STEP", "Step", "START", "charge"),
        ("STEP", "Step", "SUCCEED", "charge"),
    ]


@pytest.mark.parametrize("retry", [True, False])
def test_s11_interrupted_at_most_once_step(scenario: Any, retry: bool) -> None:
    calls: list[int] = []

    @durable_step
    def charge_credit_card(step_context: StepContext, amount: float) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise Crash("sandbox died after the START was durable")
        return "charged"

    strategy = RetryPresets.default() if retry else RetryPresets.none()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(
            charge_credit_card(100.0),
            config=StepConfig(
                retry_strategy=strategy, step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY
            ),
        )

    run = scenario(handler)
    result = run.run()
    message = f"Step operation_id={ID1} name=charge_credit_card was previously interrupted"
    interrupted = {"ErrorMessage": message, "ErrorType": "StepInterruptedError"}
    assert run.summary(0) == [("STEP", "Step", "START", "charge_credit_card")]
    second = run.wire(1)
    if retry:
        # The body is not run again for the interrupted attempt: a RETRY, then the
        # next attempt starts (sync START) and runs.
        assert [(w["Action"], w.get("Error")) for w in second] == [("RETRY", interrupted)]
        assert run.summary(2) == [
            ("STEP", "Step", "START", "charge_credit_card"),
            ("STEP", "Step", "SUCCEED", "charge_credit_card"),
        ]
        assert result.value == "charged"
        assert len(calls) == 2
        assert [type(error) for error in run.raised] == [Crash]
        assert [[u.action.value for u in call] for call in run.calls] == [
            ["START"],
            ["RETRY"],
            ["START"],
            ["SUCCEED"],
        ]
    else:
        # FAIL, then the wrapper raises StepInterruptedError: the invocation is retried
        # and the FAILED record fails the execution.
        assert [(w["Action"], w.get("Error")) for w in second] == [("FAIL", interrupted)]
        assert run.outputs[-1] == {
            "Status": "FAILED",
            "Error": {
                "ErrorMessage": interrupted["ErrorMessage"],
                "ErrorType": "CallableRuntimeError",
            },
        }
        assert len(run.outputs) == 1
        assert len(calls) == 1
        assert [type(error) for error in run.raised] == [Crash, StepInterruptedError]


def test_s12_interrupted_at_least_once_step_runs_again_without_start(scenario: Any) -> None:
    calls: list[int] = []
    started = threading.Event()

    def charge(_: StepContext) -> str:
        calls.append(1)
        if len(calls) == 1:
            assert started.wait(WAIT)
            raise Crash("sandbox died")
        return "again"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(charge, name="charge")

    run = scenario(handler)
    run.on_checkpointed = lambda updates: started.set()
    assert run.run().value == "again"
    assert run.summary(0) == [("STEP", "Step", "START", "charge")]
    assert run.summary(1) == [("STEP", "Step", "SUCCEED", "charge")]


def test_s13_step_returning_none(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        value = context.step(lambda _: None, name="n")
        context.wait(Duration(1))
        return context.step(lambda _: "unused", name="n2") and value

    run = scenario(handler)
    result = run.run()
    assert result.result == "null"
    assert run.wire(0)[1]["Payload"] == "null"
    assert result.get_step("n").result == "null"


class EncryptedSerDes(SerDes[Any]):
    def __init__(self) -> None:
        self.contexts: list[SerDesContext] = []

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return base64.b64encode(json.dumps(value).encode()).decode()

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        self.contexts.append(serdes_context)
        return json.loads(base64.b64decode(data))


def test_s14_custom_step_serdes(scenario: Any) -> None:
    serdes = EncryptedSerDes()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        value = context.step(lambda _: {"processed": True}, config=StepConfig(serdes=serdes))
        context.wait(Duration(1))
        return value

    run = scenario(handler)
    result = run.run()
    assert result.value == {"processed": True}
    assert run.wire(0)[1]["Payload"] == "eyJwcm9jZXNzZWQiOiB0cnVlfQ=="
    assert [c.operation_id for c in serdes.contexts] == [ID1]
    assert serdes.contexts[0].durable_execution_arn == result.execution_arn


def test_s15_unserializable_step_result(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: {1, 2}, name="bad")

    run = scenario(handler)
    result = run.run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == (
        "ExecutionError",
        f"Serialization failed for id: {ID1}, error: Unsupported type: <class 'set'>.",
    )
    assert run.summary() == [("STEP", "Step", "START", "bad")]
    assert len(run.invocations) == 1


def test_s16_non_deterministic_values_are_fixed_by_steps(scenario: Any) -> None:
    import random
    import time

    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        timestamp = context.step(lambda _: time.time(), name="get_timestamp")
        request_id = context.step(lambda _: random.random(), name="generate_id")
        context.wait(Duration.from_seconds(1))
        return {"timestamp": timestamp, "request_id": request_id}

    run = scenario(handler)
    result = run.run()
    recorded = [float(u.payload or "") for u in run.invocations[0] if u.action.value == "SUCCEED"]
    assert [result.value["timestamp"], result.value["request_id"]] == recorded
    assert len(run.invocations) == 2


shared: dict[str, str] = {}


def test_s17_global_state_is_lost_on_replay(scenario: Any) -> None:
    @durable_execution
    def inner(event: Any, context: DurableContext) -> str:
        def remember(_: StepContext) -> str:
            shared["user"] = "u1"
            return "u1"

        context.step(remember, name="step1")
        context.wait(Duration(1))
        return context.step(lambda _: shared["user"], name="step2")

    def fresh_process(event: Any, lambda_context: Any) -> dict[str, Any]:
        shared.clear()  # every invocation may land in a new sandbox
        return inner(event, lambda_context)

    run = scenario(fresh_process)
    result = run.run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == ("CallableRuntimeError", "'user'")
    failed = result.get_step("step2")
    assert failed.error is not None
    assert failed.error.type == "KeyError"
