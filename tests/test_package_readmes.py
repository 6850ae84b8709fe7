"""Every package README's Python examples run as written, so they cannot drift from the code.

The blocks of one README run in order in one namespace. A block that cannot run on its
own (it needs a running service, say) is preceded by a line
``<!-- not run: <why> -->`` and is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[1] / "packages"
READMES = sorted(PACKAGES.glob("*/README.md"))
_BLOCK = re.compile(r"(?:^(<!-- not run:[^\n]*-->)\n)?^```python\n(.*?)^```", re.DOTALL | re.M)


def runnable_blocks(readme: Path) -> list[tuple[int, str]]:
    """(first line, code) of each Python block that is not marked ``not run``."""
    text = readme.read_text(encoding="utf-8")
    blocks = []
    for match in _BLOCK.finditer(text):
        if match.group(1) is None:
            first_line = text.count("\n", 0, match.start(2)) + 1
            blocks.append((first_line, match.group(2)))
    return blocks


@pytest.mark.parametrize("readme", READMES, ids=lambda path: path.parent.name)
def test_readme_examples_run(readme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The local service's default store lives in the user's home; examples get their own.
    monkeypatch.setenv("DURABLE_LAMBDA_STORE", str(tmp_path / "executions.sqlite3"))
    blocks = runnable_blocks(readme)
    assert blocks, f"{readme} has no runnable Python example"
    namespace: dict[str, object] = {"__name__": "readme_example"}
    for first_line, code in blocks:
        # Leading newlines keep the README's line numbers in tracebacks.
        source = "\n" * (first_line - 1) + code
        exec(compile(source, str(readme), "exec", dont_inherit=True), namespace)
