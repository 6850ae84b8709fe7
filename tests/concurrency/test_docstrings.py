"""The examples in the package's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import durable_lambda_concurrency

MODULES = [
    info.name
    for info in pkgutil.iter_modules(
        durable_lambda_concurrency.__path__, durable_lambda_concurrency.__name__ + "."
    )
]


@pytest.mark.parametrize("name", ["durable_lambda_concurrency", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
