"""Serialization: malformed stored payloads (D-03) and the map/parallel envelope (D-06);
the values through steps (D-01, D-02, D-05, D-07) are scenarios in
tests/durable_lambda/scenarios/test_serialization.py."""

from __future__ import annotations

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
from durable_lambda_context import DurableContext, durable_execution
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)


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
