"""The type registry: how packages teach the extended-types serdes their own classes.

serdes imports nothing but the standard library, yet some values it must
carry belong to other packages (``BatchResult`` lives in concurrency). Those
packages register a codec here instead: an ``encode`` that turns the object
into a dict and a ``decode`` that rebuilds it. The envelope is
``{"t": <tag>, "v": <that dict, encoded>}``, the same shape the reference SDK
writes for ``BatchResult`` under the tag ``"br"``.
"""

from __future__ import annotations

import datetime
import decimal
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from durable_lambda_serdes._envelope_format import TypeTag
from durable_lambda_serdes._errors import SerDesError

__all__ = ["TYPE_REGISTRY", "TypeCodecRegistration", "TypeRegistry", "register_type_codec"]

T = TypeVar("T")

_BUILT_IN_TAGS = frozenset(tag.value for tag in TypeTag if tag is not TypeTag.BATCH_RESULT)

# Values of exactly these types never reach the registry, so registering them
# would silently do nothing; subclasses may be registered.
_NATIVE_TYPES: frozenset[type] = frozenset(
    {
        type(None),
        str,
        int,
        float,
        bool,
        bytes,
        bytearray,
        memoryview,
        uuid.UUID,
        decimal.Decimal,
        datetime.datetime,
        datetime.date,
        list,
        tuple,
        dict,
        object,
    }
)


def _is_redefinition(old: type, new: type) -> bool:
    """The same class defined again: a reloaded module, a re-run notebook cell."""
    return (old.__module__, old.__qualname__) == (new.__module__, new.__qualname__)


@dataclass(frozen=True)
class TypeCodecRegistration(Generic[T]):
    """One registered class: its tag and the functions converting it to and from a dict."""

    cls: type[T]
    tag: str
    encode: Callable[[T], dict[str, Any]]
    decode: Callable[[dict[str, Any]], T]


class TypeRegistry:
    """Codecs for classes the extended-types serdes does not know natively.

    A class is found for its instances and for instances of its subclasses
    (nearest registered base wins). Lookups take no lock: registration swaps
    in new dicts, so a reader sees either the old or the new table.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_class: dict[type, TypeCodecRegistration[Any]] = {}
        self._by_tag: dict[str, TypeCodecRegistration[Any]] = {}

    def register(
        self,
        cls: type[T],
        tag: TypeTag | str,
        encode: Callable[[T], dict[str, Any]],
        decode: Callable[[dict[str, Any]], T],
    ) -> None:
        """Encode instances of ``cls`` as ``{"t": tag, "v": <encode(obj), encoded as a dict>}``.

        Registering the same class under the same tag again replaces its two
        functions; so does registering a class of the same module and name
        (the class defined again, as when a module is reloaded).

        Args:
            cls: the class; not one of the types the serdes handles natively.
            tag: the envelope tag; ``TypeTag.BATCH_RESULT`` or a string of
                your own that is not a built-in tag.
            encode: returns a dict whose values the extended-types serdes can
                encode (str keys keep round-trips exact).
            decode: receives that dict, decoded, and returns the object.

        Raises:
            SerDesError: an argument is invalid, ``cls`` is registered under
                another tag, or ``tag`` belongs to another class.
        """
        if not isinstance(cls, type):
            raise SerDesError(f"register_type_codec: cls must be a class, got {cls!r}")
        if cls in _NATIVE_TYPES:
            raise SerDesError(
                f"register_type_codec: {cls} is handled natively and cannot be registered"
            )
        if not isinstance(tag, str) or not tag:
            raise SerDesError(f"register_type_codec: tag must be a non-empty str, got {tag!r}")
        tag = str(tag)
        if tag in _BUILT_IN_TAGS:
            raise SerDesError(
                f'register_type_codec: type tag "{tag}" is built in; choose another tag for {cls}'
            )
        if not callable(encode) or not callable(decode):
            raise SerDesError(f"register_type_codec: encode and decode for {cls} must be callable")
        entry = TypeCodecRegistration(cls=cls, tag=tag, encode=encode, decode=decode)
        with self._lock:
            existing = self._by_class.get(cls)
            if existing is not None and existing.tag != tag:
                raise SerDesError(
                    f"register_type_codec: {cls} is already registered under type tag "
                    f'"{existing.tag}", not "{tag}"'
                )
            by_class = dict(self._by_class)
            owner = self._by_tag.get(tag)
            if owner is not None and owner.cls is not cls:
                if not _is_redefinition(owner.cls, cls):
                    raise SerDesError(
                        f'register_type_codec: type tag "{tag}" is already registered for '
                        f"{owner.cls}; cannot register {cls}"
                    )
                del by_class[owner.cls]
            by_class[cls] = entry
            self._by_class = by_class
            self._by_tag = {**self._by_tag, tag: entry}

    def __copy__(self) -> TypeRegistry:
        # A registry is shared state: configs holding a serdes may be copied,
        # and the copy must keep seeing later registrations.
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> TypeRegistry:
        return self

    def __reduce__(self) -> str | tuple[Any, ...]:
        if self is TYPE_REGISTRY:
            return "TYPE_REGISTRY"  # unpickles as the receiving process's registry
        raise TypeError("only the process-wide TYPE_REGISTRY can be pickled")

    def for_type(self, cls: type) -> TypeCodecRegistration[Any] | None:
        """The registration for ``cls`` or its nearest registered base class, if any."""
        by_class = self._by_class
        if not by_class:
            return None
        entry = by_class.get(cls)
        if entry is not None:
            return entry
        for base in cls.__mro__[1:]:
            entry = by_class.get(base)
            if entry is not None:
                return entry
        return None

    def for_tag(self, tag: str) -> TypeCodecRegistration[Any] | None:
        """The registration that owns ``tag``, if any."""
        return self._by_tag.get(tag)


TYPE_REGISTRY = TypeRegistry()
"""The process-wide registry used by ``EXTENDED_TYPES_SERDES`` and ``ExtendedTypeSerDes()``."""


def register_type_codec(
    cls: type[T],
    tag: TypeTag | str,
    encode: Callable[[T], dict[str, Any]],
    decode: Callable[[dict[str, Any]], T],
) -> None:
    """Teach the extended-types serdes a class of your own, process-wide.

    Example::

        register_type_codec(
            Money, "money",
            encode=lambda m: {"amount": m.amount, "currency": m.currency},
            decode=lambda d: Money(d["amount"], d["currency"]),
        )

    See ``TypeRegistry.register`` for the arguments and errors.
    """
    TYPE_REGISTRY.register(cls, tag, encode, decode)
