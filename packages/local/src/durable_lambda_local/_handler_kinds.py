"""Telling durable handlers apart: ours, the reference SDK's, or not durable at all.

A ``@durable_execution`` wrapper is recognised by where its code lives: the function
the decorator defines inside ``durable_execution``, in an SDK's package (or by a
``__durable_execution__`` marker a wrapper may set). The package alone is not enough:
``@durable_step`` and the other decorators of the same package return functions that
are not handlers. The difference matters when a
handler is hosted: ours accepts the invocation input with a ready client, while the
reference SDK's expects Lambda's JSON event and builds its own boto3 client.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["is_durable_handler", "takes_client_input"]

_OWN_SDK_PACKAGE = "durable_lambda_context"
_REFERENCE_SDK_PACKAGE = "aws_durable_execution_sdk_python"


_WRAPPER_QUALNAME_PREFIX = "durable_execution."


def _defining_packages(handler: object) -> tuple[str, ...]:
    """The path parts of the file defining ``handler``'s code, when the code is the
    wrapper ``durable_execution`` builds; empty for any other callable."""
    code = getattr(handler, "__code__", None)
    if not str(getattr(code, "co_qualname", "")).startswith(_WRAPPER_QUALNAME_PREFIX):
        return ()
    return Path(str(getattr(code, "co_filename", ""))).parts


def takes_client_input(handler: object) -> bool:
    """Whether ``handler`` is this project's ``@durable_execution`` wrapper, which accepts
    a ``DurableExecutionInvocationInputWithClient`` in place of the JSON event (another
    SDK's wrapper would reject that object as an unexpected payload)."""
    if getattr(handler, "__durable_execution__", False):
        return True
    return _OWN_SDK_PACKAGE in _defining_packages(handler)


def is_durable_handler(handler: object) -> bool:
    """Whether ``handler`` is the wrapper a durable SDK's ``@durable_execution`` returns:
    ours, or the reference SDK's (its handlers run unchanged once the Lambda endpoint
    points at the local service)."""
    return takes_client_input(handler) or _REFERENCE_SDK_PACKAGE in _defining_packages(handler)
