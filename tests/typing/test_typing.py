"""The public API is typed: a usage file passes ``mypy --strict`` with its type expectations."""

from __future__ import annotations

import sys
from pathlib import Path

from mypy import api

USAGE = Path(__file__).with_name("typed_usage.py")


def test_usage_type_checks_strictly(tmp_path: Path) -> None:
    # mypy raises the interpreter's recursion limit for good; later tests in this
    # process (the serdes depth checks) rely on the default one.
    limit = sys.getrecursionlimit()
    try:
        stdout, stderr, status = _run_mypy(tmp_path)
    finally:
        sys.setrecursionlimit(limit)
    assert status == 0, stdout + stderr


def _run_mypy(tmp_path: Path) -> tuple[str, str, int]:
    return api.run(
        [
            "--strict",
            "--config-file",
            "",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--python-version",
            "3.11",
            str(USAGE),
        ]
    )
