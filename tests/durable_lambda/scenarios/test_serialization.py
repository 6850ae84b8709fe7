"""J. Serialization through steps (D-01, D-02, D-05, D-07), on both backends.

D-03 (malformed stored payloads) needs a record the SDK would never write and is a
unit test in tests/context; D-04 and D-06 are plain function calls (tests/durable_lambda
and tests/context).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import Duration, StepConfig
from durable_lambda.serdes import JsonSerDes, PassThroughSerDes

from .conftest import ID1


def replayed(values: list[Any]) -> Any:
    """A handler that records each step's value on the first run and on replay."""

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        values.append([context.step(lambda _, m=make: m(), name=name) for name, make in STEPS])
        context.wait(Duration(1))

    return handler


ORDER = {
    "order_id": uuid.UUID(int=1),
    "amount": Decimal("99.99"),
    "created_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    "delivery_date": date(2024, 1, 2),
    "signature": b"sig",
    "coordinates": (40.7128, -74.006),
}


class Color(StrEnum):
    RED = "red"


STEPS: list[tuple[str, Any]] = [
    ("order", lambda: ORDER),
    ("list", lambda: [1, 2, 3]),
    ("text", lambda: "hello"),
    ("int", lambda: 42),
    ("float", lambda: 3.14),
    ("bool", lambda: True),
    ("nested", lambda: [1, [2, 3]]),
    ("dict", lambda: {"a": 1}),
    ("int_keys", lambda: {1: "a"}),
    ("enum", lambda: Color.RED),
]


def test_d01_d02_d07_values_through_steps(scenario: Any) -> None:
    values: list[Any] = []
    run = scenario(replayed(values))
    run.run()
    payloads = {u.name: u.payload for u in run.invocations[0] if u.action.value == "SUCCEED"}
    assert payloads["order"] == (
        '{"t":"m","v":{"order_id":{"t":"u","v":"00000000-0000-0000-0000-000000000001"},'
        '"amount":{"t":"d","v":"99.99"},'
        '"created_at":{"t":"dt","v":"2024-01-02T03:04:05+00:00"},'
        '"delivery_date":{"t":"D","v":"2024-01-02"},"signature":{"t":"B","v":"c2ln"},'
        '"coordinates":{"t":"t","v":[{"t":"f","v":40.7128},{"t":"f","v":-74.006}]}}}'
    )
    assert [payloads[name] for name in ("list", "text", "int", "float", "bool", "nested")] == [
        "[1,2,3]",
        '"hello"',
        "42",
        "3.14",
        "true",
        "[1,[2,3]]",
    ]
    assert payloads["dict"] == '{"t":"m","v":{"a":{"t":"i","v":1}}}'
    first, replay = values
    # The first run returns what the step returned; the replay decodes the record.
    assert first[0] is ORDER
    assert replay[0] == ORDER
    assert {key: type(value) for key, value in replay[0].items()} == {
        key: type(value) for key, value in ORDER.items()
    }
    assert replay[1:] == [
        [1, 2, 3],
        "hello",
        42,
        3.14,
        True,
        [1, [2, 3]],
        {"a": 1},
        {"1": "a"},
        "red",
    ]


def test_d05_json_string_with_json_and_pass_through_serdes(scenario: Any) -> None:
    replays: list[list[str]] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        a = context.step(lambda _: '{"k": 1}', name="json", config=StepConfig(serdes=JsonSerDes()))
        b = context.step(
            lambda _: '{"k": 1}', name="raw", config=StepConfig(serdes=PassThroughSerDes())
        )
        replays.append([a, b])
        context.wait(Duration(1))
        return [a, b]

    run = scenario(handler)
    assert run.run().value == ['{"k": 1}', '{"k": 1}']
    payloads = [u.payload for u in run.invocations[0] if u.action.value == "SUCCEED"]
    assert payloads == ['"{\\"k\\": 1}"', '{"k": 1}']
    assert replays[1] == ['{"k": 1}', '{"k": 1}']


def test_d07_tuple_keys_fail_the_execution(scenario: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        return context.step(lambda _: {(1, 2): 3}, name="bad")

    run = scenario(handler)
    result = run.run()
    assert result.error is not None
    assert (result.error.type, result.error.message) == (
        "ExecutionError",
        f"Serialization failed for id: {ID1}, error: Tuple keys not supported.",
    )
    assert run.summary() == [("STEP", "Step", "START", "bad")]
