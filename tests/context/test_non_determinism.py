"""Non-determinism: replayed code that no longer matches its history FAILS the execution."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from durable_lambda_context import DurableContext, Duration, durable_execution

THIS_FILE = re.escape(__file__)


def run_twice(
    service: Any, first: Callable[..., Any], second: Callable[..., Any], *, concurrent: bool = False
) -> dict[str, Any]:
    """Run ``first`` until it suspends on its final wait, then replay with ``second``.

    With ``concurrent`` branches, siblings may record their (matching) progress
    before the diverging branch is detected; nothing may complete the operations.
    """
    assert service.invoke(durable_execution(first)) == {"Status": "PENDING"}
    service.advance()
    updates = len(service.updates)
    output = service.invoke(durable_execution(second))
    assert output["Status"] == "FAILED", output
    assert output["Error"]["ErrorType"] == "NonDeterministicExecutionError"
    if concurrent:
        assert not [
            u
            for u in service.updates[updates:]
            if u.action.value == "SUCCEED"
            and u.sub_type is not None
            and u.sub_type.value in ("Map", "RunInChildContext")
        ]
    else:
        assert len(service.updates) == updates, "nothing may be checkpointed after detection"
    return output["Error"]


def test_renamed_step(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="charge")
        context.wait(Duration(1))

    def second(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="bill")
        context.wait(Duration(1))

    message = run_twice(service, first, second)["ErrorMessage"]
    assert message.startswith("Non-deterministic execution at bill: operation 1 of its context")
    assert "recorded as STEP/Step 'charge'" in message
    assert "now calls STEP/Step 'bill'" in message
    assert "differs in name" in message
    assert re.search(rf"called at {THIS_FILE}:\d+", message)


def test_reordered_operations(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1), name="pause")
        context.wait(Duration(1))

    def second(event: Any, context: DurableContext) -> None:
        context.wait(Duration(1), name="pause")
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))

    message = run_twice(service, first, second)["ErrorMessage"]
    assert "recorded as STEP/Step 'a' but the code now calls WAIT/Wait 'pause'" in message
    assert "differs in type, subtype, name" in message


def test_inserted_operation(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))

    def second(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 0, name="new")
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))

    message = run_twice(service, first, second)["ErrorMessage"]
    assert "recorded as STEP/Step 'a' but the code now calls STEP/Step 'new'" in message


def test_removed_operation(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> str:
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))
        context.step(lambda _: 2, name="b")
        return "done"

    def second(event: Any, context: DurableContext) -> str:
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))
        return "done"

    assert service.run(durable_execution(first))["Status"] == "SUCCEEDED"
    output = service.invoke(durable_execution(second))
    assert output["Status"] == "FAILED"
    message = output["Error"]["ErrorMessage"]
    assert message.startswith("Non-deterministic execution at b: operation 3 of its context")
    assert "recorded as STEP/Step 'b' but the code now returns without calling it" in message
    assert re.search(rf"returned from {THIS_FILE}:\d+", message)


def test_retyped_operation(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="x")
        context.wait(Duration(1))

    def second(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(lambda c: 1, name="x")
        context.wait(Duration(1))

    message = run_twice(service, first, second)["ErrorMessage"]
    assert (
        "recorded as STEP/Step 'x' but the code now calls CONTEXT/RunInChildContext 'x'" in message
    )


def test_inside_a_child_context(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(
            lambda c: (c.step(lambda _: 1, name="charge"), c.wait(Duration(1))), name="checkout"
        )

    def second(event: Any, context: DurableContext) -> None:
        context.run_in_child_context(
            lambda c: (c.step(lambda _: 1, name="refund"), c.wait(Duration(1))), name="checkout"
        )

    message = run_twice(service, first, second)["ErrorMessage"]
    assert message.startswith("Non-deterministic execution at checkout > refund:")


def test_inside_a_map_branch_fails_the_whole_execution(service: Any) -> None:
    def item_first(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        ctx.step(lambda _: value, name="charge")
        ctx.wait(Duration(1))
        return value

    def item_second(ctx: DurableContext, value: int, index: int, items: Any) -> int:
        if index == 3:
            ctx.wait(Duration(1), name="charge")
        else:
            ctx.step(lambda _: value, name="charge")
        ctx.wait(Duration(1))
        return value

    def first(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(
            lambda c: c.map([0, 1, 2, 3], item_first).get_results(), name="checkout"
        )

    def second(event: Any, context: DurableContext) -> Any:
        return context.run_in_child_context(
            lambda c: c.map([0, 1, 2, 3], item_second).get_results(), name="checkout"
        )

    message = run_twice(service, first, second, concurrent=True)["ErrorMessage"]
    assert message.startswith("Non-deterministic execution at checkout > map[3] > charge:")
    assert "recorded as STEP/Step 'charge' but the code now calls WAIT/Wait 'charge'" in message
    assert re.search(rf"called at {THIS_FILE}:\d+", message)


def test_caught_error_still_fails_the_execution(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))

    def second(event: Any, context: DurableContext) -> str:
        try:
            context.wait(Duration(1), name="a")
        except Exception:
            return "swallowed"
        return "unexpected"

    error = run_twice(service, first, second)
    assert "recorded as STEP/Step 'a'" in error["ErrorMessage"]


def test_suspension_after_detection_is_not_pending(service: Any) -> None:
    def first(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name="a")
        context.wait(Duration(1))

    def second(event: Any, context: DurableContext) -> None:
        try:
            context.step(lambda _: 1, name="renamed")
        except Exception:
            context.wait(Duration(60), name="later")

    run_twice(service, first, second)


def test_unchanged_code_replays_cleanly(service: Any) -> None:
    def handler(event: Any, context: DurableContext) -> int:
        total = context.step(lambda _: 1, name="a")
        total += context.run_in_child_context(lambda c: c.step(lambda _: 2, name="b"), name="kid")
        total += sum(context.map([1, 2], lambda c, v, i, a: c.step(lambda _: v)).get_results())
        context.wait(Duration(1))
        return total

    assert service.run(durable_execution(handler)) == {"Status": "SUCCEEDED", "Result": "6"}
