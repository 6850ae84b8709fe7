"""Features of the reference SDK 3.x that 1.1.0 (and so our SDK) does not have.

They run on the reference side only: what they check is that our service accepts the
operations 3.x records (virtual child contexts, named branches).
"""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, ParallelBranch, durable_execution
from aws_durable_execution_sdk_python.config import (
    MapConfig,
    NestingType,
    ParallelConfig,
)


def _cube(child: DurableContext, item: int, index: int, items: Any) -> int:
    return child.step(lambda _: item**3, name=f"cube-{index}")


@durable_execution
def flat_map(event: dict[str, Any], context: DurableContext) -> list[int]:
    cubes = context.map(
        event["numbers"],
        _cube,
        name="cubes",
        config=MapConfig(max_concurrency=2, nesting_type=NestingType.FLAT),
    )
    return cubes.get_results()


@durable_execution
def named_branches(event: dict[str, Any], context: DurableContext) -> list[str]:
    found = context.parallel(
        [
            ParallelBranch(lambda child: child.step(lambda _: "ada", name="user"), "load-user"),
            ParallelBranch(
                lambda child: child.step(lambda _: "3 orders", name="orders"), "load-orders"
            ),
        ],
        name="load-profile",
        config=ParallelConfig(max_concurrency=2),
    )
    return found.get_results()
