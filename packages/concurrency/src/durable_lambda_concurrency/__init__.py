"""A bounded-concurrency executor with completion policies, early exit and suspension; usable on
its own.
"""

__all__: list[str] = []
