"""Serialization through operations (scenarios D-01..D-07)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest

from durable_lambda_client import (
    ExecutionError,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
    SerDesError,
    StepDetails,
)
from durable_lambda_context import DurableContext, durable_execution, serialize
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)


def test_extended_types_round_trip_through_a_step(service: Any) -> None:
    value = {
        "order_id": uuid.UUID(int=1),
        "amount": Decimal("99.99"),
        "created_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "delivery_date": date(2024, 1, 2),
        "signature": b"sig",
        "coordinates": (40.7128, -74.006),
    }
    seen: list[Any] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        seen.append(context.step(lambda _: value, name="order"))
        return "ok"

    service.invoke(handler)
    assert service.wire()[1]["Payload"] == (
        '{"t":"m","v":{"order_id":{"t":"u","v":"00000000-0000-0000-0000-000000000001"},'
        '"amount":{"t":"d","v":"99.99"},"created_at":{"t":"dt","v":"2024-01-02T03:04:05+00:00"},'
        '"delivery_date":{"t":"D","v":"2024-01-02"},"signature":{"t":"B","v":"c2ln"},'
        '"coordinates":{"t":"t","v":[{"t":"f","v":40.7128},{"t":"f","v":-74.006}]}}}'
    )
    service.invoke(handler)
    assert seen[1] == value
    assert isinstance(seen[1]["coordinates"], tuple)
    assert isinstance(seen[1]["amount"], Decimal)


@pytest.mark.parametrize(
    ("value", "payload"),
    [
        ([1, 2, 3], "[1,2,3]"),
        ("hello", '"hello"'),
        (42, "42"),
        (3.14, "3.14"),
        (True, "true"),
        ([1, [2, 3]], "[1,[2,3]]"),
        ({"a": 1}, '{"t":"m","v":{"a":{"t":"i","v":1}}}'),
    ],
)
def test_primitives_use_plain_json(service: Any, value: Any, payload: str) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: value)

    service.invoke(handler)
    assert service.wire()[1]["Payload"] == payload


@pytest.mark.parametrize(
    ("stored", "cause"),
    [
        ('{"a":1}', 'Malformed envelope: missing "t" or "v" at root.'),
        ('{"t":"zz","v":1}', 'Unknown type tag: "zz"'),
    ],
)
def test_malformed_stored_payloads(service: Any, stored: str, cause: str) -> None:
    service.operations[ID1] = Operation(
        operation_id=ID1,
        operation_type=OperationType.STEP,
        status=OperationStatus.SUCCEEDED,
        sub_type=OperationSubType.STEP,
        step_details=StepDetails(attempt=1, result=stored),
    )
    causes: list[BaseException | None] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return context.step(lambda _: 1)
        except ExecutionError as error:
            causes.append(error.__cause__)
            raise

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": f"Deserialization failed for id: {ID1}",
            "ErrorType": "ExecutionError",
        },
    }
    assert isinstance(causes[0], SerDesError)
    assert cause in str(causes[0])


class Color(StrEnum):
    RED = "red"


def test_dict_keys_enums_and_tuple_keys(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return [context.step(lambda _: {1: "a"}), context.step(lambda _: Color.RED)]

    service.invoke(handler)
    assert service.result_of(service.invoke(handler)) == [{"1": "a"}, "red"]
    with pytest.raises(ExecutionError, match="Tuple keys not supported"):
        serialize(None, {(1, 2): 3}, "op", "arn")


def test_batch_result_envelope_matches_the_wire_text() -> None:
    """D-06: the map/parallel result is recorded with the "br" envelope, byte for byte."""
    from durable_lambda_client import ErrorObject
    from durable_lambda_concurrency import BatchItem, BatchItemStatus, CompletionReason
    from durable_lambda_context import BatchResult
    from durable_lambda_serdes import EXTENDED_TYPES_SERDES, SerDesContext

    result = BatchResult(
        [
            BatchItem(0, BatchItemStatus.SUCCEEDED, {"x": 1}),
            BatchItem(
                1, BatchItemStatus.FAILED, error=ErrorObject("boom", "ValueError", None, None)
            ),
            BatchItem(2, BatchItemStatus.STARTED),
        ],
        CompletionReason.FAILURE_TOLERANCE_EXCEEDED,
    )
    text = EXTENDED_TYPES_SERDES.serialize(result, SerDesContext())
    assert text == (
        '{"t":"br","v":{"all":{"t":"l","v":['
        '{"t":"m","v":{"index":{"t":"i","v":0},"status":{"t":"s","v":"SUCCEEDED"},'
        '"result":{"t":"m","v":{"x":{"t":"i","v":1}}},"error":{"t":"n","v":null}}},'
        '{"t":"m","v":{"index":{"t":"i","v":1},"status":{"t":"s","v":"FAILED"},'
        '"result":{"t":"n","v":null},"error":{"t":"m","v":{"ErrorMessage":{"t":"s","v":"boom"},'
        '"ErrorType":{"t":"s","v":"ValueError"}}}}},'
        '{"t":"m","v":{"index":{"t":"i","v":2},"status":{"t":"s","v":"STARTED"},'
        '"result":{"t":"n","v":null},"error":{"t":"n","v":null}}}]},'
        '"completionReason":{"t":"s","v":"FAILURE_TOLERANCE_EXCEEDED"}}}'
    )
    decoded = EXTENDED_TYPES_SERDES.deserialize(text, SerDesContext())
    assert type(decoded) is BatchResult
    assert decoded == result
    assert isinstance(decoded.all[1].error, ErrorObject)
