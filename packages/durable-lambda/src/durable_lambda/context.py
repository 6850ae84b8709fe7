"""``DurableContext``, callbacks and decorators (the reference SDK's ``context`` module)."""

from durable_lambda_context import (
    PASS_THROUGH_SERDES,
    Callback,
    DurableContext,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)

__all__ = [
    "PASS_THROUGH_SERDES",
    "Callback",
    "DurableContext",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
]
