"""A local AWS Lambda durable-execution service: SQLite store, virtual clock, test runner, HTTP API
and command line.
"""

__all__: list[str] = []
