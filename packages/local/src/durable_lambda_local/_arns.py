"""Lambda function names, qualifiers and durable-execution ARNs (protocol.md §6, §8).

The patterns are the ones botocore's Lambda model declares; a test checks them against
the model so they cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "EXECUTION_ARN_PATTERN",
    "EXECUTION_NAME_PATTERN",
    "FUNCTION_NAME_PATTERN",
    "ExecutionArn",
    "FunctionReference",
    "executed_version",
    "function_arn",
    "parse_execution_arn",
    "parse_function_name",
]

EXECUTION_ARN_PATTERN = (
    r"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+):"
    r"(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"
)
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
EXECUTION_NAME_PATTERN = r"[a-zA-Z0-9-_]+"

_EXECUTION_ARN = re.compile(EXECUTION_ARN_PATTERN)
_FUNCTION_NAME = re.compile(FUNCTION_NAME_PATTERN)
_NUMERIC_VERSION = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class ExecutionArn:
    """The parts of a durable-execution ARN."""

    partition: str
    region: str
    account: str
    function_name: str
    version: str
    execution_name: str
    execution_id: str

    def __str__(self) -> str:
        return (
            f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:"
            f"{self.function_name}:{self.version}/durable-execution/"
            f"{self.execution_name}/{self.execution_id}"
        )


@dataclass(frozen=True, slots=True)
class FunctionReference:
    """A parsed ``FunctionName``: bare name, ``name:qualifier``, partial or full ARN."""

    name: str
    qualifier: str | None = None
    region: str | None = None
    account: str | None = None


def parse_execution_arn(arn: str) -> ExecutionArn | None:
    """Return the parts of ``arn``, or None when it is not a durable-execution ARN."""
    match = _EXECUTION_ARN.fullmatch(arn)
    if match is None:
        return None
    return ExecutionArn(*match.groups())


def parse_function_name(value: str) -> FunctionReference | None:
    """Parse any accepted ``FunctionName`` form; None when it matches none of them."""
    if not value or len(value) > 256:
        return None
    match = _FUNCTION_NAME.fullmatch(value)
    if match is None:
        return None
    region = match.group(3)
    account = match.group(9)
    return FunctionReference(
        name=match.group(11),
        qualifier=match.group(13),
        region=region[:-1] if region else None,
        account=account[:-1] if account else None,
    )


def executed_version(qualifier: str | None) -> str:
    """The version an invocation runs for ``qualifier``: numbers and ``$LATEST.PUBLISHED``
    as given, everything else (none, ``$LATEST``, an alias) ``$LATEST``."""
    if qualifier is None:
        return "$LATEST"
    if qualifier == "$LATEST.PUBLISHED" or _NUMERIC_VERSION.fullmatch(qualifier):
        return qualifier
    return "$LATEST"


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    """Build a function ARN, qualified when ``qualifier`` is given."""
    base = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return base if qualifier is None else f"{base}:{qualifier}"
