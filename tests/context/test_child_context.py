"""Child contexts: failures the scenarios (tests/durable_lambda/scenarios/
test_child_contexts.py) do not cover: an unserializable result, a failing summary."""

from __future__ import annotations

from typing import Any

from durable_lambda_client import CallableRuntimeError
from durable_lambda_context import ChildConfig, DurableContext, durable_execution
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)
bodies: list[str] = []


def test_unserializable_child_result_fails_the_context(service: Any) -> None:
    bodies.clear()

    def child(ctx: DurableContext) -> set[int]:
        bodies.append("child")
        return {1, 2}

    seen: list[CallableRuntimeError] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.run_in_child_context(child, name="bad")
        except CallableRuntimeError as error:
            seen.append(error)
        return "caught"

    message = f"Serialization failed for id: {ID1}, error: Unsupported type: <class 'set'>."
    assert service.result_of(service.invoke(handler)) == "caught"
    assert service.summary() == [
        ("CONTEXT", "RunInChildContext", "START", "bad"),
        ("CONTEXT", "RunInChildContext", "FAIL", "bad"),
    ]
    assert service.wire()[1]["Error"] == {"ErrorMessage": message, "ErrorType": "ExecutionError"}
    assert (seen[0].message, seen[0].error_type) == (message, "ExecutionError")
    # The recorded failure replays without running the body again.
    assert service.result_of(service.invoke(handler)) == "caught"
    assert bodies == ["child"]
    assert (seen[1].message, seen[1].error_type) == (message, "ExecutionError")


def test_failing_summary_generator_fails_the_context(service: Any) -> None:
    def broken_summary(result: str) -> str:
        raise RuntimeError("no summary")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        return len(
            context.run_in_child_context(
                lambda ctx: "x" * (300 * 1024),
                name="big",
                config=ChildConfig(summary_generator=broken_summary),
            )
        )

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {"ErrorMessage": "no summary", "ErrorType": "CallableRuntimeError"},
    }
    assert service.wire()[-1]["Error"] == {
        "ErrorMessage": "no summary",
        "ErrorType": "RuntimeError",
    }
