"""A durable store in one SQLite file: the default of the local server.

One table per entity (executions, operations, events, timers, callbacks, idempotency,
invocations), a ``schema_version`` table for migrations, WAL journaling, and one write
transaction per change set. Rows hold the columns that are searched or ordered on and
the rest of the record as a compact JSON array (see ``_record_codec``), so a checkpoint
writes only the rows it changed, each field once; an execution's input, which never
changes, has a column of its own and is written once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from durable_lambda_local._record_codec import (
    EVENT_COLUMNS,
    EXECUTION_COLUMNS,
    INVOCATION_COLUMNS,
    OPERATION_COLUMNS,
    decode_checkpoint_output,
    decode_event,
    decode_execution,
    decode_invocation,
    decode_operation,
    decode_v2_event,
    decode_v2_execution,
    decode_v2_invocation,
    decode_v2_operation,
    encode_checkpoint_output,
    encode_event,
    encode_execution,
    encode_invocation,
    encode_operation,
)
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
from durable_lambda_local._timers import TimerKey, TimerKind

__all__ = ["SCHEMA_VERSION", "SqliteStore"]

SCHEMA_VERSION = 3

_SCHEMA_V1 = """
CREATE TABLE executions (
    execution_id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX executions_by_name ON executions (function_name, name);
CREATE INDEX executions_by_start ON executions (function_name, start_ms, execution_id);
CREATE INDEX executions_by_status ON executions (status);
CREATE TABLE operations (
    execution_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (execution_id, operation_id)
) WITHOUT ROWID;
CREATE TABLE events (
    execution_id TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (execution_id, event_id)
) WITHOUT ROWID;
CREATE TABLE timers (
    execution_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    due_ms INTEGER NOT NULL,
    PRIMARY KEY (execution_id, kind, operation_id)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due_ms);
CREATE TABLE callbacks (
    callback_id TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL,
    operation_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX callbacks_by_execution ON callbacks (execution_id);
CREATE TABLE idempotency (
    execution_id TEXT NOT NULL,
    client_token TEXT NOT NULL,
    checkpoint_token TEXT NOT NULL,
    response TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (execution_id, client_token)
) WITHOUT ROWID;
CREATE TABLE invocations (
    execution_id TEXT NOT NULL,
    invocation_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (execution_id, invocation_id)
) WITHOUT ROWID;
"""

# Version 2 keeps the input payload out of the record that every checkpoint rewrites.
_SCHEMA_V2 = """
ALTER TABLE executions ADD COLUMN input_payload TEXT;
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(connection: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                connection.execute(statement)

    return run


_REWRITE_CHUNK = 500


def _rewrite_records(
    connection: sqlite3.Connection,
    table: str,
    key: Sequence[str],
    read: str,
    convert: Callable[[tuple[Any, ...]], tuple[Any, ...]],
    write: str,
) -> None:
    """Rewrite every row of ``table``, a chunk at a time in key order: ``read`` names
    the columns after the key, ``convert`` maps (key..., read...) to the parameters of
    ``UPDATE table SET <write> WHERE <key>``."""
    keys = ", ".join(key)
    select = f"SELECT {keys}, {read} FROM {table}"
    after = f" WHERE ({keys}) > ({', '.join('?' for _ in key)})"
    order = f" ORDER BY {keys} LIMIT {_REWRITE_CHUNK}"
    update = f"UPDATE {table} SET {write} WHERE " + " AND ".join(f"{k} = ?" for k in key)
    last: tuple[Any, ...] | None = None
    while True:
        if last is None:
            rows = connection.execute(select + order).fetchall()
        else:
            rows = connection.execute(select + after + order, last).fetchall()
        if not rows:
            return
        connection.executemany(update, [convert(row) for row in rows])
        last = tuple(rows[-1][: len(key)])


def _compact_rows(connection: sqlite3.Connection) -> None:
    """Version 3 keeps the column fields out of the JSON of every record."""

    def execution(row: tuple[Any, ...]) -> tuple[Any, ...]:
        execution_id, text, input_payload = row
        record = decode_v2_execution(text, input_payload)
        return encode_execution(record), record.input_payload, execution_id

    def operation(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return encode_operation(decode_v2_operation(row[2])), row[0], row[1]

    def event(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return encode_event(decode_v2_event(row[2])), row[0], row[1]

    def invocation(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return encode_invocation(decode_v2_invocation(row[2])), row[0], row[1]

    _rewrite_records(
        connection,
        "executions",
        ("execution_id",),
        "record, input_payload",
        execution,
        "record = ?, input_payload = ?",
    )
    key = ("execution_id", "operation_id")
    _rewrite_records(connection, "operations", key, "record", operation, "record = ?")
    key = ("execution_id", "event_id")
    _rewrite_records(connection, "events", key, "record", event, "record = ?")
    key = ("execution_id", "invocation_id")
    _rewrite_records(connection, "invocations", key, "record", invocation, "record = ?")


_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _script(_SCHEMA_V1),
    2: _script(_SCHEMA_V2),
    3: _compact_rows,
}

_EXECUTION_READ = f"SELECT {', '.join(EXECUTION_COLUMNS)}, record FROM executions"
_OPERATION_READ = f"SELECT {', '.join(OPERATION_COLUMNS)}, record FROM operations"
_EVENT_READ = f"SELECT {', '.join(EVENT_COLUMNS)}, record FROM events"
_INVOCATION_READ = f"SELECT {', '.join(INVOCATION_COLUMNS)}, record FROM invocations"

# A background checkpoint is asked for after this many rows (a row dirties one or two
# pages, so about SQLite's own default of a checkpoint per 1,000 WAL pages).
_CHECKPOINT_EVERY_ROWS = 500
# Past this many WAL pages the committing thread checkpoints itself: the background
# checkpoints cannot restart a WAL that commits keep appending to, and a WAL grows
# until a checkpoint finds no commit after it.
_WAL_LIMIT_PAGES = 10_000


class _Checkpointer:
    """Copies committed pages from the WAL into the database file on a thread and
    connection of its own, so that no commit waits for the two fsyncs a checkpoint
    makes (with ``synchronous=NORMAL`` a commit itself never waits for the disk).

    Durability is unchanged: a commit is in the WAL before ``commit`` returns, and a
    process that dies leaves it there for the next one to read. A checkpoint that fails
    is reported by the store's next ``commit`` or its ``close``.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._condition = threading.Condition()
        self._requested = False
        self._closed = False
        self._failure: Exception | None = None
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        """Ask for a checkpoint (started on the first request, then kept waiting)."""
        with self._condition:
            if self._closed:
                return
            self._requested = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run,
                    name=f"durable-lambda-sqlite-checkpoint-{Path(self._path).name}",
                    daemon=True,
                )
                self._thread.start()
            else:
                self._condition.notify()

    def take_failure(self) -> Exception | None:
        """The error of a failed checkpoint not reported yet, if any."""
        with self._condition:
            failure, self._failure = self._failure, None
            return failure

    def close(self) -> None:
        """Stop the thread after the checkpoint it is making, if any."""
        with self._condition:
            self._closed = True
            self._condition.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        except Exception as error:
            self._fail(error)
            return
        try:
            while True:
                with self._condition:
                    while not (self._requested or self._closed):
                        self._condition.wait()
                    if self._closed:
                        return
                    self._requested = False
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except Exception as error:
                    self._fail(error)
        finally:
            connection.close()

    def _fail(self, error: Exception) -> None:
        with self._condition:
            self._failure = error


_PER_EXECUTION_TABLES = (
    "operations",
    "events",
    "timers",
    "callbacks",
    "idempotency",
    "invocations",
)


class SqliteStore(Store):
    """Executions in a SQLite database file that survives restarts.

    Args:
        path: the database file (created with its schema when missing); ``":memory:"``
            gives a private in-memory database, handy for tests.

    Raises:
        RuntimeError: the file was written by a newer version of this package (its
            schema version is unknown here).
    """

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(
            self._path, check_same_thread=False, isolation_level=None
        )
        self._checkpointer: _Checkpointer | None = None
        self._rows_since_checkpoint = 0
        try:
            (journal,) = self._connection.execute("PRAGMA journal_mode=WAL").fetchone()
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute("PRAGMA foreign_keys=OFF")
            self._migrate()
            if journal == "wal":  # not for ":memory:"
                self._connection.execute(f"PRAGMA wal_autocheckpoint={_WAL_LIMIT_PAGES}")
                self._checkpointer = _Checkpointer(self._path)
        except BaseException:
            self._connection.close()
            raise

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            return self._read_version()

    def _read_version(self) -> int:
        row = self._connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
        ).fetchone()
        if row is None:
            return 0
        version = self._connection.execute("SELECT version FROM schema_version").fetchone()
        return 0 if version is None else int(version[0])

    def _migrate(self) -> None:
        with self._lock:
            current = self._read_version()
            if current > SCHEMA_VERSION:
                raise RuntimeError(
                    f"database {self._path} has schema version {current}; this version of "
                    f"durable-lambda-local reads versions up to {SCHEMA_VERSION}"
                )
            if current == SCHEMA_VERSION:
                return
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                if current == 0:
                    connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                    connection.execute("INSERT INTO schema_version VALUES (0)")
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    _MIGRATIONS[version](connection)
                    connection.execute("UPDATE schema_version SET version = ?", (version,))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the database (a last checkpoint empties the WAL into the file).

        Raises:
            sqlite3.Error: a background checkpoint failed since the last commit.
        """
        checkpointer = self._checkpointer
        if checkpointer is not None:
            checkpointer.close()
        with self._lock:
            self._connection.close()
        self._raise_checkpoint_failure()

    def commit(self, changes: Changeset) -> None:
        """Write ``changes`` in one transaction.

        Raises:
            sqlite3.Error: the transaction failed (nothing was written), or a background
                checkpoint failed since the last commit (nothing was written either).
        """
        self._raise_checkpoint_failure()
        connection = self._connection
        with self._lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._write(connection, changes)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            self._rows_since_checkpoint += _row_count(changes)
            checkpoint = self._rows_since_checkpoint >= _CHECKPOINT_EVERY_ROWS
            if checkpoint:
                self._rows_since_checkpoint = 0
        if checkpoint and self._checkpointer is not None:
            self._checkpointer.request()

    def _raise_checkpoint_failure(self) -> None:
        failure = None if self._checkpointer is None else self._checkpointer.take_failure()
        if failure is not None:
            raise sqlite3.OperationalError(
                f"a background checkpoint of {self._path} failed: {failure!r}"
            ) from failure

    def _write(self, connection: sqlite3.Connection, changes: Changeset) -> None:
        for execution_id in changes.deleted_executions:
            connection.execute("DELETE FROM executions WHERE execution_id = ?", (execution_id,))
            for table in _PER_EXECUTION_TABLES:
                connection.execute(f"DELETE FROM {table} WHERE execution_id = ?", (execution_id,))
        for record in changes.executions.values():
            encoded = encode_execution(record)
            updated = connection.execute(
                "UPDATE executions SET status = ?, record = ? WHERE execution_id = ?",
                (record.status.value, encoded, record.execution_id),
            )
            if updated.rowcount == 0:
                connection.execute(
                    "INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.execution_id,
                        record.function_name,
                        record.name,
                        record.version,
                        record.status.value,
                        record.start_ms,
                        encoded,
                        record.input_payload,
                    ),
                )
        if changes.operations:
            connection.executemany(
                "INSERT INTO operations VALUES (?, ?, ?, ?) "
                "ON CONFLICT (execution_id, operation_id) DO UPDATE SET record = excluded.record",
                [
                    (
                        record.execution_id,
                        record.operation_id,
                        record.position,
                        encode_operation(record),
                    )
                    for record in changes.operations.values()
                ],
            )
        if changes.events:
            connection.executemany(
                "INSERT INTO events VALUES (?, ?, ?)",
                [
                    (event.execution_id, event.event_id, encode_event(event))
                    for event in changes.events
                ],
            )
        if changes.callbacks:
            connection.executemany(
                "INSERT OR REPLACE INTO callbacks VALUES (?, ?, ?)",
                [
                    (callback.callback_id, callback.execution_id, callback.operation_id)
                    for callback in changes.callbacks
                ],
            )
        for execution_id in changes.forgotten_idempotency:
            connection.execute("DELETE FROM idempotency WHERE execution_id = ?", (execution_id,))
        if changes.idempotency:
            connection.executemany(
                "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        record.execution_id,
                        record.client_token,
                        record.checkpoint_token,
                        encode_checkpoint_output(record.response),
                        record.expires_ms,
                    )
                    for record in changes.idempotency
                ],
            )
        if changes.invocations:
            connection.executemany(
                "INSERT INTO invocations VALUES (?, ?, ?, ?) "
                "ON CONFLICT (execution_id, invocation_id) DO UPDATE SET record = excluded.record",
                [
                    (
                        record.execution_id,
                        record.invocation_id,
                        record.start_ms,
                        encode_invocation(record),
                    )
                    for record in changes.invocations.values()
                ],
            )
        for execution_id in changes.cleared_timer_executions:
            connection.execute("DELETE FROM timers WHERE execution_id = ?", (execution_id,))
        if changes.cancelled_timers:
            connection.executemany(
                "DELETE FROM timers WHERE execution_id = ? AND kind = ? AND operation_id = ?",
                [
                    (key.execution_id, key.kind.value, key.operation_id)
                    for key in changes.cancelled_timers
                ],
            )
        if changes.armed_timers:
            connection.executemany(
                "INSERT OR REPLACE INTO timers VALUES (?, ?, ?, ?)",
                [
                    (key.execution_id, key.kind.value, key.operation_id, due_ms)
                    for key, due_ms in changes.armed_timers.items()
                ],
            )

    def _query(self, sql: str, parameters: Iterable[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return self._connection.execute(sql, tuple(parameters)).fetchall()

    def load_execution(self, execution_id: str) -> ExecutionRecord | None:
        rows = self._query(f"{_EXECUTION_READ} WHERE execution_id = ?", (execution_id,))
        return _execution(rows[0]) if rows else None

    def find_execution_by_name(self, function_name: str, name: str) -> ExecutionRecord | None:
        rows = self._query(
            f"{_EXECUTION_READ} WHERE function_name = ? AND name = ?", (function_name, name)
        )
        return _execution(rows[0]) if rows else None

    def load_operations(self, execution_id: str) -> list[OperationRecord]:
        rows = self._query(
            f"{_OPERATION_READ} WHERE execution_id = ? ORDER BY position", (execution_id,)
        )
        return [decode_operation(str(row[-1]), row[:-1]) for row in rows]

    def read_events(
        self, execution_id: str, start_event_id: int, limit: int, *, reverse: bool = False
    ) -> list[EventRecord]:
        if reverse:
            sql = (
                f"{_EVENT_READ} WHERE execution_id = ? AND event_id <= ? "
                "ORDER BY event_id DESC LIMIT ?"
            )
        else:
            sql = (
                f"{_EVENT_READ} WHERE execution_id = ? AND event_id >= ? ORDER BY event_id LIMIT ?"
            )
        rows = self._query(sql, (execution_id, start_event_id, limit))
        return [decode_event(str(row[-1]), row[:-1]) for row in rows]

    def last_event_id(self, execution_id: str) -> int:
        rows = self._query(
            "SELECT max(event_id) FROM events WHERE execution_id = ?", (execution_id,)
        )
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    def list_executions(self, query: ExecutionQuery) -> list[ExecutionRecord]:
        clauses = ["function_name = ?"]
        parameters: list[object] = [query.function_name]
        if query.version is not None:
            clauses.append("version = ?")
            parameters.append(query.version)
        if query.name is not None:
            clauses.append("name = ?")
            parameters.append(query.name)
        if query.statuses is not None:
            clauses.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
            parameters.extend(sorted(status.value for status in query.statuses))
        if query.started_after_ms is not None:
            clauses.append("start_ms >= ?")
            parameters.append(query.started_after_ms)
        if query.started_before_ms is not None:
            clauses.append("start_ms <= ?")
            parameters.append(query.started_before_ms)
        direction = "ASC" if query.oldest_first else "DESC"
        if query.after is not None:
            clauses.append(f"(start_ms, execution_id) {'>' if query.oldest_first else '<'} (?, ?)")
            parameters.extend(query.after)
        sql = (
            f"{_EXECUTION_READ} WHERE {' AND '.join(clauses)} "
            f"ORDER BY start_ms {direction}, execution_id {direction} LIMIT ?"
        )
        parameters.append(query.limit)
        return [_execution(row) for row in self._query(sql, parameters)]

    def function_names(self) -> list[str]:
        # The executions_by_start index leads with function_name: a scan of its keys.
        rows = self._query("SELECT DISTINCT function_name FROM executions ORDER BY function_name")
        return [str(row[0]) for row in rows]

    def find_callback(self, callback_id: str) -> CallbackRecord | None:
        rows = self._query(
            "SELECT execution_id, operation_id FROM callbacks WHERE callback_id = ?",
            (callback_id,),
        )
        if not rows:
            return None
        return CallbackRecord(callback_id, str(rows[0][0]), str(rows[0][1]))

    def load_timers(self) -> list[tuple[TimerKey, int]]:
        rows = self._query("SELECT execution_id, kind, operation_id, due_ms FROM timers")
        return [
            (TimerKey(str(row[0]), TimerKind(row[1]), str(row[2])), int(str(row[3])))
            for row in rows
        ]

    def load_unfinished_executions(self) -> list[ExecutionRecord]:
        terminal = sorted(status.value for status in TERMINAL_EXECUTION_STATUSES)
        rows = self._query(
            f"{_EXECUTION_READ} WHERE status NOT IN "
            f"({', '.join('?' for _ in terminal)}) ORDER BY start_ms",
            terminal,
        )
        return [_execution(row) for row in rows]

    def load_idempotency(self, execution_id: str, client_token: str) -> IdempotencyRecord | None:
        rows = self._query(
            "SELECT checkpoint_token, response, expires_ms FROM idempotency "
            "WHERE execution_id = ? AND client_token = ?",
            (execution_id, client_token),
        )
        if not rows:
            return None
        token, response, expires = rows[0]
        return IdempotencyRecord(
            execution_id,
            client_token,
            str(token),
            decode_checkpoint_output(str(response)),
            int(str(expires)),
        )

    def load_invocations(self, execution_id: str) -> list[InvocationRecord]:
        rows = self._query(
            f"{_INVOCATION_READ} WHERE execution_id = ? ORDER BY start_ms", (execution_id,)
        )
        return [decode_invocation(str(row[-1]), row[:-1]) for row in rows]

    def purge_idempotency(self, before_ms: int) -> None:
        with self._lock:
            self._connection.execute("DELETE FROM idempotency WHERE expires_ms < ?", (before_ms,))


def _row_count(changes: Changeset) -> int:
    """Rows a change set writes, deletions aside (they are rare)."""
    return (
        len(changes.executions)
        + len(changes.operations)
        + len(changes.events)
        + len(changes.callbacks)
        + len(changes.idempotency)
        + len(changes.invocations)
        + len(changes.armed_timers)
    )


def _execution(row: tuple[object, ...]) -> ExecutionRecord:
    """An execution from a row of ``_EXECUTION_READ``."""
    return decode_execution(str(row[-1]), row[:-1])
