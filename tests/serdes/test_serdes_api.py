"""The public surface: the SerDes protocol, the three serdes, the helpers and the codecs."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import pickle
import uuid
from decimal import Decimal
from typing import Any

import pytest

import durable_lambda_serdes
from durable_lambda_serdes import (
    DEFAULT_JSON_SERDES,
    EXTENDED_TYPES_SERDES,
    TYPE_CODEC,
    TYPE_REGISTRY,
    TYPE_TOKEN,
    VALUE_TOKEN,
    BytesCodec,
    DateTimeCodec,
    DurableExecutionsError,
    EncodedValue,
    ExtendedTypeSerDes,
    JsonSerDes,
    PassThroughSerDes,
    SerDes,
    SerDesContext,
    SerDesError,
    TypeRegistry,
    TypeTag,
    deserialize,
    serialize,
)


class UpperCaseSerDes(SerDes[str]):
    def serialize(self, value: str, serdes_context: SerDesContext) -> str:
        return value.upper()

    def deserialize(self, data: str, serdes_context: SerDesContext) -> str:
        return data.lower()


class RecordingSerDes(SerDes[Any]):
    def __init__(self) -> None:
        self.contexts: list[SerDesContext] = []

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        self.contexts.append(serdes_context)
        return str(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        self.contexts.append(serdes_context)
        return data


class FailingSerDes(SerDes[Any]):
    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        raise ValueError("boom")

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        raise ValueError("bang")


def test_every_public_name_is_exported() -> None:
    assert sorted(durable_lambda_serdes.__all__) == sorted(
        [
            "DEFAULT_JSON_SERDES", "EXTENDED_TYPES_SERDES", "TYPE_CODEC", "TYPE_REGISTRY",
            "TYPE_TOKEN", "VALUE_TOKEN", "BytesCodec", "Codec", "ContainerCodec",
            "DateTimeCodec", "DecimalCodec", "DurableExecutionsError", "EncodedValue",
            "ExtendedTypeSerDes", "JsonSerDes", "PassThroughSerDes", "PrimitiveCodec", "SerDes",
            "SerDesContext", "SerDesError", "TypeCodec", "TypeCodecRegistration", "TypeRegistry",
            "TypeTag", "UuidCodec", "deserialize", "register_type_codec", "serialize",
        ]
    )  # fmt: skip
    for name in durable_lambda_serdes.__all__:
        assert getattr(durable_lambda_serdes, name) is not None


def test_serdes_error_is_a_durable_executions_error() -> None:
    assert issubclass(SerDesError, DurableExecutionsError)
    assert issubclass(DurableExecutionsError, Exception)


def test_tokens_and_tags_are_the_wire_strings() -> None:
    assert (TYPE_TOKEN, VALUE_TOKEN) == ("t", "v")
    assert {tag.name: tag.value for tag in TypeTag} == {
        "NONE": "n", "STR": "s", "INT": "i", "FLOAT": "f", "BOOL": "b", "BYTES": "B",
        "UUID": "u", "DECIMAL": "d", "DATETIME": "dt", "DATE": "D", "TUPLE": "t", "LIST": "l",
        "DICT": "m", "BATCH_RESULT": "br",
    }  # fmt: skip


def test_serdes_is_abstract_and_subclasses_work_as_documented() -> None:
    with pytest.raises(TypeError):
        SerDes()  # type: ignore[abstract]
    upper = UpperCaseSerDes()
    assert upper.serialize("hello", SerDesContext()) == "HELLO"
    assert upper.deserialize("HELLO", SerDesContext()) == "hello"


@pytest.mark.parametrize(
    ("value", "primitive"),
    [
        (None, True),
        ("s", True),
        (1, True),
        (1.5, True),
        (False, True),
        ([1, ["a", [None]]], True),
        ([], True),
        ({}, False),
        ((1,), False),
        ([1, (2,)], False),
        (b"x", False),
        (Decimal(1), False),
    ],
)
def test_is_primitive(value: Any, primitive: bool) -> None:
    assert SerDes.is_primitive(value) is primitive


def test_serdes_context_defaults_to_empty_strings_and_is_frozen() -> None:
    context = SerDesContext()
    assert (context.operation_id, context.durable_execution_arn) == ("", "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.operation_id = "x"  # type: ignore[misc]


def test_pass_through_returns_its_input_unchanged() -> None:
    serdes: PassThroughSerDes[Any] = PassThroughSerDes()
    payload = '{"k": 1}'
    assert serdes.serialize(payload, SerDesContext()) is payload
    assert serdes.deserialize(payload, SerDesContext()) is payload


def test_json_serdes_uses_default_json_settings() -> None:
    serdes: JsonSerDes[Any] = JsonSerDes()
    assert serdes.serialize({"n": 1, "l": [1, 2]}, SerDesContext()) == '{"n": 1, "l": [1, 2]}'
    assert serdes.deserialize('{"n": 1}', SerDesContext()) == {"n": 1}
    assert serdes.deserialize(serdes.serialize((1, 2), SerDesContext()), SerDesContext()) == [1, 2]
    with pytest.raises(TypeError):
        serdes.serialize(datetime.date(2024, 1, 1), SerDesContext())


def test_d05_a_json_string_through_json_serdes_is_encoded_once_more() -> None:
    text = '{"k": 1}'
    stored = JsonSerDes[str]().serialize(text, SerDesContext())
    assert stored == '"{\\"k\\": 1}"'
    assert JsonSerDes[str]().deserialize(stored, SerDesContext()) == text


def test_singletons() -> None:
    assert type(DEFAULT_JSON_SERDES) is JsonSerDes
    assert type(EXTENDED_TYPES_SERDES) is ExtendedTypeSerDes


def test_extended_serdes_takes_the_context_or_not() -> None:
    context = SerDesContext("op", "arn")
    text = EXTENDED_TYPES_SERDES.serialize((1,), context)
    assert EXTENDED_TYPES_SERDES.serialize((1,)) == text  # type: ignore[call-arg]
    assert EXTENDED_TYPES_SERDES.deserialize(text, context) == (1,)


def test_d04_helpers_default_to_the_extended_serdes() -> None:
    stored = serialize(None, {"amount": Decimal("99.99")}, "test-op", "test-arn")
    assert stored == '{"t":"m","v":{"amount":{"t":"d","v":"99.99"}}}'
    assert deserialize(None, stored, "test-op", "test-arn") == {"amount": Decimal("99.99")}


def test_helpers_hand_the_operation_to_the_serdes() -> None:
    recording = RecordingSerDes()
    assert serialize(recording, 7, "op-1", "arn:1") == "7"
    assert deserialize(recording, "7", "op-2", "arn:2") == "7"
    assert recording.contexts == [SerDesContext("op-1", "arn:1"), SerDesContext("op-2", "arn:2")]


def test_helpers_pass_serdes_errors_on_unchanged() -> None:
    with pytest.raises(SerDesError) as caught:
        serialize(None, object(), "op1", "arn")
    assert str(caught.value) == "Unsupported type: <class 'object'>"
    with pytest.raises(SerDesError, match=r"^Malformed envelope"):
        deserialize(None, '{"a":1}', "op1", "arn")


def test_helpers_wrap_any_other_failure_in_a_serdes_error() -> None:
    with pytest.raises(SerDesError) as caught:
        serialize(FailingSerDes(), 1, "op1", "arn")
    assert str(caught.value) == "Serialization failed for id: op1, error: boom."
    assert isinstance(caught.value.__cause__, ValueError)
    with pytest.raises(SerDesError) as caught:
        deserialize(FailingSerDes(), "1", "op2", "arn")
    assert str(caught.value) == "Deserialization failed for id: op2, error: bang."
    with pytest.raises(SerDesError) as caught:
        deserialize(None, "{not json", "op3", "arn")
    assert str(caught.value).startswith("Deserialization failed for id: op3, error: Expecting")
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


def test_type_codec_builds_the_encoded_value_tree() -> None:
    encoded = TYPE_CODEC.encode({"id": uuid.UUID(int=2), "pair": (1, "a")})
    assert encoded == EncodedValue(
        TypeTag.DICT,
        {
            "id": EncodedValue(TypeTag.UUID, "00000000-0000-0000-0000-000000000002"),
            "pair": EncodedValue(
                TypeTag.TUPLE, [EncodedValue(TypeTag.INT, 1), EncodedValue(TypeTag.STR, "a")]
            ),
        },
    )
    assert TYPE_CODEC.decode(encoded.tag, encoded.value) == {
        "id": uuid.UUID(int=2),
        "pair": (1, "a"),
    }
    assert TYPE_CODEC.decode(TypeTag.LIST, [{"t": "D", "v": "2024-01-02"}, 3]) == [
        datetime.date(2024, 1, 2),
        3,
    ]


def test_family_codecs_encode_and_decode_their_types() -> None:
    assert BytesCodec().encode(bytearray(b"hi")) == EncodedValue(TypeTag.BYTES, "aGk=")
    assert BytesCodec().decode(TypeTag.BYTES, "aGk=") == b"hi"
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert DateTimeCodec().encode(moment) == EncodedValue(
        TypeTag.DATETIME, "2024-01-02T03:04:05+00:00"
    )
    assert DateTimeCodec().decode(TypeTag.DATETIME, "2024-01-02T03:04:05Z") == moment


def test_encoded_value_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EncodedValue(TypeTag.INT, 1).value = 2  # type: ignore[misc]


def test_the_extended_serdes_survives_copy_and_pickle() -> None:
    # Configs holding a serdes may be copied; copies must keep working and keep
    # seeing the process-wide registry.
    for clone in (
        copy.copy(EXTENDED_TYPES_SERDES),
        copy.deepcopy(EXTENDED_TYPES_SERDES),
        pickle.loads(pickle.dumps(EXTENDED_TYPES_SERDES)),
    ):
        assert clone.serialize((1,), SerDesContext()) == '{"t":"t","v":[{"t":"i","v":1}]}'
        assert clone._registry is TYPE_REGISTRY
    private = ExtendedTypeSerDes(registry=TypeRegistry())
    assert copy.deepcopy(private)._registry is private._registry
    with pytest.raises(TypeError, match="only the process-wide TYPE_REGISTRY can be pickled"):
        pickle.dumps(private)
