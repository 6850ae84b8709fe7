"""``context.step``: run a function once, record its result, retry it on failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

from durable_lambda_client import (
    CallableRuntimeError,
    ErrorObject,
    ExecutionError,
    InvalidStateError,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    StepInterruptedError,
)
from durable_lambda_context._config import StepConfig, StepSemantics
from durable_lambda_context._decorators import original_name
from durable_lambda_context._logger import LogInfo
from durable_lambda_context._retries import RetryPresets
from durable_lambda_context._serialization import serialize
from durable_lambda_context._step_record import (
    UNDECIDED,
    Undecided,
    at_least_one_second,
    recorded_outcome,
)
from durable_lambda_context._suspend import suspend_with_optional_resume_delay
from durable_lambda_context._types import StepContext
from durable_lambda_context._validation import require_callable, require_name

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_state import CheckpointedResult

T = TypeVar("T")

_DEFAULT_CONFIG = StepConfig()


def run_step(
    context: DurableContext,
    func: Callable[[StepContext], T],
    name: str | None,
    config: StepConfig | None,
) -> T:
    """Run ``func`` as a step of ``context`` (see ``DurableContext.step``)."""
    if not callable(func):
        require_callable("func", func)
    if name is not None and type(name) is not str:
        require_name("name", name)
    config = config if config is not None else _DEFAULT_CONFIG
    name = name or original_name(func)
    operation_id, checkpoint = context._begin_operation(
        OperationType.STEP, OperationSubType.STEP, name
    )
    recorded: T | Undecided = recorded_outcome(
        context, operation_id, checkpoint, config.serdes, "Step {} is waiting for its next attempt"
    )
    if recorded is not UNDECIDED:
        return recorded

    invocation = context._invocation
    status = checkpoint.status
    identifier = OperationIdentifier(operation_id, context._parent_id, name)
    at_most_once = config.step_semantics is StepSemantics.AT_MOST_ONCE_PER_RETRY
    if status is OperationStatus.STARTED:
        if at_most_once:
            interrupted = StepInterruptedError(
                f"Step operation_id={operation_id} name={name} was previously interrupted",
                step_id=operation_id,
            )
            _retry_or_fail(context, identifier, checkpoint, config, interrupted)
        # At least once: the previous run of this attempt was lost; run it again.
    else:
        start = OperationUpdate.create_step_start(identifier)
        invocation.checkpoint(start, sync=at_most_once)
        if at_most_once:
            after = invocation.state.get_checkpoint_result(operation_id)
            if after.status is not OperationStatus.STARTED:
                raise InvalidStateError(f"Unexpected status after START checkpoint: {after.status}")

    attempt = _attempts_made(checkpoint)
    logger = context.logger.with_log_info(
        LogInfo(invocation.state, context._parent_id, operation_id, name, attempt)
    )
    try:
        result = func(StepContext(logger=logger))
        payload = serialize(config.serdes, result, operation_id, invocation.arn)
    except ExecutionError:
        raise
    except Exception as error:
        _retry_or_fail(context, identifier, checkpoint, config, error)

    invocation.checkpoint(OperationUpdate.create_step_succeed(identifier, payload), sync=True)
    invocation.state.track_replay(operation_id)
    return result


def _attempts_made(checkpoint: CheckpointedResult) -> int:
    operation = checkpoint.operation
    if operation is None or operation.step_details is None:
        return 0
    return operation.step_details.attempt


def _retry_or_fail(
    context: DurableContext,
    identifier: OperationIdentifier,
    checkpoint: CheckpointedResult,
    config: StepConfig,
    error: Exception,
) -> NoReturn:
    """Record a retry (and suspend) or the final failure (and raise)."""
    invocation = context._invocation
    strategy = config.retry_strategy or RetryPresets.default()
    attempts_made = _attempts_made(checkpoint) + 1
    decision = strategy(error, attempts_made)
    error_object = ErrorObject.from_exception(error)
    if decision.should_retry:
        delay = at_least_one_second(
            context, decision.delay_seconds, "Retry delay of step", identifier.operation_id
        )
        invocation.checkpoint(
            OperationUpdate.create_step_retry(identifier, error_object, delay), sync=True
        )
        suspend_with_optional_resume_delay(
            f"Retrying step {identifier.operation_id} in {delay} seconds", delay
        )
    invocation.checkpoint(OperationUpdate.create_step_fail(identifier, error_object), sync=True)
    if isinstance(error, StepInterruptedError):
        raise error
    raise CallableRuntimeError(str(error), type(error).__name__, None, None) from error
