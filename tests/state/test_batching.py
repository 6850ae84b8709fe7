"""The checkpoint queue: calls, order, limits, token chaining and merging of responses."""

from __future__ import annotations

import json
import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from state_test_fakes import (
    ARN,
    FakeClient,
    execution_op,
    step_op,
    step_start,
    step_succeed,
)

from durable_lambda_client import OperationStatus, OperationUpdate
from durable_lambda_state import CheckpointBatcherConfig, ExecutionState, QueuedOperation

WORKER = "durable-checkpointer-statetests01"


def hold_first_call(state: ExecutionState, client: FakeClient) -> threading.Event:
    """Put an asynchronous update in flight and keep it there until the event is set."""
    gate = threading.Event()
    client.gate = gate
    state.create_checkpoint(step_start("blocker"), is_sync=False)
    assert client.entered.wait(10)
    return gate


def wire_size(update) -> int:
    return len(json.dumps(update.to_dict()).encode("utf-8"))


def test_sync_checkpoint_is_sent_from_the_callers_thread_with_the_current_token(
    make_state, client
) -> None:
    state = make_state()
    state.create_checkpoint(step_start("1"))
    state.create_checkpoint(step_succeed("1"))
    assert [call.token for call in client.calls] == ["t0", "t1"]
    assert [call.updates for call in client.calls] == [
        [{"Id": "1", "Type": "STEP", "Action": "START", "SubType": "Step"}],
        [{"Id": "1", "Type": "STEP", "Action": "SUCCEED", "SubType": "Step", "Payload": '"ok"'}],
    ]
    assert {call.thread for call in client.calls} == {threading.current_thread().name}
    assert state.checkpoint_token == "t2"
    assert state.checkpoint_call_count == 2


def test_response_operations_are_merged_before_a_sync_checkpoint_returns(
    make_state, client
) -> None:
    client.extra_ops[1] = [step_op("other", OperationStatus.SUCCEEDED)]
    state = make_state()
    state.create_checkpoint(step_start("1"))
    assert state.get_checkpoint_result("1").is_started()
    assert state.get_checkpoint_result("other").is_succeeded()
    state.create_checkpoint(step_succeed("1"))
    assert state.get_checkpoint_result("1").is_succeeded()


def test_async_checkpoint_returns_at_once_and_is_sent_by_the_named_background_thread(
    make_state, client
) -> None:
    state = make_state()
    gate = hold_first_call(state, client)
    state.create_checkpoint(step_start("2"), is_sync=False)
    assert len(client.calls) == 1
    gate.set()
    assert state.flush(10)
    assert client.sent_ids == ["blocker", "2"]
    assert {call.thread for call in client.calls} == {WORKER}


def test_updates_queued_during_a_call_travel_together_in_the_next_call(make_state, client) -> None:
    state = make_state()
    gate = hold_first_call(state, client)
    for index in range(30):
        state.create_checkpoint(step_start(f"s{index}"), is_sync=False)
    gate.set()
    state.create_checkpoint(step_start("last"))
    assert [len(call.updates) for call in client.calls] == [1, 31]
    assert client.sent_ids == ["blocker", *[f"s{i}" for i in range(30)], "last"]
    assert [call.token for call in client.calls] == ["t0", "t1"]


def test_a_sync_caller_waiting_behind_a_call_in_flight_sees_its_merged_result(
    make_state, client
) -> None:
    state = make_state()
    gate = hold_first_call(state, client)
    seen: list[bool] = []

    def sync_caller() -> None:
        state.create_checkpoint(step_start("waiting"))
        seen.append(state.get_checkpoint_result("waiting").is_started())

    thread = threading.Thread(target=sync_caller)
    thread.start()
    gate.set()
    thread.join(10)
    assert seen == [True]


def test_no_call_carries_more_than_the_operation_limit(make_state, client) -> None:
    state = make_state(config=CheckpointBatcherConfig(max_batch_operations=3))
    gate = hold_first_call(state, client)
    for index in range(10):
        state.create_checkpoint(step_start(f"s{index}"), is_sync=False)
    gate.set()
    assert state.flush(10)
    assert [len(call.updates) for call in client.calls] == [1, 3, 3, 3, 1]
    assert client.sent_ids == ["blocker", *[f"s{i}" for i in range(10)]]


def test_no_call_carries_more_than_the_byte_limit_and_a_huge_update_goes_alone(
    make_state, client
) -> None:
    small = step_succeed("a", payload="x" * 100)
    limit = 3 * wire_size(small) + 10
    state = make_state(config=CheckpointBatcherConfig(max_batch_size_bytes=limit))
    gate = hold_first_call(state, client)
    updates = [step_succeed(f"{i}", payload="x" * 100) for i in range(5)]
    huge = step_succeed("huge", payload="y" * (2 * limit))
    for update in [*updates[:2], huge, *updates[2:]]:
        state.create_checkpoint(update, is_sync=False)
    gate.set()
    assert state.flush(10)
    ids = [[update["Id"] for update in call.updates] for call in client.calls[1:]]
    assert ids == [["0", "1"], ["huge"], ["2", "3", "4"]]


def test_empty_checkpoint_sends_no_update_and_refreshes_operations(make_state, client) -> None:
    client.extra_ops[1] = [step_op("done-elsewhere")]
    state = make_state()
    state.create_checkpoint()
    assert client.calls[0].updates == []
    assert state.get_checkpoint_result("done-elsewhere").is_succeeded()
    assert state.checkpoint_token == "t1"


def test_a_response_with_a_next_marker_is_paged_with_the_new_token_before_returning(
    make_state, client
) -> None:
    client.marker_on[1] = "m1"
    client.pages = {"m1": ([step_op("p1")], "m2"), "m2": ([step_op("p2")], None)}
    state = make_state()
    state.create_checkpoint(step_start("1"))
    assert [(c.token, c.marker, c.max_items) for c in client.state_calls] == [
        ("t1", "m1", 1000),
        ("t1", "m2", 1000),
    ]
    assert state.get_checkpoint_result("p1").is_succeeded()
    assert state.get_checkpoint_result("p2").is_succeeded()


def test_updates_of_each_thread_reach_the_service_in_program_order(make_state, client) -> None:
    state = make_state()
    threads_count, per_thread = 6, 40

    def worker(name: str) -> None:
        for index in range(per_thread):
            update = step_start(f"{name}-{index}")
            state.create_checkpoint(update, is_sync=index % 3 == 2)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert state.flush(10)
    sent = client.sent_ids
    assert sorted(sent) == sorted(
        f"w{n}-{i}" for n in range(threads_count) for i in range(per_thread)
    )
    for n in range(threads_count):
        mine = [int(i.split("-")[1]) for i in sent if i.startswith(f"w{n}-")]
        assert mine == list(range(per_thread))
    assert [call.token for call in client.calls] == [
        "t0",
        *[f"t{number}" for number in range(1, len(client.calls))],
    ]


def test_a_thousand_queued_updates_take_as_few_calls_as_the_limit_allows(
    make_state, client
) -> None:
    state = make_state()
    gate = hold_first_call(state, client)
    for index in range(1000):
        state.create_checkpoint(step_start(f"s{index}"), is_sync=False)
    gate.set()
    assert state.flush(10)
    assert [len(call.updates) for call in client.calls] == [1, 250, 250, 250, 250]


@settings(max_examples=60, deadline=None)
@given(
    payload_sizes=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=40),
    max_ops=st.integers(min_value=1, max_value=8),
    max_bytes=st.integers(min_value=60, max_value=1500),
)
def test_batches_are_the_greedy_in_order_split_of_the_queue(
    payload_sizes: list[int], max_ops: int, max_bytes: int
) -> None:
    client = FakeClient()
    config = CheckpointBatcherConfig(max_batch_size_bytes=max_bytes, max_batch_operations=max_ops)
    with ExecutionState(ARN, "t0", {"exec": execution_op()}, client, config) as state:
        gate = hold_first_call(state, client)
        updates = [step_succeed(f"u{i}", payload="p" * n) for i, n in enumerate(payload_sizes)]
        for update in updates:
            state.create_checkpoint(update, is_sync=False)
        gate.set()
        assert state.flush(10)
    sizes = {update.operation_id: wire_size(update) for update in updates}
    batches = [[update["Id"] for update in call.updates] for call in client.calls[1:]]
    assert [i for batch in batches for i in batch] == [u.operation_id for u in updates]
    for index, batch in enumerate(batches):
        total = sum(sizes[i] for i in batch)
        assert len(batch) <= max_ops
        assert total <= max_bytes or len(batch) == 1
        if index + 1 < len(batches):
            following = sizes[batches[index + 1][0]]
            assert len(batch) == max_ops or total + following > max_bytes


class WireClient(FakeClient):
    """A client that also takes updates in their wire form."""

    def __init__(self) -> None:
        super().__init__()
        self.wire_batches: list[list[dict]] = []

    def checkpoint_wire(self, durable_execution_arn, checkpoint_token, updates, client_token):
        assert client_token is None
        self.wire_batches.append(updates)
        parsed = [OperationUpdate.from_dict(update) for update in updates]
        return self.respond(checkpoint_token, updates, parsed)


def test_each_update_is_converted_to_its_wire_form_once(make_state, monkeypatch) -> None:
    conversions: list[str] = []
    original = OperationUpdate.to_dict

    def counting(update: OperationUpdate) -> dict:
        conversions.append(update.operation_id)
        return original(update)

    client = WireClient()
    state = make_state(service=client)
    monkeypatch.setattr(OperationUpdate, "to_dict", counting)
    state.create_checkpoint(step_start("1"), is_sync=False)
    state.create_checkpoint(step_succeed("1"))
    monkeypatch.undo()
    assert conversions == ["1", "1"]
    assert client.wire_batches[0][0] == {
        "Id": "1",
        "Type": "STEP",
        "Action": "START",
        "SubType": "Step",
    }
    assert client.sent_ids == ["1", "1"]


def test_an_append_landing_while_the_sender_measures_the_queue_is_kept(make_state, client) -> None:
    # Asynchronous callers append without the lock. Model the worst interleaving: an
    # append lands whenever the sender's look at the queue creates an iterator over it.
    from collections import deque

    state = make_state()
    late = step_start("late")
    late_item = QueuedOperation(late)

    class AppendsWhileRead(deque):
        def _append_once(self) -> None:
            if late_item not in self and not late_sent:
                self.append(late_item)
                late_sent.append(True)

        def __iter__(self):
            iterator = super().__iter__()
            self._append_once()
            return iterator

        def __getitem__(self, index):
            item = super().__getitem__(index)
            self._append_once()
            return item

    batcher = state._batcher
    late_sent: list[bool] = []
    batcher._queue = AppendsWhileRead(batcher._queue)
    state.create_checkpoint(step_start("first"))
    state.flush()
    sent = [update["Id"] for call in client.calls for update in call.updates]
    assert sent == ["first", "late"]


def test_asynchronous_producers_racing_the_sender_lose_nothing(make_state, client) -> None:
    # Asynchronous callers append without the lock while the sender measures the head
    # of the queue; with a tiny switch interval they interleave at every bytecode.
    import sys

    producers, per_producer = 4, 1500
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        state = make_state()

        def produce(prefix: str) -> None:
            for number in range(per_producer):
                state.create_checkpoint(step_start(f"{prefix}-{number}"), is_sync=False)

        threads = [
            threading.Thread(target=produce, args=(f"p{index}",), name=f"producer-{index}")
            for index in range(producers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        state.flush()
    finally:
        sys.setswitchinterval(interval)

    sent = [update["Id"] for call in client.calls for update in call.updates]
    assert len(sent) == producers * per_producer
    for index in range(producers):
        mine = [op_id for op_id in sent if op_id.startswith(f"p{index}-")]
        assert mine == [f"p{index}-{number}" for number in range(per_producer)]
