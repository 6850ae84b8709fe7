"""Decorators return factories whose products carry the function's name."""

from __future__ import annotations

from unittest.mock import Mock

from durable_lambda_context import (
    StepContext,
    WaitForCallbackContext,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)


def test_durable_step_binds_arguments_and_names_the_step() -> None:
    @durable_step
    def add(step_context: StepContext, a: int, b: int = 0) -> int:
        return a + b

    step_function = add(1, b=2)
    assert step_function._original_name == "add"  # type: ignore[attr-defined]
    assert step_function(StepContext(logger=Mock())) == 3
    assert add.__name__ == "add"


def test_durable_with_child_context_binds_arguments() -> None:
    @durable_with_child_context
    def process(context: object, order_id: str) -> str:
        return f"{order_id}:{context}"

    child_function = process("o1")
    assert child_function._original_name == "process"  # type: ignore[attr-defined]
    assert child_function("ctx") == "o1:ctx"  # type: ignore[arg-type]


def test_durable_wait_for_callback_binds_arguments() -> None:
    received: list[tuple[str, str, int]] = []

    @durable_wait_for_callback
    def submit(callback_id: str, context: WaitForCallbackContext, task: str, priority: int) -> None:
        received.append((callback_id, task, priority))

    submitter = submit("my_task", priority=5)
    assert submitter._original_name == "submit"  # type: ignore[attr-defined]
    submitter("cb-1", WaitForCallbackContext(logger=Mock()))
    assert received == [("cb-1", "my_task", 5)]
