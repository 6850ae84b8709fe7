"""JSON text for records, as the SQLite store keeps them.

A row holds the fields the store searches or orders on as columns, and every other
field of the record as a JSON array in declaration order: a field is never written
twice, so rows stay small (a checkpoint's cost grows with the pages its rows fill).
Enums are written as their wire strings, error objects and event details in their
wire form, and timestamps inside wire forms as ``{"$ms": <epoch ms>}`` so they come
back as the same aware datetimes.

Rows written by schema versions 1 and 2 repeated the column fields inside the JSON
(and events were JSON objects); the ``decode_v2_*`` functions read them, for the
migration that rewrites them.
"""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

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
    "EVENT_COLUMNS",
    "EXECUTION_COLUMNS",
    "INVOCATION_COLUMNS",
    "OPERATION_COLUMNS",
    "decode_checkpoint_output",
    "decode_event",
    "decode_execution",
    "decode_invocation",
    "decode_operation",
    "decode_v2_event",
    "decode_v2_execution",
    "decode_v2_invocation",
    "decode_v2_operation",
    "encode_checkpoint_output",
    "encode_event",
    "encode_execution",
    "encode_invocation",
    "encode_operation",
]

R = TypeVar("R")

_MS_KEY = "$ms"

EXECUTION_COLUMNS = (
    "execution_id",
    "function_name",
    "name",
    "version",
    "status",
    "start_ms",
    "input_payload",
)
"""Fields of an execution row that are columns (in this order in reads)."""
OPERATION_COLUMNS = ("execution_id", "operation_id", "position")
"""Fields of an operation row that are columns."""
INVOCATION_COLUMNS = ("execution_id", "invocation_id", "start_ms")
"""Fields of an invocation row that are columns."""
EVENT_COLUMNS = ("execution_id", "event_id")
"""Fields of an event row that are columns."""


def _to_json(value: object) -> object:
    # Called by the encoder only for what JSON has no type for, so the common values
    # (strings, numbers, None) never leave C.
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, ErrorObject):
        return value.to_dict()
    if isinstance(value, datetime):
        return {_MS_KEY: datetime_to_ms(value)}
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def _json_object_hook(data: dict[str, Any]) -> Any:
    if len(data) == 1 and _MS_KEY in data:
        return ms_to_datetime(data[_MS_KEY])
    return data


_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=_to_json)


def _loads(text: str) -> Any:
    return json.loads(text, object_hook=_json_object_hook)


def _error(value: Mapping[str, Any]) -> ErrorObject:
    return ErrorObject.from_dict(value)


class _RowCodec(Generic[R]):
    """One record class as the JSON array of its fields that are not ``columns``.

    A later schema version may append fields with defaults, which older rows then
    simply lack.
    """

    def __init__(
        self,
        cls: type[R],
        columns: Sequence[str],
        decoders: Mapping[str, Callable[[Any], Any]],
    ) -> None:
        names = [item.name for item in dataclasses.fields(cls)]  # type: ignore[arg-type]
        unknown = set(columns) - set(names)
        if unknown:
            raise ValueError(f"columns {sorted(unknown)} are not fields of {cls.__name__}")
        self._cls = cls
        self._columns = tuple(columns)
        self._stored = tuple(name for name in names if name not in columns)
        self._getter = operator.attrgetter(*self._stored)
        self._decoders = dict(decoders)

    def encode(self, record: R) -> str:
        return _ENCODER.encode(self._getter(record))

    def decode(self, text: str, columns: Sequence[Any]) -> R:
        """The record from its JSON array and its column values (in ``columns`` order)."""
        fields = dict(zip(self._columns, columns, strict=True))
        fields.update(zip(self._stored, json.loads(text)))
        for name, decode in self._decoders.items():
            value = fields.get(name)
            if value is not None:
                fields[name] = decode(value)
        return self._cls(**fields)


_EXECUTION_DECODERS = {
    "status": ExecutionStatus,
    "checkpointed_outcome": ExecutionStatus,
    "error": _error,
}
_OPERATION_DECODERS = {
    "operation_type": OperationType,
    "status": OperationStatus,
    "sub_type": OperationSubType,
    "error": _error,
}
_INVOCATION_DECODERS = {"error": _error}

_EXECUTIONS = _RowCodec(ExecutionRecord, EXECUTION_COLUMNS, _EXECUTION_DECODERS)
_OPERATIONS = _RowCodec(OperationRecord, OPERATION_COLUMNS, _OPERATION_DECODERS)
_INVOCATIONS = _RowCodec(InvocationRecord, INVOCATION_COLUMNS, _INVOCATION_DECODERS)


def encode_execution(record: ExecutionRecord) -> str:
    """The record without its column fields.

    The input payload is a column too: the record is rewritten whenever the execution
    moves on, so carrying an input of up to 6 MB along would make each write cost its
    size.
    """
    return _EXECUTIONS.encode(record)


def decode_execution(text: str, columns: Sequence[Any]) -> ExecutionRecord:
    """The record from ``encode_execution``'s text and the ``EXECUTION_COLUMNS``."""
    return _EXECUTIONS.decode(text, columns)


def encode_operation(record: OperationRecord) -> str:
    return _OPERATIONS.encode(record)


def decode_operation(text: str, columns: Sequence[Any]) -> OperationRecord:
    """The record from ``encode_operation``'s text and the ``OPERATION_COLUMNS``."""
    return _OPERATIONS.decode(text, columns)


def encode_invocation(record: InvocationRecord) -> str:
    return _INVOCATIONS.encode(record)


def decode_invocation(text: str, columns: Sequence[Any]) -> InvocationRecord:
    """The record from ``encode_invocation``'s text and the ``INVOCATION_COLUMNS``."""
    return _INVOCATIONS.decode(text, columns)


def encode_event(record: EventRecord) -> str:
    """``[type, timestamp, details, operation id, name, parent id, sub type]``, without
    the trailing members that are None (execution events have no operation)."""
    values = [
        record.event_type.value,
        record.timestamp_ms,
        record.details.to_dict(),
        record.operation_id,
        record.name,
        record.parent_id,
        record.sub_type,
    ]
    while values[-1] is None:
        values.pop()
    return _ENCODER.encode(values)


def decode_event(text: str, columns: Sequence[Any]) -> EventRecord:
    """The record from ``encode_event``'s text and the ``EVENT_COLUMNS``."""
    execution_id, event_id = columns
    values = _loads(text)
    values.extend([None] * (7 - len(values)))
    event_type = EventType(values[0])
    return EventRecord(
        execution_id=execution_id,
        event_id=event_id,
        event_type=event_type,
        timestamp_ms=values[1],
        details=EVENT_DETAILS_TYPES[event_type].from_dict(values[2]),
        operation_id=values[3],
        name=values[4],
        parent_id=values[5],
        sub_type=values[6],
    )


def encode_checkpoint_output(output: CheckpointOutput) -> str:
    data = output.to_dict()
    if not output.checkpoint_token:
        data["CheckpointToken"] = ""
    return _ENCODER.encode(data)


def decode_checkpoint_output(text: str) -> CheckpointOutput:
    return CheckpointOutput.from_dict(_loads(text))


# Rows of schema versions 1 and 2: every field in the JSON array.
_V2_EXECUTIONS = _RowCodec(ExecutionRecord, (), _EXECUTION_DECODERS)
_V2_OPERATIONS = _RowCodec(OperationRecord, (), _OPERATION_DECODERS)
_V2_INVOCATIONS = _RowCodec(InvocationRecord, (), _INVOCATION_DECODERS)


def decode_v2_execution(text: str, input_payload: str | None) -> ExecutionRecord:
    """An execution row of schema version 2 (input in its column, null in the array)
    or 1 (``input_payload`` None: the input is in the array)."""
    record = _V2_EXECUTIONS.decode(text, ())
    if input_payload is None:
        return record
    return dataclasses.replace(record, input_payload=input_payload)


def decode_v2_operation(text: str) -> OperationRecord:
    """An operation row of schema versions 1 and 2."""
    return _V2_OPERATIONS.decode(text, ())


def decode_v2_invocation(text: str) -> InvocationRecord:
    """An invocation row of schema versions 1 and 2."""
    return _V2_INVOCATIONS.decode(text, ())


def decode_v2_event(text: str) -> EventRecord:
    """An event row of schema versions 1 and 2: a JSON object of every field."""
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
