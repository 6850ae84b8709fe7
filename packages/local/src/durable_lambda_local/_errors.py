"""Errors of the local service, one class per error shape of the Lambda API.

Each class carries what an HTTP layer needs to answer exactly as Lambda does
(protocol.md §7): the shape name (the ``x-amzn-ErrorType`` header), the HTTP status,
the fault (``User``/``Service``) and the name of the message member in the body
(``message`` or ``Message``, as the model spells it for that shape). The in-process
client turns them into the botocore ``ClientError`` a boto3 client would raise, so the
SDK classifies local errors exactly like remote ones.
"""

from __future__ import annotations

from typing import Any, ClassVar

from durable_lambda_serdes import DurableExecutionsError

__all__ = [
    "CallbackTimeoutException",
    "DurableExecutionAlreadyStartedException",
    "DurableFunctionsTestError",
    "DurableServiceError",
    "ExecutionTimeoutWarning",
    "InvalidParameterValueException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "ServiceException",
    "TooManyRequestsException",
]


class DurableServiceError(DurableExecutionsError):
    """An API call to the local service was refused; the subclass names the error shape.

    Attributes:
        message: the human-readable reason, as the service puts it in the response.
    """

    shape_name: ClassVar[str] = "ServiceException"
    http_status: ClassVar[int] = 500
    fault: ClassVar[str] = "Service"
    message_member: ClassVar[str] = "Message"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_body(self) -> dict[str, Any]:
        """The JSON body Lambda sends for this error."""
        return {"Type": self.fault, self.message_member: self.message}

    def to_error_response(self, request_id: str = "") -> dict[str, Any]:
        """The ``response`` dict a botocore ``ClientError`` carries for this error."""
        return {
            "Error": {"Code": self.shape_name, "Message": self.message},
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": self.http_status,
                "HTTPHeaders": {"x-amzn-errortype": self.shape_name},
                "RetryAttempts": 0,
            },
        }


class InvalidParameterValueException(DurableServiceError):
    """A parameter is malformed, out of range, or asks for an illegal transition."""

    shape_name = "InvalidParameterValueException"
    http_status = 400
    fault = "User"
    message_member = "message"


class ResourceNotFoundException(DurableServiceError):
    """The execution, callback or function does not exist (or was deleted)."""

    shape_name = "ResourceNotFoundException"
    http_status = 404
    fault = "User"


class ResourceConflictException(DurableServiceError):
    """The execution is not in a status that allows the request (pause, resume, delete)."""

    shape_name = "ResourceConflictException"
    http_status = 409
    fault = "User"
    message_member = "message"


class CallbackTimeoutException(DurableServiceError):
    """The callback has already completed, timed out, or its execution has ended."""

    shape_name = "CallbackTimeoutException"
    http_status = 400
    fault = "User"


class TooManyRequestsException(DurableServiceError):
    """The request was throttled."""

    shape_name = "TooManyRequestsException"
    http_status = 429
    fault = "User"
    message_member = "message"


class ServiceException(DurableServiceError):
    """The service failed internally; the request may be retried."""


class DurableExecutionAlreadyStartedException(DurableServiceError):
    """An execution with this name already exists for the function, with another input."""

    shape_name = "DurableExecutionAlreadyStartedException"
    http_status = 409
    fault = "User"


class ExecutionTimeoutWarning(UserWarning):
    """A test run ended ``TIMED_OUT`` under the runner's default ``execution_timeout``
    (300 seconds, as in the reference testing library), most likely because the
    handler waits longer than that; pass ``execution_timeout=...`` to the runner or to
    ``run``."""


class DurableFunctionsTestError(DurableExecutionsError):
    """A test-runner helper could not do what it was asked (operation not found, wrong
    operation type, execution not finished within the time allowed)."""
