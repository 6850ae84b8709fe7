"""Errors the HTTP API answers with, named after the Lambda error shapes boto3 knows."""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """The Lambda error shapes the durable-execution routes can answer with.

    Each value is the shape name that goes into the ``x-amzn-ErrorType`` header, which is
    what botocore reads to raise ``client.exceptions.<value>``.
    """

    INVALID_PARAMETER_VALUE = "InvalidParameterValueException"
    RESOURCE_NOT_FOUND = "ResourceNotFoundException"
    RESOURCE_CONFLICT = "ResourceConflictException"
    CALLBACK_TIMEOUT = "CallbackTimeoutException"
    TOO_MANY_REQUESTS = "TooManyRequestsException"
    SERVICE = "ServiceException"
    DURABLE_EXECUTION_ALREADY_STARTED = "DurableExecutionAlreadyStartedException"
    INVALID_REQUEST_CONTENT = "InvalidRequestContentException"
    REQUEST_TOO_LARGE = "RequestTooLargeException"
    UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaTypeException"
    UNKNOWN_OPERATION = "UnknownOperationException"


class ApiError(Exception):
    """A modelled Lambda error, raised by a backend and answered as boto3 expects it.

    The HTTP layer turns it into the status code of the error shape, the
    ``x-amzn-ErrorType`` header and a JSON body whose message member is spelled the way
    the shape spells it (``message`` or ``Message``).

    Args:
        code: the error shape.
        message: the text boto3 shows as ``Error.Message``; say which field was wrong and
            what is allowed.
        reason: ``Reason`` member of ``TooManyRequestsException`` (a ThrottleReason).
        retry_after_seconds: ``Retry-After`` header of ``TooManyRequestsException``.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        reason: str | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
        self.reason = reason
        self.retry_after_seconds = retry_after_seconds

    @classmethod
    def invalid_parameter(cls, message: str) -> ApiError:
        """An ``InvalidParameterValueException`` with ``message``."""
        return cls(ErrorCode.INVALID_PARAMETER_VALUE, message)

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        """A ``ResourceNotFoundException`` with ``message``."""
        return cls(ErrorCode.RESOURCE_NOT_FOUND, message)
