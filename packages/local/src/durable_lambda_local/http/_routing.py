"""Matching a raw request path to an operation, one percent-decoded segment at a time.

ARNs and callback ids contain ``/`` (encoded as ``%2F`` by boto3), so the path is split on
literal slashes first and each segment is decoded afterwards; decoding first would cut an
ARN in pieces. ``+`` stays ``+`` (it is a base64 character in callback ids).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from durable_lambda_local.http._wire_model import OperationSpec


@dataclass(frozen=True)
class RouteMatch:
    """An operation and the URI labels captured from the path, already decoded."""

    spec: OperationSpec
    labels: dict[str, str]


class Router:
    """Finds the operation of a ``(method, raw path)`` pair."""

    def __init__(self, specs: Iterable[OperationSpec]) -> None:
        self._by_shape: dict[tuple[str, int], list[OperationSpec]] = {}
        for spec in specs:
            key = (spec.http_method, len(spec.path_segments))
            self._by_shape.setdefault(key, []).append(spec)
        for candidates in self._by_shape.values():
            # Literal segments win over labels, so `/functions/x/invocations` never
            # matches a label-only template of the same length.
            candidates.sort(key=lambda s: -sum(not _is_label(p) for p in s.path_segments))

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        """The operation addressed by ``method`` and ``raw_path`` (still percent-encoded).

        Returns None when no route matches (the caller answers 404).
        """
        raw_segments = raw_path.split("?", 1)[0].strip("/").split("/")
        for spec in self._by_shape.get((method.upper(), len(raw_segments)), ()):
            labels = _match_segments(spec.path_segments, raw_segments)
            if labels is not None:
                return RouteMatch(spec=spec, labels=labels)
        return None


def _is_label(template_segment: str) -> bool:
    return template_segment.startswith("{") and template_segment.endswith("}")


def _match_segments(template: tuple[str, ...], raw_segments: list[str]) -> dict[str, str] | None:
    labels: dict[str, str] = {}
    for pattern, raw in zip(template, raw_segments):
        if _is_label(pattern):
            value = unquote(raw)
            if not value:
                return None
            labels[pattern[1:-1].rstrip("+")] = value
        elif unquote(raw) != pattern:
            return None
    return labels
