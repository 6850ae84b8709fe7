"""Wait strategies of wait_for_condition: decisions, backoff, exhaustion."""

from __future__ import annotations

from typing import Any

import pytest

from durable_lambda_client import WaitForConditionError
from durable_lambda_context import (
    Duration,
    JitterStrategy,
    WaitDecision,
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)


def test_decisions() -> None:
    assert WaitForConditionDecision.continue_waiting(Duration(2)).delay_seconds == 2
    assert WaitForConditionDecision.stop_polling() == WaitForConditionDecision(False, Duration())
    assert WaitDecision.wait(Duration(4)) == WaitDecision(True, Duration(4))
    assert WaitDecision.no_wait().should_wait is False


def test_config_defaults() -> None:
    config: WaitStrategyConfig[Any] = WaitStrategyConfig(lambda state: True)
    assert config.max_attempts == 60
    assert config.initial_delay_seconds == 5
    assert config.max_delay_seconds == 300
    assert config.backoff_rate == 1.5
    assert config.jitter_strategy is JitterStrategy.FULL
    assert config.timeout_seconds is None
    assert WaitStrategyConfig(lambda s: True, timeout=Duration(9)).timeout_seconds == 9


def test_backoff_then_exhaustion() -> None:
    strategy = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda s: s["status"] != "done",
            max_attempts=3,
            initial_delay=Duration.from_seconds(5),
            backoff_rate=1.5,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    pending = {"status": "pending"}
    assert strategy(pending, 1) == WaitForConditionDecision.continue_waiting(Duration(5))
    assert strategy(pending, 2) == WaitForConditionDecision.continue_waiting(Duration(8))
    with pytest.raises(
        WaitForConditionError,
        match=r"^wait_for_condition exhausted 3 attempts before the condition was met$",
    ):
        strategy(pending, 3)
    # The condition wins over exhaustion.
    assert strategy({"status": "done"}, 3) == WaitForConditionDecision.stop_polling()


def test_delay_is_capped_and_at_least_one_second() -> None:
    strategy = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda s: True,
            initial_delay=Duration(0),
            max_delay=Duration(10),
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    assert strategy(None, 1).delay_seconds == 1
    capped = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda s: True,
            max_delay=Duration(10),
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    assert capped(None, 20).delay_seconds == 10


def test_wait_for_condition_config_fields() -> None:
    def strategy(state: int, attempt: int) -> WaitForConditionDecision:
        return WaitForConditionDecision.stop_polling()

    config = WaitForConditionConfig(wait_strategy=strategy, initial_state=0)
    assert config.serdes is None
    assert config.initial_state == 0
