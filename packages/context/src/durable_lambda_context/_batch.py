"""``context.map`` and ``context.parallel``: branches in child contexts, run concurrently.

The operation is a CONTEXT (subtype Map/Parallel) whose body hands the
branches to the concurrency package's ``BatchExecutor``; each branch is its
own CONTEXT (MapIteration/ParallelBranch) run through the child machinery.
The outcome is a ``BatchResult`` recorded with the ``br`` envelope.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from durable_lambda_client import (
    CallableRuntimeError,
    ErrorObject,
    NonDeterministicExecutionError,
    OperationStatus,
    OperationSubType,
    OperationType,
    OrphanedChildException,
    SuspendExecution,
    TimedSuspendExecution,
    ValidationError,
)
from durable_lambda_concurrency import (
    BatchExecutor,
    BatchItem,
    BatchItemStatus,
    BatchSuspended,
    Cancelled,
    ErrorRecord,
    ItemContext,
    ItemOutcome,
    Suspended,
)
from durable_lambda_concurrency import BatchResult as _ConcurrencyBatchResult
from durable_lambda_context._child import run_child
from durable_lambda_context._config import ItemBatcher, MapConfig, ParallelConfig
from durable_lambda_context._decorators import original_name
from durable_lambda_context._operation_ids import branch_id
from durable_lambda_context._stored_outcome import error_from_exception
from durable_lambda_context._validation import require_callable, require_name
from durable_lambda_serdes import TypeTag, register_type_codec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from durable_lambda_context._context import DurableContext
    from durable_lambda_context._types import SummaryGenerator

T = TypeVar("T")
U = TypeVar("U")
R = TypeVar("R")

_log = logging.getLogger("durable_lambda_context")

__all__ = ["BatchResult", "MapSummaryGenerator", "ParallelSummaryGenerator"]


class BatchResult(_ConcurrencyBatchResult[R]):
    """The outcome of ``map``/``parallel``: one ``BatchItem`` per started branch, in order.

    Failed items carry an ``ErrorObject``; ``throw_if_error()`` raises the first
    one as ``CallableRuntimeError``. Results from ``get_results()`` skip
    ``None``. Return ``get_results()`` or ``to_dict()`` from a handler: the
    object itself is not JSON.
    """

    @classmethod
    def error_from_dict(cls, data: Mapping[str, Any]) -> ErrorRecord:
        """Rebuild a failed item's error as an ``ErrorObject``."""
        return ErrorObject.from_dict(data)

    @classmethod
    def error_to_exception(cls, error: ErrorRecord) -> BaseException:
        """``throw_if_error`` raises a failed item as ``CallableRuntimeError``."""
        stack = error.stack_trace
        return CallableRuntimeError(
            error.message, error.type, error.data, list(stack) if stack is not None else None
        )


def _summary(result: _ConcurrencyBatchResult[Any]) -> dict[str, Any]:
    return {
        "totalCount": result.total_count,
        "successCount": result.success_count,
        "failureCount": result.failure_count,
        "completionReason": result.completion_reason.value,
        "status": result.status.value,
    }


class MapSummaryGenerator:
    """Summary text checkpointed for a ``map`` result too large to record."""

    def __call__(self, result: _ConcurrencyBatchResult[Any]) -> str:
        return json.dumps({**_summary(result), "type": "MapResult"})


class ParallelSummaryGenerator:
    """Summary text checkpointed for a ``parallel`` result too large to record."""

    def __call__(self, result: _ConcurrencyBatchResult[Any]) -> str:
        return json.dumps(
            {**_summary(result), "startedCount": result.started_count, "type": "ParallelResult"}
        )


@dataclass(frozen=True)
class _Kind:
    """What sets map and parallel apart: subtypes, branch names, label and summary."""

    sub_type: OperationSubType
    branch_sub_type: OperationSubType
    branch_prefix: str
    label: str
    """Names the operation in thread names and paths when it has no name of its own."""
    summary_generator: SummaryGenerator[Any]


_MAP = _Kind(
    OperationSubType.MAP, OperationSubType.MAP_ITERATION, "map-item", "map", MapSummaryGenerator()
)
_PARALLEL = _Kind(
    OperationSubType.PARALLEL,
    OperationSubType.PARALLEL_BRANCH,
    "parallel-branch",
    "parallel",
    ParallelSummaryGenerator(),
)

_batcher_warning_logged = False


def run_map(
    context: DurableContext,
    inputs: Sequence[U],
    func: Callable[[DurableContext, U, int, Sequence[U]], T],
    name: str | None,
    config: MapConfig | None,
) -> BatchResult[T]:
    """Run ``func`` over ``inputs`` (see ``DurableContext.map``)."""
    global _batcher_warning_logged
    require_callable("func", func)
    require_name("name", name)
    config = config if config is not None else MapConfig()
    name = name or original_name(func)
    items = inputs if isinstance(inputs, list | tuple) else list(inputs)
    _validate(config, len(items))
    if not _batcher_warning_logged and config.item_batcher != ItemBatcher():
        _batcher_warning_logged = True
        _log.warning("MapConfig.item_batcher is not applied: every item is its own branch")

    def call(branch_context: DurableContext, index: int) -> T:
        return func(branch_context, items[index], index, items)

    return _run_batch(context, _MAP, config, name, len(items), call)


def run_parallel(
    context: DurableContext,
    functions: Sequence[Callable[[DurableContext], T]],
    name: str | None,
    config: ParallelConfig | None,
) -> BatchResult[T]:
    """Run every function (see ``DurableContext.parallel``)."""
    require_name("name", name)
    name = name or None
    config = config if config is not None else ParallelConfig()
    branches = list(functions)
    for index, branch in enumerate(branches):
        require_callable(f"functions[{index}]", branch)
    _validate(config, len(branches))

    def call(branch_context: DurableContext, index: int) -> T:
        return branches[index](branch_context)

    return _run_batch(context, _PARALLEL, config, name, len(branches), call)


def _validate(config: MapConfig | ParallelConfig, total: int) -> None:
    max_concurrency = config.max_concurrency
    completion_config = config.completion_config
    if max_concurrency is not None and max_concurrency < 1:
        raise ValidationError(f"max_concurrency must be at least 1, got: {max_concurrency}")
    minimum = completion_config.min_successful if completion_config is not None else None
    if minimum is not None and minimum > total:
        raise ValidationError(
            f"min_successful cannot be greater than total items: {minimum} > {total}"
        )


def _run_batch(
    context: DurableContext,
    kind: _Kind,
    config: MapConfig | ParallelConfig,
    name: str | None,
    count: int,
    call: Callable[[DurableContext, int], T],
) -> BatchResult[T]:
    operation_id, checkpoint = context._begin_operation(OperationType.CONTEXT, kind.sub_type, name)
    batch = _Batch(operation_id, kind, name or kind.label, count, call, config)
    rebuild = checkpoint.is_replay_children()

    def body(operation_context: DurableContext) -> BatchResult[T]:
        if rebuild:
            return batch.rebuild(operation_context)
        return batch.execute(operation_context)

    result: BatchResult[T] = run_child(
        context,
        operation_id=operation_id,
        checkpoint=checkpoint,
        name=name,
        sub_type=kind.sub_type,
        segment=None,
        func=body,
        serdes=config.serdes,
        summary_generator=config.summary_generator or kind.summary_generator,
        # The operation's own context holds only branches, whose ids do not
        # come from its counter.
        check_removed=False,
    )
    return result


def _classify(raised: BaseException) -> ItemOutcome[Any] | None:
    if isinstance(raised, TimedSuspendExecution):
        return Suspended(resume_at=raised.scheduled_timestamp)
    if isinstance(raised, SuspendExecution):
        return Suspended()
    if isinstance(raised, OrphanedChildException):
        return Cancelled()
    if isinstance(raised, NonDeterministicExecutionError):
        raise raised
    return None


class _Batch:
    """One map/parallel operation: its branches and how to run or rebuild them."""

    def __init__(
        self,
        operation_id: str,
        kind: _Kind,
        label: str,
        count: int,
        call: Callable[[DurableContext, int], Any],
        config: MapConfig | ParallelConfig,
    ) -> None:
        self.operation_id = operation_id
        self.branch_sub_type = kind.branch_sub_type
        self.branch_prefix = kind.branch_prefix
        self.label = label
        self.count = count
        self.call = call
        self.max_concurrency = config.max_concurrency
        self.completion_config = config.completion_config
        self.branch_serdes = config.item_serdes or config.serdes

    def _run_branch(self, parent: DurableContext, index: int) -> Any:
        branch = branch_id(self.operation_id, index)
        name = f"{self.branch_prefix}-{index}"
        segment = f"{self.label}[{index}]"
        checkpoint = parent._lookup_branch(branch, index, self.branch_sub_type, name, segment)
        call = self.call

        def body(branch_context: DurableContext) -> Any:
            return call(branch_context, index)

        return run_child(
            parent,
            operation_id=branch,
            checkpoint=checkpoint,
            name=name,
            sub_type=self.branch_sub_type,
            segment=segment,
            func=body,
            serdes=self.branch_serdes,
            summary_generator=None,
        )

    def execute(self, operation_context: DurableContext) -> BatchResult[Any]:
        invocation = operation_context._invocation

        def task_for(index: int) -> Callable[[ItemContext], Any]:
            def task(item: ItemContext) -> Any:
                return self._run_branch(operation_context._for_branch(item), index)

            return task

        def refresh_state(index: int) -> None:
            # A branch resumed within this invocation reads records the service
            # may have completed meanwhile (a due wait, a delivered callback).
            invocation.checkpoint(None, sync=True)

        executor = BatchExecutor(
            self.max_concurrency,
            self.completion_config,
            classify=_classify,
            record_error=error_from_exception,
            before_resume=refresh_state,
            result_type=BatchResult,
            thread_name_prefix=f"durable-{self.label}",
        )
        outcome = executor.run([task_for(index) for index in range(self.count)])
        if isinstance(outcome, BatchSuspended):
            if outcome.resume_at is not None:
                raise TimedSuspendExecution(
                    "All concurrent work complete or suspended pending retry.",
                    outcome.resume_at,
                )
            raise SuspendExecution(
                "All concurrent work complete or suspended and pending external callback."
            )
        result: BatchResult[Any] = outcome.result  # type: ignore[assignment]
        return result

    def rebuild(self, operation_context: DurableContext) -> BatchResult[Any]:
        """Rebuild a result that was too large to record, from the branches' records."""
        state = operation_context._invocation.state
        items: list[BatchItem[Any]] = []
        for index in range(self.count):
            checkpoint = state.get_checkpoint_result(branch_id(self.operation_id, index))
            if not checkpoint.is_existent():
                continue
            if checkpoint.status is OperationStatus.SUCCEEDED:
                value = self._run_branch(operation_context, index)
                items.append(BatchItem(index, BatchItemStatus.SUCCEEDED, value))
            elif checkpoint.status is OperationStatus.FAILED:
                state.track_replay(branch_id(self.operation_id, index))
                items.append(BatchItem(index, BatchItemStatus.FAILED, None, checkpoint.error))
            else:
                items.append(BatchItem(index, BatchItemStatus.STARTED))
        rebuilt: BatchResult[Any] = BatchResult.from_items(items, self.completion_config)  # type: ignore[assignment]
        return rebuilt


def _encode_batch_result(result: _ConcurrencyBatchResult[Any]) -> dict[str, Any]:
    return result.to_dict()


def _decode_batch_result(data: dict[str, Any]) -> BatchResult[Any]:
    decoded: BatchResult[Any] = BatchResult.from_dict(data)  # type: ignore[assignment]
    return decoded


# Every BatchResult (this class or the concurrency package's) is recorded with
# the reference's "br" envelope and read back as this class.
register_type_codec(
    _ConcurrencyBatchResult, TypeTag.BATCH_RESULT, _encode_batch_result, _decode_batch_result
)
