"""Decorators that turn plain functions into step, child-context and submitter factories.

Each decorator returns a factory: calling it with the extra arguments gives
the one-argument (or two-argument) callable the operation expects, carrying
``_original_name`` so the operation is named after the decorated function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from durable_lambda_context._types import StepContext, WaitForCallbackContext

if TYPE_CHECKING:
    from durable_lambda_context._context import DurableContext

P = ParamSpec("P")
T = TypeVar("T")

ORIGINAL_NAME_ATTRIBUTE = "_original_name"


def original_name(func: object) -> str | None:
    """Return the name a decorator attached to ``func``, if any."""
    # Most step functions are plain functions or lambdas: read their attribute
    # dict directly (getattr with a default is slow when the name is absent).
    attributes = getattr(func, "__dict__", None)
    if (
        attributes is not None
        and ORIGINAL_NAME_ATTRIBUTE not in attributes
        and ORIGINAL_NAME_ATTRIBUTE not in type(func).__dict__
    ):
        return None
    name = getattr(func, ORIGINAL_NAME_ATTRIBUTE, None)
    return name if isinstance(name, str) else None


def durable_step(
    func: Callable[Concatenate[StepContext, P], T],
) -> Callable[P, Callable[[StepContext], T]]:
    """Make ``func(step_context, *args)`` usable as ``context.step(func(*args))``.

    The step is named after ``func``.

    Example:
        >>> @durable_step
        ... def add(step_context, a, b):
        ...     return a + b
        >>> add(1, 2)._original_name
        'add'
    """
    name = func.__name__

    @functools.wraps(func)
    def factory(*args: P.args, **kwargs: P.kwargs) -> Callable[[StepContext], T]:
        def step_function(step_context: StepContext) -> T:
            return func(step_context, *args, **kwargs)

        setattr(step_function, ORIGINAL_NAME_ATTRIBUTE, name)
        return step_function

    return factory


def durable_with_child_context(
    func: Callable[Concatenate[DurableContext, P], T],
) -> Callable[P, Callable[[DurableContext], T]]:
    """Make ``func(ctx, *args, **kwargs)`` usable as ``context.run_in_child_context(func(*args))``.

    The child context (or map item function) is named after ``func``.
    """
    name = func.__name__

    @functools.wraps(func)
    def factory(*args: P.args, **kwargs: P.kwargs) -> Callable[[DurableContext], T]:
        def child_function(context: DurableContext) -> T:
            return func(context, *args, **kwargs)

        setattr(child_function, ORIGINAL_NAME_ATTRIBUTE, name)
        return child_function

    return factory


def durable_wait_for_callback(
    func: Callable[Concatenate[str, WaitForCallbackContext, P], T],
) -> Callable[P, Callable[[str, WaitForCallbackContext], T]]:
    """Make ``func(callback_id, ctx, *args, **kwargs)`` a ``wait_for_callback`` submitter factory.

    Use as ``context.wait_for_callback(func(*args, **kwargs))``; the operation
    is named after ``func``.
    """
    name = func.__name__

    @functools.wraps(func)
    def factory(*args: P.args, **kwargs: P.kwargs) -> Callable[[str, WaitForCallbackContext], T]:
        def submitter(callback_id: str, context: WaitForCallbackContext) -> T:
            return func(callback_id, context, *args, **kwargs)

        setattr(submitter, ORIGINAL_NAME_ATTRIBUTE, name)
        return submitter

    return factory
