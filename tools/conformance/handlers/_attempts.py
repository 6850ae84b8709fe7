"""Attempt counters that survive replays, kept per execution.

Several requirements describe a step that fails (or crashes) on its first attempts and
succeeds later. The handlers run in this process, so a counter keyed by the execution
ARN tells each attempt apart without an external store.
"""

from __future__ import annotations

import threading
from collections import Counter

from durable_lambda import DurableContext

__all__ = ["next_attempt"]

_LOCK = threading.Lock()
_COUNTS: Counter[tuple[str, str]] = Counter()


def next_attempt(context: DurableContext, key: str) -> int:
    """Count one more attempt of ``key`` in this execution; the first call returns 1."""
    arn = context.state.durable_execution_arn
    with _LOCK:
        _COUNTS[arn, key] += 1
        return _COUNTS[arn, key]
