"""Parent/child bookkeeping, and the rejection of updates from orphaned children."""

from __future__ import annotations

from collections.abc import Mapping

from durable_lambda_client import (
    Operation,
    OperationAction,
    OperationType,
    OperationUpdate,
    OrphanedChildException,
)

__all__ = ["ChildRegistry"]

_ORPHAN_MESSAGE = "Parent context completed, child operation cannot checkpoint"


class ChildRegistry:
    """Knows each operation's parent and which contexts have completed.

    A context completes when its CONTEXT SUCCEED or FAIL update is queued (or when
    ``mark_completed`` is called). From then on every operation below it is an
    orphan: a map or parallel that completed early leaves branches running, and
    their updates must not reach the service. An update is rejected when any of its
    ancestors completed, which covers the descendants known when the context
    completed and the ones a running branch creates afterwards.

    Not thread-safe on its own: the execution state calls it under its lock, so that
    the check and the enqueueing of an update are one step.

    Args:
        stored: the operations known from the service, whose parent ids link
            operations created by earlier invocations.
    """

    def __init__(self, stored: Mapping[str, Operation]) -> None:
        self._stored = stored
        self._parents: dict[str, str] = {}
        self._completed: set[str] = set()

    def admit(self, update: OperationUpdate) -> None:
        """Register ``update`` and reject it if it comes from an orphan.

        Raises:
            OrphanedChildException: an ancestor of the update's operation completed.
        """
        operation_id = update.operation_id
        parent_id = update.parent_id
        if parent_id is not None:
            self._parents[operation_id] = parent_id
        else:
            parent_id = self._parent_of(operation_id)
        if parent_id is not None and self._completed and self._has_completed_ancestor(parent_id):
            raise OrphanedChildException(_ORPHAN_MESSAGE, operation_id)
        if update.operation_type is OperationType.CONTEXT and (
            update.action is OperationAction.SUCCEED or update.action is OperationAction.FAIL
        ):
            self._completed.add(operation_id)

    def mark_completed(self, context_id: str) -> None:
        """Treat ``context_id`` as completed: later updates below it are rejected."""
        self._completed.add(context_id)

    def is_orphaned(self, operation_id: str) -> bool:
        """True when an ancestor of ``operation_id`` has completed."""
        parent_id = self._parent_of(operation_id)
        return (
            parent_id is not None
            and bool(self._completed)
            and (self._has_completed_ancestor(parent_id))
        )

    def _parent_of(self, operation_id: str) -> str | None:
        parent_id = self._parents.get(operation_id)
        if parent_id is None:
            stored = self._stored.get(operation_id)
            if stored is not None:
                parent_id = stored.parent_id
        return parent_id

    def _has_completed_ancestor(self, ancestor_id: str) -> bool:
        completed = self._completed
        seen: set[str] = set()
        current: str | None = ancestor_id
        while current is not None and current not in seen:
            if current in completed:
                return True
            seen.add(current)
            current = self._parent_of(current)
        return False
