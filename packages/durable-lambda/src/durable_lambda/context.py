"""``DurableContext``, callbacks and decorators (the reference SDK's ``context`` module).

The reference module also had the step and callback contexts, the config classes of
the operations' signatures and the logger in its namespace; code that imported them
from here keeps working.
"""

from durable_lambda_client import OperationIdentifier, OperationSubType
from durable_lambda_context import (
    PASS_THROUGH_SERDES,
    BatchedInput,
    Callback,
    CallbackConfig,
    ChildConfig,
    DurableContext,
    Duration,
    InvokeConfig,
    Logger,
    LoggerInterface,
    LogInfo,
    MapConfig,
    OrderedCounter,
    ParallelConfig,
    StepConfig,
    StepContext,
    WaitForCallbackConfig,
    WaitForCallbackContext,
    WaitForConditionCheckContext,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)
from durable_lambda_serdes import PassThroughSerDes, SerDes
from durable_lambda_state import ExecutionState

__all__ = [
    "PASS_THROUGH_SERDES",
    "BatchedInput",
    "Callback",
    "CallbackConfig",
    "ChildConfig",
    "DurableContext",
    "Duration",
    "ExecutionState",
    "InvokeConfig",
    "LogInfo",
    "Logger",
    "LoggerInterface",
    "MapConfig",
    "OperationIdentifier",
    "OperationSubType",
    "OrderedCounter",
    "ParallelConfig",
    "PassThroughSerDes",
    "SerDes",
    "StepConfig",
    "StepContext",
    "WaitForCallbackConfig",
    "WaitForCallbackContext",
    "WaitForConditionCheckContext",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
]
