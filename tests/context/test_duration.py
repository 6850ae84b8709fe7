"""Duration: builders truncate toward zero, negative lengths are rejected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_client import ValidationError
from durable_lambda_context import Duration


def test_builders_convert_to_whole_seconds() -> None:
    assert Duration.from_minutes(1.5).seconds == 90
    assert Duration.from_seconds(1.9).seconds == 1
    assert Duration.from_hours(0.5) == Duration(1800)
    assert Duration.from_days(1).to_seconds() == 86400
    assert Duration.from_hours(2).to_seconds() == 7200
    assert Duration.from_minutes(0.5).to_seconds() == 30
    assert Duration.from_minutes(0.01) == Duration(0)


def test_default_is_zero_and_equality_is_by_value() -> None:
    assert Duration() == Duration(0)
    assert hash(Duration(5)) == hash(Duration.from_seconds(5))


def test_negative_seconds_are_rejected() -> None:
    with pytest.raises(ValidationError, match=r"^Duration seconds must be positive$"):
        Duration(-1)
    with pytest.raises(ValidationError):
        Duration.from_minutes(-1)


def test_duration_is_frozen() -> None:
    duration = Duration(3)
    with pytest.raises(AttributeError):
        duration.seconds = 4  # type: ignore[misc]


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_builders_truncate_like_int(value: float) -> None:
    assert Duration.from_seconds(value).seconds == int(value)
    assert Duration.from_minutes(value).seconds == int(value * 60)
