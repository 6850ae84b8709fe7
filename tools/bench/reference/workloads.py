"""Benchmark workloads W1-W8, written once and run against our SDK or the reference SDK.

Each workload is bound to an SDK through ``_sdk.Sdk`` (module names only), so the
same handler code runs in the workspace environment (``--sdk ours``) and in the
cached reference environment (``--sdk reference``). Modes:

- ``fake-client``: the handler is invoked directly with an in-memory service client
  injected through ``DurableExecutionInvocationInputWithClient`` (``_fake_service``);
  this isolates the SDK's own cost and counts its checkpoint calls exactly.
- ``local-runner``: the handler runs under the SDK's ``DurableFunctionTestRunner``.
- ``http``: W8 only, the SDK's local server in a subprocess, driven over HTTP by
  boto3 (``_http_workload``); our SDK alone has one.

Usage (prints one JSON document on stdout)::

    python tools/bench/reference/workloads.py --sdk reference [--quick] [--only W1,W3]
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import json
import os
import platform
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _http_workload
from _fake_service import FakeService, run_to_completion
from _harness import Case, effort_for, run_cases, unavailable
from _sdk import BY_LABEL, Sdk, Unavailable

FAKE = "fake-client"
RUNNER = "local-runner"
# A checkpoint round trip of a few milliseconds, as from a Lambda function to the service.
LATENCY_S = 0.005
FAKE_WITH_LATENCY = f"fake-client+{LATENCY_S * 1000:g}ms"
RUNNER_TIMEOUT_S = 300


T = TypeVar("T")


@dataclass(frozen=True)
class Sizes(Generic[T]):
    """Sizes (or size combinations) measured in a quick run and in a full run."""

    quick: tuple[T, ...]
    full: tuple[T, ...]

    def pick(self, quick: bool) -> tuple[T, ...]:
        return self.quick if quick else self.full


# Handlers ------------------------------------------------------------------------------

Handler = Callable[[Any, Any], Any]


def _durable_execution(sdk: Sdk) -> Callable[[Callable[[Any, Any], Any]], Handler]:
    """The SDK's ``durable_execution`` decorator, typed for the workloads."""
    decorator: Callable[[Callable[[Any, Any], Any]], Handler] = sdk.attr("", "durable_execution")
    return decorator


def _steps_handler(sdk: Sdk) -> Handler:
    durable_execution = _durable_execution(sdk)

    @durable_execution
    def handler(event: dict[str, Any], context: Any) -> int:
        total = 0
        for index in range(event["n"]):
            total += context.step(lambda _step, index=index: index)
        return total

    return handler


def _map_handler(sdk: Sdk) -> Handler:
    durable_execution = _durable_execution(sdk)
    map_config = sdk.attr("config", "MapConfig")

    def double(_context: Any, item: int, _index: int, _items: Sequence[int]) -> int:
        return item * 2

    @durable_execution
    def handler(event: dict[str, Any], context: Any) -> int:
        config = map_config(max_concurrency=event["concurrency"])
        result = context.map(list(range(event["n"])), double, name="double", config=config)
        return sum(result.get_results())

    return handler


def _parallel_handler(sdk: Sdk) -> Handler:
    durable_execution = _durable_execution(sdk)

    def branch(context: Any) -> int:
        return sum(context.step(lambda _step, k=k: k) for k in range(STEPS_PER_BRANCH))

    @durable_execution
    def handler(event: dict[str, Any], context: Any) -> int:
        result = context.parallel([branch] * event["branches"], name="fan-out")
        return sum(result.get_results())

    return handler


STEPS_PER_BRANCH = 3


def _payload_handler(sdk: Sdk) -> Handler:
    durable_execution = _durable_execution(sdk)

    @durable_execution
    def handler(event: dict[str, Any], context: Any) -> int:
        blob = "x" * event["bytes"]
        received = 0
        for _ in range(event["steps"]):
            received += len(context.step(lambda _step: {"blob": blob})["blob"])
        return received

    return handler


def _waits_handler(sdk: Sdk) -> Handler:
    durable_execution = _durable_execution(sdk)
    duration = sdk.attr("config", "Duration")

    @durable_execution
    def handler(event: dict[str, Any], context: Any) -> int:
        for _ in range(event["n"]):
            context.wait(duration.from_seconds(1))
        return int(event["n"])

    return handler


# Driving a handler ---------------------------------------------------------------------


def _check(output: dict[str, Any], expected: Any) -> None:
    if output.get("Status") != "SUCCEEDED":
        raise AssertionError(f"handler output Status: expected SUCCEEDED, got {output!r:.300}")
    got = json.loads(output["Result"])
    if got != expected:
        raise AssertionError(f"handler result: expected {expected!r}, got {got!r}")


@dataclass
class _FakeRun:
    service: FakeService


def _fake_case(
    sdk: Sdk,
    *,
    workload: str,
    title: str,
    variant: str,
    n: int,
    ops: int,
    unit: str,
    handler: Callable[[Any, Any], Any],
    event: dict[str, Any],
    expected: Any,
    latency_s: float = 0.0,
) -> Case[_FakeRun]:
    lambda_service = sdk.module("lambda_service")
    execution = sdk.module("execution")

    def setup() -> _FakeRun:
        return _FakeRun(FakeService(lambda_service, event, latency_s))

    def run(state: _FakeRun) -> dict[str, Any]:
        output, invocations = run_to_completion(handler, state.service, execution)
        _check(output, expected)
        return {**state.service.counters(), "invocations": invocations}

    mode = FAKE_WITH_LATENCY if latency_s else FAKE
    return Case(workload, title, variant, mode, n, ops, unit, setup, run)


def _replay_case(sdk: Sdk, n: int) -> Case[_FakeRun]:
    """W2: a history of n succeeded steps, replayed by one invocation."""
    lambda_service = sdk.module("lambda_service")
    execution = sdk.module("execution")
    handler = _steps_handler(sdk)
    event = {"n": n}
    expected = n * (n - 1) // 2

    recorded = FakeService(lambda_service, event)
    _check(run_to_completion(handler, recorded, execution)[0], expected)
    history = {key: dict(operation) for key, operation in recorded.operations.items()}

    def setup() -> _FakeRun:
        service = FakeService(lambda_service, event)
        service.arn = recorded.arn
        service.operations = {key: dict(operation) for key, operation in history.items()}
        return _FakeRun(service)

    def run(state: _FakeRun) -> dict[str, Any]:
        output, invocations = run_to_completion(handler, state.service, execution)
        _check(output, expected)
        return {**state.service.counters(), "invocations": invocations}

    return Case("W2", "replay of a complete N-step history", "", FAKE, n, n, "step", setup, run)


@dataclass
class _RunnerRun:
    runner: Any
    invocations: list[int]


def _runner_case(
    sdk: Sdk,
    *,
    workload: str,
    title: str,
    variant: str,
    n: int,
    ops: int,
    unit: str,
    handler: Callable[[Any, Any], Any],
    event: dict[str, Any],
    expected: Any,
) -> Case[_RunnerRun]:
    runner_class = sdk.runner_class()

    def setup() -> _RunnerRun:
        invocations = [0]

        def counted(lambda_event: Any, lambda_context: Any) -> Any:
            invocations[0] += 1
            return handler(lambda_event, lambda_context)

        return _RunnerRun(runner_class(counted, skip_time=True), invocations)

    def run(state: _RunnerRun) -> dict[str, Any]:
        result = state.runner.run(input=json.dumps(event), execution_timeout=RUNNER_TIMEOUT_S)
        status = getattr(result.status, "value", result.status)
        _check({"Status": status, "Result": result.result or "null"}, expected)
        return {"invocations": state.invocations[0]}

    def teardown(state: _RunnerRun) -> None:
        state.runner.close()

    return Case(workload, title, variant, RUNNER, n, ops, unit, setup, run, teardown)


# Workloads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """A named workload and the function that builds its cases for one SDK."""

    key: str
    title: str
    cases: Callable[[Sdk, bool], Iterator[Callable[[], Case[Any]]]]


def _w1(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    handler = _steps_handler(sdk)
    title = "N sequential trivial steps, first execution"
    for n in Sizes((10, 100, 1000), (10, 100, 1000, 10000)).pick(quick):
        yield partial(
            _fake_case,
            sdk, workload="W1", title=title, variant="", n=n, ops=n, unit="step",
            handler=handler, event={"n": n}, expected=n * (n - 1) // 2,
        )  # fmt: skip
    yield partial(
        _fake_case,
        sdk, workload="W1", title=title, variant="", n=100, ops=100, unit="step",
        handler=handler, event={"n": 100}, expected=100 * 99 // 2, latency_s=LATENCY_S,
    )  # fmt: skip
    for n in Sizes((10, 100), (10, 100, 1000)).pick(quick):
        yield partial(
            _runner_case,
            sdk, workload="W1", title=title, variant="", n=n, ops=n, unit="step",
            handler=handler, event={"n": n}, expected=n * (n - 1) // 2,
        )  # fmt: skip


def _w2(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    for n in Sizes((10, 100, 1000), (10, 100, 1000, 10000)).pick(quick):
        yield partial(_replay_case, sdk, n)


def _w3(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    handler = _map_handler(sdk)
    title = "map over N items"
    for concurrency in (1, 10, 100):
        for n in Sizes((10, 100), (10, 100, 1000)).pick(quick):
            yield partial(
            _fake_case,
                sdk, workload="W3", title=title, variant=f"max_concurrency={concurrency}",
                n=n, ops=n, unit="item", handler=handler,
                event={"n": n, "concurrency": concurrency}, expected=n * (n - 1),
            )  # fmt: skip
    # Under latency, how many calls the branches' updates share (full: also at scale).
    for n, concurrency in Sizes(((100, 10),), ((100, 10), (1000, 10), (1000, 100))).pick(quick):
        yield partial(
            _fake_case,
            sdk, workload="W3", title=title, variant=f"max_concurrency={concurrency}", n=n,
            ops=n, unit="item", handler=handler, event={"n": n, "concurrency": concurrency},
            expected=n * (n - 1), latency_s=LATENCY_S,
        )  # fmt: skip
    for n in Sizes((10,), (10, 100)).pick(quick):
        yield partial(
            _runner_case,
            sdk, workload="W3", title=title, variant="max_concurrency=10", n=n, ops=n,
            unit="item", handler=handler, event={"n": n, "concurrency": 10},
            expected=n * (n - 1),
        )  # fmt: skip


def _w4(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    handler = _parallel_handler(sdk)
    title = f"parallel with P branches of {STEPS_PER_BRANCH} steps"
    per_branch = sum(range(STEPS_PER_BRANCH))
    for branches in Sizes((2, 10), (2, 10, 50)).pick(quick):
        yield partial(
            _fake_case,
            sdk, workload="W4", title=title, variant="", n=branches, ops=branches,
            unit="branch", handler=handler, event={"branches": branches},
            expected=branches * per_branch,
        )  # fmt: skip
    for branches in Sizes((10,), (10, 50)).pick(quick):
        yield partial(
            _fake_case,
            sdk, workload="W4", title=title, variant="", n=branches, ops=branches,
            unit="branch", handler=handler, event={"branches": branches},
            expected=branches * per_branch, latency_s=LATENCY_S,
        )  # fmt: skip
    for branches in Sizes((10,), (2, 10)).pick(quick):
        yield partial(
            _runner_case,
            sdk, workload="W4", title=title, variant="", n=branches, ops=branches,
            unit="branch", handler=handler, event={"branches": branches},
            expected=branches * per_branch,
        )  # fmt: skip


def _w5(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    handler = _payload_handler(sdk)
    steps = 3 if quick else 10
    title = f"{steps} steps returning a payload of N bytes"
    for size in (1_000, 100_000, 1_000_000):
        event = {"bytes": size, "steps": steps}
        yield partial(
            _fake_case,
            sdk, workload="W5", title=title, variant="", n=size, ops=steps, unit="step",
            handler=handler, event=event, expected=size * steps,
        )  # fmt: skip
        yield partial(
            _runner_case,
            sdk, workload="W5", title=title, variant="", n=size, ops=steps, unit="step",
            handler=handler, event=event, expected=size * steps,
        )  # fmt: skip


def _w6(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    handler = _waits_handler(sdk)
    title = "N waits of 1 s, one invocation per wait (time skipped)"
    for n in Sizes((2, 8), (5, 20, 50)).pick(quick):
        yield partial(
            _runner_case,
            sdk, workload="W6", title=title, variant="", n=n, ops=n + 1, unit="invocation",
            handler=handler, event={"n": n}, expected=n,
        )  # fmt: skip
        yield partial(
            _fake_case,
            sdk, workload="W6", title=title, variant="", n=n, ops=n + 1, unit="invocation",
            handler=handler, event={"n": n}, expected=n,
        )  # fmt: skip


def _extended_value(breadth: int) -> dict[str, Any]:
    """A nested value using every extended type the serdes envelope supports."""
    moment = datetime.datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
    return {
        "items": [
            {
                "id": uuid.UUID(int=index),
                "price": decimal.Decimal(f"{index}.25"),
                "at": moment + datetime.timedelta(seconds=index),
                "day": datetime.date(2025, 1, 1 + index % 28),
                "raw": bytes([index % 256]) * 8,
                "pair": (index, f"n{index}"),
                "tags": ["a", "b", index],
            }
            for index in range(breadth)
        ],
        "meta": {"count": breadth, "ok": True, "ratio": 0.5, "none": None},
    }


def _plain_value(breadth: int) -> dict[str, Any]:
    """The same shape as ``_extended_value`` using JSON types only."""
    return {
        "items": [
            {
                "id": str(uuid.UUID(int=index)),
                "price": f"{index}.25",
                "at": "2025-01-02T03:04:05.678000+00:00",
                "day": "2025-01-01",
                "raw": "AAAAAAAAAAA=",
                "pair": [index, f"n{index}"],
                "tags": ["a", "b", index],
            }
            for index in range(breadth)
        ],
        "meta": {"count": breadth, "ok": True, "ratio": 0.5, "none": None},
    }


def _round_trip_case(
    variant: str,
    breadth: int,
    value: Any,
    encode: Callable[[Any], str],
    decode: Callable[[str], Any],
) -> Case[None]:
    rounds = max(1, 2000 // breadth)
    if decode(encode(value)) != value:
        raise AssertionError(f"W7 {variant}: a round trip changed the value (breadth {breadth})")

    def run(_state: None) -> dict[str, Any]:
        size = 0
        for _ in range(rounds):
            text = encode(value)
            decode(text)
            size = len(text)
        return {"encoded_bytes": size}

    return Case(
        "W7", "serdes round trip of a nested value", variant, "in-process",
        breadth, rounds, "round trip", lambda: None, run, rounds=rounds,
    )  # fmt: skip


def _w7(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    extended = sdk.attr("serdes", "ExtendedTypeSerDes")()
    plain = sdk.attr("serdes", "JsonSerDes")()
    context = sdk.attr("serdes", "SerDesContext")("bench-op", "bench-arn")
    for breadth in Sizes((10, 100), (10, 100, 1000)).pick(quick):
        yield partial(
            _round_trip_case,
            "extended types", breadth, _extended_value(breadth),
            lambda value: extended.serialize(value, context),
            lambda text: extended.deserialize(text, context),
        )  # fmt: skip
        yield partial(
            _round_trip_case,
            "JsonSerDes, plain value", breadth, _plain_value(breadth),
            lambda value: plain.serialize(value, context),
            lambda text: plain.deserialize(text, context),
        )  # fmt: skip
        yield partial(
            _round_trip_case,
            "stdlib json, plain value",
            breadth,
            _plain_value(breadth),
            json.dumps,
            json.loads,
        )


def _w8(sdk: Sdk, quick: bool) -> Iterator[Callable[[], Case[Any]]]:
    yield from _http_workload.cases(
        sdk.serve_command(),
        checkpoint_sizes=Sizes((100,), (100, 1000)).pick(quick),
        invoke_sizes=Sizes((10,), (10, 100)).pick(quick),
    )


WORKLOADS = (
    Workload("W1", "N sequential trivial steps, first execution", _w1),
    Workload("W2", "replay of a complete N-step history", _w2),
    Workload("W3", "map over N items with max_concurrency 1/10/100", _w3),
    Workload("W4", "parallel with P branches of a few steps", _w4),
    Workload("W5", "step payloads of 1 KB / 100 KB / 1 MB", _w5),
    Workload("W6", "N waits, invocations per second", _w6),
    Workload("W7", "serdes round trips, extended types vs plain json", _w7),
    Workload("W8", "HTTP: checkpoint calls/s and Invoke executions/s against serve", _w8),
)


def run_workloads(sdk: Sdk, quick: bool, only: set[str] | None = None) -> list[dict[str, Any]]:
    """Measure the selected workloads; a part that cannot run yet yields an "unavailable" row.

    A workload yields case factories, so a part of the SDK that is missing (say, the
    test runner) only disables the cases that need it; the other cases still run.
    """
    effort = effort_for(quick)
    rows: list[dict[str, Any]] = []
    for workload in WORKLOADS:
        if only and workload.key not in only:
            continue
        reasons: set[str] = set()
        try:
            for factory in workload.cases(sdk, quick):
                try:
                    case = factory()
                except Unavailable as missing:
                    if str(missing) not in reasons:
                        reasons.add(str(missing))
                        rows.append(unavailable(workload.key, workload.title, str(missing)))
                    continue
                rows.extend(run_cases([case], effort))
        except Unavailable as missing:
            rows.append(unavailable(workload.key, workload.title, str(missing)))
        except Exception as error:  # a broken workload is reported, the others still run
            rows.append(
                {
                    "workload": workload.key,
                    "title": workload.title,
                    "variant": "",
                    "error": f"{type(error).__name__}: {error}",
                }
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk", choices=sorted(BY_LABEL), required=True)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument("--only", default="", help="comma-separated workload keys, e.g. W1,W7")
    args = parser.parse_args(argv)
    sdk = Sdk(BY_LABEL[args.sdk])
    only = {key.strip().upper() for key in args.only.split(",") if key.strip()} or None
    rows = run_workloads(sdk, args.quick, only)
    document = {
        "sdk": args.sdk,
        "versions": sdk.versions(),
        "python": platform.python_version(),
        "quick": args.quick,
        "rows": rows,
    }
    json.dump(document, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    if any(result.get("hung") for result in rows):
        # An abandoned run still holds SDK threads that would block interpreter exit.
        os._exit(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
