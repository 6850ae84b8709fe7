"""Benchmark of the local service over HTTP (durable_lambda_local.http) with boto3.

Run by hand from the workspace root::

    uv run python tools/bench/bench_http.py [--quick]

It prints medians and the ratios to the targets of the HTTP layer:

* checkpoint calls per second from one boto3 client on loopback (target: at least 300),
  each call a STEP SUCCEED of the running invocation, token chained call to call;
* the same through the SDK (synchronous steps of a durable handler, each one checkpoint
  call over HTTP);
* short executions (3 steps each) per second through Invoke (target: at least 50), one
  client invoking synchronously one after the other, and four clients in parallel; the
  in-process service (no HTTP) is measured on the same handler for the ratio.

The server keeps its executions in memory; the raw checkpoints and the one-client
Invoke are measured again on a SQLite file (the store ``durable-lambda serve`` uses).

``run(quick)`` returns the same numbers as rows for ``tools/bench/run.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from durable_lambda import DurableContext, StepContext, durable_execution, durable_step
from durable_lambda_local import (
    DurableExecutionService,
    LocalFunction,
    MemoryStore,
    SkipClock,
    SqliteStore,
    Store,
)
from durable_lambda_local.http import LocalServer

CHECKPOINT_TARGET_PER_S = 300.0
INVOKE_TARGET_PER_S = 50.0


@durable_step
def _add_one(step_context: StepContext, value: int) -> int:
    return value + 1


@durable_execution
def three_steps(event: Any, context: DurableContext) -> int:
    total = 0
    for name in ("a", "b", "c"):
        total = context.step(_add_one(total), name=name)
    return total


@durable_execution
def many_steps(event: Any, context: DurableContext) -> int:
    for index in range(int(event["n"])):
        context.step(lambda _: 1, name=f"s{index}")
    return int(event["n"])


class _RawCheckpoints:
    """A hosted handler speaking the envelope directly: N checkpoints, timed inside.

    Not being an SDK wrapper, it gets the JSON event as Lambda sends it.
    """

    def __init__(self, url: str) -> None:
        self.client = _client(url)
        self.elapsed: list[float] = []

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        arn = event["DurableExecutionArn"]
        token = event["CheckpointToken"]
        count = _input_count(event)
        started = time.perf_counter()
        for index in range(count):
            response = self.client.checkpoint_durable_execution(
                DurableExecutionArn=arn,
                CheckpointToken=token,
                Updates=[
                    {
                        "Id": f"step-{index}",
                        "Type": "STEP",
                        "SubType": "Step",
                        "Action": "SUCCEED",
                        "Payload": "1",
                    }
                ],
            )
            token = response["CheckpointToken"]
        self.elapsed.append(time.perf_counter() - started)
        return {"Status": "SUCCEEDED", "Result": str(count)}


def _input_count(event: Mapping[str, Any]) -> int:
    execution = event["InitialExecutionState"]["Operations"][0]
    payload = execution.get("ExecutionDetails", {}).get("InputPayload") or "{}"
    return int(json.loads(payload).get("n", 0))


def _client(url: str) -> Any:
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(max_pool_connections=16, read_timeout=120),
    )


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


@contextlib.contextmanager
def _store(kind: str) -> Iterator[Store]:
    """A fresh store of ``kind`` (``memory`` or ``sqlite``, in a temporary directory)."""
    if kind == "memory":
        yield MemoryStore()
        return
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        yield SqliteStore(Path(folder) / "executions.sqlite3")


def checkpoints_per_second(repeats: int, n: int, store: str = "memory") -> float:
    """Raw boto3 checkpoints per second from one client."""
    with _store(store) as chosen, LocalServer(store=chosen, clock=SkipClock()) as server:
        raw = _RawCheckpoints(server.url)
        server.register("raw", raw)
        client = _client(server.url)
        for round_index in range(repeats + 1):
            client.invoke(FunctionName="raw", Payload=f'{{"n": {n}, "r": {round_index}}}'.encode())
        return n / _median(raw.elapsed[1:])


def sdk_steps_per_second(repeats: int, n: int) -> float:
    """SDK steps (one synchronous checkpoint each) per second over HTTP."""
    with LocalServer({"many": many_steps}, store=MemoryStore(), clock=SkipClock()) as server:
        client = _client(server.url)
        samples = []
        for round_index in range(repeats + 1):
            payload = f'{{"n": {n}, "r": {round_index}}}'.encode()
            started = time.perf_counter()
            client.invoke(FunctionName="many", Payload=payload)
            samples.append(time.perf_counter() - started)
        return n / _median(samples[1:])


def invokes_per_second(repeats: int, n: int, clients: int, store: str = "memory") -> float:
    """Synchronous Invoke of the 3-step handler, ``clients`` callers in parallel."""
    with (
        _store(store) as chosen,
        LocalServer({"three": three_steps}, store=chosen, clock=SkipClock()) as server,
    ):
        boto = [_client(server.url) for _ in range(clients)]
        counter = iter(range(10**9))
        lock = threading.Lock()

        def one(client: Any) -> None:
            with lock:
                index = next(counter)
            client.invoke(FunctionName="three", Payload=f'{{"i": {index}}}'.encode())

        return _rate(lambda: _fan_out(boto, n, one), repeats, n)


def in_process_invokes_per_second(repeats: int, n: int) -> float:
    """The same executions on the in-process service, without HTTP."""
    service = DurableExecutionService(clock=SkipClock())
    service.register(LocalFunction("three", three_steps))
    counter = iter(range(10**9))
    try:

        def batch() -> None:
            for _ in range(n):
                service.invoke("three", f'{{"i": {next(counter)}}}')

        return _rate(batch, repeats, n)
    finally:
        service.close()


def _fan_out(clients: list[Any], n: int, one: Callable[[Any], None]) -> None:
    with ThreadPoolExecutor(len(clients), thread_name_prefix="bench-http-client") as pool:
        futures = [pool.submit(one, clients[i % len(clients)]) for i in range(n)]
        for future in futures:
            future.result()


def _rate(batch: Callable[[], None], repeats: int, n: int) -> float:
    batch()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        batch()
        samples.append(time.perf_counter() - started)
    return n / _median(samples)


def measure_all(quick: bool) -> list[dict[str, Any]]:
    """Every measurement as a row: name, value per second, target, ratio to target."""
    repeats = 3 if quick else 7
    checkpoints = 200 if quick else 1000
    executions = 40 if quick else 200
    results = [
        (
            "checkpoints/s, raw boto3, 1 client",
            checkpoints_per_second(repeats, checkpoints),
            CHECKPOINT_TARGET_PER_S,
        ),
        (
            "SDK steps/s over HTTP, 1 execution",
            sdk_steps_per_second(repeats, checkpoints),
            CHECKPOINT_TARGET_PER_S,
        ),
        (
            "executions/s via Invoke, 1 client",
            invokes_per_second(repeats, executions, 1),
            INVOKE_TARGET_PER_S,
        ),
        (
            "executions/s via Invoke, 4 clients",
            invokes_per_second(repeats, executions, 4),
            INVOKE_TARGET_PER_S,
        ),
        (
            "executions/s in-process (no HTTP)",
            in_process_invokes_per_second(repeats, executions),
            None,
        ),
        (
            "checkpoints/s, raw boto3, 1 client, SQLite",
            checkpoints_per_second(repeats, checkpoints, "sqlite"),
            CHECKPOINT_TARGET_PER_S,
        ),
        (
            "executions/s via Invoke, 1 client, SQLite",
            invokes_per_second(repeats, executions, 1, "sqlite"),
            INVOKE_TARGET_PER_S,
        ),
    ]
    return [
        {
            "name": name,
            "per_second": value,
            "target": target,
            "ratio_to_target": value / target if target else None,
        }
        for name, value, target in results
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    """Rows for ``tools/bench/run.py`` (one per measurement; median seconds per unit)."""
    rows = []
    for result in measure_all(quick):
        rows.append(
            {
                "workload": "http",
                "title": result["name"],
                "variant": result["name"],
                "mode": "package",
                "n": 1,
                "ops": 1,
                "unit": "call"
                if "checkpoint" in result["name"] or "steps" in result["name"]
                else "execution",
                "median_s": 1.0 / result["per_second"],
                "per_op_us": 1e6 / result["per_second"],
                "extra": {
                    "per_second": round(result["per_second"], 1),
                    "target_per_second": result["target"],
                },
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller batches")
    args = parser.parse_args(argv)
    results = measure_all(args.quick)
    print(f"{'measurement':44} {'median/s':>10} {'target':>8} {'ratio':>7}")
    for result in results:
        target = f"{result['target']:.0f}" if result["target"] else "-"
        ratio = f"{result['ratio_to_target']:.2f}x" if result["ratio_to_target"] else "-"
        print(f"{result['name']:44} {result['per_second']:10.1f} {target:>8} {ratio:>7}")
    http_one = results[2]["per_second"]
    in_process = results[4]["per_second"]
    print(f"HTTP / in-process time ratio for Invoke of 3 steps: {in_process / http_one:.2f}")
    return (
        0 if all(r["ratio_to_target"] is None or r["ratio_to_target"] >= 1 for r in results) else 1
    )


if __name__ == "__main__":
    sys.exit(main())
