"""An execution's operations as a tree with timings, rebuilt from its history events.

The history is what every service (local or Lambda) exposes, so the tree works the same
against a running server, the local store, or an execution in the cloud.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_KINDS = ("ChainedInvoke", "Callback", "Context", "Step", "Wait", "Execution", "Invocation")


@dataclass(frozen=True)
class OperationNode:
    """One operation of an execution, as its history tells it."""

    id: str
    kind: str
    """``Step``, ``Wait``, ``Context``, ``Callback`` or ``ChainedInvoke``."""
    name: str | None
    sub_type: str | None
    status: str
    started: datetime | None
    ended: datetime | None
    attempts: int
    """Attempts checkpointed so far (steps), 0 for other kinds."""
    retries: int
    """Attempts that failed and were scheduled again."""
    wait_seconds: int | None
    """Modelled duration of a wait, or the timeout of a callback."""
    callback_id: str | None
    result: str | None
    error: Mapping[str, Any] | None
    children: tuple[OperationNode, ...]

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from first start to end, when both are known."""
        if self.started is None or self.ended is None:
            return None
        return (self.ended - self.started).total_seconds()


@dataclass(frozen=True)
class ExecutionSummary:
    """What the history says about the whole execution."""

    status: str
    invocations: int
    failed_invocations: int
    result: str | None
    error: Mapping[str, Any] | None
    started: datetime | None
    ended: datetime | None
    operations: tuple[OperationNode, ...]


@dataclass
class _Builder:
    id: str
    kind: str
    order: int
    name: str | None = None
    sub_type: str | None = None
    parent: str | None = None
    status: str = "STARTED"
    started: datetime | None = None
    ended: datetime | None = None
    attempts: int = 0
    retries: int = 0
    wait_seconds: int | None = None
    callback_id: str | None = None
    result: str | None = None
    error: Mapping[str, Any] | None = None
    children: list[str] = field(default_factory=list)


def summarize(events: Iterable[Mapping[str, Any]]) -> ExecutionSummary:
    """The operation tree and outcome described by ``events`` (in EventId order)."""
    builders: dict[str, _Builder] = {}
    status = "RUNNING"
    invocations = failed = 0
    result: str | None = None
    error: Mapping[str, Any] | None = None
    started = ended = None
    for event in events:
        event_type = str(event.get("EventType", ""))
        kind, _, outcome = _split(event_type)
        details: Mapping[str, Any] = event.get(f"{event_type}Details") or {}
        timestamp = event.get("EventTimestamp")
        if kind == "Invocation":
            invocations += 1
            failed += 1 if details.get("Error") else 0
            continue
        if kind == "Execution":
            if outcome == "Started":
                started = timestamp
            elif outcome in ("Succeeded", "Failed", "TimedOut", "Stopped"):
                status = _STATUS[outcome]
                ended = timestamp
                result = _payload(details.get("Result"))
                error = _error(details.get("Error"))
            elif outcome in ("Paused", "Resumed"):
                status = "PAUSED" if outcome == "Paused" else "RUNNING"
            continue
        operation_id = str(event.get("Id", ""))
        builder = builders.get(operation_id)
        if builder is None:
            builder = _Builder(id=operation_id, kind=kind, order=len(builders))
            builders[operation_id] = builder
            builder.parent = event.get("ParentId")
            builder.started = timestamp
        builder.name = event.get("Name") or builder.name
        builder.sub_type = event.get("SubType") or builder.sub_type
        _apply(builder, kind, outcome, details, timestamp)
    for builder in builders.values():
        if builder.parent in builders:
            builders[builder.parent].children.append(builder.id)
    roots = [b for b in builders.values() if b.parent not in builders]
    return ExecutionSummary(
        status=status,
        invocations=invocations,
        failed_invocations=failed,
        result=result,
        error=error,
        started=started,
        ended=ended,
        operations=tuple(_freeze(b, builders) for b in roots),
    )


_STATUS = {
    "Succeeded": "SUCCEEDED",
    "Failed": "FAILED",
    "TimedOut": "TIMED_OUT",
    "Stopped": "STOPPED",
    "Cancelled": "CANCELLED",
}


def _split(event_type: str) -> tuple[str, str, str]:
    for kind in _KINDS:
        if event_type.startswith(kind):
            return kind, "", event_type[len(kind) :]
    return event_type, "", ""


def _apply(
    builder: _Builder,
    kind: str,
    outcome: str,
    details: Mapping[str, Any],
    timestamp: datetime | None,
) -> None:
    retry = details.get("RetryDetails") or {}
    if "CurrentAttempt" in retry:
        builder.attempts = int(retry["CurrentAttempt"])
    if outcome == "Started":
        builder.status = "STARTED"
        if kind == "Wait":
            builder.wait_seconds = details.get("Duration")
        if kind == "Callback":
            builder.callback_id = details.get("CallbackId")
            builder.wait_seconds = details.get("Timeout")
        return
    rescheduled = "NextAttemptDelaySeconds" in retry
    if rescheduled:
        builder.status = "PENDING"
        builder.retries += 1 if outcome == "Failed" else 0
    else:
        builder.status = _STATUS.get(outcome, outcome.upper())
        builder.ended = timestamp
    builder.result = _payload(details.get("Result")) or builder.result
    builder.error = _error(details.get("Error")) if outcome != "Succeeded" else None


def _payload(wrapper: Any) -> str | None:
    if isinstance(wrapper, Mapping) and wrapper.get("Payload") is not None:
        return str(wrapper["Payload"])
    return None


def _error(wrapper: Any) -> Mapping[str, Any] | None:
    if isinstance(wrapper, Mapping) and isinstance(wrapper.get("Payload"), Mapping):
        payload: Mapping[str, Any] = wrapper["Payload"]
        return payload
    return None


def _freeze(builder: _Builder, builders: Mapping[str, _Builder]) -> OperationNode:
    children = sorted((builders[c] for c in builder.children), key=lambda b: b.order)
    return OperationNode(
        id=builder.id,
        kind=builder.kind,
        name=builder.name,
        sub_type=builder.sub_type,
        status=builder.status,
        started=builder.started,
        ended=builder.ended,
        attempts=builder.attempts,
        retries=builder.retries,
        wait_seconds=builder.wait_seconds,
        callback_id=builder.callback_id,
        result=builder.result,
        error=builder.error,
        children=tuple(_freeze(c, builders) for c in children),
    )
