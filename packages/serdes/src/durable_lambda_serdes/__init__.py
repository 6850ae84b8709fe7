"""Value serialization for durable-lambda.

The ``SerDes`` protocol, the JSON, pass-through and extended-types serdes
(the reference SDK's envelope format, byte for byte), the per-type codecs,
and a type registry through which other packages add their own classes.
Standard library only.
"""

from durable_lambda_serdes._codecs import (
    TYPE_CODEC,
    BytesCodec,
    Codec,
    ContainerCodec,
    DateTimeCodec,
    DecimalCodec,
    PrimitiveCodec,
    TypeCodec,
    UuidCodec,
)
from durable_lambda_serdes._envelope_format import TYPE_TOKEN, VALUE_TOKEN, EncodedValue, TypeTag
from durable_lambda_serdes._errors import DurableExecutionsError, SerDesError
from durable_lambda_serdes._registry import (
    TYPE_REGISTRY,
    TypeCodecRegistration,
    TypeRegistry,
    register_type_codec,
)
from durable_lambda_serdes._serdes import (
    DEFAULT_JSON_SERDES,
    EXTENDED_TYPES_SERDES,
    ExtendedTypeSerDes,
    JsonSerDes,
    PassThroughSerDes,
    SerDes,
    SerDesContext,
    deserialize,
    serialize,
)

__all__ = [
    "DEFAULT_JSON_SERDES",
    "EXTENDED_TYPES_SERDES",
    "TYPE_CODEC",
    "TYPE_REGISTRY",
    "TYPE_TOKEN",
    "VALUE_TOKEN",
    "BytesCodec",
    "Codec",
    "ContainerCodec",
    "DateTimeCodec",
    "DecimalCodec",
    "DurableExecutionsError",
    "EncodedValue",
    "ExtendedTypeSerDes",
    "JsonSerDes",
    "PassThroughSerDes",
    "PrimitiveCodec",
    "SerDes",
    "SerDesContext",
    "SerDesError",
    "TypeCodec",
    "TypeCodecRegistration",
    "TypeRegistry",
    "TypeTag",
    "UuidCodec",
    "deserialize",
    "register_type_codec",
    "serialize",
]
