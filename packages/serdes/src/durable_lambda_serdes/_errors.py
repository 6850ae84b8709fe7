"""The root of the durable-lambda exception hierarchy.

It lives in the bottom package so that ``SerDesError`` can subclass
``DurableExecutionsError`` while serdes depends on nothing; the client package
re-exports both names, so ``except DurableExecutionsError`` catches every error
any durable package raises.
"""

from __future__ import annotations


class DurableExecutionsError(Exception):
    """Base class of every exception raised by the durable-lambda packages."""


class SerDesError(DurableExecutionsError):
    """A value could not be serialized or a payload could not be deserialized.

    The message names the unsupported type (or the malformed part of the
    payload) and where in the value it sits, e.g. ``$.items[2].when``.
    """
