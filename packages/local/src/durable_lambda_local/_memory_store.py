"""A store that keeps everything in dictionaries: fast, and gone with the process."""

from __future__ import annotations

import threading

from durable_lambda_local._records import (
    TERMINAL_EXECUTION_STATUSES,
    CallbackRecord,
    Changeset,
    EventRecord,
    ExecutionQuery,
    ExecutionRecord,
    IdempotencyRecord,
    InvocationRecord,
    OperationRecord,
)
from durable_lambda_local._store import Store
from durable_lambda_local._timers import TimerKey

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """The default store of the in-process test runner.

    It behaves like the SQLite store in every observable way (a new service opened on
    the same ``MemoryStore`` recovers exactly as after a restart) but persists nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executions: dict[str, ExecutionRecord] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._operations: dict[str, dict[str, OperationRecord]] = {}
        self._events: dict[str, list[EventRecord]] = {}
        self._callbacks: dict[str, CallbackRecord] = {}
        self._timers: dict[TimerKey, int] = {}
        self._idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self._invocations: dict[str, dict[str, InvocationRecord]] = {}

    def commit(self, changes: Changeset) -> None:
        with self._lock:
            for execution_id in changes.deleted_executions:
                self._delete(execution_id)
            for record in changes.executions.values():
                self._executions[record.execution_id] = record
                self._names[(record.function_name, record.name)] = record.execution_id
            for operation in changes.operations.values():
                self._operations.setdefault(operation.execution_id, {})[operation.operation_id] = (
                    operation
                )
            for event in changes.events:
                self._events.setdefault(event.execution_id, []).append(event)
            for callback in changes.callbacks:
                self._callbacks[callback.callback_id] = callback
            for forgotten in changes.forgotten_idempotency:
                for token in [token for token in self._idempotency if token[0] == forgotten]:
                    del self._idempotency[token]
            for answer in changes.idempotency:
                self._idempotency[(answer.execution_id, answer.client_token)] = answer
            for invocation in changes.invocations.values():
                self._invocations.setdefault(invocation.execution_id, {})[
                    invocation.invocation_id
                ] = invocation
            if changes.cleared_timer_executions:
                cleared = set(changes.cleared_timer_executions)
                for key in [key for key in self._timers if key.execution_id in cleared]:
                    del self._timers[key]
            for key in changes.cancelled_timers:
                self._timers.pop(key, None)
            self._timers.update(changes.armed_timers)

    def _delete(self, execution_id: str) -> None:
        record = self._executions.pop(execution_id, None)
        if record is not None:
            self._names.pop((record.function_name, record.name), None)
        self._operations.pop(execution_id, None)
        self._events.pop(execution_id, None)
        self._invocations.pop(execution_id, None)
        for callback_id in [
            cid for cid, cb in self._callbacks.items() if cb.execution_id == execution_id
        ]:
            del self._callbacks[callback_id]
        for key in [key for key in self._timers if key.execution_id == execution_id]:
            del self._timers[key]
        for token in [token for token in self._idempotency if token[0] == execution_id]:
            del self._idempotency[token]

    def load_execution(self, execution_id: str) -> ExecutionRecord | None:
        with self._lock:
            return self._executions.get(execution_id)

    def find_execution_by_name(self, function_name: str, name: str) -> ExecutionRecord | None:
        with self._lock:
            execution_id = self._names.get((function_name, name))
            return None if execution_id is None else self._executions.get(execution_id)

    def load_operations(self, execution_id: str) -> list[OperationRecord]:
        with self._lock:
            operations = list(self._operations.get(execution_id, {}).values())
        operations.sort(key=lambda record: record.position)
        return operations

    def read_events(
        self, execution_id: str, start_event_id: int, limit: int, *, reverse: bool = False
    ) -> list[EventRecord]:
        with self._lock:
            events = self._events.get(execution_id, [])
            # EventIds are 1..n without gaps, so an id is a list index.
            if reverse:
                stop = min(start_event_id, len(events))
                return list(reversed(events[max(stop - limit, 0) : stop]))
            start = max(start_event_id, 1) - 1
            return events[start : start + limit]

    def last_event_id(self, execution_id: str) -> int:
        with self._lock:
            return len(self._events.get(execution_id, ()))

    def list_executions(self, query: ExecutionQuery) -> list[ExecutionRecord]:
        with self._lock:
            matches = [record for record in self._executions.values() if _matches(record, query)]
        if query.after is not None:
            after = query.after
            if query.oldest_first:
                matches = [r for r in matches if (r.start_ms, r.execution_id) > after]
            else:
                matches = [r for r in matches if (r.start_ms, r.execution_id) < after]
        matches.sort(key=lambda r: (r.start_ms, r.execution_id), reverse=not query.oldest_first)
        return matches[: query.limit]

    def function_names(self) -> list[str]:
        with self._lock:
            return sorted({record.function_name for record in self._executions.values()})

    def find_callback(self, callback_id: str) -> CallbackRecord | None:
        with self._lock:
            return self._callbacks.get(callback_id)

    def load_timers(self) -> list[tuple[TimerKey, int]]:
        with self._lock:
            return list(self._timers.items())

    def load_unfinished_executions(self) -> list[ExecutionRecord]:
        with self._lock:
            return [
                record
                for record in self._executions.values()
                if record.status not in TERMINAL_EXECUTION_STATUSES
            ]

    def load_idempotency(self, execution_id: str, client_token: str) -> IdempotencyRecord | None:
        with self._lock:
            return self._idempotency.get((execution_id, client_token))

    def load_invocations(self, execution_id: str) -> list[InvocationRecord]:
        with self._lock:
            invocations = list(self._invocations.get(execution_id, {}).values())
        invocations.sort(key=lambda record: record.start_ms)
        return invocations

    def purge_idempotency(self, before_ms: int) -> None:
        with self._lock:
            for key in [k for k, r in self._idempotency.items() if r.expires_ms < before_ms]:
                del self._idempotency[key]


def _matches(record: ExecutionRecord, query: ExecutionQuery) -> bool:
    if record.function_name != query.function_name:
        return False
    if query.version is not None and record.version != query.version:
        return False
    if query.name is not None and record.name != query.name:
        return False
    if query.statuses is not None and record.status not in query.statuses:
        return False
    if query.started_after_ms is not None and record.start_ms < query.started_after_ms:
        return False
    return query.started_before_ms is None or record.start_ms <= query.started_before_ms
