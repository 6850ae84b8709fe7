"""Handlers written with another SDK (AWS's reference SDK) hosted by the local server.

The reference SDK is not installed here: the handler below makes the exact calls its
``@durable_execution`` wrapper makes (``tools/compat/reference_sdk.py`` runs the real
one). It receives the JSON event as Lambda sends it, builds its own client with
``boto3.client("lambda", config=...)`` (no endpoint, region or credentials), reads
state, checkpoints a step and returns the invocation output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from durable_lambda import DurableContext, durable_execution
from durable_lambda_local import MemoryStore
from durable_lambda_local._handler_kinds import takes_client_input
from durable_lambda_local.http import LocalServer
from durable_lambda_local.http._runtime_environment import (
    PLACEHOLDER_CREDENTIAL,
    runtime_variables,
)

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_LAMBDA"
SEEN: dict[str, Any] = {}


def reference_style_handler(event: Any, lambda_context: Any) -> dict[str, Any]:
    """What the reference SDK's wrapper does for a handler with one step."""
    SEEN["event"] = event
    SEEN["endpoint"] = os.environ.get(ENDPOINT_VARIABLE)
    SEEN["request_id"] = lambda_context.aws_request_id
    client = boto3.client(
        "lambda",
        config=Config(
            connect_timeout=5,
            read_timeout=50,
            user_agent_extra="aws-durable-execution-sdk-python/3.0.0",
        ),
    )
    arn = event["DurableExecutionArn"]
    token = event["CheckpointToken"]
    state = client.get_durable_execution_state(
        DurableExecutionArn=arn, CheckpointToken=token, Marker="", MaxItems=1000
    )
    operations = event["InitialExecutionState"]["Operations"] + state.get("Operations", [])
    execution = next(op for op in operations if op["Type"] == "EXECUTION")
    amount = json.loads(execution["ExecutionDetails"]["InputPayload"])["amount"]
    step = {"Id": "c4ca4238a0b92382", "Type": "STEP", "SubType": "Step", "Name": "double"}
    started = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=token,
        Updates=[{**step, "Action": "START"}],
    )
    client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=started["CheckpointToken"],
        Updates=[{**step, "Action": "SUCCEED", "Payload": json.dumps(amount * 2)}],
    )
    return {"Status": "SUCCEEDED", "Result": json.dumps({"doubled": amount * 2})}


@durable_execution
def ours(event: Any, context: DurableContext) -> Any:
    return context.step(lambda _: "ours", name="mine")


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENDPOINT_VARIABLE, raising=False)
    SEEN.clear()


@pytest.fixture
def server(no_endpoint: None) -> Iterator[LocalServer]:
    with LocalServer(
        {"reference-style": reference_style_handler, "ours": ours}, store=MemoryStore()
    ) as running:
        yield running


def _client(url: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 0}),
    )


def test_a_reference_style_handler_gets_the_json_event_and_reaches_the_server(
    server: LocalServer,
) -> None:
    client = _client(server.url)
    response = client.invoke(FunctionName="reference-style", Payload=b'{"amount": 21}')

    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"doubled": 42}
    event = SEEN["event"]
    assert isinstance(event, dict)
    assert set(event) >= {"DurableExecutionArn", "CheckpointToken", "InitialExecutionState"}
    assert SEEN["endpoint"] == server.url
    assert SEEN["request_id"]
    history = client.get_durable_execution_history(
        DurableExecutionArn=response["DurableExecutionArn"], IncludeExecutionData=True
    )
    steps = [(e["EventType"], e.get("Name")) for e in history["Events"] if "Step" in e["EventType"]]
    assert steps == [("StepStarted", "double"), ("StepSucceeded", "double")]


def test_our_handlers_still_get_the_servers_client_alongside(server: LocalServer) -> None:
    response = _client(server.url).invoke(FunctionName="ours", Payload=b"{}")

    assert json.loads(response["Payload"].read()) == "ours"


def test_the_endpoint_is_exported_only_while_a_foreign_handler_is_hosted(
    no_endpoint: None,
) -> None:
    with LocalServer({"ours": ours}, store=MemoryStore()):
        assert ENDPOINT_VARIABLE not in os.environ
    with LocalServer({"reference-style": reference_style_handler}, store=MemoryStore()) as s:
        assert os.environ[ENDPOINT_VARIABLE] == s.url
    assert ENDPOINT_VARIABLE not in os.environ


def test_closing_puts_back_an_endpoint_the_process_had(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENDPOINT_VARIABLE, "https://lambda.example.test")
    with LocalServer({"reference-style": reference_style_handler}, store=MemoryStore()) as s:
        assert os.environ[ENDPOINT_VARIABLE] == s.url
    assert os.environ[ENDPOINT_VARIABLE] == "https://lambda.example.test"


def test_region_and_credentials_are_only_filled_in_when_missing(tmp_path: Path) -> None:
    no_files = {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent-credentials"),
        "AWS_CONFIG_FILE": str(tmp_path / "absent-config"),
    }

    bare = runtime_variables("http://127.0.0.1:1", "eu-west-1", no_files)
    configured = runtime_variables(
        "http://127.0.0.1:1",
        "eu-west-1",
        {**no_files, "AWS_REGION": "us-east-2", "AWS_PROFILE": "dev"},
    )

    assert bare == {
        "AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:1",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": PLACEHOLDER_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": PLACEHOLDER_CREDENTIAL,
    }
    assert configured == {"AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:1"}


def test_a_shared_credentials_file_counts_as_configured(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIDEXAMPLE\n")

    variables = runtime_variables(
        "http://127.0.0.1:1",
        "eu-west-1",
        {"AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_DEFAULT_REGION": "eu-west-1"},
    )

    assert variables == {"AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:1"}


def test_only_our_wrapper_is_handed_the_client_object() -> None:
    def marked(event: Any, context: Any) -> Any:
        return None

    marked.__durable_execution__ = True  # type: ignore[attr-defined]

    assert takes_client_input(ours)
    assert takes_client_input(marked)
    assert not takes_client_input(reference_style_handler)
