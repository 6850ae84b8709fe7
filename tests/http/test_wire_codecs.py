"""Path labels, query values and timestamps survive the trip from botocore to the backend."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote

import boto3
from botocore.parsers import RestJSONParser
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_lambda_local.http import SERVED_OPERATIONS
from durable_lambda_local.http._request_parsing import _timestamp, parse_request
from durable_lambda_local.http._response_writing import epoch_seconds, write_response
from durable_lambda_local.http._routing import Router
from durable_lambda_local.http._wire_model import operation_spec, operation_specs

ROUTER = Router(operation_specs())
BASE64 = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", min_size=1
).map(lambda s: s + "==")
ANY_LABEL = st.text(min_size=1).filter(lambda s: s.strip() != "")


def test_every_served_operation_has_a_route_from_the_model() -> None:
    model = boto3.client("lambda", region_name="us-east-1").meta.service_model
    for name in SERVED_OPERATIONS:
        http = model.operation_model(name).http
        path = http["requestUri"].split("?")[0]
        for label in ("{DurableExecutionArn}", "{CallbackId}", "{FunctionName}"):
            path = path.replace(label, "a%2Fb")
        match = ROUTER.match(http["method"], path)
        assert match is not None, name
        assert match.spec.name == name
        assert match.spec.status_code == http.get("responseCode", 200)


@settings(max_examples=200)
@given(callback_id=BASE64, action=st.sampled_from(["succeed", "fail", "heartbeat"]))
def test_callback_ids_decode_per_segment(callback_id: str, action: str) -> None:
    path = f"/2025-12-01/durable-execution-callbacks/{quote(callback_id, safe='')}/{action}"
    match = ROUTER.match("POST", path)
    assert match is not None
    assert match.labels == {"CallbackId": callback_id}


@settings(max_examples=200)
@given(label=ANY_LABEL)
def test_any_percent_encoded_label_decodes_to_itself(label: str) -> None:
    match = ROUTER.match("GET", f"/2025-12-01/durable-executions/{quote(label, safe='')}/history")
    assert match is not None
    assert match.spec.name == "GetDurableExecutionHistory"
    assert match.labels == {"DurableExecutionArn": label}


@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2300, 1, 1), timezones=st.just(UTC)
    )
)
def test_timestamps_round_trip_through_epoch_seconds(moment: datetime) -> None:
    sent = epoch_seconds(moment)
    back = _timestamp("T", sent)
    assert abs(back - moment) < timedelta(microseconds=2)
    assert _timestamp("T", moment.isoformat().replace("+00:00", "Z")) == moment


def test_query_timestamps_accept_iso_and_epoch_forms() -> None:
    assert _timestamp("T", "2025-01-01T00:00:00Z") == datetime(2025, 1, 1, tzinfo=UTC)
    assert _timestamp("T", "1735689600") == datetime(2025, 1, 1, tzinfo=UTC)
    assert _timestamp("T", "1735689600.5") == datetime(2025, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)


def test_invoke_route_is_not_taken_by_a_label() -> None:
    match: Any = ROUTER.match("POST", "/2015-03-31/functions/my%3Afn/invocations")
    assert match.spec is operation_spec("Invoke")
    assert match.labels == {"FunctionName": "my:fn"}


OPTIONAL_TEXT = st.one_of(st.none(), st.text(max_size=20))
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
ERRORS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "ErrorMessage": OPTIONAL_TEXT,
            "ErrorType": OPTIONAL_TEXT,
            "StackTrace": st.one_of(st.none(), st.lists(st.text(max_size=5), max_size=3)),
        },
    ),
)
OPERATIONS = st.fixed_dictionaries(
    {
        "Id": st.text(min_size=1, max_size=8),
        "Type": st.just("STEP"),
        "Status": st.just("STARTED"),
        "StartTimestamp": MOMENTS,
    },
    optional={
        "Name": OPTIONAL_TEXT,
        "ParentId": OPTIONAL_TEXT,
        "EndTimestamp": st.one_of(st.none(), MOMENTS),
        "StepDetails": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={
                    "Attempt": st.one_of(st.none(), st.integers(0, 10)),
                    "Result": OPTIONAL_TEXT,
                    "Error": ERRORS,
                    "NextAttemptTimestamp": st.one_of(st.none(), MOMENTS),
                },
            ),
        ),
    },
)


def _no_nulls(value: Any) -> bool:
    if isinstance(value, dict):
        return all(v is not None and _no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nulls(v) for v in value)
    return True


@settings(max_examples=200)
@given(operations=st.lists(OPERATIONS, max_size=4), marker=OPTIONAL_TEXT)
def test_state_responses_omit_nulls_and_parse_back_in_boto3(
    operations: list[dict[str, Any]], marker: str | None
) -> None:
    spec = operation_spec("GetDurableExecutionState")
    wire = write_response(spec, {"Operations": operations, "NextMarker": marker})
    document = json.loads(wire.body)
    assert _no_nulls(document)

    parsed = RestJSONParser().parse(
        {"status_code": wire.status_code, "headers": wire.headers, "body": wire.body},
        spec.output_shape,
    )
    for sent, received in zip(operations, parsed["Operations"]):
        assert received["Id"] == sent["Id"]
        assert abs(received["StartTimestamp"] - sent["StartTimestamp"]) < timedelta(milliseconds=1)
        present = {k for k, v in sent.items() if v is not None}
        assert set(received) == present
        details = sent.get("StepDetails")
        if details is not None:
            kept = {k for k, v in details.items() if v is not None}
            assert set(received["StepDetails"]) == kept
    assert parsed.get("NextMarker") == marker


SERVICE_MODEL = boto3.client("lambda", region_name="us-east-1").meta.service_model
SERIALIZER = create_serializer("rest-json")
ARNS = st.from_regex(
    r"arn:aws:lambda:us-east-1:123456789012:function:[a-z]{1,8}:\$LATEST"
    r"/durable-execution/[a-z0-9_-]{1,8}/[a-z0-9-]{1,8}",
    fullmatch=True,
)


def _as_received(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Serialize ``params`` exactly as botocore sends them, then parse them as the server."""
    request = SERIALIZER.serialize_to_request(params, SERVICE_MODEL.operation_model(operation))
    query = percent_encode_sequence(request["query_string"])
    path = request["url_path"]
    match = ROUTER.match(request["method"], path)
    assert match is not None
    assert match.spec.name == operation
    body = request["body"]
    body = body.encode() if isinstance(body, str) else body
    return parse_request(match.spec, match.labels, parse_qsl(query, True), request["headers"], body)


@settings(max_examples=100)
@given(
    function=st.from_regex(r"[a-zA-Z0-9_-]{1,20}", fullmatch=True),
    statuses=st.lists(st.sampled_from(["RUNNING", "FAILED", "SUCCEEDED"]), max_size=3),
    after=st.one_of(st.none(), MOMENTS),
    reverse=st.one_of(st.none(), st.booleans()),
    max_items=st.one_of(st.none(), st.integers(0, 1000)),
    # Markers are the server's own base64 strings (a space would be read back as "+").
    marker=st.one_of(st.none(), BASE64),
)
def test_list_requests_arrive_as_sent(
    function: str,
    statuses: list[str],
    after: datetime | None,
    reverse: bool | None,
    max_items: int | None,
    marker: str | None,
) -> None:
    params: dict[str, Any] = {"FunctionName": function}
    for key, value in (
        ("Statuses", statuses or None),
        ("StartedAfter", after),
        ("ReverseOrder", reverse),
        ("MaxItems", max_items),
        ("Marker", marker),
    ):
        if value is not None:
            params[key] = value
    received = _as_received("ListDurableExecutionsByFunction", params)
    if after is not None:
        assert abs(received.pop("StartedAfter") - params.pop("StartedAfter")) < timedelta(
            milliseconds=1
        )
    assert received == params


@settings(max_examples=100)
@given(
    arn=ARNS,
    token=st.from_regex(r"[A-Za-z0-9+/]{1,40}={0,2}", fullmatch=True),
    payloads=st.lists(st.one_of(st.none(), st.text(max_size=20)), max_size=4),
)
def test_checkpoint_requests_arrive_as_sent(
    arn: str, token: str, payloads: list[str | None]
) -> None:
    updates = []
    for index, payload in enumerate(payloads):
        update: dict[str, Any] = {"Id": f"op-{index}", "Type": "STEP", "Action": "SUCCEED"}
        if payload is not None:
            update["Payload"] = payload
        updates.append(update)
    params = {
        "DurableExecutionArn": arn,
        "CheckpointToken": token,
        "Updates": updates,
        "ClientToken": "fixed-client-token",
    }
    assert _as_received("CheckpointDurableExecution", params) == params


@settings(max_examples=100)
@given(callback_id=BASE64, error=ERRORS.filter(lambda e: e is not None))
def test_callback_failures_arrive_as_sent(callback_id: str, error: dict[str, Any]) -> None:
    sent_error = {k: v for k, v in error.items() if v is not None}
    params: dict[str, Any] = {"CallbackId": callback_id, "Error": sent_error}
    expected = {"CallbackId": callback_id, **({"Error": sent_error} if sent_error else {})}
    assert _as_received("SendDurableExecutionCallbackFailure", params) == expected


@settings(max_examples=100)
@given(callback_id=BASE64, result=st.binary(max_size=64))
def test_callback_results_arrive_as_raw_bytes(callback_id: str, result: bytes) -> None:
    received = _as_received(
        "SendDurableExecutionCallbackSuccess", {"CallbackId": callback_id, "Result": result}
    )
    assert received == {"CallbackId": callback_id, **({"Result": result} if result else {})}
