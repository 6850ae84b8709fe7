"""The in-memory service and the SDK workloads of tools/bench/reference/, run once each.

The workloads are checked for what they do (results, checkpoint calls, invocations),
never for how fast: timing belongs to ``tools/bench/run.py``.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import workloads
from _fake_service import FakeService, run_to_completion
from _sdk import OURS, Sdk, SdkNames, Unavailable

# A stand-in for an SDK's lambda_service module: outputs stay wire dicts.
WIRE = SimpleNamespace(
    CheckpointOutput=SimpleNamespace(from_dict=lambda data: data),
    StateOutput=SimpleNamespace(from_dict=lambda data: data),
)


@dataclass(frozen=True)
class Update:
    wire: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.wire)


def checkpoint(service: FakeService, *updates: dict[str, Any]) -> Any:
    return service.checkpoint(service.arn, "token", [Update(u) for u in updates], None)


def test_a_step_start_and_succeed_in_one_call_record_a_succeeded_step() -> None:
    service = FakeService(WIRE, {"n": 1})

    output = checkpoint(
        service,
        {"Id": "s1", "Type": "STEP", "Action": "START", "Name": "one", "SubType": "Step"},
        {"Id": "s1", "Type": "STEP", "Action": "SUCCEED", "Payload": "1"},
    )

    [operation] = output["NewExecutionState"]["Operations"]
    assert operation["Id"] == "s1"
    assert operation["Status"] == "SUCCEEDED"
    assert operation["Name"] == "one"
    assert operation["SubType"] == "Step"
    assert operation["StepDetails"] == {"Attempt": 1, "Result": "1"}
    assert isinstance(operation["EndTimestamp"], datetime.datetime)
    assert output["CheckpointToken"] == "token-1"
    assert service.counters() == {"checkpoint_calls": 1, "updates": 2, "state_calls": 0}


def test_the_execution_update_ends_the_token_chain() -> None:
    service = FakeService(WIRE)

    output = checkpoint(service, {"Id": "x", "Type": "EXECUTION", "Action": "SUCCEED"})

    assert output["CheckpointToken"] is None


def test_timers_fire_started_waits_and_pending_retries_once() -> None:
    service = FakeService(WIRE)
    checkpoint(
        service,
        {"Id": "w", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 5}},
        {"Id": "s", "Type": "STEP", "Action": "START"},
        {
            "Id": "s",
            "Type": "STEP",
            "Action": "RETRY",
            "StepOptions": {"NextAttemptDelaySeconds": 2},
        },
    )
    assert service.operations["w"]["Status"] == "STARTED"
    assert service.operations["s"]["Status"] == "PENDING"

    assert service.fire_timers() == ["w", "s"]
    assert service.fire_timers() == []
    assert service.operations["w"]["Status"] == "SUCCEEDED"
    assert service.operations["s"]["Status"] == "READY"
    assert service.operations["s"]["StepDetails"] == {"Attempt": 1}


def test_the_envelope_carries_the_first_page_and_the_rest_is_paged() -> None:
    service = FakeService(WIRE, {"hello": "world"})
    checkpoint(service, *({"Id": f"s{i}", "Type": "STEP", "Action": "START"} for i in range(2499)))

    event = service.envelope()
    first = event["InitialExecutionState"]
    second = service.get_execution_state(service.arn, "t", first["NextMarker"])
    third = service.get_execution_state(service.arn, "t", second["NextMarker"])

    assert event["DurableExecutionArn"] == service.arn
    assert first["Operations"][0]["Type"] == "EXECUTION"
    assert json.loads(first["Operations"][0]["ExecutionDetails"]["InputPayload"]) == {
        "hello": "world"
    }
    assert isinstance(first["Operations"][0]["StartTimestamp"], int)
    assert [len(first["Operations"]), len(second["Operations"]), len(third["Operations"])] == [
        1000,
        1000,
        500,
    ]
    assert (first["NextMarker"], second["NextMarker"], third["NextMarker"]) == (
        "1000",
        "2000",
        None,
    )


def test_a_handler_pending_with_nothing_to_wait_for_is_an_error() -> None:
    service = FakeService(WIRE)
    execution = SimpleNamespace(
        DurableExecutionInvocationInput=SimpleNamespace(from_json_dict=lambda event: event),
        DurableExecutionInvocationInputWithClient=SimpleNamespace(
            from_durable_execution_invocation_input=lambda event, client: event
        ),
    )

    with pytest.raises(RuntimeError, match="invocation 1 answered PENDING but no wait"):
        run_to_completion(lambda event, context: {"Status": "PENDING"}, service, execution)


def first_case(key: str, mode: str) -> Any:
    """The smallest case of workload ``key`` in ``mode``, bound to our SDK.

    The test runner of ``durable_lambda_local`` may not exist yet: runner cases are
    then skipped, while a fake-client case must always be available.
    """
    [workload] = [w for w in workloads.WORKLOADS if w.key == key]
    missing: list[str] = []
    for factory in workload.cases(Sdk(OURS), True):
        try:
            case = factory()
        except Unavailable as reason:
            missing.append(str(reason))
            continue
        if case.mode == mode:
            return case
    if mode == workloads.RUNNER:
        pytest.skip(f"{key} has no {mode} case available yet: {missing}")
    pytest.fail(f"our SDK lacks what {key} needs in {mode} mode: {missing}")


def run_once(case: Any) -> dict[str, Any]:
    state = case.setup()
    try:
        return dict(case.run(state) or {})
    finally:
        if case.teardown is not None:
            case.teardown(state)


def test_w1_runs_ten_steps_in_one_invocation() -> None:
    counters = run_once(first_case("W1", workloads.FAKE))

    assert counters["invocations"] == 1
    assert 1 <= counters["checkpoint_calls"] <= 11
    assert counters["updates"] >= 10


def test_w2_replays_a_complete_history_without_checkpointing() -> None:
    counters = run_once(first_case("W2", workloads.FAKE))

    assert counters == {"checkpoint_calls": 0, "updates": 0, "state_calls": 0, "invocations": 1}


def test_w6_takes_one_invocation_per_wait_plus_the_last() -> None:
    case = first_case("W6", workloads.FAKE)

    counters = run_once(case)

    assert case.n == 2
    assert counters["invocations"] == 3


@pytest.mark.parametrize("key", ["W3", "W4", "W5"])
def test_map_parallel_and_payload_workloads_return_the_expected_result(key: str) -> None:
    # Each run checks the handler's result itself and raises when it differs.
    counters = run_once(first_case(key, workloads.FAKE))

    assert counters["invocations"] == 1


def test_w7_round_trips_preserve_the_value() -> None:
    [workload] = [w for w in workloads.WORKLOADS if w.key == "W7"]
    cases = [factory() for factory in workload.cases(Sdk(OURS), True)]

    assert {case.variant for case in cases} == {
        "extended types",
        "JsonSerDes, plain value",
        "stdlib json, plain value",
    }
    assert run_once(cases[0])["encoded_bytes"] > 0


def test_a_missing_sdk_part_is_reported_as_unavailable() -> None:
    missing = Sdk(SdkNames("missing", "no_such_sdk", "no_such_runner", ()))

    rows = workloads.run_workloads(missing, quick=True, only={"W1", "W7"})

    assert [(row["workload"], row["available"]) for row in rows] == [
        ("W1", False),
        ("W7", False),
    ]
    assert rows[0]["reason"].startswith("cannot import no_such_sdk")
