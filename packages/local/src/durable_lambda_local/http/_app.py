"""The ASGI application: Lambda's durable-execution routes and Invoke, on Starlette."""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from durable_lambda_local.http._backend import DurableApiBackend, WireMembers
from durable_lambda_local.http._errors import ApiError, ErrorCode
from durable_lambda_local.http._request_parsing import parse_request
from durable_lambda_local.http._response_writing import WireResponse, write_error, write_response
from durable_lambda_local.http._routing import Router
from durable_lambda_local.http._wire_model import operation_specs

_LOGGER = logging.getLogger("durable_lambda_local.http")

MAX_SYNC_INVOKE_PAYLOAD = 6 * 1024 * 1024
"""Largest synchronous Invoke payload Lambda accepts (bytes)."""
MAX_ASYNC_INVOKE_PAYLOAD = 1024 * 1024
"""Largest asynchronous (``Event``) Invoke payload Lambda accepts (bytes)."""
TRACE_HEADER = "X-Amzn-Trace-Id"
"""The tracing header an Invoke may carry; passed to the backend under this key."""
MAX_CONCURRENT_SYNC_INVOKES = 512
"""Synchronous invokes wait in their own thread pool, so that waiting callers never take
the threads the running handlers need for their checkpoints."""


def create_app(backend: DurableApiBackend) -> Starlette:
    """An ASGI app that serves the Lambda durable-execution API from ``backend``.

    Every durable-execution route of the Lambda API and Invoke are answered exactly as
    boto3 expects them; ``GET /_local/health`` answers ``{"status": "ok"}`` for scripts
    that wait for a server, and ``GET /_local/functions`` lists the registered function
    names (``{"Functions": [...]}``) when the backend offers ``function_names()``.

    For clients of the official local runner, ``POST /start-durable-execution`` (body
    ``{"FunctionName", "FunctionQualifier", "ExecutionName", "Input", "TenantId", ...}``)
    starts an execution like an asynchronous Invoke and answers ``201
    {"ExecutionArn": ...}``, and ``GET /health`` answers ``{"status": "healthy"}``.

    Example:
        >>> app = create_app(my_backend)  # doctest: +SKIP
        >>> uvicorn.run(app, port=9014)  # doctest: +SKIP
    """
    dispatcher = _Dispatcher(backend)
    return Starlette(
        routes=[
            Route("/_local/health", _health, methods=["GET"]),
            Route("/_local/functions", dispatcher.functions, methods=["GET"]),
            Route("/health", _official_health, methods=["GET"]),
            Route("/start-durable-execution", dispatcher.start_compat, methods=["POST"]),
            Route(
                "/{path:path}",
                dispatcher.handle,
                methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"],
            ),
        ],
        exception_handlers={404: dispatcher.unrouted},
    )


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _official_health(request: Request) -> Response:
    return JSONResponse({"status": "healthy"})


class _Dispatcher:
    def __init__(self, backend: DurableApiBackend) -> None:
        self._backend = backend
        self._router = Router(operation_specs())
        self._invoke_limiter: CapacityLimiter | None = None

    async def functions(self, request: Request) -> Response:
        names = getattr(self._backend, "function_names", None)
        if names is None:
            return await self.handle(request)
        listed = await anyio.to_thread.run_sync(names)
        return JSONResponse({"Functions": sorted(listed)})

    async def start_compat(self, request: Request) -> Response:
        """The official local runner's start route, answered through Invoke."""
        request_id = str(uuid.uuid4())
        try:
            document = await request.body()
            start = json.loads(document or b"{}")
            if not isinstance(start, dict) or not isinstance(start.get("FunctionName"), str):
                raise ApiError.invalid_parameter(
                    "The body must be a JSON object with a FunctionName string"
                )
            invoke: dict[str, Any] = {
                "FunctionName": start["FunctionName"],
                "InvocationType": "Event",
                "Payload": str(start.get("Input") or "{}").encode(),
            }
            for member, source in (
                ("Qualifier", "FunctionQualifier"),
                ("DurableExecutionName", "ExecutionName"),
                ("TenantId", "TenantId"),
            ):
                if start.get(source):
                    invoke[member] = start[source]
            output = await anyio.to_thread.run_sync(functools.partial(self._backend.invoke, invoke))
            wire = WireResponse(
                201,
                {},
                json.dumps({"ExecutionArn": output.get("DurableExecutionArn")}).encode(),
            )
        except ValueError as error:
            wire = write_error(ApiError.invalid_parameter(f"The body is not valid JSON: {error}"))
        except ApiError as error:
            wire = write_error(error)
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "application/json"}
        headers.update(wire.headers)
        return Response(wire.body, status_code=wire.status_code, headers=headers)

    async def unrouted(self, request: Request, error: Exception) -> Response:
        """The API's own answer for a path no route matched: starlette's catch-all stops
        at a decoded line break (a callback id pasted with its newline), which would
        otherwise get a bare ``404 Not Found`` instead of the validation error."""
        return await self.handle(request)

    async def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            wire = await self._answer(request)
        except ApiError as error:
            wire = write_error(error)
        except Exception as error:
            _LOGGER.exception("request %s failed", request_id)
            wire = write_error(ApiError(ErrorCode.SERVICE, f"{type(error).__name__}: {error}"))
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "application/json"}
        headers.update(wire.headers)
        return Response(wire.body, status_code=wire.status_code, headers=headers)

    async def _answer(self, request: Request) -> WireResponse:
        raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
        path = raw_path.decode("latin-1")
        match = self._router.match(request.method, path)
        if match is None:
            raise ApiError(
                ErrorCode.UNKNOWN_OPERATION,
                f"No operation is served at {request.method} {path}",
            )
        spec = match.spec
        body = await request.body()
        if spec.name == "Invoke":
            _check_invoke_size(request, body)
        query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), True)
        params = parse_request(spec, match.labels, query, request.headers, body)
        if spec.name == "Invoke" and TRACE_HEADER in request.headers:
            # Not a modelled member: Lambda records the caller's X-Ray header with the
            # execution (GetDurableExecution's TraceHeader).
            params[TRACE_HEADER] = request.headers[TRACE_HEADER]
        method: Callable[[WireMembers], WireMembers] = getattr(self._backend, spec.method_name)
        call = functools.partial(method, params)
        output: Any
        if spec.name == "Invoke":
            output = await anyio.to_thread.run_sync(call, limiter=self._limiter())
        else:
            output = await anyio.to_thread.run_sync(call)
        return write_response(spec, output or {})

    def _limiter(self) -> CapacityLimiter:
        if self._invoke_limiter is None:
            self._invoke_limiter = CapacityLimiter(MAX_CONCURRENT_SYNC_INVOKES)
        return self._invoke_limiter


def _check_invoke_size(request: Request, body: bytes) -> None:
    asynchronous = request.headers.get("X-Amz-Invocation-Type") == "Event"
    limit = MAX_ASYNC_INVOKE_PAYLOAD if asynchronous else MAX_SYNC_INVOKE_PAYLOAD
    if len(body) > limit:
        raise ApiError(
            ErrorCode.REQUEST_TOO_LARGE,
            f"Request must be smaller than {limit} bytes for the "
            f"{'Event' if asynchronous else 'RequestResponse'} invocation type",
        )
