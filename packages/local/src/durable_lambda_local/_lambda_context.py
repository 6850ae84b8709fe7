"""The Lambda context object handed to handlers run in-process."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LocalLambdaContext"]


@dataclass(frozen=True)
class LocalLambdaContext:
    """What Lambda passes as the handler's second argument, for in-process invocations.

    ``get_remaining_time_in_millis`` counts down (in real time) from the function's
    timeout, as in Lambda.
    """

    aws_request_id: str
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 128
    log_group_name: str = ""
    log_stream_name: str = ""
    tenant_id: str | None = None
    client_context: Any = None
    identity: Any = None
    timeout_seconds: float = 900.0
    _started: float = field(default_factory=time.monotonic, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out (0 once it has)."""
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))

    def log(self, message: str) -> None:
        """Write ``message`` to standard output, like Lambda's ``context.log``."""
        sys.stdout.write(message)
