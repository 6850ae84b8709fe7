"""The compatibility scenarios: which handler runs, how it is invoked, what it must give.

A scenario names a hosted function, the payload, the invocation type, the callbacks the
driver answers (by callback name) and the outcome the handler is written to produce.
The functions are hosted once per side, so ``HOSTED`` lists every function name with
its ``module:attribute`` target inside the ``handlers`` package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

__all__ = [
    "EXPECTED_DIFFERENCES",
    "HOSTED",
    "SCENARIOS",
    "hosted_by_ours",
    "CallbackFailure",
    "ExpectedDifference",
    "ExpectedError",
    "InvocationType",
    "Scenario",
    "select",
]


class InvocationType(Enum):
    """boto3 ``Invoke``'s ``InvocationType``."""

    SYNC = "RequestResponse"
    ASYNC = "Event"


@dataclass(frozen=True)
class ExpectedError:
    """The error a failed execution must report: its ``ErrorType`` (without module, as
    our SDK writes it) and a part of its message."""

    error_type: str
    message_part: str


@dataclass(frozen=True)
class ExpectedDifference:
    """A declared way the reference history differs from ours, and why.

    Args:
        reason: why the difference is expected (a 3.x-only change or a reference defect).
        renamed_error_types: reference error types (without module) and the ones our SDK
            writes in their place; the histories must agree once they are replaced.
    """

    reason: str
    renamed_error_types: Mapping[str, str]


@dataclass(frozen=True)
class CallbackFailure:
    """An answer sent with ``SendDurableExecutionCallbackFailure``."""

    error_type: str
    message: str


@dataclass(frozen=True)
class Scenario:
    """One handler run, with the outcome it is written to produce.

    Args:
        name: the row's name.
        function: the hosted function to invoke.
        payload: the JSON payload (the driver adds a fresh ``run_id``).
        invocation: synchronous (``RequestResponse``) or asynchronous (``Event``).
        status: the execution's final status.
        result: the execution's JSON result when it succeeds.
        error: the execution's error when it fails.
        callbacks: answers by the name of the callback operation: ``Result`` bytes for
            ``SendDurableExecutionCallbackSuccess`` (callbacks decode results with a
            pass-through serdes by default, so the handler gets the text as sent), or a
            :class:`CallbackFailure` for ``SendDurableExecutionCallbackFailure``.
        reference_only: why the handler runs on the reference side only (it uses a 3.x
            feature our SDK, which follows 1.1.0, does not have); None for both sides.
    """

    name: str
    function: str
    payload: Mapping[str, Any]
    invocation: InvocationType
    status: str = "SUCCEEDED"
    result: Any = None
    error: ExpectedError | None = None
    callbacks: Mapping[str, bytes | CallbackFailure] = field(default_factory=dict)
    reference_only: str | None = None


HOSTED: Mapping[str, str] = MappingProxyType(
    {
        "CompatRetriedStep": "handlers.steps:retried_step",
        "CompatFailingStep": "handlers.steps:failing_step",
        "CompatLongWait": "handlers.waits:long_wait",
        "CompatPolledCondition": "handlers.waits:polled_condition",
        "CompatCreatedCallback": "handlers.callbacks:created_callback",
        "CompatWaitedCallback": "handlers.callbacks:waited_callback",
        "CompatChildContext": "handlers.children:child_context",
        "CompatBoundedMap": "handlers.children:bounded_map",
        "CompatParallel": "handlers.children:parallel_branches",
        "CompatInvoker": "handlers.chained:invoker",
        "CompatQuoteService": "handlers.chained:quote_service",
        "CompatLargeResult": "handlers.payloads:large_result",
        "CompatPaginatedReplay": "handlers.payloads:paginated_replay",
        "CompatRefusedCallback": "handlers.callbacks:refused_callback",
        "CompatFlatMap": "handlers.three_x:flat_map",
        "CompatNamedBranches": "handlers.three_x:named_branches",
        "CompatTenantInvoke": "handlers.chained:tenant_invoke",
    }
)

_LARGE_KILOBYTES = 300
_THREE_X = "a reference SDK 3.x feature (1.1.0, which our SDK follows, has none)"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "step-retry-sync",
        "CompatRetriedStep",
        {"amount": 21},
        InvocationType.SYNC,
        result={"doubled": 42, "outcome": {"status": "accepted", "attempts": 3}},
    ),
    Scenario(
        "step-retry-async",
        "CompatRetriedStep",
        {"amount": 5},
        InvocationType.ASYNC,
        result={"doubled": 10, "outcome": {"status": "accepted", "attempts": 3}},
    ),
    Scenario(
        "failing-step",
        "CompatFailingStep",
        {},
        InvocationType.SYNC,
        status="FAILED",
        error=ExpectedError("CallableRuntimeError", "the order total must be positive"),
    ),
    Scenario(
        "wait-days",
        "CompatLongWait",
        {"customer": "ada"},
        InvocationType.ASYNC,
        result={"reminder": "remind ada: sent"},
    ),
    Scenario(
        "wait-for-condition",
        "CompatPolledCondition",
        {},
        InvocationType.ASYNC,
        result={"ready": 3},
    ),
    Scenario(
        "create-callback",
        "CompatCreatedCallback",
        {},
        InvocationType.ASYNC,
        result={"approved_by": "grace"},
        callbacks={"manager-approval": b"grace"},
    ),
    Scenario(
        "wait-for-callback",
        "CompatWaitedCallback",
        {},
        InvocationType.ASYNC,
        result={"verdict": "accepted"},
        callbacks={"review": b"accepted"},
    ),
    Scenario(
        "child-context",
        "CompatChildContext",
        {},
        InvocationType.SYNC,
        result={"shipment": "label-42 shipped"},
    ),
    Scenario(
        "map-max-concurrency",
        "CompatBoundedMap",
        {"numbers": [1, 2, 3, 4, 5]},
        InvocationType.SYNC,
        result=[1, 4, 9, 16, 25],
    ),
    Scenario("parallel", "CompatParallel", {}, InvocationType.SYNC, result=[120, 7]),
    Scenario(
        "chained-invoke",
        "CompatInvoker",
        {"sku": "pen"},
        InvocationType.ASYNC,
        result={"quote": {"sku": "pen", "price": 15}},
    ),
    Scenario(
        "large-result",
        "CompatLargeResult",
        {"kilobytes": _LARGE_KILOBYTES},
        InvocationType.SYNC,
        result={"blob": "x" * (_LARGE_KILOBYTES * 1024)},
    ),
    Scenario(
        "paginated-replay",
        "CompatPaginatedReplay",
        {"steps": 24, "kilobytes_per_step": 240},
        InvocationType.ASYNC,
        result={"steps": 24, "characters": 24 * 240 * 1024},
    ),
    Scenario(
        "callback-failure",
        "CompatRefusedCallback",
        {},
        InvocationType.ASYNC,
        status="FAILED",
        error=ExpectedError("CallbackError", "card declined"),
        callbacks={"payment-confirmation": CallbackFailure("PaymentDeclined", "card declined")},
    ),
    Scenario(
        "map-flat-nesting",
        "CompatFlatMap",
        {"numbers": [1, 2, 3]},
        InvocationType.SYNC,
        result=[1, 8, 27],
        reference_only=f"NestingType.FLAT: {_THREE_X}",
    ),
    Scenario(
        "parallel-named-branches",
        "CompatNamedBranches",
        {},
        InvocationType.SYNC,
        result=["ada", "3 orders"],
        reference_only=f"ParallelBranch: {_THREE_X}",
    ),
    Scenario(
        "invoke-with-tenant",
        "CompatTenantInvoke",
        {},
        InvocationType.ASYNC,
        result={"quote": {"sku": "ink", "price": 10}},
    ),
)

EXPECTED_DIFFERENCES: Mapping[str, ExpectedDifference] = MappingProxyType(
    {
        "failing-step": ExpectedDifference(
            "3.x fails the execution with the step's StepError; 1.1.0, which our SDK "
            "follows, surfaces operation failures as CallableRuntimeError",
            {"StepError": "CallableRuntimeError"},
        ),
        "callback-failure": ExpectedDifference(
            "3.x raises CallbackExternalError for a callback failed from outside; 1.1.0, "
            "which our SDK follows, raises CallbackError",
            {"CallbackExternalError": "CallbackError"},
        ),
    }
)
"""Scenarios whose reference history may differ from ours, with the reason: a reference
defect or a 3.x-only behaviour. A declared difference that no longer shows fails."""


def hosted_by_ours(scenarios: tuple[Scenario, ...] = SCENARIOS) -> dict[str, str]:
    """``HOSTED`` without the functions of reference-only scenarios (their modules use
    names our SDK does not have, so importing them would stop our server)."""
    reference_only = {s.function for s in scenarios if s.reference_only is not None}
    shared = {s.function for s in scenarios if s.reference_only is None}
    return {
        name: target
        for name, target in HOSTED.items()
        if name not in reference_only or name in shared
    }


def select(scenarios: tuple[Scenario, ...], names: list[str]) -> tuple[Scenario, ...]:
    """The scenarios named in ``names`` (all of them when ``names`` is empty).

    Raises:
        ValueError: a name matches no scenario.
    """
    if not names:
        return scenarios
    known = {scenario.name for scenario in scenarios}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"--only {', '.join(unknown)}: no such scenario; choose from {', '.join(sorted(known))}"
        )
    wanted = set(names)
    return tuple(scenario for scenario in scenarios if scenario.name in wanted)
