"""A callback id or ARN with a line break in it (pasted with its newline) gets the API's
validation error, as any other malformed id does, not a bare 404 from the router."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from durable_lambda_local import MemoryStore
from durable_lambda_local.http import LocalServer


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with LocalServer({}, store=MemoryStore()) as server:
        yield boto3.client(
            "lambda",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


@pytest.mark.parametrize("callback_id", ["abc\n", "\nabc", "ab\ncd"])
def test_a_callback_id_with_a_line_break_is_invalid(client: Any, callback_id: str) -> None:
    with pytest.raises(ClientError) as refused:
        client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"{}")

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert refused.value.response["Error"] == {
        "Code": "InvalidParameterValueException",
        "Message": f"1 validation error detected: Value '{callback_id}' at 'CallbackId' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: "
        "[A-Za-z0-9+/]+={0,2}",
    }


def test_an_execution_arn_with_a_line_break_is_invalid(client: Any) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/a/b\n"

    with pytest.raises(ClientError) as refused:
        client.get_durable_execution(DurableExecutionArn=arn)

    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "at 'DurableExecutionArn' failed to satisfy constraint" in str(refused.value)
