"""Reaching the service a command should talk to: an endpoint, a running server, a store.

Order: ``--endpoint`` (or ``$DURABLE_LAMBDA_ENDPOINT``); else the server that ``serve`` or
``run`` announced for the store; else the store itself, opened for this one command with
nothing running (reads work, and callback answers are recorded for when the functions
run again).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._locations import (
    MEMORY_STORE,
    default_store_path,
    running_server,
)
from durable_lambda_local.cli._remote import RemoteService

if TYPE_CHECKING:
    from durable_lambda_local._store import Store


def store_path(store: str | None) -> Path | None:
    """The SQLite path of ``--store`` (None for ``memory``)."""
    if store == MEMORY_STORE:
        return None
    return Path(store).expanduser() if store else default_store_path()


def open_store(path: Path | None) -> Store:
    """A store on ``path`` (created when missing), or a memory store for None.

    Raises:
        CliError: the file cannot be created or is not a durable-lambda store.
    """
    from durable_lambda_local._memory_store import MemoryStore
    from durable_lambda_local._sqlite_store import SqliteStore

    if path is None:
        return MemoryStore()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStore(path)
    except (OSError, sqlite3.Error) as error:
        raise CliError(f"cannot open the store {str(path)!r}: {error}") from None


def refuse_if_served(path: Path | None) -> None:
    """Fail when another process already serves the store at ``path``."""
    if path is None:
        return
    url = running_server(path)
    if url is not None:
        raise CliError(
            f"the store {str(path)!r} is already served by {url}; stop that server or pass "
            "another --store (or --store memory)"
        )


@contextlib.contextmanager
def connect(endpoint: str | None, store: str | None) -> Iterator[RemoteService]:
    """The service a command talks to (see the module docstring).

    Raises:
        CliError: there is no store at the path and no server to ask.
    """
    if endpoint:
        yield RemoteService(endpoint)
        return
    path = store_path(store)
    if path is None:
        raise CliError(
            "--store memory keeps executions inside the process that ran them; pass "
            "--endpoint URL of that server"
        )
    url = running_server(path)
    if url is not None:
        yield RemoteService(url)
        return
    if not path.exists():
        raise CliError(
            f"no store at {str(path)!r} and no server running for it: nothing has run yet "
            "(start with 'durable-lambda run' or 'durable-lambda serve', or pass --endpoint)"
        )
    from durable_lambda_local.http import LocalServer

    # Nothing runs in this server (drive=False); the read APIs know every function that
    # has executions in the store.
    with LocalServer(store=open_store(path), drive=False) as server:
        yield RemoteService(server.url, runs_functions=False)
