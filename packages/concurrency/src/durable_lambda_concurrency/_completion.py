"""When a batch is done: the completion policy, its counters and the reason it records.

The rules (the same for the live executor and for ``BatchResult.from_items``):

- *criteria* are set when any of ``min_successful``,
  ``tolerated_failure_count`` or ``tolerated_failure_percentage`` is not
  ``None``;
- the failure tolerance is exceeded when, without criteria, anything failed;
  with criteria, when ``failures > tolerated_failure_count`` or
  ``failures / total * 100 > tolerated_failure_percentage``;
- the batch is complete when every item finished, or when
  ``min_successful`` is set and reached;
- after each outcome, "complete or tolerance exceeded" ends the batch: no
  further item starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from durable_lambda_concurrency._errors import config_error

__all__ = ["BatchProgress", "CompletionConfig", "CompletionReason", "ExecutionCounters"]


class CompletionReason(Enum):
    """Why a batch stopped; the value is the string written in ``to_dict()``."""

    ALL_COMPLETED = "ALL_COMPLETED"
    MIN_SUCCESSFUL_REACHED = "MIN_SUCCESSFUL_REACHED"
    FAILURE_TOLERANCE_EXCEEDED = "FAILURE_TOLERANCE_EXCEEDED"


@dataclass(frozen=True)
class CompletionConfig:
    """When a batch may stop before every item has run.

    With no field set (``CompletionConfig()``) the first failure stops the
    batch. Once any field is set, failures stop it only past the tolerances
    that are set.

    Args:
        min_successful: stop as soon as this many items succeeded (at least 1).
        tolerated_failure_count: stop when more items than this failed
            (0 or more).
        tolerated_failure_percentage: stop when more than this percentage of
            all items failed (0 to 100; strictly greater than stops).

    Raises:
        ConcurrencyConfigError: a field is out of range (or the error type
            registered with ``register_config_error``).

    Example:
        >>> config = CompletionConfig(min_successful=900, tolerated_failure_percentage=5)
        >>> config.tolerated_failure_count is None
        True
    """

    min_successful: int | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: int | float | None = None

    def __post_init__(self) -> None:
        if self.min_successful is not None and self.min_successful < 1:
            msg = f"min_successful must be at least 1, got: {self.min_successful}"
            raise config_error(msg)
        if self.tolerated_failure_count is not None and self.tolerated_failure_count < 0:
            msg = (
                f"tolerated_failure_count must be non-negative, got: {self.tolerated_failure_count}"
            )
            raise config_error(msg)
        percentage = self.tolerated_failure_percentage
        if percentage is not None and not 0 <= percentage <= 100:
            msg = f"tolerated_failure_percentage must be between 0 and 100, got: {percentage}"
            raise config_error(msg)

    @staticmethod
    def first_successful() -> CompletionConfig:
        """Stop at the first success; failures alone never stop the batch."""
        return CompletionConfig(1, None, None)

    @staticmethod
    def all_completed() -> CompletionConfig:
        """Run every item whatever fails (100 % of failures tolerated)."""
        return CompletionConfig(None, None, 100)

    @staticmethod
    def all_successful() -> CompletionConfig:
        """Stop at the first failure (no failure tolerated)."""
        return CompletionConfig(None, 0, 0)


@dataclass(frozen=True)
class BatchProgress:
    """A snapshot of a running batch, given to a ``should_complete`` predicate.

    Attributes:
        total_count: number of items in the batch.
        success_count: items that succeeded.
        failure_count: items that failed.
        started_count: items started and not finished: running, suspended or
            waiting to be resumed.
        not_started_count: items never started yet.
    """

    total_count: int
    success_count: int
    failure_count: int
    started_count: int
    not_started_count: int


class ExecutionCounters:
    """Success and failure counts of a batch, and the completion rules over them.

    Not synchronised: the executor updates it under its own lock.

    Args:
        total_tasks: number of items in the batch.
        min_successful: see ``CompletionConfig``.
        tolerated_failure_count: see ``CompletionConfig``.
        tolerated_failure_percentage: see ``CompletionConfig``.
    """

    __slots__ = (
        "failure_count",
        "min_successful",
        "success_count",
        "tolerated_failure_count",
        "tolerated_failure_percentage",
        "total_tasks",
    )

    def __init__(
        self,
        total_tasks: int,
        min_successful: int | None = None,
        tolerated_failure_count: int | None = None,
        tolerated_failure_percentage: int | float | None = None,
    ) -> None:
        self.total_tasks = total_tasks
        self.min_successful = min_successful
        self.tolerated_failure_count = tolerated_failure_count
        self.tolerated_failure_percentage = tolerated_failure_percentage
        self.success_count = 0
        self.failure_count = 0

    @classmethod
    def from_config(cls, total_tasks: int, config: CompletionConfig | None) -> ExecutionCounters:
        """Counters for ``total_tasks`` items under ``config`` (``None``: no criteria)."""
        if config is None:
            return cls(total_tasks)
        return cls(
            total_tasks,
            config.min_successful,
            config.tolerated_failure_count,
            config.tolerated_failure_percentage,
        )

    def complete_task(self) -> None:
        """Count one success."""
        self.success_count += 1

    def fail_task(self) -> None:
        """Count one failure."""
        self.failure_count += 1

    @property
    def has_criteria(self) -> bool:
        """Whether any of the three completion fields is set."""
        return (
            self.min_successful is not None
            or self.tolerated_failure_count is not None
            or self.tolerated_failure_percentage is not None
        )

    def is_failure_tolerance_exceeded(self) -> bool:
        """Whether the failures so far exceed what the policy tolerates."""
        failures = self.failure_count
        if not self.has_criteria:
            return failures > 0
        if self.tolerated_failure_count is not None and failures > self.tolerated_failure_count:
            return True
        return (
            self.tolerated_failure_percentage is not None
            and self.total_tasks > 0
            and failures / self.total_tasks * 100 > self.tolerated_failure_percentage
        )

    def is_all_completed(self) -> bool:
        """Whether every item finished, successfully or not."""
        return self.success_count + self.failure_count >= self.total_tasks

    def is_min_successful_reached(self) -> bool:
        """Whether ``min_successful`` is set and reached."""
        return self.min_successful is not None and self.success_count >= self.min_successful

    def is_complete(self) -> bool:
        """Whether every item finished or enough succeeded."""
        return self.is_all_completed() or self.is_min_successful_reached()

    def should_continue(self) -> bool:
        """Whether more items may start, as far as failures are concerned."""
        return not self.is_failure_tolerance_exceeded()

    def should_complete(self) -> bool:
        """Whether the batch is decided: complete, or the tolerance is exceeded."""
        return self.is_complete() or self.is_failure_tolerance_exceeded()

    def completion_reason(self) -> CompletionReason:
        """The reason to record, checked in this order: tolerance, all finished, minimum."""
        if self.is_failure_tolerance_exceeded():
            return CompletionReason.FAILURE_TOLERANCE_EXCEEDED
        if self.is_all_completed():
            return CompletionReason.ALL_COMPLETED
        if self.is_min_successful_reached():
            return CompletionReason.MIN_SUCCESSFUL_REACHED
        return CompletionReason.ALL_COMPLETED

    def __repr__(self) -> str:
        return (
            f"ExecutionCounters(total_tasks={self.total_tasks}, "
            f"success_count={self.success_count}, failure_count={self.failure_count}, "
            f"min_successful={self.min_successful}, "
            f"tolerated_failure_count={self.tolerated_failure_count}, "
            f"tolerated_failure_percentage={self.tolerated_failure_percentage})"
        )
