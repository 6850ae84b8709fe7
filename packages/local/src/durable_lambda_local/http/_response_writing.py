"""Turning a backend's result into the HTTP response boto3 parses, guided by the model.

Timestamps become JSON numbers of epoch seconds (never milliseconds: botocore would read
them as years far in the future), absent members are left out rather than sent as null,
and a present empty structure is sent as ``{}``. Members located in headers go to headers,
a payload member becomes the raw body, a ``statusCode`` member becomes the status.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from durable_lambda_local.http._errors import ApiError, ErrorCode
from durable_lambda_local.http._wire_model import OperationSpec, error_spec


@dataclass(frozen=True)
class WireResponse:
    """Status, headers and body of one response, ready to send."""

    status_code: int
    headers: dict[str, str]
    body: bytes


def write_response(spec: OperationSpec, output: Mapping[str, Any]) -> WireResponse:
    """The response of ``spec`` carrying ``output`` (members keyed by model name)."""
    status = spec.status_code
    headers: dict[str, str] = {}
    shape = spec.output_shape
    if shape is None:
        return WireResponse(status, headers, b"{}")
    payload_member = shape.serialization.get("payload")
    document: dict[str, Any] = {}
    body: bytes | None = None
    for name, member_shape in shape.members.items():
        value = output.get(name)
        if value is None:
            continue
        location = member_shape.serialization.get("location")
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            headers[str(member_shape.serialization.get("name", name))] = str(_scalar(value))
        elif name == payload_member:
            body = value if isinstance(value, bytes) else str(value).encode()
        else:
            document[name] = to_wire_json(member_shape, value)
    if payload_member is not None:
        return WireResponse(status, headers, body or b"")
    return WireResponse(status, headers, _dump(document))


def write_error(error: ApiError) -> WireResponse:
    """The error response botocore turns into ``client.exceptions.<code>``."""
    spec = error_spec(error.code)
    headers = {"x-amzn-ErrorType": error.code.value}
    document: dict[str, Any] = {
        "Type": "User" if spec.status_code < 500 else "Service",
        spec.message_member: error.message,
        "__type": error.code.value,
    }
    if error.code is ErrorCode.TOO_MANY_REQUESTS:
        if error.retry_after_seconds is not None:
            headers["Retry-After"] = str(error.retry_after_seconds)
        if error.reason is not None:
            document["Reason"] = error.reason
    return WireResponse(spec.status_code, headers, _dump(document))


def to_wire_json(shape: Shape, value: Any) -> Any:
    """``value`` as the JSON of ``shape``: timestamps in epoch seconds, no null members."""
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            raise TypeError(f"{shape.name} must be a mapping, got {type(value).__name__}")
        return {
            name: to_wire_json(member_shape, value[name])
            for name, member_shape in shape.members.items()
            if value.get(name) is not None
        }
    if isinstance(shape, ListShape):
        return [to_wire_json(shape.member, item) for item in value]
    if isinstance(shape, MapShape):
        return {str(k): to_wire_json(shape.value, v) for k, v in value.items()}
    if shape.type_name == "timestamp":
        return epoch_seconds(value)
    return _scalar(value)


def epoch_seconds(value: datetime | float) -> float | int:
    """A timestamp as epoch seconds; naive datetimes are taken as UTC."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        seconds = moment.timestamp()
        return int(seconds) if seconds.is_integer() else round(seconds, 6)
    return value


def _scalar(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _dump(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
