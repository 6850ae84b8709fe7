"""Operations as the SDK sees them: records turned into wire ``Operation`` models, the
state filter, and paging by item count and byte budget."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from durable_lambda_client import (
    CallbackDetails,
    ChainedInvokeDetails,
    ContextDetails,
    ExecutionDetails,
    Operation,
    OperationStatus,
    OperationType,
    StepDetails,
    WaitDetails,
)
from durable_lambda_local._clock import ms_to_datetime
from durable_lambda_local._records import OperationRecord

__all__ = ["DEFAULT_PAGE_BYTES", "page_operations", "to_operation", "visible_operations"]

DEFAULT_PAGE_BYTES = 5 * 1024 * 1024
"""Byte budget of one state page (the invocation payload limit is 6 MB)."""

_COMPLETED_CONTEXT = (OperationStatus.SUCCEEDED, OperationStatus.FAILED)


def to_operation(record: OperationRecord) -> Operation:
    """The wire model of ``record`` (only the details member of its type is set)."""
    kind = record.operation_type
    execution = context = step = wait = callback = invoke = None
    if kind is OperationType.STEP:
        step = StepDetails(
            record.attempt,
            None if record.next_attempt_ms is None else ms_to_datetime(record.next_attempt_ms),
            record.result,
            record.error,
        )
    elif kind is OperationType.WAIT:
        wait = WaitDetails(
            None if record.scheduled_end_ms is None else ms_to_datetime(record.scheduled_end_ms)
        )
    elif kind is OperationType.CALLBACK:
        callback = CallbackDetails(record.callback_id or "", record.result, record.error)
    elif kind is OperationType.CONTEXT:
        context = ContextDetails(record.replay_children, record.result, record.error)
    elif kind is OperationType.CHAINED_INVOKE:
        invoke = ChainedInvokeDetails(record.result, record.error)
    else:
        execution = ExecutionDetails(record.input_payload)
    return Operation(
        operation_id=record.operation_id,
        operation_type=kind,
        status=record.status,
        parent_id=record.parent_id,
        name=record.name,
        start_timestamp=ms_to_datetime(record.start_ms),
        end_timestamp=None if record.end_ms is None else ms_to_datetime(record.end_ms),
        sub_type=record.sub_type,
        execution_details=execution,
        context_details=context,
        step_details=step,
        wait_details=wait,
        callback_details=callback,
        chained_invoke_details=invoke,
    )


def visible_operations(records: Iterable[OperationRecord]) -> list[OperationRecord]:
    """The operations a handler is shown, in creation order.

    Descendants of a CONTEXT that SUCCEEDED or FAILED are left out unless that context
    asked to replay its children (its result was too large to store); the SDK returns a
    completed context's stored outcome without visiting its body.
    """
    hidden: set[str] = set()
    shown: list[OperationRecord] = []
    for record in records:
        if record.parent_id is not None and record.parent_id in hidden:
            hidden.add(record.operation_id)
            continue
        shown.append(record)
        if (
            record.operation_type is OperationType.CONTEXT
            and record.status in _COMPLETED_CONTEXT
            and not record.replay_children
        ):
            hidden.add(record.operation_id)
    return shown


def page_operations(
    records: Sequence[OperationRecord], offset: int, max_items: int, max_bytes: int
) -> tuple[list[OperationRecord], int | None]:
    """Take one page from ``records[offset:]``.

    A page holds at most ``max_items`` operations and stops before the operation that
    would take it past ``max_bytes`` (but always holds at least one).

    Returns:
        The page and the offset of the next page, or None when nothing remains.
    """
    page: list[OperationRecord] = []
    used = 0
    index = offset
    end = len(records)
    while index < end and len(page) < max_items:
        size = records[index].size
        if page and used + size > max_bytes:
            break
        page.append(records[index])
        used += size
        index += 1
    return page, (index if index < end else None)
