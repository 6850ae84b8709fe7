"""Operation names (behaviour §3.1.2): an empty name counts as absent."""

from __future__ import annotations

from typing import Any

import pytest

from durable_lambda_context import (
    DurableContext,
    Duration,
    WaitForConditionConfig,
    WaitForConditionDecision,
    durable_execution,
)

stop = WaitForConditionConfig(
    wait_strategy=lambda state, attempt: WaitForConditionDecision.stop_polling(),
    initial_state=0,
)

CALLS = {
    "step": lambda c: c.step(lambda _: 1, name=""),
    "wait": lambda c: c.wait(Duration(1), name=""),
    "create_callback": lambda c: c.create_callback(name="").callback_id,
    "invoke": lambda c: c.invoke("fn", None, name=""),
    "run_in_child_context": lambda c: c.run_in_child_context(lambda child: 1, name=""),
    "map": lambda c: c.map([1], lambda ctx, item, index, items: item, name="").get_results(),
    "parallel": lambda c: c.parallel([lambda ctx: 1], name="").get_results(),
    "wait_for_condition": lambda c: c.wait_for_condition(lambda s, ctx: s, stop, name=""),
    "wait_for_callback": lambda c: c.wait_for_callback(lambda callback_id, ctx: None, name=""),
}


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_an_empty_name_is_no_name_and_replays(service: Any, operation: str) -> None:
    call = CALLS[operation]

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        call(context)
        context.wait(Duration(1), name="end")
        return "done"

    assert service.invoke(handler) == {"Status": "PENDING"}
    first = service.wire()[0]
    assert "Name" not in first
    assert service.updates[0].name is None
    service.complete_open()
    assert service.run(handler) == {"Status": "SUCCEEDED", "Result": '"done"'}
