"""LambdaClient against boto3: requests validated by botocore's model, errors classified."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import (
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.stub import Stubber

from durable_lambda_client import (
    USER_AGENT_EXTRA,
    CheckpointError,
    CheckpointErrorCategory,
    CheckpointOutput,
    DurableServiceClient,
    ErrorObject,
    GetExecutionStateError,
    InvocationError,
    LambdaClient,
    Operation,
    OperationIdentifier,
    OperationStatus,
    OperationSubType,
    OperationType,
    OperationUpdate,
    StepDetails,
    WaitOptions,
)

ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    "/durable-execution/run-1/0c8c2b1e-4f0e-4a0a-9d55-1c2f3e4d5a6b"
)
TOKEN = "dG9rZW4tMQ=="
STARTED = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

STEP = OperationIdentifier("1ced8f5b", parent_id=None, name="charge")
UPDATES = [
    OperationUpdate.create_step_start(STEP),
    OperationUpdate.create_step_succeed(STEP, '"ok"'),
    OperationUpdate.create_wait_start(OperationIdentifier("2a", "ctx", "pause"), WaitOptions(30)),
]


@pytest.fixture
def stubber(boto3_lambda: Any) -> Iterator[Stubber]:
    with Stubber(boto3_lambda) as stub:
        yield stub
        stub.assert_no_pending_responses()


def test_lambda_client_satisfies_the_protocol(boto3_lambda: Any) -> None:
    assert isinstance(LambdaClient(boto3_lambda), DurableServiceClient)


def test_checkpoint_sends_updates_and_parses_the_new_state(
    boto3_lambda: Any, stubber: Stubber
) -> None:
    stubber.add_response(
        "checkpoint_durable_execution",
        {
            "CheckpointToken": "dG9rZW4tMg==",
            "NewExecutionState": {
                "Operations": [
                    {
                        "Id": "1ced8f5b",
                        "Name": "charge",
                        "Type": "STEP",
                        "SubType": "Step",
                        "Status": "SUCCEEDED",
                        "StartTimestamp": STARTED,
                        "EndTimestamp": STARTED,
                        "StepDetails": {"Attempt": 1, "Result": '"ok"'},
                    }
                ],
                "NextMarker": "page-2",
            },
        },
        expected_params={
            "DurableExecutionArn": ARN,
            "CheckpointToken": TOKEN,
            "Updates": [
                {"Id": "1ced8f5b", "Name": "charge", "Type": "STEP", "SubType": "Step",
                 "Action": "START"},
                {"Id": "1ced8f5b", "Name": "charge", "Type": "STEP", "SubType": "Step",
                 "Action": "SUCCEED", "Payload": '"ok"'},
                {"Id": "2a", "ParentId": "ctx", "Name": "pause", "Type": "WAIT",
                 "SubType": "Wait", "Action": "START", "WaitOptions": {"WaitSeconds": 30}},
            ],
        },
    )  # fmt: skip

    output = LambdaClient(boto3_lambda).checkpoint(
        durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=UPDATES, client_token=None
    )

    assert output.checkpoint_token == "dG9rZW4tMg=="
    assert output.new_execution_state.next_marker == "page-2"
    assert output.new_execution_state.operations == [
        Operation(
            operation_id="1ced8f5b",
            operation_type=OperationType.STEP,
            status=OperationStatus.SUCCEEDED,
            name="charge",
            start_timestamp=STARTED,
            end_timestamp=STARTED,
            sub_type=OperationSubType.STEP,
            step_details=StepDetails(attempt=1, result='"ok"'),
        )
    ]


def test_checkpoint_wire_sends_the_given_dicts_unchanged(
    boto3_lambda: Any, stubber: Stubber
) -> None:
    wire_updates = [update.to_dict() for update in UPDATES]
    stubber.add_response(
        "checkpoint_durable_execution",
        {"CheckpointToken": "dG9rZW4tMg==", "NewExecutionState": {}},
        expected_params={
            "DurableExecutionArn": ARN,
            "CheckpointToken": TOKEN,
            "Updates": wire_updates,
        },
    )
    output = LambdaClient(boto3_lambda).checkpoint_wire(
        durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=wire_updates
    )
    assert output.checkpoint_token == "dG9rZW4tMg=="


def test_checkpoint_passes_a_given_client_token(boto3_lambda: Any, stubber: Stubber) -> None:
    stubber.add_response(
        "checkpoint_durable_execution",
        {"CheckpointToken": "dG9rZW4tMg==", "NewExecutionState": {}},
        expected_params={
            "DurableExecutionArn": ARN,
            "CheckpointToken": TOKEN,
            "Updates": [],
            "ClientToken": "retry-safe-1",
        },
    )
    output = LambdaClient(boto3_lambda).checkpoint(
        durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=[], client_token="retry-safe-1"
    )
    assert output == CheckpointOutput.from_dict({"CheckpointToken": "dG9rZW4tMg=="})
    assert output.new_execution_state.operations == []


def test_checkpoint_response_without_token_gives_an_empty_token(
    boto3_lambda: Any, stubber: Stubber
) -> None:
    stubber.add_response("checkpoint_durable_execution", {"NewExecutionState": {}})
    output = LambdaClient(boto3_lambda).checkpoint(
        durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=[], client_token=None
    )
    assert output.checkpoint_token == ""


@pytest.mark.parametrize("token", ["", None])
def test_checkpoint_refuses_an_empty_token_without_calling(
    boto3_lambda: Any, stubber: Stubber, token: Any
) -> None:
    with pytest.raises(CheckpointError, match="without a checkpoint token") as caught:
        LambdaClient(boto3_lambda).checkpoint(
            durable_execution_arn=ARN, checkpoint_token=token, updates=UPDATES, client_token=None
        )
    assert caught.value.is_retriable()
    assert caught.value.error_category is CheckpointErrorCategory.INVOCATION


def test_get_execution_state_sends_marker_and_page_size(
    boto3_lambda: Any, stubber: Stubber
) -> None:
    stubber.add_response(
        "get_durable_execution_state",
        {
            "Operations": [
                {
                    "Id": "0c8c2b1e-4f0e-4a0a-9d55-1c2f3e4d5a6b",
                    "Type": "EXECUTION",
                    "Status": "STARTED",
                    "StartTimestamp": STARTED,
                    "ExecutionDetails": {"InputPayload": '{"order": 7}'},
                }
            ],
            "NextMarker": "page-3",
        },
        expected_params={
            "DurableExecutionArn": ARN,
            "CheckpointToken": TOKEN,
            "Marker": "page-2",
            "MaxItems": 1000,
        },
    )
    page = LambdaClient(boto3_lambda).get_execution_state(
        durable_execution_arn=ARN, checkpoint_token=TOKEN, next_marker="page-2"
    )
    assert page.next_marker == "page-3"
    [execution] = page.operations
    assert execution.operation_type is OperationType.EXECUTION
    assert execution.execution_details is not None
    assert execution.execution_details.input_payload == '{"order": 7}'


def test_get_execution_state_without_marker_asks_for_the_first_page(
    boto3_lambda: Any, stubber: Stubber
) -> None:
    stubber.add_response(
        "get_durable_execution_state",
        {"Operations": []},
        expected_params={"DurableExecutionArn": ARN, "CheckpointToken": TOKEN, "MaxItems": 50},
    )
    page = LambdaClient(boto3_lambda).get_execution_state(
        durable_execution_arn=ARN, checkpoint_token=TOKEN, next_marker="", max_items=50
    )
    assert page.operations == []
    assert page.next_marker is None


# --- classification -----------------------------------------------------------------------

SERVICE_ERRORS = [
    # (code, message, HTTP status, expected category)
    ("InvalidParameterValueException", "Update 3: WaitSeconds must be >= 1", 400, "EXECUTION"),
    ("InvalidParameterValueException", "Invalid checkpoint token", 400, "INVOCATION"),
    ("InvalidParameterValueException", "Invalid Checkpoint Token: superseded", 400, "INVOCATION"),
    ("ResourceNotFoundException", "Durable Execution does not exist", 404, "EXECUTION"),
    ("ResourceConflictException", "execution is paused", 409, "EXECUTION"),
    ("TooManyRequestsException", "Rate exceeded", 429, "INVOCATION"),
    ("ServiceException", "Internal error", 500, "INVOCATION"),
    ("KMSAccessDeniedException", "key access denied", 502, "EXECUTION"),
    ("KMSDisabledException", "key disabled", 502, "EXECUTION"),
    ("KMSInvalidStateException", "key pending deletion", 502, "EXECUTION"),
    ("KMSNotFoundException", "key not found", 502, "EXECUTION"),
    ("ServiceUnavailable", "try later", 503, "INVOCATION"),
]


@pytest.mark.parametrize(("code", "message", "status", "category"), SERVICE_ERRORS)
def test_checkpoint_service_errors_are_classified(
    boto3_lambda: Any, stubber: Stubber, code: str, message: str, status: int, category: str
) -> None:
    stubber.add_client_error(
        "checkpoint_durable_execution",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
        response_meta={"RequestId": "req-1"},
    )
    with pytest.raises(CheckpointError) as caught:
        LambdaClient(boto3_lambda).checkpoint(
            durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=UPDATES, client_token=None
        )
    error = caught.value
    assert error.error_category is CheckpointErrorCategory(category)
    assert error.is_retriable() is (category == "INVOCATION")
    assert error.error == {"Code": code, "Message": message}
    assert error.response_metadata is not None
    assert error.response_metadata["HTTPStatusCode"] == status
    assert error.response_metadata["RequestId"] == "req-1"
    assert code in str(error)
    assert isinstance(error, InvocationError)


def _failing_transport(boto3_lambda: Any, make_error: Callable[[str], Exception]) -> None:
    def fail(request: AWSPreparedRequest, **_: Any) -> None:
        raise make_error(request.url)

    boto3_lambda.meta.events.register("before-send.lambda", fail)


@pytest.mark.parametrize(
    "make_error",
    [
        lambda url: EndpointConnectionError(endpoint_url=url),
        lambda url: ConnectTimeoutError(endpoint_url=url),
        lambda url: ReadTimeoutError(endpoint_url=url),
    ],
    ids=["connection-refused", "connect-timeout", "read-timeout"],
)
def test_checkpoint_network_errors_are_retriable(
    boto3_lambda: Any, make_error: Callable[[str], Exception]
) -> None:
    _failing_transport(boto3_lambda, make_error)
    with pytest.raises(CheckpointError) as caught:
        LambdaClient(boto3_lambda).checkpoint(
            durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=UPDATES, client_token=None
        )
    assert caught.value.is_retriable()
    assert caught.value.error is None
    assert caught.value.response_metadata is None
    assert isinstance(caught.value.__cause__, type(make_error("x")))


def test_checkpoint_failure_is_logged_with_the_aws_details(
    boto3_lambda: Any, stubber: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    stubber.add_client_error(
        "checkpoint_durable_execution",
        service_error_code="ServiceException",
        service_message="Internal error",
        http_status_code=500,
        response_meta={"RequestId": "req-9"},
    )
    with caplog.at_level(logging.ERROR), pytest.raises(CheckpointError):
        LambdaClient(boto3_lambda).checkpoint(
            durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=[], client_token=None
        )
    [record] = [r for r in caplog.records if r.getMessage() == "Failed to checkpoint."]
    assert record.Error == {"Code": "ServiceException", "Message": "Internal error"}
    assert record.ResponseMetadata["RequestId"] == "req-9"
    assert record.exc_info is not None


@pytest.mark.parametrize(("code", "message", "status", "category"), SERVICE_ERRORS)
def test_get_execution_state_errors_are_invocation_errors(
    boto3_lambda: Any, stubber: Stubber, code: str, message: str, status: int, category: str
) -> None:
    stubber.add_client_error(
        "get_durable_execution_state",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
    )
    with pytest.raises(GetExecutionStateError) as caught:
        LambdaClient(boto3_lambda).get_execution_state(
            durable_execution_arn=ARN, checkpoint_token=TOKEN, next_marker="m"
        )
    assert isinstance(caught.value, InvocationError)
    assert caught.value.error == {"Code": code, "Message": message}
    assert caught.value.build_logger_extras()["Error"] == {"Code": code, "Message": message}


def test_get_execution_state_network_error_is_wrapped(
    boto3_lambda: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _failing_transport(boto3_lambda, lambda url: ReadTimeoutError(endpoint_url=url))
    with caplog.at_level(logging.ERROR), pytest.raises(GetExecutionStateError):
        LambdaClient(boto3_lambda).get_execution_state(
            durable_execution_arn=ARN, checkpoint_token=TOKEN, next_marker="m"
        )
    assert "Failed to get execution state." in caplog.messages


def test_non_botocore_failures_are_retriable() -> None:
    class Broken:
        def checkpoint_durable_execution(self, **_: Any) -> Any:
            raise RuntimeError("socket closed")

    with pytest.raises(CheckpointError, match="socket closed") as caught:
        LambdaClient(Broken()).checkpoint(
            durable_execution_arn=ARN, checkpoint_token=TOKEN, updates=[], client_token=None
        )
    assert caught.value.is_retriable()
    assert caught.value.build_logger_extras() == {}


# --- the request on the wire --------------------------------------------------------------


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class _Recorder:
    """Answers every request in-process and keeps what was sent."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = json.dumps(body).encode()
        self.requests: list[AWSPreparedRequest] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.requests.append(request)
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": "req-1"}
        return AWSResponse(request.url, 200, headers, _Body(self.body))


def test_initialized_client_sends_the_request_botocore_models(
    aws_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDA_ENDPOINT", "http://127.0.0.1:5050")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    service = LambdaClient.initialize_client()
    recorder = _Recorder({"CheckpointToken": "dG9rZW4tMg==", "NewExecutionState": {}})
    service.client.meta.events.register("before-send.lambda", recorder)
    try:
        service.checkpoint(
            durable_execution_arn=ARN,
            checkpoint_token=TOKEN,
            updates=[OperationUpdate.create_step_fail(STEP, ErrorObject.from_message("no"))],
            client_token=None,
        )
    finally:
        service.client.meta.events.unregister("before-send.lambda", recorder)

    [request] = recorder.requests
    assert request.method == "POST"
    assert request.url.startswith("http://127.0.0.1:5050/2025-12-01/durable-executions/arn%3Aaws")
    assert request.url.endswith("/checkpoint")
    body = json.loads(request.body)
    assert body["CheckpointToken"] == TOKEN
    assert body["Updates"] == [
        {
            "Id": "1ced8f5b",
            "Name": "charge",
            "Type": "STEP",
            "SubType": "Step",
            "Action": "FAIL",
            "Error": {"ErrorMessage": "no"},
        }
    ]
    assert len(body["ClientToken"]) == 36  # filled in by botocore: the model's idempotency token
    assert USER_AGENT_EXTRA in request.headers["User-Agent"].decode()
    assert "eu-west-1" in request.headers["Authorization"].decode()
