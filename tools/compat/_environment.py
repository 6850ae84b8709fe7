"""The cached virtual environment with both the reference SDK and our packages.

A reference-SDK handler has to run inside a ``durable-lambda serve`` process (the
service hosts handlers in-process), so one environment must hold the reference SDK from
PyPI and our workspace packages (installed editable, so it follows the working tree).
It lives in ``tools/compat/.venv`` (git-ignored) and is rebuilt when what it should hold
changes.
"""

from __future__ import annotations

from pathlib import Path

from uv_environments import VenvSetupError, cached_venv

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


class CompatSetupError(Exception):
    """The compatibility environment could not be created."""


def install_arguments(root: Path, requirement: str = REFERENCE_REQUIREMENT) -> list[str]:
    """What ``uv pip install`` gets: the reference SDK, then each workspace package
    as an editable install (dependencies first, so the order is stable)."""
    arguments = [requirement]
    for folder in WORKSPACE_PACKAGES:
        arguments += ["-e", str(root / "packages" / folder)]
    return arguments


def compat_python(venv: Path = COMPAT_VENV, root: Path = ROOT) -> Path:
    """The compatibility environment's interpreter, creating the environment on first use.

    Raises:
        CompatSetupError: ``uv venv`` or ``uv pip install`` failed (their output is in
            the message).
    """
    try:
        return cached_venv(venv, install_arguments(root), purpose="compatibility environment")
    except VenvSetupError as error:
        raise CompatSetupError(str(error)) from error
