"""``ExecutionState``: the invocation's view of its durable execution, and its checkpoints."""

from __future__ import annotations

import threading
from collections.abc import Iterable, MutableMapping, Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import cast

from durable_lambda_client import (
    BackgroundThreadError,
    CheckpointError,
    CheckpointErrorCategory,
    DurableServiceClient,
    Operation,
    OperationType,
    OperationUpdate,
)
from durable_lambda_state._batcher_config import CheckpointBatcherConfig
from durable_lambda_state._checkpoint_batcher import CheckpointBatcher, StopReason
from durable_lambda_state._checkpointed_result import CHECKPOINT_NOT_FOUND, CheckpointedResult
from durable_lambda_state._child_registry import ChildRegistry
from durable_lambda_state._completion_event import CompletionEvent
from durable_lambda_state._queued_operation import QueuedOperation
from durable_lambda_state._replay import ReplayStatus, ReplayTracker
from durable_lambda_state._wire_checkpoint import SupportsWireCheckpoint

__all__ = ["ExecutionState"]

_MAX_ITEMS = 1000
_NO_TOKEN_MESSAGE = "Cannot checkpoint without a checkpoint token."


def _no_token_error() -> CheckpointError:
    return CheckpointError(_NO_TOKEN_MESSAGE, CheckpointErrorCategory.INVOCATION)


class ExecutionState:
    """Operations by id, replay tracking, and the checkpoints of one invocation.

    The handler wrapper builds one per invocation from the input envelope, pages in
    the rest of the state with ``fetch_paginated_operations``, hands it to the root
    context, and closes it when the handler is done. Operations read records with
    ``get_checkpoint_result`` (a dictionary lookup, no service call) and record
    progress with ``create_checkpoint``.

    Checkpoints travel through one ordered queue. A synchronous checkpoint returns
    once its update is durable and the response's operations are merged into
    ``operations``; when no call is in flight it is sent from the caller's own thread.
    An asynchronous checkpoint returns at once; a background thread named
    ``durable-checkpointer-…`` sends it as soon as no call is in flight, together
    with whatever else has queued up meanwhile (up to the ``batcher_config`` limits
    per call). Each call uses the token returned by the previous one.

    When a call fails, every waiting caller and every later checkpoint raises
    ``BackgroundThreadError`` (whose ``source_exception`` is the client's error), and
    ``checkpointing_stopped`` completes with that error so that the handler wrapper
    learns of it even while the handler is busy elsewhere.

    Args:
        durable_execution_arn: the execution's ARN.
        initial_checkpoint_token: the token from the input envelope.
        operations: the mapping that stores operations by id; usually ``{}`` before
            ``fetch_paginated_operations`` fills it. It is updated in place.
        service_client: makes the checkpoint and state calls. When its class also
            has ``checkpoint_wire`` (``SupportsWireCheckpoint``), updates are sent in
            the wire form the batcher already built to measure them.
        batcher_config: per-call limits; the defaults are 250 updates and 750 KiB.
        replay_status: the initial status; ``fetch_paginated_operations`` decides it
            again from the complete state.

    Example:
        >>> state = ExecutionState(arn, token, {}, client)  # doctest: +SKIP
        >>> state.fetch_paginated_operations(first_page, token, next_marker)  # doctest: +SKIP
        >>> state.create_checkpoint(OperationUpdate.create_step_start(ident))  # doctest: +SKIP
        >>> state.close()  # doctest: +SKIP
    """

    def __init__(
        self,
        durable_execution_arn: str,
        initial_checkpoint_token: str,
        operations: MutableMapping[str, Operation],
        service_client: DurableServiceClient,
        batcher_config: CheckpointBatcherConfig | None = None,
        replay_status: ReplayStatus = ReplayStatus.NEW,
    ) -> None:
        self.durable_execution_arn: str = durable_execution_arn
        self.operations: MutableMapping[str, Operation] = operations
        self._token = initial_checkpoint_token
        self._client = service_client
        # Looked up on the class: a mock answers every attribute on the instance.
        self._wire_client: SupportsWireCheckpoint | None = (
            cast(SupportsWireCheckpoint, service_client)
            if callable(getattr(type(service_client), "checkpoint_wire", None))
            else None
        )
        self._operations_lock = threading.Lock()
        self._admission_lock = threading.Lock()
        self._replay = ReplayTracker(replay_status, operations.values())
        self._children = ChildRegistry(operations)
        self._token_revoked = False
        execution_id = durable_execution_arn.rsplit("/", 1)[-1][:12]
        self._batcher = CheckpointBatcher(
            self._send_batch,
            batcher_config or CheckpointBatcherConfig(),
            thread_name=f"durable-checkpointer-{execution_id}",
        )

    # ------------------------------------------------------------------ loading

    def fetch_paginated_operations(
        self,
        initial_operations: Iterable[Operation],
        checkpoint_token: str,
        next_marker: str | None,
    ) -> None:
        """Store the envelope's operations and every further page of the state.

        Calls ``get_execution_state`` with ``checkpoint_token`` while a marker is
        left, then stores all operations by id (a later duplicate replaces an earlier
        one). The replay status is then decided from the complete state: REPLAY when
        any stored operation is not the EXECUTION operation, NEW otherwise.

        Args:
            initial_operations: the operations of the envelope's first page.
            checkpoint_token: the envelope's token (reading does not consume it).
            next_marker: the envelope's ``NextMarker``; empty or None when complete.

        Raises:
            GetExecutionStateError: a page could not be read (the invocation should
                fail so that Lambda retries it).
        """
        loaded = list(initial_operations)
        if next_marker:
            loaded.extend(self._read_pages(checkpoint_token, next_marker))
        with self._operations_lock:
            for operation in loaded:
                self.operations[operation.operation_id] = operation
            stored = list(self.operations.values())
        replaying = any(op.operation_type is not OperationType.EXECUTION for op in stored)
        self._replay.load(stored, ReplayStatus.REPLAY if replaying else ReplayStatus.NEW)

    def _read_pages(self, checkpoint_token: str, marker: str) -> list[Operation]:
        pages: list[Operation] = []
        next_marker: str | None = marker
        while next_marker:
            page = self._client.get_execution_state(
                durable_execution_arn=self.durable_execution_arn,
                checkpoint_token=checkpoint_token,
                next_marker=next_marker,
                max_items=_MAX_ITEMS,
            )
            pages.extend(page.operations)
            next_marker = page.next_marker
        return pages

    # ------------------------------------------------------------------- replay

    @property
    def replay_status(self) -> ReplayStatus:
        """REPLAY while user code re-runs work of earlier invocations, else NEW."""
        return self._replay.status

    def is_replaying(self) -> bool:
        """True while the replay status is REPLAY (the context logger stays quiet)."""
        return self._replay.is_replaying()

    def track_replay(self, operation_id: str) -> None:
        """Record that an operation call has ended; may end replay.

        Call it when an operation call returns, and also when it raises its stored
        failure: the operation and all its stored descendants count as visited.
        Replay ends once every operation that was finished at the start of the
        invocation has been visited, or as soon as an operation that was not finished
        at start is tracked (user code has reached new work).
        """
        self._replay.track(operation_id)

    # ------------------------------------------------------------------ records

    def get_checkpoint_result(self, checkpoint_id: str) -> CheckpointedResult:
        """Return the stored record of ``checkpoint_id`` (``CHECKPOINT_NOT_FOUND`` if none).

        A dictionary lookup: the service is never called.
        """
        operation = self.operations.get(checkpoint_id)
        if operation is None:
            return CHECKPOINT_NOT_FOUND
        return CheckpointedResult.create_from_operation(operation)

    # -------------------------------------------------------------- checkpoints

    def create_checkpoint(
        self, operation_update: OperationUpdate | None = None, is_sync: bool = True
    ) -> None:
        """Queue an update for the service; when synchronous, wait until it is durable.

        Args:
            operation_update: the update; None for an empty checkpoint, a call that
                only fetches a fresh token and the latest operations.
            is_sync: True to return only after the update has been accepted and the
                response merged into ``operations``; False to return at once.

        Raises:
            OrphanedChildException: the update comes from below a context that has
                already completed; nothing was queued.
            BackgroundThreadError: checkpointing failed (now, or before this call),
                was stopped, or the token was revoked. ``source_exception`` says which.
        """
        item = QueuedOperation(operation_update, CompletionEvent() if is_sync else None)
        if operation_update is not None:
            with self._admission_lock:
                self._children.admit(operation_update)
                must_send = self._batcher.submit(item)
        else:
            must_send = self._batcher.submit(item)
        event = item.completion_event
        if event is None:
            return
        if must_send:
            self._batcher.drive(item)
        event.wait()

    def create_checkpoint_sync(self, operation_update: OperationUpdate | None = None) -> None:
        """Like a synchronous ``create_checkpoint``, but raise the client's own error.

        On failure checkpointing is stopped and the original exception (usually a
        ``CheckpointError``) is raised instead of the ``BackgroundThreadError``.
        """
        try:
            self.create_checkpoint(operation_update, is_sync=True)
        except BackgroundThreadError as error:
            self.stop_checkpointing()
            raise error.source_exception from error

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every checkpoint queued before this call is durable.

        Makes no call of its own (nothing pending: returns at once).

        Returns:
            True when they are durable; False when ``timeout`` expired first.

        Raises:
            BackgroundThreadError: checkpointing ended before they were all sent.
        """
        return self._batcher.flush(timeout)

    def _send_batch(self, batch: Sequence[QueuedOperation]) -> BackgroundThreadError | None:
        token = self._token
        if not token:
            raise _no_token_error()
        if self._wire_client is not None:
            output = self._wire_client.checkpoint_wire(
                durable_execution_arn=self.durable_execution_arn,
                checkpoint_token=token,
                updates=[item.wire for item in batch if item.wire is not None],
                client_token=None,
            )
        else:
            output = self._client.checkpoint(
                durable_execution_arn=self.durable_execution_arn,
                checkpoint_token=token,
                updates=[i.operation_update for i in batch if i.operation_update is not None],
                client_token=None,
            )
        new_token = output.checkpoint_token
        changed = output.new_execution_state.operations
        marker = output.new_execution_state.next_marker
        self._token = new_token
        if new_token and marker:
            changed = [*changed, *self._read_pages(new_token, marker)]
        if changed:
            with self._operations_lock:
                operations = self.operations
                for operation in changed:
                    operations[operation.operation_id] = operation
        if new_token:
            return None
        self._token_revoked = True
        return BackgroundThreadError(
            "Checkpointing stopped: the service returned no checkpoint token",
            _no_token_error(),
        )

    # ------------------------------------------------------- parents and orphans

    def mark_context_completed(self, context_id: str) -> None:
        """Reject every later update from below ``context_id``.

        Queuing a CONTEXT SUCCEED or FAIL update does this by itself; call it when a
        context ends without such an update.
        """
        with self._admission_lock:
            self._children.mark_completed(context_id)

    def is_orphaned(self, operation_id: str) -> bool:
        """True when a context above ``operation_id`` has completed.

        A branch may check it before starting work that would only be rejected.
        """
        with self._admission_lock:
            return self._children.is_orphaned(operation_id)

    # ----------------------------------------------------------- end and errors

    @property
    def checkpoint_token(self) -> str:
        """The token the next checkpoint call will present (empty once revoked)."""
        return self._token

    @property
    def checkpointing_stopped(self) -> Future[StopReason]:
        """Completes when checkpointing ends and no call is in flight.

        Its result is ``StopReason.CLOSED`` after ``close``/``stop_checkpointing``
        and ``StopReason.TOKEN_REVOKED`` when the service returned no token; it raises
        the ``BackgroundThreadError`` of a failed call. The handler wrapper can wait
        on it together with the handler's own future
        (``concurrent.futures.wait(..., return_when=FIRST_COMPLETED)``) to learn of a
        failed asynchronous checkpoint at once.
        """
        return self._batcher.outcome

    @property
    def checkpoint_failure(self) -> BackgroundThreadError | None:
        """The error of the failed checkpoint call, or None when none failed."""
        return self._batcher.failure

    def raise_if_checkpoint_failed(self) -> None:
        """Raise the stored ``BackgroundThreadError`` if any checkpoint call failed.

        The wrapper calls it (after ``close``) before reporting a result, so that an
        invocation never reports success once a checkpoint has been lost.
        """
        failure = self._batcher.failure
        if failure is not None:
            raise failure

    def is_token_revoked(self) -> bool:
        """True once the service answered without a token: this invocation may not
        checkpoint again. Unless the last batch carried the EXECUTION result, the
        invocation should end ``PENDING``."""
        return self._token_revoked

    @property
    def checkpoint_call_count(self) -> int:
        """Number of checkpoint calls made so far (for diagnostics and benchmarks)."""
        return self._batcher.call_count

    def checkpoint_batches_forever(self) -> None:
        """Lend the calling thread to the batcher until checkpointing ends.

        Optional: the state starts its own background thread when it first needs one,
        so nothing has to call this. It exists for code written against the reference
        SDK, which ran it in a worker thread; it returns after
        ``stop_checkpointing``/``close``, a failure or a token revocation.
        """
        self._batcher.serve()

    def stop_checkpointing(self) -> None:
        """End checkpointing: drop queued updates and refuse new ones.

        A call in flight still completes. Synchronous callers whose update is dropped
        are released with ``BackgroundThreadError``.
        """
        self._batcher.stop()

    def close(self) -> None:
        """Stop checkpointing and wait for the background thread to end.

        A call in flight (from the background thread or from another thread's
        synchronous checkpoint) is waited for. Idempotent. Afterwards no thread of
        this state is running and ``checkpoint_failure`` is final.
        """
        self._batcher.stop()
        self._batcher.join()
        self._batcher.wait_idle()

    def __enter__(self) -> ExecutionState:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
