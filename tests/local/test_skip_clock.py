"""Time skipping: a SkipClock reaches every kind of timer when the service is idle,
except what an open callback's answer (or a resume) could still pre-empt; a
VirtualClock's run_until_idle never passes a timer it does not fire."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda.config import CallbackConfig
from durable_lambda_client import ExecutionStatus
from durable_lambda_local import (
    DurableExecutionService,
    DurableFunctionTestRunner,
    LocalFunction,
    SkipClock,
    VirtualClock,
)
from durable_lambda_local._scheduler import Scheduler, SchedulerMode
from durable_lambda_local._timers import TimerHold, TimerKey, TimerKind

from .conftest import START

DAY = 86_400
REAL_SECONDS = 30
"""Real time allowed for an execution that skipping must finish at once (a regression
would wait for a day instead)."""


@durable_execution
def waits_two_days(event: Any, context: DurableContext) -> str:
    context.wait(Duration.from_days(2), name="long")
    return "woke"


@durable_execution
def waits_a_day(event: Any, context: DurableContext) -> str:
    context.wait(Duration.from_days(1), name="day")
    return "woke"


@durable_execution
def asks(event: Any, context: DurableContext) -> Any:
    config = CallbackConfig(
        timeout=Duration.from_seconds(event.get("timeout", 0)),
        heartbeat_timeout=Duration.from_seconds(event.get("heartbeat", 0)),
    )
    callback = context.create_callback(name="ask", config=config)
    try:
        return {"answer": callback.result()}
    except Exception as error:
        return {"error": type(error).__name__, "message": str(error)}


@contextlib.contextmanager
def _service(
    clock: SkipClock, *functions: tuple[str, Any, int]
) -> Iterator[DurableExecutionService]:
    service = DurableExecutionService(clock=clock, seed=3)
    for name, handler, timeout in functions:
        service.register(LocalFunction(name, handler, execution_timeout=timeout))
    try:
        yield service
    finally:
        service.close()


def _events(service: DurableExecutionService, arn: str) -> list[dict[str, Any]]:
    page = service.get_durable_execution_history(arn, max_items=1000)
    return [event.to_dict() for event in page.events]


@pytest.fixture
def skipping() -> Iterator[DurableExecutionService]:
    with _service(
        SkipClock(answer_window=0),
        ("two-days", waits_two_days, DAY),
        ("one-day", waits_a_day, DAY + 1),
        ("asks", asks, 7 * DAY),
    ) as service:
        yield service


def test_a_wait_longer_than_the_execution_timeout_times_out_at_once(
    skipping: DurableExecutionService,
) -> None:
    arn, _ = skipping.start_execution("two-days")
    record = skipping.wait_for_execution(arn, timeout=REAL_SECONDS)

    assert record.status is ExecutionStatus.TIMED_OUT
    events = _events(skipping, arn)
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "WaitStarted",
        "InvocationCompleted",
        "ExecutionTimedOut",
    ]
    lasted = events[-1]["EventTimestamp"] - events[0]["EventTimestamp"]
    assert timedelta(days=1) <= lasted < timedelta(days=1, seconds=REAL_SECONDS)


def test_a_day_long_wait_under_a_day_long_timeout_completes_at_once(
    skipping: DurableExecutionService,
) -> None:
    arn, _ = skipping.start_execution("one-day")
    record = skipping.wait_for_execution(arn, timeout=REAL_SECONDS)

    assert record.status is ExecutionStatus.SUCCEEDED
    assert record.result == '"woke"'


@pytest.mark.parametrize(
    ("options", "error_type"),
    [({"timeout": 3600}, "Callback.Timeout"), ({"heartbeat": 600}, "Callback.Heartbeat")],
)
def test_an_unanswered_callback_timeout_is_skipped_to_once_nothing_else_can_happen(
    skipping: DurableExecutionService, options: dict[str, int], error_type: str
) -> None:
    arn, _ = skipping.start_execution("asks", json.dumps(options))
    record = skipping.wait_for_execution(arn, timeout=REAL_SECONDS)

    assert record.status is ExecutionStatus.SUCCEEDED
    events = _events(skipping, arn)
    timed_out = next(e for e in events if e["EventType"] == "CallbackTimedOut")
    assert timed_out["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == error_type
    started = next(e for e in events if e["EventType"] == "CallbackStarted")
    waited = timed_out["EventTimestamp"] - started["EventTimestamp"]
    seconds = options.get("timeout") or options["heartbeat"]
    assert timedelta(seconds=seconds) <= waited < timedelta(seconds=seconds + REAL_SECONDS)


def _answer_when_open(service: DurableExecutionService, arn: str) -> None:
    def callback_open() -> bool:
        ops = service.operation_records(arn)
        return (
            any(op.callback_id for op in ops)
            and not service.execution_record(arn).invocation_active
        )

    service.run_until(callback_open, timeout=REAL_SECONDS)
    callback = next(op for op in service.operation_records(arn) if op.callback_id)
    assert callback.callback_id is not None
    service.send_durable_execution_callback_success(callback.callback_id, b'"yes"')


def test_a_callback_without_timeout_waits_for_its_answer(
    skipping: DurableExecutionService,
) -> None:
    """The execution timeout (7 days) is never skipped to while the callback is open."""
    arn, _ = skipping.start_execution("asks", "{}")
    _answer_when_open(skipping, arn)
    record = skipping.wait_for_execution(arn, timeout=REAL_SECONDS)

    assert record.status is ExecutionStatus.SUCCEEDED
    assert json.loads(record.result or "") == {"answer": '"yes"'}
    clock = skipping.clock
    assert isinstance(clock, SkipClock)
    assert clock.skipped_ms == 0


def test_with_no_answer_window_a_callback_timeout_waits_for_the_answer() -> None:
    """What ``durable-lambda run`` does: someone at a terminal answers the callback."""
    with _service(SkipClock(answer_window=None), ("asks", asks, 7 * DAY)) as service:
        arn, _ = service.start_execution("asks", '{"timeout": 3600}')
        _answer_when_open(service, arn)
        record = service.wait_for_execution(arn, timeout=REAL_SECONDS)

        assert json.loads(record.result or "") == {"answer": '"yes"'}
        assert "CallbackTimedOut" not in [e["EventType"] for e in _events(service, arn)]
        clock = service.clock
        assert isinstance(clock, SkipClock)
        assert clock.skipped_ms == 0


def test_a_paused_execution_or_one_waiting_on_a_callback_holds_its_timeout() -> None:
    @durable_execution
    def nested(event: Any, context: DurableContext) -> Any:
        return context.invoke("asks", {"timeout": event["timeout"]}, name="child")

    service = DurableExecutionService(clock=VirtualClock(start=START), seed=4)
    service.register(LocalFunction("asks", asks, execution_timeout=DAY))
    service.register(LocalFunction("nested", nested, execution_timeout=DAY))
    try:
        holds = {}
        for name, payload in (
            ("asks", '{"timeout": 60}'),
            ("asks", '{"timeout": 0}'),
            ("nested", '{"timeout": 0}'),
            ("nested", '{"timeout": 60}'),
        ):
            arn, _ = service.start_execution(name, payload)
            service.run_until(lambda arn=arn: _idle_with_callback(service, arn))
            key = TimerKey(arn.rsplit("/", 1)[-1], TimerKind.EXECUTION_TIMEOUT)
            holds[(name, payload)] = service._timer_hold(key)
            if name == "asks" and payload == '{"timeout": 60}':
                service.pause_durable_execution(arn, execution_timeout_paused=False)
                holds["paused"] = service._timer_hold(key)
    finally:
        service.close()

    assert holds == {
        ("asks", '{"timeout": 60}'): TimerHold.ANSWER,
        ("asks", '{"timeout": 0}'): TimerHold.FOREVER,
        ("nested", '{"timeout": 0}'): TimerHold.FOREVER,
        ("nested", '{"timeout": 60}'): TimerHold.ANSWER,
        "paused": TimerHold.FOREVER,
    }


def _idle_with_callback(service: DurableExecutionService, arn: str) -> bool:
    records = [service.execution_record(arn)]
    pending = [arn]
    while pending:
        for op in service.operation_records(pending.pop()):
            if op.callback_id:
                return all(not r.invocation_active for r in records)
            if op.child_execution_id:
                child = next(
                    r
                    for r in service.store.load_unfinished_executions()
                    if r.execution_id == op.child_execution_id
                )
                records.append(child)
                pending.append(child.arn)
    return False


class _Timers:
    """A scheduler on a SkipClock with timers armed by hand and holds chosen per key."""

    def __init__(self, holds: dict[TimerKey, TimerHold], answer_window: float | None) -> None:
        self.clock = SkipClock(answer_window=answer_window)
        self.fired: list[TimerKey] = []
        self.scheduler = Scheduler(
            self.clock,
            SchedulerMode.BACKGROUND,
            lambda key, due: self.fired.append(key),
            lambda key: holds.get(key, TimerHold.NONE),
        )
        self.start = self.clock.now_ms()

    def arm(self, key: TimerKey, seconds: int) -> None:
        self.scheduler.arm(key, self.start + seconds * 1000)

    def next_wait(self) -> float | None:
        return self.scheduler._next_wait(idle=True)

    def skipped_to(self) -> int:
        """Seconds skipped (rounded down), i.e. where the clock jumped to."""
        return self.clock.skipped_ms // 1000


WAIT = TimerKey("e1", TimerKind.WAIT_END, "w")
TIMEOUT = TimerKey("e1", TimerKind.EXECUTION_TIMEOUT)
CALLBACK = TimerKey("e2", TimerKind.CALLBACK_TIMEOUT, "c")
RETENTION = TimerKey("e3", TimerKind.RETENTION)


def test_idle_skipping_jumps_to_the_earliest_timer_of_any_kind() -> None:
    timers = _Timers({}, answer_window=None)
    timers.arm(WAIT, 2 * DAY)
    timers.arm(TIMEOUT, DAY)
    assert timers.next_wait() == 0
    assert DAY - 1 <= timers.skipped_to() <= DAY


def test_skipping_never_targets_retention_but_passes_it() -> None:
    timers = _Timers({}, answer_window=None)
    timers.arm(RETENTION, 14 * DAY)
    delay = timers.next_wait()
    assert delay is not None
    assert delay > 13 * DAY
    assert timers.skipped_to() == 0
    timers.arm(WAIT, 30 * DAY)
    assert timers.next_wait() == 0
    assert timers.skipped_to() >= 30 * DAY - 1


def test_held_timers_wait_for_the_answer_window_or_forever() -> None:
    forever = _Timers({TIMEOUT: TimerHold.FOREVER}, answer_window=0)
    forever.arm(TIMEOUT, DAY)
    forever.arm(WAIT, 2 * DAY)
    delay = forever.next_wait()
    assert delay is not None
    assert delay > DAY - 60
    assert forever.skipped_to() == 0

    answer = _Timers({CALLBACK: TimerHold.ANSWER}, answer_window=3600)
    answer.arm(CALLBACK, DAY)
    delay = answer.next_wait()
    assert delay is not None
    assert 3500 < delay <= 3600
    assert answer.skipped_to() == 0

    answered_at_once = _Timers({CALLBACK: TimerHold.ANSWER}, answer_window=0)
    answered_at_once.arm(CALLBACK, DAY)
    assert answered_at_once.next_wait() == 0
    assert answered_at_once.skipped_to() >= DAY - 1


def test_run_until_idle_stops_before_an_execution_timeout() -> None:
    """A virtual clock never moves past a timer it does not fire: the wait beyond the
    execution timeout is not completed before the timeout."""
    with DurableFunctionTestRunner(
        waits_two_days, clock=VirtualClock(start=START), execution_timeout=DAY
    ) as runner:
        arn = runner.run_async()
        runner.run_until_idle()
        assert runner.clock.now() == START
        assert runner.service.execution_record(arn).status is ExecutionStatus.RUNNING
        result = runner.wait_for_result(arn)

    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert [e.event_type.value for e in result.history][-2:] == [
        "InvocationCompleted",
        "ExecutionTimedOut",
    ]
    assert result.history[-1].event_timestamp == START + timedelta(days=1)
