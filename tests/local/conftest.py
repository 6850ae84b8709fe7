"""Helpers for the local service's tests: hand-written durable handlers that speak the
invocation envelope directly (no SDK), one function per invocation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from durable_lambda_client import (
    CheckpointOutput,
    DurableExecutionInvocationInputWithClient,
    Operation,
    OperationAction,
    OperationSubType,
    OperationType,
    OperationUpdate,
    StepOptions,
    WaitOptions,
)
from durable_lambda_local._clock import VirtualClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import DurableServiceError
from durable_lambda_local._functions import LocalFunction
from durable_lambda_local._memory_store import MemoryStore
from durable_lambda_local._sqlite_store import SqliteStore

START = datetime(2025, 1, 1, tzinfo=UTC)
PENDING = {"Status": "PENDING"}


def succeeded(result: str | None = '"done"') -> dict[str, Any]:
    output: dict[str, Any] = {"Status": "SUCCEEDED"}
    if result is not None:
        output["Result"] = result
    return output


class Invocation:
    """One invocation as a hand-written handler sees it: the envelope and a checkpoint
    helper that keeps the token current."""

    def __init__(
        self, service: DurableExecutionService, event: DurableExecutionInvocationInputWithClient
    ) -> None:
        self.service = service
        self.event = event
        self.arn = event.durable_execution_arn
        self.token = event.checkpoint_token
        self.operations: dict[str, Operation] = {
            op.operation_id: op for op in event.initial_execution_state.operations
        }
        self.outputs: list[CheckpointOutput] = []

    def checkpoint(
        self, *updates: OperationUpdate, client_token: str | None = None
    ) -> CheckpointOutput:
        output = self.service.checkpoint_durable_execution(
            self.arn, self.token, list(updates), client_token
        )
        if output.checkpoint_token:
            self.token = output.checkpoint_token
        for op in output.new_execution_state.operations:
            self.operations[op.operation_id] = op
        self.outputs.append(output)
        return output

    def rejected(self, *updates: OperationUpdate, token: str | None = None) -> DurableServiceError:
        """The error a checkpoint raises (nothing is applied, the token stays valid)."""
        try:
            self.service.checkpoint_durable_execution(
                self.arn, token if token is not None else self.token, list(updates)
            )
        except DurableServiceError as error:
            return error
        raise AssertionError(f"checkpoint of {updates} was accepted")

    def status(self, operation_id: str) -> str | None:
        op = self.operations.get(operation_id)
        return None if op is None else op.status.value


Step = Callable[[Invocation], Any]


class Script:
    """A durable handler that runs ``steps[i]`` on invocation ``i`` (the last one
    repeats). Assertion errors raised inside are kept and re-raised by ``check``."""

    def __init__(self, *steps: Step) -> None:
        self.steps = steps
        self.invocations: list[Invocation] = []
        self.failures: list[BaseException] = []
        self.service: DurableExecutionService | None = None

    def __call__(self, event: Any, context: Any) -> Any:
        assert self.service is not None
        invocation = Invocation(self.service, event)
        self.invocations.append(invocation)
        step = self.steps[min(len(self.invocations) - 1, len(self.steps) - 1)]
        try:
            return step(invocation)
        except AssertionError as error:
            self.failures.append(error)
            raise

    def check(self) -> None:
        if self.failures:
            raise self.failures[0]


class Harness:
    """A service on a virtual clock plus shortcuts to register and run scripts."""

    def __init__(self, service: DurableExecutionService) -> None:
        self.service = service
        self.clock = service.clock

    def register(
        self, script: Script | Callable[..., Any], name: str = "fn", **options: Any
    ) -> None:
        if isinstance(script, Script):
            script.service = self.service
        self.service.register(LocalFunction(name, script, **options))

    def start(self, script: Script, payload: str = "{}", name: str = "fn", **options: Any) -> str:
        self.register(script, name, **options)
        arn, _ = self.service.start_execution(name, payload)
        return arn

    def run(self, script: Script, payload: str = "{}", name: str = "fn", **options: Any) -> str:
        arn = self.start(script, payload, name, **options)
        self.service.run_until(lambda: self.service.execution_record(arn).is_terminal)
        script.check()
        return arn

    def history(self, arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        marker = None
        while True:
            page = self.service.get_durable_execution_history(arn, max_items=1000, marker=marker)
            events.extend(event.to_dict() for event in page.events)
            marker = page.next_marker
            if marker is None:
                return events

    def event_types(self, arn: str) -> list[str]:
        return [event["EventType"] for event in self.history(arn)]


@pytest.fixture(params=["memory", "sqlite"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def harness() -> Iterator[Harness]:
    service = DurableExecutionService(clock=VirtualClock(start=START), seed=7)
    yield Harness(service)
    service.close()


@pytest.fixture
def any_store_harness(store_kind: str, tmp_path: Any) -> Iterator[Harness]:
    store = MemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "local.db")
    service = DurableExecutionService(store=store, clock=VirtualClock(start=START), seed=7)
    yield Harness(service)
    service.close()


def step_start(op_id: str, **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.STEP)
    return OperationUpdate(op_id, OperationType.STEP, OperationAction.START, **kw)


def step_succeed(op_id: str, payload: str | None = '"ok"', **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.STEP)
    return OperationUpdate(
        op_id, OperationType.STEP, OperationAction.SUCCEED, payload=payload, **kw
    )


def step_fail(op_id: str, error: Any = None, **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.STEP)
    return OperationUpdate(op_id, OperationType.STEP, OperationAction.FAIL, error=error, **kw)


def step_retry(op_id: str, delay: int = 1, **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.STEP)
    return OperationUpdate(
        op_id, OperationType.STEP, OperationAction.RETRY, step_options=StepOptions(delay), **kw
    )


def wait_start(op_id: str, seconds: int = 1, **kw: Any) -> OperationUpdate:
    kw.setdefault("sub_type", OperationSubType.WAIT)
    return OperationUpdate(
        op_id, OperationType.WAIT, OperationAction.START, wait_options=WaitOptions(seconds), **kw
    )
