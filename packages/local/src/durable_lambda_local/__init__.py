"""A local AWS Lambda durable-execution service: SQLite store, virtual clock, test runner,
HTTP API and command line.

The public names below load on first use: pytest imports this package (for its plugin)
in every run of every project that has it installed, and that must stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from durable_lambda_local._change_feed import ExecutionChange
    from durable_lambda_local._checkpoint_validation import parse_operation_updates
    from durable_lambda_local._clock import Clock, RealClock, SkipClock, VirtualClock
    from durable_lambda_local._cloud_runner import DurableFunctionCloudTestRunner
    from durable_lambda_local._control_plane import DurableExecutionService, InvokeOutput
    from durable_lambda_local._errors import (
        CallbackTimeoutException,
        DurableExecutionAlreadyStartedException,
        DurableFunctionsTestError,
        DurableServiceError,
        ExecutionTimeoutWarning,
        InvalidParameterValueException,
        ResourceConflictException,
        ResourceNotFoundException,
        ServiceException,
        TooManyRequestsException,
    )
    from durable_lambda_local._functions import EventFormat, FunctionRegistry, LocalFunction
    from durable_lambda_local._history_assertions import HistoryMismatchError, assert_history
    from durable_lambda_local._in_process_client import InProcessClient
    from durable_lambda_local._lambda_context import LocalLambdaContext
    from durable_lambda_local._memory_store import MemoryStore
    from durable_lambda_local._records import ExecutionRecord, InvocationRecord, OperationRecord
    from durable_lambda_local._results import (
        CallbackOperation,
        ContextOperation,
        DurableFunctionTestResult,
        ExecutionOperation,
        InvokeOperation,
        Operation,
        StepOperation,
        WaitOperation,
        create_operation,
        operations_from_history,
    )
    from durable_lambda_local._scheduler import SchedulerMode
    from durable_lambda_local._sqlite_store import SqliteStore
    from durable_lambda_local._store import Store
    from durable_lambda_local._test_runner import (
        DurableChildContextTestRunner,
        DurableFunctionTestRunner,
        normalize_input,
    )

__all__ = [
    "CallbackOperation",
    "CallbackTimeoutException",
    "Clock",
    "ContextOperation",
    "DurableChildContextTestRunner",
    "DurableExecutionAlreadyStartedException",
    "DurableExecutionService",
    "DurableFunctionCloudTestRunner",
    "DurableFunctionTestResult",
    "DurableFunctionTestRunner",
    "DurableFunctionsTestError",
    "DurableServiceError",
    "EventFormat",
    "ExecutionChange",
    "ExecutionOperation",
    "ExecutionRecord",
    "ExecutionTimeoutWarning",
    "FunctionRegistry",
    "HistoryMismatchError",
    "InProcessClient",
    "InvalidParameterValueException",
    "InvocationRecord",
    "InvokeOperation",
    "InvokeOutput",
    "LocalFunction",
    "LocalLambdaContext",
    "MemoryStore",
    "Operation",
    "OperationRecord",
    "RealClock",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "SchedulerMode",
    "ServiceException",
    "SkipClock",
    "SqliteStore",
    "StepOperation",
    "Store",
    "TooManyRequestsException",
    "VirtualClock",
    "WaitOperation",
    "assert_history",
    "create_operation",
    "normalize_input",
    "operations_from_history",
    "parse_operation_updates",
]

_HOMES = {
    "ExecutionChange": "_change_feed",
    "parse_operation_updates": "_checkpoint_validation",
    "Clock": "_clock",
    "RealClock": "_clock",
    "SkipClock": "_clock",
    "VirtualClock": "_clock",
    "DurableFunctionCloudTestRunner": "_cloud_runner",
    "DurableExecutionService": "_control_plane",
    "InvokeOutput": "_control_plane",
    "CallbackTimeoutException": "_errors",
    "DurableExecutionAlreadyStartedException": "_errors",
    "DurableFunctionsTestError": "_errors",
    "DurableServiceError": "_errors",
    "ExecutionTimeoutWarning": "_errors",
    "InvalidParameterValueException": "_errors",
    "ResourceConflictException": "_errors",
    "ResourceNotFoundException": "_errors",
    "ServiceException": "_errors",
    "TooManyRequestsException": "_errors",
    "EventFormat": "_functions",
    "FunctionRegistry": "_functions",
    "LocalFunction": "_functions",
    "HistoryMismatchError": "_history_assertions",
    "assert_history": "_history_assertions",
    "InProcessClient": "_in_process_client",
    "LocalLambdaContext": "_lambda_context",
    "MemoryStore": "_memory_store",
    "ExecutionRecord": "_records",
    "InvocationRecord": "_records",
    "OperationRecord": "_records",
    "CallbackOperation": "_results",
    "ContextOperation": "_results",
    "DurableFunctionTestResult": "_results",
    "ExecutionOperation": "_results",
    "InvokeOperation": "_results",
    "Operation": "_results",
    "StepOperation": "_results",
    "WaitOperation": "_results",
    "create_operation": "_results",
    "operations_from_history": "_results",
    "SchedulerMode": "_scheduler",
    "SqliteStore": "_sqlite_store",
    "Store": "_store",
    "DurableChildContextTestRunner": "_test_runner",
    "DurableFunctionTestRunner": "_test_runner",
    "normalize_input": "_test_runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'durable_lambda_local' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"durable_lambda_local.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
