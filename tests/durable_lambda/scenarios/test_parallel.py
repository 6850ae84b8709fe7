"""H. Parallel (P-01..P-13), on both backends."""

from __future__ import annotations

import threading
from typing import Any

from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import CompletionConfig, Duration, ParallelConfig
from durable_lambda_client import OperationAction, OperationUpdate
from durable_lambda_context._operation_ids import branch_id, operation_id

from .conftest import ID1, WAIT


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


def run_parallel(scenario: Any, branches: list[Any], config: ParallelConfig | None) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        return summarise(context.parallel(branches, config=config))

    return scenario(handler).run().value


def test_p01_three_tasks(scenario: Any) -> None:
    tasks = [
        lambda ctx, n=n: ctx.step(lambda _: f"Task {n} complete", name=f"task{n}")
        for n in (1, 2, 3)
    ]

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        return context.parallel(tasks).get_results()

    run = scenario(handler)
    result = run.run()
    assert result.value == ["Task 1 complete", "Task 2 complete", "Task 3 complete"]
    wire = run.wire()
    assert (wire[0]["SubType"], wire[0]["Action"], "Name" in wire[0]) == (
        "Parallel",
        "START",
        False,
    )
    for index in range(3):
        branch = branch_id(ID1, index)
        start = next(w for w in wire if w["Id"] == branch and w["Action"] == "START")
        assert (start["Name"], start["SubType"], start["ParentId"]) == (
            f"parallel-branch-{index}",
            "ParallelBranch",
            ID1,
        )
        step = next(w for w in wire if w.get("ParentId") == branch)
        assert (step["Id"], step["Name"]) == (operation_id(branch, 1), f"task{index + 1}")
        done = next(w for w in wire if w["Id"] == branch and w["Action"] == "SUCCEED")
        assert done["Payload"] == f'"Task {index + 1} complete"'
    assert (wire[-1]["SubType"], wire[-1]["Action"]) == ("Parallel", "SUCCEED")
    assert wire[-1]["Payload"].startswith('{"t":"br"')


def test_p02_result_object(scenario: Any) -> None:
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

    assert scenario(handler).run().value == [5, 5, 0, "SUCCEEDED", "ALL_COMPLETED"]


def test_p03_first_successful(scenario: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1, completion_config=CompletionConfig.first_successful()
    )
    assert run_parallel(scenario, [ok("a"), ok("b"), ok("c")], config) == {
        "reason": "MIN_SUCCESSFUL_REACHED",
        "status": "SUCCEEDED",
        "items": [[0, "SUCCEEDED"]],
        "results": ["a"],
        "errors": [],
    }


def test_p04_first_successful_skips_failures(scenario: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1, completion_config=CompletionConfig.first_successful()
    )
    summary = run_parallel(scenario, [bad("x"), ok("b"), ok("c")], config)
    assert summary["reason"] == "MIN_SUCCESSFUL_REACHED"
    assert summary["status"] == "FAILED"
    assert summary["items"] == [[0, "FAILED"], [1, "SUCCEEDED"]]


def test_p05_all_completed(scenario: Any) -> None:
    config = ParallelConfig(max_concurrency=1, completion_config=CompletionConfig.all_completed())
    summary = run_parallel(scenario, [ok("a"), bad("x"), ok("c")], config)
    assert summary["reason"] == "ALL_COMPLETED"
    assert summary["status"] == "FAILED"
    assert summary["errors"] == ["x"]
    assert summary["items"] == [[0, "SUCCEEDED"], [1, "FAILED"], [2, "SUCCEEDED"]]


def test_p06_default_all_successful_fails_fast(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> dict[str, Any]:
        branches = [ok("a"), bad("x"), ok("c")]
        return summarise(context.parallel(branches, config=ParallelConfig(max_concurrency=1)))

    run = scenario(handler)
    summary = run.run().value
    assert summary["reason"] == "FAILURE_TOLERANCE_EXCEEDED"
    assert summary["items"] == [[0, "SUCCEEDED"], [1, "FAILED"]]
    assert branch_id(ID1, 2) not in {u.operation_id for u in run.updates}


def test_p07_partial_success(scenario: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1,
        completion_config=CompletionConfig(min_successful=2, tolerated_failure_count=1),
    )
    summary = run_parallel(scenario, [ok("a"), ok("b"), bad("x")], config)
    assert summary["reason"] == "MIN_SUCCESSFUL_REACHED"
    assert summary["errors"] == []
    assert summary["results"] == ["a", "b"]


def test_p08_nested_parallel(scenario: Any) -> None:
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

    run = scenario(handler)
    assert run.run().value == [
        ["group-a-item-1", "group-a-item-2", "group-a-item-3"],
        ["group-b-item-1", "group-b-item-2", "group-b-item-3"],
    ]
    outer0 = branch_id(ID1, 0)
    inner_op = operation_id(outer0, 1)
    inner_start = next(w for w in run.wire() if w["Id"] == inner_op)
    assert (inner_start["SubType"], inner_start["ParentId"]) == ("Parallel", outer0)
    inner_branch = next(w for w in run.wire() if w["Id"] == branch_id(inner_op, 0))
    assert inner_branch["ParentId"] == inner_op


def test_p09_results_keep_the_branch_order(scenario: Any) -> None:
    # A branch may finish only once the SUCCEED of the branch it follows has reached the
    # service: a branch's own body returning says nothing about when its SUCCEED is sent.
    checkpointed = {branch_id(ID1, index): threading.Event() for index in range(3)}

    def branch(value: str, after: int | None) -> Any:
        def run(ctx: DurableContext) -> str:
            if after is not None:
                assert checkpointed[branch_id(ID1, after)].wait(WAIT)
            return value

        return run

    # The branches finish in the order 1, 2, 0.
    branches = [branch("First", 2), branch("Second", None), branch("Third", 1)]

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        return context.parallel(branches).get_results()

    run = scenario(handler)

    def note_succeeded(updates: list[OperationUpdate]) -> None:
        for update in updates:
            if update.action is OperationAction.SUCCEED and update.operation_id in checkpointed:
                checkpointed[update.operation_id].set()

    run.on_checkpointed = note_succeeded
    assert run.run().value == ["First", "Second", "Third"]
    completed = [
        u.name
        for u in run.updates
        if u.sub_type is not None
        and u.sub_type.value == "ParallelBranch"
        and u.action.value == "SUCCEED"
    ]
    assert completed == ["parallel-branch-1", "parallel-branch-2", "parallel-branch-0"]


def test_p10_failure_percentage(scenario: Any) -> None:
    config = ParallelConfig(
        max_concurrency=1, completion_config=CompletionConfig(tolerated_failure_percentage=50)
    )
    half = run_parallel(scenario, [bad("1"), ok("a"), bad("2"), ok("b")], config)
    assert (half["reason"], len(half["items"])) == ("ALL_COMPLETED", 4)
    most = run_parallel(scenario, [bad("1"), bad("2"), bad("3"), ok("b")], config)
    assert (most["reason"], len(most["items"])) == ("FAILURE_TOLERANCE_EXCEEDED", 3)


def test_p11_per_branch_arguments(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        branches = [lambda ctx, v=v: ctx.step(lambda _: v * 10, name=f"b{v}") for v in (1, 2, 3)]
        return context.parallel(branches).get_results()

    run = scenario(handler)
    assert run.run().value == [10, 20, 30]
    steps = sorted({u.name for u in run.updates if u.operation_type.value == "STEP"})
    assert steps == ["b1", "b2", "b3"]


def test_p12_completed_parallel_replays_from_its_record(scenario: Any) -> None:
    ran: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        result = context.parallel([lambda c: ran.append(1) or 1]).get_results()
        context.wait(Duration(1))
        return result

    run = scenario(handler)
    assert run.run().value == [1]
    assert ran == [1]
    assert run.invocations[1] == []


def test_p13_orphans_cannot_complete(scenario: Any) -> None:
    finished = threading.Event()
    release = threading.Event()
    slow_started = threading.Event()

    released: list[bool] = []

    def fast(ctx: DurableContext) -> str:
        assert slow_started.wait(WAIT)
        return "fast"

    def slow(ctx: DurableContext) -> str:
        slow_started.set()
        released.append(release.wait(WAIT))
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
        assert finished.wait(WAIT)
        return [i.status.value for i in result.all]

    run = scenario(handler)
    result = run.run()
    assert released == [True], "the slow branch went on before the parallel had completed"
    assert result.value == ["SUCCEEDED", "STARTED"]
    assert not [u for u in run.updates if u.name == "late"]
    assert not any(
        u.operation_id == branch_id(ID1, 1) and u.action.value == "SUCCEED" for u in run.updates
    )
    assert result.operations[0].status.value == "SUCCEEDED"


def test_p_large_aggregate_result_uses_the_summary(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[int]:
        result = context.parallel([ok("v" * 70_000)] * 4, config=ParallelConfig(max_concurrency=1))
        context.wait(Duration(1))
        return [result.success_count, result.started_count, len(result.get_results())]

    run = scenario(handler)
    assert run.run().value == [4, 0, 4]
    succeed = next(
        w for w in run.wire(0) if w["SubType"] == "Parallel" and w["Action"] == "SUCCEED"
    )
    assert succeed["ContextOptions"] == {"ReplayChildren": True}
    assert succeed["Payload"] == (
        '{"totalCount": 4, "successCount": 4, "failureCount": 0, '
        '"completionReason": "ALL_COMPLETED", "status": "SUCCEEDED", "startedCount": 0, '
        '"type": "ParallelResult"}'
    )
    assert run.invocations[1] == []


def test_k05_invalid_concurrency_fails_the_execution_before_any_checkpoint(
    scenario: Any,
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.parallel([ok("a")], config=ParallelConfig(max_concurrency=0))

    run = scenario(handler)
    result = run.run()
    assert run.outputs == [
        {
            "Status": "FAILED",
            "Error": {
                "ErrorMessage": "max_concurrency must be at least 1, got: 0",
                "ErrorType": "ValidationError",
            },
        }
    ]
    assert run.updates == []
    assert result.operations == []
