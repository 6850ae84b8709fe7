"""Handlers of the ``parallel`` area (requirements 8-1 to 8-22)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from conformance.handlers import requirement, unsupported
from durable_lambda import BatchResult, DurableContext, durable_execution
from durable_lambda.config import CompletionConfig, Duration, ParallelConfig
from durable_lambda.serdes import SerDes, SerDesContext

Branch = Callable[[DurableContext], Any]

SUMMARY_KEYS = ("completionReason", "status", "successCount", "failureCount", "totalCount")
SHORT_SUMMARY_KEYS = ("completionReason", "successCount", "failureCount", "totalCount")


def summary(result: BatchResult[Any], keys: Sequence[str] = SUMMARY_KEYS) -> dict[str, Any]:
    """The projection of a batch result the requirements return."""
    values = {
        "completionReason": result.completion_reason.value,
        "status": result.status.value,
        "successCount": result.success_count,
        "failureCount": result.failure_count,
        "totalCount": result.total_count,
    }
    return {key: values[key] for key in keys}


def returns(value: Any) -> Branch:
    return lambda _: value


def fails(message: str = "branch failed") -> Branch:
    def branch(_: DurableContext) -> Any:
        raise RuntimeError(message)

    return branch


def step_returning(value: Any) -> Branch:
    return lambda branch: branch.step(lambda _: value)


def one_at_a_time(completion: CompletionConfig | None = None) -> ParallelConfig:
    if completion is None:
        return ParallelConfig(max_concurrency=1)
    return ParallelConfig(max_concurrency=1, completion_config=completion)


@requirement("8-1")
@durable_execution
def parallel_basic(event: Any, context: DurableContext) -> Any:
    branches = [step_returning("task-1"), step_returning("task-2")]
    return context.parallel(branches, name="parallel", config=one_at_a_time()).get_results()


@requirement("8-2")
@durable_execution
def parallel_branches_only(event: Any, context: DurableContext) -> Any:
    branches = [returns("alpha"), returns("beta")]
    return context.parallel(branches, config=one_at_a_time()).get_results()


unsupported(
    "8-3",
    "named-branch objects (a name paired with each branch function) are a 3.x API; "
    "reference 1.1.0 parallel takes plain functions",
)


@requirement("8-4")
@durable_execution
def parallel_mixed_types(event: Any, context: DurableContext) -> Any:
    branches = [returns("hello"), returns(42), returns({"k": "v"})]
    return context.parallel(branches, name="hetero", config=one_at_a_time()).get_results()


@requirement("8-5")
@durable_execution
def parallel_empty(event: Any, context: DurableContext) -> Any:
    return context.parallel([], name="empty").get_results()


@requirement("8-6")
@durable_execution
def parallel_fail_fast(event: Any, context: DurableContext) -> Any:
    branches = [returns("ok"), fails(), returns("never")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=0))
    return summary(context.parallel(branches, name="failfast", config=config))


@requirement("8-7")
@durable_execution
def parallel_rethrows(event: Any, context: DurableContext) -> Any:
    branches = [fails(), returns("never")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=0))
    result = context.parallel(branches, name="throwing", config=config)
    result.throw_if_error()
    return result.get_results()


@requirement("8-8")
@durable_execution
def parallel_min_successful(event: Any, context: DurableContext) -> Any:
    branches = [returns(f"b{index}") for index in range(4)]
    config = one_at_a_time(CompletionConfig(min_successful=2))
    result = context.parallel(branches, name="min-successful", config=config)
    return summary(result, ("completionReason", "successCount", "totalCount"))


@requirement("8-9")
@durable_execution
def parallel_tolerated(event: Any, context: DurableContext) -> Any:
    branches = [returns("a"), fails(), returns("c")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    return summary(context.parallel(branches, name="tolerated", config=config))


@requirement("8-10")
@durable_execution
def parallel_tolerance_exceeded(event: Any, context: DurableContext) -> Any:
    branches = [fails(), fails(), returns("never")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    result = context.parallel(branches, name="tolerated-exceeded", config=config)
    return summary(result, SHORT_SUMMARY_KEYS)


@requirement("8-11")
@durable_execution
def parallel_concurrent(event: Any, context: DurableContext) -> Any:
    branches = [returns("r0"), returns("r1"), returns("r2")]
    config = ParallelConfig(max_concurrency=2)
    return context.parallel(branches, name="concurrent", config=config).get_results()


unsupported(
    "8-12",
    "FLAT nesting (branches in virtual contexts, no ParallelBranch events) is a 3.x "
    "option; reference 1.1.0 always gives each branch its own child context",
)


@requirement("8-13")
@durable_execution
def parallel_percentage_exceeded(event: Any, context: DurableContext) -> Any:
    branches = [fails(), fails(), returns("c"), returns("d")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_percentage=25))
    result = context.parallel(branches, name="tolerated-pct", config=config)
    return summary(result, SHORT_SUMMARY_KEYS)


def waits_then_returns(value: str) -> Branch:
    def branch(context: DurableContext) -> str:
        context.wait(Duration.from_seconds(2))
        return value

    return branch


@requirement("8-14")
@durable_execution
def parallel_branch_waits(event: Any, context: DurableContext) -> Any:
    branches = [step_returning("b0"), waits_then_returns("b1")]
    return context.parallel(branches, name="replay", config=one_at_a_time()).get_results()


class WrappingSerDes(SerDes[Any]):
    """Stores each value as ``{"wrapped": value}`` and unwraps it on the way back."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps({"wrapped": value})

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)["wrapped"]


@requirement("8-15")
@durable_execution
def parallel_item_serdes(event: Any, context: DurableContext) -> Any:
    config = ParallelConfig(max_concurrency=1, item_serdes=WrappingSerDes())
    return context.parallel([returns("x"), returns("y")], name="serde", config=config).get_results()


@requirement("8-16")
@durable_execution
def parallel_all_fail_tolerated(event: Any, context: DurableContext) -> Any:
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=3))
    return summary(context.parallel([fails(), fails(), fails()], name="all-fail", config=config))


@requirement("8-17")
@durable_execution
def parallel_min_not_reached(event: Any, context: DurableContext) -> Any:
    branches = [returns("a"), fails(), returns("c")]
    config = one_at_a_time(CompletionConfig(min_successful=3))
    return summary(context.parallel(branches, name="min-not-reached", config=config))


@requirement("8-18")
@durable_execution
def parallel_combined_criteria(event: Any, context: DurableContext) -> Any:
    branches = [fails(), fails(), returns("c"), returns("d")]
    config = one_at_a_time(CompletionConfig(min_successful=3, tolerated_failure_count=1))
    result = context.parallel(branches, name="combined", config=config)
    return summary(result, SHORT_SUMMARY_KEYS)


@requirement("8-19")
@durable_execution
def parallel_bad_concurrency(event: Any, context: DurableContext) -> Any:
    config = ParallelConfig(max_concurrency=0)
    branches = [returns("a"), returns("b")]
    return context.parallel(branches, name="bad-concurrency", config=config).get_results()


@requirement("8-20")
@durable_execution
def parallel_accessors(event: Any, context: DurableContext) -> Any:
    branches = [returns("a"), fails(), returns("c")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_count=1))
    result = context.parallel(branches, name="accessors", config=config)
    return {
        "hasFailure": result.has_failure,
        "successCount": len(result.succeeded()),
        "failureCount": len(result.failed()),
        "errorCount": len(result.get_errors()),
    }


def inner_parallel(context: DurableContext) -> Any:
    branches = [step_returning("i1"), step_returning("i2")]
    return context.parallel(branches, name="inner", config=one_at_a_time()).get_results()


@requirement("8-21")
@durable_execution
def parallel_nested(event: Any, context: DurableContext) -> Any:
    return context.parallel([inner_parallel], name="outer", config=one_at_a_time()).get_results()


@requirement("8-22")
@durable_execution
def parallel_percentage_boundary(event: Any, context: DurableContext) -> Any:
    branches = [fails(), returns("b"), returns("c"), returns("d")]
    config = one_at_a_time(CompletionConfig(tolerated_failure_percentage=25))
    return summary(context.parallel(branches, name="pct-boundary", config=config))
