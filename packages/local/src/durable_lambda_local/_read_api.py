"""The read APIs: GetDurableExecution, GetDurableExecutionHistory and
ListDurableExecutionsByFunction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from durable_lambda_client import (
    DurableConfig,
    ExecutionStatus,
    ExecutionSummary,
    GetDurableExecutionHistoryOutput,
    GetDurableExecutionOutput,
    ListDurableExecutionsByFunctionOutput,
    PauseDetails,
    TraceHeader,
)
from durable_lambda_local._arns import (
    executed_version,
    function_arn,
    parse_function_name,
)
from durable_lambda_local._clock import datetime_to_ms, ms_to_datetime
from durable_lambda_local._errors import ResourceNotFoundException
from durable_lambda_local._history import to_event
from durable_lambda_local._live_execution import LiveExecution
from durable_lambda_local._records import (
    EventRecord,
    ExecutionQuery,
)
from durable_lambda_local._service_core import (
    MAX_EXECUTION_SPAN_MS,
    ServiceCore,
    check_max_items,
    invalid,
)
from durable_lambda_local._tokens import (
    HistoryMarker,
    ListMarker,
    decode_history_marker,
    decode_list_marker,
    encode_history_marker,
    encode_list_marker,
)


class ReadApi(ServiceCore):
    """The read APIs: GetDurableExecution, GetDurableExecutionHistory and"""

    def get_durable_execution(
        self, durable_execution_arn: str, include_execution_data: bool = True
    ) -> GetDurableExecutionOutput:
        """The execution's status, input, outcome and configuration.

        Raises:
            ResourceNotFoundException: unknown execution.
        """
        record = self._require(durable_execution_arn).record
        status = record.status
        include = include_execution_data
        pause = None
        if status in (ExecutionStatus.PAUSING, ExecutionStatus.PAUSED):
            pause = PauseDetails(
                ms_to_datetime(record.pause_requested_ms or record.paused_since_ms or 0),
                record.pause_timeout_paused,
                record.pause_reason if include else None,
            )
        expected = None
        if not record.is_terminal:
            if status is ExecutionStatus.PAUSED and record.pause_timeout_paused:
                expected = ms_to_datetime(record.start_ms + MAX_EXECUTION_SPAN_MS)
            else:
                expected = ms_to_datetime(record.deadline_ms)
        errored = status in (
            ExecutionStatus.FAILED,
            ExecutionStatus.TIMED_OUT,
            ExecutionStatus.STOPPED,
        )
        return GetDurableExecutionOutput(
            durable_execution_arn=record.arn,
            durable_execution_name=record.name,
            function_arn=function_arn(
                record.region, record.account, record.function_name, record.version
            ),
            status=status,
            start_timestamp=ms_to_datetime(record.start_ms),
            input_payload=record.input_payload if include else None,
            result=record.result if include and status is ExecutionStatus.SUCCEEDED else None,
            error=record.error if include and errored else None,
            end_timestamp=None if record.end_ms is None else ms_to_datetime(record.end_ms),
            version=record.version,
            trace_header=None if record.trace_header is None else TraceHeader(record.trace_header),
            execution_data_included=include,
            durable_config=DurableConfig(
                record.kms_key_arn, record.retention_days, record.timeout_seconds
            ),
            pause_details=pause,
            expected_execution_timeout_timestamp=expected,
        )

    def _history_events(self, live: LiveExecution) -> list[EventRecord]:
        """The execution's events, read from the store once and then kept up to date."""
        live = self._lock(live)
        try:
            if live.events is None:
                live.events = self._store.read_events(
                    live.execution_id, 1, max(live.record.event_count, 1)
                )
            return list(live.events)
        finally:
            live.lock.release()

    def get_durable_execution_history(
        self,
        durable_execution_arn: str,
        include_execution_data: bool = True,
        max_items: int | None = None,
        marker: str | None = None,
        reverse_order: bool = False,
    ) -> GetDurableExecutionHistoryOutput:
        """A page of the execution's history, oldest first (newest first if reversed).

        Raises:
            ResourceNotFoundException: unknown execution.
            InvalidParameterValueException: ``Invalid marker`` or MaxItems out of range.
        """
        live = self._require(durable_execution_arn)
        limit = check_max_items(max_items)
        execution_id = live.execution_id
        position = None
        if marker:
            position = decode_history_marker(marker)
            if (
                position is None
                or position.execution_id != execution_id
                or position.reverse != reverse_order
            ):
                raise invalid("Invalid marker")
        events = self._history_events(live)
        count = len(events)
        if reverse_order:
            start = count if position is None else min(position.event_id - 1, count)
            page = events[max(start - limit, 0) : max(start, 0)][::-1]
            last = page[-1].event_id if page else 1
            next_marker = (
                encode_history_marker(HistoryMarker(execution_id, last, True)) if last > 1 else None
            )
        else:
            start = 1 if position is None else position.event_id
            page = events[start - 1 : start - 1 + limit]
            following = start + len(page)
            next_marker = (
                encode_history_marker(HistoryMarker(execution_id, following, False))
                if page and following <= count
                else None
            )
        return GetDurableExecutionHistoryOutput(
            [
                to_event(
                    event,
                    include_execution_data=include_execution_data,
                    payload_limit=self._history_payload_limit,
                )
                for event in page
            ],
            next_marker,
        )

    def list_durable_executions_by_function(
        self,
        function_name: str,
        qualifier: str | None = None,
        durable_execution_name: str | None = None,
        statuses: Iterable[ExecutionStatus] | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> ListDurableExecutionsByFunctionOutput:
        """The function's executions, newest first (oldest first when reversed).

        Raises:
            ResourceNotFoundException: unknown function.
            InvalidParameterValueException: ``Invalid marker``, MaxItems out of range, or a
                malformed function name.
        """
        name = self._listed_function(function_name)
        reference = parse_function_name(function_name)
        qualifier = qualifier or (None if reference is None else reference.qualifier)
        limit = check_max_items(max_items)
        after = None
        if marker:
            position = decode_list_marker(marker)
            if (
                position is None
                or position.function_name != name
                or position.reverse != reverse_order
            ):
                raise invalid("Invalid marker")
            after = (position.start_ms, position.execution_id)
        status_filter = None if not statuses else frozenset(statuses)
        query = ExecutionQuery(
            function_name=name,
            version=None if qualifier is None else executed_version(qualifier),
            name=durable_execution_name,
            statuses=status_filter,
            started_after_ms=None if started_after is None else datetime_to_ms(started_after),
            started_before_ms=None if started_before is None else datetime_to_ms(started_before),
            oldest_first=reverse_order,
            after=after,
            limit=limit + 1,
        )
        records = self._store.list_executions(query)
        page = records[:limit]
        next_marker = None
        if len(records) > limit:
            last = page[-1]
            next_marker = encode_list_marker(
                ListMarker(name, last.start_ms, last.execution_id, reverse_order)
            )
        summaries = [
            ExecutionSummary(
                durable_execution_arn=record.arn,
                durable_execution_name=record.name,
                function_arn=function_arn(
                    record.region, record.account, record.function_name, record.version
                ),
                status=record.status,
                start_timestamp=ms_to_datetime(record.start_ms),
                end_timestamp=None if record.end_ms is None else ms_to_datetime(record.end_ms),
                kms_key_arn=record.kms_key_arn,
            )
            for record in page
        ]
        return ListDurableExecutionsByFunctionOutput(summaries, next_marker)

    def _listed_function(self, function_name: str) -> str:
        """The function whose executions to list: a registered function, or one that
        has executions in the store although nothing hosts it now (so that a store can
        be inspected without its code).

        Raises:
            ResourceNotFoundException: neither.
        """
        try:
            function, _, _ = self._resolve(function_name, None)
        except ResourceNotFoundException:
            reference = parse_function_name(function_name)
            if (
                reference is None
                or reference.account not in (None, self._account)
                or reference.region not in (None, self._region)
                or reference.name not in self._store.function_names()
            ):
                raise
            return reference.name
        return function.name
