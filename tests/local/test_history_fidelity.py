"""History fidelity where the official runner falls short (service.md §13.2): invocation
records, error wrappers without execution data, stable EventIds, the terminal event last
even when an invocation outlives its execution, and histories folded back into
operations (what the cloud runner reports)."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda.config import CallbackConfig, InvokeConfig
from durable_lambda_client import ExecutionStatus, OperationType
from durable_lambda_local import (
    DurableFunctionTestRunner,
    LocalFunction,
    VirtualClock,
    operations_from_history,
)

from .conftest import (
    PENDING,
    START,
    Harness,
    Invocation,
    Script,
    step_start,
    succeeded,
    wait_start,
)


def test_every_invocation_is_recorded_with_its_own_request_id(harness: Harness) -> None:
    """#16: InvocationCompletedDetails with both timestamps and the invocation's
    RequestId (the Lambda context's aws_request_id), one per invocation."""
    seen: list[str] = []

    def handler(event: Any, context: Any) -> Any:
        seen.append(context.aws_request_id)
        inv = Invocation(harness.service, event)
        if "w" not in inv.operations:
            inv.checkpoint(wait_start("w", 30))
            return PENDING
        return succeeded()

    harness.service.register(LocalFunction("fn", handler))
    arn, _ = harness.service.start_execution("fn")
    harness.service.run_until(lambda: harness.service.execution_record(arn).is_terminal)

    completed = [e for e in harness.history(arn) if e["EventType"] == "InvocationCompleted"]
    details = [e["InvocationCompletedDetails"] for e in completed]
    assert [d["RequestId"] for d in details] == seen
    assert len(set(seen)) == 2
    assert all(d["StartTimestamp"] <= d["EndTimestamp"] for d in details)
    assert all("Error" not in d for d in details)
    assert [e.request_id for e in harness.service.invocation_records(arn)] == seen


@durable_execution
def fails_three_ways(event: Any, context: DurableContext) -> Any:
    outcomes = []
    try:
        context.run_in_child_context(lambda child: child_fails(child), name="ctx")
    except Exception as error:
        outcomes.append(type(error).__name__)
    for name, timeout in (("rejected", 0), ("late", 60)):
        callback = context.create_callback(
            name=name, config=CallbackConfig(timeout=Duration.from_seconds(timeout))
        )
        try:
            callback.result()
        except Exception as error:
            outcomes.append(type(error).__name__)
    return outcomes


def child_fails(context: DurableContext) -> None:
    raise ValueError("the child gave up")


def test_error_wrappers_say_truncated_only_when_data_is_left_out() -> None:
    """#21: ContextFailed, CallbackFailed and CallbackTimedOut carry the error with
    Truncated false, and neither payload nor a false flag without execution data."""
    with DurableFunctionTestRunner(fails_three_ways, clock=VirtualClock(start=START)) as runner:
        arn = runner.run_async()
        runner.send_callback_failure(name="rejected", error={"ErrorMessage": "no"})
        result = runner.wait_for_result(arn)
        full = runner.get_execution_history(arn).events
        slim = runner.get_execution_history(arn, include_execution_data=False).events

    assert result.execution_status is ExecutionStatus.SUCCEEDED
    kinds = {"ContextFailed", "CallbackFailed", "CallbackTimedOut"}
    full_errors = {
        e.event_type.value: e.to_dict()[f"{e.event_type.value}Details"]["Error"]
        for e in full
        if e.event_type.value in kinds
    }
    slim_errors = {
        e.event_type.value: e.to_dict()[f"{e.event_type.value}Details"]["Error"]
        for e in slim
        if e.event_type.value in kinds
    }
    assert full_errors["ContextFailed"]["Payload"]["ErrorMessage"] == "the child gave up"
    assert full_errors["CallbackFailed"] == {"Payload": {"ErrorMessage": "no"}, "Truncated": False}
    assert full_errors["CallbackTimedOut"] == {
        "Payload": {"ErrorType": "Callback.Timeout", "ErrorMessage": "Callback timed out"},
        "Truncated": False,
    }
    assert all(error["Truncated"] is False for error in full_errors.values())
    assert slim_errors == {kind: {"Truncated": True} for kind in kinds}


def test_event_ids_are_fixed_when_written_and_never_renumbered(harness: Harness) -> None:
    """#22: a page read early is a prefix of every later read, even when many events
    share one timestamp (the virtual clock stands still within an invocation)."""
    snapshots: list[list[tuple[int, str, str | None]]] = []

    def snapshot(arn: str) -> None:
        snapshots.append(
            [(e["EventId"], e["EventType"], e.get("Id")) for e in harness.history(arn)]
        )

    def first(inv: Invocation) -> Any:
        inv.checkpoint(*[step_start(f"s{i}") for i in range(5)])
        snapshot(inv.arn)
        inv.checkpoint(wait_start("w", 10))
        return PENDING

    def second(inv: Invocation) -> Any:
        snapshot(inv.arn)
        return succeeded()

    arn = harness.run(Script(first, second))
    snapshot(arn)

    for earlier, later in itertools.pairwise(snapshots):
        assert later[: len(earlier)] == earlier
    final = snapshots[-1]
    assert [event_id for event_id, _, _ in final] == list(range(1, len(final) + 1))
    assert [op for _, kind, op in final if kind == "StepStarted"] == [f"s{i}" for i in range(5)]


def test_an_invocation_that_outlives_its_execution_adds_nothing_after_the_end(
    harness: Harness,
) -> None:
    """#23: stopped while a handler runs; the handler's late end is not appended after
    ExecutionStopped, and its late checkpoint is refused."""
    running = threading.Event()
    release = threading.Event()
    late: list[str] = []

    def handler(event: Any, context: Any) -> Any:
        inv = Invocation(harness.service, event)
        running.set()
        release.wait(30)
        late.append(inv.rejected(step_start("late")).message)
        return succeeded()

    service = harness.service
    service.register(LocalFunction("fn", handler))
    arn, _ = service.start_execution("fn")
    worker = threading.Thread(
        target=service.run_until,
        args=(lambda: release.is_set() and not service.execution_record(arn).invocation_active,),
        name="test-drive",
    )
    worker.start()
    assert running.wait(30)
    service.stop_durable_execution(arn)
    release.set()
    worker.join(30)

    types = [e["EventType"] for e in harness.history(arn)]
    assert types == ["ExecutionStarted", "ExecutionStopped"]
    assert late == ["Invalid checkpoint token"]
    assert service.invocation_records(arn)[0].end_ms is not None


@durable_execution
def slow_target(event: Any, context: DurableContext) -> str:
    context.wait(Duration.from_days(1), name="too-long")
    return "never"


@durable_execution
def waiting_target(event: Any, context: DurableContext) -> str:
    return str(context.create_callback(name="hold").result())


@durable_execution
def invokes_and_waits(event: Any, context: DurableContext) -> Any:
    outcomes = {}
    for name, target in (("timed-out", "Slow"), ("stopped", "Waiting")):
        try:
            context.invoke(target, {"n": 1}, name=name, config=InvokeConfig())
        except Exception as error:
            outcomes[name] = type(error).__name__
    context.wait(Duration.from_minutes(5), name="breather")
    late = context.create_callback(
        name="late", config=CallbackConfig(timeout=Duration.from_minutes(1))
    )
    try:
        late.result()
    except Exception as error:
        outcomes["late"] = type(error).__name__
    return outcomes


def test_history_folds_back_into_the_operations_the_service_holds() -> None:
    """#24: what the cloud runner rebuilds from the history (chained invokes that time
    out or are stopped, waits, callbacks) is what the service itself stores."""
    with DurableFunctionTestRunner(
        invokes_and_waits, clock=VirtualClock(start=START), execution_timeout=7 * 86_400
    ) as runner:
        runner.register_durable_function("Slow", slow_target, execution_timeout=3600)
        runner.register_durable_function("Waiting", waiting_target, execution_timeout=86_400)
        arn = runner.run_async()
        runner.run_until(lambda: _child_waiting(runner, arn))
        child = next(
            op.child_execution_id
            for op in runner.service.operation_records(arn)
            if op.name == "stopped"
        )
        assert child is not None
        runner.service.stop_durable_execution(_arn_of(runner, child))
        result = runner.wait_for_result(arn)
        stored = {
            op.operation_id: op
            for op in runner.service.operation_records(arn)
            if op.operation_type is not OperationType.EXECUTION
        }

    rebuilt = {op.operation_id: op for op in operations_from_history(result.history)}
    assert result.value == {
        "timed-out": "CallableRuntimeError",
        "stopped": "CallableRuntimeError",
        "late": "CallbackError",
    }
    statuses = {
        op.name: op.status.value
        for op in rebuilt.values()
        if op.operation_type is not OperationType.EXECUTION
    }
    assert statuses == {
        "timed-out": "TIMED_OUT",
        "stopped": "STOPPED",
        "breather": "SUCCEEDED",
        "late": "TIMED_OUT",
    }
    for operation_id, operation in stored.items():
        again = rebuilt[operation_id]
        assert again.status is operation.status
        assert again.name == operation.name
        assert again.parent_id == operation.parent_id
        if operation.operation_type is OperationType.CHAINED_INVOKE:
            assert again.chained_invoke_details is not None
            assert again.chained_invoke_details.error == operation.error
        if operation.operation_type is OperationType.CALLBACK:
            assert again.callback_details is not None
            assert again.callback_details.error == operation.error
    timed_out = rebuilt[next(i for i, op in stored.items() if op.name == "timed-out")]
    assert timed_out.chained_invoke_details is not None
    assert timed_out.chained_invoke_details.error is not None
    assert timed_out.chained_invoke_details.error.type == "ChainedInvoke.Timeout"


def _arn_of(runner: DurableFunctionTestRunner, execution_id: str) -> str:
    record = runner.service.store.load_execution(execution_id)
    assert record is not None
    return record.arn


def _child_waiting(runner: DurableFunctionTestRunner, arn: str) -> bool:
    for op in runner.service.operation_records(arn):
        if op.name == "stopped" and op.child_execution_id:
            child = runner.service.execution_record(_arn_of(runner, op.child_execution_id))
            return child.invocation_count > 0 and not child.invocation_active
    return False
