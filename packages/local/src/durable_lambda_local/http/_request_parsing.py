"""Turning an HTTP request into the input members of an operation, checked against the model.

Members are read from where the model puts them (URI label, query string, header, JSON
body or raw payload), converted to Python values by their shape type, and checked for what
botocore leaves to the server: required members, JSON types, enums, integer ranges, string
lengths and patterns. Rules that carry their own canonical message (checkpoint tokens,
markers, operation updates) are left to the backend.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from durable_lambda_local.http._errors import ApiError, ErrorCode
from durable_lambda_local.http._wire_model import OperationSpec

_OPAQUE_MEMBERS = frozenset({"CheckpointToken", "Marker"})
"""Members whose validity the backend judges with its own message (``Invalid marker``…)."""

_BASE64_QUERY_MEMBERS = frozenset({"CheckpointToken", "Marker"})
"""Base64 values: a raw ``+`` sent by a non-botocore client arrives as a space."""


def parse_request(
    spec: OperationSpec,
    labels: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The input members of ``spec`` found in one request, keyed by model member name.

    Raises:
        ApiError: InvalidParameterValueException naming the member and the broken rule
            (InvalidRequestContentException for an Invoke payload that is not JSON).
    """
    params: dict[str, Any] = {}
    payload_member = spec.payload_member
    body_members: dict[str, Shape] = {}
    for name, shape in spec.input_shape.members.items():
        location = shape.serialization.get("location")
        wire_name = str(shape.serialization.get("name", name))
        if location == "uri":
            if wire_name in labels:
                params[name] = _check_scalar(name, shape, labels[wire_name])
        elif location == "querystring":
            values = [v for k, v in query if k == wire_name]
            if values:
                params[name] = _from_query(name, shape, values)
        elif location == "header":
            if wire_name in headers:
                params[name] = _from_text(name, shape, headers[wire_name])
        elif name == payload_member:
            value = _from_payload(spec, name, shape, body)
            if value is not None:
                params[name] = value
        else:
            body_members[name] = shape
    if body_members:
        document = _json_object(body) if body.strip() else {}
        for name, shape in body_members.items():
            if document.get(name) is not None:
                params[name] = _from_json(name, shape, document[name])
    for name in spec.input_shape.required_members:
        if name not in params:
            raise ApiError.invalid_parameter(
                f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
            )
    return params


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError.invalid_parameter(f"The request body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ApiError.invalid_parameter(
            f"The request body must be a JSON object, got {type(document).__name__}"
        )
    return document


def _from_payload(spec: OperationSpec, name: str, shape: Shape, body: bytes) -> Any:
    if shape.type_name == "blob":
        if spec.name == "Invoke":
            return _invoke_payload(body)
        return body or None
    if not body.strip():
        return None
    document = _json_object(body)
    # botocore sends `{}` for an absent structure payload (StopDurableExecution's Error).
    return _from_json(name, shape, document) if document else None


def _invoke_payload(body: bytes) -> bytes | None:
    if not body:
        return None
    try:
        json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(
            ErrorCode.INVALID_REQUEST_CONTENT, "Could not parse request body into json"
        ) from None
    return body


def _from_query(name: str, shape: Shape, values: list[str]) -> Any:
    if name in _BASE64_QUERY_MEMBERS:
        values = [v.replace(" ", "+") for v in values]
    if isinstance(shape, ListShape):
        items = [_from_text(f"{name}.member", shape.member, v) for v in values]
        _check_length(name, shape, items, len(items))
        return items
    return _from_text(name, shape, values[-1])


def _from_text(name: str, shape: Shape, text: str) -> Any:
    kind = shape.type_name
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise _constraint(name, text, "Member must be true or false")
        return lowered == "true"
    if kind in ("integer", "long"):
        try:
            number = int(text)
        except ValueError:
            raise _constraint(name, text, "Member must be an integer") from None
        return _check_scalar(name, shape, number)
    if kind == "timestamp":
        return _timestamp(name, text)
    return _check_scalar(name, shape, text)


def _timestamp(name: str, value: str | float) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _constraint(
            name, text, "Member must be an ISO-8601 timestamp or epoch seconds"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_json(path: str, shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise _type_error(path, value, "an object")
        result: dict[str, Any] = {}
        for member, member_shape in shape.members.items():
            if value.get(member) is not None:
                result[member] = _from_json(f"{path}.{member}", member_shape, value[member])
        for member in shape.required_members:
            if member not in result:
                raise ApiError.invalid_parameter(
                    f"Value null at '{path}.{member}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        return result
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise _type_error(path, value, "a list")
        return [_from_json(f"{path}[{i}]", shape.member, item) for i, item in enumerate(value)]
    if kind == "string":
        if not isinstance(value, str):
            raise _type_error(path, value, "a string")
        return value
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _type_error(path, value, "an integer")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _type_error(path, value, "a boolean")
        return value
    if kind == "timestamp":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _type_error(path, value, "a timestamp")
        return _timestamp(path, value)
    return value


def _check_scalar(name: str, shape: Shape, value: Any) -> Any:
    metadata = shape.metadata
    if isinstance(value, int):
        if "min" in metadata and value < metadata["min"]:
            raise _constraint(
                name, value, f"Member must have value greater than or equal to {metadata['min']}"
            )
        if "max" in metadata and value > metadata["max"]:
            raise _constraint(
                name, value, f"Member must have value less than or equal to {metadata['max']}"
            )
        return value
    if name in _OPAQUE_MEMBERS:
        return value
    enum = shape.enum
    if enum and value not in enum:
        raise _constraint(name, value, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    _check_length(name, shape, value, len(value))
    pattern = metadata.get("pattern")
    if pattern is not None:
        compiled = _compiled(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            raise _constraint(
                name, value, f"Member must satisfy regular expression pattern: {pattern}"
            )
    return value


def _check_length(name: str, shape: Shape, value: Any, length: int) -> None:
    metadata = shape.metadata
    if "min" in metadata and length < metadata["min"]:
        raise _constraint(
            name, value, f"Member must have length greater than or equal to {metadata['min']}"
        )
    if "max" in metadata and length > metadata["max"]:
        raise _constraint(
            name, value, f"Member must have length less than or equal to {metadata['max']}"
        )


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _constraint(name: str, value: object, rule: str) -> ApiError:
    shown = value if not isinstance(value, str) or len(value) <= 200 else value[:200] + "..."
    return ApiError.invalid_parameter(
        f"1 validation error detected: Value '{shown}' at '{name}' failed to satisfy "
        f"constraint: {rule}"
    )


def _type_error(path: str, value: object, expected: str) -> ApiError:
    return ApiError.invalid_parameter(
        f"Value at '{path}' must be {expected}, got {type(value).__name__}"
    )
