"""The local service over HTTP: control plane, store, clock and hosted functions in one.

This is what ``durable-lambda serve`` and ``durable-lambda run`` start, and what tests and
tools use to get a Lambda-compatible endpoint on loopback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from durable_lambda_local._clock import Clock, RealClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._functions import EventFormat, FunctionRegistry, LocalFunction
from durable_lambda_local._handler_kinds import takes_client_input
from durable_lambda_local._scheduler import SchedulerMode
from durable_lambda_local._sqlite_store import SqliteStore
from durable_lambda_local._store import Store
from durable_lambda_local._store_location import announce, default_store_path, running_server
from durable_lambda_local.http._app import create_app
from durable_lambda_local.http._hosting import (
    DEFAULT_REGION,
    Handler,
    ServerAddress,
    hosted_handler,
)
from durable_lambda_local.http._runtime_environment import ExportedEnvironment
from durable_lambda_local.http._server import HttpServer
from durable_lambda_local.http._service_backend import ServiceBackend

MAX_EXECUTION_TIMEOUT = 31_622_400
"""The longest ``DurableConfig.ExecutionTimeout`` Lambda accepts (366 days): the default
for hosted functions. Locally the function's real configuration is unknown, so nothing
times out unless asked to; pass a shorter ``execution_timeout`` to exercise the timeout
(a skipping clock then reaches it as soon as nothing else can happen)."""


class StoreInUseError(RuntimeError):
    """Another server already serves the store (two services on one store would each
    drive the other's executions)."""


class LocalServer:
    """A :class:`DurableExecutionService` served over HTTP, with functions hosted in-process.

    The socket is bound first, then the service is built over ``store`` (recovering any
    unfinished executions, whose handlers call the server back), so nothing is lost when
    a server restarts on a SQLite store.

    Args:
        functions: durable handlers by function name (``@durable_execution`` wrapped).
        store: where executions live. The default is the project's default store, the
            same SQLite file ``durable-lambda serve`` uses (``$DURABLE_LAMBDA_STORE``,
            else ``~/.local/state/durable-lambda/executions.sqlite3``): the server
            announces itself there while it runs, so ``durable-lambda executions`` and
            ``callback`` commands reach it. Pass ``MemoryStore()`` for a server whose
            executions end with it (tests), or any other store.
        clock: real time (default) or a ``SkipClock`` that skips idle waits.
        host: interface to listen on.
        port: port to listen on (0 picks a free one).
        region: region of the ARNs and of the hosted handlers' client.
        execution_timeout: ``DurableConfig.ExecutionTimeout`` of the hosted functions
            (seconds; default the maximum, 366 days).
        drive: run invocations and timers in the background (False: the API only reads
            and records, nothing runs; for tools that inspect a store nobody serves).
        plain_functions: ordinary (non-durable) handlers by function name, for Invoke
            and for chained invokes from durable functions; they get the decoded payload.

    A handler written with another SDK (the reference SDK, for one) gets the JSON event
    and builds its own boto3 client, so while such a handler is hosted the server sets
    ``AWS_ENDPOINT_URL_LAMBDA`` (and a region and placeholder credentials when the
    process has none) in the process environment, and restores it on :meth:`close`.

    Raises:
        PortInUseError: the port is taken.
        StoreInUseError: another process (or server) already serves the default store.

    Example:
        >>> with LocalServer({"orders": handler}) as server:  # doctest: +SKIP
        ...     boto3.client("lambda", endpoint_url=server.url, ...).invoke(FunctionName="orders")
    """

    def __init__(
        self,
        functions: Mapping[str, Handler] | None = None,
        *,
        store: Store | None = None,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = DEFAULT_REGION,
        execution_timeout: int = MAX_EXECUTION_TIMEOUT,
        drive: bool = True,
        plain_functions: Mapping[str, Handler] | None = None,
    ) -> None:
        self._address = ServerAddress(region=region)
        self._region = region
        self._exported: ExportedEnvironment | None = None
        self._execution_timeout = execution_timeout
        self._announcement = contextlib.ExitStack()
        default_path = None
        if store is None:
            default_path = default_store_path()
            serving = running_server(default_path)
            if serving is not None:
                raise StoreInUseError(
                    f"the store {str(default_path)!r} is already served by {serving}; pass "
                    "another store (store=MemoryStore() or SqliteStore(path))"
                )
        backend = ServiceBackend()
        self._http = HttpServer(create_app(backend), host=host, port=port).start()
        with contextlib.ExitStack() as undo:
            undo.callback(self._http.stop)
            self._address.set(self._http.url)
            if default_path is not None:
                owned = _open_default_store(default_path)
                undo.callback(owned.close)
                self._announcement.enter_context(announce(default_path, self._http.url))
                undo.callback(self._announcement.close)
                store = owned
            registry = FunctionRegistry()
            undo.callback(self._restore_environment)
            for name, handler in (functions or {}).items():
                registry.register(self._hosted(name, handler))
            for name, handler in (plain_functions or {}).items():
                registry.register(LocalFunction(name, handler, durable=False))
            self._service = DurableExecutionService(
                store=store,
                clock=clock if clock is not None else RealClock(),
                mode=SchedulerMode.BACKGROUND if drive else SchedulerMode.MANUAL,
                region=region,
                functions=registry,
            )
            undo.pop_all()
        backend.attach(self._service)

    @property
    def url(self) -> str:
        """Base URL of the API (``endpoint_url`` for boto3)."""
        return self._http.url

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._http.port

    @property
    def service(self) -> DurableExecutionService:
        """The control plane behind the routes."""
        return self._service

    @property
    def http(self) -> HttpServer:
        """The HTTP server."""
        return self._http

    def register(self, name: str, handler: Handler) -> None:
        """Host ``handler`` as the durable function ``name`` (replaces an earlier one)."""
        self._service.register(self._hosted(name, handler))

    def _hosted(self, name: str, handler: Handler) -> LocalFunction:
        if not takes_client_input(handler) and self._exported is None:
            self._exported = ExportedEnvironment(self._address.url, self._region)
        return LocalFunction(
            name,
            hosted_handler(handler, self._address),
            execution_timeout=self._execution_timeout,
            event_format=EventFormat.JSON,
        )

    def wait(self) -> None:
        """Block until the HTTP server stops."""
        self._http.wait()

    def close(self) -> None:
        """Stop the service (and its store), then the HTTP server."""
        try:
            self._service.close()
        finally:
            self._announcement.close()
            self._http.stop()
            self._restore_environment()

    def _restore_environment(self) -> None:
        if self._exported is not None:
            self._exported.restore()
            self._exported = None

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _open_default_store(path: Path) -> SqliteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(path)
