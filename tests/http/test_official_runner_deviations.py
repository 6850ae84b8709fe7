"""The HTTP surface has none of the official local runner's deviations (service.md §13.1,
and the cloud runner's, §13.5 #37).

Each test drives a LocalServer with an unmodified boto3 client and checks what the
official runner gets wrong: error bodies, list filters and order, paging defaults,
GetDurableExecution members, unknown ARNs on the SDK's routes, the withheld token.
Handlers here speak the invocation envelope and checkpoint over HTTP themselves.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda_client import (
    DurableExecutionInvocationInputWithClient,
    ExecutionStatus,
    InvocationStatus,
)
from durable_lambda_local import (
    DurableFunctionCloudTestRunner,
    LocalFunction,
    MemoryStore,
    SkipClock,
    SqliteStore,
    Store,
)
from durable_lambda_local.http import LocalServer


class Handlers:
    """Raw durable handlers that checkpoint through boto3 over HTTP."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.state_pages: list[tuple[int, bool]] = []
        self.execution_tokens: list[bool] = []
        self.callback_ids: list[str] = []
        self.release = threading.Event()
        self.blocked = threading.Event()

    @staticmethod
    def _input(event: DurableExecutionInvocationInputWithClient) -> dict[str, Any]:
        return dict(json.loads(event.initial_execution_state.get_input_payload() or "{}"))

    def echo(self, event: DurableExecutionInvocationInputWithClient, context: Any) -> Any:
        payload = self._input(event)
        if payload.get("fail"):
            return {"Status": "FAILED", "Error": {"ErrorMessage": "asked to fail"}}
        return {"Status": "SUCCEEDED", "Result": json.dumps(payload)}

    def steps(self, event: DurableExecutionInvocationInputWithClient, context: Any) -> Any:
        count = int(self._input(event)["steps"])
        updates = [
            {"Id": f"s{i:03}", "Type": "STEP", "SubType": "Step", "Action": "SUCCEED"}
            for i in range(count)
        ]
        arn = event.durable_execution_arn
        done = self.client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken=event.checkpoint_token, Updates=updates
        )
        token = done["CheckpointToken"]
        page = self.client.get_durable_execution_state(
            DurableExecutionArn=arn, CheckpointToken=token, MaxItems=0
        )
        self.state_pages.append((len(page["Operations"]), "NextMarker" in page))
        finished = self.client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=token,
            Updates=[{"Id": "end", "Type": "EXECUTION", "Action": "SUCCEED", "Payload": "0"}],
        )
        self.execution_tokens.append("CheckpointToken" in finished)
        return {"Status": "SUCCEEDED", "Result": ""}

    def callback(self, event: DurableExecutionInvocationInputWithClient, context: Any) -> Any:
        started = self.client.checkpoint_durable_execution(
            DurableExecutionArn=event.durable_execution_arn,
            CheckpointToken=event.checkpoint_token,
            Updates=[{"Id": "cb", "Type": "CALLBACK", "SubType": "Callback", "Action": "START"}],
        )
        operation = started["NewExecutionState"]["Operations"][-1]
        self.callback_ids.append(operation["CallbackDetails"]["CallbackId"])
        return {"Status": "SUCCEEDED", "Result": "1"}

    def waits(self, event: DurableExecutionInvocationInputWithClient, context: Any) -> Any:
        operations = event.initial_execution_state.operations
        if any(op.operation_id == "w" for op in operations):
            return {"Status": "SUCCEEDED", "Result": "2"}
        if self._input(event).get("block"):
            self.blocked.set()
            self.release.wait(30)
        self.client.checkpoint_durable_execution(
            DurableExecutionArn=event.durable_execution_arn,
            CheckpointToken=event.checkpoint_token,
            Updates=[
                {
                    "Id": "w",
                    "Type": "WAIT",
                    "SubType": "Wait",
                    "Action": "START",
                    "WaitOptions": {"WaitSeconds": 86_400},
                }
            ],
        )
        return {"Status": "PENDING"}


@contextlib.contextmanager
def _serve(store: Store, client_for: Any) -> Iterator[tuple[LocalServer, Any, Handlers]]:
    with LocalServer(store=store, clock=SkipClock(answer_window=None)) as server:
        client = client_for(server.url)
        handlers = Handlers(client_for(server.url))
        for name in ("echo", "steps", "callback", "waits"):
            server.service.register(LocalFunction(name, getattr(handlers, name)))
        yield server, client, handlers


@pytest.fixture
def served(client_for: Any) -> Iterator[tuple[LocalServer, Any, Handlers]]:
    with _serve(MemoryStore(), client_for) as running:
        yield running


def _raw(url: str, method: str, path: str, body: bytes = b"") -> tuple[int, Any, Any]:
    request = urllib.request.Request(url + path, data=body or None, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def test_error_bodies_follow_the_model(served: tuple[LocalServer, Any, Handlers]) -> None:
    """#1, #2: x-amzn-ErrorType, Type User, the model's status and message member."""
    server, client, handlers = served
    client.invoke(FunctionName="callback", Payload=b"{}")
    closed = quote(handlers.callback_ids[0], safe="")

    status, headers, body = _raw(
        server.url, "POST", f"/2025-12-01/durable-execution-callbacks/{closed}/succeed", b'"x"'
    )
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "CallbackTimeoutException"
    assert body["Type"] == "User"
    assert body["Message"] == (
        "The callback has already completed or timed out, or its execution has ended."
    )

    client.invoke(FunctionName="echo", Payload=b'{"a": 1}', DurableExecutionName="taken")
    with pytest.raises(client.exceptions.DurableExecutionAlreadyStartedException) as taken:
        client.invoke(FunctionName="echo", Payload=b'{"a": 2}', DurableExecutionName="taken")
    response = taken.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert "DurableExecutionArn" not in response
    assert response["Error"]["Message"] == (
        "Durable execution with name taken already exists for function echo with a different input."
    )


def test_list_filters_by_every_status_given_and_by_qualifier(
    served: tuple[LocalServer, Any, Handlers],
) -> None:
    """#5: Statuses (all of them, as boto3 sends them) and Qualifier are applied."""
    _, client, _ = served
    ok = client.invoke(FunctionName="echo", Payload=b"{}")["DurableExecutionArn"]
    failed = client.invoke(FunctionName="echo", Payload=b'{"fail": 1}')["DurableExecutionArn"]
    numbered = client.invoke(FunctionName="echo", Payload=b'{"v": 7}', Qualifier="7")[
        "DurableExecutionArn"
    ]

    def listed(function: str = "echo", **filters: Any) -> set[str]:
        page = client.list_durable_executions_by_function(FunctionName=function, **filters)
        return {e["DurableExecutionArn"] for e in page["DurableExecutions"]}

    assert listed(Statuses=["SUCCEEDED", "FAILED"]) == {ok, failed, numbered}
    assert listed(Statuses=["FAILED"]) == {failed}
    assert listed(Statuses=["RUNNING", "STOPPED"]) == set()
    assert listed(Qualifier="7") == {numbered}
    assert listed(Qualifier="$LATEST") == {ok, failed}
    assert listed("echo:7") == {numbered}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_started_after_and_before_filter_on_both_stores(
    kind: str, tmp_path: Path, client_for: Any
) -> None:
    """#6: boto3 sends ISO timestamps; both stores filter on them, bounds included."""
    store: Store = MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "s.sqlite3")
    with _serve(store, client_for) as (_, client, _):
        arns = [
            client.invoke(FunctionName="echo", Payload=json.dumps({"i": i}).encode())[
                "DurableExecutionArn"
            ]
            for i in range(3)
        ]
        starts = [
            client.get_durable_execution(DurableExecutionArn=arn)["StartTimestamp"] for arn in arns
        ]

        def window(**bounds: Any) -> list[str]:
            page = client.list_durable_executions_by_function(FunctionName="echo", **bounds)
            return [e["DurableExecutionArn"] for e in page["DurableExecutions"]]

        assert window(StartedAfter=starts[1]) == [arns[2], arns[1]]
        assert window(StartedBefore=starts[1]) == [arns[1], arns[0]]
        assert window(StartedAfter=starts[1], StartedBefore=starts[1]) == [arns[1]]
        assert window(StartedAfter=starts[2] + timedelta(hours=1)) == []


def test_list_is_newest_first_with_pages_of_100_and_opaque_markers(
    served: tuple[LocalServer, Any, Handlers],
) -> None:
    """#7: newest first by default, 100 per page, markers that are not offsets."""
    _, client, _ = served
    arns = [
        client.invoke(FunctionName="echo", InvocationType="Event", Payload=b"{}")[
            "DurableExecutionArn"
        ]
        for _ in range(105)
    ]
    first = client.list_durable_executions_by_function(FunctionName="echo")
    assert len(first["DurableExecutions"]) == 100
    assert not first["NextMarker"].isdigit()
    paginator = client.get_paginator("list_durable_executions_by_function")
    everything = [
        e for page in paginator.paginate(FunctionName="echo") for e in page["DurableExecutions"]
    ]
    assert sorted(e["DurableExecutionArn"] for e in everything) == sorted(arns)
    starts = [e["StartTimestamp"] for e in everything]
    assert starts == sorted(starts, reverse=True)
    oldest_first = client.list_durable_executions_by_function(
        FunctionName="echo", ReverseOrder=True, MaxItems=1
    )
    assert oldest_first["DurableExecutions"][0]["StartTimestamp"] == min(starts)


def test_history_includes_data_by_default_and_max_items_zero_means_100(
    served: tuple[LocalServer, Any, Handlers],
) -> None:
    """#8 (and #13, #9 inside the handler): history defaults; the state page of
    MaxItems=0 holds 100 operations; an EXECUTION update withholds the token."""
    _, client, handlers = served
    arn = client.invoke(FunctionName="steps", Payload=b'{"steps": 120}')["DurableExecutionArn"]

    first = client.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=0)
    assert len(first["Events"]) == 100
    assert first["Events"][0]["ExecutionStartedDetails"]["Input"] == {
        "Payload": '{"steps": 120}',
        "Truncated": False,
    }
    rest = client.get_durable_execution_history(
        DurableExecutionArn=arn, MaxItems=0, Marker=first["NextMarker"]
    )
    assert "NextMarker" not in rest
    events = first["Events"] + rest["Events"]
    assert [e["EventId"] for e in events] == list(range(1, 124))
    assert events[-1]["ExecutionSucceededDetails"]["Result"] == {
        "Payload": "0",
        "Truncated": False,
    }
    assert handlers.state_pages == [(100, True)]
    assert handlers.execution_tokens == [False]


def test_get_durable_execution_reports_every_member(
    served: tuple[LocalServer, Any, Handlers],
) -> None:
    """#10: TraceHeader, DurableConfig, ExecutionDataIncluded, PauseDetails, the expected
    timeout, and the PAUSING and PAUSED statuses."""
    server, client, handlers = served

    def trace(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793"

    client.meta.events.register("before-send.lambda.Invoke", trace)
    arn = client.invoke(FunctionName="waits", InvocationType="Event", Payload=b'{"block": 1}')[
        "DurableExecutionArn"
    ]
    assert handlers.blocked.wait(30)
    client.pause_durable_execution(DurableExecutionArn=arn, Reason="maintenance")
    pausing = client.get_durable_execution(DurableExecutionArn=arn)
    handlers.release.set()
    server.service.run_until(lambda: server.service.execution_record(arn).status.value == "PAUSED")
    paused = client.get_durable_execution(DurableExecutionArn=arn)
    slim = client.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=False)

    assert pausing["Status"] == "PAUSING"
    assert paused["Status"] == "PAUSED"
    assert paused["TraceHeader"] == {"XAmznTraceId": "Root=1-5759e988-bd862e3fe1be46a994272793"}
    assert paused["DurableConfig"] == {"ExecutionTimeout": 300, "RetentionPeriodInDays": 14}
    assert paused["ExecutionDataIncluded"] is True
    assert paused["InputPayload"] == '{"block": 1}'
    assert paused["PauseDetails"]["Reason"] == "maintenance"
    assert paused["PauseDetails"]["ExecutionTimeoutPaused"] is True
    assert "ExpectedExecutionTimeoutTimestamp" in paused
    assert slim["ExecutionDataIncluded"] is False
    assert "InputPayload" not in slim
    assert "Reason" not in slim["PauseDetails"]
    client.stop_durable_execution(DurableExecutionArn=arn)


def test_checkpoint_and_state_of_an_unknown_execution_are_invalid_parameters(
    served: tuple[LocalServer, Any, Handlers],
) -> None:
    """#12: not a 404 (which the SDK would take as a permanent failure)."""
    _, client, _ = served
    arn = client.invoke(FunctionName="echo", Payload=b"{}")["DurableExecutionArn"]
    unknown = arn.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    with pytest.raises(client.exceptions.InvalidParameterValueException) as checkpoint:
        client.checkpoint_durable_execution(DurableExecutionArn=unknown, CheckpointToken="eA==")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as state:
        client.get_durable_execution_state(DurableExecutionArn=unknown, CheckpointToken="eA==")
    assert checkpoint.value.response["Error"]["Message"] == "Invalid checkpoint token"
    assert state.value.response["Error"]["Message"] == "Invalid checkpoint token"


@durable_execution
def naps(event: Any, context: DurableContext) -> str:
    context.wait(Duration.from_hours(int(event.get("hours", 0)) or 1), name="nap")
    return "rested"


@durable_execution
def holds(event: Any, context: DurableContext) -> str:
    return str(context.create_callback(name="go").result())


def test_the_cloud_runner_keeps_the_local_interface_and_every_status() -> None:
    """#37: run() takes the in-process runner's arguments, pause and resume work, and
    TIMED_OUT and STOPPED stay visible in execution_status."""
    with LocalServer(
        {"naps": naps, "holds": holds},
        store=MemoryStore(),
        clock=SkipClock(answer_window=None),
        execution_timeout=3 * 3600,
    ) as server:
        runner = DurableFunctionCloudTestRunner(
            "naps:$LATEST", region="us-east-1", lambda_endpoint=server.url, poll_interval=0.02
        )
        rested = runner.run(input={"hours": 2}, timeout=30, execution_timeout=60)
        timed_out = runner.run(input={"hours": 5}, timeout=30)

        holder = DurableFunctionCloudTestRunner(
            "holds", region="us-east-1", lambda_endpoint=server.url, poll_interval=0.02
        )
        arn = holder.run_async(input={})
        callback_id = holder.wait_for_callback(arn, name="go", timeout=30)
        holder.pause_execution(arn, timeout=30)
        paused = server.service.execution_record(arn).status.value
        holder.resume_execution(arn)
        holder.send_callback_success(callback_id, b'"go"')
        answered = holder.wait_for_result(arn, timeout=30)

        stopped_arn = holder.run_async(input={"again": 1})
        holder.wait_for_callback(stopped_arn, timeout=30)
        holder.lambda_client.stop_durable_execution(DurableExecutionArn=stopped_arn)
        stopped = holder.wait_for_result(stopped_arn, timeout=30)

    assert rested.status is InvocationStatus.SUCCEEDED
    assert rested.value == "rested"
    assert timed_out.status is InvocationStatus.FAILED
    assert timed_out.execution_status is ExecutionStatus.TIMED_OUT
    assert paused == "PAUSED"
    assert answered.value == '"go"'
    assert [e.event_type.value for e in answered.history].count("ExecutionPaused") == 1
    assert stopped.status is InvocationStatus.FAILED
    assert stopped.execution_status is ExecutionStatus.STOPPED
