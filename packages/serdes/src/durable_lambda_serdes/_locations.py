"""Where in a value a serialization problem sits, written as a path like ``$.orders[2].when``.

The path is collected while the error unwinds: the code that finds the problem
raises a ``LocatedError`` without knowing where it is, and every container on
the way out adds its own key or index. Nothing is spent on paths when nothing
goes wrong.
"""

from __future__ import annotations

import json
from typing import Any

from durable_lambda_serdes._errors import SerDesError

__all__ = ["DictKey", "LocatedError", "render_path"]


def _render_segment(segment: Any) -> str:
    if isinstance(segment, str):
        if segment.isidentifier():
            return f".{segment}"
        return f"[{json.dumps(segment)}]"
    # A list index, or a non-str dict key (``DictKey``) in Python's spelling.
    return f"[{segment!r}]"


def render_path(segments: list[Any]) -> str:
    """Render segments, outermost first, as ``$``, ``$.a``, ``$["a b"]`` or ``$.a[0]``.

    An ``int`` segment is a list or tuple index; a ``str`` segment is a dict key.
    Wrap dict keys that are ints in ``DictKey`` so they do not read as indexes.
    """
    return "$" + "".join(_render_segment(segment) for segment in segments)


class DictKey:
    """A non-str dict key in a path, kept apart from list indexes."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __repr__(self) -> str:
        return repr(self.key)


class LocatedError(SerDesError):
    """A ``SerDesError`` that learns its location while it propagates.

    ``str()`` gives ``<problem>``, then `` at <path>`` unless the problem is at
    the root (so root-level messages equal the reference SDK's), then
    ``: <detail>`` when there is one.
    """

    def __init__(self, problem: str, detail: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.detail = detail
        self._segments_innermost_first: list[Any] = []

    def add_outer(self, segment: Any) -> LocatedError:
        """Record the key or index of the container one level further out."""
        self._segments_innermost_first.append(segment)
        return self

    def within(self, segments_outermost_first: list[Any]) -> LocatedError:
        """Record a whole path at once (outermost first)."""
        self._segments_innermost_first.extend(reversed(segments_outermost_first))
        return self

    def public(self) -> SerDesError:
        """A plain ``SerDesError`` with the final message, for raising to callers.

        Callers see the documented class (its name is what ends up as an
        error type in checkpoints), not this internal one.
        """
        return SerDesError(str(self))

    @property
    def path(self) -> str:
        """Where the problem sits, ``$`` being the whole value."""
        return render_path(self._segments_innermost_first[::-1])

    def __str__(self) -> str:
        text = self.problem
        if self._segments_innermost_first:
            text += f" at {self.path}"
        if self.detail:
            text += f": {self.detail}"
        return text
