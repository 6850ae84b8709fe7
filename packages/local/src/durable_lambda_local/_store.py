"""The storage interface of the local service.

The control plane keeps the working state of the executions it is driving in memory
and writes every transaction (one API call, one timer firing, one invocation boundary)
to a store as a single :class:`~durable_lambda_local._records.Changeset`. A store must
apply a change set atomically and, when it is durable, survive a crash between two
commits. Reads serve what is not in working memory: history pages, listings, callback
lookups and recovery after a restart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from durable_lambda_local._records import (
    CallbackRecord,
    Changeset,
    EventRecord,
    ExecutionQuery,
    ExecutionRecord,
    IdempotencyRecord,
    InvocationRecord,
    OperationRecord,
)
from durable_lambda_local._timers import TimerKey

__all__ = ["Store"]


class Store(ABC):
    """Persistence for executions, operations, events, timers, callbacks, idempotency
    records and invocations. Implementations must be safe to call from several threads."""

    @abstractmethod
    def commit(self, changes: Changeset) -> None:
        """Apply ``changes`` atomically: all of it or, if this raises, none of it."""

    @abstractmethod
    def load_execution(self, execution_id: str) -> ExecutionRecord | None:
        """Return the execution, or None when it does not exist (or was deleted)."""

    @abstractmethod
    def find_execution_by_name(self, function_name: str, name: str) -> ExecutionRecord | None:
        """Return the execution of ``function_name`` called ``name``, if any."""

    @abstractmethod
    def load_operations(self, execution_id: str) -> list[OperationRecord]:
        """Return every operation of the execution in creation order."""

    @abstractmethod
    def read_events(
        self, execution_id: str, start_event_id: int, limit: int, *, reverse: bool = False
    ) -> list[EventRecord]:
        """Return up to ``limit`` events starting at ``start_event_id`` (inclusive),
        ascending, or descending from it when ``reverse``."""

    @abstractmethod
    def last_event_id(self, execution_id: str) -> int:
        """The highest EventId of the execution's history (0 when it has none)."""

    @abstractmethod
    def list_executions(self, query: ExecutionQuery) -> list[ExecutionRecord]:
        """Return up to ``query.limit`` executions matching ``query``, in its order."""

    @abstractmethod
    def function_names(self) -> list[str]:
        """Every function name that has at least one execution in the store, sorted."""

    @abstractmethod
    def find_callback(self, callback_id: str) -> CallbackRecord | None:
        """Return where ``callback_id`` points, or None when it is unknown."""

    @abstractmethod
    def load_timers(self) -> list[tuple[TimerKey, int]]:
        """Return every armed timer with its due time (epoch ms)."""

    @abstractmethod
    def load_unfinished_executions(self) -> list[ExecutionRecord]:
        """Return every execution that is not terminal."""

    @abstractmethod
    def load_idempotency(self, execution_id: str, client_token: str) -> IdempotencyRecord | None:
        """Return the stored answer for ``client_token`` on the execution, if any."""

    @abstractmethod
    def load_invocations(self, execution_id: str) -> list[InvocationRecord]:
        """Return the invocations of the execution, oldest first."""

    @abstractmethod
    def purge_idempotency(self, before_ms: int) -> None:
        """Forget idempotency records that expired before ``before_ms``."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources; the store must not be used afterwards."""
