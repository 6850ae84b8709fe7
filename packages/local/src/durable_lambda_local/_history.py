"""History events as ``GetDurableExecutionHistory`` returns them.

Events are stored with their full payloads; what a reader gets depends on the request:
with ``IncludeExecutionData=false`` every payload wrapper (input, result, error, reason)
loses its payload and says ``Truncated: true``, and a payload larger than the history
payload limit is withheld the same way so one page never balloons.
"""

from __future__ import annotations

from dataclasses import replace

from durable_lambda_client import ErrorObject, Event, EventDetails
from durable_lambda_local._checkpoint_validation import error_size, utf8_length
from durable_lambda_local._clock import ms_to_datetime
from durable_lambda_local._records import EventRecord

__all__ = ["DEFAULT_HISTORY_PAYLOAD_LIMIT", "to_event"]

DEFAULT_HISTORY_PAYLOAD_LIMIT = 256 * 1024
"""Payloads larger than this many bytes are withheld from history pages (Truncated)."""

_WRAPPER_FIELDS = ("input", "result", "error", "reason")


def _payload_size(payload: object) -> int:
    if isinstance(payload, ErrorObject):
        return error_size(payload)
    if isinstance(payload, str):
        return utf8_length(payload)
    return 0


def _withhold(details: EventDetails, include_data: bool, limit: int | None) -> EventDetails:
    changes: dict[str, object] = {}
    for name in _WRAPPER_FIELDS:
        wrapper = getattr(details, name, None)
        if wrapper is None:
            continue
        payload = wrapper.payload
        if not include_data or (
            limit is not None and payload is not None and _payload_size(payload) > limit
        ):
            changes[name] = replace(wrapper, payload=None, truncated=True)
    if not changes:
        return details
    return replace(details, **changes)  # type: ignore[arg-type]


def to_event(
    record: EventRecord, *, include_execution_data: bool = True, payload_limit: int | None = None
) -> Event:
    """The wire model of a stored event, with payloads withheld as the request asks."""
    return Event(
        event_type=record.event_type,
        event_id=record.event_id,
        event_timestamp=ms_to_datetime(record.timestamp_ms),
        id=record.operation_id,
        name=record.name,
        parent_id=record.parent_id,
        sub_type=record.sub_type,
        details=_withhold(record.details, include_execution_data, payload_limit),
    )
