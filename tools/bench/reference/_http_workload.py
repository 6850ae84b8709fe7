"""W8: the local service over HTTP, ``durable-lambda serve`` in a subprocess, driven by boto3.

Two measurements per store (memory, SQLite), each from one boto3 client in this
process with dummy credentials:

- raw checkpoint calls: ``CheckpointDurableExecution`` calls one after the other into a
  live invocation (each a STEP SUCCEED, the token chained from call to call); the
  invocation is held open by ``_served_functions.hand_over``, which gives this process
  its ARN and token over a loopback socket;
- 3-step executions: synchronous ``Invoke`` of a durable handler of three steps, one
  after the other; each execution is one invocation and three checkpoint calls made by
  the SDK inside the server's process.

Only our SDK has such a server: the reference's web runner serves the durable-execution
API but hosts no function and has no Invoke route (it starts executions through its own
``/start-durable-execution`` and calls the function at a separate Lambda endpoint).
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from _harness import Case
from _served import STORES, serve

MODE = "http"
TITLE = "durable-lambda serve over HTTP, one boto3 client"
FUNCTIONS_FILE = Path(__file__).resolve().parent / "_served_functions.py"
FUNCTIONS = {
    "three": f"{FUNCTIONS_FILE}:three_steps",
    "handover": f"{FUNCTIONS_FILE}:hand_over",
}
HAND_OVER_TIMEOUT_S = 60.0
CHECKPOINT_VARIANT = "raw checkpoint calls, {store} store"
INVOKE_VARIANT = "3-step executions via Invoke, {store} store"


def boto3_client(url: str) -> Any:
    """A Lambda client for the local server: dummy credentials, no retries to hide errors."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 0}, read_timeout=300, connect_timeout=10),
    )


@dataclass
class _Invocation:
    """A synchronous Invoke on a named thread; ``result`` joins it and raises its error."""

    client: Any
    function: str
    payload: dict[str, Any]
    outcome: dict[str, Any] = field(default_factory=dict)
    thread: threading.Thread | None = None

    def start(self) -> _Invocation:
        self.thread = threading.Thread(target=self._invoke, name="bench-http-invoke", daemon=True)
        self.thread.start()
        return self

    def _invoke(self) -> None:
        try:
            response = self.client.invoke(
                FunctionName=self.function, Payload=json.dumps(self.payload).encode()
            )
            self.outcome["value"] = _invoke_result(self.function, response)
        except BaseException as error:  # handed to the caller of result()
            self.outcome["error"] = error

    def result(self, timeout_s: float) -> Any:
        assert self.thread is not None
        self.thread.join(timeout_s)
        if self.thread.is_alive():
            raise TimeoutError(f"Invoke of {self.function!r} did not return within {timeout_s:g} s")
        if "error" in self.outcome:
            raise self.outcome["error"]
        return self.outcome["value"]


def _invoke_result(function: str, response: Mapping[str, Any]) -> Any:
    body = response["Payload"].read()
    if response.get("FunctionError"):
        raise RuntimeError(f"Invoke of {function!r} failed ({response['FunctionError']}): {body!r}")
    return json.loads(body)


@dataclass
class _HandOver:
    arn: str
    token: str
    connection: socket.socket
    stream: io.BufferedIOBase
    invocation: _Invocation


def _checkpoint_case(client: Any, store: str, n: int) -> Case[_HandOver]:
    def setup() -> _HandOver:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            listener.settimeout(HAND_OVER_TIMEOUT_S)
            port = listener.getsockname()[1]
            invocation = _Invocation(client, "handover", {"port": port, "calls": n}).start()
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                invocation.result(1.0)  # its error, if it failed before connecting
                raise
        stream = connection.makefile("rwb")
        offer = json.loads(stream.readline())
        return _HandOver(offer["arn"], offer["token"], connection, stream, invocation)

    def run(state: _HandOver) -> dict[str, Any]:
        token = state.token
        for index in range(n):
            response = client.checkpoint_durable_execution(
                DurableExecutionArn=state.arn,
                CheckpointToken=token,
                Updates=[
                    {
                        "Id": f"step-{index}",
                        "Type": "STEP",
                        "SubType": "Step",
                        "Action": "SUCCEED",
                        "Payload": str(index),
                    }
                ],
            )
            token = response["CheckpointToken"]
        return {"checkpoint_calls": n, "updates": n}

    def teardown(state: _HandOver) -> None:
        try:
            state.stream.write(json.dumps({"calls": n}).encode() + b"\n")
            state.stream.flush()
        finally:
            state.stream.close()
            state.connection.close()
        result = state.invocation.result(HAND_OVER_TIMEOUT_S)
        if result != n:
            raise AssertionError(f"hand_over result: expected {n}, got {result!r}")

    variant = CHECKPOINT_VARIANT.format(store=store)
    return Case("W8", TITLE, variant, MODE, n, n, "call", setup, run, teardown)


def _invoke_case(client: Any, store: str, n: int) -> Case[None]:
    def run(_state: None) -> dict[str, Any]:
        for index in range(n):
            response = client.invoke(
                FunctionName="three", Payload=json.dumps({"i": index}).encode()
            )
            result = _invoke_result("three", response)
            if result != 3:
                raise AssertionError(f"three_steps result: expected 3, got {result!r}")
        return {"invocations": n}

    variant = INVOKE_VARIANT.format(store=store)
    return Case("W8", TITLE, variant, MODE, n, n, "execution", lambda: None, run)


def cases(
    command: list[str], checkpoint_sizes: tuple[int, ...], invoke_sizes: tuple[int, ...]
) -> Iterator[Callable[[], Case[Any]]]:
    """Case factories of W8; each store's server runs while its cases are measured."""
    for store in STORES:
        with serve(command, FUNCTIONS, store) as served:
            client = boto3_client(served.url)
            try:
                for n in checkpoint_sizes:
                    yield partial(_checkpoint_case, client, store, n)
                for n in invoke_sizes:
                    yield partial(_invoke_case, client, store, n)
            finally:
                client.close()
