"""Cloud testing mode end to end: one test module, passing in local mode and against serve."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SUITE = Path(__file__).with_name("cloud_suite") / "durable_module.py"


def _plugin_installed() -> bool:
    return any(
        entry.name == "durable_lambda_local"
        for entry in importlib.metadata.entry_points(group="pytest11")
    )


pytestmark = pytest.mark.skipif(
    not _plugin_installed(), reason="the durable_lambda_local pytest plugin is not installed"
)


def _pytest(module: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(module), "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=module.parent,
        timeout=300,
        check=False,
    )


def test_the_same_module_passes_locally_and_against_serve(
    tmp_path: Path, env: dict[str, str], serve: Any
) -> None:
    module = tmp_path / "test_durable_module.py"
    shutil.copy(SUITE, module)

    local = _pytest(module, env)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 passed" in local.stdout

    server = serve(
        "--port", "0", "--store", "memory", "--skip-time", "--function", f"hello={module}:handler"
    )
    cloud_env = {
        **env,
        "QUALIFIED_FUNCTION_NAME": "hello:$LATEST",
        "LAMBDA_FUNCTION_TEST_NAME": "hello world",
        "AWS_REGION": "us-east-1",
        "LAMBDA_ENDPOINT": server.url,
    }
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        cloud_env.pop(key, None)
    cloud = _pytest(module, cloud_env, "--runner-mode", "cloud")

    assert cloud.returncode == 0, cloud.stdout + cloud.stderr
    assert "1 passed" in cloud.stdout
    assert "skipped" not in cloud.stdout
    assert os.path.exists(module)
