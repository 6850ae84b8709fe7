"""``context.invoke``: start another durable function and wait for its result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from durable_lambda_client import (
    ChainedInvokeOptions,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
)
from durable_lambda_context._config import InvokeConfig
from durable_lambda_context._serialization import deserialize, serialize
from durable_lambda_context._stored_outcome import raise_stored_error
from durable_lambda_context._suspend import suspend_with_optional_resume_delay
from durable_lambda_context._validation import require_name, require_non_empty_str
from durable_lambda_serdes import DEFAULT_JSON_SERDES

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_state import CheckpointedResult

_DEFAULT_CONFIG: InvokeConfig[Any, Any] = InvokeConfig()
_FAILED_STATUSES = frozenset(
    {OperationStatus.FAILED, OperationStatus.TIMED_OUT, OperationStatus.STOPPED}
)


def run_invoke(
    context: DurableContext,
    function_name: str,
    payload: Any,
    name: str | None,
    config: InvokeConfig[Any, Any] | None,
) -> Any:
    """Invoke ``function_name`` from ``context`` (see ``DurableContext.invoke``)."""
    require_non_empty_str("function_name", function_name)
    require_name("name", name)
    name = name or None
    config = config if config is not None else _DEFAULT_CONFIG
    operation_id, checkpoint = context._begin_operation(
        OperationType.CHAINED_INVOKE, OperationSubType.CHAINED_INVOKE, name
    )
    invocation = context._invocation
    if checkpoint.is_existent():
        return _outcome(context, operation_id, checkpoint, config)

    identifier = OperationIdentifier(operation_id, context._parent_id, name)
    payload_text = serialize(
        config.serdes_payload or DEFAULT_JSON_SERDES, payload, operation_id, invocation.arn
    )
    options = ChainedInvokeOptions(function_name=function_name, tenant_id=config.tenant_id)
    invocation.checkpoint(
        OperationUpdate.create_invoke_start(identifier, payload_text, options), sync=True
    )
    # The service may have failed the invoke at once (e.g. unknown function).
    checkpoint = invocation.state.get_checkpoint_result(operation_id)
    return _outcome(context, operation_id, checkpoint, config)


def _outcome(
    context: DurableContext,
    operation_id: str,
    checkpoint: CheckpointedResult,
    config: InvokeConfig[Any, Any],
) -> Any:
    state = context._invocation.state
    status = checkpoint.status
    if status is OperationStatus.SUCCEEDED:
        state.track_replay(operation_id)
        stored = checkpoint.result
        if stored is None:
            return None
        return deserialize(
            config.serdes_result or DEFAULT_JSON_SERDES,
            stored,
            operation_id,
            context._invocation.arn,
        )
    if status in _FAILED_STATUSES:
        state.track_replay(operation_id)
        raise_stored_error(checkpoint.error)
    message = f"Invoke {operation_id} is running"
    if config.timeout_seconds > 0:
        suspend_with_optional_resume_delay(message, config.timeout_seconds)
    suspend_with_optional_resume_delay(message)
    return None
