"""Run handlers written for AWS's reference SDK on ``durable-lambda serve``, unmodified.

Usage (from the repository root)::

    uv run python tools/compat/reference_sdk.py                  # every scenario
    uv run python tools/compat/reference_sdk.py --only parallel  # one (repeatable)
    uv run python tools/compat/reference_sdk.py --json           # JSON on stdout

The first run creates ``tools/compat/.venv`` with the reference SDK
(``aws-durable-execution-sdk-python`` 3.0.0 from PyPI) and our packages (editable). Two
``durable-lambda serve`` processes then host every scenario's function: the handlers as
written, in that environment, and the same handlers with their imports renamed to
``durable_lambda``. Each scenario is invoked with boto3 on both, and a row says PASS when
both produce the outcome the handler is written for and their histories agree. The exit
status is 1 when a row fails, 2 when the environment cannot be made.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the ``compat`` package importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compat._environment import CompatSetupError, compat_python
from compat._rename import mirror_handlers
from compat._scenarios import EXPECTED_DIFFERENCES, HOSTED, SCENARIOS, hosted_by_ours, select
from compat._served import REJECTED_HANDLER, ServedSide, ServerStartError
from compat._verdicts import Outcome, Verdict, judge

__all__ = ["HANDLER_CHECK", "format_table", "main", "start_reference_side"]

HERE = Path(__file__).resolve().parent
HANDLER_CHECK = "serve-accepts-reference-handler"
"""The first row: whether ``durable-lambda serve --function`` takes a reference handler."""


def start_reference_side(python: Path) -> tuple[ServedSide | None, Outcome]:
    """The reference side's server (``None`` when ``serve`` refused the reference
    handlers as they are), and the row saying whether it took them.

    Raises:
        ServerStartError: the server did not start for another reason.
    """
    try:
        side = ServedSide("reference", python, HERE, HOSTED)
    except ServerStartError as error:
        if REJECTED_HANDLER not in error.output:
            raise
        last_line = error.output.strip().splitlines()[-1]
        reason = f"durable-lambda serve refused the handler: {last_line}"
        return None, Outcome(HANDLER_CHECK, Verdict.FAIL, (reason,))
    return side, Outcome(HANDLER_CHECK, Verdict.PASS)


def format_table(outcomes: Sequence[Outcome], seconds: float) -> str:
    """The human report: one row per scenario, then a summary line."""
    width = max(len(outcome.name) for outcome in outcomes)
    lines = []
    for outcome in outcomes:
        reason = "; ".join(outcome.reasons)
        timing = (
            f"{outcome.reference_seconds:5.2f}s/{outcome.ours_seconds:5.2f}s"
            if outcome.name != HANDLER_CHECK
            else " " * 13
        )
        lines.append(f"{outcome.name:<{width}}  {outcome.verdict.value:<5}  {timing}  {reason}")
    failed = sum(outcome.verdict is Verdict.FAIL for outcome in outcomes)
    lines.append(
        f"{len(outcomes) - failed} of {len(outcomes)} rows pass, {failed} fail "
        f"({seconds:.1f} s; times are reference/ours)"
    )
    return "\n".join(lines)


def run(names: list[str]) -> list[Outcome]:
    """Run the selected scenarios on both sides.

    Raises:
        CompatSetupError: the environment could not be created.
        ServerStartError: a server did not start.
        ValueError: an unknown scenario name.
    """
    scenarios = select(SCENARIOS, names)
    python = compat_python()
    with tempfile.TemporaryDirectory(prefix="compat-ours-") as folder:
        mirror_handlers(HERE / "handlers", Path(folder))
        reference, check = start_reference_side(python)
        if reference is None:
            return [check]
        try:
            ours = ServedSide("ours", python, Path(folder), hosted_by_ours())
            try:
                outcomes = [check]
                for scenario in scenarios:
                    on_ours = None if scenario.reference_only else ours.run(scenario)
                    outcomes.append(
                        judge(
                            scenario,
                            reference.run(scenario),
                            on_ours,
                            EXPECTED_DIFFERENCES.get(scenario.name),
                        )
                    )
            finally:
                ours.close()
        finally:
            reference.close()
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="SCENARIO")
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write the rows as JSON to PATH (stdout when no PATH is given)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        outcomes = run(args.only)
    except (CompatSetupError, ServerStartError, ValueError) as error:
        output = getattr(error, "output", "")
        print(f"error: {error}\n{output}".rstrip(), file=sys.stderr)
        return 2
    seconds = time.monotonic() - started
    if args.json:
        document = json.dumps(
            {"seconds": round(seconds, 1), "rows": [o.to_dict() for o in outcomes]}, indent=2
        )
        if args.json == "-":
            print(document)
        else:
            Path(args.json).write_text(document + "\n", encoding="utf-8")
    if args.json != "-":
        print(format_table(outcomes, seconds))
    return 1 if any(outcome.verdict is Verdict.FAIL for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
