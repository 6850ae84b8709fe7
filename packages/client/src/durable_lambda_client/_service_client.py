"""``DurableServiceClient``: the two calls the SDK makes to the durable-execution service."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from durable_lambda_client._operation_update import OperationUpdate
from durable_lambda_client._state_outputs import CheckpointOutput, StateOutput

__all__ = ["DurableServiceClient"]


@runtime_checkable
class DurableServiceClient(Protocol):
    """The seam between the SDK and the service.

    ``LambdaClient`` implements it over boto3; an in-process service can implement it
    directly (see ``DurableExecutionInvocationInputWithClient``). The SDK always calls
    the methods with keyword arguments, so the parameter names are part of the API.
    """

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        """Apply ``updates`` in order; return the next token and the changed operations.

        Raises:
            CheckpointError: the call failed; ``is_retriable()`` says whether a new
                invocation may succeed.
        """
        ...

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        """Return the page of operations that starts at ``next_marker``.

        Raises:
            GetExecutionStateError: the call failed (always retriable).
        """
        ...
