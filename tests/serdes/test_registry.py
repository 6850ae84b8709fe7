"""The type registry: how other packages add their classes to the extended-types serdes."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from durable_lambda_serdes import (
    EXTENDED_TYPES_SERDES,
    TYPE_REGISTRY,
    ExtendedTypeSerDes,
    SerDesError,
    TypeCodecRegistration,
    TypeRegistry,
    TypeTag,
    register_type_codec,
)

from .conftest import NO_CONTEXT


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Money:
        return cls(data["amount"], data["currency"])


class Euro(Money):
    pass


def test_a_registered_class_round_trips_anywhere_in_a_value(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    registry.register(Money, "money", Money.to_dict, Money.from_dict)
    value = {"prices": [Money(Decimal("1.10"), "EUR")], "at": datetime.date(2024, 1, 2)}
    text = serdes.serialize(value)
    assert text == (
        '{"t":"m","v":{"prices":{"t":"l","v":[{"t":"money","v":{"amount":{"t":"d","v":"1.10"},'
        '"currency":{"t":"s","v":"EUR"}}}]},"at":{"t":"D","v":"2024-01-02"}}}'
    )
    assert serdes.deserialize(text) == value


def test_registration_is_seen_by_serdes_created_before_it(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    with pytest.raises(SerDesError, match="Unsupported type"):
        serdes.serialize(Money(Decimal(1), "EUR"))
    registry.register(Money, "money", Money.to_dict, Money.from_dict)
    assert serdes.deserialize(serdes.serialize(Money(Decimal(1), "EUR"))) == Money(
        Decimal(1), "EUR"
    )


def test_subclasses_use_the_nearest_registered_base(registry: TypeRegistry) -> None:
    registry.register(Money, "money", Money.to_dict, Money.from_dict)
    found = registry.for_type(Euro)
    assert found is not None
    assert found.cls is Money
    registry.register(Euro, "euro", Money.to_dict, lambda data: Euro(**data))
    found = registry.for_type(Euro)
    assert found is not None
    assert found.tag == "euro"


def test_a_registered_subclass_of_a_native_type_keeps_its_own_codec(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    class Percent(Decimal):
        pass

    registry.register(
        Percent, "pct", lambda p: {"value": str(p)}, lambda data: Percent(data["value"])
    )
    decoded = serdes.deserialize(serdes.serialize([Percent("12.5")]))
    assert decoded == [Percent("12.5")]
    assert type(decoded[0]) is Percent


def test_batch_result_goes_under_the_br_tag(registry: TypeRegistry) -> None:
    registry.register(Money, TypeTag.BATCH_RESULT, Money.to_dict, Money.from_dict)
    assert registry.for_tag("br") == TypeCodecRegistration(
        Money, "br", Money.to_dict, Money.from_dict
    )
    assert TypeTag("br") is TypeTag.BATCH_RESULT


def test_registering_the_same_class_and_tag_again_replaces_its_functions(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    registry.register(Money, "money", Money.to_dict, Money.from_dict)
    registry.register(Money, "money", lambda m: {"a": str(m.amount)}, Money.from_dict)
    assert serdes.serialize(Money(Decimal(2), "X")) == ('{"t":"money","v":{"a":{"t":"s","v":"2"}}}')


def test_a_class_cannot_take_a_second_tag(registry: TypeRegistry) -> None:
    registry.register(Money, "money", Money.to_dict, Money.from_dict)
    with pytest.raises(SerDesError, match='already registered under type tag "money", not "cash"'):
        registry.register(Money, "cash", Money.to_dict, Money.from_dict)


def test_a_tag_cannot_serve_two_classes(registry: TypeRegistry) -> None:
    registry.register(Money, "money", Money.to_dict, Money.from_dict)
    with pytest.raises(SerDesError, match='type tag "money" is already registered for'):
        registry.register(Euro, "money", Money.to_dict, Money.from_dict)


@pytest.mark.parametrize(
    ("cls", "tag", "message"),
    [
        (Money(Decimal(1), "X"), "money", "cls must be a class"),
        (str, "text", "is handled natively"),
        (dict, "map", "is handled natively"),
        (object, "anything", "is handled natively"),
        (Money, "", "tag must be a non-empty str"),
        (Money, 5, "tag must be a non-empty str"),
        (Money, "m", 'type tag "m" is built in'),
        (Money, TypeTag.DATETIME, 'type tag "dt" is built in'),
    ],
)
def test_invalid_registrations_are_refused(
    registry: TypeRegistry, cls: Any, tag: Any, message: str
) -> None:
    with pytest.raises(SerDesError, match=message):
        registry.register(cls, tag, Money.to_dict, Money.from_dict)


def test_encode_and_decode_must_be_callable(registry: TypeRegistry) -> None:
    with pytest.raises(SerDesError, match="must be callable"):
        registry.register(Money, "money", "to_dict", Money.from_dict)  # type: ignore[arg-type]


def test_register_type_codec_is_process_wide() -> None:
    @dataclass(frozen=True)
    class Shipment:
        reference: str

    register_type_codec(
        Shipment,
        "test-shipment",
        lambda s: {"reference": s.reference},
        lambda data: Shipment(data["reference"]),
    )
    found = TYPE_REGISTRY.for_tag("test-shipment")
    assert found is not None
    assert found.cls is Shipment
    for serdes in (EXTENDED_TYPES_SERDES, ExtendedTypeSerDes()):
        text = serdes.serialize(Shipment("s-1"), NO_CONTEXT)
        assert text == '{"t":"test-shipment","v":{"reference":{"t":"s","v":"s-1"}}}'
        assert serdes.deserialize(text, NO_CONTEXT) == Shipment("s-1")


def test_concurrent_registrations_all_land(registry: TypeRegistry) -> None:
    classes = [type(f"Kind{i}", (), {}) for i in range(32)]

    def register(index: int) -> None:
        registry.register(classes[index], f"kind-{index}", lambda obj: {}, lambda data: None)

    threads = [
        threading.Thread(target=register, args=(i,), name=f"register-{i}") for i in range(32)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(registry.for_tag(f"kind-{i}") is not None for i in range(32))


def test_a_class_defined_again_takes_over_its_tag(
    registry: TypeRegistry, serdes: ExtendedTypeSerDes[Any]
) -> None:
    def define() -> type:
        @dataclass(frozen=True)
        class Reloaded:
            value: int

        return Reloaded

    first, second = define(), define()
    assert first is not second
    registry.register(first, "reloaded", lambda o: {"value": o.value}, lambda d: first(**d))
    registry.register(second, "reloaded", lambda o: {"value": o.value}, lambda d: second(**d))
    assert registry.for_type(first) is None
    decoded = serdes.deserialize(serdes.serialize(second(3)))
    assert type(decoded) is second
