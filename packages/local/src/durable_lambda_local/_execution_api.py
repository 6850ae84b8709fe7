"""Starting executions (Invoke) and controlling them: stop, pause, resume, delete."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from durable_lambda_client import (
    DeleteDurableExecutionOutput,
    ErrorObject,
    EventResumeReason,
    EventType,
    ExecutionResumedDetails,
    ExecutionStatus,
    InvocationType,
    StopDurableExecutionOutput,
)
from durable_lambda_local._arns import EXECUTION_NAME_PATTERN
from durable_lambda_local._checkpoint_validation import (
    MAX_ERROR_BYTES,
    error_size,
)
from durable_lambda_local._clock import ms_to_datetime
from durable_lambda_local._errors import (
    DurableExecutionAlreadyStartedException,
    ResourceConflictException,
)
from durable_lambda_local._functions import LocalFunction
from durable_lambda_local._invoker import OutcomeKind
from durable_lambda_local._live_execution import Transaction
from durable_lambda_local._records import Changeset
from durable_lambda_local._service_core import (
    DEFAULT_STOP_ERROR,
    EMPTY_ERROR,
    IDEMPOTENCY_WINDOW_MS,
    LOGGER,
    MAX_EXECUTION_SPAN_MS,
    NAME_CHARS,
    ServiceCore,
    check_reason,
    invalid,
)
from durable_lambda_local._timers import TimerKey, TimerKind


@dataclass(frozen=True, slots=True)
class InvokeOutput:
    """What ``Invoke`` answers (the members Lambda puts in headers and body)."""

    status_code: int
    payload: bytes = b""
    function_error: str | None = None
    executed_version: str | None = None
    durable_execution_arn: str | None = None


class ExecutionApi(ServiceCore):
    """Starting executions (Invoke) and controlling them: stop, pause, resume, delete."""

    def start_execution(
        self,
        function_name: str,
        payload: str | None = None,
        *,
        qualifier: str | None = None,
        execution_name: str | None = None,
        tenant_id: str | None = None,
        trace_header: str | None = None,
    ) -> tuple[str, bool]:
        """Start a durable execution as ``Invoke`` does, without waiting for it.

        Args:
            function_name: a registered durable function (any FunctionName form).
            payload: the input, JSON text (None: ``{}``).
            qualifier: version or alias (default ``$LATEST``).
            execution_name: unique per function; generated when None.
            tenant_id: the tenant the execution runs for.
            trace_header: an ``X-Amzn-Trace-Id`` value to record.

        Returns:
            The execution ARN, and whether a new execution was created (False when an
            execution with this name and the same input already existed).

        Raises:
            ResourceNotFoundException: no such function.
            InvalidParameterValueException: the function is not durable, the name or the
                input is malformed.
            DurableExecutionAlreadyStartedException: the name is taken with another input.
        """
        function, version, qualifier = self._resolve(function_name, qualifier)
        if not function.durable:
            raise invalid(f"Function {function.name} is not a durable function.")
        text = "{}" if payload is None or payload == "" else payload
        try:
            json.loads(text)
        except ValueError as error:
            raise invalid(f"Input payload must be valid JSON: {error}") from None
        if execution_name is not None and not (
            1 <= len(execution_name) <= 64 and set(execution_name) <= NAME_CHARS
        ):
            raise invalid(
                f"DurableExecutionName {execution_name!r} must be 1 to 64 characters "
                f"matching {EXECUTION_NAME_PATTERN}."
            )
        if tenant_id is not None and not 1 <= len(tenant_id) <= 256:
            raise invalid("TenantId must be 1 to 256 characters.")
        with self._start_lock:
            name = execution_name or self._ids.uuid4()
            existing = self._store.find_execution_by_name(function.name, name)
            if existing is not None:
                if existing.input_payload == text:
                    return existing.arn, False
                raise DurableExecutionAlreadyStartedException(
                    f"Durable execution with name {name} already exists for function "
                    f"{function.name} with a different input."
                )
            now_ms = self._clock.now_ms()
            live, parts = self._new_execution(
                function,
                version,
                text,
                name,
                now_ms,
                tenant_id=tenant_id,
                trace_header=trace_header,
                qualifier=qualifier,
            )
            changes = Changeset()
            self._add_new_execution_changes(changes, parts)
            self._store.commit(changes)
            with self._lives_lock:
                self._lives[live.execution_id] = live
            deadline = live.record.deadline_ms
            self._scheduler.arm(TimerKey(live.execution_id, TimerKind.EXECUTION_TIMEOUT), deadline)
        self._publish([live])
        self._schedule(live)
        self._scheduler.notify()
        return live.record.arn, True

    def invoke(
        self,
        function_name: str,
        payload: bytes | str | None = None,
        *,
        qualifier: str | None = None,
        invocation_type: InvocationType = InvocationType.REQUEST_RESPONSE,
        durable_execution_name: str | None = None,
        tenant_id: str | None = None,
        timeout: float | None = 900.0,
        trace_header: str | None = None,
    ) -> InvokeOutput:
        """Lambda's ``Invoke``: start a durable execution or call a plain function.

        A synchronous (``RequestResponse``) invoke of a durable function returns once the
        execution has ended (driving it in manual mode), with the result as payload or a
        function error ``{"errorType", "errorMessage"}``.

        Args:
            timeout: real seconds to wait for a synchronous invoke (None: no limit).
            trace_header: the caller's ``X-Amzn-Trace-Id``, recorded with a new
                execution (its ``TraceHeader``).

        Raises:
            ResourceNotFoundException: no such function.
            InvalidParameterValueException: malformed input.
            DurableExecutionAlreadyStartedException: execution name taken with another
                input.
            TimeoutError: a synchronous durable invoke did not end within ``timeout``.
        """
        if isinstance(payload, bytes):
            try:
                text: str | None = payload.decode("utf-8")
            except UnicodeDecodeError:
                raise invalid("The request payload is not valid UTF-8.") from None
        else:
            text = payload
        function, version, _ = self._resolve(function_name, qualifier)
        if invocation_type is InvocationType.DRY_RUN:
            return InvokeOutput(204, executed_version=version)
        if not function.durable:
            return self._invoke_plain(function, version, text, invocation_type, tenant_id)
        arn, _ = self.start_execution(
            function_name,
            text,
            qualifier=qualifier,
            execution_name=durable_execution_name,
            tenant_id=tenant_id,
            trace_header=trace_header,
        )
        if invocation_type is InvocationType.EVENT:
            return InvokeOutput(202, executed_version=version, durable_execution_arn=arn)
        record = self.wait_for_execution(arn, timeout=timeout)
        if record.status is ExecutionStatus.SUCCEEDED:
            body = (record.result or "").encode()
            return InvokeOutput(200, body, None, version, arn)
        error = record.error or EMPTY_ERROR
        body = json.dumps(
            {
                "errorType": error.type or record.status.value,
                "errorMessage": error.message or "",
            }
        ).encode()
        return InvokeOutput(200, body, "Unhandled", version, arn)

    def _invoke_plain(
        self,
        function: LocalFunction,
        version: str,
        payload: str | None,
        invocation_type: InvocationType,
        tenant_id: str | None,
    ) -> InvokeOutput:
        event = self._decode_event(payload)
        context = self._lambda_context(function, version, tenant_id)
        if invocation_type is InvocationType.EVENT:
            self._invoker.spawn(partial(_call_logging_errors, function, event, context))
            return InvokeOutput(202, executed_version=version)
        outcome = self._invoker.call(partial(function.handler, event, context), function.timeout)
        if outcome.kind is OutcomeKind.RETURNED:
            try:
                body = json.dumps(outcome.value).encode()
            except (TypeError, ValueError) as error:
                body = json.dumps(
                    {"errorType": "Runtime.MarshalError", "errorMessage": str(error)}
                ).encode()
                return InvokeOutput(200, body, "Unhandled", version)
            return InvokeOutput(200, body, None, version)
        error_object = outcome.error or ErrorObject(
            f"Task timed out after {function.timeout:.2f} seconds", "Sandbox.Timedout", None, None
        )
        body = json.dumps(
            {
                "errorType": error_object.type,
                "errorMessage": error_object.message,
                "stackTrace": error_object.stack_trace or [],
            }
        ).encode()
        return InvokeOutput(200, body, "Unhandled", version)

    def stop_durable_execution(
        self, durable_execution_arn: str, error: ErrorObject | None = None
    ) -> StopDurableExecutionOutput:
        """Stop a running, pausing or paused execution; stopping an ended one is a no-op.

        Raises:
            ResourceNotFoundException: unknown execution.
            InvalidParameterValueException: the error is too large.
        """
        live = self._require(durable_execution_arn)
        if error is not None and error_size(error) > MAX_ERROR_BYTES:
            raise invalid(f"Error object size must be less than {MAX_ERROR_BYTES} bytes.")

        def work(transaction: Transaction) -> datetime:
            if not transaction.record.is_terminal:
                self._complete_execution(
                    transaction, ExecutionStatus.STOPPED, error=error or DEFAULT_STOP_ERROR
                )
            return ms_to_datetime(transaction.record.end_ms or transaction.now_ms)

        return StopDurableExecutionOutput(self._transact(live, work))

    def _control_token_seen(
        self, transaction: Transaction, client_token: str | None, fingerprint: tuple[object, ...]
    ) -> bool:
        if client_token is None:
            return False
        seen = transaction.live.control_tokens.get(client_token)
        if seen is not None and seen[1] >= transaction.now_ms:
            if seen[0] == fingerprint:
                return True
            raise invalid(f"ClientToken {client_token} was already used with other parameters.")
        return False

    @staticmethod
    def _remember_control_token(
        transaction: Transaction, client_token: str | None, fingerprint: tuple[object, ...]
    ) -> None:
        if client_token is not None:
            transaction.live.control_tokens[client_token] = (
                fingerprint,
                transaction.now_ms + IDEMPOTENCY_WINDOW_MS,
            )

    def pause_durable_execution(
        self,
        durable_execution_arn: str,
        *,
        client_token: str | None = None,
        reason: str | None = None,
        execution_timeout_paused: bool = True,
    ) -> None:
        """Pause an execution: at once when idle, else after the running invocation's
        next checkpoint or end (status PAUSING until then).

        Raises:
            ResourceNotFoundException: unknown execution.
            ResourceConflictException: the execution is not RUNNING.
            InvalidParameterValueException: reason longer than 1024 characters.
        """
        live = self._require(durable_execution_arn)
        check_reason(reason)
        fingerprint: tuple[object, ...] = ("pause", reason, execution_timeout_paused)

        def work(transaction: Transaction) -> None:
            if self._control_token_seen(transaction, client_token, fingerprint):
                return
            record = transaction.record
            if record.status is not ExecutionStatus.RUNNING:
                raise ResourceConflictException(
                    f"Cannot pause a durable execution in status {record.status.value}."
                )
            transaction.update_record(
                pause_requested_ms=transaction.now_ms,
                pause_reason=reason,
                pause_timeout_paused=execution_timeout_paused,
            )
            if record.invocation_active:
                transaction.update_record(status=ExecutionStatus.PAUSING)
            else:
                self._enter_paused(transaction)
                if transaction.live.scheduled:
                    transaction.update_record(invocation_owed=True)
            self._remember_control_token(transaction, client_token, fingerprint)

        self._transact(live, work)

    def resume_durable_execution(
        self,
        durable_execution_arn: str,
        *,
        client_token: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Resume a paused execution (or cancel a pending pause).

        Raises:
            ResourceNotFoundException: unknown execution.
            ResourceConflictException: the execution is neither PAUSED nor PAUSING.
            InvalidParameterValueException: reason longer than 1024 characters.
        """
        live = self._require(durable_execution_arn)
        check_reason(reason)
        fingerprint: tuple[object, ...] = ("resume", reason)

        def work(transaction: Transaction) -> None:
            if self._control_token_seen(transaction, client_token, fingerprint):
                return
            record = transaction.record
            now = transaction.now_ms
            if record.status is ExecutionStatus.PAUSING:
                transaction.update_record(
                    status=ExecutionStatus.RUNNING, pause_requested_ms=None, pause_reason=None
                )
            elif record.status is ExecutionStatus.PAUSED:
                paused_for = now - (record.paused_since_ms or now)
                deadline = record.deadline_ms
                if record.pause_timeout_paused:
                    deadline = min(deadline + paused_for, record.start_ms + MAX_EXECUTION_SPAN_MS)
                transaction.update_record(
                    status=ExecutionStatus.RUNNING,
                    paused_since_ms=None,
                    paused_total_ms=record.paused_total_ms + paused_for,
                    deadline_ms=deadline,
                    pause_requested_ms=None,
                    pause_reason=None,
                    invocation_owed=False,
                )
                transaction.arm(
                    TimerKey(record.execution_id, TimerKind.EXECUTION_TIMEOUT), deadline
                )
                transaction.append_event(
                    EventType.EXECUTION_RESUMED,
                    ExecutionResumedDetails(
                        ms_to_datetime(now), None if reason is None else EventResumeReason(reason)
                    ),
                    execution_level=True,
                )
                if record.invocation_owed or transaction.live.dirty:
                    self._trigger(transaction)
            else:
                raise ResourceConflictException(
                    f"Cannot resume a durable execution in status {record.status.value}."
                )
            self._remember_control_token(transaction, client_token, fingerprint)

        self._transact(live, work)

    def delete_durable_execution(self, durable_execution_arn: str) -> DeleteDurableExecutionOutput:
        """Delete an ended execution with its history; its ARN and callbacks stop resolving.

        Raises:
            ResourceNotFoundException: unknown execution.
            ResourceConflictException: the execution has not ended.
        """
        live = self._require(durable_execution_arn)

        def work(transaction: Transaction) -> datetime:
            record = transaction.record
            if not record.is_terminal:
                raise ResourceConflictException(
                    f"Cannot delete a durable execution in status {record.status.value}; "
                    "stop it first."
                )
            transaction.changes.deleted_executions.append(record.execution_id)
            transaction.changes.cleared_timer_executions.append(record.execution_id)
            return ms_to_datetime(transaction.now_ms)

        return DeleteDurableExecutionOutput(self._transact(live, work))


def _call_logging_errors(function: LocalFunction, event: object, context: object) -> None:
    """Run an asynchronously invoked plain function; nobody waits for its outcome, so
    an error is logged (as Lambda writes it to the function's log)."""
    try:
        function.handler(event, context)
    except Exception:
        LOGGER.exception("asynchronous invocation of %s failed", function.name)
