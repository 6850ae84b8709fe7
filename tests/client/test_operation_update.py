"""OperationUpdate: the factories and the wire form the service receives."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from durable_lambda_client import (
    CallbackOptions,
    ChainedInvokeOptions,
    ContextOptions,
    ErrorObject,
    OperationAction,
    OperationIdentifier,
    OperationSubType,
    OperationType,
    OperationUpdate,
    WaitOptions,
)

ID = OperationIdentifier("op-1", parent_id="parent-1", name="charge card")
ERROR = ErrorObject.from_message("card declined")
HEAD = {"Id": "op-1", "ParentId": "parent-1", "Name": "charge card"}

FACTORIES: list[tuple[str, OperationUpdate, dict[str, Any]]] = [
    ("step_start", OperationUpdate.create_step_start(ID),
     {"Type": "STEP", "SubType": "Step", "Action": "START"}),
    ("step_succeed", OperationUpdate.create_step_succeed(ID, "42"),
     {"Type": "STEP", "SubType": "Step", "Action": "SUCCEED", "Payload": "42"}),
    ("step_fail", OperationUpdate.create_step_fail(ID, ERROR),
     {"Type": "STEP", "SubType": "Step", "Action": "FAIL",
      "Error": {"ErrorMessage": "card declined"}}),
    ("step_retry", OperationUpdate.create_step_retry(ID, ERROR, 8),
     {"Type": "STEP", "SubType": "Step", "Action": "RETRY",
      "Error": {"ErrorMessage": "card declined"}, "StepOptions": {"NextAttemptDelaySeconds": 8}}),
    ("wait_start", OperationUpdate.create_wait_start(ID, WaitOptions(wait_seconds=60)),
     {"Type": "WAIT", "SubType": "Wait", "Action": "START", "WaitOptions": {"WaitSeconds": 60}}),
    ("callback", OperationUpdate.create_callback(ID, CallbackOptions()),
     {"Type": "CALLBACK", "SubType": "Callback", "Action": "START",
      "CallbackOptions": {"TimeoutSeconds": 0, "HeartbeatTimeoutSeconds": 0}}),
    ("invoke_start",
     OperationUpdate.create_invoke_start(ID, '{"a": 1}', ChainedInvokeOptions("billing:live")),
     {"Type": "CHAINED_INVOKE", "SubType": "ChainedInvoke", "Action": "START",
      "Payload": '{"a": 1}', "ChainedInvokeOptions": {"FunctionName": "billing:live"}}),
    ("invoke_start_tenant",
     OperationUpdate.create_invoke_start(ID, "1", ChainedInvokeOptions("billing", "tenant-7")),
     {"Type": "CHAINED_INVOKE", "SubType": "ChainedInvoke", "Action": "START", "Payload": "1",
      "ChainedInvokeOptions": {"FunctionName": "billing", "TenantId": "tenant-7"}}),
    ("context_start", OperationUpdate.create_context_start(ID, OperationSubType.MAP),
     {"Type": "CONTEXT", "SubType": "Map", "Action": "START"}),
    ("context_succeed",
     OperationUpdate.create_context_succeed(ID, "", OperationSubType.RUN_IN_CHILD_CONTEXT,
                                            ContextOptions(replay_children=True)),
     {"Type": "CONTEXT", "SubType": "RunInChildContext", "Action": "SUCCEED", "Payload": "",
      "ContextOptions": {"ReplayChildren": True}}),
    ("context_fail",
     OperationUpdate.create_context_fail(ID, ERROR, OperationSubType.PARALLEL_BRANCH),
     {"Type": "CONTEXT", "SubType": "ParallelBranch", "Action": "FAIL",
      "Error": {"ErrorMessage": "card declined"}}),
    ("wfc_start", OperationUpdate.create_wait_for_condition_start(ID),
     {"Type": "STEP", "SubType": "WaitForCondition", "Action": "START"}),
    ("wfc_succeed", OperationUpdate.create_wait_for_condition_succeed(ID, "3"),
     {"Type": "STEP", "SubType": "WaitForCondition", "Action": "SUCCEED", "Payload": "3"}),
    ("wfc_retry", OperationUpdate.create_wait_for_condition_retry(ID, "2", 5),
     {"Type": "STEP", "SubType": "WaitForCondition", "Action": "RETRY", "Payload": "2",
      "StepOptions": {"NextAttemptDelaySeconds": 5}}),
    ("wfc_fail", OperationUpdate.create_wait_for_condition_fail(ID, ERROR),
     {"Type": "STEP", "SubType": "WaitForCondition", "Action": "FAIL",
      "Error": {"ErrorMessage": "card declined"}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("update", "wire"), [(f[1], f[2]) for f in FACTORIES], ids=[f[0] for f in FACTORIES]
)
def test_factories(update: OperationUpdate, wire: dict[str, Any]) -> None:
    assert update.to_dict() == {**HEAD, **wire}
    assert OperationUpdate.from_dict(update.to_dict()) == update


def test_empty_payload_is_sent() -> None:
    update = OperationUpdate.create_step_succeed(OperationIdentifier("s"), "")
    assert update.to_dict() == {
        "Id": "s",
        "Type": "STEP",
        "SubType": "Step",
        "Action": "SUCCEED",
        "Payload": "",
    }


def test_none_payload_and_empty_names_are_left_out() -> None:
    update = OperationUpdate.create_step_succeed(OperationIdentifier("s", "", ""), None)
    assert update.to_dict() == {"Id": "s", "Type": "STEP", "SubType": "Step", "Action": "SUCCEED"}


@pytest.mark.parametrize(
    ("build", "action", "extra"),
    [
        (
            lambda: OperationUpdate.create_execution_succeed('"big"'),
            "SUCCEED",
            {"Payload": '"big"'},
        ),
        (
            lambda: OperationUpdate.create_execution_fail(ERROR),
            "FAIL",
            {"Error": {"ErrorMessage": "card declined"}},
        ),
    ],
)
def test_execution_updates(
    build: Callable[[], OperationUpdate], action: str, extra: dict[str, Any]
) -> None:
    before = int(time.time() * 1000)
    update = build()
    wire = update.to_dict()
    match = re.fullmatch(r"execution-result-(\d+)", wire.pop("Id"))
    assert match is not None
    assert before <= int(match.group(1)) <= int(time.time() * 1000)
    assert wire == {"Type": "EXECUTION", "Action": action, **extra}
    assert update.operation_type is OperationType.EXECUTION
    assert update.action is OperationAction(action)


def test_unknown_action_names_the_member() -> None:
    with pytest.raises(ValueError, match=r"OperationUpdate\.Action must be one of"):
        OperationUpdate.from_dict({"Id": "a", "Type": "STEP", "Action": "PAUSE"})
