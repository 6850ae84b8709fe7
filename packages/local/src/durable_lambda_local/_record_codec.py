"""JSON text for records, as the SQLite store keeps them.

Executions, operations and invocations become a JSON array of their fields in
declaration order. Enums are written as their wire strings, error objects and
event details in their wire form, and timestamps inside wire forms as
``{"$ms": <epoch ms>}`` so they come back as the same aware datetimes.
"""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from durable_lambda_client import (
    EVENT_DETAILS_TYPES,
    CheckpointOutput,
    ErrorObject,
    EventType,
    ExecutionStatus,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from durable_lambda_local._clock import datetime_to_ms, ms_to_datetime
from durable_lambda_local._records import (
    EventRecord,
    ExecutionRecord,
    InvocationRecord,
    OperationRecord,
)

__all__ = [
    "decode_checkpoint_output",
    "decode_event",
    "decode_execution",
    "decode_invocation",
    "decode_operation",
    "encode_checkpoint_output",
    "encode_event",
    "encode_execution",
    "encode_invocation",
    "encode_operation",
]

R = TypeVar("R")

_MS_KEY = "$ms"
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return {_MS_KEY: datetime_to_ms(value)}
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def _json_object_hook(data: dict[str, Any]) -> Any:
    if len(data) == 1 and _MS_KEY in data:
        return ms_to_datetime(data[_MS_KEY])
    return data


_WIRE_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_default)


def _dumps(data: object) -> str:
    return _WIRE_ENCODER.encode(data)


def _loads(text: str) -> Any:
    return json.loads(text, object_hook=_json_object_hook)


def _error(value: Mapping[str, Any]) -> ErrorObject:
    return ErrorObject.from_dict(value)


class _RecordCodec:
    """JSON array of one record class's fields, in declaration order.

    Arrays keep rows small and encoding cheap (one ``attrgetter`` call); a later schema
    version may append fields with defaults, which older rows then simply lack.
    """

    def __init__(self, cls: type[Any], decoders: Mapping[str, Callable[[Any], Any]]) -> None:
        self._cls = cls
        names = [item.name for item in dataclasses.fields(cls)]
        self._getter = operator.attrgetter(*names)
        self._converted = [(names.index(name), decode) for name, decode in decoders.items()]

    def encode(self, record: object, blank: int | None = None) -> str:
        """The JSON array; the field at index ``blank`` (if given) is written as null."""
        values = list(self._getter(record))
        for index, _ in self._converted:
            value = values[index]
            if isinstance(value, Enum):
                values[index] = value.value
            elif isinstance(value, ErrorObject):
                values[index] = value.to_dict()
        if blank is not None:
            values[blank] = None
        return _ENCODER.encode(values)

    def decode(self, text: str, fill: tuple[int, Any] | None = None) -> Any:
        """The record; ``fill`` = (index, value) puts a value stored elsewhere back,
        unless that value is None."""
        values = json.loads(text)
        for index, decode in self._converted:
            if index < len(values) and values[index] is not None:
                values[index] = decode(values[index])
        if fill is not None and fill[1] is not None:
            values[fill[0]] = fill[1]
        return self._cls(*values)


_EXECUTIONS = _RecordCodec(
    ExecutionRecord,
    {"status": ExecutionStatus, "checkpointed_outcome": ExecutionStatus, "error": _error},
)
_OPERATIONS = _RecordCodec(
    OperationRecord,
    {
        "operation_type": OperationType,
        "status": OperationStatus,
        "sub_type": OperationSubType,
        "error": _error,
    },
)
_INVOCATIONS = _RecordCodec(InvocationRecord, {"error": _error})


_INPUT_PAYLOAD = [item.name for item in dataclasses.fields(ExecutionRecord)].index("input_payload")


def encode_execution(record: ExecutionRecord) -> str:
    """The record without its input payload, which never changes and is stored once.

    The record is rewritten by every checkpoint (its token sequence moves on), so
    carrying an input of up to 6 MB along would make each checkpoint cost its size.
    """
    return _EXECUTIONS.encode(record, blank=_INPUT_PAYLOAD)


def decode_execution(text: str, input_payload: str | None) -> ExecutionRecord:
    """The record from ``encode_execution``'s text and the separately stored input.

    ``input_payload`` None reads the input from the text (rows of schema version 1).
    """
    record: ExecutionRecord = _EXECUTIONS.decode(text, fill=(_INPUT_PAYLOAD, input_payload))
    return record


def encode_operation(record: OperationRecord) -> str:
    return _OPERATIONS.encode(record)


def decode_operation(text: str) -> OperationRecord:
    record: OperationRecord = _OPERATIONS.decode(text)
    return record


def encode_invocation(record: InvocationRecord) -> str:
    return _INVOCATIONS.encode(record)


def decode_invocation(text: str) -> InvocationRecord:
    record: InvocationRecord = _INVOCATIONS.decode(text)
    return record


def encode_event(record: EventRecord) -> str:
    data: dict[str, object] = {
        "execution_id": record.execution_id,
        "event_id": record.event_id,
        "event_type": record.event_type.value,
        "timestamp_ms": record.timestamp_ms,
        "details": record.details.to_dict(),
    }
    for name in ("operation_id", "name", "parent_id", "sub_type"):
        value = getattr(record, name)
        if value is not None:
            data[name] = value
    return _dumps(data)


def decode_event(text: str) -> EventRecord:
    data = _loads(text)
    event_type = EventType(data["event_type"])
    return EventRecord(
        execution_id=data["execution_id"],
        event_id=data["event_id"],
        event_type=event_type,
        timestamp_ms=data["timestamp_ms"],
        details=EVENT_DETAILS_TYPES[event_type].from_dict(data["details"]),
        operation_id=data.get("operation_id"),
        name=data.get("name"),
        parent_id=data.get("parent_id"),
        sub_type=data.get("sub_type"),
    )


def encode_checkpoint_output(output: CheckpointOutput) -> str:
    data = output.to_dict()
    if not output.checkpoint_token:
        data["CheckpointToken"] = ""
    return _dumps(data)


def decode_checkpoint_output(text: str) -> CheckpointOutput:
    return CheckpointOutput.from_dict(_loads(text))
