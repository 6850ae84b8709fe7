"""The extended-types rules, written plainly and checked at every step.

This module defines what the envelope format means: which Python type gets
which tag, how each value is written and read back, how lenient reading is,
and what every error says and where it points. It builds ``EncodedValue``
trees like the reference SDK, so its output is the reference output.

``_envelope_fast`` produces the same text and values much faster but checks
nothing; whenever it fails, the serdes runs this module again on the same
input to produce the result or the precise error.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import uuid
from typing import Any

from durable_lambda_serdes._envelope_format import TYPE_TOKEN, VALUE_TOKEN, EncodedValue, TypeTag
from durable_lambda_serdes._locations import DictKey, LocatedError
from durable_lambda_serdes._registry import TypeCodecRegistration, TypeRegistry

__all__ = [
    "COMPACT_JSON",
    "decode_envelope",
    "decode_value",
    "deserialize_checked",
    "encode_checked",
    "encode_value",
    "encoded_to_json",
    "find_cycle",
    "parse_datetime",
    "serialize_checked",
]

COMPACT_JSON = json.JSONEncoder(separators=(",", ":")).encode
"""``json.dumps(value, separators=(",", ":"))`` without building an encoder per call."""

_TAGS_BY_VALUE: dict[str, TypeTag] = {tag.value: tag for tag in TypeTag}

_BATCH_RESULT_HINT = (
    "register one with register_type_codec(); durable_lambda_context registers "
    "BatchResult under this tag when it is imported"
)


def parse_datetime(text: str) -> datetime.datetime:
    """Read a ``dt`` value: ISO 8601 as written by ``isoformat()``, or with a trailing ``Z``."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(text)


def _as_tag(tag: str) -> TypeTag | str:
    return _TAGS_BY_VALUE.get(tag, tag)


# region encoding


def encode_value(obj: Any, registry: TypeRegistry) -> EncodedValue:
    """Encode ``obj`` and everything inside it into an ``EncodedValue`` tree.

    Raises:
        LocatedError: a type, key or registered codec cannot be encoded; the
            error names the location.
    """
    entry = registry.for_type(type(obj))
    if entry is not None:
        return _encode_registered(obj, entry, registry)
    if obj is None:
        return EncodedValue(TypeTag.NONE, None)
    if isinstance(obj, str):
        return EncodedValue(TypeTag.STR, obj)
    if isinstance(obj, bool):
        return EncodedValue(TypeTag.BOOL, obj)
    if isinstance(obj, int):
        try:
            int.__repr__(obj)
        except ValueError as error:
            raise LocatedError("Cannot serialize int", str(error)) from error
        return EncodedValue(TypeTag.INT, obj)
    if isinstance(obj, float):
        return EncodedValue(TypeTag.FLOAT, obj)
    if isinstance(obj, bytes | bytearray | memoryview):
        return EncodedValue(TypeTag.BYTES, base64.b64encode(bytes(obj)).decode("ascii"))
    if isinstance(obj, uuid.UUID):
        return EncodedValue(TypeTag.UUID, str(obj))
    if isinstance(obj, decimal.Decimal):
        return EncodedValue(TypeTag.DECIMAL, str(obj))
    if isinstance(obj, datetime.datetime):
        return EncodedValue(TypeTag.DATETIME, obj.isoformat())
    if isinstance(obj, datetime.date):
        return EncodedValue(TypeTag.DATE, obj.isoformat())
    if isinstance(obj, list):
        return EncodedValue(TypeTag.LIST, _encode_items(obj, registry))
    if isinstance(obj, tuple):
        return EncodedValue(TypeTag.TUPLE, _encode_items(obj, registry))
    if isinstance(obj, dict):
        return EncodedValue(TypeTag.DICT, _encode_mapping(obj, registry))
    raise LocatedError(f"Unsupported type: {type(obj)}")


def _encode_items(items: list[Any] | tuple[Any, ...], registry: TypeRegistry) -> list[EncodedValue]:
    encoded = []
    for index, item in enumerate(items):
        try:
            encoded.append(encode_value(item, registry))
        except LocatedError as error:
            error.add_outer(index)
            raise
    return encoded


def _encode_mapping(mapping: dict[Any, Any], registry: TypeRegistry) -> dict[Any, EncodedValue]:
    # Keys are checked before any value, as the reference does, and are left
    # for json to write: non-str keys become strings ("1", "true", "null").
    for key in mapping:
        if isinstance(key, tuple):
            raise LocatedError("Tuple keys not supported")
        if not (key is None or isinstance(key, str | int | float)):
            raise LocatedError(
                f"Unsupported dict key type: {type(key)}",
                "keys must be str, int, float, bool or None",
            )
    encoded = {}
    for key, item in mapping.items():
        try:
            encoded[key] = encode_value(item, registry)
        except LocatedError as error:
            error.add_outer(key if isinstance(key, str) else DictKey(key))
            raise
    return encoded


def _encode_registered(
    obj: Any, entry: TypeCodecRegistration[Any], registry: TypeRegistry
) -> EncodedValue:
    try:
        data = entry.encode(obj)
    except Exception as error:
        raise LocatedError(f"Codec for {entry.cls} failed to encode", repr(error)) from error
    if not isinstance(data, dict):
        raise LocatedError(f"Codec for {entry.cls} must encode to a dict, got {type(data)}")
    return EncodedValue(_as_tag(entry.tag), _encode_mapping(data, registry))


def encoded_to_json(encoded: Any) -> Any:
    """Turn an ``EncodedValue`` tree into plain dicts and lists for ``json``."""
    if isinstance(encoded, EncodedValue):
        return {TYPE_TOKEN: encoded.tag, VALUE_TOKEN: encoded_to_json(encoded.value)}
    if isinstance(encoded, list):
        return [encoded_to_json(item) for item in encoded]
    if isinstance(encoded, dict):
        return {key: encoded_to_json(item) for key, item in encoded.items()}
    return encoded


def _container_children(obj: Any) -> Any:
    if isinstance(obj, dict):
        return ((key if isinstance(key, str) else DictKey(key), v) for key, v in obj.items())
    if isinstance(obj, list | tuple):
        return enumerate(obj)
    return None


def find_cycle(value: Any) -> list[Any] | None:
    """The path (outermost first) to a container that contains itself, or ``None``.

    Iterative, because it runs after recursion has already hit the limit.
    """
    root_children = _container_children(value)
    if root_children is None:
        return None
    active = {id(value)}
    finished: set[int] = set()
    stack = [(value, root_children)]
    path: list[Any] = []
    while stack:
        container, children = stack[-1]
        for segment, child in children:
            grandchildren = _container_children(child)
            if grandchildren is None or id(child) in finished:
                continue
            if id(child) in active:
                return [*path, segment]
            active.add(id(child))
            stack.append((child, grandchildren))
            path.append(segment)
            break
        else:
            stack.pop()
            active.discard(id(container))
            finished.add(id(container))
            if stack:
                path.pop()
    return None


def _recursion_problem(value: Any) -> LocatedError:
    cycle = find_cycle(value)
    if cycle is not None:
        return LocatedError("Circular reference: the value contains itself").within(cycle)
    return LocatedError(
        "Value is nested too deeply to serialize",
        "the interpreter's recursion limit was reached",
    )


def encode_checked(value: Any, registry: TypeRegistry) -> EncodedValue:
    """``encode_value``, with recursion-limit failures explained (cycle or depth).

    Raises:
        LocatedError: as ``encode_value``, or the value contains itself, or it
            is nested deeper than the interpreter's recursion limit allows.
    """
    try:
        return encode_value(value, registry)
    except RecursionError:
        raise _recursion_problem(value) from None


def serialize_checked(value: Any, registry: TypeRegistry) -> str:
    """The envelope text of ``value``, or a ``LocatedError`` saying what and where."""
    try:
        return COMPACT_JSON(encoded_to_json(encode_value(value, registry)))
    except RecursionError:
        raise _recursion_problem(value) from None


# endregion

# region decoding


def decode_value(node: Any, registry: TypeRegistry) -> Any:
    """Decode a nested value: an envelope (dict with ``t`` and ``v``) or anything else as-is."""
    if isinstance(node, EncodedValue):
        return decode_envelope(node.tag, node.value, registry)
    if isinstance(node, dict) and TYPE_TOKEN in node and VALUE_TOKEN in node:
        return decode_envelope(node[TYPE_TOKEN], node[VALUE_TOKEN], registry)
    return node


def _invalid(tag: str, error: Exception) -> LocatedError:
    return LocatedError(f'Invalid value for type tag "{tag}"', str(error) or repr(error))


def decode_envelope(tag: Any, value: Any, registry: TypeRegistry) -> Any:
    """Decode the value ``value`` written under ``tag``.

    Scalars are converted the way the reference converts them (``"i"`` with
    ``"12"`` gives ``12``); containers must have the right JSON shape.

    Raises:
        LocatedError: unknown tag, wrong container shape, unreadable value,
            or a registered codec that failed.
    """
    if not isinstance(tag, str):
        raise LocatedError(f'Unknown type tag: "{tag}"')
    try:
        if tag == "n":
            return None
        if tag == "s":
            return value if type(value) is str else str(value)
        if tag == "b":
            return bool(value)
        if tag == "i":
            return int(value)
        if tag == "f":
            return float(value)
        if tag == "B":
            if not isinstance(value, str):
                raise TypeError(f"expected base64 text, got {type(value)}")
            return base64.b64decode(value.encode("utf-8"))
        if tag == "u":
            if not isinstance(value, str):
                raise TypeError(f"expected UUID text, got {type(value)}")
            return uuid.UUID(value)
        if tag == "d":
            return decimal.Decimal(value)
        if tag == "dt":
            if not isinstance(value, str):
                raise TypeError(f"expected ISO 8601 text, got {type(value)}")
            return parse_datetime(value)
        if tag == "D":
            if not isinstance(value, str):
                raise TypeError(f"expected ISO 8601 text, got {type(value)}")
            return datetime.date.fromisoformat(value)
    except (TypeError, ValueError, ArithmeticError, binascii.Error) as error:
        raise _invalid(tag, error) from error
    if tag == "l":
        return _decode_items(value, registry)
    if tag == "t":
        return tuple(_decode_items(value, registry))
    if tag == "m":
        return _decode_mapping(value, registry)
    entry = registry.for_tag(tag)
    if entry is not None:
        body = _decode_mapping(value, registry)
        try:
            return entry.decode(body)
        except Exception as error:
            problem = f'Codec for type tag "{tag}" failed to decode'
            raise LocatedError(problem, repr(error)) from error
    if tag == TypeTag.BATCH_RESULT:
        raise LocatedError(f'No codec registered for type tag "{tag}"', _BATCH_RESULT_HINT)
    raise LocatedError(f'Unknown type tag: "{tag}"')


def _decode_items(value: Any, registry: TypeRegistry) -> list[Any]:
    if not isinstance(value, list):
        raise LocatedError(f"Expected list, got {type(value)}")
    decoded = []
    for index, item in enumerate(value):
        try:
            decoded.append(decode_value(item, registry))
        except LocatedError as error:
            error.add_outer(index)
            raise
    return decoded


def _decode_mapping(value: Any, registry: TypeRegistry) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise LocatedError(f"Expected dict, got {type(value)}")
    decoded = {}
    for key, item in value.items():
        try:
            decoded[key] = decode_value(item, registry)
        except LocatedError as error:
            error.add_outer(key if isinstance(key, str) else DictKey(key))
            raise
    return decoded


def deserialize_checked(obj: Any, registry: TypeRegistry) -> Any:
    """Decode a parsed payload that is not plain JSON: it must be an envelope.

    Raises:
        LocatedError: the root is not an envelope, anything inside is
            malformed, or the payload is nested too deeply.
    """
    if not (isinstance(obj, dict) and TYPE_TOKEN in obj and VALUE_TOKEN in obj):
        raise LocatedError('Malformed envelope: missing "t" or "v" at root.')
    try:
        return decode_envelope(obj[TYPE_TOKEN], obj[VALUE_TOKEN], registry)
    except RecursionError:
        raise LocatedError(
            "Payload is nested too deeply to deserialize",
            "the interpreter's recursion limit was reached",
        ) from None


# endregion
