"""The ``durable-lambda`` command line: run, serve, inspect executions, answer callbacks."""

from __future__ import annotations

import functools
import importlib
import json
import sys
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import click

from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._follow import follow_history
from durable_lambda_local.cli._json_arguments import read_json_argument
from durable_lambda_local.cli._operation_tree import summarize
from durable_lambda_local.cli._remote import RemoteService
from durable_lambda_local.cli._rendering import (
    console,
    echo_json,
    execution_lines,
    executions_table,
    history_table,
    operation_tree,
)
from durable_lambda_local.cli._service_access import connect

F = TypeVar("F", bound=Callable[..., Any])

ENDPOINT_HELP = (
    "URL of a running durable-lambda server (or Lambda). Default: $DURABLE_LAMBDA_ENDPOINT, "
    "else the server announced for --store."
)
STORE_HELP = (
    "SQLite file of the local service, or 'memory'. Default: $DURABLE_LAMBDA_STORE, else "
    "~/.local/state/durable-lambda/executions.sqlite3."
)


def json_option(command: F) -> F:
    """Add ``--json``: print one JSON document instead of tables."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON for scripts instead of tables."
    )(command)


def service_options(command: F) -> F:
    """Add ``--endpoint`` and ``--store`` and pass a ready ``service`` to the command."""

    @click.option("--endpoint", envvar="DURABLE_LAMBDA_ENDPOINT", help=ENDPOINT_HELP)
    @click.option("--store", "store", default=None, help=STORE_HELP)
    @functools.wraps(command)
    def wrapper(*args: Any, endpoint: str | None, store: str | None, **kwargs: Any) -> Any:
        with connect(endpoint, store) as service:
            return command(*args, service=service, **kwargs)

    return wrapper  # type: ignore[return-value]


class _LazyGroup(click.Group):
    """A group whose heavy commands (the ones that start the service) import on use, so
    that quick commands against a server start fast."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "run": ("durable_lambda_local.cli._run", "run_command"),
        "serve": ("durable_lambda_local.cli._serve", "serve_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module_name), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="durable-lambda-local", prog_name="durable-lambda")
def cli() -> None:
    """Run and inspect AWS Lambda durable functions locally.

    \b
    durable-lambda run app.py:handler --input '{"id": 1}'
    durable-lambda serve --function orders=app.py:handler
    durable-lambda invoke orders --input '{"id": 1}'
    durable-lambda executions list
    durable-lambda callback succeed CALLBACK_ID --result '"ok"'
    """


@cli.command("invoke")
@click.argument("function")
@click.option("--input", "input_", default="{}", help="Event as JSON text, or @file.json.")
@click.option("--name", default=None, help="Execution name (idempotent; default: generated).")
@click.option(
    "--async", "asynchronous", is_flag=True, help="Return at once with the execution ARN."
)
@service_options
@json_option
def invoke_command(
    service: RemoteService,
    function: str,
    input_: str,
    name: str | None,
    asynchronous: bool,
    as_json: bool,
) -> None:
    """Invoke a function hosted by a server (synchronous: waits for the execution's end)."""
    payload = read_json_argument(input_, "--input").encode()
    if not service.runs_functions:
        raise CliError(
            f"no server is running to invoke {function!r} on; start one with "
            f"'durable-lambda serve --function {function}=app.py:handler' (or pass "
            "--endpoint URL of a running one)"
        )
    try:
        response = service.invoke(function, payload, asynchronous=asynchronous, name=name)
    except CliError as error:
        if not error.message.startswith("ResourceNotFoundException"):
            raise
        raise CliError(f"{error.message}{_hosted_functions(service)}") from None
    body = response.get("Payload") or b""
    if as_json:
        echo_json(
            {
                "StatusCode": response.get("StatusCode"),
                "DurableExecutionArn": response.get("DurableExecutionArn"),
                "FunctionError": response.get("FunctionError"),
                "Payload": _json_or_text(body),
            }
        )
    else:
        click.echo(f"Execution {response.get('DurableExecutionArn')}")
        if body:
            click.echo(body.decode("utf-8", "replace"))
    if response.get("FunctionError"):
        raise CliError(f"the execution failed: {body.decode('utf-8', 'replace')}")


def _hosted_functions(service: RemoteService) -> str:
    """``; ... functions: a, b`` for an error about an unknown function (empty when the
    server cannot say, as Lambda itself cannot)."""
    try:
        names = service.function_names()
    except CliError:
        return ""
    listed = ", ".join(names) if names else "none"
    # The server a command opens over the store is gone when it ends: name the store.
    known_by = service.endpoint if service.runs_functions else "the store"
    return f"; the functions {known_by} knows: {listed}"


def _json_or_text(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


@cli.group()
def executions() -> None:
    """List, inspect, stop, pause, resume and delete durable executions."""


@executions.command("list")
@click.option("--function", "functions", multiple=True, help="Only this function (repeatable).")
@click.option(
    "--status", "statuses", multiple=True, help="Only this status (repeatable; any case)."
)
@click.option("--name", default=None, help="Only executions with this name.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@service_options
@json_option
def list_command(
    service: RemoteService,
    functions: tuple[str, ...],
    statuses: tuple[str, ...],
    name: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List executions, newest first."""
    names = list(functions) or service.function_names()
    try:
        rows = service.list_executions(
            names, statuses=_execution_statuses(statuses), name=name, limit=limit
        )
    except CliError as error:
        if not functions or not error.message.startswith("ResourceNotFoundException"):
            raise
        raise CliError(f"{error.message}{_hosted_functions(service)}") from None
    if as_json:
        echo_json({"DurableExecutions": rows})
    elif rows:
        console().print(executions_table(rows))
    else:
        click.echo("No executions.")


def _execution_statuses(values: tuple[str, ...]) -> list[str]:
    """``--status`` values as wire statuses, refused here rather than by the service."""
    if not values:
        return []
    # Imported on use: the client package costs quick commands a noticeable start-up.
    from durable_lambda_client import ExecutionStatus

    allowed = [status.value for status in ExecutionStatus]
    for value in values:
        if value.upper() not in allowed:
            raise CliError(
                f"--status {value!r} is not an execution status; use one of "
                f"{', '.join(allowed)} (in any case)",
                exit_code=2,
            )
    return [value.upper() for value in values]


@executions.command("get")
@click.argument("execution")
@click.option("--function", default=None, help="Function of a named execution.")
@service_options
@json_option
def get_command(
    service: RemoteService, execution: str, function: str | None, as_json: bool
) -> None:
    """Show one execution (by name or ARN) with its operation tree."""
    arn = service.resolve(execution, function=function)
    detail = service.get_execution(arn)
    events = service.history(arn)
    if as_json:
        echo_json(detail)
        return
    out = console()
    for line in execution_lines(detail):
        out.print(line)
    out.print(operation_tree(summarize(events), "Operations", with_status=False))


@executions.command("history")
@click.argument("execution")
@click.option("--function", default=None, help="Function of a named execution.")
@click.option("--tree", is_flag=True, help="Show the operation tree instead of the events.")
@click.option(
    "--follow",
    "-f",
    is_flag=True,
    help="Keep printing new events until the execution ends (with --json: one event per line).",
)
@service_options
@json_option
def history_command(
    service: RemoteService,
    execution: str,
    function: str | None,
    tree: bool,
    follow: bool,
    as_json: bool,
) -> None:
    """Show the history events of an execution (by name or ARN)."""
    if follow and tree:
        raise CliError("--follow prints events; it does not go with --tree", exit_code=2)
    arn = service.resolve(execution, function=function)
    if follow:
        follow_history(service, arn, as_json=as_json)
        return
    events = service.history(arn)
    if as_json:
        echo_json({"Events": events})
    elif tree:
        console().print(operation_tree(summarize(events), arn))
    else:
        console().print(history_table(events))


@executions.command("stop")
@click.argument("execution")
@click.option("--function", default=None, help="Function of a named execution.")
@click.option("--error-type", default=None, help="ErrorType recorded as the stop reason.")
@click.option("--error-message", default=None, help="ErrorMessage recorded as the stop reason.")
@service_options
@json_option
def stop_command(
    service: RemoteService,
    execution: str,
    function: str | None,
    error_type: str | None,
    error_message: str | None,
    as_json: bool,
) -> None:
    """Stop a running execution (by name or ARN)."""
    arn = service.resolve(execution, function=function)
    error = _error_object(error_type, error_message, None)
    response = service.stop(arn, error)
    if as_json:
        echo_json({"DurableExecutionArn": arn, **response})
    else:
        click.echo(f"Stopped {arn}")


@executions.command("pause")
@click.argument("execution")
@click.option("--function", default=None, help="Function of a named execution.")
@click.option("--reason", default=None, help="Why (recorded in the history).")
@service_options
@json_option
def pause_command(
    service: RemoteService, execution: str, function: str | None, reason: str | None, as_json: bool
) -> None:
    """Pause an execution: no invocations until it is resumed."""
    arn = service.resolve(execution, function=function)
    service.pause(arn, reason)
    _changed(as_json, arn, "pause requested")


@executions.command("resume")
@click.argument("execution")
@click.option("--function", default=None, help="Function of a named execution.")
@click.option("--reason", default=None, help="Why (recorded in the history).")
@service_options
@json_option
def resume_command(
    service: RemoteService, execution: str, function: str | None, reason: str | None, as_json: bool
) -> None:
    """Resume a paused execution."""
    arn = service.resolve(execution, function=function)
    service.resume(arn, reason)
    _changed(as_json, arn, "resume requested")


@executions.command("delete")
@click.argument("execution")
@click.option("--function", default=None, help="Function of a named execution.")
@service_options
@json_option
def delete_command(
    service: RemoteService, execution: str, function: str | None, as_json: bool
) -> None:
    """Delete an ended execution and its history."""
    arn = service.resolve(execution, function=function)
    service.delete(arn)
    _changed(as_json, arn, "deleted")


def _changed(as_json: bool, arn: str, what: str) -> None:
    if as_json:
        echo_json({"DurableExecutionArn": arn, "Outcome": what})
    else:
        click.echo(f"{arn}: {what}")


@cli.group()
def callback() -> None:
    """Complete or keep alive a callback by its id."""


def _pasted_id(context: click.Context, parameter: click.Parameter, value: str) -> str:
    """The id without the blanks it was pasted with: a callback id is base64 text, never
    spaces or line breaks, so a trailing newline from a copy is not part of it."""
    return value.strip()


@callback.command("succeed")
@click.argument("callback_id", callback=_pasted_id)
@click.option("--result", default=None, help="Result as JSON text, or @file.")
@service_options
@json_option
def succeed_command(
    service: RemoteService, callback_id: str, result: str | None, as_json: bool
) -> None:
    """Complete a callback successfully."""
    payload = read_json_argument(result, "--result").encode() if result is not None else None
    service.callback_success(callback_id, payload)
    _done(as_json, callback_id, "SUCCEEDED")


@callback.command("fail")
@click.argument("callback_id", callback=_pasted_id)
@click.option("--error-type", default=None, help="ErrorType of the failure.")
@click.option("--error-message", default=None, help="ErrorMessage of the failure.")
@click.option("--error-data", default=None, help="ErrorData of the failure.")
@service_options
@json_option
def fail_command(
    service: RemoteService,
    callback_id: str,
    error_type: str | None,
    error_message: str | None,
    error_data: str | None,
    as_json: bool,
) -> None:
    """Complete a callback with a failure."""
    service.callback_failure(callback_id, _error_object(error_type, error_message, error_data))
    _done(as_json, callback_id, "FAILED")


@callback.command("heartbeat")
@click.argument("callback_id", callback=_pasted_id)
@service_options
@json_option
def heartbeat_command(service: RemoteService, callback_id: str, as_json: bool) -> None:
    """Tell a callback's execution its worker is still alive."""
    service.callback_heartbeat(callback_id)
    _done(as_json, callback_id, "HEARTBEAT")


def _done(as_json: bool, callback_id: str, outcome: str) -> None:
    if as_json:
        echo_json({"CallbackId": callback_id, "Sent": outcome})
    else:
        words = {"SUCCEEDED": "success", "FAILED": "failure", "HEARTBEAT": "heartbeat"}
        click.echo(f"Callback {callback_id}: {words[outcome]} sent")


def _error_object(
    error_type: str | None, error_message: str | None, error_data: str | None
) -> dict[str, Any] | None:
    error = {
        key: value
        for key, value in (
            ("ErrorType", error_type),
            ("ErrorMessage", error_message),
            ("ErrorData", error_data),
        )
        if value is not None
    }
    return error or None


# click 8.2 raises this for a group called without a command; 8.1 prints the help itself.
_NO_ARGS_IS_HELP: tuple[type[click.UsageError], ...] = tuple(
    kind
    for kind in (getattr(click.exceptions, "NoArgsIsHelpError", None),)
    if isinstance(kind, type) and issubclass(kind, click.UsageError)
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``durable-lambda``: runs the command, returns the exit code.

    Bad input and failed requests print one ``error: ...`` line on stderr and exit 2
    (usage, unknown target, invalid JSON) or 1 (unknown execution or callback, port in
    use, failed execution).
    """
    try:
        result = cli.main(args=argv, prog_name="durable-lambda", standalone_mode=False)
    except CliError as error:
        click.echo(f"error: {error.message}", err=True)
        return error.exit_code
    except click.UsageError as error:
        if isinstance(error, _NO_ARGS_IS_HELP):
            # A bare group (``durable-lambda``, ``durable-lambda executions``) shows its
            # help, as click itself does: that is not an error to report in one line.
            click.echo(error.format_message(), err=True)
        else:
            click.echo(f"error: {error.format_message()}", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"error: {error.format_message()}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        return 130
    return result if isinstance(result, int) else 0


def run_main() -> None:
    """``sys.exit(main())`` for the console script and ``python -m``."""
    sys.exit(main())
