"""One durable handler per conformance requirement, written from the requirement's prose.

Each area module registers its handlers with :func:`requirement`; importing this package
imports them all. A handler may serve several requirements, may need chained-invoke
targets (registered under the names it calls), and may carry an *expected difference*:
the reason our SDK, which follows the reference SDK 1.1.0, is meant to differ from what
the requirement (captured from a later SDK) expects, in its history and result or only
in its log records. Requirements that need an API the 1.1.0 surface does not have are
listed in :data:`UNSUPPORTED` with the reason.

Importing this package in a server process that :data:`LOG_FILE_VARIABLE` points at a
file also sends the process's log records there, for the runner to check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from conformance._log_capture import LOG_FILE_VARIABLE, install_from_environment

__all__ = [
    "LOG_FILE_VARIABLE",
    "REGISTRY",
    "UNSUPPORTED",
    "Conformance",
    "requirement",
    "unsupported",
]

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


@dataclass(frozen=True)
class Conformance:
    """How to run one requirement.

    Attributes:
        handler: the ``@durable_execution`` handler invoked with the requirement's input.
        targets: durable functions the handler invokes, by function name.
        difference: why the requirement is expected to fail, or None.
        log_difference: why only its ``ExpectedLogs`` are expected to fail (its history
            and result must hold), or None.
    """

    handler: Callable[..., Any]
    targets: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    difference: str | None = None
    log_difference: str | None = None


REGISTRY: dict[str, Conformance] = {}
"""Requirement id (``"1-11"``) to the handler that runs it."""

UNSUPPORTED: dict[str, str] = {}
"""Requirement id to the reason it cannot be written against our API."""


def requirement(
    *ids: str,
    targets: Mapping[str, Callable[..., Any]] | None = None,
    difference: str | None = None,
    log_difference: str | None = None,
) -> Callable[[HandlerT], HandlerT]:
    """Register the decorated handler for the requirements ``ids``.

    Raises:
        ValueError: an id is registered twice.
    """

    def register(handler: HandlerT) -> HandlerT:
        for requirement_id in ids:
            if requirement_id in REGISTRY or requirement_id in UNSUPPORTED:
                raise ValueError(f"requirement {requirement_id} has two handlers")
            REGISTRY[requirement_id] = Conformance(
                handler, dict(targets or {}), difference, log_difference
            )
        return handler

    return register


def unsupported(requirement_id: str, reason: str) -> None:
    """Declare that ``requirement_id`` needs an API our SDK does not offer.

    Raises:
        ValueError: the id already has a handler or a reason.
    """
    if requirement_id in REGISTRY or requirement_id in UNSUPPORTED:
        raise ValueError(f"requirement {requirement_id} is declared twice")
    UNSUPPORTED[requirement_id] = reason


def _load_areas() -> None:
    # Imported for their registrations.
    from conformance.handlers import (  # noqa: F401
        callback,
        child,
        invoke,
        map,
        parallel,
        step,
        wait,
        wait_for_callback,
        wait_for_condition,
    )


install_from_environment()
_load_areas()
