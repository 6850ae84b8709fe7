"""Change notifications: who wants to know when the service commits a change.

Tools that show an execution as it runs (``durable-lambda run``'s live view, a test
helper that waits for a history event) subscribe instead of re-reading the history on a
timer: the service publishes one :class:`ExecutionChange` per execution after every
commit that touched it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from durable_lambda_client import ExecutionStatus

__all__ = ["ChangeFeed", "ChangeListener", "ExecutionChange"]

_LOGGER = logging.getLogger("durable_lambda_local")


@dataclass(frozen=True, slots=True)
class ExecutionChange:
    """A committed change to one execution.

    Attributes:
        execution_arn: the execution that changed.
        status: its status after the change.
        event_count: the length of its history after the change (the highest EventId).
        deleted: the execution was deleted (by DeleteDurableExecution or retention).
    """

    execution_arn: str
    status: ExecutionStatus
    event_count: int
    deleted: bool = False


ChangeListener = Callable[[ExecutionChange], None]
"""Called on the thread that committed the change, after every lock is released; it
must return quickly (hand work to another thread) and must not raise."""


class ChangeFeed:
    """The listeners of one service; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: tuple[ChangeListener, ...] = ()

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` with every change from now on; returns the unsubscribe call."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            self._drop(listener)

        return unsubscribe

    def _drop(self, listener: ChangeListener) -> None:
        with self._lock:
            self._listeners = tuple(item for item in self._listeners if item is not listener)

    @property
    def active(self) -> bool:
        """True when someone listens (publishing is skipped otherwise)."""
        return bool(self._listeners)

    def publish(self, changes: Iterable[ExecutionChange]) -> None:
        """Hand ``changes`` to every listener. A listener that raises is logged and
        unsubscribed, so that it cannot break the commits that follow."""
        listeners = self._listeners
        if not listeners:
            return
        failed: list[ChangeListener] = []
        for change in changes:
            for listener in listeners:
                if listener in failed:
                    continue
                try:
                    listener(change)
                except Exception:
                    _LOGGER.exception("change listener %r failed and was unsubscribed", listener)
                    failed.append(listener)
                    self._drop(listener)
