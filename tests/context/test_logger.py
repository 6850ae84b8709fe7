"""The replay-aware logger (scenarios L-01..L-06)."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import Mock

import pytest

from durable_lambda_context import DurableContext, Duration, durable_execution
from durable_lambda_context._operation_ids import operation_id

ID1, ID2, ID3 = (operation_id(None, n) for n in (1, 2, 3))


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "root"]


def record(caplog: pytest.LogCaptureFixture, message: str) -> logging.LogRecord:
    return next(r for r in caplog.records if r.getMessage() == message)


def test_context_logger_adds_the_execution_arn(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.info("Starting workflow", extra={"event_id": "e1"})

    with caplog.at_level(logging.INFO):
        service.invoke(handler)
    found = record(caplog, "Starting workflow")
    assert found.__dict__["executionArn"].endswith(service.execution.operation_id)
    assert found.__dict__["event_id"] == "e1"
    assert "parentId" not in found.__dict__
    assert found.pathname == __file__


def test_step_logger_fields_and_attempts(service: Any, caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []

    def flaky(step_context: Any) -> str:
        step_context.logger.info("in step")
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("again")
        return "ok"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(flaky, name="s1")

    with caplog.at_level(logging.INFO):
        service.run(handler)
    records = [r for r in caplog.records if r.getMessage() == "in step"]
    assert [r.__dict__["attempt"] for r in records] == [1, 2]
    assert records[0].__dict__["operationName"] == "s1"
    assert records[0].__dict__["operationId"] == ID1


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


def test_replay_deduplication(service: Any, caplog: pytest.LogCaptureFixture) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.info("start")
        context.step(lambda _: 1, name="s1")
        context.logger.info("after s1")
        context.wait(Duration.from_seconds(1))
        context.logger.info("after wait")

    with caplog.at_level(logging.INFO):
        service.invoke(handler)
        assert messages(caplog) == ["start", "after s1"]
        caplog.clear()
        service.advance()
        service.invoke(handler)
        assert messages(caplog) == ["after wait"]


def test_logs_after_a_replayed_child_context(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def kid(ctx: DurableContext) -> int:
        ctx.logger.info("in child")
        return ctx.step(lambda _: 2, name="inner")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.info("start")
        context.step(lambda sc: sc.logger.info("in step"), name="s1")
        context.run_in_child_context(kid, name="kid")
        context.logger.info("after child")
        context.wait(Duration.from_seconds(1))
        context.logger.info("after wait")

    with caplog.at_level(logging.INFO):
        service.invoke(handler)
        assert messages(caplog) == ["start", "in step", "in child", "after child"]
        child_record = record(caplog, "in child")
        assert child_record.__dict__["parentId"] == ID2
        assert "operationName" not in child_record.__dict__
        caplog.clear()
        service.advance()
        service.invoke(handler)
        assert messages(caplog) == ["after wait"]


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


def test_custom_logger(service: Any) -> None:
    custom = Mock(spec=["debug", "info", "warning", "error", "exception"])
    seen: list[Any] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.set_logger(custom)
        context.logger.info("x", extra={"k": 1})
        seen.append(context.logger.get_logger())
        context.step(lambda sc: sc.logger.info("in step"), name="s")
        context.run_in_child_context(lambda c: c.logger.info("in child"), name="c")

    service.invoke(handler)
    assert seen == [custom]
    first = custom.info.call_args_list[0]
    assert first.args == ("x",)
    assert first.kwargs == {
        "extra": {"executionArn": service.event().durable_execution_arn, "k": 1}
    }
    assert [c.args[0] for c in custom.info.call_args_list] == ["x", "in step", "in child"]
    assert custom.info.call_args_list[1].kwargs["extra"]["operationName"] == "s"


def test_reserved_log_record_names_are_not_used(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda sc: sc.logger.info("named") or "ok", name="named-step")

    with caplog.at_level(logging.INFO):
        assert service.result_of(service.invoke(handler)) == "ok"
    assert record(caplog, "named").__dict__["operationName"] == "named-step"


def test_lazy_formatting_arguments_pass_through(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.warning("value %s of %d", "a", 3)

    with caplog.at_level(logging.INFO):
        service.invoke(handler)
    assert "value a of 3" in messages(caplog)
