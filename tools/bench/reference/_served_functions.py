"""Functions that ``durable-lambda serve`` hosts for the HTTP workload W8.

The server imports this file by path (``--function three=.../_served_functions.py:three_steps``)
in its own process, so it may import our SDK only: W8 runs against our side alone.

``hand_over`` lets the benchmarking process checkpoint into a live invocation from its
own boto3 client: a checkpoint token is only accepted while the invocation it was
issued to is running, so the handler sends the execution's ARN and token over a
loopback socket and stays in its invocation until the benchmark answers with the
number of calls it made.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

from durable_lambda import DurableContext, durable_execution

# The benchmark answers once its checkpoint calls are done; a run is abandoned well before.
HAND_OVER_TIMEOUT_S = 600.0


@durable_execution
def three_steps(event: Any, context: DurableContext) -> int:
    """A short execution: three synchronous steps, each one checkpoint call over HTTP."""
    total = 0
    for name in ("first", "second", "third"):
        total = context.step(_plus_one(total), name=name)
    return total


def _plus_one(value: int) -> Callable[[Any], int]:
    return lambda _step: value + 1


def hand_over(event: Any, context: Any) -> dict[str, str]:
    """Give the invocation's ARN and checkpoint token to the benchmark, wait for its answer.

    ``event`` is the invocation input with a client, as the server hands it to a hosted
    durable function; the input payload names the loopback port the benchmark listens on.
    Returns the Lambda output of a succeeded execution whose result is the benchmark's
    answer (the number of checkpoint calls it made).
    """
    payload = json.loads(event.initial_execution_state.get_input_payload() or "{}")
    address = ("127.0.0.1", int(payload["port"]))
    with socket.create_connection(address, timeout=HAND_OVER_TIMEOUT_S) as connection:
        stream = connection.makefile("rwb")
        offer = {"arn": event.durable_execution_arn, "token": event.checkpoint_token}
        stream.write(json.dumps(offer).encode() + b"\n")
        stream.flush()
        answer = json.loads(stream.readline() or b"null")
    if not isinstance(answer, dict) or "calls" not in answer:
        raise RuntimeError(f"hand_over: expected an answer with 'calls', got {answer!r}")
    return {"Status": "SUCCEEDED", "Result": json.dumps(answer["calls"])}


# The command line hosts durable handlers only; this one speaks the envelope itself.
hand_over.__durable_execution__ = True  # type: ignore[attr-defined]
