"""The root line of the operation tree that run and executions get print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console

from durable_lambda_local.cli._operation_tree import summarize
from durable_lambda_local.cli._rendering import operation_tree

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _event(n: int, event_type: str, **fields: Any) -> dict[str, Any]:
    return {
        "EventId": n,
        "EventType": event_type,
        "EventTimestamp": T0 + timedelta(seconds=n),
        f"{event_type}Details": fields.pop("details", {}),
        **fields,
    }


HISTORY = [
    _event(1, "ExecutionStarted", Id="exec", details={"Input": {"Payload": "{}"}}),
    _event(2, "StepStarted", Id="a", Name="charge", SubType="Step"),
    _event(3, "StepSucceeded", Id="a", Name="charge", SubType="Step"),
    _event(4, "ExecutionSucceeded", Id="exec", details={"Result": {"Payload": "1"}}),
]


def _lines(tree: Any) -> list[str]:
    console = Console(width=100, color_system=None)
    with console.capture() as captured:
        console.print(tree)
    return [line.rstrip() for line in captured.get().splitlines()]


def test_the_root_names_the_status_and_detail() -> None:
    lines = _lines(operation_tree(summarize(HISTORY), "Execution e-1", "in 3 s"))

    assert lines[0] == "Execution e-1 SUCCEEDED in 3 s"
    assert "charge" in lines[1]


def test_without_status_the_root_is_the_title_alone() -> None:
    lines = _lines(operation_tree(summarize(HISTORY), "Operations", with_status=False))

    assert lines[0] == "Operations"
    assert "charge" in lines[1]
