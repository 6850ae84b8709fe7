"""Execution records of the management API (Get / List / Stop / Delete).

Dicts are in boto3's form (timestamps are ``datetime`` objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from durable_lambda_client._enums import ExecutionStatus, WireEnumParser
from durable_lambda_client._error_object import ErrorObject

__all__ = [
    "DeleteDurableExecutionOutput",
    "DurableConfig",
    "ExecutionSummary",
    "GetDurableExecutionOutput",
    "ListDurableExecutionsByFunctionOutput",
    "PauseDetails",
    "StopDurableExecutionOutput",
    "TraceHeader",
]

_parse_status = WireEnumParser(ExecutionStatus)


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """The X-Ray trace header the execution started with."""

    x_amzn_trace_id: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"XAmznTraceId"}``."""
        return cls(data.get("XAmznTraceId"))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"XAmznTraceId"}`` when set."""
        return {} if self.x_amzn_trace_id is None else {"XAmznTraceId": self.x_amzn_trace_id}


@dataclass(frozen=True, slots=True)
class DurableConfig:
    """The function's durability settings: KMS key, retention in days, timeout in seconds."""

    kms_key_arn: str | None = None
    retention_period_in_days: int | None = None
    execution_timeout: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"KMSKeyArn", "RetentionPeriodInDays", "ExecutionTimeout"}``."""
        return cls(
            data.get("KMSKeyArn"), data.get("RetentionPeriodInDays"), data.get("ExecutionTimeout")
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {}
        if self.kms_key_arn is not None:
            result["KMSKeyArn"] = self.kms_key_arn
        if self.retention_period_in_days is not None:
            result["RetentionPeriodInDays"] = self.retention_period_in_days
        if self.execution_timeout is not None:
            result["ExecutionTimeout"] = self.execution_timeout
        return result


@dataclass(frozen=True, slots=True)
class PauseDetails:
    """Present while an execution is PAUSING or PAUSED."""

    pause_request_timestamp: datetime
    execution_timeout_paused: bool
    reason: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"PauseRequestTimestamp", "ExecutionTimeoutPaused", "Reason"}``."""
        return cls(
            data["PauseRequestTimestamp"], bool(data["ExecutionTimeoutPaused"]), data.get("Reason")
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {"PauseRequestTimestamp": self.pause_request_timestamp}
        if self.reason is not None:
            result["Reason"] = self.reason
        result["ExecutionTimeoutPaused"] = self.execution_timeout_paused
        return result


@dataclass(frozen=True, slots=True)
class GetDurableExecutionOutput:
    """One execution in full, as ``GetDurableExecution`` returns it.

    ``input_payload``, ``result`` and ``error`` are left out when the caller asked for
    ``IncludeExecutionData=false`` (then ``execution_data_included`` is false).
    """

    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    status: ExecutionStatus
    start_timestamp: datetime
    input_payload: str | None = None
    result: str | None = None
    error: ErrorObject | None = None
    end_timestamp: datetime | None = None
    version: str | None = None
    trace_header: TraceHeader | None = None
    execution_data_included: bool | None = None
    durable_config: DurableConfig | None = None
    pause_details: PauseDetails | None = None
    expected_execution_timeout_timestamp: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read boto3's response (``ResponseMetadata`` and unknown members are ignored).

        Raises:
            KeyError: a required member is missing.
            ValueError: ``Status`` is not a known value.
        """
        get = data.get
        error = get("Error")
        trace = get("TraceHeader")
        config = get("DurableConfig")
        pause = get("PauseDetails")
        return cls(
            data["DurableExecutionArn"],
            data["DurableExecutionName"],
            data["FunctionArn"],
            _parse_status(get("Status"), "GetDurableExecution.Status"),
            data["StartTimestamp"],
            get("InputPayload"),
            get("Result"),
            None if error is None else ErrorObject.from_dict(error),
            get("EndTimestamp"),
            get("Version"),
            None if trace is None else TraceHeader.from_dict(trace),
            get("ExecutionDataIncluded"),
            None if config is None else DurableConfig.from_dict(config),
            None if pause is None else PauseDetails.from_dict(pause),
            get("ExpectedExecutionTimeoutTimestamp"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write boto3's form; members that are ``None`` are omitted."""
        result: dict[str, Any] = {
            "DurableExecutionArn": self.durable_execution_arn,
            "DurableExecutionName": self.durable_execution_name,
            "FunctionArn": self.function_arn,
        }
        if self.input_payload is not None:
            result["InputPayload"] = self.input_payload
        if self.result is not None:
            result["Result"] = self.result
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        result["StartTimestamp"] = self.start_timestamp
        result["Status"] = self.status.value
        if self.end_timestamp is not None:
            result["EndTimestamp"] = self.end_timestamp
        if self.version is not None:
            result["Version"] = self.version
        if self.trace_header is not None:
            result["TraceHeader"] = self.trace_header.to_dict()
        if self.execution_data_included is not None:
            result["ExecutionDataIncluded"] = self.execution_data_included
        if self.durable_config is not None:
            result["DurableConfig"] = self.durable_config.to_dict()
        if self.pause_details is not None:
            result["PauseDetails"] = self.pause_details.to_dict()
        if self.expected_execution_timeout_timestamp is not None:
            result["ExpectedExecutionTimeoutTimestamp"] = self.expected_execution_timeout_timestamp
        return result


@dataclass(frozen=True, slots=True)
class ExecutionSummary:
    """One entry of ``ListDurableExecutionsByFunction`` (the model's ``Execution`` shape)."""

    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    status: ExecutionStatus
    start_timestamp: datetime
    end_timestamp: datetime | None = None
    kms_key_arn: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the summary.

        Raises:
            KeyError: a required member is missing.
            ValueError: ``Status`` is not a known value.
        """
        return cls(
            data["DurableExecutionArn"],
            data["DurableExecutionName"],
            data["FunctionArn"],
            _parse_status(data.get("Status"), "Execution.Status"),
            data["StartTimestamp"],
            data.get("EndTimestamp"),
            data.get("KMSKeyArn"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the summary; members that are ``None`` are omitted."""
        result: dict[str, Any] = {
            "DurableExecutionArn": self.durable_execution_arn,
            "DurableExecutionName": self.durable_execution_name,
            "FunctionArn": self.function_arn,
            "Status": self.status.value,
            "StartTimestamp": self.start_timestamp,
        }
        if self.end_timestamp is not None:
            result["EndTimestamp"] = self.end_timestamp
        if self.kms_key_arn is not None:
            result["KMSKeyArn"] = self.kms_key_arn
        return result


@dataclass(frozen=True, slots=True)
class ListDurableExecutionsByFunctionOutput:
    """One page of executions; ``next_marker`` is set while more remain."""

    durable_executions: list[ExecutionSummary] = field(default_factory=list)
    next_marker: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"DurableExecutions", "NextMarker"}``."""
        return cls(
            [ExecutionSummary.from_dict(item) for item in data.get("DurableExecutions") or ()],
            data.get("NextMarker"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``DurableExecutions`` always and ``NextMarker`` when set."""
        result: dict[str, Any] = {
            "DurableExecutions": [item.to_dict() for item in self.durable_executions]
        }
        if self.next_marker is not None:
            result["NextMarker"] = self.next_marker
        return result


@dataclass(frozen=True, slots=True)
class StopDurableExecutionOutput:
    """Response of ``StopDurableExecution``."""

    stop_timestamp: datetime

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"StopTimestamp"}``."""
        return cls(data["StopTimestamp"])

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"StopTimestamp"}``."""
        return {"StopTimestamp": self.stop_timestamp}


@dataclass(frozen=True, slots=True)
class DeleteDurableExecutionOutput:
    """Response of ``DeleteDurableExecution``."""

    deletion_request_timestamp: datetime

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"DeletionRequestTimestamp"}``."""
        return cls(data["DeletionRequestTimestamp"])

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"DeletionRequestTimestamp"}``."""
        return {"DeletionRequestTimestamp": self.deletion_request_timestamp}
