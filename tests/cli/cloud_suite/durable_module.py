"""A durable test module meant to pass unchanged in local and in cloud mode.

The command-line tests copy it to a temporary ``test_*.py`` file and run pytest on it
twice: in local mode (in-process runner), and with ``--runner-mode cloud`` against a
``durable-lambda serve`` that hosts ``handler`` (LAMBDA_ENDPOINT set to the server).
"""

from __future__ import annotations

from typing import Any

import pytest

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda_client import InvocationStatus


@durable_execution
def handler(event: Any, context: DurableContext) -> str:
    greeting = context.step(lambda _: f"Hello {event}!", name="greet")
    context.wait(Duration.from_minutes(2), name="pause")
    return context.step(lambda _: greeting.upper(), name="shout")


@pytest.mark.durable_execution(handler=handler, lambda_function_name="hello world")
def test_hello(durable_runner: Any) -> None:
    with durable_runner:
        result = durable_runner.run(input="World", timeout=60)

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"HELLO WORLD!"'
    assert result.get_step("greet").result == '"Hello World!"'
    assert result.get_wait("pause").status.value == "SUCCEEDED"
    assert [op.name for op in result.operations] == ["greet", "pause", "shout"]
