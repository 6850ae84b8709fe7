"""Argument checks shared by configs and operations.

Every failure is a ``ValidationError`` whose message names the field, the value
given and what is allowed, raised before an operation id is consumed.
"""

from __future__ import annotations

from typing import Any

from durable_lambda_client import ValidationError
from durable_lambda_context._duration import Duration


def _shown(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def require_duration(field: str, value: object) -> None:
    """``value`` must be a ``Duration``."""
    if not isinstance(value, Duration):
        hint = f"; use Duration.from_seconds({value!r})" if isinstance(value, int | float) else ""
        raise ValidationError(f"{field} must be a Duration, got: {_shown(value)}{hint}")


def require_optional_duration(field: str, value: object) -> None:
    """``value`` must be a ``Duration`` or ``None``."""
    if value is not None:
        require_duration(field, value)


def require_callable(field: str, value: object) -> None:
    """``value`` must be callable."""
    if not callable(value):
        raise ValidationError(f"{field} must be callable, got: {_shown(value)}")


def require_name(field: str, value: object) -> None:
    """``value`` must be a string or ``None``."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{field} must be a str or None, got: {_shown(value)}")


def require_at_least(field: str, value: Any, minimum: int) -> None:
    """``value`` must be an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{field} must be an int of at least {minimum}, got: {_shown(value)}")


def require_positive_number(field: str, value: Any) -> None:
    """``value`` must be a number greater than 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValidationError(f"{field} must be a number greater than 0, got: {_shown(value)}")


def require_non_empty_str(field: str, value: object) -> None:
    """``value`` must be a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty str, got: {_shown(value)}")
