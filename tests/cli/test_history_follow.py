"""``executions history --follow``: events printed as they are written, until the end."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._follow import FOLLOW_INTERVAL, follow_history

HANDLERS = "tests/cli/handlers.py"


def _event(n: int, event_type: str, **fields: Any) -> dict[str, Any]:
    return {"EventId": n, "EventType": event_type, **fields}


class _GrowingHistory:
    """A service whose history grows by one snapshot per read."""

    runs_functions = True

    def __init__(self, snapshots: list[list[dict[str, Any]]]) -> None:
        self._snapshots = snapshots
        self.reads = 0

    def history(self, arn: str) -> list[dict[str, Any]]:
        snapshot = self._snapshots[min(self.reads, len(self._snapshots) - 1)]
        self.reads += 1
        return snapshot


STARTED = _event(1, "ExecutionStarted", Id="e")
STEP = _event(2, "StepSucceeded", Id="s", Name="charge", SubType="Step")
ENDED = _event(3, "ExecutionSucceeded", Id="e")


def _follow(service: Any, *, as_json: bool, capsys: pytest.CaptureFixture[str]) -> list[str]:
    sleeps: list[float] = []
    follow_history(service, "arn", as_json=as_json, sleep=sleeps.append)
    assert sleeps == [FOLLOW_INTERVAL] * (service.reads - 1)
    return capsys.readouterr().out.splitlines()


def test_each_event_is_printed_once_and_following_stops_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    service = _GrowingHistory([[STARTED], [STARTED], [STARTED, STEP], [STARTED, STEP, ENDED]])

    lines = _follow(service, as_json=False, capsys=capsys)

    assert service.reads == 4
    assert lines[0].split() == ["#", "Time", "Event", "Operation", "Details"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["1", "ExecutionStarted"],
        ["2", "StepSucceeded"],
        ["3", "ExecutionSucceeded"],
    ]
    assert "Step charge" in lines[2]


def test_json_follow_prints_one_event_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    service = _GrowingHistory([[STARTED, STEP], [STARTED, STEP, ENDED]])

    lines = _follow(service, as_json=True, capsys=capsys)

    assert [json.loads(line) for line in lines] == [STARTED, STEP, ENDED]


def test_following_a_store_no_server_runs_is_refused() -> None:
    service = _GrowingHistory([[STARTED]])
    service.runs_functions = False

    with pytest.raises(CliError, match="--follow needs the server that runs the execution"):
        follow_history(service, "arn", as_json=False, sleep=lambda _: None)  # type: ignore[arg-type]


def test_follow_does_not_go_with_tree(durable_lambda: Callable[..., Any]) -> None:
    result = durable_lambda(
        "executions", "history", "x", "--follow", "--tree", "--endpoint", "http://127.0.0.1:9"
    )

    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --follow prints events; it does not go with --tree"


def test_follow_a_served_execution_through_its_callback(
    serve: Callable[..., Any],
    start_cli: Callable[..., subprocess.Popen[str]],
    durable_lambda: Callable[..., Any],
) -> None:
    server = serve("--function", f"approval={HANDLERS}:approval")
    client = boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    client.invoke(FunctionName="approval", InvocationType="Event", DurableExecutionName="po-7")
    following = start_cli("executions", "history", "po-7", "--follow", "--endpoint", server.url)
    try:
        assert following.stdout is not None
        seen = []
        for line in following.stdout:
            seen.append(line)
            if "CallbackStarted" in line:
                break
        assert any("CallbackStarted" in line for line in seen), "".join(seen)
        history = client.get_durable_execution_history(
            DurableExecutionArn=client.list_durable_executions_by_function(FunctionName="approval")[
                "DurableExecutions"
            ][0]["DurableExecutionArn"]
        )["Events"]
        (started,) = [e for e in history if e["EventType"] == "CallbackStarted"]
        callback_id = started["CallbackStartedDetails"]["CallbackId"]
        client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"ok"')
        rest, err = following.communicate(timeout=60)
    finally:
        if following.poll() is None:
            following.kill()
    assert following.returncode == 0, err
    printed = "".join(seen) + rest
    assert printed.count("CallbackStarted") == 1
    assert "Step book" in rest
    assert "ExecutionSucceeded" in rest.strip().splitlines()[-1]

    # An ended execution: --follow prints the whole history and returns at once.
    done = durable_lambda("executions", "history", "po-7", "--follow", "--json")
    assert done.exit_code == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["EventType"] == "ExecutionStarted"
    assert events[-1]["EventType"] == "ExecutionSucceeded"
    assert [e["EventId"] for e in events] == list(range(1, len(events) + 1))
