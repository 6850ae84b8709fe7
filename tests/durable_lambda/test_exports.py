"""The meta-package: the flat API at the root and the reference's module paths, same objects."""

from __future__ import annotations

import importlib

import pytest

import durable_lambda
import durable_lambda_client
import durable_lambda_concurrency
import durable_lambda_context
import durable_lambda_serdes
import durable_lambda_state

REFERENCE_ROOT_NAMES = {
    "BatchResult",
    "DurableContext",
    "DurableExecutionsError",
    "InvocationError",
    "StepContext",
    "ValidationError",
    "durable_execution",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
}

SUBMODULES = [
    "config",
    "context",
    "exceptions",
    "execution",
    "identifier",
    "lambda_service",
    "logger",
    "retries",
    "serdes",
    "state",
    "types",
    "waits",
]

SOURCES = [
    durable_lambda_client,
    durable_lambda_concurrency,
    durable_lambda_context,
    durable_lambda_serdes,
    durable_lambda_state,
]


def test_root_exports_the_reference_names_and_the_additions() -> None:
    assert set(durable_lambda.__all__) >= REFERENCE_ROOT_NAMES
    assert {
        "CallableRuntimeError",
        "CallbackError",
        "ExecutionError",
        "SerDesError",
        "StepInterruptedError",
        "Duration",
        "StepConfig",
        "__version__",
    } <= set(durable_lambda.__all__)
    for name in durable_lambda.__all__:
        assert hasattr(durable_lambda, name), name
    assert durable_lambda.__version__ == "0.1.0"
    assert durable_lambda.REFERENCE_API_VERSION == "1.1.0"


@pytest.mark.parametrize("module_name", SUBMODULES)
def test_compatibility_modules_re_export_the_same_objects(module_name: str) -> None:
    module = importlib.import_module(f"durable_lambda.{module_name}")
    assert module.__all__
    for name in module.__all__:
        value = getattr(module, name)
        origins = [source for source in SOURCES if getattr(source, name, None) is value]
        protocol = getattr(durable_lambda_context, f"{name}Protocol", None)
        assert origins or value is protocol, f"durable_lambda.{module_name}.{name} is a copy"


def test_class_identity_holds_across_packages() -> None:
    from durable_lambda.exceptions import DurableExecutionsError, SerDesError

    assert DurableExecutionsError is durable_lambda_serdes.DurableExecutionsError
    assert SerDesError is durable_lambda_serdes.SerDesError
    assert issubclass(durable_lambda.ValidationError, DurableExecutionsError)
    assert durable_lambda.BatchResult is durable_lambda_context.BatchResult
    assert issubclass(durable_lambda.BatchResult, durable_lambda_concurrency.BatchResult)


def test_serdes_wrappers_are_the_durable_ones() -> None:
    from decimal import Decimal

    from durable_lambda.exceptions import ExecutionError
    from durable_lambda.serdes import deserialize, serialize

    text = serialize(None, {"amount": Decimal("99.99")}, "test-op", "test-arn")
    assert deserialize(None, text, "test-op", "test-arn") == {"amount": Decimal("99.99")}
    with pytest.raises(
        ExecutionError, match=r"^Serialization failed for id: op1, error: Unsupported type:"
    ):
        serialize(None, object(), "op1", "arn")
    with pytest.raises(ExecutionError, match=r"^Deserialization failed for id: op2$"):
        deserialize(None, '{"a":1}', "op2", "arn")


def test_types_module_keeps_the_protocols() -> None:
    from durable_lambda import types

    assert types.DurableContext is not durable_lambda.DurableContext
    assert types.DurableContext in durable_lambda.DurableContext.__mro__
    result = durable_lambda.BatchResult(
        [], durable_lambda_concurrency.CompletionReason.ALL_COMPLETED
    )
    assert isinstance(result, types.BatchResult)
    assert isinstance(result, durable_lambda.BatchResult)


def test_readme_example_defines_a_handler() -> None:
    import re
    from pathlib import Path

    readme = Path(__file__).parents[2] / "packages" / "durable-lambda" / "README.md"
    (block,) = re.findall(r"```python\n(.*?)```", readme.read_text(), re.S)
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(block, str(readme), "exec"), namespace)
    assert callable(namespace["handler"])
