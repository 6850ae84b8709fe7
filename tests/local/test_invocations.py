"""The invocation loop: tokens, idempotency, EXECUTION updates, handler outputs and
failures, retries and state paging."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from durable_lambda_client import (
    CheckpointError,
    CheckpointOutput,
    DurableExecutionInvocationOutput,
    ErrorObject,
    ExecutionStatus,
    InvocationStatus,
    OperationAction,
    OperationType,
    OperationUpdate,
)
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import InvalidParameterValueException
from durable_lambda_local._history_assertions import assert_history

from .conftest import (
    PENDING,
    START,
    Harness,
    Invocation,
    Script,
    step_fail,
    step_start,
    step_succeed,
    succeeded,
    wait_start,
)

INVALID_TOKEN = "Invalid checkpoint token"


def execution_update(action: OperationAction, **kw: Any) -> OperationUpdate:
    return OperationUpdate("execution-result-1", OperationType.EXECUTION, action, **kw)


def test_each_token_is_consumed_once(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        old = inv.token
        inv.checkpoint(step_succeed("a"))
        assert inv.token != old
        stale = inv.rejected(step_succeed("b"), token=old)
        assert stale.message == INVALID_TOKEN
        assert inv.rejected(step_succeed("b"), token="garbage").message == INVALID_TOKEN
        state = inv.service.get_durable_execution_state(inv.arn, inv.token)
        assert [op.operation_id for op in state.operations][1:] == ["a"]
        inv.checkpoint(step_succeed("b"))
        return succeeded()

    harness.run(Script(first))


def test_tokens_of_an_ended_invocation_are_invalid(harness: Harness) -> None:
    kept: list[Invocation] = []

    def first(inv: Invocation) -> Any:
        kept.append(inv)
        inv.checkpoint(wait_start("w", 10))
        return PENDING

    def second(inv: Invocation) -> Any:
        old = kept[0]
        assert old.rejected(step_succeed("x")).message == INVALID_TOKEN
        with pytest.raises(InvalidParameterValueException, match=INVALID_TOKEN):
            inv.service.get_durable_execution_state(old.arn, old.token)
        return succeeded()

    arn = harness.run(Script(first, second))
    with pytest.raises(InvalidParameterValueException, match=INVALID_TOKEN):
        harness.service.checkpoint_durable_execution(arn, kept[0].token, [])
    with pytest.raises(InvalidParameterValueException, match=INVALID_TOKEN):
        harness.service.checkpoint_durable_execution(arn + "x", kept[0].token, [])


def test_a_repeated_client_token_returns_the_first_answer(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        token = inv.token
        answer = inv.checkpoint(step_succeed("a"), client_token="ct-1")
        again = inv.service.checkpoint_durable_execution(
            inv.arn, token, [step_succeed("a")], "ct-1"
        )
        assert again == answer
        reused = inv.service.checkpoint_durable_execution
        with pytest.raises(InvalidParameterValueException, match="ClientToken ct-1"):
            reused(inv.arn, inv.token, [step_succeed("b")], "ct-1")
        inv.checkpoint(step_succeed("b"), client_token="ct-2")
        return succeeded()

    arn = harness.run(Script(first))
    assert harness.event_types(arn).count("StepSucceeded") == 2


def test_client_tokens_are_remembered_per_execution_for_fifteen_minutes(
    harness: Harness,
) -> None:
    """Every answer is kept, not only the last one, across invocations, until 15
    minutes have passed; a checkpoint that a pause interrupted is replayed too."""
    first_calls: list[tuple[str, CheckpointOutput]] = []
    replays: list[Any] = []

    def replay(inv: Invocation, index: int, client_token: str) -> Any:
        token, answer = first_calls[index]
        try:
            again = inv.service.checkpoint_durable_execution(
                inv.arn, token, [step_succeed(f"s{index}")], client_token
            )
        except InvalidParameterValueException as error:
            return error.message
        return again == answer

    def first(inv: Invocation) -> Any:
        for index in range(3):
            token = inv.token
            first_calls.append(
                (token, inv.checkpoint(step_succeed(f"s{index}"), client_token=f"ct-{index}"))
            )
        replays.append(replay(inv, 0, "ct-0"))
        inv.checkpoint(wait_start("w1", 600))
        return PENDING

    def second(inv: Invocation) -> Any:
        replays.append(replay(inv, 1, "ct-1"))
        inv.checkpoint(wait_start("w2", 600))
        return PENDING

    def third(inv: Invocation) -> Any:
        replays.append(replay(inv, 2, "ct-2"))
        inv.service.pause_durable_execution(inv.arn)
        token = inv.token
        paused = inv.checkpoint(step_succeed("p"), client_token="ct-pause")
        again = inv.service.checkpoint_durable_execution(
            inv.arn, token, [step_succeed("p")], "ct-pause"
        )
        replays.append(again == paused and paused.checkpoint_token == "")
        return PENDING

    script = Script(first, second, third, lambda inv: succeeded())
    arn = harness.start(script, execution_timeout=3600)
    service = harness.service
    service.run_until(
        lambda: (
            service.execution_record(arn).is_terminal
            or service.execution_record(arn).status is ExecutionStatus.PAUSED
        )
    )
    script.check()
    service.resume_durable_execution(arn)
    service.wait_for_execution(arn)

    # 10 minutes after the first calls they replay; 20 minutes after, they are gone and
    # the old token is refused like any stale token.
    assert replays == [True, True, INVALID_TOKEN, True]
    assert harness.event_types(arn).count("StepSucceeded") == 4


def test_execution_update_completes_with_the_checkpointed_result(harness: Harness) -> None:
    big = '"' + "r" * 1000 + '"'

    def first(inv: Invocation) -> Any:
        out = inv.checkpoint(
            step_succeed("a"), execution_update(OperationAction.SUCCEED, payload=big)
        )
        assert out.checkpoint_token == ""
        assert inv.rejected(step_succeed("b")).message == INVALID_TOKEN
        return {"Status": "SUCCEEDED", "Result": ""}

    arn = harness.run(Script(first))
    assert harness.service.execution_record(arn).result == big
    assert harness.event_types(arn)[-2:] == ["InvocationCompleted", "ExecutionSucceeded"]
    assert harness.history(arn)[-1]["ExecutionSucceededDetails"]["Result"]["Payload"] == big


def test_errors_up_to_one_mebibyte_are_accepted(harness: Harness) -> None:
    """service.md §13 #30: the official runner refuses errors over 32,768 bytes; the
    model allows 1 MB."""
    big = ErrorObject("x" * 100_000, "Big", None, ["frame"] * 1000)

    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_start("s"), step_fail("s", error=big))
        return succeeded()

    arn = harness.run(Script(first))
    failed = harness.history(arn)[2]["StepFailedDetails"]["Error"]["Payload"]
    assert failed["ErrorMessage"] == big.message
    assert len(failed["StackTrace"]) == 1000


def test_a_checkpointed_outcome_wins_over_the_output(harness: Harness) -> None:
    """service.md §2.4: the handler's output conflicts with the EXECUTION update it
    checkpointed; the checkpointed outcome is the execution's."""

    def first(inv: Invocation) -> Any:
        inv.checkpoint(execution_update(OperationAction.SUCCEED, payload='"kept"'))
        return {"Status": "FAILED", "Error": {"ErrorMessage": "changed my mind"}}

    arn = harness.run(Script(first))
    record = harness.service.execution_record(arn)
    assert (record.status, record.result, record.error) == (
        ExecutionStatus.SUCCEEDED,
        '"kept"',
        None,
    )
    assert harness.event_types(arn)[-2:] == ["InvocationCompleted", "ExecutionSucceeded"]


def test_execution_fail_update(harness: Harness) -> None:
    error = ErrorObject("too big to return", "Huge", None, None)

    def first(inv: Invocation) -> Any:
        inv.checkpoint(execution_update(OperationAction.FAIL, error=error))
        return {"Status": "FAILED"}

    arn = harness.run(Script(first))
    record = harness.service.execution_record(arn)
    assert record.status is ExecutionStatus.FAILED
    assert record.error == error


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            [execution_update(OperationAction.SUCCEED), execution_update(OperationAction.FAIL)],
            "Cannot checkpoint multiple EXECUTION updates.",
        ),
        (
            [execution_update(OperationAction.SUCCEED), step_succeed("a")],
            "EXECUTION checkpoint must be the last update.",
        ),
        (
            [step_succeed("a"), step_succeed("a")],
            "Cannot checkpoint multiple operations with the same ID.",
        ),
        (
            [wait_start("a"), wait_start("a")],
            "Cannot checkpoint multiple operations with the same ID.",
        ),
        (
            [step_start("a"), step_start("a")],
            "Cannot checkpoint multiple operations with the same ID.",
        ),
        (
            [execution_update(OperationAction.SUCCEED, error=ErrorObject("x", None, None, None))],
            "Cannot provide an Error for SUCCEED action.",
        ),
        (
            [execution_update(OperationAction.FAIL, payload="1")],
            "Cannot provide a Payload for FAIL action.",
        ),
        (
            [execution_update(OperationAction.START)],
            "Invalid action for the given operation type.",
        ),
        (
            [step_succeed("bad id!")],
            "Id 'bad id!' must be 1 to 64 characters matching [a-zA-Z0-9-_].",
        ),
        ([step_succeed("a", name="tab\tname")], None),
        (
            [step_succeed("a", payload="x" * 1_048_577)],
            "Payload size must be less than or equal to 1048576 bytes.",
        ),
        (
            [
                OperationUpdate(
                    "a",
                    OperationType.STEP,
                    OperationAction.FAIL,
                    error=ErrorObject("x" * 1_048_577, None, None, None),
                )
            ],
            "Error object size must be less than 1048576 bytes.",
        ),
    ],
)
def test_batch_rules(harness: Harness, updates: list[OperationUpdate], message: str | None) -> None:
    errors: list[Any] = []

    def first(inv: Invocation) -> Any:
        errors.append(inv.rejected(*updates))
        inv.checkpoint(step_succeed("ok"))
        return succeeded()

    harness.run(Script(first))
    assert isinstance(errors[0], InvalidParameterValueException)
    if message is not None:
        assert errors[0].message == message
    else:
        assert errors[0].message.startswith("Name 'tab\\tname' must be")


def test_start_then_completion_of_one_step_in_a_batch_is_allowed(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_start("a"), wait_start("w", 1), step_succeed("a"))
        return PENDING

    harness.run(Script(first, lambda inv: succeeded()))


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ({"Result": "1"}, "The function output has no Status."),
        ({"Status": "DONE"}, "The function output has an unknown Status: 'DONE'."),
        (
            {"Status": "SUCCEEDED", "Error": {"ErrorMessage": "x"}},
            "A SUCCEEDED output cannot carry an Error.",
        ),
        ({"Status": "FAILED", "Result": "1"}, "A FAILED output cannot carry a Result."),
        ("not json", "The function output is not valid JSON."),
        (b"\xff", "The function output is not valid UTF-8."),
        (["Status"], "The function output must be a JSON object with a Status."),
        (42, "The function output must be a JSON object with a Status."),
    ],
)
def test_invalid_outputs_fail_the_execution(harness: Harness, output: Any, message: str) -> None:
    arn = harness.run(Script(lambda inv: output))
    record = harness.service.execution_record(arn)
    assert record.status is ExecutionStatus.FAILED
    assert record.error == ErrorObject(message, "InvalidParameterValueException", None, None)
    assert harness.event_types(arn) == [
        "ExecutionStarted",
        "InvocationCompleted",
        "ExecutionFailed",
    ]


def test_output_models_and_json_text_are_accepted(harness: Harness) -> None:
    arn = harness.run(
        Script(lambda inv: DurableExecutionInvocationOutput(InvocationStatus.SUCCEEDED, '"m"'))
    )
    assert harness.service.execution_record(arn).result == '"m"'
    arn = harness.run(Script(lambda inv: '{"Status": "SUCCEEDED", "Result": "7"}'), name="fn2")
    assert harness.service.execution_record(arn).result == "7"


def test_failed_output_fails_the_execution(harness: Harness) -> None:
    arn = harness.run(
        Script(lambda inv: {"Status": "FAILED", "Error": {"ErrorMessage": "no", "ErrorType": "E"}})
    )
    assert_history(
        harness.history(arn),
        [
            {
                "EventId": 2,
                "EventType": "InvocationCompleted",
                "InvocationCompletedDetails": {
                    "RequestId": "*",
                    "StartTimestamp": "*",
                    "EndTimestamp": "*",
                },
            },
            {
                "EventId": 3,
                "EventType": "ExecutionFailed",
                "ExecutionFailedDetails": {
                    "Error": {
                        "Payload": {"ErrorMessage": "no", "ErrorType": "E"},
                        "Truncated": False,
                    }
                },
            },
        ],
    )
    assert "Error" not in harness.history(arn)[1]["InvocationCompletedDetails"]


def test_pending_with_nothing_pending_is_retried_then_fails(harness: Harness) -> None:
    script = Script(lambda inv: PENDING)
    arn = harness.run(script)
    assert len(script.invocations) == 3
    record = harness.service.execution_record(arn)
    assert record.status is ExecutionStatus.FAILED
    assert record.error is not None
    assert record.error.type == "InvalidParameterValueException"


def test_raising_handlers_are_retried_with_backoff_then_fail(harness: Harness) -> None:
    def boom(inv: Invocation) -> Any:
        raise RuntimeError(f"attempt {len(script.invocations)}")

    script = Script(boom)
    arn = harness.run(script)
    assert len(script.invocations) == 5
    events = harness.history(arn)
    completed = [e for e in events if e["EventType"] == "InvocationCompleted"]
    assert len(completed) == 5
    assert [e["EventTimestamp"] - START for e in completed] == [
        timedelta(seconds=5 * i) for i in range(5)
    ]
    error = completed[0]["InvocationCompletedDetails"]["Error"]["Payload"]
    assert error["ErrorType"] == "RuntimeError"
    assert error["ErrorMessage"] == "attempt 1"
    assert events[-1]["ExecutionFailedDetails"]["Error"]["Payload"]["ErrorMessage"] == "attempt 5"


def test_the_invocation_failure_policy_is_configurable() -> None:
    """service.md §13 #38: attempts, backoff and the PENDING-without-work budget are
    the service's parameters, not constants."""
    from durable_lambda_local._clock import VirtualClock

    service = DurableExecutionService(
        clock=VirtualClock(start=START),
        seed=4,
        max_invocation_attempts=2,
        invocation_retry_delay=30,
        max_invalid_pending_outputs=1,
    )
    harness = Harness(service)

    def boom(inv: Invocation) -> Any:
        raise RuntimeError("no")

    raising = Script(boom)
    arn = harness.run(raising, name="raises")
    completed = [e for e in harness.history(arn) if e["EventType"] == "InvocationCompleted"]
    assert [e["EventTimestamp"] - START for e in completed] == [timedelta(0), timedelta(seconds=30)]
    assert service.execution_record(arn).status is ExecutionStatus.FAILED

    idle = Script(lambda inv: PENDING)
    arn = harness.run(idle, name="idles")
    assert len(idle.invocations) == 1
    assert service.execution_record(arn).status is ExecutionStatus.FAILED
    service.close()
    with pytest.raises(ValueError, match="max_invocation_attempts must be at least 1; got 0"):
        DurableExecutionService(max_invocation_attempts=0)


def test_a_clean_invocation_resets_the_failure_count(harness: Harness) -> None:
    calls = iter(range(100))

    def flaky(inv: Invocation) -> Any:
        n = next(calls)
        if n % 3 < 2:
            raise RuntimeError("flaky")
        if "w" not in inv.operations:
            inv.checkpoint(wait_start("w", 60))
            return PENDING
        if n < 8:
            inv.checkpoint(wait_start(f"w{n}", 60))
            return PENDING
        return succeeded()

    arn = harness.run(Script(flaky))
    assert harness.service.execution_record(arn).status is ExecutionStatus.SUCCEEDED


def test_crash_is_a_runtime_exit_error(harness: Harness) -> None:
    def first(inv: Invocation) -> Any:
        inv.checkpoint(step_start("s", name="at_most_once"))
        raise SystemExit(1)

    def second(inv: Invocation) -> Any:
        inv.checkpoint(step_succeed("s"))
        return succeeded()

    arn = harness.run(Script(first, second))
    assert_history(
        harness.history(arn),
        [
            {"EventId": 2, "EventType": "StepStarted", "Name": "at_most_once"},
            {
                "EventId": 3,
                "EventType": "InvocationCompleted",
                "InvocationCompletedDetails": {
                    "Error": {"Payload": {"ErrorType": "Runtime.ExitError"}}
                },
            },
            {
                "EventId": 4,
                "EventType": "StepSucceeded",
                "Name": "at_most_once",
                "StepSucceededDetails": {"RetryDetails": {"CurrentAttempt": 1}},
            },
            {"EventId": 5, "EventType": "InvocationCompleted"},
            {"EventId": 6, "EventType": "ExecutionSucceeded"},
        ],
    )


def test_a_handler_that_runs_past_its_timeout_is_abandoned(harness: Harness) -> None:
    release = threading.Event()
    kept: list[Invocation] = []

    def hang(inv: Invocation) -> Any:
        kept.append(inv)
        release.wait()
        return succeeded()

    script = Script(hang, lambda inv: succeeded('"second"'))
    # Long enough that the quick second invocation cannot time out on a loaded machine.
    arn = harness.run(script, timeout=0.5)
    release.set()
    error = harness.history(arn)[1]["InvocationCompletedDetails"]["Error"]["Payload"]
    assert error["ErrorType"] == "Sandbox.Timedout"
    assert error["ErrorMessage"].endswith("Task timed out after 0.50 seconds")
    assert harness.service.execution_record(arn).result == '"second"'
    assert kept[0].rejected(step_succeed("late")).message == INVALID_TOKEN


def test_state_pages_by_item_count_and_bytes() -> None:
    from durable_lambda_local._clock import VirtualClock

    service = DurableExecutionService(clock=VirtualClock(start=START), seed=3, max_page_bytes=100)
    harness = Harness(service)

    def first(inv: Invocation) -> Any:
        inv.checkpoint(*[step_succeed(f"s{i:02}", '"' + "x" * 38 + '"') for i in range(10)])
        inv.checkpoint(wait_start("w", 1))
        return PENDING

    def second(inv: Invocation) -> Any:
        state = inv.event.initial_execution_state
        assert [op.operation_id for op in state.operations][1:] == ["s00", "s01"]
        assert state.next_marker
        seen = [op.operation_id for op in state.operations]
        marker: str | None = state.next_marker
        pages = 1
        while marker:
            page = inv.service.get_durable_execution_state(inv.arn, inv.token, marker, 1)
            seen.extend(op.operation_id for op in page.operations)
            marker = page.next_marker
            pages += 1
        assert seen[1:] == [f"s{i:02}" for i in range(10)] + ["w"]
        assert pages == 10
        with pytest.raises(InvalidParameterValueException, match="Invalid marker"):
            inv.service.get_durable_execution_state(inv.arn, inv.token, "bogus")
        with pytest.raises(InvalidParameterValueException, match="MaxItems must be between"):
            inv.service.get_durable_execution_state(inv.arn, inv.token, None, 1001)
        return succeeded()

    harness.run(Script(first, second))
    service.close()


def test_the_in_process_client_raises_what_the_sdk_expects(harness: Harness) -> None:
    captured: list[CheckpointError] = []

    def first(inv: Invocation) -> Any:
        client = inv.event.service_client
        try:
            client.checkpoint(
                durable_execution_arn=inv.arn,
                checkpoint_token="stale",
                updates=[],
                client_token=None,
            )
        except CheckpointError as error:
            captured.append(error)
        try:
            client.checkpoint(
                durable_execution_arn=inv.arn,
                checkpoint_token=inv.token,
                updates=[step_succeed("a"), step_succeed("a")],
                client_token=None,
            )
        except CheckpointError as error:
            captured.append(error)
        return succeeded()

    harness.run(Script(first))
    stale, invalid = captured
    assert stale.is_retriable()
    assert stale.error == {"Code": "InvalidParameterValueException", "Message": INVALID_TOKEN}
    assert not invalid.is_retriable()
    assert stale.response_metadata is not None
    assert stale.response_metadata["HTTPStatusCode"] == 400


def test_idempotency_records_end_with_their_execution(harness: Harness) -> None:
    kept: list[Any] = []

    def first(inv: Invocation) -> Any:
        kept.append((inv.token, inv.checkpoint(step_succeed("a"), client_token="ct")))
        return succeeded()

    arn = harness.run(Script(first))
    execution_id = arn.rsplit("/", 1)[-1]
    assert harness.service.store.load_idempotency(execution_id, "ct") is None
    with pytest.raises(InvalidParameterValueException, match=INVALID_TOKEN):
        harness.service.checkpoint_durable_execution(arn, kept[0][0], [step_succeed("a")], "ct")


def test_a_large_checkpoint_delta_is_paged() -> None:
    from durable_lambda_local._clock import VirtualClock

    service = DurableExecutionService(clock=VirtualClock(start=START), seed=3, max_page_bytes=100)
    harness = Harness(service)

    def first(inv: Invocation) -> Any:
        out = inv.checkpoint(*[step_succeed(f"s{i}", '"' + "x" * 40 + '"') for i in range(5)])
        state = out.new_execution_state
        assert [op.operation_id for op in state.operations] == ["s0", "s1"]
        assert state.next_marker
        rest = inv.service.get_durable_execution_state(inv.arn, inv.token, state.next_marker)
        assert [op.operation_id for op in rest.operations] == ["s2", "s3"]
        assert rest.next_marker
        last = inv.service.get_durable_execution_state(inv.arn, inv.token, rest.next_marker)
        assert [op.operation_id for op in last.operations] == ["s4"]
        assert last.next_marker is None
        assert inv.checkpoint().new_execution_state.operations == []
        return succeeded()

    harness.run(Script(first))
    service.close()
