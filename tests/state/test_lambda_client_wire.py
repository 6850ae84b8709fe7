"""The state hands LambdaClient the wire dicts it measured, so no update is converted twice."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from durable_lambda_client import LambdaClient, OperationIdentifier, OperationUpdate
from durable_lambda_state import ExecutionState

ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    "/durable-execution/run-1/0c8c2b1e-4f0e-4a0a-9d55-1c2f3e4d5a6b"
)
TOKEN = "dG9rZW4tMQ=="
UPDATE = OperationUpdate.create_step_start(OperationIdentifier("1ced8f5b", name="charge"))


def test_execution_state_sends_wire_dicts_through_lambda_client(monkeypatch: Any) -> None:
    boto3_lambda = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    calls = []
    original = OperationUpdate.to_dict

    def counting_to_dict(self: OperationUpdate) -> dict[str, Any]:
        calls.append(self)
        return original(self)

    monkeypatch.setattr(OperationUpdate, "to_dict", counting_to_dict)
    with Stubber(boto3_lambda) as stubber:
        stubber.add_response(
            "checkpoint_durable_execution",
            {"CheckpointToken": "dG9rZW4tMg==", "NewExecutionState": {}},
            expected_params={
                "DurableExecutionArn": ARN,
                "CheckpointToken": TOKEN,
                "Updates": [original(UPDATE)],
            },
        )
        state = ExecutionState(ARN, TOKEN, {}, LambdaClient(boto3_lambda))
        try:
            state.create_checkpoint(UPDATE, is_sync=True)
        finally:
            state.close()
        stubber.assert_no_pending_responses()
    assert calls == [UPDATE]
