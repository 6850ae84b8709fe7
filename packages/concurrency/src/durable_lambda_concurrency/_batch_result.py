"""The result of a batch: one ``BatchItem`` per started item, and why the batch stopped.

``to_dict()`` writes ``{"all": [{"index", "status", "result", "error"}, ...],
"completionReason": "..."}``, the shape map/parallel results have on the
wire, and ``from_dict()`` reads it back.

Two class-level hooks let a package give the result its own error types
without this package knowing them: :meth:`BatchResult.error_from_dict`
rebuilds an item's error record, and :meth:`BatchResult.error_to_exception`
builds what :meth:`BatchResult.throw_if_error` raises. Override both in a
subclass (the durable context does, with its ``ErrorObject`` and
``CallableRuntimeError``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from durable_lambda_concurrency._completion import (
    CompletionConfig,
    CompletionReason,
    ExecutionCounters,
)
from durable_lambda_concurrency._error_record import ErrorInfo, ErrorRecord
from durable_lambda_concurrency._errors import BatchFormatError, BatchItemError

__all__ = ["BatchItem", "BatchItemStatus", "BatchResult", "ErrorFactory"]

logger = logging.getLogger("durable_lambda_concurrency")

R = TypeVar("R")

ErrorFactory = Callable[[Mapping[str, Any]], ErrorRecord]
"""Rebuilds an error record from its wire dict (``{"ErrorMessage": ..., ...}``)."""


class BatchItemStatus(Enum):
    """The state of one item in a ``BatchResult`` (also the batch's overall ``status``)."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STARTED = "STARTED"


E = TypeVar("E", BatchItemStatus, CompletionReason)


def _from_wire(enum: type[E], value: Any, field: str) -> E:
    for member in enum:
        if member.value == value:
            return member
    allowed = ", ".join(member.value for member in enum)
    msg = f"{field} must be one of {allowed}, got: {value!r}"
    raise BatchFormatError(msg)


@dataclass(frozen=True)
class BatchItem(Generic[R]):
    """One item of a batch.

    Attributes:
        index: the item's position in the input, from 0.
        status: SUCCEEDED, FAILED, or STARTED (started but unfinished when the
            batch stopped).
        result: what the item returned (SUCCEEDED items only).
        error: the error record of a FAILED item.
    """

    index: int
    status: BatchItemStatus
    result: R | None = None
    error: ErrorRecord | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"index", "status", "result", "error"}``; ``error`` is the record's wire dict."""
        return {
            "index": self.index,
            "status": self.status.value,
            "result": self.result,
            "error": self.error.to_dict() if self.error is not None else None,
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], error_factory: ErrorFactory | None = None
    ) -> BatchItem[Any]:
        """Read the dict written by :meth:`to_dict`.

        Args:
            data: the item's dict.
            error_factory: rebuilds the error record; default ``ErrorInfo.from_dict``.

        Raises:
            BatchFormatError: a key is missing or a value is not allowed.
        """
        if not isinstance(data, Mapping):
            msg = f"a BatchItem must be a dict, got: {type(data).__name__}"
            raise BatchFormatError(msg)
        index = data.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            msg = f"BatchItem index must be an integer, got: {index!r}"
            raise BatchFormatError(msg)
        error_data = data.get("error")
        error: ErrorRecord | None = None
        if error_data:
            error = (error_factory or ErrorInfo.from_dict)(error_data)
        status = _from_wire(BatchItemStatus, data.get("status"), "BatchItem status")
        return cls(index, status, data.get("result"), error)


@dataclass(frozen=True)
class BatchResult(Generic[R]):
    """Every started item of a batch, in input order, and why the batch stopped.

    Items that never started are not listed; items started but unfinished
    when the batch stopped are STARTED.

    Attributes:
        all: the items, in input order.
        completion_reason: why the batch stopped.

    Example:
        >>> result = BatchResult(
        ...     [BatchItem(0, BatchItemStatus.SUCCEEDED, 4), BatchItem(1, BatchItemStatus.STARTED)],
        ...     CompletionReason.MIN_SUCCESSFUL_REACHED,
        ... )
        >>> result.get_results(), result.started_count
        ([4], 1)
        >>> BatchResult.from_dict(result.to_dict()) == result
        True
    """

    all: list[BatchItem[R]]
    completion_reason: CompletionReason

    # -- hooks -----------------------------------------------------------------

    @classmethod
    def error_from_dict(cls, data: Mapping[str, Any]) -> ErrorRecord:
        """Rebuild an item's error record in :meth:`from_dict`; override in a subclass."""
        return ErrorInfo.from_dict(data)

    @classmethod
    def error_to_exception(cls, error: ErrorRecord) -> BaseException:
        """The exception :meth:`throw_if_error` raises for ``error``; override in a subclass.

        The default is a :class:`BatchItemError` carrying the record's fields.
        """
        return BatchItemError.from_record(error)

    # -- dict form -------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        completion_config: CompletionConfig | None = None,
        *,
        error_factory: ErrorFactory | None = None,
    ) -> BatchResult[Any]:
        """Read the dict written by :meth:`to_dict`.

        A stored ``completionReason`` is kept as it is. When the key is missing
        the reason is inferred from the items and ``completion_config`` (see
        :meth:`from_items`) and a warning is logged.

        Args:
            data: ``{"all": [...], "completionReason": "..."}``.
            completion_config: the policy the batch ran with, used only to
                infer a missing reason.
            error_factory: rebuilds error records; default :meth:`error_from_dict`.

        Raises:
            BatchFormatError: the dict does not have the shape of a batch result.
        """
        if not isinstance(data, Mapping):
            msg = f"a BatchResult must be a dict, got: {type(data).__name__}"
            raise BatchFormatError(msg)
        raw_items = data.get("all")
        if not isinstance(raw_items, Sequence) or isinstance(raw_items, str | bytes):
            msg = f"BatchResult 'all' must be a list of items, got: {raw_items!r}"
            raise BatchFormatError(msg)
        factory = error_factory or cls.error_from_dict
        items: list[BatchItem[Any]] = [BatchItem.from_dict(item, factory) for item in raw_items]
        reason_value = data.get("completionReason")
        if reason_value is None:
            result = cls.from_items(items, completion_config)
            logger.warning(
                "BatchResult dict has no completionReason; inferred %s from its items",
                result.completion_reason.value,
            )
            return result
        return cls(items, _from_wire(CompletionReason, reason_value, "completionReason"))

    @classmethod
    def from_items(
        cls, items: list[BatchItem[R]], completion_config: CompletionConfig | None = None
    ) -> BatchResult[R]:
        """Build a result whose reason is inferred from the items.

        The items are taken as the whole batch (``total = len(items)``); the
        reason follows the completion rules in this order: tolerance exceeded,
        every item finished, ``min_successful`` reached, else ALL_COMPLETED.
        """
        counters = ExecutionCounters.from_config(len(items), completion_config)
        for item in items:
            if item.status is BatchItemStatus.SUCCEEDED:
                counters.complete_task()
            elif item.status is BatchItemStatus.FAILED:
                counters.fail_task()
        return cls(items, counters.completion_reason())

    def to_dict(self) -> dict[str, Any]:
        """``{"all": [item dicts], "completionReason": "<reason>"}``."""
        return {
            "all": [item.to_dict() for item in self.all],
            "completionReason": self.completion_reason.value,
        }

    # -- accessors -------------------------------------------------------------

    def succeeded(self) -> list[BatchItem[R]]:
        """SUCCEEDED items whose result is not ``None``."""
        return [
            item
            for item in self.all
            if item.status is BatchItemStatus.SUCCEEDED and item.result is not None
        ]

    def failed(self) -> list[BatchItem[R]]:
        """FAILED items that carry an error record."""
        return [
            item
            for item in self.all
            if item.status is BatchItemStatus.FAILED and item.error is not None
        ]

    def started(self) -> list[BatchItem[R]]:
        """Items started but unfinished when the batch stopped."""
        return [item for item in self.all if item.status is BatchItemStatus.STARTED]

    def get_results(self) -> list[R]:
        """Results of the SUCCEEDED items in input order, leaving out ``None`` results."""
        return [
            item.result
            for item in self.all
            if item.status is BatchItemStatus.SUCCEEDED and item.result is not None
        ]

    def get_errors(self) -> list[ErrorRecord]:
        """Error records of the FAILED items, in input order."""
        return [
            item.error
            for item in self.all
            if item.status is BatchItemStatus.FAILED and item.error is not None
        ]

    def throw_if_error(self) -> None:
        """Raise the first failed item's error (by index); do nothing if none failed.

        Raises:
            BaseException: what :meth:`error_to_exception` builds for the record
                (a :class:`BatchItemError` by default).
        """
        for item in self.all:
            if item.status is BatchItemStatus.FAILED and item.error is not None:
                raise self.error_to_exception(item.error)

    @property
    def status(self) -> BatchItemStatus:
        """FAILED if any item failed, else SUCCEEDED."""
        return BatchItemStatus.FAILED if self.has_failure else BatchItemStatus.SUCCEEDED

    @property
    def has_failure(self) -> bool:
        """Whether any item failed."""
        return any(item.status is BatchItemStatus.FAILED for item in self.all)

    @property
    def success_count(self) -> int:
        """Number of SUCCEEDED items, ``None`` results included."""
        return sum(1 for item in self.all if item.status is BatchItemStatus.SUCCEEDED)

    @property
    def failure_count(self) -> int:
        """Number of FAILED items."""
        return sum(1 for item in self.all if item.status is BatchItemStatus.FAILED)

    @property
    def started_count(self) -> int:
        """Number of STARTED items."""
        return sum(1 for item in self.all if item.status is BatchItemStatus.STARTED)

    @property
    def total_count(self) -> int:
        """Number of items listed (never-started items are not listed)."""
        return len(self.all)

    # -- names the reference documentation uses --------------------------------

    @property
    def results(self) -> list[BatchItem[R]]:
        """Same as :attr:`all` (the name some documentation uses)."""
        return self.all

    @property
    def successful_results(self) -> list[R]:
        """Same as :meth:`get_results`."""
        return self.get_results()

    @property
    def failed_results(self) -> list[BatchItem[R]]:
        """Same as :meth:`failed`."""
        return self.failed()
