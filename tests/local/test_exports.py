"""The package's public names, and the cheap import pytest relies on."""

from __future__ import annotations

import subprocess
import sys

import durable_lambda_local


def test_every_public_name_resolves() -> None:
    for name in durable_lambda_local.__all__:
        assert getattr(durable_lambda_local, name) is not None, name
    assert set(durable_lambda_local.__all__) <= set(dir(durable_lambda_local))


def test_the_pytest_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, durable_lambda_local.pytest_plugin as plugin\n"
        "heavy = {'boto3', 'botocore', 'durable_lambda_client', 'durable_lambda'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == "[]"
