"""``OrderedCounter``: the per-context operation counter that operation ids come from."""

from __future__ import annotations

import threading


class OrderedCounter:
    """A thread-safe counter starting at 0.

    Each operation call increments its context's counter once; the value
    becomes part of the operation id. The lock only keeps values unique when
    several threads share a context: ids then depend on scheduling, which is
    why a context should be used from one thread at a time.
    """

    __slots__ = ("_lock", "_value")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def increment(self) -> int:
        """Add one and return the new value."""
        with self._lock:
            self._value += 1
            return self._value

    def decrement(self) -> int:
        """Subtract one and return the new value."""
        with self._lock:
            self._value -= 1
            return self._value

    def get_current(self) -> int:
        """Return the current value."""
        with self._lock:
            return self._value
