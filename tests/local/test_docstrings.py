"""The docstring examples of the local package run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "durable_lambda_local._clock",
    "durable_lambda_local._control_plane",
    "durable_lambda_local._history_assertions",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    extra = {"LocalFunction": importlib.import_module("durable_lambda_local").LocalFunction}
    failures, tried = doctest.testmod(module, extraglobs=extra, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0
