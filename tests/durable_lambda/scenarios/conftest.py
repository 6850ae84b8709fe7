"""Acceptance scenarios (sdk-scenarios.md), each run against two backends.

A scenario arranges a handler, runs it to its end, answers its callbacks, and asserts
on the result, the operations the service recorded and the exact updates the SDK sent.
The ``scenario`` fixture runs every such test twice:

- ``fake``: the in-memory ``FakeService`` of ``tests/context`` (no threads, no local
  service), so that a failure there points at the SDK;
- ``runner``: ``DurableFunctionTestRunner`` of ``durable-lambda-local``, end to end.

Both backends have virtual time: waits, retries and callback timeouts take no real
time. Scenarios that need what only the local service does (its history, state
pages, timestamps between several timers) take ``runner_scenario``; those that need
faults only the fake can inject (failed checkpoint calls, hand-made records) are unit
tests in ``tests/context``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from durable_lambda_client import (
    ChainedInvokeDetails,
    CheckpointOutput,
    DurableExecutionInvocationInputWithClient,
    DurableServiceClient,
    ErrorObject,
    ExecutionStatus,
    OperationStatus,
    OperationType,
    OperationUpdate,
    StateOutput,
)
from durable_lambda_context._operation_ids import branch_id, operation_id
from durable_lambda_local import DurableFunctionTestResult, DurableFunctionTestRunner, VirtualClock
from tests.context.fake_service import ARN, FakeService

START = datetime(2025, 1, 1, tzinfo=UTC)

WAIT = 30.0
"""Bound on any wait for another thread: generous, as only a hang should reach it."""

ID1, ID2, ID3 = (operation_id(None, n) for n in (1, 2, 3))
ID1_1, ID1_2 = operation_id(ID1, 1), operation_id(ID1, 2)
ID1_B0 = branch_id(ID1, 0)

Handler = Callable[[Any, Any], dict[str, Any]]

_EMPTY: Any = object()


class _RecordingClient:
    """Forwards to the service's client and records every call it is asked to make."""

    def __init__(self, inner: DurableServiceClient, sink: Scenario) -> None:
        self._inner = inner
        self._sink = sink

    def checkpoint(
        self,
        *,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
    ) -> CheckpointOutput:
        self._sink._record(updates)
        output = self._inner.checkpoint(
            durable_execution_arn=durable_execution_arn,
            checkpoint_token=checkpoint_token,
            updates=updates,
            client_token=client_token,
        )
        self._sink.on_checkpointed(updates)
        return output

    def get_execution_state(
        self,
        *,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = 1000,
    ) -> StateOutput:
        return self._inner.get_execution_state(
            durable_execution_arn=durable_execution_arn,
            checkpoint_token=checkpoint_token,
            next_marker=next_marker,
            max_items=max_items,
        )


class Scenario:
    """One handler on one backend, with what it checkpointed recorded.

    ``invocations`` holds, per handler invocation, the updates it checkpointed in the
    order they were sent (the retries of a failed invocation included); ``calls`` holds
    the updates of each checkpoint call; ``outputs`` the envelope of each invocation
    that returned, ``raised`` the exception of each one that raised instead.
    """

    backend = ""

    def __init__(self, handler: Handler) -> None:
        self._lock = threading.Lock()
        self.invocations: list[list[OperationUpdate]] = []
        self.calls: list[list[OperationUpdate]] = []
        self.outputs: list[dict[str, Any]] = []
        self.raised: list[BaseException] = []
        self.on_checkpointed: Callable[[list[OperationUpdate]], None] = lambda updates: None
        """Called after the service accepted a checkpoint call (tests hook events here)."""
        self.handler = self._recording(handler)

    def _recording(self, handler: Handler) -> Handler:
        def invoke(event: Any, lambda_context: Any) -> dict[str, Any]:
            with self._lock:
                self.invocations.append([])
            if isinstance(event, DurableExecutionInvocationInputWithClient):
                event = dataclasses.replace(
                    event, service_client=_RecordingClient(event.service_client, self)
                )
            try:
                output = handler(event, lambda_context)
            except BaseException as error:
                with self._lock:
                    self.raised.append(error)
                raise
            with self._lock:
                self.outputs.append(output)
            return output

        return invoke

    def _record(self, updates: list[OperationUpdate]) -> None:
        with self._lock:
            self.invocations[-1].extend(updates)
            self.calls.append(list(updates))

    # -- running (each backend) ------------------------------------------------------

    def run(self, input: Any = _EMPTY) -> DurableFunctionTestResult:
        """Run the execution (input ``{}`` by default) to its end."""
        return self.finish(self.start(input))

    def start(self, input: Any = _EMPTY) -> str:
        """Start the execution (input ``{}`` by default) without running it; return its
        ARN."""
        raise NotImplementedError

    def finish(self, arn: str) -> DurableFunctionTestResult:
        """Run the started execution to its end."""
        raise NotImplementedError

    def callback_id(self, arn: str, name: str) -> str:
        """Run until the callback ``name`` (or the one inside the wait_for_callback
        called ``name``) is open and the invocation that created it has ended."""
        raise NotImplementedError

    def run_until(self, predicate: Callable[[], bool]) -> bool:
        """Run until ``predicate()`` holds; False when the execution ended first."""
        raise NotImplementedError

    def send_callback_success(self, callback_id: str, result: bytes) -> None:
        raise NotImplementedError

    def send_callback_failure(self, callback_id: str, error: ErrorObject | None) -> None:
        raise NotImplementedError

    def register_durable_function(self, name: str, handler: Handler, **options: Any) -> None:
        """Make ``handler`` the target of chained invokes of ``name``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the backend holds."""

    # -- what was checkpointed -----------------------------------------------------

    @property
    def updates(self) -> list[OperationUpdate]:
        return [update for invocation in self.invocations for update in invocation]

    def summary(
        self, invocation: int | None = None
    ) -> list[tuple[str, str | None, str, str | None]]:
        """``(Type, SubType, Action, Name)`` of every update (of one invocation)."""
        updates = self.updates if invocation is None else self.invocations[invocation]
        return [
            (
                update.operation_type.value,
                update.sub_type.value if update.sub_type is not None else None,
                update.action.value,
                update.name,
            )
            for update in updates
        ]

    def wire(self, invocation: int | None = None) -> list[dict[str, Any]]:
        """Every update (of one invocation) in its wire form."""
        updates = self.updates if invocation is None else self.invocations[invocation]
        return [update.to_dict() for update in updates]


class RunnerScenario(Scenario):
    """The handler under ``DurableFunctionTestRunner`` with a virtual clock at ``START``."""

    backend = "runner"

    def __init__(self, handler: Handler, **options: Any) -> None:
        super().__init__(handler)
        options.setdefault("clock", VirtualClock(start=START))
        self.runner = DurableFunctionTestRunner(self.handler, **options)

    def start(self, input: Any = _EMPTY) -> str:
        return self.runner.run_async(input={} if input is _EMPTY else input)

    def finish(self, arn: str) -> DurableFunctionTestResult:
        return self.runner.wait_for_result(arn, timeout=30)

    def callback_id(self, arn: str, name: str) -> str:
        return self.runner.wait_for_callback(arn, name=name, timeout=30)

    def run_until(self, predicate: Callable[[], bool]) -> bool:
        return self.runner.run_until(predicate, timeout=30)

    def send_callback_success(self, callback_id: str, result: bytes) -> None:
        self.runner.send_callback_success(callback_id, result)

    def send_callback_failure(self, callback_id: str, error: ErrorObject | None) -> None:
        self.runner.send_callback_failure(callback_id, error)

    def register_durable_function(self, name: str, handler: Handler, **options: Any) -> None:
        self.runner.register_durable_function(name, handler, **options)

    def close(self) -> None:
        self.runner.close()


class FakeScenario(Scenario):
    """The handler invoked in the test's thread against a ``FakeService``.

    Plays the service's part between invocations as the local service does: an
    invocation that raised is invoked again (up to ``MAX_ATTEMPTS`` times in a row);
    after one that returned PENDING, the next one starts at once when an outside event
    happened (a callback answered, a chained invoke finished), otherwise time passes
    first (``FakeService.advance``). Chained invokes run their registered target to its
    end on a fake service of their own.

    Args:
        handler: the handler under test.
        execution_timeout: accepted as the runner does; the fake has no execution
            timeout.
    """

    backend = "fake"
    MAX_ATTEMPTS = 5
    MAX_INVOCATIONS = 100

    def __init__(self, handler: Handler, execution_timeout: int | None = None) -> None:
        super().__init__(handler)
        self._service: FakeService | None = None
        self._functions: dict[str, Handler] = {}
        self._invoked = False
        self._outside_event = False
        self._failures = 0
        self._last_error: ErrorObject | None = None
        self._ended: tuple[ExecutionStatus, str | None, ErrorObject | None] | None = None

    @property
    def service(self) -> FakeService:
        assert self._service is not None, "start the execution first"
        return self._service

    def start(self, input: Any = _EMPTY) -> str:
        return self._start(json.dumps({} if input is _EMPTY else input))

    def _start(self, input_payload: str | None) -> str:
        self._service = FakeService(input_payload, start=START)
        self._service.on_invoke_start = self._start_invoke
        return ARN

    def finish(self, arn: str) -> DurableFunctionTestResult:
        self._drive()
        return self.result()

    def callback_id(self, arn: str, name: str) -> str:
        def ready() -> bool:
            return self._invoked and bool(self._open_callbacks(name))

        if not self._drive(ready):
            raise AssertionError(f"the execution ended without opening callback {name!r}")
        details = self._open_callbacks(name)[-1].callback_details
        assert details is not None
        return details.callback_id

    def run_until(self, predicate: Callable[[], bool]) -> bool:
        return self._drive(predicate)

    def send_callback_success(self, callback_id: str, result: bytes) -> None:
        self._answer(callback_id, OperationStatus.SUCCEEDED, result=result.decode())

    def send_callback_failure(self, callback_id: str, error: ErrorObject | None) -> None:
        self._answer(callback_id, OperationStatus.FAILED, error=error)

    def register_durable_function(self, name: str, handler: Handler, **options: Any) -> None:
        self._functions[name] = handler

    def result(self) -> DurableFunctionTestResult:
        """The execution as it stands (it must have ended)."""
        assert self._ended is not None, "the execution has not ended"
        status, result, error = self._ended
        return DurableFunctionTestResult.from_operations(
            execution_status=status,
            operations=list(self.service.operations.values()),
            result=result,
            error=error,
            execution_arn=ARN,
        )

    # -- playing the service's part ------------------------------------------------

    def _drive(self, until: Callable[[], bool] | None = None) -> bool:
        for _ in range(self.MAX_INVOCATIONS):
            if until is not None and until():
                return True
            if self._ended is not None:
                return False
            waiting = self._invoked and self._last_error is None and not self._outside_event
            # Time passes only when nothing else can move the execution on.
            if waiting and not self._finish_chained_invokes():
                self.service.advance()
            self._outside_event = False
            self._invoke()
        raise TimeoutError(f"not done after {self.MAX_INVOCATIONS} invocations")

    def _invoke(self) -> None:
        self._invoked = True
        try:
            output = self.service.invoke(self.handler)
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            self._failures += 1
            self._last_error = ErrorObject(str(error), type(error).__name__, None, None)
            if self._failures >= self.MAX_ATTEMPTS:
                self._ended = (ExecutionStatus.FAILED, None, self._last_error)
            return
        self._failures = 0
        self._last_error = None
        if output["Status"] == "SUCCEEDED":
            self._ended = (ExecutionStatus.SUCCEEDED, output.get("Result"), None)
        elif output["Status"] == "FAILED":
            error = output.get("Error")
            failure = None if error is None else ErrorObject.from_dict(error)
            self._ended = (ExecutionStatus.FAILED, None, failure)

    def _open_callbacks(self, name: str) -> list[Any]:
        operations = self.service.operations
        return [
            operation
            for operation in operations.values()
            if operation.operation_type is OperationType.CALLBACK
            and operation.status is OperationStatus.STARTED
            and (
                operation.name == name
                or (
                    operation.parent_id in operations
                    and operations[operation.parent_id].name == name
                )
            )
        ]

    def _answer(self, callback_id: str, status: OperationStatus, **details: Any) -> None:
        (operation,) = [
            operation
            for operation in self.service.operations.values()
            if operation.callback_details is not None
            and operation.callback_details.callback_id == callback_id
        ]
        assert operation.status is OperationStatus.STARTED, f"{callback_id} is not open"
        assert operation.callback_details is not None
        self.service.update_operation(
            operation,
            status=status,
            end_timestamp=self.service.now(),
            callback_details=dataclasses.replace(operation.callback_details, **details),
        )
        self._outside_event = True

    def _start_invoke(self, operation: Any) -> Any:
        function_name, _ = self.service.invoke_requests[operation.operation_id]
        if function_name in self._functions:
            return operation
        error = ErrorObject(
            f"Function not found: {function_name}", "ResourceNotFoundException", None, None
        )
        return dataclasses.replace(
            operation,
            status=OperationStatus.FAILED,
            chained_invoke_details=ChainedInvokeDetails(error=error),
        )

    def _finish_chained_invokes(self) -> bool:
        """Run every started chained invoke's target to its end; True when there was one."""
        started = [
            operation
            for operation in self.service.operations.values()
            if operation.operation_type is OperationType.CHAINED_INVOKE
            and operation.status is OperationStatus.STARTED
        ]
        for operation in started:
            function_name, payload = self.service.invoke_requests[operation.operation_id]
            target = FakeScenario(self._functions[function_name])
            target._functions = self._functions
            target._start(payload)
            outcome = target.finish(ARN)
            status = (
                OperationStatus.SUCCEEDED
                if outcome.status.value == "SUCCEEDED"
                else OperationStatus.FAILED
            )
            self.service.update_operation(
                operation,
                status=status,
                end_timestamp=self.service.now(),
                chained_invoke_details=ChainedInvokeDetails(outcome.result, outcome.error),
            )
        return bool(started)


BACKENDS: dict[str, Callable[..., Scenario]] = {"fake": FakeScenario, "runner": RunnerScenario}


def _builder(backend: str) -> Iterator[Callable[..., Scenario]]:
    made: list[Scenario] = []

    def build(handler: Handler, **options: Any) -> Scenario:
        made.append(BACKENDS[backend](handler, **options))
        return made[-1]

    yield build
    for item in made:
        item.close()


@pytest.fixture(params=sorted(BACKENDS))
def scenario(request: pytest.FixtureRequest) -> Iterator[Callable[..., Scenario]]:
    """Build ``Scenario(handler, **runner_options)`` on each backend in turn."""
    yield from _builder(request.param)


@pytest.fixture
def runner_scenario() -> Iterator[Callable[..., Scenario]]:
    """Build ``Scenario(handler, **runner_options)`` on the local runner only."""
    yield from _builder("runner")


def flat(result: DurableFunctionTestResult) -> list[tuple[str, str | None, str | None, str]]:
    """``(Type, SubType, Name, Status)`` of every recorded operation, parents first."""
    return [
        (op.operation_type.value, op.sub_type, op.name, op.status.value)
        for op in result.get_all_operations()
    ]
