"""Raising a suspension: the operation cannot finish in this invocation.

A timed suspension carries when the operation can make progress again; inside
map/parallel that time decides when a branch is re-run, at the top level any
suspension ends the invocation as PENDING.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import NoReturn

from durable_lambda_client import SuspendExecution, TimedSuspendExecution


def suspend_with_optional_resume_delay(message: str, delay_seconds: int | None = None) -> NoReturn:
    """Suspend; resume after ``delay_seconds`` when given (a negative delay means now)."""
    if delay_seconds is None:
        raise SuspendExecution(
            "No delay_seconds provided, suspending without retry timestamp, "
            f"original operation: [{message}]"
        )
    if delay_seconds < 0:
        raise TimedSuspendExecution(
            f"{message} (invalid delay {delay_seconds}s, resuming now)", time.time()
        )
    raise TimedSuspendExecution.from_delay(message, delay_seconds)


def suspend_with_optional_resume_timestamp(
    message: str, timestamp: datetime | None = None
) -> NoReturn:
    """Suspend; resume at ``timestamp`` when given (a past time means now)."""
    if timestamp is None:
        raise SuspendExecution(message)
    scheduled = max(timestamp.timestamp(), time.time())
    raise TimedSuspendExecution(message, scheduled)
