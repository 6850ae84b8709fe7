"""Running ``durable-lambda serve`` as a subprocess for the HTTP workload W8.

The server listens on a free loopback port (``--port 0``) and announces its URL as one
JSON line (``--json``); its store is ``memory`` or a SQLite file in a temporary folder
that is removed afterwards. It is stopped with SIGTERM, which it treats as Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
STORES = ("memory", "sqlite")


class ServeError(Exception):
    """The server could not be started, or stopped with an error."""


@dataclass(frozen=True)
class Served:
    """A running server: where to reach it and which store it keeps executions in."""

    url: str
    store: str


def _drain(stream: IO[str], first_line: queue.Queue[str | None]) -> None:
    """Hand the first line over, then keep reading so the server never blocks on a full pipe."""
    handed_over = False
    for line in stream:
        if not handed_over:
            first_line.put(line)
            handed_over = True
    if not handed_over:
        first_line.put(None)


def _tail(path: Path, limit: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


@contextlib.contextmanager
def serve(command: Sequence[str], functions: Mapping[str, str], store: str) -> Iterator[Served]:
    """Start ``<command> serve`` hosting ``functions`` (name to ``file.py:attribute``).

    Args:
        command: the ``durable-lambda`` command line (an executable, or an
            interpreter with ``-m``).
        functions: the durable functions to host.
        store: ``memory`` or ``sqlite``.

    Raises:
        ValueError: ``store`` is neither ``memory`` nor ``sqlite``.
        ServeError: the server exited or stayed silent instead of announcing its URL.
    """
    if store not in STORES:
        raise ValueError(f"store: expected one of {STORES}, got {store!r}")
    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    store_option = "memory" if store == "memory" else str(folder / "executions.sqlite3")
    arguments = [*command, "serve", "--port", "0", "--json", "--skip-time"]
    arguments += ["--store", store_option]
    for name, target in functions.items():
        arguments += ["--function", f"{name}={target}"]
    log = folder / "server.log"
    try:
        with log.open("w") as errors:
            process = subprocess.Popen(
                arguments, stdout=subprocess.PIPE, stderr=errors, text=True, cwd=folder
            )
        assert process.stdout is not None
        first_line: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(
            target=_drain,
            args=(process.stdout, first_line),
            name="bench-serve-stdout",
            daemon=True,
        )
        reader.start()
        try:
            yield Served(_announced_url(first_line, process, log), store)
        finally:
            _stop(process)
            reader.join(STOP_TIMEOUT_S)
            process.stdout.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _announced_url(
    first_line: queue.Queue[str | None], process: subprocess.Popen[str], log: Path
) -> str:
    try:
        line = first_line.get(timeout=STARTUP_TIMEOUT_S)
    except queue.Empty:
        raise ServeError(
            f"durable-lambda serve announced nothing within {STARTUP_TIMEOUT_S:g} s:\n{_tail(log)}"
        ) from None
    if line is None:
        raise ServeError(
            f"durable-lambda serve exited with {process.wait()} before announcing its URL:\n"
            f"{_tail(log)}"
        )
    try:
        url = json.loads(line)["url"]
    except (ValueError, KeyError, TypeError) as error:
        raise ServeError(f"durable-lambda serve announced {line!r}: no 'url' ({error})") from None
    return str(url)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
