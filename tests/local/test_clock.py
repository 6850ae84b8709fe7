"""The clocks: wall time, skipping and virtual time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from durable_lambda_local._clock import (
    RealClock,
    SkipClock,
    VirtualClock,
    datetime_to_ms,
    ms_to_datetime,
)

START = datetime(2025, 1, 1, tzinfo=UTC)


class RecordingDriver:
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.targets: list[int] = []
        self.idle_runs = 0

    def advance_to(self, target_ms: int) -> None:
        self.targets.append(target_ms)
        self.clock.move_to(target_ms)

    def run_until_idle(self) -> None:
        self.idle_runs += 1


def test_conversions_round_trip_milliseconds() -> None:
    ms = datetime_to_ms(datetime(2025, 1, 1, 0, 0, 1, 250_000, tzinfo=UTC))
    assert ms == 1_735_689_601_250
    assert ms_to_datetime(ms) == datetime(2025, 1, 1, 0, 0, 1, 250_000, tzinfo=UTC)


def test_naive_datetime_is_taken_as_utc() -> None:
    assert datetime_to_ms(datetime(2025, 1, 1)) == datetime_to_ms(START)


def test_virtual_clock_stands_still_until_advanced() -> None:
    clock = VirtualClock(start=START)
    assert clock.now() == START
    assert clock.is_virtual
    clock.advance(timedelta(days=3))
    assert clock.now() == START + timedelta(days=3)
    clock.advance(1.5)
    assert clock.now_ms() == datetime_to_ms(START) + 3 * 86_400_000 + 1_500


def test_virtual_clock_default_start_is_whole_seconds_of_wall_time() -> None:
    clock = VirtualClock()
    assert clock.now_ms() % 1000 == 0
    assert abs(clock.now_ms() - RealClock().now_ms()) < 5_000


def test_virtual_clock_refuses_to_go_back() -> None:
    clock = VirtualClock(start=START)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.move_to(datetime_to_ms(START) - 1)
    with pytest.raises(ValueError, match="cannot move virtual time back"):
        clock.advance_to(START - timedelta(seconds=1))
    with pytest.raises(ValueError, match="zero or positive"):
        clock.advance(-1)


def test_virtual_clock_moves_through_its_driver() -> None:
    clock = VirtualClock(start=START)
    driver = RecordingDriver(clock)
    clock.attach(driver)
    clock.advance(60)
    clock.advance_to(START + timedelta(hours=1))
    clock.run_until_idle()
    start_ms = datetime_to_ms(START)
    assert driver.targets == [start_ms + 60_000, start_ms + 3_600_000]
    assert driver.idle_runs == 1


def test_virtual_clock_drives_one_service_only() -> None:
    clock = VirtualClock(start=START)
    clock.attach(RecordingDriver(clock))
    with pytest.raises(RuntimeError, match="already drives another service"):
        clock.attach(RecordingDriver(clock))


def test_detached_virtual_clock_just_moves() -> None:
    clock = VirtualClock(start=START)
    driver = RecordingDriver(clock)
    clock.attach(driver)
    clock.detach(driver)
    clock.advance(10)
    assert driver.targets == []
    assert clock.now() == START + timedelta(seconds=10)


def test_skip_clock_jumps_forward_only() -> None:
    clock = SkipClock()
    assert clock.skips_when_idle
    before = clock.now_ms()
    clock.skip_to(before + 3_600_000)
    assert clock.now_ms() >= before + 3_600_000
    assert clock.skipped_ms >= 3_599_000
    skipped = clock.skipped_ms
    clock.skip_to(before)
    assert clock.skipped_ms == skipped


def test_real_clock_cannot_skip() -> None:
    clock = RealClock()
    assert not clock.is_virtual
    with pytest.raises(TypeError, match="cannot jump in time"):
        clock.skip_to(clock.now_ms() + 1000)


def test_time_cannot_move_from_inside_a_handler() -> None:
    from typing import Any

    from durable_lambda_local._control_plane import DurableExecutionService
    from durable_lambda_local._functions import LocalFunction

    clock = VirtualClock(start=START)
    service = DurableExecutionService(clock=clock, seed=1)
    errors: list[str] = []

    def handler(event: Any, context: Any) -> Any:
        try:
            clock.advance(10)
        except RuntimeError as error:
            errors.append(str(error))
        return {"Status": "SUCCEEDED", "Result": "1"}

    service.register(LocalFunction("fn", handler))
    service.invoke("fn")
    assert errors == [
        "cannot move virtual time from inside a handler: the service waits for the handler "
        "to return before time can move"
    ]
    service.close()
