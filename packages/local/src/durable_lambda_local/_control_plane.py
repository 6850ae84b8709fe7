"""The local durable-execution service: the control plane behind every API.

:class:`DurableExecutionService` implements the Lambda durable-execution API in-process:
starting executions (Invoke), checkpoints and state, history and listings, callbacks,
chained invokes, stop/pause/resume/delete, plus the invocation loop that runs handlers.
Every public method takes and returns the client package's wire models and raises the
service errors of ``_errors`` (shape name, HTTP status, message), so an HTTP layer only
translates.

Each unit of work (an API call, a timer firing, an invocation boundary) is one
transaction on one execution: it is validated and staged first, written to the store in
one commit, then folded into the working state. Invocations run outside any lock.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from durable_lambda_client import (
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    DeleteDurableExecutionOutput,
    DurableConfig,
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    DurableExecutionInvocationOutput,
    ErrorObject,
    EventError,
    EventInput,
    EventPauseReason,
    EventResult,
    EventResumeReason,
    EventType,
    ExecutionFailedDetails,
    ExecutionPausedDetails,
    ExecutionResumedDetails,
    ExecutionStartedDetails,
    ExecutionStatus,
    ExecutionStoppedDetails,
    ExecutionSucceededDetails,
    ExecutionSummary,
    ExecutionTimedOutDetails,
    GetDurableExecutionHistoryOutput,
    GetDurableExecutionOutput,
    InitialExecutionState,
    InvocationCompletedDetails,
    InvocationStatus,
    InvocationType,
    ListDurableExecutionsByFunctionOutput,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
    PauseDetails,
    StateOutput,
    StopDurableExecutionOutput,
    TraceHeader,
)
from durable_lambda_local._arns import (
    EXECUTION_NAME_PATTERN,
    ExecutionArn,
    executed_version,
    function_arn,
    parse_execution_arn,
    parse_function_name,
)
from durable_lambda_local._checkpoint_validation import (
    MAX_CHAINED_INVOKE_PAYLOAD_BYTES,
    MAX_ERROR_BYTES,
    check_batch,
    check_update_members,
    error_size,
    utf8_length,
)
from durable_lambda_local._clock import Clock, VirtualClock, datetime_to_ms, ms_to_datetime
from durable_lambda_local._errors import (
    CallbackTimeoutException,
    DurableExecutionAlreadyStartedException,
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
    ServiceException,
)
from durable_lambda_local._functions import EventFormat, FunctionRegistry, LocalFunction
from durable_lambda_local._history import DEFAULT_HISTORY_PAYLOAD_LIMIT, to_event
from durable_lambda_local._ids import IdGenerator
from durable_lambda_local._invoker import CallOutcome, Invoker, OutcomeKind, error_from_exception
from durable_lambda_local._lambda_context import LocalLambdaContext
from durable_lambda_local._live_execution import LiveExecution, Transaction
from durable_lambda_local._memory_store import MemoryStore
from durable_lambda_local._operation_view import (
    DEFAULT_PAGE_BYTES,
    page_operations,
    to_operation,
    visible_operations,
)
from durable_lambda_local._records import (
    Changeset,
    EventRecord,
    ExecutionQuery,
    ExecutionRecord,
    IdempotencyRecord,
    InvocationRecord,
    OperationRecord,
)
from durable_lambda_local._scheduler import Scheduler, SchedulerMode
from durable_lambda_local._state_machines import (
    ArmTimer,
    CallPlainTarget,
    CancelTimer,
    ChainedTarget,
    RegisterCallback,
    StartChildExecution,
    Transition,
    TransitionContext,
    apply_update,
    callback_heartbeat,
    check_consistency,
    complete_callback,
    complete_chained_invoke,
    finish_wait,
    make_step_ready,
    time_out_callback,
)
from durable_lambda_local._store import Store
from durable_lambda_local._timers import TimerKey, TimerKind
from durable_lambda_local._tokens import (
    CheckpointTokenData,
    HistoryMarker,
    ListMarker,
    StateMarker,
    decode_checkpoint_token,
    decode_history_marker,
    decode_list_marker,
    decode_state_marker,
    encode_checkpoint_token,
    encode_history_marker,
    encode_list_marker,
    encode_state_marker,
)

__all__ = ["DurableExecutionService", "InvokeOutput"]

_LOGGER = logging.getLogger("durable_lambda_local")
T = TypeVar("T")

_DAY_MS = 86_400_000
_MAX_EXECUTION_SPAN_MS = 366 * _DAY_MS
_IDEMPOTENCY_WINDOW_MS = 15 * 60 * 1000
_INVALID_TOKEN = "Invalid checkpoint token"
_NOT_FOUND = "Durable Execution does not exist"
_DEFAULT_STOP_ERROR = ErrorObject("Execution stopped by user request", None, None, None)
_EMPTY_ERROR = ErrorObject(None, None, None, None)
_CALLBACK_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_PENDING_WORK = {
    OperationType.STEP: (OperationStatus.PENDING, OperationStatus.READY),
    OperationType.WAIT: (OperationStatus.STARTED,),
    OperationType.CALLBACK: (OperationStatus.STARTED,),
    OperationType.CHAINED_INVOKE: (OperationStatus.STARTED,),
}
_TERMINAL_OPERATION_STATUS = {
    ExecutionStatus.SUCCEEDED: OperationStatus.SUCCEEDED,
    ExecutionStatus.FAILED: OperationStatus.FAILED,
    ExecutionStatus.TIMED_OUT: OperationStatus.TIMED_OUT,
    ExecutionStatus.STOPPED: OperationStatus.STOPPED,
}


@dataclass(frozen=True, slots=True)
class InvokeOutput:
    """What ``Invoke`` answers (the members Lambda puts in headers and body)."""

    status_code: int
    payload: bytes = b""
    function_error: str | None = None
    executed_version: str | None = None
    durable_execution_arn: str | None = None


@dataclass(frozen=True, slots=True)
class _InvocationPlan:
    """Everything needed to run one invocation once its start is committed."""

    execution_id: str
    invocation_id: str
    request_id: str
    start_ms: int
    function: LocalFunction
    event: object
    context: LocalLambdaContext


def _invalid(message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(message)


def _check_max_items(max_items: int | None) -> int:
    if max_items is None or max_items == 0:
        return 100
    if not 0 <= max_items <= 1000:
        raise _invalid(f"MaxItems must be between 0 and 1000; got {max_items}.")
    return max_items


class DurableExecutionService:
    """An in-process Lambda durable-execution service.

    Args:
        store: where executions live (default: a fresh :class:`MemoryStore`).
        clock: the source of time (default: a :class:`VirtualClock`).
        mode: who drives work (default: manual for a virtual clock, background otherwise).
        region: region of every ARN the service hands out.
        account: account id of every ARN.
        seed: make execution ids, names, request ids and callback ids reproducible.
        max_invocation_attempts: consecutive failed invocations before the execution
            fails with the last error.
        invocation_retry_delay: seconds (clock time) between a failed invocation and
            its retry.
        max_invalid_pending_outputs: consecutive ``PENDING`` outputs with nothing pending
            before the execution fails.
        max_page_bytes: byte budget of a state page.
        history_payload_limit: payloads larger than this are withheld from history pages
            (None: never).
        functions: the function registry (default: an empty one).
        max_cached_executions: ended executions kept in working memory (older ones are
            read back from the store when needed).

    Example:
        >>> service = DurableExecutionService(seed=1)
        >>> service.register(LocalFunction("echo", lambda event, ctx: event, durable=False))
        >>> service.invoke("echo", b'{"a": 1}').payload
        b'{"a": 1}'
    """

    def __init__(
        self,
        *,
        store: Store | None = None,
        clock: Clock | None = None,
        mode: SchedulerMode | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        seed: int | None = None,
        max_invocation_attempts: int = 5,
        invocation_retry_delay: float = 5.0,
        max_invalid_pending_outputs: int = 3,
        max_page_bytes: int = DEFAULT_PAGE_BYTES,
        history_payload_limit: int | None = DEFAULT_HISTORY_PAYLOAD_LIMIT,
        functions: FunctionRegistry | None = None,
        max_cached_executions: int = 1000,
    ) -> None:
        if max_invocation_attempts < 1:
            raise ValueError(
                f"max_invocation_attempts must be at least 1; got {max_invocation_attempts}"
            )
        self._store = store if store is not None else MemoryStore()
        self._clock = clock if clock is not None else VirtualClock()
        if mode is None:
            mode = SchedulerMode.MANUAL if self._clock.is_virtual else SchedulerMode.BACKGROUND
        self._region = region
        self._account = account
        self._ids = IdGenerator(seed)
        self._functions = functions if functions is not None else FunctionRegistry()
        self._max_attempts = max_invocation_attempts
        self._retry_delay_ms = round(invocation_retry_delay * 1000)
        self._max_invalid_pending = max_invalid_pending_outputs
        self._max_page_bytes = max_page_bytes
        self._history_payload_limit = history_payload_limit
        self._invoker = Invoker()
        self._lives: dict[str, LiveExecution] = {}
        self._lives_lock = threading.Lock()
        self._terminal: OrderedDict[str, None] = OrderedDict()
        self._max_cached_terminal = max_cached_executions
        self._start_lock = threading.Lock()
        self._closed = False
        self._scheduler = Scheduler(self._clock, mode, self._fire_timer)
        self._recover()
        self._scheduler.start()

    # -- configuration ------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def store(self) -> Store:
        return self._store

    @property
    def functions(self) -> FunctionRegistry:
        return self._functions

    @property
    def scheduler(self) -> Scheduler:
        return self._scheduler

    @property
    def region(self) -> str:
        return self._region

    @property
    def account(self) -> str:
        return self._account

    @property
    def ids(self) -> IdGenerator:
        """The id generator (seeded when the service was)."""
        return self._ids

    def register(self, function: LocalFunction) -> None:
        """Register (or replace) a function the service can invoke."""
        self._functions.register(function)

    def close(self) -> None:
        """Stop background work and close the store."""
        if self._closed:
            return
        self._closed = True
        self._scheduler.stop()
        self._invoker.close()
        self._store.close()

    def __enter__(self) -> DurableExecutionService:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- working state ------------------------------------------------------------------

    def _live(self, execution_id: str) -> LiveExecution | None:
        with self._lives_lock:
            live = self._lives.get(execution_id)
        if live is not None:
            return live
        record = self._store.load_execution(execution_id)
        if record is None:
            return None
        operations = self._store.load_operations(execution_id)
        # Counters are written only with other changes; rebuild them from the rows.
        record = replace(
            record,
            operation_count=max(record.operation_count, len(operations)),
            change_sequence=max(
                [record.change_sequence, *(op.changed_sequence for op in operations)]
            ),
            event_count=max(record.event_count, self._store.last_event_id(execution_id)),
        )
        loaded = LiveExecution(record, operations)
        with self._lives_lock:
            return self._lives.setdefault(execution_id, loaded)

    def _live_by_arn(self, arn: str) -> LiveExecution | None:
        if not isinstance(arn, str) or parse_execution_arn(arn) is None:
            return None
        live = self._live(arn.rsplit("/", 1)[-1])
        if live is None or live.record.arn != arn:
            return None
        return live

    def _require(self, arn: str) -> LiveExecution:
        live = self._live_by_arn(arn)
        if live is None:
            raise ResourceNotFoundException(_NOT_FOUND)
        return live

    def _lock(self, live: LiveExecution) -> LiveExecution:
        """Lock ``live`` (or, if it was evicted, the execution's current object)."""
        while True:
            live.lock.acquire()
            if not live.evicted:
                return live
            live.lock.release()
            fresh = self._live(live.execution_id)
            if fresh is None:
                raise ResourceNotFoundException(_NOT_FOUND)
            live = fresh

    def _evict(self, execution_ids: Iterable[str]) -> None:
        for execution_id in execution_ids:
            with self._lives_lock:
                live = self._lives.pop(execution_id, None)
            if live is not None:
                with live.lock:
                    live.evicted = True

    def _remember_terminal(self, live: LiveExecution) -> None:
        """Keep a bounded number of ended executions in the working set."""
        with self._lives_lock:
            self._terminal.pop(live.execution_id, None)
            self._terminal[live.execution_id] = None
            overflow = len(self._terminal) - self._max_cached_terminal
            retired = [self._terminal.popitem(last=False)[0] for _ in range(max(overflow, 0))]
        self._evict(retired)

    def _transact(self, live: LiveExecution, work: Callable[[Transaction], T]) -> T:
        live = self._lock(live)
        try:
            transaction = Transaction(live, self._clock.now_ms())
            result = work(transaction)
            changes = transaction.finish()
            if not changes.is_empty:
                try:
                    self._store.commit(changes)
                except Exception as error:
                    raise ServiceException(
                        f"the store could not commit the change: {error}"
                    ) from error
            transaction.apply()
            timers = self._scheduler
            for execution_id in changes.cleared_timer_executions:
                timers.cancel_execution(execution_id)
            for key in changes.cancelled_timers:
                timers.cancel(key)
            for key, due_ms in changes.armed_timers.items():
                timers.arm(key, due_ms)
            if transaction.new_lives:
                with self._lives_lock:
                    for new in transaction.new_lives:
                        self._lives[new.execution_id] = new
        finally:
            live.lock.release()
        if changes.deleted_executions:
            with self._lives_lock:
                for execution_id in changes.deleted_executions:
                    self._terminal.pop(execution_id, None)
            self._evict(changes.deleted_executions)
        elif live.record.is_terminal and changes.executions:
            self._remember_terminal(live)
        for action in transaction.deferred:
            action()
        self._scheduler.notify()
        return result

    # -- starting executions ------------------------------------------------------------

    def _new_execution(
        self,
        function: LocalFunction,
        version: str,
        payload: str,
        name: str,
        now_ms: int,
        *,
        tenant_id: str | None = None,
        trace_header: str | None = None,
        parent: tuple[str, str] | None = None,
        execution_id: str | None = None,
        qualifier: str | None = None,
    ) -> tuple[LiveExecution, list[object]]:
        """Records of a new execution: the record, its EXECUTION operation, the
        ExecutionStarted event and the timeout timer."""
        execution_id = execution_id or self._ids.uuid4()
        arn = str(
            ExecutionArn(
                "aws", self._region, self._account, function.name, version, name, execution_id
            )
        )
        deadline = now_ms + min(function.execution_timeout * 1000, _MAX_EXECUTION_SPAN_MS)
        operation = OperationRecord(
            execution_id=execution_id,
            operation_id=execution_id,
            position=0,
            operation_type=OperationType.EXECUTION,
            status=OperationStatus.STARTED,
            start_ms=now_ms,
            name=name,
            input_payload=payload,
            changed_sequence=1,
        )
        record = ExecutionRecord(
            execution_id=execution_id,
            arn=arn,
            name=name,
            function_name=function.name,
            version=version,
            region=self._region,
            account=self._account,
            status=ExecutionStatus.RUNNING,
            input_payload=payload,
            start_ms=now_ms,
            timeout_seconds=function.execution_timeout,
            deadline_ms=deadline,
            retention_days=function.retention_period_days,
            tenant_id=tenant_id,
            trace_header=trace_header,
            kms_key_arn=function.kms_key_arn,
            qualifier=qualifier,
            parent_execution_id=None if parent is None else parent[0],
            parent_operation_id=None if parent is None else parent[1],
            change_sequence=1,
            event_count=1,
            operation_count=1,
        )
        event = EventRecord(
            execution_id=execution_id,
            event_id=1,
            event_type=EventType.EXECUTION_STARTED,
            timestamp_ms=now_ms,
            details=ExecutionStartedDetails(EventInput(payload, False), function.execution_timeout),
            operation_id=execution_id,
            name=name,
        )
        live = LiveExecution(record, [operation])
        live.events = [event]
        timer = (TimerKey(execution_id, TimerKind.EXECUTION_TIMEOUT), deadline)
        return live, [record, operation, event, timer]

    def _resolve(
        self, function_name: str, qualifier: str | None
    ) -> tuple[LocalFunction, str, str | None]:
        """The registered function, its executed version, and the effective qualifier."""
        reference = parse_function_name(function_name)
        if reference is None:
            raise _invalid(
                f"FunctionName {function_name!r} is not a function name, partial ARN or ARN."
            )
        if (
            qualifier is not None
            and reference.qualifier is not None
            and (qualifier != reference.qualifier)
        ):
            raise _invalid(
                "The derived qualifier from the function name does not match the specified "
                "qualifier."
            )
        qualifier = qualifier if qualifier is not None else reference.qualifier
        foreign = (reference.account not in (None, self._account)) or (
            reference.region not in (None, self._region)
        )
        function = None if foreign else self._functions.resolve(reference.name, qualifier)
        if function is None:
            raise ResourceNotFoundException(
                "Function not found: "
                + function_arn(self._region, self._account, reference.name, qualifier)
            )
        return function, executed_version(qualifier), qualifier

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
            raise _invalid(f"Function {function.name} is not a durable function.")
        text = "{}" if payload is None or payload == "" else payload
        try:
            json.loads(text)
        except ValueError as error:
            raise _invalid(f"Input payload must be valid JSON: {error}") from None
        if execution_name is not None and not (
            1 <= len(execution_name) <= 64 and set(execution_name) <= _NAME_CHARS
        ):
            raise _invalid(
                f"DurableExecutionName {execution_name!r} must be 1 to 64 characters "
                f"matching {EXECUTION_NAME_PATTERN}."
            )
        if tenant_id is not None and not 1 <= len(tenant_id) <= 256:
            raise _invalid("TenantId must be 1 to 256 characters.")
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
        self._schedule(live)
        self._scheduler.notify()
        return live.record.arn, True

    @staticmethod
    def _add_new_execution_changes(changes: Changeset, parts: list[object]) -> None:
        for part in parts:
            if isinstance(part, ExecutionRecord):
                changes.put_execution(part)
            elif isinstance(part, OperationRecord):
                changes.put_operation(part)
            elif isinstance(part, EventRecord):
                changes.events.append(part)
            elif isinstance(part, tuple):
                changes.arm(part[0], part[1])

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
    ) -> InvokeOutput:
        """Lambda's ``Invoke``: start a durable execution or call a plain function.

        A synchronous (``RequestResponse``) invoke of a durable function returns once the
        execution has ended (driving it in manual mode), with the result as payload or a
        function error ``{"errorType", "errorMessage"}``.

        Args:
            timeout: real seconds to wait for a synchronous invoke (None: no limit).

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
                raise _invalid("The request payload is not valid UTF-8.") from None
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
        )
        if invocation_type is InvocationType.EVENT:
            return InvokeOutput(202, executed_version=version, durable_execution_arn=arn)
        record = self.wait_for_execution(arn, timeout=timeout)
        if record.status is ExecutionStatus.SUCCEEDED:
            body = (record.result or "").encode()
            return InvokeOutput(200, body, None, version, arn)
        error = record.error or _EMPTY_ERROR
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
            self._invoker.spawn(partial(function.handler, event, context))
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

    @staticmethod
    def _decode_event(payload: str | None) -> object:
        if payload is None or payload == "":
            return {}
        try:
            return json.loads(payload)
        except ValueError:
            return payload

    def _lambda_context(
        self, function: LocalFunction, version: str, tenant_id: str | None, request_id: str = ""
    ) -> LocalLambdaContext:
        return LocalLambdaContext(
            aws_request_id=request_id or self._ids.uuid4(),
            function_name=function.name,
            function_version=version,
            invoked_function_arn=function_arn(
                self._region, self._account, function.name, function.qualifier
            ),
            log_group_name=f"/aws/lambda/{function.name}",
            log_stream_name="local",
            tenant_id=tenant_id,
            timeout_seconds=function.timeout,
        )

    # -- driving ------------------------------------------------------------------------

    def wait_for_execution(self, arn: str, *, timeout: float | None = None) -> ExecutionRecord:
        """Wait (driving in manual mode) until the execution has ended.

        Raises:
            ResourceNotFoundException: unknown execution.
            TimeoutError: it did not end within ``timeout`` real seconds, or (manual mode)
                nothing more can happen without the outside world (e.g. an unanswered
                callback with no timeout).
        """
        live = self._require(arn)
        finished = self._scheduler.run_until(lambda: live.record.is_terminal, timeout=timeout)
        if not finished:
            raise TimeoutError(
                f"execution {arn} is still {live.record.status.value} and nothing is left "
                "to run: it waits for something outside the service (a callback answer?)"
            )
        return live.record

    def run_until(self, predicate: Callable[[], bool], *, timeout: float | None = None) -> bool:
        """Drive the service until ``predicate()`` holds; see ``Scheduler.run_until``."""
        return self._scheduler.run_until(predicate, timeout=timeout)

    def run_until_idle(self) -> None:
        """Run everything that can run, jumping timers, until only the outside world
        (a callback answer, an execution timeout) can make progress."""
        self._scheduler.run_until_idle()

    def execution_record(self, arn: str) -> ExecutionRecord:
        """The stored record of an execution (for tests and tools).

        Raises:
            ResourceNotFoundException: unknown execution.
        """
        return self._require(arn).record

    def operation_records(self, arn: str) -> list[OperationRecord]:
        """Every operation of the execution in creation order, EXECUTION first.

        Raises:
            ResourceNotFoundException: unknown execution.
        """
        live = self._require(arn)
        with live.lock:
            return list(live.operations.values())

    def invocation_records(self, arn: str) -> list[InvocationRecord]:
        """The invocations of the execution, oldest first.

        Raises:
            ResourceNotFoundException: unknown execution.
        """
        live = self._require(arn)
        return self._store.load_invocations(live.execution_id)

    # -- invocations --------------------------------------------------------------------

    def _schedule(self, live: LiveExecution) -> None:
        with live.lock:
            if live.scheduled:
                return
            live.scheduled = True
        self._scheduler.submit(partial(self._run_invocation, live.execution_id))

    def _trigger(self, transaction: Transaction) -> None:
        """Something the handler is waiting for happened: invoke unless one is running."""
        record = transaction.record
        if record.is_terminal:
            return
        if record.status is ExecutionStatus.PAUSED:
            transaction.update_record(invocation_owed=True)
            return
        if record.invocation_active:
            return
        live = transaction.live
        transaction.defer(partial(self._schedule, live))

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
        self._transact(live, partial(self._end_invocation, plan, outcome))

    def _begin_invocation(self, transaction: Transaction) -> _InvocationPlan | None:
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
        transaction.cancel(TimerKey(record.execution_id, TimerKind.INVOCATION_RETRY))
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
        return _InvocationPlan(
            record.execution_id, invocation_id, request_id, now, function, event, context
        )

    def _end_invocation(
        self, plan: _InvocationPlan, outcome: CallOutcome, transaction: Transaction
    ) -> None:
        record = transaction.record
        invocation = InvocationRecord(
            plan.execution_id,
            plan.invocation_id,
            plan.request_id,
            plan.start_ms,
            transaction.now_ms,
            _outcome_error(plan, outcome, transaction.now_ms),
        )
        transaction.put_invocation(invocation)
        if record.invocation_id != plan.invocation_id or not record.invocation_active:
            _LOGGER.info(
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
        parsed = _parse_output(outcome.value)
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
                transaction, ExecutionStatus.FAILED, error=parsed.error or _EMPTY_ERROR
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
            waiting = _PENDING_WORK.get(op.operation_type)
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
        error = invocation.error or _EMPTY_ERROR
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

    # -- completing executions ----------------------------------------------------------

    def _complete_execution(
        self,
        transaction: Transaction,
        status: ExecutionStatus,
        *,
        result: str | None = None,
        error: ErrorObject | None = None,
    ) -> None:
        record = transaction.record
        if record.is_terminal:
            return
        if (
            status is ExecutionStatus.SUCCEEDED
            and record.parent_execution_id is not None
            and result is not None
            and utf8_length(result) > MAX_CHAINED_INVOKE_PAYLOAD_BYTES
        ):
            status, result = ExecutionStatus.FAILED, None
            error = ErrorObject(
                "Execution output payload size must be less than or equal to "
                f"{MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes.",
                "InvalidParameterValueException",
                None,
                None,
            )
        now = transaction.now_ms
        transaction.update_record(
            status=status,
            end_ms=now,
            result=result if status is ExecutionStatus.SUCCEEDED else None,
            error=None if status is ExecutionStatus.SUCCEEDED else (error or _EMPTY_ERROR),
            checkpointed_outcome=None,
            invocation_active=False,
            token_withheld=True,
            pause_requested_ms=None,
            invocation_owed=False,
        )
        execution_op = transaction.operation(record.execution_id)
        if execution_op is not None:
            transaction.put_operation(
                replace(execution_op, status=_TERMINAL_OPERATION_STATUS[status], end_ms=now),
                by_service=True,
            )
        details: Any
        if status is ExecutionStatus.SUCCEEDED:
            event_type = EventType.EXECUTION_SUCCEEDED
            details = ExecutionSucceededDetails(EventResult(result, False))
        elif status is ExecutionStatus.FAILED:
            event_type = EventType.EXECUTION_FAILED
            details = ExecutionFailedDetails(EventError(error or _EMPTY_ERROR, False))
        elif status is ExecutionStatus.TIMED_OUT:
            event_type = EventType.EXECUTION_TIMED_OUT
            details = ExecutionTimedOutDetails(EventError(error, False))
        else:
            event_type = EventType.EXECUTION_STOPPED
            details = ExecutionStoppedDetails(EventError(error or _EMPTY_ERROR, False))
        transaction.append_event(event_type, details, execution_level=True)
        transaction.clear_timers()
        transaction.arm(
            TimerKey(record.execution_id, TimerKind.RETENTION),
            now + record.retention_days * _DAY_MS,
        )
        if record.parent_execution_id is not None:
            transaction.defer(partial(self._child_finished, transaction.live))

    def _child_finished(self, child: LiveExecution) -> None:
        record = child.record
        parent_id, operation_id = record.parent_execution_id, record.parent_operation_id
        if parent_id is None or operation_id is None:
            return
        status, result, error = _chained_outcome(record)
        self._complete_chained(parent_id, operation_id, status, result, error)

    def _complete_chained(
        self,
        parent_id: str,
        operation_id: str,
        status: OperationStatus,
        result: str | None,
        error: ErrorObject | None,
    ) -> None:
        parent = self._live(parent_id)
        if parent is None:
            return

        def work(transaction: Transaction) -> None:
            if transaction.record.is_terminal:
                return
            current = transaction.operation(operation_id)
            if current is None:
                return
            moved = complete_chained_invoke(
                current, status, transaction.now_ms, result=result, error=error
            )
            if moved is not None:
                self._apply_transition(transaction, moved, by_service=True)
                self._trigger(transaction)

        self._transact(parent, work)

    # -- checkpoints --------------------------------------------------------------------

    def checkpoint_durable_execution(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: Iterable[OperationUpdate] | None = None,
        client_token: str | None = None,
    ) -> CheckpointOutput:
        """Apply a batch of operation updates for the running invocation.

        Returns:
            The next checkpoint token (empty when this invocation may not checkpoint
            again) and the operations changed since the handler last saw them.

        Raises:
            InvalidParameterValueException: ``Invalid checkpoint token`` (stale, foreign,
                or no invocation running), or the batch breaks a rule (nothing applied).
        """
        live = self._live_by_arn(durable_execution_arn)
        if live is None:
            raise _invalid(_INVALID_TOKEN)
        batch = list(updates or ())
        return self._transact(
            live, partial(self._checkpoint, checkpoint_token, batch, client_token)
        )

    def _checkpoint(
        self,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
        transaction: Transaction,
    ) -> CheckpointOutput:
        live = transaction.live
        record = transaction.record
        now = transaction.now_ms
        if client_token is not None:
            cached = live.idempotency.get(client_token) or self._store.load_idempotency(
                record.execution_id, client_token
            )
            if cached is not None and cached.expires_ms >= now:
                if cached.checkpoint_token == checkpoint_token:
                    return cached.response
                raise _invalid(
                    f"ClientToken {client_token} was already used with another checkpoint token."
                )
        self._check_token(record, checkpoint_token)
        self._apply_updates(transaction, updates)
        sequence = record.token_sequence + 1
        has_execution_update = any(
            update.operation_type is OperationType.EXECUTION for update in updates
        )
        transaction.advance_token_sequence(sequence)
        withheld = has_execution_update
        operations: list[Any] = []
        marker: str | None = None
        if transaction.record.status is ExecutionStatus.PAUSING:
            self._enter_paused(transaction)
            transaction.update_record(invocation_owed=True)
            withheld = True
        else:
            operations, marker = self._delta(transaction, sequence)
        if withheld:
            transaction.update_record(token_withheld=True)
            token = ""
        else:
            token = encode_checkpoint_token(
                CheckpointTokenData(record.execution_id, record.invocation_id or "", sequence)
            )
        output = CheckpointOutput(token, CheckpointUpdatedExecutionState(operations, marker))
        if client_token is not None:
            transaction.changes.idempotency.append(
                IdempotencyRecord(
                    record.execution_id,
                    client_token,
                    checkpoint_token,
                    output,
                    now + _IDEMPOTENCY_WINDOW_MS,
                )
            )
        return output

    def _check_token(self, record: ExecutionRecord, checkpoint_token: str) -> None:
        if record.is_terminal or not record.invocation_active or record.token_withheld:
            raise _invalid(_INVALID_TOKEN)
        data = (
            decode_checkpoint_token(checkpoint_token) if isinstance(checkpoint_token, str) else None
        )
        if (
            data is None
            or data.execution_id != record.execution_id
            or data.invocation_id != record.invocation_id
            or data.sequence != record.token_sequence
        ):
            raise _invalid(_INVALID_TOKEN)

    def _delta(self, transaction: Transaction, sequence: int) -> tuple[list[Any], str | None]:
        live = transaction.live
        ids = live.dirty | transaction.staged_operations.keys()
        changed = sorted(
            (op for op in (transaction.operation(i) for i in ids) if op is not None),
            key=lambda op: op.position,
        )
        page, next_offset = page_operations(changed, 0, len(changed) or 1, self._max_page_bytes)
        transaction.delivered = {op.operation_id for op in page}
        marker = None
        if next_offset is not None:
            live.delta_remainder = (sequence, [op.operation_id for op in changed])
            marker = encode_state_marker(
                StateMarker(transaction.execution_id, sequence, next_offset, delta=True)
            )
        return [to_operation(op) for op in page], marker

    def _apply_updates(self, transaction: Transaction, updates: list[OperationUpdate]) -> None:
        if not updates:
            return
        live = transaction.live
        check_batch(updates, frozenset(live.context_ids))
        is_child = transaction.record.parent_execution_id is not None
        for update in updates:
            if update.operation_type is OperationType.EXECUTION:
                check_update_members(update, is_chained_child=is_child)
                self._apply_execution_update(transaction, update)
                continue
            current = transaction.operation(update.operation_id)
            if current is not None and current.operation_type is OperationType.EXECUTION:
                raise _invalid("Inconsistent operation type.")
            check_consistency(update, current)
            check_update_members(update, is_chained_child=is_child)
            context = TransitionContext(
                execution_id=transaction.execution_id,
                now_ms=transaction.now_ms,
                position=transaction.next_position,
                new_callback_id=partial(self._new_callback_id, transaction.execution_id),
                resolve_target=self._resolve_target,
            )
            moved = apply_update(update, current, context)
            self._apply_transition(transaction, moved, by_service=False)

    @staticmethod
    def _apply_execution_update(transaction: Transaction, update: OperationUpdate) -> None:
        if update.action is OperationAction.SUCCEED:
            if update.error is not None:
                raise _invalid("Cannot provide an Error for SUCCEED action.")
            transaction.update_record(
                checkpointed_outcome=ExecutionStatus.SUCCEEDED, result=update.payload, error=None
            )
        else:
            if update.payload is not None:
                raise _invalid("Cannot provide a Payload for FAIL action.")
            transaction.update_record(
                checkpointed_outcome=ExecutionStatus.FAILED,
                result=None,
                error=update.error or _EMPTY_ERROR,
            )

    def _new_callback_id(self, execution_id: str, operation_id: str) -> str:
        raw = uuid.UUID(execution_id).bytes if _is_uuid(execution_id) else execution_id.encode()
        return base64.b64encode(raw + self._ids.random_bytes(18)).decode("ascii")

    def _resolve_target(self, name: str, tenant_id: str | None) -> ChainedTarget | ErrorObject:
        reference = parse_function_name(name)
        if reference is None:
            raise _invalid(f"Invalid function ARN '{name}'")
        if reference.account is not None and reference.account != self._account:
            raise _invalid("Cannot start a CHAINED_INVOKE on a function in another account.")
        if reference.region is not None and reference.region != self._region:
            raise _invalid("Cannot start a CHAINED_INVOKE on a function in another region.")
        function = self._functions.resolve(reference.name, reference.qualifier)
        if function is None:
            return ErrorObject(
                "Function not found: "
                + function_arn(self._region, self._account, reference.name, reference.qualifier),
                "ResourceNotFoundException",
                None,
                None,
            )
        version = executed_version(reference.qualifier)
        if not function.durable:
            return ChainedTarget(function.name, version, False, reference.qualifier)
        child_id = self._ids.uuid4()
        child_name = self._ids.uuid4()
        child_arn = str(
            ExecutionArn(
                "aws", self._region, self._account, function.name, version, child_name, child_id
            )
        )
        return ChainedTarget(function.name, version, True, reference.qualifier, child_id, child_arn)

    def _apply_transition(
        self, transaction: Transaction, moved: Transition, *, by_service: bool
    ) -> None:
        current = transaction.operation(moved.operation.operation_id)
        operation = moved.operation
        if operation is not current or moved.events:
            operation = transaction.put_operation(operation, by_service=by_service)
        for event in moved.events:
            transaction.append_event(event.event_type, event.details, operation)
        for effect in moved.effects:
            if isinstance(effect, ArmTimer):
                transaction.arm(effect.key, effect.due_ms)
            elif isinstance(effect, CancelTimer):
                transaction.cancel(effect.key)
            elif isinstance(effect, RegisterCallback):
                transaction.register_callback(effect.callback_id, effect.operation_id)
            elif isinstance(effect, StartChildExecution):
                self._start_child(transaction, effect)
            elif isinstance(effect, CallPlainTarget):
                transaction.defer(
                    partial(
                        self._scheduler.submit,
                        partial(
                            self._call_plain_target, transaction.execution_id, effect.operation_id
                        ),
                    )
                )

    def _start_child(self, transaction: Transaction, effect: StartChildExecution) -> None:
        target = effect.target
        function = self._functions.resolve(target.function_name, target.qualifier)
        if function is None or target.child_execution_id is None or target.child_arn is None:
            raise ServiceException(f"chained invoke target {target.function_name} vanished")
        name = target.child_arn.split("/")[-2]
        payload = effect.payload or "{}"
        child, parts = self._new_execution(
            function,
            target.executed_version,
            payload,
            name,
            transaction.now_ms,
            tenant_id=effect.tenant_id,
            trace_header=transaction.record.trace_header,
            parent=(transaction.execution_id, effect.operation_id),
            execution_id=target.child_execution_id,
            qualifier=target.qualifier,
        )
        self._add_new_execution_changes(transaction.changes, parts)
        transaction.new_lives.append(child)
        transaction.defer(partial(self._schedule, child))

    def _call_plain_target(self, execution_id: str, operation_id: str) -> None:
        live = self._live(execution_id)
        if live is None:
            return
        with live.lock:
            operation = live.operations.get(operation_id)
            tenant_id = live.record.tenant_id
        if operation is None or operation.status is not OperationStatus.STARTED:
            return
        reference = parse_function_name(operation.target_function or "")
        function = (
            None
            if reference is None
            else self._functions.resolve(reference.name, reference.qualifier)
        )
        if function is None or reference is None:
            self._complete_chained(
                execution_id,
                operation_id,
                OperationStatus.FAILED,
                None,
                ErrorObject(
                    f"Function not found: {operation.target_function}",
                    "ResourceNotFoundException",
                    None,
                    None,
                ),
            )
            return
        context = self._lambda_context(
            function,
            executed_version(reference.qualifier),
            operation.target_tenant_id or tenant_id,
        )
        event = self._decode_event(operation.input_payload)
        outcome = self._invoker.call(partial(function.handler, event, context), function.timeout)
        status, result, error = _plain_outcome(outcome, function.timeout)
        self._complete_chained(execution_id, operation_id, status, result, error)

    # -- state --------------------------------------------------------------------------

    def get_durable_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> StateOutput:
        """A page of the running invocation's state (a pure read; the token stays valid).

        Raises:
            InvalidParameterValueException: ``Invalid checkpoint token``, ``Invalid
                marker`` or MaxItems out of range.
        """
        live = self._live_by_arn(durable_execution_arn)
        if live is None:
            raise _invalid(_INVALID_TOKEN)
        limit = _check_max_items(max_items)
        with live.lock:
            record = live.record
            if record.is_terminal or not record.invocation_active:
                raise _invalid(_INVALID_TOKEN)
            data = decode_checkpoint_token(checkpoint_token)
            if (
                data is None
                or data.execution_id != record.execution_id
                or data.invocation_id != record.invocation_id
                or data.sequence != record.token_sequence
            ):
                raise _invalid(_INVALID_TOKEN)
            position = None if not marker else decode_state_marker(marker)
            if marker and (
                position is None
                or position.execution_id != record.execution_id
                or position.sequence != record.token_sequence
            ):
                raise _invalid("Invalid marker")
            if position is not None and position.delta:
                remainder = live.delta_remainder
                if remainder is None or remainder[0] != position.sequence:
                    raise _invalid("Invalid marker")
                records = [
                    op for op in (live.operations.get(i) for i in remainder[1]) if op is not None
                ]
            else:
                records = visible_operations(live.operations.values())
            offset = 0 if position is None else position.offset
            page, next_offset = page_operations(records, offset, limit, self._max_page_bytes)
            if position is not None and position.delta:
                live.dirty.difference_update(op.operation_id for op in page)
            next_marker = (
                None
                if next_offset is None
                else encode_state_marker(
                    StateMarker(
                        record.execution_id,
                        record.token_sequence,
                        next_offset,
                        delta=position is not None and position.delta,
                    )
                )
            )
            return StateOutput([to_operation(op) for op in page], next_marker)

    # -- timers -------------------------------------------------------------------------

    def _fire_timer(self, key: TimerKey, due_ms: int) -> None:
        live = self._live(key.execution_id)
        if live is None:
            return
        try:
            self._transact(live, partial(self._on_timer, key))
        except ResourceNotFoundException:
            return

    def _on_timer(self, key: TimerKey, transaction: Transaction) -> None:
        record = transaction.record
        kind = key.kind
        if kind is TimerKind.RETENTION:
            if record.is_terminal:
                transaction.changes.deleted_executions.append(record.execution_id)
            return
        if record.is_terminal:
            return
        now = transaction.now_ms
        if kind is TimerKind.EXECUTION_TIMEOUT:
            self._complete_execution(
                transaction,
                ExecutionStatus.TIMED_OUT,
                error=ErrorObject(
                    f"Execution timed out after {record.timeout_seconds} seconds.", None, None, None
                ),
            )
            return
        if kind is TimerKind.INVOCATION_RETRY:
            self._trigger(transaction)
            return
        current = transaction.operation(key.operation_id)
        if current is None:
            return
        moved: Transition | None
        if kind is TimerKind.WAIT_END:
            moved = finish_wait(current, now)
        elif kind is TimerKind.STEP_READY:
            moved = make_step_ready(current)
        else:
            moved = time_out_callback(current, kind, now)
        if moved is not None:
            self._apply_transition(transaction, moved, by_service=True)
            self._trigger(transaction)

    # -- callbacks ----------------------------------------------------------------------

    def _callback(self, callback_id: str) -> tuple[LiveExecution, str]:
        if (
            not isinstance(callback_id, str)
            or not 1 <= len(callback_id) <= 1024
            or not set(callback_id) <= _CALLBACK_ID_CHARS
        ):
            raise _invalid("CallbackId must be 1 to 1024 characters matching [A-Za-z0-9+/]+={0,2}.")
        found = self._store.find_callback(callback_id)
        live = None if found is None else self._live(found.execution_id)
        if found is None or live is None:
            raise ResourceNotFoundException(f"Callback {callback_id} does not exist.")
        return live, found.operation_id

    @staticmethod
    def _open_callback(transaction: Transaction, operation_id: str) -> OperationRecord:
        current = transaction.operation(operation_id)
        if (
            transaction.record.is_terminal
            or current is None
            or current.status is not OperationStatus.STARTED
        ):
            raise CallbackTimeoutException(
                "The callback has already completed or timed out, or its execution has ended."
            )
        return current

    def send_durable_execution_callback_success(
        self, callback_id: str, result: bytes | None = None
    ) -> None:
        """Complete a callback with ``result`` (raw bytes, UTF-8 text; empty: no result).

        Raises:
            InvalidParameterValueException: malformed id, result too large or not UTF-8.
            ResourceNotFoundException: unknown callback.
            CallbackTimeoutException: the callback is closed.
        """
        live, operation_id = self._callback(callback_id)
        text: str | None = None
        if result:
            if len(result) > MAX_CHAINED_INVOKE_PAYLOAD_BYTES:
                raise _invalid(
                    f"Result must be at most {MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes; "
                    f"got {len(result)}."
                )
            try:
                text = result.decode("utf-8")
            except UnicodeDecodeError:
                raise _invalid("Result must be valid UTF-8.") from None

        def work(transaction: Transaction) -> None:
            current = self._open_callback(transaction, operation_id)
            moved = complete_callback(current, transaction.now_ms, result=text)
            self._apply_transition(transaction, moved, by_service=True)
            self._trigger(transaction)

        self._transact(live, work)

    def send_durable_execution_callback_failure(
        self, callback_id: str, error: ErrorObject | None = None
    ) -> None:
        """Fail a callback with ``error`` (stored verbatim; none: ``{}``).

        Raises:
            InvalidParameterValueException: malformed id or error too large.
            ResourceNotFoundException: unknown callback.
            CallbackTimeoutException: the callback is closed.
        """
        live, operation_id = self._callback(callback_id)
        if error is not None and error_size(error) > MAX_ERROR_BYTES:
            raise _invalid(f"Error object size must be less than {MAX_ERROR_BYTES} bytes.")

        def work(transaction: Transaction) -> None:
            current = self._open_callback(transaction, operation_id)
            moved = complete_callback(
                current, transaction.now_ms, error=error or _EMPTY_ERROR, failed=True
            )
            self._apply_transition(transaction, moved, by_service=True)
            self._trigger(transaction)

        self._transact(live, work)

    def send_durable_execution_callback_heartbeat(self, callback_id: str) -> None:
        """Restart the callback's heartbeat timeout (no effect without one).

        Raises:
            InvalidParameterValueException: malformed id.
            ResourceNotFoundException: unknown callback.
            CallbackTimeoutException: the callback is closed.
        """
        live, operation_id = self._callback(callback_id)

        def work(transaction: Transaction) -> None:
            current = self._open_callback(transaction, operation_id)
            self._apply_transition(
                transaction, callback_heartbeat(current, transaction.now_ms), by_service=True
            )

        self._transact(live, work)

    # -- stop, pause, resume, delete ----------------------------------------------------

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
            raise _invalid(f"Error object size must be less than {MAX_ERROR_BYTES} bytes.")

        def work(transaction: Transaction) -> datetime:
            if not transaction.record.is_terminal:
                self._complete_execution(
                    transaction, ExecutionStatus.STOPPED, error=error or _DEFAULT_STOP_ERROR
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
            raise _invalid(f"ClientToken {client_token} was already used with other parameters.")
        return False

    @staticmethod
    def _remember_control_token(
        transaction: Transaction, client_token: str | None, fingerprint: tuple[object, ...]
    ) -> None:
        if client_token is not None:
            transaction.live.control_tokens[client_token] = (
                fingerprint,
                transaction.now_ms + _IDEMPOTENCY_WINDOW_MS,
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
        _check_reason(reason)
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

    def _enter_paused(self, transaction: Transaction) -> None:
        record = transaction.record
        now = transaction.now_ms
        requested = record.pause_requested_ms if record.pause_requested_ms is not None else now
        transaction.update_record(status=ExecutionStatus.PAUSED, paused_since_ms=now)
        transaction.append_event(
            EventType.EXECUTION_PAUSED,
            ExecutionPausedDetails(
                ms_to_datetime(requested),
                record.pause_timeout_paused,
                None if record.pause_reason is None else EventPauseReason(record.pause_reason),
            ),
            execution_level=True,
        )
        if record.pause_timeout_paused:
            transaction.arm(
                TimerKey(record.execution_id, TimerKind.EXECUTION_TIMEOUT),
                record.start_ms + _MAX_EXECUTION_SPAN_MS,
            )

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
        _check_reason(reason)
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
                    deadline = min(deadline + paused_for, record.start_ms + _MAX_EXECUTION_SPAN_MS)
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

    # -- reads --------------------------------------------------------------------------

    def get_durable_execution(
        self, durable_execution_arn: str, include_execution_data: bool = True
    ) -> GetDurableExecutionOutput:
        """The execution's status, input, outcome and configuration.

        Raises:
            ResourceNotFoundException: unknown execution.
        """
        record = self._require(durable_execution_arn).record
        status = record.status
        include = include_execution_data
        pause = None
        if status in (ExecutionStatus.PAUSING, ExecutionStatus.PAUSED):
            pause = PauseDetails(
                ms_to_datetime(record.pause_requested_ms or record.paused_since_ms or 0),
                record.pause_timeout_paused,
                record.pause_reason if include else None,
            )
        expected = None
        if not record.is_terminal:
            if status is ExecutionStatus.PAUSED and record.pause_timeout_paused:
                expected = ms_to_datetime(record.start_ms + _MAX_EXECUTION_SPAN_MS)
            else:
                expected = ms_to_datetime(record.deadline_ms)
        errored = status in (
            ExecutionStatus.FAILED,
            ExecutionStatus.TIMED_OUT,
            ExecutionStatus.STOPPED,
        )
        return GetDurableExecutionOutput(
            durable_execution_arn=record.arn,
            durable_execution_name=record.name,
            function_arn=function_arn(
                record.region, record.account, record.function_name, record.version
            ),
            status=status,
            start_timestamp=ms_to_datetime(record.start_ms),
            input_payload=record.input_payload if include else None,
            result=record.result if include and status is ExecutionStatus.SUCCEEDED else None,
            error=record.error if include and errored else None,
            end_timestamp=None if record.end_ms is None else ms_to_datetime(record.end_ms),
            version=record.version,
            trace_header=None if record.trace_header is None else TraceHeader(record.trace_header),
            execution_data_included=include,
            durable_config=DurableConfig(
                record.kms_key_arn, record.retention_days, record.timeout_seconds
            ),
            pause_details=pause,
            expected_execution_timeout_timestamp=expected,
        )

    def _history_events(self, live: LiveExecution) -> list[EventRecord]:
        """The execution's events, read from the store once and then kept up to date."""
        live = self._lock(live)
        try:
            if live.events is None:
                live.events = self._store.read_events(
                    live.execution_id, 1, max(live.record.event_count, 1)
                )
            return list(live.events)
        finally:
            live.lock.release()

    def get_durable_execution_history(
        self,
        durable_execution_arn: str,
        include_execution_data: bool = True,
        max_items: int | None = None,
        marker: str | None = None,
        reverse_order: bool = False,
    ) -> GetDurableExecutionHistoryOutput:
        """A page of the execution's history, oldest first (newest first if reversed).

        Raises:
            ResourceNotFoundException: unknown execution.
            InvalidParameterValueException: ``Invalid marker`` or MaxItems out of range.
        """
        live = self._require(durable_execution_arn)
        limit = _check_max_items(max_items)
        execution_id = live.execution_id
        position = None
        if marker:
            position = decode_history_marker(marker)
            if (
                position is None
                or position.execution_id != execution_id
                or position.reverse != reverse_order
            ):
                raise _invalid("Invalid marker")
        events = self._history_events(live)
        count = len(events)
        if reverse_order:
            start = count if position is None else min(position.event_id - 1, count)
            page = events[max(start - limit, 0) : max(start, 0)][::-1]
            last = page[-1].event_id if page else 1
            next_marker = (
                encode_history_marker(HistoryMarker(execution_id, last, True)) if last > 1 else None
            )
        else:
            start = 1 if position is None else position.event_id
            page = events[start - 1 : start - 1 + limit]
            following = start + len(page)
            next_marker = (
                encode_history_marker(HistoryMarker(execution_id, following, False))
                if page and following <= count
                else None
            )
        return GetDurableExecutionHistoryOutput(
            [
                to_event(
                    event,
                    include_execution_data=include_execution_data,
                    payload_limit=self._history_payload_limit,
                )
                for event in page
            ],
            next_marker,
        )

    def list_durable_executions_by_function(
        self,
        function_name: str,
        qualifier: str | None = None,
        durable_execution_name: str | None = None,
        statuses: Iterable[ExecutionStatus] | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> ListDurableExecutionsByFunctionOutput:
        """The function's executions, newest first (oldest first when reversed).

        Raises:
            ResourceNotFoundException: unknown function.
            InvalidParameterValueException: ``Invalid marker``, MaxItems out of range, or a
                malformed function name.
        """
        function, _, _ = self._resolve(function_name, None)
        reference = parse_function_name(function_name)
        qualifier = qualifier or (None if reference is None else reference.qualifier)
        limit = _check_max_items(max_items)
        after = None
        if marker:
            position = decode_list_marker(marker)
            if (
                position is None
                or position.function_name != function.name
                or position.reverse != reverse_order
            ):
                raise _invalid("Invalid marker")
            after = (position.start_ms, position.execution_id)
        status_filter = None if not statuses else frozenset(statuses)
        query = ExecutionQuery(
            function_name=function.name,
            version=None if qualifier is None else executed_version(qualifier),
            name=durable_execution_name,
            statuses=status_filter,
            started_after_ms=None if started_after is None else datetime_to_ms(started_after),
            started_before_ms=None if started_before is None else datetime_to_ms(started_before),
            oldest_first=reverse_order,
            after=after,
            limit=limit + 1,
        )
        records = self._store.list_executions(query)
        page = records[:limit]
        next_marker = None
        if len(records) > limit:
            last = page[-1]
            next_marker = encode_list_marker(
                ListMarker(function.name, last.start_ms, last.execution_id, reverse_order)
            )
        summaries = [
            ExecutionSummary(
                durable_execution_arn=record.arn,
                durable_execution_name=record.name,
                function_arn=function_arn(
                    record.region, record.account, record.function_name, record.version
                ),
                status=record.status,
                start_timestamp=ms_to_datetime(record.start_ms),
                end_timestamp=None if record.end_ms is None else ms_to_datetime(record.end_ms),
                kms_key_arn=record.kms_key_arn,
            )
            for record in page
        ]
        return ListDurableExecutionsByFunctionOutput(summaries, next_marker)

    # -- the in-process client ----------------------------------------------------------

    def client(self) -> Any:
        """A ``DurableServiceClient`` that calls this service directly (no HTTP)."""
        from durable_lambda_local._in_process_client import InProcessClient

        return InProcessClient(self)

    # -- recovery -----------------------------------------------------------------------

    def _recover(self) -> None:
        """Pick up where a previous service on the same store stopped."""
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


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _check_reason(reason: str | None) -> None:
    if reason is not None and len(reason) > 1024:
        raise _invalid(f"Reason must be at most 1024 characters; got {len(reason)}.")


def _outcome_error(plan: _InvocationPlan, outcome: CallOutcome, now_ms: int) -> ErrorObject | None:
    if outcome.kind is OutcomeKind.RETURNED:
        return None
    if outcome.kind is OutcomeKind.TIMED_OUT:
        stamp = ms_to_datetime(now_ms).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return ErrorObject(
            f"{stamp} {plan.request_id} Task timed out after {plan.function.timeout:.2f} seconds",
            "Sandbox.Timedout",
            None,
            None,
        )
    return outcome.error


def _parse_output(value: object) -> DurableExecutionInvocationOutput | str:
    """The handler's output, or the reason it is not a valid durable output."""
    if isinstance(value, DurableExecutionInvocationOutput):
        data: object = value.to_dict()
    elif isinstance(value, bytes | str):
        try:
            data = json.loads(value)
        except UnicodeDecodeError:
            return "The function output is not valid UTF-8."
        except ValueError:
            return "The function output is not valid JSON."
    else:
        data = value
    if not isinstance(data, dict):
        return "The function output must be a JSON object with a Status."
    status = data.get("Status")
    if status is None:
        return "The function output has no Status."
    if status not in ("SUCCEEDED", "FAILED", "PENDING"):
        return f"The function output has an unknown Status: {status!r}."
    result = data.get("Result")
    error = data.get("Error")
    if status == "SUCCEEDED" and error is not None:
        return "A SUCCEEDED output cannot carry an Error."
    if status == "FAILED" and result is not None:
        return "A FAILED output cannot carry a Result."
    if result is not None and not isinstance(result, str):
        return "The output's Result must be a string."
    if error is not None and not isinstance(error, dict):
        return "The output's Error must be an ErrorObject."
    return DurableExecutionInvocationOutput(
        InvocationStatus(status),
        result,
        None if error is None else ErrorObject.from_dict(error),
    )


def _chained_outcome(
    child: ExecutionRecord,
) -> tuple[OperationStatus, str | None, ErrorObject | None]:
    status = child.status
    if status is ExecutionStatus.SUCCEEDED:
        return OperationStatus.SUCCEEDED, child.result, None
    if status is ExecutionStatus.TIMED_OUT:
        return (
            OperationStatus.TIMED_OUT,
            None,
            ErrorObject(
                f"CHAINED_INVOKE timed out after {child.timeout_seconds} seconds.",
                "ChainedInvoke.Timeout",
                None,
                None,
            ),
        )
    if status is ExecutionStatus.STOPPED:
        return OperationStatus.STOPPED, None, child.error
    error = child.error
    if error is None or error == _EMPTY_ERROR:
        error = ErrorObject("Chained invoke failed.", None, None, None)
    return OperationStatus.FAILED, None, error


def _plain_outcome(
    outcome: CallOutcome, timeout: float
) -> tuple[OperationStatus, str | None, ErrorObject | None]:
    if outcome.kind is OutcomeKind.TIMED_OUT:
        return (
            OperationStatus.TIMED_OUT,
            None,
            ErrorObject(
                f"CHAINED_INVOKE timed out after {timeout:g} seconds.",
                "ChainedInvoke.Timeout",
                None,
                None,
            ),
        )
    if outcome.kind is not OutcomeKind.RETURNED:
        return OperationStatus.FAILED, None, outcome.error
    value = outcome.value
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return (
                OperationStatus.FAILED,
                None,
                ErrorObject(
                    "CHAINED_INVOKE response could not be decoded as UTF-8.", None, None, None
                ),
            )
    else:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as error:
            return OperationStatus.FAILED, None, error_from_exception(error)
    if utf8_length(text) > MAX_CHAINED_INVOKE_PAYLOAD_BYTES:
        return (
            OperationStatus.FAILED,
            None,
            ErrorObject(
                "CHAINED_INVOKE output payload size must be less than or equal to "
                f"{MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes.",
                None,
                None,
                None,
            ),
        )
    return OperationStatus.SUCCEEDED, text, None
