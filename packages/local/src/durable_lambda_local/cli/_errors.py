"""The one error the command line reports: a message for the user and an exit code."""

from __future__ import annotations


class CliError(Exception):
    """Bad input or a failed request, reported as one line on stderr and a non-zero exit.

    Args:
        message: what went wrong and, where possible, what to do instead.
        exit_code: 1 for failures, 2 for bad input the user can fix.
    """

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
