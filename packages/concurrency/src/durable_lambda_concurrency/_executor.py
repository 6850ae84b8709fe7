"""The bounded-concurrency executor: run N items, stop as soon as the policy decides.

How a run works. All state of one run (item states, the ready queue, the
resume timers, the counters) sits behind one lock. A worker takes the next
ready item under the lock, runs it without the lock, then records the
outcome, asks the completion policy, and takes its next item, all in one
hold of the lock: so once the batch is decided no further item starts. The
calling thread only waits: it wakes when the batch is decided, when nothing
is running or ready (then it resumes due items or suspends the batch), and
when the earliest resume time comes. With one slot (``max_concurrency=1``,
or a single item) the calling thread runs the items itself and no thread is
started at all.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeAlias, TypeVar, cast

from durable_lambda_concurrency._batch_result import BatchItem, BatchItemStatus, BatchResult
from durable_lambda_concurrency._completion import (
    BatchProgress,
    CompletionConfig,
    CompletionReason,
    ExecutionCounters,
)
from durable_lambda_concurrency._error_record import ErrorInfo, ErrorRecord
from durable_lambda_concurrency._errors import ItemCancelled, SuspendItem, config_error
from durable_lambda_concurrency._executable import BranchStatus, Executable, ExecutableWithState
from durable_lambda_concurrency._item_context import ItemContext, RunControl
from durable_lambda_concurrency._outcomes import (
    BatchCompleted,
    BatchOutcome,
    BatchSuspended,
    Cancelled,
    Failed,
    ItemOutcome,
    NotStarted,
    Succeeded,
    Suspended,
)
from durable_lambda_concurrency._workers import WorkerGroup

__all__ = [
    "BatchExecutor",
    "CompletionPredicate",
    "ExceptionClassifier",
    "ExceptionRecorder",
    "ResumeHook",
]

R = TypeVar("R")
T = TypeVar("T")

ExceptionClassifier: TypeAlias = Callable[[BaseException], ItemOutcome[Any] | None]
"""Maps what an item raised to its outcome; ``None`` leaves the exception to the defaults."""

ExceptionRecorder: TypeAlias = Callable[[Exception], ErrorRecord]
"""Turns the exception of a failed item into the error record its ``BatchItem`` keeps."""

CompletionPredicate: TypeAlias = Callable[[BatchProgress], bool | CompletionReason | None]
"""Extra stop rule: true (or a reason) stops the batch now."""

ResumeHook: TypeAlias = Callable[[int], None]
"""Called with the item index just before a timed-suspended item runs again."""

_ItemState: TypeAlias = ExecutableWithState[Callable[[ItemContext], R], R]

_run_numbers = itertools.count(1)


class BatchExecutor:
    """Runs callables with at most ``max_concurrency`` at once, under a completion policy.

    Args:
        max_concurrency: most items running at once; ``None`` runs them all
            at once. Must be at least 1.
        completion_config: when the batch stops early; default
            ``CompletionConfig()``, which stops at the first failure.
        should_complete: an extra stop rule over the running counts, called
            under the run's lock after every item outcome that did not
            already end the batch (keep it quick). Return ``True`` to stop
            with the reason the rules infer, a ``CompletionReason`` to stop
            with that reason, ``False``/``None`` to go on.
        classify: maps an exception raised by an item to its outcome
            (``Succeeded``, ``Failed``, ``Suspended`` or ``Cancelled``);
            return ``None`` for the defaults, raise to make it fatal. The
            defaults: ``SuspendItem`` suspends, ``ItemCancelled`` cancels,
            any other ``Exception`` fails the item, any other
            ``BaseException`` is fatal.
        record_error: builds a failed item's error record; default
            ``ErrorInfo.from_exception``.
        before_resume: called with the index before a timed-suspended item
            is run again in the same run; an exception from it is fatal.
        result_type: the ``BatchResult`` class (or subclass) to build.
        thread_name_prefix: worker threads are named ``{prefix}-{run}-{n}``.

    Raises:
        ConcurrencyConfigError: ``max_concurrency`` is below 1 (or the error
            type registered with ``register_config_error``).

    A fatal exception (an item's ``BaseException`` that is not classified,
    or any failure of the hooks or of the executor itself) closes the batch
    and is raised by :meth:`run` in the calling thread.

    Example:
        >>> executor = BatchExecutor(2, CompletionConfig(tolerated_failure_count=1))
        >>> outcome = executor.map(lambda x: 10 // x, [5, 0, 2])
        >>> outcome.result.get_results(), outcome.result.completion_reason.value
        ([2, 5], 'ALL_COMPLETED')
        >>> outcome.result.get_errors()[0].message
        'integer division or modulo by zero'
    """

    def __init__(
        self,
        max_concurrency: int | None = None,
        completion_config: CompletionConfig | None = None,
        *,
        should_complete: CompletionPredicate | None = None,
        classify: ExceptionClassifier | None = None,
        record_error: ExceptionRecorder | None = None,
        before_resume: ResumeHook | None = None,
        result_type: type[BatchResult[Any]] = BatchResult,
        thread_name_prefix: str = "batch",
    ) -> None:
        if max_concurrency is not None and max_concurrency < 1:
            msg = f"max_concurrency must be at least 1, got: {max_concurrency}"
            raise config_error(msg)
        self.max_concurrency = max_concurrency
        self.completion_config = completion_config or CompletionConfig()
        self.should_complete = should_complete
        self.classify = classify
        self.record_error: ExceptionRecorder = record_error or ErrorInfo.from_exception
        self.before_resume = before_resume
        self.result_type = result_type
        self.thread_name_prefix = thread_name_prefix

    def run(self, tasks: Sequence[Callable[[ItemContext], R]]) -> BatchOutcome[R]:
        """Run every task (each gets its ``ItemContext``) until the batch is decided or suspends.

        Items start in index order; results are reported in index order.

        Returns:
            ``BatchCompleted`` with the ``BatchResult`` when the policy decided
            or every item finished; ``BatchSuspended`` with the earliest
            resume time when nothing can run any more and some items are
            suspended.

        Raises:
            BaseException: a fatal exception from an item or a hook.
        """
        if not tasks:
            empty = cast(BatchResult[R], self.result_type([], CompletionReason.ALL_COMPLETED))
            return BatchCompleted(empty, ())
        return _Run(self, tasks).execute()

    def map(self, func: Callable[[T], R], inputs: Iterable[T]) -> BatchOutcome[R]:
        """Run ``func(x)`` for every input, like :meth:`run` (``func`` gets no ``ItemContext``)."""
        return self.run([_PlainCall(func, value) for value in inputs])


class _PlainCall(Generic[T, R]):
    __slots__ = ("_func", "_value")

    def __init__(self, func: Callable[[T], R], value: T) -> None:
        self._func = func
        self._value = value

    def __call__(self, ctx: ItemContext) -> R:
        return self._func(self._value)


class _Run(Generic[R]):
    """The state of one ``BatchExecutor.run`` call."""

    def __init__(
        self, executor: BatchExecutor, tasks: Sequence[Callable[[ItemContext], R]]
    ) -> None:
        self.executor = executor
        self.control = RunControl()
        lock = self.control.lock
        self.lock = lock
        self.work_ready = threading.Condition(lock)
        self.state_changed = threading.Condition(lock)
        self.states: list[_ItemState[R]] = [
            ExecutableWithState(Executable(index, task)) for index, task in enumerate(tasks)
        ]
        self.ready: deque[int] = deque(range(len(tasks)))
        self.timers: list[tuple[float, int, int]] = []
        self.timer_sequence = itertools.count()
        self.counters = ExecutionCounters.from_config(len(tasks), executor.completion_config)
        self.running = 0
        self.ever_started = 0
        self.reason: CompletionReason | None = None
        self.fatal: BaseException | None = None
        self.workers = WorkerGroup()
        self.context = contextvars.copy_context()

    # -- the calling thread ----------------------------------------------------

    def execute(self) -> BatchOutcome[R]:
        limit = self.executor.max_concurrency or len(self.states)
        slots = min(limit, len(self.states))
        try:
            if slots == 1:
                self._run_inline()
            else:
                self._run_with_workers(slots)
        except BaseException:
            with self.lock:
                self._close_locked(None)
            raise
        with self.lock:
            if self.fatal is not None:
                raise self.fatal
            self.control.wait_for_writers_locked()
            return self._outcome_locked()

    def _run_inline(self) -> None:
        while True:
            with self.lock:
                if self.control.closed:
                    return
                self._release_due_timers_locked(time.time())
                if not self.ready:
                    self._suspend_locked()
                    return
                state = self._start_next_locked()
            outcome = self._attempt(state)
            with self.lock:
                self._record_locked(state, outcome)

    def _run_with_workers(self, slots: int) -> None:
        run_number = next(_run_numbers)
        prefix = self.executor.thread_name_prefix
        for number in range(1, slots + 1):
            self.workers.start(f"{prefix}-{run_number}-{number}", self._work)
        with self.lock:
            while not self.control.closed:
                now = time.time()
                self._release_due_timers_locked(now)
                if self.running == 0 and not self.ready:
                    self._suspend_locked()
                    return
                timeout = self.timers[0][0] - now if self.timers else None
                self.state_changed.wait(timeout)

    # -- worker threads --------------------------------------------------------

    def _work(self) -> None:
        try:
            with self.lock:
                state = self._wait_for_next_locked()
            while state is not None:
                outcome = self._attempt(state)
                with self.lock:
                    self._record_locked(state, outcome)
                    state = self._wait_for_next_locked()
        except BaseException as error:
            with self.lock:
                if self.fatal is None and not self.control.closed:
                    self.fatal = error
                self._close_locked(None)

    def _wait_for_next_locked(self) -> _ItemState[R] | None:
        while not self.control.closed:
            if self.ready:
                return self._start_next_locked()
            self.work_ready.wait()
        return None

    # -- shared steps ----------------------------------------------------------

    def _start_next_locked(self) -> _ItemState[R]:
        state = self.states[self.ready.popleft()]
        if not state.was_started:
            self.ever_started += 1
        state.run()
        self.running += 1
        return state

    def _attempt(self, state: _ItemState[R]) -> ItemOutcome[R]:
        """Run one attempt of an item outside the lock and classify how it ended."""
        index = state.index
        attempt = state.attempts
        if attempt > 1 and self.executor.before_resume is not None:
            self.executor.before_resume(index)
        item_context = ItemContext(self.control, index, attempt)
        try:
            value = self.context.copy().run(state.executable.func, item_context)
        except BaseException as raised:
            return self._classify(raised)
        return Succeeded(value)

    def _classify(self, raised: BaseException) -> ItemOutcome[R]:
        classify = self.executor.classify
        if classify is not None:
            outcome = classify(raised)
            if outcome is not None:
                return outcome
        if isinstance(raised, SuspendItem):
            return Suspended(raised.resume_at)
        if isinstance(raised, ItemCancelled):
            return Cancelled()
        if isinstance(raised, Exception):
            return Failed(self.executor.record_error(raised))
        raise raised

    def _record_locked(
        self,
        state: _ItemState[R],
        outcome: ItemOutcome[R],
    ) -> None:
        """Apply one outcome and decide whether the batch is over (lock held)."""
        self.running -= 1
        if self.control.closed:
            return
        counters = self.counters
        if isinstance(outcome, Succeeded):
            state.complete(outcome.value)
            counters.complete_task()
        elif isinstance(outcome, Failed):
            state.fail(outcome.error)
            counters.fail_task()
        elif isinstance(outcome, Suspended):
            resume_at = outcome.resume_at
            if resume_at is None:
                state.suspend()
            else:
                state.suspend_with_timeout(resume_at)
                heapq.heappush(self.timers, (resume_at, next(self.timer_sequence), state.index))
                if self.timers[0][2] == state.index:
                    self.state_changed.notify()
        elif isinstance(outcome, Cancelled):
            # Only a batch torn down from outside cancels an item while the
            # batch is open (e.g. an orphaned parent): stop the batch too.
            state.cancel()
            self._close_locked(counters.completion_reason())
            return
        else:
            msg = (
                f"batch item {state.index}: an exception classifier must return "
                f"Succeeded, Failed, Suspended or Cancelled, got: {outcome!r}"
            )
            raise TypeError(msg)

        if counters.should_complete():
            self._close_locked(counters.completion_reason())
            return
        predicate = self.executor.should_complete
        if predicate is not None:
            decision = predicate(self._progress_locked())
            if isinstance(decision, CompletionReason):
                self._close_locked(decision)
                return
            if decision:
                self._close_locked(counters.completion_reason())
                return
        if self.running == 0 and not self.ready:
            self.state_changed.notify()

    def _release_due_timers_locked(self, now: float) -> None:
        timers = self.timers
        while timers and timers[0][0] <= now:
            _, _, index = heapq.heappop(timers)
            self.ready.append(index)
            self.work_ready.notify()

    def _suspend_locked(self) -> None:
        """Nothing runs and nothing is ready: the batch suspends until the earliest timer."""
        self.control.close_locked()
        self.work_ready.notify_all()

    def _close_locked(self, reason: CompletionReason | None) -> None:
        if self.control.closed:
            return
        self.reason = reason
        self.control.close_locked()
        for state in self.states:
            if state.status is BranchStatus.RUNNING:
                state.cancel()
        self.work_ready.notify_all()
        self.state_changed.notify_all()

    def _progress_locked(self) -> BatchProgress:
        counters = self.counters
        finished = counters.success_count + counters.failure_count
        return BatchProgress(
            total_count=counters.total_tasks,
            success_count=counters.success_count,
            failure_count=counters.failure_count,
            started_count=self.ever_started - finished,
            not_started_count=counters.total_tasks - self.ever_started,
        )

    def _outcome_locked(self) -> BatchOutcome[R]:
        outcomes: list[ItemOutcome[R]] = []
        items: list[BatchItem[R]] = []
        for state in self.states:
            status = state.status
            index = state.index
            if status is BranchStatus.COMPLETED:
                outcomes.append(Succeeded(cast(R, state.result)))
                items.append(BatchItem(index, BatchItemStatus.SUCCEEDED, state.result))
            elif status is BranchStatus.FAILED:
                error = cast(ErrorRecord, state.error)
                outcomes.append(Failed(error))
                items.append(BatchItem(index, BatchItemStatus.FAILED, error=error))
            elif status is BranchStatus.PENDING:
                outcomes.append(NotStarted())
            else:
                if status is BranchStatus.SUSPENDED_WITH_TIMEOUT:
                    outcomes.append(Suspended(state.suspend_until))
                elif status is BranchStatus.SUSPENDED:
                    outcomes.append(Suspended(None))
                else:
                    outcomes.append(Cancelled())
                items.append(BatchItem(index, BatchItemStatus.STARTED))
        if self.reason is None:
            resume_at = min((entry[0] for entry in self.timers), default=None)
            return BatchSuspended(resume_at, tuple(outcomes), self.workers)
        result = cast(BatchResult[R], self.executor.result_type(items, self.reason))
        return BatchCompleted(result, tuple(outcomes), self.workers)
