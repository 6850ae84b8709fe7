"""Acceptance scenarios (sdk-scenarios.md) run end to end through the local service.

Each scenario's handler is run by ``DurableFunctionTestRunner`` (virtual time, so waits
and retries take no real time). The handler's service client is wrapped so that every
update the SDK checkpoints is recorded: tests assert the result, the operations the
service recorded and the exact updates sent. Scenarios that need faults the service
cannot produce (checkpoint 5xx, throttling, malformed envelopes) stay with the fake
service in ``tests/context``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from durable_lambda_client import (
    CheckpointOutput,
    DurableExecutionInvocationInputWithClient,
    DurableServiceClient,
    OperationUpdate,
    StateOutput,
)
from durable_lambda_context._operation_ids import branch_id, operation_id
from durable_lambda_local import (
    DurableFunctionTestResult,
    DurableFunctionTestRunner,
    Operation,
    VirtualClock,
)

START = datetime(2025, 1, 1, tzinfo=UTC)

ID1, ID2, ID3 = (operation_id(None, n) for n in (1, 2, 3))
ID1_1, ID1_2 = operation_id(ID1, 1), operation_id(ID1, 2)
ID1_B0 = branch_id(ID1, 0)

Handler = Callable[[Any, Any], dict[str, Any]]

_EMPTY: Any = object()


class _RecordingClient:
    """Forwards to the service's client and records every update it is asked to send."""

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
    """One handler under a ``DurableFunctionTestRunner`` with its checkpoints recorded.

    ``invocations`` holds, per handler invocation, the updates it checkpointed in the
    order they were sent (the service's retries of the same invocation included).
    """

    def __init__(self, handler: Handler, **options: Any) -> None:
        self._lock = threading.Lock()
        self.invocations: list[list[OperationUpdate]] = []
        self.outputs: list[dict[str, Any]] = []
        self.on_checkpointed: Callable[[list[OperationUpdate]], None] = lambda updates: None
        """Called after the service accepted a checkpoint call (tests hook events here)."""
        options.setdefault("clock", VirtualClock(start=START))
        self.runner = DurableFunctionTestRunner(self._recording(handler), **options)

    def _recording(self, handler: Handler) -> Handler:
        def invoke(event: Any, lambda_context: Any) -> dict[str, Any]:
            with self._lock:
                self.invocations.append([])
            if isinstance(event, DurableExecutionInvocationInputWithClient):
                event = dataclasses.replace(
                    event, service_client=_RecordingClient(event.service_client, self)
                )
            output = handler(event, lambda_context)
            with self._lock:
                self.outputs.append(output)
            return output

        return invoke

    def _record(self, updates: list[OperationUpdate]) -> None:
        with self._lock:
            self.invocations[-1].extend(updates)

    # -- running -------------------------------------------------------------------

    def run(self, input: Any = _EMPTY) -> DurableFunctionTestResult:
        """Run the execution (input ``{}`` by default) to its end; time skips over
        waits and retries."""
        return self.runner.run(input={} if input is _EMPTY else input, timeout=30)

    def start(self, input: Any = _EMPTY) -> str:
        """Start the execution (input ``{}`` by default) without running it; returns
        its ARN."""
        return self.runner.run_async(input={} if input is _EMPTY else input)

    def finish(self, arn: str) -> DurableFunctionTestResult:
        return self.runner.wait_for_result(arn, timeout=30)

    def callback_id(self, arn: str, name: str) -> str:
        """Run until the callback ``name`` is open; return its id."""
        return self.runner.wait_for_callback(arn, name=name, timeout=30)

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

    def close(self) -> None:
        self.runner.close()


@pytest.fixture
def scenario() -> Iterator[Callable[..., Scenario]]:
    """Build ``Scenario(handler, **runner_options)``; closed after the test."""
    made: list[Scenario] = []

    def build(handler: Handler, **options: Any) -> Scenario:
        made.append(Scenario(handler, **options))
        return made[-1]

    yield build
    for item in made:
        item.close()


def flat(result: DurableFunctionTestResult) -> list[tuple[str, str | None, str | None, str]]:
    """``(Type, SubType, Name, Status)`` of every recorded operation, parents first."""
    return [
        (op.operation_type.value, op.sub_type, op.name, op.status.value)
        for op in result.get_all_operations()
    ]


def by_id(result: DurableFunctionTestResult, operation_id: str) -> Operation:
    return result.get_operation(operation_id)
