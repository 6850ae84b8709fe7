"""Fixtures of the context tests: a fresh in-memory service (see ``fake_service``)."""

from __future__ import annotations

import pytest

from .fake_service import FakeService


@pytest.fixture
def service() -> FakeService:
    """A fresh execution whose input is ``{}``."""
    return FakeService()


@pytest.fixture
def new_service() -> type[FakeService]:
    """The ``FakeService`` class, for tests that need a particular input."""
    return FakeService


@pytest.fixture(autouse=True)
def _completion_config_errors() -> None:
    """Other packages' tests may reset the concurrency error hook; restore ours."""
    from durable_lambda_context._config import register_completion_config_errors

    register_completion_config_errors()
