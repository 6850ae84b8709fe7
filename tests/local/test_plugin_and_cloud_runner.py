"""The pytest plugin (marker, fixture, --runner-mode) and the cloud runner, the latter
against a boto3-shaped client backed by a local service running in the background."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from durable_lambda import DurableContext, durable_execution
from durable_lambda.config import CallbackConfig, Duration
from durable_lambda_client import ErrorObject, ExecutionStatus, InvocationStatus, InvocationType
from durable_lambda_local import (
    DurableExecutionService,
    DurableFunctionCloudTestRunner,
    DurableFunctionsTestError,
    DurableServiceError,
    LocalFunction,
    SkipClock,
)

PLUGIN_TESTS = textwrap.dedent(
    """
    import pytest
    from durable_lambda import durable_execution
    from durable_lambda_client import InvocationStatus

    @durable_execution
    def handler(event, context):
        return context.step(lambda _: f"Hello {event}!", name="greet")

    @pytest.mark.durable_execution(handler=handler, lambda_function_name="hello world")
    def test_hello(durable_runner):
        with durable_runner:
            result = durable_runner.run(input="World", timeout=10)
        assert durable_runner.mode == "local"
        assert result.status is InvocationStatus.SUCCEEDED
        assert result.value == "Hello World!"

    def test_unmarked(durable_runner):
        pass
    """
)


def run_pytest(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    (tmp_path / "test_plugin_user.py").write_text(PLUGIN_TESTS)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QUALIFIED_FUNCTION_NAME", "LAMBDA_FUNCTION_TEST_NAME", "PYTEST_ADDOPTS")
    }
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return completed.stdout + completed.stderr


def test_local_mode_runs_the_marked_handler(tmp_path: Path) -> None:
    output = run_pytest(tmp_path)
    assert "1 passed" in output
    assert "Test must be marked with @pytest.mark.durable_execution" in output


def test_cloud_mode_needs_its_environment_and_skips_other_functions(tmp_path: Path) -> None:
    output = run_pytest(tmp_path, "--runner-mode", "cloud", "-k", "test_hello")
    assert (
        "Cloud mode requires both QUALIFIED_FUNCTION_NAME and LAMBDA_FUNCTION_TEST_NAME" in output
    )
    output = run_pytest(
        tmp_path,
        "--runner-mode=cloud",
        "-k",
        "test_hello",
        env={
            "QUALIFIED_FUNCTION_NAME": "Other:$LATEST",
            "LAMBDA_FUNCTION_TEST_NAME": "other function",
            "AWS_REGION": "us-east-1",
        },
    )
    assert "1 skipped" in output
    assert "doesn't match LAMBDA_FUNCTION_TEST_NAME" in output


def test_the_option_is_documented(tmp_path: Path) -> None:
    output = run_pytest(tmp_path, "--help")
    assert "--runner-mode={local,cloud}" in output


class ServiceBackedLambdaClient:
    """The boto3 ``lambda`` calls the cloud runner makes, answered by a local service
    the way boto3 would return them (dicts, datetimes, ClientError)."""

    def __init__(self, service: DurableExecutionService) -> None:
        self.service = service

    def _call(self, operation: str, action: Any) -> Any:
        try:
            return action()
        except DurableServiceError as error:
            raise ClientError(error.to_error_response(), operation) from error

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        kind = {"Event": "EVENT", "RequestResponse": "REQUEST_RESPONSE"}[InvocationType]
        out = self._call(
            "Invoke",
            lambda: self.service.invoke(
                FunctionName, Payload, invocation_type=getattr(InvocationTypeEnum, kind), timeout=30
            ),
        )
        response: dict[str, Any] = {
            "StatusCode": out.status_code,
            "Payload": io.BytesIO(out.payload),
            "DurableExecutionArn": out.durable_execution_arn,
        }
        if out.function_error:
            response["FunctionError"] = out.function_error
        return response

    def get_durable_execution(self, DurableExecutionArn: str) -> dict[str, Any]:
        return dict(
            self._call(
                "GetDurableExecution",
                lambda: self.service.get_durable_execution(DurableExecutionArn).to_dict(),
            )
        )

    def get_durable_execution_history(self, **request: Any) -> dict[str, Any]:
        return dict(
            self._call(
                "GetDurableExecutionHistory",
                lambda: self.service.get_durable_execution_history(
                    request["DurableExecutionArn"],
                    request.get("IncludeExecutionData", True),
                    request.get("MaxItems"),
                    request.get("Marker"),
                ).to_dict(),
            )
        )

    def send_durable_execution_callback_success(
        self, CallbackId: str, Result: bytes | None = None
    ) -> dict[str, Any]:
        self._call(
            "SendDurableExecutionCallbackSuccess",
            lambda: self.service.send_durable_execution_callback_success(CallbackId, Result),
        )
        return {}

    def send_durable_execution_callback_failure(
        self, CallbackId: str, Error: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        error = None if Error is None else ErrorObject.from_dict(Error)
        self._call(
            "SendDurableExecutionCallbackFailure",
            lambda: self.service.send_durable_execution_callback_failure(CallbackId, error),
        )
        return {}

    def send_durable_execution_callback_heartbeat(self, CallbackId: str) -> dict[str, Any]:
        self._call(
            "SendDurableExecutionCallbackHeartbeat",
            lambda: self.service.send_durable_execution_callback_heartbeat(CallbackId),
        )
        return {}

    def pause_durable_execution(self, DurableExecutionArn: str) -> dict[str, Any]:
        self._call(
            "PauseDurableExecution",
            lambda: self.service.pause_durable_execution(DurableExecutionArn),
        )
        return {}

    def resume_durable_execution(self, DurableExecutionArn: str) -> dict[str, Any]:
        self._call(
            "ResumeDurableExecution",
            lambda: self.service.resume_durable_execution(DurableExecutionArn),
        )
        return {}


InvocationTypeEnum = InvocationType


@durable_execution
def greeter(event: Any, context: DurableContext) -> Any:
    context.wait(Duration.from_hours(2), name="pause")
    callback = context.create_callback(
        name="approval", config=CallbackConfig(timeout=Duration.from_days(1))
    )
    return {"hello": event, "decision": callback.result()}


@pytest.fixture
def background_service() -> Any:
    # The tests answer every callback: skipping to its timeout after the default 5 quiet
    # seconds would race a slow machine.
    service = DurableExecutionService(clock=SkipClock(answer_window=None), seed=5)
    service.register(LocalFunction("Greeter", greeter, execution_timeout=86_400 * 3))
    yield service
    service.close()


def test_cloud_runner_follows_an_execution_to_its_end(background_service: Any) -> None:
    runner = DurableFunctionCloudTestRunner(
        "Greeter:$LATEST",
        region="us-east-1",
        poll_interval=0.01,
        client=ServiceBackedLambdaClient(background_service),
    )
    with runner:
        arn = runner.run_async(input={"name": "Ada"})
        callback_id = runner.wait_for_callback(arn, name="approval", timeout=30)
        runner.send_callback_heartbeat(callback_id)
        runner.send_callback_success(name="approval", result="approved")
        result = runner.wait_for_result(arn, timeout=30)
    assert result.status is InvocationStatus.SUCCEEDED
    assert result.value == {"hello": {"name": "Ada"}, "decision": "approved"}
    assert result.get_wait("pause").status.value == "SUCCEEDED"
    assert result.get_callback("approval").callback_id == callback_id
    assert result.invocation_count == 3
    runner.assert_history(
        [{"EventId": 2, "EventType": "WaitStarted", "WaitStartedDetails": {"Duration": 7200}}]
    )


def test_cloud_runner_run_and_failures(background_service: Any) -> None:
    client = ServiceBackedLambdaClient(background_service)
    runner = DurableFunctionCloudTestRunner("Greeter", poll_interval=0.01, client=client)
    arn = runner.run_async(input="x")
    runner.send_callback_failure(
        name="approval", error={"ErrorMessage": "no", "ErrorType": "Rejected"}
    )
    result = runner.wait_for_result(arn, timeout=30)
    assert result.status is InvocationStatus.FAILED
    assert result.execution_status is ExecutionStatus.FAILED
    with pytest.raises(DurableFunctionsTestError, match="cannot register"):
        runner.register_durable_function("Other", greeter)
    missing = DurableFunctionCloudTestRunner("Nobody", poll_interval=0.01, client=client)
    with pytest.raises(DurableFunctionsTestError, match="Failed to invoke Lambda function Nobody"):
        missing.run(input={})
