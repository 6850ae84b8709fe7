"""Replay outcome per stored status (behaviour §3.1.7), one row per operation.

Each case stores a record with the given status at operation id #1 (or none), runs
the handler once and checks what the caller saw, whether user code ran and which
updates were sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from durable_lambda_client import (
    CallableRuntimeError,
    CallbackDetails,
    CallbackError,
    ChainedInvokeDetails,
    ContextDetails,
    ErrorObject,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
    StepDetails,
)
from durable_lambda_context import (
    DurableContext,
    Duration,
    WaitForConditionConfig,
    WaitForConditionDecision,
    durable_execution,
)
from durable_lambda_context._operation_ids import operation_id

ID1 = operation_id(None, 1)
S = OperationStatus
ERROR = ErrorObject("stored failure", "StoredError", None, None)
LATER = datetime.now(UTC) + timedelta(hours=1)

KINDS = {
    "step": (OperationType.STEP, OperationSubType.STEP),
    "wait": (OperationType.WAIT, OperationSubType.WAIT),
    "callback": (OperationType.CALLBACK, OperationSubType.CALLBACK),
    "invoke": (OperationType.CHAINED_INVOKE, OperationSubType.CHAINED_INVOKE),
    "child": (OperationType.CONTEXT, OperationSubType.RUN_IN_CHILD_CONTEXT),
    "poll": (OperationType.STEP, OperationSubType.WAIT_FOR_CONDITION),
}


def record(kind: str, status: OperationStatus) -> Operation:
    operation_type, sub_type = KINDS[kind]
    failed = status in (S.FAILED, S.TIMED_OUT, S.CANCELLED, S.STOPPED)
    result = '"stored"' if status is S.SUCCEEDED else None
    details: dict[str, Any] = {}
    if operation_type is OperationType.STEP:
        if kind == "poll" and status in (S.STARTED, S.READY):
            result = "5"  # the state of the previous poll
        details["step_details"] = StepDetails(
            attempt=1,
            next_attempt_timestamp=LATER if status is S.PENDING else None,
            result=result,
            error=ERROR if failed else None,
        )
    elif operation_type is OperationType.CALLBACK:
        details["callback_details"] = CallbackDetails(
            callback_id="cb-1", result=result, error=ERROR if failed else None
        )
    elif operation_type is OperationType.CHAINED_INVOKE:
        details["chained_invoke_details"] = ChainedInvokeDetails(
            result=result, error=ERROR if failed else None
        )
    elif operation_type is OperationType.CONTEXT:
        details["context_details"] = ContextDetails(result=result, error=ERROR if failed else None)
    return Operation(
        operation_id=ID1,
        operation_type=operation_type,
        status=status,
        name="op",
        sub_type=sub_type,
        **details,
    )


def poll_strategy(state: int, attempt: int) -> WaitForConditionDecision:
    return WaitForConditionDecision.stop_polling()


def call(kind: str, context: DurableContext, ran: list[Any]) -> Any:
    if kind == "step":
        return context.step(lambda _: ran.append("body") or "fresh", name="op")
    if kind == "wait":
        return context.wait(Duration(5), name="op")
    if kind == "callback":
        return context.create_callback(name="op").result()
    if kind == "invoke":
        return context.invoke("fn", None, name="op")
    if kind == "child":
        return context.run_in_child_context(lambda c: ran.append("body") or "fresh", name="op")
    config = WaitForConditionConfig(wait_strategy=poll_strategy, initial_state=0)
    return context.wait_for_condition(lambda s, c: ran.append(s) or s + 1, config, name="op")


PENDING = "PENDING"
RAISED = "CallableRuntimeError: stored failure"
CALLBACK = "CallbackError: stored failure"

# kind -> status (None: no record) -> (outcome, what user code ran, actions sent)
TABLE: dict[str, dict[OperationStatus | None, tuple[Any, list[Any], list[str]]]] = {
    "step": {
        None: ("fresh", ["body"], ["START", "SUCCEED"]),
        S.STARTED: ("fresh", ["body"], ["SUCCEED"]),
        S.READY: ("fresh", ["body"], ["START", "SUCCEED"]),
        S.PENDING: (PENDING, [], []),
        S.SUCCEEDED: ("stored", [], []),
        S.FAILED: (RAISED, [], []),
        S.TIMED_OUT: ("fresh", ["body"], ["START", "SUCCEED"]),
        S.CANCELLED: ("fresh", ["body"], ["START", "SUCCEED"]),
        S.STOPPED: ("fresh", ["body"], ["START", "SUCCEED"]),
    },
    "wait": {
        None: (PENDING, [], ["START"]),
        **{status: (PENDING, [], []) for status in S if status is not S.SUCCEEDED},
        S.SUCCEEDED: (None, [], []),
    },
    "callback": {
        None: (PENDING, [], ["START"]),
        S.STARTED: (PENDING, [], []),
        S.READY: (PENDING, [], []),
        S.PENDING: (PENDING, [], []),
        S.SUCCEEDED: ('"stored"', [], []),
        S.FAILED: (CALLBACK, [], []),
        S.TIMED_OUT: (CALLBACK, [], []),
        S.CANCELLED: (CALLBACK, [], []),
        S.STOPPED: (CALLBACK, [], []),
    },
    "invoke": {
        None: (PENDING, [], ["START"]),
        S.STARTED: (PENDING, [], []),
        S.READY: (PENDING, [], []),
        S.PENDING: (PENDING, [], []),
        S.SUCCEEDED: ("stored", [], []),
        S.FAILED: (RAISED, [], []),
        S.TIMED_OUT: (RAISED, [], []),
        S.CANCELLED: (PENDING, [], []),
        S.STOPPED: (RAISED, [], []),
    },
    "child": {
        None: ("fresh", ["body"], ["START", "SUCCEED"]),
        **{
            status: ("fresh", ["body"], ["SUCCEED"])
            for status in (S.STARTED, S.READY, S.PENDING, S.TIMED_OUT, S.CANCELLED, S.STOPPED)
        },
        S.SUCCEEDED: ("stored", [], []),
        S.FAILED: (RAISED, [], []),
    },
    "poll": {
        None: (1, [0], ["START", "SUCCEED"]),
        S.STARTED: (6, [5], ["SUCCEED"]),
        S.READY: (6, [5], ["START", "SUCCEED"]),
        S.PENDING: (PENDING, [], []),
        S.SUCCEEDED: ("stored", [], []),
        S.FAILED: (RAISED, [], []),
        S.TIMED_OUT: (1, [0], ["START", "SUCCEED"]),
        S.CANCELLED: (1, [0], ["START", "SUCCEED"]),
        S.STOPPED: (1, [0], ["START", "SUCCEED"]),
    },
}

CASES = [
    (kind, status, *expected) for kind, rows in TABLE.items() for status, expected in rows.items()
]


@pytest.mark.parametrize(
    ("kind", "status", "outcome", "ran", "actions"),
    CASES,
    ids=[f"{kind}-{status.value if status else 'none'}" for kind, status, *_ in CASES],
)
def test_replay_outcome(
    service: Any,
    kind: str,
    status: OperationStatus | None,
    outcome: Any,
    ran: list[Any],
    actions: list[str],
) -> None:
    if status is not None:
        service.operations[ID1] = record(kind, status)
    seen: list[Any] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            return call(kind, context, seen)
        except (CallableRuntimeError, CallbackError) as error:
            return f"{type(error).__name__}: {error}"

    output = service.invoke(handler)
    if outcome == PENDING:
        assert output == {"Status": "PENDING"}
    else:
        assert service.result_of(output) == outcome
    assert seen == ran
    assert [u.action.value for u in service.updates] == actions
