"""Property tests: round-trips over every supported type, and the fast path against the rules.

The extended-types serdes has two implementations of one format: a fast one
that checks nothing, and a checked one that defines the behaviour and the
errors. These tests hold them to the same output on every input.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_serdes import EXTENDED_TYPES_SERDES, SerDes, SerDesError, TypeRegistry
from durable_lambda_serdes._envelope_checked import deserialize_checked, serialize_checked
from durable_lambda_serdes._envelope_fast import FastEnvelope
from durable_lambda_serdes._locations import LocatedError

from .conftest import (
    NO_CONTEXT,
    assert_same,
    json_values,
    malformed_payloads,
    property_test,
    values,
)

REGISTRY = TypeRegistry()
FAST = FastEnvelope(REGISTRY)


def checked_outcome(payload: Any) -> tuple[bool, Any]:
    """What the rules make of a parsed payload: (True, value) or (False, error message)."""
    try:
        return True, deserialize_checked(payload, REGISTRY)
    except LocatedError as error:
        return False, str(error)


@property_test
@given(values)
def test_every_supported_value_round_trips_with_its_types(value: Any) -> None:
    text = EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT)
    assert_same(EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT), value)


@property_test
@given(values)
def test_fast_encoder_writes_exactly_what_the_rules_say(value: Any) -> None:
    assert FAST.encode(value) == serialize_checked(value, REGISTRY)


@property_test
@given(values)
def test_output_is_compact_json(value: Any) -> None:
    text = EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT)
    assert json.dumps(json.loads(text), separators=(",", ":")) == text


@property_test
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text()), st.lists))
def test_primitives_and_lists_of_them_are_plain_json(value: Any) -> None:
    assert SerDes.is_primitive(value)
    text = EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT)
    assert text == json.dumps(value, separators=(",", ":"))
    assert_same(EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT), value)


@property_test
@given(
    st.dictionaries(
        st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.text()),
        values,
        max_size=4,
    )
)
def test_non_str_keys_are_written_as_json_writes_them(mapping: dict[Any, Any]) -> None:
    text = EXTENDED_TYPES_SERDES.serialize(mapping, NO_CONTEXT)
    assert text == serialize_checked(mapping, REGISTRY)
    written_keys = list(json.loads(json.dumps(dict.fromkeys(mapping, 0))))
    assert list(EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT)) == written_keys


@property_test
@given(json_values)
def test_any_json_payload_decodes_or_raises_serdes_error(value: Any) -> None:
    text = json.dumps(value)
    if SerDes.is_primitive(value):
        assert_same(EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT), value)
        return
    decodes, expected = checked_outcome(value)
    if decodes:
        assert_same(EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT), expected)
    else:
        with pytest.raises(SerDesError) as caught:
            EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT)
        assert str(caught.value) == expected


@property_test
@given(malformed_payloads)
def test_fast_decoder_agrees_with_the_rules_whenever_it_succeeds(payload: Any) -> None:
    decodes, expected = checked_outcome(payload)
    expected_error = not decodes
    if not (isinstance(payload, dict) and "t" in payload and "v" in payload):
        assert expected_error
        return
    try:
        actual = FAST.decode(payload)
    except Exception:
        return  # the serdes falls back to the rules; nothing to compare
    assert not expected_error, f"fast decoder accepted what the rules reject: {payload!r}"
    assert_same(actual, expected)


@property_test
@given(malformed_payloads)
def test_malformed_payloads_only_ever_raise_serdes_error(payload: Any) -> None:
    # Anything else escaping (KeyError, TypeError...) fails the test by itself.
    errors: list[SerDesError] = []
    try:
        EXTENDED_TYPES_SERDES.deserialize(json.dumps(payload), NO_CONTEXT)
    except SerDesError as error:
        errors.append(error)
    assert all(type(error) is SerDesError and str(error) for error in errors)


@pytest.mark.parametrize("depth", [1, 20, 80])
def test_deeply_nested_values_round_trip(depth: int) -> None:
    value: Any = {"leaf": (1,)}
    for _ in range(depth):
        value = {"x": [value]}
    text = EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT)
    assert_same(EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT), value)
