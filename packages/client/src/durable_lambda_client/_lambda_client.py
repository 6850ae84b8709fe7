"""``LambdaClient``: the ``DurableServiceClient`` that talks to Lambda through boto3."""

from __future__ import annotations

import logging
import os
import threading
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NamedTuple

from durable_lambda_client._exceptions import (
    CheckpointError,
    CheckpointErrorCategory,
    GetExecutionStateError,
)
from durable_lambda_client._operation_update import OperationUpdate
from durable_lambda_client._service_client import DurableServiceClient
from durable_lambda_client._state_outputs import CheckpointOutput, StateOutput

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_READ_TIMEOUT_SECONDS",
    "LAMBDA_ENDPOINT_ENV",
    "USER_AGENT_EXTRA",
    "LambdaClient",
]

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
DEFAULT_READ_TIMEOUT_SECONDS = 50.0
LAMBDA_ENDPOINT_ENV = "LAMBDA_ENDPOINT"
"""Endpoint override honoured when boto3's own ``AWS_ENDPOINT_URL_LAMBDA`` is not set."""

try:
    _VERSION = version("durable-lambda-client")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0+unknown"

USER_AGENT_EXTRA = f"durable-lambda/{_VERSION}"
"""Appended to boto3's user agent so service logs can tell which SDK made a call."""


class _ClientSettings(NamedTuple):
    endpoint_url: str | None
    region_name: str | None
    connect_timeout: float
    read_timeout: float
    # boto3 reads these itself; they are part of the key so that a changed environment
    # gets a client built for it.
    aws_endpoint_url_lambda: str | None
    aws_endpoint_url: str | None
    aws_default_region: str | None


_clients: dict[_ClientSettings, Any] = {}
_clients_lock = threading.Lock()


def _resolve_settings(
    endpoint_url: str | None,
    region_name: str | None,
    connect_timeout: float,
    read_timeout: float,
) -> _ClientSettings:
    environ = os.environ
    aws_endpoint_url_lambda = environ.get("AWS_ENDPOINT_URL_LAMBDA") or None
    if endpoint_url is None and aws_endpoint_url_lambda is None:
        endpoint_url = environ.get(LAMBDA_ENDPOINT_ENV) or None
    aws_default_region = environ.get("AWS_DEFAULT_REGION") or None
    if region_name is None and aws_default_region is None:
        # The Lambda runtime sets AWS_REGION; botocore only reads AWS_DEFAULT_REGION.
        region_name = environ.get("AWS_REGION") or None
    return _ClientSettings(
        endpoint_url,
        region_name,
        connect_timeout,
        read_timeout,
        aws_endpoint_url_lambda,
        environ.get("AWS_ENDPOINT_URL") or None,
        aws_default_region,
    )


def _build_boto3_client(settings: _ClientSettings) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        user_agent_extra=USER_AGENT_EXTRA,
    )
    return boto3.client(
        "lambda",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region_name,
        config=config,
    )


class LambdaClient(DurableServiceClient):
    """Calls ``CheckpointDurableExecution`` and ``GetDurableExecutionState`` via boto3.

    Args:
        client: a boto3 ``lambda`` client (any object with the two boto3 methods).

    Example:
        >>> import boto3
        >>> lambda_client = boto3.client(
        ...     "lambda", region_name="us-east-1", endpoint_url="http://127.0.0.1:5050"
        ... )
        >>> service = LambdaClient(lambda_client)
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def initialize_client(
        cls,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = DEFAULT_READ_TIMEOUT_SECONDS,
    ) -> LambdaClient:
        """A client on a boto3 ``lambda`` client built once per process and settings.

        Building a boto3 client costs tens of milliseconds, so it is cached and shared
        by every invocation of a warm Lambda sandbox (boto3 clients are thread-safe).

        Endpoint: ``endpoint_url`` if given; else boto3's ``AWS_ENDPOINT_URL_LAMBDA``;
        else ``LAMBDA_ENDPOINT``; else boto3's ``AWS_ENDPOINT_URL`` or the AWS default.
        Region: ``region_name`` if given; else ``AWS_DEFAULT_REGION``; else
        ``AWS_REGION``; else boto3's configuration files.

        Args:
            endpoint_url: override of the service endpoint (a local service, say).
            region_name: override of the region.
            connect_timeout: seconds to wait for a connection (default 5).
            read_timeout: seconds to wait for a response (default 50).

        Returns:
            A ``LambdaClient`` whose boto3 client sends ``durable-lambda/<version>`` in
            its user agent.
        """
        settings = _resolve_settings(endpoint_url, region_name, connect_timeout, read_timeout)
        with _clients_lock:
            boto3_client = _clients.get(settings)
            if boto3_client is None:
                boto3_client = _build_boto3_client(settings)
                _clients[settings] = boto3_client
        return cls(boto3_client)

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None = None,
    ) -> CheckpointOutput:
        """Send ``updates`` in one ``CheckpointDurableExecution`` call.

        ``ClientToken`` is sent only when given; otherwise boto3 generates one, which
        its own transport retries reuse, so a retried call is applied once.

        Raises:
            CheckpointError: the call failed (classified: ``is_retriable()``), or
                ``checkpoint_token`` is empty, which the service would reject; that case
                is retriable because a new invocation gets a fresh token.
        """
        return self.checkpoint_wire(
            durable_execution_arn=durable_execution_arn,
            checkpoint_token=checkpoint_token,
            updates=[update.to_dict() for update in updates],
            client_token=client_token,
        )

    def checkpoint_wire(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[dict[str, Any]],
        client_token: str | None = None,
    ) -> CheckpointOutput:
        """Like ``checkpoint``, with ``updates`` already in their wire form.

        The checkpoint batcher converts every update once to measure it against the
        byte limit of a call; it hands those dictionaries over here so that no
        update is converted twice.

        Raises:
            CheckpointError: as ``checkpoint``.
        """
        if not checkpoint_token:
            raise CheckpointError(
                "Cannot checkpoint without a checkpoint token.",
                CheckpointErrorCategory.INVOCATION,
            )
        request: dict[str, Any] = {
            "DurableExecutionArn": durable_execution_arn,
            "CheckpointToken": checkpoint_token,
            "Updates": updates,
        }
        if client_token is not None:
            request["ClientToken"] = client_token
        try:
            response = self.client.checkpoint_durable_execution(**request)
            return CheckpointOutput.from_dict(response)
        except Exception as exc:
            error = CheckpointError.from_exception(exc)
            logger.exception("Failed to checkpoint.", extra=error.build_logger_extras())
            raise error from exc

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        """Fetch one page of operations with ``GetDurableExecutionState``.

        An empty ``next_marker`` asks for the first page (no ``Marker`` is sent).

        Raises:
            GetExecutionStateError: the call failed.
        """
        request: dict[str, Any] = {
            "DurableExecutionArn": durable_execution_arn,
            "CheckpointToken": checkpoint_token,
            "MaxItems": max_items,
        }
        if next_marker:
            request["Marker"] = next_marker
        try:
            response = self.client.get_durable_execution_state(**request)
            return StateOutput.from_dict(response)
        except Exception as exc:
            error = GetExecutionStateError.from_exception(exc)
            logger.exception("Failed to get execution state.", extra=error.build_logger_extras())
            raise error from exc
