"""Which handlers ``run`` and ``serve`` accept as durable functions."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._targets import load_target

# A stand-in for the reference SDK: its decorator returns a wrapper defined inside the
# package ``aws_durable_execution_sdk_python``, which is how the real one is recognised.
_REFERENCE_DECORATOR = """
import functools


def durable_execution(func):
    @functools.wraps(func)
    def wrapper(event, context):
        return func(event, context)

    return wrapper
"""

_HANDLERS = """
from aws_durable_execution_sdk_python import durable_execution


@durable_execution
def handler(event, context):
    return event


def plain(event, context):
    return event
"""


@pytest.fixture
def reference_handlers(tmp_path: Path) -> Iterator[Path]:
    package = tmp_path / "aws_durable_execution_sdk_python"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(_REFERENCE_DECORATOR))
    handlers = tmp_path / "reference_handlers.py"
    handlers.write_text(textwrap.dedent(_HANDLERS))
    sys.path.insert(0, str(tmp_path))
    try:
        yield handlers
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("aws_durable_execution_sdk_python", None)


def test_a_handler_decorated_by_the_reference_sdk_is_accepted(reference_handlers: Path) -> None:
    handler = load_target(f"{reference_handlers}:handler")

    assert handler({"id": 1}, None) == {"id": 1}


def test_an_undecorated_handler_next_to_it_is_still_refused(reference_handlers: Path) -> None:
    with pytest.raises(CliError, match="is not decorated with @durable_execution") as caught:
        load_target(f"{reference_handlers}:plain")

    assert caught.value.exit_code == 2
