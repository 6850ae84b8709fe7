"""``durable_execution``: the Lambda handler wrapper (invocation envelope in, envelope out)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar, overload

from durable_lambda_client import (
    LAMBDA_RESPONSE_SIZE_LIMIT,
    BackgroundThreadError,
    BotoClientError,
    CheckpointError,
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    DurableExecutionInvocationOutput,
    DurableServiceClient,
    ErrorObject,
    ExecutionError,
    InvocationError,
    InvocationStatus,
    LambdaClient,
    Operation,
    OperationType,
    OperationUpdate,
    SuspendExecution,
)
from durable_lambda_context._context import DurableContext
from durable_lambda_context._invocation import Invocation
from durable_lambda_state import ExecutionState

_log = logging.getLogger("durable_lambda_context")

T = TypeVar("T")

Handler = Callable[[Any, DurableContext], Any]
"""A durable handler: ``handler(event, context)``."""

LambdaHandler = Callable[[Any, Any], dict[str, Any]]
"""The wrapped handler Lambda calls: ``wrapper(event, lambda_context) -> envelope``."""

_INVALID_EVENT_MESSAGE = (
    "Unexpected payload provided to start the durable execution. "
    "Check your resource configurations to confirm the durability is set."
)

__all__ = ["durable_execution", "handle_checkpoint_error"]


@overload
def durable_execution(func: Handler, *, boto3_client: Any = None) -> LambdaHandler: ...


@overload
def durable_execution(
    func: None = None, *, boto3_client: Any = None
) -> Callable[[Handler], LambdaHandler]: ...


def durable_execution(
    func: Handler | None = None, *, boto3_client: Any = None
) -> LambdaHandler | Callable[[Handler], LambdaHandler]:
    """Turn ``handler(event, context)`` into a Lambda handler for a durable function.

    Usable bare (``@durable_execution``) or with a client
    (``@durable_execution(boto3_client=client)``). The wrapper parses the
    invocation envelope, loads the execution's state, runs the handler with a
    ``DurableContext`` and returns the output envelope: ``SUCCEEDED`` with the
    JSON result, ``FAILED`` with the error, or ``PENDING`` when it must wait.

    Args:
        func: the handler; it receives the execution input (decoded JSON) and
            the ``DurableContext``.
        boto3_client: a boto3 ``lambda`` client to talk to the service with;
            by default one is created once per process.

    Raises (from the wrapper):
        ExecutionError: the event is not a durable invocation.
        InvocationError: retriable failures (service errors, throttling, an
            interrupted at-most-once step); Lambda retries the invocation.
    """
    if func is None:

        def decorate(handler: Handler) -> LambdaHandler:
            return durable_execution(handler, boto3_client=boto3_client)

        return decorate

    handler = func
    _log.debug("Starting durable execution handler...")

    @functools.wraps(handler)
    def wrapper(event: Any, lambda_context: Any) -> dict[str, Any]:
        return _run_invocation(handler, event, lambda_context, boto3_client)

    return wrapper


def handle_checkpoint_error(error: CheckpointError) -> DurableExecutionInvocationOutput:
    """Map a failed checkpoint to the invocation's outcome.

    Raises:
        CheckpointError: ``error`` is retriable (service-side or throttling):
            Lambda retries the invocation.

    Returns:
        A ``FAILED`` output for errors a retry cannot fix (the request was invalid).
    """
    if error.is_retriable():
        raise error
    return DurableExecutionInvocationOutput(
        status=InvocationStatus.FAILED, error=ErrorObject.from_exception(error)
    )


def _parse_event(
    event: Any, boto3_client: Any
) -> tuple[DurableExecutionInvocationInput, DurableServiceClient]:
    if isinstance(event, DurableExecutionInvocationInputWithClient):
        return event, event.service_client
    try:
        parsed = DurableExecutionInvocationInput.from_json_dict(event)
    except (KeyError, TypeError, AttributeError) as error:
        raise ExecutionError(_INVALID_EVENT_MESSAGE) from error
    if boto3_client is not None:
        return parsed, LambdaClient(client=boto3_client)
    return parsed, LambdaClient.initialize_client()


def _execution_operation(state: ExecutionState) -> Operation | None:
    operations: Mapping[str, Operation] = state.operations
    by_arn = operations.get(state.durable_execution_arn.rsplit("/", 1)[-1])
    if by_arn is not None and by_arn.operation_type is OperationType.EXECUTION:
        return by_arn
    for operation in operations.values():
        if operation.operation_type is OperationType.EXECUTION:
            return operation
    return None


def _input_event(state: ExecutionState) -> Any:
    operation = _execution_operation(state)
    details = operation.execution_details if operation is not None else None
    payload = details.input_payload if details is not None else None
    if payload is None or not payload.strip():
        return {}
    try:
        return json.loads(payload)
    except json.JSONDecodeError:
        _log.exception("Failed to parse input payload as JSON: payload: %r", payload)
        raise


def _load_state(
    invocation_input: DurableExecutionInvocationInput, client: DurableServiceClient
) -> ExecutionState:
    initial = invocation_input.initial_execution_state
    state = ExecutionState(
        durable_execution_arn=invocation_input.durable_execution_arn,
        initial_checkpoint_token=invocation_input.checkpoint_token,
        operations={},
        service_client=client,
    )
    # Decides the replay status from the complete state, every page included.
    state.fetch_paginated_operations(
        initial.operations, invocation_input.checkpoint_token, initial.next_marker
    )
    return state


def _run_invocation(
    handler: Handler, event: Any, lambda_context: Any, boto3_client: Any
) -> dict[str, Any]:
    invocation_input, client = _parse_event(event, boto3_client)
    state = _load_state(invocation_input, client)
    try:
        input_event = _input_event(state)
        context = DurableContext.from_lambda_context(state, lambda_context)
        outcome = _outcome(handler, input_event, context)
        # Asynchronous updates still queued (a START whose operation then
        # suspended or raised) are sent too, so the history shows them.
        with contextlib.suppress(BackgroundThreadError):
            state.flush()
    finally:
        state.close()
    if state.is_token_revoked() and not outcome.recorded:
        # The service ended this invocation's checkpointing (the execution was
        # paused, say) before an EXECUTION update: it resumes the execution later.
        return _PENDING.to_dict()
    failure = state.checkpoint_failure
    if failure is not None and not state.is_token_revoked():
        # Never report an outcome after a lost checkpoint, even an asynchronous one.
        return _background_failure(state, failure).output.to_dict()
    return outcome.output.to_dict()


class _Outcome(NamedTuple):
    """The invocation's output, and whether an EXECUTION update already recorded it."""

    output: DurableExecutionInvocationOutput
    recorded: bool = False


_PENDING = DurableExecutionInvocationOutput(status=InvocationStatus.PENDING)


def _outcome(handler: Handler, input_event: Any, context: DurableContext) -> _Outcome:
    invocation = context._invocation
    try:
        result = handler(input_event, context)
        if invocation.non_determinism is None:
            context._check_nothing_removed(handler)
        text = json.dumps(result)
    except SuspendExecution:
        if invocation.non_determinism is not None:
            return _failed(invocation, invocation.non_determinism)
        return _Outcome(_PENDING)
    except BackgroundThreadError as error:
        return _background_failure(invocation.state, error)
    except CheckpointError as error:
        _log.exception("Checkpoint system failed", extra=error.build_logger_extras())
        return _Outcome(handle_checkpoint_error(error))
    except InvocationError:
        _log.exception("Invocation error. Must terminate.")
        raise
    except ExecutionError as error:
        _log.exception("Execution error. Must terminate without retry.")
        return _failed(invocation, error)
    except Exception as error:
        _log.exception("Execution failed")
        return _failed(invocation, error)
    if invocation.non_determinism is not None:
        return _failed(invocation, invocation.non_determinism)
    if len(text) <= LAMBDA_RESPONSE_SIZE_LIMIT:
        return _Outcome(DurableExecutionInvocationOutput.create_succeeded(text))
    try:
        invocation.checkpoint(OperationUpdate.create_execution_succeed(text), sync=True)
    except BackgroundThreadError as error:
        return _background_failure(invocation.state, error)
    return _Outcome(DurableExecutionInvocationOutput.create_succeeded(""), recorded=True)


def _failed(invocation: Invocation, error: BaseException) -> _Outcome:
    """FAILED with ``error``; an error too large for the response is checkpointed instead."""
    if invocation.non_determinism is not None:
        error = invocation.non_determinism
    error_object = ErrorObject.from_exception(error)
    output = DurableExecutionInvocationOutput(status=InvocationStatus.FAILED, error=error_object)
    if isinstance(error, ExecutionError):
        return _Outcome(output)
    if len(json.dumps(output.to_dict())) <= LAMBDA_RESPONSE_SIZE_LIMIT:
        return _Outcome(output)
    state = invocation.state
    try:
        state.create_checkpoint_sync(OperationUpdate.create_execution_fail(error_object))
    except CheckpointError as checkpoint_error:
        if state.is_token_revoked():
            return _Outcome(_PENDING)
        _log.exception("Checkpoint system failed", extra=checkpoint_error.build_logger_extras())
        return _Outcome(handle_checkpoint_error(checkpoint_error))
    return _Outcome(DurableExecutionInvocationOutput(status=InvocationStatus.FAILED), recorded=True)


def _background_failure(state: ExecutionState, error: BackgroundThreadError) -> _Outcome:
    if state.is_token_revoked():
        # Not a failure: the service answered without a token, so this invocation
        # may not checkpoint again and ends PENDING.
        _log.info("The service ended checkpointing for this invocation; it ends PENDING")
        return _Outcome(_PENDING)
    source = error.source_exception
    if isinstance(source, BotoClientError):
        _log.exception("Checkpoint processing failed", extra=source.build_logger_extras())
    else:
        _log.exception("Checkpoint processing failed")
    if isinstance(source, CheckpointError):
        return _Outcome(handle_checkpoint_error(source))
    raise source from error
