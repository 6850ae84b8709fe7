"""``ExpectedLogs``: what an execution's log records must show, and the check.

Each entry of a requirement's ``ExpectedLogs`` is ``{match, count | min_count |
max_count, before, after}``. The rules are the catalogue runner's:

* ``${NAME}`` references to bound names are replaced first, anywhere in the entry
  (bound values as text, so ``op: ${ID1}`` compares with the history's operation id).
* A record matches when it has every field of ``match`` and each value matches: a string
  wrapped in slashes (``/.../``) is a regular expression searched in the field's text; any
  other string must equal the text, both with surrounding whitespace stripped; ``true``
  and ``false`` match only the same boolean; numbers compare by value; anything else by
  its text.
* ``count`` is the exact number of matching records; otherwise ``min_count`` and
  ``max_count`` bound it, and with none of the three at least one record must match.
* ``after`` (``before``) holds one matcher or a list of them. Each must match at least
  one record, and every record the entry matches must come at or after (at or before)
  every record the anchor matches. Records with the same position are simultaneous and
  satisfy either direction. Without matching records of its own, an entry's order is not
  checked (its count already failed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance._bindings import substitute

__all__ = ["LogExpectation", "LogExpectationError", "check_logs", "value_matches"]


class LogExpectationError(ValueError):
    """An ``ExpectedLogs`` entry is not shaped as the catalogue defines it."""


def _anchors(raw: Any, key: str) -> tuple[Mapping[str, Any], ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        return (raw,)
    if isinstance(raw, list) and all(isinstance(item, Mapping) for item in raw):
        return tuple(raw)
    raise LogExpectationError(f"{key!r} must be a matcher or a list of matchers, got {raw!r}")


def _bound(raw: Any, key: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise LogExpectationError(f"{key!r} must be a whole number of at least 0, got {raw!r}")
    return raw


@dataclass(frozen=True)
class LogExpectation:
    """One ``ExpectedLogs`` entry, with its placeholders already replaced.

    Attributes:
        match: field name to expected value; every field must match.
        count: the exact number of matching records, if given.
        min_count: the least number of matching records, if given.
        max_count: the most matching records, if given.
        before: matchers whose records all come at or after this entry's.
        after: matchers whose records all come at or before this entry's.
    """

    match: Mapping[str, Any]
    count: int | None = None
    min_count: int | None = None
    max_count: int | None = None
    before: tuple[Mapping[str, Any], ...] = ()
    after: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_entry(cls, entry: Any) -> LogExpectation:
        """Read one entry.

        Raises:
            LogExpectationError: ``match`` is missing, not a mapping or empty; a count
                is not a whole number of at least 0; an anchor is not a matcher.
        """
        if not isinstance(entry, Mapping):
            raise LogExpectationError(f"an entry must be a mapping, got {entry!r}")
        match = entry.get("match")
        if not isinstance(match, Mapping) or not match:
            raise LogExpectationError(
                f"'match' must be a non-empty mapping of fields to values, got {match!r}"
            )
        return cls(
            match=dict(match),
            count=_bound(entry.get("count"), "count"),
            min_count=_bound(entry.get("min_count"), "min_count"),
            max_count=_bound(entry.get("max_count"), "max_count"),
            before=_anchors(entry.get("before"), "before"),
            after=_anchors(entry.get("after"), "after"),
        )

    @property
    def label(self) -> str:
        """The matcher, as problems name it."""
        return ", ".join(f"{name}={value!r}" for name, value in self.match.items())

    def count_problem(self, found: int) -> str | None:
        """What is wrong with ``found`` matching records, or None."""
        if self.count is not None:
            if found != self.count:
                return f"expected exactly {self.count} matching record(s), found {found}"
            return None
        least = self.min_count
        if least is None and self.max_count is None:
            least = 1
        if least is not None and found < least:
            return f"expected at least {least} matching record(s), found {found}"
        if self.max_count is not None and found > self.max_count:
            return f"expected at most {self.max_count} matching record(s), found {found}"
        return None


def value_matches(expected: Any, actual: Any) -> bool:
    """Whether one field's ``actual`` value satisfies ``expected`` (module rules)."""
    if isinstance(expected, str):
        text = str(actual).strip()
        if len(expected) >= 2 and expected.startswith("/") and expected.endswith("/"):
            return re.search(expected[1:-1], text) is not None
        return text == expected.strip()
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return str(expected) == str(actual)


def _matching(matcher: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> list[int]:
    return [
        index
        for index, record in enumerate(records)
        if all(
            name in record and value_matches(expected, record[name])
            for name, expected in matcher.items()
        )
    ]


def check_logs(
    expected: Sequence[Any],
    records: Sequence[Mapping[str, Any]],
    bindings: Mapping[str, Any],
    positions: Sequence[Any] | None = None,
) -> list[str]:
    """Every way ``records`` (one execution's, in order) miss the ``expected`` entries.

    Args:
        expected: the requirement's ``ExpectedLogs`` entries, before substitution.
        records: the execution's records as JSON objects.
        bindings: the placeholder values the run ended with.
        positions: where each record sits in time (comparable; equal positions are
            simultaneous); by default each record's index, so none are simultaneous.

    Returns:
        One message per problem, naming the entry by its index and matcher; empty when
        every entry holds.
    """
    at = list(range(len(records))) if positions is None else list(positions)
    if len(at) != len(records):
        raise ValueError(f"{len(at)} positions were given for {len(records)} records")
    problems: list[str] = []
    for index, entry in enumerate(expected):
        try:
            expectation = LogExpectation.from_entry(substitute(entry, bindings))
        except LogExpectationError as error:
            problems.append(f"ExpectedLogs[{index}] is not a valid entry: {error}")
            continue
        label = f"ExpectedLogs[{index}] ({expectation.label})"
        own = _matching(expectation.match, records)
        wrong_count = expectation.count_problem(len(own))
        if wrong_count is not None:
            problems.append(f"{label}: {wrong_count}")
        for direction, anchors in (("after", expectation.after), ("before", expectation.before)):
            for anchor in anchors:
                anchored = _matching(anchor, records)
                if not anchored:
                    problems.append(
                        f"{label}: its {direction} anchor {dict(anchor)!r} matches no record"
                    )
                    continue
                if not own:
                    continue
                if direction == "after":
                    out_of_order = min(at[i] for i in own) < max(at[i] for i in anchored)
                else:
                    out_of_order = max(at[i] for i in own) > min(at[i] for i in anchored)
                if out_of_order:
                    problems.append(
                        f"{label}: every matching record must come {direction} those of "
                        f"{dict(anchor)!r}, but one does not"
                    )
    return problems
