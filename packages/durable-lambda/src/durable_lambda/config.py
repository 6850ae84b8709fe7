"""Operation configuration (the reference SDK's ``config`` module).

The names are those of ``durable_lambda_context._config.__all__``, the same objects.
"""

from durable_lambda_context import _config
from durable_lambda_context._config import *  # noqa: F403

__all__: list[str] = []
__all__ += _config.__all__
