"""The vocabulary of the extended-types envelope: its two keys and its type tags.

Every non-plain value is written as ``{"t": <tag>, "v": <value>}``; these names
are shared with the reference SDK, so the strings here are wire format and
must never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["TYPE_TOKEN", "VALUE_TOKEN", "EncodedValue", "TypeTag"]

TYPE_TOKEN: str = "t"
"""Envelope key holding the type tag."""

VALUE_TOKEN: str = "v"
"""Envelope key holding the encoded value."""


class TypeTag(StrEnum):
    """The type tags of the envelope format; each value is the tag written on the wire."""

    NONE = "n"
    STR = "s"
    INT = "i"
    FLOAT = "f"
    BOOL = "b"
    BYTES = "B"
    UUID = "u"
    DECIMAL = "d"
    DATETIME = "dt"
    DATE = "D"
    TUPLE = "t"
    LIST = "l"
    DICT = "m"
    BATCH_RESULT = "br"
    """Reserved for ``BatchResult``; its codec is added through the type registry."""


@dataclass(frozen=True)
class EncodedValue:
    """One envelope as a Python object: the tag and the encoded value.

    Containers hold further ``EncodedValue`` objects (a list for ``l``/``t``,
    a dict for ``m`` and registered types). ``tag`` is a plain ``str`` only for
    types registered under a tag of their own with ``register_type_codec``.
    """

    tag: TypeTag | str
    value: Any
