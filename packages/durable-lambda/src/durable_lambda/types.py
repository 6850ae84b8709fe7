"""Protocols and user-facing contexts (the reference SDK's ``types`` module).

The names are those of ``durable_lambda_context._types.__all__``, the same objects.
``BatchResult``, ``Callback`` and ``DurableContext`` here are the protocols; the
concrete classes are exported by ``durable_lambda`` and ``durable_lambda.context``.
"""

from durable_lambda_context import _types
from durable_lambda_context._types import *  # noqa: F403

__all__: list[str] = []
__all__ += _types.__all__
