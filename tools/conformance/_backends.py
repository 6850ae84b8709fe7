"""Where a requirement runs: the in-process local service, or ``durable-lambda serve``.

Both backends offer what the conformance runner needs from Lambda (invoke, history,
execution, the three callback calls) and a way to let time pass. In process, time is a
``VirtualClock`` that only moves when told, so a poll interval or a callback ``Delay``
costs nothing and timers fire at exactly their modelled instants. Over HTTP a
``durable-lambda serve`` process runs on the wall clock and boto3 does every call, as
the official runner would against Lambda.

Both also keep the log records the handlers emit (``_log_capture``): in process a sink on
the root logger while the backend is open; over HTTP a sink the handlers module installs
in the server process, appending to a file the backend reads back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from conformance._log_capture import (
    LOG_FILE_VARIABLE,
    CapturedLogs,
    read_log_file,
    records_of_execution,
)
from durable_lambda_client import ErrorObject
from durable_lambda_local import DurableFunctionTestRunner, VirtualClock

__all__ = [
    "CHAINED_TARGET_RETENTION_DAYS",
    "CHAINED_TARGET_TIMEOUT",
    "EXECUTION_TIMEOUT",
    "Backend",
    "InProcessBackend",
    "ServedBackend",
]

EXECUTION_TIMEOUT = 86_400
"""``ExecutionTimeout`` of every requirement's function: longer than any requirement waits."""

CHAINED_TARGET_TIMEOUT = 300
CHAINED_TARGET_RETENTION_DAYS = 7
"""The ``DurableConfig`` the catalogue's templates give chained-invoke targets."""

_START = datetime(2026, 1, 1, tzinfo=UTC)
_SYNC_WAIT_SECONDS = 120.0


class Backend(Protocol):
    """One requirement's view of Lambda and the durable-execution API."""

    poll_interval: float
    """Seconds between two polls of an asynchronous execution's history."""

    def start(self, payload: bytes, *, wait: bool) -> str:
        """Invoke the requirement's function with ``payload``; return the execution ARN.

        With ``wait`` the call returns once the execution has ended (a synchronous
        invoke); otherwise it returns at once (``InvocationType=Event``).
        """

    def history(self, arn: str) -> list[dict[str, Any]]:
        """The execution's history events, shaped as boto3 parses them."""

    def execution(self, arn: str) -> dict[str, Any]:
        """``GetDurableExecution``: at least ``Status`` and, when succeeded, ``Result``."""

    def logs(self, arn: str) -> list[Mapping[str, Any]]:
        """The execution's log records (JSON objects, as CloudWatch holds them), in the
        order they were emitted."""

    def let_time_pass(self, seconds: float) -> None:
        """Let ``seconds`` go by while the service keeps working."""

    def send_success(self, callback_id: str, result: bytes | None) -> None: ...

    def send_failure(self, callback_id: str, error: Mapping[str, Any] | None) -> None: ...

    def send_heartbeat(self, callback_id: str) -> None: ...

    def close(self) -> None: ...


class InProcessBackend:
    """The requirement's handler on a fresh ``DurableFunctionTestRunner`` (virtual time).

    Args:
        function_name: the name the handler is registered under.
        handler: the requirement's handler.
        targets: durable chained-invoke targets by function name.
        poll_interval: virtual seconds between polls (the official runner's 2 s).
    """

    def __init__(
        self,
        function_name: str,
        handler: Callable[..., Any],
        targets: Mapping[str, Callable[..., Any]],
        poll_interval: float = 2.0,
    ) -> None:
        self.poll_interval = poll_interval
        self._clock = VirtualClock(start=_START)
        self._function_name = function_name
        self._runner = DurableFunctionTestRunner(
            handler,
            clock=self._clock,
            execution_timeout=EXECUTION_TIMEOUT,
            function_name=function_name,
        )
        for name, target in targets.items():
            self._runner.register_durable_function(
                name,
                target,
                execution_timeout=CHAINED_TARGET_TIMEOUT,
                retention_period_days=CHAINED_TARGET_RETENTION_DAYS,
            )
        self._logs = CapturedLogs().open()

    def start(self, payload: bytes, *, wait: bool) -> str:
        arn = self._runner.run_async(input=payload.decode("utf-8"))
        if wait:
            self._runner.wait_for_result(arn, timeout=_SYNC_WAIT_SECONDS)
        return arn

    def history(self, arn: str) -> list[dict[str, Any]]:
        return [event.to_dict() for event in self._runner.history(arn)]

    def execution(self, arn: str) -> dict[str, Any]:
        described = self._runner.service.get_durable_execution(arn)
        found: dict[str, Any] = {"Status": described.status.value}
        if described.result is not None:
            found["Result"] = described.result
        return found

    def logs(self, arn: str) -> list[Mapping[str, Any]]:
        return records_of_execution(list(self._logs.records), arn)

    def let_time_pass(self, seconds: float) -> None:
        self._clock.advance(seconds)

    def send_success(self, callback_id: str, result: bytes | None) -> None:
        self._runner.service.send_durable_execution_callback_success(callback_id, result)

    def send_failure(self, callback_id: str, error: Mapping[str, Any] | None) -> None:
        self._runner.service.send_durable_execution_callback_failure(
            callback_id, None if error is None else ErrorObject.from_dict(error)
        )

    def send_heartbeat(self, callback_id: str) -> None:
        self._runner.service.send_durable_execution_callback_heartbeat(callback_id)

    def close(self) -> None:
        try:
            self._runner.close()
        finally:
            self._logs.close()


class ServedBackend:
    """Every handler hosted by a ``durable-lambda serve`` process, driven through boto3.

    The server is the command line's, started as a subprocess on a free port with a
    SQLite store in a temporary folder (the command's default kind of store) and the
    wall clock: waits and callback delays take real time, and the history is polled
    every ``poll_interval`` real seconds. Handlers are passed as ``module:attribute``
    targets, so they must be module-level functions of an importable module.

    Args:
        functions: durable handlers by function name (requirements and targets).
        import_root: the folder the handlers' modules import from.
        poll_interval: real seconds between polls.

    Raises:
        RuntimeError: the server did not start (its error output is in the message).
    """

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]],
        import_root: Path,
        poll_interval: float = 0.5,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.poll_interval = poll_interval
        self._function_name = ""
        self._folder = tempfile.TemporaryDirectory(prefix="conformance-")
        folder = Path(self._folder.name)
        command = [sys.executable, "-m", "durable_lambda_local.cli", "serve", "--port", "0"]
        command += ["--json", "--store", str(folder / "executions.sqlite3")]
        for name, handler in functions.items():
            command += ["--function", f"{name}={handler.__module__}:{handler.__name__}"]
        self._log_path = folder / "serve.log"
        self._records_path = folder / "records.jsonl"
        environment = {**os.environ, LOG_FILE_VARIABLE: str(self._records_path)}
        with open(self._log_path, "w", encoding="utf-8") as log:
            self._process = subprocess.Popen(
                command,
                cwd=import_root,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self._process.stdout is not None
        announcement = self._process.stdout.readline()
        if not announcement:
            self.close()
            raise RuntimeError(f"durable-lambda serve did not start:\n{self._log_tail()}")
        self.url = str(json.loads(announcement)["url"])
        self._client = boto3.client(
            "lambda",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 0}, read_timeout=_SYNC_WAIT_SECONDS),
        )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"

    def select(self, function_name: str) -> ServedBackend:
        """Aim the next ``start`` at ``function_name``; returns the backend."""
        self._function_name = function_name
        return self

    def start(self, payload: bytes, *, wait: bool) -> str:
        response = self._client.invoke(
            FunctionName=self._function_name,
            Qualifier="$LATEST",
            InvocationType="RequestResponse" if wait else "Event",
            Payload=payload,
        )
        arn = response.get("DurableExecutionArn")
        if not arn:
            raise RuntimeError(f"Invoke answered without a DurableExecutionArn: {response!r}")
        return str(arn)

    def history(self, arn: str) -> list[dict[str, Any]]:
        response = self._client.get_durable_execution_history(
            DurableExecutionArn=arn, IncludeExecutionData=True
        )
        return list(response.get("Events", []))

    def execution(self, arn: str) -> dict[str, Any]:
        return dict(self._client.get_durable_execution(DurableExecutionArn=arn))

    def logs(self, arn: str) -> list[Mapping[str, Any]]:
        return records_of_execution(read_log_file(self._records_path), arn)

    def let_time_pass(self, seconds: float) -> None:
        time.sleep(seconds)

    def send_success(self, callback_id: str, result: bytes | None) -> None:
        arguments: dict[str, Any] = {"CallbackId": callback_id}
        if result is not None:
            arguments["Result"] = result
        self._client.send_durable_execution_callback_success(**arguments)

    def send_failure(self, callback_id: str, error: Mapping[str, Any] | None) -> None:
        arguments: dict[str, Any] = {"CallbackId": callback_id}
        if error:
            arguments["Error"] = dict(error)
        self._client.send_durable_execution_callback_failure(**arguments)

    def send_heartbeat(self, callback_id: str) -> None:
        self._client.send_durable_execution_callback_heartbeat(CallbackId=callback_id)

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and remove its folder."""
        process = self._process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._folder.cleanup()
