"""Wire names can never drift: our models are checked against botocore's Lambda model.

For each shape we model, a sample with *every* member the model defines is generated
from the model itself, read with ``from_dict`` and written back with ``to_dict``. The
result must equal the sample: a member we read or write under a wrong name would be
lost (or added) on the way. Enum values must equal the model's enums.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, Shape, StructureShape

from durable_lambda_client import (
    EVENT_DETAILS_TYPES,
    Event,
    EventType,
    ExecutionStatus,
    GetDurableExecutionHistoryOutput,
    InvocationType,
    LogType,
    OperationAction,
    OperationStatus,
    OperationSubType,
    OperationType,
    ThrottleReason,
)

from .conftest import WIRE_MODELS

MODEL = botocore.session.get_session().get_service_model("lambda")
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

# Members of the model we deliberately do not carry, as (shape, member).
UNMODELLED = {
    # Optional trace header of a chained invoke; the reference SDK never sends it.
    ("ChainedInvokeOptions", "XAmznTraceId"),
}

# Strings the model leaves free-form but our enums constrain.
STRING_VALUES = {"OperationSubType": OperationSubType.STEP.value}


def sample(shape: Shape, event_type: EventType | None = None) -> Any:
    """A value for ``shape`` with every member present (and truthy)."""
    if isinstance(shape, StructureShape):
        result = {}
        for name, member in shape.members.items():
            if (shape.name, name) in UNMODELLED:
                continue
            if shape.name == "Event" and name.endswith("Details"):
                assert event_type is not None
                if name != f"{event_type.value}Details":
                    continue
            if shape.name == "Event" and name == "EventType":
                assert event_type is not None
                result[name] = event_type.value
                continue
            result[name] = sample(member, event_type)
        return result
    if isinstance(shape, ListShape):
        return [sample(shape.member, event_type)]
    if shape.type_name == "string":
        if shape.enum:
            return shape.enum[0]
        return STRING_VALUES.get(shape.name, f"{shape.name}-value")
    if shape.type_name in {"integer", "long"}:
        return 7
    if shape.type_name == "boolean":
        return True
    if shape.type_name == "timestamp":
        return WHEN
    raise AssertionError(f"no sample for {shape.name} ({shape.type_name})")


def shape(name: str) -> Shape:
    return MODEL.shape_for(name)


@pytest.mark.parametrize(("shape_name", "model"), WIRE_MODELS.items(), ids=list(WIRE_MODELS))
def test_every_member_of_the_shape_survives_a_round_trip(shape_name: str, model: type[Any]) -> None:
    data = sample(shape(shape_name))
    assert model.from_dict(data).to_dict() == data


@pytest.mark.parametrize("event_type", list(EventType), ids=[t.value for t in EventType])
def test_every_event_and_its_details_survive_a_round_trip(event_type: EventType) -> None:
    data = sample(shape("Event"), event_type)
    assert f"{event_type.value}Details" in data
    assert Event.from_dict(data).to_dict() == data

    details_shape = shape(f"{event_type.value}Details")
    details = sample(details_shape, event_type)
    assert EVENT_DETAILS_TYPES[event_type].from_dict(details).to_dict() == details


def test_history_page_round_trips_with_every_event_type() -> None:
    response = shape("GetDurableExecutionHistoryResponse")
    assert isinstance(response, StructureShape)
    data = {
        "Events": [sample(shape("Event"), event_type) for event_type in EventType],
        "NextMarker": "next",
    }
    assert set(data) == set(response.members)
    assert GetDurableExecutionHistoryOutput.from_dict(data).to_dict() == data


def test_event_details_cover_every_details_member_of_the_event_shape() -> None:
    event = shape("Event")
    assert isinstance(event, StructureShape)
    details_members = {name for name in event.members if name.endswith("Details")}
    assert details_members == {f"{t.value}Details" for t in EVENT_DETAILS_TYPES}
    for event_type, details_class in EVENT_DETAILS_TYPES.items():
        assert event.members[f"{event_type.value}Details"].name == details_class.__name__


def test_the_unmodelled_members_still_exist() -> None:
    for shape_name, member in UNMODELLED:
        structure = shape(shape_name)
        assert isinstance(structure, StructureShape)
        assert member in structure.members


@pytest.mark.parametrize(
    ("enum", "shape_name"),
    [
        (OperationType, "OperationType"),
        (OperationStatus, "OperationStatus"),
        (OperationAction, "OperationAction"),
        (ExecutionStatus, "ExecutionStatus"),
        (EventType, "EventType"),
        (InvocationType, "InvocationType"),
        (LogType, "LogType"),
        (ThrottleReason, "ThrottleReason"),
    ],
)
def test_enum_values_are_the_model_values(enum: type[Enum], shape_name: str) -> None:
    assert [member.value for member in enum] == list(shape(shape_name).enum)


def test_sub_type_values_fit_the_model_constraint() -> None:
    constraint = shape("OperationSubType").metadata
    for member in OperationSubType:
        assert constraint["min"] <= len(member.value) <= constraint["max"]
        assert re.fullmatch(constraint["pattern"], member.value)


def test_operation_update_members_are_the_checkpoint_request_members() -> None:
    request = shape("CheckpointDurableExecutionRequest")
    assert isinstance(request, StructureShape)
    updates = request.members["Updates"]
    assert isinstance(updates, ListShape)
    assert updates.member.name == "OperationUpdate"
