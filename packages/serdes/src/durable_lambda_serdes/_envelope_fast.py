"""The extended-types envelope at speed: the same text and values as ``_envelope_checked``.

Encoding writes the JSON text directly, dispatching on the exact type with an
``if`` chain ordered by how common each type is, instead of building an
``EncodedValue`` per node and then a dict tree for ``json.dumps``. Decoding
walks the parsed JSON once and returns well-typed scalars without a call.

Nothing here checks anything: any exception (an unsupported type, a non-str
key, a malformed payload) makes the serdes start over with the checked
module, which gives the result or the precise error. The property tests hold
the two modules to the same output.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json.encoder
import uuid
from collections.abc import Callable
from typing import Any

from durable_lambda_serdes._envelope_checked import decode_envelope, parse_datetime
from durable_lambda_serdes._registry import TypeRegistry

__all__ = ["FastEnvelope"]

_escape: Callable[[str], str] = json.encoder.encode_basestring_ascii


class _Unsupported(Exception):
    """Internal: the fast encoder met something only the checked encoder can judge."""


def _float_text(number: float) -> str:
    # json's spelling: repr for finite numbers, NaN/Infinity/-Infinity otherwise.
    if number != number:
        return "NaN"
    if number == float("inf"):
        return "Infinity"
    if number == -float("inf"):
        return "-Infinity"
    return float.__repr__(number)


def _key_text(key: Any) -> str:
    """A dict key as json writes it (it turns non-str keys into strings)."""
    if isinstance(key, str):
        return _escape(key)
    if isinstance(key, float):
        return f'"{_float_text(key)}"'
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return f'"{int.__repr__(key)}"'
    raise _Unsupported


class FastEnvelope:
    """Envelope text from values and values from parsed envelopes, for one registry."""

    def __init__(self, registry: TypeRegistry) -> None:
        self.encode, self.decode = _build(registry)


def _build(registry: TypeRegistry) -> tuple[Callable[[Any], str], Callable[[Any], Any]]:
    # Closures rather than methods: every name the hot loops touch is a local
    # or a cell, which CPython reads faster than attributes or globals.
    escape = _escape
    int_repr = int.__repr__
    float_repr = float.__repr__
    b64encode = base64.b64encode
    b64decode = base64.b64decode
    date_from_iso = datetime.date.fromisoformat
    datetime_type = datetime.datetime
    date_type = datetime.date
    decimal_type = decimal.Decimal
    uuid_type = uuid.UUID
    for_type = registry.for_type
    for_tag = registry.for_tag

    def encode(obj: Any) -> str:
        t = type(obj)
        if t is str:
            return f'{{"t":"s","v":{escape(obj)}}}'
        if t is dict:
            try:
                return (
                    '{"t":"m","v":{'
                    + ",".join([f"{escape(k)}:{encode(v)}" for k, v in obj.items()])
                    + "}}"
                )
            except TypeError:
                return f'{{"t":"m","v":{encode_mapping_any_keys(obj)}}}'
        if t is int:
            return f'{{"t":"i","v":{int_repr(obj)}}}'
        if t is float:
            if obj - obj == 0.0:  # finite
                return f'{{"t":"f","v":{float_repr(obj)}}}'
            return f'{{"t":"f","v":{_float_text(obj)}}}'
        if t is bool:
            return '{"t":"b","v":true}' if obj else '{"t":"b","v":false}'
        if obj is None:
            return '{"t":"n","v":null}'
        if t is list:
            return '{"t":"l","v":[' + ",".join([encode(item) for item in obj]) + "]}"
        if t is datetime_type:
            return f'{{"t":"dt","v":"{obj.isoformat()}"}}'
        if t is decimal_type:
            return f'{{"t":"d","v":"{obj!s}"}}'
        if t is uuid_type:
            return f'{{"t":"u","v":"{obj!s}"}}'
        if t is tuple:
            return '{"t":"t","v":[' + ",".join([encode(item) for item in obj]) + "]}"
        if t is date_type:
            return f'{{"t":"D","v":"{obj.isoformat()}"}}'
        if t is bytes:
            return f'{{"t":"B","v":"{b64encode(obj).decode("ascii")}"}}'
        return encode_other(obj)

    def encode_mapping(mapping: dict[Any, Any]) -> str:
        try:
            return "{" + ",".join([f"{escape(k)}:{encode(v)}" for k, v in mapping.items()]) + "}"
        except TypeError:
            return encode_mapping_any_keys(mapping)

    def encode_mapping_any_keys(mapping: dict[Any, Any]) -> str:
        # escape() raised TypeError for a key that is not a str; json turns
        # int, float, bool and None keys into strings, anything else raises.
        return "{" + ",".join([f"{_key_text(k)}:{encode(v)}" for k, v in mapping.items()]) + "}"

    def encode_other(obj: Any) -> str:
        """Subclasses of the native types (enums, OrderedDict...) and registered classes."""
        entry = for_type(type(obj))
        if entry is not None:
            data = entry.encode(obj)
            if not isinstance(data, dict):
                raise _Unsupported
            return f'{{"t":{escape(entry.tag)},"v":{encode_mapping(data)}}}'
        if isinstance(obj, str):
            return f'{{"t":"s","v":{escape(obj)}}}'
        if isinstance(obj, int):
            return f'{{"t":"i","v":{int_repr(obj)}}}'
        if isinstance(obj, float):
            return f'{{"t":"f","v":{_float_text(obj)}}}'
        if isinstance(obj, bytes | bytearray | memoryview):
            return f'{{"t":"B","v":"{b64encode(bytes(obj)).decode("ascii")}"}}'
        if isinstance(obj, uuid_type):
            return f'{{"t":"u","v":{escape(str(obj))}}}'
        if isinstance(obj, decimal_type):
            return f'{{"t":"d","v":{escape(str(obj))}}}'
        if isinstance(obj, datetime_type):
            return f'{{"t":"dt","v":{escape(obj.isoformat())}}}'
        if isinstance(obj, date_type):
            return f'{{"t":"D","v":{escape(obj.isoformat())}}}'
        if isinstance(obj, list):
            return '{"t":"l","v":[' + ",".join([encode(item) for item in obj]) + "]}"
        if isinstance(obj, tuple):
            return '{"t":"t","v":[' + ",".join([encode(item) for item in obj]) + "]}"
        if isinstance(obj, dict):
            return f'{{"t":"m","v":{encode_mapping(obj)}}}'
        raise _Unsupported

    # A scalar stored under its own tag with its own JSON type is returned as is.
    plain_types: dict[str, type] = {"s": str, "i": int, "f": float, "b": bool, "n": type(None)}
    plain_type_of = plain_types.get

    def decode(node: Any) -> Any:
        try:
            tag = node["t"]
            value = node["v"]
        except (KeyError, TypeError):
            # Not an envelope: a dict without "t"/"v" (KeyError) or a list or
            # scalar (TypeError); nested values like these are kept as they are.
            return node
        if plain_type_of(tag) is type(value):
            return value
        if tag == "m":
            if type(value) is dict:
                return {k: decode(v) for k, v in value.items()}
        elif tag == "l":
            if type(value) is list:
                return [decode(item) for item in value]
        elif tag == "dt":
            return parse_datetime(value)
        elif tag == "d":
            return decimal_type(value)
        elif tag == "u":
            return uuid_type(value)
        elif tag == "t":
            if type(value) is list:
                return tuple([decode(item) for item in value])
        elif tag == "D":
            return date_from_iso(value)
        elif tag == "B":
            return b64decode(value)
        else:
            entry = for_tag(tag)
            if entry is not None and type(value) is dict:
                return entry.decode({k: decode(v) for k, v in value.items()})
        # Scalar conversions, wrong shapes and unknown tags: the checked rules.
        return decode_envelope(tag, value, registry)

    return encode, decode
