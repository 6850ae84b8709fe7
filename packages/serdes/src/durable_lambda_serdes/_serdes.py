"""The ``SerDes`` protocol and the three serdes every durable operation chooses from.

A durable operation stores its result as a string in a checkpoint and reads it
back on replay; a ``SerDes`` is the pair of functions doing that. The SDK only
ever calls ``serialize(value, serdes_context)`` and
``deserialize(data, serdes_context)``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from durable_lambda_serdes._envelope_checked import (
    COMPACT_JSON,
    deserialize_checked,
    serialize_checked,
)
from durable_lambda_serdes._envelope_fast import FastEnvelope
from durable_lambda_serdes._errors import SerDesError
from durable_lambda_serdes._locations import LocatedError
from durable_lambda_serdes._registry import TYPE_REGISTRY, TypeRegistry

__all__ = [
    "DEFAULT_JSON_SERDES",
    "EXTENDED_TYPES_SERDES",
    "ExtendedTypeSerDes",
    "JsonSerDes",
    "PassThroughSerDes",
    "SerDes",
    "SerDesContext",
    "deserialize",
    "serialize",
]

T = TypeVar("T")
_R = TypeVar("_R")

_PLAIN_SCALARS = (str, int, float, bool)
_PLAIN_EXACT_TYPES = frozenset({str, int, float, bool, type(None)})


def _is_plain_json(obj: Any) -> bool:
    """``None``, ``str``, ``int``, ``float``, ``bool``, or lists (nested) of only those."""
    if type(obj) in _PLAIN_EXACT_TYPES:
        return True
    if isinstance(obj, list):
        for item in obj:
            if type(item) not in _PLAIN_EXACT_TYPES and not _is_plain_json(item):
                return False
        return True
    return obj is None or isinstance(obj, _PLAIN_SCALARS)


def _is_plain(obj: Any) -> bool:
    """``_is_plain_json``, with values too deep to tell (or cyclic) counted as not plain.

    The encoders then explain the depth or the cycle.
    """
    try:
        return _is_plain_json(obj)
    except RecursionError:
        return False


_TOO_DEEP_TO_DESERIALIZE = (
    "Payload is nested too deeply to deserialize: the interpreter's recursion limit was reached"
)


@dataclass(frozen=True)
class SerDesContext:
    """The operation a value belongs to, for serdes that need it (e.g. to key a store)."""

    operation_id: str = ""
    durable_execution_arn: str = ""


class SerDes(ABC, Generic[T]):
    """Turns values of type ``T`` into checkpoint strings and back.

    Subclass it to control how an operation's result is stored (encryption,
    compression, a schema of your own)::

        class UpperCaseSerDes(SerDes[str]):
            def serialize(self, value: str, serdes_context: SerDesContext) -> str:
                return value.upper()

            def deserialize(self, data: str, serdes_context: SerDesContext) -> str:
                return data.lower()
    """

    @abstractmethod
    def serialize(self, value: T, serdes_context: SerDesContext) -> str:
        """Return the string stored in the checkpoint for ``value``."""

    @abstractmethod
    def deserialize(self, data: str, serdes_context: SerDesContext) -> T:
        """Return the value that ``serialize`` turned into ``data``."""

    @staticmethod
    def is_primitive(obj: Any) -> bool:
        """Whether ``obj`` is ``None``, ``str``, ``int``, ``float``, ``bool`` or a list of those.

        Such values are stored as plain JSON by the extended-types serdes.
        """
        return _is_plain_json(obj)


class PassThroughSerDes(SerDes[T]):
    """Stores the value as it is and returns the stored string as it is.

    For values that already are the checkpoint string (callback results).
    Nothing is checked: a non-str value is handed on unchanged.
    """

    def serialize(self, value: T, serdes_context: SerDesContext) -> str:
        """Return ``value`` unchanged."""
        return cast(str, value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> T:
        """Return ``data`` unchanged."""
        return cast(T, data)


class JsonSerDes(SerDes[T]):
    """Plain ``json.dumps``/``json.loads`` with default settings (the invoke default).

    Types JSON has no word for (datetime, Decimal...) raise ``TypeError``;
    tuples come back as lists.
    """

    def serialize(self, value: T, serdes_context: SerDesContext) -> str:
        """Return ``json.dumps(value)``."""
        return json.dumps(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> T:
        """Return ``json.loads(data)``."""
        return cast(T, json.loads(data))


class ExtendedTypeSerDes(SerDes[T]):
    """JSON that keeps Python types: the default serdes of durable operations.

    ``None``, ``str``, ``int``, ``float``, ``bool`` and lists of only those are
    written as plain compact JSON. Anything else becomes a tagged envelope,
    ``{"t": <tag>, "v": <value>}``, at every level, so ``datetime``, ``date``,
    ``Decimal``, ``UUID``, ``bytes`` and ``tuple`` come back as themselves. The
    format is the reference SDK's, byte for byte.

    Classes of other packages are added through a ``TypeRegistry``
    (``register_type_codec``); by default the process-wide one.

    Example::

        serdes = ExtendedTypeSerDes()
        text = serdes.serialize({"when": date(2024, 1, 2)})
        # '{"t":"m","v":{"when":{"t":"D","v":"2024-01-02"}}}'
        serdes.deserialize(text) == {"when": date(2024, 1, 2)}
    """

    def __init__(self, registry: TypeRegistry | None = None) -> None:
        self._registry = TYPE_REGISTRY if registry is None else registry
        self._fast = FastEnvelope(self._registry)

    def __getstate__(self) -> dict[str, Any]:
        # The fast codec is closures over the registry: rebuilt, not copied.
        state = dict(self.__dict__)
        del state["_fast"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._fast = FastEnvelope(self._registry)

    def serialize(self, value: T, context: SerDesContext | None = None) -> str:
        """Return the compact JSON or envelope text of ``value``.

        Raises:
            SerDesError: an unsupported type, an unsupported dict key, a value
                that contains itself, or a failing registered codec; the
                message says what and where (``... at $.orders[2].when``).
        """
        try:
            return self._fast.encode(value) if not _is_plain(value) else COMPACT_JSON(value)
        except Exception:
            # The fast encoder checks nothing; the checked one writes the same
            # text or raises the precise error. (Plain values only fail here
            # when too deep or an int is too long: the checked one raises too.)
            return self._checked(serialize_checked, value)

    def deserialize(self, data: str, context: SerDesContext | None = None) -> T:
        """Return the value that ``serialize`` wrote as ``data``.

        Nested values that are not envelopes are returned as they are; a
        ``dt`` value may end with ``Z``; dict keys come back as strings.

        Raises:
            json.JSONDecodeError: ``data`` is not JSON.
            SerDesError: the root is neither plain JSON nor an envelope, a tag
                is unknown, a value does not fit its tag, or a registered codec
                failed; the message says where.
        """
        try:
            obj = json.loads(data)
            plain = _is_plain(obj)
        except RecursionError:
            raise SerDesError(_TOO_DEEP_TO_DESERIALIZE) from None
        if plain:
            return cast(T, obj)
        if type(obj) is dict and "t" in obj and "v" in obj:
            try:
                return cast(T, self._fast.decode(obj))
            except Exception:
                # As in serialize: the checked decoder decides.
                return cast(T, self._checked(deserialize_checked, obj))
        return cast(T, self._checked(deserialize_checked, obj))

    def _checked(self, run: Callable[[Any, TypeRegistry], _R], subject: Any) -> _R:
        try:
            return run(subject, self._registry)
        except LocatedError as error:
            # Often called while the fast path's failure is being handled: the
            # explicit cause keeps that internal failure out of the traceback.
            raise error.public() from error.__cause__


DEFAULT_JSON_SERDES: SerDes[Any] = JsonSerDes()
"""The serdes of invoke payloads and results."""

EXTENDED_TYPES_SERDES: SerDes[Any] = ExtendedTypeSerDes()
"""The default serdes of steps, child contexts, map/parallel and wait_for_condition."""


def serialize(
    serdes: SerDes[T] | None, value: T, operation_id: str, durable_execution_arn: str
) -> str:
    """Serialize ``value`` with ``serdes``, or ``EXTENDED_TYPES_SERDES`` when it is ``None``.

    Args:
        serdes: the serdes to use, or ``None`` for the extended-types serdes.
        value: the value to store.
        operation_id: passed to the serdes in its ``SerDesContext``.
        durable_execution_arn: passed to the serdes in its ``SerDesContext``.

    Returns:
        The checkpoint string.

    Raises:
        SerDesError: the serdes raised one (passed on unchanged), or it raised
            anything else, wrapped as ``Serialization failed for id: <id>,
            error: <error>.`` with the original as the cause.
    """
    active: SerDes[Any] = EXTENDED_TYPES_SERDES if serdes is None else serdes
    try:
        return active.serialize(value, SerDesContext(operation_id, durable_execution_arn))
    except SerDesError:
        raise
    except Exception as error:
        message = f"Serialization failed for id: {operation_id}, error: {error}."
        raise SerDesError(message) from error


def deserialize(
    serdes: SerDes[T] | None, data: str, operation_id: str, durable_execution_arn: str
) -> T:
    """Deserialize ``data`` with ``serdes``, or ``EXTENDED_TYPES_SERDES`` when it is ``None``.

    Args:
        serdes: the serdes to use, or ``None`` for the extended-types serdes.
        data: the checkpoint string.
        operation_id: passed to the serdes in its ``SerDesContext``.
        durable_execution_arn: passed to the serdes in its ``SerDesContext``.

    Returns:
        The stored value.

    Raises:
        SerDesError: the serdes raised one (passed on unchanged), or it raised
            anything else (invalid JSON included), wrapped as
            ``Deserialization failed for id: <id>, error: <error>.`` with the
            original as the cause.
    """
    active: SerDes[Any] = EXTENDED_TYPES_SERDES if serdes is None else serdes
    try:
        return cast(T, active.deserialize(data, SerDesContext(operation_id, durable_execution_arn)))
    except SerDesError:
        raise
    except Exception as error:
        raise SerDesError(
            f"Deserialization failed for id: {operation_id}, error: {error}."
        ) from error
