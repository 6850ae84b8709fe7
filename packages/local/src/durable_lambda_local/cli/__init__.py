"""The ``durable-lambda`` command line (``python -m durable_lambda_local.cli``).

Commands: ``run`` (execute a handler and show its operations), ``serve`` (the HTTP API
with registered functions), ``invoke``, ``executions list|get|history|stop`` and
``callback succeed|fail|heartbeat``; ``--json`` on every command prints JSON for scripts.
"""

from durable_lambda_local._handler_kinds import is_durable_handler
from durable_lambda_local.cli._commands import cli, main, run_main
from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._targets import load_target

__all__ = ["CliError", "cli", "is_durable_handler", "load_target", "main", "run_main"]
