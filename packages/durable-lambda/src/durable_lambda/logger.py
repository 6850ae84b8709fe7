"""The replay-aware logger (the reference SDK's ``logger`` module)."""

from durable_lambda_client import OperationIdentifier
from durable_lambda_context import Logger, LoggerInterface, LogInfo
from durable_lambda_state import ExecutionState

__all__ = ["ExecutionState", "LogInfo", "Logger", "LoggerInterface", "OperationIdentifier"]
