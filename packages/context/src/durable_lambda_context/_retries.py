"""Retry strategies for steps: decisions, exponential backoff, jitter, presets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from durable_lambda_context._backoff import ExponentialBackoff
from durable_lambda_context._duration import Duration
from durable_lambda_context._jitter import JitterStrategy
from durable_lambda_context._validation import require_at_least

__all__ = [
    "JitterStrategy",
    "RetryDecision",
    "RetryPresets",
    "RetryStrategy",
    "RetryStrategyConfig",
    "create_retry_strategy",
]


@dataclass
class RetryDecision:
    """What a retry strategy decided about one failed attempt.

    Args:
        should_retry: run the step again after ``delay``.
        delay: how long to wait before the next attempt (at least 1 s is used).
    """

    should_retry: bool
    delay: Duration

    @property
    def delay_seconds(self) -> int:
        """The delay in whole seconds."""
        return self.delay.to_seconds()

    @classmethod
    def retry(cls, delay: Duration) -> RetryDecision:
        """Retry after ``delay``."""
        return cls(should_retry=True, delay=delay)

    @classmethod
    def no_retry(cls) -> RetryDecision:
        """Give up: the step fails with the last error."""
        return cls(should_retry=False, delay=Duration())


RetryStrategy = Callable[[Exception, int], RetryDecision]
"""``(error, attempts_made) -> RetryDecision``; ``attempts_made`` counts the failed attempt."""


@dataclass
class RetryStrategyConfig(ExponentialBackoff):
    """Parameters of an exponential-backoff retry strategy.

    Args:
        max_attempts: attempts in total, the first one included; 0 and 1 both mean
            "never retry" (0 is accepted because the reference SDK accepts it).
        initial_delay: delay after the first failure, before jitter.
        max_delay: cap of the delay, before jitter.
        backoff_rate: factor applied to the delay after each failure.
        jitter_strategy: randomisation of each delay.
        retryable_errors: retry only errors whose message contains one of these
            strings or matches (``re.search``) one of these patterns.
        retryable_error_types: retry only errors of these types.

    When both filters are ``None`` every error is retried; when either is set,
    an error is retried if it passes either filter.
    """

    max_attempts: int = 3
    initial_delay: Duration = field(default_factory=lambda: Duration.from_seconds(5))
    max_delay: Duration = field(default_factory=lambda: Duration.from_minutes(5))
    backoff_rate: int | float = 2.0
    jitter_strategy: JitterStrategy = JitterStrategy.FULL
    retryable_errors: list[str | re.Pattern[str]] | None = None
    retryable_error_types: list[type[Exception]] | None = None

    def __post_init__(self) -> None:
        require_at_least("RetryStrategyConfig.max_attempts", self.max_attempts, 0)
        self._check_backoff("RetryStrategyConfig")


def _is_retryable(config: RetryStrategyConfig, error: Exception) -> bool:
    if config.retryable_errors is None and config.retryable_error_types is None:
        return True
    message = str(error)
    for pattern in config.retryable_errors or ():
        if isinstance(pattern, str):
            if pattern in message:
                return True
        elif pattern.search(message):
            return True
    return any(isinstance(error, error_type) for error_type in config.retryable_error_types or ())


def create_retry_strategy(config: RetryStrategyConfig | None = None) -> RetryStrategy:
    """Build a retry strategy from ``config`` (defaults when ``None``).

    Returns:
        ``strategy(error, attempts_made)``: no retry once ``attempts_made``
        reaches ``max_attempts`` or when the error does not pass the filters;
        otherwise a retry after the jittered exponential delay (at least 1 s).

    Example:
        >>> strategy = create_retry_strategy(RetryStrategyConfig(
        ...     max_attempts=2, jitter_strategy=JitterStrategy.NONE))
        >>> strategy(RuntimeError("x"), 1).delay_seconds
        5
        >>> strategy(RuntimeError("x"), 2).should_retry
        False
    """
    resolved = config if config is not None else RetryStrategyConfig()

    def strategy(error: Exception, attempts_made: int) -> RetryDecision:
        if attempts_made >= resolved.max_attempts:
            return RetryDecision.no_retry()
        if not _is_retryable(resolved, error):
            return RetryDecision.no_retry()
        return RetryDecision.retry(resolved._delay_after(attempts_made))

    return strategy


class RetryPresets:
    """Ready-made retry strategies for common cases."""

    @classmethod
    def none(cls) -> RetryStrategy:
        """Never retry: the first failure fails the step."""
        return create_retry_strategy(RetryStrategyConfig(max_attempts=1))

    @classmethod
    def default(cls) -> RetryStrategy:
        """6 attempts, 5 s doubling up to 60 s, full jitter (used when a step has none)."""
        return create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=6,
                initial_delay=Duration.from_seconds(5),
                max_delay=Duration.from_minutes(1),
                backoff_rate=2,
                jitter_strategy=JitterStrategy.FULL,
            )
        )

    @classmethod
    def transient(cls) -> RetryStrategy:
        """3 attempts, 5 s doubling, half jitter: for brief network or service hiccups."""
        return create_retry_strategy(
            RetryStrategyConfig(max_attempts=3, backoff_rate=2, jitter_strategy=JitterStrategy.HALF)
        )

    @classmethod
    def resource_availability(cls) -> RetryStrategy:
        """5 attempts, 5 s doubling up to 5 min, full jitter: for resources still provisioning."""
        return create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=5,
                initial_delay=Duration.from_seconds(5),
                max_delay=Duration.from_minutes(5),
                backoff_rate=2,
            )
        )

    @classmethod
    def critical(cls) -> RetryStrategy:
        """10 attempts, 1 s growing by 1.5 up to 60 s, no jitter: for must-succeed work."""
        return create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=10,
                initial_delay=Duration.from_seconds(1),
                max_delay=Duration.from_minutes(1),
                backoff_rate=1.5,
                jitter_strategy=JitterStrategy.NONE,
            )
        )
