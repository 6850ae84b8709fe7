"""The local durable-execution service: the control plane behind every API.

:class:`DurableExecutionService` implements the Lambda durable-execution API in-process:
starting executions (Invoke), checkpoints and state, history and listings, callbacks,
chained invokes, stop/pause/resume/delete, plus the invocation loop that runs handlers.
Every public method takes and returns the client package's wire models and raises the
service errors of ``_errors`` (shape name, HTTP status, message), so an HTTP layer only
translates. The class is assembled from one mixin per API area over the shared engine
(``_service_core``).
"""

from __future__ import annotations

from durable_lambda_local._callback_api import CallbackApi
from durable_lambda_local._checkpoint_api import CheckpointApi
from durable_lambda_local._execution_api import ExecutionApi, InvokeOutput
from durable_lambda_local._invocation_loop import InvocationLoop
from durable_lambda_local._read_api import ReadApi

__all__ = ["DurableExecutionService", "InvokeOutput"]


class DurableExecutionService(ExecutionApi, CheckpointApi, CallbackApi, ReadApi, InvocationLoop):
    """An in-process Lambda durable-execution service.

    Args:
        store: where executions live (default: a fresh :class:`MemoryStore`).
        clock: the source of time (default: a :class:`VirtualClock`).
        mode: who drives work (default: manual for a virtual clock, background otherwise).
        region: region of every ARN the service hands out.
        account: account id of every ARN.
        seed: make execution ids, names, request ids and callback ids reproducible.
        max_invocation_attempts: consecutive failed invocations before the execution
            fails with the last error.
        invocation_retry_delay: seconds (clock time) between a failed invocation and
            its retry.
        max_invalid_pending_outputs: consecutive ``PENDING`` outputs with nothing pending
            before the execution fails.
        max_page_bytes: byte budget of a state page.
        history_payload_limit: payloads larger than this are withheld from history pages
            (None: never).
        functions: the function registry (default: an empty one).
        max_cached_executions: ended executions kept in working memory (older ones are
            read back from the store when needed).
        autostart: start background work at once (background mode). Reopening a store
            with unfinished executions resumes them immediately, so register their
            functions first (``functions=``) or pass False and call ``start()`` after
            registering.

    Example:
        >>> service = DurableExecutionService(seed=1)
        >>> service.register(LocalFunction("echo", lambda event, ctx: event, durable=False))
        >>> service.invoke("echo", b'{"a": 1}').payload
        b'{"a": 1}'
    """
