"""What an item can ask the batch while it runs: "am I cancelled?" and "may I still write?".

Python cannot stop a running thread, so cancellation is cooperative: when a
batch closes (decided, suspended as a whole, or failed), every item still
running is asked to stop and notices at its next ``check()``. Anything an
item wants to record outside the batch (a checkpoint, a file, a message)
goes inside ``with ctx.writing():``; once the batch has closed the block is
refused, and the batch does not return while a block is in progress, so
nothing is written after the caller got its result.
"""

from __future__ import annotations

import threading
from types import TracebackType

from durable_lambda_concurrency._errors import ItemCancelled

__all__ = ["ItemContext", "RunControl"]


class RunControl:
    """State one batch run shares with its items: the lock, "closed", the write gate.

    The executor guards all of its own state with :attr:`lock` as well, so
    "the batch closed" and "an item started writing" are ordered.
    """

    __slots__ = ("_writers", "_writers_drained", "cancelled", "closed", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = False
        self.cancelled = threading.Event()
        self._writers = 0
        self._writers_drained = threading.Condition(self.lock)

    def close_locked(self) -> None:
        """Close the run (caller holds :attr:`lock`): refuse new writes, signal cancellation."""
        self.closed = True
        self.cancelled.set()

    def wait_for_writers_locked(self) -> None:
        """Wait (caller holds :attr:`lock`) until no write block is in progress."""
        while self._writers:
            self._writers_drained.wait()

    def enter_write(self, index: int) -> None:
        """Open a write block for item ``index``, or raise ``ItemCancelled`` if closed."""
        with self.lock:
            if self.closed:
                msg = f"batch item {index} may not write: the batch has closed"
                raise ItemCancelled(msg)
            self._writers += 1

    def exit_write(self) -> None:
        """Close a write block, waking a closing run waiting for the last one."""
        with self.lock:
            self._writers -= 1
            if self._writers == 0:
                self._writers_drained.notify_all()


class _WritePermit:
    __slots__ = ("_control", "_index")

    def __init__(self, control: RunControl, index: int) -> None:
        self._control = control
        self._index = index

    def __enter__(self) -> None:
        self._control.enter_write(self._index)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._control.exit_write()


class ItemContext:
    """Handed to every item the executor runs.

    Attributes:
        index: the item's position in the batch, from 0.
        attempt: 1 on the first run, 2 after the first resume, and so on.
    """

    __slots__ = ("_control", "attempt", "index")

    def __init__(self, control: RunControl, index: int, attempt: int) -> None:
        self._control = control
        self.index = index
        self.attempt = attempt

    @property
    def cancelled(self) -> threading.Event:
        """Set once the batch no longer needs this item; ``wait()`` on it to sleep interruptibly."""
        return self._control.cancelled

    def is_cancelled(self) -> bool:
        """Whether the batch has closed and this item should stop."""
        return self._control.closed

    def check(self) -> None:
        """Raise :class:`ItemCancelled` if the batch has closed; call it between units of work.

        Raises:
            ItemCancelled: the batch no longer needs this item.
        """
        if self._control.closed:
            msg = f"batch item {self.index} was cancelled: the batch has closed"
            raise ItemCancelled(msg)

    def may_write(self) -> bool:
        """Whether a write would still be accepted right now (a hint; use :meth:`writing`)."""
        return not self._control.closed

    def writing(self) -> _WritePermit:
        """A ``with`` block inside which the item may record something outside the batch.

        Entering raises :class:`ItemCancelled` once the batch has closed. While
        any block is open, the batch waits before returning, so keep the block
        to the write itself.

        Example:
            >>> def item(ctx: ItemContext) -> None:
            ...     with ctx.writing():
            ...         ...  # save the item's output
        """
        return _WritePermit(self._control, self.index)

    def __repr__(self) -> str:
        return (
            f"ItemContext(index={self.index}, attempt={self.attempt}, "
            f"cancelled={self._control.closed})"
        )
