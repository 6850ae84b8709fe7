"""One side of the comparison: a ``durable-lambda serve`` process driven by boto3.

The server is the command line's, started as a subprocess of a given interpreter on a
free port with an in-memory store and ``--skip-time`` (a wait of days or a retry delay
costs nothing), hosting every scenario's function. Each scenario is invoked through
boto3's ``Invoke``; the driver then polls ``GetDurableExecution`` and the history,
answers the scenario's callbacks by name with ``SendDurableExecutionCallbackSuccess``,
and returns what it observed once the execution has ended.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from compat._scenarios import CallbackFailure, InvocationType, Scenario

__all__ = [
    "REJECTED_HANDLER",
    "Observation",
    "ServedSide",
    "ServerStartError",
    "callback_answers",
]

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
SCENARIO_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.05
REJECTED_HANDLER = "is not decorated with @durable_execution"
"""What the command line says when its target check refuses a handler."""


class ServerStartError(RuntimeError):
    """The server did not announce itself; ``output`` is its error output."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


@dataclass(frozen=True)
class Observation:
    """What one side observed for one scenario."""

    status: str
    result: Any = None
    error: Mapping[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    invoke_payload: Any = None
    function_error: str | None = None
    seconds: float = 0.0
    problem: str | None = None
    """A driver-level failure (the invoke was refused, the execution never ended)."""


def callback_answers(
    events: Sequence[Mapping[str, Any]],
    answers: Mapping[str, bytes | CallbackFailure],
    answered: set[str],
) -> list[tuple[str, bytes | CallbackFailure]]:
    """``(callback id, answer)`` for each started, not yet answered callback whose name,
    or whose parent's name (``wait_for_callback`` wraps its callback in a named child
    context), has an answer."""
    names = {event.get("Id"): event.get("Name") for event in events if event.get("Name")}
    due: list[tuple[str, bytes | CallbackFailure]] = []
    for event in events:
        if event.get("EventType") != "CallbackStarted":
            continue
        callback_id = event.get("CallbackStartedDetails", {}).get("CallbackId")
        if not callback_id or callback_id in answered:
            continue
        for name in (event.get("Name"), names.get(event.get("ParentId"))):
            if isinstance(name, str) and name in answers:
                due.append((str(callback_id), answers[name]))
                break
    return due


class ServedSide:
    """A running ``durable-lambda serve`` hosting ``hosted`` from ``import_root``.

    Args:
        label: the side's name in messages (``reference`` or ``ours``).
        python: the interpreter that runs the server (its environment holds the SDK).
        import_root: the folder the ``handlers`` package is imported from.
        hosted: ``module:attribute`` targets by function name.

    Raises:
        ServerStartError: the server did not start.
    """

    def __init__(
        self,
        label: str,
        python: Path,
        import_root: Path,
        hosted: Mapping[str, str],
    ) -> None:
        import boto3
        from botocore.config import Config

        self.label = label
        command = [
            str(python),
            "-m",
            "durable_lambda_local.cli",
            "serve",
            "--port",
            "0",
            "--json",
            "--store",
            "memory",
        ]
        command.append("--skip-time")
        for name, target in hosted.items():
            command += ["--function", f"{name}={target}"]
        environment = {
            name: value
            for name, value in os.environ.items()
            if name != "VIRTUAL_ENV" and not name.startswith("AWS_ENDPOINT_URL")
        }
        self._process = subprocess.Popen(
            command,
            cwd=import_root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        self._errors: list[str] = []
        self._drain = threading.Thread(
            target=self._collect_errors,
            args=(self._process.stderr,),
            name=f"compat-{label}-stderr",
            daemon=True,
        )
        self._drain.start()
        announcement = self._process.stdout.readline()
        if not announcement:
            self._process.wait(timeout=30)
            self._drain.join(timeout=5)
            raise ServerStartError(f"the {label} server did not start", self.error_output())
        self.url = str(json.loads(announcement)["url"])
        self._client = boto3.client(
            "lambda",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 0}, read_timeout=SCENARIO_TIMEOUT_SECONDS),
        )

    def _collect_errors(self, stream: IO[str]) -> None:
        for line in stream:
            self._errors.append(line)

    def error_output(self, lines: int = 40) -> str:
        """The last ``lines`` lines the server wrote to its error output."""
        return "".join(self._errors[-lines:]).strip() or "(no output)"

    def run(self, scenario: Scenario) -> Observation:
        """Invoke ``scenario``'s function, answer its callbacks, and wait for its end.

        A call the server refuses or cannot answer ends the scenario with a ``problem``
        (and the server's last error line), so the other scenarios still run.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self._run(scenario)
        except (BotoCoreError, ClientError) as error:
            last = self.error_output().splitlines()[-1:]
            server = f" (server: {last[0]})" if last and last[0] != "(no output)" else ""
            return Observation("UNKNOWN", problem=f"{type(error).__name__}: {error}{server}")

    def _run(self, scenario: Scenario) -> Observation:
        started = time.monotonic()
        payload = {**scenario.payload, "run_id": uuid.uuid4().hex}
        response = self._client.invoke(
            FunctionName=scenario.function,
            InvocationType=scenario.invocation.value,
            Payload=json.dumps(payload).encode(),
        )
        arn = response.get("DurableExecutionArn")
        if not arn:
            return Observation("UNKNOWN", problem=f"Invoke answered without an ARN: {response}")
        invoke_payload = None
        if scenario.invocation is InvocationType.SYNC:
            body = response["Payload"].read()
            invoke_payload = json.loads(body) if body else None
        answered: set[str] = set()
        deadline = started + SCENARIO_TIMEOUT_SECONDS
        while True:
            described = self._client.get_durable_execution(DurableExecutionArn=arn)
            events = self._history(arn)
            status = str(described["Status"])
            if status in TERMINAL:
                break
            for callback_id, answer in callback_answers(events, scenario.callbacks, answered):
                self._answer(callback_id, answer)
                answered.add(callback_id)
            if time.monotonic() > deadline:
                return Observation(
                    status,
                    events=events,
                    seconds=time.monotonic() - started,
                    problem=f"did not end within {SCENARIO_TIMEOUT_SECONDS:g} s",
                )
            time.sleep(POLL_SECONDS)
        result = described.get("Result")
        return Observation(
            status,
            result=json.loads(result) if result else None,
            error=described.get("Error"),
            events=events,
            invoke_payload=invoke_payload,
            function_error=response.get("FunctionError"),
            seconds=time.monotonic() - started,
        )

    def _answer(self, callback_id: str, answer: bytes | CallbackFailure) -> None:
        if isinstance(answer, CallbackFailure):
            self._client.send_durable_execution_callback_failure(
                CallbackId=callback_id,
                Error={"ErrorType": answer.error_type, "ErrorMessage": answer.message},
            )
        else:
            self._client.send_durable_execution_callback_success(
                CallbackId=callback_id, Result=answer
            )

    def _history(self, arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"DurableExecutionArn": arn, "IncludeExecutionData": True}
        while True:
            page = self._client.get_durable_execution_history(**arguments)
            events += page.get("Events", [])
            marker = page.get("NextMarker")
            if not marker:
                return events
            arguments["Marker"] = marker

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._drain.join(timeout=5)
