"""The in-memory index of armed timers, ordered by due time.

The store persists timers (so they survive a restart); this queue is the fast index the
scheduler consults to know what falls due next. One heap per timer kind lets the
scheduler ask "when is the next timer I may skip to?" without scanning, and lazy
deletion keeps re-arming and cancelling O(log n).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

__all__ = ["TimerHold", "TimerKey", "TimerKind", "TimerQueue"]


class TimerKind(Enum):
    """What happens when a timer fires (service.md §6.1)."""

    WAIT_END = "WAIT_END"
    STEP_READY = "STEP_READY"
    CALLBACK_TIMEOUT = "CALLBACK_TIMEOUT"
    CALLBACK_HEARTBEAT = "CALLBACK_HEARTBEAT"
    EXECUTION_TIMEOUT = "EXECUTION_TIMEOUT"
    INVOCATION_RETRY = "INVOCATION_RETRY"
    RETENTION = "RETENTION"


class TimerHold(Enum):
    """Whether a skipping clock may jump to a timer while the service is idle."""

    NONE = "none"
    """Nothing outside the service can pre-empt it: jump to it at once."""
    ANSWER = "answer"
    """An open callback's answer could pre-empt it: jump only after the answer window."""
    FOREVER = "forever"
    """Only the outside world moves on (an answer with no timeout, a resume): never
    jump to it; it falls due in real time."""

    @property
    def rank(self) -> int:
        """Strength of the hold (the strongest one of simultaneous timers wins)."""
        return _HOLD_RANK[self]


_HOLD_RANK = {TimerHold.NONE: 0, TimerHold.ANSWER: 1, TimerHold.FOREVER: 2}


@dataclass(frozen=True, slots=True)
class TimerKey:
    """Identity of a timer: at most one timer of a kind per operation of an execution.

    ``operation_id`` is ``""`` for execution-level timers (timeout, retry, retention).
    """

    execution_id: str
    kind: TimerKind
    operation_id: str = ""


class TimerQueue:
    """Armed timers by due time; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heaps: dict[TimerKind, list[tuple[int, int, TimerKey]]] = {
            kind: [] for kind in TimerKind
        }
        self._armed: dict[TimerKey, tuple[int, int]] = {}
        self._by_execution: dict[str, set[TimerKey]] = {}
        self._sequence = itertools.count()

    def __len__(self) -> int:
        return len(self._armed)

    def due_time(self, key: TimerKey) -> int | None:
        """Return the due time of ``key`` in epoch ms, or None when it is not armed."""
        with self._lock:
            entry = self._armed.get(key)
            return None if entry is None else entry[0]

    def arm(self, key: TimerKey, due_ms: int) -> None:
        """Arm ``key`` to fire at ``due_ms``, replacing any earlier arming of it."""
        with self._lock:
            seq = next(self._sequence)
            self._armed[key] = (due_ms, seq)
            self._by_execution.setdefault(key.execution_id, set()).add(key)
            heapq.heappush(self._heaps[key.kind], (due_ms, seq, key))

    def cancel(self, key: TimerKey) -> None:
        """Disarm ``key``; cancelling a timer that is not armed does nothing."""
        with self._lock:
            self._discard(key)

    def cancel_execution(self, execution_id: str, kinds: Iterable[TimerKind] | None = None) -> None:
        """Disarm every timer of an execution (or only those of ``kinds``)."""
        wanted = None if kinds is None else set(kinds)
        with self._lock:
            for key in list(self._by_execution.get(execution_id, ())):
                if wanted is None or key.kind in wanted:
                    self._discard(key)

    def next_due(self, kinds: Iterable[TimerKind] | None = None) -> int | None:
        """Return the earliest due time among armed timers (of ``kinds``), or None."""
        with self._lock:
            best: int | None = None
            for kind in TimerKind if kinds is None else kinds:
                top = self._top(kind)
                if top is not None and (best is None or top[0] < best):
                    best = top[0]
            return best

    def keys_due_at(self, due_ms: int, kinds: Iterable[TimerKind] | None = None) -> list[TimerKey]:
        """Every armed timer (of ``kinds``) due exactly at ``due_ms``, in arming order.

        A scan of the heaps: meant for the rare moments a skipping clock decides whether
        to jump, not for the hot path.
        """
        with self._lock:
            found: list[tuple[int, TimerKey]] = []
            for kind in TimerKind if kinds is None else kinds:
                for due, seq, key in self._heaps[kind]:
                    if due == due_ms and self._armed.get(key) == (due, seq):
                        found.append((seq, key))
            found.sort()
            return [key for _, key in found]

    def pop_due(
        self, now_ms: int, kinds: Iterable[TimerKind] | None = None
    ) -> list[tuple[int, TimerKey]]:
        """Disarm and return every timer due at or before ``now_ms``, oldest first.

        Ties keep the order in which the timers were armed, so firing is deterministic.
        """
        with self._lock:
            fired: list[tuple[int, int, TimerKey]] = []
            for kind in TimerKind if kinds is None else kinds:
                heap = self._heaps[kind]
                while True:
                    top = self._top(kind)
                    if top is None or top[0] > now_ms:
                        break
                    heapq.heappop(heap)
                    fired.append(top)
                    self._forget(top[2])
            fired.sort()
            return [(due, key) for due, _, key in fired]

    def _top(self, kind: TimerKind) -> tuple[int, int, TimerKey] | None:
        heap = self._heaps[kind]
        while heap:
            due, seq, key = heap[0]
            if self._armed.get(key) == (due, seq):
                return heap[0]
            heapq.heappop(heap)
        return None

    def _discard(self, key: TimerKey) -> None:
        if key in self._armed:
            self._forget(key)

    def _forget(self, key: TimerKey) -> None:
        del self._armed[key]
        keys = self._by_execution.get(key.execution_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_execution[key.execution_id]
