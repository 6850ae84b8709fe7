"""Failed calls, revoked tokens, stopping and closing: nothing hangs, nothing is lost silently."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, wait

import pytest
from state_test_fakes import queued_count, step_start, step_succeed, wait_until

from durable_lambda_client import (
    BackgroundThreadError,
    CheckpointError,
    CheckpointErrorCategory,
    GetExecutionStateError,
    OperationAction,
    OperationType,
    OperationUpdate,
)
from durable_lambda_state import StopReason

WORKER = "durable-checkpointer-statetests01"


def service_error() -> CheckpointError:
    return CheckpointError("throttled", CheckpointErrorCategory.INVOCATION)


def test_a_failed_sync_checkpoint_raises_background_thread_error_in_the_caller(
    make_state, client, caplog: pytest.LogCaptureFixture
) -> None:
    client.error = service_error()
    client.fail_on = {2}
    state = make_state()
    state.create_checkpoint(step_start("1"))
    with (
        caplog.at_level(logging.ERROR, logger="durable_lambda_state"),
        pytest.raises(BackgroundThreadError) as caught,
    ):
        state.create_checkpoint(step_succeed("1"))
    assert str(caught.value) == "Checkpoint creation failed"
    assert caught.value.source_exception is client.error
    assert [r.getMessage() for r in caplog.records] == ["Checkpoint batch processing failed"]
    assert state.checkpoint_failure is caught.value


def test_after_a_failure_every_checkpoint_raises_at_once_without_a_call(make_state, client) -> None:
    client.error = service_error()
    client.fail_on = {1}
    state = make_state()
    with pytest.raises(BackgroundThreadError):
        state.create_checkpoint(step_start("1"))
    for is_sync in (True, False):
        with pytest.raises(BackgroundThreadError) as caught:
            state.create_checkpoint(step_start("2"), is_sync=is_sync)
        assert caught.value.source_exception is client.error
    assert len(client.calls) == 1
    with pytest.raises(BackgroundThreadError):
        state.raise_if_checkpoint_failed()


def test_a_failed_async_checkpoint_reaches_the_handler_through_the_stop_future(
    make_state, client
) -> None:
    client.error = service_error()
    client.fail_on = {1}
    state = make_state()
    handler: Future[None] = Future()  # stands for a handler that is still running
    state.create_checkpoint(step_start("1"), is_sync=False)
    done, _ = wait([handler, state.checkpointing_stopped], timeout=10, return_when=FIRST_COMPLETED)
    assert done == {state.checkpointing_stopped}
    error = state.checkpointing_stopped.exception()
    assert isinstance(error, BackgroundThreadError)
    assert error.source_exception is client.error
    assert client.calls[0].thread == WORKER


def test_sync_waiters_of_the_failed_batch_and_of_the_queue_are_all_released(
    make_state, client
) -> None:
    client.error = service_error()
    client.fail_on = {1}
    gate = threading.Event()
    client.gate = gate
    state = make_state()
    state.create_checkpoint(step_start("in-flight"), is_sync=False)
    assert client.entered.wait(10)
    outcomes: list[BaseException | None] = []
    lock = threading.Lock()

    def waiter(name: str) -> None:
        try:
            state.create_checkpoint(step_start(name))
            result = None
        except BaseException as error:
            result = error
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=waiter, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    wait_until(lambda: queued_count(state) == 4, "the waiters to queue")
    state.create_checkpoint(step_start("async"), is_sync=False)
    gate.set()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert len(outcomes) == 4
    assert all(isinstance(o, BackgroundThreadError) for o in outcomes)
    assert client.sent_ids == ["in-flight"]


def test_create_checkpoint_sync_raises_the_clients_own_error_and_stops(make_state, client) -> None:
    client.error = CheckpointError("payload too large", CheckpointErrorCategory.EXECUTION)
    client.fail_on = {1}
    state = make_state()
    with pytest.raises(CheckpointError, match="payload too large") as caught:
        state.create_checkpoint_sync(step_succeed("1"))
    assert caught.value is client.error
    assert not caught.value.is_retriable()


def test_a_paging_failure_after_a_checkpoint_is_a_checkpoint_failure(make_state, client) -> None:
    client.marker_on[1] = "m1"
    client.state_error = GetExecutionStateError("no state")
    state = make_state()
    with pytest.raises(BackgroundThreadError) as caught:
        state.create_checkpoint(step_start("1"))
    assert isinstance(caught.value.source_exception, GetExecutionStateError)


def test_an_interrupt_during_a_call_releases_everyone_and_propagates(make_state, client) -> None:
    client.error = KeyboardInterrupt()
    client.fail_on = {1}
    state = make_state()
    with pytest.raises(KeyboardInterrupt):
        state.create_checkpoint(step_start("1"))
    with pytest.raises(BackgroundThreadError) as caught:
        state.create_checkpoint(step_start("2"))
    assert "KeyboardInterrupt" in str(caught.value.source_exception)


def test_without_a_token_nothing_is_sent_and_a_retriable_error_is_raised(
    make_state, client
) -> None:
    state = make_state(token="")
    with pytest.raises(BackgroundThreadError) as caught:
        state.create_checkpoint(step_start("1"))
    source = caught.value.source_exception
    assert isinstance(source, CheckpointError)
    assert str(source) == "Cannot checkpoint without a checkpoint token."
    assert source.is_retriable()
    assert client.calls == []


def test_a_response_without_token_accepts_the_batch_then_refuses_further_checkpoints(
    make_state, client
) -> None:
    client.revoke_on = {2}
    state = make_state()
    state.create_checkpoint(step_start("1"))
    state.create_checkpoint(step_succeed("1"))
    assert state.get_checkpoint_result("1").is_succeeded()
    assert state.is_token_revoked()
    assert state.checkpointing_stopped.result(10) is StopReason.TOKEN_REVOKED
    with pytest.raises(BackgroundThreadError) as caught:
        state.create_checkpoint(step_start("2"), is_sync=False)
    source = caught.value.source_exception
    assert isinstance(source, CheckpointError)
    assert str(source) == "Cannot checkpoint without a checkpoint token."
    assert source.is_retriable()
    assert len(client.calls) == 2
    state.raise_if_checkpoint_failed()  # a revoked token is not a failure
    assert state.checkpoint_failure is None


def test_close_stops_the_background_thread_and_resolves_the_stop_future(make_state, client) -> None:
    state = make_state()
    state.create_checkpoint(step_start("1"), is_sync=False)
    assert state.flush(10)
    assert WORKER in [t.name for t in threading.enumerate()]
    state.close()
    assert WORKER not in [t.name for t in threading.enumerate()]
    assert state.checkpointing_stopped.result(0) is StopReason.CLOSED
    state.close()
    with pytest.raises(BackgroundThreadError) as caught:
        state.create_checkpoint(step_start("2"))
    assert caught.value.source_exception.is_retriable()


def test_close_waits_for_the_call_in_flight_and_drops_what_is_queued(make_state, client) -> None:
    gate = threading.Event()
    client.gate = gate
    state = make_state()
    state.create_checkpoint(step_start("in-flight"), is_sync=False)
    assert client.entered.wait(10)
    state.create_checkpoint(step_start("queued"), is_sync=False)
    closer = threading.Thread(target=state.close)
    closer.start()
    assert not state.checkpointing_stopped.done()
    gate.set()
    closer.join(10)
    assert not closer.is_alive()
    assert client.sent_ids == ["in-flight"]
    assert state.checkpointing_stopped.result(0) is StopReason.CLOSED


def test_a_failure_of_the_call_in_flight_during_close_is_still_reported(make_state, client) -> None:
    client.error = service_error()
    client.fail_on = {1}
    gate = threading.Event()
    client.gate = gate
    state = make_state()
    state.create_checkpoint(step_start("in-flight"), is_sync=False)
    assert client.entered.wait(10)
    closer = threading.Thread(target=state.close)
    closer.start()
    gate.set()
    closer.join(10)
    with pytest.raises(BackgroundThreadError):
        state.raise_if_checkpoint_failed()
    assert isinstance(state.checkpointing_stopped.exception(0), BackgroundThreadError)


def test_sync_waiters_of_dropped_updates_are_released_on_stop(make_state, client) -> None:
    gate = threading.Event()
    client.gate = gate
    state = make_state()
    state.create_checkpoint(step_start("in-flight"), is_sync=False)
    assert client.entered.wait(10)
    outcome: list[BaseException] = []

    def waiter() -> None:
        try:
            state.create_checkpoint(step_start("dropped"))
        except BackgroundThreadError as error:
            outcome.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    wait_until(lambda: queued_count(state) == 1, "the waiter to queue")
    state.stop_checkpointing()
    thread.join(10)
    assert not thread.is_alive()
    assert isinstance(outcome[0].source_exception, CheckpointError)
    gate.set()
    state.close()
    assert client.sent_ids == ["in-flight"]


def test_checkpoint_batches_forever_serves_until_closed(make_state, client) -> None:
    state = make_state()
    server = threading.Thread(target=state.checkpoint_batches_forever, name="lent-thread")
    server.start()
    state.create_checkpoint(step_start("1"), is_sync=False)
    assert state.flush(10)
    state.close()
    server.join(10)
    assert not server.is_alive()
    assert client.sent_ids == ["1"]


class UnwritableUpdate(OperationUpdate):
    """An update whose wire form cannot be built."""

    __slots__ = ()

    def to_dict(self) -> dict:
        raise TypeError("payload is not a string")


def test_an_update_without_a_wire_form_fails_checkpointing(make_state, client) -> None:
    state = make_state()
    bad = UnwritableUpdate("1", OperationType.STEP, OperationAction.START)
    with pytest.raises(BackgroundThreadError) as caught:
        state.create_checkpoint(bad)
    assert isinstance(caught.value.source_exception, TypeError)
    assert client.calls == []
    with pytest.raises(BackgroundThreadError):
        state.create_checkpoint(step_start("2"), is_sync=False)


def test_an_async_update_without_a_wire_form_reaches_the_stop_future(make_state, client) -> None:
    state = make_state()
    state.create_checkpoint(
        UnwritableUpdate("1", OperationType.STEP, OperationAction.START), is_sync=False
    )
    assert isinstance(state.checkpointing_stopped.exception(10), BackgroundThreadError)
    assert client.calls == []
