"""The public API is typed: a usage file passes ``mypy --strict`` with its type expectations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

USAGE = Path(__file__).with_name("typed_usage.py")


def test_usage_type_checks_strictly(mypy_strict: Any) -> None:
    status, report = mypy_strict(USAGE)
    assert status == 0, report
