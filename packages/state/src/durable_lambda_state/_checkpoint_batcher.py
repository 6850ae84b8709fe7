"""The ordered queue of updates and the sending of them in batched checkpoint calls.

How it works: updates join one FIFO queue. At most one thread at a time holds the
*sender role*; it takes the longest prefix of the queue that fits the limits, makes
one call, settles that batch, and goes on while work remains. A synchronous caller
that finds no call in flight takes the role itself and sends from its own thread (no
hand-off, no wake-up latency); it gives the role back once its own update is settled,
and a named background thread carries on with whatever is left. An asynchronous
caller never sends: it wakes the background thread when no call is in flight.
Updates that arrive while a call is in flight wait for that call and then travel
together in the next one, so batches grow with load and nothing waits for a timer.

Lock discipline: an asynchronous caller appends to the queue without taking the lock
while a call is in flight. Were it to take the lock, the producer and the sender
would hand the lock, and with it the interpreter lock, back and forth for every
update, and batches would shrink to a few updates each. The sender role is given up
only under the lock and only after re-reading the queue, and a caller that appended
takes the lock whenever it sees no call in flight, so no update is ever left behind.
This relies on ``deque.append`` and the reads of plain attributes being atomic, as
they are under CPython's interpreter lock. Measuring updates (their JSON size)
happens outside the lock, too.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from enum import Enum

from durable_lambda_client import BackgroundThreadError, CheckpointError, CheckpointErrorCategory
from durable_lambda_state._batcher_config import CheckpointBatcherConfig
from durable_lambda_state._queued_operation import QueuedOperation

__all__ = ["CheckpointBatcher", "SendBatch", "StopReason"]

logger = logging.getLogger("durable_lambda_state")

SendBatch = Callable[[Sequence[QueuedOperation]], "BackgroundThreadError | None"]
"""Makes one checkpoint call for a batch and merges its response.

Returns None to carry on, or the error that later checkpoints must raise when the
service accepted the batch but withheld the next token. Raises when the call failed.
"""

_PEEK = 256  # updates measured per look at the queue when forming a batch


class StopReason(Enum):
    """Why checkpointing ended without a failure."""

    CLOSED = "closed"
    """``stop_checkpointing``/``close`` was called."""
    TOKEN_REVOKED = "token_revoked"
    """The service accepted a call but returned no checkpoint token."""


def _stopped_error() -> BackgroundThreadError:
    return BackgroundThreadError(
        "Checkpointing stopped before the update was sent",
        CheckpointError(
            "Checkpointing was stopped; the update was not sent.",
            CheckpointErrorCategory.INVOCATION,
        ),
    )


class CheckpointBatcher:
    """Sends queued updates in order, in calls that respect the configured limits.

    Args:
        send: makes one call for a batch (see ``SendBatch``).
        config: the per-call limits.
        thread_name: name of the background thread, started on first need.
    """

    def __init__(
        self,
        send: SendBatch,
        config: CheckpointBatcherConfig,
        *,
        thread_name: str = "durable-checkpointer",
    ) -> None:
        self._send = send
        self._max_ops = config.max_batch_operations
        self._max_bytes = config.max_batch_size_bytes
        self._thread_name = thread_name
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._settled = threading.Condition(self._lock)
        self._queue: deque[QueuedOperation] = deque()
        self._in_flight = False  # somebody holds the sender role
        self._in_flight_count = 0  # updates taken by the sender and not yet settled
        self._done = 0  # updates settled successfully
        self._halt: BackgroundThreadError | None = None
        self._halt_reason = StopReason.CLOSED
        self._failure: BackgroundThreadError | None = None
        self._thread: threading.Thread | None = None
        self._calls = itertools.count(1)
        self._call_count = 0
        self._outcome: Future[StopReason] = Future()
        self._outcome_claimed = False

    # ---------------------------------------------------------------- queries

    @property
    def outcome(self) -> Future[StopReason]:
        """Completes once checkpointing has ended and no call is in flight.

        Result: the ``StopReason``. Exception: the ``BackgroundThreadError`` of a
        failed call.
        """
        return self._outcome

    @property
    def failure(self) -> BackgroundThreadError | None:
        """The error of the failed call, or None while no call has failed."""
        return self._failure

    @property
    def halted(self) -> bool:
        """True once checkpointing has ended: stopped, failed or token revoked."""
        return self._halt is not None

    @property
    def call_count(self) -> int:
        """Number of checkpoint calls made so far (successful or not)."""
        return self._call_count

    # ------------------------------------------------------------- submitting

    def submit(self, item: QueuedOperation) -> bool:
        """Queue ``item`` behind everything submitted before it.

        Returns:
            True when the caller now holds the sender role and must call
            ``drive(item)``: ``item`` is synchronous and no call was in flight.

        Raises:
            BackgroundThreadError: checkpointing has ended (failed, stopped, or the
                token was revoked); nothing was queued.
        """
        if item.completion_event is None:
            halt = self._halt
            if halt is not None:
                raise halt
            self._queue.append(item)
            if not self._in_flight:
                with self._lock:
                    if not self._in_flight and self._halt is None and self._queue:
                        self._wake_worker()
            return False
        with self._lock:
            if self._halt is not None:
                raise self._halt
            self._queue.append(item)
            if self._in_flight:
                return False
            self._in_flight = True
            return True

    def drive(self, item: QueuedOperation) -> None:
        """Send batches from the calling thread until ``item`` is settled.

        Only for the thread that ``submit`` gave the sender role. Everything queued
        before ``item`` goes first (FIFO). Once ``item`` is settled the role passes to
        the background thread if work remains. The outcome of ``item`` is read from its
        completion event afterwards.
        """
        event = item.completion_event
        try:
            while event is not None and not event.is_set():
                batch = self._next_batch()
                if not batch:
                    break
                self._send_and_settle(batch)
        finally:
            with self._lock:
                self._in_flight = False
                # Re-read after clearing the flag: see the module docstring.
                if self._queue and self._halt is None:
                    self._wake_worker()
                self._settled.notify_all()
                outcome = self._outcome_if_final()
            self._publish(outcome)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every update submitted before this call is durable.

        Makes no call of its own: it only waits for the sender to get there.

        Returns:
            True when they are durable (or nothing was pending); False on timeout.

        Raises:
            BackgroundThreadError: checkpointing ended before they were all sent.
        """
        with self._lock:
            target = self._done + self._in_flight_count + len(self._queue)
            if not self._settled.wait_for(
                lambda: self._done >= target or self._halt is not None, timeout
            ):
                return False
            if self._done >= target:
                return True
            assert self._halt is not None
            raise self._halt

    # ---------------------------------------------------------------- workers

    def serve(self) -> None:
        """Act as a background sender in the calling thread until checkpointing ends."""
        while True:
            with self._lock:
                while self._halt is None and (self._in_flight or not self._queue):
                    self._work.wait()
                if self._halt is not None:
                    return
                self._in_flight = True
            keep = True
            try:
                while keep:
                    batch = self._next_batch()
                    if batch:
                        self._send_and_settle(batch)
                    keep = self._keep_role()
            finally:
                if keep:  # left by an exception while holding the role
                    self._give_up_role()

    def _keep_role(self) -> bool:
        # The sender asks whether to go on; if not, the role is given up.
        with self._lock:
            self._in_flight = False
            # Re-read after clearing the flag: see the module docstring.
            if self._queue and self._halt is None:
                self._in_flight = True
                return True
            self._settled.notify_all()
            outcome = self._outcome_if_final()
        self._publish(outcome)
        return False

    def _give_up_role(self) -> None:
        with self._lock:
            self._in_flight = False
            self._settled.notify_all()
            outcome = self._outcome_if_final()
        self._publish(outcome)

    def _wake_worker(self) -> None:
        # Caller holds the lock.
        if self._thread is None:
            self._thread = threading.Thread(target=self._run_worker, name=self._thread_name)
            self._thread.daemon = True
            self._thread.start()
        else:
            self._work.notify()

    def _run_worker(self) -> None:
        try:
            self.serve()
        except BaseException as exc:
            # A defect in the loop itself: never leave callers waiting for it.
            logger.exception("Checkpoint batch processing failed")
            self._fail(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)), [])

    # --------------------------------------------------------------- stopping

    def stop(self) -> None:
        """End checkpointing: drop queued updates and refuse new ones.

        A call in flight completes and is settled normally. Synchronous callers whose
        update is dropped are released with a ``BackgroundThreadError``.
        """
        with self._lock:
            if self._halt is None:
                self._halt_with(_stopped_error(), StopReason.CLOSED)
            outcome = self._outcome_if_final()
        self._publish(outcome)

    def wait_idle(self) -> None:
        """Wait until no call is in flight (after ``stop`` none will start again)."""
        with self._lock:
            self._settled.wait_for(lambda: not self._in_flight)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background thread to end (call ``stop`` first)."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # --------------------------------------------------------------- internals

    def _next_batch(self) -> list[QueuedOperation]:
        # An update that cannot be converted to its wire form fails checkpointing
        # like a failed call would: it can never be sent, and order forbids skipping it.
        try:
            return self._take_batch()
        except Exception as exc:
            logger.exception("Checkpoint batch processing failed")
            self._fail(exc, [])
            return []

    def _take_batch(self) -> list[QueuedOperation]:
        # Sender role held. The longest prefix of the queue within the limits; the
        # first update is always taken, however large, so that nothing gets stuck.
        # Only the sender removes items (a halt empties the queue under the lock), so
        # what is measured outside the lock is still the head of the queue after it.
        queue = self._queue
        max_ops = self._max_ops
        max_bytes = self._max_bytes
        count = ops = size = 0
        full = False
        while not full:
            with self._lock:
                if self._halt is not None:
                    return []
                # Indexing, not an iterator: an iterator created here would raise
                # "deque mutated during iteration" if an asynchronous caller appended
                # between its creation and its use (appends do not take the lock).
                peeked = [queue[index] for index in range(count, min(count + _PEEK, len(queue)))]
            if not peeked:
                break
            for item in peeked:
                if item.operation_update is not None:
                    item_size = item.size_bytes
                    if ops and (ops >= max_ops or size + item_size > max_bytes):
                        full = True
                        break
                    ops += 1
                    size += item_size
                count += 1
            if len(peeked) < _PEEK:
                break
        with self._lock:
            if self._halt is not None:
                return []
            batch = [queue.popleft() for _ in range(count)]
            self._in_flight_count = count
        return batch

    def _send_and_settle(self, batch: list[QueuedOperation]) -> None:
        self._call_count = next(self._calls)
        try:
            revoked = self._send(batch)
        except Exception as exc:
            logger.exception("Checkpoint batch processing failed")
            self._fail(exc, batch)
            return
        except BaseException as exc:
            self._fail(RuntimeError(f"checkpoint call interrupted by {exc!r}"), batch)
            raise
        with self._lock:
            for item in batch:
                if item.completion_event is not None:
                    item.completion_event.set()
            self._done += len(batch)
            self._in_flight_count = 0
            if revoked is not None and self._halt is None:
                self._halt_with(revoked, StopReason.TOKEN_REVOKED)
            self._settled.notify_all()

    def _fail(self, exc: Exception, batch: list[QueuedOperation]) -> None:
        error = BackgroundThreadError("Checkpoint creation failed", exc)
        with self._lock:
            if self._failure is None:
                self._failure = error
            for item in batch:
                if item.completion_event is not None:
                    item.completion_event.set(error)
            self._in_flight_count = 0
            # The failure replaces a plain stop as the reason new work is refused.
            self._halt_with(self._failure, StopReason.CLOSED)
            outcome = self._outcome_if_final()
        self._publish(outcome)

    def _halt_with(self, error: BackgroundThreadError, reason: StopReason) -> None:
        # Caller holds the lock.
        self._halt = error
        self._halt_reason = reason
        while self._queue:
            item = self._queue.popleft()
            if item.completion_event is not None:
                item.completion_event.set(error)
        self._work.notify_all()
        self._settled.notify_all()

    def _outcome_if_final(self) -> Callable[[], None] | None:
        # Caller holds the lock. A future runs its callbacks when resolved, so it is
        # resolved after the lock is released (by _publish), exactly once.
        if self._halt is None or self._in_flight or self._outcome_claimed:
            return None
        self._outcome_claimed = True
        future = self._outcome
        failure = self._failure
        reason = self._halt_reason
        if failure is not None:
            return lambda: future.set_exception(failure)
        return lambda: future.set_result(reason)

    @staticmethod
    def _publish(outcome: Callable[[], None] | None) -> None:
        if outcome is not None:
            outcome()
