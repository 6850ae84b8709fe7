"""Opaque strings the service hands to clients: checkpoint tokens and paging markers.

All of them are standard base64 (the alphabet the model's patterns allow) of a short
``|``-separated text. Clients must treat them as opaque; the service decodes them and
rejects anything it did not issue for the resource at hand. Nothing secret is inside:
a checkpoint token is only accepted while it names the execution's current invocation
(a random id) and current sequence number.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

__all__ = [
    "CheckpointTokenData",
    "HistoryMarker",
    "ListMarker",
    "StateMarker",
    "decode_checkpoint_token",
    "decode_history_marker",
    "decode_list_marker",
    "decode_state_marker",
    "encode_checkpoint_token",
    "encode_history_marker",
    "encode_list_marker",
    "encode_state_marker",
]

_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_SEPARATOR = "|"


def _encode(tag: str, *parts: object) -> str:
    text = _SEPARATOR.join((tag, *(str(part) for part in parts)))
    return base64.b64encode(text.encode()).decode("ascii")


def _decode(value: str, tag: str, arity: int) -> list[str] | None:
    if not value or len(value) > 4096 or _BASE64.fullmatch(value) is None:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    parts = text.split(_SEPARATOR)
    if len(parts) != arity + 1 or parts[0] != tag:
        return None
    return parts[1:]


def _to_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@dataclass(frozen=True, slots=True)
class CheckpointTokenData:
    """What a checkpoint token names: the execution, the invocation it was issued to,
    and the sequence number it must carry to be current."""

    execution_id: str
    invocation_id: str
    sequence: int


def encode_checkpoint_token(data: CheckpointTokenData) -> str:
    """Encode a checkpoint token (well under the 2048-character limit)."""
    return _encode("T", data.execution_id, data.invocation_id, data.sequence)


def decode_checkpoint_token(token: str) -> CheckpointTokenData | None:
    """Decode a token this service issued; None for anything else."""
    parts = _decode(token, "T", 3)
    if parts is None:
        return None
    sequence = _to_int(parts[2])
    if sequence is None:
        return None
    return CheckpointTokenData(parts[0], parts[1], sequence)


@dataclass(frozen=True, slots=True)
class StateMarker:
    """Position in a state page sequence pinned to one token sequence.

    ``delta`` is True for the rest of a checkpoint response's changed operations, False
    for the full state (invocation envelope or GetDurableExecutionState).
    """

    execution_id: str
    sequence: int
    offset: int
    delta: bool


def encode_state_marker(marker: StateMarker) -> str:
    return _encode("S", marker.execution_id, marker.sequence, marker.offset, int(marker.delta))


def decode_state_marker(value: str) -> StateMarker | None:
    parts = _decode(value, "S", 4)
    if parts is None:
        return None
    sequence, offset, delta = (_to_int(part) for part in parts[1:])
    if sequence is None or offset is None or delta not in (0, 1):
        return None
    return StateMarker(parts[0], sequence, offset, bool(delta))


@dataclass(frozen=True, slots=True)
class HistoryMarker:
    """Next EventId to return (forward) or the last one returned (reverse)."""

    execution_id: str
    event_id: int
    reverse: bool


def encode_history_marker(marker: HistoryMarker) -> str:
    return _encode("H", marker.execution_id, marker.event_id, int(marker.reverse))


def decode_history_marker(value: str) -> HistoryMarker | None:
    parts = _decode(value, "H", 3)
    if parts is None:
        return None
    event_id, reverse = _to_int(parts[1]), _to_int(parts[2])
    if event_id is None or reverse not in (0, 1):
        return None
    return HistoryMarker(parts[0], event_id, bool(reverse))


@dataclass(frozen=True, slots=True)
class ListMarker:
    """Keyset position in a listing: the last (start time, execution id) returned."""

    function_name: str
    start_ms: int
    execution_id: str
    reverse: bool


def encode_list_marker(marker: ListMarker) -> str:
    return _encode(
        "L", marker.function_name, marker.start_ms, marker.execution_id, int(marker.reverse)
    )


def decode_list_marker(value: str) -> ListMarker | None:
    parts = _decode(value, "L", 4)
    if parts is None:
        return None
    start_ms, reverse = _to_int(parts[1]), _to_int(parts[3])
    if start_ms is None or reverse not in (0, 1):
        return None
    return ListMarker(parts[0], start_ms, parts[2], bool(reverse))
