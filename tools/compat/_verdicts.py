"""Judging a scenario from what the reference side and our side observed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from compat._history import (
    canonical_events,
    comparable_error_type,
    first_difference,
    operation_summary,
)
from compat._scenarios import ExpectedDifference, InvocationType, Scenario
from compat._served import Observation

__all__ = ["Outcome", "Verdict", "expectation_problems", "judge"]


class Verdict(Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    EXPECTED_DIFFERENCE = "XDIFF"
    """The histories differ as declared in ``EXPECTED_DIFFERENCES`` (counts as a pass)."""


@dataclass(frozen=True)
class Outcome:
    """One row of the report."""

    name: str
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    reference_seconds: float = 0.0
    ours_seconds: float = 0.0
    trace: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "reasons": list(self.reasons),
            "reference_seconds": round(self.reference_seconds, 3),
            "ours_seconds": round(self.ours_seconds, 3),
            "trace": list(self.trace),
        }


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def expectation_problems(
    scenario: Scenario,
    observed: Observation,
    label: str,
    renamed_error_types: Mapping[str, str] | None = None,
) -> list[str]:
    """How ``observed`` falls short of what ``scenario``'s handler is written to produce.

    The error type is compared without its module, after ``renamed_error_types``.
    """
    if observed.problem is not None:
        return [f"{label}: {observed.problem} (status {observed.status})"]
    problems = []
    if observed.status != scenario.status:
        detail = f" ({_short(observed.error)})" if observed.error else ""
        problems.append(f"{label}: status {observed.status}{detail}, expected {scenario.status}")
    elif scenario.status == "SUCCEEDED":
        if observed.result != scenario.result:
            problems.append(
                f"{label}: result {_short(observed.result)}, expected {_short(scenario.result)}"
            )
        synchronous = scenario.invocation is InvocationType.SYNC
        if synchronous and observed.invoke_payload != scenario.result:
            problems.append(
                f"{label}: Invoke answered {_short(observed.invoke_payload)}, "
                f"expected {_short(scenario.result)}"
            )
    elif scenario.error is not None:
        error = dict(observed.error or {})
        error_type = comparable_error_type(error.get("ErrorType"), renamed_error_types or {})
        message = str(error.get("ErrorMessage", ""))
        if error_type != scenario.error.error_type or scenario.error.message_part not in message:
            problems.append(
                f"{label}: error {_short(error)}, expected {scenario.error.error_type} "
                f"with {scenario.error.message_part!r}"
            )
        if scenario.invocation is InvocationType.SYNC and observed.function_error is None:
            problems.append(f"{label}: the synchronous Invoke reported no FunctionError")
    return problems


def judge(
    scenario: Scenario,
    reference: Observation,
    ours: Observation | None,
    expected: ExpectedDifference | None = None,
) -> Outcome:
    """The row for ``scenario``: both sides must produce the written outcome, and the
    reference history must equal ours; with a declared difference, it must differ
    without the difference's renaming and agree with it. A reference-only scenario
    (``ours`` is None) is judged on its outcome alone."""
    renamed = expected.renamed_error_types if expected is not None else {}
    reasons = expectation_problems(scenario, reference, "reference", renamed)
    trace = tuple(operation_summary(reference.events))
    if ours is None:
        verdict = Verdict.FAIL if reasons else Verdict.PASS
        note = f"reference only: {scenario.reference_only}"
        return Outcome(scenario.name, verdict, (*reasons, note), reference.seconds, 0.0, trace)
    reasons += expectation_problems(scenario, ours, "ours")
    ours_events = canonical_events(ours.events)
    difference = first_difference(canonical_events(reference.events, renamed), ours_events)
    verdict = Verdict.PASS
    if difference is not None:
        reasons.append(f"histories differ at {difference}")
    if expected is not None:
        if first_difference(canonical_events(reference.events), ours_events) is None:
            reasons.append(f"the declared difference no longer shows: {expected.reason}")
        else:
            verdict = Verdict.EXPECTED_DIFFERENCE
            reasons.insert(0, f"expected difference: {expected.reason}")
    if any(not reason.startswith("expected difference") for reason in reasons):
        verdict = Verdict.FAIL
    return Outcome(
        scenario.name,
        verdict,
        tuple(reasons),
        reference.seconds,
        ours.seconds,
        trace,
    )
