"""Limits that shape every CheckpointDurableExecution call."""

from __future__ import annotations

import math
from dataclasses import dataclass

from durable_lambda_client import ValidationError

__all__ = ["CheckpointBatcherConfig"]


@dataclass(frozen=True)
class CheckpointBatcherConfig:
    """How many updates one checkpoint call may carry.

    Attributes:
        max_batch_size_bytes: upper bound of the summed sizes of the updates of one
            call; the size of an update is the length of its JSON wire form. An update
            larger than the bound on its own is still sent, alone.
        max_batch_time_seconds: kept for compatibility with the reference SDK, which
            waited up to this long to fill a batch. This batcher never waits for more
            updates: it sends as soon as no call is in flight, and updates that arrive
            meanwhile join the next call, so no update waits longer than the call in
            front of it. The value is validated and otherwise unused.
        max_batch_operations: upper bound of the number of updates in one call
            (``math.inf`` for none).

    Raises:
        ValidationError: a field is out of range; the message names the field, the
            value and the rule.
    """

    max_batch_size_bytes: int = 750 * 1024
    max_batch_time_seconds: float = 1.0
    max_batch_operations: int | float = 250

    def __post_init__(self) -> None:
        if isinstance(self.max_batch_size_bytes, bool) or not isinstance(
            self.max_batch_size_bytes, int
        ):
            raise ValidationError(
                "CheckpointBatcherConfig.max_batch_size_bytes must be an int, "
                f"got {self.max_batch_size_bytes!r}"
            )
        if self.max_batch_size_bytes < 1:
            raise ValidationError(
                "CheckpointBatcherConfig.max_batch_size_bytes must be at least 1, "
                f"got {self.max_batch_size_bytes!r}"
            )
        ops = self.max_batch_operations
        if isinstance(ops, bool) or not isinstance(ops, int | float):
            raise ValidationError(
                "CheckpointBatcherConfig.max_batch_operations must be an int or math.inf, "
                f"got {ops!r}"
            )
        if isinstance(ops, float) and not (ops == math.inf or ops.is_integer()):
            raise ValidationError(
                "CheckpointBatcherConfig.max_batch_operations must be a whole number or "
                f"math.inf, got {ops!r}"
            )
        if ops < 1:
            raise ValidationError(
                f"CheckpointBatcherConfig.max_batch_operations must be at least 1, got {ops!r}"
            )
        seconds = self.max_batch_time_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValidationError(
                f"CheckpointBatcherConfig.max_batch_time_seconds must be a number, got {seconds!r}"
            )
        if not seconds >= 0:
            raise ValidationError(
                "CheckpointBatcherConfig.max_batch_time_seconds must be at least 0, "
                f"got {seconds!r}"
            )
