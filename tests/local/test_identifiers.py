"""Ids, ARNs, tokens and markers."""

from __future__ import annotations

import re

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_local._arns import (
    EXECUTION_ARN_PATTERN,
    EXECUTION_NAME_PATTERN,
    FUNCTION_NAME_PATTERN,
    ExecutionArn,
    FunctionReference,
    executed_version,
    function_arn,
    parse_execution_arn,
    parse_function_name,
)
from durable_lambda_local._ids import IdGenerator
from durable_lambda_local._tokens import (
    CheckpointTokenData,
    HistoryMarker,
    ListMarker,
    StateMarker,
    decode_checkpoint_token,
    decode_history_marker,
    decode_list_marker,
    decode_state_marker,
    encode_checkpoint_token,
    encode_history_marker,
    encode_list_marker,
    encode_state_marker,
)

MODEL = boto3.client("lambda", region_name="us-east-1").meta.service_model
TOKEN_PATTERN = re.compile(MODEL.shape_for("CheckpointToken").metadata["pattern"])


def test_patterns_are_the_models() -> None:
    assert MODEL.shape_for("DurableExecutionArn").metadata["pattern"] == EXECUTION_ARN_PATTERN
    assert MODEL.shape_for("NamespacedFunctionName").metadata["pattern"] == FUNCTION_NAME_PATTERN
    assert MODEL.shape_for("DurableExecutionName").metadata["pattern"] == EXECUTION_NAME_PATTERN


def test_seeded_generators_repeat_and_unseeded_do_not() -> None:
    first, second = IdGenerator(seed=7), IdGenerator(seed=7)
    assert [first.uuid4() for _ in range(3)] == [second.uuid4() for _ in range(3)]
    assert first.seeded
    unseeded = IdGenerator()
    assert unseeded.uuid4() != unseeded.uuid4()
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first.uuid4()
    )
    assert len(first.random_bytes(16)) == 16


def test_execution_arn_round_trip() -> None:
    arn = ExecutionArn("aws", "us-east-1", "123456789012", "orders", "$LATEST", "run-1", "abc-1")
    text = str(arn)
    assert text == (
        "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
        "/durable-execution/run-1/abc-1"
    )
    assert parse_execution_arn(text) == arn
    assert parse_execution_arn("arn:aws:lambda:us-east-1:123456789012:function:orders") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("orders", FunctionReference("orders")),
        ("orders:7", FunctionReference("orders", "7")),
        ("orders:$LATEST", FunctionReference("orders", "$LATEST")),
        ("orders.v2:live", FunctionReference("orders.v2", "live")),
        ("123456789012:function:orders", FunctionReference("orders", None, None, "123456789012")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:orders:$LATEST.PUBLISHED",
            FunctionReference("orders", "$LATEST.PUBLISHED", "eu-west-1", "123456789012"),
        ),
    ],
)
def test_function_name_forms(value: str, expected: FunctionReference) -> None:
    assert parse_function_name(value) == expected


@pytest.mark.parametrize("value", ["", "bad name", "a" * 257, "arn:aws:s3:::bucket"])
def test_invalid_function_names(value: str) -> None:
    assert parse_function_name(value) is None


def test_executed_version_and_function_arn() -> None:
    assert executed_version(None) == "$LATEST"
    assert executed_version("$LATEST") == "$LATEST"
    assert executed_version("live") == "$LATEST"
    assert executed_version("12") == "12"
    assert executed_version("$LATEST.PUBLISHED") == "$LATEST.PUBLISHED"
    assert function_arn("us-east-1", "123456789012", "f") == (
        "arn:aws:lambda:us-east-1:123456789012:function:f"
    )
    assert function_arn("us-east-1", "123456789012", "f", "3").endswith(":function:f:3")


@given(st.uuids().map(str), st.uuids().map(str), st.integers(min_value=0, max_value=10**12))
def test_checkpoint_tokens_round_trip_and_match_the_model(
    execution: str, invocation: str, sequence: int
) -> None:
    data = CheckpointTokenData(execution, invocation, sequence)
    token = encode_checkpoint_token(data)
    assert TOKEN_PATTERN.fullmatch(token)
    assert len(token) <= 2048
    assert decode_checkpoint_token(token) == data


@pytest.mark.parametrize("token", ["", "not base64!", "Zm9v", "VHxhfGJ8eA==", "x" * 5000])
def test_foreign_tokens_do_not_decode(token: str) -> None:
    assert decode_checkpoint_token(token) is None


def test_markers_round_trip_and_are_kind_specific() -> None:
    state = StateMarker("e1", 4, 10, delta=True)
    history = HistoryMarker("e1", 17, reverse=False)
    listing = ListMarker("fn", 1_735_689_600_000, "e1", reverse=True)
    assert decode_state_marker(encode_state_marker(state)) == state
    assert decode_history_marker(encode_history_marker(history)) == history
    assert decode_list_marker(encode_list_marker(listing)) == listing
    assert decode_history_marker(encode_state_marker(state)) is None
    assert decode_state_marker(encode_history_marker(history)) is None
    assert decode_list_marker("garbage") is None
