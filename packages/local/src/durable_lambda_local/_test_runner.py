"""The in-process test runner: run a durable handler against the local service.

``DurableFunctionTestRunner`` keeps the official testing library's names and behaviour
(``run``, ``run_async``, ``wait_for_result``, ``wait_for_callback``, the callback
senders, ``register_durable_function``…) and adds what that library lacks: virtual time
by default (a wait of days or a callback timeout takes no real time, and
``runner.clock.advance(...)`` moves time on demand), callbacks addressed by operation
name, history assertions with the conformance rules, and reproducible ids.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from durable_lambda_client import (
    ErrorObject,
    Event,
    ExecutionStatus,
    GetDurableExecutionHistoryOutput,
    OperationStatus,
    OperationType,
)
from durable_lambda_local._arns import parse_function_name
from durable_lambda_local._clock import Clock, RealClock, VirtualClock
from durable_lambda_local._control_plane import DurableExecutionService
from durable_lambda_local._errors import DurableFunctionsTestError, ExecutionTimeoutWarning
from durable_lambda_local._functions import EventFormat, LocalFunction
from durable_lambda_local._history_assertions import assert_history
from durable_lambda_local._operation_view import DEFAULT_PAGE_BYTES, to_operation
from durable_lambda_local._records import OperationRecord
from durable_lambda_local._results import DurableFunctionTestResult
from durable_lambda_local._store import Store

__all__ = ["DurableChildContextTestRunner", "DurableFunctionTestRunner", "normalize_input"]

_DEFAULT_WAIT_SECONDS = 300.0
DEFAULT_EXECUTION_TIMEOUT = 300
"""The runner's default ``ExecutionTimeout`` in seconds, the reference testing library's."""


def normalize_input(value: Any) -> str:
    """The execution input for ``value``: JSON text as given, anything else JSON-encoded
    (so ``"hello"`` becomes ``'"hello"'`` and ``{"a": 1}`` becomes ``'{"a": 1}'``)."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return json.dumps(value)
        return value
    return json.dumps(value)


class DurableFunctionTestRunner:
    """Run a durable handler in-process against a local durable-execution service.

    Args:
        handler: the ``durable_execution``-wrapped handler to test.
        poll_interval: kept for compatibility (nothing polls; the runner drives).
        max_invocation_page_bytes: byte budget of one state page (default 5 MiB).
        execution_timeout: default ``ExecutionTimeout`` of runs, in (clock) seconds.
            When not given it is 300, as in the reference testing library, so a
            handler that waits longer than five minutes ends ``TIMED_OUT``; the runner
            then warns (:class:`ExecutionTimeoutWarning`, an error under
            ``pytest -W error``) and names the operations still open. Pass a longer
            timeout here or to ``run`` for such handlers.
        invocation_timeout: per-invocation limit in real seconds (Lambda's timeout).
        store: where executions live (default: in memory).
        skip_time: with no ``clock``, True gives a virtual clock, False the wall clock.
        region: region of the ARNs.
        clock: the clock (default: a ``VirtualClock`` starting now).
        seed: seed of execution ids, names and callback ids (None: random).
        account_id: account of the ARNs.
        function_name: name the handler is registered under by default.
        event_format: what the handler receives (the envelope object or its JSON).

    Example::

        with DurableFunctionTestRunner(handler) as runner:
            result = runner.run(input={"name": "World"})
        assert result.status is InvocationStatus.SUCCEEDED
    """

    mode = "local"

    def __init__(
        self,
        handler: Callable[..., Any] | None = None,
        poll_interval: float = 1.0,
        max_invocation_page_bytes: int | None = None,
        execution_timeout: int | None = None,
        invocation_timeout: float = 900,
        store: Store | None = None,
        skip_time: bool = True,
        region: str = "us-west-2",
        *,
        clock: Clock | None = None,
        seed: int | None = 0,
        account_id: str = "123456789012",
        function_name: str = "test-function",
        event_format: EventFormat = EventFormat.OBJECT,
    ) -> None:
        if clock is None:
            clock = VirtualClock() if skip_time else RealClock()
        self.poll_interval = poll_interval
        self._handler = handler
        self._execution_timeout = execution_timeout or DEFAULT_EXECUTION_TIMEOUT
        self._timeout_is_default = execution_timeout is None
        self._default_timeout_arns: set[str] = set()
        self._invocation_timeout = invocation_timeout
        self._function_name = function_name
        self._event_format = event_format
        self._account_id = account_id
        self._last_arn: str | None = None
        self._service = DurableExecutionService(
            store=store,
            clock=clock,
            region=region,
            account=account_id,
            seed=seed,
            max_page_bytes=max_invocation_page_bytes or DEFAULT_PAGE_BYTES,
        )

    # -- setup --------------------------------------------------------------------------

    @property
    def service(self) -> DurableExecutionService:
        """The local service the runner drives."""
        return self._service

    @property
    def clock(self) -> Clock:
        """The service's clock; a ``VirtualClock`` moves with ``advance``."""
        return self._service.clock

    def register_durable_function(
        self,
        function_name: str,
        handler: Callable[..., Any],
        execution_timeout: int = 120,
        retention_period_days: int = 1,
    ) -> DurableFunctionTestRunner:
        """Register a chained-invoke target that runs as its own durable execution.

        ``function_name`` may carry a qualifier (``name:qualifier``), which then wins
        over the bare name. Returns the runner.
        """
        name, qualifier = self._split(function_name)
        self._service.register(
            LocalFunction(
                name,
                handler,
                qualifier=qualifier,
                execution_timeout=execution_timeout,
                retention_period_days=retention_period_days,
                timeout=self._invocation_timeout,
                event_format=self._event_format,
            )
        )
        return self

    def register_function(
        self, function_name: str, handler: Callable[..., Any]
    ) -> DurableFunctionTestRunner:
        """Register a plain (non-durable) chained-invoke target, called once with the
        decoded payload and a Lambda context. Returns the runner."""
        name, qualifier = self._split(function_name)
        self._service.register(
            LocalFunction(
                name, handler, durable=False, qualifier=qualifier, timeout=self._invocation_timeout
            )
        )
        return self

    @staticmethod
    def _split(function_name: str) -> tuple[str, str | None]:
        reference = parse_function_name(function_name)
        if reference is None:
            raise ValueError(f"{function_name!r} is not a function name")
        return reference.name, reference.qualifier

    def close(self) -> None:
        """Stop the service and release its store."""
        self._service.close()

    def __enter__(self) -> DurableFunctionTestRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- running ------------------------------------------------------------------------

    def run(
        self,
        input: Any = None,
        execution_timeout: int | None = None,
        timeout: float | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
        account_id: str | None = None,
        tenant_id: str | None = None,
    ) -> DurableFunctionTestResult:
        """Start an execution and wait until it ends.

        Args:
            input: the event: JSON text, or any JSON-encodable value.
            execution_timeout: the execution's timeout in (clock) seconds.
            timeout: real seconds to wait before giving up (default 300).
            function_name: register the handler under this name for the run.
            execution_name: the execution name (default: generated, unique).
            account_id: must be the runner's account.
            tenant_id: the tenant the execution runs for.

        Warns:
            ExecutionTimeoutWarning: the execution timed out under the runner's default
                ``execution_timeout`` (see the class docstring).

        Raises:
            TimeoutError: the execution did not end in time, or waits on something
                only the outside world can do (an unanswered callback).
        """
        arn = self.run_async(
            input, execution_timeout, None, function_name, execution_name, account_id, tenant_id
        )
        return self._wait_for_result(
            arn, _DEFAULT_WAIT_SECONDS if timeout is None else timeout, stacklevel=3
        )

    def run_async(
        self,
        input: Any = None,
        execution_timeout: int | None = None,
        timeout: float | None = None,
        function_name: str | None = None,
        execution_name: str | None = None,
        account_id: str | None = None,
        tenant_id: str | None = None,
    ) -> str:
        """Start an execution and return its ARN without running it (the runner runs it
        when you wait: ``wait_for_result``, ``wait_for_callback``, ``clock.advance``)."""
        del timeout
        if account_id is not None and account_id != self._account_id:
            raise ValueError(
                f"account_id {account_id!r} differs from the runner's {self._account_id!r}; "
                "create the runner with that account_id"
            )
        if self._handler is None:
            raise DurableFunctionsTestError("the runner has no handler to run")
        name = function_name or self._function_name
        self._service.register(
            LocalFunction(
                name,
                self._handler,
                execution_timeout=execution_timeout or self._execution_timeout,
                timeout=self._invocation_timeout,
                event_format=self._event_format,
            )
        )
        arn, _ = self._service.start_execution(
            name, normalize_input(input), execution_name=execution_name, tenant_id=tenant_id
        )
        self._last_arn = arn
        if execution_timeout is None and self._timeout_is_default:
            self._default_timeout_arns.add(arn)
        return arn

    def wait_for_result(self, execution_arn: str, timeout: float = 60) -> DurableFunctionTestResult:
        """Run the execution until it ends and return its result.

        Warns:
            ExecutionTimeoutWarning: the execution timed out under the runner's default
                ``execution_timeout`` (see the class docstring).

        Raises:
            TimeoutError: it did not end within ``timeout`` real seconds, or it waits on
                the outside world.
        """
        return self._wait_for_result(execution_arn, timeout, stacklevel=3)

    def _wait_for_result(
        self, execution_arn: str, timeout: float, *, stacklevel: int
    ) -> DurableFunctionTestResult:
        try:
            record = self._service.wait_for_execution(execution_arn, timeout=timeout)
        except TimeoutError as error:
            raise TimeoutError(f"Execution did not complete within timeout: {error}") from None
        if (
            record.status is ExecutionStatus.TIMED_OUT
            and execution_arn in self._default_timeout_arns
        ):
            # Point at the test that called run() or wait_for_result().
            warnings.warn(self._timeout_warning(execution_arn), stacklevel=stacklevel)
        return self.result(execution_arn)

    def _timeout_warning(self, arn: str) -> ExecutionTimeoutWarning:
        open_operations = [
            f"{op.operation_type.value.lower()} {op.name or op.operation_id!r}"
            for op in self._service.operation_records(arn)
            if op.operation_type is not OperationType.EXECUTION
            and op.status in (OperationStatus.STARTED, OperationStatus.PENDING)
        ]
        waiting = f" while waiting on {', '.join(open_operations)}" if open_operations else ""
        return ExecutionTimeoutWarning(
            f"execution {arn.split('/')[-2]} timed out after {self._execution_timeout} seconds "
            f"(the runner's default execution_timeout){waiting}; pass execution_timeout=... "
            "to DurableFunctionTestRunner or to run() for longer waits"
        )

    def result(self, execution_arn: str | None = None) -> DurableFunctionTestResult:
        """The result of an execution as it stands now (default: the last one started)."""
        arn = self._arn(execution_arn)
        record = self._service.execution_record(arn)
        operations = [to_operation(op) for op in self._service.operation_records(arn)]
        return DurableFunctionTestResult.from_operations(
            execution_status=record.status,
            operations=operations,
            result=record.result,
            error=record.error,
            execution_arn=arn,
            history=self.history(arn),
        )

    def _arn(self, execution_arn: str | None) -> str:
        arn = execution_arn or self._last_arn
        if arn is None:
            raise DurableFunctionsTestError("no execution has been started yet")
        return arn

    def advance(self, seconds: float) -> None:
        """Move virtual time forward, running whatever falls due (see ``VirtualClock``)."""
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise DurableFunctionsTestError("advance needs the runner's VirtualClock")
        clock.advance(seconds)

    def run_until(self, predicate: Callable[[], bool], timeout: float = 60) -> bool:
        """Run until ``predicate()`` holds; False when nothing more can happen."""
        return self._service.run_until(predicate, timeout=timeout)

    def run_until_idle(self) -> None:
        """Run everything runnable, jumping timers, until only the outside world can
        make progress."""
        self._service.run_until_idle()

    # -- callbacks ----------------------------------------------------------------------

    def _open_callbacks(self, arn: str, name: str | None) -> list[OperationRecord]:
        return [
            op
            for op in self._service.operation_records(arn)
            if op.operation_type is OperationType.CALLBACK
            and op.status is OperationStatus.STARTED
            and (name is None or op.name == name or self._parent_name(arn, op) == name)
        ]

    def _parent_name(self, arn: str, op: OperationRecord) -> str | None:
        if op.parent_id is None:
            return None
        for other in self._service.operation_records(arn):
            if other.operation_id == op.parent_id:
                return other.name
        return None

    def wait_for_callback(
        self, execution_arn: str, name: str | None = None, timeout: float = 60
    ) -> str:
        """Run the execution until a callback (called ``name``, or the latest) is open and
        the invocation that created it has ended; return its id.

        ``name`` matches the callback's own name or that of its wait_for_callback
        context.

        Raises:
            TimeoutError: no such callback within ``timeout`` real seconds.
            DurableFunctionsTestError: the execution ended first.
        """
        service = self._service

        def ready() -> bool:
            record = service.execution_record(execution_arn)
            if record.is_terminal:
                return True
            return not record.invocation_active and bool(self._open_callbacks(execution_arn, name))

        service.run_until(ready, timeout=timeout)
        found = self._open_callbacks(execution_arn, name)
        if not found:
            record = service.execution_record(execution_arn)
            label = "a callback" if name is None else f"callback {name!r}"
            if record.is_terminal:
                raise DurableFunctionsTestError(
                    f"the execution ended ({record.status.value}) without opening {label}"
                )
            raise TimeoutError(f"Callback did not become available within {timeout}s: {label}")
        callback_id = found[-1].callback_id
        assert callback_id is not None
        return callback_id

    def callback_id(self, name: str, execution_arn: str | None = None) -> str:
        """The id of the open callback called ``name`` (or inside the wait_for_callback
        context called ``name``), running the execution until it exists."""
        return self.wait_for_callback(self._arn(execution_arn), name)

    def _resolve_callback(
        self, callback_id: str | None, name: str | None, execution_arn: str | None
    ) -> str:
        if callback_id is not None:
            return callback_id
        if name is None:
            raise ValueError("give a callback_id or the callback's operation name")
        return self.callback_id(name, execution_arn)

    def send_callback_success(
        self,
        callback_id: str | None = None,
        result: bytes | str | None = None,
        *,
        name: str | None = None,
        execution_arn: str | None = None,
    ) -> None:
        """Answer a callback (by id, or by operation ``name``) with ``result``."""
        payload = result.encode() if isinstance(result, str) else result
        self._service.send_durable_execution_callback_success(
            self._resolve_callback(callback_id, name, execution_arn), payload
        )

    def send_callback_failure(
        self,
        callback_id: str | None = None,
        error: ErrorObject | Mapping[str, Any] | BaseException | None = None,
        *,
        name: str | None = None,
        execution_arn: str | None = None,
    ) -> None:
        """Fail a callback (by id, or by operation ``name``) with ``error``."""
        if isinstance(error, BaseException):
            error = ErrorObject.from_exception(error)
        elif isinstance(error, Mapping):
            error = ErrorObject.from_dict(error)
        self._service.send_durable_execution_callback_failure(
            self._resolve_callback(callback_id, name, execution_arn), error
        )

    def send_callback_heartbeat(
        self,
        callback_id: str | None = None,
        *,
        name: str | None = None,
        execution_arn: str | None = None,
    ) -> None:
        """Heartbeat a callback (by id, or by operation ``name``)."""
        self._service.send_durable_execution_callback_heartbeat(
            self._resolve_callback(callback_id, name, execution_arn)
        )

    # -- history ------------------------------------------------------------------------

    def history(self, execution_arn: str | None = None) -> list[Event]:
        """Every history event of the execution (default: the last one started)."""
        arn = self._arn(execution_arn)
        events: list[Event] = []
        marker = None
        while True:
            page = self._service.get_durable_execution_history(arn, max_items=1000, marker=marker)
            events.extend(page.events)
            marker = page.next_marker
            if marker is None:
                return events

    def get_execution_history(
        self, execution_arn: str, include_execution_data: bool = True
    ) -> GetDurableExecutionHistoryOutput:
        """The whole history in one response (works for chained child ARNs too)."""
        events: list[Event] = []
        marker = None
        while True:
            page = self._service.get_durable_execution_history(
                execution_arn, include_execution_data, 1000, marker
            )
            events.extend(page.events)
            marker = page.next_marker
            if marker is None:
                return GetDurableExecutionHistoryOutput(events)

    def assert_history(
        self,
        expected: Sequence[Mapping[str, Any]],
        execution_arn: str | None = None,
        *,
        variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Check the history against ``expected`` with the conformance rules
        (placeholders, ``"*"``, ``${/regex/}``); returns the placeholder bindings.

        Raises:
            HistoryMismatchError: listing every difference.
        """
        return assert_history(self.history(execution_arn), expected, variables=variables)

    # -- pause / resume -----------------------------------------------------------------

    def pause_execution(self, execution_arn: str, timeout: float = 60) -> None:
        """Pause the execution and run until no invocation of it is running.

        Raises:
            ValueError: ``timeout`` is not positive.
            TimeoutError: the running invocation did not stop in time.
        """
        if not timeout > 0:
            raise ValueError(f"timeout must be positive; got {timeout}")
        service = self._service
        record = service.execution_record(execution_arn)
        if record.is_terminal:
            return
        if record.status.value == "RUNNING":
            service.pause_durable_execution(execution_arn)
        service.run_until(
            lambda: not service.execution_record(execution_arn).invocation_active, timeout=timeout
        )

    def resume_execution(self, execution_arn: str) -> None:
        """Resume a paused execution (does nothing to one that is not paused)."""
        status = self._service.execution_record(execution_arn).status.value
        if status in ("PAUSED", "PAUSING"):
            self._service.resume_durable_execution(execution_arn)


class DurableChildContextTestRunner(DurableFunctionTestRunner):
    """Test a ``durable_with_child_context`` function on its own: it runs as the body of
    an execution, called with ``*args`` and ``**kwargs``."""

    def __init__(
        self,
        context_function: Callable[..., Any],
        *args: Any,
        skip_time: bool = True,
        **kwargs: Any,
    ) -> None:
        from durable_lambda import durable_execution

        @durable_execution
        def handler(event: Any, context: Any) -> Any:
            return context_function(*args, **kwargs)(context)

        super().__init__(handler, skip_time=skip_time)
