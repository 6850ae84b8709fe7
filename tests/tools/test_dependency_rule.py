"""The import scanner of tools/check_dependency_rule.py, on fixture workspaces that break it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import check_dependency_rule as rule
import pytest

ROOT = Path(__file__).resolve().parents[2]

MakePackage = Callable[..., Path]


@pytest.fixture
def make_package(tmp_path: Path) -> MakePackage:
    """Write ``packages/<folder>`` with a pyproject and the given module sources."""

    def make(
        folder: str,
        import_name: str,
        dependencies: list[str],
        modules: Mapping[str, str],
        entry_points: str = "",
    ) -> Path:
        root = tmp_path / "packages" / folder
        source = root / "src" / import_name
        source.mkdir(parents=True)
        listed = ", ".join(f'"{dependency}"' for dependency in dependencies)
        (root / "pyproject.toml").write_text(
            f'[project]\nname = "{folder}"\nversion = "0.1.0"\ndependencies = [{listed}]\n'
            + entry_points
        )
        (source / "__init__.py").write_text("")
        for name, text in modules.items():
            path = source / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root

    return make


def findings(tmp_path: Path) -> dict[str, list[str]]:
    results = rule.check_workspace(rule.discover(tmp_path / "packages"))
    return {name: [v.message for v in found] for name, found in results.items()}


def test_a_clean_workspace_has_no_findings(make_package: MakePackage, tmp_path: Path) -> None:
    make_package("durable-lambda-serdes", "durable_lambda_serdes", [], {"_json.py": "import json"})
    make_package(
        "durable-lambda-client",
        "durable_lambda_client",
        ["durable-lambda-serdes>=0.1", "boto3>=1.42"],
        {
            "_client.py": """
                from __future__ import annotations
                import boto3
                from botocore.config import Config
                from durable_lambda_serdes import SerDesError
                from . import _models
                from ._models import Thing
            """,
            "_models.py": "Thing = 1",
        },
    )

    assert findings(tmp_path) == {"durable_lambda_serdes": [], "durable_lambda_client": []}


def test_serdes_importing_a_third_party_library_breaks_the_rule(
    make_package: MakePackage, tmp_path: Path
) -> None:
    make_package(
        "durable-lambda-serdes",
        "durable_lambda_serdes",
        ["boto3"],
        {"_codec.py": "def f():\n    import boto3.session\n"},
    )

    [violation] = rule.check_workspace(rule.discover(tmp_path / "packages"))[
        "durable_lambda_serdes"
    ]

    assert violation.module == "boto3"
    assert violation.line == 2
    assert violation.path.name == "_codec.py"
    assert violation.message == (
        "imports third-party boto3.session: durable_lambda_serdes may import the standard "
        "library only outside the workspace (ARCHITECTURE.md dependency rule)"
    )


def test_an_arrow_pointing_left_breaks_the_rule(make_package: MakePackage, tmp_path: Path) -> None:
    make_package("durable-lambda-serdes", "durable_lambda_serdes", [], {})
    make_package("durable-lambda-client", "durable_lambda_client", [], {})
    make_package("durable-lambda-context", "durable_lambda_context", ["durable-lambda-state"], {})
    make_package(
        "durable-lambda-state",
        "durable_lambda_state",
        ["durable-lambda-client", "durable-lambda-context"],
        {"_state.py": "from durable_lambda_context import DurableContext\n"},
    )

    assert findings(tmp_path)["durable_lambda_state"] == [
        "imports durable_lambda_context: durable_lambda_state may import durable_lambda_client, "
        "durable_lambda_serdes (ARCHITECTURE.md dependency rule)"
    ]


def test_an_allowed_sibling_must_still_be_declared(
    make_package: MakePackage, tmp_path: Path
) -> None:
    make_package("durable-lambda-serdes", "durable_lambda_serdes", [], {})
    make_package("durable-lambda-client", "durable_lambda_client", ["durable-lambda-serdes"], {})
    make_package(
        "durable-lambda-state",
        "durable_lambda_state",
        ["durable-lambda-client"],
        {"_state.py": "import durable_lambda_serdes\nimport durable_lambda_client\n"},
    )

    assert findings(tmp_path)["durable_lambda_state"] == [
        "imports durable_lambda_serdes, but durable-lambda-state/pyproject.toml does not "
        "declare durable-lambda-serdes"
    ]


def test_botocore_comes_with_a_declared_boto3_only(
    make_package: MakePackage, tmp_path: Path
) -> None:
    make_package("durable-lambda-serdes", "durable_lambda_serdes", [], {})
    make_package(
        "durable-lambda-client",
        "durable_lambda_client",
        ["durable-lambda-serdes"],
        {"_client.py": "import botocore\n"},
    )

    assert findings(tmp_path)["durable_lambda_client"] == [
        "imports third-party botocore, but durable-lambda-client/pyproject.toml does not declare it"
    ]


def test_type_checking_and_dynamic_imports_count(make_package: MakePackage, tmp_path: Path) -> None:
    make_package(
        "durable-lambda-concurrency",
        "durable_lambda_concurrency",
        [],
        {
            "_executor.py": """
                import importlib
                import typing
                if typing.TYPE_CHECKING:
                    import numpy
                else:
                    import os
                plugin = importlib.import_module("rich.console")
                relative = importlib.import_module(".sibling", __package__)
            """
        },
    )

    assert findings(tmp_path)["durable_lambda_concurrency"] == [
        "imports third-party numpy: durable_lambda_concurrency may import the standard library "
        "only outside the workspace (ARCHITECTURE.md dependency rule) (under TYPE_CHECKING)",
        "imports third-party rich.console: durable_lambda_concurrency may import the standard "
        "library only outside the workspace (ARCHITECTURE.md dependency rule)",
    ]


def test_local_may_use_the_five_through_the_meta_package_and_its_declared_libraries(
    make_package: MakePackage, tmp_path: Path
) -> None:
    five = ["serdes", "client", "state", "concurrency", "context"]
    for name in five:
        make_package(f"durable-lambda-{name}", f"durable_lambda_{name}", [], {})
    make_package(
        "durable-lambda", "durable_lambda", [f"durable-lambda-{name}" for name in five], {}
    )
    make_package(
        "durable-lambda-local",
        "durable_lambda_local",
        ["durable-lambda", "starlette>=0.40"],
        {
            "_app.py": """
                import starlette.routing
                import anyio
                from durable_lambda_state import X
            """,
            "pytest_plugin.py": "import pytest\n",
            "_runner.py": "import pytest\n",
        },
        entry_points=(
            '[project.entry-points.pytest11]\nlocal = "durable_lambda_local.pytest_plugin"\n'
        ),
    )

    assert findings(tmp_path)["durable_lambda_local"] == [
        "imports third-party anyio, but durable-lambda-local/pyproject.toml does not declare it",
        "imports third-party pytest, but durable-lambda-local/pyproject.toml does not declare it",
    ]


def test_a_package_without_a_rule_is_reported(make_package: MakePackage, tmp_path: Path) -> None:
    make_package("durable-lambda-extra", "durable_lambda_extra", [], {})

    assert findings(tmp_path) == {
        "durable_lambda_extra": [
            "no dependency rule for durable_lambda_extra: add it to RULES in "
            "tools/check_dependency_rule.py (and to ARCHITECTURE.md)"
        ]
    }


def test_known_gaps_are_warnings_until_fixed_then_stale(
    make_package: MakePackage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        rule,
        "KNOWN_GAPS",
        {
            ("durable_lambda_serdes", "yaml"): "drop yaml",
            ("durable_lambda_serdes", "attrs"): "already fixed",
        },
    )
    make_package("durable-lambda-serdes", "durable_lambda_serdes", [], {"_y.py": "import yaml\n"})

    results = rule.check_workspace(rule.discover(tmp_path / "packages"))

    assert [v.known_gap for v in results["durable_lambda_serdes"]] == [True]
    assert rule.stale_known_gaps(results) == [
        "KNOWN_GAPS entry ('durable_lambda_serdes', 'attrs') no longer matches any import: "
        "remove it"
    ]


def test_main_fails_on_a_workspace_that_breaks_the_rule(
    make_package: MakePackage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_package(
        "durable-lambda-serdes", "durable_lambda_serdes", [], {"_x.py": "import requests\n"}
    )

    code = rule.main([str(tmp_path / "packages")])

    output = capsys.readouterr().out
    assert code == 1
    assert "durable_lambda_serdes: 1 finding(s)" in output
    assert "_x.py:1: imports third-party requests" in output


def test_a_package_folder_needs_exactly_one_import_package(tmp_path: Path) -> None:
    folder = tmp_path / "packages" / "broken"
    (folder / "src").mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "broken"\n')

    with pytest.raises(ValueError, match=r"broken/src: expected exactly one import package"):
        rule.read_package(folder)


def test_the_workspace_itself_keeps_the_rule() -> None:
    results = rule.check_workspace(rule.discover(ROOT / "packages"))

    unexpected = {
        name: [str(v) for v in found if not v.known_gap] for name, found in results.items()
    }
    assert unexpected == {name: [] for name in results}
