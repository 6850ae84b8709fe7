"""Config classes: field order, defaults, derived seconds, compatibility enums."""

from __future__ import annotations

import dataclasses

from durable_lambda_client import OperationSubType
from durable_lambda_context import (
    CallbackConfig,
    ChildConfig,
    CompletionConfig,
    Duration,
    InvokeConfig,
    ItemBatcher,
    MapConfig,
    ParallelConfig,
    StepConfig,
    StepSemantics,
    WaitForCallbackConfig,
)
from durable_lambda_context import _config as config_module


def field_names(cls: type) -> list[str]:
    return [field.name for field in dataclasses.fields(cls)]


def test_field_order_matches_the_reference() -> None:
    assert field_names(StepConfig) == ["retry_strategy", "step_semantics", "serdes"]
    assert field_names(ParallelConfig) == [
        "max_concurrency",
        "completion_config",
        "serdes",
        "item_serdes",
        "summary_generator",
    ]
    assert field_names(MapConfig) == [
        "max_concurrency",
        "item_batcher",
        "completion_config",
        "serdes",
        "item_serdes",
        "summary_generator",
    ]
    assert field_names(ChildConfig) == ["serdes", "item_serdes", "sub_type", "summary_generator"]
    assert field_names(InvokeConfig) == ["timeout", "serdes_payload", "serdes_result", "tenant_id"]
    assert field_names(CallbackConfig) == ["timeout", "heartbeat_timeout", "serdes"]
    assert field_names(WaitForCallbackConfig) == [
        "timeout",
        "heartbeat_timeout",
        "serdes",
        "retry_strategy",
    ]


def test_defaults() -> None:
    step = StepConfig()
    assert step.retry_strategy is None
    assert step.step_semantics is StepSemantics.AT_LEAST_ONCE_PER_RETRY
    assert step.serdes is None
    assert CallbackConfig().timeout_seconds == 0
    assert CallbackConfig().heartbeat_timeout_seconds == 0
    assert InvokeConfig().timeout_seconds == 0
    assert MapConfig().completion_config == CompletionConfig()
    assert MapConfig().item_batcher == ItemBatcher()
    assert ParallelConfig().completion_config == CompletionConfig.all_successful()


def test_seconds_properties() -> None:
    config = CallbackConfig(timeout=Duration.from_minutes(2), heartbeat_timeout=Duration(60))
    assert (config.timeout_seconds, config.heartbeat_timeout_seconds) == (120, 60)
    assert InvokeConfig(timeout=Duration(30)).timeout_seconds == 30
    assert WaitForCallbackConfig(timeout=Duration(5)).timeout_seconds == 5


def test_completion_presets() -> None:
    assert CompletionConfig.first_successful() == CompletionConfig(1, None, None)
    assert CompletionConfig.all_successful() == CompletionConfig(None, 0, 0)
    assert CompletionConfig.all_completed() == CompletionConfig(None, None, 100)


def test_child_config_subtype() -> None:
    config: ChildConfig[int] = ChildConfig(sub_type=OperationSubType.MAP_ITERATION)
    assert config.sub_type is OperationSubType.MAP_ITERATION


def test_enum_values_are_plain_strings() -> None:
    assert StepSemantics.AT_MOST_ONCE_PER_RETRY.value == "AT_MOST_ONCE_PER_RETRY"
    assert config_module.CheckpointMode.NO_CHECKPOINT.value == "NO_CHECKPOINT"
    assert config_module.ItemsPerBatchUnit.COUNT.value == "COUNT"
    assert [mode.value for mode in config_module.TerminationMode] == [
        "TERMINATE",
        "CANCEL",
        "WAIT",
        "ABANDON",
    ]
