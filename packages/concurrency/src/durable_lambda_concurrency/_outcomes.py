"""What happened to each item, and what the whole batch run ended with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar

from durable_lambda_concurrency._batch_result import BatchResult
from durable_lambda_concurrency._error_record import ErrorRecord
from durable_lambda_concurrency._workers import WorkerGroup

__all__ = [
    "BatchCompleted",
    "BatchOutcome",
    "BatchSuspended",
    "Cancelled",
    "Failed",
    "ItemOutcome",
    "NotStarted",
    "Succeeded",
    "SuspendResult",
    "Suspended",
]

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Succeeded(Generic[R]):
    """The item returned ``value``."""

    value: R


@dataclass(frozen=True, slots=True)
class Failed:
    """The item raised an ordinary exception, kept as an error record."""

    error: ErrorRecord


@dataclass(frozen=True, slots=True)
class Suspended:
    """The item stopped to be run again later.

    Attributes:
        resume_at: when it can run again (epoch seconds); ``None`` means when
            something outside the batch happens.
    """

    resume_at: float | None = None


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The item was stopped: it was running when the batch closed, or it gave up itself."""


@dataclass(frozen=True, slots=True)
class NotStarted:
    """The batch closed before this item was started."""


ItemOutcome: TypeAlias = Succeeded[R] | Failed | Suspended | Cancelled | NotStarted
"""One item's outcome; an exception classifier returns one of the first four."""


@dataclass(frozen=True)
class BatchCompleted(Generic[R]):
    """The batch is decided: here is its result.

    Attributes:
        result: the ``BatchResult`` (items in input order, never-started ones
            left out, unfinished ones STARTED).
        outcomes: every item's outcome, in input order.
        workers: the run's threads; ``workers.join()`` waits for items that
            were still running when the batch closed.
    """

    result: BatchResult[R]
    outcomes: tuple[ItemOutcome[R], ...]
    workers: WorkerGroup = field(default_factory=WorkerGroup, compare=False, repr=False)


@dataclass(frozen=True)
class BatchSuspended(Generic[R]):
    """Nothing can run now and the batch is not decided: suspend the whole batch.

    Attributes:
        resume_at: the earliest resume time of the suspended items (epoch
            seconds), or ``None`` when every suspended item waits without one.
        outcomes: every item's outcome, in input order.
        workers: the run's threads (all of them have finished their items).
    """

    resume_at: float | None
    outcomes: tuple[ItemOutcome[R], ...]
    workers: WorkerGroup = field(default_factory=WorkerGroup, compare=False, repr=False)


BatchOutcome: TypeAlias = BatchCompleted[R] | BatchSuspended[R]
"""What ``BatchExecutor.run`` returns."""


@dataclass(frozen=True)
class SuspendResult:
    """Whether a batch must suspend, and the exception that says so.

    Kept for code written against the reference SDK's concurrency models;
    ``BatchSuspended`` is what the executor itself returns.
    """

    should_suspend: bool
    exception: BaseException | None = None

    @staticmethod
    def do_not_suspend() -> SuspendResult:
        """No suspension."""
        return SuspendResult(should_suspend=False)

    @staticmethod
    def suspend(exception: BaseException) -> SuspendResult:
        """Suspend with ``exception``."""
        return SuspendResult(should_suspend=True, exception=exception)
