"""``OperationIdentifier`` (the reference SDK's ``identifier`` module)."""

from durable_lambda_client import OperationIdentifier

__all__ = ["OperationIdentifier"]
