"""The delay schedule of step retries and ``wait_for_condition`` polling: exponential
backoff, capped, jittered, in whole seconds and never under one second."""

from __future__ import annotations

import math

from durable_lambda_context._duration import Duration
from durable_lambda_context._jitter import JitterStrategy
from durable_lambda_context._validation import require_duration, require_positive_number


class ExponentialBackoff:
    """The backoff settings that ``RetryStrategyConfig`` and ``WaitStrategyConfig`` share.

    A mixin without dataclass fields: each config declares the four settings itself, so
    that its positional field order (and defaults) stay the reference SDK's.
    """

    initial_delay: Duration
    max_delay: Duration
    backoff_rate: int | float
    jitter_strategy: JitterStrategy

    @property
    def initial_delay_seconds(self) -> int:
        """The initial delay in whole seconds."""
        return self.initial_delay.to_seconds()

    @property
    def max_delay_seconds(self) -> int:
        """The delay cap in whole seconds."""
        return self.max_delay.to_seconds()

    def _check_backoff(self, owner: str) -> None:
        """Validate the settings; errors name them as ``<owner>.<field>``."""
        require_duration(f"{owner}.initial_delay", self.initial_delay)
        require_duration(f"{owner}.max_delay", self.max_delay)
        require_positive_number(f"{owner}.backoff_rate", self.backoff_rate)

    def _delay_after(self, attempt: int) -> Duration:
        """The delay after attempt number ``attempt`` (1-based):
        ``max(1, ceil(jitter(min(initial * rate ** (attempt - 1), max))))`` seconds."""
        base = min(
            self.initial_delay_seconds * self.backoff_rate ** (attempt - 1),
            self.max_delay_seconds,
        )
        return Duration(seconds=max(1, math.ceil(self.jitter_strategy.apply_jitter(base))))
