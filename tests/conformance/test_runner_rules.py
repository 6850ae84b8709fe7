"""The conformance tool's own rules, on requirements written here (no catalogue needed):
variables, callback answers, history-only polling, verdicts and selection."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from conformance._backends import InProcessBackend
from conformance._bindings import generate_variables, substitute
from conformance._catalogue import CatalogueError, Requirement
from conformance._checks import Verdict, check_requirement
from conformance.handlers import REGISTRY, Conformance
from conformance.run import judge, select, summarize
from hypothesis import given
from hypothesis import strategies as st

from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import CallbackConfig, Duration

ANY = "*"


def requirement(**entry: Any) -> Requirement:
    entry.setdefault("id", "99-1")
    entry.setdefault("area", "scratch")
    entry.setdefault("ExpectedExecutionHistory", [])
    return Requirement.from_entry(entry)


@pytest.fixture
def backends() -> Iterator[list[InProcessBackend]]:
    opened: list[InProcessBackend] = []
    yield opened
    for backend in opened:
        backend.close()


def backend_for(handler: Any, opened: list[InProcessBackend]) -> InProcessBackend:
    backend = InProcessBackend("scratch", handler, {})
    opened.append(backend)
    return backend


def callback_event(event_id: int, kind: str, name: str, **details: Any) -> dict[str, Any]:
    return {"EventId": event_id, "EventType": f"Callback{kind}", "Name": name, **details}


def completed(event_id: int) -> dict[str, Any]:
    return {"EventId": event_id, "EventType": "InvocationCompleted"}


@given(st.integers(min_value=0, max_value=40), st.integers())
def test_generated_strings_are_lowercase_letters_and_digits(length: int, seed: int) -> None:
    bound = generate_variables({"V": f"${{GEN_STR:{length}}}", "L": 7}, random.Random(seed))
    assert re.fullmatch(f"[a-z0-9]{{{length}}}", bound["V"])
    assert bound["L"] == "7"


def test_substitution_replaces_bound_names_only_at_any_depth() -> None:
    value = {"a": ["${X}-${Y}", {"b": '"${X}"'}], "n": 3}
    assert substitute(value, {"X": "x1"}) == {"a": ["x1-${Y}", {"b": '"x1"'}], "n": 3}


@durable_execution
def two_callbacks_awaited_in_reverse(event: list[str], context: DurableContext) -> Any:
    first = context.create_callback(name=event[0])
    second = context.create_callback(name=event[1])
    return [second.result(), first.result()]


def test_callbacks_are_answered_in_history_order_after_their_delays(
    backends: list[InProcessBackend],
) -> None:
    # b's action comes first in the list but a opened first: a is answered first.
    spec = requirement(
        Input=["${A}", "${B}"],
        Variables={"A": "${GEN_STR:6}", "B": "${GEN_STR:6}"},
        AsyncInvoke=True,
        CallbackActions=[
            {"CallbackName": "${B}", "Operation": "success", "Payload": "to-b", "Delay": 4},
            {"CallbackName": "${/^[a-z0-9]{6}$/}", "Operation": "success", "Payload": "to-a"},
        ],
        ExpectedExecutionHistory=[
            callback_event(2, "Started", "${A}"),
            callback_event(3, "Started", "${B}"),
            completed(4),
            callback_event(5, "Succeeded", "${A}"),
            completed(6),
            callback_event(
                7, "Succeeded", "${B}", CallbackSucceededDetails={"Result": {"Payload": '"to-b"'}}
            ),
            completed(8),
        ],
        ExpectedResult={"ExecutionStatus": "SUCCEEDED", "Result": ['"to-b"', '"to-a"']},
    )
    backend = backend_for(two_callbacks_awaited_in_reverse, backends)
    checked = check_requirement(spec, backend, random.Random(1))
    problems, bindings = checked.problems, checked.bindings
    assert problems == []
    assert set(bindings) >= {"A", "B"}


@durable_execution
def callback_with_heartbeat(event: Any, context: DurableContext) -> Any:
    config = CallbackConfig(heartbeat_timeout=Duration.from_seconds(5))
    return context.create_callback(name="kept-alive", config=config).result()


def test_a_heartbeat_leaves_the_callback_to_a_later_action(
    backends: list[InProcessBackend],
) -> None:
    # Polls every 2 s: the heartbeat goes at 2 s, the answer at 4 + 1 s, after the 5 s
    # heartbeat timeout the callback would have had without the heartbeat.
    spec = requirement(
        AsyncInvoke=True,
        CallbackActions=[
            {"CallbackName": "kept-alive", "Operation": "heartbeat"},
            {
                "CallbackName": "*",
                "Operation": "failure",
                "Delay": 1,
                "Payload": {"ErrorType": "Refused", "ErrorMessage": "no", "Ignored": "x"},
            },
        ],
        ExpectedExecutionHistory=[
            callback_event(2, "Started", "kept-alive"),
            completed(3),
            callback_event(
                4,
                "Failed",
                "kept-alive",
                CallbackFailedDetails={
                    "Error": {"Payload": {"ErrorType": "Refused", "ErrorMessage": "no"}}
                },
            ),
        ],
        ExpectedResult={"ExecutionStatus": "FAILED"},
    )
    problems = check_requirement(spec, backend_for(callback_with_heartbeat, backends)).problems
    assert problems == []


@durable_execution
def waits_an_hour(event: Any, context: DurableContext) -> None:
    context.wait(Duration.from_hours(1))


def test_a_history_only_requirement_stops_once_the_history_matches(
    backends: list[InProcessBackend],
) -> None:
    spec = requirement(
        AsyncInvoke=True,
        ExpectedExecutionHistory=[
            {"EventId": 2, "EventType": "WaitStarted", "WaitStartedDetails": {"Duration": 3600}},
            completed(3),
        ],
    )
    backend = backend_for(waits_an_hour, backends)
    checked = check_requirement(spec, backend)
    problems, arn = checked.problems, checked.execution_arn
    assert problems == []
    assert [event["EventType"] for event in backend.history(arn)][-1] == "InvocationCompleted"


def test_an_unanswered_callback_gives_up_after_thirty_quiet_seconds(
    backends: list[InProcessBackend],
) -> None:
    backend = backend_for(two_callbacks_awaited_in_reverse, backends)
    spec = requirement(
        Input=["x", "y"], AsyncInvoke=True, ExpectedResult={"ExecutionStatus": "SUCCEEDED"}
    )
    problems = check_requirement(spec, backend).problems
    assert problems == [
        "No new events for 30.0s (timeout: 30.0s)",
        "Expected ExecutionStatus='SUCCEEDED', got 'RUNNING'",
    ]


@durable_execution
def greets(event: str, context: DurableContext) -> str:
    return context.step(lambda _: f"Hello, {event}!", name="greet")


def test_mismatches_name_the_event_and_the_value(backends: list[InProcessBackend]) -> None:
    spec = requirement(
        Input="${WHO}",
        Variables={"WHO": "Ada"},
        ExpectedExecutionHistory=[
            {"EventId": 2, "EventType": "StepStarted", "Name": "greet", "Id": "${S}"},
            {
                "EventId": 3,
                "EventType": "StepSucceeded",
                "Id": "${S}",
                "StepSucceededDetails": {"Result": {"Payload": '"Hi, ${WHO}!"'}},
            },
            {"EventId": 9, "EventType": "InvocationCompleted"},
        ],
        ExpectedResult={"ExecutionStatus": "SUCCEEDED", "Result": "Hello, ${WHO}!"},
    )
    problems = check_requirement(spec, backend_for(greets, backends)).problems
    assert problems == [
        "EventId=3.StepSucceededDetails.Result.Payload: expected '\"Hi, Ada!\"', "
        "got '\"Hello, Ada!\"'",
        "No actual event found for EventId=9",
    ]


def test_a_wrong_result_is_reported_after_a_matching_history(
    backends: list[InProcessBackend],
) -> None:
    spec = requirement(
        Input="Ada", ExpectedResult={"ExecutionStatus": "SUCCEEDED", "Result": "Hello!"}
    )
    problems = check_requirement(spec, backend_for(greets, backends)).problems
    assert problems == ["Expected Result='Hello!', got 'Hello, Ada!'"]


def test_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    passing = requirement(Input="Ada", ExpectedResult={"ExecutionStatus": "SUCCEEDED"})
    failing = requirement(Input="Ada", ExpectedResult={"ExecutionStatus": "FAILED"})
    monkeypatch.setitem(REGISTRY, "99-1", Conformance(greets))

    def open_backend(requirement_id: str) -> InProcessBackend:
        return InProcessBackend("scratch", greets, {})

    assert judge(passing, open_backend, 0).verdict is Verdict.PASS
    assert judge(failing, open_backend, 0).verdict is Verdict.FAIL
    monkeypatch.setitem(REGISTRY, "99-1", Conformance(greets, difference="follows 1.1.0"))
    assert judge(failing, open_backend, 0).verdict is Verdict.DIFF
    stale = judge(passing, open_backend, 0)
    assert (stale.verdict, stale.verdict.is_failure) == (Verdict.XPASS, True)
    plugin = judge(requirement(area="plugin"), open_backend, 0)
    assert plugin.verdict is Verdict.SKIP
    assert "3.x" in str(plugin.reason)
    unknown = judge(requirement(id="99-2"), open_backend, 0)
    assert unknown.verdict is Verdict.FAIL
    assert summarize([plugin, unknown, stale]) == {
        "plugin": {"SKIP": 1},
        "scratch": {"FAIL": 1, "XPASS": 1},
        "total": {"SKIP": 1, "FAIL": 1, "XPASS": 1},
    }


def test_selection_by_id_and_area() -> None:
    one = requirement(id="1-2", area="step")
    other = requirement(id="2-1", area="wait")
    assert select([one, other], []) == [one, other]
    assert select([one, other], ["wait"]) == [other]
    assert select([one, other], ["2-1,1-2"]) == [one, other]
    with pytest.raises(CatalogueError, match="no requirement or area is called 3-3"):
        select([one, other], ["3-3"])
