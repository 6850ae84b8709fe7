"""Write, run and test AWS Lambda durable functions in Python: one import for the whole SDK."""

__all__: list[str] = []
