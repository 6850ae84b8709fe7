"""K. The replay-aware logger (L-01..L-06), on both backends."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import Mock

import pytest

from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import Duration

from .conftest import ID1, ID2

Records = list[logging.LogRecord]


def handler_records(caplog: pytest.LogCaptureFixture) -> Records:
    """Records logged through ``context.logger`` and step loggers (root logger)."""
    return [r for r in caplog.records if r.name == "root"]


def test_l01_context_logger_enrichment(scenario: Any, caplog: pytest.LogCaptureFixture) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.info("Starting workflow", extra={"event_id": "e1"})

    with caplog.at_level(logging.INFO):
        result = scenario(handler).run()
    (record,) = handler_records(caplog)
    assert record.getMessage() == "Starting workflow"
    assert record.__dict__["executionArn"] == result.execution_arn
    assert record.__dict__["event_id"] == "e1"
    for absent in ("parentId", "operationName", "attempt", "operationId"):
        assert absent not in record.__dict__
    # The record points at the handler's line, not at the SDK's logger.
    assert record.pathname == __file__


def test_l02_step_logger(scenario: Any, caplog: pytest.LogCaptureFixture) -> None:
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
        result = scenario(handler).run()
    records = handler_records(caplog)
    assert [r.__dict__["attempt"] for r in records] == [1, 2]
    fields = ("executionArn", "operationName", "attempt", "operationId")
    assert {key: records[0].__dict__[key] for key in fields} == {
        "executionArn": result.execution_arn,
        "operationName": "s1",
        "attempt": 1,
        "operationId": ID1,
    }


def test_l03_replay_deduplication(scenario: Any, caplog: pytest.LogCaptureFixture) -> None:
    logged_before: list[int] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        logged_before.append(len(handler_records(caplog)))
        context.logger.info("start")
        context.step(lambda _: 1, name="s1")
        context.logger.info("after s1")
        context.wait(Duration(1))
        context.logger.info("after wait")

    with caplog.at_level(logging.INFO):
        scenario(handler).run()
    assert [r.getMessage() for r in handler_records(caplog)] == ["start", "after s1", "after wait"]
    # The second invocation logs only what follows the wait.
    assert logged_before == [0, 2]


def test_l04_child_context_logger_and_logs_after_a_replayed_child(
    scenario: Any, caplog: pytest.LogCaptureFixture
) -> None:
    logged_before: list[int] = []

    def kid(ctx: DurableContext) -> int:
        ctx.logger.info("in child")
        return ctx.step(lambda _: 2, name="inner")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        logged_before.append(len(handler_records(caplog)))
        context.logger.info("start")
        context.step(lambda sc: sc.logger.info("in step"), name="s1")
        context.run_in_child_context(kid, name="kid")
        context.logger.info("after child")
        context.wait(Duration.from_seconds(1))
        context.logger.info("after wait")

    with caplog.at_level(logging.INFO):
        scenario(handler).run()
    records = handler_records(caplog)
    assert [r.getMessage() for r in records] == [
        "start",
        "in step",
        "in child",
        "after child",
        "after wait",
    ]
    child = records[2]
    assert child.__dict__["parentId"] == ID2
    assert "operationName" not in child.__dict__
    # The second invocation logs only what follows the wait.
    assert logged_before == [0, 4]


def test_l05_custom_logger(scenario: Any) -> None:
    custom = Mock(spec=["debug", "info", "warning", "error", "exception"])
    seen: list[Any] = []

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.set_logger(custom)
        context.logger.info("x", extra={"k": 1})
        seen.append(context.logger.get_logger())
        context.step(lambda sc: sc.logger.info("in step"), name="s")
        context.run_in_child_context(lambda c: c.logger.info("in child"), name="c")

    result = scenario(handler).run()
    assert seen == [custom]
    first = custom.info.call_args_list[0]
    assert (first.args, first.kwargs) == (
        ("x",),
        {"extra": {"executionArn": result.execution_arn, "k": 1}},
    )
    assert [c.args[0] for c in custom.info.call_args_list] == ["x", "in step", "in child"]
    assert custom.info.call_args_list[1].kwargs["extra"]["operationName"] == "s"
    assert custom.info.call_args_list[2].kwargs["extra"]["parentId"] == operation_id_of(2)


def operation_id_of(position: int) -> str:
    from durable_lambda_context._operation_ids import operation_id

    return operation_id(None, position)


def test_l06_reserved_log_record_names(scenario: Any, caplog: pytest.LogCaptureFixture) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda sc: sc.logger.info("named") or "ok", name="named-step")

    with caplog.at_level(logging.INFO):
        assert scenario(handler).run().value == "ok"
    (record,) = handler_records(caplog)
    assert record.__dict__["operationName"] == "named-step"
    assert record.name == "root"
