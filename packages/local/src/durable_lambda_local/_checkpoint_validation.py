"""Checks on a checkpoint request that do not depend on how operations move between
statuses: the batch as a whole, and each update's members, sizes and action.

Messages are the real service's (service.md §4.2-4.3) where one is known, so an SDK
that matches on them behaves the same locally; checks we add name the member, the value
and the rule. Every failure is an ``InvalidParameterValueException`` and nothing of the
batch is applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from durable_lambda_client import (
    ErrorObject,
    OperationAction,
    OperationType,
    OperationUpdate,
)
from durable_lambda_local._errors import InvalidParameterValueException

__all__ = [
    "ALLOWED_ACTIONS",
    "MAX_CHAINED_INVOKE_PAYLOAD_BYTES",
    "MAX_ERROR_BYTES",
    "MAX_EXECUTION_PAYLOAD_BYTES",
    "MAX_OPERATION_PAYLOAD_BYTES",
    "check_batch",
    "check_update_members",
    "error_size",
    "parse_operation_updates",
    "utf8_length",
]

MAX_OPERATION_PAYLOAD_BYTES = 1_048_576
"""Payload of any update but EXECUTION (1 MiB; protocol.md §12)."""
MAX_EXECUTION_PAYLOAD_BYTES = 6_291_456
"""Payload of an EXECUTION update (the model's OperationPayload maximum)."""
MAX_CHAINED_INVOKE_PAYLOAD_BYTES = 1_048_576
"""Input of a chained invoke, and output of a chained child execution."""
MAX_ERROR_BYTES = 1_048_576
"""JSON size of an ErrorObject (the model's 1 MB combined limit)."""

ALLOWED_ACTIONS: Mapping[OperationType, frozenset[OperationAction]] = {
    OperationType.EXECUTION: frozenset({OperationAction.SUCCEED, OperationAction.FAIL}),
    OperationType.CONTEXT: frozenset(
        {OperationAction.START, OperationAction.SUCCEED, OperationAction.FAIL}
    ),
    OperationType.STEP: frozenset(
        {
            OperationAction.START,
            OperationAction.SUCCEED,
            OperationAction.FAIL,
            OperationAction.RETRY,
        }
    ),
    OperationType.WAIT: frozenset({OperationAction.START, OperationAction.CANCEL}),
    OperationType.CALLBACK: frozenset({OperationAction.START}),
    OperationType.CHAINED_INVOKE: frozenset({OperationAction.START}),
}

_OPERATION_ID = re.compile(r"[a-zA-Z0-9-_]{1,64}")
_OPERATION_NAME = re.compile(r"[\x20-\x7E]{1,256}")
_SUB_TYPE = re.compile(r"[a-zA-Z0-9-_]{1,32}")
_MAX_DURATION_SECONDS = 31_622_400
_MAX_CALLBACK_SECONDS = 99_999_999


def _invalid(message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(message)


def utf8_length(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes, without encoding short ASCII-only strings twice."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def error_size(error: ErrorObject) -> int:
    """Size of the error's JSON in bytes, as the service measures it."""
    return utf8_length(json.dumps(error.to_dict()))


def check_batch(updates: Sequence[OperationUpdate], existing_contexts: frozenset[str]) -> None:
    """Batch-level rules: one EXECUTION update at most and last; no id twice (except a
    STEP/CONTEXT START followed by one completion); parents are CONTEXT operations.

    Args:
        updates: the batch in request order.
        existing_contexts: ids of the CONTEXT operations the execution already has.

    Raises:
        InvalidParameterValueException: with the service's message for the first rule
            broken.
    """
    execution_updates = sum(1 for u in updates if u.operation_type is OperationType.EXECUTION)
    if execution_updates > 1:
        raise _invalid("Cannot checkpoint multiple EXECUTION updates.")
    if execution_updates and updates[-1].operation_type is not OperationType.EXECUTION:
        raise _invalid("EXECUTION checkpoint must be the last update.")
    started_here: dict[str, OperationType] = {}
    last_seen: dict[str, OperationUpdate] = {}
    for update in updates:
        previous = last_seen.get(update.operation_id)
        if previous is not None and not (
            previous.operation_type in (OperationType.STEP, OperationType.CONTEXT)
            and previous.action is OperationAction.START
            and update.action is not OperationAction.START
        ):
            raise _invalid("Cannot checkpoint multiple operations with the same ID.")
        parent = update.parent_id
        if parent is not None:
            started_type = started_here.get(parent)
            if started_type is not None:
                if started_type is not OperationType.CONTEXT:
                    raise _invalid("Invalid parent operation id.")
            elif parent not in existing_contexts:
                raise _invalid("Invalid parent operation id.")
        if update.action is OperationAction.START:
            started_here[update.operation_id] = update.operation_type
        last_seen[update.operation_id] = update


def check_update_members(update: OperationUpdate, *, is_chained_child: bool) -> None:
    """Member formats, sizes and the action-for-type rule of one update.

    Args:
        update: the update to check.
        is_chained_child: the execution was started by a chained invoke (its output is
            limited to 1 MiB).

    Raises:
        InvalidParameterValueException: naming the member and the rule it breaks.
    """
    _check_identity(update)
    _check_sizes(update, is_chained_child=is_chained_child)
    if update.action not in ALLOWED_ACTIONS[update.operation_type]:
        raise _invalid("Invalid action for the given operation type.")
    _check_options(update)


def _check_identity(update: OperationUpdate) -> None:
    if update.operation_type is OperationType.EXECUTION:
        return
    if not isinstance(update.operation_id, str) or not _OPERATION_ID.fullmatch(update.operation_id):
        raise _invalid(
            f"Id {update.operation_id!r} must be 1 to 64 characters matching [a-zA-Z0-9-_]."
        )
    if update.parent_id is not None and not _OPERATION_ID.fullmatch(update.parent_id):
        raise _invalid(
            f"ParentId {update.parent_id!r} must be 1 to 64 characters matching [a-zA-Z0-9-_]."
        )
    if update.name is not None and not _OPERATION_NAME.fullmatch(update.name):
        raise _invalid(
            f"Name {update.name!r} must be 1 to 256 printable ASCII characters ([\\x20-\\x7E])."
        )


def _check_sizes(update: OperationUpdate, *, is_chained_child: bool) -> None:
    if update.error is not None and error_size(update.error) > MAX_ERROR_BYTES:
        raise _invalid(f"Error object size must be less than {MAX_ERROR_BYTES} bytes.")
    payload = update.payload
    if payload is None:
        return
    size = utf8_length(payload)
    if update.operation_type is OperationType.CHAINED_INVOKE:
        if size > MAX_CHAINED_INVOKE_PAYLOAD_BYTES:
            raise _invalid(
                "CHAINED_INVOKE input payload size must be less than or equal to "
                f"{MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes."
            )
    elif update.operation_type is OperationType.EXECUTION:
        if is_chained_child and size > MAX_CHAINED_INVOKE_PAYLOAD_BYTES:
            raise _invalid(
                "Execution output payload size must be less than or equal to "
                f"{MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes."
            )
        if size > MAX_EXECUTION_PAYLOAD_BYTES:
            raise _invalid(
                f"Payload size must be less than or equal to {MAX_EXECUTION_PAYLOAD_BYTES} bytes."
            )
    elif size > MAX_OPERATION_PAYLOAD_BYTES:
        raise _invalid(
            f"Payload size must be less than or equal to {MAX_OPERATION_PAYLOAD_BYTES} bytes."
        )


def _check_options(update: OperationUpdate) -> None:
    if update.wait_options is not None:
        seconds = update.wait_options.wait_seconds
        if not 1 <= seconds <= _MAX_DURATION_SECONDS:
            raise _invalid(
                f"WaitOptions.WaitSeconds must be between 1 and {_MAX_DURATION_SECONDS}; "
                f"got {seconds}."
            )
    if update.step_options is not None:
        delay = update.step_options.next_attempt_delay_seconds
        if not 0 <= delay <= _MAX_DURATION_SECONDS:
            raise _invalid(
                "StepOptions.NextAttemptDelaySeconds must be between 0 and "
                f"{_MAX_DURATION_SECONDS}; got {delay}."
            )
    if update.callback_options is not None:
        for member, value in (
            ("TimeoutSeconds", update.callback_options.timeout_seconds),
            ("HeartbeatTimeoutSeconds", update.callback_options.heartbeat_timeout_seconds),
        ):
            if not 0 <= value <= _MAX_CALLBACK_SECONDS:
                raise _invalid(
                    f"CallbackOptions.{member} must be between 0 and "
                    f"{_MAX_CALLBACK_SECONDS}; got {value}."
                )


def parse_operation_updates(raw_updates: object) -> list[OperationUpdate]:
    """Read the ``Updates`` member of a checkpoint request body into models.

    For servers that receive JSON: an unknown ``Type`` gets the service's own message,
    any other malformed member an ``InvalidParameterValueException`` naming it.

    Raises:
        InvalidParameterValueException: ``Updates`` is not a list of update objects.
    """
    if raw_updates is None:
        return []
    if not isinstance(raw_updates, list):
        raise _invalid("Updates must be a list of OperationUpdate objects.")
    known_types = {member.value for member in OperationType}
    updates: list[OperationUpdate] = []
    for index, raw in enumerate(raw_updates):
        if not isinstance(raw, Mapping):
            raise _invalid(f"Updates[{index}] must be an OperationUpdate object.")
        if raw.get("Type") not in known_types:
            raise _invalid("Unknown operation type.")
        updates.append(_parse_update(raw, index))
    return updates


def _parse_update(raw: Mapping[str, Any], index: int) -> OperationUpdate:
    if not isinstance(raw.get("Id"), str):
        raise _invalid(f"Updates[{index}].Id is required and must be a string.")
    try:
        return OperationUpdate.from_dict(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _invalid(f"Updates[{index}] is malformed: {error}") from None
