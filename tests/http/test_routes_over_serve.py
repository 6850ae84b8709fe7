"""Every route against ``durable-lambda serve`` in a subprocess, driven by boto3.

The hosted handlers' SDK uses Checkpoint and GetDurableExecutionState over HTTP for the
successful paths; this module drives the rest of the API from outside, with paginators
and each modelled error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
HANDLERS = "tests/cli/handlers.py"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = dict(os.environ)
    env["DURABLE_LAMBDA_STORE"] = str(tmp_path_factory.mktemp("serve") / "store.sqlite3")
    # No --skip-time: no handler here waits, and a skipping clock would time an open
    # callback out after 5 quiet seconds, racing a test slowed down by a busy machine.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "durable_lambda_local.cli",
            "serve",
            "--json",
            "--port",
            "0",
            "--function",
            f"steps={HANDLERS}:three_steps",
            "--function",
            f"approval={HANDLERS}:approval",
            "--function",
            f"failing={HANDLERS}:failing",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise AssertionError(process.communicate(timeout=30)[1])
    try:
        yield json.loads(line)["url"]
    finally:
        process.terminate()
        process.communicate(timeout=60)


@pytest.fixture
def client(url: str, client_for: Any) -> Any:
    return client_for(url)


def callback_id_of(client: Any, arn: str, within: float = 60.0) -> str:
    """The callback id once the served handler has created it.

    The handler runs in the server's process, which tells nobody when it got there: ask
    until it has, for at most ``within`` seconds (only a hang takes that long; a count of
    attempts would run out sooner on a busy machine)."""
    deadline = time.monotonic() + within
    pause = threading.Event()
    while True:
        events = client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
        for event in events:
            if event["EventType"] == "CallbackStarted":
                return str(event["CallbackStartedDetails"]["CallbackId"])
        if time.monotonic() > deadline:
            types = [event["EventType"] for event in events]
            raise AssertionError(f"the callback never started within {within} s: {types}")
        pause.wait(0.01)


def waiting(client: Any, name: str) -> tuple[str, str]:
    arn = client.invoke(FunctionName="approval", InvocationType="Event", DurableExecutionName=name)[
        "DurableExecutionArn"
    ]
    return arn, callback_id_of(client, arn)


def test_invoke_get_history_and_list(client: Any) -> None:
    names = [f"steps-{i}" for i in range(3)]
    arns = [
        client.invoke(FunctionName="steps", Payload=b'{"start": 1}', DurableExecutionName=n)[
            "DurableExecutionArn"
        ]
        for n in names
    ]

    execution = client.get_durable_execution(DurableExecutionArn=arns[0])
    slim = client.get_durable_execution(DurableExecutionArn=arns[0], IncludeExecutionData=False)
    events = [
        e
        for page in client.get_paginator("get_durable_execution_history").paginate(
            DurableExecutionArn=arns[0], PaginationConfig={"PageSize": 2}
        )
        for e in page["Events"]
    ]
    listed = [
        e["DurableExecutionArn"]
        for page in client.get_paginator("list_durable_executions_by_function").paginate(
            FunctionName="steps", PaginationConfig={"PageSize": 2}
        )
        for e in page["DurableExecutions"]
    ]

    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"total": 4}
    assert "InputPayload" not in slim
    assert [e["EventId"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["EventType"] == "ExecutionSucceeded"
    assert listed[:3] == list(reversed(arns))


def test_callback_routes_and_their_errors(client: Any) -> None:
    _, callback_id = waiting(client, "cb-routes")

    client.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"ok"')
    finished = client.invoke(FunctionName="approval", DurableExecutionName="cb-routes")

    assert json.loads(finished["Payload"].read()) == {"answer": '"ok"', "after": "booked"}
    with pytest.raises(client.exceptions.CallbackTimeoutException):
        client.send_durable_execution_callback_failure(
            CallbackId=callback_id, Error={"ErrorMessage": "late"}
        )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.send_durable_execution_callback_heartbeat(CallbackId="dW5rbm93bg==")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.send_durable_execution_callback_success(CallbackId="not valid!")


def test_callback_failure_route(client: Any) -> None:
    _, callback_id = waiting(client, "cb-fail")
    client.send_durable_execution_callback_failure(
        CallbackId=callback_id, Error={"ErrorType": "No", "ErrorMessage": "rejected"}
    )
    finished = client.invoke(FunctionName="approval", DurableExecutionName="cb-fail")
    assert finished["FunctionError"] == "Unhandled"


def test_pause_resume_stop_delete(client: Any) -> None:
    arn, _ = waiting(client, "control")

    client.pause_durable_execution(DurableExecutionArn=arn, Reason="hold")
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.delete_durable_execution(DurableExecutionArn=arn)
    client.resume_durable_execution(DurableExecutionArn=arn, Reason="go")
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.resume_durable_execution(DurableExecutionArn=arn, Reason="again")
    stopped = client.stop_durable_execution(DurableExecutionArn=arn)
    deleted = client.delete_durable_execution(DurableExecutionArn=arn)

    assert stopped["StopTimestamp"] is not None
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_durable_execution_history(DurableExecutionArn=arn)


def test_sdk_routes_refuse_outsiders(client: Any) -> None:
    arn, _ = waiting(client, "outsider")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as checkpoint:
        client.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="eA==")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as state:
        client.get_durable_execution_state(DurableExecutionArn=arn, CheckpointToken="eA==")
    assert checkpoint.value.response["Error"]["Message"].startswith("Invalid checkpoint token")
    assert state.value.response["Error"]["Message"].startswith("Invalid checkpoint token")
    client.stop_durable_execution(DurableExecutionArn=arn)


def test_invoke_errors(client: Any) -> None:
    client.invoke(FunctionName="steps", Payload=b'{"start": 1}', DurableExecutionName="dup")
    with pytest.raises(client.exceptions.DurableExecutionAlreadyStartedException):
        client.invoke(FunctionName="steps", Payload=b'{"start": 2}', DurableExecutionName="dup")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="absent", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName="steps", Payload=b"{oops")
    failed = client.invoke(FunctionName="failing", Payload=b"{}")
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "ValueError"
