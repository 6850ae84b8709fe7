"""Configuration of the durable operations: what each one accepts and its defaults.

Field order and defaults are the reference SDK's, so positional construction
written for it keeps working. ``CompletionConfig`` lives in the concurrency
package (the executor applies it) and is re-exported here as the same object.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from durable_lambda_client import OperationSubType, ValidationError
from durable_lambda_concurrency import (
    CompletionConfig,
    ConcurrencyConfigError,
    register_config_error,
)
from durable_lambda_context._duration import Duration
from durable_lambda_context._jitter import JitterStrategy
from durable_lambda_context._validation import require_callable, require_duration, require_name
from durable_lambda_serdes import SerDes

if TYPE_CHECKING:
    from durable_lambda_context._retries import RetryDecision
    from durable_lambda_context._types import SummaryGenerator

T = TypeVar("T")
U = TypeVar("U")
P = TypeVar("P")
R = TypeVar("R")

Numeric = int | float
"""A number of seconds, a rate or a percentage."""

__all__ = [
    "BatchedInput",
    "CallbackConfig",
    "CheckpointMode",
    "ChildConfig",
    "CompletionConfig",
    "Duration",
    "InvokeConfig",
    "ItemBatcher",
    "ItemsPerBatchUnit",
    "JitterStrategy",
    "MapConfig",
    "Numeric",
    "ParallelConfig",
    "StepConfig",
    "StepFuture",
    "StepSemantics",
    "TerminationMode",
    "WaitForCallbackConfig",
]


@dataclass(frozen=True)
class BatchedInput(Generic[T, U]):
    """A group of map items with shared input (declared for compatibility; never produced)."""

    batch_input: T
    items: list[U]


class TerminationMode(Enum):
    """Declared for compatibility with the reference; no operation reads it."""

    TERMINATE = "TERMINATE"
    CANCEL = "CANCEL"
    WAIT = "WAIT"
    ABANDON = "ABANDON"


class StepSemantics(Enum):
    """How often a step body may run for one attempt.

    ``AT_LEAST_ONCE_PER_RETRY`` (the default) starts the body without waiting
    for the START checkpoint: a crash may run the same attempt again.
    ``AT_MOST_ONCE_PER_RETRY`` persists START first, so an attempt interrupted
    by a crash is not re-run but handed to the retry strategy as
    ``StepInterruptedError``.
    """

    AT_MOST_ONCE_PER_RETRY = "AT_MOST_ONCE_PER_RETRY"
    AT_LEAST_ONCE_PER_RETRY = "AT_LEAST_ONCE_PER_RETRY"


class CheckpointMode(Enum):
    """Declared for compatibility with the reference; no operation reads it."""

    NO_CHECKPOINT = "NO_CHECKPOINT"
    CHECKPOINT_AT_FINISH = "CHECKPOINT_AT_FINISH"
    CHECKPOINT_AT_START_AND_FINISH = "CHECKPOINT_AT_START_AND_FINISH"


class ItemsPerBatchUnit(Enum):
    """Declared for compatibility with the reference; no operation reads it."""

    COUNT = "COUNT"
    BYTES = "BYTES"


@dataclass(frozen=True)
class ParallelConfig:
    """How ``context.parallel`` runs its branches.

    Args:
        max_concurrency: most branches running at once; ``None`` runs all.
        completion_config: when the operation is complete; by default every
            branch must succeed and the first failure ends it.
        serdes: encodes the ``BatchResult`` (and the branch results when
            ``item_serdes`` is not set).
        item_serdes: encodes each branch result.
        summary_generator: text checkpointed instead of a ``BatchResult`` too
            large for one checkpoint; defaults to ``ParallelSummaryGenerator``.
    """

    max_concurrency: int | None = None
    completion_config: CompletionConfig = field(default_factory=CompletionConfig.all_successful)
    serdes: SerDes[Any] | None = None
    item_serdes: SerDes[Any] | None = None
    summary_generator: SummaryGenerator[Any] | None = None


@dataclass(frozen=True)
class StepConfig:
    """How ``context.step`` runs, retries and records its function.

    Args:
        retry_strategy: ``(error, attempts_made) -> RetryDecision``; ``None``
            means ``RetryPresets.default()`` (6 attempts).
        step_semantics: at-least-once (default) or at-most-once per attempt.
        serdes: encodes the step result; the extended-types serdes by default.
    """

    retry_strategy: Callable[[Exception, int], RetryDecision] | None = None
    step_semantics: StepSemantics = StepSemantics.AT_LEAST_ONCE_PER_RETRY
    serdes: SerDes[Any] | None = None

    def __post_init__(self) -> None:
        if self.retry_strategy is not None:
            require_callable("StepConfig.retry_strategy", self.retry_strategy)
        if not isinstance(self.step_semantics, StepSemantics):
            raise ValidationError(
                "StepConfig.step_semantics must be a StepSemantics member "
                "(AT_MOST_ONCE_PER_RETRY or AT_LEAST_ONCE_PER_RETRY), "
                f"got: {self.step_semantics!r}"
            )


@dataclass(frozen=True)
class ChildConfig(Generic[T]):
    """How ``context.run_in_child_context`` records its result.

    Args:
        serdes: encodes the child's result; the extended-types serdes by default.
        item_serdes: not used by ``run_in_child_context`` (kept for map/parallel).
        sub_type: the operation subtype recorded; ``RunInChildContext`` by default.
        summary_generator: text checkpointed instead of a result larger than
            256 KiB (the child then rebuilds its result on replay).
    """

    serdes: SerDes[Any] | None = None
    item_serdes: SerDes[Any] | None = None
    sub_type: OperationSubType | None = None
    summary_generator: SummaryGenerator[Any] | None = None


@dataclass(frozen=True)
class ItemBatcher(Generic[T]):
    """Accepted for compatibility and ignored: every map item is its own branch."""

    max_items_per_batch: int = 0
    max_item_bytes_per_batch: int | float = 0
    batch_input: T | None = None


@dataclass(frozen=True)
class MapConfig:
    """How ``context.map`` runs the item function.

    Args:
        max_concurrency: most items running at once; ``None`` runs all.
        item_batcher: ignored (each item is its own branch).
        completion_config: when the operation is complete; by default the
            first failure ends it.
        serdes: encodes the ``BatchResult`` (and item results when
            ``item_serdes`` is not set).
        item_serdes: encodes each item result.
        summary_generator: text checkpointed instead of a ``BatchResult`` too
            large for one checkpoint; defaults to ``MapSummaryGenerator``.
    """

    max_concurrency: int | None = None
    item_batcher: ItemBatcher[Any] = field(default_factory=ItemBatcher)
    completion_config: CompletionConfig = field(default_factory=CompletionConfig)
    serdes: SerDes[Any] | None = None
    item_serdes: SerDes[Any] | None = None
    summary_generator: SummaryGenerator[Any] | None = None


@dataclass(frozen=True)
class InvokeConfig(Generic[P, R]):
    """How ``context.invoke`` encodes the payload and decodes the result.

    Args:
        timeout: how soon a waiting map/parallel branch re-checks the invoke;
            never sent to the service and never fails the invoke.
        serdes_payload: encodes the payload; JSON by default.
        serdes_result: decodes the result; JSON by default.
        tenant_id: tenant of the invoked function, for tenant-isolated functions.
    """

    timeout: Duration = field(default_factory=Duration)
    serdes_payload: SerDes[P] | None = None
    serdes_result: SerDes[R] | None = None
    tenant_id: str | None = None

    def __post_init__(self) -> None:
        require_duration("InvokeConfig.timeout", self.timeout)
        require_name("InvokeConfig.tenant_id", self.tenant_id)

    @property
    def timeout_seconds(self) -> int:
        """The timeout in whole seconds (0 = none)."""
        return self.timeout.to_seconds()


@dataclass(frozen=True)
class CallbackConfig:
    """How ``context.create_callback`` registers the callback.

    Args:
        timeout: the service fails the callback after this long (0 = never).
        heartbeat_timeout: the service fails the callback when no heartbeat
            arrives for this long (0 = no heartbeat needed).
        serdes: decodes the value the external system sent; by default the raw
            text is returned.
    """

    timeout: Duration = field(default_factory=Duration)
    heartbeat_timeout: Duration = field(default_factory=Duration)
    serdes: SerDes[Any] | None = None

    def __post_init__(self) -> None:
        require_duration(f"{type(self).__name__}.timeout", self.timeout)
        require_duration(f"{type(self).__name__}.heartbeat_timeout", self.heartbeat_timeout)

    @property
    def timeout_seconds(self) -> int:
        """The timeout in whole seconds (0 = none)."""
        return self.timeout.to_seconds()

    @property
    def heartbeat_timeout_seconds(self) -> int:
        """The heartbeat timeout in whole seconds (0 = none)."""
        return self.heartbeat_timeout.to_seconds()


@dataclass(frozen=True)
class WaitForCallbackConfig(CallbackConfig):
    """``CallbackConfig`` plus the retry strategy of the submitter step."""

    retry_strategy: Callable[[Exception, int], RetryDecision] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.retry_strategy is not None:
            require_callable("WaitForCallbackConfig.retry_strategy", self.retry_strategy)


class StepFuture(Generic[T]):
    """A named future (declared for compatibility; no operation returns one)."""

    def __init__(self, future: concurrent.futures.Future[T], name: str | None = None) -> None:
        self.future = future
        self.name = name

    def result(self, timeout_seconds: int | None = None) -> T:
        """Block until the value is available and return it."""
        return self.future.result(timeout=timeout_seconds)


class CompletionConfigError(ValidationError, ConcurrencyConfigError):
    """An invalid ``CompletionConfig`` or executor setting.

    Both this API's ``ValidationError`` and the concurrency package's own
    ``ConcurrencyConfigError`` catch it, so code written against either works.
    """


# Keep the class name users see in error envelopes ("ValidationError").
CompletionConfigError.__name__ = "ValidationError"
CompletionConfigError.__qualname__ = "ValidationError"


def register_completion_config_errors() -> None:
    """Make ``CompletionConfig`` and the executor raise ``CompletionConfigError`` (at import)."""
    register_config_error(CompletionConfigError)


register_completion_config_errors()
