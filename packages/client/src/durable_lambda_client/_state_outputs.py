"""What Checkpoint and GetDurableExecutionState return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from durable_lambda_client._operation import Operation

__all__ = ["CheckpointOutput", "CheckpointUpdatedExecutionState", "StateOutput"]


@dataclass(frozen=True, slots=True)
class _OperationsPage:
    """The shape both outputs share; each public class is its own type, so a
    ``StateOutput`` never equals a ``CheckpointUpdatedExecutionState``."""

    operations: list[Operation] = field(default_factory=list)
    next_marker: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Operations", "NextMarker"}`` (boto3's form)."""
        return cls(
            [Operation.from_dict(item) for item in data.get("Operations") or ()],
            data.get("NextMarker"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``Operations`` always and ``NextMarker`` when set."""
        result: dict[str, Any] = {"Operations": [item.to_dict() for item in self.operations]}
        if self.next_marker is not None:
            result["NextMarker"] = self.next_marker
        return result


@dataclass(frozen=True, slots=True)
class CheckpointUpdatedExecutionState(_OperationsPage):
    """Operations changed since the handler last saw them (incl. the ones just sent).

    ``next_marker`` is set when the change set did not fit in one response; fetch the
    rest with ``get_execution_state`` and the new checkpoint token.
    """


@dataclass(frozen=True, slots=True)
class CheckpointOutput:
    """Response of ``CheckpointDurableExecution``.

    ``checkpoint_token`` is the token for the next call. The service leaves it out when
    this invocation may not checkpoint again; ``from_dict`` then gives ``""``.
    """

    checkpoint_token: str
    new_execution_state: CheckpointUpdatedExecutionState

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"CheckpointToken", "NewExecutionState"}`` (missing -> ``""`` / empty)."""
        state = data.get("NewExecutionState")
        return cls(
            data.get("CheckpointToken") or "",
            CheckpointUpdatedExecutionState()
            if state is None
            else CheckpointUpdatedExecutionState.from_dict(state),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the response; ``CheckpointToken`` is omitted when empty."""
        result: dict[str, Any] = {"NewExecutionState": self.new_execution_state.to_dict()}
        if self.checkpoint_token:
            result["CheckpointToken"] = self.checkpoint_token
        return result


@dataclass(frozen=True, slots=True)
class StateOutput(_OperationsPage):
    """One page of ``GetDurableExecutionState``; ``next_marker`` is set while more remain."""
