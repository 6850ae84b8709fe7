"""Run the conformance catalogue against our SDK and the local service.

Usage (from the repository root)::

    uv run python tools/conformance/run.py               # every requirement, in process
    uv run python tools/conformance/run.py --only 1-11   # one (or a comma list, or an area)
    uv run python tools/conformance/run.py --http        # `durable-lambda serve` + boto3

The first run downloads the catalogue wheel into ``tools/conformance/.cache`` (see
``_catalogue.py``). Each requirement prints one row (id, verdict, first problem) and a
summary per area follows; ``--json`` writes every outcome. Requirements with
``ExpectedLogs`` also have their execution's log records checked (``_log_capture``,
``_log_expectations``). The exit status is 1 when a requirement fails or an expected
difference no longer shows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the ``conformance`` package importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance._backends import Backend, InProcessBackend, ServedBackend
from conformance._catalogue import (
    DEFAULT_CACHE,
    CatalogueError,
    Requirement,
    fetch_catalogue,
    load_catalogue,
)
from conformance._checks import Outcome, Verdict, check_requirement
from conformance.handlers import REGISTRY, UNSUPPORTED

__all__ = [
    "PLUGIN_REASON",
    "function_name",
    "judge",
    "main",
    "run_requirements",
    "select",
    "summarize",
]

PLUGIN_REASON = (
    "plugin hooks (invocation, operation and attempt callbacks) are a 3.x SDK feature; "
    "the reference 1.1.0 API has none"
)


def function_name(requirement_id: str) -> str:
    """The function a requirement's handler is registered under."""
    return f"Conformance-{requirement_id}"


def judge(requirement: Requirement, open_backend: Callable[[str], Backend], seed: int) -> Outcome:
    """Run one requirement (unless it cannot be) and give its verdict.

    Args:
        requirement: the requirement.
        open_backend: gives the backend for a requirement id (a context the caller closes
            is fine: this function does not close it).
        seed: seeds the generated variables, so a run can be repeated exactly.
    """
    if requirement.area == "plugin":
        return Outcome(requirement.id, requirement.area, Verdict.SKIP, reason=PLUGIN_REASON)
    if requirement.id in UNSUPPORTED:
        reason = UNSUPPORTED[requirement.id]
        return Outcome(requirement.id, requirement.area, Verdict.SKIP, reason=reason)
    conformance = REGISTRY.get(requirement.id)
    if conformance is None:
        problem = f"no handler is written for requirement {requirement.id}"
        return Outcome(requirement.id, requirement.area, Verdict.FAIL, (problem,))
    try:
        backend = open_backend(requirement.id)
        checked = check_requirement(requirement, backend, random.Random(f"{seed}:{requirement.id}"))
    except Exception as error:
        problem = f"the run raised {type(error).__name__}: {error}"
        verdict = Verdict.DIFF if conformance.difference else Verdict.FAIL
        return Outcome(
            requirement.id, requirement.area, verdict, (problem,), conformance.difference
        )
    logs = None
    if requirement.checks_logs:
        logs = "not reached" if checked.problems else "missed" if checked.log_problems else "met"
    difference = conformance.difference
    if checked.problems:
        verdict = Verdict.DIFF if difference else Verdict.FAIL
    elif checked.log_problems:
        difference = difference or conformance.log_difference
        verdict = Verdict.DIFF if difference else Verdict.FAIL
    else:
        difference = difference or conformance.log_difference
        verdict = Verdict.XPASS if difference else Verdict.PASS
    return Outcome(
        requirement.id,
        requirement.area,
        verdict,
        tuple(checked.all_problems),
        difference,
        checked.execution_arn,
        checked.bindings,
        logs,
    )


@contextlib.contextmanager
def _backends(http: bool) -> Iterator[Callable[[str], Backend]]:
    if http:
        functions: dict[str, Callable[..., object]] = {}
        for requirement_id, conformance in REGISTRY.items():
            functions[function_name(requirement_id)] = conformance.handler
            functions.update(conformance.targets)
        server = ServedBackend(functions, Path(__file__).resolve().parent.parent)
        try:
            yield lambda requirement_id: server.select(function_name(requirement_id))
        finally:
            server.close()
        return
    opened: list[InProcessBackend] = []

    def open_in_process(requirement_id: str) -> Backend:
        while opened:
            opened.pop().close()
        conformance = REGISTRY[requirement_id]
        backend = InProcessBackend(
            function_name(requirement_id), conformance.handler, conformance.targets
        )
        opened.append(backend)
        return backend

    try:
        yield open_in_process
    finally:
        while opened:
            opened.pop().close()


def run_requirements(
    requirements: Sequence[Requirement],
    *,
    http: bool = False,
    seed: int = 0,
    report: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Judge every requirement, in order; ``report`` sees each outcome as it comes."""
    outcomes: list[Outcome] = []
    with _backends(http) as open_backend:
        for requirement in requirements:
            outcome = judge(requirement, open_backend, seed)
            outcomes.append(outcome)
            if report is not None:
                report(outcome)
    return outcomes


def select(requirements: Sequence[Requirement], only: Sequence[str]) -> list[Requirement]:
    """The requirements named in ``only`` (ids or area names); all when it is empty.

    Raises:
        CatalogueError: a name matches no requirement.
    """
    if not only:
        return list(requirements)
    wanted = {name.strip() for item in only for name in item.split(",") if name.strip()}
    chosen = [r for r in requirements if r.id in wanted or r.area in wanted]
    known = {r.id for r in requirements} | {r.area for r in requirements}
    unknown = sorted(wanted - known)
    if unknown:
        raise CatalogueError(f"no requirement or area is called {', '.join(unknown)}")
    return chosen


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Counter[str]]:
    """Verdict counts per area, plus a ``total`` row."""
    table: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        table.setdefault(outcome.area, Counter())[outcome.verdict.value] += 1
        table.setdefault("total", Counter())[outcome.verdict.value] += 1
    if "total" in table:
        table["total"] = table.pop("total")
    return table


def _print_row(outcome: Outcome) -> None:
    detail = " ".join(outcome.detail.split())
    if len(detail) > 160:
        detail = detail[:157] + "..."
    print(f"{outcome.requirement_id:<6} {outcome.verdict.value:<5} {detail}", flush=True)


def _print_summary(outcomes: Sequence[Outcome]) -> None:
    columns = [verdict.value for verdict in Verdict]
    print()
    print(f"{'area':<20}" + "".join(f"{column:>7}" for column in columns))
    for area, counts in summarize(outcomes).items():
        print(f"{area:<20}" + "".join(f"{counts[column]:>7}" for column in columns))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", action="append", default=[], help="requirement ids or areas (comma list)"
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="run through `durable-lambda serve` and boto3 (real time)",
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="catalogue cache")
    parser.add_argument("--json", type=Path, help="write every outcome to this JSON file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated variables")
    parser.add_argument(
        "--verbose", action="store_true", help="also print the log records (checked either way)"
    )
    arguments = parser.parse_args(argv)
    # Records are kept for the log checks either way (``_log_capture``); only --verbose
    # also prints them. Without a handler of its own the root logger would print
    # warnings through logging's last-resort handler.
    root = logging.getLogger()
    if arguments.verbose:
        printer = logging.StreamHandler()
        printer.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(printer)
        root.setLevel(logging.INFO)
    else:
        root.addHandler(logging.NullHandler())
    try:
        requirements = select(load_catalogue(fetch_catalogue(arguments.cache)), arguments.only)
    except CatalogueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outcomes = run_requirements(
        requirements, http=arguments.http, seed=arguments.seed, report=_print_row
    )
    _print_summary(outcomes)
    default_name = "results-http.json" if arguments.http else "results.json"
    target = arguments.json or arguments.cache / default_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {
                "mode": "http" if arguments.http else "in-process",
                "summary": {area: dict(counts) for area, counts in summarize(outcomes).items()},
                "outcomes": [outcome.to_dict() for outcome in outcomes],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\noutcomes written to {target}")
    return 1 if any(outcome.verdict.is_failure for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
