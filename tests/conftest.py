"""Shared fixtures for the whole test suite; package folders add their own conftest.py."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

# Every property test runs under this profile. Hypothesis' default deadline (200 ms per
# example) and its too_slow health check time the machine, not the code: a 0.4 s pause
# of the process, which a loaded 2-core machine gives any test, failed the model round
# trips with "Unreliable test timings". No example database either: a run must not
# replay examples an earlier local run happened to keep.
settings.register_profile(
    "durable-lambda-suite",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
settings.load_profile("durable-lambda-suite")


def pytest_configure(config: pytest.Config) -> None:
    """Give Hypothesis a home of its own for this run, outside the checkout.

    It would otherwise write ./.hypothesis while collecting (a cache of the constants it
    finds in the tested modules).
    """
    home = Path(tempfile.mkdtemp(prefix="durable-lambda-hypothesis-"))
    set_hypothesis_home_dir(home)
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


MypyStrict = Callable[[Path], tuple[int, str]]


@pytest.fixture(scope="session", autouse=True)
def _private_durable_lambda_environment(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Keep every test, and every process it starts, off the user's own local service.

    The default store is a file under ``$XDG_STATE_HOME`` (``~/.local/state``): a test
    that does not choose its own store writes into a temporary state home instead. A
    ``DURABLE_LAMBDA_STORE`` or ``DURABLE_LAMBDA_ENDPOINT`` exported in the developer's
    shell would point the tests' commands at their executions or their running server.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state-home")))
        patch.delenv("DURABLE_LAMBDA_STORE", raising=False)
        patch.delenv("DURABLE_LAMBDA_ENDPOINT", raising=False)
        yield


@pytest.fixture
def mypy_strict(tmp_path: Path) -> MypyStrict:
    """Type-check one file with ``mypy --strict`` in this process: (exit status, report).

    The project's own mypy configuration is ignored, so the file is checked as a user's
    code would be. mypy raises the interpreter's recursion limit for good; it is put
    back, because later tests in the same process (the serdes depth checks) rely on
    the default one.
    """
    from mypy import api

    def check(path: Path) -> tuple[int, str]:
        limit = sys.getrecursionlimit()
        try:
            stdout, stderr, status = api.run(
                [
                    "--strict",
                    "--config-file",
                    "",
                    "--cache-dir",
                    str(tmp_path / "mypy-cache"),
                    "--python-version",
                    "3.11",
                    str(path),
                ]
            )
        finally:
            sys.setrecursionlimit(limit)
        return status, stdout + stderr

    return check
