"""``Duration``: the one way every durable API takes a length of time."""

from __future__ import annotations

from dataclasses import dataclass

from durable_lambda_client import ValidationError

_SECONDS_PER_MINUTE = 60
_SECONDS_PER_HOUR = 3600
_SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Duration:
    """A length of time in whole seconds.

    The service counts waits, retry delays and timeouts in whole seconds, so a
    ``Duration`` holds only that; the builders truncate toward zero
    (``Duration.from_minutes(0.01) == Duration(0)``).

    Args:
        seconds: the length in seconds; 0 or more.

    Raises:
        ValidationError: ``seconds`` is negative.

    Example:
        >>> Duration.from_minutes(1.5).to_seconds()
        90
    """

    seconds: int = 0

    def __post_init__(self) -> None:
        if self.seconds < 0:
            # The wording is the reference's, kept because callers match on it.
            raise ValidationError("Duration seconds must be positive")

    def to_seconds(self) -> int:
        """Return the length in whole seconds."""
        return self.seconds

    @staticmethod
    def from_seconds(value: float) -> Duration:
        """Build a duration of ``value`` seconds (fractions are dropped)."""
        return Duration(seconds=int(value))

    @staticmethod
    def from_minutes(value: float) -> Duration:
        """Build a duration of ``value`` minutes (fractions of a second are dropped)."""
        return Duration(seconds=int(value * _SECONDS_PER_MINUTE))

    @staticmethod
    def from_hours(value: float) -> Duration:
        """Build a duration of ``value`` hours (fractions of a second are dropped)."""
        return Duration(seconds=int(value * _SECONDS_PER_HOUR))

    @staticmethod
    def from_days(value: float) -> Duration:
        """Build a duration of ``value`` days (fractions of a second are dropped)."""
        return Duration(seconds=int(value * _SECONDS_PER_DAY))
