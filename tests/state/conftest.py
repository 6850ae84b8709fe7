"""Fixtures of the state tests: a fake service client and states that are always closed."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from durable_lambda_client import Operation
from durable_lambda_state import CheckpointBatcherConfig, ExecutionState


def _load_fakes() -> Any:
    name = "state_test_fakes"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fakes.py"))
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


fakes = _load_fakes()


@pytest.fixture
def client() -> Any:
    return fakes.FakeClient()


@pytest.fixture
def make_state(client: Any) -> Iterator[Callable[..., ExecutionState]]:
    """Build states over ``client``; every state is closed at the end of the test."""
    created: list[ExecutionState] = []

    def make(
        *,
        token: str = "t0",
        operations: dict[str, Operation] | None = None,
        config: CheckpointBatcherConfig | None = None,
        service: Any = None,
    ) -> ExecutionState:
        state = ExecutionState(
            fakes.ARN,
            token,
            {} if operations is None else operations,
            client if service is None else service,
            config,
        )
        created.append(state)
        return state

    yield make
    if client.gate is not None:  # a failed test may have left a call held in flight
        client.gate.set()
    for state in created:
        state.close()
    leftovers = [
        t.name for t in threading.enumerate() if t.name == "durable-checkpointer-statetests01"
    ]
    assert leftovers == []
