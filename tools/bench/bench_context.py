"""Benchmark of durable_lambda_context against an in-memory service client.

Run by hand from the workspace root::

    uv run python tools/bench/bench_context.py [--quick]

It prints medians and the ratios to the targets of the context package:

* a handler of 1,000 sequential trivial steps, first execution: median
  overhead per step at most 60 us (reference 3.0.0: about 1,530 us);
* replay of 10,000 completed steps: at most 10 us per step (reference: about
  67 us), and linear in the number of steps (fitted exponent close to 1);
* ``map`` of 1,000 trivial items with ``max_concurrency=10``: at most 100 ms in
  all (reference: about 1,260 ms).

The client answers at once and returns no operations, so the numbers are the
SDK's own cost (context, state, batcher, serdes), not the service's.

``run(quick)`` returns the same numbers as rows for ``tools/bench/run.py``.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

from durable_lambda_client import (
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    DurableExecutionInvocationInputWithClient,
    ExecutionDetails,
    InitialExecutionState,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    StateOutput,
    StepDetails,
)
from durable_lambda_context import DurableContext, MapConfig, durable_execution
from durable_lambda_context._operation_ids import operation_id

ARN = "arn:aws:lambda:us-east-1:123456789012:function:bench:$LATEST/durable-execution/b/ex1"

STEP_TARGET_US, STEP_REFERENCE_US = 60.0, 1530.0
REPLAY_TARGET_US, REPLAY_REFERENCE_US = 10.0, 67.0
MAP_TARGET_MS, MAP_REFERENCE_MS = 100.0, 1260.0
STEPS = 1000
REPLAY_SIZES = (1000, 2500, 5000, 10000)
MAP_ITEMS = 1000


class InstantClient:
    """A service client that accepts every checkpoint at once."""

    def __init__(self) -> None:
        self.calls = 0
        self._output = CheckpointOutput("token", CheckpointUpdatedExecutionState([]))

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        self.calls += 1
        return self._output

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        return StateOutput([])


EXECUTION = Operation(
    operation_id="ex1",
    operation_type=OperationType.EXECUTION,
    status=OperationStatus.STARTED,
    execution_details=ExecutionDetails(input_payload="{}"),
)


def event(client: InstantClient, operations: list[Operation]) -> Any:
    return DurableExecutionInvocationInputWithClient(
        ARN, "token", InitialExecutionState([EXECUTION, *operations], ""), client
    )


def steps_handler(count: int) -> Callable[[Any, Any], dict[str, Any]]:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        total = 0
        for _ in range(count):
            total += context.step(lambda _: 1)
        return total

    return handler


def completed_steps(count: int) -> list[Operation]:
    return [
        Operation(
            operation_id=operation_id(None, n),
            operation_type=OperationType.STEP,
            status=OperationStatus.SUCCEEDED,
            sub_type=OperationSubType.STEP,
            step_details=StepDetails(attempt=1, result="1"),
        )
        for n in range(1, count + 1)
    ]


def timed(run: Callable[[], dict[str, Any]], expected: str) -> float:
    gc.collect()
    start = time.perf_counter()
    output = run()
    elapsed = time.perf_counter() - start
    assert output.get("Result") == expected, output
    return elapsed


def median_of(repeats: int, run: Callable[[], float]) -> float:
    run()  # warm-up
    return statistics.median(run() for _ in range(repeats))


def empty_invocation_seconds(repeats: int) -> float:
    handler = steps_handler(0)
    return median_of(repeats, lambda: timed(lambda: handler(event(InstantClient(), []), None), "0"))


def first_execution(count: int, repeats: int, baseline: float) -> float:
    handler = steps_handler(count)
    total = median_of(
        repeats, lambda: timed(lambda: handler(event(InstantClient(), []), None), str(count))
    )
    return (total - baseline) / count * 1e6


def replay(count: int, repeats: int, baseline: float) -> float:
    handler = steps_handler(count)
    history = completed_steps(count)
    total = median_of(
        repeats, lambda: timed(lambda: handler(event(InstantClient(), history), None), str(count))
    )
    return (total - baseline) / count * 1e6


def map_of(count: int, repeats: int) -> float:
    """Median time of the map in ms."""

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        result = context.map(
            list(range(count)), lambda c, item, i, items: item, config=MapConfig(max_concurrency=10)
        )
        return result.success_count

    def run_once() -> float:
        gc.collect()
        start = time.perf_counter()
        output = handler(event(InstantClient(), []), None)
        elapsed = time.perf_counter() - start
        if output.get("Result") != str(count):
            raise SystemExit(f"map of {count} items did not succeed: {output}")
        return elapsed

    return median_of(repeats, run_once) * 1e3


def fit_exponent(points: list[tuple[int, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(n * per_op) for n, per_op in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return numerator / sum((x - mean_x) ** 2 for x in xs)


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER TARGET"


def repeats_for(quick: bool) -> int:
    """Timed runs of each measurement: 3 quick, 9 full."""
    return 3 if quick else 9


def _row(
    workload: str, title: str, n: int, unit: str, seconds: float, **extra: Any
) -> dict[str, Any]:
    return {
        "workload": workload,
        "title": title,
        "variant": "",
        "n": n,
        "ops": n,
        "unit": unit,
        "median_s": seconds,
        "per_op_us": seconds / n * 1e6,
        "extra": extra,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    """Rows for ``tools/bench/run.py``.

    Steps and replay rows hold the handler's time minus the empty invocation's (the
    overhead the targets are about); ``run.py`` fits the growth of the replay rows
    over their sizes.
    """
    repeats = repeats_for(quick)
    baseline = empty_invocation_seconds(repeats)
    step_us = first_execution(STEPS, repeats, baseline)
    rows = [
        _row("empty invocation", "wrapper, state and close, no operation", 1, "invocation",
             baseline),
        _row("steps", "sequential trivial steps, first execution, minus the empty invocation",
             STEPS, "step", step_us * STEPS / 1e6, target_us=STEP_TARGET_US),
    ]  # fmt: skip
    for n in REPLAY_SIZES:
        replay_us = replay(n, repeats, baseline)
        rows.append(
            _row("replay", "replay of completed steps, minus the empty invocation", n, "step",
                 replay_us * n / 1e6, target_us=REPLAY_TARGET_US)
        )  # fmt: skip
    map_ms = map_of(MAP_ITEMS, repeats)
    rows.append(
        _row("map", "map of trivial items, max_concurrency=10, in all", MAP_ITEMS, "item",
             map_ms / 1e3, target_ms=MAP_TARGET_MS)
    )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = repeats_for(parser.parse_args().quick)

    baseline = empty_invocation_seconds(repeats)
    print(f"empty invocation (wrapper, state, close): {baseline * 1e3:.2f} ms")

    step_us = first_execution(STEPS, repeats, baseline)
    print(
        f"1,000 sequential steps, first execution: {step_us:.1f} us/step "
        f"(target {STEP_TARGET_US:.0f}, {step_us / STEP_TARGET_US:.2f}x; "
        f"reference {STEP_REFERENCE_US:.0f}, {STEP_REFERENCE_US / step_us:.0f}x faster) "
        f"{verdict(step_us, STEP_TARGET_US)}"
    )

    points = [(n, replay(n, repeats, baseline)) for n in REPLAY_SIZES]
    for n, per_step in points:
        print(f"replay of {n:>6,} completed steps: {per_step:.2f} us/step")
    replay_us = points[-1][1]
    print(
        f"replay of 10,000 steps: {replay_us:.2f} us/step (target {REPLAY_TARGET_US:.0f}, "
        f"{replay_us / REPLAY_TARGET_US:.2f}x; reference {REPLAY_REFERENCE_US:.0f}, "
        f"{REPLAY_REFERENCE_US / replay_us:.0f}x faster) {verdict(replay_us, REPLAY_TARGET_US)}; "
        f"growth exponent {fit_exponent(points):.2f} (1.00 = linear)"
    )

    map_ms = map_of(MAP_ITEMS, repeats)
    print(
        f"map of 1,000 items, max_concurrency 10: {map_ms:.1f} ms (target {MAP_TARGET_MS:.0f}, "
        f"{map_ms / MAP_TARGET_MS:.2f}x; reference {MAP_REFERENCE_MS:.0f}, "
        f"{MAP_REFERENCE_MS / map_ms:.0f}x faster) {verdict(map_ms, MAP_TARGET_MS)}"
    )


if __name__ == "__main__":
    main()
