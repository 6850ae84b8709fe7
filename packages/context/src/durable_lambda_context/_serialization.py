"""``serialize``/``deserialize``: the serdes calls of every operation, with durable errors.

A failure here is not something a retry can fix, so it becomes an
``ExecutionError``: a step does not retry it and the execution fails.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from durable_lambda_client import ExecutionError
from durable_lambda_serdes import EXTENDED_TYPES_SERDES, SerDes, SerDesContext

T = TypeVar("T")

_log = logging.getLogger("durable_lambda_context")

__all__ = ["deserialize", "serialize"]


def serialize(
    serdes: SerDes[T] | None,
    value: T,
    operation_id: str,
    durable_execution_arn: str,
) -> str:
    """Encode ``value`` with ``serdes`` (the extended-types serdes when ``None``).

    Raises:
        ExecutionError: the serdes failed; the message names the operation id
            and the serdes error.
    """
    active: SerDes[Any] = serdes if serdes is not None else EXTENDED_TYPES_SERDES
    try:
        return active.serialize(value, SerDesContext(operation_id, durable_execution_arn))
    except Exception as error:
        _log.exception("⚠️ Serialization failed for id: %s", operation_id)
        raise ExecutionError(
            f"Serialization failed for id: {operation_id}, error: {error}."
        ) from error


def deserialize(
    serdes: SerDes[T] | None,
    data: str,
    operation_id: str,
    durable_execution_arn: str,
) -> T:
    """Decode ``data`` with ``serdes`` (the extended-types serdes when ``None``).

    Raises:
        ExecutionError: the serdes failed; the message names the operation id
            and the cause is chained.
    """
    active: SerDes[Any] = serdes if serdes is not None else EXTENDED_TYPES_SERDES
    try:
        value: T = active.deserialize(data, SerDesContext(operation_id, durable_execution_arn))
    except Exception as error:
        _log.exception("⚠️ Deserialization failed for id: %s", operation_id)
        raise ExecutionError(f"Deserialization failed for id: {operation_id}") from error
    return value
