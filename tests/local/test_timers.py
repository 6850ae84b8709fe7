"""The timer queue: ordering, re-arming, cancelling, kinds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_local._timers import TimerKey, TimerKind, TimerQueue


def key(execution: str, kind: TimerKind = TimerKind.WAIT_END, op: str = "op") -> TimerKey:
    return TimerKey(execution, kind, op)


def test_pop_due_returns_timers_in_due_order_and_disarms_them() -> None:
    queue = TimerQueue()
    queue.arm(key("a", op="late"), 300)
    queue.arm(key("a", op="early"), 100)
    queue.arm(key("b", TimerKind.EXECUTION_TIMEOUT, ""), 200)
    assert queue.next_due() == 100
    assert queue.pop_due(250) == [
        (100, key("a", op="early")),
        (200, key("b", TimerKind.EXECUTION_TIMEOUT, "")),
    ]
    assert len(queue) == 1
    assert queue.pop_due(250) == []
    assert queue.next_due() == 300


def test_rearming_replaces_the_previous_due_time() -> None:
    queue = TimerQueue()
    heartbeat = key("a", TimerKind.CALLBACK_HEARTBEAT, "cb")
    queue.arm(heartbeat, 100)
    queue.arm(heartbeat, 500)
    assert queue.due_time(heartbeat) == 500
    assert queue.pop_due(400) == []
    assert queue.pop_due(500) == [(500, heartbeat)]


def test_cancel_and_cancel_execution() -> None:
    queue = TimerQueue()
    queue.arm(key("a", op="x"), 100)
    queue.arm(key("a", TimerKind.EXECUTION_TIMEOUT, ""), 100)
    queue.arm(key("b", op="x"), 100)
    queue.cancel(key("a", op="x"))
    queue.cancel(key("a", op="missing"))
    assert queue.due_time(key("a", op="x")) is None
    queue.cancel_execution("a")
    assert queue.pop_due(1000) == [(100, key("b", op="x"))]
    assert len(queue) == 0


def test_cancel_execution_can_keep_some_kinds() -> None:
    queue = TimerQueue()
    queue.arm(key("a", op="x"), 100)
    queue.arm(key("a", TimerKind.RETENTION, ""), 900)
    queue.cancel_execution("a", kinds=[TimerKind.WAIT_END])
    assert queue.pop_due(1000) == [(900, key("a", TimerKind.RETENTION, ""))]


def test_next_due_and_pop_due_can_filter_kinds() -> None:
    queue = TimerQueue()
    queue.arm(key("a", TimerKind.EXECUTION_TIMEOUT, ""), 50)
    queue.arm(key("a", TimerKind.WAIT_END, "w"), 500)
    skippable = [TimerKind.WAIT_END, TimerKind.STEP_READY]
    assert queue.next_due(skippable) == 500
    assert queue.pop_due(1000, skippable) == [(500, key("a", TimerKind.WAIT_END, "w"))]
    assert queue.next_due() == 50


def test_ties_fire_in_arming_order() -> None:
    queue = TimerQueue()
    keys = [key("a", op=str(i)) for i in range(5)]
    for k in reversed(keys):
        queue.arm(k, 100)
    assert [k for _, k in queue.pop_due(100)] == list(reversed(keys))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["arm", "cancel"]),
            st.sampled_from(["a", "b"]),
            st.sampled_from(list(TimerKind)),
            st.sampled_from(["", "x", "y"]),
            st.integers(min_value=0, max_value=1000),
        ),
        max_size=60,
    ),
    st.integers(min_value=0, max_value=1000),
)
def test_queue_matches_a_dict_model(
    actions: list[tuple[str, str, TimerKind, str, int]], now: int
) -> None:
    queue = TimerQueue()
    model: dict[TimerKey, int] = {}
    for action, execution, kind, op, due in actions:
        k = TimerKey(execution, kind, op)
        if action == "arm":
            queue.arm(k, due)
            model[k] = due
        else:
            queue.cancel(k)
            model.pop(k, None)
    assert len(queue) == len(model)
    assert queue.next_due() == (min(model.values()) if model else None)
    fired = queue.pop_due(now)
    assert sorted(fired, key=lambda item: item[0]) == fired
    assert {k: due for due, k in fired} == {k: d for k, d in model.items() if d <= now}
    assert len(queue) == sum(1 for d in model.values() if d > now)
