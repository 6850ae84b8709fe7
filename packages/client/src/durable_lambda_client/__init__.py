"""Wire models and the boto3-backed client of the AWS Lambda durable-execution API, plus the
durable-lambda exception hierarchy.
"""

__all__: list[str] = []
