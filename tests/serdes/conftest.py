"""Fixtures for the serdes tests: serdes instances with a registry of their own.

Registration is process-wide by default; tests that register classes use a
fresh ``TypeRegistry`` so they neither see nor leave registrations behind
(e.g. ``BatchResult`` under ``"br"`` once the context package is imported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from durable_lambda_serdes import ExtendedTypeSerDes, TypeRegistry


@pytest.fixture
def registry() -> TypeRegistry:
    return TypeRegistry()


@pytest.fixture
def serdes(registry: TypeRegistry) -> ExtendedTypeSerDes[Any]:
    """An extended-types serdes whose registry starts empty."""
    return ExtendedTypeSerDes(registry=registry)


@dataclass(frozen=True)
class StandInBatchResult:
    """Shaped like concurrency's BatchResult as far as serialization can tell."""

    all: list[dict[str, Any]]
    completion_reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"all": self.all, "completionReason": self.completion_reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StandInBatchResult:
        return cls(all=data["all"], completion_reason=data["completionReason"])


@pytest.fixture
def batch_result_serdes(registry: TypeRegistry) -> ExtendedTypeSerDes[Any]:
    """A serdes whose registry knows the stand-in under "br", as context registers BatchResult."""
    registry.register(
        StandInBatchResult, "br", StandInBatchResult.to_dict, StandInBatchResult.from_dict
    )
    return ExtendedTypeSerDes(registry=registry)
