"""The records a Lambda function would send to CloudWatch, captured locally.

The catalogue's ``ExpectedLogs`` are judged on CloudWatch records in Lambda's JSON log
format: the Python runtime renders every record that reaches the root logger as one JSON
object (time, level, message, logger name) with the ``extra`` fields of the call at its
top level, and the runner fetches an execution's records by their top-level
``durableExecutionArn`` or ``executionArn``. ``context.logger`` and the step loggers
write to the root logger by default, adding ``executionArn`` (with ``parentId``,
``operationName``, ``attempt`` and ``operationId`` where they apply).

:class:`RecordSink` is a root-logger handler that renders records the same way and keeps
them: in memory for the in-process backend, or one JSON object per line of a file for
``durable-lambda serve``, whose handlers module installs it at import when
:data:`LOG_FILE_VARIABLE` names the file (:func:`install_from_environment`). Like the
Lambda runtime, installing the sink lowers the root level to INFO. Records keep the
order they were emitted in, which is the order the checks use.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "ARN_FIELDS",
    "LOG_FILE_VARIABLE",
    "CapturedLogs",
    "RecordSink",
    "install_from_environment",
    "read_log_file",
    "records_of_execution",
    "render",
]

LOG_FILE_VARIABLE = "CONFORMANCE_LOG_FILE"
"""Environment variable naming the file the served handlers append their records to."""

ARN_FIELDS = ("durableExecutionArn", "executionArn")
"""Top-level fields the runner's CloudWatch filter finds an execution's records by."""

_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
}
"""Attributes every ``LogRecord`` has; anything else came from a call's ``extra``."""

_INSTALL_LOCK = threading.Lock()
_installed_file: Path | None = None


def render(record: logging.LogRecord) -> dict[str, Any]:
    """``record`` as the Lambda runtime's JSON log format writes it.

    Values that are not JSON become their ``str``, as they would in CloudWatch.
    """
    fields: dict[str, Any] = {
        "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "message": record.getMessage(),
        "logger": record.name,
    }
    if record.exc_info and record.exc_info[0] is not None:
        kind, error, trace = record.exc_info
        fields["errorType"] = kind.__name__
        fields["errorMessage"] = str(error)
        fields["stackTrace"] = traceback.format_exception(kind, error, trace)
    for key, value in vars(record).items():
        if key not in _RECORD_ATTRIBUTES and key not in fields:
            fields[key] = value
    rendered: dict[str, Any] = json.loads(json.dumps(fields, default=str))
    return rendered


class RecordSink(logging.Handler):
    """A handler that renders each record (:func:`render`) and hands it to ``keep``.

    ``keep`` runs under the handler's lock, so records are kept in emission order.
    """

    def __init__(self, keep: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(logging.NOTSET)
        self._keep = keep

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._keep(render(record))
        except Exception:
            self.handleError(record)


class CapturedLogs:
    """Keeps, in memory, every record reaching the root logger while it is open.

    Opening it adds a :class:`RecordSink` to the root logger and lowers the root level
    to INFO if it was higher; closing it undoes both.
    """

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._sink = RecordSink(self.records.append)
        self._previous_level: int | None = None

    def open(self) -> CapturedLogs:
        root = logging.getLogger()
        self._previous_level = root.level
        if root.getEffectiveLevel() > logging.INFO:
            root.setLevel(logging.INFO)
        root.addHandler(self._sink)
        return self

    def close(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self._sink)
        if self._previous_level is not None:
            root.setLevel(self._previous_level)
            self._previous_level = None

    def __enter__(self) -> CapturedLogs:
        return self.open()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _append_line(path: Path) -> Callable[[dict[str, Any]], None]:
    # The file is opened per record: logging configuration done later in the server
    # process (uvicorn's) closes every existing handler, which must not lose records.
    def keep(fields: dict[str, Any]) -> None:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(fields) + "\n")

    return keep


def install_from_environment(environ: Mapping[str, str] = os.environ) -> Path | None:
    """In a process hosting the handlers, append root-logger records to the file
    named by :data:`LOG_FILE_VARIABLE`; a second call does nothing.

    Returns:
        The file records go to, or None when the variable is not set.
    """
    global _installed_file
    location = environ.get(LOG_FILE_VARIABLE)
    if not location:
        return None
    with _INSTALL_LOCK:
        if _installed_file is None:
            _installed_file = Path(location)
            root = logging.getLogger()
            if root.getEffectiveLevel() > logging.INFO:
                root.setLevel(logging.INFO)
            root.addHandler(RecordSink(_append_line(_installed_file)))
        return _installed_file


def read_log_file(path: Path) -> list[dict[str, Any]]:
    """The records in a file the sink wrote, in order; a missing file holds none.

    A line that is not a JSON object becomes ``{"message": <the line>}``, as the
    runner reads plain output.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            parsed = None
        records.append(parsed if isinstance(parsed, dict) else {"message": line.strip()})
    return records


def records_of_execution(records: Iterable[Mapping[str, Any]], arn: str) -> list[Mapping[str, Any]]:
    """The records whose ``durableExecutionArn`` or ``executionArn`` is ``arn``."""
    return [record for record in records if any(record.get(name) == arn for name in ARN_FIELDS)]
