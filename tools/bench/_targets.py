"""The performance targets stated in the issues, checked against one benchmark report.

Each target names where its value comes from (a row of a package benchmark, a row of
an SDK workload of ours, or a fitted growth exponent) and the limit it must meet.
A value that the report does not hold (``--only``, ``--no-packages``, a failed
benchmark) is "not measured", neither met nor missed.

"Linear" means a fitted growth exponent (slope of log time on log size) of at most
``LINEAR_LIMIT``: a quadratic cost would fit near 2, and on a shared machine a linear
one fits anywhere from about 0.9 to 1.1.

Standard library only, like ``_harness``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LINEAR_LIMIT = 1.15

Report = Mapping[str, Any]
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Target:
    """One performance target: a value read from the report, and its limit.

    ``at_most`` is True when the value must not exceed ``limit`` (a time, a count, a
    ratio) and False when it must reach it (a rate).
    """

    area: str
    what: str
    limit: float
    at_most: bool
    unit: str
    source: str
    value: Callable[[Report], float | None]

    def evaluate(self, report: Report) -> dict[str, Any]:
        """The target with its measured value and verdict (``passed`` None: not measured)."""
        measured = self.value(report)
        passed = None
        if measured is not None:
            passed = measured <= self.limit if self.at_most else measured >= self.limit
        return {
            "area": self.area,
            "target": self.what,
            "limit": self.limit,
            "at_most": self.at_most,
            "unit": self.unit,
            "measured": measured,
            "passed": passed,
            "source": self.source,
        }


def _measured(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if row.get("available", True) is not False and "error" not in row]


def _package_rows(report: Report, package: str, workload: str, variant: str = "") -> list[Row]:
    return [
        row
        for row in _measured(report.get("packages", []))
        if row.get("package") == package
        and row.get("workload") == workload
        and row.get("variant", "") == variant
    ]


def _package_row(
    report: Report, package: str, workload: str, variant: str = "", n: int | None = None
) -> Row | None:
    rows = [
        row
        for row in _package_rows(report, package, workload, variant)
        if n is None or row.get("n") == n
    ]
    return rows[-1] if rows else None


def _ours_largest(report: Report, workload: str, variant: str, mode: str) -> Row | None:
    """Our row of the largest size in one series of an SDK workload."""
    sides = report.get("sides", {})
    rows = [
        row
        for row in _measured(sides.get("ours", {}).get("rows", []))
        if row.get("workload") == workload
        and row.get("variant", "") == variant
        and row.get("mode") == mode
    ]
    return max(rows, key=lambda row: int(row["n"])) if rows else None


def _growth(report: Report, side: str, workload: str, variant: str = "", mode: str = "") -> Any:
    for fit in report.get("growth", []):
        if (fit.get("side"), fit.get("workload"), fit.get("variant", "")) == (
            side,
            workload,
            variant,
        ) and (not mode or fit.get("mode") == mode):
            return fit["exponent"]
    return None


def _package_growth(report: Report, package: str, workload: str) -> Any:
    for fit in report.get("growth", []):
        if fit.get("side") == "package" and (fit.get("package"), fit.get("workload")) == (
            package,
            workload,
        ):
            return fit["exponent"]
    return None


def _extra(row: Row | None, key: str) -> Any:
    return None if row is None else row.get("extra", {}).get(key)


def _field(row: Row | None, key: str) -> Any:
    return None if row is None else row.get(key)


def _rate(row: Row | None) -> float | None:
    """Operations per second of a row."""
    if row is None or not row.get("median_s"):
        return None
    return float(row.get("ops", 1)) / float(row["median_s"])


def _worst_lookup(report: Report) -> float | None:
    rows = _package_rows(report, "state", "replay lookup")
    return max(float(row["per_op_us"]) for row in rows) if rows else None


def _sqlite_over_memory(workload: str) -> Callable[[Report], float | None]:
    def ratio(report: Report) -> float | None:
        sqlite = _package_row(report, "local", workload, "sqlite")
        memory = _package_row(report, "local", workload, "memory")
        if sqlite is None or memory is None:
            return None
        return float(sqlite["median_s"]) / float(memory["median_s"])

    return ratio


def _w8(kind: str, store: str) -> Callable[[Report], float | None]:
    return lambda report: _rate(_ours_largest(report, "W8", f"{kind}, {store} store", "http"))


TARGETS: Sequence[Target] = (
    Target(
        "serdes", "extended-types round trip, ratio to plain json.dumps + json.loads",
        5.0, True, "x", "bench_serdes.py",
        lambda r: _extra(_package_row(r, "serdes", "round trip", "extended types, ours"), "ratio"),
    ),
    Target(
        "state", "1,000 synchronous checkpoints, overhead per checkpoint",
        50.0, True, "us", "bench_state.py",
        lambda r: _field(_package_row(r, "state", "sync checkpoints"), "per_op_us"),
    ),
    Target(
        "state", "10,000 asynchronous checkpoints, checkpoint calls (worst run)",
        45, True, "calls", "bench_state.py",
        lambda r: _extra(_package_row(r, "state", "async checkpoints"), "calls_max"),
    ),
    Target(
        "state", "replay lookup per operation, worst of 100 .. 100,000 operations",
        5.0, True, "us", "bench_state.py", _worst_lookup,
    ),
    Target(
        "state", "replay lookup linear over 100 .. 100,000 operations (growth exponent)",
        LINEAR_LIMIT, True, "exponent", "bench_state.py",
        lambda r: _package_growth(r, "state", "replay lookup"),
    ),
    Target(
        "concurrency", "executor, 1,000 no-op items, max_concurrency 1: added per item",
        50.0, True, "us", "bench_concurrency.py",
        lambda r: _extra(
            _package_row(r, "concurrency", "executor", "BatchExecutor, max_concurrency=1"),
            "added_us_per_item",
        ),
    ),
    Target(
        "concurrency", "executor, 1,000 no-op items, max_concurrency 10: added per item",
        50.0, True, "us", "bench_concurrency.py",
        lambda r: _extra(
            _package_row(r, "concurrency", "executor", "BatchExecutor, max_concurrency=10"),
            "added_us_per_item",
        ),
    ),
    Target(
        "context", "1,000 steps, first execution, per step",
        60.0, True, "us", "bench_context.py",
        lambda r: _field(_package_row(r, "context", "steps"), "per_op_us"),
    ),
    Target(
        "context", "replay of 10,000 steps, per step",
        10.0, True, "us", "bench_context.py",
        lambda r: _field(_package_row(r, "context", "replay", n=10000), "per_op_us"),
    ),
    Target(
        "context", "replay linear over 1,000 .. 10,000 steps (growth exponent)",
        LINEAR_LIMIT, True, "exponent", "bench_context.py",
        lambda r: _package_growth(r, "context", "replay"),
    ),
    Target(
        "context", "map of 1,000 items, max_concurrency 10, in all",
        100.0, True, "ms", "bench_context.py",
        lambda r: _scaled(_field(_package_row(r, "context", "map"), "median_s"), 1e3),
    ),
    Target(
        "SDK", "W2 replay of a complete history linear (growth exponent, fake client)",
        LINEAR_LIMIT, True, "exponent", "W2",
        lambda r: _growth(r, "ours", "W2", "", "fake-client"),
    ),
    Target(
        "local", "30-wait handler, memory store: invocations per second",
        500.0, False, "/s", "bench_local.py",
        lambda r: _rate(_package_row(r, "local", "waits", "memory")),
    ),
    Target(
        "local", "1,000 sequential steps end to end, memory store",
        0.5, True, "s", "bench_local.py",
        lambda r: _field(_package_row(r, "local", "steps", "memory"), "median_s"),
    ),
    Target(
        "local", "SQLite store over memory store, 30-wait handler",
        2.0, True, "x", "bench_local.py", _sqlite_over_memory("waits"),
    ),
    Target(
        "local", "SQLite store over memory store, 1,000 steps",
        2.0, True, "x", "bench_local.py", _sqlite_over_memory("steps"),
    ),
    Target(
        "HTTP", "checkpoint calls per second from one client, memory store",
        300.0, False, "/s", "W8", _w8("raw checkpoint calls", "memory"),
    ),
    Target(
        "HTTP", "checkpoint calls per second from one client, SQLite store",
        300.0, False, "/s", "W8", _w8("raw checkpoint calls", "sqlite"),
    ),
    Target(
        "HTTP", "3-step executions per second through Invoke, memory store",
        50.0, False, "/s", "W8", _w8("3-step executions via Invoke", "memory"),
    ),
    Target(
        "HTTP", "3-step executions per second through Invoke, SQLite store",
        50.0, False, "/s", "W8", _w8("3-step executions via Invoke", "sqlite"),
    ),
)  # fmt: skip


def _scaled(value: Any, factor: float) -> float | None:
    return None if value is None else float(value) * factor


def evaluate(report: Report, targets: Sequence[Target] = TARGETS) -> list[dict[str, Any]]:
    """Every target with its measured value and verdict, in the order of ``targets``."""
    return [target.evaluate(report) for target in targets]


def format_value(value: float | None, unit: str) -> str:
    """A target's value or limit as the table shows it."""
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "exponent":
        return f"{value:.2f}"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "calls":
        return f"{value:,.0f} calls"
    if unit == "us":
        return f"{value:,.1f} us"
    if unit == "ms":
        return f"{value:,.1f} ms"
    return f"{value:,.3g} {unit}"


def limit_text(entry: Mapping[str, Any]) -> str:
    """The limit of an evaluated target with its direction: ``<= 50.0 us``, ``>= 300/s``."""
    return ("<= " if entry["at_most"] else ">= ") + format_value(entry["limit"], entry["unit"])


def verdict(passed: bool | None) -> str:
    """``met``, ``MISSED`` or ``not measured``."""
    if passed is None:
        return "not measured"
    return "met" if passed else "MISSED"
