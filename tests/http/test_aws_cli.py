"""The AWS CLI's durable-execution commands against the local server, as docs/testing.md
shows them: invoke, read the history, answer a callback, read the execution."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda.config import WaitForCallbackConfig
from durable_lambda_local import MemoryStore
from durable_lambda_local.http import LocalServer

AWS = shutil.which("aws")

pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI ('aws') is not on PATH")

callback_ids: queue.Queue[str] = queue.Queue()


@durable_execution
def approval(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    answer = context.wait_for_callback(
        lambda callback_id, _: callback_ids.put(callback_id),
        name="manager",
        config=WaitForCallbackConfig(timeout=Duration.from_days(1)),
    )
    return {"request": event["request_id"], **json.loads(answer)}


def aws_lambda(endpoint: str, home: Path, *args: str) -> Any:
    """``aws lambda ARGS --endpoint-url ENDPOINT``, isolated from the user's AWS
    configuration; its JSON output decoded (None when it prints nothing)."""
    assert AWS is not None
    env = {
        **os.environ,
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        # The CLI reads the region from AWS_DEFAULT_REGION (v1) or AWS_REGION (v2).
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_PAGER": "",
    }
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA"):
        env.pop(name, None)
    completed = subprocess.run(
        [AWS, "lambda", *args, "--endpoint-url", endpoint, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout) if completed.stdout.strip() else None


def test_the_aws_cli_starts_an_execution_and_answers_its_callback(tmp_path: Path) -> None:
    with LocalServer({"approval": approval}, store=MemoryStore()) as server:
        started = aws_lambda(
            server.url,
            tmp_path,
            "invoke",
            "--function-name",
            "approval",
            "--invocation-type",
            "Event",
            "--payload",
            '{"request_id": "PR-7"}',
            str(tmp_path / "out.json"),
        )
        arn = started["DurableExecutionArn"]
        assert started["StatusCode"] == 202
        submitted = callback_ids.get(timeout=30)

        history = aws_lambda(
            server.url, tmp_path, "get-durable-execution-history", "--durable-execution-arn", arn
        )
        opened = [e for e in history["Events"] if e["EventType"] == "CallbackStarted"]
        assert [e["CallbackStartedDetails"]["CallbackId"] for e in opened] == [submitted]

        aws_lambda(
            server.url,
            tmp_path,
            "send-durable-execution-callback-success",
            "--callback-id",
            submitted,
            "--result",
            '{"approved": true}',
        )
        server.service.wait_for_execution(arn, timeout=30)

        execution = aws_lambda(
            server.url, tmp_path, "get-durable-execution", "--durable-execution-arn", arn
        )
        listed = aws_lambda(
            server.url,
            tmp_path,
            "list-durable-executions-by-function",
            "--function-name",
            "approval",
        )

    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"request": "PR-7", "approved": True}
    assert [e["DurableExecutionArn"] for e in listed["DurableExecutions"]] == [arn]
