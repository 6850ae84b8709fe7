"""``executions`` and ``callback`` commands against a server, through the real entry point."""

from __future__ import annotations

from typing import Any

import boto3
import pytest


def _client(url: str) -> Any:
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="t",
        aws_secret_access_key="t",
    )


@pytest.fixture
def started(fake_server: tuple[str, Any]) -> tuple[str, Any, list[str]]:
    url, backend = fake_server
    client = _client(url)
    arns = [
        client.invoke(
            FunctionName=function,
            InvocationType="Event",
            DurableExecutionName=name,
            Payload=b'{"n": 1}',
        )["DurableExecutionArn"]
        for function, name in [("orders", "first"), ("orders", "second"), ("billing", "third")]
    ]
    return url, backend, arns


def test_list_prints_json_rows_newest_first(started: Any, durable_lambda: Any) -> None:
    url, _, arns = started
    result = durable_lambda("executions", "list", "--endpoint", url, "--json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()["DurableExecutions"]
    assert [r["DurableExecutionArn"] for r in rows] == list(reversed(arns))
    assert rows[0]["StartTimestamp"].startswith("2025-01-01T00:00")


def test_list_filters_by_function_and_shows_a_table(started: Any, durable_lambda: Any) -> None:
    url, _, _ = started
    result = durable_lambda("executions", "list", "--function", "orders", "--endpoint", url)
    assert result.exit_code == 0, result.stderr
    assert "first" in result.stdout
    assert "second" in result.stdout
    assert "third" not in result.stdout
    assert "RUNNING" in result.stdout


def test_get_by_name_and_by_arn(started: Any, durable_lambda: Any) -> None:
    url, _, arns = started
    by_name = durable_lambda("executions", "get", "second", "--endpoint", url, "--json")
    by_arn = durable_lambda("executions", "get", arns[1], "--endpoint", url, "--json")
    assert by_name.exit_code == 0, by_name.stderr
    assert by_name.json() == by_arn.json()
    assert by_name.json()["DurableExecutionArn"] == arns[1]
    assert by_name.json()["InputPayload"] == '{"n": 1}'

    shown = durable_lambda("executions", "get", "second", "--endpoint", url)
    assert shown.exit_code == 0, shown.stderr
    assert f"ARN        {arns[1]}" in shown.stdout
    assert "step-2" in shown.stdout


def test_history_json_and_table(started: Any, durable_lambda: Any) -> None:
    url, _, arns = started
    result = durable_lambda("executions", "history", arns[0], "--endpoint", url, "--json")
    assert result.exit_code == 0, result.stderr
    events = result.json()["Events"]
    assert [e["EventId"] for e in events] == list(range(1, 8))
    assert events[0]["EventType"] == "ExecutionStarted"

    table = durable_lambda("executions", "history", "first", "--endpoint", url)
    assert "ExecutionStarted" in table.stdout
    assert "StepStarted" in table.stdout


def test_stop_by_name(started: Any, durable_lambda: Any) -> None:
    url, backend, arns = started
    result = durable_lambda(
        "executions", "stop", "first", "--error-message", "enough", "--endpoint", url, "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["DurableExecutionArn"] == arns[0]
    assert backend.executions[arns[0]].status == "STOPPED"
    assert backend.executions[arns[0]].error == {"ErrorMessage": "enough"}


def test_unknown_execution_is_one_line_and_exit_1(started: Any, durable_lambda: Any) -> None:
    url, _, _ = started
    by_name = durable_lambda("executions", "get", "nobody", "--endpoint", url)
    assert by_name.exit_code == 1
    assert by_name.stderr == "error: no execution named 'nobody' was found\n"

    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/n/x"
    by_arn = durable_lambda("executions", "history", arn, "--endpoint", url)
    assert by_arn.exit_code == 1
    assert by_arn.stderr == ("error: ResourceNotFoundException: Durable Execution does not exist\n")


def test_callback_commands(started: Any, durable_lambda: Any) -> None:
    url, backend, arns = started
    first, second = backend.executions[arns[0]], backend.executions[arns[1]]

    ok = durable_lambda(
        "callback", "succeed", first.callback_id, "--result", '{"ok": true}', "--endpoint", url
    )
    beat = durable_lambda("callback", "heartbeat", second.callback_id, "--endpoint", url, "--json")
    failed = durable_lambda(
        "callback",
        "fail",
        second.callback_id,
        "--error-type",
        "Rejected",
        "--error-message",
        "no",
        "--endpoint",
        url,
        "--json",
    )

    assert ok.exit_code == 0, ok.stderr
    assert first.callback_result == b'{"ok": true}'
    assert beat.json() == {"CallbackId": second.callback_id, "Sent": "HEARTBEAT"}
    assert failed.json() == {"CallbackId": second.callback_id, "Sent": "FAILED"}
    assert second.callback_result == {"ErrorType": "Rejected", "ErrorMessage": "no"}

    again = durable_lambda("callback", "succeed", first.callback_id, "--endpoint", url)
    assert again.exit_code == 1
    assert again.stderr.startswith("error: CallbackTimeoutException: ")
    assert again.stderr.count("\n") == 1


def test_unknown_callback_and_invalid_result(fake_server: Any, durable_lambda: Any) -> None:
    url, _ = fake_server
    unknown = durable_lambda("callback", "succeed", "dW5rbm93bg==", "--endpoint", url)
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: ResourceNotFoundException: ")

    invalid = durable_lambda(
        "callback", "succeed", "dW5rbm93bg==", "--result", "{nope", "--endpoint", url
    )
    assert invalid.exit_code == 2
    assert invalid.stderr.startswith("error: --result is not valid JSON: ")


def test_no_store_and_no_server_is_reported(durable_lambda: Any) -> None:
    result = durable_lambda("executions", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no store at ")
    assert "and no server running for it" in result.stderr
    assert result.stderr.count("\n") == 1


def test_usage_errors_are_one_line(durable_lambda: Any) -> None:
    result = durable_lambda("executions", "frobnicate")
    assert result.exit_code == 2
    assert result.stderr == "error: No such command 'frobnicate'.\n"


def test_pause_resume_and_delete(started: Any, durable_lambda: Any) -> None:
    url, backend, arns = started
    paused = durable_lambda("executions", "pause", "second", "--reason", "hold", "--endpoint", url)
    resumed = durable_lambda("executions", "resume", arns[1], "--endpoint", url, "--json")
    refused = durable_lambda("executions", "delete", arns[1], "--endpoint", url)
    backend.executions[arns[1]].status = "SUCCEEDED"
    deleted = durable_lambda("executions", "delete", arns[1], "--endpoint", url, "--json")

    assert paused.exit_code == 0, paused.stderr
    assert paused.stdout == f"{arns[1]}: pause requested\n"
    assert backend.last("PauseDurableExecution")["Reason"] == "hold"
    assert resumed.json() == {"DurableExecutionArn": arns[1], "Outcome": "resume requested"}
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: ResourceConflictException: ")
    assert deleted.exit_code == 0, deleted.stderr
    assert arns[1] not in backend.executions
