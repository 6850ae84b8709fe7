"""Measurement primitives shared by every benchmark: timing, spread, peak memory, growth.

This module is imported by ``run.py``, by the package benchmarks (``bench_<package>.py``)
and by ``reference/workloads.py`` inside the reference SDK's virtual environment, so it
uses the standard library only and keeps Python 3.11 syntax.

A benchmark result is one *row*: a plain dict with the keys of ``ROW_KEYS`` (see
``tools/bench/README.md``), so that it can cross a process boundary as JSON unchanged.
"""

from __future__ import annotations

import gc
import math
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

S = TypeVar("S")

ROW_KEYS = (
    "workload",
    "title",
    "variant",
    "mode",
    "n",
    "ops",
    "rounds",
    "unit",
    "repeats",
    "median_s",
    "q1_s",
    "q3_s",
    "min_s",
    "max_s",
    "per_op_us",
    "peak_kib",
    "checkpoint_calls",
    "updates_per_call",
    "invocations",
    "extra",
)


@dataclass(frozen=True)
class Effort:
    """How hard to measure: repeat counts and the time budget of one case.

    The number of timed repeats adapts to the cost of one run: a case is repeated
    until ``budget_s`` is spent, but at least ``min_repeats`` and at most
    ``max_repeats`` times, so that cheap cases get a stable median and expensive
    ones do not blow the overall time limit. A single run that takes longer than
    ``run_timeout_s`` is abandoned and reported as hung.
    """

    min_repeats: int
    max_repeats: int
    budget_s: float
    run_timeout_s: float
    warmup: int = 1


QUICK = Effort(min_repeats=3, max_repeats=9, budget_s=0.4, run_timeout_s=10.0)
FULL = Effort(min_repeats=5, max_repeats=31, budget_s=3.0, run_timeout_s=120.0)


def effort_for(quick: bool) -> Effort:
    """Return the measuring effort of ``--quick`` (True) or of a full run (False)."""
    return QUICK if quick else FULL


@dataclass(frozen=True)
class Spread:
    """Median and spread of repeated timings, in seconds."""

    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float
    repeats: int

    @staticmethod
    def of(seconds: Sequence[float]) -> Spread:
        """Summarise timings; the quartiles use the inclusive method so 3 samples work.

        Raises:
            ValueError: ``seconds`` is empty.
        """
        if not seconds:
            raise ValueError("seconds: expected at least one timing, got an empty sequence")
        if len(seconds) == 1:
            q1 = q3 = seconds[0]
        else:
            q1, _, q3 = statistics.quantiles(seconds, n=4, method="inclusive")
        return Spread(
            median=statistics.median(seconds),
            q1=q1,
            q3=q3,
            minimum=min(seconds),
            maximum=max(seconds),
            repeats=len(seconds),
        )


@dataclass(frozen=True)
class Case(Generic[S]):
    """One measurable thing: ``run(setup())`` is timed, ``teardown`` cleans up.

    ``run`` returns counters observed during the run (for instance
    ``{"checkpoint_calls": 3, "updates": 10}``) or ``None``; the counters of the
    last timed run are reported. ``ops`` is the number of operations one run
    performs, used for the per-operation time. ``rounds`` is how many times one run
    repeats the whole workload (to lift a fast workload above timer noise); growth
    fits use the time of one round.
    """

    workload: str
    title: str
    variant: str
    mode: str
    n: int
    ops: int
    unit: str
    setup: Callable[[], S]
    run: Callable[[S], Mapping[str, Any] | None]
    teardown: Callable[[S], None] | None = None
    rounds: int = 1


@dataclass(frozen=True)
class Measurement:
    """Timings, peak traced memory and counters of one measured case."""

    spread: Spread
    peak_kib: float
    counters: Mapping[str, Any]


class CaseTimeout(Exception):
    """A run did not finish in time; its thread is abandoned (it may be deadlocked)."""


def _timed_call(
    run: Callable[[S], Mapping[str, Any] | None], state: S, timeout_s: float, *, trace: bool
) -> tuple[float, float, Mapping[str, Any]]:
    """Run ``run(state)`` on a daemon thread; return (seconds, peak KiB, counters).

    The thread lets a deadlocked SDK be abandoned instead of hanging the whole
    benchmark. Its error, if any, is raised here in the caller.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            if trace:
                tracemalloc.start()
            start = time.perf_counter()
            counters = run(state)
            outcome["seconds"] = time.perf_counter() - start
            outcome["peak"] = tracemalloc.get_traced_memory()[1] / 1024.0 if trace else 0.0
            outcome["counters"] = dict(counters or {})
        except BaseException as error:  # handed over to the calling thread below
            outcome["error"] = error
        finally:
            if trace:
                tracemalloc.stop()

    gc.collect()
    worker = threading.Thread(target=target, name="bench-case", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise CaseTimeout(f"a run did not finish within {timeout_s:g} s (abandoned, likely hung)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["seconds"], outcome["peak"], outcome["counters"]


def _once(
    case: Case[S], timeout_s: float, *, trace: bool = False
) -> tuple[float, float, Mapping[str, Any]]:
    state = case.setup()
    hung = False
    try:
        return _timed_call(case.run, state, timeout_s, trace=trace)
    except CaseTimeout:
        hung = True
        raise
    finally:
        # A hung run still holds its state: tearing it down could block as well.
        if case.teardown is not None and not hung:
            case.teardown(state)


def measure(case: Case[S], effort: Effort) -> Measurement:
    """Time ``case`` repeatedly; its warm-up run traces the peak allocation.

    Setup and teardown are outside the timed region. The warm-up run is not
    timed with the others because tracing allocations slows the code it watches;
    its (pessimistic) duration only decides how many timed repeats fit the budget.
    """
    first, peak, _ = _once(case, effort.run_timeout_s, trace=True)
    for _ in range(effort.warmup - 1):
        first, _, _ = _once(case, effort.run_timeout_s)
    repeats = int(effort.budget_s / max(first, 1e-9))
    repeats = max(effort.min_repeats, min(effort.max_repeats, repeats))
    seconds: list[float] = []
    counters: Mapping[str, Any] = {}
    for _ in range(repeats):
        elapsed, _, counters = _once(case, effort.run_timeout_s)
        seconds.append(elapsed)
    return Measurement(spread=Spread.of(seconds), peak_kib=peak, counters=counters)


def row(case: Case[Any], measurement: Measurement) -> dict[str, Any]:
    """Turn a measured case into a result row (see ``ROW_KEYS``)."""
    counters = dict(measurement.counters)
    calls = counters.pop("checkpoint_calls", None)
    updates = counters.pop("updates", None)
    invocations = counters.pop("invocations", None)
    spread = measurement.spread
    return {
        "workload": case.workload,
        "title": case.title,
        "variant": case.variant,
        "mode": case.mode,
        "n": case.n,
        "ops": case.ops,
        "rounds": case.rounds,
        "unit": case.unit,
        "repeats": spread.repeats,
        "median_s": spread.median,
        "q1_s": spread.q1,
        "q3_s": spread.q3,
        "min_s": spread.minimum,
        "max_s": spread.maximum,
        "per_op_us": spread.median / max(case.ops, 1) * 1e6,
        "peak_kib": measurement.peak_kib,
        "checkpoint_calls": calls,
        "updates_per_call": (updates / calls) if calls and updates is not None else None,
        "invocations": invocations,
        "extra": counters,
    }


def unavailable(workload: str, title: str, reason: str, variant: str = "") -> dict[str, Any]:
    """A row saying that a workload cannot run yet, and why."""
    return {
        "workload": workload,
        "title": title,
        "variant": variant,
        "available": False,
        "reason": reason,
    }


def fit_exponent(points: Iterable[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(size).

    1.0 means time grows linearly with size, 2.0 quadratically. Returns ``None``
    when fewer than two distinct positive sizes are given.
    """
    pairs = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len({x for x, _ in pairs}) < 2:
        return None
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    sxx = sum((x - mean_x) ** 2 for x, _ in pairs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    return sxy / sxx


def is_measured(result: Mapping[str, Any]) -> bool:
    """True for a row that holds a measurement (not an unavailable or failed workload)."""
    return result.get("available", True) is not False and "error" not in result


def series_key(result: Mapping[str, Any]) -> tuple[str, str, str]:
    """The rows that differ only by size ``n`` share this key."""
    return (str(result["workload"]), str(result.get("variant", "")), str(result.get("mode", "")))


def growth(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Fitted growth exponent of every series of available rows with two sizes or more."""
    series: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for result in rows:
        if not is_measured(result):
            continue
        series.setdefault(series_key(result), []).append(
            (float(result["n"]), float(result["median_s"]) / int(result.get("rounds", 1)))
        )
    fits: list[dict[str, Any]] = []
    for (workload, variant, mode), points in series.items():
        exponent = fit_exponent(points)
        if exponent is not None:
            fits.append(
                {
                    "workload": workload,
                    "variant": variant,
                    "mode": mode,
                    "sizes": sorted(int(n) for n, _ in points),
                    "exponent": exponent,
                }
            )
    return fits


def failed(case: Case[Any], error: BaseException) -> dict[str, Any]:
    """A row saying that a case raised instead of producing a measurement."""
    return {
        "workload": case.workload,
        "title": case.title,
        "variant": case.variant,
        "mode": case.mode,
        "n": case.n,
        "error": f"{type(error).__name__}: {error}",
        "hung": isinstance(error, CaseTimeout),
    }


def run_cases(cases: Iterable[Case[Any]], effort: Effort) -> list[dict[str, Any]]:
    """Measure every case in order; a case that raises becomes an error row, not a crash."""
    rows: list[dict[str, Any]] = []
    for case in cases:
        try:
            rows.append(row(case, measure(case, effort)))
        except Exception as error:  # reported in the row and turned into a failing exit code
            rows.append(failed(case, error))
    return rows
