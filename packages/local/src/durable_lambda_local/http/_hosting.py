"""Hosting durable functions behind the HTTP server, the way Lambda runs them.

A handler written with this project's SDK receives the invocation input with a
``LambdaClient`` bound to the server's URL, so it checkpoints and reads state over HTTP
through boto3, exactly as it would against Lambda; only the endpoint differs. Any other
handler (one written with the reference SDK, say) receives the JSON event exactly as
Lambda sends it and builds its own client, which the server's exported environment
points at the server (see ``_runtime_environment``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from durable_lambda_client import (
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    LambdaClient,
)
from durable_lambda_local._handler_kinds import takes_client_input

Handler = Callable[[Any, Any], Any]

DEFAULT_REGION = "us-east-1"


@dataclass
class ServerAddress:
    """The URL hosted handlers call back; known once the server has bound its socket."""

    region: str = DEFAULT_REGION
    _url: str | None = None
    _client: LambdaClient | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, url: str) -> None:
        """Record the server URL (hosted invocations waiting for it proceed)."""
        with self._lock:
            self._url = url
            self._client = None
        self._ready.set()

    @property
    def url(self) -> str:
        """The server URL (waits until :meth:`set`)."""
        self._ready.wait()
        assert self._url is not None
        return self._url

    def lambda_client(self) -> LambdaClient:
        """One shared SDK client for every hosted invocation (boto3 clients are
        thread-safe and costly to build)."""
        url = self.url
        with self._lock:
            if self._client is None:
                self._client = LambdaClient(
                    boto3.client(
                        "lambda",
                        region_name=self.region,
                        endpoint_url=url,
                        aws_access_key_id="local",
                        aws_secret_access_key="local",
                        config=Config(
                            connect_timeout=5,
                            read_timeout=50,
                            max_pool_connections=64,
                            retries={"mode": "standard"},
                        ),
                    )
                )
            return self._client


def hosted_handler(handler: Handler, address: ServerAddress) -> Handler:
    """``handler`` fed with the Lambda event and a client that calls ``address`` over HTTP.

    Register the result with ``EventFormat.JSON`` so that it receives the event exactly
    as Lambda sends it. A handler of another SDK (see :func:`takes_client_input`) is
    returned unchanged: it gets that JSON event and finds the server through the
    environment.
    """
    if not takes_client_input(handler):
        return handler

    def invoke(event: Any, context: Any) -> Any:
        parsed = DurableExecutionInvocationInput.from_json_dict(event)
        with_client = (
            DurableExecutionInvocationInputWithClient.from_durable_execution_invocation_input(
                parsed, address.lambda_client()
            )
        )
        return handler(with_client, context)

    invoke.__name__ = getattr(handler, "__name__", "handler")
    invoke.__qualname__ = getattr(handler, "__qualname__", invoke.__name__)
    return invoke
