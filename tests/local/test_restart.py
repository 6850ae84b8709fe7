"""A SQLite-backed service in a subprocess is killed mid-execution, restarted, and the
execution completes with every operation and event intact."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

WORKER = Path(__file__).with_name("restart_worker.py")


def start_and_kill(database: Path, scenario: str) -> str:
    lines: list[str] = []
    ready = threading.Event()
    with subprocess.Popen(
        [sys.executable, str(WORKER), str(database), "start", scenario],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line.strip())
                if line.strip() == "ready":
                    ready.set()

        reader = threading.Thread(target=read, name="restart-worker-reader", daemon=True)
        reader.start()
        got_ready = ready.wait(timeout=60)
        process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)
    assert got_ready, f"the worker never reported ready: {lines}"
    [arn] = [line.split(" ", 1)[1] for line in lines if line.startswith("arn ")]
    return arn


def finish(database: Path, arn: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(WORKER), str(database), "finish", arn],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def types(history: list[dict[str, Any]]) -> list[str]:
    return [event["EventType"] for event in history]


@pytest.mark.parametrize("scenario", ["wait", "step"])
def test_a_killed_service_finishes_the_execution_after_a_restart(
    tmp_path: Path, scenario: str
) -> None:
    database = tmp_path / "local.db"
    arn = start_and_kill(database, scenario)
    outcome = finish(database, arn)
    assert outcome["status"] == "SUCCEEDED"
    assert json.loads(outcome["result"]) == ["before", "slow done", "after"]
    history = outcome["history"]
    assert [event["EventId"] for event in history] == list(range(1, len(history) + 1))
    assert types(history)[:5] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "StepStarted",
        "StepSucceeded" if scenario == "wait" else "InvocationCompleted",
    ]
    assert types(history)[-1] == "ExecutionSucceeded"
    names = [name for name, _, _ in outcome["operations"]]
    assert names == ["restart-me", "before", "slow", "nap", "after"]
    assert all(status == "SUCCEEDED" for _, status, _ in outcome["operations"])
    if scenario == "step":
        crashed = history[4]["InvocationCompletedDetails"]["Error"]["Payload"]
        assert crashed == {"ErrorMessage": "service restarted", "ErrorType": "Runtime.ExitError"}
        assert types(history)[5] == "StepSucceeded", (
            "the interrupted step re-runs without a new START"
        )
        assert types(history).count("InvocationCompleted") == 3
    else:
        assert types(history)[5:8] == ["WaitStarted", "InvocationCompleted", "WaitSucceeded"]
        assert types(history).count("InvocationCompleted") == 2


# Commits events to a SQLite store until killed: ``committed N`` means events 1..N are in.
_COMMITTER = """
import sys
from datetime import UTC, datetime

from durable_lambda_client import ExecutionStatus, InvocationCompletedDetails
from durable_lambda_local._records import Changeset, EventRecord, ExecutionRecord
from durable_lambda_local._sqlite_store import SqliteStore
from durable_lambda_client import EventType

store = SqliteStore(sys.argv[1])
changes = Changeset()
changes.put_execution(
    ExecutionRecord(
        "e1", "arn:e1", "n", "fn", "$LATEST", "us-east-1", "123456789012",
        ExecutionStatus.RUNNING, "{}", 0, 300, 300_000, 14,
    )
)
store.commit(changes)
moment = datetime(2025, 1, 1, tzinfo=UTC)
last = 0
while True:
    changes = Changeset()
    for event_id in range(last + 1, last + 6):
        changes.events.append(
            EventRecord(
                "e1", event_id, EventType.INVOCATION_COMPLETED, event_id,
                InvocationCompletedDetails(moment, moment, f"request {event_id}"),
            )
        )
    store.commit(changes)
    last += 5
    print(f"committed {last}", flush=True)
"""


def test_a_killed_process_keeps_every_commit_of_its_sqlite_store(tmp_path: Path) -> None:
    """Background checkpoints run while the process dies; nothing committed is lost."""
    from durable_lambda_local._sqlite_store import SqliteStore

    database = tmp_path / "killed.db"
    committed = 0
    with subprocess.Popen(
        [sys.executable, "-c", _COMMITTER, str(database)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            committed = int(line.split()[1])
            if committed >= 5_000:  # ten background checkpoints asked for
                break
        process.kill()
        _, errors = process.communicate(timeout=30)
    assert committed >= 5_000, errors

    store = SqliteStore(database)
    last = store.last_event_id("e1")
    assert last >= committed
    events = store.read_events("e1", 1, last + 1)
    assert [event.event_id for event in events] == list(range(1, last + 1))
    assert events[-1].details.request_id == f"request {last}"
    store.close()
