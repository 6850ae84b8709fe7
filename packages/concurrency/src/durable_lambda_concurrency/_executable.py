"""One item of a batch and the states it goes through while the executor runs it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from durable_lambda_concurrency._error_record import ErrorRecord

__all__ = ["BranchStatus", "Executable", "ExecutableWithState"]

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True)
class Executable(Generic[C]):
    """An item to run: its position in the batch and the callable.

    Attributes:
        index: position in the batch, from 0; results are reported in this order.
        func: the callable the executor calls.
    """

    index: int
    func: C


class BranchStatus(Enum):
    """Where an item is in its life inside the executor."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    SUSPENDED_WITH_TIMEOUT = "suspended_with_timeout"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ExecutableWithState(Generic[C, R]):
    """An item together with its status and what it produced.

    Transitions: PENDING -> RUNNING -> COMPLETED | FAILED | SUSPENDED |
    SUSPENDED_WITH_TIMEOUT | CANCELLED, and a suspended item back to RUNNING
    when it is resumed. The executor changes it under its lock only.
    """

    __slots__ = ("_error", "_result", "_status", "_suspend_until", "attempts", "executable")

    def __init__(self, executable: Executable[C]) -> None:
        self.executable = executable
        self._status = BranchStatus.PENDING
        self._result: R | None = None
        self._error: ErrorRecord | None = None
        self._suspend_until: float | None = None
        self.attempts = 0

    @property
    def index(self) -> int:
        """The item's position in the batch."""
        return self.executable.index

    @property
    def status(self) -> BranchStatus:
        """The current status."""
        return self._status

    @property
    def result(self) -> R | None:
        """The value returned by a COMPLETED item (``None`` otherwise)."""
        return self._result

    @property
    def error(self) -> ErrorRecord | None:
        """The error record of a FAILED item (``None`` otherwise)."""
        return self._error

    @property
    def suspend_until(self) -> float | None:
        """When a SUSPENDED_WITH_TIMEOUT item may run again (epoch seconds)."""
        return self._suspend_until

    @property
    def was_started(self) -> bool:
        """Whether the item ever began running."""
        return self.attempts > 0

    def run(self) -> None:
        """Mark the item RUNNING (first start or resume) and count the attempt."""
        self._status = BranchStatus.RUNNING
        self._suspend_until = None
        self.attempts += 1

    def complete(self, result: R | None) -> None:
        """Mark the item COMPLETED with its result."""
        self._status = BranchStatus.COMPLETED
        self._result = result

    def fail(self, error: ErrorRecord) -> None:
        """Mark the item FAILED with its error record."""
        self._status = BranchStatus.FAILED
        self._error = error

    def suspend(self) -> None:
        """Mark the item suspended with no resume time."""
        self._status = BranchStatus.SUSPENDED
        self._suspend_until = None

    def suspend_with_timeout(self, timestamp: float) -> None:
        """Mark the item suspended until ``timestamp`` (epoch seconds)."""
        self._status = BranchStatus.SUSPENDED_WITH_TIMEOUT
        self._suspend_until = timestamp

    def cancel(self) -> None:
        """Mark the item CANCELLED: it was running when it was asked to stop."""
        self._status = BranchStatus.CANCELLED

    def __repr__(self) -> str:
        return (
            f"ExecutableWithState(index={self.index}, status={self._status.value}, "
            f"attempts={self.attempts})"
        )
