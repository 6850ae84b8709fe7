"""The scenario handlers with the reference SDK's package name replaced by ours.

Our SDK promises that a handler written for the reference SDK runs after renaming its
imports, and nothing else: the mirror is made by exactly that textual change, so any
other edit a handler would need shows up as a failing comparison.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

__all__ = ["OUR_PACKAGE", "REFERENCE_PACKAGE", "mirror_handlers", "rename_imports"]

REFERENCE_PACKAGE = "aws_durable_execution_sdk_python"
OUR_PACKAGE = "durable_lambda"

_IMPORT = re.compile(
    rf"^(?P<lead>\s*(?:from|import)\s+){REFERENCE_PACKAGE}(?P<rest>(?:\.\w+)*\b)",
    re.MULTILINE,
)


def rename_imports(source: str) -> str:
    """``source`` with every ``import``/``from`` of the reference package (or one of its
    modules) aimed at ours; other mentions of the name (strings, comments) are kept."""
    return _IMPORT.sub(rf"\g<lead>{OUR_PACKAGE}\g<rest>", source)


def mirror_handlers(source: Path, destination: Path) -> Path:
    """Copy the handler package ``source`` into ``destination`` with renamed imports.

    Returns:
        The mirrored package folder (``destination / source.name``).
    """
    target = destination / source.name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for module in sorted(source.glob("*.py")):
        (target / module.name).write_text(
            rename_imports(module.read_text(encoding="utf-8")), encoding="utf-8"
        )
    return target
