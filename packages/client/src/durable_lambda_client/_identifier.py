"""``OperationIdentifier``: the id, parent and name that place an operation."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OperationIdentifier"]


@dataclass(frozen=True, slots=True)
class OperationIdentifier:
    """Where an operation sits: its id, the enclosing context's id, and its name.

    The ``OperationUpdate`` factories copy all three into the update.
    """

    operation_id: str
    parent_id: str | None = None
    name: str | None = None
