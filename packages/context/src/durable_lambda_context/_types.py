"""Protocols and small value types that user code sees: contexts handed to user
functions, the logger interface, the Lambda context, summary generators.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from durable_lambda_context._config import (
        CallbackConfig,
        ChildConfig,
        MapConfig,
        ParallelConfig,
        StepConfig,
    )
    from durable_lambda_context._duration import Duration

T = TypeVar("T")
U = TypeVar("U")
C_co = TypeVar("C_co", covariant=True)
C_contra = TypeVar("C_contra", contravariant=True)

__all__ = [
    "BatchResult",
    "Callback",
    "DurableContext",
    "LambdaContext",
    "LoggerInterface",
    "OperationContext",
    "StepContext",
    "SummaryGenerator",
    "WaitForCallbackContext",
    "WaitForConditionCheckContext",
]


class LoggerInterface(Protocol):
    """What the SDK needs of a logger: the five level methods with ``extra``.

    ``logging.Logger`` and Powertools' ``Logger`` both fit.
    """

    def debug(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None: ...

    def info(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None: ...

    def warning(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None: ...

    def error(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None: ...

    def exception(
        self, msg: object, *args: object, extra: Mapping[str, object] | None = None
    ) -> None: ...


@dataclass(frozen=True)
class OperationContext:
    """What a user function running inside an operation receives."""

    logger: LoggerInterface


@dataclass(frozen=True)
class StepContext(OperationContext):
    """Handed to a step function; ``logger`` is enriched with the step's id, name and attempt."""


@dataclass(frozen=True)
class WaitForCallbackContext(OperationContext):
    """Handed to a ``wait_for_callback`` submitter, with the submitter step's logger."""


@dataclass(frozen=True)
class WaitForConditionCheckContext(OperationContext):
    """Handed to a ``wait_for_condition`` check, with a logger carrying the attempt."""


class Callback(Protocol[C_co]):
    """A callback created by ``context.create_callback``."""

    callback_id: str

    @abstractmethod
    def result(self) -> C_co | None:
        """The value delivered to the callback, suspending until it arrives."""
        ...


@runtime_checkable
class BatchResult(Protocol[T]):
    """The result of ``map``/``parallel`` as the reference's ``types`` module describes it.

    The concrete class is ``durable_lambda.BatchResult``; this protocol is
    structural, so ``isinstance`` works for it too.
    """

    @abstractmethod
    def get_results(self) -> list[T]:
        """Results of the items that succeeded, in input order."""
        ...


class DurableContext(Protocol):
    """The operations a durable handler can call (see the concrete ``DurableContext``)."""

    @abstractmethod
    def step(
        self,
        func: Callable[[StepContext], T],
        name: str | None = None,
        config: StepConfig | None = None,
    ) -> T:
        """Run ``func`` once and record its result."""
        ...

    @abstractmethod
    def run_in_child_context(
        self,
        func: Callable[[Any], T],
        name: str | None = None,
        config: ChildConfig[T] | None = None,
    ) -> T:
        """Run ``func`` in a child context recorded as one operation."""
        ...

    @abstractmethod
    def map(
        self,
        inputs: Sequence[U],
        func: Callable[[Any, U, int, Sequence[U]], T],
        name: str | None = None,
        config: MapConfig | None = None,
    ) -> Any:
        """Run ``func`` on every item, each in its own child context."""
        ...

    @abstractmethod
    def parallel(
        self,
        functions: Sequence[Callable[[Any], T]],
        name: str | None = None,
        config: ParallelConfig | None = None,
    ) -> Any:
        """Run every function, each in its own child context."""
        ...

    @abstractmethod
    def wait(self, duration: Duration, name: str | None = None) -> None:
        """Suspend the execution for ``duration``."""
        ...

    @abstractmethod
    def create_callback(self, name: str | None = None, config: CallbackConfig | None = None) -> Any:
        """Register a callback that an external system completes."""
        ...


class LambdaContext(Protocol):
    """The parts of the Lambda context object the SDK and user code may read.

    Lambda's own context object and the local service's both fit; the attributes
    other than ``aws_request_id`` may be ``None`` outside Lambda.
    """

    aws_request_id: str

    @property
    def log_group_name(self) -> str | None:
        """The CloudWatch log group of the function."""
        ...

    @property
    def log_stream_name(self) -> str | None:
        """The CloudWatch log stream of this sandbox."""
        ...

    @property
    def function_name(self) -> str | None:
        """The function's name."""
        ...

    @property
    def memory_limit_in_mb(self) -> str | None:
        """The memory configured for the function."""
        ...

    @property
    def function_version(self) -> str | None:
        """The version of the function that runs."""
        ...

    @property
    def invoked_function_arn(self) -> str | None:
        """The ARN the function was invoked with (may carry a qualifier)."""
        ...

    @property
    def tenant_id(self) -> str | None:
        """The tenant of a tenant-isolated invocation."""
        ...

    @property
    def client_context(self) -> Any | None:
        """The mobile client context, if any."""
        ...

    @property
    def identity(self) -> Any | None:
        """The Cognito identity, if any."""
        ...

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda stops the invocation."""
        ...

    def log(self, msg: str) -> None:
        """Write ``msg`` to the function's log stream."""
        ...


class SummaryGenerator(Protocol[C_contra]):
    """Turns a result too large to checkpoint into the short text recorded instead."""

    def __call__(self, result: C_contra) -> str: ...
