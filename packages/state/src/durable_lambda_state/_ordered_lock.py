"""A first-come, first-served mutual exclusion lock that stays broken after a failure."""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType

from durable_lambda_client import OrderedLockError

__all__ = ["OrderedLock"]


class OrderedLock:
    """A lock granted in the order it was requested, which refuses everyone after a failure.

    ``threading.Lock`` wakes waiters in no particular order; when several threads must
    take turns in the order they arrived (for example so that their checkpoints reach
    the service in program order), grant the lock through a queue of tickets instead.

    If an ``Exception`` escapes a ``with`` block holding the lock, the lock *breaks*:
    the holder's exception propagates as usual, and every thread already waiting, as
    well as every later ``acquire``, raises ``OrderedLockError`` carrying that
    exception, until ``reset`` is called. Suspensions and other ``BaseException``s
    that are not ``Exception``s leave the lock intact: they are control flow, not
    failures.

    Example:
        >>> lock = OrderedLock()
        >>> with lock:
        ...     pass
        >>> lock.is_broken()
        False
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._tickets: deque[threading.Event] = deque()
        self._held = False
        self._broken = False
        self._broken_by: Exception | None = None

    def acquire(self) -> bool:
        """Wait for this thread's turn, then hold the lock.

        Returns:
            True (the lock is held by the caller).

        Raises:
            OrderedLockError: the lock is broken, now or while the caller waited.
        """
        with self._mutex:
            self._raise_if_broken()
            if not self._held:
                self._held = True
                return True
            ticket = threading.Event()
            self._tickets.append(ticket)
        ticket.wait()
        # The previous holder handed the lock straight to this ticket.
        with self._mutex:
            if self._broken:
                self._hand_over()
                self._raise_if_broken()
        return True

    def release(self) -> None:
        """Give the lock to the longest-waiting thread, or free it.

        Raises:
            RuntimeError: the lock is not held.
        """
        with self._mutex:
            if not self._held:
                raise RuntimeError("OrderedLock.release() called while the lock is not held")
            self._hand_over()

    def reset(self) -> None:
        """Repair a broken lock so that it can be acquired again."""
        with self._mutex:
            self._broken = False
            self._broken_by = None

    def is_broken(self) -> bool:
        """Return True when a failure inside the lock has broken it."""
        return self._broken

    def __enter__(self) -> OrderedLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(exc, Exception):
            with self._mutex:
                self._broken = True
                self._broken_by = exc
        self.release()

    def _hand_over(self) -> None:
        # Ownership passes directly to the next ticket, so nobody can overtake it.
        if self._tickets:
            self._tickets.popleft().set()
        else:
            self._held = False

    def _raise_if_broken(self) -> None:
        if self._broken:
            raise OrderedLockError(
                "OrderedLock is broken by an earlier failure; call reset() before reuse",
                self._broken_by,
            )
