"""The test runner for deployed functions: same interface as the local runner, over the
Lambda API (AWS, or any endpoint that speaks it, such as this package's HTTP server).

It invokes the function by its qualified name, then follows the execution through
``GetDurableExecution`` and ``GetDurableExecutionHistory`` until it ends, and builds the
same result objects as the local runner from the history.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from durable_lambda_client import (
    ErrorObject,
    Event,
    EventType,
    ExecutionStatus,
    GetDurableExecutionHistoryOutput,
    GetDurableExecutionOutput,
)
from durable_lambda_local._errors import DurableFunctionsTestError
from durable_lambda_local._history_assertions import assert_history
from durable_lambda_local._results import DurableFunctionTestResult, operations_from_history
from durable_lambda_local._test_runner import normalize_input

__all__ = ["DurableFunctionCloudTestRunner"]

_TERMINAL = {
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.FAILED,
    ExecutionStatus.TIMED_OUT,
    ExecutionStatus.STOPPED,
}
_CALLBACK_DONE = {
    EventType.CALLBACK_SUCCEEDED,
    EventType.CALLBACK_FAILED,
    EventType.CALLBACK_TIMED_OUT,
}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _lambda_client(region: str, endpoint: str | None) -> Any:
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {
        "region_name": region,
        "endpoint_url": endpoint,
        "config": Config(parameter_validation=False, retries={"max_attempts": 3}),
    }
    host = urlparse(endpoint).hostname if endpoint else None
    if host in _LOCAL_HOSTS and boto3.Session().get_credentials() is None:
        # A local server does not check signatures, but botocore refuses to send
        # unsigned requests; sign with placeholders instead.
        options["aws_access_key_id"] = "local"
        options["aws_secret_access_key"] = "local"
    return boto3.client("lambda", **options)


class DurableFunctionCloudTestRunner:
    """Run tests against a deployed durable function.

    Args:
        function_name: the function's qualified name or ARN (e.g. ``MyFunction:$LATEST``).
        region: the region to call.
        lambda_endpoint: a custom Lambda endpoint (e.g. a local server).
        poll_interval: seconds between status polls.
        client: a boto3 ``lambda`` client to use instead of creating one.
    """

    mode = "cloud"

    def __init__(
        self,
        function_name: str,
        region: str = "us-west-2",
        lambda_endpoint: str | None = None,
        poll_interval: float = 1.0,
        *,
        client: Any = None,
    ) -> None:
        self.function_name = function_name
        self.region = region
        self.lambda_endpoint = lambda_endpoint
        self.poll_interval = poll_interval
        self.lambda_client = (
            client if client is not None else _lambda_client(region, lambda_endpoint)
        )
        self._last_arn: str | None = None
        self._pause = threading.Event()

    def __enter__(self) -> DurableFunctionCloudTestRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release (kept for the shared runner interface)."""

    def _sleep(self) -> None:
        # The remote service offers no push notification; poll at a fixed pace.
        self._pause.wait(self.poll_interval)

    # -- running ------------------------------------------------------------------------

    def _invoke(self, input: Any, invocation_type: str) -> Mapping[str, Any]:
        try:
            return dict(
                self.lambda_client.invoke(
                    FunctionName=self.function_name,
                    InvocationType=invocation_type,
                    Payload=normalize_input(input).encode(),
                )
            )
        except Exception as error:
            raise DurableFunctionsTestError(
                f"Failed to invoke Lambda function {self.function_name}: {error}"
            ) from error

    def run(self, input: Any = None, timeout: float = 60, **_: Any) -> DurableFunctionTestResult:
        """Invoke synchronously, then wait for the execution's end (``timeout`` real s).

        Raises:
            DurableFunctionsTestError: the invoke failed or returned no execution ARN.
            TimeoutError: the execution did not end in time.
        """
        response = self._invoke(input, "RequestResponse")
        status = response.get("StatusCode")
        if status != 200:
            raise DurableFunctionsTestError(f"Lambda invocation failed with status {status}")
        arn = response.get("DurableExecutionArn")
        if not arn:
            raise DurableFunctionsTestError(
                f"No DurableExecutionArn in response for function {self.function_name}"
            )
        self._last_arn = str(arn)
        return self.wait_for_result(str(arn), timeout=timeout)

    def run_async(self, input: Any = None, timeout: float = 60, **_: Any) -> str:
        """Invoke asynchronously and return the execution ARN.

        Raises:
            DurableFunctionsTestError: the invoke failed or returned no execution ARN.
        """
        response = self._invoke(input, "Event")
        status = response.get("StatusCode")
        arn = response.get("DurableExecutionArn")
        if status != 202 or not arn:
            raise DurableFunctionsTestError(
                f"Asynchronous invocation of {self.function_name} answered {status} "
                f"without a DurableExecutionArn"
            )
        self._last_arn = str(arn)
        return str(arn)

    def _execution(self, arn: str) -> GetDurableExecutionOutput | None:
        try:
            response = self.lambda_client.get_durable_execution(DurableExecutionArn=arn)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code == "ResourceNotFoundException":
                return None
            raise DurableFunctionsTestError(f"Failed to get execution status: {error}") from error
        return GetDurableExecutionOutput.from_dict(response)

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{what} within {timeout}s")
            self._sleep()

    def wait_for_result(self, execution_arn: str, timeout: float = 60) -> DurableFunctionTestResult:
        """Poll until the execution ends, then build the result from its history.

        Raises:
            TimeoutError: it did not end within ``timeout`` real seconds.
        """
        found: list[GetDurableExecutionOutput] = []

        def ended() -> bool:
            execution = self._execution(execution_arn)
            if execution is not None and execution.status in _TERMINAL:
                found.append(execution)
                return True
            return False

        self._wait(ended, timeout, "Execution did not complete")
        execution = found[-1]
        history = self.history(execution_arn)
        return DurableFunctionTestResult.from_operations(
            execution_status=execution.status,
            operations=operations_from_history(history),
            result=execution.result,
            error=execution.error,
            execution_arn=execution_arn,
            history=history,
        )

    # -- history ------------------------------------------------------------------------

    def history(self, execution_arn: str | None = None) -> list[Event]:
        """Every event of the execution's history (default: the last one started)."""
        arn = execution_arn or self._last_arn
        if arn is None:
            raise DurableFunctionsTestError("no execution has been started yet")
        return self.get_execution_history(arn).events

    def get_execution_history(
        self, execution_arn: str, include_execution_data: bool = True
    ) -> GetDurableExecutionHistoryOutput:
        """The whole history, every page, in one response."""
        events: list[Event] = []
        marker: str | None = None
        while True:
            request: dict[str, Any] = {
                "DurableExecutionArn": execution_arn,
                "IncludeExecutionData": include_execution_data,
                "MaxItems": 1000,
            }
            if marker:
                request["Marker"] = marker
            page = GetDurableExecutionHistoryOutput.from_dict(
                self.lambda_client.get_durable_execution_history(**request)
            )
            events.extend(page.events)
            marker = page.next_marker
            if not marker:
                return GetDurableExecutionHistoryOutput(events)

    def assert_history(
        self,
        expected: Sequence[Mapping[str, Any]],
        execution_arn: str | None = None,
        *,
        variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Check the history with the conformance rules; returns the bindings."""
        return assert_history(self.history(execution_arn), expected, variables=variables)

    # -- callbacks ----------------------------------------------------------------------

    def _open_callback(self, arn: str, name: str | None) -> str | None:
        events = self.history(arn)
        names = {event.id: event.name for event in events}
        closed = {event.id for event in events if event.event_type in _CALLBACK_DONE}
        candidate: tuple[int, str] | None = None
        for event in events:
            if event.event_type is not EventType.CALLBACK_STARTED or event.id in closed:
                continue
            if name is not None and name not in (event.name, names.get(event.parent_id)):
                continue
            details: Any = event.details
            candidate = (event.event_id, details.callback_id)
        if candidate is None:
            return None
        created_at, callback_id = candidate
        invocation_ended = any(
            event.event_type is EventType.INVOCATION_COMPLETED and event.event_id > created_at
            for event in events
        )
        return callback_id if invocation_ended else None

    def wait_for_callback(
        self, execution_arn: str, name: str | None = None, timeout: float = 60
    ) -> str:
        """Poll until an open callback (called ``name``, or the latest) exists and the
        invocation that created it has ended; return its id.

        Raises:
            TimeoutError: none within ``timeout`` real seconds.
        """
        found: list[str] = []

        def ready() -> bool:
            callback_id = self._open_callback(execution_arn, name)
            if callback_id is not None:
                found.append(callback_id)
            return callback_id is not None

        self._wait(ready, timeout, "Callback did not become available")
        return found[-1]

    def callback_id(self, name: str, execution_arn: str | None = None, timeout: float = 60) -> str:
        """The id of the open callback called ``name`` (waiting for it)."""
        arn = execution_arn or self._last_arn
        if arn is None:
            raise DurableFunctionsTestError("no execution has been started yet")
        return self.wait_for_callback(arn, name, timeout)

    def _resolve(self, callback_id: str | None, name: str | None, arn: str | None) -> str:
        if callback_id is not None:
            return callback_id
        if name is None:
            raise ValueError("give a callback_id or the callback's operation name")
        return self.callback_id(name, arn)

    def send_callback_success(
        self,
        callback_id: str | None = None,
        result: bytes | str | None = None,
        *,
        name: str | None = None,
        execution_arn: str | None = None,
    ) -> None:
        """Answer a callback with ``result`` (``SendDurableExecutionCallbackSuccess``)."""
        request: dict[str, Any] = {"CallbackId": self._resolve(callback_id, name, execution_arn)}
        if result is not None:
            request["Result"] = result.encode() if isinstance(result, str) else result
        self.lambda_client.send_durable_execution_callback_success(**request)

    def send_callback_failure(
        self,
        callback_id: str | None = None,
        error: ErrorObject | Mapping[str, Any] | BaseException | None = None,
        *,
        name: str | None = None,
        execution_arn: str | None = None,
    ) -> None:
        """Fail a callback with ``error`` (``SendDurableExecutionCallbackFailure``)."""
        if isinstance(error, BaseException):
            error = ErrorObject.from_exception(error)
        elif isinstance(error, Mapping):
            error = ErrorObject.from_dict(error)
        request: dict[str, Any] = {"CallbackId": self._resolve(callback_id, name, execution_arn)}
        if error is not None:
            request["Error"] = error.to_dict()
        self.lambda_client.send_durable_execution_callback_failure(**request)

    def send_callback_heartbeat(
        self,
        callback_id: str | None = None,
        *,
        name: str | None = None,
        execution_arn: str | None = None,
    ) -> None:
        """Heartbeat a callback (``SendDurableExecutionCallbackHeartbeat``)."""
        self.lambda_client.send_durable_execution_callback_heartbeat(
            CallbackId=self._resolve(callback_id, name, execution_arn)
        )

    # -- pause / resume / registration --------------------------------------------------

    def pause_execution(self, execution_arn: str, timeout: float = 60) -> None:
        """Pause the execution (``PauseDurableExecution``) and wait until it is PAUSED."""
        self.lambda_client.pause_durable_execution(DurableExecutionArn=execution_arn)

        def paused() -> bool:
            execution = self._execution(execution_arn)
            return execution is None or execution.status in (ExecutionStatus.PAUSED, *_TERMINAL)

        self._wait(paused, timeout, "Execution did not pause")

    def resume_execution(self, execution_arn: str) -> None:
        """Resume a paused execution (``ResumeDurableExecution``)."""
        self.lambda_client.resume_durable_execution(DurableExecutionArn=execution_arn)

    def register_durable_function(self, function_name: str, *_: Any, **__: Any) -> Any:
        """Deployed functions are configured in AWS, not by the test.

        Raises:
            DurableFunctionsTestError: always.
        """
        raise DurableFunctionsTestError(
            f"cannot register {function_name} in cloud mode: deploy it and invoke it by name"
        )

    register_function = register_durable_function
