"""``executions history --follow``: an execution's history printed as it grows.

The command may talk to any server (ours or Lambda itself) over the public API, which
has no change notification, so it reads the history again every ``FOLLOW_INTERVAL``
seconds and prints the events it has not printed yet, until the execution ends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import click

from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._remote import RemoteService
from durable_lambda_local.cli._rendering import (
    HISTORY_COLUMNS,
    history_line,
    history_row,
    to_jsonable,
)

__all__ = ["ENDING_EVENTS", "FOLLOW_INTERVAL", "follow_history"]

FOLLOW_INTERVAL = 0.5
"""Seconds between two reads of the history."""

ENDING_EVENTS = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionStopped"}
)


def follow_history(
    service: RemoteService,
    arn: str,
    *,
    as_json: bool,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Print the events of ``arn`` as they are written, until its ending event.

    Text output is one line per event under a header; ``as_json`` prints each event as
    one JSON document per line (JSON Lines), so a script can read them as they come.

    Raises:
        CliError: the command reads a store no server runs, where the execution cannot
            move on, or the service refused a read (the execution was deleted, say).
    """
    if not service.runs_functions:
        raise CliError(
            "--follow needs the server that runs the execution: start "
            "'durable-lambda serve' on the store (or pass --endpoint URL of a running one)",
            exit_code=2,
        )
    printed = 0
    if not as_json:
        click.echo(history_line(HISTORY_COLUMNS))
    while True:
        events = service.history(arn)
        for event in events[printed:]:
            click.echo(_event_line(event, as_json))
        printed = max(printed, len(events))
        if events and events[-1].get("EventType") in ENDING_EVENTS:
            return
        sleep(FOLLOW_INTERVAL)


def _event_line(event: Mapping[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(to_jsonable(event), ensure_ascii=False)
    return history_line(history_row(event))
