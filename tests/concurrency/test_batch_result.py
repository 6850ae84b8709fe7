"""BatchResult and BatchItem: accessors, the dict shape, reading it back, and the hooks."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_lambda_concurrency import (
    BatchFormatError,
    BatchItem,
    BatchItemError,
    BatchItemStatus,
    BatchResult,
    CompletionConfig,
    CompletionReason,
    ErrorInfo,
    ErrorRecord,
)

SUCCEEDED, FAILED, STARTED = (
    BatchItemStatus.SUCCEEDED,
    BatchItemStatus.FAILED,
    BatchItemStatus.STARTED,
)


def mixed() -> BatchResult[Any]:
    return BatchResult(
        [
            BatchItem(0, SUCCEEDED, {"x": 1}),
            BatchItem(1, FAILED, error=ErrorInfo("boom", "ValueError")),
            BatchItem(2, STARTED),
        ],
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    )


def test_to_dict_has_the_wire_shape() -> None:
    assert mixed().to_dict() == {
        "all": [
            {"index": 0, "status": "SUCCEEDED", "result": {"x": 1}, "error": None},
            {
                "index": 1,
                "status": "FAILED",
                "result": None,
                "error": {"ErrorMessage": "boom", "ErrorType": "ValueError"},
            },
            {"index": 2, "status": "STARTED", "result": None, "error": None},
        ],
        "completionReason": "FAILURE_TOLERANCE_EXCEEDED",
    }
    assert list(mixed().to_dict()) == ["all", "completionReason"]
    assert list(mixed().to_dict()["all"][0]) == ["index", "status", "result", "error"]


def test_counts_status_and_accessors() -> None:
    result = mixed()
    assert (result.success_count, result.failure_count, result.started_count) == (1, 1, 1)
    assert result.total_count == 3
    assert result.status is FAILED
    assert result.has_failure
    assert result.get_results() == [{"x": 1}]
    assert [item.index for item in result.succeeded()] == [0]
    assert [item.index for item in result.failed()] == [1]
    assert [item.index for item in result.started()] == [2]
    assert result.get_errors() == [ErrorInfo("boom", "ValueError")]


def test_none_results_are_counted_but_not_listed() -> None:
    result = BatchResult(
        [BatchItem(0, SUCCEEDED, 0), BatchItem(1, SUCCEEDED, None), BatchItem(2, SUCCEEDED, 2)],
        CompletionReason.ALL_COMPLETED,
    )
    assert result.get_results() == [0, 2]
    assert [item.index for item in result.succeeded()] == [0, 2]
    assert result.success_count == 3
    assert result.status is SUCCEEDED
    assert not result.has_failure


def test_failed_items_without_an_error_are_not_listed_as_errors() -> None:
    result = BatchResult(
        [BatchItem(0, FAILED), BatchItem(1, FAILED, error=ErrorInfo("second"))],
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    )
    assert result.failure_count == 2
    assert [item.index for item in result.failed()] == [1]
    assert result.get_errors() == [ErrorInfo("second")]


def test_throw_if_error_raises_the_first_failure_by_index() -> None:
    result = BatchResult(
        [
            BatchItem(0, SUCCEEDED, 1),
            BatchItem(1, FAILED, error=ErrorInfo("two", "ValueError", "d", ("line",))),
            BatchItem(2, FAILED, error=ErrorInfo("three", "KeyError")),
        ],
        CompletionReason.ALL_COMPLETED,
    )
    with pytest.raises(BatchItemError) as caught:
        result.throw_if_error()
    error = caught.value
    assert str(error) == "two"
    assert (error.message, error.error_type, error.data, error.stack_trace) == (
        "two",
        "ValueError",
        "d",
        ["line"],
    )


def test_throw_if_error_is_silent_without_failures() -> None:
    BatchResult(
        [BatchItem(0, SUCCEEDED, 1), BatchItem(1, STARTED)], CompletionReason.ALL_COMPLETED
    ).throw_if_error()
    BatchResult([], CompletionReason.ALL_COMPLETED).throw_if_error()


def test_documentation_aliases() -> None:
    result = mixed()
    assert result.results is result.all
    assert result.successful_results == [{"x": 1}]
    assert result.failed_results == result.failed()


def test_round_trip_through_json() -> None:
    text = json.dumps(mixed().to_dict())
    assert BatchResult.from_dict(json.loads(text)) == mixed()


def test_stored_reason_is_kept_as_written() -> None:
    data = {"all": [{"index": 0, "status": "SUCCEEDED", "result": 1, "error": None}]}
    data["completionReason"] = "MIN_SUCCESSFUL_REACHED"
    assert BatchResult.from_dict(data).completion_reason is CompletionReason.MIN_SUCCESSFUL_REACHED


def test_item_fields_may_be_missing() -> None:
    item = BatchItem.from_dict({"index": 3, "status": "STARTED"})
    assert item == BatchItem(3, STARTED)


def test_error_dict_is_read_back_with_every_field() -> None:
    item = BatchItem.from_dict(
        {
            "index": 3,
            "status": "FAILED",
            "result": None,
            "error": {
                "ErrorType": "ValueError",
                "ErrorMessage": "bad value",
                "ErrorData": "{}",
                "StackTrace": ["a", "b"],
            },
        }
    )
    assert item.error == ErrorInfo("bad value", "ValueError", "{}", ("a", "b"))
    assert item.error is not None
    assert item.error.to_dict() == {
        "ErrorMessage": "bad value",
        "ErrorType": "ValueError",
        "ErrorData": "{}",
        "StackTrace": ["a", "b"],
    }


@pytest.mark.parametrize(
    ("items", "config", "reason"),
    [
        ("SFF", CompletionConfig(tolerated_failure_count=1), "FAILURE_TOLERANCE_EXCEEDED"),
        ("SSF", CompletionConfig(tolerated_failure_count=1), "ALL_COMPLETED"),
        ("SFS", None, "FAILURE_TOLERANCE_EXCEEDED"),
        ("SSX", CompletionConfig(min_successful=1), "MIN_SUCCESSFUL_REACHED"),
        ("SSX", None, "ALL_COMPLETED"),
        ("", None, "ALL_COMPLETED"),
    ],
)
def test_missing_reason_is_inferred_and_logged(
    items: str, config: CompletionConfig | None, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    status = {"S": "SUCCEEDED", "F": "FAILED", "X": "STARTED"}
    data = {
        "all": [
            {
                "index": index,
                "status": status[code],
                "result": None,
                "error": {"ErrorMessage": "e"} if code == "F" else None,
            }
            for index, code in enumerate(items)
        ]
    }
    with caplog.at_level(logging.WARNING, logger="durable_lambda_concurrency"):
        result = BatchResult.from_dict(data, config)
    assert result.completion_reason.value == reason
    assert f"inferred {reason}" in caplog.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("nope", "a BatchResult must be a dict, got: str"),
        (
            {"completionReason": "ALL_COMPLETED"},
            "BatchResult 'all' must be a list of items, got: None",
        ),
        (
            {"all": [{"index": 0, "status": "DONE"}]},
            "BatchItem status must be one of SUCCEEDED, FAILED, STARTED, got: 'DONE'",
        ),
        ({"all": [{"status": "STARTED"}]}, "BatchItem index must be an integer, got: None"),
        (
            {"all": [], "completionReason": "FINISHED"},
            "completionReason must be one of ALL_COMPLETED, MIN_SUCCESSFUL_REACHED, "
            "FAILURE_TOLERANCE_EXCEEDED, got: 'FINISHED'",
        ),
        (
            {"all": [{"index": 0, "status": "FAILED", "error": {"ErrorMessage": 3}}]},
            "ErrorMessage must be a string, got: 3",
        ),
    ],
)
def test_malformed_dicts_are_rejected_with_the_field_and_rule(data: Any, message: str) -> None:
    with pytest.raises(BatchFormatError) as caught:
        BatchResult.from_dict(data)
    assert str(caught.value) == message


# -- hooks: how another package gives the result its own error types ----------


@dataclass(frozen=True)
class WireError:
    """Stands in for the durable context's ErrorObject."""

    message: str | None
    type: str | None
    data: str | None = None
    stack_trace: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ErrorMessage": self.message, "ErrorType": self.type}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WireError:
        return cls(data.get("ErrorMessage"), data.get("ErrorType"))


class RuntimeFailure(Exception):
    """Stands in for CallableRuntimeError."""

    def __init__(self, message: str | None, error_type: str | None) -> None:
        super().__init__(message)
        self.error_type = error_type


class DurableBatchResult(BatchResult[Any]):
    @classmethod
    def error_from_dict(cls, data: Mapping[str, Any]) -> ErrorRecord:
        return WireError.from_dict(data)

    @classmethod
    def error_to_exception(cls, error: ErrorRecord) -> BaseException:
        return RuntimeFailure(error.message, error.type)


def test_a_subclass_supplies_its_own_error_types() -> None:
    data = mixed().to_dict()
    result = DurableBatchResult.from_dict(data)
    assert type(result) is DurableBatchResult
    assert isinstance(result, BatchResult)
    assert result.all[1].error == WireError("boom", "ValueError")
    assert isinstance(result.all[1].error, ErrorRecord)
    with pytest.raises(RuntimeFailure, match=r"^boom$") as caught:
        result.throw_if_error()
    assert caught.value.error_type == "ValueError"
    assert result.to_dict() == data
    inferred = DurableBatchResult.from_items(result.all)
    assert type(inferred) is DurableBatchResult


def test_from_dict_takes_an_error_factory_per_call() -> None:
    result = BatchResult.from_dict(mixed().to_dict(), error_factory=WireError.from_dict)
    assert result.all[1].error == WireError("boom", "ValueError")


def test_error_info_from_exception_keeps_message_and_class_name() -> None:
    info = ErrorInfo.from_exception(KeyError("k"))
    assert info == ErrorInfo("'k'", "KeyError")
    assert info.to_dict() == {"ErrorMessage": "'k'", "ErrorType": "KeyError"}
    assert ErrorInfo().to_dict() == {}


# -- property: any result survives to_dict -> JSON -> from_dict ---------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
texts = st.none() | st.text()
errors = st.builds(
    ErrorInfo,
    texts,
    texts,
    texts,
    st.none() | st.tuples(st.text()) | st.tuples(st.text(), st.text()),
)


@st.composite
def batch_results(draw: st.DrawFn) -> BatchResult[Any]:
    statuses = draw(st.lists(st.sampled_from(list(BatchItemStatus)), max_size=8))
    items = []
    for index, status in enumerate(statuses):
        if status is SUCCEEDED:
            items.append(BatchItem(index, status, draw(json_values)))
        elif status is FAILED:
            items.append(BatchItem(index, status, error=draw(errors.filter(bool_record))))
        else:
            items.append(BatchItem(index, status))
    return BatchResult(items, draw(st.sampled_from(list(CompletionReason))))


def bool_record(record: ErrorInfo) -> bool:
    # A record with no field at all is written as {} and read back as "no error".
    return bool(record.to_dict())


@settings(deadline=None)
@given(batch_results())
def test_any_result_round_trips(result: BatchResult[Any]) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    again = BatchResult.from_dict(data)
    assert again == result
    assert again.to_dict() == result.to_dict()
    assert (again.success_count, again.failure_count, again.started_count) == (
        result.success_count,
        result.failure_count,
        result.started_count,
    )
    assert again.success_count + again.failure_count + again.started_count == again.total_count
