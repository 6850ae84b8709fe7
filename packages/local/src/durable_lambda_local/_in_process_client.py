"""A ``DurableServiceClient`` that calls the local service directly, without HTTP.

Service errors come out exactly as the boto3-backed client would raise them: the
service error becomes the botocore ``ClientError`` boto3 would have raised for the same
HTTP answer, wrapped in ``CheckpointError`` / ``GetExecutionStateError``, so the SDK
classifies them (retry the invocation, or fail the execution) as it does in the cloud.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from botocore.exceptions import ClientError

from durable_lambda_client import (
    CheckpointError,
    CheckpointOutput,
    GetExecutionStateError,
    OperationUpdate,
    StateOutput,
)
from durable_lambda_local._errors import DurableServiceError, ServiceException

__all__ = ["CheckpointService", "InProcessClient"]

_LOGGER = logging.getLogger("durable_lambda_local")


def _client_error(error: Exception, operation_name: str) -> ClientError:
    if not isinstance(error, DurableServiceError):
        _LOGGER.exception("the local durable service failed while handling %s", operation_name)
        error = ServiceException(f"{type(error).__name__}: {error}")
    return ClientError(error.to_error_response(), operation_name)


class CheckpointService(Protocol):
    """The two service calls a running handler makes."""

    def checkpoint_durable_execution(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: Iterable[OperationUpdate] | None = None,
        client_token: str | None = None,
    ) -> CheckpointOutput: ...

    def get_durable_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> StateOutput: ...


class InProcessClient:
    """The SDK's service client for handlers run by a :class:`DurableExecutionService`.

    Args:
        service: the service to call (a ``DurableExecutionService``).
    """

    def __init__(self, service: CheckpointService) -> None:
        self._service = service

    @property
    def service(self) -> CheckpointService:
        return self._service

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        """Checkpoint through the service.

        Raises:
            CheckpointError: the service refused the call (classified as boto3 would).
        """
        try:
            return self._service.checkpoint_durable_execution(
                durable_execution_arn, checkpoint_token, updates, client_token
            )
        except Exception as error:
            raise CheckpointError.from_exception(
                _client_error(error, "CheckpointDurableExecution")
            ) from error

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        """Read a page of state through the service.

        Raises:
            GetExecutionStateError: the service refused the call.
        """
        try:
            return self._service.get_durable_execution_state(
                durable_execution_arn, checkpoint_token, next_marker or None, max_items
            )
        except Exception as error:
            raise GetExecutionStateError.from_exception(
                _client_error(error, "GetDurableExecutionState")
            ) from error
