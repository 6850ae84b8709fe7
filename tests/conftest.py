"""Shared fixtures for the whole test suite; package folders add their own conftest.py."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

MypyStrict = Callable[[Path], tuple[int, str]]


@pytest.fixture
def mypy_strict(tmp_path: Path) -> MypyStrict:
    """Type-check one file with ``mypy --strict`` in this process: (exit status, report).

    The project's own mypy configuration is ignored, so the file is checked as a user's
    code would be. mypy raises the interpreter's recursion limit for good; it is put
    back, because later tests in the same process (the serdes depth checks) rely on
    the default one.
    """
    from mypy import api

    def check(path: Path) -> tuple[int, str]:
        limit = sys.getrecursionlimit()
        try:
            stdout, stderr, status = api.run(
                [
                    "--strict",
                    "--config-file",
                    "",
                    "--cache-dir",
                    str(tmp_path / "mypy-cache"),
                    "--python-version",
                    "3.11",
                    str(path),
                ]
            )
        finally:
            sys.setrecursionlimit(limit)
        return status, stdout + stderr

    return check
