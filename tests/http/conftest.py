"""Fixtures for the HTTP API tests: a fake backend served by uvicorn, and boto3 clients."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from durable_lambda_local.http import HttpServer, create_app


def _load_fake_backend_module() -> Any:
    name = "durable_lambda_http_tests_fake_backend"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fake_backend.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fake_backend_module = _load_fake_backend_module()


class _CurrentBackend:
    """Forwards every call to the backend of the running test."""

    def __init__(self) -> None:
        self.target: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


@pytest.fixture(scope="session")
def _served() -> Iterator[tuple[HttpServer, _CurrentBackend]]:
    current = _CurrentBackend()
    with HttpServer(create_app(current), port=0) as server:
        yield server, current


@pytest.fixture
def backend(_served: tuple[HttpServer, _CurrentBackend]) -> Any:
    """A fresh fake backend behind the session's server."""
    fresh = fake_backend_module.FakeBackend()
    _served[1].target = fresh
    return fresh


@pytest.fixture
def endpoint(_served: tuple[HttpServer, _CurrentBackend], backend: Any) -> str:
    """Base URL of the server (bound to this test's fake backend)."""
    return _served[0].url


def make_client(endpoint: str) -> Any:
    """A boto3 Lambda client pointed at ``endpoint``, with dummy credentials, no retries."""
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def client(endpoint: str) -> Any:
    """boto3 Lambda client against the fake backend's server."""
    return make_client(endpoint)


@pytest.fixture(scope="session")
def client_for() -> Any:
    """``client_for(url)``: a boto3 Lambda client for any server."""
    return make_client
