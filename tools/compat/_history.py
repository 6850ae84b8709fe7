"""Histories reduced to what two SDKs running the same handler must agree on.

Both sides run the same handler on the same service, so every operation id, parent,
type, sub-type, name, payload and error must match. What legitimately differs is left
out: the execution's own name and input (they carry a fresh run id), timestamps,
event ids and invocation boundaries (they depend on timing), callback ids and ARNs
(random), and stack traces (file paths). Events are compared as a sorted list, because
concurrent map items and parallel branches may record in any order.

Error types are compared without their module: the reference SDK 3.x writes
fully-qualified class names (``handlers.steps.FlakyServiceError``) where 1.1.0, which our
SDK follows, writes the bare name. A scenario may also declare renamed error types (a
3.x error class that 1.1.0 does not have), see ``_scenarios.ExpectedDifference``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["canonical_events", "comparable_error_type", "first_difference", "operation_summary"]

_TIMING_EVENTS = frozenset({"InvocationCompleted"})
_VOLATILE_KEYS = frozenset(
    {"EventId", "CallbackId", "StackTrace", "DurableExecutionArn", "RequestId", "Input"}
)


def comparable_error_type(error_type: Any, renamed: Mapping[str, str]) -> Any:
    """``error_type`` without its module, then renamed through ``renamed``."""
    if not isinstance(error_type, str):
        return error_type
    bare = error_type.rsplit(".", 1)[-1]
    return renamed.get(bare, bare)


def _scrub(value: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {
            key: comparable_error_type(item, renamed)
            if key == "ErrorType"
            else _scrub(item, renamed)
            for key, item in value.items()
            if key not in _VOLATILE_KEYS and not key.endswith("Timestamp")
        }
    if isinstance(value, list):
        return [_scrub(item, renamed) for item in value]
    return value


def _canonical(event: Mapping[str, Any], renamed: Mapping[str, str]) -> dict[str, Any]:
    kept: dict[str, Any] = _scrub(event, renamed)
    if str(event.get("EventType", "")).startswith("Execution"):
        # The execution's id and name are its random name.
        kept.pop("Id", None)
        kept.pop("Name", None)
    return kept


def canonical_events(
    events: Iterable[Mapping[str, Any]], renamed: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The events of a history (as boto3 parses them) that both sides must agree on, in
    a canonical order (by id, then type, then content).

    Args:
        events: the history's events.
        renamed: error types (without module) to replace, e.g. a 3.x-only class by the
            1.1.0 one.
    """
    table = renamed or {}
    kept = [
        _canonical(event, table) for event in events if event.get("EventType") not in _TIMING_EVENTS
    ]
    return sorted(kept, key=lambda event: json.dumps(event, sort_keys=True, default=str))


def _describe(event: Mapping[str, Any] | None) -> str:
    if event is None:
        return "nothing"
    return json.dumps(event, sort_keys=True, default=str)[:300]


def first_difference(reference: list[dict[str, Any]], ours: list[dict[str, Any]]) -> str | None:
    """Where two canonical histories first differ (None when they are equal)."""
    for index in range(max(len(reference), len(ours))):
        left = reference[index] if index < len(reference) else None
        right = ours[index] if index < len(ours) else None
        if left != right:
            return (
                f"event {index + 1} of {len(reference)} (reference) / {len(ours)} (ours): "
                f"reference {_describe(left)} but ours {_describe(right)}"
            )
    return None


def operation_summary(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """``EventType(Name)`` for each non-timing event in history order: a short trace."""
    summary = []
    for event in events:
        kind = str(event.get("EventType", "?"))
        if kind in _TIMING_EVENTS:
            continue
        name = event.get("Name")
        summary.append(kind if not name or kind.startswith("Execution") else f"{kind}({name})")
    return summary
