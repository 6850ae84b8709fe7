"""Per-type codecs: the envelope rules as objects, one family of types each.

These mirror the reference SDK's codec classes for code that calls them
directly (``TYPE_CODEC.encode(value)`` gives the ``EncodedValue`` tree). The
serdes itself does not go through them; all of them apply the single set of
rules in ``_envelope_checked``.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, ClassVar, Protocol

from durable_lambda_serdes._envelope_checked import decode_envelope, encode_checked
from durable_lambda_serdes._envelope_format import EncodedValue, TypeTag
from durable_lambda_serdes._errors import SerDesError
from durable_lambda_serdes._locations import LocatedError
from durable_lambda_serdes._registry import TYPE_REGISTRY, TypeRegistry

__all__ = [
    "TYPE_CODEC",
    "BytesCodec",
    "Codec",
    "ContainerCodec",
    "DateTimeCodec",
    "DecimalCodec",
    "PrimitiveCodec",
    "TypeCodec",
    "UuidCodec",
]


class Codec(Protocol):
    """Encodes one family of Python types to ``EncodedValue`` and decodes their tags."""

    def encode(self, obj: Any) -> EncodedValue:
        """Return the envelope of ``obj``."""
        ...

    def decode(self, tag: TypeTag, value: Any) -> Any:
        """Return the Python value written as ``value`` under ``tag``."""
        ...


class _FamilyCodec:
    """A codec limited to some types and tags; the rules themselves are shared."""

    types: ClassVar[tuple[type, ...]] = ()
    tags: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, registry: TypeRegistry | None = None) -> None:
        self._registry = TYPE_REGISTRY if registry is None else registry

    def accepts_type(self, obj: Any) -> bool:
        return isinstance(obj, self.types)

    def accepts_tag(self, tag: Any) -> bool:
        return tag in self.tags

    def encode(self, obj: Any) -> EncodedValue:
        """Return the envelope of ``obj``, with its contents encoded too.

        Raises:
            SerDesError: ``obj`` is not of this codec's types, or it (or
                something inside it) cannot be encoded.
        """
        if not self.accepts_type(obj):
            raise SerDesError(f"{type(self).__name__} cannot encode {type(obj)}")
        try:
            return encode_checked(obj, self._registry)
        except LocatedError as error:
            raise error.public() from error.__cause__

    def decode(self, tag: TypeTag | str, value: Any) -> Any:
        """Return the value written as ``value`` under ``tag``.

        ``value`` may hold nested envelopes as dicts (parsed JSON) or as
        ``EncodedValue`` objects.

        Raises:
            SerDesError: ``tag`` is not one of this codec's, or ``value`` is
                malformed.
        """
        if not self.accepts_tag(tag):
            raise SerDesError(f'{type(self).__name__} cannot decode type tag "{tag}"')
        try:
            return decode_envelope(tag, value, self._registry)
        except LocatedError as error:
            raise error.public() from error.__cause__


class PrimitiveCodec(_FamilyCodec):
    """``None``, ``str``, ``bool``, ``int`` and ``float`` (tags ``n s b i f``)."""

    types = (type(None), str, bool, int, float)
    tags = frozenset({TypeTag.NONE, TypeTag.STR, TypeTag.BOOL, TypeTag.INT, TypeTag.FLOAT})


class BytesCodec(_FamilyCodec):
    """``bytes``, ``bytearray`` and ``memoryview`` as base64 text (tag ``B``)."""

    types = (bytes, bytearray, memoryview)
    tags = frozenset({TypeTag.BYTES})


class UuidCodec(_FamilyCodec):
    """``uuid.UUID`` as its canonical text (tag ``u``)."""

    types = (uuid.UUID,)
    tags = frozenset({TypeTag.UUID})


class DecimalCodec(_FamilyCodec):
    """``decimal.Decimal`` as ``str(d)``, precision kept (tag ``d``)."""

    types = (decimal.Decimal,)
    tags = frozenset({TypeTag.DECIMAL})


class DateTimeCodec(_FamilyCodec):
    """``datetime`` and ``date`` as ISO 8601 text (tags ``dt`` and ``D``)."""

    types = (datetime.datetime, datetime.date)
    tags = frozenset({TypeTag.DATETIME, TypeTag.DATE})


class ContainerCodec(_FamilyCodec):
    """``list``, ``tuple``, ``dict`` and registered classes (tags ``l t m`` and registered)."""

    types = (list, tuple, dict)
    tags = frozenset({TypeTag.LIST, TypeTag.TUPLE, TypeTag.DICT})

    def accepts_type(self, obj: Any) -> bool:
        return super().accepts_type(obj) or self._registry.for_type(type(obj)) is not None

    def accepts_tag(self, tag: Any) -> bool:
        return super().accepts_tag(tag) or (
            isinstance(tag, str)
            and (tag == TypeTag.BATCH_RESULT or self._registry.for_tag(tag) is not None)
        )


class TypeCodec(_FamilyCodec):
    """Every supported type and tag: the dispatcher over all the codecs above."""

    def accepts_type(self, obj: Any) -> bool:
        return True

    def accepts_tag(self, tag: Any) -> bool:
        return True


TYPE_CODEC = TypeCodec()
"""The codec for every type, over the process-wide registry."""
