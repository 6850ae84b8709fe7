"""One update waiting in the checkpoint queue, with its wire form computed once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from durable_lambda_state._completion_event import CompletionEvent

if TYPE_CHECKING:
    from durable_lambda_client import OperationUpdate

__all__ = ["QueuedOperation"]


@dataclass(frozen=True)
class QueuedOperation:
    """An update on its way to the service, and the event its synchronous caller waits on.

    Attributes:
        operation_update: the update to send; None for an *empty checkpoint*, a call
            that sends no update and only refreshes the token and the operations.
        completion_event: set once the update is durable (or with the error that lost
            it); None for an asynchronous checkpoint, whose caller does not wait.
    """

    operation_update: OperationUpdate | None
    completion_event: CompletionEvent | None = None

    @cached_property
    def wire(self) -> dict[str, Any] | None:
        """The update as the API's JSON object (``OperationUpdate.to_dict``), built once.

        The batcher measures the update with it and the call sends it, so an update is
        converted to its wire form exactly once, by whichever thread sends it.
        """
        if self.operation_update is None:
            return None
        return self.operation_update.to_dict()

    @cached_property
    def size_bytes(self) -> int:
        """Bytes the update adds to a call: the length of its JSON text (0 when empty).

        ``json.dumps`` escapes every non-ASCII character by default, so the text is
        pure ASCII and its length in characters is its length in UTF-8 bytes.
        """
        wire = self.wire
        if wire is None:
            return 0
        return len(json.dumps(wire))
