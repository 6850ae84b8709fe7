"""An in-memory durable-execution service, just enough to drive an SDK without a runner.

It speaks the wire shapes (dicts with the botocore member names) and builds the
SDK's own ``CheckpointOutput``/``StateOutput`` from them, so it works with any SDK
that offers the reference ``DurableServiceClient`` protocol. It counts every call,
which is what the benchmarks report as checkpoint calls and operations per call.

It applies updates without validating them: validation is the local service's
job, and leaving it out here keeps the measured time on the SDK's side.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

PAGE_SIZE = 1000
_DETAILS = {
    "STEP": "StepDetails",
    "CONTEXT": "ContextDetails",
    "CALLBACK": "CallbackDetails",
    "CHAINED_INVOKE": "ChainedInvokeDetails",
    "WAIT": "WaitDetails",
}
_TERMINAL_STATUS = {
    "SUCCEED": "SUCCEEDED",
    "FAIL": "FAILED",
    "CANCEL": "CANCELLED",
}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _millis(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def _to_json_operation(operation: Mapping[str, Any]) -> dict[str, Any]:
    """Wire operation as Lambda puts it in the invocation event: timestamps in epoch ms."""
    encoded: dict[str, Any] = {}
    for key, value in operation.items():
        if isinstance(value, dict):
            encoded[key] = {inner: _millis(item) for inner, item in value.items()}
        else:
            encoded[key] = _millis(value)
    return encoded


class LambdaContextStub:
    """The few Lambda context attributes an SDK reads."""

    aws_request_id = "bench-request"
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 1024
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    tenant_id = None
    client_context = None
    identity = None

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class FakeService:
    """One durable execution held in memory, plus the client object an SDK talks to.

    Args:
        lambda_service: the SDK's ``lambda_service`` module (for ``CheckpointOutput``
            and ``StateOutput``).
        input_payload: the user's input, JSON-encoded into the EXECUTION operation.
        latency_s: how long each API call takes, standing for the network round trip
            of the real service; with it, the number of calls an SDK makes shows in
            the time, as it does in production.
    """

    def __init__(
        self, lambda_service: Any, input_payload: Any = None, latency_s: float = 0.0
    ) -> None:
        self.latency_s = latency_s
        self._checkpoint_output = lambda_service.CheckpointOutput
        self._state_output = lambda_service.StateOutput
        execution_id = uuid.uuid4().hex
        self.arn = (
            "arn:aws:lambda:us-east-1:123456789012:function:bench:$LATEST"
            f"/durable-execution/bench/{execution_id}"
        )
        self._lock = threading.Lock()
        self._sequence = 0
        self.operations: dict[str, dict[str, Any]] = {
            execution_id: {
                "Id": execution_id,
                "Type": "EXECUTION",
                "Status": "STARTED",
                "StartTimestamp": _now(),
                "ExecutionDetails": {"InputPayload": json.dumps(input_payload)},
            }
        }
        self.checkpoint_calls = 0
        self.updates = 0
        self.state_calls = 0

    def counters(self) -> dict[str, int]:
        """Calls seen since the last ``reset_counters``."""
        return {
            "checkpoint_calls": self.checkpoint_calls,
            "updates": self.updates,
            "state_calls": self.state_calls,
        }

    def reset_counters(self) -> None:
        self.checkpoint_calls = self.updates = self.state_calls = 0

    def _token(self) -> str:
        self._sequence += 1
        return f"token-{self._sequence}"

    # The DurableServiceClient protocol -------------------------------------------------

    def checkpoint(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: list[Any],
        client_token: str | None,
    ) -> Any:
        with self._lock:
            self.checkpoint_calls += 1
            self.updates += len(updates)
            changed: dict[str, dict[str, Any]] = {}
            finished = False
            for update in updates:
                wire = update.to_dict()
                finished = finished or wire["Type"] == "EXECUTION"
                changed[wire["Id"]] = self._apply(wire)
            token = None if finished else self._token()
            output = self._checkpoint_output.from_dict(
                {
                    "CheckpointToken": token,
                    "NewExecutionState": {"Operations": list(changed.values())},
                }
            )
        self._round_trip()
        return output

    def get_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        next_marker: str,
        max_items: int = PAGE_SIZE,
    ) -> Any:
        with self._lock:
            self.state_calls += 1
            page, marker = self._page(int(next_marker), max_items)
            output = self._state_output.from_dict({"Operations": page, "NextMarker": marker})
        self._round_trip()
        return output

    def _round_trip(self) -> None:
        # Stands for the network: the caller is blocked, the service is not.
        if self.latency_s:
            time.sleep(self.latency_s)

    # Service side ----------------------------------------------------------------------

    def _page(self, offset: int, size: int) -> tuple[list[dict[str, Any]], str | None]:
        everything = list(self.operations.values())
        end = offset + size
        return everything[offset:end], (str(end) if end < len(everything) else None)

    def _apply(self, wire: Mapping[str, Any]) -> dict[str, Any]:
        now = _now()
        operation = self.operations.get(wire["Id"])
        if operation is None:
            operation = {"Id": wire["Id"], "Type": wire["Type"], "StartTimestamp": now}
            for key in ("ParentId", "Name", "SubType"):
                if key in wire:
                    operation[key] = wire[key]
            self.operations[wire["Id"]] = operation
        details_key = _DETAILS.get(wire["Type"])
        details: dict[str, Any] = operation.setdefault(details_key, {}) if details_key else {}
        action = wire["Action"]
        if action == "START":
            operation["Status"] = "STARTED"
            if wire["Type"] == "WAIT":
                seconds = wire.get("WaitOptions", {}).get("WaitSeconds", 0)
                details["ScheduledEndTimestamp"] = now + datetime.timedelta(seconds=seconds)
            elif wire["Type"] == "STEP":
                details.setdefault("Attempt", 0)
            elif wire["Type"] == "CALLBACK":
                details["CallbackId"] = f"callback-{wire['Id']}"
        elif action == "RETRY":
            operation["Status"] = "PENDING"
            details["Attempt"] = details.get("Attempt", 0) + 1
            delay = wire.get("StepOptions", {}).get("NextAttemptDelaySeconds", 0)
            details["NextAttemptTimestamp"] = now + datetime.timedelta(seconds=delay)
            if "Payload" in wire:
                details["Result"] = wire["Payload"]
        else:
            operation["Status"] = _TERMINAL_STATUS[action]
            operation["EndTimestamp"] = now
            if wire["Type"] == "STEP":
                details["Attempt"] = details.get("Attempt", 0) + 1
            if "Payload" in wire:
                details["Result"] = wire["Payload"]
            if "Error" in wire:
                details["Error"] = wire["Error"]
            if wire.get("ContextOptions", {}).get("ReplayChildren"):
                details["ReplayChildren"] = True
        return operation

    def fire_timers(self) -> list[str]:
        """Complete every started wait and make every pending retry ready, as time passing would."""
        fired: list[str] = []
        with self._lock:
            for operation in self.operations.values():
                if operation["Type"] == "WAIT" and operation.get("Status") == "STARTED":
                    operation["Status"] = "SUCCEEDED"
                    operation["EndTimestamp"] = _now()
                    fired.append(operation["Id"])
                elif operation["Type"] == "STEP" and operation.get("Status") == "PENDING":
                    operation["Status"] = "READY"
                    operation["StepDetails"].pop("NextAttemptTimestamp", None)
                    fired.append(operation["Id"])
        return fired

    def envelope(self, updated_operation_ids: list[str] | None = None) -> dict[str, Any]:
        """The JSON event Lambda would deliver for a new invocation: first state page inline."""
        with self._lock:
            page, marker = self._page(0, PAGE_SIZE)
            return {
                "DurableExecutionArn": self.arn,
                "CheckpointToken": self._token(),
                "InitialExecutionState": {
                    "Operations": [_to_json_operation(operation) for operation in page],
                    "NextMarker": marker or "",
                },
                "UpdatedOperationIds": list(updated_operation_ids or []),
            }


def invoke(
    handler: Callable[[Any, Any], Any], service: FakeService, execution_module: Any
) -> dict[str, Any]:
    """One Lambda invocation: parse the envelope, inject the fake client, call the handler."""
    parsed = execution_module.DurableExecutionInvocationInput.from_json_dict(service.envelope())
    with_client = execution_module.DurableExecutionInvocationInputWithClient
    event = with_client.from_durable_execution_invocation_input(parsed, service)
    output: dict[str, Any] = handler(event, LambdaContextStub())
    return output


def run_to_completion(
    handler: Callable[[Any, Any], Any], service: FakeService, execution_module: Any
) -> tuple[dict[str, Any], int]:
    """Invoke until the handler stops answering PENDING, firing timers in between.

    Returns the last output and the number of invocations it took.

    Raises:
        RuntimeError: the handler is still PENDING with no timer left to fire.
    """
    invocations = 0
    while True:
        output = invoke(handler, service, execution_module)
        invocations += 1
        if output.get("Status") != "PENDING":
            return output, invocations
        if not service.fire_timers():
            raise RuntimeError(
                f"invocation {invocations} answered PENDING but no wait or retry is outstanding"
            )
