"""The handler wrapper and the invocation envelope (the reference SDK's ``execution`` module)."""

from durable_lambda_client import (
    LAMBDA_RESPONSE_SIZE_LIMIT,
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
    DurableExecutionInvocationOutput,
    InitialExecutionState,
    InvocationStatus,
)
from durable_lambda_context import durable_execution, handle_checkpoint_error

__all__ = [
    "LAMBDA_RESPONSE_SIZE_LIMIT",
    "DurableExecutionInvocationInput",
    "DurableExecutionInvocationInputWithClient",
    "DurableExecutionInvocationOutput",
    "InitialExecutionState",
    "InvocationStatus",
    "durable_execution",
    "handle_checkpoint_error",
]
