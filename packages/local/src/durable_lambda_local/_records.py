"""The rows the service persists: executions, operations, events, timers, callbacks,
idempotency records and invocations, plus the change set one transaction writes.

Records are frozen: a change makes a new record (``dataclasses.replace``), so the working
state the control plane holds and the rows a store writes can never drift apart by
aliasing. Times are epoch milliseconds (see ``_clock``); enums and ``ErrorObject`` are
the client package's wire models, so nothing is translated twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_lambda_client import (
    CheckpointOutput,
    ErrorObject,
    EventDetails,
    EventType,
    ExecutionStatus,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from durable_lambda_local._timers import TimerKey

__all__ = [
    "TERMINAL_EXECUTION_STATUSES",
    "TERMINAL_OPERATION_STATUSES",
    "CallbackRecord",
    "Changeset",
    "EventRecord",
    "ExecutionQuery",
    "ExecutionRecord",
    "IdempotencyRecord",
    "InvocationRecord",
    "OperationRecord",
]

TERMINAL_EXECUTION_STATUSES = frozenset(
    {
        ExecutionStatus.SUCCEEDED,
        ExecutionStatus.FAILED,
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.STOPPED,
    }
)
TERMINAL_OPERATION_STATUSES = frozenset(
    {
        OperationStatus.SUCCEEDED,
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.TIMED_OUT,
        OperationStatus.STOPPED,
    }
)


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """One durable execution: identity, outcome, and the bookkeeping of its invocations.

    ``checkpointed_outcome`` (SUCCEEDED or FAILED, with ``result``/``error``) is an
    outcome recorded by an EXECUTION update; it becomes the execution's outcome when the
    invocation that sent it ends.
    ``change_sequence`` numbers every change to an operation; ``delivered_sequence`` is
    the highest change the handler has been shown (the delivery watermark).
    """

    execution_id: str
    arn: str
    name: str
    function_name: str
    version: str
    region: str
    account: str
    status: ExecutionStatus
    input_payload: str
    start_ms: int
    timeout_seconds: int
    deadline_ms: int
    retention_days: int
    end_ms: int | None = None
    result: str | None = None
    error: ErrorObject | None = None
    checkpointed_outcome: ExecutionStatus | None = None
    tenant_id: str | None = None
    trace_header: str | None = None
    kms_key_arn: str | None = None
    qualifier: str | None = None
    parent_execution_id: str | None = None
    parent_operation_id: str | None = None
    invocation_id: str | None = None
    invocation_active: bool = False
    invocation_count: int = 0
    token_sequence: int = 0
    token_withheld: bool = False
    change_sequence: int = 0
    delivered_sequence: int = 0
    consecutive_failures: int = 0
    invalid_pending_outputs: int = 0
    pause_requested_ms: int | None = None
    pause_reason: str | None = None
    pause_timeout_paused: bool = True
    paused_since_ms: int | None = None
    paused_total_ms: int = 0
    invocation_owed: bool = False
    event_count: int = 0
    operation_count: int = 0

    @property
    def is_terminal(self) -> bool:
        """True once the execution succeeded, failed, timed out or was stopped."""
        return self.status in TERMINAL_EXECUTION_STATUSES


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """One operation of an execution, with the details of its type flattened.

    ``position`` is the creation order (the EXECUTION operation is 0).
    ``changed_sequence`` is the execution's change sequence at the last change, and
    ``changed_by_service`` tells whether that change came from the service (timer,
    callback, chained invoke) rather than from the handler's own checkpoint.
    """

    execution_id: str
    operation_id: str
    position: int
    operation_type: OperationType
    status: OperationStatus
    start_ms: int
    end_ms: int | None = None
    parent_id: str | None = None
    name: str | None = None
    sub_type: OperationSubType | None = None
    input_payload: str | None = None
    result: str | None = None
    error: ErrorObject | None = None
    attempt: int = 0
    next_attempt_ms: int | None = None
    replay_children: bool = False
    scheduled_end_ms: int | None = None
    wait_seconds: int | None = None
    callback_id: str | None = None
    callback_timeout_seconds: int = 0
    callback_heartbeat_seconds: int = 0
    target_function: str | None = None
    target_tenant_id: str | None = None
    child_execution_id: str | None = None
    changed_sequence: int = 0
    changed_by_service: bool = False

    @property
    def is_terminal(self) -> bool:
        """True once the operation reached a final status."""
        return self.status in TERMINAL_OPERATION_STATUSES

    @property
    def size(self) -> int:
        """Bytes this operation adds to a state page (payload + error, at least 1)."""
        total = len(self.result or "") + len(self.input_payload or "")
        if self.error is not None:
            total += sum(len(str(value)) for value in self.error.to_dict().values())
        return max(total, 1)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One history event, numbered at write time and never renumbered."""

    execution_id: str
    event_id: int
    event_type: EventType
    timestamp_ms: int
    details: EventDetails
    operation_id: str | None = None
    name: str | None = None
    parent_id: str | None = None
    sub_type: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """Where a callback id points."""

    callback_id: str
    execution_id: str
    operation_id: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The answer to a checkpoint call, kept so a retry of the same call gets it again."""

    execution_id: str
    client_token: str
    checkpoint_token: str
    response: CheckpointOutput
    expires_ms: int


@dataclass(frozen=True, slots=True)
class InvocationRecord:
    """One handler invocation: when it ran and how it ended (``end_ms`` None while running)."""

    execution_id: str
    invocation_id: str
    request_id: str
    start_ms: int
    end_ms: int | None = None
    error: ErrorObject | None = None


@dataclass(frozen=True, slots=True)
class ExecutionQuery:
    """Filter and page of ``ListDurableExecutionsByFunction``.

    ``after`` is the keyset position ``(start_ms, execution_id)`` of the last execution
    already returned; newest first unless ``oldest_first``.
    """

    function_name: str
    version: str | None = None
    name: str | None = None
    statuses: frozenset[ExecutionStatus] | None = None
    started_after_ms: int | None = None
    started_before_ms: int | None = None
    oldest_first: bool = False
    after: tuple[int, str] | None = None
    limit: int = 100


@dataclass
class Changeset:
    """Everything one transaction writes; a store commits it atomically or not at all.

    Filled by the control plane while it handles one API call, timer or invocation
    boundary, then handed to ``Store.commit``. Timer changes apply in this order:
    ``cleared_timer_executions`` (every timer of those executions), then
    ``cancelled_timers``, then ``armed_timers``. ``forgotten_idempotency`` names
    executions whose idempotency records are dropped (applied before ``idempotency``).
    """

    executions: dict[str, ExecutionRecord] = field(default_factory=dict)
    operations: dict[tuple[str, str], OperationRecord] = field(default_factory=dict)
    events: list[EventRecord] = field(default_factory=list)
    cleared_timer_executions: list[str] = field(default_factory=list)
    cancelled_timers: list[TimerKey] = field(default_factory=list)
    armed_timers: dict[TimerKey, int] = field(default_factory=dict)
    callbacks: list[CallbackRecord] = field(default_factory=list)
    idempotency: list[IdempotencyRecord] = field(default_factory=list)
    forgotten_idempotency: list[str] = field(default_factory=list)
    invocations: dict[tuple[str, str], InvocationRecord] = field(default_factory=dict)
    deleted_executions: list[str] = field(default_factory=list)

    def put_execution(self, record: ExecutionRecord) -> None:
        self.executions[record.execution_id] = record

    def put_operation(self, record: OperationRecord) -> None:
        self.operations[(record.execution_id, record.operation_id)] = record

    def put_invocation(self, record: InvocationRecord) -> None:
        self.invocations[(record.execution_id, record.invocation_id)] = record

    def arm(self, key: TimerKey, due_ms: int) -> None:
        self.armed_timers[key] = due_ms

    def cancel(self, key: TimerKey) -> None:
        self.armed_timers.pop(key, None)
        self.cancelled_timers.append(key)

    def clear_timers(self, execution_id: str) -> None:
        for key in [key for key in self.armed_timers if key.execution_id == execution_id]:
            del self.armed_timers[key]
        self.cleared_timer_executions.append(execution_id)

    @property
    def is_empty(self) -> bool:
        return not (
            self.executions
            or self.operations
            or self.events
            or self.cleared_timer_executions
            or self.cancelled_timers
            or self.armed_timers
            or self.callbacks
            or self.idempotency
            or self.forgotten_idempotency
            or self.invocations
            or self.deleted_executions
        )
