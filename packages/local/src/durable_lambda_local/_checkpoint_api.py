"""CheckpointDurableExecution and GetDurableExecutionState: the two calls a running
handler makes.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from durable_lambda_client import (
    CheckpointOutput,
    CheckpointUpdatedExecutionState,
    DurableServiceClient,
    ErrorObject,
    ExecutionStatus,
    OperationAction,
    OperationType,
    OperationUpdate,
    StateOutput,
)
from durable_lambda_local._arns import (
    ExecutionArn,
    executed_version,
    function_arn,
    parse_function_name,
)
from durable_lambda_local._checkpoint_validation import (
    check_batch,
    check_update_members,
)
from durable_lambda_local._in_process_client import InProcessClient
from durable_lambda_local._live_execution import Transaction
from durable_lambda_local._operation_view import (
    page_operations,
    to_operation,
    visible_operations,
)
from durable_lambda_local._records import (
    ExecutionRecord,
    IdempotencyRecord,
)
from durable_lambda_local._service_core import (
    EMPTY_ERROR,
    IDEMPOTENCY_WINDOW_MS,
    INVALID_TOKEN,
    ServiceCore,
    check_max_items,
    invalid,
    is_uuid,
)
from durable_lambda_local._state_machines import (
    ChainedTarget,
    TransitionContext,
    apply_update,
    check_consistency,
)
from durable_lambda_local._tokens import (
    CheckpointTokenData,
    StateMarker,
    decode_checkpoint_token,
    decode_state_marker,
    encode_checkpoint_token,
    encode_state_marker,
)


class CheckpointApi(ServiceCore):
    """CheckpointDurableExecution and GetDurableExecutionState: the two calls a running"""

    def checkpoint_durable_execution(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        updates: Iterable[OperationUpdate] | None = None,
        client_token: str | None = None,
    ) -> CheckpointOutput:
        """Apply a batch of operation updates for the running invocation.

        Returns:
            The next checkpoint token (empty when this invocation may not checkpoint
            again) and the operations changed since the handler last saw them.

        Raises:
            InvalidParameterValueException: ``Invalid checkpoint token`` (stale, foreign,
                or no invocation running), or the batch breaks a rule (nothing applied).
        """
        live = self._live_by_arn(durable_execution_arn)
        if live is None:
            raise invalid(INVALID_TOKEN)
        batch = list(updates or ())
        return self._transact(
            live, partial(self._checkpoint, checkpoint_token, batch, client_token)
        )

    def _checkpoint(
        self,
        checkpoint_token: str,
        updates: list[OperationUpdate],
        client_token: str | None,
        transaction: Transaction,
    ) -> CheckpointOutput:
        live = transaction.live
        record = transaction.record
        now = transaction.now_ms
        if client_token is not None:
            while live.idempotency:
                oldest = next(iter(live.idempotency.values()))
                if oldest.expires_ms >= now:
                    break
                live.idempotency.popitem(last=False)
            cached = live.idempotency.get(client_token) or self._store.load_idempotency(
                record.execution_id, client_token
            )
            if cached is not None and cached.expires_ms >= now:
                if cached.checkpoint_token == checkpoint_token:
                    return cached.response
                raise invalid(
                    f"ClientToken {client_token} was already used with another checkpoint token."
                )
        self._check_token(record, checkpoint_token)
        self._apply_updates(transaction, updates)
        sequence = record.token_sequence + 1
        has_execution_update = any(
            update.operation_type is OperationType.EXECUTION for update in updates
        )
        transaction.advance_token_sequence(sequence)
        withheld = has_execution_update
        operations: list[Any] = []
        marker: str | None = None
        if transaction.record.status is ExecutionStatus.PAUSING:
            self._enter_paused(transaction)
            transaction.update_record(invocation_owed=True)
            withheld = True
        else:
            operations, marker = self._delta(transaction, sequence)
        if withheld:
            transaction.update_record(token_withheld=True)
            token = ""
        else:
            token = encode_checkpoint_token(
                CheckpointTokenData(record.execution_id, record.invocation_id or "", sequence)
            )
        output = CheckpointOutput(token, CheckpointUpdatedExecutionState(operations, marker))
        if client_token is not None:
            transaction.changes.idempotency.append(
                IdempotencyRecord(
                    record.execution_id,
                    client_token,
                    checkpoint_token,
                    output,
                    now + IDEMPOTENCY_WINDOW_MS,
                )
            )
        return output

    def _check_token(self, record: ExecutionRecord, checkpoint_token: str) -> None:
        if record.is_terminal or not record.invocation_active or record.token_withheld:
            raise invalid(INVALID_TOKEN)
        data = (
            decode_checkpoint_token(checkpoint_token) if isinstance(checkpoint_token, str) else None
        )
        if (
            data is None
            or data.execution_id != record.execution_id
            or data.invocation_id != record.invocation_id
            or data.sequence != record.token_sequence
        ):
            raise invalid(INVALID_TOKEN)

    def _delta(self, transaction: Transaction, sequence: int) -> tuple[list[Any], str | None]:
        live = transaction.live
        ids = live.dirty | transaction.staged_operations.keys()
        changed = sorted(
            (op for op in (transaction.operation(i) for i in ids) if op is not None),
            key=lambda op: op.position,
        )
        page, next_offset = page_operations(changed, 0, len(changed) or 1, self._max_page_bytes)
        transaction.delivered = {op.operation_id for op in page}
        marker = None
        if next_offset is not None:
            live.delta_remainder = (sequence, [op.operation_id for op in changed])
            marker = encode_state_marker(
                StateMarker(transaction.execution_id, sequence, next_offset, delta=True)
            )
        return [to_operation(op) for op in page], marker

    def _apply_updates(self, transaction: Transaction, updates: list[OperationUpdate]) -> None:
        if not updates:
            return
        live = transaction.live
        check_batch(updates, frozenset(live.context_ids))
        is_child = transaction.record.parent_execution_id is not None
        for update in updates:
            if update.operation_type is OperationType.EXECUTION:
                check_update_members(update, is_chained_child=is_child)
                self._apply_execution_update(transaction, update)
                continue
            current = transaction.operation(update.operation_id)
            if current is not None and current.operation_type is OperationType.EXECUTION:
                raise invalid("Inconsistent operation type.")
            check_consistency(update, current)
            check_update_members(update, is_chained_child=is_child)
            context = TransitionContext(
                execution_id=transaction.execution_id,
                now_ms=transaction.now_ms,
                position=transaction.next_position,
                new_callback_id=partial(self._new_callback_id, transaction.execution_id),
                resolve_target=self._resolve_target,
            )
            moved = apply_update(update, current, context)
            self._apply_transition(transaction, moved, by_service=False)

    @staticmethod
    def _apply_execution_update(transaction: Transaction, update: OperationUpdate) -> None:
        if update.action is OperationAction.SUCCEED:
            if update.error is not None:
                raise invalid("Cannot provide an Error for SUCCEED action.")
            transaction.update_record(
                checkpointed_outcome=ExecutionStatus.SUCCEEDED, result=update.payload, error=None
            )
        else:
            if update.payload is not None:
                raise invalid("Cannot provide a Payload for FAIL action.")
            transaction.update_record(
                checkpointed_outcome=ExecutionStatus.FAILED,
                result=None,
                error=update.error or EMPTY_ERROR,
            )

    def _new_callback_id(self, execution_id: str, operation_id: str) -> str:
        raw = uuid.UUID(execution_id).bytes if is_uuid(execution_id) else execution_id.encode()
        return base64.b64encode(raw + self._ids.random_bytes(18)).decode("ascii")

    def _resolve_target(self, name: str, tenant_id: str | None) -> ChainedTarget | ErrorObject:
        reference = parse_function_name(name)
        if reference is None:
            raise invalid(f"Invalid function ARN '{name}'")
        if reference.account is not None and reference.account != self._account:
            raise invalid("Cannot start a CHAINED_INVOKE on a function in another account.")
        if reference.region is not None and reference.region != self._region:
            raise invalid("Cannot start a CHAINED_INVOKE on a function in another region.")
        function = self._functions.resolve(reference.name, reference.qualifier)
        if function is None:
            return ErrorObject(
                "Function not found: "
                + function_arn(self._region, self._account, reference.name, reference.qualifier),
                "ResourceNotFoundException",
                None,
                None,
            )
        version = executed_version(reference.qualifier)
        if not function.durable:
            return ChainedTarget(function.name, version, False, reference.qualifier)
        child_id = self._ids.uuid4()
        child_name = self._ids.uuid4()
        child_arn = str(
            ExecutionArn(
                "aws", self._region, self._account, function.name, version, child_name, child_id
            )
        )
        return ChainedTarget(function.name, version, True, reference.qualifier, child_id, child_arn)

    def get_durable_execution_state(
        self,
        durable_execution_arn: str,
        checkpoint_token: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> StateOutput:
        """A page of the running invocation's state (a pure read; the token stays valid).

        Raises:
            InvalidParameterValueException: ``Invalid checkpoint token``, ``Invalid
                marker`` or MaxItems out of range.
        """
        live = self._live_by_arn(durable_execution_arn)
        if live is None:
            raise invalid(INVALID_TOKEN)
        limit = check_max_items(max_items)
        with live.lock:
            record = live.record
            if record.is_terminal or not record.invocation_active:
                raise invalid(INVALID_TOKEN)
            data = decode_checkpoint_token(checkpoint_token)
            if (
                data is None
                or data.execution_id != record.execution_id
                or data.invocation_id != record.invocation_id
                or data.sequence != record.token_sequence
            ):
                raise invalid(INVALID_TOKEN)
            position = None if not marker else decode_state_marker(marker)
            if marker and (
                position is None
                or position.execution_id != record.execution_id
                or position.sequence != record.token_sequence
            ):
                raise invalid("Invalid marker")
            if position is not None and position.delta:
                remainder = live.delta_remainder
                if remainder is None or remainder[0] != position.sequence:
                    raise invalid("Invalid marker")
                records = [
                    op for op in (live.operations.get(i) for i in remainder[1]) if op is not None
                ]
            else:
                records = visible_operations(live.operations.values())
            offset = 0 if position is None else position.offset
            page, next_offset = page_operations(records, offset, limit, self._max_page_bytes)
            if position is not None and position.delta:
                live.dirty.difference_update(op.operation_id for op in page)
            next_marker = (
                None
                if next_offset is None
                else encode_state_marker(
                    StateMarker(
                        record.execution_id,
                        record.token_sequence,
                        next_offset,
                        delta=position is not None and position.delta,
                    )
                )
            )
            return StateOutput([to_operation(op) for op in page], next_marker)

    def client(self) -> DurableServiceClient:
        """A ``DurableServiceClient`` that calls this service directly (no HTTP)."""
        return InProcessClient(self)
