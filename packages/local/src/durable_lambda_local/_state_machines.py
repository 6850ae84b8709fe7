"""How each operation type moves between statuses, and the history each move writes.

Every function here is pure: it takes the operation as it is (or None when it does not
exist yet), the request or event, and the time, and returns a :class:`Transition`: the
new operation record, the history events in order, and the effects (timers, callbacks,
chained invokes) the control plane carries out once the transaction commits. Illegal
moves raise ``InvalidParameterValueException`` with the service's message
(service.md §5), before anything is changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from durable_lambda_client import (
    CallbackFailedDetails,
    CallbackStartedDetails,
    CallbackSucceededDetails,
    CallbackTimedOutDetails,
    CallbackTimeoutType,
    ChainedInvokeFailedDetails,
    ChainedInvokeStartedDetails,
    ChainedInvokeStoppedDetails,
    ChainedInvokeSucceededDetails,
    ChainedInvokeTimedOutDetails,
    ContextFailedDetails,
    ContextStartedDetails,
    ContextSucceededDetails,
    ErrorObject,
    EventDetails,
    EventError,
    EventInput,
    EventResult,
    EventType,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
    RetryDetails,
    StepFailedDetails,
    StepStartedDetails,
    StepSucceededDetails,
    WaitCancelledDetails,
    WaitStartedDetails,
    WaitSucceededDetails,
)
from durable_lambda_local._clock import ms_to_datetime
from durable_lambda_local._errors import InvalidParameterValueException
from durable_lambda_local._records import OperationRecord
from durable_lambda_local._timers import TimerKey, TimerKind

__all__ = [
    "ArmTimer",
    "CallPlainTarget",
    "CancelTimer",
    "ChainedTarget",
    "Effect",
    "NewEvent",
    "RegisterCallback",
    "StartChildExecution",
    "Transition",
    "TransitionContext",
    "apply_update",
    "callback_heartbeat",
    "check_consistency",
    "complete_callback",
    "complete_chained_invoke",
    "finish_wait",
    "make_step_ready",
    "time_out_callback",
]

_TENANT_ID = re.compile(r"[a-zA-Z0-9\._:\/=+\-@ ]{1,256}")


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A history event to append; the operation supplies Id, Name, ParentId, SubType."""

    event_type: EventType
    details: EventDetails
    operation: OperationRecord | None = None


@dataclass(frozen=True, slots=True)
class ArmTimer:
    key: TimerKey
    due_ms: int


@dataclass(frozen=True, slots=True)
class CancelTimer:
    key: TimerKey


@dataclass(frozen=True, slots=True)
class RegisterCallback:
    callback_id: str
    operation_id: str


@dataclass(frozen=True, slots=True)
class ChainedTarget:
    """Where a chained invoke goes, as the control plane resolved it.

    ``durable`` targets run as a child execution whose id and ARN are fixed up front (so
    the ChainedInvokeStarted event can name it); plain targets are called once.
    """

    function_name: str
    executed_version: str
    durable: bool
    qualifier: str | None = None
    child_execution_id: str | None = None
    child_arn: str | None = None


@dataclass(frozen=True, slots=True)
class StartChildExecution:
    operation_id: str
    target: ChainedTarget
    payload: str | None
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class CallPlainTarget:
    operation_id: str
    target: ChainedTarget
    payload: str | None
    tenant_id: str | None


Effect = ArmTimer | CancelTimer | RegisterCallback | StartChildExecution | CallPlainTarget


@dataclass(frozen=True, slots=True)
class Transition:
    """The outcome of one move: the new record, its events, and what to do after commit."""

    operation: OperationRecord
    events: tuple[NewEvent, ...] = ()
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True, slots=True)
class TransitionContext:
    """What a move may need besides the operation and the update.

    ``resolve_target`` returns the chained-invoke target, or the error that makes the
    invoke fail at once (unknown function).
    """

    execution_id: str
    now_ms: int
    position: int
    new_callback_id: Callable[[str], str]
    resolve_target: Callable[[str, str | None], ChainedTarget | ErrorObject]


def _invalid(message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(message)


def _result(payload: str | None) -> EventResult:
    return EventResult(payload=payload, truncated=False)


def _error(error: ErrorObject | None) -> EventError:
    return EventError(payload=error, truncated=False)


def check_consistency(update: OperationUpdate, current: OperationRecord | None) -> None:
    """An update must agree with the stored operation's type, subtype, name and parent.

    Raises:
        InvalidParameterValueException: naming the member that differs.
    """
    if current is None:
        return
    if update.operation_type is not current.operation_type:
        raise _invalid("Inconsistent operation type.")
    if update.sub_type is not None and update.sub_type is not current.sub_type:
        raise _invalid("Inconsistent operation subtype.")
    if update.name is not None and update.name != current.name:
        raise _invalid("Inconsistent operation name.")
    if update.parent_id is not None and update.parent_id != current.parent_id:
        raise _invalid("Inconsistent parent operation id.")


def _new_record(
    update: OperationUpdate, ctx: TransitionContext, status: OperationStatus
) -> OperationRecord:
    return OperationRecord(
        execution_id=ctx.execution_id,
        operation_id=update.operation_id,
        position=ctx.position,
        operation_type=update.operation_type,
        status=status,
        start_ms=ctx.now_ms,
        parent_id=update.parent_id,
        name=update.name,
        sub_type=update.sub_type,
    )


def apply_update(
    update: OperationUpdate, current: OperationRecord | None, ctx: TransitionContext
) -> Transition:
    """Apply one checkpoint update to its operation (EXECUTION updates excluded).

    Raises:
        InvalidParameterValueException: the move is not allowed from the current status,
            or the update's payload, error or options break the type's rules.
    """
    handlers = {
        OperationType.STEP: _apply_step,
        OperationType.CONTEXT: _apply_context,
        OperationType.WAIT: _apply_wait,
        OperationType.CALLBACK: _apply_callback,
        OperationType.CHAINED_INVOKE: _apply_chained_invoke,
    }
    return handlers[update.operation_type](update, current, ctx)


def _check_payload_error_exclusivity(update: OperationUpdate) -> None:
    if update.action is OperationAction.FAIL and update.payload is not None:
        raise _invalid("Cannot provide a Payload for FAIL action.")
    if update.action is OperationAction.SUCCEED and update.error is not None:
        raise _invalid("Cannot provide an Error for SUCCEED action.")


# -- STEP -------------------------------------------------------------------------------


def _apply_step(
    update: OperationUpdate, current: OperationRecord | None, ctx: TransitionContext
) -> Transition:
    _check_payload_error_exclusivity(update)
    action = update.action
    status = None if current is None else current.status
    if action is OperationAction.START:
        if current is None:
            record = _new_record(update, ctx, OperationStatus.STARTED)
        elif status is OperationStatus.READY:
            record = replace(current, status=OperationStatus.STARTED)
        else:
            raise _invalid("Invalid current STEP state to start.")
        return Transition(record, (NewEvent(EventType.STEP_STARTED, StepStartedDetails(), record),))
    if action is OperationAction.RETRY:
        if update.step_options is None:
            raise _invalid("Invalid StepOptions for the given action.")
        if update.error is not None and update.payload is not None:
            raise _invalid("Cannot provide both error and payload to RETRY a STEP.")
    open_statuses = (None, OperationStatus.STARTED, OperationStatus.READY)
    if status not in open_statuses:
        if action is OperationAction.RETRY:
            raise _invalid("Invalid current STEP state to re-attempt.")
        raise _invalid("Invalid current STEP state to close.")
    base = current if current is not None else _new_record(update, ctx, OperationStatus.STARTED)
    attempt = base.attempt + 1
    if action is OperationAction.SUCCEED:
        record = replace(
            base,
            status=OperationStatus.SUCCEEDED,
            attempt=attempt,
            result=update.payload,
            error=None,
            next_attempt_ms=None,
            end_ms=ctx.now_ms,
        )
        details: EventDetails = StepSucceededDetails(
            _result(update.payload), RetryDetails(current_attempt=attempt)
        )
        return Transition(record, (NewEvent(EventType.STEP_SUCCEEDED, details, record),))
    if action is OperationAction.FAIL:
        record = replace(
            base,
            status=OperationStatus.FAILED,
            attempt=attempt,
            error=update.error,
            result=None,
            next_attempt_ms=None,
            end_ms=ctx.now_ms,
        )
        details = StepFailedDetails(_error(update.error), RetryDetails(current_attempt=attempt))
        return Transition(record, (NewEvent(EventType.STEP_FAILED, details, record),))
    assert update.step_options is not None
    delay = update.step_options.next_attempt_delay_seconds
    due_ms = ctx.now_ms + delay * 1000
    record = replace(
        base,
        status=OperationStatus.PENDING,
        attempt=attempt,
        result=update.payload,
        error=update.error,
        next_attempt_ms=due_ms,
    )
    retry = RetryDetails(current_attempt=attempt, next_attempt_delay_seconds=delay)
    if update.error is not None:
        event = NewEvent(
            EventType.STEP_FAILED, StepFailedDetails(_error(update.error), retry), record
        )
    else:
        event = NewEvent(
            EventType.STEP_SUCCEEDED, StepSucceededDetails(_result(update.payload), retry), record
        )
    timer = ArmTimer(TimerKey(ctx.execution_id, TimerKind.STEP_READY, update.operation_id), due_ms)
    return Transition(record, (event,), (timer,))


def make_step_ready(current: OperationRecord) -> Transition | None:
    """The retry delay of a PENDING step elapsed: READY, no event. None if not PENDING."""
    if current.status is not OperationStatus.PENDING:
        return None
    return Transition(replace(current, status=OperationStatus.READY, next_attempt_ms=None))


# -- CONTEXT ----------------------------------------------------------------------------


def _apply_context(
    update: OperationUpdate, current: OperationRecord | None, ctx: TransitionContext
) -> Transition:
    _check_payload_error_exclusivity(update)
    action = update.action
    if action is OperationAction.START:
        if current is not None:
            raise _invalid("Cannot start a CONTEXT that already exist.")
        record = _new_record(update, ctx, OperationStatus.STARTED)
        return Transition(
            record, (NewEvent(EventType.CONTEXT_STARTED, ContextStartedDetails(), record),)
        )
    if current is not None and current.status is not OperationStatus.STARTED:
        raise _invalid("Invalid current CONTEXT state to close.")
    base = current if current is not None else _new_record(update, ctx, OperationStatus.STARTED)
    if action is OperationAction.SUCCEED:
        replay_children = bool(update.context_options and update.context_options.replay_children)
        record = replace(
            base,
            status=OperationStatus.SUCCEEDED,
            result=update.payload,
            replay_children=replay_children,
            end_ms=ctx.now_ms,
        )
        details: EventDetails = ContextSucceededDetails(_result(update.payload))
        return Transition(record, (NewEvent(EventType.CONTEXT_SUCCEEDED, details, record),))
    record = replace(base, status=OperationStatus.FAILED, error=update.error, end_ms=ctx.now_ms)
    details = ContextFailedDetails(_error(update.error))
    return Transition(record, (NewEvent(EventType.CONTEXT_FAILED, details, record),))


# -- WAIT -------------------------------------------------------------------------------


def _apply_wait(
    update: OperationUpdate, current: OperationRecord | None, ctx: TransitionContext
) -> Transition:
    timer = TimerKey(ctx.execution_id, TimerKind.WAIT_END, update.operation_id)
    if update.action is OperationAction.START:
        if current is not None:
            raise _invalid("Cannot start a WAIT that already exist.")
        if update.wait_options is None:
            raise _invalid("WaitOptions are required to START a WAIT.")
        seconds = update.wait_options.wait_seconds
        due_ms = ctx.now_ms + seconds * 1000
        record = replace(
            _new_record(update, ctx, OperationStatus.STARTED),
            scheduled_end_ms=due_ms,
            wait_seconds=seconds,
        )
        details = WaitStartedDetails(
            duration=seconds, scheduled_end_timestamp=ms_to_datetime(due_ms)
        )
        return Transition(
            record, (NewEvent(EventType.WAIT_STARTED, details, record),), (ArmTimer(timer, due_ms),)
        )
    if current is None or current.status is not OperationStatus.STARTED:
        raise _invalid("Cannot cancel a WAIT that does not exist or has already completed.")
    record = replace(
        current, status=OperationStatus.CANCELLED, end_ms=ctx.now_ms, error=update.error
    )
    cancelled = WaitCancelledDetails(None if update.error is None else _error(update.error))
    return Transition(
        record, (NewEvent(EventType.WAIT_CANCELLED, cancelled, record),), (CancelTimer(timer),)
    )


def finish_wait(current: OperationRecord, now_ms: int) -> Transition | None:
    """A wait's timer fired: SUCCEEDED. None when the wait is no longer STARTED."""
    if current.status is not OperationStatus.STARTED:
        return None
    record = replace(current, status=OperationStatus.SUCCEEDED, end_ms=now_ms)
    details = WaitSucceededDetails(duration=current.wait_seconds)
    return Transition(record, (NewEvent(EventType.WAIT_SUCCEEDED, details, record),))


# -- CALLBACK ---------------------------------------------------------------------------


def _apply_callback(
    update: OperationUpdate, current: OperationRecord | None, ctx: TransitionContext
) -> Transition:
    if current is not None:
        raise _invalid("Cannot start a CALLBACK that already exist.")
    options = update.callback_options
    timeout = options.timeout_seconds if options is not None else 0
    heartbeat = options.heartbeat_timeout_seconds if options is not None else 0
    callback_id = ctx.new_callback_id(update.operation_id)
    record = replace(
        _new_record(update, ctx, OperationStatus.STARTED),
        callback_id=callback_id,
        callback_timeout_seconds=timeout,
        callback_heartbeat_seconds=heartbeat,
    )
    details = CallbackStartedDetails(
        callback_id=callback_id,
        heartbeat_timeout=heartbeat or None,
        timeout=timeout or None,
    )
    effects: list[Effect] = [RegisterCallback(callback_id, update.operation_id)]
    if timeout > 0:
        key = TimerKey(ctx.execution_id, TimerKind.CALLBACK_TIMEOUT, update.operation_id)
        effects.append(ArmTimer(key, ctx.now_ms + timeout * 1000))
    if heartbeat > 0:
        key = TimerKey(ctx.execution_id, TimerKind.CALLBACK_HEARTBEAT, update.operation_id)
        effects.append(ArmTimer(key, ctx.now_ms + heartbeat * 1000))
    return Transition(
        record, (NewEvent(EventType.CALLBACK_STARTED, details, record),), tuple(effects)
    )


def _callback_timers(current: OperationRecord) -> tuple[Effect, ...]:
    return (
        CancelTimer(
            TimerKey(current.execution_id, TimerKind.CALLBACK_TIMEOUT, current.operation_id)
        ),
        CancelTimer(
            TimerKey(current.execution_id, TimerKind.CALLBACK_HEARTBEAT, current.operation_id)
        ),
    )


def complete_callback(
    current: OperationRecord,
    now_ms: int,
    *,
    result: str | None = None,
    error: ErrorObject | None = None,
    failed: bool = False,
) -> Transition:
    """A callback was answered (success with ``result``, or failure with ``error``)."""
    if failed:
        record = replace(current, status=OperationStatus.FAILED, error=error, end_ms=now_ms)
        event = NewEvent(EventType.CALLBACK_FAILED, CallbackFailedDetails(_error(error)), record)
    else:
        record = replace(current, status=OperationStatus.SUCCEEDED, result=result, end_ms=now_ms)
        event = NewEvent(
            EventType.CALLBACK_SUCCEEDED, CallbackSucceededDetails(_result(result)), record
        )
    return Transition(record, (event,), _callback_timers(current))


def callback_heartbeat(current: OperationRecord, now_ms: int) -> Transition:
    """A heartbeat restarts the heartbeat timer (when one is configured); no event."""
    effects: tuple[Effect, ...] = ()
    if current.callback_heartbeat_seconds > 0:
        key = TimerKey(current.execution_id, TimerKind.CALLBACK_HEARTBEAT, current.operation_id)
        effects = (ArmTimer(key, now_ms + current.callback_heartbeat_seconds * 1000),)
    return Transition(current, (), effects)


def time_out_callback(current: OperationRecord, kind: TimerKind, now_ms: int) -> Transition | None:
    """The callback's timeout or heartbeat timer fired: TIMED_OUT. None if not STARTED."""
    if current.status is not OperationStatus.STARTED:
        return None
    if kind is TimerKind.CALLBACK_HEARTBEAT:
        error = ErrorObject(
            "Callback timed out on heartbeat", CallbackTimeoutType.HEARTBEAT.value, None, None
        )
    else:
        error = ErrorObject("Callback timed out", CallbackTimeoutType.TIMEOUT.value, None, None)
    record = replace(current, status=OperationStatus.TIMED_OUT, error=error, end_ms=now_ms)
    event = NewEvent(EventType.CALLBACK_TIMED_OUT, CallbackTimedOutDetails(_error(error)), record)
    return Transition(record, (event,), _callback_timers(current))


# -- CHAINED_INVOKE ---------------------------------------------------------------------


def _apply_chained_invoke(
    update: OperationUpdate, current: OperationRecord | None, ctx: TransitionContext
) -> Transition:
    if current is not None:
        raise _invalid("Cannot start a CHAINED_INVOKE operation that already exists.")
    options = update.chained_invoke_options
    if options is None:
        raise _invalid("Update for CHAINED_INVOKE operation requires ChainedInvokeOptions.")
    tenant_id = options.tenant_id
    if tenant_id is not None and not _TENANT_ID.fullmatch(tenant_id):
        raise _invalid("TenantId must be 1 to 256 characters matching [a-zA-Z0-9._:/=+-@ ].")
    target = ctx.resolve_target(options.function_name, tenant_id)
    record = replace(
        _new_record(update, ctx, OperationStatus.STARTED),
        target_function=options.function_name,
        target_tenant_id=tenant_id,
        input_payload=update.payload,
    )
    if isinstance(target, ErrorObject):
        failed = replace(record, status=OperationStatus.FAILED, error=target, end_ms=ctx.now_ms)
        started = ChainedInvokeStartedDetails(
            function_name=options.function_name, tenant_id=tenant_id
        )
        return Transition(
            failed,
            (
                NewEvent(EventType.CHAINED_INVOKE_STARTED, started, failed),
                NewEvent(
                    EventType.CHAINED_INVOKE_FAILED,
                    ChainedInvokeFailedDetails(_error(target)),
                    failed,
                ),
            ),
        )
    record = replace(record, child_execution_id=target.child_execution_id)
    details = ChainedInvokeStartedDetails(
        function_name=options.function_name,
        tenant_id=tenant_id,
        input=None if update.payload is None else EventInput(update.payload, False),
        executed_version=target.executed_version,
        durable_execution_arn=target.child_arn,
    )
    effect: Effect
    if target.durable:
        effect = StartChildExecution(update.operation_id, target, update.payload, tenant_id)
    else:
        effect = CallPlainTarget(update.operation_id, target, update.payload, tenant_id)
    return Transition(
        record, (NewEvent(EventType.CHAINED_INVOKE_STARTED, details, record),), (effect,)
    )


def complete_chained_invoke(
    current: OperationRecord,
    status: OperationStatus,
    now_ms: int,
    *,
    result: str | None = None,
    error: ErrorObject | None = None,
) -> Transition | None:
    """The invoked function finished with ``status``; None if the invoke is not STARTED."""
    if current.status is not OperationStatus.STARTED:
        return None
    record = replace(current, status=status, result=result, error=error, end_ms=now_ms)
    details: EventDetails
    if status is OperationStatus.SUCCEEDED:
        event_type, details = (
            EventType.CHAINED_INVOKE_SUCCEEDED,
            ChainedInvokeSucceededDetails(_result(result)),
        )
    elif status is OperationStatus.TIMED_OUT:
        event_type, details = (
            EventType.CHAINED_INVOKE_TIMED_OUT,
            ChainedInvokeTimedOutDetails(_error(error)),
        )
    elif status is OperationStatus.STOPPED:
        event_type, details = (
            EventType.CHAINED_INVOKE_STOPPED,
            ChainedInvokeStoppedDetails(_error(error)),
        )
    else:
        event_type, details = (
            EventType.CHAINED_INVOKE_FAILED,
            ChainedInvokeFailedDetails(_error(error)),
        )
    return Transition(record, (NewEvent(event_type, details, record),))
