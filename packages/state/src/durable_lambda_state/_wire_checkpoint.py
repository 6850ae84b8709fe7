"""The optional client method that takes updates already in their wire form."""

from __future__ import annotations

from typing import Any, Protocol

from durable_lambda_client import CheckpointOutput

__all__ = ["SupportsWireCheckpoint"]


class SupportsWireCheckpoint(Protocol):
    """A service client that accepts updates already converted by ``OperationUpdate.to_dict``.

    The batcher converts every update to its wire form once, to measure it against
    the byte limit of a call. When the client's class defines ``checkpoint_wire``,
    the state sends those very dictionaries instead of the ``OperationUpdate``
    objects, so no update is converted twice. Clients without it get the objects
    through ``DurableServiceClient.checkpoint``, as the reference SDK does.
    """

    def checkpoint_wire(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[dict[str, Any]],
        client_token: str | None,
    ) -> CheckpointOutput:
        """Like ``DurableServiceClient.checkpoint``, with ``Updates`` given as wire dicts."""
        ...
