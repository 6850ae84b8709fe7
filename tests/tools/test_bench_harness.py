"""The measurement primitives of tools/bench/_harness.py: spread, growth fits, cases, hangs."""

from __future__ import annotations

import threading
from typing import Any

import _harness as harness
import pytest

FAST = harness.Effort(min_repeats=3, max_repeats=3, budget_s=0.0, run_timeout_s=5.0)


def make_case(run: Any, **overrides: Any) -> harness.Case[Any]:
    fields: dict[str, Any] = {
        "workload": "W0",
        "title": "a test workload",
        "variant": "v",
        "mode": "in-process",
        "n": 10,
        "ops": 5,
        "unit": "op",
        "setup": lambda: None,
        "run": run,
    }
    fields.update(overrides)
    return harness.Case(**fields)


def test_spread_reports_median_quartiles_and_range() -> None:
    spread = harness.Spread.of([5.0, 1.0, 3.0, 2.0, 4.0])

    assert spread == harness.Spread(median=3.0, q1=2.0, q3=4.0, minimum=1.0, maximum=5.0, repeats=5)


def test_spread_of_one_timing_has_no_width() -> None:
    assert harness.Spread.of([0.5]) == harness.Spread(0.5, 0.5, 0.5, 0.5, 0.5, 1)


def test_spread_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="seconds: expected at least one timing"):
        harness.Spread.of([])


@pytest.mark.parametrize(("power", "expected"), [(1, 1.0), (2, 2.0), (0.5, 0.5)])
def test_fit_exponent_recovers_a_power_law(power: float, expected: float) -> None:
    points = [(n, 3e-6 * n**power) for n in (10, 100, 1000, 10000)]

    assert harness.fit_exponent(points) == pytest.approx(expected)


def test_fit_exponent_needs_two_distinct_sizes() -> None:
    assert harness.fit_exponent([(10, 1.0), (10, 2.0)]) is None
    assert harness.fit_exponent([]) is None


def test_growth_fits_each_series_on_the_time_of_one_round() -> None:
    rows = [
        {"workload": "W1", "variant": "", "mode": "m", "n": 10, "median_s": 0.1, "rounds": 1},
        {"workload": "W1", "variant": "", "mode": "m", "n": 100, "median_s": 1.0, "rounds": 1},
        # 100 rounds of the small value and 10 of the large one: per round, quadratic.
        {"workload": "W7", "variant": "x", "mode": "m", "n": 10, "median_s": 1.0, "rounds": 100},
        {"workload": "W7", "variant": "x", "mode": "m", "n": 100, "median_s": 10.0, "rounds": 10},
        {"workload": "W9", "variant": "", "available": False, "reason": "not yet"},
        {"workload": "W1", "variant": "", "mode": "m", "n": 1000, "error": "boom"},
    ]

    fits = {fit["workload"]: fit for fit in harness.growth(rows)}

    assert fits["W1"]["exponent"] == pytest.approx(1.0)
    assert fits["W1"]["sizes"] == [10, 100]
    assert fits["W7"]["exponent"] == pytest.approx(2.0)
    assert set(fits) == {"W1", "W7"}


def test_measure_reports_counters_of_the_last_run_and_traced_peak_memory() -> None:
    calls: list[int] = []

    def run(_state: None) -> dict[str, int]:
        calls.append(1)
        buffer = bytearray(2 * 1024 * 1024)
        return {"checkpoint_calls": 4, "updates": 10, "invocations": 2, "bytes": len(buffer)}

    [result] = harness.run_cases([make_case(run)], FAST)

    assert len(calls) == 1 + FAST.min_repeats
    assert result["repeats"] == 3
    assert result["checkpoint_calls"] == 4
    assert result["updates_per_call"] == 2.5
    assert result["invocations"] == 2
    assert result["extra"] == {"bytes": 2 * 1024 * 1024}
    assert result["peak_kib"] >= 2048
    assert result["per_op_us"] == pytest.approx(result["median_s"] / 5 * 1e6)
    assert result["min_s"] <= result["q1_s"] <= result["median_s"] <= result["q3_s"]
    assert set(result) == set(harness.ROW_KEYS)


def test_setup_and_teardown_wrap_every_run() -> None:
    events: list[str] = []

    def setup() -> str:
        events.append("setup")
        return "state"

    def run(state: str) -> None:
        events.append(f"run {state}")

    def teardown(state: str) -> None:
        events.append(f"teardown {state}")

    harness.run_cases([make_case(run, setup=setup, teardown=teardown)], FAST)

    assert events == ["setup", "run state", "teardown state"] * 4


def test_a_failing_case_becomes_an_error_row_and_the_next_case_still_runs() -> None:
    def broken(_state: None) -> None:
        raise RuntimeError("checkpoint lost")

    rows = harness.run_cases(
        [make_case(broken), make_case(lambda _state: None, workload="W2")], FAST
    )

    assert rows[0] == {
        "workload": "W0",
        "title": "a test workload",
        "variant": "v",
        "mode": "in-process",
        "n": 10,
        "error": "RuntimeError: checkpoint lost",
        "hung": False,
    }
    assert harness.is_measured(rows[1])
    assert not harness.is_measured(rows[0])


def test_a_run_that_hangs_is_abandoned_and_reported() -> None:
    release = threading.Event()
    torn_down: list[bool] = []

    def stuck(_state: None) -> None:
        release.wait(30)

    effort = harness.Effort(min_repeats=1, max_repeats=1, budget_s=0.0, run_timeout_s=0.2)
    try:
        [result] = harness.run_cases(
            [make_case(stuck, teardown=lambda _state: torn_down.append(True))], effort
        )
    finally:
        release.set()

    assert result["hung"] is True
    assert result["error"] == (
        "CaseTimeout: a run did not finish within 0.2 s (abandoned, likely hung)"
    )
    assert torn_down == []


def test_unavailable_rows_say_why() -> None:
    row = harness.unavailable("W6", "waits", "durable_lambda_local has no runner")

    assert row == {
        "workload": "W6",
        "title": "waits",
        "variant": "",
        "available": False,
        "reason": "durable_lambda_local has no runner",
    }
    assert not harness.is_measured(row)
