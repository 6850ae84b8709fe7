"""Every way serialization can fail, and what the error says.

Root-level messages are the reference SDK's exactly; nested ones add where the
problem sits (`` at $.orders[2].when``) and, where it helps, why.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from durable_lambda_serdes import (
    EXTENDED_TYPES_SERDES,
    TYPE_CODEC,
    BytesCodec,
    ContainerCodec,
    DateTimeCodec,
    DecimalCodec,
    ExtendedTypeSerDes,
    PrimitiveCodec,
    SerDesError,
    TypeRegistry,
    TypeTag,
    UuidCodec,
)

from .conftest import NO_CONTEXT


def serialize_error(value: Any, serdes: ExtendedTypeSerDes[Any] | None = None) -> SerDesError:
    active = serdes or EXTENDED_TYPES_SERDES
    with pytest.raises(SerDesError) as caught:
        active.serialize(value, NO_CONTEXT)
    assert type(caught.value) is SerDesError
    # The fast path's internal failure is never shown as the context.
    assert caught.value.__suppress_context__
    return caught.value


def deserialize_error(text: str, serdes: ExtendedTypeSerDes[Any] | None = None) -> SerDesError:
    active = serdes or EXTENDED_TYPES_SERDES
    with pytest.raises(SerDesError) as caught:
        active.deserialize(text, NO_CONTEXT)
    assert type(caught.value) is SerDesError
    return caught.value


# region serialize


class Custom:
    pass


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (object(), "Unsupported type: <class 'object'>"),
        ({1, 2}, "Unsupported type: <class 'set'>"),
        (Custom(), f"Unsupported type: {Custom}"),
        ({"items": [1, {2}]}, "Unsupported type: <class 'set'> at $.items[1]"),
        (
            {"orders": [{}, {}, {"when": datetime.time(1)}]},
            "Unsupported type: <class 'datetime.time'> at $.orders[2].when",
        ),
        ({"k y": frozenset()}, "Unsupported type: <class 'frozenset'> at $[\"k y\"]"),
        ([(1, object())], "Unsupported type: <class 'object'> at $[0][1]"),
        ({7: {"a": [{3j}]}}, "Unsupported type: <class 'set'> at $[7].a[0]"),
        ({None: complex(1, 2)}, "Unsupported type: <class 'complex'> at $[None]"),
    ],
)
def test_unsupported_types_are_named_with_their_location(value: Any, message: str) -> None:
    assert str(serialize_error(value)) == message


def test_tuple_keys_are_rejected_with_the_reference_message() -> None:
    assert str(serialize_error({(1, 2): 3})) == "Tuple keys not supported"
    assert str(serialize_error({"a": [{(1, 2): 3}]})) == "Tuple keys not supported at $.a[0]"


def test_tuple_keys_are_reported_before_any_value() -> None:
    assert str(serialize_error({"a": {1}, (1, 2): 3})) == "Tuple keys not supported"


def test_other_unsupported_keys_say_what_keys_may_be() -> None:
    assert str(serialize_error({"m": {frozenset(): 1}})) == (
        "Unsupported dict key type: <class 'frozenset'> at $.m: "
        "keys must be str, int, float, bool or None"
    )


def test_a_value_that_contains_itself_is_reported_where_the_cycle_closes() -> None:
    looped: dict[str, Any] = {"name": "x", "children": []}
    looped["children"].append({"parent": looped})
    assert str(serialize_error(looped)) == (
        "Circular reference: the value contains itself at $.children[0].parent"
    )
    items: list[Any] = [b"x"]
    items.append(items)
    assert str(serialize_error(items)) == "Circular reference: the value contains itself at $[1]"


def test_a_list_of_primitives_that_contains_itself_is_reported_too() -> None:
    items: list[Any] = [1, 2]
    items.append(items)
    assert str(serialize_error(items)).startswith("Circular reference")


@pytest.fixture
def default_recursion_limit() -> Iterator[None]:
    """Run with the interpreter's default limit: an in-process mypy run elsewhere in
    the suite raises it for good, and the depth checks below assume the default."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


@pytest.mark.usefixtures("default_recursion_limit")
@pytest.mark.parametrize("leaf", [b"x", 1])
def test_values_nested_beyond_the_recursion_limit_are_reported(leaf: Any) -> None:
    value: Any = [leaf]
    for _ in range(3000):
        value = [value]
    assert str(serialize_error(value)) == (
        "Value is nested too deeply to serialize: the interpreter's recursion limit was reached"
    )


def test_ints_too_long_for_text_are_reported() -> None:
    message = str(serialize_error({"x": [10**5000]}))
    assert message.startswith("Cannot serialize int at $.x[0]: Exceeds the limit")


def test_a_failing_registered_encoder_is_reported_with_its_error_as_cause(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    def explode(obj: Custom) -> dict[str, Any]:
        raise RuntimeError("no")

    registry.register(Custom, "custom", explode, lambda data: Custom())
    error = serialize_error({"c": [Custom()]}, serdes)
    assert str(error) == f"Codec for {Custom} failed to encode at $.c[0]: RuntimeError('no')"
    assert isinstance(error.__cause__, RuntimeError)


def test_a_registered_encoder_must_return_a_dict(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    registry.register(Custom, "custom", lambda obj: ["not", "a", "dict"], lambda data: Custom())  # type: ignore[arg-type, return-value]
    assert str(serialize_error(Custom(), serdes)) == (
        f"Codec for {Custom} must encode to a dict, got <class 'list'>"
    )


# endregion

# region deserialize


@pytest.mark.parametrize(
    "text",
    ['{"a":1}', "[1,{}]", '{"t":"s"}', '{"v":1}', '[{"t":"s","v":"x"}]'],
)
def test_payloads_that_are_neither_plain_nor_an_envelope_are_malformed(text: str) -> None:
    assert str(deserialize_error(text)) == 'Malformed envelope: missing "t" or "v" at root.'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"t":"zz","v":1}', 'Unknown type tag: "zz"'),
        ('{"t":5,"v":1}', 'Unknown type tag: "5"'),
        ('{"t":[1],"v":1}', 'Unknown type tag: "[1]"'),
        ('{"t":"m","v":{"a":{"t":"x","v":1}}}', 'Unknown type tag: "x" at $.a'),
        (
            '{"t":"l","v":[1,{"t":"m","v":{"k":{"t":"?","v":0}}}]}',
            'Unknown type tag: "?" at $[1].k',
        ),
    ],
)
def test_unknown_tags_are_named(text: str, message: str) -> None:
    assert str(deserialize_error(text)) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"t":"l","v":{"a":1}}', "Expected list, got <class 'dict'>"),
        ('{"t":"t","v":"ab"}', "Expected list, got <class 'str'>"),
        ('{"t":"m","v":[1]}', "Expected dict, got <class 'list'>"),
        ('{"t":"m","v":{"a b":{"t":"l","v":3}}}', "Expected list, got <class 'int'> at $[\"a b\"]"),
    ],
)
def test_containers_of_the_wrong_shape_are_reported(text: str, message: str) -> None:
    assert str(deserialize_error(text)) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"t":"i","v":"abc"}', 'Invalid value for type tag "i": invalid literal for int()'),
        ('{"t":"i","v":null}', 'Invalid value for type tag "i": int() argument must be'),
        ('{"t":"f","v":"x"}', 'Invalid value for type tag "f": could not convert'),
        ('{"t":"dt","v":"soon"}', 'Invalid value for type tag "dt": Invalid isoformat string'),
        ('{"t":"dt","v":5}', 'Invalid value for type tag "dt": expected ISO 8601 text'),
        ('{"t":"D","v":"2024-13-01"}', 'Invalid value for type tag "D": month must be in 1..12'),
        ('{"t":"D","v":[]}', 'Invalid value for type tag "D": expected ISO 8601 text'),
        ('{"t":"u","v":"nope"}', 'Invalid value for type tag "u": badly formed hexadecimal'),
        ('{"t":"u","v":1}', 'Invalid value for type tag "u": expected UUID text'),
        ('{"t":"d","v":"1,5"}', 'Invalid value for type tag "d": '),
        ('{"t":"d","v":null}', 'Invalid value for type tag "d": '),
        ('{"t":"B","v":"abc"}', 'Invalid value for type tag "B": '),
        ('{"t":"B","v":12}', 'Invalid value for type tag "B": expected base64 text'),
        (
            '{"t":"m","v":{"when":{"t":"dt","v":"x"}}}',
            'Invalid value for type tag "dt" at $.when: Invalid isoformat string',
        ),
    ],
)
def test_values_that_do_not_fit_their_tag_are_reported(text: str, message: str) -> None:
    assert str(deserialize_error(text)).startswith(message)


def test_batch_result_without_a_registered_codec_says_how_to_get_one(
    serdes: ExtendedTypeSerDes[Any],
) -> None:
    error = deserialize_error('{"t":"l","v":[{"t":"br","v":{}}]}', serdes)
    assert str(error) == (
        'No codec registered for type tag "br" at $[0]: register one with '
        "register_type_codec(); durable_lambda_context registers BatchResult under this tag "
        "when it is imported"
    )


def test_a_failing_registered_decoder_is_reported_with_its_error_as_cause(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    def explode(data: dict[str, Any]) -> Custom:
        raise KeyError("missing")

    registry.register(Custom, "custom", lambda obj: {}, explode)
    error = deserialize_error('{"t":"m","v":{"c":{"t":"custom","v":{}}}}', serdes)
    assert (
        str(error) == "Codec for type tag \"custom\" failed to decode at $.c: KeyError('missing')"
    )
    assert isinstance(error.__cause__, KeyError)


def test_a_registered_tag_needs_a_dict(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    registry.register(Custom, "custom", lambda obj: {}, lambda data: Custom())
    assert str(deserialize_error('{"t":"custom","v":[1]}', serdes)) == (
        "Expected dict, got <class 'list'>"
    )


@pytest.mark.usefixtures("default_recursion_limit")
def test_payloads_nested_beyond_the_recursion_limit_are_reported() -> None:
    depth = 5000
    text = '{"t":"l","v":[' * depth + "]}" * depth
    assert str(deserialize_error(text)) == (
        "Payload is nested too deeply to deserialize: the interpreter's recursion limit was reached"
    )


def test_invalid_json_raises_json_decode_error_as_the_reference_does() -> None:
    with pytest.raises(json.JSONDecodeError):
        EXTENDED_TYPES_SERDES.deserialize("{not json", NO_CONTEXT)


# endregion

# region codecs


@pytest.mark.parametrize(
    ("codec", "value"),
    [
        (PrimitiveCodec(), b"x"),
        (BytesCodec(), "x"),
        (UuidCodec(), "x"),
        (DecimalCodec(), 1.5),
        (DateTimeCodec(), "2024-01-01"),
        (ContainerCodec(), {1}),
    ],
)
def test_a_codec_refuses_types_outside_its_family(codec: Any, value: Any) -> None:
    with pytest.raises(
        SerDesError, match=re.escape(f"{type(codec).__name__} cannot encode {type(value)}")
    ):
        codec.encode(value)


@pytest.mark.parametrize(
    ("codec", "tag"),
    [
        (PrimitiveCodec(), "B"),
        (BytesCodec(), "s"),
        (UuidCodec(), "d"),
        (DecimalCodec(), "u"),
        (DateTimeCodec(), "m"),
        (ContainerCodec(), "dt"),
    ],
)
def test_a_codec_refuses_tags_outside_its_family(codec: Any, tag: str) -> None:
    with pytest.raises(SerDesError, match=f'cannot decode type tag "{tag}"'):
        codec.decode(TypeTag(tag), None)


def test_the_type_codec_reports_like_the_serdes() -> None:
    with pytest.raises(SerDesError, match=r"^Unsupported type: <class 'set'> at \$.a$"):
        TYPE_CODEC.encode({"a": set()})
    with pytest.raises(SerDesError, match=r'^Unknown type tag: "q" at \$\[0\]$'):
        TYPE_CODEC.decode(TypeTag.LIST, [{"t": "q", "v": 1}])


# endregion
