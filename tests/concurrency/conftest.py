"""Helpers for the executor tests: a model of the completion rules and a deterministic driver.

The model restates the rules of the behaviour spec (completion rules, early
exit, suspension) in the plainest possible way, independently of the
package, and simulates a batch given who finishes when. The driver makes a
real multi-threaded run follow the same schedule: every item blocks until
the test releases it, and the test waits for each outcome to be recorded
before releasing the next one.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from durable_lambda_concurrency import (
    BatchCompleted,
    BatchExecutor,
    BatchOutcome,
    BatchProgress,
    BatchSuspended,
    CompletionConfig,
    CompletionReason,
    ItemContext,
    SuspendItem,
    register_config_error,
)

# Generous bound on any wait for another thread: reaching it means a hang.
WAIT = 10.0

# Behaviours of one item.
SUCCEED = "S"
FAIL = "F"
SUSPEND_TIMED = "T"
SUSPEND_UNTIMED = "U"
BEHAVIOURS = (SUCCEED, FAIL, SUSPEND_TIMED, SUSPEND_UNTIMED)

# Far in the future, so a timed suspension never comes due during a test.
FAR = 4_000_000_000.0

POLICIES: dict[str, CompletionConfig] = {
    "default": CompletionConfig(),
    "all_successful": CompletionConfig.all_successful(),
    "all_completed": CompletionConfig.all_completed(),
    "first_successful": CompletionConfig.first_successful(),
    "min2": CompletionConfig(min_successful=2),
    "tol1": CompletionConfig(tolerated_failure_count=1),
    "pct25": CompletionConfig(tolerated_failure_percentage=25),
    "pct50": CompletionConfig(tolerated_failure_percentage=50),
    "min3_tol1": CompletionConfig(min_successful=3, tolerated_failure_count=1),
    "min2_pct50": CompletionConfig(min_successful=2, tolerated_failure_percentage=50),
}


def resume_time(index: int) -> float:
    return FAR + index


def value_of(index: int) -> str:
    return f"r{index}"


@dataclass
class Expected:
    """What the model says a batch ends with."""

    kind: str  # "completed" or "suspended"
    reason: CompletionReason | None
    resume_at: float | None
    # index -> "SUCCEEDED" | "FAILED" | "STARTED"; never-started indexes absent
    items: dict[int, str]
    started: set[int]
    # the order in which the model finished items (the driver follows it),
    # and which items were running at each of those steps
    schedule: list[int]
    running_at: list[list[int]]
    stragglers: set[int]


def has_criteria(config: CompletionConfig) -> bool:
    return any(
        value is not None
        for value in (
            config.min_successful,
            config.tolerated_failure_count,
            config.tolerated_failure_percentage,
        )
    )


def tolerance_exceeded(config: CompletionConfig, total: int, failures: int) -> bool:
    """The spec's rule, restated: fail-fast without criteria, else the set tolerances."""
    if not has_criteria(config):
        return failures > 0
    count, pct = config.tolerated_failure_count, config.tolerated_failure_percentage
    return (count is not None and failures > count) or (
        pct is not None and total > 0 and failures / total * 100 > pct
    )


def is_complete(config: CompletionConfig, total: int, successes: int, failures: int) -> bool:
    minimum = config.min_successful
    return successes + failures >= total or (minimum is not None and successes >= minimum)


def expected_reason(
    config: CompletionConfig, total: int, successes: int, failures: int
) -> CompletionReason:
    """The reason, checked in the spec's order."""
    if tolerance_exceeded(config, total, failures):
        return CompletionReason.FAILURE_TOLERANCE_EXCEEDED
    if successes + failures >= total:
        return CompletionReason.ALL_COMPLETED
    if config.min_successful is not None and successes >= config.min_successful:
        return CompletionReason.MIN_SUCCESSFUL_REACHED
    return CompletionReason.ALL_COMPLETED


def model(
    behaviours: Sequence[str],
    config: CompletionConfig,
    slots: int,
    choose: Callable[[list[int]], int],
) -> Expected:
    """Simulate a batch: ``choose`` picks which running item finishes next."""
    total = len(behaviours)
    if total == 0:
        return Expected("completed", CompletionReason.ALL_COMPLETED, None, {}, set(), [], [], set())
    pending = deque(range(total))
    running: list[int] = []
    items: dict[int, str] = {}
    started: set[int] = set()
    schedule: list[int] = []
    running_at: list[list[int]] = []
    timers: list[float] = []
    successes = failures = 0

    def fill() -> None:
        while pending and len(running) < slots:
            index = pending.popleft()
            running.append(index)
            started.add(index)
            items[index] = "STARTED"

    fill()
    while True:
        if not running:
            return Expected(
                "suspended",
                None,
                min(timers, default=None),
                items,
                started,
                schedule,
                running_at,
                set(),
            )
        running_at.append(sorted(running))
        index = choose(sorted(running))
        running.remove(index)
        schedule.append(index)
        behaviour = behaviours[index]
        if behaviour == SUCCEED:
            successes += 1
            items[index] = "SUCCEEDED"
        elif behaviour == FAIL:
            failures += 1
            items[index] = "FAILED"
        elif behaviour == SUSPEND_TIMED:
            timers.append(resume_time(index))
        if is_complete(config, total, successes, failures) or tolerance_exceeded(
            config, total, failures
        ):
            return Expected(
                "completed",
                expected_reason(config, total, successes, failures),
                None,
                items,
                started,
                schedule,
                running_at,
                set(running),
            )
        fill()


def behave(behaviour: str, index: int) -> str:
    """Do what ``behaviour`` says: return, raise, or suspend."""
    if behaviour == FAIL:
        raise ValueError(f"item {index} failed")
    if behaviour == SUSPEND_TIMED:
        raise SuspendItem(resume_time(index))
    if behaviour == SUSPEND_UNTIMED:
        raise SuspendItem(None)
    return value_of(index)


def check_against_model(outcome: BatchOutcome[Any], expected: Expected) -> None:
    if expected.kind == "completed":
        assert isinstance(outcome, BatchCompleted), outcome
        result = outcome.result
        assert result.completion_reason is expected.reason
        assert {item.index: item.status.value for item in result.all} == expected.items
        assert [item.index for item in result.all] == sorted(expected.items)
        for item in result.all:
            if item.status.value == "SUCCEEDED":
                assert item.result == value_of(item.index)
            if item.status.value == "FAILED":
                assert item.error is not None
                assert item.error.message == f"item {item.index} failed"
                assert item.error.type == "ValueError"
    else:
        assert isinstance(outcome, BatchSuspended), outcome
        assert outcome.resume_at == expected.resume_at


@dataclass
class Driver:
    """Runs a batch in a helper thread and releases its items one by one."""

    behaviours: Sequence[str]
    executor_kwargs: dict[str, Any]
    condition: threading.Condition = field(default_factory=threading.Condition)
    started: list[int] = field(default_factory=list)
    recorded: int = 0
    releases: dict[int, threading.Event] = field(default_factory=dict)
    cancelled_seen: dict[int, bool] = field(default_factory=dict)
    outcome: BatchOutcome[str] | None = None
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.releases = {index: threading.Event() for index in range(len(self.behaviours))}

    def _item(self, ctx: ItemContext) -> str:
        with self.condition:
            self.started.append(ctx.index)
            self.condition.notify_all()
        if not self.releases[ctx.index].wait(WAIT):
            raise AssertionError(f"item {ctx.index} was never released")
        self.cancelled_seen[ctx.index] = ctx.is_cancelled()
        return behave(self.behaviours[ctx.index], ctx.index)

    def _observe(self, progress: BatchProgress) -> bool:
        with self.condition:
            self.recorded += 1
            self.condition.notify_all()
        return False

    def _run(self) -> None:
        executor = BatchExecutor(should_complete=self._observe, **self.executor_kwargs)
        try:
            self.outcome = executor.run([self._item] * len(self.behaviours))
        except BaseException as error:
            self.error = error

    def wait_until(self, predicate: Callable[[], bool], what: str) -> None:
        with self.condition:
            if not self.condition.wait_for(predicate, WAIT):
                raise AssertionError(f"timed out waiting for {what}")

    def follow(self, expected: Expected) -> BatchOutcome[str]:
        runner = threading.Thread(target=self._run, name="test-driver")
        runner.start()
        schedule = expected.schedule
        for step, index in enumerate(schedule):
            running = expected.running_at[step]
            self.wait_until(
                lambda running=running: set(running) <= set(self.started),
                f"items {running} to be running",
            )
            self.releases[index].set()
            if step < len(schedule) - 1:
                self.wait_until(lambda step=step: self.recorded > step, f"outcome {step}")
        runner.join(WAIT)
        assert not runner.is_alive(), "run() did not return"
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome

    def release_all(self) -> None:
        for event in self.releases.values():
            event.set()


def seeded_chooser(seed: int) -> Callable[[list[int]], int]:
    rng = random.Random(seed)
    return lambda running: rng.choice(running)


@pytest.fixture
def config_error_type() -> Iterator[None]:
    """Restore the default config error type after a test registers another."""
    yield
    register_config_error(None)
