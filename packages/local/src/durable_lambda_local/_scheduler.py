"""When work runs: the queue of ready work (invocations, plain chained invokes) and the
timers, driven either by the caller (manual mode, the test runner's default) or by a
background thread (the server's mode).

Manual mode is deterministic: nothing happens until the caller drives, work runs one item
at a time in the caller's thread, and time moves (a virtual clock) only to the next timer
once nothing is runnable. Background mode dispatches ready work to worker threads at once
and fires timers when they fall due in clock time; a skipping clock jumps to the next
timer whenever the service is idle, unless the service says the outside world could
still pre-empt it (see :class:`~durable_lambda_local._clock.SkipClock`).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from enum import Enum

from durable_lambda_local._clock import Clock, SkipClock, VirtualClock
from durable_lambda_local._invoker import HANDLER_THREAD_PREFIX, Invoker
from durable_lambda_local._timers import TimerHold, TimerKey, TimerKind, TimerQueue

__all__ = [
    "EXTERNAL_TIMER_KINDS",
    "SKIP_TARGET_KINDS",
    "Scheduler",
    "SchedulerMode",
]

_LOGGER = logging.getLogger("durable_lambda_local")

EXTERNAL_TIMER_KINDS = frozenset({TimerKind.EXECUTION_TIMEOUT, TimerKind.RETENTION})
"""Timers that only matter when the outside world does not act; ``run_until_idle``
stops before them."""

SKIP_TARGET_KINDS = frozenset(kind for kind in TimerKind if kind is not TimerKind.RETENTION)
"""Timers a skipping clock may jump to when idle: every kind but retention, which no
execution waits for (jumping to it would purge what was just run)."""


def _no_hold(key: TimerKey) -> TimerHold:
    return TimerHold.NONE


class SchedulerMode(Enum):
    MANUAL = "manual"
    """Work runs only while a caller drives (``run_until``, clock moves)."""
    BACKGROUND = "background"
    """A scheduler thread dispatches work and fires timers by itself."""


class Scheduler:
    """Ready work and timers of one service.

    Args:
        clock: the service's clock.
        mode: who drives (see :class:`SchedulerMode`).
        fire_timer: called with a timer and its due time when it fires.
        hold: tells a skipping clock whether it may jump to a timer (default: always).
            Called without any scheduler lock held, so it may lock executions.
    """

    def __init__(
        self,
        clock: Clock,
        mode: SchedulerMode,
        fire_timer: Callable[[TimerKey, int], None],
        hold: Callable[[TimerKey], TimerHold] = _no_hold,
    ) -> None:
        self.clock = clock
        self.mode = mode
        self.timers = TimerQueue()
        self._fire_timer = fire_timer
        self._hold = hold
        self._ready: deque[Callable[[], None]] = deque()
        self._condition = threading.Condition()
        self._in_flight = 0
        self._drive_lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._workers: Invoker | None = None
        self._stopping = False
        self._failures: list[BaseException] = []
        self._generation = 0
        self._last_change = time.monotonic()
        if isinstance(clock, VirtualClock):
            clock.attach(self)

    # -- submitting work ------------------------------------------------------------------

    def submit(self, task: Callable[[], None]) -> None:
        """Queue ``task`` to run as soon as the driver gets to it."""
        with self._condition:
            self._ready.append(task)
            self._changed()

    def arm(self, key: TimerKey, due_ms: int) -> None:
        self.timers.arm(key, due_ms)
        with self._condition:
            self._changed()

    def cancel(self, key: TimerKey) -> None:
        self.timers.cancel(key)

    def _changed(self) -> None:
        """Record progress and wake every waiter; called with the condition held."""
        self._generation += 1
        self._last_change = time.monotonic()
        self._condition.notify_all()

    def cancel_execution(self, execution_id: str) -> None:
        self.timers.cancel_execution(execution_id)

    @property
    def failures(self) -> list[BaseException]:
        """Errors raised by background work (a bug or a broken store), oldest first."""
        with self._condition:
            return list(self._failures)

    # -- manual driving -------------------------------------------------------------------

    def run_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float | None = None,
        timer_kinds: Iterable[TimerKind] | None = None,
    ) -> bool:
        """Drive until ``predicate()`` holds or nothing more can happen.

        Ready work runs first; when none is left, time moves to the next timer (of
        ``timer_kinds``, default all) and every timer due at that instant fires.

        Args:
            predicate: checked before each unit of work.
            timeout: real seconds allowed (None: no limit).
            timer_kinds: the timers driving may wait for.

        Returns:
            The predicate's final value (False: the system is stuck waiting on the
            outside world).

        Raises:
            TimeoutError: ``timeout`` elapsed first.
        """
        kinds = None if timer_kinds is None else tuple(timer_kinds)
        deadline = None if timeout is None else time.monotonic() + timeout
        if self.mode is SchedulerMode.BACKGROUND:
            return self._wait_background(predicate, deadline, kinds)
        with self._drive_lock:
            while True:
                if predicate():
                    return True
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"condition not reached within {timeout} seconds")
                task = self._pop_ready()
                if task is not None:
                    task()
                    continue
                if not self._fire_next_instant(kinds, None):
                    return predicate()

    def advance_to(self, target_ms: int) -> None:
        """Move a virtual clock to ``target_ms``, firing every timer due on the way.

        Raises:
            RuntimeError: called from inside a handler, which the driving is waiting on.
        """
        if threading.current_thread().name.startswith(HANDLER_THREAD_PREFIX):
            raise RuntimeError(
                "cannot move virtual time from inside a handler: the service waits for "
                "the handler to return before time can move"
            )
        if self.mode is SchedulerMode.BACKGROUND:
            self._advance_background(target_ms)
            return
        with self._drive_lock:
            while True:
                task = self._pop_ready()
                if task is not None:
                    task()
                    continue
                if not self._fire_next_instant(None, target_ms):
                    break
            self._move_clock(target_ms)
            self.run_until(lambda: False, timer_kinds=())

    def run_until_idle(self) -> None:
        """Run everything, jumping timers, until only the outside world can move on.

        With a clock that does not jump (background mode on wall time), return once
        nothing is queued or running: timers then fire when their time comes.
        """
        if self.mode is SchedulerMode.BACKGROUND and not self.clock.is_virtual:
            self._wait_quiescent()
            return
        kinds = [kind for kind in TimerKind if kind not in EXTERNAL_TIMER_KINDS]
        self.run_until(lambda: False, timer_kinds=kinds)

    def _pop_ready(self) -> Callable[[], None] | None:
        with self._condition:
            return self._ready.popleft() if self._ready else None

    def _fire_next_instant(self, kinds: tuple[TimerKind, ...] | None, limit_ms: int | None) -> bool:
        """Move time to the next timer (not past ``limit_ms``) and fire all timers due
        then. False when there is none, or when a timer outside ``kinds`` comes first
        (time never passes a timer without firing it). Timers already due fire whatever
        their kind: no time has to move for them (e.g. overdue after a restart)."""
        now = self.clock.now_ms()
        first = self.timers.next_due()
        if first is not None and first <= now:
            for due_ms, key in self.timers.pop_due(now):
                self._fire_timer(key, due_ms)
            return True
        due = self.timers.next_due(kinds)
        if due is None or (limit_ms is not None and due > limit_ms):
            return False
        if kinds is not None:
            first = self.timers.next_due()
            if first is not None and first < due:
                return False
        self._move_clock(due)
        for due_ms, key in self.timers.pop_due(self.clock.now_ms(), kinds):
            self._fire_timer(key, due_ms)
        return True

    def _move_clock(self, target_ms: int) -> None:
        clock = self.clock
        if target_ms <= clock.now_ms():
            return
        if isinstance(clock, VirtualClock):
            clock.move_to(target_ms)
        elif clock.skips_when_idle:
            clock.skip_to(target_ms)

    # -- background driving ---------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread (background mode only; idempotent)."""
        if self.mode is not SchedulerMode.BACKGROUND or self._thread is not None:
            return
        self._workers = Invoker("durable-local-worker")
        self._thread = threading.Thread(
            target=self._dispatch_loop, name="durable-local-scheduler", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the scheduler thread; work in progress finishes on its own."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._workers is not None:
            self._workers.close()
        if isinstance(self.clock, VirtualClock):
            self.clock.detach(self)

    def _dispatch_loop(self) -> None:
        while True:
            tasks: list[Callable[[], None]] = []
            with self._condition:
                if self._stopping:
                    return
                while self._ready:
                    tasks.append(self._ready.popleft())
                    self._in_flight += 1
                idle = not tasks and self._in_flight == 0
                generation = self._generation
            if tasks:
                for task in tasks:
                    self._run_in_worker(task)
                continue
            delay = self._next_wait(idle)
            if delay == 0:
                self._fire_due()
                continue
            with self._condition:
                if self._generation == generation and not self._stopping:
                    self._condition.wait(timeout=delay)

    def _next_wait(self, idle: bool) -> float | None:
        """Seconds until the next timer should fire (0: now, after any jump of a skipping
        clock); None: nothing is armed, wait for a change.

        Called without the condition held: the hold callback locks executions.
        """
        clock = self.clock
        if clock.is_virtual:
            return None
        due = self.timers.next_due()
        if due is None:
            return None
        now = clock.now_ms()
        if due <= now:
            return 0.0
        delay = (due - now) / 1000
        if not (idle and isinstance(clock, SkipClock)):
            return delay
        target = self.timers.next_due(SKIP_TARGET_KINDS)
        if target is None:
            return delay
        hold = max(
            (self._hold(key) for key in self.timers.keys_due_at(target, SKIP_TARGET_KINDS)),
            key=lambda item: item.rank,
            default=TimerHold.NONE,
        )
        if hold is TimerHold.NONE:
            clock.skip_to(target)
            return 0.0
        window = clock.answer_window
        if hold is TimerHold.ANSWER and window is not None:
            with self._condition:
                quiet_for = time.monotonic() - self._last_change
            if quiet_for >= window:
                clock.skip_to(target)
                return 0.0
            return min(delay, window - quiet_for)
        return delay

    def _fire_due(self) -> None:
        for due_ms, key in self.timers.pop_due(self.clock.now_ms()):
            self._guarded(functools.partial(self._fire_timer, key, due_ms))

    def _run_in_worker(self, task: Callable[[], None]) -> None:
        def run() -> None:
            try:
                self._guarded(task)
            finally:
                with self._condition:
                    self._in_flight -= 1
                    self._changed()

        assert self._workers is not None
        self._workers.spawn(run)

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except BaseException as error:
            _LOGGER.exception("background work of the local durable service failed")
            with self._condition:
                self._failures.append(error)
                self._changed()

    def _quiescent(self) -> bool:
        return not self._ready and self._in_flight == 0

    def _wait_background(
        self,
        predicate: Callable[[], bool],
        deadline: float | None,
        kinds: tuple[TimerKind, ...] | None,
    ) -> bool:
        while True:
            with self._condition:
                if self._failures:
                    raise self._failures[0]
                generation = self._generation
            if predicate():
                return True
            with self._condition:
                quiescent = self._quiescent()
            if quiescent and self.clock.is_virtual:
                if self._fire_next_instant(kinds, None):
                    continue
                with self._condition:
                    if self._quiescent() and self._generation == generation:
                        return predicate()
                continue
            with self._condition:
                while self._generation == generation and not self._failures:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise TimeoutError("condition not reached in time")
                    self._condition.wait(timeout=remaining)

    def _advance_background(self, target_ms: int) -> None:
        while True:
            self._wait_quiescent()
            if not self._fire_next_instant(None, target_ms):
                break
        self._move_clock(target_ms)
        self._wait_quiescent()

    def _wait_quiescent(self) -> None:
        with self._condition:
            while not self._quiescent() and not self._stopping:
                self._condition.wait()

    def notify(self) -> None:
        """Wake anyone waiting on progress (called after every state change)."""
        with self._condition:
            self._changed()
