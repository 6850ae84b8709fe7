"""The functions the local service can run: durable handlers and plain targets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from durable_lambda_local._arns import EXECUTION_NAME_PATTERN, parse_function_name

__all__ = ["EventFormat", "FunctionRegistry", "LocalFunction"]

_DURABLE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class EventFormat(Enum):
    """How a durable handler receives its invocation input."""

    OBJECT = "object"
    """A ``DurableExecutionInvocationInputWithClient`` wired to the in-process client."""
    JSON = "json"
    """The JSON event exactly as Lambda sends it (timestamps in epoch milliseconds)."""


@dataclass(frozen=True, slots=True)
class LocalFunction:
    """A function registered with the local service.

    Args:
        name: the function name (``[a-zA-Z0-9-_]`` for durable functions, as in their ARNs).
        handler: ``handler(event, lambda_context)``. Durable handlers are usually wrapped
            with ``durable_execution``; plain targets get the decoded payload.
        durable: run invocations as durable executions (False: a plain function, called
            once per chained invoke or Invoke).
        qualifier: register under ``name:qualifier`` (wins over the bare name).
        execution_timeout: the durable configuration's ``ExecutionTimeout`` in seconds.
        retention_period_days: days a finished execution stays readable.
        kms_key_arn: reported in ``DurableConfig``; nothing is encrypted locally.
        timeout: the per-invocation limit in seconds (Lambda's function timeout).
        event_format: what a durable handler receives (see :class:`EventFormat`).

    Raises:
        ValueError: a name, qualifier or limit is out of range.
    """

    name: str
    handler: Callable[[Any, Any], Any]
    durable: bool = True
    qualifier: str | None = None
    execution_timeout: int = 300
    retention_period_days: int = 14
    kms_key_arn: str | None = None
    timeout: float = 900.0
    event_format: EventFormat = EventFormat.OBJECT

    def __post_init__(self) -> None:
        reference = parse_function_name(self.name)
        if reference is None or reference.name != self.name:
            raise ValueError(
                f"function name {self.name!r} must be 1 to 64 of [a-zA-Z0-9-_.] (no qualifier)"
            )
        if self.durable and not set(self.name) <= _DURABLE_NAME_CHARS:
            raise ValueError(
                f"durable function name {self.name!r} must match {EXECUTION_NAME_PATTERN} "
                "(it becomes part of execution ARNs)"
            )
        if not 1 <= self.execution_timeout <= 31_622_400:
            raise ValueError(
                f"execution_timeout must be between 1 and 31622400 seconds; "
                f"got {self.execution_timeout}"
            )
        if not 1 <= self.retention_period_days <= 90:
            raise ValueError(
                f"retention_period_days must be between 1 and 90; got {self.retention_period_days}"
            )
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive; got {self.timeout}")

    @property
    def key(self) -> str:
        """``name`` or ``name:qualifier``: how the registry finds it."""
        return self.name if self.qualifier is None else f"{self.name}:{self.qualifier}"


class FunctionRegistry:
    """Registered functions by name; a qualified registration wins over the bare name."""

    def __init__(self) -> None:
        self._functions: dict[str, LocalFunction] = {}
        self._lock = threading.Lock()

    def register(self, function: LocalFunction) -> None:
        """Add or replace ``function``."""
        with self._lock:
            self._functions[function.key] = function

    def resolve(self, name: str, qualifier: str | None = None) -> LocalFunction | None:
        """The function for ``name`` (and ``qualifier``), or None."""
        with self._lock:
            if qualifier is not None:
                found = self._functions.get(f"{name}:{qualifier}")
                if found is not None:
                    return found
            return self._functions.get(name)

    def names(self) -> list[str]:
        """Every registration key, sorted."""
        with self._lock:
            return sorted(self._functions)
