"""Check that every workspace package builds, installs alone and keeps the dependency rule.

For every package under ``packages/`` (CI runs this; it takes well under a minute):

1. the imports of its source obey ARCHITECTURE.md and its pyproject declarations
   (``tools/check_dependency_rule.py``);
2. PyPA ``build`` makes its sdist and, from that sdist, its wheel (so the sdist is
   known to be complete); the sdist must hold ``pyproject.toml``, ``README.md``,
   ``LICENSE`` and ``src/<import name>/`` with ``py.typed``, and the wheel the package,
   ``py.typed`` and the licence text;
3. its wheel is installed ALONE into a fresh virtual environment with only its
   declared dependencies; workspace siblings resolve to the wheels just built (a
   constraints file pins each to its wheel file), never to an index; third-party
   dependencies come from the package index;
4. in that environment (isolated mode, so the workspace sources cannot leak in) the
   top-level module imports, every name of its ``__all__`` resolves, and every
   submodule imports; the installed workspace distributions are exactly the
   package and its declared sibling closure.

Prints one row per package (name, version, wheel size, declared dependencies, OK or
what failed) and exits non-zero on any failure.

Usage: ``uv run python tools/check_packages.py [--keep DIR] [--jobs N]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_dependency_rule import (
    KNOWN_GAPS,
    ROOT,
    Package,
    Violation,
    check_workspace,
    discover,
    normalise,
    stale_known_gaps,
)
from uv_environments import uv_command

COMMAND_TIMEOUT_S = 600

# Run inside the fresh environment with ``python -I -c``: imports the package, every
# name of its __all__ and every submodule (except those only a host program loads),
# then prints what failed as JSON.
IMPORT_PROBE = """
import importlib, json, pkgutil, sys, traceback
name, skipped = sys.argv[1], set(json.loads(sys.argv[2]))
report = {"all": 0, "missing": [], "errors": [], "location": ""}
try:
    module = importlib.import_module(name)
    report["location"] = module.__file__
    exported = getattr(module, "__all__", None)
    if exported is None:
        report["errors"].append(name + " has no __all__")
    else:
        report["all"] = len(exported)
        report["missing"] = [item for item in exported if not hasattr(module, item)]
    for info in pkgutil.walk_packages(module.__path__, name + "."):
        if info.name in skipped or info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            importlib.import_module(info.name)
        except Exception as error:
            report["errors"].append(f"{info.name}: {type(error).__name__}: {error}")
except Exception as error:
    report["errors"].append(f"{name}: {type(error).__name__}: {error}")
    report["errors"].append(traceback.format_exc(limit=3))
print(json.dumps(report))
"""


@dataclass
class Outcome:
    """What happened to one package; ``problems`` empty means OK."""

    package: Package
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sdist: Path | None = None
    wheel: Path | None = None
    wheel_bytes: int | None = None
    exported: int = 0


def _run(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, split: bool = False
) -> tuple[int, str]:
    """Run a command; return its exit code and its output (stdout only when ``split``)."""
    try:
        completed = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            env=dict(env) if env is not None else None,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 124, f"{command[0]} did not finish within {COMMAND_TIMEOUT_S} s"
    if split and completed.returncode == 0:
        return completed.returncode, completed.stdout
    return completed.returncode, completed.stdout + completed.stderr


def summarise_known_gaps(violations: Iterable[Violation]) -> list[str]:
    """One line per known gap: the module, how many imports, the first place, the fix."""
    by_module: dict[tuple[str, str], list[Violation]] = {}
    for violation in violations:
        if violation.known_gap:
            by_module.setdefault((violation.package, violation.module), []).append(violation)
    return [
        f"known gap: {module} is imported {len(found)} time(s) but not declared "
        f"(first at {found[0].location}); to fix: {KNOWN_GAPS[(package, module)]}"
        for (package, module), found in by_module.items()
    ]


def _clean_environment() -> dict[str, str]:
    """This process's environment minus what would point tools at the workspace venv."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT"}
    }
    environment["UV_PYTHON_DOWNLOADS"] = "never"
    return environment


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# Building ---------------------------------------------------------------------------


def build(outcome: Outcome, out_dir: Path) -> None:
    """Build the sdist, then the wheel from the sdist, with PyPA build."""
    package = outcome.package
    installer = ["--installer", "uv"] if shutil.which("uv") else []
    code, output = _run(
        [sys.executable, "-m", "build", *installer, "--outdir", str(out_dir), str(package.folder)],
        env=_clean_environment(),
    )
    if code != 0:
        outcome.problems.append(f"build failed (exit {code}):\n{_tail(output)}")
        return
    stem = package.distribution.replace("-", "_")
    sdists = sorted(out_dir.glob(f"{stem}-*.tar.gz"))
    wheels = sorted(out_dir.glob(f"{stem}-*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        outcome.problems.append(
            f"build produced {len(sdists)} sdist(s) and {len(wheels)} wheel(s) "
            f"named {stem}-*, expected one of each"
        )
        return
    outcome.sdist, outcome.wheel = sdists[0], wheels[0]
    outcome.wheel_bytes = wheels[0].stat().st_size


def partial_build(work_dir: Path) -> Callable[[Outcome], None]:
    """``build`` into ``<work_dir>/dist/<package folder>``."""

    def build_package(outcome: Outcome) -> None:
        build(outcome, work_dir / "dist" / outcome.package.folder.name)

    return build_package


def check_sdist(outcome: Outcome) -> None:
    """The sdist holds the pyproject, the README, the licence and the whole ``src/`` package."""
    if outcome.sdist is None:
        return
    package = outcome.package
    with tarfile.open(outcome.sdist) as archive:
        names = archive.getnames()
    prefix = names[0].split("/")[0] if names else ""
    inside = {name.removeprefix(prefix + "/") for name in names}
    expected_sources = {
        f"src/{package.import_name}/{path.relative_to(package.source).as_posix()}"
        for path in package.source.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    required = {"pyproject.toml", "README.md", "LICENSE", f"src/{package.import_name}/py.typed"}
    missing = sorted((required | expected_sources) - inside)
    if missing:
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        outcome.problems.append(f"sdist {outcome.sdist.name} lacks {shown}")


def check_wheel(outcome: Outcome) -> None:
    """The wheel holds the package's ``__init__.py``, ``py.typed`` and the licence text."""
    if outcome.wheel is None:
        return
    name = outcome.package.import_name
    with zipfile.ZipFile(outcome.wheel) as archive:
        inside = set(archive.namelist())
    missing = [path for path in (f"{name}/__init__.py", f"{name}/py.typed") if path not in inside]
    if not any(path.endswith(".dist-info/licenses/LICENSE") for path in inside):
        missing.append("*.dist-info/licenses/LICENSE")
    if missing:
        outcome.problems.append(f"wheel {outcome.wheel.name} lacks {', '.join(missing)}")


# Installing alone -------------------------------------------------------------------


def sibling_closure(package: Package, workspace: Mapping[str, Package]) -> set[str]:
    """Normalised distribution names of the package and every sibling it needs, transitively."""
    by_distribution = {normalise(other.distribution): other for other in workspace.values()}
    closure: set[str] = set()
    pending = [normalise(package.distribution)]
    while pending:
        name = pending.pop()
        if name in closure or name not in by_distribution:
            continue
        closure.add(name)
        pending.extend(by_distribution[name].dependency_names())
    return closure


def foreign_siblings(venv: Path, installed: Iterable[str], work_dir: Path) -> list[str]:
    """Workspace packages in ``venv`` that were not installed from a wheel built here.

    An installer records the source of a direct-URL install in ``direct_url.json``;
    a sibling without it, or from elsewhere, came from an index.
    """
    problems: list[str] = []
    built = work_dir.resolve().as_uri()
    for name in sorted(installed):
        stem = name.replace("-", "_")
        records = list(venv.glob(f"lib/python*/site-packages/{stem}-*.dist-info/direct_url.json"))
        source = json.loads(records[0].read_text()).get("url", "") if records else ""
        if not source.startswith(built):
            problems.append(f"{name} was installed from {source or 'an index'}, not a built wheel")
    return problems


def install_and_import(
    outcome: Outcome, workspace: Mapping[str, Package], constraints: Path, work_dir: Path
) -> None:
    """Install the wheel alone in a fresh environment and import its public API there."""
    if outcome.wheel is None:
        return
    package = outcome.package
    venv = work_dir / f"venv-{package.folder.name}"
    python = venv / "bin" / "python"
    environment = _clean_environment()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    steps = [
        [*uv_command(), "venv", "--quiet", "--python", version, str(venv)],
        [
            *uv_command(), "pip", "install", "--quiet", "--python", str(python),
            "--constraint", str(constraints), str(outcome.wheel),
        ],
    ]  # fmt: skip
    for step in steps:
        code, output = _run(step, env=environment)
        if code != 0:
            outcome.problems.append(f"{' '.join(step[1:3])} failed (exit {code}):\n{_tail(output)}")
            return

    code, output = _run(
        [*uv_command(), "pip", "list", "--format", "json", "--python", str(python)],
        env=environment,
        split=True,
    )
    if code != 0:
        outcome.problems.append(f"uv pip list failed (exit {code}):\n{_tail(output)}")
        return
    ours = {normalise(other.distribution) for other in workspace.values()}
    installed = {normalise(entry["name"]) for entry in json.loads(output)} & ours
    expected = sibling_closure(package, workspace)
    if installed != expected:
        outcome.problems.append(
            f"installed workspace packages {sorted(installed)}, expected exactly {sorted(expected)}"
        )
    outcome.problems.extend(foreign_siblings(venv, installed, work_dir))

    skipped = sorted(package.hosted_modules())
    code, output = _run(
        [str(python), "-I", "-c", IMPORT_PROBE, package.import_name, json.dumps(skipped)],
        env=environment,
        split=True,
    )
    if code != 0:
        outcome.problems.append(f"import probe crashed (exit {code}):\n{_tail(output)}")
        return
    report = json.loads(output.strip().splitlines()[-1])
    outcome.exported = int(report["all"])
    if not str(report["location"]).startswith(str(venv)):
        outcome.problems.append(
            f"{package.import_name} was imported from {report['location']}, not from the wheel"
        )
    if report["missing"]:
        outcome.problems.append(
            f"__all__ names missing from {package.import_name}: {', '.join(report['missing'])}"
        )
    outcome.problems.extend(f"import failed: {error}" for error in report["errors"])


def guarded(step: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
    """Turn an unexpected exception of ``step`` into a problem of that package."""

    def run(outcome: Outcome) -> None:
        try:
            step(outcome)
        except Exception as error:  # reported in the package's row; the others still run
            outcome.problems.append(f"{step.__name__}: {type(error).__name__}: {error}")

    return run


def partial_install(
    workspace: Mapping[str, Package], constraints: Path, work_dir: Path
) -> Callable[[Outcome], None]:
    """``install_and_import`` with the shared arguments bound."""

    def install_package(outcome: Outcome) -> None:
        install_and_import(outcome, workspace, constraints, work_dir)

    return install_package


# Reporting --------------------------------------------------------------------------


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size / 1024:.1f} KiB"


def render(outcomes: Iterable[Outcome]) -> str:
    """One row per package, then every problem and warning in full."""
    headers = ("package", "version", "wheel", "__all__", "dependencies", "result")
    rows = [
        (
            outcome.package.distribution,
            outcome.package.version,
            _size(outcome.wheel_bytes),
            str(outcome.exported),
            ", ".join(outcome.package.dependency_names()) or "(none)",
            "OK" if not outcome.problems else f"FAILED ({len(outcome.problems)})",
        )
        for outcome in outcomes
    ]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
        for line in (headers, tuple("-" * width for width in widths), *rows)
    ]
    for outcome in outcomes:
        for problem in outcome.problems:
            lines.append(f"\n{outcome.package.distribution}: {problem}")
        for warning in outcome.warnings:
            lines.append(f"{outcome.package.distribution}: warning: {warning}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=ROOT / "packages")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", type=Path, help="build and install here and keep the files")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    packages = discover(args.packages)
    workspace = {package.import_name: package for package in packages}
    outcomes = [Outcome(package) for package in packages]
    rule_results = check_workspace(packages)
    for outcome in outcomes:
        violations = rule_results[outcome.package.import_name]
        outcome.problems.extend(
            str(violation) for violation in violations if not violation.known_gap
        )
        outcome.warnings.extend(summarise_known_gaps(violations))
    stale = stale_known_gaps(rule_results)

    with tempfile.TemporaryDirectory(prefix="check-packages-") as temporary:
        work_dir = args.keep or Path(temporary)
        work_dir.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="build") as pool:
            list(
                pool.map(
                    guarded(partial_build(work_dir)),
                    outcomes,
                )
            )
        for outcome in outcomes:
            guarded(check_sdist)(outcome)
            guarded(check_wheel)(outcome)
        constraints = work_dir / "constraints.txt"
        constraints.write_text(
            "".join(
                f"{outcome.package.distribution} @ {outcome.wheel.resolve().as_uri()}\n"
                for outcome in outcomes
                if outcome.wheel is not None
            )
        )
        with ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="install") as pool:
            list(pool.map(guarded(partial_install(workspace, constraints, work_dir)), outcomes))

    sys.stdout.write(render(outcomes))
    # A stale entry means a gap was fixed: worth a note, never a failure of the fix.
    for line in stale:
        sys.stdout.write(f"note: {line}\n")
    failed = [outcome for outcome in outcomes if outcome.problems]
    verdict = "FAILED" if failed else "OK"
    sys.stdout.write(
        f"\n{verdict}: {len(outcomes) - len(failed)} of {len(outcomes)} packages passed "
        f"in {time.perf_counter() - started:.1f} s\n"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
