"""``durable-lambda run``: execute a handler on the local service and watch it progress."""

from __future__ import annotations

import contextlib
import json
import shlex
import threading
from collections.abc import Iterator, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

import click
from rich.console import Group
from rich.live import Live
from rich.text import Text

from durable_lambda_local._change_feed import ExecutionChange
from durable_lambda_local._clock import DEFAULT_ANSWER_WINDOW
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._json_arguments import read_json_argument
from durable_lambda_local.cli._locations import MEMORY_STORE
from durable_lambda_local.cli._operation_tree import ExecutionSummary, OperationNode, summarize
from durable_lambda_local.cli._remote import RemoteService
from durable_lambda_local.cli._rendering import (
    console,
    echo_json,
    format_error,
    format_seconds,
    operation_tree,
)
from durable_lambda_local.cli._serve import execution_timeout_option, parse_functions, serving
from durable_lambda_local.cli._service_access import refuse_if_served, store_path
from durable_lambda_local.cli._targets import function_name_for, load_target

MIN_REFRESH_SECONDS = 0.125
"""The live view re-reads the history when the execution changes, at most this often."""


@click.command("run")
@click.argument("target")
@click.option("--input", "input_", default="{}", help="Event as JSON text, or @file.json.")
@click.option("--name", default=None, help="Execution name (idempotent; default: generated).")
@click.option("--function-name", default=None, help="Function name (default: module name).")
@click.option("--store", default=None, help="SQLite file, or 'memory' (default: the local store).")
@click.option(
    "--real-time", is_flag=True, help="Wait in real time instead of skipping waits and timeouts."
)
@click.option(
    "--auto-callback",
    default=None,
    metavar="JSON",
    help="Answer every callback at once with this result (no second terminal needed).",
)
@click.option(
    "--function",
    "functions",
    multiple=True,
    metavar="NAME=TARGET",
    help="Also host this durable function, for a handler that invokes it: "
    "check-stock=app.py:check_stock (repeatable).",
)
@click.option(
    "--plain-function",
    "plain_functions",
    multiple=True,
    metavar="NAME=TARGET",
    help="Also host this ordinary (non-durable) function, for a handler that invokes it "
    "(repeatable).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port of the service.")
@execution_timeout_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
def run_command(
    target: str,
    input_: str,
    name: str | None,
    function_name: str | None,
    store: str | None,
    real_time: bool,
    auto_callback: str | None,
    functions: tuple[str, ...],
    plain_functions: tuple[str, ...],
    port: int,
    execution_timeout: int,
    as_json: bool,
) -> None:
    """Run a durable handler (module:handler or path.py:handler) to its end.

    Waits, retry delays and timeouts are skipped unless --real-time. A callback waits
    for an answer, which you give from another terminal with the printed command (or at
    once with --auto-callback): while it is open, its timeout and the execution's pass
    in real time. Functions the handler invokes are hosted with --function and
    --plain-function. Ends with the result and the operation tree.
    """
    handler = load_target(target)
    payload = read_json_argument(input_, "--input")
    answer = (
        read_json_argument(auto_callback, "--auto-callback").encode()
        if auto_callback is not None
        else None
    )
    function = function_name or function_name_for(target)
    invoked = parse_functions(functions)
    plain = parse_functions(plain_functions, durable=False)
    named = [function, *invoked, *plain]
    if len(set(named)) < len(named):
        raise CliError(
            f"a function name is given twice among the run's function ({function!r}), "
            "--function and --plain-function; name them apart (NAME=TARGET, or "
            "--function-name for the one run)",
            exit_code=2,
        )
    path = store_path(store)
    refuse_if_served(path)
    with serving(
        {function: handler, **invoked},
        store_file=path,
        host="127.0.0.1",
        port=port,
        skip_time=not real_time,
        execution_timeout=execution_timeout,
        # Someone answers the callbacks: never skip past what the answer could pre-empt.
        answer_window=None if answer is None else DEFAULT_ANSWER_WINDOW,
        plain_functions=plain,
    ) as server:
        remote = RemoteService(server.url)
        arn = str(
            remote.invoke(function, payload.encode(), asynchronous=True, name=name)[
                "DurableExecutionArn"
            ]
        )
        watcher = _Watcher(remote, arn, answer, server.url, quiet=as_json)
        try:
            summary = watcher.follow(server.service)
        except KeyboardInterrupt:
            raise CliError(_interrupted(arn, target, store, function_name), exit_code=130) from None
    _report(summary, arn, as_json)


def _interrupted(arn: str, target: str, store: str | None, function_name: str | None) -> str:
    """What became of an execution whose run was stopped with Ctrl-C, and how to go on."""
    name = arn.split("/")[-2]
    if store == MEMORY_STORE:
        return f"interrupted: execution {name} ended with the process (--store memory)"
    where = ["--store", store] if store else []
    again = ["durable-lambda", "run", target, "--name", name]
    if function_name:
        again += ["--function-name", function_name]
    stop = ["durable-lambda", "executions", "stop", name]
    return (
        f"interrupted: execution {name} is still RUNNING in the store; carry it on with "
        f"'{shlex.join(again + where)}' or stop it with '{shlex.join(stop + where)}'"
    )


class _Watcher:
    """Follows an execution through its history until it ends."""

    def __init__(
        self, remote: RemoteService, arn: str, answer: bytes | None, url: str, *, quiet: bool
    ) -> None:
        self._remote = remote
        self._arn = arn
        self._answer = answer
        self._url = url
        self._quiet = quiet
        self._announced: set[str] = set()
        self._stop = threading.Event()

    def follow(self, service: DurableExecutionService) -> ExecutionSummary:
        """Show progress until the execution ends (the service's own wait for its end,
        so the view closes the moment it ends).

        The view re-reads the history only when the service reports a change to the
        execution (at most every ``MIN_REFRESH_SECONDS``), so an execution that waits
        costs nothing.
        """
        failure: list[BaseException] = []
        changed = threading.Event()
        changed.set()

        def on_change(change: ExecutionChange) -> None:
            if change.execution_arn == self._arn:
                changed.set()

        def wait() -> None:
            try:
                service.wait_for_execution(self._arn)
            except BaseException as error:
                failure.append(error)
            finally:
                self._stop.set()
                changed.set()

        unsubscribe = service.subscribe(on_change)
        waiter = threading.Thread(target=wait, name="durable-lambda-run-wait", daemon=True)
        waiter.start()
        try:
            if self._quiet:
                for _ in self._changes(changed):
                    self._step(None)
            else:
                title = f"Execution {self._arn.split('/')[-2]}"
                with Live(console=console(), refresh_per_second=8, transient=True) as live:
                    for _ in self._changes(changed):
                        summary = self._step(live)
                        live.update(Group(operation_tree(summary, title), Text("")))
        finally:
            unsubscribe()
        waiter.join()
        if failure:
            raise failure[0]
        return summarize(self._remote.history(self._arn))

    def _changes(self, changed: threading.Event) -> Iterator[None]:
        """Yield once per batch of changes until the execution ends."""
        while True:
            changed.wait()
            if self._stop.is_set():
                return
            changed.clear()
            yield None
            # Let a burst of changes (a thousand steps) coalesce into one re-read.
            if self._stop.wait(MIN_REFRESH_SECONDS):
                return

    def _step(self, live: Live | None) -> ExecutionSummary:
        summary = summarize(self._remote.history(self._arn))
        for node in _walk(summary.operations):
            if node.callback_id and node.status == "STARTED":
                self._callback_waiting(node, live)
        return summary

    def _callback_waiting(self, node: OperationNode, live: Live | None) -> None:
        callback_id = node.callback_id
        assert callback_id is not None
        if callback_id in self._announced:
            return
        self._announced.add(callback_id)
        label = repr(node.name) if node.name else node.id
        if self._answer is not None:
            with contextlib.suppress(CliError):
                self._remote.callback_success(callback_id, self._answer)
            self._tell(live, f"Answered callback {label} automatically.")
            return
        self._tell(
            live,
            f"Callback {label} is waiting for an answer. From another terminal:\n"
            f"  durable-lambda callback succeed '{callback_id}' --result '<JSON>' "
            f"--endpoint {self._url}",
        )

    def _tell(self, live: Live | None, message: str) -> None:
        """Print ``message`` above the live view, or on stderr with ``--json`` (stdout
        then carries the one JSON document, and a run waiting for a callback must still
        say which id to answer)."""
        if live is not None:
            live.console.print(message, markup=False, highlight=False)
        else:
            click.echo(message, err=True)


def _walk(nodes: tuple[OperationNode, ...]) -> Iterator[OperationNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _report(summary: ExecutionSummary, arn: str, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "DurableExecutionArn": arn,
                "Status": summary.status,
                "Result": _decoded(summary.result),
                "Error": summary.error,
                "Invocations": summary.invocations,
                "Operations": [_node_dict(n) for n in summary.operations],
            }
        )
    else:
        out = console()
        elapsed = (
            format_seconds((summary.ended - summary.started).total_seconds())
            if summary.started and summary.ended
            else "?"
        )
        plural = "s" if summary.invocations != 1 else ""
        detail = f"in {elapsed} ({summary.invocations} invocation{plural})"
        out.print(operation_tree(summary, f"Execution {arn.split('/')[-2]}", detail))
        if summary.status == "SUCCEEDED":
            out.print(f"Result: {summary.result}")
    if summary.status != "SUCCEEDED":
        reason = format_error(summary.error) if summary.error else "no error recorded"
        raise CliError(f"execution {summary.status}: {reason}")


def _decoded(result: str | None) -> Any:
    if result is None:
        return None
    try:
        return json.loads(result)
    except ValueError:
        return result


def _node_dict(node: OperationNode) -> dict[str, Any]:
    """An operation for ``--json``, its keys in the PascalCase of the document around it
    (and of the API's own ``Operation``): ``Id``, ``SubType``, ``WaitSeconds`` ..."""
    result: dict[str, Any] = {}
    for item in fields(node):
        value = getattr(node, item.name)
        if item.name == "children":
            value = [_node_dict(child) for child in value]
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Mapping):
            value = dict(value)
        result[_pascal_case(item.name)] = value
    result["DurationSeconds"] = node.duration_seconds
    return result


def _pascal_case(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
