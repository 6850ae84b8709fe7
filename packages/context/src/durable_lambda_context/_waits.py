"""Wait strategies for ``wait_for_condition``: decisions, backoff polling, its config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from durable_lambda_client import WaitForConditionError
from durable_lambda_context._backoff import ExponentialBackoff
from durable_lambda_context._duration import Duration
from durable_lambda_context._jitter import JitterStrategy
from durable_lambda_context._validation import (
    require_at_least,
    require_callable,
    require_optional_duration,
)

if TYPE_CHECKING:
    from durable_lambda_serdes import SerDes

T = TypeVar("T")

__all__ = [
    "JitterStrategy",
    "WaitDecision",
    "WaitForConditionConfig",
    "WaitForConditionDecision",
    "WaitForConditionError",
    "WaitStrategyConfig",
    "create_wait_strategy",
]


@dataclass
class WaitDecision:
    """A wait-or-not decision with a delay (kept for compatibility with the reference)."""

    should_wait: bool
    delay: Duration

    @property
    def delay_seconds(self) -> int:
        """The delay in whole seconds."""
        return self.delay.to_seconds()

    @classmethod
    def wait(cls, delay: Duration) -> WaitDecision:
        """Wait for ``delay``."""
        return cls(should_wait=True, delay=delay)

    @classmethod
    def no_wait(cls) -> WaitDecision:
        """Do not wait."""
        return cls(should_wait=False, delay=Duration())


@dataclass(frozen=True)
class WaitForConditionDecision:
    """What a wait strategy decided after one check.

    Args:
        should_continue: poll again after ``delay`` (``False`` = the condition
            is met and the current state is the result).
        delay: time until the next check (at least 1 s is used).
    """

    should_continue: bool
    delay: Duration

    @property
    def delay_seconds(self) -> int:
        """The delay in whole seconds."""
        return self.delay.to_seconds()

    @classmethod
    def continue_waiting(cls, delay: Duration) -> WaitForConditionDecision:
        """Check again after ``delay``."""
        return cls(should_continue=True, delay=delay)

    @classmethod
    def stop_polling(cls) -> WaitForConditionDecision:
        """Stop: the state checked last is the result."""
        return cls(should_continue=False, delay=Duration())


@dataclass
class WaitStrategyConfig(ExponentialBackoff, Generic[T]):
    """Parameters of a backoff polling strategy.

    Args:
        should_continue_polling: ``state -> bool``; ``False`` ends the polling.
        max_attempts: checks in total before the strategy gives up.
        initial_delay: delay after the first check, before jitter.
        max_delay: cap of the delay, before jitter.
        backoff_rate: factor applied to the delay after each check.
        jitter_strategy: randomisation of each delay.
        timeout: accepted for compatibility; not applied.
    """

    should_continue_polling: Callable[[T], bool]
    max_attempts: int = 60
    initial_delay: Duration = field(default_factory=lambda: Duration.from_seconds(5))
    max_delay: Duration = field(default_factory=lambda: Duration.from_minutes(5))
    backoff_rate: int | float = 1.5
    jitter_strategy: JitterStrategy = JitterStrategy.FULL
    timeout: Duration | None = None

    def __post_init__(self) -> None:
        require_callable("WaitStrategyConfig.should_continue_polling", self.should_continue_polling)
        require_at_least("WaitStrategyConfig.max_attempts", self.max_attempts, 1)
        self._check_backoff("WaitStrategyConfig")
        require_optional_duration("WaitStrategyConfig.timeout", self.timeout)

    @property
    def timeout_seconds(self) -> int | None:
        """The timeout in whole seconds, or ``None``."""
        return None if self.timeout is None else self.timeout.to_seconds()


def create_wait_strategy(
    config: WaitStrategyConfig[T],
) -> Callable[[T, int], WaitForConditionDecision]:
    """Build a polling strategy for ``wait_for_condition`` from ``config``.

    Returns:
        ``strategy(state, attempt)`` (``attempt`` is 1-based): stop when
        ``should_continue_polling(state)`` is false (checked first, so a
        condition met on the last attempt still succeeds); otherwise poll again
        after the jittered exponential delay.

    Raises (from the strategy):
        WaitForConditionError: ``attempt`` reached ``max_attempts`` and the
            condition is still not met.
    """

    def strategy(state: T, attempt: int) -> WaitForConditionDecision:
        if not config.should_continue_polling(state):
            return WaitForConditionDecision.stop_polling()
        if attempt >= config.max_attempts:
            raise WaitForConditionError(
                f"wait_for_condition exhausted {config.max_attempts} attempts "
                "before the condition was met"
            )
        return WaitForConditionDecision.continue_waiting(config._delay_after(attempt))

    return strategy


@dataclass(frozen=True)
class WaitForConditionConfig(Generic[T]):
    """What ``context.wait_for_condition`` polls and how its state is recorded.

    Args:
        wait_strategy: ``(state, attempt) -> WaitForConditionDecision``.
        initial_state: the state handed to the first check.
        serdes: encodes the state between checks; extended types by default.
    """

    wait_strategy: Callable[[T, int], WaitForConditionDecision]
    initial_state: T
    serdes: SerDes[Any] | None = None
