"""The three callback APIs: success, failure and heartbeat."""

from __future__ import annotations

from durable_lambda_client import (
    ErrorObject,
    OperationStatus,
)
from durable_lambda_local._checkpoint_validation import (
    MAX_CHAINED_INVOKE_PAYLOAD_BYTES,
    MAX_ERROR_BYTES,
    error_size,
)
from durable_lambda_local._errors import (
    CallbackTimeoutException,
    ResourceNotFoundException,
)
from durable_lambda_local._live_execution import LiveExecution, Transaction
from durable_lambda_local._records import OperationRecord
from durable_lambda_local._service_core import (
    CALLBACK_ID_CHARS,
    EMPTY_ERROR,
    ServiceCore,
    invalid,
)
from durable_lambda_local._state_machines import (
    callback_heartbeat,
    complete_callback,
)


class CallbackApi(ServiceCore):
    """The three callback APIs: success, failure and heartbeat."""

    def _callback(self, callback_id: str) -> tuple[LiveExecution, str]:
        if (
            not isinstance(callback_id, str)
            or not 1 <= len(callback_id) <= 1024
            or not set(callback_id) <= CALLBACK_ID_CHARS
        ):
            raise invalid("CallbackId must be 1 to 1024 characters matching [A-Za-z0-9+/]+={0,2}.")
        found = self._store.find_callback(callback_id)
        live = None if found is None else self._live(found.execution_id)
        if found is None or live is None:
            raise ResourceNotFoundException(f"Callback {callback_id} does not exist.")
        return live, found.operation_id

    @staticmethod
    def _open_callback(transaction: Transaction, operation_id: str) -> OperationRecord:
        current = transaction.operation(operation_id)
        if (
            transaction.record.is_terminal
            or current is None
            or current.status is not OperationStatus.STARTED
        ):
            raise CallbackTimeoutException(
                "The callback has already completed or timed out, or its execution has ended."
            )
        return current

    def send_durable_execution_callback_success(
        self, callback_id: str, result: bytes | None = None
    ) -> None:
        """Complete a callback with ``result`` (raw bytes, UTF-8 text; empty: no result).

        Raises:
            InvalidParameterValueException: malformed id, result too large or not UTF-8.
            ResourceNotFoundException: unknown callback.
            CallbackTimeoutException: the callback is closed.
        """
        live, operation_id = self._callback(callback_id)
        text: str | None = None
        if result:
            if len(result) > MAX_CHAINED_INVOKE_PAYLOAD_BYTES:
                raise invalid(
                    f"Result must be at most {MAX_CHAINED_INVOKE_PAYLOAD_BYTES} bytes; "
                    f"got {len(result)}."
                )
            try:
                text = result.decode("utf-8")
            except UnicodeDecodeError:
                raise invalid("Result must be valid UTF-8.") from None

        def work(transaction: Transaction) -> None:
            current = self._open_callback(transaction, operation_id)
            moved = complete_callback(current, transaction.now_ms, result=text)
            self._apply_transition(transaction, moved, by_service=True)
            self._trigger(transaction)

        self._transact(live, work)

    def send_durable_execution_callback_failure(
        self, callback_id: str, error: ErrorObject | None = None
    ) -> None:
        """Fail a callback with ``error`` (stored verbatim; none: ``{}``).

        Raises:
            InvalidParameterValueException: malformed id or error too large.
            ResourceNotFoundException: unknown callback.
            CallbackTimeoutException: the callback is closed.
        """
        live, operation_id = self._callback(callback_id)
        if error is not None and error_size(error) > MAX_ERROR_BYTES:
            raise invalid(f"Error object size must be less than {MAX_ERROR_BYTES} bytes.")

        def work(transaction: Transaction) -> None:
            current = self._open_callback(transaction, operation_id)
            moved = complete_callback(
                current, transaction.now_ms, error=error or EMPTY_ERROR, failed=True
            )
            self._apply_transition(transaction, moved, by_service=True)
            self._trigger(transaction)

        self._transact(live, work)

    def send_durable_execution_callback_heartbeat(self, callback_id: str) -> None:
        """Restart the callback's heartbeat timeout (no effect without one).

        Raises:
            InvalidParameterValueException: malformed id.
            ResourceNotFoundException: unknown callback.
            CallbackTimeoutException: the callback is closed.
        """
        live, operation_id = self._callback(callback_id)

        def work(transaction: Transaction) -> None:
            current = self._open_callback(transaction, operation_id)
            self._apply_transition(
                transaction, callback_heartbeat(current, transaction.now_ms), by_service=True
            )

        self._transact(live, work)
