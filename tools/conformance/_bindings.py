"""Placeholder values shared by one requirement's input, history, callbacks and result.

``Variables`` bind names up front (``${GEN_STR:N}`` draws N random lowercase letters and
digits); the history matcher binds the rest (``${ID1}``...); ``${NAME}`` references to
bound names are then replaced inside any string of the input, the callback actions and
the expected result. Names that are not bound yet are left as they are.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping
from typing import Any

__all__ = ["generate_variables", "substitute"]

_GENERATOR = re.compile(r"\$\{GEN_STR:(\d+)\}")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ALPHABET = string.ascii_lowercase + string.digits


def generate_variables(variables: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """Bind every variable: generated strings for ``${GEN_STR:N}``, text for the rest."""
    bound: dict[str, Any] = {}
    for name, value in variables.items():
        generator = _GENERATOR.fullmatch(value) if isinstance(value, str) else None
        if generator is not None:
            bound[name] = "".join(rng.choice(_ALPHABET) for _ in range(int(generator[1])))
        else:
            bound[name] = value if isinstance(value, str) else str(value)
    return bound


def substitute(value: Any, bindings: Mapping[str, Any]) -> Any:
    """``value`` with every ``${NAME}`` of a bound name replaced, in strings at any depth."""
    if isinstance(value, str):
        return _REFERENCE.sub(
            lambda match: str(bindings[match[1]]) if match[1] in bindings else match[0], value
        )
    if isinstance(value, Mapping):
        return {key: substitute(item, bindings) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, bindings) for item in value]
    return value
