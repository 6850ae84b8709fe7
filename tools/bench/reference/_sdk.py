"""Which SDK a workload runs against: the same code, bound to different module names.

Our SDK keeps the reference API after renaming its import root, so a workload
asks this binding for ``durable_execution``, ``config``, ``execution``... and
never imports an SDK module by name itself.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


class Unavailable(Exception):
    """The SDK under test does not offer something a workload needs (yet)."""


@dataclass(frozen=True)
class SdkNames:
    """Import names of one SDK, of its in-process test runner and of its HTTP server.

    ``serve_script`` is the console script whose ``serve`` command hosts functions behind
    Lambda's Invoke and the durable-execution API (run as ``python -m serve_module``
    when the script is not installed next to the interpreter); ``no_server_reason``
    says why an SDK has none.
    """

    label: str
    root: str
    runner_module: str
    distributions: tuple[str, ...]
    serve_script: str | None = None
    serve_module: str | None = None
    no_server_reason: str = ""


OURS = SdkNames(
    label="ours",
    root="durable_lambda",
    runner_module="durable_lambda_local",
    distributions=("durable-lambda", "durable-lambda-local"),
    serve_script="durable-lambda",
    serve_module="durable_lambda_local.cli",
)
REFERENCE = SdkNames(
    label="reference",
    root="aws_durable_execution_sdk_python",
    runner_module="aws_durable_execution_sdk_python_testing",
    distributions=("aws-durable-execution-sdk-python", "aws-durable-execution-sdk-python-testing"),
    no_server_reason=(
        "the reference has no HTTP server of this kind: its web runner (dex-local-runner) "
        "serves the durable-execution API but hosts no function and has no Invoke route; "
        "W8 is measured for ours only"
    ),
)
BY_LABEL = {names.label: names for names in (OURS, REFERENCE)}


class Sdk:
    """Lazy access to the parts of one SDK that the workloads use.

    Every accessor raises ``Unavailable`` naming the missing module or attribute,
    so that a workload whose SDK part has not been written yet is reported as
    "not yet available" instead of crashing the whole benchmark.
    """

    def __init__(self, names: SdkNames) -> None:
        self.names = names

    def module(self, suffix: str = "") -> ModuleType:
        """Import ``<root>.<suffix>`` (or the root itself when ``suffix`` is empty)."""
        name = f"{self.names.root}.{suffix}" if suffix else self.names.root
        try:
            return importlib.import_module(name)
        except ImportError as error:
            raise Unavailable(f"cannot import {name}: {error}") from error

    def attr(self, suffix: str, name: str) -> Any:
        """Return ``<root>.<suffix>.<name>``."""
        module = self.module(suffix)
        try:
            return getattr(module, name)
        except AttributeError as error:
            raise Unavailable(f"{module.__name__} has no attribute {name!r}") from error

    def runner_class(self) -> Any:
        """The in-process test runner class, ``DurableFunctionTestRunner``."""
        try:
            module = importlib.import_module(self.names.runner_module)
        except ImportError as error:
            raise Unavailable(f"cannot import {self.names.runner_module}: {error}") from error
        try:
            return module.DurableFunctionTestRunner
        except AttributeError as error:
            raise Unavailable(
                f"{self.names.runner_module} has no attribute 'DurableFunctionTestRunner'"
            ) from error

    def serve_command(self) -> list[str]:
        """The command line whose ``serve`` subcommand runs the SDK's local HTTP server."""
        if self.names.serve_module is None:
            raise Unavailable(self.names.no_server_reason or "this SDK has no local HTTP server")
        if self.names.serve_script is not None:
            script = Path(sys.executable).parent / self.names.serve_script
            if script.exists():
                return [str(script)]
        self.module()  # Unavailable when the SDK itself is not installed
        try:
            importlib.import_module(self.names.serve_module)
        except ImportError as error:
            raise Unavailable(f"cannot import {self.names.serve_module}: {error}") from error
        return [sys.executable, "-m", self.names.serve_module]

    def versions(self) -> dict[str, str]:
        """Installed version of each distribution of this SDK ("absent" when not installed)."""
        found: dict[str, str] = {}
        for distribution in self.names.distributions:
            try:
                found[distribution] = importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                found[distribution] = "absent"
        return found
