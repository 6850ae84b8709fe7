"""What the HTTP layer needs from the service behind it: one method per operation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

WireMembers = Mapping[str, Any]
"""Members of a request or response keyed by their model names (``DurableExecutionArn``…).

Requests carry Python values converted from the wire: ``str``, ``int``, ``bool``, aware
``datetime`` for timestamps, ``bytes`` for blob payloads, lists and nested dicts for JSON
structures. Responses may use the same types (``datetime`` or epoch seconds for
timestamps, enum members for enums); absent members are simply left out or set to None.
"""


class DurableApiBackend(Protocol):
    """The service the HTTP server answers for.

    Each method receives the parsed input members of its operation and returns the output
    members. Raise :class:`~durable_lambda_local.http.ApiError` for a modelled error; any
    other exception is answered as ``ServiceException`` (HTTP 500) naming it.

    ``invoke`` is called for ``POST /2015-03-31/functions/{FunctionName}/invocations``; for a
    synchronous (``RequestResponse``) invocation of a durable function it returns when the
    execution has ended. It returns ``StatusCode`` (200, 202 or 204), ``Payload`` (bytes),
    ``FunctionError``, ``ExecutedVersion`` and ``DurableExecutionArn`` as they apply.
    """

    def checkpoint_durable_execution(self, request: WireMembers) -> WireMembers: ...

    def get_durable_execution_state(self, request: WireMembers) -> WireMembers: ...

    def get_durable_execution(self, request: WireMembers) -> WireMembers: ...

    def get_durable_execution_history(self, request: WireMembers) -> WireMembers: ...

    def list_durable_executions_by_function(self, request: WireMembers) -> WireMembers: ...

    def send_durable_execution_callback_success(self, request: WireMembers) -> WireMembers: ...

    def send_durable_execution_callback_failure(self, request: WireMembers) -> WireMembers: ...

    def send_durable_execution_callback_heartbeat(self, request: WireMembers) -> WireMembers: ...

    def stop_durable_execution(self, request: WireMembers) -> WireMembers: ...

    def pause_durable_execution(self, request: WireMembers) -> WireMembers: ...

    def resume_durable_execution(self, request: WireMembers) -> WireMembers: ...

    def delete_durable_execution(self, request: WireMembers) -> WireMembers: ...

    def invoke(self, request: WireMembers) -> WireMembers: ...
