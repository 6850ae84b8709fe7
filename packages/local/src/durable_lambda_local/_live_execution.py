"""The working state of one execution while the service drives it, and the transaction
that changes it.

A :class:`Transaction` stages every change of one API call, timer or invocation boundary
(operation records, history events, timers, invocation records) without touching the
live state; the control plane writes the staged change set to the store and only then
folds it into the :class:`LiveExecution`. A request that fails validation therefore
leaves no trace, and a store that refuses a commit leaves memory as it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from durable_lambda_client import EventDetails, EventType, OperationType
from durable_lambda_local._records import (
    CallbackRecord,
    Changeset,
    EventRecord,
    ExecutionRecord,
    IdempotencyRecord,
    InvocationRecord,
    OperationRecord,
)
from durable_lambda_local._timers import TimerKey

__all__ = ["LiveExecution", "Transaction"]

_COUNTER_FIELDS = frozenset(
    {
        "change_sequence",
        "delivered_sequence",
        "event_count",
        "operation_count",
        "token_sequence",
    }
)


class LiveExecution:
    """One execution's record and operations, plus what the service tracks in memory.

    ``dirty`` holds the operations changed since the handler last saw them;
    ``service_updated`` those the service itself changed since the last invocation
    input (its ``UpdatedOperationIds``). ``scheduled`` is True while an invocation is
    queued but not started. ``events`` caches the history once read (None: not loaded).
    ``evicted`` marks an object the service no longer uses (dropped from its working
    set or deleted); whoever still holds it must look the execution up again.
    ``held_dispatches`` are chained-invoke targets started while an invocation ran,
    released when it ends. Guarded by ``lock``.
    """

    def __init__(self, record: ExecutionRecord, operations: list[OperationRecord]) -> None:
        self.lock = threading.RLock()
        self.record = record
        self.operations: dict[str, OperationRecord] = {op.operation_id: op for op in operations}
        self.context_ids: set[str] = {
            op.operation_id for op in operations if op.operation_type is OperationType.CONTEXT
        }
        watermark = record.delivered_sequence
        self.dirty: set[str] = {
            op.operation_id for op in operations if op.changed_sequence > watermark
        }
        self.service_updated: set[str] = {
            op.operation_id
            for op in operations
            if op.changed_by_service and op.changed_sequence > watermark
        }
        self.scheduled = False
        self.delta_remainder: tuple[int, list[str]] | None = None
        self.idempotency: OrderedDict[str, IdempotencyRecord] = OrderedDict()
        self.control_tokens: dict[str, tuple[tuple[object, ...], int]] = {}
        self.events: list[EventRecord] | None = None
        self.evicted = False
        self.held_dispatches: list[Callable[[], None]] = []

    @property
    def execution_id(self) -> str:
        return self.record.execution_id


class Transaction:
    """The staged changes of one unit of work on one execution."""

    def __init__(self, live: LiveExecution, now_ms: int) -> None:
        self.live = live
        self.now_ms = now_ms
        self.record = live.record
        self.changes = Changeset()
        self.deferred: list[Callable[[], None]] = []
        self.held: list[Callable[[], None]] = []
        self.delivered: set[str] | None = None
        self.new_lives: list[LiveExecution] = []
        self.reset_service_updated = False
        self._operations: dict[str, OperationRecord] = {}
        self._service_changed: set[str] = set()
        self._change_sequence = live.record.change_sequence
        self._event_count = live.record.event_count
        self._operation_count = live.record.operation_count
        self._token_sequence = live.record.token_sequence
        self._record_changed = False

    @property
    def execution_id(self) -> str:
        return self.live.record.execution_id

    @property
    def change_sequence(self) -> int:
        return self._change_sequence

    @property
    def next_position(self) -> int:
        """Creation position of the next new operation."""
        return self._operation_count

    @property
    def staged_operations(self) -> dict[str, OperationRecord]:
        return self._operations

    def operation(self, operation_id: str) -> OperationRecord | None:
        """The operation as this transaction sees it (staged change first)."""
        staged = self._operations.get(operation_id)
        return staged if staged is not None else self.live.operations.get(operation_id)

    def update_record(self, **fields: object) -> None:
        """Change fields of the execution record (and write it with this transaction)."""
        counters = _COUNTER_FIELDS.intersection(fields)
        if counters:
            raise ValueError(f"{sorted(counters)} are counters the transaction keeps itself")
        self.record = replace(self.record, **fields)  # type: ignore[arg-type]
        self._record_changed = True

    def advance_token_sequence(self, sequence: int) -> None:
        """Set the token sequence without making the record worth a write on its own:
        after a restart every token is void anyway."""
        self._token_sequence = sequence

    def put_operation(self, record: OperationRecord, *, by_service: bool) -> OperationRecord:
        """Stage a new or changed operation; returns it with its change sequence set."""
        if self.operation(record.operation_id) is None:
            self._operation_count += 1
        self._change_sequence += 1
        record = replace(
            record, changed_sequence=self._change_sequence, changed_by_service=by_service
        )
        self._operations[record.operation_id] = record
        if by_service:
            self._service_changed.add(record.operation_id)
        self.changes.put_operation(record)
        return record

    def append_event(
        self,
        event_type: EventType,
        details: EventDetails,
        operation: OperationRecord | None = None,
        *,
        execution_level: bool = False,
    ) -> EventRecord:
        """Stage the next history event (EventId = events so far + 1).

        Operation events carry the operation's Id, Name, ParentId and SubType; execution
        events (``execution_level``) the execution's id and name.
        """
        self._event_count += 1
        if operation is not None:
            event = EventRecord(
                execution_id=self.execution_id,
                event_id=self._event_count,
                event_type=event_type,
                timestamp_ms=self.now_ms,
                details=details,
                operation_id=operation.operation_id,
                name=operation.name,
                parent_id=operation.parent_id,
                sub_type=None if operation.sub_type is None else operation.sub_type.value,
            )
        elif execution_level:
            event = EventRecord(
                execution_id=self.execution_id,
                event_id=self._event_count,
                event_type=event_type,
                timestamp_ms=self.now_ms,
                details=details,
                operation_id=self.execution_id,
                name=self.record.name,
            )
        else:
            event = EventRecord(
                execution_id=self.execution_id,
                event_id=self._event_count,
                event_type=event_type,
                timestamp_ms=self.now_ms,
                details=details,
            )
        self.changes.events.append(event)
        return event

    def arm(self, key: TimerKey, due_ms: int) -> None:
        self.changes.arm(key, due_ms)

    def cancel(self, key: TimerKey) -> None:
        self.changes.cancel(key)

    def clear_timers(self) -> None:
        self.changes.clear_timers(self.execution_id)

    def register_callback(self, callback_id: str, operation_id: str) -> None:
        self.changes.callbacks.append(CallbackRecord(callback_id, self.execution_id, operation_id))

    def put_invocation(self, record: InvocationRecord) -> None:
        self.changes.put_invocation(record)

    def defer(self, action: Callable[[], None]) -> None:
        """Run ``action`` after the commit, outside the execution's lock."""
        self.deferred.append(action)

    def defer_until_invocation_ends(self, action: Callable[[], None]) -> None:
        """Run ``action`` after the commit, or, while an invocation of the execution is
        running, once that invocation has ended.

        Chained-invoke targets start this way. In Lambda a target takes far longer to
        start than the invocation that asked for it takes to suspend, so its completion
        always lands after that invocation's ``InvocationCompleted``; a target that runs
        in-process in microseconds would otherwise complete first.
        """
        if self.record.invocation_active:
            self.held.append(action)
        else:
            self.deferred.append(action)

    def remaining_dirty(self) -> set[str]:
        """Operations the handler will not have seen once this transaction commits."""
        dirty = self.live.dirty | self._operations.keys()
        if self.delivered is not None:
            dirty -= self.delivered
        return dirty

    def finish(self) -> Changeset:
        """Fold the counters into the execution record and return the change set.

        The counters (change and token sequences, event and operation counts, delivery
        watermark) alone do not make the record worth writing: a restart rebuilds them
        from the operation and event rows, and a stale watermark only means the
        handler may be shown an operation twice.
        """
        delivered_sequence = self.record.delivered_sequence
        if self.delivered is not None and not self.remaining_dirty():
            delivered_sequence = self._change_sequence
        self.record = replace(
            self.record,
            change_sequence=self._change_sequence,
            event_count=self._event_count,
            operation_count=self._operation_count,
            token_sequence=self._token_sequence,
            delivered_sequence=delivered_sequence,
        )
        if self._record_changed:
            self.changes.put_execution(self.record)
        return self.changes

    def apply(self) -> None:
        """Fold the committed changes into the live state."""
        live = self.live
        live.record = self.record
        live.held_dispatches.extend(self.held)
        if live.held_dispatches and not live.record.invocation_active:
            self.deferred.extend(live.held_dispatches)
            live.held_dispatches.clear()
        dirty = self.remaining_dirty()
        for operation_id, record in self._operations.items():
            live.operations[operation_id] = record
            if record.operation_type is OperationType.CONTEXT:
                live.context_ids.add(operation_id)
        live.dirty = dirty
        if self.reset_service_updated:
            live.service_updated = set()
        live.service_updated |= self._service_changed
        if self.changes.forgotten_idempotency:
            live.idempotency.clear()
        for answer in self.changes.idempotency:
            live.idempotency[answer.client_token] = answer
        if live.events is not None:
            live.events.extend(
                event for event in self.changes.events if event.execution_id == live.execution_id
            )
