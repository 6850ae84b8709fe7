"""Benchmark of durable_lambda_state against an in-memory service client.

Run by hand from the workspace root::

    uv run python tools/bench/bench_state.py [--quick]

It prints medians and the ratios to the targets of the state package:

* 1,000 sequential synchronous checkpoints: median overhead per checkpoint (time in
  ``create_checkpoint`` minus time spent inside the client) at most 50 us; the
  reference SDK needs ~1,500 us and idles ~100 ms when the invocation ends, so
  ``close()`` is timed too.
* 10,000 asynchronous checkpoints: number of calls, at most 45 (floor 40 with 250
  updates per call).
* Replay lookups (``get_checkpoint_result`` + ``track_replay`` per operation) from
  100 to 100,000 operations: at most 5 us per operation, and linear (the fitted
  exponent of time against size should be close to 1).

``run(quick)`` returns the same numbers as rows for ``tools/bench/run.py``.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

from durable_lambda_client import (
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    ContextDetails,
    Operation,
    OperationAction,
    OperationIdentifier,
    OperationStatus,
    OperationType,
    OperationUpdate,
    StateOutput,
    StepDetails,
)
from durable_lambda_state import ExecutionState

ARN = "arn:aws:lambda:us-east-1:123456789012:function:bench:$LATEST/durable-execution/b/bench0001"

SYNC_TARGET_US = 50.0
SYNC_REFERENCE_US = 1500.0
ASYNC_TARGET_CALLS = 45
ASYNC_FLOOR_CALLS = 40
LOOKUP_TARGET_US = 5.0
LINEAR_EXPONENT_LIMIT = 1.15
LOOKUP_SIZES = (100, 1_000, 10_000, 100_000)
SYNC_CHECKPOINTS = 1_000
ASYNC_CHECKPOINTS = 10_000

_STATUS_AFTER = {
    OperationAction.START: OperationStatus.STARTED,
    OperationAction.SUCCEED: OperationStatus.SUCCEEDED,
    OperationAction.FAIL: OperationStatus.FAILED,
    OperationAction.RETRY: OperationStatus.PENDING,
}


class InMemoryClient:
    """Answers like the service does (new token, the touched operations), and times itself."""

    def __init__(self) -> None:
        self.calls = 0
        self.updates = 0
        self.inside_ns = 0

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        started = time.perf_counter_ns()
        self.calls += 1
        self.updates += len(updates)
        operations = [
            Operation(
                update.operation_id,
                update.operation_type,
                _STATUS_AFTER[update.action],
                parent_id=update.parent_id,
                step_details=StepDetails(result=update.payload),
            )
            for update in updates
        ]
        output = CheckpointOutput(
            f"token-{self.calls}", CheckpointUpdatedExecutionState(operations, None)
        )
        self.inside_ns += time.perf_counter_ns() - started
        return output

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        return StateOutput([], None)


def step_updates(count: int, prefix: str) -> list[tuple[OperationUpdate, OperationUpdate]]:
    pairs = []
    for index in range(count):
        identifier = OperationIdentifier(f"{prefix}{index}", None, f"step-{index}")
        pairs.append(
            (
                OperationUpdate.create_step_start(identifier),
                OperationUpdate.create_step_succeed(identifier, '{"order": 1, "ok": true}'),
            )
        )
    return pairs


def median_us(samples_ns: Sequence[int | float]) -> float:
    return statistics.median(samples_ns) / 1000.0


# ------------------------------------------------------------------------ workloads


def bench_sync(repeats: int) -> dict[str, float]:
    """1,000 sequential synchronous checkpoints per run; per-checkpoint overhead."""
    overheads: list[float] = []
    totals: list[float] = []
    closes: list[float] = []
    for run in range(repeats):
        client = InMemoryClient()
        state = ExecutionState(ARN, "token-0", {}, client)
        updates = [u for pair in step_updates(500, f"r{run}-") for u in pair]
        gc.collect()
        gc.disable()
        try:
            for update in updates:
                before_inside = client.inside_ns
                started = time.perf_counter_ns()
                state.create_checkpoint(update)
                elapsed = time.perf_counter_ns() - started
                totals.append(elapsed)
                overheads.append(elapsed - (client.inside_ns - before_inside))
            started = time.perf_counter_ns()
            state.close()
            closes.append(time.perf_counter_ns() - started)
        finally:
            gc.enable()
        assert client.calls == len(updates)
    return {
        "overhead_us": median_us(overheads),
        "total_us": median_us(totals),
        "close_us": median_us(closes),
    }


def bench_async(repeats: int) -> dict[str, float]:
    """10,000 asynchronous checkpoints per run, then flush; number of calls."""
    calls: list[int] = []
    seconds: list[float] = []
    for run in range(repeats):
        client = InMemoryClient()
        state = ExecutionState(ARN, "token-0", {}, client)
        updates = [
            OperationUpdate.create_step_start(OperationIdentifier(f"a{run}-{i}", None, "s"))
            for i in range(10_000)
        ]
        gc.collect()
        started = time.perf_counter()
        for update in updates:
            state.create_checkpoint(update, is_sync=False)
        state.flush()
        seconds.append(time.perf_counter() - started)
        state.close()
        assert client.updates == 10_000
        calls.append(client.calls)
    return {
        "calls_median": statistics.median(calls),
        "calls_max": max(calls),
        "ms_median": statistics.median(seconds) * 1000,
    }


def replay_state(size: int) -> tuple[ExecutionState, list[str]]:
    """A finished history of ``size`` operations: steps and child contexts with children."""
    operations: list[Operation] = [
        Operation("bench0001", OperationType.EXECUTION, OperationStatus.STARTED)
    ]
    visit: list[str] = []
    index = 0
    while len(operations) - 1 < size:
        if index % 10 == 9 and size - (len(operations) - 1) >= 3:
            parent = f"c{index}"
            operations.append(
                Operation(
                    parent,
                    OperationType.CONTEXT,
                    OperationStatus.SUCCEEDED,
                    context_details=ContextDetails(result='"c"'),
                )
            )
            for child in range(2):
                operations.append(
                    Operation(
                        f"{parent}-{child}",
                        OperationType.STEP,
                        OperationStatus.SUCCEEDED,
                        parent_id=parent,
                        step_details=StepDetails(result='"r"'),
                    )
                )
        else:
            operations.append(
                Operation(
                    f"s{index}",
                    OperationType.STEP,
                    OperationStatus.SUCCEEDED,
                    step_details=StepDetails(result='"r"'),
                )
            )
        visit.append(operations[-1].operation_id if operations[-1].parent_id is None else parent)
        index += 1
    state = ExecutionState(ARN, "token-0", {}, InMemoryClient())
    state.fetch_paginated_operations(operations, "token-0", None)
    return state, visit


def bench_lookup(sizes: Sequence[int], repeats: int) -> dict[int, float]:
    """Per-operation time of replaying a whole history of each size."""
    per_op: dict[int, float] = {}
    for size in sizes:
        samples: list[float] = []
        for _ in range(repeats):
            state, visit = replay_state(size)
            assert state.is_replaying()
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter_ns()
                for operation_id in visit:
                    result = state.get_checkpoint_result(operation_id)
                    if result.is_succeeded():
                        state.track_replay(operation_id)
                elapsed = time.perf_counter_ns() - started
            finally:
                gc.enable()
            assert not state.is_replaying()
            state.close()
            samples.append(elapsed / size)
        per_op[size] = statistics.median(samples) / 1000.0
    return per_op


def growth_exponent(per_op_us: dict[int, float]) -> float:
    """Least-squares slope of log(total time) against log(size)."""
    xs = [math.log(size) for size in per_op_us]
    ys = [math.log(per_op_us[size] * size) for size in per_op_us]
    mean_x = statistics.fmean(xs)
    mean_y = statistics.fmean(ys)
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    denominator = sum((x - mean_x) ** 2 for x in xs)
    return numerator / denominator


# ----------------------------------------------------------------------------- rows


def repeats_for(quick: bool) -> int:
    """Runs of each workload: 3 quick, 9 full."""
    return 3 if quick else 9


def run(quick: bool) -> list[dict[str, Any]]:
    """Rows for ``tools/bench/run.py``.

    ``per_op_us`` holds the figure each target is about: the median overhead of one
    synchronous checkpoint (time inside the client left out), and the time of one
    replay lookup; ``median_s`` is that figure times the operations of one run, so
    that ``run.py`` fits the growth of the lookups over their sizes.
    """
    repeats = repeats_for(quick)
    sync = bench_sync(repeats)
    batching = bench_async(repeats)
    lookup = bench_lookup(LOOKUP_SIZES, repeats)
    rows: list[dict[str, Any]] = [
        {
            "workload": "sync checkpoints",
            "title": "sequential synchronous checkpoints, overhead outside the client",
            "variant": "",
            "n": SYNC_CHECKPOINTS,
            "ops": SYNC_CHECKPOINTS,
            "unit": "checkpoint",
            "median_s": sync["overhead_us"] * SYNC_CHECKPOINTS / 1e6,
            "per_op_us": sync["overhead_us"],
            "checkpoint_calls": SYNC_CHECKPOINTS,
            "updates_per_call": 1.0,
            "extra": {
                "total_us": sync["total_us"],
                "close_us": sync["close_us"],
                "target_us": SYNC_TARGET_US,
            },
        },
        {
            "workload": "async checkpoints",
            "title": "asynchronous checkpoints, enqueue and flush",
            "variant": "",
            "n": ASYNC_CHECKPOINTS,
            "ops": ASYNC_CHECKPOINTS,
            "unit": "checkpoint",
            "median_s": batching["ms_median"] / 1e3,
            "per_op_us": batching["ms_median"] * 1e3 / ASYNC_CHECKPOINTS,
            "checkpoint_calls": batching["calls_median"],
            "updates_per_call": ASYNC_CHECKPOINTS / batching["calls_median"],
            "extra": {"calls_max": batching["calls_max"], "target_calls": ASYNC_TARGET_CALLS},
        },
    ]
    rows += [
        {
            "workload": "replay lookup",
            "title": "get_checkpoint_result + track_replay over a whole history",
            "variant": "",
            "n": size,
            "ops": size,
            "unit": "operation",
            "median_s": per_op * size / 1e6,
            "per_op_us": per_op,
            "extra": {"target_us": LOOKUP_TARGET_US},
        }
        for size, per_op in lookup.items()
    ]
    return rows


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = repeats_for(args.quick)
    sizes = LOOKUP_SIZES

    print(f"durable_lambda_state benchmark (Python {sys.version.split()[0]}, {repeats} repeats)")
    sync = bench_sync(repeats)
    print(
        f"sync   1,000 sequential checkpoints: overhead median {sync['overhead_us']:.1f} us "
        f"(total {sync['total_us']:.1f} us incl. client); "
        f"target {SYNC_TARGET_US:.0f} us, ratio {sync['overhead_us'] / SYNC_TARGET_US:.2f} "
        f"[{verdict(sync['overhead_us'] <= SYNC_TARGET_US)}]; "
        f"vs reference ~{SYNC_REFERENCE_US:.0f} us: "
        f"{SYNC_REFERENCE_US / sync['overhead_us']:.0f}x faster"
    )
    print(f"       close() after the last checkpoint: median {sync['close_us']:.1f} us")

    batching = bench_async(repeats)
    print(
        f"async  10,000 checkpoints: calls median {batching['calls_median']:.0f}, "
        f"max {batching['calls_max']}; target <= {ASYNC_TARGET_CALLS} "
        f"(floor {ASYNC_FLOOR_CALLS}), ratio to floor "
        f"{batching['calls_max'] / ASYNC_FLOOR_CALLS:.2f} "
        f"[{verdict(batching['calls_max'] <= ASYNC_TARGET_CALLS)}]; "
        f"enqueue+flush median {batching['ms_median']:.1f} ms"
    )

    lookup = bench_lookup(sizes, repeats)
    exponent = growth_exponent(lookup)
    worst = max(lookup.values())
    for size, value in lookup.items():
        print(f"replay {size:>7,} operations: {value:.2f} us per operation")
    print(
        f"replay worst {worst:.2f} us per operation; target {LOOKUP_TARGET_US:.0f} us, ratio "
        f"{worst / LOOKUP_TARGET_US:.2f} [{verdict(worst <= LOOKUP_TARGET_US)}]; "
        f"fitted growth exponent {exponent:.3f} [{verdict(exponent <= LINEAR_EXPONENT_LIMIT)}]"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
