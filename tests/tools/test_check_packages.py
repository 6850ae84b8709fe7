"""The artefact checks of tools/check_packages.py on hand-made sdists and wheels.

Building and installing the real packages is what CI does with the tool itself;
these tests pin down what each check reports.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import check_packages as tool
from check_dependency_rule import Package


def package_in(tmp_path: Path, name: str = "durable_lambda_demo") -> Package:
    folder = tmp_path / "demo"
    source = folder / "src" / name
    (source / "sub").mkdir(parents=True)
    for relative in ("__init__.py", "py.typed", "_core.py", "sub/__init__.py"):
        (source / relative).write_text("")
    return Package(folder, "durable-lambda-demo", "0.1.0", name, ("boto3>=1",))


def write_sdist(path: Path, members: list[str]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for member in members:
            info = tarfile.TarInfo(f"durable_lambda_demo-0.1.0/{member}")
            archive.addfile(info, io.BytesIO(b""))
    return path


def test_a_complete_sdist_passes(tmp_path: Path) -> None:
    outcome = tool.Outcome(package_in(tmp_path))
    outcome.sdist = write_sdist(
        tmp_path / "demo.tar.gz",
        [
            "pyproject.toml",
            "README.md",
            "LICENSE",
            "PKG-INFO",
            "src/durable_lambda_demo/__init__.py",
            "src/durable_lambda_demo/py.typed",
            "src/durable_lambda_demo/_core.py",
            "src/durable_lambda_demo/sub/__init__.py",
        ],
    )

    tool.check_sdist(outcome)

    assert outcome.problems == []


def test_an_sdist_without_readme_licence_or_a_module_is_reported(tmp_path: Path) -> None:
    outcome = tool.Outcome(package_in(tmp_path))
    outcome.sdist = write_sdist(
        tmp_path / "demo.tar.gz",
        [
            "pyproject.toml",
            "src/durable_lambda_demo/__init__.py",
            "src/durable_lambda_demo/py.typed",
        ],
    )

    tool.check_sdist(outcome)

    assert outcome.problems == [
        "sdist demo.tar.gz lacks LICENSE, README.md, src/durable_lambda_demo/_core.py, "
        "src/durable_lambda_demo/sub/__init__.py"
    ]


def test_a_wheel_without_py_typed_or_licence_is_reported(tmp_path: Path) -> None:
    outcome = tool.Outcome(package_in(tmp_path))
    outcome.wheel = tmp_path / "durable_lambda_demo-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(outcome.wheel, "w") as archive:
        archive.writestr("durable_lambda_demo/__init__.py", "")

    tool.check_wheel(outcome)

    assert outcome.problems == [
        "wheel durable_lambda_demo-0.1.0-py3-none-any.whl lacks durable_lambda_demo/py.typed, "
        "*.dist-info/licenses/LICENSE"
    ]


def test_a_complete_wheel_passes(tmp_path: Path) -> None:
    outcome = tool.Outcome(package_in(tmp_path))
    outcome.wheel = tmp_path / "durable_lambda_demo-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(outcome.wheel, "w") as archive:
        archive.writestr("durable_lambda_demo/__init__.py", "")
        archive.writestr("durable_lambda_demo/py.typed", "")
        archive.writestr("durable_lambda_demo-0.1.0.dist-info/licenses/LICENSE", "")

    tool.check_wheel(outcome)

    assert outcome.problems == []


def test_the_sibling_closure_follows_declared_workspace_dependencies_only(tmp_path: Path) -> None:
    def package(name: str, *dependencies: str) -> Package:
        return Package(tmp_path / name, name, "0.1.0", name.replace("-", "_"), dependencies)

    workspace = {
        item.import_name: item
        for item in (
            package("durable-lambda-serdes"),
            package("durable-lambda-client", "durable-lambda-serdes>=0.1", "boto3>=1.42"),
            package("durable-lambda-state", "durable_lambda_client"),
            package("durable-lambda-concurrency"),
        )
    }

    assert tool.sibling_closure(workspace["durable_lambda_state"], workspace) == {
        "durable-lambda-state",
        "durable-lambda-client",
        "durable-lambda-serdes",
    }


def test_an_unexpected_error_in_a_step_becomes_a_problem_of_that_package(tmp_path: Path) -> None:
    outcome = tool.Outcome(package_in(tmp_path))

    def exploding(_outcome: tool.Outcome) -> None:
        raise OSError("disk full")

    tool.guarded(exploding)(outcome)

    assert outcome.problems == ["exploding: OSError: disk full"]


def test_the_report_has_one_row_per_package_and_the_problems_in_full(tmp_path: Path) -> None:
    good = tool.Outcome(package_in(tmp_path), wheel_bytes=2048, exported=3)
    bad = tool.Outcome(
        Package(tmp_path / "x", "durable-lambda-x", "0.2.0", "durable_lambda_x", ()),
        problems=["import failed: durable_lambda_x: ModuleNotFoundError: No module named 'rich'"],
    )

    text = tool.render([good, bad])

    lines = text.splitlines()
    assert lines[0].split() == ["package", "version", "wheel", "__all__", "dependencies", "result"]
    assert lines[2].split() == ["durable-lambda-demo", "0.1.0", "2.0", "KiB", "3", "boto3", "OK"]
    assert lines[3].split() == ["durable-lambda-x", "0.2.0", "-", "0", "(none)", "FAILED", "(1)"]
    assert "durable-lambda-x: import failed: durable_lambda_x: ModuleNotFoundError" in text


def test_siblings_not_installed_from_a_built_wheel_are_reported(tmp_path: Path) -> None:
    work_dir = tmp_path / "work"
    site = work_dir / "venv-x" / "lib" / "python3.11" / "site-packages"
    for name, url in (
        ("durable_lambda_serdes", (work_dir / "dist" / "serdes.whl").as_uri()),
        ("durable_lambda_client", "https://files.example/durable_lambda_client.whl"),
        ("durable_lambda_state", None),
    ):
        record = site / f"{name}-0.1.0.dist-info"
        record.mkdir(parents=True)
        if url is not None:
            (record / "direct_url.json").write_text(f'{{"url": "{url}"}}')

    problems = tool.foreign_siblings(
        work_dir / "venv-x",
        ["durable-lambda-serdes", "durable-lambda-client", "durable-lambda-state"],
        work_dir,
    )

    assert problems == [
        "durable-lambda-client was installed from "
        "https://files.example/durable_lambda_client.whl, not a built wheel",
        "durable-lambda-state was installed from an index, not a built wheel",
    ]
