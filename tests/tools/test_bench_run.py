"""tools/bench/run.py: package benchmark integration, ours/reference ratios, report rendering."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "tools" / "bench"


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measured(workload: str, n: int, median_s: float, **extra: Any) -> dict[str, Any]:
    return {
        "workload": workload,
        "title": "t",
        "variant": "",
        "mode": "fake-client",
        "n": n,
        "ops": n,
        "rounds": 1,
        "unit": "step",
        "repeats": 3,
        "median_s": median_s,
        "q1_s": median_s,
        "q3_s": median_s,
        "min_s": median_s,
        "max_s": median_s,
        "per_op_us": median_s / n * 1e6,
        "peak_kib": 1.0,
        "checkpoint_calls": 2,
        "updates_per_call": 1.5,
        "invocations": 1,
        "extra": {},
        **extra,
    }


def test_a_missing_package_benchmark_is_not_yet_available(
    bench_run: ModuleType, tmp_path: Path
) -> None:
    [row] = bench_run.run_package_bench(tmp_path / "bench_local.py", quick=True)

    assert row["available"] is False
    assert row["reason"] == "not yet available: bench_local.py does not exist"
    assert row["package"] == "local"


def test_a_benchmark_with_run_returns_its_rows(bench_run: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "bench_serdes.py"
    path.write_text(
        textwrap.dedent(
            """
            from dataclasses import dataclass

            @dataclass(frozen=True)
            class Size:
                n: int

            def run(quick):
                return [{"workload": "serdes", "variant": "quick" if quick else "full",
                         "n": Size(1).n, "median_s": 1.0}]
            """
        )
    )

    [row] = bench_run.run_package_bench(path, quick=True)

    assert row == {
        "workload": "serdes",
        "variant": "quick",
        "n": 1,
        "median_s": 1.0,
        "mode": "package",
        "package": "serdes",
    }


def test_a_benchmark_with_workloads_is_measured_by_the_harness(
    bench_run: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "bench_state.py"
    path.write_text(
        textwrap.dedent(
            """
            from _harness import Case
            WORKLOADS = [
                Case("lookup", "lookups", "", "package", n, n, "lookup", lambda: None,
                     lambda _state: {"checkpoint_calls": 1, "updates": 3})
                for n in (10, 20)
            ]
            """
        )
    )

    rows = bench_run.run_package_bench(path, quick=True)

    assert [(row["workload"], row["n"], row["updates_per_call"]) for row in rows] == [
        ("lookup", 10, 3.0),
        ("lookup", 20, 3.0),
    ]
    assert all(row["package"] == "state" for row in rows)


def test_a_plain_script_benchmark_keeps_its_printed_text(
    bench_run: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "bench_concurrency.py"
    path.write_text("import sys\nif __name__ == '__main__':\n    print('median', sys.argv[1:])\n")

    [row] = bench_run.run_package_bench(path, quick=True)

    assert row["mode"] == "script"
    assert row["output"] == "median ['--quick']\n"
    assert "error" not in row


def test_a_failing_benchmark_is_an_error_row(bench_run: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "bench_context.py"
    path.write_text("def run(quick):\n    raise RuntimeError('no service')\n")

    [row] = bench_run.run_package_bench(path, quick=False)

    assert row["error"] == "RuntimeError('no service')"
    report = {"sides": {"ours": {"rows": []}}, "packages": [row]}
    assert bench_run.failures(report) == ["context  n=None: RuntimeError('no service')"]


def test_compare_pairs_cases_measured_on_both_sides(bench_run: ModuleType) -> None:
    ours = [
        measured("W1", 10, 0.002),
        measured("W1", 100, 0.010),
        {"workload": "W6", "variant": "", "available": False, "reason": "later"},
    ]
    theirs = [measured("W1", 10, 0.100), measured("W1", 100, 0.200), measured("W6", 2, 1.0)]

    ratios = bench_run.compare(ours, theirs)

    assert [(entry["n"], entry["ratio"]) for entry in ratios] == [
        (10, pytest.approx(0.02)),
        (100, pytest.approx(0.05)),
    ]


def test_render_shows_results_growth_ratios_and_script_output(bench_run: ModuleType) -> None:
    report = {
        "sides": {
            "ours": {"rows": [measured("W1", 10, 0.002), measured("W1", 100, 0.02)]},
            "reference": {
                "rows": [
                    measured("W1", 10, 0.1),
                    {"workload": "W5", "variant": "", "mode": "fake-client", "n": 9,
                     "error": "CaseTimeout: hung", "hung": True},
                ]
            },
        },
        "packages": [
            {"workload": "serdes", "mode": "script", "available": False,
             "reason": "text output only", "output": "ratio x4\n", "package": "serdes"}
        ],
        "growth": [
            {"side": "ours", "workload": "W1", "variant": "", "mode": "fake-client",
             "sizes": [10, 100], "exponent": 1.0}
        ],
        "comparison": bench_run.compare(
            [measured("W1", 10, 0.002)], [measured("W1", 10, 0.1)]
        ),
    }  # fmt: skip

    text = bench_run.render(report)
    markdown = bench_run.render(report, markdown=True)

    assert "2.00 ms" in text
    assert "FAILED: CaseTimeout: hung" in text
    assert "0.020" in text
    assert "Output of tools/bench/bench_serdes.py:\nratio x4" in text
    assert "| ours | W1 |  | fake-client | 10 | 2.00 ms |" in markdown
    assert "```\nratio x4\n```" in markdown


def test_a_package_row_with_the_required_keys_only_renders(bench_run: ModuleType) -> None:
    row = {"workload": "lookups", "variant": "", "n": 100, "median_s": 0.5, "mode": "package"}
    report = {"sides": {"ours": {"rows": []}}, "packages": [row], "growth": []}

    [line] = [text for text in bench_run.render(report).splitlines() if "lookups" in text]

    assert line.split() == ["package", "lookups", "package", "100", "500.00", "ms", *["-"] * 6]


def test_every_benchmark_file_is_found_and_the_expected_ones_first(
    bench_run: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("bench_state.py", "bench_http.py", "bench_aardvark.py", "notes.py"):
        (tmp_path / name).write_text("")
    monkeypatch.setattr(bench_run, "HERE", tmp_path)

    assert bench_run.bench_names() == [
        "serdes",
        "state",
        "concurrency",
        "context",
        "local",
        "aardvark",
        "http",
    ]
