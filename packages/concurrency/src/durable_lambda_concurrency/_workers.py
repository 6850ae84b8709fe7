"""The named daemon threads of one batch run, so a caller can wait for stragglers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["WorkerGroup"]


class WorkerGroup:
    """The worker threads one ``BatchExecutor.run`` started.

    Threads are daemons: an item that ignores cancellation never keeps the
    interpreter from exiting. :meth:`join` lets a caller that cares wait for
    them.
    """

    __slots__ = ("_threads",)

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []

    def start(self, name: str, target: Callable[[], None]) -> None:
        """Start one named daemon thread running ``target``."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    @property
    def names(self) -> list[str]:
        """Names of every thread started, alive or not."""
        return [thread.name for thread in self._threads]

    def alive_count(self) -> int:
        """How many of the threads are still running."""
        return sum(1 for thread in self._threads if thread.is_alive())

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every thread has exited, at most ``timeout`` seconds in all.

        Returns:
            ``True`` when no thread is left running.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)
        return self.alive_count() == 0
