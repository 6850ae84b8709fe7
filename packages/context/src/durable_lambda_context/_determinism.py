"""Non-determinism detection: replayed code must call the operations it recorded.

On replay every operation id already holding a record is compared with what
the code asks for now (type, subtype, name, parent). A difference means the
handler changed or depends on something that is not recorded (time, random
numbers, global state); continuing would hand results to the wrong calls, so
the execution fails with a message that says where and what differs.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from durable_lambda_client import (
    NonDeterministicExecutionError,
    Operation,
    OperationSubType,
    OperationType,
)

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_STDLIB_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__))
    for module in (threading, os)
    if module.__file__ is not None
)


def _internal_dirs() -> tuple[str, ...]:
    dirs = [_PACKAGE_DIR]
    for name in ("durable_lambda_concurrency", "durable_lambda_state"):
        module = sys.modules.get(name)
        module_file = getattr(module, "__file__", None)
        if module_file:
            dirs.append(os.path.dirname(os.path.abspath(module_file)))
    return tuple(dirs)


def _is_internal(filename: str, internal: tuple[str, ...]) -> bool:
    path = os.path.abspath(filename)
    if path.startswith(internal):
        return True
    # concurrent.futures and threading frames sit between a map branch and
    # the user's item function.
    return path.startswith(_STDLIB_DIRS) and (
        os.sep + "concurrent" + os.sep in path or path.endswith(os.sep + "threading.py")
    )


def user_call_site() -> str:
    """Return ``file:line`` of the innermost frame outside the SDK (the user's call)."""
    internal = _internal_dirs()
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if not _is_internal(frame.f_code.co_filename, internal):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def definition_site(func: Callable[..., Any]) -> str:
    """Return ``file:line`` where ``func`` (or what it wraps) is defined."""
    target: Any = func
    while hasattr(target, "__wrapped__"):
        target = target.__wrapped__
    code = getattr(target, "__code__", None)
    if code is None:
        return "<unknown>"
    return f"{code.co_filename}:{code.co_firstlineno}"


@dataclass(frozen=True)
class Expected:
    """What the code asks for now at one operation id."""

    operation_type: OperationType
    sub_type: OperationSubType | None
    name: str | None
    parent_id: str | None


def describe(
    operation_type: OperationType, sub_type: OperationSubType | None, name: str | None
) -> str:
    """Human-readable ``TYPE/SubType 'name'`` of an operation."""
    kind = operation_type.value if sub_type is None else f"{operation_type.value}/{sub_type.value}"
    return f"{kind} {name!r}" if name is not None else f"{kind} (unnamed)"


def differences(recorded: Operation, expected: Expected) -> list[str]:
    """The fields in which ``recorded`` differs from ``expected`` (empty when they agree).

    A record without a subtype (older services) is not compared on subtype.
    """
    found: list[str] = []
    if recorded.operation_type is not expected.operation_type:
        found.append("type")
    if recorded.sub_type is not None and recorded.sub_type is not expected.sub_type:
        found.append("subtype")
    if recorded.name != expected.name:
        found.append("name")
    if recorded.parent_id != expected.parent_id:
        found.append("parent")
    return found


def mismatch_error(
    *,
    path: str,
    position: int,
    recorded: Operation,
    expected: Expected,
    fields: list[str],
) -> NonDeterministicExecutionError:
    """Build the error for a replayed operation that no longer matches its record."""
    recorded_text = describe(recorded.operation_type, recorded.sub_type, recorded.name)
    now_text = describe(expected.operation_type, expected.sub_type, expected.name)
    parent_note = ""
    if "parent" in fields:
        parent_note = f" (recorded parent {recorded.parent_id!r}, now {expected.parent_id!r})"
    message = (
        f"Non-deterministic execution at {path}: operation {position} of its context "
        f"(id {recorded.operation_id}) was recorded as {recorded_text} but the code now "
        f"calls {now_text}{parent_note}; differs in {', '.join(fields)}; "
        f"called at {user_call_site()}. Replayed code must call the same operations in "
        "the same order: keep time, randomness and external reads inside steps."
    )
    return NonDeterministicExecutionError(message, step_id=recorded.operation_id)


def removed_error(
    *, path: str, position: int, recorded: Operation, returned_from: str
) -> NonDeterministicExecutionError:
    """Build the error for a recorded operation that the code no longer reaches."""
    recorded_text = describe(recorded.operation_type, recorded.sub_type, recorded.name)
    message = (
        f"Non-deterministic execution at {path}: operation {position} of its context "
        f"(id {recorded.operation_id}) was recorded as {recorded_text} but the code now "
        f"returns without calling it; returned from {returned_from}. Replayed code must "
        "call the same operations in the same order."
    )
    return NonDeterministicExecutionError(message, step_id=recorded.operation_id)
