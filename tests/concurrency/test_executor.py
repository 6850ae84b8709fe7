"""What a BatchExecutor user sees: order, limits, early exit, cancellation, suspension, errors."""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Any

import pytest

from durable_lambda_concurrency import (
    BatchCompleted,
    BatchExecutor,
    BatchOutcome,
    BatchProgress,
    BatchResult,
    BatchSuspended,
    Cancelled,
    CompletionConfig,
    CompletionReason,
    ErrorRecord,
    Failed,
    ItemCancelled,
    ItemContext,
    NotStarted,
    Succeeded,
    Suspended,
    SuspendItem,
)

from .conftest import WAIT

ALL = CompletionConfig.all_completed()


def completed(outcome: BatchOutcome[Any]) -> BatchResult[Any]:
    assert isinstance(outcome, BatchCompleted), outcome
    return outcome.result


def statuses(result: BatchResult[Any]) -> dict[int, str]:
    return {item.index: item.status.value for item in result.all}


# -- ordering, limits, threads -------------------------------------------------


@pytest.mark.parametrize("slots", [1, 2, None])
def test_results_follow_input_order_not_completion_order(slots: int | None) -> None:
    # Item i cannot finish before item i + 1 has (when they run together).
    done = [threading.Event() for _ in range(4)]

    def item(ctx: ItemContext) -> str:
        if slots is None and ctx.index < 3:
            assert done[ctx.index + 1].wait(WAIT)
        done[ctx.index].set()
        return f"value {ctx.index}"

    result = completed(BatchExecutor(slots, ALL).run([item] * 4))
    assert result.get_results() == ["value 0", "value 1", "value 2", "value 3"]
    assert result.completion_reason is CompletionReason.ALL_COMPLETED


@pytest.mark.parametrize("slots", [2, 3])
def test_never_more_than_max_concurrency_at_once(slots: int) -> None:
    # A barrier of `slots` parties only opens if that many items run together.
    barrier = threading.Barrier(slots, timeout=WAIT)
    lock = threading.Lock()
    active = peak = 0

    def item(ctx: ItemContext) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        barrier.wait()
        with lock:
            active -= 1
        return ctx.index

    result = completed(BatchExecutor(slots, ALL).run([item] * (slots * 3)))
    assert peak == slots
    assert result.get_results() == list(range(slots * 3))


def test_no_limit_starts_every_item_together() -> None:
    barrier = threading.Barrier(6, timeout=WAIT)

    def item(x: int) -> int:
        barrier.wait()
        return x

    result = completed(BatchExecutor(None, ALL).map(item, range(6)))
    assert result.get_results() == list(range(6))


def test_one_slot_runs_inline_on_the_calling_thread() -> None:
    caller = threading.current_thread()
    seen: list[threading.Thread] = []
    outcome = BatchExecutor(1, ALL).run([lambda ctx: seen.append(threading.current_thread())] * 3)
    assert seen == [caller] * 3
    assert outcome.workers.names == []


def test_worker_threads_are_named_daemons_and_exit() -> None:
    names: set[str] = set()
    daemon: set[bool] = set()
    barrier = threading.Barrier(2, timeout=WAIT)

    def item(ctx: ItemContext) -> None:
        barrier.wait()
        names.add(threading.current_thread().name)
        daemon.add(threading.current_thread().daemon)

    outcome = BatchExecutor(2, ALL, thread_name_prefix="fanout").run([item] * 4)
    assert names == set(outcome.workers.names)
    assert len(names) == 2
    assert all(name.startswith("fanout-") and name.count("-") == 2 for name in names)
    assert daemon == {True}
    assert outcome.workers.join(WAIT)


def test_empty_batch_completes_at_once() -> None:
    outcome = BatchExecutor(3).run([])
    assert completed(outcome).to_dict() == {"all": [], "completionReason": "ALL_COMPLETED"}
    assert outcome.outcomes == ()
    assert outcome.workers.names == []


def test_items_see_the_callers_context_variables_without_leaking() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    var.set("caller")

    def item(ctx: ItemContext) -> str:
        seen = var.get()
        var.set(f"item {ctx.index}")
        return seen

    for slots in (1, 2):
        result = completed(BatchExecutor(slots, ALL).run([item] * 4))
        assert result.get_results() == ["caller"] * 4
        assert var.get() == "caller"


def test_an_executor_can_run_batches_from_several_threads_at_once() -> None:
    executor = BatchExecutor(2, ALL)
    results: dict[int, list[int]] = {}

    def run(offset: int) -> None:
        results[offset] = completed(executor.map(lambda x: x + offset, range(20))).get_results()

    threads = [threading.Thread(target=run, args=(k * 100,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert results == {k * 100: [x + k * 100 for x in range(20)] for k in range(4)}


# -- early exit and cancellation -----------------------------------------------


def test_decision_returns_without_waiting_and_stragglers_are_cancelled() -> None:
    observed: dict[str, Any] = {}
    finished = threading.Event()

    def fast(ctx: ItemContext) -> str:
        return "fast"

    def slow(ctx: ItemContext) -> str:
        # Sleeps until the batch no longer needs it, then stops at its check.
        assert ctx.cancelled.wait(WAIT)
        observed["may_write"] = ctx.may_write()
        try:
            ctx.check()
        finally:
            finished.set()
        return "never reported"

    outcome = BatchExecutor(2, CompletionConfig.first_successful()).run([slow, fast, slow])
    result = completed(outcome)
    assert result.completion_reason is CompletionReason.MIN_SUCCESSFUL_REACHED
    assert statuses(result) == {0: "STARTED", 1: "SUCCEEDED"}
    assert outcome.outcomes == (Cancelled(), Succeeded("fast"), NotStarted())
    assert outcome.workers.join(WAIT)
    assert finished.is_set()
    assert observed == {"may_write": False}


def test_an_item_cannot_swallow_cancellation_with_except_exception() -> None:
    def stubborn(ctx: ItemContext) -> str:
        assert ctx.cancelled.wait(WAIT)
        try:
            ctx.check()
        except Exception:
            return "swallowed"
        return "unreachable"

    def failing(ctx: ItemContext) -> str:
        raise ValueError("stop")

    outcome = BatchExecutor(2).run([stubborn, failing])
    assert outcome.workers.join(WAIT)
    assert outcome.outcomes[0] == Cancelled()
    assert completed(outcome).completion_reason is CompletionReason.FAILURE_TOLERANCE_EXCEEDED


def test_a_late_result_is_discarded_and_a_late_write_is_refused() -> None:
    release = threading.Event()
    late: dict[str, Any] = {}

    def straggler(ctx: ItemContext) -> str:
        assert release.wait(WAIT)
        try:
            with ctx.writing():
                late["wrote"] = True
        except ItemCancelled as refused:
            late["refused"] = str(refused)
        return "late"

    def failing(ctx: ItemContext) -> str:
        raise ValueError("boom")

    outcome = BatchExecutor(2).run([straggler, failing])
    before = completed(outcome).to_dict()
    release.set()
    assert outcome.workers.join(WAIT)
    assert late == {"refused": "batch item 0 may not write: the batch has closed"}
    assert completed(outcome).to_dict() == before
    assert outcome.outcomes[0] == Cancelled()
    assert isinstance(outcome.outcomes[1], Failed)
    assert outcome.outcomes[1].error.message == "boom"


def test_the_batch_does_not_return_while_an_item_is_writing() -> None:
    log: list[str] = []
    writing = threading.Event()
    finish_write = threading.Event()

    def writer(ctx: ItemContext) -> str:
        with ctx.writing():
            writing.set()
            assert finish_write.wait(WAIT)
            log.append("write finished")
        return "written"

    def failing(ctx: ItemContext) -> str:
        assert writing.wait(WAIT)
        finish_write.set()
        raise ValueError("boom")

    outcome = BatchExecutor(2).run([writer, failing])
    log.append("run returned")
    assert log == ["write finished", "run returned"]
    assert outcome.workers.join(WAIT)


def test_no_item_starts_after_the_decision() -> None:
    started: list[int] = []
    release = threading.Event()

    def item(ctx: ItemContext) -> int:
        started.append(ctx.index)
        if ctx.index == 1:
            raise ValueError("fail fast")
        assert release.wait(WAIT)
        return ctx.index

    outcome = BatchExecutor(2).run([item] * 6)
    release.set()
    assert outcome.workers.join(WAIT)
    assert sorted(started) == [0, 1]
    assert outcome.outcomes[2:] == (NotStarted(),) * 4
    assert completed(outcome).total_count == 2


def test_an_item_cancelled_from_outside_stops_the_batch() -> None:
    class Orphaned(BaseException):
        """Stands in for the durable layer's OrphanedChildException."""

    def classify(raised: BaseException) -> Cancelled | None:
        return Cancelled() if isinstance(raised, Orphaned) else None

    def item(ctx: ItemContext) -> int:
        if ctx.index == 1:
            raise Orphaned
        return ctx.index

    outcome = BatchExecutor(1, ALL, classify=classify).run([item] * 4)
    assert statuses(completed(outcome)) == {0: "SUCCEEDED", 1: "STARTED"}
    assert outcome.outcomes == (Succeeded(0), Cancelled(), NotStarted(), NotStarted())


# -- suspension ----------------------------------------------------------------


def test_all_items_suspended_without_time_suspends_indefinitely() -> None:
    def item(ctx: ItemContext) -> None:
        raise SuspendItem(None)

    outcome = BatchExecutor(2).run([item] * 3)
    assert isinstance(outcome, BatchSuspended)
    assert outcome.resume_at is None
    assert outcome.outcomes == (Suspended(None),) * 3


@pytest.mark.parametrize("slots", [1, 3])
def test_batch_suspends_until_the_earliest_resume_time(slots: int) -> None:
    later = time.time() + 3600

    def item(ctx: ItemContext) -> str:
        if ctx.index == 2:
            return "done"
        raise SuspendItem(later + 10 * ctx.index if ctx.index else None)

    outcome = BatchExecutor(slots, ALL).run([item] * 4)
    assert isinstance(outcome, BatchSuspended)
    assert outcome.resume_at == later + 10
    assert outcome.outcomes == (
        Suspended(None),
        Suspended(later + 10),
        Succeeded("done"),
        Suspended(later + 30),
    )


def test_no_deadlock_when_items_fail_while_others_are_suspended() -> None:
    def item(ctx: ItemContext) -> str:
        if ctx.index == 0:
            raise SuspendItem(None)
        if ctx.index == 1:
            raise ValueError("failed while 0 is suspended")
        return "ok"

    tolerant = BatchExecutor(3, ALL).run([item] * 3)
    assert isinstance(tolerant, BatchSuspended)
    assert tolerant.outcomes[0] == Suspended(None)
    assert tolerant.outcomes[2] == Succeeded("ok")

    fail_fast = completed(BatchExecutor(3).run([item] * 3))
    assert fail_fast.completion_reason is CompletionReason.FAILURE_TOLERANCE_EXCEEDED
    assert statuses(fail_fast)[0] == "STARTED"
    assert statuses(fail_fast)[1] == "FAILED"


@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_a_timed_item_is_resumed_while_others_still_run(delay: float) -> None:
    resumed = threading.Event()
    attempts: list[int] = []
    before_resume: list[int] = []

    def sleeper(ctx: ItemContext) -> str:
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            raise SuspendItem(time.time() + delay)
        resumed.set()
        return "woke up"

    def waiter(ctx: ItemContext) -> str:
        # Only finishes once the suspended item ran again, so the batch must
        # resume it in-process instead of suspending.
        assert resumed.wait(WAIT)
        return "waited"

    executor = BatchExecutor(2, ALL, before_resume=before_resume.append)
    result = completed(executor.run([sleeper, waiter]))
    assert result.get_results() == ["woke up", "waited"]
    assert attempts == [1, 2]
    assert before_resume == [0]


def test_one_slot_resumes_an_item_that_came_due_between_items() -> None:
    def item(ctx: ItemContext) -> str:
        if ctx.index == 0 and ctx.attempt == 1:
            raise SuspendItem(time.time() - 1)
        return f"{ctx.index}/{ctx.attempt}"

    result = completed(BatchExecutor(1, ALL).run([item] * 3))
    assert result.get_results() == ["0/2", "1/1", "2/1"]


def test_a_suspended_item_is_reported_started_when_the_batch_completes() -> None:
    def item(ctx: ItemContext) -> str:
        if ctx.index == 0:
            raise SuspendItem(time.time() + 3600)
        return "ok"

    outcome = BatchExecutor(1, CompletionConfig(min_successful=2)).run([item] * 4)
    result = completed(outcome)
    assert result.completion_reason is CompletionReason.MIN_SUCCESSFUL_REACHED
    assert statuses(result) == {0: "STARTED", 1: "SUCCEEDED", 2: "SUCCEEDED"}
    assert isinstance(outcome.outcomes[0], Suspended)
    assert outcome.outcomes[3] == NotStarted()


# -- fatal errors and hooks ----------------------------------------------------


class Fatal(BaseException):
    """Stands in for a BaseException the batch must not swallow (BackgroundThreadError)."""


@pytest.mark.parametrize("slots", [1, 2])
def test_an_unclassified_base_exception_reaches_the_caller(slots: int) -> None:
    cancelled = threading.Event()
    fatal = Fatal("checkpointing broke")

    def item(ctx: ItemContext) -> None:
        if ctx.index == 1:
            raise fatal
        if slots == 2:
            assert ctx.cancelled.wait(WAIT)
            cancelled.set()

    executor = BatchExecutor(slots, ALL)
    with pytest.raises(Fatal) as caught:
        executor.run([item] * 3)
    assert caught.value is fatal
    if slots == 2:
        assert cancelled.wait(WAIT)


def failing_hook(*args: Any) -> Any:
    raise RuntimeError("hook broke")


@pytest.mark.parametrize(
    "hook",
    [
        {"classify": failing_hook},
        {"record_error": failing_hook},
        {"should_complete": failing_hook},
        {"before_resume": failing_hook},
    ],
)
@pytest.mark.parametrize("slots", [1, 2])
def test_a_failing_hook_reaches_the_caller(hook: dict[str, Any], slots: int) -> None:
    def item(ctx: ItemContext) -> str:
        if ctx.attempt == 1:
            raise SuspendItem(time.time() - 1) if ctx.index == 0 else ValueError("x")
        return "ok"

    executor = BatchExecutor(slots, ALL, **hook)
    with pytest.raises(RuntimeError, match=r"^hook broke$"):
        executor.run([item] * 2)


def test_a_classifier_returning_not_started_is_an_error() -> None:
    def item(ctx: ItemContext) -> None:
        raise ValueError("x")

    executor = BatchExecutor(2, ALL, classify=lambda raised: NotStarted())
    with pytest.raises(TypeError, match=r"must return Succeeded, Failed, Suspended or Cancelled"):
        executor.run([item] * 2)


def test_the_durable_layer_maps_its_exceptions_through_the_classifier() -> None:
    class Suspend(BaseException):
        pass

    class TimedSuspend(Suspend):
        def __init__(self, at: float) -> None:
            super().__init__(at)
            self.at = at

    def classify(raised: BaseException) -> Suspended | None:
        if isinstance(raised, TimedSuspend):
            return Suspended(raised.at)
        if isinstance(raised, Suspend):
            return Suspended(None)
        return None

    def item(ctx: ItemContext) -> None:
        raise [TimedSuspend(9e9), Suspend(), ValueError("plain failure")][ctx.index]

    outcome = BatchExecutor(3, ALL, classify=classify).run([item] * 3)
    assert isinstance(outcome, BatchSuspended)
    assert outcome.resume_at == 9e9
    assert outcome.outcomes[:2] == (Suspended(9e9), Suspended(None))
    assert isinstance(outcome.outcomes[2], Failed)
    assert outcome.outcomes[2].error.message == "plain failure"


def test_error_records_and_result_class_come_from_the_caller() -> None:
    class Record:
        def __init__(self, error: Exception) -> None:
            self.message = f"recorded: {error}"
            self.type = "Custom"
            self.data = None
            self.stack_trace = None

        def to_dict(self) -> dict[str, Any]:
            return {"ErrorMessage": self.message, "ErrorType": self.type}

    class MyResult(BatchResult[Any]):
        @classmethod
        def error_to_exception(cls, error: ErrorRecord) -> BaseException:
            return LookupError(error.message)

    def item(ctx: ItemContext) -> None:
        raise ValueError("boom")

    executor = BatchExecutor(1, record_error=Record, result_type=MyResult)
    result = completed(executor.run([item]))
    assert type(result) is MyResult
    assert result.to_dict()["all"][0]["error"] == {
        "ErrorMessage": "recorded: boom",
        "ErrorType": "Custom",
    }
    with pytest.raises(LookupError, match=r"^recorded: boom$"):
        result.throw_if_error()


# -- the extra stop rule -------------------------------------------------------


def test_should_complete_sees_progress_and_can_stop_with_a_reason() -> None:
    seen: list[BatchProgress] = []

    def stop_at_two_successes(progress: BatchProgress) -> CompletionReason | None:
        seen.append(progress)
        return CompletionReason.MIN_SUCCESSFUL_REACHED if progress.success_count == 2 else None

    def item(ctx: ItemContext) -> int:
        if ctx.index == 1:
            raise ValueError("tolerated")
        return ctx.index

    executor = BatchExecutor(1, ALL, should_complete=stop_at_two_successes)
    result = completed(executor.run([item] * 5))
    assert result.completion_reason is CompletionReason.MIN_SUCCESSFUL_REACHED
    assert statuses(result) == {0: "SUCCEEDED", 1: "FAILED", 2: "SUCCEEDED"}
    assert seen == [
        BatchProgress(5, 1, 0, 0, 4),
        BatchProgress(5, 1, 1, 0, 3),
        BatchProgress(5, 2, 1, 0, 2),
    ]


def test_should_complete_true_uses_the_inferred_reason() -> None:
    executor = BatchExecutor(1, ALL, should_complete=lambda p: p.success_count == 3)
    result = completed(executor.map(lambda x: x, range(10)))
    assert result.get_results() == [0, 1, 2]
    assert result.completion_reason is CompletionReason.ALL_COMPLETED


# -- README example ------------------------------------------------------------


def test_flaky_function_over_many_inputs() -> None:
    def flaky(x: int) -> int:
        if x % 25 == 7:
            raise ConnectionError(f"input {x} timed out")
        return x * 2

    config = CompletionConfig(min_successful=900, tolerated_failure_percentage=5)
    outcome = BatchExecutor(20, config).map(flaky, range(1000))
    result = completed(outcome)
    assert result.completion_reason is CompletionReason.MIN_SUCCESSFUL_REACHED
    assert result.success_count == 900
    assert result.failure_count <= 50
    # Items still running when the 900th success came are reported STARTED.
    assert result.started_count < 20
    assert result.total_count == 900 + result.failure_count + result.started_count
    assert outcome.workers.join(WAIT)
