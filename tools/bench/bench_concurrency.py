"""How much time the batch executor adds per item, over the items' own cost.

Runs 1,000 no-op items through ``BatchExecutor`` at ``max_concurrency`` 1 and
10, many times, and prints the median run time, the median cost of calling
the same 1,000 callables in a plain loop, and the difference per item
against the budget of 50 us per item. For scale it also times a
``concurrent.futures.ThreadPoolExecutor`` doing the same work.

Run by hand (not by pytest)::

    uv run python tools/bench/bench_concurrency.py          # 41 repetitions
    uv run python tools/bench/bench_concurrency.py --quick  # 7 repetitions

``run(quick)`` returns the same numbers as rows for ``tools/bench/run.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from durable_lambda_concurrency import (
    BatchCompleted,
    BatchExecutor,
    CompletionConfig,
    ItemContext,
)

ITEMS = 1_000
BUDGET_US = 50.0
SLOTS = (1, 10)


def no_op(ctx: ItemContext) -> int:
    return ctx.index


def median_seconds(action: Callable[[], object], repetitions: int) -> float:
    action()  # warm-up
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def plain_loop() -> None:
    for index in range(ITEMS):
        no_op(_FakeContext(index))  # type: ignore[arg-type]


class _FakeContext:
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def executor_run(slots: int) -> Callable[[], object]:
    executor = BatchExecutor(slots, CompletionConfig.all_completed())
    tasks = [no_op] * ITEMS

    def run() -> object:
        outcome = executor.run(tasks)
        assert isinstance(outcome, BatchCompleted)
        assert outcome.result.success_count == ITEMS
        return outcome

    return run


def thread_pool_run(slots: int) -> Callable[[], object]:
    def run() -> object:
        with ThreadPoolExecutor(max_workers=slots) as pool:
            futures = [pool.submit(no_op, _FakeContext(index)) for index in range(ITEMS)]  # type: ignore[arg-type]
            return [future.result() for future in futures]

    return run


def repetitions_for(quick: bool) -> int:
    """Timed runs of each measurement: 7 quick, 41 full."""
    return 7 if quick else 41


def _row(variant: str, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "workload": "executor",
        "title": f"{ITEMS:,} no-op items",
        "variant": variant,
        "n": ITEMS,
        "ops": ITEMS,
        "unit": "item",
        "median_s": seconds,
        "per_op_us": seconds / ITEMS * 1e6,
        "extra": extra,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    """Rows for ``tools/bench/run.py``: the plain loop, the executor, a thread pool.

    ``extra["added_us_per_item"]`` of an executor row is its time per item minus the
    plain loop's: the figure the budget of 50 us per item is about.
    """
    repetitions = repetitions_for(quick)
    baseline = median_seconds(plain_loop, repetitions)
    rows = [_row("plain loop", baseline)]
    for slots in SLOTS:
        ours = median_seconds(executor_run(slots), repetitions)
        rows.append(
            _row(
                f"BatchExecutor, max_concurrency={slots}",
                ours,
                added_us_per_item=(ours - baseline) / ITEMS * 1e6,
                budget_us=BUDGET_US,
            )
        )
        pool = median_seconds(thread_pool_run(slots), repetitions)
        rows.append(_row(f"ThreadPoolExecutor, max_workers={slots}", pool))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repetitions = repetitions_for(args.quick)

    baseline = median_seconds(plain_loop, repetitions)
    print(f"{ITEMS} no-op items, median of {repetitions} runs")
    print(f"plain loop (the items' own cost): {baseline * 1e3:8.2f} ms")
    print()
    header = (
        f"{'max_concurrency':>15} {'executor ms':>12} {'us/item added':>14} "
        f"{'of budget':>10} {'ThreadPool ms':>14} {'pool/executor':>14}"
    )
    print(header)
    for slots in SLOTS:
        ours = median_seconds(executor_run(slots), repetitions)
        pool = median_seconds(thread_pool_run(slots), repetitions)
        added_us = (ours - baseline) / ITEMS * 1e6
        print(
            f"{slots:>15} {ours * 1e3:>12.2f} {added_us:>14.2f} "
            f"{added_us / BUDGET_US:>9.1%} {pool * 1e3:>14.2f} {pool / ours:>13.1f}x"
        )


if __name__ == "__main__":
    main()
