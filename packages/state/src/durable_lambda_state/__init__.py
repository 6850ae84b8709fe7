"""Execution state and checkpoint batching for durable-lambda."""

__all__: list[str] = []
