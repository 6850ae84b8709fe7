"""Usage that must type-check under ``mypy --strict`` with the types a reader expects.

Not run: ``test_typing.py`` hands this file to mypy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, assert_type

from durable_lambda import (
    BatchResult,
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)
from durable_lambda.config import (
    CallbackConfig,
    ChildConfig,
    CompletionConfig,
    Duration,
    InvokeConfig,
    MapConfig,
    ParallelConfig,
    StepConfig,
    WaitForCallbackConfig,
)
from durable_lambda.context import Callback
from durable_lambda.retries import RetryDecision, RetryPresets
from durable_lambda.serdes import JsonSerDes
from durable_lambda.state import ExecutionState
from durable_lambda.types import WaitForCallbackContext, WaitForConditionCheckContext
from durable_lambda.waits import WaitForConditionConfig, WaitForConditionDecision


@durable_step
def add(step_context: StepContext, a: int, b: int) -> int:
    return a + b


@durable_with_child_context
def checkout(context: DurableContext, order_id: str) -> dict[str, str]:
    return {"order_id": order_id}


@durable_wait_for_callback
def submit(callback_id: str, context: WaitForCallbackContext, task: str) -> None:
    context.logger.info("submitting %s", task)


def square(context: DurableContext, item: int, index: int, items: Sequence[int]) -> float:
    return item * 1.5


def label(context: DurableContext) -> str:
    return "x"


class Approval:
    approved: bool = True


@durable_execution
def handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    total = context.step(add(1, 2))
    assert_type(total, int)
    text = context.step(lambda _: "hi", name="greet", config=StepConfig(RetryPresets.none()))
    assert_type(text, str)

    order = context.run_in_child_context(checkout("o1"))
    assert_type(order, dict[str, str])
    sized = context.run_in_child_context(
        lambda child: len(order), name="size", config=ChildConfig(serdes=JsonSerDes())
    )
    assert_type(sized, int)

    squares = context.map([1, 2, 3], square, config=MapConfig(max_concurrency=2))
    assert_type(squares, BatchResult[float])
    assert_type(squares.get_results(), list[float])

    labels = context.parallel(
        [label, label],
        config=ParallelConfig(completion_config=CompletionConfig.all_completed()),
    )
    assert_type(labels, BatchResult[str])

    untyped = context.invoke("fn", {"a": 1})
    assert_type(untyped, Any)
    typed = context.invoke("fn", {"a": 1}, result_type=int)
    assert_type(typed, int)
    configured = context.invoke("fn", 1, config=InvokeConfig(tenant_id="t"))
    assert_type(configured, Any)
    keyworded = context.invoke(
        function_name="fn", payload=None, name="n", config=InvokeConfig(), result_type=str
    )
    assert_type(keyworded, str)

    callback = context.create_callback(config=CallbackConfig(timeout=Duration.from_minutes(5)))
    assert_type(callback, Callback[Any])
    approval_callback = context.create_callback(name="approval", result_type=Approval)
    assert_type(approval_callback, Callback[Approval])
    assert_type(approval_callback.result(), Approval | None)
    assert_type(approval_callback.callback_id, str)

    answer = context.wait_for_callback(submit("t"), config=WaitForCallbackConfig())
    assert_type(answer, Any)
    decided = context.wait_for_callback(submit("t"), result_type=bool)
    assert_type(decided, bool)

    def check(state: int, check_context: WaitForConditionCheckContext) -> int:
        return state + 1

    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        return WaitForConditionDecision.stop_polling()

    polled = context.wait_for_condition(
        check, WaitForConditionConfig(wait_strategy=strategy, initial_state=0, serdes=JsonSerDes())
    )
    assert_type(polled, int)

    context.wait(Duration.from_seconds(5), name="pause")
    decision = RetryPresets.default()(RuntimeError("x"), 1)
    assert_type(decision, RetryDecision)
    return {"total": total, "order": order, "squares": squares.get_results(), "polled": polled}


class RuntimeContext:
    """Shaped like Lambda's own context object: plain attributes."""

    aws_request_id = "req-1"
    log_group_name = "/aws/lambda/fn"
    log_stream_name = "stream"
    function_name = "fn"
    memory_limit_in_mb = "128"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    tenant_id = None
    client_context = None
    identity = None

    def get_remaining_time_in_millis(self) -> int:
        return 900_000

    def log(self, msg: str) -> None:
        print(msg)


def read_lambda_context(context: DurableContext) -> str | None:
    lambda_context = context.lambda_context
    if lambda_context is None:
        return None
    assert_type(lambda_context.get_remaining_time_in_millis(), int)
    return lambda_context.function_name or lambda_context.invoked_function_arn


def make_context(state: ExecutionState) -> DurableContext:
    return DurableContext.from_lambda_context(state, RuntimeContext())
