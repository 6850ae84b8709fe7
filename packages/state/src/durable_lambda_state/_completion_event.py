"""A one-shot signal that also says how the awaited work ended."""

from __future__ import annotations

import threading

__all__ = ["CompletionEvent"]


class CompletionEvent:
    """Wakes the threads waiting for one piece of work, with success or with its error.

    The checkpoint batcher gives one to every synchronous checkpoint: the waiting
    caller is released once its update is durable, or receives the error that made
    the update fail. Only the first ``set`` counts, so a late second outcome can
    never overwrite the one a waiter has already seen.

    Example:
        >>> event = CompletionEvent()
        >>> event.set()
        >>> event.wait()
        True
    """

    __slots__ = ("_error", "_event", "_lock")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._error: BaseException | None = None

    def set(self, error: BaseException | None = None) -> None:
        """Mark the work finished and wake every waiter.

        Args:
            error: the exception that ended the work, or None on success. Waiters
                re-raise it.
        """
        with self._lock:
            if self._event.is_set():
                return
            self._error = error
            self._event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work is finished.

        Args:
            timeout: seconds to wait at most; None waits for as long as it takes.

        Returns:
            True when the work succeeded; False when ``timeout`` expired first.

        Raises:
            BaseException: the error given to ``set``, if any.
        """
        if not self._event.wait(timeout):
            return False
        if self._error is not None:
            raise self._error
        return True

    def is_set(self) -> bool:
        """Return True once the work is finished, whatever its outcome."""
        return self._event.is_set()

    @property
    def error(self) -> BaseException | None:
        """The error the work ended with (None while pending or after success)."""
        return self._error
