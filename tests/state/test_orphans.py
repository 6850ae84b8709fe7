"""Parent/child bookkeeping: updates from below a completed context are rejected."""

from __future__ import annotations

import pytest
from state_test_fakes import context_op, execution_op, step_start, step_succeed

from durable_lambda_client import (
    ErrorObject,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationUpdate,
    OrphanedChildException,
)

MAP = OperationSubType.MAP
BRANCH = OperationSubType.MAP_ITERATION


def context_start(operation_id: str, parent_id: str | None = None) -> OperationUpdate:
    return OperationUpdate.create_context_start(OperationIdentifier(operation_id, parent_id), MAP)


def context_succeed(operation_id: str, parent_id: str | None = None) -> OperationUpdate:
    return OperationUpdate.create_context_succeed(
        OperationIdentifier(operation_id, parent_id), '"done"', MAP
    )


def start_map_with_branches(state) -> None:
    state.create_checkpoint(context_start("map"), is_sync=False)
    for branch in ("b0", "b1"):
        state.create_checkpoint(
            OperationUpdate.create_context_start(OperationIdentifier(branch, "map"), BRANCH),
            is_sync=False,
        )
    state.create_checkpoint(step_start("b1-step", parent_id="b1"))


def test_a_child_of_a_completed_context_cannot_checkpoint(make_state, client) -> None:
    state = make_state()
    start_map_with_branches(state)
    state.create_checkpoint(context_succeed("map"))
    calls = len(client.calls)
    with pytest.raises(OrphanedChildException) as caught:
        state.create_checkpoint(step_succeed("b1-step", parent_id="b1"))
    assert str(caught.value) == "Parent context completed, child operation cannot checkpoint"
    assert caught.value.operation_id == "b1-step"
    with pytest.raises(OrphanedChildException):
        state.create_checkpoint(
            OperationUpdate.create_context_succeed(OperationIdentifier("b1", "map"), "1", BRANCH),
            is_sync=False,
        )
    assert len(client.calls) == calls


def test_brand_new_operations_below_a_completed_context_are_rejected_too(make_state) -> None:
    state = make_state()
    start_map_with_branches(state)
    state.create_checkpoint(context_succeed("map"))
    with pytest.raises(OrphanedChildException) as caught:
        state.create_checkpoint(step_start("b0-new-step", parent_id="b0"))
    assert caught.value.operation_id == "b0-new-step"
    with pytest.raises(OrphanedChildException):
        state.create_checkpoint(step_start("b2", parent_id="map"))
    assert state.is_orphaned("b1-step")
    assert state.is_orphaned("b0")
    assert not state.is_orphaned("map")


def test_a_failed_context_orphans_its_children(make_state) -> None:
    state = make_state()
    state.create_checkpoint(context_start("ctx"), is_sync=False)
    state.create_checkpoint(step_start("child", parent_id="ctx"))
    fail = OperationUpdate.create_context_fail(
        OperationIdentifier("ctx"), ErrorObject.from_message("no"), MAP
    )
    state.create_checkpoint(fail)
    with pytest.raises(OrphanedChildException):
        state.create_checkpoint(step_succeed("child", parent_id="ctx"))


def test_the_completed_context_itself_and_its_siblings_may_still_checkpoint(
    make_state, client
) -> None:
    state = make_state()
    state.create_checkpoint(context_start("ctx"), is_sync=False)
    state.create_checkpoint(context_succeed("ctx"))
    state.create_checkpoint(step_start("sibling"))
    state.create_checkpoint(step_succeed("sibling"))
    assert client.sent_ids[-2:] == ["sibling", "sibling"]


def test_ancestry_through_operations_of_earlier_invocations_is_followed(make_state) -> None:
    stored = {
        "exec-1": execution_op(),
        "map": context_op("map", OperationStatus.STARTED),
        "b0": context_op("b0", OperationStatus.STARTED, parent_id="map"),
        "b0-inner": context_op("b0-inner", OperationStatus.STARTED, parent_id="b0"),
    }
    state = make_state(operations=stored)
    state.create_checkpoint(context_succeed("map"))
    with pytest.raises(OrphanedChildException):
        state.create_checkpoint(step_start("deep", parent_id="b0-inner"))


def test_mark_context_completed_without_an_update(make_state) -> None:
    state = make_state()
    state.create_checkpoint(step_start("child", parent_id="ctx"))
    assert not state.is_orphaned("child")
    state.mark_context_completed("ctx")
    assert state.is_orphaned("child")
    with pytest.raises(OrphanedChildException):
        state.create_checkpoint(step_succeed("child", parent_id="ctx"))


def test_a_parent_cycle_does_not_hang_the_check(make_state) -> None:
    state = make_state()
    state.create_checkpoint(step_start("a", parent_id="b"), is_sync=False)
    state.create_checkpoint(step_start("b", parent_id="a"), is_sync=False)
    state.mark_context_completed("x")
    state.create_checkpoint(step_succeed("a", parent_id="b"))
    assert not state.is_orphaned("a")
