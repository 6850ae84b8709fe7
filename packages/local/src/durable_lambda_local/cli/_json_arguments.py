"""Reading JSON given on the command line, inline or as ``@path``."""

from __future__ import annotations

import json
from pathlib import Path

from durable_lambda_local.cli._errors import CliError


def read_json_argument(value: str, option: str) -> str:
    """The JSON text of ``value`` (``@file`` reads the file), checked to parse.

    Raises:
        CliError: the file cannot be read or the text is not JSON (exit code 2).
    """
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text()
        except OSError as error:
            raise CliError(
                f"{option}: cannot read {str(path)!r}: {error.strerror}", exit_code=2
            ) from None
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(f"{option} is not valid JSON: {error}", exit_code=2) from None
    return text
