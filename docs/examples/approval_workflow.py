"""A purchase that waits for a person's approval, delivered through a durable callback.

Run it and answer the callback from a second terminal::

    uv run durable-lambda run docs/examples/approval_workflow.py:handler \
        --input '{"request_id": "PR-7", "amount": 420}'
    # the run prints the callback id; in another terminal:
    uv run durable-lambda callback succeed <CALLBACK_ID> --result '{"approved": true}'

or let ``run`` answer every callback itself::

    uv run durable-lambda run docs/examples/approval_workflow.py:handler \
        --input '{"request_id": "PR-7", "amount": 420}' --auto-callback '{"approved": true}'

The execution waits without consuming compute until the callback arrives (or until the
timeout of one day: the callback then fails with ``Callback.Timeout``).
"""

from __future__ import annotations

import json
from typing import Any

from durable_lambda import DurableContext, Duration, durable_execution
from durable_lambda.config import WaitForCallbackConfig


@durable_execution
def handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Ask for approval, then book or reject the purchase."""
    request_id = event.get("request_id", "PR-1")
    amount = event.get("amount", 100)

    def ask_for_approval(callback_id: str, callback_context: Any) -> None:
        # A real workflow would e-mail a link carrying the id; here it is logged.
        callback_context.logger.info("approve %s with callback id %s", request_id, callback_id)

    decision = context.wait_for_callback(
        ask_for_approval,
        name="manager-approval",
        config=WaitForCallbackConfig(timeout=Duration.from_days(1)),
    )
    if isinstance(decision, str):
        decision = json.loads(decision)
    if not decision.get("approved"):
        return {"request_id": request_id, "status": "rejected"}
    booking = context.step(
        lambda _: {"booking": f"BK-{request_id}", "amount": amount}, name="book-purchase"
    )
    return {"request_id": request_id, "status": "booked", **booking}
