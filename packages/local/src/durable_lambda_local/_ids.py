"""Generation of the random identifiers the service hands out.

Execution ids, generated execution names, request ids, invocation ids and callback
nonces all come from one generator per service. Seeded, it yields the same sequence on
every run, so ARNs, callback ids and request ids in a test are reproducible.
"""

from __future__ import annotations

import random
import secrets
import threading
import uuid

__all__ = ["IdGenerator"]


class IdGenerator:
    """Random ids: cryptographically random by default, reproducible when seeded.

    Args:
        seed: any integer makes the sequence deterministic (for tests and snapshots);
            None draws from the operating system's random source.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seeded = seed is not None
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def seeded(self) -> bool:
        """True when the sequence is reproducible."""
        return self._seeded

    def random_bytes(self, count: int) -> bytes:
        """Return ``count`` random bytes."""
        if not self._seeded:
            return secrets.token_bytes(count)
        with self._lock:
            return self._random.getrandbits(count * 8).to_bytes(count, "big")

    def uuid4(self) -> str:
        """Return a version-4 UUID string (``xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx``)."""
        return str(uuid.UUID(bytes=self.random_bytes(16), version=4))
