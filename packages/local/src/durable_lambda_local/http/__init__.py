"""The Lambda durable-execution REST API over HTTP, for boto3 and the SDK's LambdaClient.

:class:`LocalServer` is the local durable-execution service over HTTP, with functions
hosted in-process. Any other :class:`DurableApiBackend` can be served with
:func:`create_app` (an ASGI app) and :class:`HttpServer` (uvicorn on a background
thread). Routes, status codes, member locations and error shapes are read from botocore's
Lambda model, so an unmodified boto3 client pointed at the server with ``endpoint_url``
cannot tell it from Lambda.
"""

from durable_lambda_local.http._app import create_app
from durable_lambda_local.http._backend import DurableApiBackend, WireMembers
from durable_lambda_local.http._errors import ApiError, ErrorCode
from durable_lambda_local.http._hosting import ServerAddress, hosted_handler
from durable_lambda_local.http._local_server import LocalServer, StoreInUseError
from durable_lambda_local.http._server import HttpServer, PortInUseError
from durable_lambda_local.http._service_backend import ServiceBackend
from durable_lambda_local.http._wire_model import DURABLE_OPERATIONS, SERVED_OPERATIONS

__all__ = [
    "DURABLE_OPERATIONS",
    "SERVED_OPERATIONS",
    "ApiError",
    "DurableApiBackend",
    "ErrorCode",
    "HttpServer",
    "LocalServer",
    "PortInUseError",
    "ServerAddress",
    "ServiceBackend",
    "StoreInUseError",
    "WireMembers",
    "create_app",
    "hosted_handler",
]
