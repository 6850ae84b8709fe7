"""The local control plane (``DurableExecutionService``) behind the HTTP routes.

Requests arrive as model members; the service takes and returns the client package's
wire models, so this adapter only converts at the boundary and turns the service's
typed errors into the error shapes boto3 expects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from durable_lambda_client import ErrorObject, ExecutionStatus, InvocationType
from durable_lambda_local._checkpoint_validation import parse_operation_updates
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import DurableServiceError
from durable_lambda_local.http._backend import WireMembers
from durable_lambda_local.http._errors import ApiError, ErrorCode

T = TypeVar("T")

SYNC_INVOKE_TIMEOUT_SECONDS = 900.0
"""Lambda ends synchronous invocations after 15 minutes; so does the local server."""


class ServiceBackend:
    """Serves :class:`DurableExecutionService` through :func:`create_app`.

    Args:
        service: the control plane; may be given later with :meth:`attach` (requests
            that arrive before then wait for it), so that a server can listen before the
            service recovers executions that will call it back.
    """

    def __init__(self, service: DurableExecutionService | None = None) -> None:
        self._service = service
        self._attached = threading.Event()
        if service is not None:
            self._attached.set()

    def attach(self, service: DurableExecutionService) -> None:
        """Serve ``service`` from now on (releases requests waiting for it)."""
        self._service = service
        self._attached.set()

    @property
    def service(self) -> DurableExecutionService:
        """The control plane (waits until one is attached)."""
        self._attached.wait()
        assert self._service is not None
        return self._service

    def function_names(self) -> list[str]:
        """Names of the registered functions and of the functions the store has
        executions of (so that tools can list executions nobody hosts any more)."""
        service = self.service
        names = {name.split(":", 1)[0] for name in service.functions.names()}
        names.update(service.store.function_names())
        return sorted(names)

    def checkpoint_durable_execution(self, request: WireMembers) -> WireMembers:
        with _translated_errors():
            updates = parse_operation_updates(request.get("Updates"))
            return self.service.checkpoint_durable_execution(
                request["DurableExecutionArn"],
                request["CheckpointToken"],
                updates,
                request.get("ClientToken"),
            ).to_dict()

    def get_durable_execution_state(self, request: WireMembers) -> WireMembers:
        return _call(
            lambda: self.service.get_durable_execution_state(
                request["DurableExecutionArn"],
                request["CheckpointToken"],
                request.get("Marker"),
                request.get("MaxItems"),
            ).to_dict()
        )

    def get_durable_execution(self, request: WireMembers) -> WireMembers:
        return _call(
            lambda: self.service.get_durable_execution(
                request["DurableExecutionArn"], request.get("IncludeExecutionData", True)
            ).to_dict()
        )

    def get_durable_execution_history(self, request: WireMembers) -> WireMembers:
        return _call(
            lambda: self.service.get_durable_execution_history(
                request["DurableExecutionArn"],
                include_execution_data=request.get("IncludeExecutionData", True),
                max_items=request.get("MaxItems"),
                marker=request.get("Marker"),
                reverse_order=request.get("ReverseOrder", False),
            ).to_dict()
        )

    def list_durable_executions_by_function(self, request: WireMembers) -> WireMembers:
        statuses = request.get("Statuses")
        return _call(
            lambda: self.service.list_durable_executions_by_function(
                request["FunctionName"],
                qualifier=request.get("Qualifier"),
                durable_execution_name=request.get("DurableExecutionName"),
                statuses=[ExecutionStatus(s) for s in statuses] if statuses else None,
                started_after=request.get("StartedAfter"),
                started_before=request.get("StartedBefore"),
                reverse_order=request.get("ReverseOrder", False),
                marker=request.get("Marker"),
                max_items=request.get("MaxItems"),
            ).to_dict()
        )

    def send_durable_execution_callback_success(self, request: WireMembers) -> WireMembers:
        _call(
            lambda: self.service.send_durable_execution_callback_success(
                request["CallbackId"], request.get("Result")
            )
        )
        return {}

    def send_durable_execution_callback_failure(self, request: WireMembers) -> WireMembers:
        _call(
            lambda: self.service.send_durable_execution_callback_failure(
                request["CallbackId"], _error_object(request.get("Error"))
            )
        )
        return {}

    def send_durable_execution_callback_heartbeat(self, request: WireMembers) -> WireMembers:
        _call(lambda: self.service.send_durable_execution_callback_heartbeat(request["CallbackId"]))
        return {}

    def stop_durable_execution(self, request: WireMembers) -> WireMembers:
        return _call(
            lambda: self.service.stop_durable_execution(
                request["DurableExecutionArn"], _error_object(request.get("Error"))
            ).to_dict()
        )

    def pause_durable_execution(self, request: WireMembers) -> WireMembers:
        _call(
            lambda: self.service.pause_durable_execution(
                request["DurableExecutionArn"],
                client_token=request.get("ClientToken"),
                reason=request.get("Reason"),
                execution_timeout_paused=request.get("ExecutionTimeoutPaused", True),
            )
        )
        return {}

    def resume_durable_execution(self, request: WireMembers) -> WireMembers:
        _call(
            lambda: self.service.resume_durable_execution(
                request["DurableExecutionArn"],
                client_token=request.get("ClientToken"),
                reason=request.get("Reason"),
            )
        )
        return {}

    def delete_durable_execution(self, request: WireMembers) -> WireMembers:
        return _call(
            lambda: self.service.delete_durable_execution(request["DurableExecutionArn"]).to_dict()
        )

    def invoke(self, request: WireMembers) -> WireMembers:
        invocation_type = InvocationType(request.get("InvocationType") or "RequestResponse")
        with _translated_errors():
            try:
                output = self.service.invoke(
                    request["FunctionName"],
                    request.get("Payload"),
                    qualifier=request.get("Qualifier"),
                    invocation_type=invocation_type,
                    durable_execution_name=request.get("DurableExecutionName"),
                    tenant_id=request.get("TenantId"),
                    trace_header=request.get("X-Amzn-Trace-Id"),
                    timeout=SYNC_INVOKE_TIMEOUT_SECONDS,
                )
            except TimeoutError as error:
                raise ApiError(
                    ErrorCode.SERVICE,
                    f"{error}; synchronous invocations end after "
                    f"{SYNC_INVOKE_TIMEOUT_SECONDS:.0f} seconds, use InvocationType=Event "
                    "for longer executions",
                ) from None
        return {
            "StatusCode": output.status_code,
            "Payload": output.payload if output.status_code == 200 else None,
            "FunctionError": output.function_error,
            "ExecutedVersion": output.executed_version,
            "DurableExecutionArn": output.durable_execution_arn,
        }


def _error_object(member: Any) -> ErrorObject | None:
    return ErrorObject.from_dict(member) if member else None


def _call(work: Callable[[], T]) -> T:
    with _translated_errors():
        return work()


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except DurableServiceError as error:
        try:
            code = ErrorCode(error.shape_name)
        except ValueError:
            code = ErrorCode.SERVICE
        raise ApiError(
            code,
            error.message,
            reason=getattr(error, "reason", None),
            retry_after_seconds=getattr(error, "retry_after_seconds", None),
        ) from None
