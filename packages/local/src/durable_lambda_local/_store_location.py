"""Where the local service keeps its store by default, and how a process serving a store
announces itself so that no second service opens it behind its back.

``durable-lambda run`` and ``serve``, and a :class:`~durable_lambda_local.http.LocalServer`
on the default store, write ``<store>.server.json`` (URL and process id) while they serve
a SQLite store; the command line's other commands reach that process through it.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["announce", "default_store_path", "discovery_file", "running_server"]


def default_store_path() -> Path:
    """``$DURABLE_LAMBDA_STORE``, else ``$XDG_STATE_HOME/durable-lambda/executions.sqlite3``
    (``~/.local/state/durable-lambda/executions.sqlite3`` when XDG_STATE_HOME is unset)."""
    configured = os.environ.get("DURABLE_LAMBDA_STORE")
    if configured:
        return Path(configured).expanduser()
    state_home = os.environ.get("XDG_STATE_HOME") or "~/.local/state"
    return Path(state_home).expanduser() / "durable-lambda" / "executions.sqlite3"


def discovery_file(store: Path) -> Path:
    """The file announcing the server that owns ``store``."""
    return store.with_name(store.name + ".server.json")


@contextlib.contextmanager
def announce(store: Path | None, url: str) -> Iterator[None]:
    """Announce ``url`` as the server of ``store`` while the block runs."""
    if store is None:
        yield
        return
    path = discovery_file(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()


def running_server(store: Path) -> str | None:
    """URL of a live server announced for ``store``, or None."""
    path = discovery_file(store)
    try:
        announced = json.loads(path.read_text())
        url, pid = str(announced["url"]), int(announced["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:
        with urllib.request.urlopen(f"{url}/_local/health", timeout=2) as reply:
            return url if reply.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None
