"""The replay-aware logger behind ``context.logger`` and the loggers handed to steps.

Every record carries the execution ARN and, where they apply, the parent
context id, the operation name, the attempt and the operation id. While the
handler re-runs code that already completed in an earlier invocation, records
are dropped, so each line is logged once per execution.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from durable_lambda_client import OperationIdentifier
from durable_lambda_context._types import LoggerInterface

if TYPE_CHECKING:
    from durable_lambda_state import ExecutionState

__all__ = ["LogInfo", "Logger"]


@dataclass(frozen=True)
class LogInfo:
    """Where a logger sits: the execution, the enclosing context and the operation.

    ``attempt`` counts the attempts already finished; records show
    ``attempt + 1``, the attempt running now.
    """

    execution_state: ExecutionState
    parent_id: str | None = None
    operation_id: str | None = None
    name: str | None = None
    attempt: int | None = None

    @classmethod
    def from_operation_identifier(
        cls,
        execution_state: ExecutionState,
        op_id: OperationIdentifier,
        attempt: int | None = None,
    ) -> LogInfo:
        """Describe the operation ``op_id`` at ``attempt`` finished attempts."""
        return cls(
            execution_state=execution_state,
            parent_id=op_id.parent_id,
            operation_id=op_id.operation_id,
            name=op_id.name,
            attempt=attempt,
        )

    def with_parent_id(self, parent_id: str) -> LogInfo:
        """The same location inside the context ``parent_id``."""
        return replace(self, parent_id=parent_id)


def _extras(info: LogInfo) -> dict[str, object]:
    extras: dict[str, object] = {"executionArn": info.execution_state.durable_execution_arn}
    if info.parent_id is not None:
        extras["parentId"] = info.parent_id
    if info.name is not None:
        extras["operationName"] = info.name
    if info.attempt is not None:
        extras["attempt"] = info.attempt + 1
    if info.operation_id is not None:
        extras["operationId"] = info.operation_id
    return extras


class Logger(LoggerInterface):
    """A logger that adds durable-execution fields and stays quiet during replay.

    Args:
        logger: the logger records go to (``logging.Logger``, Powertools, ...).
        default_extra: fields added to every record; a call's ``extra`` wins.
        execution_state: tells whether the handler is replaying.
    """

    __slots__ = ("_default_extra", "_execution_state", "_logger", "_stacklevel")

    def __init__(
        self,
        logger: LoggerInterface,
        default_extra: Mapping[str, object],
        execution_state: ExecutionState,
    ) -> None:
        self._logger = logger
        self._default_extra = dict(default_extra)
        self._execution_state = execution_state
        # Standard-library loggers report the caller's file and line when told
        # to skip this wrapper's frame.
        self._stacklevel: dict[str, Any] = (
            {"stacklevel": 3} if isinstance(logger, logging.Logger) else {}
        )

    @classmethod
    def from_log_info(cls, logger: LoggerInterface, info: LogInfo) -> Logger:
        """A logger whose fixed fields describe ``info``."""
        return cls(logger, _extras(info), info.execution_state)

    def with_log_info(self, info: LogInfo) -> Logger:
        """The same destination, with the fields of ``info``."""
        return Logger.from_log_info(self._logger, info)

    def get_logger(self) -> LoggerInterface:
        """The logger records go to."""
        return self._logger

    @property
    def default_extra(self) -> Mapping[str, object]:
        """The fields added to every record."""
        return self._default_extra

    def _emit(
        self,
        level: str,
        msg: object,
        args: tuple[object, ...],
        extra: Mapping[str, object] | None,
    ) -> None:
        if self._execution_state.is_replaying():
            return
        merged = self._default_extra if not extra else {**self._default_extra, **extra}
        getattr(self._logger, level)(msg, *args, extra=dict(merged), **self._stacklevel)

    def debug(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        """Log at DEBUG level unless replaying."""
        self._emit("debug", msg, args, extra)

    def info(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        """Log at INFO level unless replaying."""
        self._emit("info", msg, args, extra)

    def warning(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None:
        """Log at WARNING level unless replaying."""
        self._emit("warning", msg, args, extra)

    def error(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        """Log at ERROR level unless replaying."""
        self._emit("error", msg, args, extra)

    def exception(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None:
        """Log at ERROR level with the current exception's traceback unless replaying."""
        self._emit("exception", msg, args, extra)
