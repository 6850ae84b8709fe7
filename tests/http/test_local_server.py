"""Durable functions hosted by the local server, driven end to end with boto3 over HTTP.

The handlers' SDK talks back to the server through ``LambdaClient`` over HTTP, as in
Lambda; time is skipped so waits cost nothing.
"""

from __future__ import annotations

import json
import queue
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from durable_lambda import DurableContext, Duration, StepContext, durable_execution, durable_step
from durable_lambda_context import WaitForCallbackConfig
from durable_lambda_local import MemoryStore, SkipClock, SqliteStore
from durable_lambda_local.http import LocalServer, StoreInUseError

CALLBACK_IDS: queue.Queue[str] = queue.Queue()


@durable_step
def add(step_context: StepContext, a: int, b: int) -> int:
    return a + b


@durable_execution
def three_steps(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    first = context.step(add(event.get("start", 0), 1), name="first")
    context.wait(Duration.from_hours(2), name="nap")
    second = context.step(add(first, 1), name="second")
    third = context.step(add(second, 1), name="third")
    return {"total": third}


@durable_execution
def approval(event: dict[str, Any], context: DurableContext) -> Any:
    answer = context.wait_for_callback(
        lambda callback_id, _: CALLBACK_IDS.put(callback_id),
        name="approve",
        config=WaitForCallbackConfig(timeout=Duration.from_days(1)),
    )
    return {"answer": answer}


@durable_execution
def failing(event: dict[str, Any], context: DurableContext) -> Any:
    context.step(lambda _: 1, name="fine")
    raise ValueError("order is not valid")


@durable_execution
def calls_nobody(event: dict[str, Any], context: DurableContext) -> Any:
    return context.invoke("Nobody", {"order": 1}, name="call-nobody")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(
        {
            "three-steps": three_steps,
            "approval": approval,
            "failing": failing,
            "calls-nobody": calls_nobody,
        },
        store=MemoryStore(),
        # The tests answer (or stop) every callback they open: a clock that skipped to a
        # callback's timeout after its default 5 quiet seconds would race a slow machine.
        clock=SkipClock(answer_window=None),
    ) as running:
        yield running


@pytest.fixture
def client(server: LocalServer, client_for: Any) -> Any:
    return client_for(server.url)


def test_synchronous_invoke_returns_the_result(client: Any) -> None:
    response = client.invoke(FunctionName="three-steps", Payload=b'{"start": 10}')

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"total": 13}
    assert response["ExecutedVersion"] == "$LATEST"
    arn = response["DurableExecutionArn"]
    assert ":function:three-steps:$LATEST/durable-execution/" in arn

    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"total": 13}
    assert execution["EndTimestamp"] >= execution["StartTimestamp"]


def test_history_over_http_matches_the_service(client: Any) -> None:
    arn = client.invoke(FunctionName="three-steps", Payload=b"{}")["DurableExecutionArn"]

    events = [
        event
        for page in client.get_paginator("get_durable_execution_history").paginate(
            DurableExecutionArn=arn, PaginationConfig={"PageSize": 4}
        )
        for event in page["Events"]
    ]

    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "WaitStarted",
        "InvocationCompleted",
        "WaitSucceeded",
        "StepStarted",
        "StepSucceeded",
        "StepStarted",
        "StepSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    assert [e["EventId"] for e in events] == list(range(1, 13))
    wait = events[3]
    assert wait["WaitStartedDetails"]["Duration"] == 7200
    assert (
        wait["WaitStartedDetails"]["ScheduledEndTimestamp"] - wait["EventTimestamp"]
    ).total_seconds() == pytest.approx(7200, abs=1)
    assert events[2]["StepSucceededDetails"]["Result"] == {"Payload": "1", "Truncated": False}


def test_named_executions_are_idempotent(client: Any) -> None:
    first = client.invoke(
        FunctionName="three-steps", Payload=b'{"start": 1}', DurableExecutionName="same-name"
    )
    again = client.invoke(
        FunctionName="three-steps", Payload=b'{"start": 1}', DurableExecutionName="same-name"
    )
    assert again["DurableExecutionArn"] == first["DurableExecutionArn"]

    with pytest.raises(client.exceptions.DurableExecutionAlreadyStartedException):
        client.invoke(
            FunctionName="three-steps", Payload=b'{"start": 2}', DurableExecutionName="same-name"
        )


def test_callback_completed_through_boto3_by_id(client: Any) -> None:
    response = client.invoke(FunctionName="approval", InvocationType="Event", Payload=b"{}")
    assert response["StatusCode"] == 202
    arn = response["DurableExecutionArn"]
    callback_id = CALLBACK_IDS.get(timeout=30)

    client.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"approved"')

    finished = client.invoke(
        FunctionName="approval", Payload=b"{}", DurableExecutionName=arn.split("/")[-2]
    )
    assert json.loads(finished["Payload"].read()) == {"answer": '"approved"'}
    with pytest.raises(client.exceptions.CallbackTimeoutException):
        client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"again"')


def test_callback_failure_fails_the_execution(client: Any) -> None:
    arn = client.invoke(FunctionName="approval", InvocationType="Event", Payload=b'{"n": 2}')[
        "DurableExecutionArn"
    ]
    callback_id = CALLBACK_IDS.get(timeout=30)

    client.send_durable_execution_callback_failure(
        CallbackId=callback_id, Error={"ErrorType": "Rejected", "ErrorMessage": "over budget"}
    )

    name = arn.split("/")[-2]
    finished = client.invoke(
        FunctionName="approval", Payload=b'{"n": 2}', DurableExecutionName=name
    )
    assert finished["FunctionError"] == "Unhandled"
    assert "over budget" in json.loads(finished["Payload"].read())["errorMessage"]


def test_failed_execution_is_a_function_error(client: Any) -> None:
    response = client.invoke(FunctionName="failing", Payload=b"{}")

    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorMessage"] == "order is not valid"
    execution = client.get_durable_execution(DurableExecutionArn=response["DurableExecutionArn"])
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorMessage"] == "order is not valid"


def test_a_chained_invoke_of_an_unknown_function_fails_with_resource_not_found(
    client: Any,
) -> None:
    response = client.invoke(FunctionName="calls-nobody", Payload=b"{}")
    arn = response["DurableExecutionArn"]
    not_found = "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nobody"

    assert json.loads(response["Payload"].read()) == {
        "errorType": "CallableRuntimeError",
        "errorMessage": not_found,
    }
    events = client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "ChainedInvokeStarted",
        "ChainedInvokeFailed",
        "InvocationCompleted",
        "ExecutionFailed",
    ]
    assert events[1]["ChainedInvokeStartedDetails"] == {"FunctionName": "Nobody"}
    assert events[2]["Name"] == "call-nobody"
    assert events[2]["ChainedInvokeFailedDetails"]["Error"] == {
        "Payload": {"ErrorType": "ResourceNotFoundException", "ErrorMessage": not_found},
        "Truncated": False,
    }
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Error"]["ErrorType"] == "CallableRuntimeError"
    assert execution["Error"]["ErrorMessage"] == not_found


def test_stop_then_delete_a_waiting_execution(client: Any) -> None:
    arn = client.invoke(FunctionName="approval", InvocationType="Event", Payload=b'{"n": 3}')[
        "DurableExecutionArn"
    ]
    CALLBACK_IDS.get(timeout=30)

    with pytest.raises(client.exceptions.ResourceConflictException):
        client.delete_durable_execution(DurableExecutionArn=arn)
    stopped = client.stop_durable_execution(
        DurableExecutionArn=arn, Error={"ErrorMessage": "not needed"}
    )
    execution = client.get_durable_execution(DurableExecutionArn=arn)
    deleted = client.delete_durable_execution(DurableExecutionArn=arn)

    assert execution["Status"] == "STOPPED"
    assert execution["EndTimestamp"] == stopped["StopTimestamp"]
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_durable_execution(DurableExecutionArn=arn)


def test_pause_and_resume(client: Any) -> None:
    arn = client.invoke(FunctionName="approval", InvocationType="Event", Payload=b'{"n": 4}')[
        "DurableExecutionArn"
    ]
    callback_id = CALLBACK_IDS.get(timeout=30)

    client.pause_durable_execution(DurableExecutionArn=arn, Reason="maintenance")
    assert client.get_durable_execution(DurableExecutionArn=arn)["Status"] in ("PAUSING", "PAUSED")
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.pause_durable_execution(DurableExecutionArn=arn, Reason="again")
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"1")
    client.resume_durable_execution(DurableExecutionArn=arn)

    name = arn.split("/")[-2]
    finished = client.invoke(
        FunctionName="approval", Payload=b'{"n": 4}', DurableExecutionName=name
    )
    assert json.loads(finished["Payload"].read()) == {"answer": "1"}
    types = [
        e["EventType"]
        for e in client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    ]
    assert "ExecutionPaused" in types
    assert "ExecutionResumed" in types


def test_list_by_function_filters_by_status(client: Any) -> None:
    client.invoke(FunctionName="failing", Payload=b'{"list": 1}')

    failed = client.list_durable_executions_by_function(FunctionName="failing", Statuses=["FAILED"])
    running = client.list_durable_executions_by_function(
        FunctionName="failing", Statuses=["RUNNING"]
    )

    assert failed["DurableExecutions"]
    assert all(e["Status"] == "FAILED" for e in failed["DurableExecutions"])
    assert running["DurableExecutions"] == []


def test_service_errors_arrive_as_modelled_exceptions(client: Any) -> None:
    arn = client.invoke(FunctionName="three-steps", Payload=b"{}")["DurableExecutionArn"]

    with pytest.raises(client.exceptions.InvalidParameterValueException) as stale:
        client.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="c3RhbGU=")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as unknown:
        client.get_durable_execution(DurableExecutionArn=arn.rsplit("/", 1)[0] + "/nope")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as no_function:
        client.invoke(FunctionName="nobody", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as bad_marker:
        client.get_durable_execution_history(DurableExecutionArn=arn, Marker="zzz")

    assert stale.value.response["Error"]["Message"].startswith("Invalid checkpoint token")
    assert unknown.value.response["Error"]["Message"] == "Durable Execution does not exist"
    assert "nobody" in no_function.value.response["Error"]["Message"]
    assert "marker" in bad_marker.value.response["Error"]["Message"].lower()


def test_official_runner_start_route_and_health(server: LocalServer, client: Any) -> None:
    body = json.dumps(
        {
            "AccountId": "123456789012",
            "FunctionName": "three-steps",
            "FunctionQualifier": "$LATEST",
            "ExecutionName": "from-official-client",
            "ExecutionTimeoutSeconds": 300,
            "ExecutionRetentionPeriodDays": 7,
            "Input": '{"start": 100}',
        }
    ).encode()
    request = urllib.request.Request(
        f"{server.url}/start-durable-execution", data=body, method="POST"
    )
    with urllib.request.urlopen(request) as response:
        status, started = response.status, json.loads(response.read())
    with urllib.request.urlopen(f"{server.url}/health") as response:
        health = json.loads(response.read())

    assert status == 201
    assert "/durable-execution/from-official-client/" in started["ExecutionArn"]
    assert health == {"status": "healthy"}
    finished = client.invoke(
        FunctionName="three-steps",
        Payload=b'{"start": 100}',
        DurableExecutionName="from-official-client",
    )
    assert json.loads(finished["Payload"].read()) == {"total": 103}


def test_the_default_store_is_the_commands_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client_for: Any
) -> None:
    path = tmp_path / "state" / "executions.sqlite3"
    monkeypatch.setenv("DURABLE_LAMBDA_STORE", str(path))
    with LocalServer({"three-steps": three_steps}, clock=SkipClock()) as server:
        assert isinstance(server.service.store, SqliteStore)
        assert server.service.store.path == str(path)
        announced = json.loads(path.with_name(path.name + ".server.json").read_text())
        assert announced["url"] == server.url
        with pytest.raises(StoreInUseError, match="is already served by " + server.url):
            LocalServer()
        arn = client_for(server.url).invoke(FunctionName="three-steps", Payload=b"{}")[
            "DurableExecutionArn"
        ]

    assert not path.with_name(path.name + ".server.json").exists()
    with LocalServer() as reopened:
        execution = client_for(reopened.url).get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
