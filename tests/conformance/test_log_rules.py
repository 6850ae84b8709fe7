"""The ``ExpectedLogs`` rules and the log capture, on records and requirements written
here (no catalogue needed): matching, counts, order anchors, placeholders, the Lambda
JSON rendering, the per-execution filter, and verdicts of requirements that check logs."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance import _log_capture
from conformance._backends import InProcessBackend
from conformance._catalogue import Requirement
from conformance._checks import Verdict, check_requirement
from conformance._log_capture import (
    LOG_FILE_VARIABLE,
    CapturedLogs,
    RecordSink,
    install_from_environment,
    read_log_file,
    records_of_execution,
    render,
)
from conformance._log_expectations import LogExpectation, check_logs, value_matches
from conformance.handlers import REGISTRY, Conformance
from conformance.run import judge
from hypothesis import given
from hypothesis import strategies as st

from durable_lambda import DurableContext, StepContext, durable_execution
from durable_lambda.config import Duration

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/a/b"


def record(message: str, **fields: Any) -> dict[str, Any]:
    return {"message": message, "executionArn": ARN, **fields}


# --- matching one value ---------------------------------------------------------------


def test_slashes_make_a_regular_expression_searched_in_the_text() -> None:
    assert value_matches("/step started for: ab1/", "Greeting step started for: ab1 now")
    assert value_matches(r"/\[ERROR\]/", "[ERROR] boom")
    assert not value_matches(r"/\[ERROR\]/", "ERROR boom")
    assert value_matches("/^4$/", 4)  # the field's text is searched


def test_other_strings_must_equal_the_text_with_whitespace_stripped() -> None:
    assert value_matches(" SUCCEEDED ", "SUCCEEDED\n")
    assert not value_matches("SUCCEEDED", "SUCCEEDED!")
    assert value_matches("3", 3)
    assert value_matches("/", "/")  # a lone slash is no pattern


def test_booleans_match_only_booleans_and_numbers_match_by_value() -> None:
    assert value_matches(True, True)
    assert not value_matches(True, 1)
    assert not value_matches(1, True)
    assert not value_matches(False, "false")
    assert value_matches(2, 2.0)
    assert not value_matches(2, 3)
    assert value_matches(None, None)
    assert not value_matches(None, "x")


@given(st.text(max_size=20))
def test_an_escaped_text_is_found_in_itself(text: str) -> None:
    assert value_matches(f"/{re.escape(text.strip())}/", text)


# --- counts ------------------------------------------------------------------------


@given(
    st.lists(st.integers(min_value=0, max_value=3), max_size=12),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=5),
)
def test_count_is_the_exact_number_of_matching_records(
    values: list[int], wanted: int, count: int
) -> None:
    records = [record("m", n=value) for value in values]
    problems = check_logs([{"match": {"n": wanted}, "count": count}], records, {})
    found = values.count(wanted)
    if found == count:
        assert problems == []
    else:
        assert problems == [
            f"ExpectedLogs[0] (n={wanted}): expected exactly {count} matching record(s), "
            f"found {found}"
        ]


def test_without_a_count_at_least_one_record_must_match() -> None:
    assert check_logs([{"match": {"message": "a"}}], [record("a")], {}) == []
    assert check_logs([{"match": {"message": "a"}}], [record("b")], {}) == [
        "ExpectedLogs[0] (message='a'): expected at least 1 matching record(s), found 0"
    ]


def test_min_and_max_counts_bound_the_matches() -> None:
    records = [record("a"), record("a"), record("a")]
    assert check_logs([{"match": {"message": "a"}, "min_count": 2}], records, {}) == []
    assert check_logs([{"match": {"message": "a"}, "max_count": 0}], [], {}) == []
    assert check_logs(
        [{"match": {"message": "a"}, "min_count": 4, "max_count": 2}], records, {}
    ) == ["ExpectedLogs[0] (message='a'): expected at least 4 matching record(s), found 3"]
    assert check_logs([{"match": {"message": "a"}, "max_count": 2}], records, {}) == [
        "ExpectedLogs[0] (message='a'): expected at most 2 matching record(s), found 3"
    ]


def test_every_field_of_the_matcher_must_be_present_and_match() -> None:
    records = [record("hi", hook="start"), record("hi")]
    entry = {"match": {"message": "hi", "hook": "start"}, "count": 1}
    assert check_logs([entry], records, {}) == []
    missing = {"match": {"message": "hi", "plugin": "*"}, "count": 0}
    assert check_logs([missing], records, {}) == []  # "*" is no wildcard here


# --- placeholders -----------------------------------------------------------------


def test_bound_names_are_replaced_in_values_patterns_and_anchors() -> None:
    bindings = {"INPUT_1": "ab12cd34", "ID1": "op-1"}
    records = [
        record("started", op="op-1"),
        record("step running for: ab12cd34", op="op-1"),
    ]
    expected = [
        {"match": {"message": "/running for: ${INPUT_1}/"}, "count": 1},
        {
            "match": {"op": "${ID1}", "message": "/${INPUT_1}/"},
            "after": [{"message": "started", "op": "${ID1}"}],
        },
    ]
    assert check_logs(expected, records, bindings) == []


def test_an_unbound_name_stays_as_written_and_matches_nothing() -> None:
    problems = check_logs([{"match": {"op": "${NOPE}"}}], [record("x", op="op-1")], {})
    assert problems == [
        "ExpectedLogs[0] (op='${NOPE}'): expected at least 1 matching record(s), found 0"
    ]


# --- order ----------------------------------------------------------------------------


def test_after_requires_every_match_at_or_after_every_anchor_match() -> None:
    records = [record("start"), record("work"), record("end")]
    after_start = {"match": {"message": "work"}, "after": {"message": "start"}}
    assert check_logs([after_start], records, {}) == []
    after_end = {"match": {"message": "work"}, "after": [{"message": "end"}]}
    assert check_logs([after_end], records, {}) == [
        "ExpectedLogs[0] (message='work'): every matching record must come after those of "
        "{'message': 'end'}, but one does not"
    ]


def test_before_requires_every_match_at_or_before_every_anchor_match() -> None:
    records = [record("start"), record("work"), record("work"), record("end")]
    assert (
        check_logs([{"match": {"message": "work"}, "before": {"message": "end"}}], records, {})
        == []
    )
    problems = check_logs(
        [{"match": {"message": "work"}, "before": {"message": "/work|start/"}}], records, {}
    )
    assert problems == [
        "ExpectedLogs[0] (message='work'): every matching record must come before those of "
        "{'message': '/work|start/'}, but one does not"
    ]


def test_simultaneous_records_satisfy_either_direction() -> None:
    records = [record("a"), record("b")]
    entries = [
        {"match": {"message": "a"}, "after": {"message": "b"}},
        {"match": {"message": "b"}, "before": {"message": "a"}},
    ]
    assert check_logs(entries, records, {}, positions=[7, 7]) == []
    assert len(check_logs(entries, records, {}, positions=[7, 8])) == 2


def test_an_anchor_that_matches_nothing_is_a_problem_even_without_own_matches() -> None:
    entry = {"match": {"message": "never"}, "count": 0, "after": {"message": "typo"}}
    assert check_logs([entry], [record("x")], {}) == [
        "ExpectedLogs[0] (message='never'): its after anchor {'message': 'typo'} matches no record"
    ]


def test_positions_must_cover_every_record() -> None:
    with pytest.raises(ValueError, match="1 positions were given for 2 records"):
        check_logs([], [record("a"), record("b")], {}, positions=[1])


# --- entries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"count": 1}, "'match' must be a non-empty mapping of fields to values, got None"),
        ({"match": {}}, "'match' must be a non-empty mapping of fields to values, got {}"),
        ({"match": {"a": 1}, "count": -1}, "'count' must be a whole number of at least 0, got -1"),
        ({"match": {"a": 1}, "max_count": True}, "'max_count' must be a whole number"),
        ({"match": {"a": 1}, "after": ["x"]}, "'after' must be a matcher or a list of matchers"),
        ("text", "an entry must be a mapping, got 'text'"),
    ],
)
def test_a_malformed_entry_is_reported_and_the_others_still_checked(
    entry: Any, problem: str
) -> None:
    problems = check_logs([entry, {"match": {"message": "b"}}], [record("a")], {})
    assert len(problems) == 2
    assert problems[0].startswith("ExpectedLogs[0] is not a valid entry: ")
    assert problem in problems[0]
    assert problems[1].startswith("ExpectedLogs[1] (message='b')")


def test_an_entry_reads_its_anchors_as_a_tuple() -> None:
    expectation = LogExpectation.from_entry(
        {"match": {"a": 1}, "before": {"b": 2}, "after": [{"c": 3}, {"d": 4}], "min_count": 0}
    )
    assert expectation.before == ({"b": 2},)
    assert expectation.after == ({"c": 3}, {"d": 4})
    assert (expectation.count, expectation.min_count, expectation.max_count) == (None, 0, None)
    assert expectation.label == "a=1"


# --- capture --------------------------------------------------------------------------


def log_record(message: str, **extra: Any) -> logging.LogRecord:
    return logging.getLogger("root").makeRecord(
        "root", logging.INFO, __file__, 1, message, (), None, extra=extra
    )


def test_a_record_renders_as_lambda_json_with_extras_at_the_top_level() -> None:
    rendered = render(
        log_record("ran %s", executionArn=ARN, attempt=2, parentId="p", when=Path("/x"))
    )
    assert rendered["message"] == "ran %s"
    assert rendered["level"] == "INFO"
    assert rendered["logger"] == "root"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", rendered["timestamp"])
    assert {key: rendered[key] for key in ("executionArn", "attempt", "parentId", "when")} == {
        "executionArn": ARN,
        "attempt": 2,
        "parentId": "p",
        "when": "/x",
    }
    assert not {"args", "msg", "levelno", "pathname", "thread", "exc_info"} & set(rendered)


def test_an_exception_adds_its_type_message_and_trace() -> None:
    try:
        raise KeyError("gone")
    except KeyError:
        made = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    rendered = render(made)
    assert (rendered["errorType"], rendered["errorMessage"]) == ("KeyError", "'gone'")
    assert rendered["stackTrace"][-1] == "KeyError: 'gone'\n"


def test_only_the_executions_own_records_are_kept() -> None:
    records = [
        {"message": "a", "executionArn": ARN},
        {"message": "b", "durableExecutionArn": ARN},
        {"message": "c", "executionArn": ARN + "x"},
        {"message": "d"},
    ]
    assert [r["message"] for r in records_of_execution(records, ARN)] == ["a", "b"]


def test_a_log_file_reads_back_in_order(tmp_path: Path) -> None:
    assert read_log_file(tmp_path / "absent.jsonl") == []
    path = tmp_path / "records.jsonl"
    path.write_text('{"message": "a"}\nplain text \n\n[1]\n', encoding="utf-8")
    assert read_log_file(path) == [
        {"message": "a"},
        {"message": "plain text"},
        {"message": "[1]"},
    ]


@pytest.fixture
def root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("root_handlers")
def test_the_served_handlers_append_to_the_named_file_even_after_a_logging_reset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_log_capture, "_installed_file", None)
    assert install_from_environment({}) is None
    path = tmp_path / "records.jsonl"
    logging.getLogger().setLevel(logging.WARNING)
    assert install_from_environment({LOG_FILE_VARIABLE: str(path)}) == path
    assert install_from_environment({LOG_FILE_VARIABLE: str(tmp_path / "other")}) == path
    assert logging.getLogger().level == logging.INFO  # the Lambda runtime's level
    logging.getLogger().info("first", extra={"executionArn": ARN})
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RecordSink):
            handler.close()  # what a later logging.config.dictConfig does
    logging.getLogger().info("second", extra={"executionArn": ARN})
    assert [r["message"] for r in records_of_execution(read_log_file(path), ARN)] == [
        "first",
        "second",
    ]


@pytest.mark.usefixtures("root_handlers")
def test_captured_logs_restore_the_root_logger() -> None:
    root = logging.getLogger()
    root.setLevel(logging.ERROR)
    with CapturedLogs() as captured:
        assert root.level == logging.INFO
        logging.getLogger("some.module").info("kept", extra={"executionArn": ARN})
        logging.getLogger("some.module").debug("below the level")
    logging.getLogger().error("after closing")
    assert root.level == logging.ERROR
    assert [r["message"] for r in captured.records] == ["kept"]
    assert captured.records[0]["logger"] == "some.module"


# --- requirements that check logs -------------------------------------------------


def requirement(**entry: Any) -> Requirement:
    entry.setdefault("id", "99-1")
    entry.setdefault("area", "scratch")
    entry.setdefault("ExpectedExecutionHistory", [])
    entry.setdefault("ExpectedResult", {"ExecutionStatus": "SUCCEEDED"})
    return Requirement.from_entry(entry)


@durable_execution
def logs_around_a_wait(event: str, context: DurableContext) -> str:
    def greet(step_context: StepContext) -> str:
        step_context.logger.info(f"step running for: {event}")
        return event

    context.logger.info(f"before the wait: {event}")
    value = context.step(greet, name="greet")
    context.wait(Duration.from_seconds(1))
    context.logger.info(f"after the wait: {event}")
    return value


@pytest.fixture
def backends() -> Iterator[list[InProcessBackend]]:
    opened: list[InProcessBackend] = []
    yield opened
    for backend in opened:
        backend.close()


def backend_for(handler: Any, opened: list[InProcessBackend]) -> InProcessBackend:
    backend = InProcessBackend("scratch", handler, {})
    opened.append(backend)
    return backend


STEP_ID = {"EventId": 2, "EventType": "StepStarted", "Id": "${ID1}"}


def test_a_run_checks_the_records_of_its_own_execution(
    backends: list[InProcessBackend],
) -> None:
    spec = requirement(
        Input="${INPUT_1}",
        Variables={"INPUT_1": "${GEN_STR:8}"},
        ExpectedExecutionHistory=[STEP_ID],
        ExpectedLogs=[
            # Replayed code logs nothing: each line shows once over two invocations.
            {"match": {"message": "/before the wait: ${INPUT_1}/"}, "count": 1},
            {
                "match": {"message": "/step running for: ${INPUT_1}/", "operationId": "${ID1}"},
                "count": 1,
                "after": {"message": "/before the wait/"},
            },
            {"match": {"message": "/after the wait: ${INPUT_1}/"}, "before": []},
        ],
    )
    backend = backend_for(logs_around_a_wait, backends)
    other = InProcessBackend("other", logs_around_a_wait, {})
    backends.append(other)
    other.start(b'"another execution"', wait=True)
    checked = check_requirement(spec, backend)
    assert (checked.problems, checked.log_problems) == ([], [])
    assert checked.log_records is not None
    assert [r["message"].split(":")[0] for r in checked.log_records] == [
        "before the wait",
        "step running for",
        "after the wait",
    ]
    assert {r["executionArn"] for r in checked.log_records} == {checked.execution_arn}


def test_logs_are_checked_only_once_history_and_result_hold(
    backends: list[InProcessBackend],
) -> None:
    spec = requirement(
        Input="Ada",
        ExpectedResult={"ExecutionStatus": "FAILED"},
        ExpectedLogs=[{"match": {"message": "never logged"}}],
    )
    checked = check_requirement(spec, backend_for(logs_around_a_wait, backends))
    assert checked.problems == ["Expected ExecutionStatus='FAILED', got 'SUCCEEDED'"]
    assert (checked.log_problems, checked.log_records) == ([], None)


def test_verdicts_of_a_declared_log_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    met = requirement(Input="Ada", ExpectedLogs=[{"match": {"message": "/after the wait/"}}])
    missed = requirement(Input="Ada", ExpectedLogs=[{"match": {"message": "/x/"}, "count": 2}])
    broken = requirement(
        Input="Ada",
        ExpectedResult={"ExecutionStatus": "FAILED"},
        ExpectedLogs=[{"match": {"a": 1}}],
    )
    opened: list[InProcessBackend] = []

    def open_backend(requirement_id: str) -> InProcessBackend:
        return backend_for(logs_around_a_wait, opened)

    try:
        monkeypatch.setitem(REGISTRY, "99-1", Conformance(logs_around_a_wait))
        passed = judge(met, open_backend, 0)
        assert (passed.verdict, passed.logs, passed.detail) == (
            Verdict.PASS,
            "met",
            "log records as expected",
        )
        failed = judge(missed, open_backend, 0)
        assert (failed.verdict, failed.logs) == (Verdict.FAIL, "missed")
        assert failed.detail == (
            "ExpectedLogs[0] (message='/x/'): expected exactly 2 matching record(s), found 0"
        )
        assert judge(broken, open_backend, 0).logs == "not reached"

        declared = Conformance(logs_around_a_wait, log_difference="no replay logging in 1.1.0")
        monkeypatch.setitem(REGISTRY, "99-1", declared)
        different = judge(missed, open_backend, 0)
        assert (different.verdict, different.reason) == (
            Verdict.DIFF,
            "no replay logging in 1.1.0",
        )
        stale = judge(met, open_backend, 0)
        assert (stale.verdict, stale.verdict.is_failure) == (Verdict.XPASS, True)
        # A log difference does not excuse a wrong history or result.
        assert judge(broken, open_backend, 0).verdict is Verdict.FAIL
        assert json.loads(json.dumps(different.to_dict()))["logs"] == "missed"
    finally:
        for backend in opened:
            backend.close()
