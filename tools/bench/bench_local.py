"""Benchmark of durable_lambda_local: the local service with the SDK, in-process.

Run by hand from the workspace root::

    uv run python tools/bench/bench_local.py [--quick]

It prints medians and the ratios to the targets of the local package (virtual clock,
in-process invocations, through ``DurableFunctionTestRunner``):

* a handler that waits 30 times (31 invocations per execution): at least 500
  invocations per second with the memory store (official runner: about 9.5/s);
* 1,000 sequential steps end to end: at most 0.5 s with the memory store (official
  runner: about 2.6 s);
* the SQLite store at most 2x the memory store on the same workloads.

``run.py`` imports ``run(quick)`` for the shared report.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Case, effort_for, measure, row

from durable_lambda import DurableContext, StepContext, durable_execution, durable_step
from durable_lambda.config import Duration
from durable_lambda_local import (
    DurableFunctionTestRunner,
    MemoryStore,
    SqliteStore,
    Store,
    VirtualClock,
)

WAITS = 30
STEPS = 1000
INVOCATIONS_TARGET_PER_S, INVOCATIONS_REFERENCE_PER_S = 500.0, 9.5
STEPS_TARGET_S, STEPS_REFERENCE_S = 0.5, 2.6
SQLITE_RATIO_TARGET = 2.0


@durable_step
def _add_one(step_context: StepContext, value: int) -> int:
    return value + 1


@durable_execution
def thirty_waits(event: Any, context: DurableContext) -> int:
    for index in range(WAITS):
        context.wait(Duration.from_seconds(1), name=f"wait-{index}")
    return WAITS


@durable_execution
def thousand_steps(event: Any, context: DurableContext) -> int:
    total = 0
    for index in range(STEPS):
        total = context.step(_add_one(total), name=f"step-{index}")
    return total


@dataclass
class _Bench:
    runner: DurableFunctionTestRunner
    directory: Path | None


def _case(
    workload: str, title: str, handler: Any, store_kind: str, ops: int, unit: str, expected: int
) -> Case[_Bench]:
    def setup() -> _Bench:
        directory = None
        store: Store
        if store_kind == "sqlite":
            directory = Path(tempfile.mkdtemp(prefix="bench-local-"))
            store = SqliteStore(directory / "local.db")
        else:
            store = MemoryStore()
        runner = DurableFunctionTestRunner(
            handler, store=store, clock=VirtualClock(), seed=None, execution_timeout=86_400
        )
        return _Bench(runner, directory)

    def run(state: _Bench) -> dict[str, Any]:
        result = state.runner.run()
        if result.result != json.dumps(expected):
            raise RuntimeError(f"{workload}: unexpected result {result.result!r}")
        return {"invocations": result.invocation_count}

    def teardown(state: _Bench) -> None:
        state.runner.close()
        if state.directory is not None:
            shutil.rmtree(state.directory, ignore_errors=True)

    return Case(workload, title, store_kind, "in-process", ops, ops, unit, setup, run, teardown)


def cases() -> list[Case[_Bench]]:
    return [
        _case(
            "waits",
            f"{WAITS} waits, one invocation each",
            thirty_waits,
            kind,
            WAITS + 1,
            "invocation",
            WAITS,
        )
        for kind in ("memory", "sqlite")
    ] + [
        _case("steps", f"{STEPS} sequential steps", thousand_steps, kind, STEPS, "step", STEPS)
        for kind in ("memory", "sqlite")
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    """The rows of the shared report (see tools/bench/README.md)."""
    effort = effort_for(quick)
    return [row(case, measure(case, effort)) for case in cases()]


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    rows = {(r["workload"], r["variant"]): r for r in run(args.quick)}
    for kind in ("memory", "sqlite"):
        waits = rows[("waits", kind)]
        per_second = (WAITS + 1) / waits["median_s"]
        line = (
            f"{kind:6}  {WAITS} waits: {waits['median_s'] * 1000:7.1f} ms per execution, "
            f"{per_second:7.0f} invocations/s"
        )
        if kind == "memory":
            line += (
                f" (target >= {INVOCATIONS_TARGET_PER_S:.0f}, "
                f"{per_second / INVOCATIONS_TARGET_PER_S:.1f}x; official runner "
                f"{INVOCATIONS_REFERENCE_PER_S}/s, "
                f"{per_second / INVOCATIONS_REFERENCE_PER_S:.0f}x faster) "
                f"{_verdict(per_second >= INVOCATIONS_TARGET_PER_S)}"
            )
        print(line)
    for kind in ("memory", "sqlite"):
        steps = rows[("steps", kind)]
        line = (
            f"{kind:6}  {STEPS} steps: {steps['median_s']:.3f} s "
            f"({steps['median_s'] / STEPS * 1e6:.0f} us/step)"
        )
        if kind == "memory":
            line += (
                f" (target <= {STEPS_TARGET_S} s, {steps['median_s'] / STEPS_TARGET_S:.2f}x; "
                f"official runner {STEPS_REFERENCE_S} s, "
                f"{STEPS_REFERENCE_S / steps['median_s']:.1f}x faster) "
                f"{_verdict(steps['median_s'] <= STEPS_TARGET_S)}"
            )
        print(line)
    for workload in ("waits", "steps"):
        ratio = rows[(workload, "sqlite")]["median_s"] / rows[(workload, "memory")]["median_s"]
        print(
            f"sqlite/memory {workload:5}: {ratio:.2f}x (target <= {SQLITE_RATIO_TARGET}) "
            f"{_verdict(ratio <= SQLITE_RATIO_TARGET)}"
        )


if __name__ == "__main__":
    main()
