"""Loading the state page by page, and knowing when replay ends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from state_test_fakes import ARN, FakeClient, context_op, execution_op, step_op

from durable_lambda_client import GetExecutionStateError, OperationStatus
from durable_lambda_state import ExecutionState, ReplayStatus

TERMINAL = [
    OperationStatus.SUCCEEDED,
    OperationStatus.FAILED,
    OperationStatus.CANCELLED,
    OperationStatus.STOPPED,
    OperationStatus.TIMED_OUT,
]


def loaded(make_state, client, first_page, pages=None, marker=None) -> ExecutionState:
    client.pages = pages or {}
    state = make_state(token="envelope-token")
    state.fetch_paginated_operations(first_page, "envelope-token", marker)
    return state


# ---------------------------------------------------------------------------- paging


def test_pages_are_fetched_with_the_envelope_token_until_no_marker_is_left(
    make_state, client
) -> None:
    state = loaded(
        make_state,
        client,
        [execution_op()],
        {"m1": ([step_op("a")], "m2"), "m2": ([step_op("b")], "")},
        marker="m1",
    )
    assert [(c.token, c.marker, c.max_items) for c in client.state_calls] == [
        ("envelope-token", "m1", 1000),
        ("envelope-token", "m2", 1000),
    ]
    assert list(state.operations) == ["exec-1", "a", "b"]
    assert client.calls == []


@pytest.mark.parametrize("marker", ["", None])
def test_a_complete_first_page_needs_no_call(make_state, client, marker: str | None) -> None:
    state = loaded(make_state, client, [execution_op(), step_op("a")], marker=marker)
    assert client.state_calls == []
    assert state.get_checkpoint_result("a").is_succeeded()


def test_a_later_duplicate_replaces_an_earlier_record(make_state, client) -> None:
    state = loaded(
        make_state,
        client,
        [execution_op(), step_op("a", OperationStatus.STARTED)],
        {"m1": ([step_op("a", OperationStatus.SUCCEEDED)], None)},
        marker="m1",
    )
    assert state.get_checkpoint_result("a").is_succeeded()


def test_a_failed_page_raises_get_execution_state_error(make_state, client) -> None:
    client.state_error = GetExecutionStateError("unavailable")
    state = make_state()
    with pytest.raises(GetExecutionStateError, match="unavailable"):
        state.fetch_paginated_operations([execution_op()], "t0", "m1")


def test_replay_status_is_decided_after_paging(make_state, client) -> None:
    state = loaded(
        make_state,
        client,
        [execution_op()],
        {"m1": ([step_op("a")], None)},
        marker="m1",
    )
    assert state.replay_status is ReplayStatus.REPLAY
    assert state.is_replaying()


def test_a_state_with_only_the_execution_operation_is_new(make_state, client) -> None:
    state = loaded(make_state, client, [execution_op()])
    assert state.replay_status is ReplayStatus.NEW
    assert not state.is_replaying()


# ---------------------------------------------------------------------------- replay


def test_replay_ends_when_the_last_finished_operation_is_visited(make_state, client) -> None:
    state = loaded(make_state, client, [execution_op(), step_op("1"), step_op("2")])
    state.track_replay("1")
    assert state.is_replaying()
    state.track_replay("2")
    assert not state.is_replaying()


@pytest.mark.parametrize("status", TERMINAL)
def test_every_terminal_status_must_be_visited(make_state, client, status: OperationStatus) -> None:
    state = loaded(make_state, client, [execution_op(), step_op("1"), step_op("2", status)])
    state.track_replay("1")
    assert state.is_replaying()
    state.track_replay("2")
    assert not state.is_replaying()


def test_finished_operations_on_later_pages_keep_replay_going(make_state, client) -> None:
    state = loaded(
        make_state,
        client,
        [execution_op(), step_op("1")],
        {"m1": ([step_op("2")], None)},
        marker="m1",
    )
    state.track_replay("1")
    assert state.is_replaying()
    state.track_replay("2")
    assert not state.is_replaying()


def test_a_completed_child_context_visits_all_its_stored_descendants(make_state, client) -> None:
    state = loaded(
        make_state,
        client,
        [
            execution_op(),
            context_op("ctx"),
            step_op("ctx-1", parent_id="ctx"),
            context_op("ctx-2", parent_id="ctx"),
            step_op("ctx-2-1", parent_id="ctx-2"),
            step_op("after"),
        ],
    )
    state.track_replay("ctx")
    assert state.is_replaying()
    state.track_replay("after")
    assert not state.is_replaying()


def test_a_log_after_a_completed_child_context_and_a_new_wait_is_not_replay(
    make_state, client
) -> None:
    state = loaded(
        make_state,
        client,
        [execution_op(), context_op("ctx"), step_op("ctx-1", parent_id="ctx")],
    )
    state.track_replay("ctx")
    assert not state.is_replaying()


def test_reaching_an_operation_that_was_not_finished_at_start_ends_replay(
    make_state, client
) -> None:
    state = loaded(
        make_state,
        client,
        [execution_op(), step_op("1"), step_op("2", OperationStatus.STARTED), step_op("3")],
    )
    state.track_replay("2")
    assert not state.is_replaying()


def test_an_unknown_operation_ends_replay(make_state, client) -> None:
    state = loaded(make_state, client, [execution_op(), step_op("1"), step_op("2")])
    state.track_replay("brand-new")
    assert state.replay_status is ReplayStatus.NEW


def test_operations_still_running_at_start_do_not_hold_replay(make_state, client) -> None:
    state = loaded(
        make_state, client, [execution_op(), step_op("1"), step_op("2", OperationStatus.STARTED)]
    )
    state.track_replay("1")
    assert not state.is_replaying()


def test_visiting_twice_or_after_replay_changes_nothing(make_state, client) -> None:
    state = loaded(make_state, client, [execution_op(), step_op("1"), step_op("2")])
    state.track_replay("1")
    state.track_replay("1")
    assert state.is_replaying()
    state.track_replay("2")
    state.track_replay("1")
    assert state.replay_status is ReplayStatus.NEW


def test_the_given_status_applies_until_the_state_is_paged(make_state, client) -> None:
    operations = {"exec-1": execution_op(), "1": step_op("1")}
    state = ExecutionState(ARN, "t0", operations, client, replay_status=ReplayStatus.REPLAY)
    try:
        assert state.is_replaying()
        state.track_replay("1")
        assert not state.is_replaying()
    finally:
        state.close()


@st.composite
def histories(draw: st.DrawFn) -> tuple[list, list[str]]:
    """A forest of stored operations, and the order in which top-level ones are replayed."""
    count = draw(st.integers(min_value=1, max_value=25))
    operations = [execution_op()]
    parents: dict[str, str | None] = {}
    for index in range(count):
        operation_id = f"op{index}"
        earlier = [f"op{i}" for i in range(index)]
        parent = draw(st.sampled_from([None, *earlier])) if earlier else None
        parents[operation_id] = parent
        status = draw(st.sampled_from([*TERMINAL, OperationStatus.STARTED]))
        make = context_op if draw(st.booleans()) else step_op
        operations.append(make(operation_id, status, parent_id=parent))
    roots = [i for i, p in parents.items() if p is None]
    terminal_roots = [
        op.operation_id
        for op in operations[1:]
        if op.operation_id in roots and op.status in TERMINAL
    ]
    order = draw(st.permutations(terminal_roots))
    return operations, list(order)


@settings(max_examples=150, deadline=None)
@given(history=histories())
def test_replay_ends_exactly_when_every_finished_operation_is_covered(history) -> None:
    operations, order = history
    by_id = {op.operation_id: op for op in operations}
    children: dict[str, list[str]] = {}
    for op in operations[1:]:
        if op.parent_id is not None:
            children.setdefault(op.parent_id, []).append(op.operation_id)

    def subtree(root: str) -> set[str]:
        found, pending = set(), [root]
        while pending:
            current = pending.pop()
            found.add(current)
            pending.extend(children.get(current, []))
        return found

    finished = {i for i, op in by_id.items() if i != "exec-1" and op.status in TERMINAL}
    client = FakeClient()
    with ExecutionState(ARN, "t0", {}, client) as state:
        state.fetch_paginated_operations(operations, "t0", None)
        assert state.is_replaying()
        covered: set[str] = set()
        for root in order:
            state.track_replay(root)
            covered |= subtree(root)
            assert state.is_replaying() is not (finished <= covered)
