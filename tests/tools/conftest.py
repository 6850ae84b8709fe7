"""Make the repository tools importable in their tests.

The tools are scripts, not packages: they import their neighbours by plain name
(``from _harness import ...``), so their folders go on ``sys.path`` here, once.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
BENCH = TOOLS / "bench"

for folder in (TOOLS, BENCH, BENCH / "reference"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
