"""Every exception this package raises, and the hook that chooses the config error type.

Two of them derive from ``BaseException`` on purpose: ``ItemCancelled`` and
``SuspendItem`` are control flow, and an item's own ``except Exception:`` must
not swallow them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from durable_lambda_concurrency._error_record import ErrorRecord

__all__ = [
    "BatchFormatError",
    "BatchItemError",
    "ConcurrencyConfigError",
    "ConcurrencyError",
    "ItemCancelled",
    "SuspendItem",
    "config_error",
    "register_config_error",
]


class ConcurrencyError(Exception):
    """Root of the ordinary (``Exception``) errors of this package."""


class ConcurrencyConfigError(ConcurrencyError, ValueError):
    """A completion policy or executor setting is out of range.

    Raised by ``CompletionConfig(...)`` and ``BatchExecutor(...)`` unless
    another error type was registered with :func:`register_config_error`.
    """


class BatchFormatError(ConcurrencyError, ValueError):
    """A dict given to ``BatchItem.from_dict``/``BatchResult.from_dict`` has the wrong shape."""


class BatchItemError(ConcurrencyError):
    """The default exception ``BatchResult.throw_if_error`` raises for a failed item.

    It carries the four fields of the item's error record, so nothing is lost
    when the record came from another process.

    Attributes:
        message: the failure message (``str(e)`` is this, or ``"None"``).
        error_type: name of the exception class that failed the item.
        data: extra data attached to the failure, if any.
        stack_trace: the stack trace lines attached to the failure, if any.
    """

    def __init__(
        self,
        message: str | None,
        error_type: str | None = None,
        data: str | None = None,
        stack_trace: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data
        self.stack_trace = list(stack_trace) if stack_trace is not None else None

    def __str__(self) -> str:
        return str(self.message)

    @classmethod
    def from_record(cls, record: ErrorRecord) -> BatchItemError:
        """Build the exception from any error record (see ``ErrorRecord``)."""
        return cls(record.message, record.type, record.data, record.stack_trace)


class ItemCancelled(BaseException):
    """The batch no longer needs this item: it was decided, or it failed.

    ``ItemContext.check()`` and ``ItemContext.writing()`` raise it once the
    batch is closed. It is a ``BaseException`` so that an item's
    ``except Exception:`` does not swallow it; an item that lets it escape is
    reported as cancelled, never as failed.
    """


class SuspendItem(BaseException):
    """Raised by an item to stop now and be run again later.

    Args:
        resume_at: when the item can run again, in epoch seconds; ``None``
            means "not before something outside the batch happens".

    While other items still run, an item whose ``resume_at`` has come is
    started again from the beginning. When nothing can run any more, the
    executor returns ``BatchSuspended`` with the earliest ``resume_at``.
    """

    def __init__(self, resume_at: float | None = None) -> None:
        super().__init__(resume_at)
        self.resume_at = resume_at


def _default_config_error(message: str) -> Exception:
    return ConcurrencyConfigError(message)


_config_error_factory: Callable[[str], Exception] = _default_config_error


def register_config_error(factory: Callable[[str], Exception] | None) -> None:
    """Choose the exception raised for an invalid ``CompletionConfig`` or executor setting.

    A package that re-exports ``CompletionConfig`` under its own API calls this
    once at import time, so that ``CompletionConfig(min_successful=0)`` raises
    that API's validation error (the durable context registers its
    ``ValidationError``). The message is always the same text.

    Args:
        factory: builds the exception from the message; ``None`` restores the
            default, :class:`ConcurrencyConfigError`.
    """
    global _config_error_factory
    _config_error_factory = factory if factory is not None else _default_config_error


def config_error(message: str) -> Exception:
    """The exception to raise for an invalid setting, built by the registered factory."""
    return _config_error_factory(message)
