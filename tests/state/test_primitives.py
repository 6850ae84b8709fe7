"""CompletionEvent, OrderedLock and CheckpointBatcherConfig."""

from __future__ import annotations

import math
import threading

import pytest
from state_test_fakes import wait_until

from durable_lambda_client import OrderedLockError, SuspendExecution, ValidationError
from durable_lambda_state import CheckpointBatcherConfig, CompletionEvent, OrderedLock

# ------------------------------------------------------------------ CompletionEvent


def test_completion_event_releases_waiters_with_success() -> None:
    event = CompletionEvent()
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(event.wait()))
    waiter.start()
    assert not event.is_set()
    event.set()
    waiter.join()
    assert results == [True]
    assert event.is_set()
    assert event.error is None


def test_completion_event_raises_the_error_in_every_waiter() -> None:
    event = CompletionEvent()
    error = RuntimeError("lost")
    event.set(error)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="lost") as caught:
            event.wait()
        assert caught.value is error


def test_completion_event_keeps_the_first_outcome() -> None:
    event = CompletionEvent()
    event.set()
    event.set(RuntimeError("late"))
    assert event.wait() is True


def test_completion_event_wait_returns_false_when_the_timeout_expires_first() -> None:
    assert CompletionEvent().wait(timeout=0) is False


# ----------------------------------------------------------------------- OrderedLock


def test_ordered_lock_grants_the_lock_in_request_order() -> None:
    lock = OrderedLock()
    order: list[int] = []
    lock.acquire()
    threads = []
    for index in range(5):
        thread = threading.Thread(target=lambda i=index: _record_under(lock, order, i))
        thread.start()
        threads.append(thread)
        wait_until(lambda n=index + 1: len(lock._tickets) == n, f"thread {index} to queue")
    lock.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]


def _record_under(lock: OrderedLock, order: list[int], index: int) -> None:
    with lock:
        order.append(index)


def test_ordered_lock_breaks_on_an_exception_and_refuses_waiters_and_newcomers() -> None:
    lock = OrderedLock()
    lock.acquire()
    outcomes: list[BaseException | None] = []

    def waiter() -> None:
        try:
            with lock:
                outcomes.append(None)
        except OrderedLockError as error:
            outcomes.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    wait_until(lambda: len(lock._tickets) == 1, "the waiter to queue")
    lock.release()
    thread.join()
    assert outcomes == [None]

    with pytest.raises(ValueError, match="boom"), lock:
        raise ValueError("boom")
    assert lock.is_broken()
    with pytest.raises(OrderedLockError) as caught:
        lock.acquire()
    assert str(caught.value).endswith("ValueError: boom")
    assert isinstance(caught.value.source_exception, ValueError)


def test_ordered_lock_wakes_every_queued_waiter_with_the_error_when_it_breaks() -> None:
    lock = OrderedLock()
    lock.acquire()
    errors: list[str] = []

    def waiter() -> None:
        try:
            lock.acquire()
        except OrderedLockError as error:
            errors.append(type(error.source_exception).__name__)

    threads = [threading.Thread(target=waiter) for _ in range(3)]
    for number, thread in enumerate(threads, start=1):
        thread.start()
        wait_until(lambda n=number: len(lock._tickets) == n, "waiters to queue")
    lock.__exit__(KeyError, KeyError("k"), None)
    for thread in threads:
        thread.join()
    assert errors == ["KeyError"] * 3


def test_ordered_lock_reset_repairs_a_broken_lock() -> None:
    lock = OrderedLock()
    with pytest.raises(ValueError, match="x"), lock:
        raise ValueError("x")
    lock.reset()
    assert not lock.is_broken()
    with lock:
        pass


def test_ordered_lock_is_not_broken_by_a_suspension() -> None:
    lock = OrderedLock()
    with pytest.raises(SuspendExecution), lock:
        raise SuspendExecution("wait")
    assert not lock.is_broken()
    assert lock.acquire() is True
    lock.release()


def test_ordered_lock_release_without_holding_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not held"):
        OrderedLock().release()


# -------------------------------------------------------------- CheckpointBatcherConfig


def test_batcher_config_defaults_are_750_kib_and_250_operations() -> None:
    config = CheckpointBatcherConfig()
    assert config.max_batch_size_bytes == 768_000
    assert config.max_batch_operations == 250
    assert config.max_batch_time_seconds == 1.0


def test_batcher_config_accepts_unlimited_operations() -> None:
    assert CheckpointBatcherConfig(max_batch_operations=math.inf).max_batch_operations == math.inf


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_batch_size_bytes": 0}, "max_batch_size_bytes must be at least 1, got 0"),
        ({"max_batch_size_bytes": 1.5}, "max_batch_size_bytes must be an int, got 1.5"),
        ({"max_batch_operations": 0}, "max_batch_operations must be at least 1, got 0"),
        ({"max_batch_operations": 2.5}, "max_batch_operations must be a whole number"),
        ({"max_batch_operations": "3"}, "max_batch_operations must be an int or math.inf"),
        ({"max_batch_time_seconds": -1}, "max_batch_time_seconds must be at least 0, got -1"),
        ({"max_batch_time_seconds": math.nan}, "max_batch_time_seconds must be at least 0"),
    ],
)
def test_batcher_config_names_the_field_the_value_and_the_rule(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message.replace(".", r"\.")):
        CheckpointBatcherConfig(**kwargs)  # type: ignore[arg-type]
