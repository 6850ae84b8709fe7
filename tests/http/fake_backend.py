"""A small in-memory backend that speaks the HTTP layer's protocol, for wire tests.

It keeps just enough state (executions, one callback each, events) to exercise every
route, paging and error; the service's real semantics are tested with the control plane.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from durable_lambda_local.http import ApiError, ErrorCode, WireMembers

ACCOUNT = "123456789012"
REGION = "us-east-1"
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"}


@dataclass
class FakeExecution:
    arn: str
    name: str
    function: str
    payload: str
    started: datetime
    status: str = "RUNNING"
    result: str | None = None
    error: dict[str, Any] | None = None
    ended: datetime | None = None
    token: str = ""
    callback_id: str = ""
    callback_status: str = "STARTED"
    callback_result: Any = None
    events: list[dict[str, Any]] = field(default_factory=list)


class FakeBackend:
    """Records every request and answers with canned, model-valid members."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.executions: dict[str, FakeExecution] = {}
        self._lock = threading.Lock()
        self._clock = 0

    def function_names(self) -> list[str]:
        return sorted({e.function for e in self.executions.values()})

    def last(self, operation: str) -> dict[str, Any]:
        """The members of the last request of ``operation`` the backend received."""
        for name, params in reversed(self.requests):
            if name == operation:
                return params
        raise AssertionError(f"no {operation} request received")

    def _record(self, operation: str, request: WireMembers) -> None:
        self.requests.append((operation, dict(request)))

    def _now(self) -> datetime:
        self._clock += 1
        return EPOCH + timedelta(seconds=self._clock, milliseconds=250)

    def _get(self, arn: str) -> FakeExecution:
        execution = self.executions.get(arn)
        if execution is None:
            raise ApiError.not_found("Durable Execution does not exist")
        return execution

    # -- Invoke ------------------------------------------------------------------------
    def invoke(self, request: WireMembers) -> WireMembers:
        self._record("Invoke", request)
        function = str(request["FunctionName"]).split(":")[-1]
        if function == "missing":
            raise ApiError.not_found(f"Function not found: {request['FunctionName']}")
        if function == "throttled":
            raise ApiError(
                ErrorCode.TOO_MANY_REQUESTS,
                "Rate exceeded",
                reason="CallerRateLimitExceeded",
                retry_after_seconds=7,
            )
        if function == "boom":
            raise RuntimeError("the backend broke")
        payload = (request.get("Payload") or b"{}").decode()
        kind = request.get("InvocationType", "RequestResponse")
        if kind == "DryRun":
            return {"StatusCode": 204}
        with self._lock:
            name = request.get("DurableExecutionName") or str(uuid.uuid4())
            for existing in self.executions.values():
                if existing.name == name and existing.function == function:
                    if existing.payload != payload:
                        raise ApiError(
                            ErrorCode.DURABLE_EXECUTION_ALREADY_STARTED,
                            f"Execution {name} already started with a different input",
                        )
                    return self._invoke_answer(existing, kind)
            execution_id = str(uuid.uuid4())
            arn = (
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:$LATEST"
                f"/durable-execution/{name}/{execution_id}"
            )
            started = self._now()
            execution = FakeExecution(
                arn=arn,
                name=name,
                function=function,
                payload=payload,
                started=started,
                token=base64.b64encode(b"\xfb\xff" + execution_id.encode()).decode(),
                callback_id=base64.b64encode(b"\xfb\xff\xbf" + execution_id.encode()).decode(),
            )
            execution.events.append(
                {
                    "EventType": "ExecutionStarted",
                    "EventId": 1,
                    "Id": execution_id,
                    "Name": name,
                    "EventTimestamp": started,
                    "ExecutionStartedDetails": {
                        "Input": {"Payload": payload, "Truncated": False},
                        "ExecutionTimeout": 300,
                    },
                }
            )
            for index in range(2, 8):
                execution.events.append(
                    {
                        "EventType": "StepStarted",
                        "EventId": index,
                        "Id": f"step-{index}",
                        "SubType": "Step",
                        "EventTimestamp": started + timedelta(seconds=index),
                        "StepStartedDetails": {},
                    }
                )
            if kind == "RequestResponse":
                execution.status = "SUCCEEDED"
                execution.result = payload
                execution.ended = self._now()
            self.executions[arn] = execution
            return self._invoke_answer(execution, kind)

    def _invoke_answer(self, execution: FakeExecution, kind: str) -> WireMembers:
        if kind == "Event":
            return {"StatusCode": 202, "DurableExecutionArn": execution.arn}
        if execution.function == "failing":
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": json.dumps({"errorType": "ValueError", "errorMessage": "no"}).encode(),
                "ExecutedVersion": "$LATEST",
                "DurableExecutionArn": execution.arn,
            }
        return {
            "StatusCode": 200,
            "Payload": (execution.result or "null").encode(),
            "ExecutedVersion": "$LATEST",
            "DurableExecutionArn": execution.arn,
        }

    # -- SDK-facing ----------------------------------------------------------------------
    def checkpoint_durable_execution(self, request: WireMembers) -> WireMembers:
        self._record("CheckpointDurableExecution", request)
        execution = self.executions.get(request["DurableExecutionArn"])
        if execution is None or execution.token != request["CheckpointToken"]:
            raise ApiError.invalid_parameter("Invalid checkpoint token")
        execution.token = base64.b64encode(execution.token.encode()[:40]).decode()
        operations = [
            {
                "Id": update["Id"],
                "Type": update["Type"],
                "Status": "SUCCEEDED",
                "StartTimestamp": self._now(),
                "StepDetails": {"Attempt": 1, "Result": update.get("Payload")},
            }
            for update in request.get("Updates", [])
        ]
        return {"CheckpointToken": execution.token, "NewExecutionState": {"Operations": operations}}

    def get_durable_execution_state(self, request: WireMembers) -> WireMembers:
        self._record("GetDurableExecutionState", request)
        execution = self.executions.get(request["DurableExecutionArn"])
        if execution is None or execution.token != request["CheckpointToken"]:
            raise ApiError.invalid_parameter("Invalid checkpoint token")
        operations = [
            {
                "Id": f"op-{index}",
                "Type": "STEP",
                "Status": "SUCCEEDED",
                "StartTimestamp": execution.started,
                "EndTimestamp": execution.started + timedelta(seconds=index),
                "StepDetails": {},
            }
            for index in range(5)
        ]
        return _page(operations, request, "Operations", default=100)

    # -- reads ---------------------------------------------------------------------------
    def get_durable_execution(self, request: WireMembers) -> WireMembers:
        self._record("GetDurableExecution", request)
        execution = self._get(request["DurableExecutionArn"])
        include = request.get("IncludeExecutionData", True)
        return {
            "DurableExecutionArn": execution.arn,
            "DurableExecutionName": execution.name,
            "FunctionArn": _function_arn(execution.function),
            "InputPayload": execution.payload if include else None,
            "Result": execution.result if include else None,
            "Error": execution.error if include else None,
            "StartTimestamp": execution.started,
            "EndTimestamp": execution.ended,
            "Status": execution.status,
            "Version": "$LATEST",
            "ExecutionDataIncluded": include,
            "TraceHeader": {},
        }

    def get_durable_execution_history(self, request: WireMembers) -> WireMembers:
        self._record("GetDurableExecutionHistory", request)
        execution = self._get(request["DurableExecutionArn"])
        events = list(execution.events)
        if request.get("ReverseOrder"):
            events.reverse()
        return _page(events, request, "Events", default=100)

    def list_durable_executions_by_function(self, request: WireMembers) -> WireMembers:
        self._record("ListDurableExecutionsByFunction", request)
        function = str(request["FunctionName"]).split(":")[-1]
        if function == "missing":
            raise ApiError.not_found(f"Function not found: {request['FunctionName']}")
        rows = [e for e in self.executions.values() if e.function == function]
        if request.get("Statuses"):
            rows = [e for e in rows if e.status in request["Statuses"]]
        if request.get("DurableExecutionName"):
            rows = [e for e in rows if e.name == request["DurableExecutionName"]]
        if request.get("StartedAfter"):
            rows = [e for e in rows if e.started >= request["StartedAfter"]]
        rows.sort(key=lambda e: e.started, reverse=not request.get("ReverseOrder", False))
        summaries = [
            {
                "DurableExecutionArn": e.arn,
                "DurableExecutionName": e.name,
                "FunctionArn": _function_arn(e.function),
                "Status": e.status,
                "StartTimestamp": e.started,
                "EndTimestamp": e.ended,
            }
            for e in rows
        ]
        return _page(summaries, request, "DurableExecutions", default=100)

    # -- callbacks -----------------------------------------------------------------------
    def _callback(self, callback_id: str) -> FakeExecution:
        for execution in self.executions.values():
            if execution.callback_id == callback_id:
                if execution.callback_status != "STARTED" or execution.status in TERMINAL:
                    raise ApiError(
                        ErrorCode.CALLBACK_TIMEOUT, "The callback has expired or is already closed"
                    )
                return execution
        raise ApiError.not_found(f"Callback {callback_id} does not exist")

    def send_durable_execution_callback_success(self, request: WireMembers) -> WireMembers:
        self._record("SendDurableExecutionCallbackSuccess", request)
        execution = self._callback(request["CallbackId"])
        execution.callback_status = "SUCCEEDED"
        execution.callback_result = request.get("Result")
        return {}

    def send_durable_execution_callback_failure(self, request: WireMembers) -> WireMembers:
        self._record("SendDurableExecutionCallbackFailure", request)
        execution = self._callback(request["CallbackId"])
        execution.callback_status = "FAILED"
        execution.callback_result = request.get("Error")
        return {}

    def send_durable_execution_callback_heartbeat(self, request: WireMembers) -> WireMembers:
        self._record("SendDurableExecutionCallbackHeartbeat", request)
        self._callback(request["CallbackId"])
        return {}

    # -- control -------------------------------------------------------------------------
    def stop_durable_execution(self, request: WireMembers) -> WireMembers:
        self._record("StopDurableExecution", request)
        execution = self._get(request["DurableExecutionArn"])
        if execution.status not in TERMINAL:
            execution.status = "STOPPED"
            execution.error = request.get("Error") or {
                "ErrorMessage": "Execution stopped by user request"
            }
            execution.ended = self._now()
        return {"StopTimestamp": execution.ended}

    def pause_durable_execution(self, request: WireMembers) -> WireMembers:
        self._record("PauseDurableExecution", request)
        execution = self._get(request["DurableExecutionArn"])
        if execution.status != "RUNNING":
            raise ApiError(
                ErrorCode.RESOURCE_CONFLICT,
                f"Cannot pause an execution in status {execution.status}",
            )
        execution.status = "PAUSED"
        return {}

    def resume_durable_execution(self, request: WireMembers) -> WireMembers:
        self._record("ResumeDurableExecution", request)
        execution = self._get(request["DurableExecutionArn"])
        if execution.status != "PAUSED":
            raise ApiError(
                ErrorCode.RESOURCE_CONFLICT,
                f"Cannot resume an execution in status {execution.status}",
            )
        execution.status = "RUNNING"
        return {}

    def delete_durable_execution(self, request: WireMembers) -> WireMembers:
        self._record("DeleteDurableExecution", request)
        execution = self._get(request["DurableExecutionArn"])
        if execution.status not in TERMINAL:
            raise ApiError(
                ErrorCode.RESOURCE_CONFLICT,
                f"Cannot delete an execution in status {execution.status}",
            )
        del self.executions[execution.arn]
        return {"DeletionRequestTimestamp": self._now()}


def _page(items: list[Any], request: Mapping[str, Any], key: str, *, default: int) -> WireMembers:
    size = request.get("MaxItems") or default
    marker = request.get("Marker")
    start = 0
    if marker is not None:
        if not marker.startswith("m+/"):
            raise ApiError.invalid_parameter("Invalid marker")
        start = int(marker[3:])
    page = items[start : start + size]
    end = start + size
    return {key: page, "NextMarker": f"m+/{end}" if end < len(items) else None}


def _function_arn(function: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:$LATEST"
