"""Write, run and test AWS Lambda durable functions in Python: one import for the whole SDK.

The root exports what a handler needs; the submodules (``durable_lambda.config``,
``.context``, ``.exceptions``, ``.execution``, ``.identifier``, ``.lambda_service``,
``.logger``, ``.retries``, ``.serdes``, ``.state``, ``.types``, ``.waits``) keep the
module paths of the reference SDK, so its handlers run after renaming the root import.

Example:
    >>> from durable_lambda import DurableContext, durable_execution, durable_step
    >>> @durable_step
    ... def greet(step_context, name):
    ...     return f"Hello {name}!"
    >>> @durable_execution
    ... def handler(event, context: DurableContext):
    ...     return context.step(greet(event.get("name", "World")))
"""

from importlib.metadata import version as _distribution_version

from durable_lambda_client import (
    CallableRuntimeError,
    CallbackError,
    DurableExecutionsError,
    ExecutionError,
    InvocationError,
    SerDesError,
    StepInterruptedError,
    ValidationError,
)
from durable_lambda_context import (
    BatchResult,
    DurableContext,
    Duration,
    StepConfig,
    StepContext,
    durable_execution,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)

__version__: str = _distribution_version("durable-lambda")
"""The version of this distribution."""

REFERENCE_API_VERSION = "1.1.0"
"""The reference SDK release whose public API this package follows."""

__all__ = [
    "REFERENCE_API_VERSION",
    "BatchResult",
    "CallableRuntimeError",
    "CallbackError",
    "Duration",
    "DurableContext",
    "DurableExecutionsError",
    "ExecutionError",
    "InvocationError",
    "SerDesError",
    "StepConfig",
    "StepContext",
    "StepInterruptedError",
    "ValidationError",
    "__version__",
    "durable_execution",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
]
