"""Run the durable-lambda benchmarks, print a table and write JSON.

Usage (from the workspace root)::

    uv run python tools/bench/run.py --quick                     # under a minute
    uv run python tools/bench/run.py                             # full sizes and repeats
    uv run python tools/bench/run.py --compare-reference         # also the reference SDK
    uv run python tools/bench/run.py --only W1,W2 --markdown out.md

What runs:

- the SDK workloads W1-W7 of ``reference/workloads.py`` against our SDK, in a
  subprocess of this interpreter;
- with ``--compare-reference``, the same workloads against the reference SDK, in a
  subprocess of a separate cached virtual environment (``tools/bench/.reference-venv``),
  and the ratio ours/reference of every case measured on both sides;
- the package benchmarks ``bench_<package>.py`` next to this file (see README.md for
  their interface); a file that does not exist yet is reported as not yet available;
- the performance targets of the issues (``_targets.py``), each met, missed or not
  measured.

Results go to ``tools/bench/results/latest.json`` (git-ignored). The exit code is 1
when a workload of ours or a package benchmark failed (an error, not "not yet
available"); failures of the reference are findings and do not change it, and neither
does a missed target (the report says so; a busy machine can miss one).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from _harness import (  # noqa: E402
    Case,
    effort_for,
    growth,
    is_measured,
    run_cases,
    series_key,
    unavailable,
)
from _targets import evaluate, format_value, limit_text, verdict  # noqa: E402
from uv_environments import VenvSetupError, cached_venv  # noqa: E402

WORKLOADS_SCRIPT = HERE / "reference" / "workloads.py"
REFERENCE_VENV = HERE / ".reference-venv"
REFERENCE_REQUIREMENTS = (
    "aws-durable-execution-sdk-python==3.0.0",
    "aws-durable-execution-sdk-python-testing==1.4.0",
)
PACKAGE_BENCHES = ("serdes", "state", "concurrency", "context", "local")
DEFAULT_JSON = HERE / "results" / "latest.json"


class BenchError(Exception):
    """The benchmark could not run at all (as opposed to one workload failing)."""


# Running the SDK workloads ------------------------------------------------------------


def _run_workloads(python: Path | str, sdk: str, quick: bool, only: str) -> dict[str, Any]:
    command = [str(python), str(WORKLOADS_SCRIPT), "--sdk", sdk]
    if quick:
        command.append("--quick")
    if only:
        command += ["--only", only]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(
            f"workloads for sdk {sdk!r} exited with {completed.returncode}:\n"
            f"{completed.stderr[-4000:]}"
        )
    try:
        document: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise BenchError(
            f"workloads for sdk {sdk!r} printed no JSON document: {error}\n"
            f"stdout: {completed.stdout[-2000:]}\nstderr: {completed.stderr[-2000:]}"
        ) from error
    return document


def reference_python() -> Path:
    """The reference environment's interpreter, creating the environment on first use.

    The environment is rebuilt when the pinned requirements change. It uses the
    same Python minor version as this interpreter, so both sides run on equal terms.
    """
    try:
        return cached_venv(REFERENCE_VENV, REFERENCE_REQUIREMENTS, purpose="reference environment")
    except VenvSetupError as error:
        raise BenchError(str(error)) from error


# Package benchmarks -------------------------------------------------------------------


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise BenchError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: dataclasses and pickling look modules up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SCRIPT_TIMEOUT_S = 900


def bench_names() -> list[str]:
    """The expected package benchmarks, then any other ``bench_*.py`` found here."""
    found = {path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py")}
    return [*PACKAGE_BENCHES, *sorted(found - set(PACKAGE_BENCHES))]


def _run_script(path: Path, package: str, title: str, quick: bool) -> dict[str, Any]:
    """Fallback for a benchmark without the row interface: run it as a script, keep its text."""
    command = [sys.executable, str(path), *(["--quick"] if quick else [])]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return {
            "workload": package,
            "title": title,
            "variant": "",
            "mode": "script",
            "error": f"{path.name} did not finish within {SCRIPT_TIMEOUT_S} s",
        }
    result: dict[str, Any] = {
        "workload": package,
        "title": title,
        "variant": "",
        "mode": "script",
        "available": False,
        "reason": f"text output only ({path.name} has no run() nor WORKLOADS)",
        "output": completed.stdout,
    }
    if completed.returncode != 0:
        del result["available"], result["reason"]
        result["error"] = (
            f"{path.name} exited with {completed.returncode}: {completed.stderr[-2000:]}"
        )
    return result


def run_package_bench(path: Path, quick: bool) -> list[dict[str, Any]]:
    """Run one ``bench_<package>.py``: its ``run(quick)``, else its ``WORKLOADS``, else itself.

    Rows get ``package`` set to the file's package name. A missing file gives one
    "not yet available" row; a file with neither entry point is run as a script
    with ``--quick`` when quick, and its printed text is kept in the report.
    """
    package = path.stem.removeprefix("bench_")
    title = f"package benchmark {path.name}"
    rows: list[dict[str, Any]]
    try:
        if not path.exists():
            rows = [unavailable(package, title, f"not yet available: {path.name} does not exist")]
        else:
            rows = _run_module(path, package, title, quick)
    except Exception as error:  # the other benchmarks still run; the exit code reports it
        rows = [{"workload": package, "title": title, "variant": "", "error": repr(error)}]
    for result in rows:
        result.setdefault("mode", "package")
        result["package"] = package
    return rows


def _run_module(path: Path, package: str, title: str, quick: bool) -> list[dict[str, Any]]:
    module = _load(path)
    if callable(getattr(module, "run", None)):
        return [dict(result) for result in module.run(quick)]
    if hasattr(module, "WORKLOADS"):
        cases: Iterable[Case[Any]] = module.WORKLOADS
        return run_cases(cases, effort_for(quick))
    return [_run_script(path, package, title, quick)]


# Reporting ----------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} us"


def _number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _table(headers: Sequence[str], lines: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *lines)]
    rendered = [headers, ["-" * width for width in widths], *lines]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
        for line in rendered
    )


RESULT_HEADERS = (
    "side",
    "workload",
    "variant",
    "mode",
    "n",
    "median",
    "IQR",
    "per op",
    "ckpt calls",
    "ops/call",
    "invocations",
    "peak KiB",
    "note",
)


def _result_line(side: str, result: Mapping[str, Any]) -> list[str]:
    head = [side, str(result["workload"]), str(result.get("variant", "")), result.get("mode", "")]
    if result.get("available") is False:
        return [*head, *[""] * 8, str(result["reason"])]
    if "error" in result:
        return [*head, _number(result.get("n")), *[""] * 7, f"FAILED: {result['error']}"]
    # Package benchmarks give the required keys only; the others are shown when present.
    quartiles = (result.get("q1_s"), result.get("q3_s"))
    iqr = "-" if None in quartiles else f"{_seconds(quartiles[0])}..{_seconds(quartiles[1])}"
    per_op = result.get("per_op_us")
    note = ""
    if result.get("mode") == "http" and result.get("median_s"):
        rate = float(result.get("ops", 1)) / float(result["median_s"])
        note = f"{rate:,.0f} {result.get('unit', 'op')}s/s"
    return [
        *head,
        _number(result.get("n")),
        _seconds(result.get("median_s")),
        iqr,
        "-" if per_op is None else f"{per_op:,.1f} us/{result.get('unit', 'op')}",
        _number(result.get("checkpoint_calls")),
        _number(result.get("updates_per_call"), 2),
        _number(result.get("invocations")),
        _number(result.get("peak_kib"), 0),
        note,
    ]


def _case_key(result: Mapping[str, Any]) -> tuple[str, str, str, int]:
    workload, variant, mode = series_key(result)
    return workload, variant, mode, int(result.get("n", 0))


def compare(
    ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Ratio of our median to the reference median for every case measured on both sides."""
    by_key = {_case_key(result): result for result in theirs if is_measured(result)}
    ratios: list[dict[str, Any]] = []
    for result in ours:
        if not is_measured(result) or _case_key(result) not in by_key:
            continue
        reference = by_key[_case_key(result)]
        ratios.append(
            {
                "workload": result["workload"],
                "variant": result.get("variant", ""),
                "mode": result.get("mode", ""),
                "n": result["n"],
                "ours_s": result["median_s"],
                "reference_s": reference["median_s"],
                "ratio": result["median_s"] / reference["median_s"],
            }
        )
    return ratios


def render(report: Mapping[str, Any], markdown: bool = False) -> str:
    """The whole report as text tables (or Markdown tables)."""
    sections: list[str] = []
    # Markdown needs a blank line between a caption and its table.
    gap = "\n\n" if markdown else "\n"
    lines: list[list[str]] = []
    for side, document in report["sides"].items():
        lines += [_result_line(side, result) for result in document["rows"]]
    # A package benchmark's rows are labelled with their package.
    lines += [
        _result_line(result.get("package", "package"), result) for result in report["packages"]
    ]
    sections.append(_table(RESULT_HEADERS, lines, markdown))

    growth_lines = [
        [
            fit.get("package", fit["side"]),
            fit["workload"],
            fit["variant"],
            fit["mode"],
            ", ".join(str(size) for size in fit["sizes"]),
            f"{fit['exponent']:.2f}",
        ]
        for fit in report["growth"]
    ]
    if growth_lines:
        sections.append(
            "Growth: least-squares slope of log(time) on log(n); 1.0 = linear."
            + gap
            + _table(
                ("side", "workload", "variant", "mode", "sizes", "growth exponent"),
                growth_lines,
                markdown,
            )
        )

    if report.get("comparison"):
        comparison_lines = [
            [
                entry["workload"],
                entry["variant"],
                entry["mode"],
                _number(entry["n"]),
                _seconds(entry["ours_s"]),
                _seconds(entry["reference_s"]),
                f"{entry['ratio']:.3f}",
            ]
            for entry in report["comparison"]
        ]
        sections.append(
            "Ratio of medians, ours/reference (below 1: ours is faster)."
            + gap
            + _table(
                ("workload", "variant", "mode", "n", "ours", "reference", "ours/reference"),
                comparison_lines,
                markdown,
            )
        )
    if report.get("targets"):
        target_lines = [
            [
                entry["area"],
                entry["target"],
                limit_text(entry),
                format_value(entry["measured"], entry["unit"]),
                verdict(entry["passed"]),
                entry["source"],
            ]
            for entry in report["targets"]
        ]
        met = sum(entry["passed"] is True for entry in report["targets"])
        sections.append(
            f"Targets of the issues: {met} of {len(report['targets'])} met."
            + gap
            + _table(
                ("area", "target", "limit", "measured", "result", "source"),
                target_lines,
                markdown,
            )
        )
    for result in report["packages"]:
        if result.get("output"):
            fence = "```" if markdown else ""
            sections.append(
                f"Output of tools/bench/bench_{result['package']}.py:\n"
                f"{fence}\n{result['output'].rstrip()}\n{fence}".replace("\n\n", "\n")
            )
    return "\n\n".join(sections) + "\n"


def failures(report: Mapping[str, Any]) -> list[str]:
    """Errors of our workloads and of package benchmarks (the reference's do not count)."""
    return [
        f"{result['workload']} {result.get('variant', '')} n={result.get('n')}: {result['error']}"
        for result in [*report["sides"]["ours"]["rows"], *report["packages"]]
        if "error" in result
    ]


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "nproc": usable,
        # Other work on the machine slows threads down most: judge a run by its load.
        "load_average": load_average(),
    }


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages, where the system reports them."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def build_report(
    sides: Mapping[str, Mapping[str, Any]],
    packages: Sequence[Mapping[str, Any]],
    *,
    quick: bool,
    elapsed_s: float,
) -> dict[str, Any]:
    """The whole report: the rows, their growth fits, the ratios and the targets.

    ``sides`` maps ``ours`` (and ``reference`` when compared) to the document its
    workload process printed; ``packages`` holds the rows of the package benchmarks,
    each with its ``package``. Growth is fitted per package, so that two packages may
    use the same workload name.
    """
    fits = [
        {"side": side, **fit}
        for side, document in sides.items()
        for fit in growth(document["rows"])
    ]
    for package in dict.fromkeys(str(result.get("package")) for result in packages):
        package_rows = [result for result in packages if result.get("package") == package]
        fits += [{"side": "package", "package": package, **fit} for fit in growth(package_rows)]
    report: dict[str, Any] = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": quick,
        "sides": dict(sides),
        "packages": list(packages),
        "growth": fits,
        "comparison": (
            compare(sides["ours"]["rows"], sides["reference"]["rows"])
            if "reference" in sides
            else []
        ),
        "elapsed_s": elapsed_s,
    }
    report["targets"] = evaluate(report)
    return report


# Entry point --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the durable-lambda benchmarks.")
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument(
        "--compare-reference",
        action="store_true",
        help="also run the workloads against the reference SDK and report ours/reference",
    )
    parser.add_argument("--only", default="", help="comma-separated SDK workloads, e.g. W1,W7")
    parser.add_argument(
        "--no-packages", action="store_true", help="skip the bench_<package>.py benchmarks"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write JSON")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    load_at_start = load_average()
    sides: dict[str, dict[str, Any]] = {
        "ours": _run_workloads(sys.executable, "ours", args.quick, args.only)
    }
    if args.compare_reference:
        sides["reference"] = _run_workloads(reference_python(), "reference", args.quick, args.only)
    packages: list[dict[str, Any]] = []
    if not args.no_packages:
        for package in bench_names():
            packages += run_package_bench(HERE / f"bench_{package}.py", args.quick)

    report = build_report(
        sides, packages, quick=args.quick, elapsed_s=time.perf_counter() - started
    )
    report["machine"]["load_average_at_start"] = load_at_start
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(render(report, markdown=True))
    sys.stdout.write(render(report))
    about = report["machine"]
    sys.stdout.write(
        f"\nMachine: {about['cpu_model']}, nproc {about['nproc']}, Python {about['python']}, "
        f"load average {load_at_start} at the start, {about['load_average']} at the end.\n"
        f"Wrote {args.json} in {report['elapsed_s']:.1f} s.\n"
    )
    problems = failures(report)
    for problem in problems:
        sys.stderr.write(f"FAILED {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as error:
        sys.stderr.write(f"error: {error}\n")
        raise SystemExit(2) from None
