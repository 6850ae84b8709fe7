"""Where the command line keeps its store, and how it finds a server already running on it.

``run`` and ``serve`` announce themselves for their store (see ``_store_location``), so
that ``executions`` and ``callback`` commands in another terminal reach that process
instead of opening the store behind its back.
"""

from __future__ import annotations

from durable_lambda_local._store_location import (
    announce,
    default_store_path,
    discovery_file,
    running_server,
)

__all__ = ["MEMORY_STORE", "announce", "default_store_path", "discovery_file", "running_server"]

MEMORY_STORE = "memory"
"""``--store memory``: keep executions in memory only (nothing survives the process)."""
