"""``context.wait_for_callback``: create a callback, submit its id in a step, wait for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from durable_lambda_client import OperationSubType, OperationType
from durable_lambda_context._child import run_child
from durable_lambda_context._config import StepConfig, WaitForCallbackConfig
from durable_lambda_context._decorators import original_name
from durable_lambda_context._types import StepContext, WaitForCallbackContext
from durable_lambda_context._validation import require_callable, require_name

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext


def run_wait_for_callback(
    context: DurableContext,
    submitter: Callable[[str, WaitForCallbackContext], Any],
    name: str | None,
    config: WaitForCallbackConfig | None,
) -> Any:
    """Run the callback round trip as one CONTEXT operation of ``context``."""
    require_callable("submitter", submitter)
    require_name("name", name)
    name = name or original_name(submitter)
    operation_id, checkpoint = context._begin_operation(
        OperationType.CONTEXT, OperationSubType.WAIT_FOR_CALLBACK, name
    )
    callback_name = f"{name} create callback id" if name else "create callback id"
    submitter_name = f"{name} submitter" if name else "submitter"
    step_config = (
        StepConfig(retry_strategy=config.retry_strategy, serdes=config.serdes)
        if config is not None
        else None
    )

    def round_trip(child: DurableContext) -> Any:
        callback = child.create_callback(name=callback_name, config=config)

        def submit(step_context: StepContext) -> Any:
            return submitter(
                callback.callback_id, WaitForCallbackContext(logger=step_context.logger)
            )

        child.step(submit, name=submitter_name, config=step_config)
        return callback.result()

    return run_child(
        context,
        operation_id=operation_id,
        checkpoint=checkpoint,
        name=name,
        sub_type=OperationSubType.WAIT_FOR_CALLBACK,
        segment=context._segment(name, OperationSubType.WAIT_FOR_CALLBACK),
        func=round_trip,
        serdes=None,
        summary_generator=None,
    )
