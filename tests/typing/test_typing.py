"""The public API is typed: a usage file passes ``mypy --strict`` with its type expectations."""

from __future__ import annotations

from pathlib import Path

from mypy import api

USAGE = Path(__file__).with_name("typed_usage.py")


def test_usage_type_checks_strictly(tmp_path: Path) -> None:
    stdout, stderr, status = api.run(
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
    assert status == 0, stdout + stderr
