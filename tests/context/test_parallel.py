"""Parallel (scenarios P-01..P-13)."""

from __future__ import annotations

import threading
from typing import Any

from durable_lambda_client import OperationAction
from durable_lambda_context import (
    CompletionConfig,
    DurableContext,
    ParallelConfig,
    durable_execution,
)
from durable_lambda_context._operation_ids import branch_id, operation_id

ID1 = operation_id(None, 1)


def ok(value: str) -> Any:
    return lambda ctx: value


def bad(message: str) -> Any:
    def branch(ctx: DurableContext) -> Any:
        raise ValueError(message)

    return branch


def summarise(result: Any) -> dict[str, Any]:
    return {
        "reason": result.completion_reason.value,
        "status": result.status.value,
        "items": [[i.index, i.status.value] for i in result.all],
        "results": result.get_results(),
        "errors": [i.error.message for i in result.all if i.error is not None],
    }


def run_parallel(service: Any, branches: list[Any], config: ParallelConfig | None) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        return summarise(context.parallel(branches, config=config))

    return service.result_of(service.invoke(handler))


def test_three_tasks(service: Any) -> None:
    tasks = [
        lambda ctx, n=n: ctx.step(lambda _: f"Task {n} complete", name=f"task{n}")
        for n in (1, 2, 3)
    ]

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        return context.parallel(tasks).get_results()

    assert service.result_of(service.invoke(handler)) == [
        "Task 1 complete",
        "Task 2 complete",
        "Task 3 complete",
    ]
    wire = service.wire()
    assert (wire[0]["SubType"], "Name" in wire[0]) == ("Parallel", False)
    for index in range(3):
        branch = branch_id(ID1, index)
        starts = [w for w in wire if w["Id"] == branch and w["Action"] == "START"]
        assert starts[0]["Name"] == f"parallel-branch-{index}"
        assert starts[0]["SubType"] == "ParallelBranch"
        assert starts[0]["ParentId"] == ID1
        step = next(w for w in wire if w.get("ParentId") == branch)
        assert step["Name"] == f"task{index + 1}"
        done = next(w for w in wire if w["Id"] == branch and w["Action"] == "SUCCEED")
        assert done["Payload"] == f'"Task {index + 1} complete"'
    assert wire[-1]["SubType"] == "Parallel"
    assert wire[-1]["Payload"].startswith('{"t":"br"')


def test_result_object(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        result = context.parallel([ok(f"Result {i}") for i in range(5)])
        return [
            result.total_count,
            result.success_count,
            result.failure_count,
            result.status.value,
            result.completion_reason.value,
        ]

    assert service.result_of(service.invoke(handler)) == [5, 5, 0, "SUCCEEDED", "ALL_COMPLETED"]


def test_first_successful(service: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1, completion_config=CompletionConfig.first_successful()
    )
    assert run_parallel(service, [ok("a"), ok("b"), ok("c")], config) == {
        "reason": "MIN_SUCCESSFUL_REACHED",
        "status": "SUCCEEDED",
        "items": [[0, "SUCCEEDED"]],
        "results": ["a"],
        "errors": [],
    }


def test_first_successful_skips_failures(service: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1, completion_config=CompletionConfig.first_successful()
    )
    summary = run_parallel(service, [bad("x"), ok("b"), ok("c")], config)
    assert summary["reason"] == "MIN_SUCCESSFUL_REACHED"
    assert summary["status"] == "FAILED"
    assert summary["items"] == [[0, "FAILED"], [1, "SUCCEEDED"]]


def test_all_completed_runs_every_branch(service: Any) -> None:
    config = ParallelConfig(max_concurrency=1, completion_config=CompletionConfig.all_completed())
    summary = run_parallel(service, [ok("a"), bad("x"), ok("c")], config)
    assert summary["reason"] == "ALL_COMPLETED"
    assert summary["status"] == "FAILED"
    assert summary["errors"] == ["x"]
    assert len(summary["items"]) == 3


def test_default_all_successful_fails_fast(service: Any) -> None:
    summary = run_parallel(service, [ok("a"), bad("x"), ok("c")], ParallelConfig(max_concurrency=1))
    assert summary["reason"] == "FAILURE_TOLERANCE_EXCEEDED"
    assert summary["items"] == [[0, "SUCCEEDED"], [1, "FAILED"]]


def test_partial_success(service: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1,
        completion_config=CompletionConfig(min_successful=2, tolerated_failure_count=1),
    )
    summary = run_parallel(service, [ok("a"), ok("b"), bad("x")], config)
    assert summary["reason"] == "MIN_SUCCESSFUL_REACHED"
    assert summary["errors"] == []


def test_nested_parallel(service: Any) -> None:
    def group(name: str) -> Any:
        def branch(ctx: DurableContext) -> list[str]:
            inner = [
                lambda c, i=i: c.step(lambda _: f"{name}-item-{i}", name=f"{name}-{i}")
                for i in (1, 2, 3)
            ]
            return ctx.parallel(inner).get_results()

        return branch

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[Any]:
        return context.parallel([group("group-a"), group("group-b")]).get_results()

    assert service.result_of(service.invoke(handler)) == [
        ["group-a-item-1", "group-a-item-2", "group-a-item-3"],
        ["group-b-item-1", "group-b-item-2", "group-b-item-3"],
    ]
    outer0 = branch_id(ID1, 0)
    inner_op = operation_id(outer0, 1)
    inner_start = next(w for w in service.wire() if w["Id"] == inner_op)
    assert (inner_start["SubType"], inner_start["ParentId"]) == ("Parallel", outer0)
    inner_branch = next(w for w in service.wire() if w["Id"] == branch_id(inner_op, 0))
    assert inner_branch["ParentId"] == inner_op


def test_ordering_is_preserved(service: Any) -> None:
    order = [threading.Event() for _ in range(3)]

    def branch(index: int, value: str, wait_for: int | None) -> Any:
        def run(ctx: DurableContext) -> str:
            if wait_for is not None:
                order[wait_for].wait(5)
            order[index].set()
            return value

        return run

    # Branches finish in the order 1, 2, 0.
    branches = [branch(0, "First", 2), branch(1, "Second", None), branch(2, "Third", 1)]

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        return context.parallel(branches).get_results()

    assert service.result_of(service.invoke(handler)) == ["First", "Second", "Third"]


def test_failure_percentage(service: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1, completion_config=CompletionConfig(tolerated_failure_percentage=50)
    )
    half = run_parallel(service, [bad("1"), ok("a"), bad("2"), ok("b")], config)
    assert half["reason"] == "ALL_COMPLETED"
    fresh = type(service)()
    most = run_parallel(fresh, [bad("1"), bad("2"), bad("3"), ok("b")], config)
    assert most["reason"] == "FAILURE_TOLERANCE_EXCEEDED"


def test_per_branch_arguments(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        branches = [lambda ctx, v=v: ctx.step(lambda _: v * 10, name=f"b{v}") for v in (1, 2, 3)]
        return context.parallel(branches).get_results()

    assert service.result_of(service.invoke(handler)) == [10, 20, 30]
    assert sorted({u.name for u in service.updates if u.name and u.name.startswith("b")}) == [
        "b1",
        "b2",
        "b3",
    ]


def test_completed_parallel_replays_from_its_record(service: Any) -> None:
    ran: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        return context.parallel([lambda c: ran.append(1) or 1]).get_results()

    assert service.result_of(service.invoke(handler)) == [1]
    assert service.result_of(service.invoke(handler)) == [1]
    assert ran == [1]


def test_orphans_cannot_complete(service: Any) -> None:
    finished = threading.Event()
    release = threading.Event()
    slow_started = threading.Event()

    def fast(ctx: DurableContext) -> str:
        slow_started.wait(5)
        return "fast"

    def slow(ctx: DurableContext) -> str:
        slow_started.set()
        release.wait(5)
        try:
            return ctx.step(lambda _: "late", name="late")
        finally:
            finished.set()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        result = context.parallel(
            [fast, slow],
            config=ParallelConfig(completion_config=CompletionConfig.first_successful()),
        )
        release.set()
        return [i.status.value for i in result.all]

    assert service.result_of(service.invoke(handler)) == ["SUCCEEDED", "STARTED"]
    assert finished.wait(5)
    assert not [u for u in service.updates if u.name == "late"]
    assert not any(
        u.operation_id == branch_id(ID1, 1) and u.action is OperationAction.SUCCEED
        for u in service.updates
    )
