"""The exception hierarchy (the reference SDK's ``exceptions`` module).

The names are those of ``durable_lambda_client._exceptions.__all__``, the same objects.
"""

from durable_lambda_client import _exceptions
from durable_lambda_client._exceptions import *  # noqa: F403

__all__: list[str] = []
__all__ += _exceptions.__all__
