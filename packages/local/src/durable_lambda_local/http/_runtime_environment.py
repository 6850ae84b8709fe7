"""The process environment a hosted function's SDK reads to find the Lambda API.

In Lambda, an SDK that builds its own boto3 client (``boto3.client("lambda")``, as the
reference SDK does) finds the region and credentials in the environment the runtime
sets up, and reaches Lambda's regional endpoint. A local server hosting such a handler
plays the runtime's part: while it runs, boto3's standard ``AWS_ENDPOINT_URL_LAMBDA``
points at the server, and a region and placeholder credentials are provided when the
process has none, so the handler's SDK checkpoints to the server without any change.

The environment belongs to the whole process: one server at a time can export it (the
last one started wins, which is what ``durable-lambda serve`` needs; each server's
previous values come back when it closes).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ExportedEnvironment", "runtime_variables"]

_lock = threading.Lock()

PLACEHOLDER_CREDENTIAL = "local"
"""Access key and secret given to boto3 when the process has no credentials: the local
server does not check signatures, but boto3 refuses to sign without credentials."""


def _has_configured_credentials(environ: Mapping[str, str]) -> bool:
    if environ.get("AWS_ACCESS_KEY_ID") or environ.get("AWS_PROFILE"):
        return True
    shared = (
        environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        environ.get("AWS_CONFIG_FILE", "~/.aws/config"),
    )
    return any(Path(path).expanduser().is_file() for path in shared)


def runtime_variables(url: str, region: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to set so that ``boto3.client("lambda")`` reaches ``url``.

    The endpoint always points at the server (a handler it hosts must checkpoint there);
    the region and credentials are only filled in when ``environ`` has none, so real
    credentials the handler uses for other services keep working.

    Args:
        url: the server's base URL.
        region: the server's region (its ARNs' region).
        environ: the current environment.
    """
    variables = {"AWS_ENDPOINT_URL_LAMBDA": url}
    if not (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")):
        variables["AWS_REGION"] = region
        variables["AWS_DEFAULT_REGION"] = region
    if not _has_configured_credentials(environ):
        variables["AWS_ACCESS_KEY_ID"] = PLACEHOLDER_CREDENTIAL
        variables["AWS_SECRET_ACCESS_KEY"] = PLACEHOLDER_CREDENTIAL
    return variables


class ExportedEnvironment:
    """Sets :func:`runtime_variables` in ``os.environ`` until :meth:`restore`.

    Restoring puts back each variable's previous value (or removes it), unless something
    else has changed the variable since: that change is left alone.
    """

    def __init__(self, url: str, region: str) -> None:
        with _lock:
            self._set = runtime_variables(url, region, os.environ)
            self._previous = {name: os.environ.get(name) for name in self._set}
            os.environ.update(self._set)

    def restore(self) -> None:
        """Undo the export (a second call does nothing)."""
        with _lock:
            for name, value in self._set.items():
                if os.environ.get(name) != value:
                    continue
                previous = self._previous[name]
                if previous is None:
                    del os.environ[name]
                else:
                    os.environ[name] = previous
            self._set = {}
