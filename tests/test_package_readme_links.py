"""Package READMEs are their PyPI pages, where a relative link leads nowhere: every link
in them must be absolute (or an anchor within the page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

READMES = sorted((Path(__file__).resolve().parents[1] / "packages").glob("*/README.md"))
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("readme", READMES, ids=lambda path: path.parent.name)
def test_package_readme_links_are_absolute(readme: Path) -> None:
    targets = _LINK_TARGET.findall(readme.read_text(encoding="utf-8"))
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#", "mailto:"))]
    assert relative == [], f"{readme}: relative links do not work on PyPI"
