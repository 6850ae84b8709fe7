"""The exception hierarchy: bases, constructors, attributes, and identity with serdes."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

import durable_lambda_client as client
import durable_lambda_serdes
from durable_lambda_client import (
    BackgroundThreadError,
    BotoClientError,
    CallableRuntimeError,
    CallableRuntimeErrorSerializableDetails,
    CallbackError,
    CheckpointError,
    CheckpointErrorCategory,
    DurableExecutionsError,
    ErrorObject,
    ExecutionError,
    GetExecutionStateError,
    InvalidStateError,
    InvocationError,
    NonDeterministicExecutionError,
    OrderedLockError,
    OrphanedChildException,
    SerDesError,
    StepInterruptedError,
    SuspendExecution,
    TerminationReason,
    TimedSuspendExecution,
    UnrecoverableError,
    UserlandError,
    ValidationError,
    WaitForConditionError,
)


def test_root_and_serdes_errors_are_the_serdes_classes() -> None:
    assert client.DurableExecutionsError is durable_lambda_serdes.DurableExecutionsError
    assert client.SerDesError is durable_lambda_serdes.SerDesError
    with pytest.raises(DurableExecutionsError):
        raise durable_lambda_serdes.SerDesError("bad value at $.x")


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (UnrecoverableError, DurableExecutionsError),
        (ExecutionError, UnrecoverableError),
        (InvocationError, UnrecoverableError),
        (CallbackError, ExecutionError),
        (NonDeterministicExecutionError, ExecutionError),
        (BotoClientError, InvocationError),
        (CheckpointError, BotoClientError),
        (GetExecutionStateError, BotoClientError),
        (StepInterruptedError, InvocationError),
        (ValidationError, DurableExecutionsError),
        (InvalidStateError, DurableExecutionsError),
        (UserlandError, DurableExecutionsError),
        (CallableRuntimeError, UserlandError),
        (SerDesError, DurableExecutionsError),
        (OrderedLockError, DurableExecutionsError),
        (WaitForConditionError, DurableExecutionsError),
        (TimedSuspendExecution, SuspendExecution),
    ],
)
def test_hierarchy(child: type[BaseException], parent: type[BaseException]) -> None:
    assert issubclass(child, parent)


@pytest.mark.parametrize(
    "control_flow", [SuspendExecution, BackgroundThreadError, OrphanedChildException]
)
def test_control_flow_exceptions_escape_except_exception(
    control_flow: type[BaseException],
) -> None:
    assert issubclass(control_flow, BaseException)
    assert not issubclass(control_flow, Exception)


def test_wait_for_condition_error_is_an_ordinary_user_error() -> None:
    assert not issubclass(WaitForConditionError, ExecutionError)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ExecutionError("x"), TerminationReason.EXECUTION_ERROR),
        (InvocationError("x"), TerminationReason.INVOCATION_ERROR),
        (CallbackError("x", callback_id="cb"), TerminationReason.CALLBACK_ERROR),
        (
            NonDeterministicExecutionError("x", step_id="1"),
            TerminationReason.NON_DETERMINISTIC_EXECUTION,
        ),
        (StepInterruptedError("x", step_id="1"), TerminationReason.STEP_INTERRUPTED),
        (BotoClientError("x"), TerminationReason.INVOCATION_ERROR),
        (
            CheckpointError("x", CheckpointErrorCategory.EXECUTION),
            TerminationReason.CHECKPOINT_FAILED,
        ),
        (GetExecutionStateError("x"), TerminationReason.INVOCATION_ERROR),
    ],
)
def test_termination_reasons(error: UnrecoverableError, reason: TerminationReason) -> None:
    assert error.termination_reason is reason
    assert str(error) == "x"


def test_attributes_of_operation_errors() -> None:
    assert CallbackError("late", callback_id="cb-1").callback_id == "cb-1"
    assert CallbackError("late").callback_id is None
    assert NonDeterministicExecutionError("diverged", step_id="3").step_id == "3"
    assert StepInterruptedError("lost").step_id is None
    assert ExecutionError("x", TerminationReason.SERIALIZATION_ERROR).termination_reason is (
        TerminationReason.SERIALIZATION_ERROR
    )


def test_callable_runtime_error_keeps_the_recorded_failure() -> None:
    error = CallableRuntimeError("boom", "ValueError", "data", ["line 1"])
    assert (error.message, error.error_type, error.data, error.stack_trace) == (
        "boom",
        "ValueError",
        "data",
        ["line 1"],
    )
    assert str(error) == "boom"
    assert str(CallableRuntimeError(None, None, None, None)) == "None"


def test_error_object_to_callable_runtime_error() -> None:
    error = ErrorObject("boom", "KeyError", "extra", ["a", "b"]).to_callable_runtime_error()
    assert isinstance(error, CallableRuntimeError)
    assert (error.message, error.error_type, error.data, error.stack_trace) == (
        "boom",
        "KeyError",
        "extra",
        ["a", "b"],
    )


def test_error_object_from_exception_and_message() -> None:
    assert ErrorObject.from_exception(ValueError("bad")).to_dict() == {
        "ErrorMessage": "bad",
        "ErrorType": "ValueError",
    }
    assert ErrorObject.from_message("only text").to_dict() == {"ErrorMessage": "only text"}


def test_ordered_lock_error_message_names_the_source() -> None:
    source = RuntimeError("holder died")
    error = OrderedLockError("lock broken", source)
    assert str(error) == "lock broken RuntimeError: holder died"
    assert error.source_exception is source
    assert str(OrderedLockError("lock broken")) == "lock broken"


def test_background_thread_error_carries_its_source() -> None:
    source = ValueError("x")
    error = BackgroundThreadError("Checkpoint creation failed", source)
    assert error.source_exception is source
    assert str(error) == "Checkpoint creation failed"


def test_timed_suspend_execution_factories() -> None:
    when = datetime(2030, 1, 1, tzinfo=UTC)
    assert TimedSuspendExecution.from_datetime("wait", when).scheduled_timestamp == (
        when.timestamp()
    )
    before = datetime.now(UTC).timestamp()
    suspended = TimedSuspendExecution.from_delay("wait", 30)
    assert before + 30 <= suspended.scheduled_timestamp <= datetime.now(UTC).timestamp() + 30
    assert isinstance(suspended, TimedSuspendExecution)


def test_orphaned_child_exception_names_the_operation() -> None:
    assert OrphanedChildException("orphan", operation_id="op-9").operation_id == "op-9"


def test_serializable_details() -> None:
    details = CallableRuntimeErrorSerializableDetails.from_exception(KeyError("k"))
    assert details == CallableRuntimeErrorSerializableDetails("KeyError", "'k'")
    assert str(details) == "KeyError: 'k'"


def test_module_constants() -> None:
    assert (client.BAD_REQUEST_ERROR, client.TOO_MANY_REQUESTS_ERROR, client.SERVICE_ERROR) == (
        400,
        429,
        500,
    )


@pytest.mark.parametrize(
    "error",
    [
        CheckpointError(
            "throttled",
            CheckpointErrorCategory.INVOCATION,
            error={"Code": "TooManyRequestsException", "Message": "slow down"},
            response_metadata={"HTTPStatusCode": 429},
        ),
        GetExecutionStateError("down"),
        CallbackError("late", callback_id="cb"),
        NonDeterministicExecutionError("diverged", step_id="2"),
        StepInterruptedError("lost", step_id="3"),
        CallableRuntimeError("boom", "ValueError", None, ["line"]),
        OrderedLockError("broken", RuntimeError("x")),
        BackgroundThreadError("failed", ValueError("v")),
        TimedSuspendExecution("wait", 1.5),
        OrphanedChildException("orphan", operation_id="op"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_exceptions_survive_pickle(error: BaseException) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy).keys() == vars(error).keys()
    for name, value in vars(error).items():
        copied = getattr(copy, name)
        if isinstance(value, BaseException):
            assert (type(copied), str(copied)) == (type(value), str(value))
        else:
            assert copied == value
