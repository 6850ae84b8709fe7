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
from durable_lambda_context._step_record import (
    UNDECIDED,
    Undecided,
    at_least_one_second,
    recorded_outcome,
)
from durable_lambda_context._suspend import suspend_with_optional_resume_delay
from durable_lambda_context._types import WaitForConditionCheckContext
from durable_lambda_context._validation import require_callable, require_name

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext
    from durable_lambda_context._waits import WaitForConditionConfig

T = TypeVar("T")


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
    recorded: T | Undecided = recorded_outcome(
        context,
        operation_id,
        checkpoint,
        config.serdes,
        "wait_for_condition {} is waiting for its next check",
    )
    if recorded is not UNDECIDED:
        return recorded

    invocation = context._invocation
    status = checkpoint.status
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
        delay = at_least_one_second(
            context, decision.delay_seconds, "Poll delay of wait_for_condition", operation_id
        )
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
