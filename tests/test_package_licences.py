"""Every published package carries the project's licence text and declares it.

Each package folder is built on its own, so it holds its own copy of the root LICENSE;
the copies must not drift from the root, and each pyproject must name the file so that
it lands in the sdist and in the wheel's ``.dist-info/licenses/``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = sorted(path.parent for path in (ROOT / "packages").glob("*/pyproject.toml"))


def test_the_root_licence_is_the_apache_licence_version_2() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text


@pytest.mark.parametrize("package_dir", PACKAGE_DIRS, ids=lambda path: path.name)
def test_each_package_ships_the_root_licence(package_dir: Path) -> None:
    project = tomllib.loads((package_dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert (package_dir / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
