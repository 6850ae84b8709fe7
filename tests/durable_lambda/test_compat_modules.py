"""sdk-api §1.2/§2: every name the reference exposes at its module paths is importable
from ``durable_lambda.<module>`` and is the implementation's own object, not a copy."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

import durable_lambda
import durable_lambda_client
import durable_lambda_concurrency
import durable_lambda_context
import durable_lambda_serdes
import durable_lambda_state
from durable_lambda_context import (
    _batch,
    _callback,
    _config,
    _context,
    _decorators,
    _duration,
    _execution,
    _jitter,
    _logger,
    _ordered_counter,
    _retries,
    _serialization,
    _types,
    _waits,
)
from durable_lambda_serdes import _errors as serdes_errors

# (compatibility module, name, where the object is defined)
EXPECTED: list[tuple[str, str, ModuleType]] = [
    *(
        ("config", name, _config)
        for name in (
            "BatchedInput",
            "TerminationMode",
            "ParallelConfig",
            "StepSemantics",
            "StepConfig",
            "CheckpointMode",
            "ChildConfig",
            "ItemsPerBatchUnit",
            "ItemBatcher",
            "MapConfig",
            "InvokeConfig",
            "CallbackConfig",
            "WaitForCallbackConfig",
            "StepFuture",
            "Numeric",
        )
    ),
    ("config", "Duration", _duration),
    ("config", "JitterStrategy", _jitter),
    ("config", "CompletionConfig", durable_lambda_concurrency),
    ("context", "DurableContext", _context),
    ("context", "Callback", _callback),
    ("context", "PASS_THROUGH_SERDES", _callback),
    ("context", "durable_step", _decorators),
    ("context", "durable_with_child_context", _decorators),
    ("context", "durable_wait_for_callback", _decorators),
    *(
        ("exceptions", name, durable_lambda_client)
        for name in (
            "TerminationReason",
            "CheckpointErrorCategory",
            "AwsErrorObj",
            "AwsErrorMetadata",
            "UnrecoverableError",
            "ExecutionError",
            "InvocationError",
            "CallbackError",
            "BotoClientError",
            "NonDeterministicExecutionError",
            "CheckpointError",
            "ValidationError",
            "GetExecutionStateError",
            "InvalidStateError",
            "UserlandError",
            "CallableRuntimeError",
            "StepInterruptedError",
            "OrderedLockError",
            "BackgroundThreadError",
            "SuspendExecution",
            "TimedSuspendExecution",
            "OrphanedChildException",
            "CallableRuntimeErrorSerializableDetails",
            "WaitForConditionError",
            "BAD_REQUEST_ERROR",
            "TOO_MANY_REQUESTS_ERROR",
            "SERVICE_ERROR",
        )
    ),
    ("exceptions", "DurableExecutionsError", serdes_errors),
    ("exceptions", "SerDesError", serdes_errors),
    *(
        ("execution", name, durable_lambda_client)
        for name in (
            "InitialExecutionState",
            "DurableExecutionInvocationInput",
            "DurableExecutionInvocationInputWithClient",
            "InvocationStatus",
            "DurableExecutionInvocationOutput",
            "LAMBDA_RESPONSE_SIZE_LIMIT",
        )
    ),
    ("execution", "durable_execution", _execution),
    ("execution", "handle_checkpoint_error", _execution),
    ("identifier", "OperationIdentifier", durable_lambda_client),
    *(
        ("lambda_service", name, durable_lambda_client)
        for name in (
            "OperationAction",
            "OperationStatus",
            "OperationType",
            "OperationSubType",
            "CallbackTimeoutType",
            "ChainedInvokeFailedToStartType",
            "ChainedInvokeTimeoutType",
            "ChainedInvokeStopType",
            "ExecutionDetails",
            "ContextDetails",
            "StepDetails",
            "WaitDetails",
            "CallbackDetails",
            "ChainedInvokeDetails",
            "StepOptions",
            "WaitOptions",
            "CallbackOptions",
            "ChainedInvokeOptions",
            "ContextOptions",
            "ErrorObject",
            "Operation",
            "OperationUpdate",
            "CheckpointUpdatedExecutionState",
            "CheckpointOutput",
            "StateOutput",
            "DurableServiceClient",
            "LambdaClient",
            "ReplayChildren",
            "OperationPayload",
            "TimeoutSeconds",
        )
    ),
    ("logger", "LogInfo", _logger),
    ("logger", "Logger", _logger),
    *(
        ("retries", name, _retries)
        for name in (
            "RetryDecision",
            "RetryStrategyConfig",
            "create_retry_strategy",
            "RetryPresets",
        )
    ),
    *(
        ("serdes", name, durable_lambda_serdes)
        for name in (
            "SerDes",
            "JsonSerDes",
            "ExtendedTypeSerDes",
            "PassThroughSerDes",
            "SerDesContext",
            "TypeTag",
            "EncodedValue",
            "Codec",
            "PrimitiveCodec",
            "BytesCodec",
            "UuidCodec",
            "DecimalCodec",
            "DateTimeCodec",
            "ContainerCodec",
            "TypeCodec",
            "TYPE_TOKEN",
            "VALUE_TOKEN",
            "TYPE_CODEC",
            "DEFAULT_JSON_SERDES",
            "EXTENDED_TYPES_SERDES",
        )
    ),
    ("serdes", "serialize", _serialization),
    ("serdes", "deserialize", _serialization),
    *(
        ("state", name, durable_lambda_state)
        for name in (
            "ExecutionState",
            "CheckpointedResult",
            "CHECKPOINT_NOT_FOUND",
            "ReplayStatus",
            "CheckpointBatcherConfig",
            "QueuedOperation",
        )
    ),
    *(
        ("types", name, _types)
        for name in (
            "LoggerInterface",
            "OperationContext",
            "StepContext",
            "WaitForCallbackContext",
            "WaitForConditionCheckContext",
            "Callback",
            "BatchResult",
            "DurableContext",
            "LambdaContext",
            "SummaryGenerator",
        )
    ),
    *(
        ("waits", name, _waits)
        for name in (
            "WaitDecision",
            "WaitStrategyConfig",
            "create_wait_strategy",
            "WaitForConditionDecision",
            "WaitForConditionConfig",
        )
    ),
]

# Names the reference modules had in their namespace through their own imports.
EXPECTED += [
    *(
        ("context", name, home)
        for name, home in (
            ("StepContext", _types),
            ("WaitForCallbackContext", _types),
            ("WaitForConditionCheckContext", _types),
            ("LoggerInterface", _types),
            ("StepConfig", _config),
            ("ChildConfig", _config),
            ("MapConfig", _config),
            ("ParallelConfig", _config),
            ("InvokeConfig", _config),
            ("CallbackConfig", _config),
            ("WaitForCallbackConfig", _config),
            ("BatchedInput", _config),
            ("Duration", _duration),
            ("Logger", _logger),
            ("LogInfo", _logger),
            ("OrderedCounter", _ordered_counter),
            ("ExecutionState", durable_lambda_state),
            ("OperationIdentifier", durable_lambda_client),
            ("OperationSubType", durable_lambda_client),
            ("SerDes", durable_lambda_serdes),
            ("PassThroughSerDes", durable_lambda_serdes),
        )
    ),
    *(
        ("execution", name, home)
        for name, home in (
            ("DurableContext", _context),
            ("LambdaContext", _types),
            ("ExecutionState", durable_lambda_state),
            ("ReplayStatus", durable_lambda_state),
            ("LambdaClient", durable_lambda_client),
            ("DurableServiceClient", durable_lambda_client),
            ("ErrorObject", durable_lambda_client),
            ("Operation", durable_lambda_client),
            ("OperationUpdate", durable_lambda_client),
            ("CheckpointError", durable_lambda_client),
            ("ExecutionError", durable_lambda_client),
            ("InvocationError", durable_lambda_client),
            ("SuspendExecution", durable_lambda_client),
        )
    ),
    ("logger", "LoggerInterface", _types),
    ("logger", "ExecutionState", durable_lambda_state),
]

ROOT: list[tuple[str, ModuleType]] = [
    # The reference's ten names ...
    ("BatchResult", _batch),
    ("DurableContext", _context),
    ("DurableExecutionsError", serdes_errors),
    ("InvocationError", durable_lambda_client),
    ("StepContext", _types),
    ("ValidationError", durable_lambda_client),
    ("durable_execution", _execution),
    ("durable_step", _decorators),
    ("durable_wait_for_callback", _decorators),
    ("durable_with_child_context", _decorators),
    # ... and the additions the documentation imports from the root.
    ("CallableRuntimeError", durable_lambda_client),
    ("CallbackError", durable_lambda_client),
    ("ExecutionError", durable_lambda_client),
    ("SerDesError", serdes_errors),
    ("StepInterruptedError", durable_lambda_client),
    ("Duration", _duration),
    ("StepConfig", _config),
]


@pytest.mark.parametrize(
    ("module_name", "name", "home"),
    EXPECTED,
    ids=[f"{module}.{name}" for module, name, _ in EXPECTED],
)
def test_compatibility_module_exports_the_implementation_object(
    module_name: str, name: str, home: ModuleType
) -> None:
    module = importlib.import_module(f"durable_lambda.{module_name}")
    namespace: dict[str, object] = {}
    exec(f"from durable_lambda.{module_name} import {name}", namespace)
    assert namespace[name] is getattr(home, name)
    assert name in module.__all__, f"durable_lambda.{module_name}.__all__ lacks {name}"


@pytest.mark.parametrize(("name", "home"), ROOT, ids=[name for name, _ in ROOT])
def test_root_exports_the_implementation_object(name: str, home: ModuleType) -> None:
    namespace: dict[str, object] = {}
    exec(f"from durable_lambda import {name}", namespace)
    assert namespace[name] is getattr(home, name)
    assert name in durable_lambda.__all__


def test_the_reference_root_names_are_exactly_covered() -> None:
    reference = {name for name, _ in ROOT[:10]}
    assert reference <= set(durable_lambda.__all__)
    assert durable_lambda.BatchResult is durable_lambda_context.BatchResult
    assert durable_lambda.BatchResult is not durable_lambda.types.BatchResult


def test_types_protocols_differ_from_the_concrete_classes() -> None:
    from durable_lambda import context, types

    assert types.DurableContext is _types.DurableContext
    assert context.DurableContext is _context.DurableContext
    assert types.Callback is not context.Callback
    assert types.Callback in context.Callback.__mro__
    assert types.DurableContext in context.DurableContext.__mro__
