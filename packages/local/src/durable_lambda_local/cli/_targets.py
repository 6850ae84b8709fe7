"""Loading a handler from ``module:attribute`` or ``path/to/file.py:attribute``."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from durable_lambda_local._handler_kinds import is_durable_handler
from durable_lambda_local.cli._errors import CliError

Handler = Callable[[Any, Any], Any]

_THIS_FILE = Path(__file__).resolve()


def load_target(target: str, *, durable: bool = True) -> Handler:
    """The handler named by ``target``.

    Args:
        target: ``package.module:handler`` (importable from the current directory or the
            environment) or ``path/to/file.py:handler``.
        durable: require a ``@durable_execution`` handler (False: any callable, for plain
            functions that durable ones invoke).

    Raises:
        CliError: the target is malformed, cannot be imported, has no such attribute, or
            the attribute is not a function decorated with ``@durable_execution``.
    """
    module_part, separator, attribute = target.rpartition(":")
    if not separator or not module_part or not attribute:
        raise CliError(
            f"target {target!r} must be 'module:handler' or 'path/to/file.py:handler'",
            exit_code=2,
        )
    module = _load_module(module_part, target)
    handler = module
    for part in attribute.split("."):
        if not hasattr(handler, part):
            raise CliError(
                f"target {target!r}: {module_part!r} has no attribute {part!r}", exit_code=2
            )
        handler = getattr(handler, part)
    if not callable(handler):
        raise CliError(f"target {target!r} is not callable", exit_code=2)
    if durable and not is_durable_handler(handler):
        raise CliError(
            f"target {target!r} is not decorated with @durable_execution; durable functions "
            "are written as '@durable_execution\\ndef handler(event, context): ...'",
            exit_code=2,
        )
    loaded: Handler = handler
    return loaded


def function_name_for(target: str) -> str:
    """A function name for ``target`` when none is given: its module's name
    (``docs/examples/order_workflow.py:handler`` -> ``order_workflow``)."""
    module_part = target.rpartition(":")[0] or target
    stem = Path(module_part).stem if module_part.endswith(".py") else module_part.split(".")[-1]
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)
    return name[:64] or "function"


def _load_module(module_part: str, target: str) -> Any:
    if module_part.endswith(".py") or "/" in module_part or "\\" in module_part:
        return _load_file(Path(module_part), target)
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(module_part)
    except ModuleNotFoundError as error:
        if error.name and module_part.startswith(error.name):
            raise CliError(
                f"target {target!r}: no module named {module_part!r}", exit_code=2
            ) from None
        raise CliError(f"target {target!r} failed to import: {error}{_raised_at(error)}") from None
    except Exception as error:
        raise CliError(
            f"target {target!r} failed to import: {type(error).__name__}: {error}"
            f"{_raised_at(error)}"
        ) from None


def _load_file(path: Path, target: str) -> Any:
    if not path.is_file():
        raise CliError(f"target {target!r}: file {str(path)!r} does not exist", exit_code=2)
    resolved = path.resolve()
    name = f"durable_lambda_target_{resolved.stem}_{abs(hash(str(resolved))):x}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise CliError(f"target {target!r}: {str(path)!r} is not a Python file", exit_code=2)
    module = importlib.util.module_from_spec(spec)
    # Sibling modules of the file import as they would when running it as a script.
    directory = str(resolved.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise CliError(
            f"target {target!r} failed to import: {type(error).__name__}: {error}"
            f"{_raised_at(error)}{_relative_import_hint(error, path, target)}"
        ) from None
    return module


def _raised_at(error: BaseException) -> str:
    """`` (at file.py:LINE)``: the line of the user's code that raised ``error`` while
    the module ran, the one fact the one-line message would otherwise lose; empty when
    only the import machinery is on the traceback (a syntax error names its own line)."""
    if isinstance(error, SyntaxError):
        return ""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<frozen")
        and "importlib" not in Path(frame.filename).parts
        and Path(frame.filename).resolve() != _THIS_FILE
    ]
    if not frames:
        return ""
    raised = Path(frames[-1].filename)
    with contextlib.suppress(ValueError):
        raised = raised.resolve().relative_to(Path.cwd())
    return f" (at {raised}:{frames[-1].lineno})"


def _relative_import_hint(error: Exception, path: Path, target: str) -> str:
    """For a file of a package that imports its siblings relatively (``from .prices
    import ...``), the module form of the target, which imports it as part of its
    package; empty for any other failure."""
    if not isinstance(error, ImportError) or "relative import" not in str(error):
        return ""
    resolved = path.resolve()
    parts = [resolved.stem]
    folder = resolved.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if len(parts) == 1:
        return ""
    module = f"{'.'.join(parts)}:{target.rpartition(':')[2]}"
    where = "" if folder == Path.cwd() else f"from {folder}, "
    return f"; {where}name a module of a package by its module path: {module!r}"
