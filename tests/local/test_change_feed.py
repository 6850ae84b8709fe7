"""Change notifications: a listener hears of every committed change, in order."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from durable_lambda_client import ExecutionStatus
from durable_lambda_local import ExecutionChange

from .conftest import (
    PENDING,
    Harness,
    Invocation,
    Script,
    step_start,
    step_succeed,
    succeeded,
    wait_start,
)


def _step_then_wait(inv: Invocation) -> Any:
    if "s" not in inv.operations:
        inv.checkpoint(step_start("s"), step_succeed("s"))
        inv.checkpoint(wait_start("w", 60))
    return succeeded() if inv.status("w") == "SUCCEEDED" else PENDING


def test_every_commit_is_announced_with_the_history_length(harness: Harness) -> None:
    changes: list[ExecutionChange] = []
    unsubscribe = harness.service.subscribe(changes.append)
    arn = harness.run(Script(_step_then_wait))
    unsubscribe()

    assert {change.execution_arn for change in changes} == {arn}
    counts = [change.event_count for change in changes]
    assert counts == sorted(counts)
    assert counts[0] == 1
    assert counts[-1] == len(harness.history(arn))
    assert changes[-1].status is ExecutionStatus.SUCCEEDED
    assert [c.status for c in changes[:-1]] == [ExecutionStatus.RUNNING] * (len(changes) - 1)

    heard = len(changes)
    harness.service.delete_durable_execution(arn)
    assert len(changes) == heard


def test_deletion_is_announced(harness: Harness) -> None:
    arn = harness.run(Script(lambda inv: succeeded()))
    changes: list[ExecutionChange] = []
    harness.service.subscribe(changes.append)
    harness.service.delete_durable_execution(arn)

    assert changes == [ExecutionChange(arn, ExecutionStatus.SUCCEEDED, 3, deleted=True)]


def test_a_listener_that_raises_is_dropped_and_the_execution_goes_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[ExecutionChange] = []

    def broken(change: ExecutionChange) -> None:
        heard.append(change)
        raise RuntimeError("listener bug")

    harness.service.subscribe(broken)
    with caplog.at_level(logging.ERROR, logger="durable_lambda_local"):
        arn = harness.run(Script(_step_then_wait))

    assert harness.service.execution_record(arn).status is ExecutionStatus.SUCCEEDED
    assert len(heard) == 1
    assert "change listener" in caplog.text
    assert "listener bug" in caplog.text
