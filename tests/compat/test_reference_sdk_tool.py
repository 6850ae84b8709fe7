"""The reference-SDK compatibility tool's own logic (no reference SDK, no server).

``tools/compat/reference_sdk.py`` needs PyPI and a second environment, so it is run by
hand; these tests check how it renames imports, reduces histories, answers callbacks
and judges rows, and that its scenario table points at handlers that exist.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compat._environment import REFERENCE_REQUIREMENT, WORKSPACE_PACKAGES, install_arguments
from compat._history import canonical_events, first_difference, operation_summary
from compat._rename import mirror_handlers, rename_imports
from compat._scenarios import (
    EXPECTED_DIFFERENCES,
    HOSTED,
    SCENARIOS,
    CallbackFailure,
    ExpectedDifference,
    ExpectedError,
    InvocationType,
    Scenario,
    hosted_by_ours,
    select,
)
from compat._served import Observation, callback_answers
from compat._verdicts import Verdict, judge
from compat.reference_sdk import HANDLER_CHECK, format_table
from hypothesis import given
from hypothesis import strategies as st

HANDLERS = Path(__file__).resolve().parents[2] / "tools" / "compat" / "handlers"


# Renaming imports ----------------------------------------------------------------------


def test_imports_of_the_reference_package_and_its_modules_are_renamed() -> None:
    source = (
        "import aws_durable_execution_sdk_python\n"
        "import aws_durable_execution_sdk_python as sdk\n"
        "from aws_durable_execution_sdk_python import durable_execution\n"
        "    from aws_durable_execution_sdk_python.config import Duration\n"
    )

    assert rename_imports(source) == (
        "import durable_lambda\n"
        "import durable_lambda as sdk\n"
        "from durable_lambda import durable_execution\n"
        "    from durable_lambda.config import Duration\n"
    )


def test_other_mentions_of_the_name_are_kept() -> None:
    source = (
        '"""Written for aws_durable_execution_sdk_python."""\n'
        "NAME = 'aws_durable_execution_sdk_python'\n"
        "import aws_durable_execution_sdk_python_testing\n"
    )

    assert rename_imports(source) == source


@given(st.text(alphabet=st.characters(blacklist_characters="\r"), max_size=200))
def test_text_without_the_reference_name_is_unchanged(text: str) -> None:
    if "aws_durable_execution_sdk_python" not in text:
        assert rename_imports(text) == text


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def mirrored(tmp_path: Path) -> Iterator[Path]:
    before = set(sys.modules)
    yield mirror_handlers(HANDLERS, tmp_path)
    for name in set(sys.modules) - before:
        if name.startswith("compat_mirror_"):
            del sys.modules[name]


def test_the_mirrored_handlers_import_with_our_sdk(mirrored: Path) -> None:
    """Every handler both sides run imports after the rename alone."""
    ours = hosted_by_ours()
    modules = {target.split(":")[0].split(".")[-1] for target in ours.values()}

    for module in sorted(modules):
        loaded = _load(mirrored / f"{module}.py", f"compat_mirror_{module}")
        assert "aws_durable_execution_sdk_python" not in (mirrored / f"{module}.py").read_text()
        for name, target in ours.items():
            if target.startswith(f"handlers.{module}:"):
                assert callable(getattr(loaded, target.split(":")[1])), name


# The scenario table ---------------------------------------------------------------------


def test_every_hosted_target_names_a_function_of_a_handler_module() -> None:
    for name, target in HOSTED.items():
        module, attribute = target.split(":")
        tree = ast.parse((HANDLERS / f"{module.split('.')[-1]}.py").read_text())
        functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert attribute in functions, f"{name}: {target}"


def test_every_scenario_invokes_a_hosted_function_and_names_are_unique() -> None:
    assert len({scenario.name for scenario in SCENARIOS}) == len(SCENARIOS)
    for scenario in SCENARIOS:
        assert scenario.function in HOSTED, scenario.name
    assert set(EXPECTED_DIFFERENCES) <= {scenario.name for scenario in SCENARIOS}


def test_our_side_hosts_no_reference_only_function_but_keeps_shared_targets() -> None:
    ours = hosted_by_ours()

    assert "CompatFlatMap" not in ours
    assert "CompatNamedBranches" not in ours
    assert "CompatTenantInvoke" in ours
    assert "CompatQuoteService" in ours
    assert "CompatRetriedStep" in ours


def test_selecting_an_unknown_scenario_names_the_choices() -> None:
    assert [s.name for s in select(SCENARIOS, ["parallel"])] == ["parallel"]
    with pytest.raises(ValueError, match=r"--only nope: no such scenario; choose from .*parallel"):
        select(SCENARIOS, ["nope"])


def test_the_environment_pins_the_reference_and_installs_ours_editable(tmp_path: Path) -> None:
    arguments = install_arguments(tmp_path)

    assert arguments[0] == REFERENCE_REQUIREMENT == "aws-durable-execution-sdk-python==3.0.0"
    assert arguments[1:] == [
        part
        for folder in WORKSPACE_PACKAGES
        for part in ("-e", str(tmp_path / "packages" / folder))
    ]


# Histories ------------------------------------------------------------------------------


def _step(
    operation_id: str, kind: str, *, error_type: str | None = None, **extra: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "EventType": kind,
        "EventId": extra.pop("event_id", 1),
        "EventTimestamp": extra.pop("at", "2026-01-01T00:00:00Z"),
        "Id": operation_id,
        "Name": f"step-{operation_id}",
        "SubType": "Step",
    }
    if error_type is not None:
        event["StepFailedDetails"] = {
            "Error": {"Payload": {"ErrorType": error_type, "StackTrace": ["a.py:1"]}}
        }
    return event


def _history(*middle: dict[str, Any], name: str = "run-1") -> list[dict[str, Any]]:
    return [
        {"EventType": "ExecutionStarted", "Id": name, "Name": name, "EventId": 1},
        *middle,
        {"EventType": "InvocationCompleted", "EventId": 9, "RequestId": name},
        {"EventType": "ExecutionSucceeded", "Id": name, "Name": name},
    ]


def test_volatile_facts_are_left_out_and_order_does_not_matter() -> None:
    first = _history(_step("a", "StepStarted"), _step("b", "StepStarted", event_id=2))
    second = _history(
        _step("b", "StepStarted", at="2030-01-01T00:00:00Z", event_id=7),
        _step("a", "StepStarted", event_id=3),
        name="run-2",
    )

    assert canonical_events(first) == canonical_events(second)
    assert first_difference(canonical_events(first), canonical_events(second)) is None


def test_error_types_are_compared_without_their_module_and_can_be_renamed() -> None:
    reference = _history(_step("a", "StepFailed", error_type="app.errors.StepError"))
    ours = _history(_step("a", "StepFailed", error_type="CallableRuntimeError"))

    assert canonical_events(reference) != canonical_events(ours)
    renamed = {"StepError": "CallableRuntimeError"}
    assert canonical_events(reference, renamed) == canonical_events(ours)


def test_the_first_difference_names_the_event_and_both_sides() -> None:
    reference = canonical_events(_history(_step("a", "StepStarted")))
    ours = canonical_events(_history(_step("b", "StepStarted")))

    difference = first_difference(reference, ours)

    assert difference is not None
    assert difference.startswith("event 3 of 3 (reference) / 3 (ours): reference {")
    assert '"Id": "a"' in difference
    assert '"Id": "b"' in difference


def test_a_missing_event_is_a_difference() -> None:
    reference = canonical_events(_history(_step("a", "StepStarted")))

    difference = first_difference(reference, reference[:-1])

    assert difference is not None
    assert difference.endswith("but ours nothing")


def test_the_trace_lists_operations_in_history_order() -> None:
    assert operation_summary(_history(_step("a", "StepStarted"))) == [
        "ExecutionStarted",
        "StepStarted(step-a)",
        "ExecutionSucceeded",
    ]


# Callback answers -----------------------------------------------------------------------


def _callback(callback_id: str, name: str | None, parent: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "EventType": "CallbackStarted",
        "Id": f"op-{callback_id}",
        "CallbackStartedDetails": {"CallbackId": callback_id},
    }
    if name is not None:
        event["Name"] = name
    if parent is not None:
        event["ParentId"] = parent
    return event


def test_callbacks_are_answered_by_their_name_or_their_parents_name_once() -> None:
    refusal = CallbackFailure("Declined", "no")
    events = [
        {"EventType": "ContextStarted", "Id": "ctx", "Name": "review"},
        _callback("id-1", "approval"),
        _callback("id-2", "review create callback id", parent="ctx"),
        _callback("id-3", "unknown"),
        _callback("id-4", "payment"),
    ]
    answers: dict[str, bytes | CallbackFailure] = {
        "approval": b"yes",
        "review": b"ok",
        "payment": refusal,
    }

    assert callback_answers(events, answers, {"id-4"}) == [("id-1", b"yes"), ("id-2", b"ok")]


# Verdicts -------------------------------------------------------------------------------

SUCCEEDS = Scenario("sums", "F", {}, InvocationType.SYNC, result={"total": 3})
FAILS = Scenario(
    "fails",
    "F",
    {},
    InvocationType.SYNC,
    status="FAILED",
    error=ExpectedError("CallableRuntimeError", "too big"),
)


def _succeeded(result: Any = None, events: list[dict[str, Any]] | None = None) -> Observation:
    value = {"total": 3} if result is None else result
    return Observation("SUCCEEDED", result=value, events=events or _history(), invoke_payload=value)


def _failed(error_type: str, events: list[dict[str, Any]]) -> Observation:
    error = {"ErrorType": error_type, "ErrorMessage": "too big"}
    return Observation("FAILED", error=error, events=events, function_error="Unhandled")


def test_equal_outcomes_and_histories_pass() -> None:
    outcome = judge(SUCCEEDS, _succeeded(), _succeeded())

    assert outcome.verdict is Verdict.PASS
    assert outcome.reasons == ()


def test_a_wrong_result_or_invoke_payload_fails_and_says_which_side() -> None:
    wrong = Observation(
        "SUCCEEDED", result={"total": 4}, events=_history(), invoke_payload={"total": 3}
    )

    outcome = judge(SUCCEEDS, wrong, _succeeded())

    assert outcome.verdict is Verdict.FAIL
    assert outcome.reasons == ('reference: result {"total": 4}, expected {"total": 3}',)


def test_different_histories_fail() -> None:
    outcome = judge(
        SUCCEEDS,
        _succeeded(events=_history(_step("a", "StepStarted"))),
        _succeeded(events=_history()),
    )

    assert outcome.verdict is Verdict.FAIL
    assert outcome.reasons[0].startswith("histories differ at event")


def test_a_driver_problem_fails_the_row() -> None:
    stuck = Observation("RUNNING", problem="did not end within 60 s")

    outcome = judge(SUCCEEDS, _succeeded(), stuck)

    assert outcome.verdict is Verdict.FAIL
    assert outcome.reasons[0] == "ours: did not end within 60 s (status RUNNING)"


def test_a_declared_difference_that_shows_is_an_expected_difference() -> None:
    declared = ExpectedDifference("3.x names it StepError", {"StepError": "CallableRuntimeError"})
    reference = _failed(
        "pkg.StepError", _history(_step("a", "StepFailed", error_type="x.StepError"))
    )
    ours = _failed(
        "CallableRuntimeError",
        _history(_step("a", "StepFailed", error_type="CallableRuntimeError")),
    )

    outcome = judge(FAILS, reference, ours, declared)

    assert outcome.verdict is Verdict.EXPECTED_DIFFERENCE
    assert outcome.reasons == ("expected difference: 3.x names it StepError",)


def test_a_declared_difference_that_no_longer_shows_fails() -> None:
    declared = ExpectedDifference("3.x names it StepError", {"StepError": "CallableRuntimeError"})
    same = _failed("CallableRuntimeError", _history())

    outcome = judge(FAILS, same, same, declared)

    assert outcome.verdict is Verdict.FAIL
    assert outcome.reasons == ("the declared difference no longer shows: 3.x names it StepError",)


def test_a_reference_only_scenario_is_judged_on_its_outcome() -> None:
    only = Scenario(
        "flat", "F", {}, InvocationType.SYNC, result={"total": 3}, reference_only="3.x only"
    )

    passed = judge(only, _succeeded(), None)
    failed = judge(only, _succeeded({"total": 5}), None)

    assert passed.verdict is Verdict.PASS
    assert passed.reasons == ("reference only: 3.x only",)
    assert failed.verdict is Verdict.FAIL


def test_the_table_has_one_row_per_outcome_and_a_summary() -> None:
    outcomes = [
        judge(SUCCEEDS, _succeeded(), _succeeded()),
        judge(FAILS, _succeeded(), _succeeded()),
    ]

    table = format_table(outcomes, 2.5).splitlines()

    assert table[0].startswith("sums   PASS")
    assert table[1].startswith("fails  FAIL")
    assert table[-1] == "1 of 2 rows pass, 1 fail (2.5 s; times are reference/ours)"
    assert HANDLER_CHECK == "serve-accepts-reference-handler"
