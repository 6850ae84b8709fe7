"""The routes, members and error shapes of the API, read from botocore's Lambda model.

Nothing about the wire is written down by hand here: methods, paths, status codes,
member locations and error spellings all come from the model boto3 itself uses, so the
server and the client cannot disagree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape, StructureShape

from durable_lambda_local.http._errors import ErrorCode

DURABLE_OPERATIONS: tuple[str, ...] = (
    "CheckpointDurableExecution",
    "GetDurableExecutionState",
    "GetDurableExecution",
    "GetDurableExecutionHistory",
    "ListDurableExecutionsByFunction",
    "SendDurableExecutionCallbackSuccess",
    "SendDurableExecutionCallbackFailure",
    "SendDurableExecutionCallbackHeartbeat",
    "StopDurableExecution",
    "PauseDurableExecution",
    "ResumeDurableExecution",
    "DeleteDurableExecution",
)
"""The durable-execution operations of the Lambda API, in the order of protocol.md §2."""

SERVED_OPERATIONS: tuple[str, ...] = (*DURABLE_OPERATIONS, "Invoke")
"""Every operation the HTTP server answers."""


@dataclass(frozen=True)
class OperationSpec:
    """How one operation travels over HTTP, as the model describes it."""

    name: str
    """Model name, e.g. ``CheckpointDurableExecution``."""
    method_name: str
    """Snake-case name, e.g. ``checkpoint_durable_execution`` (the backend method)."""
    http_method: str
    path_segments: tuple[str, ...]
    """Path template split on ``/``; ``{Label}`` segments capture one path segment."""
    status_code: int
    input_shape: StructureShape
    output_shape: StructureShape | None

    @property
    def payload_member(self) -> str | None:
        """The input member that is the whole request body, if the body is not JSON."""
        payload = self.input_shape.serialization.get("payload")
        return str(payload) if payload is not None else None


@functools.cache
def service_model() -> ServiceModel:
    """The Lambda service model shipped with botocore (loaded once per process)."""
    loader = Loader()
    data: dict[str, Any] = loader.load_service_model("lambda", "service-2")
    return ServiceModel(data, service_name="lambda")


@functools.cache
def operation_specs() -> tuple[OperationSpec, ...]:
    """The served operations with their routes."""
    model = service_model()
    specs = []
    for name in SERVED_OPERATIONS:
        operation = model.operation_model(name)
        uri = str(operation.http["requestUri"]).split("?", 1)[0]
        input_shape = operation.input_shape
        assert isinstance(input_shape, StructureShape)
        output_shape = operation.output_shape
        specs.append(
            OperationSpec(
                name=name,
                method_name=xform_name(name),
                http_method=str(operation.http["method"]),
                path_segments=tuple(uri.strip("/").split("/")),
                status_code=int(operation.http.get("responseCode", 200)),
                input_shape=input_shape,
                output_shape=output_shape if isinstance(output_shape, StructureShape) else None,
            )
        )
    return tuple(specs)


@functools.cache
def operation_spec(name: str) -> OperationSpec:
    """The spec of one served operation, by model name."""
    for spec in operation_specs():
        if spec.name == name:
            return spec
    raise KeyError(name)


@dataclass(frozen=True)
class ErrorSpec:
    """How one error shape is written: its status, its message member, its extra members."""

    status_code: int
    message_member: str
    shape: StructureShape | None


@functools.cache
def error_spec(code: ErrorCode) -> ErrorSpec:
    """The status code and message spelling of an error shape."""
    if code is ErrorCode.UNKNOWN_OPERATION:
        return ErrorSpec(status_code=404, message_member="message", shape=None)
    shape: Shape = service_model().shape_for(code.value)
    assert isinstance(shape, StructureShape)
    status = int(shape.metadata["error"]["httpStatusCode"])
    member = "Message" if "Message" in shape.members else "message"
    return ErrorSpec(status_code=status, message_member=member, shape=shape)
