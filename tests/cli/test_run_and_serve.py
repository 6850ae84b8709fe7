"""``durable-lambda run`` and ``serve`` through the real entry point, with every bad input."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

HANDLERS = "tests/cli/handlers.py"
ORDER = (
    '{"order_id": "A-1001", "items": [{"sku": "book", "quantity": 2, "unit_price": 12.5},'
    ' {"sku": "pen", "quantity": 10, "unit_price": 1.2}]}'
)


def lambda_client(url: str) -> Any:
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="t",
        aws_secret_access_key="t",
    )


def test_run_the_order_workflow_example(durable_lambda: Any) -> None:
    result = durable_lambda("run", "docs/examples/order_workflow.py:handler", "--input", ORDER)

    assert result.exit_code == 0, result.stderr
    assert "Result: " in result.stdout
    outcome = json.loads(result.stdout.split("Result: ", 1)[1])
    assert outcome == {
        "order_id": "A-1001",
        "total": 37.0,
        "reserved": ["book", "pen"],
        "payment": "auth-A-1001",
        "tracking": "TRACK-A-1001",
    }
    for name in ("validate", "reserve-stock", "payment", "settlement-window", "wait 1 d", "ship"):
        assert name in result.stdout


def test_run_json_reports_result_and_operation_tree(durable_lambda: Any, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"start": 5}')

    result = durable_lambda("run", f"{HANDLERS}:three_steps", "--input", f"@{event}", "--json")

    assert result.exit_code == 0, result.stderr
    outcome = result.json()
    assert outcome["Status"] == "SUCCEEDED"
    assert outcome["Result"] == {"total": 8}
    assert [op["Name"] for op in outcome["Operations"]] == ["one", "two", "three"]
    assert all(op["Status"] == "SUCCEEDED" for op in outcome["Operations"])
    # One naming for the whole document: the operations' keys are PascalCase too.
    assert set(outcome["Operations"][0]) == {
        "Id",
        "Kind",
        "Name",
        "SubType",
        "Status",
        "Started",
        "Ended",
        "Attempts",
        "Retries",
        "WaitSeconds",
        "CallbackId",
        "Result",
        "Error",
        "Children",
        "DurationSeconds",
    }
    assert ":function:handlers:$LATEST/durable-execution/" in outcome["DurableExecutionArn"]


def test_run_answers_callbacks_itself(durable_lambda: Any) -> None:
    result = durable_lambda(
        "run",
        "docs/examples/approval_workflow.py:handler",
        "--input",
        '{"request_id": "PR-7", "amount": 420}',
        "--auto-callback",
        '{"approved": true}',
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["Result"] == {
        "request_id": "PR-7",
        "status": "booked",
        "booking": "BK-PR-7",
        "amount": 420,
    }


def test_run_skips_to_the_execution_timeout_of_a_longer_wait(durable_lambda: Any) -> None:
    result = durable_lambda(
        "run",
        f"{HANDLERS}:napping",
        "--input",
        '{"seconds": 172800}',
        "--execution-timeout",
        "86400",
        "--json",
        timeout=60,
    )

    assert result.exit_code == 1
    outcome = json.loads(result.stdout)
    assert outcome["Status"] == "TIMED_OUT"
    assert outcome["Error"] == {"ErrorMessage": "Execution timed out after 86400 seconds."}
    assert [op["Status"] for op in outcome["Operations"]] == ["SUCCEEDED", "STARTED"]
    assert "execution TIMED_OUT: Execution timed out after 86400 seconds." in result.stderr


def test_run_of_a_failing_handler_exits_1(durable_lambda: Any) -> None:
    result = durable_lambda("run", f"{HANDLERS}:failing", "--store", "memory")
    assert result.exit_code == 1
    assert result.stderr.endswith("\nerror: execution FAILED: ValueError: the order is not valid\n")
    assert "fine" in result.stdout


def test_runs_are_listed_from_the_store_afterwards(
    durable_lambda: Any, env: dict[str, str]
) -> None:
    ran = durable_lambda("run", f"{HANDLERS}:three_steps", "--name", "kept", "--json")
    assert ran.exit_code == 0, ran.stderr
    also = durable_lambda("run", "docs/examples/welcome.py:handler", "--name", "too", "--json")
    assert also.exit_code == 0, also.stderr

    listed = durable_lambda("executions", "list", "--json")
    history = durable_lambda("executions", "history", "kept", "--json")

    assert listed.exit_code == 0, listed.stderr
    rows = listed.json()["DurableExecutions"]
    assert [e["DurableExecutionName"] for e in rows] == ["too", "kept"]
    assert [e["FunctionArn"].split(":")[6] for e in rows] == ["welcome", "handlers"]
    assert history.json()["Events"][-1]["EventType"] == "ExecutionSucceeded"
    # The function names come from the store itself: no side file next to it.
    store = Path(env["DURABLE_LAMBDA_STORE"])
    assert not list(store.parent.glob("*.functions.json"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "no_such_module:handler"],
            "error: target 'no_such_module:handler': no module named 'no_such_module'\n",
        ),
        (
            ["run", "missing.py:handler"],
            "error: target 'missing.py:handler': file 'missing.py' does not exist\n",
        ),
        (
            ["run", f"{HANDLERS}:nothing"],
            f"error: target '{HANDLERS}:nothing': '{HANDLERS}' has no attribute 'nothing'\n",
        ),
        (
            ["run", "handler-without-colon"],
            "error: target 'handler-without-colon' must be 'module:handler' or "
            "'path/to/file.py:handler'\n",
        ),
        (
            ["run", f"{HANDLERS}:three_steps", "--input", "{not json"],
            "error: --input is not valid JSON: Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1)\n",
        ),
        (
            ["run", f"{HANDLERS}:three_steps", "--input", "@nowhere.json"],
            "error: --input: cannot read 'nowhere.json': No such file or directory\n",
        ),
        (
            ["serve", "--function", "x=no_such_module:handler"],
            "error: target 'no_such_module:handler': no module named 'no_such_module'\n",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    durable_lambda: Any, args: list[str], message: str
) -> None:
    result = durable_lambda(*args)
    assert result.stderr == message
    assert result.exit_code == 2


def test_handler_not_decorated_is_refused(durable_lambda: Any) -> None:
    result = durable_lambda("run", f"{HANDLERS}:plain")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: target '{HANDLERS}:plain' is not decorated with @durable_execution"
    )
    assert result.stderr.count("\n") == 1


def test_serve_on_a_port_in_use_is_refused(durable_lambda: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = durable_lambda("serve", "--port", str(port), "--store", "memory")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port "
        "(0 picks a free one)\n"
    )


def test_serve_hosts_functions_for_boto3_and_the_cli(serve: Any, durable_lambda: Any) -> None:
    # No --skip-time: nothing here waits, and a skipping clock times an open callback out
    # after 5 quiet seconds, which the answering command's start-up may take on a busy
    # machine.
    server = serve(
        "--port",
        "0",
        "--store",
        "memory",
        "--function",
        f"steps={HANDLERS}:three_steps",
        "--function",
        f"approval={HANDLERS}:approval",
        "--function",
        f"chain={HANDLERS}:chain",
        "--plain-function",
        f"echo={HANDLERS}:plain",
    )
    assert server.facts["functions"] == ["approval", "chain", "steps"]
    assert server.facts["plain_functions"] == ["echo"]
    client = lambda_client(server.url)

    chained = client.invoke(FunctionName="chain", Payload=b'{"n": 1}')
    assert json.loads(chained["Payload"].read()) == {"forwarded": {"n": 1}}
    echoed = client.invoke(FunctionName="echo", Payload=b'{"plain": true}')
    assert json.loads(echoed["Payload"].read()) == {"plain": True}

    done = client.invoke(FunctionName="steps", Payload=b'{"start": 1}')
    assert json.loads(done["Payload"].read()) == {"total": 4}

    waiting = client.invoke(
        FunctionName="approval", InvocationType="Event", DurableExecutionName="needs-answer"
    )
    arn = waiting["DurableExecutionArn"]
    callback_id = _wait_for_callback_id(server.url, arn)
    answered = durable_lambda(
        "callback", "succeed", callback_id, "--result", '"yes"', "--endpoint", server.url
    )
    assert answered.exit_code == 0, answered.stderr
    finished = client.invoke(FunctionName="approval", DurableExecutionName="needs-answer")
    assert json.loads(finished["Payload"].read()) == {"answer": '"yes"', "after": "booked"}

    invoked = durable_lambda(
        "invoke", "steps", "--input", '{"start": 40}', "--endpoint", server.url, "--json"
    )
    assert invoked.exit_code == 0, invoked.stderr
    assert invoked.json()["Payload"] == {"total": 43}
    assert invoked.json()["StatusCode"] == 200

    listed = durable_lambda("executions", "list", "--endpoint", server.url, "--json")
    assert {e["DurableExecutionName"] for e in listed.json()["DurableExecutions"]} >= {
        "needs-answer"
    }
    assert server.stop() == 0


def _history_once(client: Any, arn: str, event_type: str, within: float = 60.0) -> list[Any]:
    """The execution's history once it holds an ``event_type`` event.

    The handler runs in the server's process, which tells nobody when it got there: ask
    until it has, for at most ``within`` seconds (only a hang takes that long; a count of
    attempts would run out sooner on a busy machine)."""
    deadline = time.monotonic() + within
    pause = threading.Event()
    while True:
        events: list[Any] = client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
        if any(event["EventType"] == event_type for event in events):
            return events
        if time.monotonic() > deadline:
            types = [event["EventType"] for event in events]
            raise AssertionError(f"no {event_type} event within {within} s: {types}")
        pause.wait(0.01)


def _wait_for_callback_id(url: str, arn: str) -> str:
    """The callback id of the execution, once its CallbackStarted event is written."""
    events = _history_once(lambda_client(url), arn, "CallbackStarted")
    started = next(event for event in events if event["EventType"] == "CallbackStarted")
    return str(started["CallbackStartedDetails"]["CallbackId"])


def test_serve_is_found_through_the_store(serve: Any, durable_lambda: Any) -> None:
    server = serve("--port", "0", "--function", f"steps={HANDLERS}:three_steps")
    lambda_client(server.url).invoke(
        FunctionName="steps", Payload=b"{}", DurableExecutionName="via-store"
    )

    found = durable_lambda("executions", "get", "via-store", "--json")
    refused = durable_lambda("run", f"{HANDLERS}:three_steps")

    assert found.exit_code == 0, found.stderr
    assert found.json()["Status"] == "SUCCEEDED"
    assert refused.exit_code == 1
    assert "is already served by" in refused.stderr
    assert server.stop() == 0


def test_serve_restarted_on_sqlite_completes_the_execution(serve: Any, durable_lambda: Any) -> None:
    args = ["--port", "0", "--function", f"approval={HANDLERS}:approval"]
    first = serve(*args)
    arn = lambda_client(first.url).invoke(
        FunctionName="approval", InvocationType="Event", DurableExecutionName="survivor"
    )["DurableExecutionArn"]
    callback_id = _wait_for_callback_id(first.url, arn)
    first.stop(kill=True)

    second = serve(*args)
    client = lambda_client(second.url)
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"later"')
    finished = client.invoke(FunctionName="approval", DurableExecutionName="survivor")

    assert json.loads(finished["Payload"].read()) == {"answer": '"later"', "after": "booked"}
    assert finished["DurableExecutionArn"] == arn
    assert second.stop() == 0


def test_serve_killed_during_a_wait_finishes_it_after_restart(serve: Any) -> None:
    args = ["--port", "0", "--real-time", "--function", f"napping={HANDLERS}:napping"]
    first = serve(*args)
    client = lambda_client(first.url)
    arn = client.invoke(FunctionName="napping", InvocationType="Event", Payload=b'{"seconds": 2}')[
        "DurableExecutionArn"
    ]
    _history_once(client, arn, "WaitStarted")
    first.stop(kill=True)

    second = serve(*args)
    client = lambda_client(second.url)
    name = arn.split("/")[-2]
    finished = client.invoke(
        FunctionName="napping", Payload=b'{"seconds": 2}', DurableExecutionName=name
    )

    assert json.loads(finished["Payload"].read()) == "after"
    types = [
        e["EventType"]
        for e in client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    ]
    assert types.count("WaitSucceeded") == 1
    assert types[-1] == "ExecutionSucceeded"
    assert second.stop() == 0


def test_run_waits_for_a_callback_answered_from_another_terminal(
    start_cli: Any, durable_lambda: Any
) -> None:
    running = start_cli("run", f"{HANDLERS}:approval")
    try:
        assert running.stdout is not None
        prompt = ""
        for line in running.stdout:
            prompt += line
            if "durable-lambda callback succeed" in line:
                break
        assert "is waiting for an answer" in prompt
        callback_id = prompt.split("callback succeed '", 1)[1].split("'", 1)[0]

        answered = durable_lambda("callback", "succeed", callback_id, "--result", '"ok"')
        out, err = running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
    assert answered.exit_code == 0, answered.stderr
    assert running.returncode == 0, err
    assert 'Result: {"answer": "\\"ok\\"", "after": "booked"}' in out
