"""``DurableContext``: the object a durable handler receives and calls operations on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from durable_lambda_client import OperationStatus, OperationSubType, OperationType
from durable_lambda_context import _determinism
from durable_lambda_context._batch import BatchResult, run_map, run_parallel
from durable_lambda_context._callback import Callback, run_create_callback
from durable_lambda_context._child import run_child
from durable_lambda_context._config import (
    CallbackConfig,
    ChildConfig,
    InvokeConfig,
    MapConfig,
    ParallelConfig,
    StepConfig,
    WaitForCallbackConfig,
)
from durable_lambda_context._decorators import original_name
from durable_lambda_context._invocation import Invocation
from durable_lambda_context._invoke import run_invoke
from durable_lambda_context._logger import Logger, LogInfo
from durable_lambda_context._operation_ids import operation_id
from durable_lambda_context._ordered_counter import OrderedCounter
from durable_lambda_context._step import run_step
from durable_lambda_context._types import DurableContext as DurableContextProtocol
from durable_lambda_context._types import (
    LambdaContext,
    LoggerInterface,
    StepContext,
    WaitForCallbackContext,
    WaitForConditionCheckContext,
)
from durable_lambda_context._validation import require_callable, require_name
from durable_lambda_context._wait import run_wait
from durable_lambda_context._wait_for_callback import run_wait_for_callback
from durable_lambda_context._wait_for_condition import run_wait_for_condition

if TYPE_CHECKING:
    from durable_lambda_concurrency import ItemContext
    from durable_lambda_context._duration import Duration
    from durable_lambda_context._waits import WaitForConditionConfig
    from durable_lambda_state import CheckpointedResult, ExecutionState

T = TypeVar("T")
U = TypeVar("U")
R = TypeVar("R")

_sdk_log = logging.getLogger("durable_lambda_context")

_TERMINAL_STATUSES = frozenset(
    {
        OperationStatus.SUCCEEDED,
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.STOPPED,
        OperationStatus.TIMED_OUT,
    }
)


class DurableContext(DurableContextProtocol):
    """The handle a durable handler uses to run operations that survive re-invocation.

    Every operation call gets a deterministic id from its position in this
    context; on a re-run the recorded outcome is returned instead of running
    the code again. Use a context from one thread at a time.

    Args:
        state: the execution's checkpointed state.
        lambda_context: the Lambda context of this invocation, if any.
        parent_id: id of the CONTEXT operation owning this context (``None`` at the root).
        logger: the context logger; by default the root ``logging`` logger, enriched.
    """

    def __init__(
        self,
        state: ExecutionState,
        lambda_context: LambdaContext | None = None,
        parent_id: str | None = None,
        logger: Logger | None = None,
    ) -> None:
        self.state = state
        self.lambda_context = lambda_context
        self._parent_id = parent_id
        self._step_counter = OrderedCounter()
        self.logger: Logger = (
            logger
            if logger is not None
            else Logger.from_log_info(logging.getLogger(), LogInfo(state, parent_id))
        )
        self._invocation = Invocation(state)
        self._path: tuple[str, ...] = ()
        self._sdk_log = _sdk_log

    # -- factories -------------------------------------------------------

    @staticmethod
    def from_lambda_context(
        state: ExecutionState, lambda_context: LambdaContext | None
    ) -> DurableContext:
        """The root context of an invocation."""
        return DurableContext(state=state, lambda_context=lambda_context)

    def create_child_context(self, parent_id: str) -> DurableContext:
        """A context whose operations belong to the CONTEXT operation ``parent_id``."""
        return self._child_context(parent_id, parent_id)

    def _child_context(self, parent_id: str, segment: str | None) -> DurableContext:
        child = DurableContext(
            self.state,
            self.lambda_context,
            parent_id,
            self.logger.with_log_info(LogInfo(self.state, parent_id)),
        )
        child._invocation = self._invocation
        child._path = self._path if segment is None else (*self._path, segment)
        return child

    def set_logger(self, new_logger: LoggerInterface) -> None:
        """Send this context's records to ``new_logger`` (keeping the durable fields).

        Child contexts and steps created afterwards use it too.
        """
        self.logger = Logger(new_logger, self.logger.default_extra, self.state)

    # -- ids and names (kept with the reference's names) -----------------

    @staticmethod
    def _resolve_step_name(name: str | None, func: object) -> str | None:
        return name or original_name(func)

    def _create_step_id_for_logical_step(self, step: int) -> str:
        return operation_id(self._parent_id, step)

    def _create_step_id(self) -> str:
        return operation_id(self._parent_id, self._step_counter.increment())

    # -- shared operation machinery ---------------------------------------

    def _begin_operation(
        self,
        operation_type: OperationType,
        sub_type: OperationSubType,
        name: str | None,
    ) -> tuple[str, CheckpointedResult]:
        """Take the next id, read its record and check it matches this call."""
        position = self._step_counter.increment()
        op_id = operation_id(self._parent_id, position)
        checkpoint = self.state.get_checkpoint_result(op_id)
        recorded = checkpoint.operation
        if recorded is not None and (
            recorded.operation_type is not operation_type
            or (recorded.sub_type is not None and recorded.sub_type is not sub_type)
            or recorded.name != name
            or recorded.parent_id != self._parent_id
        ):
            expected = _determinism.Expected(operation_type, sub_type, name, self._parent_id)
            error = _determinism.mismatch_error(
                path=self._describe_path(name or f"{sub_type.value}#{position}"),
                position=position,
                recorded=recorded,
                expected=expected,
                fields=_determinism.differences(recorded, expected),
            )
            raise self._invocation.record_non_determinism(error)
        if recorded is None or (
            recorded.operation_type is OperationType.STEP
            and recorded.status not in _TERMINAL_STATUSES
        ):
            # User code reached work that is not recorded as finished: replay is over.
            self.state.track_replay(op_id)
        return op_id, checkpoint

    def _for_branch(self, item: ItemContext) -> DurableContext:
        """This (map/parallel operation) context as seen by one branch: writes gated by ``item``."""
        view = DurableContext.__new__(DurableContext)
        view.__dict__.update(self.__dict__)
        view._invocation = self._invocation.for_branch(item)
        return view

    def _lookup_branch(
        self, branch: str, index: int, sub_type: OperationSubType, name: str, segment: str
    ) -> CheckpointedResult:
        """Read branch ``index``'s record and check it matches this branch."""
        checkpoint = self.state.get_checkpoint_result(branch)
        recorded = checkpoint.operation
        if recorded is not None and (
            recorded.operation_type is not OperationType.CONTEXT
            or (recorded.sub_type is not None and recorded.sub_type is not sub_type)
            or recorded.name != name
            or recorded.parent_id != self._parent_id
        ):
            expected = _determinism.Expected(OperationType.CONTEXT, sub_type, name, self._parent_id)
            error = _determinism.mismatch_error(
                path=self._describe_path(segment),
                position=index,
                recorded=recorded,
                expected=expected,
                fields=_determinism.differences(recorded, expected),
            )
            raise self._invocation.record_non_determinism(error)
        return checkpoint

    def _segment(self, name: str | None, sub_type: OperationSubType) -> str:
        """The path segment of the operation this context started last."""
        return name or f"{sub_type.value}#{self._step_counter.get_current()}"

    def _describe_path(self, segment: str) -> str:
        return " > ".join((*self._path, segment)) if self._path else segment

    def _check_nothing_removed(self, func: Callable[..., Any]) -> None:
        """After a body returned: fail if the history holds an operation it did not call."""
        position = self._step_counter.get_current() + 1
        recorded = self.state.get_checkpoint_result(operation_id(self._parent_id, position))
        operation = recorded.operation
        if operation is None:
            return
        segment = operation.name or f"{operation.operation_type.value}#{position}"
        error = _determinism.removed_error(
            path=self._describe_path(segment),
            position=position,
            recorded=operation,
            returned_from=_determinism.definition_site(func),
        )
        raise self._invocation.record_non_determinism(error)

    # -- operations --------------------------------------------------------

    def step(
        self,
        func: Callable[[StepContext], T],
        name: str | None = None,
        config: StepConfig | None = None,
    ) -> T:
        """Run ``func`` once for the execution and return its (recorded) result.

        Args:
            func: ``func(step_context)``; often a ``@durable_step`` factory call.
            name: recorded name; defaults to the decorated function's name.
            config: retry strategy, semantics and serdes.

        Returns:
            What ``func`` returned, or on replay the recorded result.

        Raises:
            CallableRuntimeError: the step failed after its retries (``error_type``
                names the original exception class).
            ExecutionError: ``func`` raised one, or the result could not be serialized.
        """
        return run_step(self, func, name, config)

    def wait(self, duration: Duration, name: str | None = None) -> None:
        """Suspend the execution for ``duration`` (at least one second).

        Raises:
            ValidationError: ``duration`` is shorter than one second.
        """
        run_wait(self, duration, name)

    @overload
    def create_callback(
        self, name: str | None = None, config: CallbackConfig | None = None
    ) -> Callback[Any]: ...

    @overload
    def create_callback(
        self,
        name: str | None = None,
        config: CallbackConfig | None = None,
        *,
        result_type: type[R],
    ) -> Callback[R]: ...

    def create_callback(
        self,
        name: str | None = None,
        config: CallbackConfig | None = None,
        *,
        result_type: type[Any] | None = None,
    ) -> Callback[Any]:
        """Register a callback that an external system completes by its id.

        Args:
            name: recorded name.
            config: timeouts and the serdes of the delivered value.
            result_type: only for type checkers: the type ``result()`` returns.

        Returns:
            The ``Callback``; hand ``callback_id`` to the external system from a
            step and call ``result()`` to wait for the value.
        """
        return run_create_callback(self, name, config)

    @overload
    def wait_for_callback(
        self,
        submitter: Callable[[str, WaitForCallbackContext], Any],
        name: str | None = None,
        config: WaitForCallbackConfig | None = None,
    ) -> Any: ...

    @overload
    def wait_for_callback(
        self,
        submitter: Callable[[str, WaitForCallbackContext], Any],
        name: str | None = None,
        config: WaitForCallbackConfig | None = None,
        *,
        result_type: type[R],
    ) -> R: ...

    def wait_for_callback(
        self,
        submitter: Callable[[str, WaitForCallbackContext], Any],
        name: str | None = None,
        config: WaitForCallbackConfig | None = None,
        *,
        result_type: type[Any] | None = None,
    ) -> Any:
        """Create a callback, hand its id to ``submitter`` in a step, and wait for the value.

        Args:
            submitter: ``submitter(callback_id, ctx)`` sends the id to the
                external system; retried like a step.
            name: recorded name; defaults to the decorated submitter's name.
            config: callback timeouts, serdes and the submitter's retry strategy.
            result_type: only for type checkers: the type of the returned value.

        Raises:
            CallableRuntimeError: the callback failed or timed out
                (``error_type`` ``"CallbackError"``) or the submitter failed.
        """
        return run_wait_for_callback(self, submitter, name, config)

    @overload
    def invoke(
        self,
        function_name: str,
        payload: Any,
        name: str | None = None,
        config: InvokeConfig[Any, Any] | None = None,
    ) -> Any: ...

    @overload
    def invoke(
        self,
        function_name: str,
        payload: Any,
        name: str | None = None,
        config: InvokeConfig[Any, Any] | None = None,
        *,
        result_type: type[R],
    ) -> R: ...

    def invoke(
        self,
        function_name: str,
        payload: Any,
        name: str | None = None,
        config: InvokeConfig[Any, Any] | None = None,
        *,
        result_type: type[Any] | None = None,
    ) -> Any:
        """Start the durable function ``function_name`` with ``payload`` and return its result.

        Args:
            function_name: name or ARN (with qualifier) of the function.
            payload: its input, JSON-encoded by default.
            name: recorded name.
            config: serdes of payload and result, tenant id.
            result_type: only for type checkers: the type of the result.

        Raises:
            CallableRuntimeError: the invoked execution failed, timed out or was stopped.
        """
        return run_invoke(self, function_name, payload, name, config)

    def run_in_child_context(
        self,
        func: Callable[[DurableContext], T],
        name: str | None = None,
        config: ChildConfig[T] | None = None,
    ) -> T:
        """Run ``func`` with a child context; its operations are grouped as one.

        Args:
            func: ``func(child_context)``; often a ``@durable_with_child_context`` factory call.
            name: recorded name; defaults to the decorated function's name.
            config: serdes, subtype and summary generator.

        Raises:
            CallableRuntimeError: ``func`` raised (``error_type`` names the class).
            InvocationError: ``func`` raised one (after recording the failure).
        """
        require_callable("func", func)
        require_name("name", name)
        config = config if config is not None else ChildConfig()
        name = name or original_name(func)
        sub_type = config.sub_type or OperationSubType.RUN_IN_CHILD_CONTEXT
        op_id, checkpoint = self._begin_operation(OperationType.CONTEXT, sub_type, name)
        return run_child(
            self,
            operation_id=op_id,
            checkpoint=checkpoint,
            name=name,
            sub_type=sub_type,
            segment=self._segment(name, sub_type),
            func=func,
            serdes=config.serdes,
            summary_generator=config.summary_generator,
        )

    def map(
        self,
        inputs: Sequence[U],
        func: Callable[[DurableContext, U, int, Sequence[U]], T],
        name: str | None = None,
        config: MapConfig | None = None,
    ) -> BatchResult[T]:
        """Run ``func(ctx, item, index, inputs)`` for every item, each in its own child context.

        Returns:
            A ``BatchResult`` in input order; item failures are recorded in it,
            not raised (use ``throw_if_error()``).

        Raises:
            ValidationError: invalid concurrency or completion settings.
        """
        return run_map(self, inputs, func, name, config)

    def parallel(
        self,
        functions: Sequence[Callable[[DurableContext], T]],
        name: str | None = None,
        config: ParallelConfig | None = None,
    ) -> BatchResult[T]:
        """Run every function with its own child context, concurrently.

        Returns:
            A ``BatchResult`` in the order of ``functions``; branch failures are
            recorded in it, not raised (use ``throw_if_error()``).

        Raises:
            ValidationError: invalid concurrency or completion settings.
        """
        return run_parallel(self, functions, name, config)

    def wait_for_condition(
        self,
        check: Callable[[T, WaitForConditionCheckContext], T],
        config: WaitForConditionConfig[T],
        name: str | None = None,
    ) -> T:
        """Call ``check(state, ctx)`` until the wait strategy stops, waiting between calls.

        Returns:
            The state returned by the last check.

        Raises:
            ValidationError: ``check`` or ``config`` is missing.
            Exception: whatever ``check`` or the strategy raised (recorded first).
        """
        return run_wait_for_condition(self, check, config, name)
