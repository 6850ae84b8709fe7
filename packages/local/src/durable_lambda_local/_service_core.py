"""The engine of the local service: working state, transactions, execution creation,
scheduling, completion, timers and chained-invoke plumbing, shared by the API mixins
that make up :class:`~durable_lambda_local._control_plane.DurableExecutionService`.

Each unit of work (an API call, a timer firing, an invocation boundary) is one
transaction on one execution: it is validated and staged first, written to the store in
one commit, then folded into the working state. Invocations run outside any lock.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Self, TypeVar

from durable_lambda_client import (
    DurableServiceClient,
    ErrorObject,
    EventError,
    EventInput,
    EventPauseReason,
    EventResult,
    EventType,
    ExecutionFailedDetails,
    ExecutionPausedDetails,
    ExecutionStartedDetails,
    ExecutionStatus,
    ExecutionStoppedDetails,
    ExecutionSucceededDetails,
    ExecutionTimedOutDetails,
    OperationStatus,
    OperationType,
)
from durable_lambda_local._arns import (
    ExecutionArn,
    executed_version,
    function_arn,
    parse_execution_arn,
    parse_function_name,
)
from durable_lambda_local._change_feed import ChangeFeed, ChangeListener, ExecutionChange
from durable_lambda_local._checkpoint_validation import (
    MAX_CHAINED_INVOKE_PAYLOAD_BYTES,
    utf8_length,
)
from durable_lambda_local._clock import Clock, VirtualClock, ms_to_datetime
from durable_lambda_local._errors import (
    InvalidParameterValueException,
    ResourceNotFoundException,
    ServiceException,
)
from durable_lambda_local._functions import FunctionRegistry, LocalFunction
from durable_lambda_local._history import DEFAULT_HISTORY_PAYLOAD_LIMIT
from durable_lambda_local._ids import IdGenerator
from durable_lambda_local._invocation_outcomes import (
    chained_outcome,
    plain_outcome,
)
from durable_lambda_local._invoker import Invoker
from durable_lambda_local._lambda_context import LocalLambdaContext
from durable_lambda_local._live_execution import LiveExecution, Transaction
from durable_lambda_local._memory_store import MemoryStore
from durable_lambda_local._operation_view import DEFAULT_PAGE_BYTES
from durable_lambda_local._records import (
    Changeset,
    EventRecord,
    ExecutionRecord,
    InvocationRecord,
    OperationRecord,
)
from durable_lambda_local._scheduler import Scheduler, SchedulerMode
from durable_lambda_local._state_machines import (
    ArmTimer,
    CallPlainTarget,
    CancelTimer,
    RegisterCallback,
    StartChildExecution,
    Transition,
    complete_chained_invoke,
    finish_wait,
    make_step_ready,
    time_out_callback,
)
from durable_lambda_local._store import Store
from durable_lambda_local._timers import TimerHold, TimerKey, TimerKind

__all__ = [
    "CALLBACK_ID_CHARS",
    "DAY_MS",
    "DEFAULT_STOP_ERROR",
    "EMPTY_ERROR",
    "IDEMPOTENCY_WINDOW_MS",
    "INVALID_TOKEN",
    "LOGGER",
    "MAX_EXECUTION_SPAN_MS",
    "NAME_CHARS",
    "NOT_FOUND",
    "PENDING_WORK",
    "TERMINAL_OPERATION_STATUS",
    "InvocationPlan",
    "ServiceCore",
    "check_max_items",
    "check_reason",
    "invalid",
    "is_uuid",
]

LOGGER = logging.getLogger("durable_lambda_local")
T = TypeVar("T")

DAY_MS = 86_400_000
MAX_EXECUTION_SPAN_MS = 366 * DAY_MS
IDEMPOTENCY_WINDOW_MS = 15 * 60 * 1000
INVALID_TOKEN = "Invalid checkpoint token"
NOT_FOUND = "Durable Execution does not exist"
DEFAULT_STOP_ERROR = ErrorObject("Execution stopped by user request", None, None, None)
EMPTY_ERROR = ErrorObject(None, None, None, None)
CALLBACK_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
PENDING_WORK = {
    OperationType.STEP: (OperationStatus.PENDING, OperationStatus.READY),
    OperationType.WAIT: (OperationStatus.STARTED,),
    OperationType.CALLBACK: (OperationStatus.STARTED,),
    OperationType.CHAINED_INVOKE: (OperationStatus.STARTED,),
}
TERMINAL_OPERATION_STATUS = {
    ExecutionStatus.SUCCEEDED: OperationStatus.SUCCEEDED,
    ExecutionStatus.FAILED: OperationStatus.FAILED,
    ExecutionStatus.TIMED_OUT: OperationStatus.TIMED_OUT,
    ExecutionStatus.STOPPED: OperationStatus.STOPPED,
}


@dataclass(frozen=True, slots=True)
class InvocationPlan:
    """Everything needed to run one invocation once its start is committed."""

    execution_id: str
    invocation_id: str
    request_id: str
    start_ms: int
    function: LocalFunction
    event: object
    context: LocalLambdaContext


def invalid(message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(message)


def check_max_items(max_items: int | None) -> int:
    if max_items is None or max_items == 0:
        return 100
    if not 0 <= max_items <= 1000:
        raise invalid(f"MaxItems must be between 0 and 1000; got {max_items}.")
    return max_items


NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def check_reason(reason: str | None) -> None:
    if reason is not None and len(reason) > 1024:
        raise invalid(f"Reason must be at most 1024 characters; got {len(reason)}.")


class ServiceCore:
    """State and engine of the service; the public API lives in the mixins."""

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
        autostart: bool = True,
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
        self._changes = ChangeFeed()
        self._scheduler = Scheduler(self._clock, mode, self._fire_timer, self._timer_hold)
        self._recover()
        if autostart:
            self._scheduler.start()

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

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` after every committed change to an execution.

        The listener gets an :class:`ExecutionChange` (ARN, status, history length) on
        the committing thread once every lock is released, so it must return quickly
        (set an event, put on a queue) and must not raise; one that raises is logged
        and unsubscribed.

        Returns:
            A function that unsubscribes ``listener``.

        Example:
            >>> changed = threading.Event()
            >>> unsubscribe = service.subscribe(lambda change: changed.set())  # doctest: +SKIP
        """
        return self._changes.subscribe(listener)

    def _publish(self, lives: Iterable[LiveExecution], deleted: Iterable[str] = ()) -> None:
        if not self._changes.active:
            return
        gone = set(deleted)
        self._changes.publish(
            ExecutionChange(
                live.record.arn,
                live.record.status,
                live.record.event_count,
                deleted=live.execution_id in gone,
            )
            for live in lives
        )

    def start(self) -> None:
        """Start background work (background mode; idempotent). Only needed when the
        service was created with ``autostart=False``, e.g. to register functions
        before a reopened store's unfinished executions resume."""
        self._scheduler.start()

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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
            raise ResourceNotFoundException(NOT_FOUND)
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
                raise ResourceNotFoundException(NOT_FOUND)
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
        if not changes.is_empty:
            self._publish([live, *transaction.new_lives], changes.deleted_executions)
        for action in transaction.deferred:
            action()
        self._scheduler.notify()
        return result

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
        deadline = now_ms + min(function.execution_timeout * 1000, MAX_EXECUTION_SPAN_MS)
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
            raise invalid(
                f"FunctionName {function_name!r} is not a function name, partial ARN or ARN."
            )
        if (
            qualifier is not None
            and reference.qualifier is not None
            and (qualifier != reference.qualifier)
        ):
            raise invalid(
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
            error=None if status is ExecutionStatus.SUCCEEDED else (error or EMPTY_ERROR),
            checkpointed_outcome=None,
            invocation_active=False,
            token_withheld=True,
            pause_requested_ms=None,
            invocation_owed=False,
        )
        execution_op = transaction.operation(record.execution_id)
        if execution_op is not None:
            transaction.put_operation(
                replace(execution_op, status=TERMINAL_OPERATION_STATUS[status], end_ms=now),
                by_service=True,
            )
        details: Any
        if status is ExecutionStatus.SUCCEEDED:
            event_type = EventType.EXECUTION_SUCCEEDED
            details = ExecutionSucceededDetails(EventResult(result, False))
        elif status is ExecutionStatus.FAILED:
            event_type = EventType.EXECUTION_FAILED
            details = ExecutionFailedDetails(EventError(error or EMPTY_ERROR, False))
        elif status is ExecutionStatus.TIMED_OUT:
            event_type = EventType.EXECUTION_TIMED_OUT
            details = ExecutionTimedOutDetails(EventError(error, False))
        else:
            event_type = EventType.EXECUTION_STOPPED
            details = ExecutionStoppedDetails(EventError(error or EMPTY_ERROR, False))
        transaction.append_event(event_type, details, execution_level=True)
        transaction.clear_timers()
        transaction.changes.forgotten_idempotency.append(record.execution_id)
        transaction.arm(
            TimerKey(record.execution_id, TimerKind.RETENTION),
            now + record.retention_days * DAY_MS,
        )
        if record.parent_execution_id is not None:
            transaction.defer(partial(self._child_finished, transaction.live))

    def _child_finished(self, child: LiveExecution) -> None:
        record = child.record
        parent_id, operation_id = record.parent_execution_id, record.parent_operation_id
        if parent_id is None or operation_id is None:
            return
        status, result, error = chained_outcome(record)
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
                transaction.defer_until_invocation_ends(
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
        transaction.defer_until_invocation_ends(partial(self._schedule, child))

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
        status, result, error = plain_outcome(outcome, function.timeout)
        self._complete_chained(execution_id, operation_id, status, result, error)

    def _timer_hold(self, key: TimerKey) -> TimerHold:
        """Whether a skipping clock may jump to ``key`` now (see ``SkipClock``): callback
        timers wait for the answer window; an execution timeout waits as long as the
        execution (or a chained child of it) waits on an open callback, or is paused."""
        if key.kind in (TimerKind.CALLBACK_TIMEOUT, TimerKind.CALLBACK_HEARTBEAT):
            return TimerHold.ANSWER
        if key.kind is TimerKind.RETENTION:
            return TimerHold.FOREVER
        if key.kind is not TimerKind.EXECUTION_TIMEOUT:
            return TimerHold.NONE
        return self._outside_hold(key.execution_id, depth=0)

    def _outside_hold(self, execution_id: str, depth: int) -> TimerHold:
        live = self._live(execution_id)
        if live is None or depth > 32:
            return TimerHold.NONE
        with live.lock:
            record = live.record
            operations = list(live.operations.values())
        if record.status in (ExecutionStatus.PAUSED, ExecutionStatus.PAUSING):
            return TimerHold.FOREVER
        hold = TimerHold.NONE
        for op in operations:
            if op.status is not OperationStatus.STARTED:
                continue
            if op.operation_type is OperationType.CALLBACK:
                if op.callback_timeout_seconds == 0 and op.callback_heartbeat_seconds == 0:
                    return TimerHold.FOREVER
                hold = TimerHold.ANSWER
            elif op.operation_type is OperationType.CHAINED_INVOKE and op.child_execution_id:
                child = self._outside_hold(op.child_execution_id, depth + 1)
                if child is TimerHold.FOREVER:
                    return child
                if child.rank > hold.rank:
                    hold = child
        return hold

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
                record.start_ms + MAX_EXECUTION_SPAN_MS,
            )

    def client(self) -> DurableServiceClient:
        """A ``DurableServiceClient`` that calls this service directly (no HTTP)."""
        raise NotImplementedError

    def _run_invocation(self, execution_id: str) -> None:
        """Run one invocation of the execution (provided by the invocation loop)."""
        raise NotImplementedError

    def _recover(self) -> None:
        """Pick up where a previous service on the same store stopped (provided by the
        invocation loop)."""
        raise NotImplementedError
