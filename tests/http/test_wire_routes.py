"""Every route of the API driven by an unmodified boto3 client against the HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest

ARN_CHARS = ":$/"


def start(client: Any, function: str = "orders", **kwargs: Any) -> str:
    response = client.invoke(FunctionName=function, InvocationType="Event", **kwargs)
    assert response["StatusCode"] == 202
    return str(response["DurableExecutionArn"])


def test_invoke_event_returns_202_with_the_execution_arn_header(client: Any, backend: Any) -> None:
    response = client.invoke(
        FunctionName="orders",
        InvocationType="Event",
        Payload=b'{"id": 1}',
        DurableExecutionName="order-1",
        Qualifier="$LATEST",
        TenantId="tenant a",
    )

    assert response["StatusCode"] == 202
    assert response["DurableExecutionArn"].endswith(
        response["DurableExecutionArn"].rsplit("/", 1)[-1]
    )
    assert "/durable-execution/order-1/" in response["DurableExecutionArn"]
    received = backend.last("Invoke")
    assert received["FunctionName"] == "orders"
    assert received["InvocationType"] == "Event"
    assert received["DurableExecutionName"] == "order-1"
    assert received["Qualifier"] == "$LATEST"
    assert received["TenantId"] == "tenant a"
    assert received["Payload"] == b'{"id": 1}'


def test_invoke_request_response_returns_the_payload_and_headers(client: Any) -> None:
    response = client.invoke(FunctionName="orders", Payload=b'{"total": 3}')

    assert response["StatusCode"] == 200
    assert json.loads(response["Payload"].read()) == {"total": 3}
    assert response["ExecutedVersion"] == "$LATEST"
    assert ":function:orders:$LATEST/durable-execution/" in response["DurableExecutionArn"]
    assert "FunctionError" not in response


def test_invoke_failed_execution_reports_a_function_error(client: Any) -> None:
    response = client.invoke(FunctionName="failing", Payload=b"{}")

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "ValueError"


def test_invoke_dry_run_returns_204(client: Any) -> None:
    assert client.invoke(FunctionName="orders", InvocationType="DryRun")["StatusCode"] == 204


def test_invoke_with_a_full_function_arn_is_routed(client: Any, backend: Any) -> None:
    name = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    start(client, name)
    assert backend.last("Invoke")["FunctionName"] == name


def test_invoke_names_are_idempotent(client: Any) -> None:
    first = start(client, DurableExecutionName="same", Payload=b"{}")
    again = start(client, DurableExecutionName="same", Payload=b"{}")
    assert again == first

    with pytest.raises(client.exceptions.DurableExecutionAlreadyStartedException) as caught:
        start(client, DurableExecutionName="same", Payload=b'{"other": 1}')
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_invoke_rejects_a_payload_that_is_not_json(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestContentException) as caught:
        client.invoke(FunctionName="orders", Payload=b"not json")
    assert "json" in caught.value.response["Error"]["Message"]


def test_invoke_rejects_an_oversized_event_payload(client: Any) -> None:
    payload = json.dumps("x" * (1024 * 1024 + 10)).encode()
    with pytest.raises(client.exceptions.RequestTooLargeException) as caught:
        client.invoke(FunctionName="orders", InvocationType="Event", Payload=payload)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_invoke_rejects_an_invalid_execution_name(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        start(client, DurableExecutionName="has space")
    message = caught.value.response["Error"]["Message"]
    assert "DurableExecutionName" in message
    assert "[a-zA-Z0-9-_]+" in message


def test_unknown_function_is_resource_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.invoke(FunctionName="missing", Payload=b"{}")
    assert caught.value.response["Error"]["Message"] == "Function not found: missing"


def test_checkpoint_sends_token_updates_and_an_auto_filled_client_token(
    client: Any, backend: Any
) -> None:
    arn = start(client)
    token = backend.executions[arn].token
    assert "+" in token or "/" in token

    response = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=token,
        Updates=[
            {
                "Id": "step-1",
                "Type": "STEP",
                "Action": "SUCCEED",
                "SubType": "Step",
                "Payload": '"done"',
            }
        ],
    )

    received = backend.last("CheckpointDurableExecution")
    assert received["DurableExecutionArn"] == arn
    assert received["CheckpointToken"] == token
    assert received["Updates"][0]["Payload"] == '"done"'
    assert len(received["ClientToken"]) == 36
    assert response["CheckpointToken"] == backend.executions[arn].token
    operation = response["NewExecutionState"]["Operations"][0]
    assert operation["Id"] == "step-1"
    assert operation["StepDetails"] == {"Attempt": 1, "Result": '"done"'}
    assert isinstance(operation["StartTimestamp"], datetime)


def test_checkpoint_with_a_stale_token_is_invalid_parameter(client: Any) -> None:
    arn = start(client)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="c3RhbGU=")
    assert caught.value.response["Error"]["Message"] == "Invalid checkpoint token"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_checkpoint_update_missing_a_required_member_is_rejected(endpoint: str) -> None:
    status, headers, body = raw(
        endpoint,
        "POST",
        "/2025-12-01/durable-executions/"
        "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A%24LATEST"
        "%2Fdurable-execution%2Fn%2Fx/checkpoint",
        {"CheckpointToken": "abc", "Updates": [{"Id": "a", "Type": "STEP"}]},
    )
    assert status == 400
    assert headers["x-amzn-errortype"] == "InvalidParameterValueException"
    assert "Updates[0].Action" in body["message"]


def test_get_state_pages_with_the_paginator(client: Any, backend: Any) -> None:
    arn = start(client)
    token = backend.executions[arn].token

    pages = list(
        client.get_paginator("get_durable_execution_state").paginate(
            DurableExecutionArn=arn, CheckpointToken=token, PaginationConfig={"PageSize": 2}
        )
    )

    assert [len(p["Operations"]) for p in pages] == [2, 2, 1]
    assert backend.last("GetDurableExecutionState")["Marker"] == "m+/4"
    assert backend.last("GetDurableExecutionState")["CheckpointToken"] == token


def test_get_execution_parses_timestamps_and_omits_absent_members(client: Any) -> None:
    arn = start(client, Payload=b'{"a": 1}')

    response = client.get_durable_execution(DurableExecutionArn=arn)

    assert response["Status"] == "RUNNING"
    assert response["InputPayload"] == '{"a": 1}'
    assert response["StartTimestamp"] == datetime(2025, 1, 1, 0, 0, 1, 250000, tzinfo=UTC)
    assert "EndTimestamp" not in response
    assert "Result" not in response
    assert response["TraceHeader"] == {}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(response["ResponseMetadata"]["RequestId"]) == 36


def test_get_execution_sends_include_execution_data_false(client: Any, backend: Any) -> None:
    arn = start(client, Payload=b'{"a": 1}')

    response = client.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=False)

    assert backend.last("GetDurableExecution")["IncludeExecutionData"] is False
    assert "InputPayload" not in response
    assert response["ExecutionDataIncluded"] is False


def test_get_unknown_execution_is_resource_not_found(client: Any) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/n/x"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_durable_execution(DurableExecutionArn=arn)
    assert caught.value.response["Error"]["Message"] == "Durable Execution does not exist"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_malformed_arn_is_invalid_parameter(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.get_durable_execution(DurableExecutionArn="not-an-arn")
    assert "DurableExecutionArn" in caught.value.response["Error"]["Message"]


def test_history_paginates_forward_and_in_reverse(client: Any, backend: Any) -> None:
    arn = start(client)

    forward = [
        event["EventId"]
        for page in client.get_paginator("get_durable_execution_history").paginate(
            DurableExecutionArn=arn, PaginationConfig={"PageSize": 3}
        )
        for event in page["Events"]
    ]
    backward = client.get_durable_execution_history(
        DurableExecutionArn=arn, ReverseOrder=True, IncludeExecutionData=True
    )

    assert forward == [1, 2, 3, 4, 5, 6, 7]
    assert [e["EventId"] for e in backward["Events"]] == [7, 6, 5, 4, 3, 2, 1]
    assert backend.last("GetDurableExecutionHistory")["ReverseOrder"] is True
    started = backward["Events"][-1]
    assert started["ExecutionStartedDetails"]["Input"] == {"Payload": "{}", "Truncated": False}
    assert backward["Events"][0]["StepStartedDetails"] == {}


def test_history_with_a_bad_marker_is_invalid_parameter(client: Any) -> None:
    arn = start(client)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.get_durable_execution_history(DurableExecutionArn=arn, Marker="bogus")
    assert caught.value.response["Error"]["Message"] == "Invalid marker"


def test_history_max_items_over_the_limit_is_rejected(client: Any) -> None:
    arn = start(client)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=5000)
    message = caught.value.response["Error"]["Message"]
    assert "MaxItems" in message
    assert "less than or equal to 1000" in message


def test_list_by_function_sends_every_filter(client: Any, backend: Any) -> None:
    start(client)
    client.list_durable_executions_by_function(
        FunctionName="orders",
        Qualifier="$LATEST",
        DurableExecutionName="n1",
        Statuses=["RUNNING", "FAILED"],
        StartedAfter=datetime(2025, 1, 1, 1, 2, 3, 456789, tzinfo=UTC),
        StartedBefore=datetime(2026, 1, 1, tzinfo=UTC),
        ReverseOrder=True,
        MaxItems=10,
    )

    received = backend.last("ListDurableExecutionsByFunction")
    assert received["Statuses"] == ["RUNNING", "FAILED"]
    assert received["StartedAfter"] == datetime(2025, 1, 1, 1, 2, 3, 456789, tzinfo=UTC)
    assert received["StartedBefore"] == datetime(2026, 1, 1, tzinfo=UTC)
    assert received["ReverseOrder"] is True
    assert received["MaxItems"] == 10
    assert received["Qualifier"] == "$LATEST"
    assert received["DurableExecutionName"] == "n1"


def test_list_by_function_paginates_newest_first(client: Any) -> None:
    arns = [start(client) for _ in range(5)]

    listed = [
        summary["DurableExecutionArn"]
        for page in client.get_paginator("list_durable_executions_by_function").paginate(
            FunctionName="orders", PaginationConfig={"PageSize": 2}
        )
        for summary in page["DurableExecutions"]
    ]

    assert listed == list(reversed(arns))


def test_list_by_function_rejects_an_unknown_status(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.list_durable_executions_by_function(FunctionName="orders", Statuses=["BOGUS"])
    assert "Statuses" in caught.value.response["Error"]["Message"]


def test_list_by_unknown_function_is_resource_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_durable_executions_by_function(FunctionName="missing")


def test_callback_success_delivers_raw_bytes_by_encoded_id(client: Any, backend: Any) -> None:
    arn = start(client)
    callback_id = backend.executions[arn].callback_id
    assert "+" in callback_id
    assert "/" in callback_id

    response = client.send_durable_execution_callback_success(
        CallbackId=callback_id, Result=b'"approved"'
    )

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert backend.last("SendDurableExecutionCallbackSuccess") == {
        "CallbackId": callback_id,
        "Result": b'"approved"',
    }


def test_callback_success_without_result_sends_no_result(client: Any, backend: Any) -> None:
    arn = start(client)
    client.send_durable_execution_callback_success(CallbackId=backend.executions[arn].callback_id)
    assert "Result" not in backend.last("SendDurableExecutionCallbackSuccess")


def test_callback_failure_sends_the_error_object(client: Any, backend: Any) -> None:
    arn = start(client)
    error = {
        "ErrorType": "Rejected",
        "ErrorMessage": "no stock",
        "ErrorData": "{}",
        "StackTrace": ["a", "b"],
    }
    client.send_durable_execution_callback_failure(
        CallbackId=backend.executions[arn].callback_id, Error=error
    )
    assert backend.last("SendDurableExecutionCallbackFailure")["Error"] == error


def test_callback_heartbeat_and_closed_callback(client: Any, backend: Any) -> None:
    arn = start(client)
    callback_id = backend.executions[arn].callback_id
    client.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    client.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"1")

    for call in (
        client.send_durable_execution_callback_heartbeat,
        client.send_durable_execution_callback_success,
        client.send_durable_execution_callback_failure,
    ):
        with pytest.raises(client.exceptions.CallbackTimeoutException) as caught:
            call(CallbackId=callback_id)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert "closed" in caught.value.response["Error"]["Message"]


def test_unknown_callback_is_resource_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.send_durable_execution_callback_heartbeat(CallbackId="dW5rbm93bg==")


def test_malformed_callback_id_is_invalid_parameter(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.send_durable_execution_callback_heartbeat(CallbackId="not base64!")
    assert "CallbackId" in caught.value.response["Error"]["Message"]


def test_stop_with_and_without_an_error(client: Any, backend: Any) -> None:
    first = start(client)
    second = start(client)

    stopped = client.stop_durable_execution(DurableExecutionArn=first)
    client.stop_durable_execution(
        DurableExecutionArn=second, Error={"ErrorType": "Cancelled", "ErrorMessage": "bye"}
    )

    assert isinstance(stopped["StopTimestamp"], datetime)
    assert backend.executions[first].error == {"ErrorMessage": "Execution stopped by user request"}
    assert backend.executions[second].error == {"ErrorType": "Cancelled", "ErrorMessage": "bye"}
    assert "Error" not in backend.requests[-2][1]


def test_pause_resume_and_delete_answer_202(client: Any, backend: Any) -> None:
    arn = start(client)

    paused = client.pause_durable_execution(
        DurableExecutionArn=arn, Reason="maintenance", ExecutionTimeoutPaused=False
    )
    resumed = client.resume_durable_execution(DurableExecutionArn=arn, Reason="done")
    client.stop_durable_execution(DurableExecutionArn=arn)
    deleted = client.delete_durable_execution(DurableExecutionArn=arn)

    assert paused["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert resumed["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert isinstance(deleted["DeletionRequestTimestamp"], datetime)
    pause = backend.last("PauseDurableExecution")
    assert pause["Reason"] == "maintenance"
    assert pause["ExecutionTimeoutPaused"] is False
    assert len(pause["ClientToken"]) == 36
    assert backend.last("ResumeDurableExecution")["Reason"] == "done"


def test_conflicting_state_changes_are_resource_conflicts(client: Any) -> None:
    arn = start(client)
    for call in (client.resume_durable_execution, client.delete_durable_execution):
        with pytest.raises(client.exceptions.ResourceConflictException) as caught:
            call(DurableExecutionArn=arn)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert "RUNNING" in caught.value.response["Error"]["Message"]


def test_throttling_carries_retry_after_and_reason(client: Any) -> None:
    with pytest.raises(client.exceptions.TooManyRequestsException) as caught:
        client.invoke(FunctionName="throttled")
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Reason"] == "CallerRateLimitExceeded"
    assert response["retryAfterSeconds"] == "7"
    assert response["Error"]["Message"] == "Rate exceeded"


def test_a_backend_crash_is_a_service_exception(client: Any) -> None:
    with pytest.raises(client.exceptions.ServiceException) as caught:
        client.invoke(FunctionName="boom")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert caught.value.response["Error"]["Message"] == "RuntimeError: the backend broke"


def raw(endpoint: str, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, _lower(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), json.loads(error.read() or b"null")


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_unknown_route_is_404_unknown_operation(endpoint: str) -> None:
    for method, path in [
        ("GET", "/2025-12-01/nothing-here"),
        ("PUT", "/2025-12-01/durable-executions/x"),
        ("GET", "/2025-12-01/durable-executions/x/checkpoint"),
    ]:
        status, headers, body = raw(endpoint, method, path)
        assert status == 404
        assert headers["x-amzn-errortype"] == "UnknownOperationException"
        assert path in body["message"]


def test_timestamps_are_epoch_seconds_and_errors_carry_type(client: Any, endpoint: str) -> None:
    arn = start(client)
    from urllib.parse import quote

    status, headers, body = raw(endpoint, "GET", f"/2025-12-01/durable-executions/{quote(arn, '')}")

    assert status == 200
    assert headers["content-type"] == "application/json"
    assert body["StartTimestamp"] == 1735689601.25
    assert "EndTimestamp" not in body
    assert body["TraceHeader"] == {}

    status, headers, body = raw(endpoint, "GET", "/2025-12-01/durable-executions/nope")
    assert status == 400
    assert body["Type"] == "User"
    assert body["__type"] == "InvalidParameterValueException"
    assert "message" in body
    assert len(headers["x-amzn-requestid"]) == 36


def test_health_route(endpoint: str) -> None:
    status, _, body = raw(endpoint, "GET", "/_local/health")
    assert (status, body) == (200, {"status": "ok"})


def test_functions_admin_route_lists_registered_functions(client: Any, endpoint: str) -> None:
    start(client, "b-fn")
    start(client, "a-fn")
    status, _, body = raw(endpoint, "GET", "/_local/functions")
    assert (status, body) == (200, {"Functions": ["a-fn", "b-fn"]})
