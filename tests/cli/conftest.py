"""Fixtures for the command-line tests: the real entry point in a subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from durable_lambda_local.http import HttpServer, create_app

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CliResult:
    """Exit code and output of one ``durable-lambda`` run."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The JSON the command printed; a failure names its exit code and stderr."""
        try:
            return json.loads(self.stdout)
        except ValueError as error:
            raise AssertionError(
                f"not JSON ({error}): exit code {self.exit_code}, stdout {self.stdout!r}, "
                f"stderr {self.stderr!r}"
            ) from error


def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for CLI subprocesses: a private store, no inherited endpoint."""
    env = dict(os.environ)
    env.pop("DURABLE_LAMBDA_ENDPOINT", None)
    env["DURABLE_LAMBDA_STORE"] = str(tmp_path / "store.sqlite3")
    env["COLUMNS"] = "200"
    return env


def run_cli(*args: str, env: dict[str, str], timeout: float = 120, cwd: Path = REPO) -> CliResult:
    """Run ``python -m durable_lambda_local.cli ARGS`` and capture what it prints."""
    completed = subprocess.run(
        [sys.executable, "-m", "durable_lambda_local.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def cli_process(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``python -m durable_lambda_local.cli ARGS`` in the background, its output piped as
    text, for a test that talks to the command while it runs."""
    return subprocess.Popen(
        [sys.executable, "-m", "durable_lambda_local.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path)


def _fake_backend_module() -> Any:
    name = "durable_lambda_cli_tests_fake_backend"
    if name in sys.modules:
        return sys.modules[name]
    path = REPO / "tests" / "http" / "fake_backend.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_server() -> Iterator[tuple[str, Any]]:
    """A fake backend served over HTTP: ``(url, backend)``."""
    backend = _fake_backend_module().FakeBackend()
    with HttpServer(create_app(backend), port=0) as server:
        yield server.url, backend


@pytest.fixture
def start_cli(env: dict[str, str]) -> Callable[..., subprocess.Popen[str]]:
    """``start_cli(*args)`` starts the command in the background (see :func:`cli_process`)
    with the test's environment."""

    def start(*args: str) -> subprocess.Popen[str]:
        return cli_process(*args, env=env)

    return start


@pytest.fixture
def durable_lambda(env: dict[str, str]) -> Any:
    """``durable_lambda("executions", "list", ...)`` runs the CLI and returns a CliResult."""

    def invoke(*args: str, timeout: float = 120) -> CliResult:
        return run_cli(*args, env=env, timeout=timeout)

    return invoke


HANDLERS = "tests/cli/handlers.py"


class ServeProcess:
    """A ``durable-lambda serve --json`` subprocess and the facts it announced."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = cli_process("serve", "--json", *args, env=env)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            _, err = self.process.communicate(timeout=30)
            raise AssertionError(f"serve exited: {err}")
        self.facts: dict[str, Any] = json.loads(line)
        self.url: str = self.facts["url"]
        self.stderr = ""

    def stop(self, *, kill: bool = False) -> int:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
        _, self.stderr = self.process.communicate(timeout=60)
        return self.process.returncode


@pytest.fixture
def serve(env: dict[str, str]) -> Iterator[Any]:
    """``serve(*args)`` starts ``durable-lambda serve --json ARGS``; stopped after the test."""
    started: list[ServeProcess] = []

    def start(*args: str) -> ServeProcess:
        process = ServeProcess(list(args), env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop(kill=True)
        # Shown by pytest when the test failed: what the server logged.
        sys.stderr.write(process.stderr)
