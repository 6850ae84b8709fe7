"""Callbacks answered from outside through ``SendDurableExecutionCallbackSuccess``."""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.types import WaitForCallbackContext


@durable_execution
def created_callback(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    approval = context.create_callback(
        name="manager-approval", config=CallbackConfig(timeout=Duration.from_hours(1))
    )
    context.step(lambda _: approval.callback_id is not None, name="notify-manager")
    answer = approval.result()
    return {"approved_by": answer}


def _submit_to_reviewer(callback_id: str, _: WaitForCallbackContext) -> None:
    # The reviewer would get the id by e-mail; the compatibility driver reads it from the
    # execution's history instead.
    if not callback_id:
        raise ValueError("no callback id to hand out")


@durable_execution
def waited_callback(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    verdict = context.wait_for_callback(_submit_to_reviewer, name="review")
    return {"verdict": verdict}


@durable_execution
def refused_callback(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    # The driver answers with SendDurableExecutionCallbackFailure: the execution fails.
    payment = context.create_callback(name="payment-confirmation")
    return {"payment": payment.result()}
