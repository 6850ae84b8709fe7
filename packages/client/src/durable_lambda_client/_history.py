"""History events of a durable execution (``GetDurableExecutionHistory``).

Every event carries exactly one ``<EventType>Details`` member; ``Event.details`` holds
it and must be an instance of the class ``EVENT_DETAILS_TYPES`` names for the event's
type. Dicts are in boto3's form (timestamps are ``datetime`` objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self, TypeAlias

from durable_lambda_client._enums import EventType, WireEnumParser
from durable_lambda_client._error_object import ErrorObject

__all__ = [
    "EVENT_DETAILS_TYPES",
    "CallbackFailedDetails",
    "CallbackStartedDetails",
    "CallbackSucceededDetails",
    "CallbackTimedOutDetails",
    "ChainedInvokeFailedDetails",
    "ChainedInvokeStartedDetails",
    "ChainedInvokeStoppedDetails",
    "ChainedInvokeSucceededDetails",
    "ChainedInvokeTimedOutDetails",
    "ContextFailedDetails",
    "ContextStartedDetails",
    "ContextSucceededDetails",
    "Event",
    "EventDetails",
    "EventError",
    "EventInput",
    "EventPauseReason",
    "EventResult",
    "EventResumeReason",
    "ExecutionFailedDetails",
    "ExecutionPausedDetails",
    "ExecutionResumedDetails",
    "ExecutionStartedDetails",
    "ExecutionStoppedDetails",
    "ExecutionSucceededDetails",
    "ExecutionTimedOutDetails",
    "GetDurableExecutionHistoryOutput",
    "InvocationCompletedDetails",
    "RetryDetails",
    "StepFailedDetails",
    "StepStartedDetails",
    "StepSucceededDetails",
    "WaitCancelledDetails",
    "WaitStartedDetails",
    "WaitSucceededDetails",
]

_parse_event_type = WireEnumParser(EventType)


# Payload wrappers. ``truncated`` is true when the service withheld the payload
# (IncludeExecutionData=false, or too large); the service sends it in every wrapper.


@dataclass(frozen=True, slots=True)
class _TextPayload:
    payload: str | None = None
    truncated: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Payload", "Truncated"}``."""
        return cls(data.get("Payload"), bool(data.get("Truncated", False)))

    def to_dict(self) -> dict[str, Any]:
        """Write ``Payload`` when set and ``Truncated`` always."""
        result: dict[str, Any] = {}
        if self.payload is not None:
            result["Payload"] = self.payload
        result["Truncated"] = self.truncated
        return result


@dataclass(frozen=True, slots=True)
class EventInput(_TextPayload):
    """An input payload in an event (execution input, chained-invoke input)."""


@dataclass(frozen=True, slots=True)
class EventResult(_TextPayload):
    """A result payload in an event."""


@dataclass(frozen=True, slots=True)
class EventPauseReason(_TextPayload):
    """The reason given to ``PauseDurableExecution``."""


@dataclass(frozen=True, slots=True)
class EventResumeReason(_TextPayload):
    """The reason given to ``ResumeDurableExecution``."""


@dataclass(frozen=True, slots=True)
class EventError:
    """An error payload in an event."""

    payload: ErrorObject | None = None
    truncated: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Payload": ErrorObject, "Truncated"}``."""
        payload = data.get("Payload")
        return cls(
            None if payload is None else ErrorObject.from_dict(payload),
            bool(data.get("Truncated", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``Payload`` when set and ``Truncated`` always."""
        result: dict[str, Any] = {}
        if self.payload is not None:
            result["Payload"] = self.payload.to_dict()
        result["Truncated"] = self.truncated
        return result


@dataclass(frozen=True, slots=True)
class RetryDetails:
    """Attempt bookkeeping of a step event."""

    current_attempt: int | None = None
    next_attempt_delay_seconds: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"CurrentAttempt", "NextAttemptDelaySeconds"}``."""
        return cls(data.get("CurrentAttempt"), data.get("NextAttemptDelaySeconds"))

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {}
        if self.current_attempt is not None:
            result["CurrentAttempt"] = self.current_attempt
        if self.next_attempt_delay_seconds is not None:
            result["NextAttemptDelaySeconds"] = self.next_attempt_delay_seconds
        return result


# Shared shapes of the per-type details. Each public class below is its own type, so
# ``ContextFailedDetails(e) != StepFailedDetails(e)``.


@dataclass(frozen=True, slots=True)
class _NoDetails:
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The shape has no members."""
        return cls()

    def to_dict(self) -> dict[str, Any]:
        """Always ``{}``."""
        return {}


@dataclass(frozen=True, slots=True)
class _ResultDetails:
    result: EventResult

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Result"}`` (required)."""
        return cls(EventResult.from_dict(data["Result"]))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Result"}``."""
        return {"Result": self.result.to_dict()}


@dataclass(frozen=True, slots=True)
class _ErrorDetails:
    error: EventError

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Error"}`` (required)."""
        return cls(EventError.from_dict(data["Error"]))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Error"}``."""
        return {"Error": self.error.to_dict()}


@dataclass(frozen=True, slots=True)
class _OptionalErrorDetails:
    error: EventError | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Error"}`` (optional)."""
        error = data.get("Error")
        return cls(None if error is None else EventError.from_dict(error))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Error"}`` when set."""
        return {} if self.error is None else {"Error": self.error.to_dict()}


@dataclass(frozen=True, slots=True)
class ExecutionStartedDetails:
    """The execution's input and its timeout in seconds."""

    input: EventInput
    execution_timeout: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Input", "ExecutionTimeout"}`` (both required)."""
        return cls(EventInput.from_dict(data["Input"]), data["ExecutionTimeout"])

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Input", "ExecutionTimeout"}``."""
        return {"Input": self.input.to_dict(), "ExecutionTimeout": self.execution_timeout}


@dataclass(frozen=True, slots=True)
class ExecutionSucceededDetails(_ResultDetails):
    """The execution's result."""


@dataclass(frozen=True, slots=True)
class ExecutionFailedDetails(_ErrorDetails):
    """The execution's error."""


@dataclass(frozen=True, slots=True)
class ExecutionTimedOutDetails(_OptionalErrorDetails):
    """The execution ran past its timeout."""


@dataclass(frozen=True, slots=True)
class ExecutionStoppedDetails(_ErrorDetails):
    """The execution was stopped through the API; the error given to the stop call."""


@dataclass(frozen=True, slots=True)
class ExecutionPausedDetails:
    """A pause took effect."""

    pause_request_timestamp: datetime
    execution_timeout_paused: bool
    reason: EventPauseReason | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"PauseRequestTimestamp", "ExecutionTimeoutPaused", "Reason"}``."""
        reason = data.get("Reason")
        return cls(
            data["PauseRequestTimestamp"],
            bool(data["ExecutionTimeoutPaused"]),
            None if reason is None else EventPauseReason.from_dict(reason),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {"PauseRequestTimestamp": self.pause_request_timestamp}
        if self.reason is not None:
            result["Reason"] = self.reason.to_dict()
        result["ExecutionTimeoutPaused"] = self.execution_timeout_paused
        return result


@dataclass(frozen=True, slots=True)
class ExecutionResumedDetails:
    """A paused execution was resumed."""

    resume_request_timestamp: datetime
    reason: EventResumeReason | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"ResumeRequestTimestamp", "Reason"}``."""
        reason = data.get("Reason")
        return cls(
            data["ResumeRequestTimestamp"],
            None if reason is None else EventResumeReason.from_dict(reason),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {"ResumeRequestTimestamp": self.resume_request_timestamp}
        if self.reason is not None:
            result["Reason"] = self.reason.to_dict()
        return result


@dataclass(frozen=True, slots=True)
class ContextStartedDetails(_NoDetails):
    """A child context started (no members)."""


@dataclass(frozen=True, slots=True)
class ContextSucceededDetails(_ResultDetails):
    """A child context's result."""


@dataclass(frozen=True, slots=True)
class ContextFailedDetails(_ErrorDetails):
    """A child context's error."""


@dataclass(frozen=True, slots=True)
class WaitStartedDetails:
    """A wait began: its duration in seconds and when it ends."""

    duration: int
    scheduled_end_timestamp: datetime

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Duration", "ScheduledEndTimestamp"}`` (both required)."""
        return cls(data["Duration"], data["ScheduledEndTimestamp"])

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Duration", "ScheduledEndTimestamp"}``."""
        return {"Duration": self.duration, "ScheduledEndTimestamp": self.scheduled_end_timestamp}


@dataclass(frozen=True, slots=True)
class WaitSucceededDetails:
    """A wait's timer fired."""

    duration: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Duration"}``."""
        return cls(data.get("Duration"))

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Duration"}`` when set."""
        return {} if self.duration is None else {"Duration": self.duration}


@dataclass(frozen=True, slots=True)
class WaitCancelledDetails(_OptionalErrorDetails):
    """A wait was cancelled."""


@dataclass(frozen=True, slots=True)
class StepStartedDetails(_NoDetails):
    """A step attempt started (no members)."""


@dataclass(frozen=True, slots=True)
class StepSucceededDetails:
    """A step's result (or a wait-for-condition state) and its attempt count."""

    result: EventResult
    retry_details: RetryDetails

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Result", "RetryDetails"}`` (both required)."""
        return cls(
            EventResult.from_dict(data["Result"]), RetryDetails.from_dict(data["RetryDetails"])
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Result", "RetryDetails"}``."""
        return {"Result": self.result.to_dict(), "RetryDetails": self.retry_details.to_dict()}


@dataclass(frozen=True, slots=True)
class StepFailedDetails:
    """A step attempt's error and the retry bookkeeping."""

    error: EventError
    retry_details: RetryDetails

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Error", "RetryDetails"}`` (both required)."""
        return cls(
            EventError.from_dict(data["Error"]), RetryDetails.from_dict(data["RetryDetails"])
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``{"Error", "RetryDetails"}``."""
        return {"Error": self.error.to_dict(), "RetryDetails": self.retry_details.to_dict()}


@dataclass(frozen=True, slots=True)
class ChainedInvokeStartedDetails:
    """A chained invoke started: the target, its input, and the child execution."""

    function_name: str
    tenant_id: str | None = None
    input: EventInput | None = None
    executed_version: str | None = None
    durable_execution_arn: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the shape (``FunctionName`` required)."""
        payload = data.get("Input")
        return cls(
            data["FunctionName"],
            data.get("TenantId"),
            None if payload is None else EventInput.from_dict(payload),
            data.get("ExecutedVersion"),
            data.get("DurableExecutionArn"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``FunctionName`` and the members that are set."""
        result: dict[str, Any] = {"FunctionName": self.function_name}
        if self.tenant_id is not None:
            result["TenantId"] = self.tenant_id
        if self.input is not None:
            result["Input"] = self.input.to_dict()
        if self.executed_version is not None:
            result["ExecutedVersion"] = self.executed_version
        if self.durable_execution_arn is not None:
            result["DurableExecutionArn"] = self.durable_execution_arn
        return result


@dataclass(frozen=True, slots=True)
class ChainedInvokeSucceededDetails(_ResultDetails):
    """The invoked function's result."""


@dataclass(frozen=True, slots=True)
class ChainedInvokeFailedDetails(_ErrorDetails):
    """The invoked function's error."""


@dataclass(frozen=True, slots=True)
class ChainedInvokeTimedOutDetails(_ErrorDetails):
    """The invoked function timed out."""


@dataclass(frozen=True, slots=True)
class ChainedInvokeStoppedDetails(_ErrorDetails):
    """The invoked execution was stopped."""


@dataclass(frozen=True, slots=True)
class CallbackStartedDetails:
    """A callback was created: its id and timeouts in seconds."""

    callback_id: str
    heartbeat_timeout: int | None = None
    timeout: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"CallbackId" (required), "HeartbeatTimeout", "Timeout"}``."""
        return cls(data["CallbackId"], data.get("HeartbeatTimeout"), data.get("Timeout"))

    def to_dict(self) -> dict[str, Any]:
        """Write ``CallbackId`` and the timeouts that are set."""
        result: dict[str, Any] = {"CallbackId": self.callback_id}
        if self.heartbeat_timeout is not None:
            result["HeartbeatTimeout"] = self.heartbeat_timeout
        if self.timeout is not None:
            result["Timeout"] = self.timeout
        return result


@dataclass(frozen=True, slots=True)
class CallbackSucceededDetails(_ResultDetails):
    """The result sent to the callback."""


@dataclass(frozen=True, slots=True)
class CallbackFailedDetails(_ErrorDetails):
    """The error sent to the callback."""


@dataclass(frozen=True, slots=True)
class CallbackTimedOutDetails(_ErrorDetails):
    """The callback (or its heartbeat) timed out."""


@dataclass(frozen=True, slots=True)
class InvocationCompletedDetails:
    """One handler invocation ended; ``error`` is set when it failed."""

    start_timestamp: datetime
    end_timestamp: datetime
    request_id: str
    error: EventError | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the shape (all but ``Error`` required)."""
        error = data.get("Error")
        return cls(
            data["StartTimestamp"],
            data["EndTimestamp"],
            data["RequestId"],
            None if error is None else EventError.from_dict(error),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write the members that are set."""
        result: dict[str, Any] = {
            "StartTimestamp": self.start_timestamp,
            "EndTimestamp": self.end_timestamp,
            "RequestId": self.request_id,
        }
        if self.error is not None:
            result["Error"] = self.error.to_dict()
        return result


EventDetails: TypeAlias = (
    ExecutionStartedDetails
    | ExecutionSucceededDetails
    | ExecutionFailedDetails
    | ExecutionTimedOutDetails
    | ExecutionStoppedDetails
    | ExecutionPausedDetails
    | ExecutionResumedDetails
    | ContextStartedDetails
    | ContextSucceededDetails
    | ContextFailedDetails
    | WaitStartedDetails
    | WaitSucceededDetails
    | WaitCancelledDetails
    | StepStartedDetails
    | StepSucceededDetails
    | StepFailedDetails
    | ChainedInvokeStartedDetails
    | ChainedInvokeSucceededDetails
    | ChainedInvokeFailedDetails
    | ChainedInvokeTimedOutDetails
    | ChainedInvokeStoppedDetails
    | CallbackStartedDetails
    | CallbackSucceededDetails
    | CallbackFailedDetails
    | CallbackTimedOutDetails
    | InvocationCompletedDetails
)

EVENT_DETAILS_TYPES: Mapping[EventType, type[EventDetails]] = {
    EventType.EXECUTION_STARTED: ExecutionStartedDetails,
    EventType.EXECUTION_SUCCEEDED: ExecutionSucceededDetails,
    EventType.EXECUTION_FAILED: ExecutionFailedDetails,
    EventType.EXECUTION_TIMED_OUT: ExecutionTimedOutDetails,
    EventType.EXECUTION_STOPPED: ExecutionStoppedDetails,
    EventType.EXECUTION_PAUSED: ExecutionPausedDetails,
    EventType.EXECUTION_RESUMED: ExecutionResumedDetails,
    EventType.CONTEXT_STARTED: ContextStartedDetails,
    EventType.CONTEXT_SUCCEEDED: ContextSucceededDetails,
    EventType.CONTEXT_FAILED: ContextFailedDetails,
    EventType.WAIT_STARTED: WaitStartedDetails,
    EventType.WAIT_SUCCEEDED: WaitSucceededDetails,
    EventType.WAIT_CANCELLED: WaitCancelledDetails,
    EventType.STEP_STARTED: StepStartedDetails,
    EventType.STEP_SUCCEEDED: StepSucceededDetails,
    EventType.STEP_FAILED: StepFailedDetails,
    EventType.CHAINED_INVOKE_STARTED: ChainedInvokeStartedDetails,
    EventType.CHAINED_INVOKE_SUCCEEDED: ChainedInvokeSucceededDetails,
    EventType.CHAINED_INVOKE_FAILED: ChainedInvokeFailedDetails,
    EventType.CHAINED_INVOKE_TIMED_OUT: ChainedInvokeTimedOutDetails,
    EventType.CHAINED_INVOKE_STOPPED: ChainedInvokeStoppedDetails,
    EventType.CALLBACK_STARTED: CallbackStartedDetails,
    EventType.CALLBACK_SUCCEEDED: CallbackSucceededDetails,
    EventType.CALLBACK_FAILED: CallbackFailedDetails,
    EventType.CALLBACK_TIMED_OUT: CallbackTimedOutDetails,
    EventType.INVOCATION_COMPLETED: InvocationCompletedDetails,
}
"""The details class each event type carries (member ``<EventType value>Details``)."""

_DETAILS_KEYS: Mapping[EventType, str] = {
    event_type: f"{event_type.value}Details" for event_type in EventType
}


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of an execution's history.

    ``id``, ``name``, ``parent_id`` and ``sub_type`` describe the operation the event is
    about (none for ``InvocationCompleted``). ``details`` is the ``<EventType>Details``
    member; its class must match ``event_type`` (see ``EVENT_DETAILS_TYPES``).

    Raises:
        ValueError: ``details`` is of the wrong class for ``event_type``.
    """

    event_type: EventType
    event_id: int
    event_timestamp: datetime
    id: str | None = None
    name: str | None = None
    parent_id: str | None = None
    sub_type: str | None = None
    details: EventDetails | None = None

    def __post_init__(self) -> None:
        expected = EVENT_DETAILS_TYPES[self.event_type]
        if self.details is not None and type(self.details) is not expected:
            msg = (
                f"Event.details for {self.event_type.value} must be {expected.__name__}; "
                f"got {type(self.details).__name__}"
            )
            raise ValueError(msg)

    @property
    def details_key(self) -> str:
        """The wire member that carries ``details``, e.g. ``"StepSucceededDetails"``."""
        return _DETAILS_KEYS[self.event_type]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read boto3's form; only the details member matching ``EventType`` is read.

        Raises:
            KeyError: ``EventId``, ``EventTimestamp`` or a required details member is
                missing.
            ValueError: ``EventType`` is not a known value.
        """
        event_type = _parse_event_type(data.get("EventType"), "Event.EventType")
        raw_details = data.get(_DETAILS_KEYS[event_type])
        details = (
            None if raw_details is None else EVENT_DETAILS_TYPES[event_type].from_dict(raw_details)
        )
        return cls(
            event_type,
            data["EventId"],
            data["EventTimestamp"],
            data.get("Id"),
            data.get("Name"),
            data.get("ParentId"),
            data.get("SubType"),
            details,
        )

    def to_dict(self) -> dict[str, Any]:
        """Write boto3's form; members that are ``None`` are omitted."""
        result: dict[str, Any] = {"EventType": self.event_type.value}
        if self.sub_type is not None:
            result["SubType"] = self.sub_type
        result["EventId"] = self.event_id
        if self.id is not None:
            result["Id"] = self.id
        if self.name is not None:
            result["Name"] = self.name
        result["EventTimestamp"] = self.event_timestamp
        if self.parent_id is not None:
            result["ParentId"] = self.parent_id
        if self.details is not None:
            result[_DETAILS_KEYS[self.event_type]] = self.details.to_dict()
        return result


@dataclass(frozen=True, slots=True)
class GetDurableExecutionHistoryOutput:
    """One page of history; ``next_marker`` is set while more events remain."""

    events: list[Event] = field(default_factory=list)
    next_marker: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read ``{"Events", "NextMarker"}``."""
        return cls(
            [Event.from_dict(item) for item in data.get("Events") or ()],
            data.get("NextMarker"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Write ``Events`` always and ``NextMarker`` when set."""
        result: dict[str, Any] = {"Events": [item.to_dict() for item in self.events]}
        if self.next_marker is not None:
            result["NextMarker"] = self.next_marker
        return result
