"""``JitterStrategy``: how much randomness spreads out retry and poll delays."""

from __future__ import annotations

import random
from enum import StrEnum


class JitterStrategy(StrEnum):
    """How a computed delay is randomised so that many retries do not align.

    ``NONE`` keeps the delay, ``HALF`` picks uniformly in ``[d/2, d)``, ``FULL``
    picks uniformly in ``[0, d)``. The strategies round the result up to whole
    seconds and to at least one second afterwards.
    """

    NONE = "NONE"
    FULL = "FULL"
    HALF = "HALF"

    def apply_jitter(self, delay: float) -> float:
        """Return the randomised delay to use instead of ``delay`` (seconds)."""
        if self is JitterStrategy.NONE:
            return delay
        if self is JitterStrategy.HALF:
            return delay / 2 + random.random() * delay / 2
        return random.random() * delay
