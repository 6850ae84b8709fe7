"""Replay tracking: is user code still re-running work that an earlier invocation did?"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from enum import Enum

from durable_lambda_client import Operation, OperationStatus, OperationType

__all__ = ["ReplayStatus", "ReplayTracker"]

_TERMINAL = frozenset(
    {
        OperationStatus.SUCCEEDED,
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.STOPPED,
        OperationStatus.TIMED_OUT,
    }
)


class ReplayStatus(Enum):
    """Whether the handler is re-running completed work (REPLAY) or doing new work (NEW)."""

    REPLAY = "replay"
    NEW = "new"


class ReplayTracker:
    """Decides when replay ends, from the operations that were finished at start.

    Replay ends, for the rest of the invocation, when either

    * every operation that was already finished when the invocation started has been
      visited (an operation is visited when it ends with its stored outcome, together
      with all its stored descendants, which a completed child context or map never
      re-runs), or
    * user code reaches an operation that was not finished at start: from there on
      the code is doing new work.

    Each operation is visited at most once, so a whole replay costs time proportional
    to the number of stored operations.
    """

    def __init__(self, status: ReplayStatus, operations: Iterable[Operation]) -> None:
        self._lock = threading.Lock()
        self._status = status
        # id of every operation finished at start -> visited yet?
        self._finished: dict[str, bool] = {}
        self._unvisited = 0
        self._children: dict[str, list[str]] = {}
        self.load(operations, status)

    def load(self, operations: Iterable[Operation], status: ReplayStatus) -> None:
        """Take the invocation's starting state (call again after paging it in)."""
        finished: dict[str, bool] = {}
        children: dict[str, list[str]] = {}
        for operation in operations:
            if operation.operation_type is OperationType.EXECUTION:
                continue
            if operation.status in _TERMINAL:
                finished[operation.operation_id] = False
            parent = operation.parent_id
            if parent is not None:
                siblings = children.get(parent)
                if siblings is None:
                    children[parent] = [operation.operation_id]
                else:
                    siblings.append(operation.operation_id)
        with self._lock:
            self._finished = finished
            self._unvisited = len(finished)
            self._children = children
            self._status = status

    @property
    def status(self) -> ReplayStatus:
        """The current status."""
        return self._status

    def is_replaying(self) -> bool:
        """True while the status is REPLAY."""
        return self._status is ReplayStatus.REPLAY

    def track(self, operation_id: str) -> None:
        """Record that ``operation_id`` ended with its stored outcome (or ran anew)."""
        if self._status is ReplayStatus.NEW:
            return
        with self._lock:
            # Another thread may have ended replay while this one waited for the lock.
            if not self.is_replaying():
                return
            finished = self._finished
            visited = finished.get(operation_id)
            if visited is None:
                self._status = ReplayStatus.NEW
                return
            if not visited:
                finished[operation_id] = True
                self._unvisited -= 1
            children = self._children
            pending = children.pop(operation_id, None)
            while pending:
                child = pending.pop()
                if finished.get(child) is False:
                    finished[child] = True
                    self._unvisited -= 1
                grandchildren = children.pop(child, None)
                if grandchildren:
                    pending.extend(grandchildren)
            if self._unvisited == 0:
                self._status = ReplayStatus.NEW
