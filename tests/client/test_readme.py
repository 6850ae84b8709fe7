"""The README's model example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[2] / "packages" / "client" / "README.md"


def test_readme_model_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    # The first block is self-contained; the LambdaClient block needs a running service.
    exec(compile(blocks[0], str(README), "exec"), {})
