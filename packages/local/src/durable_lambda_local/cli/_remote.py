"""The commands' view of a durable-execution service: a boto3 Lambda client at an endpoint.

Whether the service is ``durable-lambda serve``, the service ``run`` starts, one started
over the local store for the command, or Lambda itself, the commands only ever talk to it
through the public API, exactly as a script with boto3 would.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from durable_lambda_local.cli._errors import CliError

DUMMY_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class RemoteService:
    """Calls the Lambda durable-execution API at ``endpoint`` and reports failures as
    :class:`CliError` lines (``ResourceNotFoundException: Durable Execution does not exist``)."""

    def __init__(
        self, endpoint: str, *, region: str = "us-east-1", runs_functions: bool = True
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        # False for the server a command opens over a store just to read it: it hosts no
        # handler, so an invoke there could never run.
        self.runs_functions = runs_functions
        # botocore directly: the same client boto3 builds, without importing boto3's
        # resource and transfer layers (a third of the command's start-up time).
        self._client: Any = botocore.session.get_session().create_client(
            "lambda",
            region_name=region,
            endpoint_url=self.endpoint,
            config=Config(retries={"total_max_attempts": 2}, read_timeout=910),
            **DUMMY_CREDENTIALS,
        )

    @property
    def client(self) -> Any:
        """The underlying boto3 Lambda client."""
        return self._client

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**params)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise CliError(f"{details.get('Code')}: {details.get('Message')}") from None
        except ParamValidationError as error:
            # Refused before anything was sent: the arguments are wrong, not the service.
            problems = "; ".join(str(error.kwargs.get("report", error)).splitlines())
            raise CliError(f"invalid arguments: {problems}", exit_code=2) from None
        except BotoCoreError as error:
            raise CliError(f"cannot reach the service at {self.endpoint}: {error}") from None
        response.pop("ResponseMetadata", None)
        return response

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self._call(operation, **params)
            yield from page.get(key, [])
            marker = page.get("NextMarker")
            if not marker:
                return
            params["Marker"] = marker

    def function_names(self) -> list[str]:
        """Names of the functions the server hosts or has executions of (our server's
        ``/_local/functions``)."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_local/functions", timeout=10) as reply:
                names: list[str] = json.loads(reply.read())["Functions"]
        except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
            raise CliError(
                f"cannot list the functions of {self.endpoint} ({error}); name the function "
                "with --function"
            ) from None
        return sorted(names)

    def list_executions(
        self,
        functions: Sequence[str],
        *,
        statuses: Sequence[str] = (),
        name: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Executions of ``functions``, newest first."""
        rows: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        if statuses:
            params["Statuses"] = list(statuses)
        if name:
            params["DurableExecutionName"] = name
        for function in functions:
            for row in self._pages(
                "list_durable_executions_by_function",
                "DurableExecutions",
                FunctionName=function,
                **params,
            ):
                rows.append(row)
        rows.sort(key=lambda r: r["StartTimestamp"], reverse=True)
        return rows[:limit] if limit else rows

    def resolve(self, reference: str, *, function: str | None = None) -> str:
        """The ARN of the execution named ``reference`` (or ``reference`` itself if an ARN).

        Raises:
            CliError: no execution, or several executions of different functions, have
                that name.
        """
        if reference.startswith("arn:"):
            return reference
        functions = [function] if function else self.function_names()
        matches = self.list_executions(functions, name=reference)
        if not matches:
            raise CliError(f"no execution named {reference!r} was found")
        if len({m["FunctionArn"] for m in matches}) > 1:
            raise CliError(
                f"several functions have an execution named {reference!r}; pass --function "
                "or the execution ARN"
            )
        return str(matches[0]["DurableExecutionArn"])

    def get_execution(self, arn: str) -> dict[str, Any]:
        """``GetDurableExecution`` with the execution data."""
        return self._call("get_durable_execution", DurableExecutionArn=arn)

    def history(self, arn: str) -> list[dict[str, Any]]:
        """Every history event of the execution, oldest first."""
        return list(
            self._pages(
                "get_durable_execution_history",
                "Events",
                DurableExecutionArn=arn,
                IncludeExecutionData=True,
                MaxItems=1000,
            )
        )

    def stop(self, arn: str, error: dict[str, Any] | None = None) -> dict[str, Any]:
        """``StopDurableExecution``."""
        params: dict[str, Any] = {"DurableExecutionArn": arn}
        if error:
            params["Error"] = error
        return self._call("stop_durable_execution", **params)

    def pause(self, arn: str, reason: str | None) -> None:
        """``PauseDurableExecution``."""
        params: dict[str, Any] = {"DurableExecutionArn": arn}
        if reason:
            params["Reason"] = reason
        self._call("pause_durable_execution", **params)

    def resume(self, arn: str, reason: str | None) -> None:
        """``ResumeDurableExecution``."""
        params: dict[str, Any] = {"DurableExecutionArn": arn}
        if reason:
            params["Reason"] = reason
        self._call("resume_durable_execution", **params)

    def delete(self, arn: str) -> dict[str, Any]:
        """``DeleteDurableExecution``."""
        return self._call("delete_durable_execution", DurableExecutionArn=arn)

    def callback_success(self, callback_id: str, result: bytes | None) -> None:
        """``SendDurableExecutionCallbackSuccess``."""
        params: dict[str, Any] = {"CallbackId": callback_id}
        if result is not None:
            params["Result"] = result
        self._call("send_durable_execution_callback_success", **params)

    def callback_failure(self, callback_id: str, error: dict[str, Any] | None) -> None:
        """``SendDurableExecutionCallbackFailure``."""
        params: dict[str, Any] = {"CallbackId": callback_id}
        if error:
            params["Error"] = error
        self._call("send_durable_execution_callback_failure", **params)

    def callback_heartbeat(self, callback_id: str) -> None:
        """``SendDurableExecutionCallbackHeartbeat``."""
        self._call("send_durable_execution_callback_heartbeat", CallbackId=callback_id)

    def invoke(
        self, function: str, payload: bytes, *, asynchronous: bool, name: str | None = None
    ) -> dict[str, Any]:
        """``Invoke`` a durable function (synchronous waits for the execution's end)."""
        params: dict[str, Any] = {
            "FunctionName": function,
            "Payload": payload,
            "InvocationType": "Event" if asynchronous else "RequestResponse",
        }
        if name:
            params["DurableExecutionName"] = name
        response = self._call("invoke", **params)
        if "Payload" in response:
            response["Payload"] = response["Payload"].read()
        return response
