"""How results look: rich tables and trees for people, JSON for scripts (``--json``)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from durable_lambda_local.cli._operation_tree import ExecutionSummary, OperationNode

_STATUS_STYLES = {
    "SUCCEEDED": "green",
    "FAILED": "red",
    "TIMED_OUT": "red",
    "STOPPED": "yellow",
    "CANCELLED": "yellow",
    "RUNNING": "cyan",
    "STARTED": "cyan",
    "PENDING": "magenta",
    "READY": "magenta",
    "PAUSED": "yellow",
    "PAUSING": "yellow",
}
_STATUS_MARKS = {
    "SUCCEEDED": "✔",
    "FAILED": "✘",
    "TIMED_OUT": "⏱",
    "STOPPED": "■",
    "CANCELLED": "■",
    "PENDING": "↻",
}


def to_jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO-8601 strings and bytes as text (or base64)."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return base64.b64encode(value).decode()
    return value


def echo_json(value: Any) -> None:
    """Print ``value`` as one JSON document on stdout."""
    click.echo(json.dumps(to_jsonable(value), ensure_ascii=False))


def console() -> Console:
    """The console human-readable output goes to (stdout, no colours when piped).

    Markup is off: names, inputs and results are the user's text, and a ``[bold]`` or
    ``[x]`` in them must show as written, not be taken for a style and dropped.
    """
    out = Console(highlight=False, soft_wrap=True, markup=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        # Piped output is read by scripts and logs: do not cut lines at 80 columns.
        out.width = 200
    return out


def status_text(status: str) -> Text:
    """A status word in its colour."""
    return Text(status, style=_STATUS_STYLES.get(status, ""))


def executions_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    """A table of execution summaries (ListDurableExecutionsByFunction rows)."""
    names = [str(row.get("DurableExecutionName", "")) for row in rows]
    table = Table(box=None)
    # The name is what `executions get NAME` takes: it is never cut, the others give way.
    table.add_column("Name", no_wrap=True, min_width=max(map(len, names), default=4))
    table.add_column("Function", min_width=8, overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Started", min_width=10)
    table.add_column("Duration", no_wrap=True)
    for row in rows:
        started, ended = row.get("StartTimestamp"), row.get("EndTimestamp")
        table.add_row(
            str(row.get("DurableExecutionName", "")),
            str(row.get("FunctionArn", "")).split(":function:")[-1],
            status_text(str(row.get("Status", ""))),
            _clock(started),
            _duration(started, ended),
        )
    return table


def execution_lines(execution: Mapping[str, Any]) -> list[str]:
    """Key facts of a GetDurableExecution response, one per line."""
    lines = [
        f"Execution  {execution.get('DurableExecutionName')}",
        f"ARN        {execution.get('DurableExecutionArn')}",
        f"Function   {execution.get('FunctionArn')}",
        f"Status     {execution.get('Status')}",
        f"Started    {_iso(execution.get('StartTimestamp'))}",
    ]
    if execution.get("EndTimestamp"):
        lines.append(f"Ended      {_iso(execution.get('EndTimestamp'))}")
    if execution.get("InputPayload") is not None:
        lines.append(f"Input      {execution['InputPayload']}")
    if execution.get("Result") is not None:
        lines.append(f"Result     {execution['Result']}")
    if execution.get("Error"):
        lines.append(f"Error      {format_error(execution['Error'])}")
    return lines


HISTORY_COLUMNS = ("#", "Time", "Event", "Operation", "Details")
_FOLLOW_WIDTHS = (4, 19, 22, 32)


def history_row(event: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """One history event as the cells of :data:`HISTORY_COLUMNS`."""
    event_type = str(event.get("EventType", ""))
    details = event.get(f"{event_type}Details") or {}
    label = " ".join(str(p) for p in (event.get("SubType"), event.get("Name")) if p)
    return (
        str(event.get("EventId", "")),
        _clock(event.get("EventTimestamp")),
        event_type,
        label,
        _short(json.dumps(to_jsonable(details), ensure_ascii=False)),
    )


def history_table(events: Iterable[Mapping[str, Any]]) -> Table:
    """A table of history events."""
    table = Table(*HISTORY_COLUMNS, box=None)
    for event in events:
        table.add_row(*history_row(event))
    return table


def history_line(cells: Sequence[str]) -> str:
    """History cells as one line of fixed-width columns, for output that grows line by
    line (``--follow``) where a table cannot size its columns in advance."""
    fixed = [cell.ljust(width) for cell, width in zip(cells, _FOLLOW_WIDTHS, strict=False)]
    return "  ".join([*fixed, *cells[len(_FOLLOW_WIDTHS) :]]).rstrip()


def operation_tree(
    summary: ExecutionSummary, title: str, detail: str = "", *, with_status: bool = True
) -> Tree:
    """The operations of an execution as a tree with statuses, timings, retries and waits.

    The root reads ``<title> <STATUS> <detail>``; ``with_status=False`` leaves the status
    out where the lines above the tree already show it.
    """
    root: list[str | Text] = [title]
    if with_status:
        root += [" ", status_text(summary.status)]
    if detail:
        root += [" ", detail]
    tree = Tree(Text.assemble(*root))
    for node in summary.operations:
        _add_node(tree, node)
    return tree


def _add_node(parent: Tree, node: OperationNode) -> None:
    label = Text()
    label.append(_STATUS_MARKS.get(node.status, "•") + " ", style=_STATUS_STYLES.get(node.status))
    label.append(node.name or node.id, style="bold")
    label.append(f"  {node.sub_type or node.kind}", style="dim")
    facts = [node.status.lower()]
    if node.kind == "Wait" and node.wait_seconds is not None:
        facts.append(f"wait {format_seconds(node.wait_seconds)}")
    elif node.duration_seconds is not None:
        facts.append(format_seconds(node.duration_seconds))
    if node.attempts > 1 or node.retries:
        facts.append(f"{node.attempts} attempts, {node.retries} retried")
    if node.callback_id and node.status == "STARTED":
        facts.append(f"callback id {node.callback_id}")
    if node.error:
        facts.append(format_error(node.error))
    label.append("  " + ", ".join(facts), style="dim")
    branch = parent.add(label)
    for child in node.children:
        _add_node(branch, child)


def format_error(error: Mapping[str, Any]) -> str:
    """``ErrorType: ErrorMessage`` of an ErrorObject."""
    kind, message = error.get("ErrorType"), error.get("ErrorMessage")
    return ": ".join(str(p) for p in (kind, message) if p) or "error"


def format_seconds(seconds: float) -> str:
    """A duration for people: ``12 ms``, ``3.2 s``, ``5 min``, ``2 h 30 min``, ``3 d``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".0 s", " s")
    if seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    if seconds < 86400:
        hours, rest = divmod(round(seconds) // 60, 60)
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, rest = divmod(round(seconds) // 3600, 24)
    return f"{days} d" + (f" {rest} h" if rest else "")


def _duration(started: Any, ended: Any) -> str:
    if isinstance(started, datetime) and isinstance(ended, datetime):
        return format_seconds((ended - started).total_seconds())
    return ""


def _clock(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else ""


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value or "")


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
