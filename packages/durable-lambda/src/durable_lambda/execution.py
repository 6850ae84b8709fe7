"""The handler wrapper and the invocation envelope (the reference SDK's ``execution`` module).

The reference module also had the context, the state, the service client and the
exceptions the wrapper handles in its namespace; code that imported them from here
keeps working.
"""

from durable_lambda_client import (
    LAMBDA_RESPONSE_SIZE_LIMIT,
    BackgroundThreadError,
    BotoClientError,
    CheckpointError,
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    DurableExecutionInvocationOutput,
    DurableExecutionsError,
    DurableServiceClient,
    ErrorObject,
    ExecutionError,
    InitialExecutionState,
    InvocationError,
    InvocationStatus,
    LambdaClient,
    Operation,
    OperationType,
    OperationUpdate,
    SuspendExecution,
)
from durable_lambda_context import (
    DurableContext,
    LambdaContext,
    durable_execution,
    handle_checkpoint_error,
)
from durable_lambda_state import ExecutionState, ReplayStatus

__all__ = [
    "LAMBDA_RESPONSE_SIZE_LIMIT",
    "BackgroundThreadError",
    "BotoClientError",
    "CheckpointError",
    "DurableContext",
    "DurableExecutionInvocationInput",
    "DurableExecutionInvocationInputWithClient",
    "DurableExecutionInvocationOutput",
    "DurableExecutionsError",
    "DurableServiceClient",
    "ErrorObject",
    "ExecutionError",
    "ExecutionState",
    "InitialExecutionState",
    "InvocationError",
    "InvocationStatus",
    "LambdaClient",
    "LambdaContext",
    "Operation",
    "OperationType",
    "OperationUpdate",
    "ReplayStatus",
    "SuspendExecution",
    "durable_execution",
    "handle_checkpoint_error",
]
