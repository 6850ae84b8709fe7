"""Value serialization for durable-lambda."""

from durable_lambda_serdes._errors import DurableExecutionsError, SerDesError

__all__ = ["DurableExecutionsError", "SerDesError"]
