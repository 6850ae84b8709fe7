"""The dependency rule of ARCHITECTURE.md, checked by reading every import with ``ast``.

Two things are checked for every module of every workspace package:

1. the architecture: which siblings and which third-party libraries a package may
   import at all (``RULES``): serdes and concurrency only the standard library,
   client only boto3/botocore and serdes, state only client and serdes, context only
   serdes/client/state/concurrency, durable_lambda only the five, local anything of
   ours plus its own declared third-party dependencies;
2. the declarations: every sibling or third-party library a package imports must be
   a dependency in its ``pyproject.toml``. Depending on the meta-package
   ``durable-lambda`` counts as declaring the five packages it composes, and a
   library that ships inside a declared one (``COMPANIONS``) counts as declared.

``tools/check_packages.py`` runs this check before building anything; it can also be
run alone: ``uv run python tools/check_dependency_rule.py [packages-folder]``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
META_PACKAGE = "durable_lambda"

FIVE = frozenset(
    {
        "durable_lambda_serdes",
        "durable_lambda_client",
        "durable_lambda_state",
        "durable_lambda_concurrency",
        "durable_lambda_context",
    }
)


@dataclass(frozen=True)
class Rule:
    """What one package may import besides the standard library and itself.

    ``third_party`` is ``None`` when the package may import any third-party library
    it declares (only ``local``); otherwise it is the complete allowed set.
    """

    siblings: frozenset[str]
    third_party: frozenset[str] | None


RULES: Mapping[str, Rule] = {
    "durable_lambda_serdes": Rule(frozenset(), frozenset()),
    "durable_lambda_concurrency": Rule(frozenset(), frozenset()),
    "durable_lambda_client": Rule(
        frozenset({"durable_lambda_serdes"}), frozenset({"boto3", "botocore"})
    ),
    "durable_lambda_state": Rule(
        frozenset({"durable_lambda_client", "durable_lambda_serdes"}), frozenset()
    ),
    "durable_lambda_context": Rule(
        frozenset(
            {
                "durable_lambda_serdes",
                "durable_lambda_client",
                "durable_lambda_state",
                "durable_lambda_concurrency",
            }
        ),
        frozenset(),
    ),
    "durable_lambda": Rule(FIVE, frozenset()),
    "durable_lambda_local": Rule(FIVE | {META_PACKAGE}, None),
}

# A library always installed with a declared one, importable without its own entry.
COMPANIONS: Mapping[str, str] = {"botocore": "boto3"}

# A module registered under one of these entry-point groups is loaded by the host
# program, which is therefore present whenever the module is imported.
ENTRY_POINT_HOSTS: Mapping[str, str] = {"pytest11": "pytest"}

# Distribution names whose import name is not the normalised distribution name.
IMPORT_NAMES: Mapping[str, str] = {"pyyaml": "yaml", "python-dateutil": "dateutil"}

# Violations that are known and owned by a package's engineer: reported as warnings
# until fixed, so the check can run in CI meanwhile. An entry that no longer matches
# anything is noted as stale (not a failure, so the owner's fix never breaks CI).
KNOWN_GAPS: Mapping[tuple[str, str], str] = {}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(distribution: str) -> str:
    """PEP 503 normalised distribution name (``Foo_Bar`` -> ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def import_name_of(distribution: str) -> str:
    """The top-level import name a third-party distribution provides (best effort)."""
    name = normalise(distribution)
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


@dataclass(frozen=True)
class Package:
    """One workspace package, read from its ``pyproject.toml`` and ``src/`` folder."""

    folder: Path
    distribution: str
    version: str
    import_name: str
    dependencies: tuple[str, ...]
    entry_points: tuple[tuple[str, str], ...] = ()

    @property
    def source(self) -> Path:
        return self.folder / "src" / self.import_name

    def module_of(self, path: Path) -> str:
        """Dotted module name of a source file of this package."""
        parts = list(path.relative_to(self.folder / "src").with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def hosted_modules(self) -> dict[str, str]:
        """Modules loaded by a host program through an entry point, with that host."""
        return {
            module: ENTRY_POINT_HOSTS[group]
            for group, module in self.entry_points
            if group in ENTRY_POINT_HOSTS
        }

    def dependency_names(self) -> list[str]:
        """Normalised distribution names of the declared dependencies."""
        names = []
        for requirement in self.dependencies:
            match = _NAME.match(requirement)
            if match:
                names.append(normalise(match.group(1)))
        return names


def read_package(folder: Path) -> Package:
    """Read one package folder.

    Raises:
        ValueError: the folder has no ``src/<import name>/__init__.py``, or more than one.
    """
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    candidates = sorted(path.parent.name for path in (folder / "src").glob("*/__init__.py"))
    if len(candidates) != 1:
        raise ValueError(
            f"{folder}/src: expected exactly one import package with an __init__.py, "
            f"found {candidates or 'none'}"
        )
    entry_points = tuple(
        (str(group), str(target).split(":")[0].strip())
        for group, targets in project.get("entry-points", {}).items()
        for target in targets.values()
    )
    return Package(
        folder=folder,
        distribution=str(project["name"]),
        version=str(project.get("version", "")),
        import_name=candidates[0],
        dependencies=tuple(project.get("dependencies", [])),
        entry_points=entry_points,
    )


def discover(packages_dir: Path) -> list[Package]:
    """Every package folder (one with a ``pyproject.toml``) under ``packages_dir``."""
    return [read_package(path.parent) for path in sorted(packages_dir.glob("*/pyproject.toml"))]


@dataclass(frozen=True)
class ImportSite:
    """One import statement: the top-level module it needs, where, and whether only for typing."""

    module: str
    dotted: str
    path: Path
    line: int
    type_only: bool


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sites: list[ImportSite] = []
        self._type_only = 0

    def _add(self, dotted: str, line: int) -> None:
        self.sites.append(
            ImportSite(dotted.split(".")[0], dotted, self.path, line, self._type_only > 0)
        )

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self._type_only += 1
            for child in node.body:
                self.visit(child)
            self._type_only -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node.module, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("name") with a literal name is an import too.
        function = node.func
        called = function.attr if isinstance(function, ast.Attribute) else None
        if isinstance(function, ast.Name):
            called = function.id
        if (
            called in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            self._add(node.args[0].value, node.lineno)
        self.generic_visit(node)


def scan_imports(source: Path) -> list[ImportSite]:
    """Every absolute import in the ``.py`` files under ``source`` (relative ones are internal).

    Raises:
        SyntaxError: a file does not parse.
    """
    sites: list[ImportSite] = []
    for path in sorted(source.rglob("*.py")):
        visitor = _ImportVisitor(path)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        sites.extend(visitor.sites)
    return sites


@dataclass(frozen=True)
class Violation:
    """An import that breaks the rule, with the place and the reason."""

    package: str
    module: str
    path: Path
    line: int
    message: str
    known_gap: bool = False

    @property
    def location(self) -> str:
        """``path:line``, relative to the workspace root when inside it."""
        path = self.path.resolve()
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        return f"{shown}:{self.line}"

    def __str__(self) -> str:
        prefix = "known gap, " if self.known_gap else ""
        return f"{self.location}: {prefix}{self.message}"


def _declared(package: Package, workspace: Mapping[str, Package]) -> tuple[set[str], set[str]]:
    """(sibling import names, third-party import names) that ``package`` declares."""
    by_distribution = {normalise(other.distribution): other for other in workspace.values()}
    siblings: set[str] = set()
    third_party: set[str] = set()
    for name in package.dependency_names():
        sibling = by_distribution.get(name)
        if sibling is None:
            third_party.add(import_name_of(name))
            continue
        siblings.add(sibling.import_name)
        if sibling.import_name == META_PACKAGE:
            siblings.update(
                by_distribution[dependency].import_name
                for dependency in sibling.dependency_names()
                if dependency in by_distribution
            )
    third_party.update(companion for companion, owner in COMPANIONS.items() if owner in third_party)
    return siblings, third_party


def check_package(
    package: Package, workspace: Mapping[str, Package], sites: Iterable[ImportSite]
) -> list[Violation]:
    """The violations of ``package`` among its import ``sites``.

    ``workspace`` maps import names to every package of the workspace (including
    ``package``). A package without an entry in ``RULES`` is itself a violation.
    """
    rule = RULES.get(package.import_name)
    if rule is None:
        return [
            Violation(
                package.import_name,
                package.import_name,
                package.folder / "pyproject.toml",
                1,
                f"no dependency rule for {package.import_name}: add it to RULES in "
                "tools/check_dependency_rule.py (and to ARCHITECTURE.md)",
            )
        ]
    declared_siblings, declared_third_party = _declared(package, workspace)
    hosted = package.hosted_modules()
    violations: list[Violation] = []
    for site in sites:
        module = site.module
        if module == package.import_name or module == "__future__":
            continue
        if hosted and hosted.get(package.module_of(site.path)) == module:
            continue
        if module in sys.stdlib_module_names:
            continue
        message: str | None = None
        if module in workspace:
            if module not in rule.siblings:
                allowed = ", ".join(sorted(rule.siblings)) or "no sibling"
                message = (
                    f"imports {site.dotted}: {package.import_name} may import {allowed} "
                    "(ARCHITECTURE.md dependency rule)"
                )
            elif module not in declared_siblings:
                message = (
                    f"imports {site.dotted}, but {package.folder.name}/pyproject.toml does not "
                    f"declare {workspace[module].distribution}"
                )
        elif rule.third_party is not None and module not in rule.third_party:
            allowed = ", ".join(sorted(rule.third_party)) or "the standard library only"
            message = (
                f"imports third-party {site.dotted}: {package.import_name} may import "
                f"{allowed} outside the workspace (ARCHITECTURE.md dependency rule)"
            )
        elif module not in declared_third_party:
            message = (
                f"imports third-party {site.dotted}, but {package.folder.name}/pyproject.toml "
                f"does not declare it"
            )
        if message is not None:
            if site.type_only:
                message += " (under TYPE_CHECKING)"
            violations.append(
                Violation(
                    package.import_name,
                    module,
                    site.path,
                    site.line,
                    message,
                    known_gap=(package.import_name, module) in KNOWN_GAPS,
                )
            )
    return violations


def check_workspace(packages: Iterable[Package]) -> dict[str, list[Violation]]:
    """Violations of every package, by import name (an empty list means clean)."""
    workspace = {package.import_name: package for package in packages}
    return {
        name: check_package(package, workspace, scan_imports(package.source))
        for name, package in workspace.items()
    }


def stale_known_gaps(results: Mapping[str, list[Violation]]) -> list[str]:
    """Entries of ``KNOWN_GAPS`` that no violation matches any more."""
    seen = {(v.package, v.module) for found in results.values() for v in found if v.known_gap}
    return [
        f"KNOWN_GAPS entry {key} no longer matches any import: remove it"
        for key in KNOWN_GAPS
        if key not in seen
    ]


def _report(results: Mapping[str, list[Violation]]) -> Iterator[str]:
    for name, violations in results.items():
        yield f"{name}: {'OK' if not violations else f'{len(violations)} finding(s)'}"
        for violation in violations:
            yield f"  {violation}"
    # A stale entry means a gap was fixed: worth a note, never a failure of the fix.
    yield from (f"note: {line}" for line in stale_known_gaps(results))


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    packages_dir = Path(arguments[0]) if arguments else ROOT / "packages"
    results = check_workspace(discover(packages_dir))
    for line in _report(results):
        print(line)
    failed = any(not v.known_gap for found in results.values() for v in found)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
