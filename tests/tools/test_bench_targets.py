"""The package benchmarks' rows, and the targets of the issues read from a whole report.

The package benchmarks run with their measuring functions replaced by fixed numbers, so
that these tests check what lands in the report (row keys, variants, the figures the
targets are about) without timing anything.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import _targets
import pytest
from _harness import Measurement, Spread

BENCH = Path(__file__).resolve().parents[2] / "tools" / "bench"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    return load("run")


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    """Every package benchmark with its measurements replaced by fixed numbers."""
    serdes = load("bench_serdes")
    monkeypatch.setattr(
        serdes,
        "measure",
        lambda implementation, orders, repeat, number: {
            "baseline_us": 200.0,
            "round_trip_us": 800.0,
            "ratio": 4.0,
            "serialize_ratio": 3.0,
            "deserialize_ratio": 5.0,
            "payload": "{}",
        },
    )
    monkeypatch.setattr(serdes, "run_reference", lambda arguments: None)

    state = load("bench_state")
    monkeypatch.setattr(
        state,
        "bench_sync",
        lambda repeats: {"overhead_us": 10.0, "total_us": 12.0, "close_us": 30.0},
    )
    monkeypatch.setattr(
        state, "bench_async", lambda repeats: {"calls_median": 40, "calls_max": 41, "ms_median": 90}
    )
    monkeypatch.setattr(
        state, "bench_lookup", lambda sizes, repeats: {size: 1.0 + size / 1e6 for size in sizes}
    )

    concurrency = load("bench_concurrency")
    monkeypatch.setattr(
        concurrency,
        "median_seconds",
        lambda action, repetitions: 0.0001 if action is concurrency.plain_loop else 0.0031,
    )

    context = load("bench_context")
    monkeypatch.setattr(context, "empty_invocation_seconds", lambda repeats: 0.0001)
    monkeypatch.setattr(context, "first_execution", lambda count, repeats, baseline: 30.0)
    monkeypatch.setattr(context, "replay", lambda count, repeats, baseline: 5.0)
    monkeypatch.setattr(context, "map_of", lambda count, repeats: 50.0)

    local = load("bench_local")
    monkeypatch.setattr(
        local,
        "measure",
        lambda case, effort: Measurement(
            Spread.of([0.02 if case.variant == "memory" else 0.03]), 100.0, {"invocations": 31}
        ),
    )
    return {
        "serdes": serdes,
        "state": state,
        "concurrency": concurrency,
        "context": context,
        "local": local,
    }


def w8(variant: str, n: int, median_s: float) -> dict[str, Any]:
    unit = "call" if "checkpoint" in variant else "execution"
    return {"workload": "W8", "variant": variant, "mode": "http", "n": n, "ops": n,
            "unit": unit, "median_s": median_s}  # fmt: skip


OURS_ROWS = [
    *(
        {"workload": "W2", "variant": "", "mode": "fake-client", "n": n, "median_s": n * 1e-5}
        for n in (10, 100, 1000)
    ),
    w8("raw checkpoint calls, memory store", 100, 0.2),
    w8("raw checkpoint calls, memory store", 1000, 1.0),
    w8("raw checkpoint calls, sqlite store", 1000, 2.0),
    w8("3-step executions via Invoke, memory store", 100, 1.0),
    w8("3-step executions via Invoke, sqlite store", 100, 1.6),
]


def package_rows(benches: dict[str, ModuleType]) -> list[dict[str, Any]]:
    rows = []
    for package, module in benches.items():
        for result in module.run(True):
            rows.append({"mode": "package", **result, "package": package})
    return rows


def test_every_package_benchmark_gives_rows_with_the_required_keys(
    stubbed: dict[str, ModuleType],
) -> None:
    for package, module in stubbed.items():
        rows = module.run(True)
        assert rows, package
        for result in rows:
            assert {"workload", "variant", "n", "median_s"} <= result.keys(), (package, result)


def test_the_package_rows_carry_the_figures_of_their_targets(
    stubbed: dict[str, ModuleType],
) -> None:
    rows = {(r["package"], r["workload"], r["variant"], r["n"]): r for r in package_rows(stubbed)}

    serdes = rows[("serdes", "round trip", "extended types, ours", 50)]
    assert (serdes["median_s"], serdes["extra"]["ratio"]) == (pytest.approx(800e-6), 4.0)
    sync = rows[("state", "sync checkpoints", "", 1000)]
    assert sync["per_op_us"] == 10.0
    assert sync["median_s"] == pytest.approx(0.01)
    assert rows[("state", "async checkpoints", "", 10000)]["updates_per_call"] == 250.0
    executor = rows[("concurrency", "executor", "BatchExecutor, max_concurrency=10", 1000)]
    assert executor["extra"]["added_us_per_item"] == pytest.approx(3.0)
    assert rows[("context", "replay", "", 10000)]["per_op_us"] == pytest.approx(5.0)
    assert rows[("context", "map", "", 1000)]["median_s"] == pytest.approx(0.05)


def test_every_target_is_read_from_a_full_report(
    stubbed: dict[str, ModuleType], bench_run: ModuleType
) -> None:
    report = bench_run.build_report(
        {"ours": {"rows": OURS_ROWS}}, package_rows(stubbed), quick=True, elapsed_s=1.0
    )

    measured = {entry["target"]: entry["measured"] for entry in report["targets"]}
    assert [entry["target"] for entry in report["targets"] if entry["measured"] is None] == []
    assert all(entry["passed"] for entry in report["targets"])
    assert measured["extended-types round trip, ratio to plain json.dumps + json.loads"] == 4.0
    assert measured["10,000 asynchronous checkpoints, checkpoint calls (worst run)"] == 41
    assert measured[
        "replay lookup per operation, worst of 100 .. 100,000 operations"
    ] == pytest.approx(1.1)
    assert measured["map of 1,000 items, max_concurrency 10, in all"] == pytest.approx(50.0)
    assert measured["30-wait handler, memory store: invocations per second"] == pytest.approx(
        31 / 0.02
    )
    assert measured["SQLite store over memory store, 1,000 steps"] == pytest.approx(1.5)
    # The largest size of a series counts: 1,000 calls in 1 s.
    assert measured["checkpoint calls per second from one client, memory store"] == pytest.approx(
        1000.0
    )
    assert measured["3-step executions per second through Invoke, SQLite store"] == pytest.approx(
        62.5
    )
    assert measured[
        "W2 replay of a complete history linear (growth exponent, fake client)"
    ] == pytest.approx(1.0)


def test_a_value_beyond_its_limit_is_missed_and_an_absent_one_not_measured(
    bench_run: ModuleType,
) -> None:
    slow_http = [w8("3-step executions via Invoke, memory store", 10, 1.0)]
    report = bench_run.build_report({"ours": {"rows": slow_http}}, [], quick=True, elapsed_s=1.0)

    by_target = {entry["target"]: entry for entry in report["targets"]}
    invoke = by_target["3-step executions per second through Invoke, memory store"]
    assert (invoke["measured"], invoke["passed"]) == (pytest.approx(10.0), False)
    assert _targets.verdict(invoke["passed"]) == "MISSED"
    serdes = by_target["extended-types round trip, ratio to plain json.dumps + json.loads"]
    assert (serdes["measured"], serdes["passed"]) == (None, None)
    assert _targets.verdict(None) == "not measured"


def test_a_failed_row_does_not_count_as_a_measurement() -> None:
    report = {
        "packages": [
            {"package": "context", "workload": "map", "variant": "", "n": 1000,
             "error": "RuntimeError: boom"}
        ]
    }  # fmt: skip

    [entry] = _targets.evaluate(
        report, [t for t in _targets.TARGETS if t.what.startswith("map of 1,000")]
    )

    assert entry["passed"] is None


def test_the_rendered_report_lists_the_targets_with_their_verdicts(
    bench_run: ModuleType,
) -> None:
    rows = [w8("raw checkpoint calls, memory store", 100, 0.5)]
    report = bench_run.build_report({"ours": {"rows": rows}}, [], quick=True, elapsed_s=1.0)

    text = bench_run.render(report)

    assert f"Targets of the issues: 0 of {len(_targets.TARGETS)} met." in text
    [line] = [
        line
        for line in text.splitlines()
        if "checkpoint calls per second from one client, memory store" in line
    ]
    assert line.split()[-5:] == [">=", "300/s", "200/s", "MISSED", "W8"]
    assert "200 calls/s" in text  # the rate of an HTTP row
    markdown = bench_run.render(report, markdown=True)
    assert " met.\n\n| area | target | limit | measured | result | source |\n" in markdown


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (4.1234, "x", "4.12x"),
        (1.0712, "exponent", "1.07"),
        (901.4, "/s", "901/s"),
        (41, "calls", "41 calls"),
        (10.44, "us", "10.4 us"),
        (45.21, "ms", "45.2 ms"),
        (0.162, "s", "0.162 s"),
        (None, "us", "-"),
    ],
)
def test_values_are_shown_with_their_unit(value: float | None, unit: str, text: str) -> None:
    assert _targets.format_value(value, unit) == text


def test_the_report_names_the_machine(bench_run: ModuleType) -> None:
    about = bench_run.machine()

    assert about["cpu_model"]
    assert about["nproc"] >= 1
    assert about["python"].count(".") == 2
