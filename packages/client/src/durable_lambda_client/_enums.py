"""Closed vocabularies of the durable-execution API; every value is the wire string.

The first group mirrors enums of botocore's Lambda service model (a test checks each
value against the model). The second group holds strings the model leaves open
(``SubType``, service-generated error types) but that the SDK and the service agree on.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Generic, TypeVar

__all__ = [
    "CallbackTimeoutType",
    "ChainedInvokeFailedToStartType",
    "ChainedInvokeStopType",
    "ChainedInvokeTimeoutType",
    "EventType",
    "ExecutionStatus",
    "InvocationType",
    "LogType",
    "OperationAction",
    "OperationStatus",
    "OperationSubType",
    "OperationType",
    "ThrottleReason",
    "WireEnumParser",
]


class OperationAction(Enum):
    """What an ``OperationUpdate`` asks the service to do with an operation."""

    START = "START"
    SUCCEED = "SUCCEED"
    FAIL = "FAIL"
    RETRY = "RETRY"
    CANCEL = "CANCEL"


class OperationStatus(Enum):
    """Lifecycle status of one operation as the service stores it."""

    STARTED = "STARTED"
    PENDING = "PENDING"
    READY = "READY"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMED_OUT = "TIMED_OUT"
    STOPPED = "STOPPED"


class OperationType(Enum):
    """Kind of operation; decides which ``*Details``/``*Options`` member applies."""

    EXECUTION = "EXECUTION"
    CONTEXT = "CONTEXT"
    STEP = "STEP"
    WAIT = "WAIT"
    CALLBACK = "CALLBACK"
    CHAINED_INVOKE = "CHAINED_INVOKE"


class OperationSubType(Enum):
    """The SDK construct behind an operation (free-form on the wire, fixed by the SDK)."""

    STEP = "Step"
    WAIT = "Wait"
    CALLBACK = "Callback"
    RUN_IN_CHILD_CONTEXT = "RunInChildContext"
    MAP = "Map"
    MAP_ITERATION = "MapIteration"
    PARALLEL = "Parallel"
    PARALLEL_BRANCH = "ParallelBranch"
    WAIT_FOR_CALLBACK = "WaitForCallback"
    WAIT_FOR_CONDITION = "WaitForCondition"
    CHAINED_INVOKE = "ChainedInvoke"


class CallbackTimeoutType(Enum):
    """``ErrorType`` the service writes when a callback times out."""

    TIMEOUT = "Callback.Timeout"
    HEARTBEAT = "Callback.Heartbeat"


class ChainedInvokeFailedToStartType(Enum):
    """``ErrorType`` the service writes when a chained invoke could not start."""

    FAILED_TO_START = "ChainedInvoke.FailedToStart"


class ChainedInvokeTimeoutType(Enum):
    """``ErrorType`` the service writes when a chained invoke timed out."""

    TIMEOUT = "ChainedInvoke.Timeout"


class ChainedInvokeStopType(Enum):
    """``ErrorType`` the service writes when a chained invoke was stopped."""

    STOPPED = "ChainedInvoke.Stopped"


class ExecutionStatus(Enum):
    """Status of a whole durable execution (management API)."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    STOPPED = "STOPPED"
    DELETING = "DELETING"
    PAUSING = "PAUSING"
    PAUSED = "PAUSED"


class EventType(Enum):
    """Type of one history event; the event carries the ``<value>Details`` member."""

    EXECUTION_STARTED = "ExecutionStarted"
    EXECUTION_SUCCEEDED = "ExecutionSucceeded"
    EXECUTION_FAILED = "ExecutionFailed"
    EXECUTION_TIMED_OUT = "ExecutionTimedOut"
    EXECUTION_STOPPED = "ExecutionStopped"
    CONTEXT_STARTED = "ContextStarted"
    CONTEXT_SUCCEEDED = "ContextSucceeded"
    CONTEXT_FAILED = "ContextFailed"
    WAIT_STARTED = "WaitStarted"
    WAIT_SUCCEEDED = "WaitSucceeded"
    WAIT_CANCELLED = "WaitCancelled"
    STEP_STARTED = "StepStarted"
    STEP_SUCCEEDED = "StepSucceeded"
    STEP_FAILED = "StepFailed"
    CHAINED_INVOKE_STARTED = "ChainedInvokeStarted"
    CHAINED_INVOKE_SUCCEEDED = "ChainedInvokeSucceeded"
    CHAINED_INVOKE_FAILED = "ChainedInvokeFailed"
    CHAINED_INVOKE_TIMED_OUT = "ChainedInvokeTimedOut"
    CHAINED_INVOKE_STOPPED = "ChainedInvokeStopped"
    CALLBACK_STARTED = "CallbackStarted"
    CALLBACK_SUCCEEDED = "CallbackSucceeded"
    CALLBACK_FAILED = "CallbackFailed"
    CALLBACK_TIMED_OUT = "CallbackTimedOut"
    INVOCATION_COMPLETED = "InvocationCompleted"
    EXECUTION_PAUSED = "ExecutionPaused"
    EXECUTION_RESUMED = "ExecutionResumed"


class InvocationType(Enum):
    """How ``Invoke`` runs a function (header ``X-Amz-Invocation-Type``)."""

    EVENT = "Event"
    REQUEST_RESPONSE = "RequestResponse"
    DRY_RUN = "DryRun"


class LogType(Enum):
    """Whether ``Invoke`` returns the tail of the log (header ``X-Amz-Log-Type``)."""

    NONE = "None"
    TAIL = "Tail"


class ThrottleReason(Enum):
    """``Reason`` member of a ``TooManyRequestsException``."""

    CONCURRENT_INVOCATION_LIMIT_EXCEEDED = "ConcurrentInvocationLimitExceeded"
    FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED = "FunctionInvocationRateLimitExceeded"
    RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED = (
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    )
    RESERVED_FUNCTION_INVOCATION_RATE_LIMIT_EXCEEDED = "ReservedFunctionInvocationRateLimitExceeded"
    CALLER_RATE_LIMIT_EXCEEDED = "CallerRateLimitExceeded"
    CONCURRENT_SNAPSHOT_CREATE_LIMIT_EXCEEDED = "ConcurrentSnapshotCreateLimitExceeded"


E = TypeVar("E", bound=Enum)


class WireEnumParser(Generic[E]):
    """Turns a wire string into an enum member with one dict lookup.

    ``EnumClass(value)`` walks several fallbacks before failing; the SDK parses every
    operation of every state page, so a precomputed table is worth having. Unknown
    values raise ``ValueError`` (as ``EnumClass(value)`` would) naming the field.
    """

    __slots__ = ("_allowed", "_by_value")

    def __init__(self, enum_class: type[E]) -> None:
        self._by_value: Mapping[object, E] = {member.value: member for member in enum_class}
        self._allowed = ", ".join(str(member.value) for member in enum_class)

    def __call__(self, value: object, field: str) -> E:
        try:
            return self._by_value[value]
        except (KeyError, TypeError):
            msg = f"{field} must be one of {self._allowed}; got {value!r}"
            raise ValueError(msg) from None

    def optional(self, value: object, field: str) -> E | None:
        """Like calling the parser, but ``None`` stays ``None``."""
        if value is None:
            return None
        return self(value, field)
