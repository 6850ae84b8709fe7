"""Properties every history must have, over random workflows run through the SDK."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import CallbackConfig, Duration
from durable_lambda_local import DurableFunctionTestRunner, VirtualClock

from .conftest import START

Plan = list[tuple[str, int]]

plans = st.lists(
    st.one_of(
        st.tuples(st.just("step"), st.integers(0, 3)),
        st.tuples(st.just("wait"), st.integers(1, 3 * 86_400)),
        st.tuples(st.just("callback"), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("child"), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=6,
)

TERMINAL = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionStopped"}
OPENING = {"StepStarted", "WaitStarted", "CallbackStarted", "ContextStarted"}


def workflow(plan: Plan) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        done = []
        for index, (kind, value) in enumerate(plan):
            name = f"{kind}-{index}"
            if kind == "step":
                done.append(context.step(lambda _, v=value: v, name=name))
            elif kind == "wait":
                context.wait(Duration.from_seconds(value), name=name)
            elif kind == "callback":
                timeout = Duration.from_hours(1) if value == 2 else Duration()
                callback = context.create_callback(
                    name=name, config=CallbackConfig(timeout=timeout)
                )
                try:
                    done.append(callback.result())
                except Exception as error:
                    done.append(type(error).__name__)
            else:
                done.append(
                    context.run_in_child_context(
                        lambda child, v=value: [child.step(lambda _, i=i: i) for i in range(v)],
                        name=name,
                    )
                )
        return done

    return handler


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(plans)
def test_histories_are_well_formed(plan: Plan) -> None:
    with DurableFunctionTestRunner(
        workflow(plan), clock=VirtualClock(start=START), execution_timeout=30 * 86_400
    ) as runner:
        arn = runner.run_async()
        for index, (kind, value) in enumerate(plan):
            if kind == "callback" and value == 0:
                runner.send_callback_success(name=f"callback-{index}", result=b'"ok"')
            elif kind == "callback" and value == 1:
                runner.send_callback_failure(name=f"callback-{index}", error=ValueError("no"))
        result = runner.wait_for_result(arn)
        invocations = runner.service.invocation_records(arn)

    events = [event.to_dict() for event in result.history]
    types = [event["EventType"] for event in events]
    assert [event["EventId"] for event in events] == list(range(1, len(events) + 1))
    assert types[0] == "ExecutionStarted"
    assert types[-1] in TERMINAL
    assert sum(t in TERMINAL for t in types) == 1
    assert types[-2] == "InvocationCompleted"
    assert types.count("InvocationCompleted") == len(invocations) == result.invocation_count
    stamps = [event["EventTimestamp"] for event in events]
    assert stamps == sorted(stamps)
    opened: set[str] = set()
    for event in events:
        if event["EventType"] in OPENING:
            opened.add(event["Id"])
        elif (
            "Id" in event
            and event["EventType"] not in TERMINAL
            and event["EventType"] != "ExecutionStarted"
        ):
            assert event["Id"] in opened, f"{event['EventType']} before its operation started"
    assert result.value is not None
    expected_waits = sum(value for kind, value in plan if kind == "wait")
    elapsed = (stamps[-1] - stamps[0]).total_seconds()
    assert elapsed >= expected_waits
    assert all(
        step.status.value == "SUCCEEDED"
        for step in result.get_all_operations()
        if step.operation_type.value in ("STEP", "WAIT", "CONTEXT")
    )
