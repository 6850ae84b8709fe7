"""The one source of time of the local service.

Every timestamp the service writes (operations, history events, invocation records) and
every timer it arms reads the same :class:`Clock`, so switching the clock switches the
whole service between wall time, time skipping and fully virtual time. Internally time is
an integer number of milliseconds since the Unix epoch: exact, cheap to compare, and what
the invocation envelope carries on the wire.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = [
    "DEFAULT_ANSWER_WINDOW",
    "Clock",
    "RealClock",
    "SkipClock",
    "TimeDriver",
    "VirtualClock",
    "datetime_to_ms",
    "ms_to_datetime",
]


def ms_to_datetime(ms: int) -> datetime:
    """Convert epoch milliseconds to a timezone-aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def datetime_to_ms(value: datetime) -> int:
    """Convert a datetime to epoch milliseconds; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return round(value.timestamp() * 1000)


def _real_now_ms() -> int:
    return time.time_ns() // 1_000_000


class TimeDriver(Protocol):
    """What a :class:`VirtualClock` calls to move time: the service's scheduler.

    The driver fires the timers that fall due on the way (moving the clock to each
    timer's due time, so histories carry modelled timestamps) and runs the work they
    release before it returns.
    """

    def advance_to(self, target_ms: int) -> None: ...

    def run_until_idle(self) -> None: ...


class Clock(ABC):
    """Current time for the service and the policy for waiting on timers."""

    @abstractmethod
    def now_ms(self) -> int:
        """Return the current time in epoch milliseconds."""

    def now(self) -> datetime:
        """Return the current time as a timezone-aware UTC datetime."""
        return ms_to_datetime(self.now_ms())

    @property
    def is_virtual(self) -> bool:
        """True when time moves only on request (no timer ever fires by itself)."""
        return False

    @property
    def skips_when_idle(self) -> bool:
        """True when the scheduler may jump to the next timer once nothing is running."""
        return False

    def skip_to(self, target_ms: int) -> None:
        """Jump forward to ``target_ms``; only clocks that skip support it.

        Raises:
            TypeError: the clock follows wall time and cannot jump.
        """
        raise TypeError(f"{type(self).__name__} cannot jump in time; use a SkipClock")


class RealClock(Clock):
    """Wall-clock time; timers fire when their due time arrives."""

    def now_ms(self) -> int:
        return _real_now_ms()


DEFAULT_ANSWER_WINDOW = 5.0
"""Real seconds a :class:`SkipClock` leaves the outside world to answer an open callback
before it skips to a timeout that the answer would have made moot."""


class SkipClock(Clock):
    """Wall-clock time plus the total of every jump made so far.

    Whenever the service is idle (no invocation running, nothing queued) the scheduler
    jumps it to the next timer, whatever its kind: a wait, a retry delay, an invocation
    retry, an execution timeout, a callback's timeout or heartbeat timeout. A wait of a
    day under a one-day execution timeout therefore ends (or times out) at once, while
    everything a handler does still takes real time. Jumps only go forward.

    An open callback is the one thing the outside world can still do, so skipping treats
    the timers it could pre-empt with care:

    * a callback without a timeout simply waits for its answer: the clock never skips
      to the timeout of an execution that waits on it (that timeout passes in real
      time);
    * a callback with a timeout (or heartbeat timeout), and the execution timeout of an
      execution waiting on such a callback, are skipped to only when nothing else can
      happen: the service has been idle, with no API call changing anything, for
      ``answer_window`` real seconds. ``None`` never skips to them (someone is expected
      to answer, as with ``durable-lambda run``);
    * a paused execution waits for its resume: its timeout is never skipped to.

    Retention is not something an execution waits for, so the clock never skips to a
    retention deadline; one passed by a jump still purges the execution, since the
    skipped time counts as elapsed.

    Args:
        answer_window: see above (default 5 seconds).

    Raises:
        ValueError: ``answer_window`` is negative.
    """

    def __init__(self, answer_window: float | None = DEFAULT_ANSWER_WINDOW) -> None:
        if answer_window is not None and answer_window < 0:
            raise ValueError(f"answer_window must be zero or positive; got {answer_window}")
        self._offset_ms = 0
        self._lock = threading.Lock()
        self.answer_window = answer_window

    def now_ms(self) -> int:
        return _real_now_ms() + self._offset_ms

    @property
    def skips_when_idle(self) -> bool:
        return True

    @property
    def skipped_ms(self) -> int:
        """Total milliseconds skipped so far."""
        return self._offset_ms

    def skip_to(self, target_ms: int) -> None:
        with self._lock:
            gap = target_ms - self.now_ms()
            if gap > 0:
                self._offset_ms += gap


class VirtualClock(Clock):
    """Time that stands still until told to move: the default of the test runner.

    ``advance``, ``advance_to`` and ``run_until_idle`` move time through the attached
    scheduler, which fires every timer due on the way at its own due time and runs the
    invocations those timers release. While a handler runs, time does not move, so a wait
    always ends the invocation and resumes in a new one, as in the cloud.

    Args:
        start: the initial time (default: the current wall-clock time, whole seconds).
            Pin it to make every timestamp of a run reproducible.

    Example:
        >>> clock = VirtualClock(start=datetime(2025, 1, 1, tzinfo=UTC))
        >>> clock.advance(timedelta(days=2))
        >>> clock.now().isoformat()
        '2025-01-03T00:00:00+00:00'
    """

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            self._now_ms = (_real_now_ms() // 1000) * 1000
        else:
            self._now_ms = datetime_to_ms(start)
        self._driver: TimeDriver | None = None
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return self._now_ms

    @property
    def is_virtual(self) -> bool:
        return True

    def attach(self, driver: TimeDriver) -> None:
        """Bind the scheduler that fires timers when this clock moves.

        Raises:
            RuntimeError: another scheduler is already attached (one clock drives one
                service).
        """
        with self._lock:
            if self._driver is not None and self._driver is not driver:
                raise RuntimeError("this VirtualClock already drives another service")
            self._driver = driver

    def detach(self, driver: TimeDriver) -> None:
        """Unbind ``driver`` if it is the attached scheduler."""
        with self._lock:
            if self._driver is driver:
                self._driver = None

    def move_to(self, target_ms: int) -> None:
        """Set the time without firing anything; used by the scheduler while it drives.

        Raises:
            ValueError: ``target_ms`` is earlier than now (virtual time never goes back).
        """
        with self._lock:
            if target_ms < self._now_ms:
                raise ValueError(
                    f"target time {target_ms} ms is before the current virtual time "
                    f"{self._now_ms} ms; virtual time only moves forward"
                )
            self._now_ms = target_ms

    def advance(self, delta: float | timedelta) -> None:
        """Move time forward by ``delta`` (seconds or a timedelta), firing due timers.

        Raises:
            ValueError: ``delta`` is negative.
        """
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError(f"delta must be zero or positive, got {seconds} seconds")
        self._advance_to_ms(self._now_ms + round(seconds * 1000))

    def advance_to(self, when: datetime) -> None:
        """Move time forward to ``when``, firing every timer due on the way.

        Raises:
            ValueError: ``when`` is earlier than the current virtual time.
        """
        target = datetime_to_ms(when)
        if target < self._now_ms:
            raise ValueError(
                f"cannot move virtual time back from {self.now().isoformat()} to {when.isoformat()}"
            )
        self._advance_to_ms(target)

    def run_until_idle(self) -> None:
        """Run everything runnable, jumping to each next timer, until only the outside
        world (a callback answer, an execution timeout) can make progress."""
        driver = self._driver
        if driver is not None:
            driver.run_until_idle()

    def _advance_to_ms(self, target_ms: int) -> None:
        driver = self._driver
        if driver is None:
            self.move_to(target_ms)
        else:
            driver.advance_to(target_ms)
