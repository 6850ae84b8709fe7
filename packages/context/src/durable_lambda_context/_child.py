"""Child contexts: a function whose operations are grouped under one CONTEXT operation.

``run_in_child_context``, ``wait_for_callback`` and every map/parallel branch
(and the map/parallel operation itself) go through ``run_child``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from durable_lambda_client import (
    CallableRuntimeError,
    ContextOptions,
    ErrorObject,
    InvocationError,
    NonDeterministicExecutionError,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationUpdate,
)
from durable_lambda_context._serialization import deserialize, serialize
from durable_lambda_context._stored_outcome import raise_stored_error
from durable_lambda_serdes import SerDes

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_context._types import SummaryGenerator
    from durable_lambda_state import CheckpointedResult

T = TypeVar("T")

CHECKPOINT_SIZE_LIMIT = 256 * 1024
"""Largest result (in characters) checkpointed as is; larger ones are rebuilt on replay."""


def run_child(
    parent: DurableContext,
    *,
    operation_id: str,
    checkpoint: CheckpointedResult,
    name: str | None,
    sub_type: OperationSubType,
    segment: str | None,
    func: Callable[[DurableContext], T],
    serdes: SerDes[Any] | None,
    summary_generator: SummaryGenerator[Any] | None,
    check_removed: bool = True,
) -> T:
    """Run ``func`` in the child context owned by ``operation_id`` and record its outcome.

    A completed record returns (or raises) its stored outcome without running
    ``func``, unless it was too large to store (``ReplayChildren``): then
    ``func`` runs again and rebuilds it from its own children's records.
    """
    invocation = parent._invocation
    status = checkpoint.status
    replay_children = checkpoint.is_replay_children()
    if status is OperationStatus.SUCCEEDED and not replay_children:
        invocation.state.track_replay(operation_id)
        stored = checkpoint.result
        if stored is None:
            return None  # type: ignore[return-value]
        value: T = deserialize(serdes, stored, operation_id, invocation.arn)
        return value
    if status is OperationStatus.FAILED:
        invocation.state.track_replay(operation_id)
        raise_stored_error(checkpoint.error)

    identifier = OperationIdentifier(operation_id, parent._parent_id, name)
    if not checkpoint.is_existent():
        invocation.checkpoint(
            OperationUpdate.create_context_start(identifier, sub_type), sync=False
        )
    child = parent._child_context(operation_id, segment)
    try:
        result = func(child)
        if check_removed:
            child._check_nothing_removed(func)
        if replay_children:
            invocation.state.track_replay(operation_id)
            return result
        # Encoding the result belongs to the body: an encoding failure fails the
        # context like an error raised inside it.
        payload = serialize(serdes, result, operation_id, invocation.arn)
        too_large = len(payload) > CHECKPOINT_SIZE_LIMIT
        if too_large:
            payload = summary_generator(result) if summary_generator is not None else ""
    except NonDeterministicExecutionError:
        raise
    except Exception as error:
        error_object = ErrorObject.from_exception(error)
        invocation.checkpoint(
            OperationUpdate.create_context_fail(identifier, error_object, sub_type), sync=True
        )
        if isinstance(error, InvocationError):
            raise
        raise CallableRuntimeError(
            error_object.message, error_object.type, error_object.data, error_object.stack_trace
        ) from error

    invocation.checkpoint(
        OperationUpdate.create_context_succeed(
            identifier, payload, sub_type, ContextOptions(replay_children=too_large)
        ),
        sync=True,
    )
    invocation.state.track_replay(operation_id)
    return result
