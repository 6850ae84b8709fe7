"""Byte-exact payloads from the specification (behaviour §6.3/§6.4, scenarios D-01, D-02).

These are the texts the reference SDK writes, so checkpoints move both ways
between it and us.
"""

from __future__ import annotations

import datetime
import math
import uuid
from decimal import Decimal
from typing import Any

import pytest

from durable_lambda_serdes import EXTENDED_TYPES_SERDES, ExtendedTypeSerDes

from .conftest import NO_CONTEXT, StandInBatchResult

UTC = datetime.UTC

PLAIN_JSON = [
    (None, "null"),
    ("hello", '"hello"'),
    (42, "42"),
    (3.14, "3.14"),
    (1.5, "1.5"),
    (True, "true"),
    ([1, 2, 3], "[1,2,3]"),
    ([1, "a", None], '[1,"a",null]'),
    ([1, [2, 3]], "[1,[2,3]]"),
    ([], "[]"),
    ("caf\u00e9", '"caf\\u00e9"'),
]

ENVELOPES = [
    ({"a": 1}, '{"t":"m","v":{"a":{"t":"i","v":1}}}'),
    ((1, 2), '{"t":"t","v":[{"t":"i","v":1},{"t":"i","v":2}]}'),
    (b"hi", '{"t":"B","v":"aGk="}'),
    (Decimal("1.10"), '{"t":"d","v":"1.10"}'),
    (
        datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        '{"t":"dt","v":"2024-01-02T03:04:05+00:00"}',
    ),
    (datetime.datetime(2024, 1, 2, 3, 4, 5), '{"t":"dt","v":"2024-01-02T03:04:05"}'),
    (datetime.date(2024, 1, 2), '{"t":"D","v":"2024-01-02"}'),
    (uuid.UUID(int=1), '{"t":"u","v":"00000000-0000-0000-0000-000000000001"}'),
    ([1, {"a": None}], '{"t":"l","v":[{"t":"i","v":1},{"t":"m","v":{"a":{"t":"n","v":null}}}]}'),
    (
        {"k": [True, 1.5]},
        '{"t":"m","v":{"k":{"t":"l","v":[{"t":"b","v":true},{"t":"f","v":1.5}]}}}',
    ),
    ({"s": "caf\u00e9"}, '{"t":"m","v":{"s":{"t":"s","v":"caf\\u00e9"}}}'),
]

D01_VALUE = {
    "order_id": uuid.UUID(int=1),
    "amount": Decimal("99.99"),
    "created_at": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    "delivery_date": datetime.date(2024, 1, 2),
    "signature": b"sig",
    "coordinates": (40.7128, -74.006),
}
D01_PAYLOAD = (
    '{"t":"m","v":{"order_id":{"t":"u","v":"00000000-0000-0000-0000-000000000001"},'
    '"amount":{"t":"d","v":"99.99"},"created_at":{"t":"dt","v":"2024-01-02T03:04:05+00:00"},'
    '"delivery_date":{"t":"D","v":"2024-01-02"},"signature":{"t":"B","v":"c2ln"},'
    '"coordinates":{"t":"t","v":[{"t":"f","v":40.7128},{"t":"f","v":-74.006}]}}}'
)

BATCH_RESULT = StandInBatchResult(
    all=[
        {"index": 0, "status": "SUCCEEDED", "result": {"x": 1}, "error": None},
        {
            "index": 1,
            "status": "FAILED",
            "result": None,
            "error": {"ErrorMessage": "boom", "ErrorType": "ValueError"},
        },
        {"index": 2, "status": "STARTED", "result": None, "error": None},
    ],
    completion_reason="FAILURE_TOLERANCE_EXCEEDED",
)
# Behaviour §6.4, shown there wrapped; the real text has no whitespace.
BATCH_RESULT_PAYLOAD = (
    '{"t":"br","v":{"all":{"t":"l","v":['
    '{"t":"m","v":{"index":{"t":"i","v":0},"status":{"t":"s","v":"SUCCEEDED"},'
    '"result":{"t":"m","v":{"x":{"t":"i","v":1}}},"error":{"t":"n","v":null}}},'
    '{"t":"m","v":{"index":{"t":"i","v":1},"status":{"t":"s","v":"FAILED"},'
    '"result":{"t":"n","v":null},"error":{"t":"m","v":{"ErrorMessage":{"t":"s","v":"boom"},'
    '"ErrorType":{"t":"s","v":"ValueError"}}}}},'
    '{"t":"m","v":{"index":{"t":"i","v":2},"status":{"t":"s","v":"STARTED"},'
    '"result":{"t":"n","v":null},"error":{"t":"n","v":null}}}]},'
    '"completionReason":{"t":"s","v":"FAILURE_TOLERANCE_EXCEEDED"}}}'
)


@pytest.mark.parametrize(("value", "text"), PLAIN_JSON)
def test_primitives_and_lists_of_primitives_are_plain_compact_json(value: Any, text: str) -> None:
    assert EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT) == text
    assert EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT) == value


def test_float_nan_is_written_as_json_does() -> None:
    assert EXTENDED_TYPES_SERDES.serialize(math.nan, NO_CONTEXT) == "NaN"
    assert EXTENDED_TYPES_SERDES.serialize({"x": math.inf}, NO_CONTEXT) == (
        '{"t":"m","v":{"x":{"t":"f","v":Infinity}}}'
    )
    assert math.isnan(EXTENDED_TYPES_SERDES.deserialize("NaN", NO_CONTEXT))


@pytest.mark.parametrize(("value", "text"), ENVELOPES)
def test_other_values_are_enveloped_at_every_level(value: Any, text: str) -> None:
    assert EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT) == text
    decoded = EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT)
    assert decoded == value
    assert type(decoded) is type(value)


def test_d01_order_with_extended_types_round_trips_with_the_same_types() -> None:
    assert EXTENDED_TYPES_SERDES.serialize(D01_VALUE, NO_CONTEXT) == D01_PAYLOAD
    decoded = EXTENDED_TYPES_SERDES.deserialize(D01_PAYLOAD, NO_CONTEXT)
    assert decoded == D01_VALUE
    assert {key: type(item) for key, item in decoded.items()} == {
        key: type(item) for key, item in D01_VALUE.items()
    }


def test_non_str_keys_are_written_as_strings_and_read_back_as_strings() -> None:
    text = EXTENDED_TYPES_SERDES.serialize({1: 2}, NO_CONTEXT)
    assert text == '{"t":"m","v":{"1":{"t":"i","v":2}}}'
    assert EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT) == {"1": 2}
    assert EXTENDED_TYPES_SERDES.serialize({1.5: None, True: 1, None: 0}, NO_CONTEXT) == (
        '{"t":"m","v":{"1.5":{"t":"n","v":null},"true":{"t":"i","v":1},"null":{"t":"i","v":0}}}'
    )


def test_batch_result_envelope_is_the_reference_text(
    batch_result_serdes: ExtendedTypeSerDes[Any],
) -> None:
    text = batch_result_serdes.serialize(BATCH_RESULT)
    assert text == BATCH_RESULT_PAYLOAD
    assert batch_result_serdes.deserialize(text) == BATCH_RESULT


def test_dt_accepts_a_trailing_z() -> None:
    decoded = EXTENDED_TYPES_SERDES.deserialize('{"t":"dt","v":"2024-01-02T03:04:05Z"}', NO_CONTEXT)
    assert decoded == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert decoded.utcoffset() == datetime.timedelta(0)


def test_nested_values_that_are_not_envelopes_are_returned_as_they_are() -> None:
    payload = '{"t":"l","v":[1,"x",{"a":{"t":"i","v":1}},[{"t":"i","v":2}]]}'
    assert EXTENDED_TYPES_SERDES.deserialize(payload, NO_CONTEXT) == [
        1,
        "x",
        {"a": {"t": "i", "v": 1}},
        [{"t": "i", "v": 2}],
    ]
    # A dict body is never itself read as an envelope, even with "t" and "v" keys.
    body = '{"t":"m","v":{"t":"s","v":"x"}}'
    assert EXTENDED_TYPES_SERDES.deserialize(body, NO_CONTEXT) == {"t": "s", "v": "x"}


def test_user_dicts_with_t_and_v_keys_round_trip() -> None:
    value = {"t": "s", "v": "x", "nested": [{"t": 1, "v": {"t": "i"}}]}
    text = EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT)
    assert EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT) == value


def test_scalars_under_their_tags_are_converted_as_the_reference_does() -> None:
    assert EXTENDED_TYPES_SERDES.deserialize('{"t":"i","v":"12"}', NO_CONTEXT) == 12
    assert EXTENDED_TYPES_SERDES.deserialize('{"t":"s","v":5}', NO_CONTEXT) == "5"
    assert EXTENDED_TYPES_SERDES.deserialize('{"t":"f","v":1}', NO_CONTEXT) == 1.0
    assert EXTENDED_TYPES_SERDES.deserialize('{"t":"b","v":0}', NO_CONTEXT) is False
    assert EXTENDED_TYPES_SERDES.deserialize('{"t":"n","v":7}', NO_CONTEXT) is None


def test_bytearray_and_memoryview_come_back_as_bytes() -> None:
    for value in (bytearray(b"hi"), memoryview(b"hi")):
        text = EXTENDED_TYPES_SERDES.serialize(value, NO_CONTEXT)
        assert text == '{"t":"B","v":"aGk="}'
        assert EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT) == b"hi"


def test_enum_members_are_written_as_their_values() -> None:
    import enum

    class Colour(enum.StrEnum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 3

    assert EXTENDED_TYPES_SERDES.serialize(Colour.RED, NO_CONTEXT) == '"red"'
    assert EXTENDED_TYPES_SERDES.serialize([Colour.RED, Size.BIG], NO_CONTEXT) == '["red",3]'
    text = EXTENDED_TYPES_SERDES.serialize({"c": Colour.RED, Size.BIG: Size.BIG}, NO_CONTEXT)
    assert text == '{"t":"m","v":{"c":{"t":"s","v":"red"},"3":{"t":"i","v":3}}}'
    decoded = EXTENDED_TYPES_SERDES.deserialize(text, NO_CONTEXT)
    assert decoded == {"c": "red", "3": 3}
    assert type(decoded["c"]) is str
    assert type(decoded["3"]) is int
