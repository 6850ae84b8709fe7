"""Protocols and user-facing contexts (the reference SDK's ``types`` module).

``BatchResult``, ``Callback`` and ``DurableContext`` here are the protocols;
the concrete classes are exported by ``durable_lambda`` and ``durable_lambda.context``.
"""

from durable_lambda_context import BatchResultProtocol as BatchResult
from durable_lambda_context import CallbackProtocol as Callback
from durable_lambda_context import DurableContextProtocol as DurableContext
from durable_lambda_context import (
    LambdaContext,
    LoggerInterface,
    OperationContext,
    StepContext,
    SummaryGenerator,
    WaitForCallbackContext,
    WaitForConditionCheckContext,
)

__all__ = [
    "BatchResult",
    "Callback",
    "DurableContext",
    "LambdaContext",
    "LoggerInterface",
    "OperationContext",
    "StepContext",
    "SummaryGenerator",
    "WaitForCallbackContext",
    "WaitForConditionCheckContext",
]
