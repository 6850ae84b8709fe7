"""Deterministic operation ids: where each operation's record lives in the state.

An id depends only on the call order inside a context and on the parent
context's id, never on names or timing, so a re-run of the same code finds the
same records.
"""

from __future__ import annotations

from hashlib import blake2b

_ID_LENGTH = 64


def operation_id(parent_id: str | None, position: int) -> str:
    """Return the id of the ``position``-th (1-based) operation of a context.

    ``parent_id`` is the id of the CONTEXT operation owning the context, or
    ``None`` at the root. The id is the first 64 hex digits of the BLAKE2b
    digest of ``"<position>"`` (root) or ``"<parent_id>-<position>"``.
    """
    raw = str(position) if parent_id is None else f"{parent_id}-{position}"
    return blake2b(raw.encode("utf-8")).hexdigest()[:_ID_LENGTH]


def branch_id(operation_id_: str, index: int) -> str:
    """Return the id of branch ``index`` (0-based) of a map or parallel operation."""
    return blake2b(f"{operation_id_}-{index}".encode()).hexdigest()[:_ID_LENGTH]
