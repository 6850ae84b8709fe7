"""Run one requirement against a backend and judge it by the conformance rules.

The flow is the official runner's: bind the variables, substitute them into the input,
invoke. A synchronous requirement reads the history once after the execution ended. An
asynchronous one polls the history, answers each newly opened callback with the first
unused matching action (a heartbeat leaves the callback matchable), stops when the
execution ends (or, without an expected result, as soon as the history matches) and
gives up after 30 seconds without a new event. The history is then matched with
``durable_lambda_local.assert_history`` (events by EventId, ``"*"``, ``{}``,
``${NAME}`` placeholders, ``${/regex/}``), the status and result with
``GetDurableExecution``, and last, when the requirement has ``ExpectedLogs`` and
everything else held, the execution's log records (``_log_expectations``).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from conformance._backends import Backend
from conformance._bindings import generate_variables, substitute
from conformance._catalogue import CallbackAction, Requirement
from conformance._log_expectations import check_logs
from durable_lambda_local import HistoryMismatchError, assert_history

__all__ = [
    "NO_PROGRESS_TIMEOUT",
    "Checked",
    "Outcome",
    "Verdict",
    "check_requirement",
    "execution_status",
]

NO_PROGRESS_TIMEOUT = 30.0
"""Seconds of polling without a new history event before an asynchronous run gives up."""

_TERMINAL_EVENTS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionStopped": "STOPPED",
}
_TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"})
_REGEX = re.compile(r"\$\{/(.+)/\}")


class Verdict(Enum):
    """How a requirement fared."""

    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"
    DIFF = "DIFF"
    """Failed, as expected: our SDK follows reference 1.1.0 where the requirement does not
    (in its history and result, or only in its log records, as the difference says)."""
    XPASS = "XPASS"
    """Passed although an expected difference is declared: the declaration is stale."""

    @property
    def is_failure(self) -> bool:
        return self in (Verdict.FAIL, Verdict.XPASS)


@dataclass(frozen=True)
class Outcome:
    """The verdict on one requirement and what it rests on."""

    requirement_id: str
    area: str
    verdict: Verdict
    problems: Sequence[str] = ()
    reason: str | None = None
    execution_arn: str | None = None
    bindings: Mapping[str, Any] = field(default_factory=dict)
    logs: str | None = None
    """How the ``ExpectedLogs`` fared: None without any, else ``"met"``, ``"missed"`` or
    ``"not reached"`` (the history or result failed first)."""

    @property
    def detail(self) -> str:
        """The first problem, or the reason of a skip or an expected difference."""
        if self.verdict in (Verdict.PASS, Verdict.XPASS) and self.reason:
            return self.reason
        if self.verdict is Verdict.PASS and self.logs == "met":
            return "log records as expected"
        if self.problems:
            return self.problems[0]
        return self.reason or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.requirement_id,
            "area": self.area,
            "verdict": self.verdict.value,
            "problems": list(self.problems),
            "reason": self.reason,
            "logs": self.logs,
            "executionArn": self.execution_arn,
        }


def execution_status(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The status the history shows: that of its last terminal event, if any."""
    for event in reversed(events):
        status = _TERMINAL_EVENTS.get(str(event.get("EventType")))
        if status is not None:
            return status
    return None


def _matches_name(action: CallbackAction, name: str, bindings: Mapping[str, Any]) -> bool:
    wanted = str(substitute(action.callback_name, bindings))
    if wanted in ("*", name):
        return True
    regex = _REGEX.fullmatch(wanted)
    return regex is not None and re.search(regex[1], name) is not None


class _CallbackAnswerer:
    """Answers each callback once, as the requirement's actions say."""

    def __init__(self, actions: Sequence[CallbackAction], backend: Backend) -> None:
        self._actions = actions
        self._backend = backend
        self._used: set[int] = set()
        self._handled: set[str] = set()

    def answer_new(
        self, events: Sequence[Mapping[str, Any]], bindings: Mapping[str, Any]
    ) -> list[str]:
        problems: list[str] = []
        for event in events:
            if event.get("EventType") != "CallbackStarted":
                continue
            callback_id = str(event.get("CallbackStartedDetails", {}).get("CallbackId") or "")
            if not callback_id or callback_id in self._handled:
                continue
            name = str(event.get("Name", ""))
            index = next(
                (
                    index
                    for index, action in enumerate(self._actions)
                    if index not in self._used and _matches_name(action, name, bindings)
                ),
                None,
            )
            if index is None:
                if self._actions:
                    problems.append(
                        f"No matching CallbackAction for callback {name or '<anonymous>'!r} "
                        f"(id={callback_id})"
                    )
                self._handled.add(callback_id)  # left open: a timeout requirement
                continue
            action = self._actions[index]
            self._used.add(index)
            if action.operation != "heartbeat":
                self._handled.add(callback_id)
            if action.delay > 0:
                self._backend.let_time_pass(action.delay)
            try:
                self._send(callback_id, action, bindings)
            except Exception as error:
                problems.append(f"Callback {action.operation} failed for {callback_id}: {error}")
        return problems

    def _send(self, callback_id: str, action: CallbackAction, bindings: Mapping[str, Any]) -> None:
        payload = substitute(action.payload, bindings)
        if action.operation == "success":
            result = None if payload is None else json.dumps(payload).encode("utf-8")
            self._backend.send_success(callback_id, result)
        elif action.operation == "failure":
            if payload is not None and not isinstance(payload, Mapping):
                raise ValueError(f"a failure payload must be an object, got {payload!r}")
            fields = ("ErrorType", "ErrorMessage", "ErrorData", "StackTrace")
            error = {key: payload[key] for key in fields if key in payload} if payload else {}
            self._backend.send_failure(callback_id, error or None)
        else:
            self._backend.send_heartbeat(callback_id)


def _match_history(
    requirement: Requirement, events: Sequence[Mapping[str, Any]], bindings: dict[str, Any]
) -> list[str]:
    try:
        bound = assert_history(
            events,
            requirement.expected_history,
            variables=bindings,
            copy_wait_for_callback_names=False,
        )
    except HistoryMismatchError as mismatch:
        return list(mismatch.problems)
    bindings.update(bound)
    return []


def _check_result(
    requirement: Requirement, backend: Backend, arn: str, bindings: Mapping[str, Any]
) -> list[str]:
    expected = requirement.expected_result
    if not expected:
        return []
    described = backend.execution(arn)
    status = described.get("Status")
    wanted_status = expected.get("ExecutionStatus")
    if wanted_status and status != wanted_status:
        return [f"Expected ExecutionStatus={wanted_status!r}, got {status!r}"]
    if status != "SUCCEEDED" or "Result" not in expected:
        return []
    raw = described.get("Result")
    actual: Any = None
    if raw is not None:
        try:
            actual = json.loads(raw)
        except (TypeError, ValueError):
            actual = raw
    wanted = substitute(expected["Result"], bindings)
    if actual != wanted:
        return [f"Expected Result={wanted!r}, got {actual!r}"]
    return []


def _poll(
    requirement: Requirement, backend: Backend, arn: str, bindings: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str], bool]:
    """Poll until the execution ends; returns the last events, the problems met, and
    whether a history-only requirement already matched."""
    answerer = _CallbackAnswerer(requirement.callback_actions, backend)
    problems: list[str] = []
    seen = 0
    quiet = 0.0
    history_only = requirement.expected_result is None
    while True:
        backend.let_time_pass(backend.poll_interval)
        events = backend.history(arn)
        if execution_status(events) in _TERMINAL_STATUSES:
            return events, problems, False
        if len(events) > seen:
            seen, quiet = len(events), 0.0
        else:
            quiet += backend.poll_interval
            if quiet >= NO_PROGRESS_TIMEOUT:
                problems.append(f"No new events for {quiet:.1f}s (timeout: {NO_PROGRESS_TIMEOUT}s)")
                return events, problems, False
        problems += answerer.answer_new(events, bindings)
        if history_only and requirement.expected_history:
            attempt = dict(bindings)
            if not _match_history(requirement, events, attempt):
                bindings.update(attempt)
                return events, problems, True


@dataclass(frozen=True)
class Checked:
    """What running one requirement showed.

    Attributes:
        problems: every way the history, status or result differ (empty: they hold).
        log_problems: every way the log records miss ``ExpectedLogs``; only looked at
            when ``problems`` is empty, as the official runner does.
        execution_arn: the execution that ran.
        bindings: the placeholder values the run ended with.
        log_records: the execution's records, when its logs were checked.
    """

    problems: Sequence[str]
    log_problems: Sequence[str]
    execution_arn: str
    bindings: Mapping[str, Any]
    log_records: Sequence[Mapping[str, Any]] | None = None

    @property
    def all_problems(self) -> list[str]:
        """The history and result problems, then the log ones."""
        return [*self.problems, *self.log_problems]


def _run(
    requirement: Requirement, backend: Backend, bindings: dict[str, Any]
) -> tuple[list[str], str]:
    payload = json.dumps(substitute(requirement.input, bindings)).encode("utf-8")
    if not requirement.asynchronous:
        arn = backend.start(payload, wait=True)
        problems = _match_history(requirement, backend.history(arn), bindings)
        if not problems:
            problems = _check_result(requirement, backend, arn, bindings)
        return problems, arn
    arn = backend.start(payload, wait=False)
    events, problems, matched = _poll(requirement, backend, arn, bindings)
    if matched:
        return problems, arn
    mismatches = _match_history(requirement, events, bindings)
    if mismatches:
        return problems + mismatches, arn
    return problems + _check_result(requirement, backend, arn, bindings), arn


def check_requirement(
    requirement: Requirement, backend: Backend, rng: random.Random | None = None
) -> Checked:
    """Run ``requirement`` on ``backend`` and list every way it failed."""
    bindings = generate_variables(requirement.variables, rng or random.Random())
    problems, arn = _run(requirement, backend, bindings)
    if problems or not requirement.expected_logs:
        return Checked(problems, [], arn, bindings)
    records = backend.logs(arn)
    log_problems = check_logs(requirement.expected_logs, records, bindings)
    return Checked(problems, log_problems, arn, bindings, records)
