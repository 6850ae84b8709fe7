"""The pytest plugin of durable-lambda-local (registered through the ``pytest11`` entry
point, so installing the package is enough).

It adds the ``--runner-mode local|cloud`` option, the ``durable_execution`` marker and
the ``durable_runner`` fixture: a ``DurableFunctionTestRunner`` for the marker's
``handler`` in local mode, a ``DurableFunctionCloudTestRunner`` for the deployed
function named by ``QUALIFIED_FUNCTION_NAME`` in cloud mode. The same test runs in both.

Example::

    @pytest.mark.durable_execution(handler=handler, lambda_function_name="hello world")
    def test_hello(durable_runner):
        with durable_runner:
            result = durable_runner.run(input="World", timeout=30)
        assert result.status is InvocationStatus.SUCCEEDED

This module imports nothing heavy: pytest loads it in every run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["durable_runner", "pytest_addoption", "pytest_configure"]

_MARKER = "durable_execution"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("durable-lambda", "durable functions")
    group.addoption(
        "--runner-mode",
        action="store",
        choices=("local", "cloud"),
        default="local",
        help=(
            "run durable_runner tests in-process (local, the default) or against the "
            "deployed function named by QUALIFIED_FUNCTION_NAME (cloud)"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(handler=None, lambda_function_name=None, **runner_options): "
        "the durable handler a durable_runner test runs (local mode) and the name of the "
        "deployed function it matches (cloud mode)",
    )


def _cloud_runner(marker: pytest.Mark) -> Any:
    qualified = os.environ.get("QUALIFIED_FUNCTION_NAME")
    test_name = os.environ.get("LAMBDA_FUNCTION_TEST_NAME")
    if not qualified or not test_name:
        pytest.fail(
            "Cloud mode requires both QUALIFIED_FUNCTION_NAME and LAMBDA_FUNCTION_TEST_NAME "
            "environment variables",
            pytrace=False,
        )
    wanted = marker.kwargs.get("lambda_function_name")
    if wanted != test_name:
        pytest.skip(
            f"Test function {wanted!r} doesn't match LAMBDA_FUNCTION_TEST_NAME {test_name!r}"
        )
    from durable_lambda_local._cloud_runner import DurableFunctionCloudTestRunner

    return DurableFunctionCloudTestRunner(
        qualified,
        region=os.environ.get("AWS_REGION", "us-west-2"),
        lambda_endpoint=os.environ.get("LAMBDA_ENDPOINT") or None,
    )


def _local_runner(marker: pytest.Mark) -> Any:
    options = dict(marker.kwargs)
    handler = options.pop("handler", None)
    if handler is None and marker.args:
        handler = marker.args[0]
    if handler is None:
        pytest.fail(f"@pytest.mark.{_MARKER} needs handler=... to run in local mode", pytrace=False)
    options.pop("lambda_function_name", None)
    from durable_lambda_local._test_runner import DurableFunctionTestRunner

    return DurableFunctionTestRunner(handler, **options)


@pytest.fixture
def durable_runner(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A test runner for the handler of the test's ``durable_execution`` marker.

    Local mode: ``DurableFunctionTestRunner`` (virtual time, in-process). Cloud mode
    (``--runner-mode cloud``): ``DurableFunctionCloudTestRunner`` for
    ``QUALIFIED_FUNCTION_NAME`` in ``AWS_REGION`` (optionally at ``LAMBDA_ENDPOINT``);
    tests whose ``lambda_function_name`` differs from ``LAMBDA_FUNCTION_TEST_NAME`` are
    skipped. ``runner.mode`` tells which.
    """
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        # A setup mistake, not a failure inside the plugin: the message without its code.
        pytest.fail(f"Test must be marked with @pytest.mark.{_MARKER}", pytrace=False)
    if request.config.getoption("--runner-mode") == "cloud":
        runner = _cloud_runner(marker)
    else:
        runner = _local_runner(marker)
    try:
        yield runner
    finally:
        runner.close()
