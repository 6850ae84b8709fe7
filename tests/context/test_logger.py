"""The replay-aware logger: its extras and what the scenarios (tests/durable_lambda/
scenarios/test_logger.py) do not cover: logs after a replayed failure, lazy arguments."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import Mock

import pytest

from durable_lambda_context import DurableContext, Duration, durable_execution


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "root"]


def test_step_logger_extras_order() -> None:
    from durable_lambda_context import Logger, LogInfo

    state = Mock(durable_execution_arn="arn:x")
    state.is_replaying.return_value = False
    target = Mock()
    logger = Logger.from_log_info(target, LogInfo(state, "p", "op", "s1", 0))
    logger.info("x", extra={"k": 1})
    extra = target.info.call_args.kwargs["extra"]
    assert list(extra) == [
        "executionArn",
        "parentId",
        "operationName",
        "attempt",
        "operationId",
        "k",
    ]
    assert extra["attempt"] == 1
    state.is_replaying.return_value = True
    logger.warning("dropped")
    target.warning.assert_not_called()


def test_logs_after_a_replayed_failure_that_was_caught(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from durable_lambda_client import CallableRuntimeError
    from durable_lambda_context import RetryPresets, StepConfig

    def fail(_: Any) -> None:
        raise ValueError("no")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        try:
            context.step(fail, name="f", config=StepConfig(retry_strategy=RetryPresets.none()))
        except CallableRuntimeError:
            context.logger.info("caught")
        context.wait(Duration.from_seconds(1))
        context.logger.info("after wait")

    with caplog.at_level(logging.INFO):
        service.invoke(handler)
        assert messages(caplog) == ["caught"]
        caplog.clear()
        service.advance()
        service.invoke(handler)
        assert messages(caplog) == ["after wait"]


def test_lazy_formatting_arguments_pass_through(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.warning("value %s of %d", "a", 3)

    with caplog.at_level(logging.INFO):
        service.invoke(handler)
    assert "value a of 3" in messages(caplog)
