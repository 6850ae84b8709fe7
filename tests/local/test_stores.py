"""The two stores behave alike, and a service reopened on a store picks up where the
previous one stopped."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from durable_lambda_client import (
    CallbackOptions,
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    ErrorObject,
    EventResult,
    EventType,
    ExecutionStatus,
    InvocationCompletedDetails,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    RetryDetails,
    StepStartedDetails,
    StepSucceededDetails,
)
from durable_lambda_local._clock import VirtualClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._memory_store import MemoryStore
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
from durable_lambda_local._sqlite_store import SCHEMA_VERSION, SqliteStore
from durable_lambda_local._store import Store
from durable_lambda_local._timers import TimerKey, TimerKind

from .conftest import (
    PENDING,
    START,
    Harness,
    Invocation,
    Script,
    step_succeed,
    succeeded,
    wait_start,
)


def make_store(kind: str, tmp_path: Path) -> Store:
    return MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "store.db")


def execution(execution_id: str, start_ms: int, **kw: Any) -> ExecutionRecord:
    return ExecutionRecord(
        execution_id=execution_id,
        arn=f"arn:{execution_id}",
        name=f"name-{execution_id}",
        function_name=kw.pop("function_name", "fn"),
        version="$LATEST",
        region="us-east-1",
        account="123456789012",
        status=kw.pop("status", ExecutionStatus.RUNNING),
        input_payload="{}",
        start_ms=start_ms,
        timeout_seconds=300,
        deadline_ms=start_ms + 300_000,
        retention_days=14,
        **kw,
    )


def test_change_sets_round_trip(store_kind: str, tmp_path: Path) -> None:
    store = make_store(store_kind, tmp_path)
    error = ErrorObject("m", "T", "d", ["a", "b"])
    record = execution("e1", 1000, error=error, checkpointed_outcome=ExecutionStatus.FAILED)
    operation = OperationRecord(
        "e1",
        "s",
        1,
        OperationType.STEP,
        OperationStatus.PENDING,
        1000,
        attempt=2,
        next_attempt_ms=5000,
        result='"r"',
        error=error,
        changed_sequence=3,
    )
    event = EventRecord(
        "e1",
        1,
        EventType.STEP_SUCCEEDED,
        1000,
        StepSucceededDetails(EventResult('"r"'), RetryDetails(2, 5)),
        operation_id="s",
        name="n",
        parent_id=None,
        sub_type="Step",
    )
    output = CheckpointOutput("tok", CheckpointUpdatedExecutionState([], None))
    changes = Changeset()
    changes.put_execution(record)
    changes.put_operation(operation)
    changes.events.append(event)
    changes.callbacks.append(CallbackRecord("cb", "e1", "s"))
    changes.idempotency.append(IdempotencyRecord("e1", "ct", "tok0", output, 9000))
    changes.put_invocation(InvocationRecord("e1", "i1", "r1", 1000, 2000, error))
    changes.arm(TimerKey("e1", TimerKind.STEP_READY, "s"), 5000)
    store.commit(changes)

    assert store.load_execution("e1") == record
    assert store.find_execution_by_name("fn", "name-e1") == record
    assert store.load_operations("e1") == [operation]
    assert store.read_events("e1", 1, 10) == [event]
    assert store.find_callback("cb") == CallbackRecord("cb", "e1", "s")
    stored = store.load_idempotency("e1", "ct")
    assert stored is not None
    assert stored.response == output
    assert store.load_invocations("e1") == [InvocationRecord("e1", "i1", "r1", 1000, 2000, error)]
    assert store.load_timers() == [(TimerKey("e1", TimerKind.STEP_READY, "s"), 5000)]
    assert store.load_unfinished_executions() == [record]

    later = Changeset()
    later.clear_timers("e1")
    later.arm(TimerKey("e1", TimerKind.RETENTION), 99)
    store.commit(later)
    assert store.load_timers() == [(TimerKey("e1", TimerKind.RETENTION), 99)]
    store.purge_idempotency(10_000)
    assert store.load_idempotency("e1", "ct") is None

    gone = Changeset()
    gone.deleted_executions.append("e1")
    store.commit(gone)
    assert store.load_execution("e1") is None
    assert store.find_callback("cb") is None
    assert store.read_events("e1", 1, 10) == []
    store.close()


def test_listing_orders_filters_and_pages_alike(store_kind: str, tmp_path: Path) -> None:
    store = make_store(store_kind, tmp_path)
    changes = Changeset()
    for index in range(6):
        status = ExecutionStatus.SUCCEEDED if index % 2 else ExecutionStatus.RUNNING
        changes.put_execution(execution(f"e{index}", 1000 * (index // 2), status=status))
    changes.put_execution(execution("other", 0, function_name="g"))
    store.commit(changes)

    def ids(**kw: Any) -> list[str]:
        return [r.execution_id for r in store.list_executions(ExecutionQuery("fn", **kw))]

    assert ids() == ["e5", "e4", "e3", "e2", "e1", "e0"]
    assert ids(oldest_first=True) == ["e0", "e1", "e2", "e3", "e4", "e5"]
    assert ids(after=(1000, "e3")) == ["e2", "e1", "e0"]
    assert ids(oldest_first=True, after=(1000, "e2")) == ["e3", "e4", "e5"]
    assert ids(statuses=frozenset({ExecutionStatus.SUCCEEDED})) == ["e5", "e3", "e1"]
    assert ids(started_after_ms=1000, started_before_ms=1000) == ["e3", "e2"]
    assert ids(name="name-e4") == ["e4"]
    assert ids(limit=2) == ["e5", "e4"]
    assert store.function_names() == ["fn", "g"]
    changes = Changeset()
    changes.deleted_executions.append("other")
    store.commit(changes)
    assert store.function_names() == ["fn"]
    store.close()


def test_events_read_forward_and_backward(store_kind: str, tmp_path: Path) -> None:
    store = make_store(store_kind, tmp_path)
    changes = Changeset()
    for event_id in range(1, 8):
        changes.events.append(
            EventRecord(
                "e",
                event_id,
                EventType.INVOCATION_COMPLETED,
                event_id,
                InvocationCompletedDetails(START, START, f"r{event_id}"),
            )
        )
    store.commit(changes)
    assert [e.event_id for e in store.read_events("e", 3, 2)] == [3, 4]
    assert [e.event_id for e in store.read_events("e", 6, 10)] == [6, 7]
    assert [e.event_id for e in store.read_events("e", 5, 3, reverse=True)] == [5, 4, 3]
    assert [e.event_id for e in store.read_events("e", 2, 5, reverse=True)] == [2, 1]
    store.close()


def test_sqlite_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    store = SqliteStore(path)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    with closing(sqlite3.connect(path)) as connection, connection:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        connection.execute("UPDATE schema_version SET version = 99")
    assert mode == "wal"
    with pytest.raises(RuntimeError, match="schema version 99"):
        SqliteStore(path)


def test_a_failed_commit_leaves_nothing_behind(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "x.db")
    changes = Changeset()
    changes.put_execution(execution("e1", 0))
    changes.events.append(
        EventRecord(
            "e1",
            1,
            EventType.INVOCATION_COMPLETED,
            0,
            InvocationCompletedDetails(START, START, "r"),
        )
    )
    changes.events.append(changes.events[0])
    with pytest.raises(sqlite3.IntegrityError):
        store.commit(changes)
    assert store.load_execution("e1") is None
    store.close()


def test_a_reopened_service_finishes_a_waiting_execution(store_kind: str, tmp_path: Path) -> None:
    store = make_store(store_kind, tmp_path)
    clock = VirtualClock(start=START)

    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_succeed("s", '"kept"'), wait_start("w", 3600))
        return PENDING

    def second(inv: Invocation) -> Any:
        assert inv.status("s") == "SUCCEEDED"
        assert inv.status("w") == "SUCCEEDED"
        return succeeded('"after restart"')

    before = DurableExecutionService(store=store, clock=clock, seed=1)
    harness = Harness(before)
    arn = harness.start(Script(first), execution_timeout=86_400)
    before.run_until(
        lambda: (
            before.execution_record(arn).invocation_count == 1
            and not before.execution_record(arn).invocation_active
        )
    )
    events_before = harness.history(arn)
    if store_kind == "sqlite":
        before.close()
        store = SqliteStore(tmp_path / "store.db")
    else:
        before.scheduler.stop()

    after = DurableExecutionService(store=store, clock=clock, seed=2)
    script = Script(second)
    Harness(after).register(script)
    clock.advance(3600)
    record = after.wait_for_execution(arn)
    script.check()
    assert record.result == '"after restart"'
    events_after = Harness(after).history(arn)
    assert events_after[: len(events_before)] == events_before
    assert [e["EventType"] for e in events_after[len(events_before) :]] == [
        "WaitSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    after.close()


def test_ended_executions_leave_the_working_set_and_come_back_from_the_store(
    store_kind: str, tmp_path: Path
) -> None:
    from durable_lambda_client import CallbackOptions, OperationAction, OperationUpdate
    from durable_lambda_local._errors import CallbackTimeoutException

    store = make_store(store_kind, tmp_path)
    service = DurableExecutionService(
        store=store, clock=VirtualClock(start=START), seed=3, max_cached_executions=1
    )
    harness = Harness(service)
    callback_ids: list[str] = []

    def run(inv: Invocation) -> Any:
        out = inv.checkpoint(
            OperationUpdate(
                "cb",
                OperationType.CALLBACK,
                OperationAction.START,
                callback_options=CallbackOptions(),
            )
        )
        details = out.new_execution_state.operations[0].callback_details
        assert details is not None
        callback_ids.append(details.callback_id)
        return succeeded()

    arns = [harness.run(Script(run), name=f"fn{index}") for index in range(3)]
    assert len(service._lives) < 3
    first = arns[0]
    assert service.get_durable_execution(first).status is ExecutionStatus.SUCCEEDED
    assert [e["EventType"] for e in harness.history(first)][-1] == "ExecutionSucceeded"
    with pytest.raises(CallbackTimeoutException):
        service.send_durable_execution_callback_success(callback_ids[0], b"1")
    service.close()


def test_functions_can_be_registered_before_a_reopened_store_resumes() -> None:
    from durable_lambda_local._clock import RealClock, SkipClock

    store = MemoryStore()

    def suspend(inv: Invocation) -> Any:
        inv.checkpoint(wait_start("w", 3600))
        return PENDING

    script_one = Script(suspend)
    first = DurableExecutionService(store=store, clock=RealClock(), seed=1)
    harness = Harness(first)
    arn = harness.start(script_one, execution_timeout=86_400)
    first.run_until(
        lambda: (
            first.execution_record(arn).invocation_count == 1
            and not first.execution_record(arn).invocation_active
        )
    )
    first.scheduler.stop()

    second = DurableExecutionService(store=store, clock=SkipClock(), seed=2, autostart=False)
    script_two = Script(lambda inv: succeeded('"resumed"'))
    Harness(second).register(script_two)
    second.start()
    assert second.wait_for_execution(arn, timeout=30).result == '"resumed"'
    second.close()


def test_callback_and_execution_timeouts_fire_after_a_restart(tmp_path: Path) -> None:
    """service.md §13 #32: timers of every kind survive on the SQLite store; a service
    reopened after they fell due fires them at once (at its own time: it was down)."""
    path = tmp_path / "timers.db"
    clock = VirtualClock(start=START)

    def opens_callback(inv: Invocation) -> Any:
        if "cb" not in inv.operations:
            inv.checkpoint(
                OperationUpdate(
                    "cb",
                    OperationType.CALLBACK,
                    OperationAction.START,
                    callback_options=CallbackOptions(timeout_seconds=600),
                )
            )
            return PENDING
        return succeeded(f'"{inv.status("cb")}"')

    def waits_a_day(inv: Invocation) -> Any:
        inv.checkpoint(wait_start("w", 86_400))
        return PENDING

    before = DurableExecutionService(store=SqliteStore(path), clock=clock, seed=1)
    harness = Harness(before)
    callback = harness.start(Script(opens_callback), name="cb", execution_timeout=86_400)
    timeout = harness.start(Script(waits_a_day), name="long", execution_timeout=3600)
    before.run_until(
        lambda: all(
            before.execution_record(arn).invocation_count == 1
            and not before.execution_record(arn).invocation_active
            for arn in (callback, timeout)
        )
    )
    before.close()

    later = VirtualClock(start=START + timedelta(hours=2))
    after = DurableExecutionService(store=SqliteStore(path), clock=later, seed=2)
    Harness(after).register(Script(opens_callback), name="cb")
    Harness(after).register(Script(waits_a_day), name="long")
    after.run_until_idle()

    assert after.execution_record(callback).result == '"TIMED_OUT"'
    timed_out = Harness(after).history(callback)[3]
    assert timed_out["EventType"] == "CallbackTimedOut"
    assert timed_out["EventTimestamp"] == START + timedelta(hours=2)
    assert after.execution_record(timeout).status is ExecutionStatus.TIMED_OUT
    assert Harness(after).history(timeout)[-1]["EventType"] == "ExecutionTimedOut"
    after.close()


def test_sqlite_writes_only_the_rows_a_checkpoint_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """service.md §13 #34: no whole-execution blob rewritten per checkpoint (the
    execution row does not grow with the execution), and nothing printed."""
    store = SqliteStore(tmp_path / "rows.db")
    service = DurableExecutionService(store=store, clock=VirtualClock(start=START), seed=3)
    sizes: list[int] = []
    changed: list[int] = []

    def execution_row() -> int:
        connection = store._connection
        row = connection.execute("SELECT length(record) FROM executions").fetchone()
        return int(row[0])

    def many(inv: Invocation) -> Any:
        for index in range(200):
            before = store._connection.total_changes
            inv.checkpoint(step_succeed(f"s{index}", '"' + "x" * 100 + '"'))
            changed.append(store._connection.total_changes - before)
            if index in (0, 199):
                sizes.append(execution_row())
        return succeeded()

    Harness(service).run(Script(many))
    service.close()

    assert abs(sizes[1] - sizes[0]) < 50
    assert max(changed) <= 3  # the operation, its event, the execution's counters
    assert capsys.readouterr().out == ""


def test_sqlite_stores_the_input_once_outside_the_rewritten_record(tmp_path: Path) -> None:
    # The execution row is rewritten as the execution moves on; an input of megabytes
    # must not be written again each time.
    store = SqliteStore(tmp_path / "input.db")
    big_input = '{"blob": "' + "x" * 100_000 + '"}'
    changes = Changeset()
    changes.put_execution(replace(execution("e1", 0), input_payload=big_input))
    store.commit(changes)
    for sequence in range(1, 4):
        changes = Changeset()
        record = store.load_execution("e1")
        assert record is not None
        changes.put_execution(replace(record, token_sequence=sequence))
        store.commit(changes)

    record_length, input_length = store._connection.execute(
        "SELECT length(record), length(input_payload) FROM executions"
    ).fetchone()
    assert record_length < 1_000
    assert input_length == len(big_input)
    loaded = store.load_execution("e1")
    assert loaded is not None
    assert (loaded.input_payload, loaded.token_sequence) == (big_input, 3)
    store.close()


# Rows as schema versions 1 and 2 wrote them: every field in the JSON, events as objects.
_ERROR_JSON = '{"ErrorMessage":"m","ErrorType":"T","ErrorData":"d","StackTrace":["a","b"]}'
_V1_EXECUTION = (
    '["e1","arn:e1","name-e1","fn","$LATEST","us-east-1","123456789012","FAILED",'
    '"{\\"in\\": 1}",1000,300,301000,14,2000,null,' + _ERROR_JSON + ',"FAILED",null,null,'
    "null,null,null,null,null,false,0,4,false,0,0,0,0,null,null,true,null,0,false,0,0]"
)
_V2_EXECUTION = _V1_EXECUTION.replace('"{\\"in\\": 1}"', "null")
_V2_OPERATION = (
    '["e1","w",1,"WAIT","STARTED",1000,null,"p","nap","Wait",null,null,' + _ERROR_JSON + ","
    "0,null,false,5000,4,null,0,0,null,null,null,2,false]"
)
_V2_EVENT = (
    '{"execution_id":"e1","event_id":2,"event_type":"WaitStarted","timestamp_ms":1000,'
    '"details":{"Duration":4,"ScheduledEndTimestamp":{"$ms":5000}},"operation_id":"w",'
    '"name":"nap","parent_id":"p","sub_type":"Wait"}'
)
_V2_INVOCATION = '["e1","i1","r1",1000,2000,' + _ERROR_JSON + "]"
_OLD_ERROR = ErrorObject("m", "T", "d", ["a", "b"])
_OLD_EXECUTION = execution(
    "e1",
    1000,
    status=ExecutionStatus.FAILED,
    end_ms=2000,
    error=_OLD_ERROR,
    checkpointed_outcome=ExecutionStatus.FAILED,
    token_sequence=4,
)


def _old_store(path: Path, version: int) -> None:
    from durable_lambda_local._sqlite_store import _SCHEMA_V1, _SCHEMA_V2

    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(_SCHEMA_V1 + (_SCHEMA_V2 if version == 2 else ""))
        connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO schema_version VALUES (?)", (version,))
        execution_row = ["e1", "fn", "name-e1", "$LATEST", "FAILED", 1000]
        if version == 1:
            connection.execute(
                "INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*execution_row, _V1_EXECUTION),
            )
        else:
            connection.execute(
                "INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*execution_row, _V2_EXECUTION, '{"in": 1}'),
            )
        connection.execute("INSERT INTO operations VALUES ('e1', 'w', 1, ?)", (_V2_OPERATION,))
        connection.execute("INSERT INTO events VALUES ('e1', 2, ?)", (_V2_EVENT,))
        connection.execute(
            "INSERT INTO invocations VALUES ('e1', 'i1', 1000, ?)", (_V2_INVOCATION,)
        )


@pytest.mark.parametrize("version", [1, 2])
def test_sqlite_migrates_rows_written_by_older_schema_versions(
    tmp_path: Path, version: int
) -> None:
    from durable_lambda_client import WaitStartedDetails

    path = tmp_path / f"v{version}.db"
    _old_store(path, version)

    store = SqliteStore(path)
    assert store.schema_version == SCHEMA_VERSION
    written = replace(_OLD_EXECUTION, input_payload='{"in": 1}')
    assert store.load_execution("e1") == written
    assert store.load_operations("e1") == [
        OperationRecord(
            "e1",
            "w",
            1,
            OperationType.WAIT,
            OperationStatus.STARTED,
            1000,
            parent_id="p",
            name="nap",
            sub_type=OperationSubType.WAIT,
            error=_OLD_ERROR,
            scheduled_end_ms=5000,
            wait_seconds=4,
            changed_sequence=2,
        )
    ]
    assert store.read_events("e1", 1, 10) == [
        EventRecord(
            "e1",
            2,
            EventType.WAIT_STARTED,
            1000,
            WaitStartedDetails(4, datetime.fromtimestamp(5, UTC)),
            operation_id="w",
            name="nap",
            parent_id="p",
            sub_type="Wait",
        )
    ]
    assert store.load_invocations("e1") == [
        InvocationRecord("e1", "i1", "r1", 1000, 2000, _OLD_ERROR)
    ]
    store.close()
    reopened = SqliteStore(path)
    assert reopened.load_execution("e1") == written
    reopened.close()


def test_sqlite_rows_hold_each_field_once(tmp_path: Path) -> None:
    """The JSON of a row leaves out what its columns hold: ids are long (an operation id
    is 64 characters), and every byte of a row is paid for in each page it is written to."""
    store = SqliteStore(tmp_path / "compact.db")
    operation_id = "f" * 64
    changes = Changeset()
    changes.put_execution(replace(execution("e" * 36, 0), arn="arn:x"))
    changes.put_operation(
        OperationRecord(
            "e" * 36, operation_id, 1, OperationType.STEP, OperationStatus.STARTED, 0, name="n"
        )
    )
    changes.events.append(
        EventRecord(
            "e" * 36,
            1,
            EventType.STEP_STARTED,
            0,
            StepStartedDetails(),
            operation_id=operation_id,
            name="n",
            sub_type="Step",
        )
    )
    store.commit(changes)
    connection = store._connection
    [(execution_json,)] = connection.execute("SELECT record FROM executions").fetchall()
    [(operation_json,)] = connection.execute("SELECT record FROM operations").fetchall()
    [(event_json,)] = connection.execute("SELECT record FROM events").fetchall()
    assert "e" * 36 not in execution_json + operation_json + event_json
    assert '"{}"' not in execution_json  # the input has its own column
    assert operation_id not in operation_json
    assert event_json.count(operation_id) == 1  # an event names its operation
    store.close()


def _events(execution_id: str, first: int, count: int) -> Changeset:
    changes = Changeset()
    changes.events.extend(
        EventRecord(
            execution_id,
            event_id,
            EventType.INVOCATION_COMPLETED,
            event_id,
            InvocationCompletedDetails(START, START, f"r{event_id}"),
        )
        for event_id in range(first, first + count)
    )
    return changes


def _checkpoint_threads(path: Path) -> list[threading.Thread]:
    name = f"durable-lambda-sqlite-checkpoint-{path.name}"
    return [thread for thread in threading.enumerate() if thread.name == name]


def test_sqlite_checkpoints_in_the_background_and_a_reopened_store_sees_everything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "busy.db"
    store = SqliteStore(path)
    store.commit(Changeset(executions={"e1": execution("e1", 0)}))
    for first in range(1, 3001, 100):
        store.commit(_events("e1", first, 100))
    assert [thread.daemon for thread in _checkpoint_threads(path)] == [True]
    assert store.last_event_id("e1") == 3000
    store.close()
    assert not _checkpoint_threads(path)

    reopened = SqliteStore(path)
    assert reopened.load_execution("e1") == execution("e1", 0)
    events = reopened.read_events("e1", 1, 5000)
    assert [event.event_id for event in events] == list(range(1, 3001))
    assert events[-1] == _events("e1", 3000, 1).events[0]
    reopened.close()


def test_a_failed_background_checkpoint_fails_the_next_commit_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import durable_lambda_local._sqlite_store as sqlite_store

    path = tmp_path / "broken.db"
    store = SqliteStore(path)
    store.commit(Changeset(executions={"e1": execution("e1", 0)}))

    def no_second_connection(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite_store.sqlite3, "connect", no_second_connection)
    store.commit(_events("e1", 1, 600))  # enough rows to ask for a checkpoint
    for thread in _checkpoint_threads(path):  # gone already, or about to be
        thread.join(timeout=30)
    monkeypatch.undo()

    with pytest.raises(
        sqlite3.OperationalError,
        match=r"background checkpoint of .*broken\.db failed: .*unable to open database file",
    ):
        store.commit(_events("e1", 601, 1))
    assert store.last_event_id("e1") == 600  # the failed commit wrote nothing
    store.commit(_events("e1", 601, 1))  # reported once; commits go on
    assert store.last_event_id("e1") == 601
    store.close()


def test_a_failed_background_checkpoint_is_reported_by_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import durable_lambda_local._sqlite_store as sqlite_store

    path = tmp_path / "closing.db"
    store = SqliteStore(path)
    store.commit(Changeset(executions={"e1": execution("e1", 0)}))
    real_connect = sqlite3.connect
    checkpointed = threading.Event()

    class FailingCheckpoints:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._connection = real_connect(*args, **kwargs)

        def execute(self, sql: str) -> sqlite3.Cursor:
            checkpointed.set()
            raise sqlite3.OperationalError(f"disk I/O error in {sql}")

        def close(self) -> None:
            self._connection.close()

    monkeypatch.setattr(sqlite_store.sqlite3, "connect", FailingCheckpoints)
    store.commit(_events("e1", 1, 600))
    assert checkpointed.wait(timeout=30)
    monkeypatch.undo()
    with pytest.raises(sqlite3.OperationalError, match=r"disk I/O error in PRAGMA wal_checkpoint"):
        store.close()
    reopened = SqliteStore(path)
    assert reopened.last_event_id("e1") == 600
    reopened.close()
