"""Running handler code in-process, the way Lambda would observe it.

Each call runs on a named daemon worker thread (reused between calls), so a handler that
hangs past its timeout can be abandoned without blocking the service or the interpreter's
exit. The outcome says whether the handler returned, raised, made the runtime exit
(``SystemExit`` and other non-``Exception`` throwables), or ran out of time.
"""

from __future__ import annotations

import itertools
import queue
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from enum import Enum

from durable_lambda_client import ErrorObject

__all__ = [
    "HANDLER_THREAD_PREFIX",
    "CallOutcome",
    "Invoker",
    "OutcomeKind",
    "error_from_exception",
]

HANDLER_THREAD_PREFIX = "durable-local-invoke"
"""Name prefix of the threads handlers run on."""


class OutcomeKind(Enum):
    RETURNED = "RETURNED"
    RAISED = "RAISED"
    EXITED = "EXITED"
    TIMED_OUT = "TIMED_OUT"


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """How one handler call ended: its return value, or the error Lambda would report."""

    kind: OutcomeKind
    value: object = None
    error: ErrorObject | None = None


def error_from_exception(error: BaseException) -> ErrorObject:
    """The error object Lambda reports for an unhandled exception."""
    stack = [line.rstrip("\n") for line in traceback.format_tb(error.__traceback__)]
    return ErrorObject(str(error), type(error).__name__, None, stack or None)


class _Worker:
    __slots__ = ("inbox", "thread")

    def __init__(self, pool: Invoker, name: str) -> None:
        self.inbox: queue.SimpleQueue[tuple[Callable[[], object], Future[object]] | None] = (
            queue.SimpleQueue()
        )
        self.thread = threading.Thread(target=pool._work, args=(self,), name=name, daemon=True)


class Invoker:
    """Runs calls on reusable daemon threads named ``<prefix>-<n>``.

    Args:
        thread_name_prefix: prefix of the worker thread names.
    """

    def __init__(self, thread_name_prefix: str = HANDLER_THREAD_PREFIX) -> None:
        self._prefix = thread_name_prefix
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._closed = False

    def call(self, function: Callable[[], object], timeout_seconds: float | None) -> CallOutcome:
        """Run ``function`` and wait for it at most ``timeout_seconds`` (None: forever).

        Raises:
            RuntimeError: the invoker was closed.
        """
        future: Future[object] = Future()
        self._submit(function, future)
        try:
            value = future.result(timeout=timeout_seconds)
        except FutureTimeoutError:
            return CallOutcome(OutcomeKind.TIMED_OUT)
        except Exception as error:
            return CallOutcome(OutcomeKind.RAISED, error=error_from_exception(error))
        except BaseException as error:  # the handler's own SystemExit & co, not ours
            return CallOutcome(
                OutcomeKind.EXITED,
                error=ErrorObject(
                    f"Runtime exited: {type(error).__name__}: {error}",
                    "Runtime.ExitError",
                    None,
                    None,
                ),
            )
        return CallOutcome(OutcomeKind.RETURNED, value=value)

    def spawn(self, function: Callable[[], object]) -> None:
        """Run ``function`` on a worker without waiting; it must handle its own errors.

        Raises:
            RuntimeError: the invoker was closed.
        """
        self._submit(function, Future())

    def close(self) -> None:
        """Let idle workers exit; busy ones exit when their call returns."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.inbox.put(None)

    def _submit(self, function: Callable[[], object], future: Future[object]) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the invoker is closed")
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker(self, f"{self._prefix}-{next(self._counter)}")
            worker.inbox.put((function, future))
            worker.thread.start()
        else:
            worker.inbox.put((function, future))

    def _work(self, worker: _Worker) -> None:
        while True:
            task = worker.inbox.get()
            if task is None:
                return
            function, future = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as error:
                    future.set_exception(error)
            with self._lock:
                if self._closed:
                    return
                self._idle.append(worker)
