"""Running handlers: building the invocation input, calling the handler, and turning
its output or failure into the next step of the execution; recovery after a restart.
"""

from __future__ import annotations

from functools import partial

from durable_lambda_client import (
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    ErrorObject,
    EventError,
    EventType,
    ExecutionStatus,
    InitialExecutionState,
    InvocationCompletedDetails,
    InvocationStatus,
    OperationStatus,
    OperationType,
)
from durable_lambda_local._clock import ms_to_datetime
from durable_lambda_local._errors import ResourceNotFoundException
from durable_lambda_local._functions import EventFormat
from durable_lambda_local._invocation_outcomes import (
    outcome_error,
    parse_output,
)
from durable_lambda_local._invoker import CallOutcome, OutcomeKind
from durable_lambda_local._live_execution import LiveExecution, Transaction
from durable_lambda_local._operation_view import (
    page_operations,
    to_operation,
    visible_operations,
)
from durable_lambda_local._records import InvocationRecord
from durable_lambda_local._service_core import (
    EMPTY_ERROR,
    LOGGER,
    PENDING_WORK,
    InvocationPlan,
    ServiceCore,
)
from durable_lambda_local._timers import TimerKey, TimerKind
from durable_lambda_local._tokens import (
    CheckpointTokenData,
    StateMarker,
    encode_checkpoint_token,
    encode_state_marker,
)


class InvocationLoop(ServiceCore):
    """Running handlers: building the invocation input, calling the handler, and turning"""

    def _run_invocation(self, execution_id: str) -> None:
        live = self._live(execution_id)
        if live is None:
            return
        plan = self._transact(live, self._begin_invocation)
        if plan is None:
            return
        outcome = self._invoker.call(
            partial(plan.function.handler, plan.event, plan.context), plan.function.timeout
        )
        try:
            self._transact(live, partial(self._end_invocation, plan, outcome))
        except ResourceNotFoundException:
            if self._live(execution_id) is not None:
                raise
            # Stopped and then deleted while the handler still ran: nothing is left to
            # record the end on, as for any late output of an execution that moved on.
            LOGGER.info(
                "invocation %s of %s ended after its execution was deleted; output ignored",
                plan.request_id,
                live.record.arn,
            )

    def _begin_invocation(self, transaction: Transaction) -> InvocationPlan | None:
        live = transaction.live
        live.scheduled = False
        record = transaction.record
        if record.is_terminal or record.invocation_active:
            return None
        if record.status is not ExecutionStatus.RUNNING:
            if record.status is ExecutionStatus.PAUSED:
                transaction.update_record(invocation_owed=True)
            return None
        function = self._functions.resolve(record.function_name, record.qualifier)
        if function is None:
            error = ErrorObject(
                f"Function not found: {record.function_name}",
                "ResourceNotFoundException",
                None,
                None,
            )
            self._complete_execution(transaction, ExecutionStatus.FAILED, error=error)
            return None
        now = transaction.now_ms
        invocation_id = self._ids.uuid4()
        request_id = self._ids.uuid4()
        sequence = record.token_sequence + 1
        transaction.update_record(
            invocation_id=invocation_id,
            invocation_active=True,
            invocation_count=record.invocation_count + 1,
            token_withheld=False,
        )
        transaction.advance_token_sequence(sequence)
        retry = TimerKey(record.execution_id, TimerKind.INVOCATION_RETRY)
        if self._scheduler.timers.due_time(retry) is not None:
            transaction.cancel(retry)
        transaction.put_invocation(
            InvocationRecord(record.execution_id, invocation_id, request_id, now)
        )
        visible = visible_operations(live.operations.values())
        page, next_offset = page_operations(visible, 0, len(visible) or 1, self._max_page_bytes)
        marker = (
            ""
            if next_offset is None
            else encode_state_marker(
                StateMarker(record.execution_id, sequence, next_offset, delta=False)
            )
        )
        updated = sorted(
            (op for op in (live.operations.get(i) for i in live.service_updated) if op),
            key=lambda op: op.position,
        )
        transaction.delivered = set(live.dirty)
        transaction.reset_service_updated = True
        token = encode_checkpoint_token(
            CheckpointTokenData(record.execution_id, invocation_id, sequence)
        )
        operations = [to_operation(op) for op in page]
        state = InitialExecutionState(operations, marker)
        event: object
        if function.event_format is EventFormat.JSON:
            envelope = DurableExecutionInvocationInput(record.arn, token, state).to_json_dict()
            envelope["UpdatedOperationIds"] = [op.operation_id for op in updated]
            event = envelope
        else:
            event = DurableExecutionInvocationInputWithClient(
                record.arn, token, state, self.client()
            )
        context = self._lambda_context(function, record.version, record.tenant_id, request_id)
        return InvocationPlan(
            record.execution_id, invocation_id, request_id, now, function, event, context
        )

    def _end_invocation(
        self, plan: InvocationPlan, outcome: CallOutcome, transaction: Transaction
    ) -> None:
        record = transaction.record
        invocation = InvocationRecord(
            plan.execution_id,
            plan.invocation_id,
            plan.request_id,
            plan.start_ms,
            transaction.now_ms,
            outcome_error(outcome, plan.request_id, plan.function.timeout, transaction.now_ms),
        )
        transaction.put_invocation(invocation)
        if record.invocation_id != plan.invocation_id or not record.invocation_active:
            LOGGER.info(
                "invocation %s of %s ended after its execution moved on (%s); output ignored",
                plan.request_id,
                record.arn,
                record.status.value,
            )
            return
        transaction.update_record(invocation_active=False)
        if outcome.kind is not OutcomeKind.RETURNED:
            self._invocation_failed(transaction, invocation)
            return
        parsed = parse_output(outcome.value)
        self._append_invocation_completed(transaction, invocation)
        if isinstance(parsed, str):
            self._complete_execution(
                transaction,
                ExecutionStatus.FAILED,
                error=ErrorObject(parsed, "InvalidParameterValueException", None, None),
            )
            return
        transaction.update_record(consecutive_failures=0)
        checkpointed = transaction.record.checkpointed_outcome
        if checkpointed is not None:
            self._complete_execution(
                transaction,
                checkpointed,
                result=transaction.record.result,
                error=transaction.record.error,
            )
            return
        if parsed.status is InvocationStatus.SUCCEEDED:
            self._complete_execution(transaction, ExecutionStatus.SUCCEEDED, result=parsed.result)
            return
        if parsed.status is InvocationStatus.FAILED:
            self._complete_execution(
                transaction, ExecutionStatus.FAILED, error=parsed.error or EMPTY_ERROR
            )
            return
        self._invocation_pending(transaction)

    def _invocation_pending(self, transaction: Transaction) -> None:
        record = transaction.record
        live = transaction.live
        if record.status is ExecutionStatus.PAUSING:
            self._enter_paused(transaction)
            transaction.update_record(invocation_owed=True)
            return
        undelivered = bool(transaction.remaining_dirty())
        if undelivered or self._has_pending_work(transaction):
            transaction.update_record(invalid_pending_outputs=0)
            if undelivered:
                transaction.defer(partial(self._schedule, live))
            return
        invalid = record.invalid_pending_outputs + 1
        if invalid >= self._max_invalid_pending:
            self._complete_execution(
                transaction,
                ExecutionStatus.FAILED,
                error=ErrorObject(
                    "The function returned PENDING but no operation is pending.",
                    "InvalidParameterValueException",
                    None,
                    None,
                ),
            )
            return
        transaction.update_record(invalid_pending_outputs=invalid)
        transaction.defer(partial(self._schedule, live))

    @staticmethod
    def _has_pending_work(transaction: Transaction) -> bool:
        operations = dict(transaction.live.operations)
        operations.update(transaction.staged_operations)
        for op in operations.values():
            waiting = PENDING_WORK.get(op.operation_type)
            if waiting is not None and op.status in waiting:
                return True
        return False

    def _append_invocation_completed(
        self, transaction: Transaction, invocation: InvocationRecord
    ) -> None:
        details = InvocationCompletedDetails(
            start_timestamp=ms_to_datetime(invocation.start_ms),
            end_timestamp=ms_to_datetime(transaction.now_ms),
            request_id=invocation.request_id,
            error=None if invocation.error is None else EventError(invocation.error, False),
        )
        transaction.append_event(EventType.INVOCATION_COMPLETED, details)

    def _invocation_failed(self, transaction: Transaction, invocation: InvocationRecord) -> None:
        self._append_invocation_completed(transaction, invocation)
        record = transaction.record
        error = invocation.error or EMPTY_ERROR
        if record.checkpointed_outcome is not None:
            self._complete_execution(
                transaction, record.checkpointed_outcome, result=record.result, error=record.error
            )
            return
        failures = record.consecutive_failures + 1
        if failures >= self._max_attempts:
            self._complete_execution(transaction, ExecutionStatus.FAILED, error=error)
            return
        transaction.update_record(consecutive_failures=failures)
        if record.status is ExecutionStatus.PAUSING:
            self._enter_paused(transaction)
            transaction.update_record(invocation_owed=True)
            return
        transaction.arm(
            TimerKey(record.execution_id, TimerKind.INVOCATION_RETRY),
            transaction.now_ms + self._retry_delay_ms,
        )

    def _recover(self) -> None:
        """Pick up where a previous service on the same store stopped."""
        self._store.purge_idempotency(self._clock.now_ms())
        for key, due_ms in self._store.load_timers():
            self._scheduler.timers.arm(key, due_ms)
        for record in self._store.load_unfinished_executions():
            live = self._live(record.execution_id)
            if live is None:
                continue
            if record.invocation_active:
                self._recover_invocation(live)
            elif record.status is ExecutionStatus.RUNNING:
                retrying = self._scheduler.timers.due_time(
                    TimerKey(record.execution_id, TimerKind.INVOCATION_RETRY)
                )
                if retrying is None and (
                    record.invocation_count == 0 or live.service_updated or live.dirty
                ):
                    self._schedule(live)
            for operation in list(live.operations.values()):
                if (
                    operation.operation_type is not OperationType.CHAINED_INVOKE
                    or operation.status is not OperationStatus.STARTED
                ):
                    continue
                if operation.child_execution_id is None:
                    self._scheduler.submit(
                        partial(
                            self._call_plain_target, record.execution_id, operation.operation_id
                        )
                    )
                    continue
                child = self._live(operation.child_execution_id)
                if child is not None and child.record.is_terminal:
                    self._child_finished(child)

    def _recover_invocation(self, live: LiveExecution) -> None:
        record = live.record
        invocations = {
            item.invocation_id: item for item in self._store.load_invocations(record.execution_id)
        }
        started = invocations.get(record.invocation_id or "")
        now = self._clock.now_ms()
        invocation = InvocationRecord(
            record.execution_id,
            record.invocation_id or "",
            started.request_id if started else "",
            started.start_ms if started else now,
            now,
            ErrorObject("service restarted", "Runtime.ExitError", None, None),
        )

        def work(transaction: Transaction) -> None:
            transaction.update_record(invocation_active=False)
            transaction.put_invocation(invocation)
            self._invocation_failed(transaction, invocation)

        self._transact(live, work)
