"""``context.create_callback`` and the ``Callback`` it returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from durable_lambda_client import (
    CallbackError,
    CallbackOptions,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    SuspendExecution,
)
from durable_lambda_context._config import CallbackConfig
from durable_lambda_context._serialization import deserialize
from durable_lambda_context._types import Callback as CallbackProtocol
from durable_lambda_context._validation import require_name
from durable_lambda_serdes import PassThroughSerDes, SerDes

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_state import ExecutionState

T = TypeVar("T")

PASS_THROUGH_SERDES: SerDes[Any] = PassThroughSerDes()
"""The default serdes of ``Callback.result``: the text the external system sent, unchanged."""

_DEFAULT_CONFIG = CallbackConfig()
_FAILED_STATUSES = frozenset(
    {
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.TIMED_OUT,
        OperationStatus.STOPPED,
    }
)


class Callback(Generic[T], CallbackProtocol[T]):
    """A callback an external system completes with its id.

    Hand ``callback_id`` to the external system (from a step, so the hand-over
    is recorded); ``result()`` returns what it sends.

    Args:
        callback_id: the service-issued id the external system answers to.
        operation_id: the CALLBACK operation holding the outcome.
        state: where the outcome is read from.
        serdes: decodes the delivered text; by default it is returned as is.
    """

    def __init__(
        self,
        callback_id: str,
        operation_id: str,
        state: ExecutionState,
        serdes: SerDes[T] | None = None,
    ) -> None:
        self.callback_id = callback_id
        self.operation_id = operation_id
        self.state = state
        self.serdes = serdes

    def result(self) -> T | None:
        """Return the delivered value, or suspend the execution until it arrives.

        Returns:
            The decoded value (the raw text by default), ``None`` when the
            external system sent no result.

        Raises:
            CallbackError: the callback failed, timed out or was stopped (the
                message is the external system's or the service's), or it does
                not exist.
        """
        checkpoint = self.state.get_checkpoint_result(self.operation_id)
        if not checkpoint.is_existent():
            raise CallbackError("Callback operation must exist", self.callback_id)
        status = checkpoint.status
        if status in _FAILED_STATUSES:
            error = checkpoint.error
            message = error.message if error is not None and error.message else "Callback failed"
            raise CallbackError(message, self.callback_id)
        if status is OperationStatus.SUCCEEDED:
            stored = checkpoint.result
            if stored is None:
                return None
            serdes: SerDes[Any] = self.serdes if self.serdes is not None else PASS_THROUGH_SERDES
            value: T = deserialize(
                serdes, stored, self.operation_id, self.state.durable_execution_arn
            )
            return value
        raise SuspendExecution(
            "Callback result not received yet. Suspending execution while waiting for result."
        )


def run_create_callback(
    context: DurableContext, name: str | None, config: CallbackConfig | None
) -> Callback[Any]:
    """Create a callback in ``context`` (see ``DurableContext.create_callback``)."""
    require_name("name", name)
    name = name or None
    config = config if config is not None else _DEFAULT_CONFIG
    operation_id, checkpoint = context._begin_operation(
        OperationType.CALLBACK, OperationSubType.CALLBACK, name
    )
    invocation = context._invocation
    if not checkpoint.is_existent():
        identifier = OperationIdentifier(operation_id, context._parent_id, name)
        options = CallbackOptions(
            timeout_seconds=config.timeout_seconds,
            heartbeat_timeout_seconds=config.heartbeat_timeout_seconds,
        )
        invocation.checkpoint(OperationUpdate.create_callback(identifier, options), sync=True)
        checkpoint = invocation.state.get_checkpoint_result(operation_id)
    # Whatever its status, the record gives the id; a failure surfaces in result().
    operation = checkpoint.operation
    details = operation.callback_details if operation is not None else None
    if details is None:
        raise CallbackError(f"Missing callback details for operation: {operation_id}")
    invocation.state.track_replay(operation_id)
    return Callback(details.callback_id, operation_id, invocation.state, config.serdes)
