"""The cached virtual environment with both the reference SDK and our packages.

A reference-SDK handler has to run inside a ``durable-lambda serve`` process (the
service hosts handlers in-process), so one environment must hold the reference SDK from
PyPI and our workspace packages (installed editable, so it follows the working tree).
It lives in ``tools/compat/.venv`` (git-ignored) and is rebuilt when what it should hold
changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "COMPAT_VENV",
    "REFERENCE_REQUIREMENT",
    "CompatSetupError",
    "compat_python",
    "install_arguments",
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COMPAT_VENV = HERE / ".venv"
REFERENCE_REQUIREMENT = "aws-durable-execution-sdk-python==3.0.0"
WORKSPACE_PACKAGES = (
    "serdes",
    "client",
    "state",
    "concurrency",
    "context",
    "durable-lambda",
    "local",
)
_MARKER = COMPAT_VENV / "compat-requirements.txt"


class CompatSetupError(Exception):
    """The compatibility environment could not be created."""


def install_arguments(root: Path, requirement: str = REFERENCE_REQUIREMENT) -> list[str]:
    """What ``uv pip install`` gets: the reference SDK, then each workspace package
    as an editable install (dependencies first, so the order is stable)."""
    arguments = [requirement]
    for folder in WORKSPACE_PACKAGES:
        arguments += ["-e", str(root / "packages" / folder)]
    return arguments


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def compat_python(venv: Path = COMPAT_VENV, root: Path = ROOT) -> Path:
    """The compatibility environment's interpreter, creating the environment on first use.

    Raises:
        CompatSetupError: ``uv venv`` or ``uv pip install`` failed (their output is in
            the message).
    """
    python = venv / "bin" / "python"
    marker = venv / _MARKER.name
    wanted = "\n".join(install_arguments(root)) + "\n"
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    environment.pop("VIRTUAL_ENV", None)
    steps: Sequence[list[str]] = (
        [*_uv(), "venv", "--clear", "--quiet", "--python", version, str(venv)],
        [*_uv(), "pip", "install", "--quiet", "--python", str(python), *install_arguments(root)],
    )
    for step in steps:
        completed = subprocess.run(
            step, capture_output=True, text=True, env=environment, check=False
        )
        if completed.returncode != 0:
            raise CompatSetupError(
                f"creating the compatibility environment failed: {' '.join(step)}\n"
                f"{completed.stderr[-4000:]}"
            )
    marker.write_text(wanted)
    return python
