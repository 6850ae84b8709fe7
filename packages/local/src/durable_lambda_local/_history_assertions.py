"""Compare a history with an expected event list, by the conformance suite's rules.

The expected list is what the cross-SDK conformance requirements write (in YAML or as
Python dicts): events matched by ``EventId``; ``{}`` and ``"*"`` accept anything but the
key must exist; ``"${/regex/}"`` must match; ``"${NAME}"`` (any name) binds a placeholder on first
use and must be equal afterwards (inside longer strings, bound identifier names are
substituted); dicts compare only the expected keys; lists compare element by element.

Example:
    >>> events = [
    ...     {"EventId": 2, "EventType": "StepStarted", "Id": "s1"},
    ...     {"EventId": 3, "EventType": "StepSucceeded", "Id": "s1",
    ...      "StepSucceededDetails": {"Result": {"Payload": '"ok"', "Truncated": False}}},
    ... ]
    >>> assert_history(events, [
    ...     {"EventId": 2, "EventType": "StepStarted", "Id": "${STEP}"},
    ...     {"EventId": 3, "EventType": "StepSucceeded", "Id": "${STEP}",
    ...      "StepSucceededDetails": {"Result": {"Payload": '"ok"'}}},
    ... ])
    {'STEP': 's1'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

from durable_lambda_client import Event

__all__ = ["HistoryMismatchError", "assert_history"]

# A whole value "${...}" is a placeholder whatever its name (the runner takes any name:
# "${ID-1}" binds too); inside longer strings only identifier names are substituted.
_PLACEHOLDER = re.compile(r"\$\{([^{}]+)\}")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# As in the runner: a non-empty pattern on one line; anything else is not a regex.
_REGEX = re.compile(r"\$\{/(.+)/\}")
_CALLBACK_CHILD_TYPES = frozenset({"CallbackStarted", "StepStarted", "StepSucceeded"})


class HistoryMismatchError(AssertionError):
    """The history does not match the expectation; the message lists every difference,
    each with the path of the value (e.g. ``EventId=3.StepSucceededDetails.Result``)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("history does not match:\n  " + "\n  ".join(problems))
        self.problems = list(problems)


def _as_dict(event: Event | Mapping[str, Any]) -> Mapping[str, Any]:
    return event.to_dict() if isinstance(event, Event) else event


def _substitute(text: str, bindings: Mapping[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(bindings[name]) if name in bindings else match.group(0)

    return _REFERENCE.sub(replace, text)


def _compare(
    expected: Any,
    actual: Any,
    path: str,
    bindings: MutableMapping[str, Any],
    problems: list[str],
) -> None:
    if isinstance(expected, str):
        if expected == "*":
            return
        regex = _REGEX.fullmatch(expected)
        if regex is not None:
            if re.search(regex.group(1), str(actual)) is None:
                problems.append(f"{path}: {actual!r} does not match /{regex.group(1)}/")
            return
        placeholder = _PLACEHOLDER.fullmatch(expected)
        if placeholder is not None:
            name = placeholder.group(1)
            if name not in bindings:
                bindings[name] = actual
            elif bindings[name] != actual:
                problems.append(
                    f"{path}: expected ${{{name}}} = {bindings[name]!r}, got {actual!r}"
                )
            return
        expected = _substitute(expected, bindings)
    if isinstance(expected, Mapping):
        if not expected:
            return
        if not isinstance(actual, Mapping):
            problems.append(f"{path}: expected an object, got {actual!r}")
            return
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: key missing in actual event")
                continue
            _compare(value, actual[key], f"{path}.{key}", bindings, problems)
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            problems.append(f"{path}: expected {expected!r}, got {actual!r}")
            return
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            _compare(want, got, f"{path}[{index}]", bindings, problems)
        return
    if expected != actual:
        problems.append(f"{path}: expected {expected!r}, got {actual!r}")


def _copy_callback_context_names(events: list[dict[str, Any]]) -> None:
    names = {
        event.get("Id"): event.get("Name")
        for event in events
        if event.get("SubType") == "WaitForCallback" and event.get("Name")
    }
    for event in events:
        if (
            event.get("EventType") in _CALLBACK_CHILD_TYPES
            and "Name" not in event
            and event.get("ParentId") in names
        ):
            event["Name"] = names[event["ParentId"]]


def assert_history(
    actual: Iterable[Event | Mapping[str, Any]],
    expected: Iterable[Mapping[str, Any]],
    *,
    variables: Mapping[str, Any] | None = None,
    copy_wait_for_callback_names: bool = True,
) -> dict[str, Any]:
    """Check ``actual`` events against ``expected`` as the conformance runner does.

    Args:
        actual: history events (``Event`` models or boto3-style dicts).
        expected: the expected events; each must have an ``EventId``.
        variables: placeholders bound up front (e.g. generated inputs).
        copy_wait_for_callback_names: give unnamed callback/step events inside a
            ``WaitForCallback`` context that context's name, as the runner does.

    Returns:
        Every placeholder binding, so later checks (a result, a callback id) can use them.

    Raises:
        HistoryMismatchError: listing every difference found.
    """
    events = [dict(_as_dict(event)) for event in actual]
    if copy_wait_for_callback_names:
        _copy_callback_context_names(events)
    by_id = {event.get("EventId"): event for event in events}
    bindings: dict[str, Any] = dict(variables or {})
    problems: list[str] = []
    for index, want in enumerate(expected):
        event_id = want.get("EventId")
        if event_id is None:
            problems.append(f"expected event #{index} has no EventId")
            continue
        got = by_id.get(event_id)
        if got is None:
            problems.append(f"No actual event found for EventId={event_id}")
            continue
        _compare(want, got, f"EventId={event_id}", bindings, problems)
    if problems:
        raise HistoryMismatchError(problems)
    return bindings
