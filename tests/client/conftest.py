"""Fixtures of the durable_lambda_client tests: boto3 clients that never reach a network,
and the list of wire models that both the botocore-model and the round-trip tests cover."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from durable_lambda_client import (
    CallbackDetails,
    CallbackOptions,
    ChainedInvokeDetails,
    ChainedInvokeOptions,
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    ContextDetails,
    ContextOptions,
    DeleteDurableExecutionOutput,
    DurableConfig,
    ErrorObject,
    EventError,
    EventInput,
    EventPauseReason,
    EventResult,
    EventResumeReason,
    ExecutionDetails,
    ExecutionSummary,
    GetDurableExecutionOutput,
    ListDurableExecutionsByFunctionOutput,
    Operation,
    OperationUpdate,
    PauseDetails,
    RetryDetails,
    StateOutput,
    StepDetails,
    StepOptions,
    StopDurableExecutionOutput,
    TraceHeader,
    WaitDetails,
    WaitOptions,
)

# Every wire model read with ``from_dict`` and written with ``to_dict``, by the name of
# its shape in botocore's Lambda model. Events are left out: their shape depends on the
# event type, and both test modules handle them on their own.
WIRE_MODELS: dict[str, type[Any]] = {
    "ErrorObject": ErrorObject,
    "ExecutionDetails": ExecutionDetails,
    "ContextDetails": ContextDetails,
    "StepDetails": StepDetails,
    "WaitDetails": WaitDetails,
    "CallbackDetails": CallbackDetails,
    "ChainedInvokeDetails": ChainedInvokeDetails,
    "StepOptions": StepOptions,
    "WaitOptions": WaitOptions,
    "CallbackOptions": CallbackOptions,
    "ChainedInvokeOptions": ChainedInvokeOptions,
    "ContextOptions": ContextOptions,
    "Operation": Operation,
    "OperationUpdate": OperationUpdate,
    "CheckpointUpdatedExecutionState": CheckpointUpdatedExecutionState,
    "CheckpointDurableExecutionResponse": CheckpointOutput,
    "GetDurableExecutionStateResponse": StateOutput,
    "GetDurableExecutionResponse": GetDurableExecutionOutput,
    "TraceHeader": TraceHeader,
    "DurableConfig": DurableConfig,
    "PauseDetails": PauseDetails,
    "Execution": ExecutionSummary,
    "ListDurableExecutionsByFunctionResponse": ListDurableExecutionsByFunctionOutput,
    "StopDurableExecutionResponse": StopDurableExecutionOutput,
    "DeleteDurableExecutionResponse": DeleteDurableExecutionOutput,
    "EventInput": EventInput,
    "EventResult": EventResult,
    "EventError": EventError,
    "EventPauseReason": EventPauseReason,
    "EventResumeReason": EventResumeReason,
    "RetryDetails": RetryDetails,
}


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment with dummy credentials and no AWS configuration of the machine."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_LAMBDA",
        "LAMBDA_ENDPOINT",
        "AWS_SESSION_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")


@pytest.fixture
def boto3_lambda(aws_environment: None) -> Iterator[Any]:
    """A real boto3 ``lambda`` client without transport retries (so failures are quick)."""
    client = boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:1",
        config=Config(retries={"total_max_attempts": 1}),
    )
    yield client
    client.close()
