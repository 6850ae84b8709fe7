"""Conversions between the two timestamp forms the SDK receives.

boto3 hands API timestamps over as ``datetime`` objects; the Lambda invocation
envelope carries them as integers in epoch milliseconds. Models hold aware UTC
``datetime`` values either way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["datetime_from_epoch_ms", "epoch_ms_from_datetime"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def datetime_from_epoch_ms(value: object, field: str) -> datetime | None:
    """Read an envelope timestamp: epoch milliseconds (int or float), or a ``datetime``.

    ``None`` stays ``None``; a ``datetime`` is returned unchanged (injected inputs and
    boto3 outputs already are datetimes). Adding a ``timedelta`` to the epoch keeps
    integer milliseconds exact, which ``datetime.fromtimestamp(ms / 1000)`` does not
    promise.
    """
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _EPOCH + timedelta(milliseconds=value)
    msg = f"{field} must be epoch milliseconds (a number) or a datetime; got {value!r}"
    raise TypeError(msg)


def epoch_ms_from_datetime(value: datetime) -> int:
    """Write a timestamp as the envelope does: whole epoch milliseconds (floor).

    A naive ``datetime`` is taken to be UTC.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _ONE_MS
