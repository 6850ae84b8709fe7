"""Fixtures for the serdes tests: serdes instances with a registry of their own.

Registration is process-wide by default; tests that register classes use a
fresh ``TypeRegistry`` so they neither see nor leave registrations behind
(e.g. ``BatchResult`` under ``"br"`` once the context package is imported).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from durable_lambda_serdes import ExtendedTypeSerDes, SerDesContext, TypeRegistry

NO_CONTEXT = SerDesContext()
"""For calls whose serdes ignores the context."""


@pytest.fixture
def registry() -> TypeRegistry:
    return TypeRegistry()


@pytest.fixture
def serdes(registry: TypeRegistry) -> ExtendedTypeSerDes[Any]:
    """An extended-types serdes whose registry starts empty."""
    return ExtendedTypeSerDes(registry=registry)


@dataclass(frozen=True)
class StandInBatchResult:
    """Shaped like concurrency's BatchResult as far as serialization can tell."""

    all: list[dict[str, Any]]
    completion_reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"all": self.all, "completionReason": self.completion_reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StandInBatchResult:
        return cls(all=data["all"], completion_reason=data["completionReason"])


@pytest.fixture
def batch_result_serdes(registry: TypeRegistry) -> ExtendedTypeSerDes[Any]:
    """A serdes whose registry knows the stand-in under "br", as context registers BatchResult."""
    registry.register(
        StandInBatchResult, "br", StandInBatchResult.to_dict, StandInBatchResult.from_dict
    )
    return ExtendedTypeSerDes(registry=registry)


# region hypothesis strategies

property_test = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Settings for property tests: no timing limits, so a busy CI machine cannot fail them."""

_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)

datetimes = st.one_of(
    st.datetimes(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.datetimes(timezones=_offsets),
)
"""Naive datetimes, UTC ones, and ones with any whole-minute offset."""

decimals = st.one_of(
    st.decimals(allow_nan=False),
    # Trailing zeros and exponents are precision: "1.10" must not become "1.1".
    st.from_regex(r"-?[0-9]{1,20}\.[0-9]{0,10}0{1,5}", fullmatch=True).map(Decimal),
    st.from_regex(r"-?[0-9]{1,5}E[+-]?[0-9]{1,3}", fullmatch=True).map(Decimal),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.uuids(),
    decimals,
    datetimes,
    st.dates(),
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
    )


values = st.recursive(scalars, _containers, max_leaves=25)
"""Nested values of every supported type, with str dict keys."""

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=15,
)
"""Anything json.loads can return (no NaN, so results compare equal)."""

_tags = st.sampled_from(
    ["n", "s", "i", "f", "b", "B", "u", "d", "dt", "D", "t", "l", "m", "br", "zz"]
)


def _envelope_like(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["t", "v", "x"]), children, max_size=3),
        st.fixed_dictionaries({"t": _tags, "v": children}),
        st.fixed_dictionaries({"t": st.one_of(_tags, children), "v": children}),
    )


malformed_payloads = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=30),
        st.sampled_from(["2024-01-02", "2024-01-02T03:04:05Z", "aGk=", "1.10", "not base64!"]),
        st.uuids().map(str),
    ),
    _envelope_like,
    max_leaves=12,
)
"""Parsed JSON shaped like envelopes, well-formed or not."""


def assert_same(actual: Any, expected: Any) -> None:
    """Equal and of the same types all the way down (1, 1.0 and True are not the same)."""
    assert type(actual) is type(expected), (actual, expected)
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, list | tuple):
        assert len(actual) == len(expected)
        for got, want in zip(actual, expected):
            assert_same(got, want)
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual)
    elif isinstance(expected, Decimal):
        assert str(actual) == str(expected)
    elif isinstance(expected, datetime.datetime):
        assert actual == expected
        assert actual.utcoffset() == expected.utcoffset()
    else:
        assert actual == expected


# endregion
