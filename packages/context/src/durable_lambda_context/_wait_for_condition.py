"""``context.wait_for_condition``: poll a check function, recording its state between polls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from durable_lambda_client import (
    ErrorObject,
    NonDeterministicExecutionError,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    ValidationError,
)
from durable_lambda_context._logger import LogInfo
from durable_lambda_context._serialization import deserialize, serialize
from durable_lambda_context._stored_outcome import raise_stored_error
from durable_lambda_context._suspend import (
    suspend_with_optional_resume_delay,
    suspend_with_optional_resume_timestamp,
)
from durable_lambda_context._types import WaitForConditionCheckContext
from durable_lambda_context._validation import require_callable, require_name

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_context._waits import WaitForConditionConfig

T = TypeVar("T")

_MIN_DELAY_SECONDS = 1


def run_wait_for_condition(
    context: DurableContext,
    check: Callable[[T, WaitForConditionCheckContext], T] | None,
    config: WaitForConditionConfig[T] | None,
    name: str | None,
) -> T:
    """Poll ``check`` as an operation of ``context`` (see ``DurableContext.wait_for_condition``)."""
    if check is None:
        raise ValidationError("`check` is required for wait_for_condition")
    if not config:
        raise ValidationError("`config` is required for wait_for_condition")
    require_callable("check", check)
    require_callable("config.wait_strategy", config.wait_strategy)
    require_name("name", name)
    name = name or None
    operation_id, checkpoint = context._begin_operation(
        OperationType.STEP, OperationSubType.WAIT_FOR_CONDITION, name
    )
    invocation = context._invocation
    status = checkpoint.status
    if status is OperationStatus.SUCCEEDED:
        invocation.state.track_replay(operation_id)
        stored = checkpoint.result
        if stored is None:
            return None  # type: ignore[return-value]
        value: T = deserialize(config.serdes, stored, operation_id, invocation.arn)
        return value
    if status is OperationStatus.FAILED:
        invocation.state.track_replay(operation_id)
        raise_stored_error(checkpoint.error)
    if status is OperationStatus.PENDING:
        suspend_with_optional_resume_timestamp(
            f"wait_for_condition {operation_id} is waiting for its next check",
            checkpoint.get_next_attempt_timestamp(),
        )

    identifier = OperationIdentifier(operation_id, context._parent_id, name)
    if status is not OperationStatus.STARTED:
        invocation.checkpoint(
            OperationUpdate.create_wait_for_condition_start(identifier), sync=False
        )
    operation = checkpoint.operation
    details = operation.step_details if operation is not None else None
    attempt = details.attempt + 1 if details is not None else 1
    logger = context.logger.with_log_info(
        LogInfo(invocation.state, context._parent_id, operation_id, name, attempt - 1)
    )
    try:
        stored_state = checkpoint.result
        if status in (OperationStatus.STARTED, OperationStatus.READY) and stored_state is not None:
            current: T = deserialize(config.serdes, stored_state, operation_id, invocation.arn)
        else:
            current = config.initial_state
        new_state = check(current, WaitForConditionCheckContext(logger=logger))
        decision = config.wait_strategy(new_state, attempt)
        payload = serialize(config.serdes, new_state, operation_id, invocation.arn)
        if not decision.should_continue:
            invocation.checkpoint(
                OperationUpdate.create_wait_for_condition_succeed(identifier, payload), sync=True
            )
            invocation.state.track_replay(operation_id)
            return new_state
        delay = decision.delay_seconds
        if delay < _MIN_DELAY_SECONDS:
            context._sdk_log.warning(
                "Poll delay of wait_for_condition %s is %ss; using the minimum of 1s",
                operation_id,
                delay,
            )
            delay = _MIN_DELAY_SECONDS
        invocation.checkpoint(
            OperationUpdate.create_wait_for_condition_retry(identifier, payload, delay), sync=True
        )
    except NonDeterministicExecutionError:
        raise
    except Exception as error:
        invocation.checkpoint(
            OperationUpdate.create_wait_for_condition_fail(
                identifier, ErrorObject.from_exception(error)
            ),
            sync=True,
        )
        raise
    suspend_with_optional_resume_delay(
        f"wait_for_condition {operation_id} checks again in {delay} seconds", delay
    )
    return None
