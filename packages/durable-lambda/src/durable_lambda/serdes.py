"""Serialization (the reference SDK's ``serdes`` module).

``serialize``/``deserialize`` are the durable wrappers: a failure raises
``ExecutionError`` naming the operation id.
"""

from durable_lambda_context import deserialize, serialize
from durable_lambda_serdes import (
    DEFAULT_JSON_SERDES,
    EXTENDED_TYPES_SERDES,
    TYPE_CODEC,
    TYPE_TOKEN,
    VALUE_TOKEN,
    BytesCodec,
    Codec,
    ContainerCodec,
    DateTimeCodec,
    DecimalCodec,
    EncodedValue,
    ExtendedTypeSerDes,
    JsonSerDes,
    PassThroughSerDes,
    PrimitiveCodec,
    SerDes,
    SerDesContext,
    TypeCodec,
    TypeTag,
    UuidCodec,
    register_type_codec,
)

__all__ = [
    "DEFAULT_JSON_SERDES",
    "EXTENDED_TYPES_SERDES",
    "TYPE_CODEC",
    "TYPE_TOKEN",
    "VALUE_TOKEN",
    "BytesCodec",
    "Codec",
    "ContainerCodec",
    "DateTimeCodec",
    "DecimalCodec",
    "EncodedValue",
    "ExtendedTypeSerDes",
    "JsonSerDes",
    "PassThroughSerDes",
    "PrimitiveCodec",
    "SerDes",
    "SerDesContext",
    "TypeCodec",
    "TypeTag",
    "UuidCodec",
    "deserialize",
    "register_type_codec",
    "serialize",
]
