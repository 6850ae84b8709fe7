"""``durable-lambda serve``: the Lambda durable-execution API with hosted functions."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from durable_lambda_local._clock import DEFAULT_ANSWER_WINDOW, RealClock, SkipClock
from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._locations import announce
from durable_lambda_local.cli._rendering import echo_json
from durable_lambda_local.cli._service_access import open_store, refuse_if_served, store_path
from durable_lambda_local.cli._targets import Handler, function_name_for, load_target
from durable_lambda_local.http import LocalServer, PortInUseError
from durable_lambda_local.http._local_server import MAX_EXECUTION_TIMEOUT

DEFAULT_PORT = 9014

execution_timeout_option = click.option(
    "--execution-timeout",
    type=click.IntRange(1, MAX_EXECUTION_TIMEOUT),
    default=MAX_EXECUTION_TIMEOUT,
    help="ExecutionTimeout of the hosted functions in seconds (default: 366 days, the "
    "longest Lambda allows, so nothing times out unless you ask for it).",
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--function",
    "functions",
    multiple=True,
    metavar="NAME=TARGET",
    help="Host a durable function: orders=app.py:handler (repeatable; NAME defaults to the "
    "module name).",
)
@click.option(
    "--plain-function",
    "plain_functions",
    multiple=True,
    metavar="NAME=TARGET",
    help="Host an ordinary (non-durable) function, e.g. a chained-invoke target (repeatable).",
)
@click.option("--store", default=None, help="SQLite file, or 'memory' (default: the local store).")
@click.option(
    "--skip-time/--real-time",
    default=False,
    help="When idle, jump to the next wait, retry or timeout instead of waiting in real "
    "time (default: real). An open callback is given a few seconds to be answered first.",
)
@execution_timeout_option
@click.option("--json", "as_json", is_flag=True, help="Announce the server as one JSON line.")
def serve_command(
    host: str,
    port: int,
    functions: tuple[str, ...],
    plain_functions: tuple[str, ...],
    store: str | None,
    skip_time: bool,
    execution_timeout: int,
    as_json: bool,
) -> None:
    """Serve the Lambda durable-execution API (and Invoke) for boto3 and the SDK.

    Point any boto3 Lambda client at the printed URL with endpoint_url; hosted functions
    run in this process and checkpoint over HTTP as they would in Lambda. Stop with
    Ctrl-C.
    """
    hosted = parse_functions(functions)
    plain = parse_functions(plain_functions, durable=False)
    targets = {**functions_by_name(functions), **functions_by_name(plain_functions)}
    if len(targets) < len(hosted) + len(plain):
        raise CliError(
            "a function name is given to both --function and --plain-function", exit_code=2
        )
    path = store_path(store)
    refuse_if_served(path)
    with serving(
        hosted,
        store_file=path,
        host=host,
        port=port,
        skip_time=skip_time,
        execution_timeout=execution_timeout,
        plain_functions=plain,
    ) as server:
        facts = {
            "url": server.url,
            "port": server.port,
            "store": str(path) if path else "memory",
            "functions": sorted(hosted),
            "plain_functions": sorted(plain),
        }
        if as_json:
            echo_json(facts)
        else:
            click.echo(f"Serving the Lambda durable-execution API at {server.url}")
            click.echo(f"Store: {facts['store']}")
            for name in sorted(targets):
                kind = "function" if name in hosted else "plain function"
                click.echo(f"{kind.capitalize()} {name}: {targets[name]}")
            click.echo("Press Ctrl-C to stop.")
        sys.stdout.flush()
        with _terminate_on_sigterm(), contextlib.suppress(KeyboardInterrupt):
            server.wait()


def parse_functions(options: tuple[str, ...], *, durable: bool = True) -> dict[str, Handler]:
    """``NAME=TARGET`` (or bare ``TARGET``) options as loaded handlers by name."""
    return {
        name: load_target(target, durable=durable)
        for name, target in functions_by_name(options).items()
    }


def functions_by_name(options: tuple[str, ...]) -> dict[str, str]:
    """``NAME=TARGET`` options as ``{NAME: TARGET}``."""
    result: dict[str, str] = {}
    for option in options:
        name, separator, target = option.partition("=")
        if not separator:
            name, target = function_name_for(option), option
        if not name or not target:
            raise CliError(f"--function {option!r} must be NAME=TARGET", exit_code=2)
        if name in result:
            raise CliError(f"--function: {name!r} is given twice", exit_code=2)
        result[name] = target
    return result


@contextlib.contextmanager
def serving(
    functions: dict[str, Handler],
    *,
    store_file: Path | None,
    host: str,
    port: int,
    skip_time: bool,
    execution_timeout: int = MAX_EXECUTION_TIMEOUT,
    plain_functions: dict[str, Handler] | None = None,
    answer_window: float | None = DEFAULT_ANSWER_WINDOW,
) -> Iterator[LocalServer]:
    """A running :class:`LocalServer` announced for its store while the block runs.

    ``answer_window`` is the skipping clock's grace for open callbacks (None: they wait
    for their answer however long it takes; see ``SkipClock``).
    """
    path = store_file
    store = open_store(path)
    try:
        server = LocalServer(
            functions,
            store=store,
            clock=SkipClock(answer_window) if skip_time else RealClock(),
            host=host,
            port=port,
            execution_timeout=execution_timeout,
            plain_functions=plain_functions,
        )
    except PortInUseError as error:
        store.close()
        raise CliError(str(error.strerror)) from None
    except ValueError as error:
        store.close()
        raise CliError(f"cannot host the functions: {error}", exit_code=2) from None
    try:
        with announce(path, server.url):
            yield server
    finally:
        server.close()


@contextlib.contextmanager
def _terminate_on_sigterm() -> Iterator[None]:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
