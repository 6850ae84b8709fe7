"""Virtual environments the repository tools build with uv and keep between runs.

The package check installs each wheel into a fresh environment; the benchmarks and the
compatibility tool keep one with the reference SDK from PyPI, rebuilt only when what it
should hold changes. uv never downloads an interpreter here: the environment uses this
interpreter's Python minor version, which must be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["VenvSetupError", "cached_venv", "uv_command"]


class VenvSetupError(Exception):
    """``uv venv`` or ``uv pip install`` failed; the message holds the command and its
    error output."""


def uv_command() -> list[str]:
    """How to call uv: from PATH, or as the module of the running interpreter."""
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def cached_venv(venv: Path, install: Sequence[str], *, purpose: str) -> Path:
    """The interpreter of ``venv`` holding ``install`` (``uv pip install`` arguments),
    creating the environment unless it was last built with the same arguments.

    Args:
        venv: where the environment lives (git-ignored).
        install: the arguments of ``uv pip install``, recorded in a marker file.
        purpose: what the environment is for, in error messages.

    Raises:
        VenvSetupError: creating or filling the environment failed.
    """
    python = venv / "bin" / "python"
    marker = venv / "installed-with.txt"
    wanted = "\n".join(install) + "\n"
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    environment.pop("VIRTUAL_ENV", None)
    steps = (
        [*uv_command(), "venv", "--clear", "--quiet", "--python", version, str(venv)],
        [*uv_command(), "pip", "install", "--quiet", "--python", str(python), *install],
    )
    for step in steps:
        completed = subprocess.run(
            step, capture_output=True, text=True, env=environment, check=False
        )
        if completed.returncode != 0:
            raise VenvSetupError(
                f"creating the {purpose} failed: {' '.join(step)}\n{completed.stderr[-4000:]}"
            )
    marker.write_text(wanted)
    return python
