"""CompletionConfig (defaults, presets, validation) and the counters that apply it."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_lambda_concurrency import (
    BatchExecutor,
    CompletionConfig,
    CompletionReason,
    ConcurrencyConfigError,
    ExecutionCounters,
    register_config_error,
)

from .conftest import expected_reason, is_complete, tolerance_exceeded


def test_presets_and_default() -> None:
    assert CompletionConfig() == CompletionConfig(None, None, None)
    assert CompletionConfig.first_successful() == CompletionConfig(1, None, None)
    assert CompletionConfig.all_completed() == CompletionConfig(None, None, 100)
    assert CompletionConfig.all_successful() == CompletionConfig(None, 0, 0)


def test_config_is_frozen() -> None:
    config = CompletionConfig(min_successful=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.min_successful = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_successful": 0}, "min_successful must be at least 1, got: 0"),
        ({"min_successful": -3}, "min_successful must be at least 1, got: -3"),
        ({"tolerated_failure_count": -1}, "tolerated_failure_count must be non-negative, got: -1"),
        (
            {"tolerated_failure_percentage": 100.5},
            "tolerated_failure_percentage must be between 0 and 100, got: 100.5",
        ),
        (
            {"tolerated_failure_percentage": -1},
            "tolerated_failure_percentage must be between 0 and 100, got: -1",
        ),
        (
            {"tolerated_failure_percentage": math.nan},
            "tolerated_failure_percentage must be between 0 and 100, got: nan",
        ),
    ],
)
def test_invalid_config_names_field_value_and_rule(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ConcurrencyConfigError) as caught:
        CompletionConfig(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_boundaries_are_accepted() -> None:
    CompletionConfig(min_successful=1, tolerated_failure_count=0, tolerated_failure_percentage=0)
    CompletionConfig(tolerated_failure_percentage=100)


def test_max_concurrency_below_one_is_rejected() -> None:
    with pytest.raises(
        ConcurrencyConfigError, match=r"^max_concurrency must be at least 1, got: 0$"
    ):
        BatchExecutor(max_concurrency=0)


@pytest.mark.usefixtures("config_error_type")
def test_registered_error_type_replaces_the_default() -> None:
    class ValidationError(Exception):
        pass

    register_config_error(ValidationError)
    with pytest.raises(ValidationError, match=r"^min_successful must be at least 1, got: 0$"):
        CompletionConfig(min_successful=0)
    with pytest.raises(ValidationError, match=r"^max_concurrency must be at least 1, got: -2$"):
        BatchExecutor(max_concurrency=-2)
    register_config_error(None)
    with pytest.raises(ConcurrencyConfigError):
        CompletionConfig(min_successful=0)


# The spec's table (sdk-behavior §3.8.4), item by item: (config, outcomes, stop after, reason).
TABLE = [
    (CompletionConfig(), "SFS", 2, CompletionReason.FAILURE_TOLERANCE_EXCEEDED),
    (CompletionConfig.all_successful(), "SSFS", 3, CompletionReason.FAILURE_TOLERANCE_EXCEEDED),
    (CompletionConfig.all_completed(), "FFF", 3, CompletionReason.ALL_COMPLETED),
    (CompletionConfig.first_successful(), "FFSS", 3, CompletionReason.MIN_SUCCESSFUL_REACHED),
    (CompletionConfig.first_successful(), "FFF", 3, CompletionReason.ALL_COMPLETED),
    (CompletionConfig(min_successful=2), "SFFS", 4, CompletionReason.ALL_COMPLETED),
    (CompletionConfig(min_successful=2), "SFSF", 3, CompletionReason.MIN_SUCCESSFUL_REACHED),
    (
        CompletionConfig(tolerated_failure_count=1),
        "SFSFS",
        4,
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    ),
    (CompletionConfig(tolerated_failure_count=1), "SFSSS", 5, CompletionReason.ALL_COMPLETED),
    (CompletionConfig(tolerated_failure_percentage=50), "FSFS", 4, CompletionReason.ALL_COMPLETED),
    (
        CompletionConfig(tolerated_failure_percentage=50),
        "FSFF",
        4,
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    ),
    (
        CompletionConfig(tolerated_failure_percentage=25),
        "FSSS",
        4,
        CompletionReason.ALL_COMPLETED,
    ),
    (
        CompletionConfig(min_successful=3, tolerated_failure_count=1),
        "FFSS",
        2,
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    ),
]


@pytest.mark.parametrize(("config", "outcomes", "stops_after", "reason"), TABLE)
def test_counters_follow_the_spec_table(
    config: CompletionConfig, outcomes: str, stops_after: int, reason: CompletionReason
) -> None:
    counters = ExecutionCounters.from_config(len(outcomes), config)
    done = 0
    for outcome in outcomes:
        if outcome == "S":
            counters.complete_task()
        else:
            counters.fail_task()
        done += 1
        if counters.should_complete():
            break
    assert done == stops_after
    assert counters.completion_reason() is reason
    assert counters.should_continue() is (reason is not CompletionReason.FAILURE_TOLERANCE_EXCEEDED)


def test_reason_order_tolerance_beats_all_finished() -> None:
    # 3 items, 1 success, 2 failures, one failure tolerated: not ALL_COMPLETED.
    counters = ExecutionCounters(3, tolerated_failure_count=1)
    counters.complete_task()
    counters.fail_task()
    counters.fail_task()
    assert counters.completion_reason() is CompletionReason.FAILURE_TOLERANCE_EXCEEDED


configs = st.builds(
    CompletionConfig,
    st.none() | st.integers(1, 12),
    st.none() | st.integers(0, 12),
    st.none() | st.integers(0, 100) | st.floats(0, 100),
)


@settings(deadline=None)
@given(config=configs, total=st.integers(1, 12), data=st.data())
def test_counters_agree_with_the_rules(
    config: CompletionConfig, total: int, data: st.DataObject
) -> None:
    successes = data.draw(st.integers(0, total))
    failures = data.draw(st.integers(0, total - successes))
    counters = ExecutionCounters.from_config(total, config)
    for _ in range(successes):
        counters.complete_task()
    for _ in range(failures):
        counters.fail_task()
    exceeded = tolerance_exceeded(config, total, failures)
    complete = is_complete(config, total, successes, failures)
    assert counters.is_failure_tolerance_exceeded() is exceeded
    assert counters.is_complete() is complete
    assert counters.should_complete() is (complete or exceeded)
    assert counters.completion_reason() is expected_reason(config, total, successes, failures)
