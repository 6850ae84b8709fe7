"""Retry strategy math: filters, exponential backoff, jitter bounds, presets."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_context import (
    Duration,
    JitterStrategy,
    RetryDecision,
    RetryPresets,
    RetryStrategyConfig,
    create_retry_strategy,
)


@pytest.fixture
def no_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    """``random.random() == 1.0``: FULL and HALF jitter both keep the delay."""
    monkeypatch.setattr("random.random", lambda: 1.0)


def delays(strategy: object, attempts: range) -> list[int | None]:
    found: list[int | None] = []
    for attempt in attempts:
        decision = strategy(RuntimeError("x"), attempt)  # type: ignore[operator]
        found.append(decision.delay_seconds if decision.should_retry else None)
    return found


def test_decision_factories() -> None:
    assert RetryDecision.retry(Duration(3)) == RetryDecision(True, Duration(3))
    assert RetryDecision.no_retry() == RetryDecision(False, Duration(0))
    assert RetryDecision.retry(Duration(7)).delay_seconds == 7


def test_config_defaults() -> None:
    config = RetryStrategyConfig()
    assert (config.max_attempts, config.initial_delay_seconds, config.max_delay_seconds) == (
        3,
        5,
        300,
    )
    assert config.backoff_rate == 2.0
    assert config.jitter_strategy is JitterStrategy.FULL
    assert config.retryable_errors is None
    assert config.retryable_error_types is None


def test_exponential_delays_without_jitter() -> None:
    strategy = create_retry_strategy(
        RetryStrategyConfig(max_attempts=10, jitter_strategy=JitterStrategy.NONE)
    )
    assert delays(strategy, range(1, 4)) == [5, 10, 20]
    assert strategy(RuntimeError(), 7).delay_seconds == 300


def test_max_attempts_counts_the_first_attempt() -> None:
    strategy = create_retry_strategy(
        RetryStrategyConfig(max_attempts=3, jitter_strategy=JitterStrategy.NONE)
    )
    assert delays(strategy, range(1, 4)) == [5, 10, None]


@pytest.mark.parametrize("max_attempts", [0, 1])
def test_zero_or_one_attempt_never_retries(max_attempts: int) -> None:
    strategy = create_retry_strategy(RetryStrategyConfig(max_attempts=max_attempts))
    assert not strategy(RuntimeError("boom"), 1).should_retry


def test_default_config_when_none_given() -> None:
    strategy = create_retry_strategy()
    assert strategy(RuntimeError(), 3).should_retry is False
    assert strategy(RuntimeError(), 1).should_retry is True


@pytest.mark.usefixtures("no_randomness")
def test_presets() -> None:
    assert delays(RetryPresets.default(), range(1, 7)) == [5, 10, 20, 40, 60, None]
    assert delays(RetryPresets.critical(), range(1, 11)) == [1, 2, 3, 4, 6, 8, 12, 18, 26, None]
    assert delays(RetryPresets.none(), range(1, 2)) == [None]
    assert delays(RetryPresets.transient(), range(1, 4)) == [5, 10, None]
    assert delays(RetryPresets.resource_availability(), range(1, 6)) == [5, 10, 20, 40, None]


def test_message_filter_uses_substrings_and_patterns() -> None:
    by_text = create_retry_strategy(RetryStrategyConfig(retryable_errors=["timeout"]))
    assert by_text(RuntimeError("read timeout"), 1).should_retry
    assert not by_text(RuntimeError("boom"), 1).should_retry

    by_pattern = create_retry_strategy(
        RetryStrategyConfig(retryable_errors=[re.compile(r"^HTTP 5\d\d")])
    )
    assert by_pattern(RuntimeError("HTTP 503"), 1).should_retry
    assert not by_pattern(RuntimeError("error HTTP 503"), 1).should_retry


def test_type_filter_and_either_filter_suffices() -> None:
    by_type = create_retry_strategy(
        RetryStrategyConfig(max_attempts=3, retryable_error_types=[RuntimeError])
    )
    assert by_type(RuntimeError("x"), 1).should_retry
    assert by_type(NotImplementedError("a RuntimeError subclass"), 1).should_retry
    assert not by_type(ValueError("nope"), 1).should_retry

    either = create_retry_strategy(
        RetryStrategyConfig(retryable_errors=["flaky"], retryable_error_types=[KeyError])
    )
    assert either(ValueError("flaky thing"), 1).should_retry
    assert either(KeyError("k"), 1).should_retry
    assert not either(ValueError("solid"), 1).should_retry


def test_every_error_retries_when_no_filter_is_set() -> None:
    strategy = create_retry_strategy(RetryStrategyConfig())
    assert strategy(ValueError("anything"), 1).should_retry


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_jitter_bounds(delay: float) -> None:
    assert JitterStrategy.NONE.apply_jitter(delay) == delay
    assert 0 <= JitterStrategy.FULL.apply_jitter(delay) <= delay
    assert delay / 2 <= JitterStrategy.HALF.apply_jitter(delay) <= delay


@given(
    attempt=st.integers(min_value=1, max_value=30),
    initial=st.integers(min_value=0, max_value=600),
    maximum=st.integers(min_value=0, max_value=3600),
    rate=st.floats(min_value=1, max_value=4),
    jitter=st.sampled_from(list(JitterStrategy)),
)
def test_delays_stay_within_one_second_and_the_capped_base(
    attempt: int, initial: int, maximum: int, rate: float, jitter: JitterStrategy
) -> None:
    strategy = create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=attempt + 1,
            initial_delay=Duration(initial),
            max_delay=Duration(maximum),
            backoff_rate=rate,
            jitter_strategy=jitter,
        )
    )
    decision = strategy(RuntimeError("x"), attempt)
    assert decision.should_retry
    base = min(initial * rate ** (attempt - 1), maximum)
    assert 1 <= decision.delay_seconds <= max(1, math.ceil(base))
