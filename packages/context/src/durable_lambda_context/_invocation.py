"""What every context of one handler invocation shares: the state and the first fatal error."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from durable_lambda_client import NonDeterministicExecutionError, OperationUpdate

if TYPE_CHECKING:
    from durable_lambda_concurrency import ItemContext
    from durable_lambda_state import ExecutionState


class _Shared:
    __slots__ = ("lock", "non_determinism")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.non_determinism: NonDeterministicExecutionError | None = None


class Invocation:
    """Per-invocation facts shared by the root context and all its children.

    Once non-determinism is detected nothing more may be checkpointed in this
    invocation (the recorded history must not be extended by code that no
    longer matches it), and the handler's outcome becomes FAILED whatever the
    user code does with the error.

    A map/parallel branch sees its own ``Invocation`` (``for_branch``) whose
    checkpoints pass through the branch's write permit: once the batch has
    decided, a branch still running cannot record anything more.
    """

    __slots__ = ("_item", "_outer", "_shared", "arn", "state")

    def __init__(self, state: ExecutionState) -> None:
        self.state = state
        self.arn: str = state.durable_execution_arn
        self._shared = _Shared()
        self._outer: Invocation | None = None
        self._item: ItemContext | None = None

    def for_branch(self, item: ItemContext) -> Invocation:
        """The view of a map/parallel branch: same state, checkpoints gated by ``item``."""
        branch = Invocation.__new__(Invocation)
        branch.state = self.state
        branch.arn = self.arn
        branch._shared = self._shared
        branch._outer = self
        branch._item = item
        return branch

    @property
    def non_determinism(self) -> NonDeterministicExecutionError | None:
        """The first non-determinism error of this invocation, if any."""
        return self._shared.non_determinism

    def record_non_determinism(
        self, error: NonDeterministicExecutionError
    ) -> NonDeterministicExecutionError:
        """Remember the first non-determinism error; return the one to raise."""
        shared = self._shared
        with shared.lock:
            if shared.non_determinism is None:
                shared.non_determinism = error
            return shared.non_determinism

    def checkpoint(self, update: OperationUpdate | None, *, sync: bool) -> None:
        """Send ``update`` through the state's batcher (blocking when ``sync``).

        Raises:
            NonDeterministicExecutionError: non-determinism was detected earlier.
            ItemCancelled: this branch's batch has already decided.
        """
        failure = self._shared.non_determinism
        if failure is not None:
            raise failure
        item = self._item
        if item is None:
            self.state.create_checkpoint(update, is_sync=sync)
            return
        outer = self._outer
        assert outer is not None
        with item.writing():
            outer.checkpoint(update, sync=sync)
