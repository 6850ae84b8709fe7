"""CheckpointedResult: what a stored record says, and get_checkpoint_result."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    CallbackDetails,
    ChainedInvokeDetails,
    ContextDetails,
    ErrorObject,
    ExecutionDetails,
    Operation,
    OperationStatus,
    OperationType,
    StepDetails,
    WaitDetails,
)
from durable_lambda_state import CHECKPOINT_NOT_FOUND, CheckpointedResult

ERROR = ErrorObject("bad input", "ValueError", "data", ["line 1"])

PREDICATES = {
    "is_succeeded": {OperationStatus.SUCCEEDED},
    "is_failed": {OperationStatus.FAILED},
    "is_cancelled": {OperationStatus.CANCELLED},
    "is_stopped": {OperationStatus.STOPPED},
    "is_started": {OperationStatus.STARTED},
    "is_ready": {OperationStatus.READY},
    "is_started_or_ready": {OperationStatus.STARTED, OperationStatus.READY},
    "is_pending": {OperationStatus.PENDING},
    "is_timed_out": {OperationStatus.TIMED_OUT},
}


@pytest.mark.parametrize("status", list(OperationStatus))
def test_each_predicate_is_true_exactly_for_its_statuses(status: OperationStatus) -> None:
    result = CheckpointedResult.create_from_operation(
        Operation("s", OperationType.STEP, status, step_details=StepDetails())
    )
    assert result.is_existent()
    assert result.status is status
    for predicate, statuses in PREDICATES.items():
        assert getattr(result, predicate)() is (status in statuses), predicate


def test_not_found_is_shared_and_answers_false_to_everything() -> None:
    assert CheckpointedResult.create_not_found() == CHECKPOINT_NOT_FOUND
    assert not CHECKPOINT_NOT_FOUND.is_existent()
    for predicate in [*PREDICATES, "is_replay_children"]:
        assert getattr(CHECKPOINT_NOT_FOUND, predicate)() is False
    assert CHECKPOINT_NOT_FOUND.get_next_attempt_timestamp() is None


@pytest.mark.parametrize(
    ("operation", "result", "error"),
    [
        (
            Operation(
                "a",
                OperationType.STEP,
                OperationStatus.FAILED,
                step_details=StepDetails(result='"s"', error=ERROR),
            ),
            '"s"',
            ERROR,
        ),
        (
            Operation(
                "b",
                OperationType.CALLBACK,
                OperationStatus.SUCCEEDED,
                callback_details=CallbackDetails("cb-1", result="raw", error=None),
            ),
            "raw",
            None,
        ),
        (
            Operation(
                "c",
                OperationType.CHAINED_INVOKE,
                OperationStatus.FAILED,
                chained_invoke_details=ChainedInvokeDetails(error=ERROR),
            ),
            None,
            ERROR,
        ),
        (
            Operation(
                "d",
                OperationType.CONTEXT,
                OperationStatus.SUCCEEDED,
                context_details=ContextDetails(result='"ctx"'),
            ),
            '"ctx"',
            None,
        ),
        (
            Operation(
                "e",
                OperationType.WAIT,
                OperationStatus.SUCCEEDED,
                wait_details=WaitDetails(datetime(2025, 1, 1, tzinfo=UTC)),
            ),
            None,
            None,
        ),
        (
            Operation(
                "f",
                OperationType.EXECUTION,
                OperationStatus.STARTED,
                execution_details=ExecutionDetails("{}"),
            ),
            None,
            None,
        ),
        (Operation("g", OperationType.STEP, OperationStatus.STARTED), None, None),
    ],
)
def test_result_and_error_come_from_the_details_of_the_operation_type(
    operation: Operation, result: str | None, error: ErrorObject | None
) -> None:
    checkpointed = CheckpointedResult.create_from_operation(operation)
    assert checkpointed.operation is operation
    assert checkpointed.result == result
    assert checkpointed.error == error


def test_details_of_another_type_are_ignored() -> None:
    operation = Operation(
        "w",
        OperationType.WAIT,
        OperationStatus.SUCCEEDED,
        step_details=StepDetails(result='"not mine"'),
    )
    assert CheckpointedResult.create_from_operation(operation).result is None


def test_raise_callable_error_rebuilds_the_recorded_failure() -> None:
    operation = Operation(
        "a", OperationType.STEP, OperationStatus.FAILED, step_details=StepDetails(error=ERROR)
    )
    with pytest.raises(CallableRuntimeError) as caught:
        CheckpointedResult.create_from_operation(operation).raise_callable_error()
    assert str(caught.value) == "bad input"
    assert caught.value.error_type == "ValueError"
    assert caught.value.data == "data"
    assert caught.value.stack_trace == ["line 1"]


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        (None, "Unknown error. No ErrorObject exists on the Checkpoint Operation."),
        ("custom", "custom"),
    ],
)
def test_raise_callable_error_without_a_recorded_error(msg: str | None, expected: str) -> None:
    result = CheckpointedResult.create_from_operation(
        Operation("a", OperationType.STEP, OperationStatus.FAILED)
    )
    with pytest.raises(CallableRuntimeError) as caught:
        result.raise_callable_error(msg)
    assert str(caught.value) == expected
    assert caught.value.error_type is None


def test_replay_children_only_for_contexts_that_ask_for_it() -> None:
    def context(replay: bool) -> CheckpointedResult:
        return CheckpointedResult.create_from_operation(
            Operation(
                "c",
                OperationType.CONTEXT,
                OperationStatus.SUCCEEDED,
                context_details=ContextDetails(replay_children=replay),
            )
        )

    assert context(True).is_replay_children()
    assert not context(False).is_replay_children()
    no_details = Operation("c", OperationType.CONTEXT, OperationStatus.SUCCEEDED)
    assert not CheckpointedResult.create_from_operation(no_details).is_replay_children()


def test_next_attempt_timestamp_of_a_pending_step() -> None:
    when = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    pending = Operation(
        "s",
        OperationType.STEP,
        OperationStatus.PENDING,
        step_details=StepDetails(attempt=2, next_attempt_timestamp=when),
    )
    assert CheckpointedResult.create_from_operation(pending).get_next_attempt_timestamp() == when
    plain = Operation("s", OperationType.STEP, OperationStatus.STARTED)
    assert CheckpointedResult.create_from_operation(plain).get_next_attempt_timestamp() is None


def test_get_checkpoint_result_looks_up_the_stored_record(make_state) -> None:
    stored = Operation(
        "s1",
        OperationType.STEP,
        OperationStatus.SUCCEEDED,
        step_details=StepDetails(result='"v"'),
    )
    state = make_state(operations={"s1": stored})
    found = state.get_checkpoint_result("s1")
    assert found.is_succeeded()
    assert found.result == '"v"'
    assert state.get_checkpoint_result("missing") is CHECKPOINT_NOT_FOUND
