"""A first durable function: greet a new user, wait a day, then send a tip.

Run it locally (the day is skipped)::

    uv run durable-lambda run docs/examples/welcome.py:handler --input '{"name": "Ada"}'
"""

from __future__ import annotations

from typing import Any

from durable_lambda import DurableContext, Duration, StepContext, durable_execution, durable_step


@durable_step
def send_email(step_context: StepContext, to: str, subject: str) -> str:
    """Send one e-mail (here: pretend to) and return its message id."""
    step_context.logger.info("sending %r to %s", subject, to)
    return f"msg-{to}-{len(subject)}"


@durable_execution
def handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Welcome a user now and send a tip a day later."""
    name = event.get("name", "friend")
    welcome = context.step(send_email(name, "Welcome aboard"), name="welcome-mail")
    context.wait(Duration.from_days(1), name="one-day")
    tip = context.step(send_email(name, "A tip for your first week"), name="tip-mail")
    return {"user": name, "messages": [welcome, tip]}
