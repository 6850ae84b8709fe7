"""Serving an ASGI app with uvicorn on a background thread, for tests, tools and the CLI."""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


class PortInUseError(OSError):
    """The address the server should listen on is taken by another process."""


class HttpServer:
    """Runs an ASGI app on uvicorn in a named background thread.

    The socket is bound in :meth:`start`, so a port that is taken fails there (and port 0
    picks a free port, readable from :attr:`port`). Connections made right after
    :meth:`start` returns are queued by the listening socket and answered once the loop
    runs. An error that ends the server thread is raised again by :meth:`stop`.

    Example:
        >>> with HttpServer(create_app(backend), port=0) as server:  # doctest: +SKIP
        ...     boto3.client("lambda", endpoint_url=server.url, ...)
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def port(self) -> int:
        """The port the server listens on (known once started)."""
        if self._socket is None:
            raise RuntimeError("the server is not started")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """Base URL for clients, e.g. ``http://127.0.0.1:9014``."""
        host = "127.0.0.1" if self._host in ("0.0.0.0", "") else self._host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> HttpServer:
        """Bind the socket and start serving.

        Raises:
            PortInUseError: the host and port are already in use.
            OSError: the address cannot be bound for another reason.
        """
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio only turns Nagle off (TCP_NODELAY) on accepted
        # sockets whose protocol says TCP, and with Nagle on every response waits ~40 ms
        # for the client's delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._requested_port))
        except OSError as error:
            sock.close()
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    error.errno,
                    f"port {self._requested_port} on {self._host} is already in use; "
                    "choose another with --port (0 picks a free one)",
                ) from None
            raise
        sock.listen(2048)
        self._socket = sock
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._serve, name=f"durable-lambda-http:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._server is not None
        assert self._socket is not None
        try:
            asyncio.run(self._server.serve(sockets=[self._socket]))
        except BaseException as error:
            self._failure = error

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server stops (for a foreground ``serve``)."""
        if self._thread is not None:
            self._thread.join(timeout)
        self._raise_failure()

    def stop(self) -> None:
        """Stop serving and release the port; re-raises an error of the server thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()
        if self._socket is not None:
            self._socket.close()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise RuntimeError(f"the HTTP server stopped with an error: {failure}") from failure

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
