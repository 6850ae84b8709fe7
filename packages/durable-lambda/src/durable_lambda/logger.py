"""The replay-aware logger (the reference SDK's ``logger`` module)."""

from durable_lambda_context import Logger, LogInfo

__all__ = ["LogInfo", "Logger"]
