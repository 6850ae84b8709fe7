"""A durable_runner test set up wrongly is reported by its message alone: the mistake is
in the test, so the plugin's own code is not shown as if it had failed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MISTAKES = textwrap.dedent(
    """
    import pytest


    def test_unmarked(durable_runner):
        pass


    @pytest.mark.durable_execution(lambda_function_name="orders")
    def test_without_handler(durable_runner):
        pass
    """
)


def pytest_output(tmp_path: Path, *args: str) -> str:
    (tmp_path / "test_mistakes.py").write_text(MISTAKES)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QUALIFIED_FUNCTION_NAME", "LAMBDA_FUNCTION_TEST_NAME", "PYTEST_ADDOPTS")
    }
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("local", "@pytest.mark.durable_execution needs handler=... to run in local mode"),
        (
            "cloud",
            "Cloud mode requires both QUALIFIED_FUNCTION_NAME and LAMBDA_FUNCTION_TEST_NAME "
            "environment variables",
        ),
    ],
)
def test_setup_mistakes_show_their_message_without_the_plugin_source(
    tmp_path: Path, mode: str, message: str
) -> None:
    output = pytest_output(tmp_path, "--runner-mode", mode)

    assert "2 errors" in output
    assert "\nTest must be marked with @pytest.mark.durable_execution\n" in output
    assert f"\n{message}\n" in output
    assert "pytest_plugin.py" not in output
    assert "pytest.fail(" not in output
