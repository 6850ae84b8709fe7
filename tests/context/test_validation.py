"""Invalid arguments raise ValidationError naming the field, the value and the rule."""

from __future__ import annotations

import re
from typing import Any

import pytest

from durable_lambda_client import ValidationError
from durable_lambda_context import (
    CallbackConfig,
    CompletionConfig,
    DurableContext,
    Duration,
    InvokeConfig,
    ParallelConfig,
    RetryStrategyConfig,
    StepConfig,
    WaitForCallbackConfig,
    WaitStrategyConfig,
    durable_execution,
)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: RetryStrategyConfig(max_attempts=-1),
            "RetryStrategyConfig.max_attempts must be an int of at least 0, got: -1 (int)",
        ),
        (
            lambda: RetryStrategyConfig(initial_delay=5),
            "RetryStrategyConfig.initial_delay must be a Duration, got: 5 (int); "
            "use Duration.from_seconds(5)",
        ),
        (
            lambda: RetryStrategyConfig(backoff_rate=0),
            "RetryStrategyConfig.backoff_rate must be a number greater than 0, got: 0 (int)",
        ),
        (
            lambda: WaitStrategyConfig(should_continue_polling=None),
            "WaitStrategyConfig.should_continue_polling must be callable, got: None (NoneType)",
        ),
        (
            lambda: WaitStrategyConfig(lambda s: True, max_delay=1.5),
            "WaitStrategyConfig.max_delay must be a Duration, got: 1.5 (float); "
            "use Duration.from_seconds(1.5)",
        ),
        (
            lambda: CallbackConfig(timeout=60),
            "CallbackConfig.timeout must be a Duration, got: 60 (int); "
            "use Duration.from_seconds(60)",
        ),
        (
            lambda: WaitForCallbackConfig(heartbeat_timeout="30s"),
            "WaitForCallbackConfig.heartbeat_timeout must be a Duration, got: '30s' (str)",
        ),
        (
            lambda: WaitForCallbackConfig(retry_strategy=3),
            "WaitForCallbackConfig.retry_strategy must be callable, got: 3 (int)",
        ),
        (
            lambda: StepConfig(retry_strategy="none"),
            "StepConfig.retry_strategy must be callable, got: 'none' (str)",
        ),
        (
            lambda: InvokeConfig(tenant_id=7),
            "InvokeConfig.tenant_id must be a str or None, got: 7 (int)",
        ),
        (
            lambda: StepConfig(step_semantics="AT_MOST_ONCE_PER_RETRY"),
            "StepConfig.step_semantics must be a StepSemantics member "
            "(AT_MOST_ONCE_PER_RETRY or AT_LEAST_ONCE_PER_RETRY), got: 'AT_MOST_ONCE_PER_RETRY'",
        ),
        (
            lambda: CompletionConfig(tolerated_failure_count=-1),
            "tolerated_failure_count must be non-negative, got: -1",
        ),
        (
            lambda: CompletionConfig(tolerated_failure_percentage=101),
            "tolerated_failure_percentage must be between 0 and 100, got: 101",
        ),
        (lambda: Duration(-1), "Duration seconds must be positive"),
    ],
)
def test_config_validation(build: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}$"):
        build()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.step("not callable"), "func must be callable, got: 'not callable' (str)"),
        (lambda c: c.step(lambda _: 1, name=3), "name must be a str or None, got: 3 (int)"),
        (
            lambda c: c.wait(5),
            "duration must be a Duration, got: 5 (int); use Duration.from_seconds(5)",
        ),
        (lambda c: c.invoke("", None), "function_name must be a non-empty str, got: '' (str)"),
        (lambda c: c.run_in_child_context(None), "func must be callable, got: None (NoneType)"),
        (lambda c: c.map([1], 42), "func must be callable, got: 42 (int)"),
        (
            lambda c: c.parallel([lambda ctx: 1, "x"]),
            "functions[1] must be callable, got: 'x' (str)",
        ),
        (
            lambda c: c.parallel([lambda ctx: 1], config=ParallelConfig(max_concurrency=0)),
            "max_concurrency must be at least 1, got: 0",
        ),
        (lambda c: c.wait_for_callback(None), "submitter must be callable, got: None (NoneType)"),
    ],
)
def test_operation_arguments_are_checked_before_an_id_is_used(
    service: Any, call: Any, message: str
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        try:
            call(context)
        except ValidationError as error:
            return {"message": str(error), "next": context.step(lambda _: "ok", name="next")}
        return "unexpected"

    output = service.result_of(service.invoke(handler))
    assert output == {"message": message, "next": "ok"}
    from durable_lambda_context._operation_ids import operation_id

    assert service.updates[0].operation_id == operation_id(None, 1)


def test_invalid_argument_uncaught_fails_the_execution(service: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> Any:
        context.parallel([], config=ParallelConfig(max_concurrency=0))

    assert service.invoke(handler) == {
        "Status": "FAILED",
        "Error": {
            "ErrorMessage": "max_concurrency must be at least 1, got: 0",
            "ErrorType": "ValidationError",
        },
    }
    assert service.updates == []
