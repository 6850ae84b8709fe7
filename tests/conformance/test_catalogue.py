"""Every requirement of the cached conformance catalogue, run in process.

The catalogue is downloaded by ``uv run python tools/conformance/run.py``; without it
(as on CI, which never downloads) the tests skip. A requirement passes, is skipped for a
stated reason, or shows its declared expected difference; a declared difference that no
longer shows fails, so the list stays true.
"""

from __future__ import annotations

import pytest
from conformance._catalogue import Requirement, cached_catalogue, load_catalogue
from conformance._checks import Outcome, Verdict
from conformance.run import run_requirements

CATALOGUE = cached_catalogue()
REQUIREMENTS: list[Requirement] = [] if CATALOGUE is None else load_catalogue(CATALOGUE)
NOT_CACHED = (
    "the conformance catalogue is not cached; fetch it with "
    "`uv run python tools/conformance/run.py` (CI does not download it)"
)
HTTP_SAMPLE = ("1-1", "1-7", "5-1")
"""Requirements also run over HTTP (real time, so only quick ones): a step, a step whose
log records are checked, and a chained invoke."""


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    return {outcome.requirement_id: outcome for outcome in run_requirements(REQUIREMENTS)}


def assert_acceptable(outcome: Outcome) -> None:
    assert not outcome.verdict.is_failure, f"{outcome.requirement_id}: {outcome.detail}"
    if outcome.verdict in (Verdict.SKIP, Verdict.DIFF):
        assert outcome.reason, f"{outcome.requirement_id} is {outcome.verdict.value} without reason"


@pytest.mark.skipif(CATALOGUE is None, reason=NOT_CACHED)
@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda requirement: requirement.id)
def test_requirement_in_process(requirement: Requirement, outcomes: dict[str, Outcome]) -> None:
    assert_acceptable(outcomes[requirement.id])


@pytest.mark.skipif(CATALOGUE is None, reason=NOT_CACHED)
def test_every_runnable_requirement_with_expected_logs_has_them_checked(
    outcomes: dict[str, Outcome],
) -> None:
    with_logs = [r.id for r in REQUIREMENTS if r.checks_logs]
    checked = {
        requirement_id: outcomes[requirement_id].logs
        for requirement_id in with_logs
        if outcomes[requirement_id].verdict is not Verdict.SKIP
    }
    assert checked, "the catalogue has runnable requirements with ExpectedLogs"
    assert set(checked.values()) <= {"met", "missed"}, checked
    for requirement_id, logs in checked.items():
        if logs == "missed":
            assert outcomes[requirement_id].verdict is Verdict.DIFF


@pytest.mark.skipif(CATALOGUE is None, reason=NOT_CACHED)
def test_sample_over_http() -> None:
    sample = [requirement for requirement in REQUIREMENTS if requirement.id in HTTP_SAMPLE]
    assert [requirement.id for requirement in sample] == list(HTTP_SAMPLE)
    for outcome in run_requirements(sample, http=True):
        assert_acceptable(outcome)


def test_the_catalogue_skips_without_the_cache() -> None:
    if CATALOGUE is None:
        assert REQUIREMENTS == []
    else:
        assert len(REQUIREMENTS) >= 150
