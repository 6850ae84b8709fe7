"""The documentation runs: every Python block in docs/ executes, every relative link resolves.

The conventions a page follows (also in docs/CONTRIBUTING.md):

* Every fenced block tagged ``python`` is executed. The blocks of one page run in the
  order they appear, in one namespace of their own (a fresh module per page), so a later
  block can use what an earlier one defined. A block that fails fails the page's test;
  the traceback names the page and the line in it (``docs/steps.md", line 42``).
* After a block runs, every new top-level function named ``test_*`` it defined runs: at
  once when it takes no argument, else (it wants fixtures such as ``durable_runner``) in
  a pytest of its own over the page's blocks, so fixtures and markers are real.
* The example modules of ``docs/examples/`` are importable by name
  (``from welcome import handler``), as a user's own modules would be.
* A block right after the line ``<!-- from: docs/examples/NAME.py -->`` is an excerpt of
  that file: it is not run here; its lines must appear, in order and contiguous, in the
  file. The file itself is run, and its result asserted, by ``test_examples.py``.
* Blocks in other languages (``console``, ``toml``, ``yaml``...) are shown, not run,
  except a ``console`` block right after ``<!-- run -->``: its ``$ durable-lambda ...``
  commands run through the command line's entry point and must exit 0. ``json`` blocks
  must parse. The blocks of docs/typing.md also pass ``mypy --strict``.
* Every relative link in docs/ and in the root README.md points at a file that exists,
  and every ``#anchor`` at a heading of the target page (GitHub's heading slugs).
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(os.path.abspath(__file__)).parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = sorted(DOCS.rglob("*.md"))
LINKED_PAGES = [*PAGES, ROOT / "README.md"]

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
EXCERPT = re.compile(r"^\s*<!--\s*from:\s*(?P<path>\S+)\s*-->\s*$")
RUN = re.compile(r"^\s*<!--\s*run\s*-->\s*$")
DIRECTIVE = re.compile(r"^\s*<!--\s*(?P<word>[a-z-]+)\s*(:|-->)")
PYTHON = {"python", "py", "python3"}


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown page."""

    page: Path
    info: str
    first_line: int  # 1-based line number of the first code line
    code: str
    excerpt_of: str | None  # path (from the repository root) this block is an excerpt of
    run: bool = False  # a console block marked <!-- run -->

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.first_line}"


def fenced_blocks(page: Path) -> Iterator[Block]:
    """The fenced code blocks of a page, with their language, position and directive."""
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening["fence"]
        indent = len(opening["indent"])
        directive = lines[index - 1] if index > 0 else ""
        excerpt = EXCERPT.match(directive)
        run = RUN.match(directive) is not None
        if excerpt is None and not run and DIRECTIVE.match(directive):
            raise AssertionError(
                f"{page.relative_to(ROOT)}:{index}: unknown directive {directive.strip()!r}; "
                "the directives are <!-- from: docs/examples/NAME.py --> and <!-- run -->"
            )
        body: list[str] = []
        index += 1
        while index < len(lines) and not _closes(lines[index], fence):
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        if index == len(lines):
            raise AssertionError(f"{page.relative_to(ROOT)}: a code fence is never closed")
        yield Block(
            page=page,
            info=opening["info"].lower(),
            first_line=index - len(body) + 1,
            code="\n".join(body) + "\n",
            excerpt_of=excerpt["path"] if excerpt else None,
            run=run,
        )
        index += 1


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


# -- code blocks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [b for b in fenced_blocks(page) if b.info in PYTHON and b.excerpt_of is None]
    if not blocks:
        return
    # The local service's default store is a file in the user's home; a page's examples
    # get their own, so they never touch it nor collide with another page's.
    monkeypatch.setenv("DURABLE_LAMBDA_STORE", str(tmp_path / "executions.sqlite3"))
    module = _page_module(page)
    sys.modules[module.__name__] = module
    sys.path.insert(0, str(EXAMPLES))
    fixture_tests: list[str] = []
    try:
        for block in blocks:
            fixture_tests += _run_block(block, module)
    finally:
        sys.path.remove(str(EXAMPLES))
        del sys.modules[module.__name__]
    if fixture_tests:
        _run_with_pytest(page, blocks, fixture_tests, tmp_path)


def _page_module(page: Path) -> types.ModuleType:
    slug = re.sub(r"\W", "_", str(page.relative_to(DOCS).with_suffix("")))
    module = types.ModuleType(f"docs_page_{slug}")
    module.__file__ = str(page)
    return module


def _run_block(block: Block, module: types.ModuleType) -> list[str]:
    """Run one block and the fixture-free tests it defines; return the tests that need
    fixtures (pytest runs those)."""
    namespace = module.__dict__
    before = set(namespace)
    # Leading newlines put every statement on its own line of the page, so tracebacks
    # and pytest's source excerpts show the page and the line in it.
    source = "\n" * (block.first_line - 1) + block.code
    needs_fixtures: list[str] = []
    try:
        exec(compile(source, str(block.page), "exec"), namespace)
        for name in [n for n in namespace if n not in before and n.startswith("test_")]:
            test = namespace[name]
            if not inspect.isfunction(test):
                continue
            if inspect.signature(test).parameters:
                needs_fixtures.append(name)
            else:
                test()
    except BaseException as error:
        error.add_note(f"in the python block at {block.where}")
        raise
    return needs_fixtures


def _run_with_pytest(page: Path, blocks: list[Block], tests: list[str], tmp_path: Path) -> None:
    """Run the page as a test module in a pytest of its own, so that its tests get real
    fixtures and markers (``durable_runner`` reads the test's marker)."""
    lines: list[str] = []
    for block in blocks:
        lines += [""] * (block.first_line - 1 - len(lines))
        lines += block.code.splitlines()
    module = tmp_path / ("test_docs_" + re.sub(r"\W", "_", page.stem) + ".py")
    module.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(module),
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(tmp_path),
        "-k",
        " or ".join(tests),
    ]
    inherited = os.environ.get("PYTHONPATH")
    search_path = str(EXAMPLES) if not inherited else os.pathsep.join([str(EXAMPLES), inherited])
    environment = {**os.environ, "PYTHONPATH": search_path}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env=environment
    )
    assert done.returncode == 0, (
        f"the tests of {_page_id(page)} failed (line numbers are the page's):\n"
        + done.stdout
        + done.stderr
    )
    assert f"{len(tests)} passed" in done.stdout, done.stdout


# -- excerpts -------------------------------------------------------------------------------------


def _excerpts() -> list[Block]:
    return [b for page in PAGES for b in fenced_blocks(page) if b.excerpt_of is not None]


@pytest.mark.parametrize("block", _excerpts(), ids=lambda b: b.where)
def test_excerpt_matches_its_file(block: Block) -> None:
    source = ROOT / block.excerpt_of  # type: ignore[operator]
    assert source.is_file(), f"{block.where}: {block.excerpt_of} does not exist"
    assert block.excerpt_of.startswith("docs/examples/"), (  # type: ignore[union-attr]
        f"{block.where}: excerpts come from docs/examples/, not {block.excerpt_of}"
    )
    wanted = [line.rstrip() for line in block.code.strip("\n").splitlines()]
    have = [line.rstrip() for line in source.read_text(encoding="utf-8").splitlines()]
    assert _contains(have, wanted), (
        f"{block.where}: this block is not a contiguous excerpt of {block.excerpt_of}"
    )


def _contains(lines: list[str], wanted: list[str]) -> bool:
    """Whether ``wanted`` is a run of ``lines``, possibly without their common indentation."""
    size = len(wanted)
    for start in range(len(lines) - size + 1):
        window = lines[start : start + size]
        if window == wanted or textwrap.dedent("\n".join(window)).splitlines() == wanted:
            return True
    return False


# -- command lines ----------------------------------------------------------------------------


def _command_blocks() -> list[Block]:
    return [b for page in PAGES for b in fenced_blocks(page) if b.run]


@pytest.mark.parametrize("block", _command_blocks(), ids=lambda b: b.where)
def test_marked_commands_run(
    block: Block,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every ``$ durable-lambda ...`` line of a block marked ``<!-- run -->`` exits 0 (on a
    store of its own), and a ``Result:`` line shown after it is what it prints."""
    from durable_lambda_local.cli import main

    monkeypatch.setenv("DURABLE_LAMBDA_STORE", str(tmp_path / "executions.sqlite3"))
    monkeypatch.chdir(ROOT)
    for command, shown in _commands(block.code):
        words = shlex.split(command)
        assert words[0] == "durable-lambda", f"{block.where}: only durable-lambda commands run"
        status = main(words[1:])
        printed = capsys.readouterr().out
        assert status == 0, f"{block.where}: `{command}` exited {status}:\n{printed}"
        for line in shown:
            if line.startswith("Result:"):
                assert line in printed.splitlines(), (
                    f"{block.where}: `{command}` printed:\n{printed}"
                )


def _commands(code: str) -> Iterator[tuple[str, list[str]]]:
    """``(command, output lines shown after it)`` for each ``$ `` line; a line ending in
    a backslash, or inside an open quote, continues on the next one."""
    lines = code.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("$ "):
            index += 1
            continue
        command = lines[index][2:].strip()
        while index + 1 < len(lines) and (command.endswith("\\") or _open_quote(command)):
            index += 1
            if command.endswith("\\"):
                command = command[:-1].rstrip() + " " + lines[index].strip()
            else:  # a quoted argument goes on, newline included, as in a shell
                command += "\n" + lines[index]
        index += 1
        shown: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            shown.append(lines[index])
            index += 1
        yield command, shown


def _open_quote(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:
        return True
    return False


# -- json blocks ----------------------------------------------------------------------------------


def _json_blocks() -> list[Block]:
    return [b for page in PAGES for b in fenced_blocks(page) if b.info == "json"]


@pytest.mark.parametrize("block", _json_blocks(), ids=lambda b: b.where)
def test_json_blocks_parse(block: Block) -> None:
    try:
        json.loads(block.code)
    except json.JSONDecodeError as error:
        pytest.fail(f"{block.where}: not JSON: {error}")


# -- links ----------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\((?P<target><[^>]*>|[^)\s]+)[^)]*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<target>[^)\s]+)\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(?P<target>\S+)", re.MULTILINE)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*#*\s*$")


def prose_lines(page: Path) -> Iterator[tuple[int, str]]:
    """The lines of a page outside code fences, inline code removed, with line numbers."""
    fence: str | None = None
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        opening = FENCE.match(line)
        if fence is None and opening is not None:
            fence = opening["fence"]
            continue
        if fence is not None:
            if _closes(line, fence):
                fence = None
            continue
        yield number, INLINE_CODE.sub("", line)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings (lower case, punctuation dropped, -N for repeats)."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for _, line in prose_lines(page):
        heading = HEADING.match(line)
        if heading is None:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading["title"])  # links keep their text
        slug = re.sub(r"[^\w\- ]", "", title.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def _links() -> list[tuple[Path, int, str]]:
    found = []
    for page in LINKED_PAGES:
        if not page.is_file():
            continue
        for number, line in prose_lines(page):
            for pattern in (LINK, IMAGE, REFERENCE):
                for match in pattern.finditer(line):
                    target = match["target"].strip("<>")
                    if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:...
                        found.append((page, number, target))
    return found


@pytest.mark.parametrize(
    ("page", "line", "target"),
    _links(),
    ids=[f"{_page_id(p)}:{n}:{t}" for p, n, t in _links()],
)
def test_relative_link_resolves(page: Path, line: int, target: str) -> None:
    where = f"{_page_id(page)}:{line}"
    path_part, _, anchor = target.partition("#")
    destination = Path(os.path.normpath(page.parent / path_part)) if path_part else page
    assert destination.exists(), f"{where}: the link {target!r} points at a missing file"
    assert ROOT in destination.parents or destination == ROOT, (
        f"{where}: the link {target!r} leaves the repository"
    )
    if anchor:
        assert destination.suffix == ".md", f"{where}: {target!r} has an anchor on a non-page"
        assert anchor in anchors(destination), (
            f"{where}: no heading of {_page_id(destination)} has the anchor #{anchor}; "
            f"it has: {', '.join(sorted(anchors(destination)))}"
        )


def test_every_page_is_linked_from_another_page() -> None:
    """A page nobody links to is a page nobody reads."""
    linked = {
        Path(os.path.normpath(page.parent / target.partition("#")[0]))
        for page, _, target in _links()
        if target.partition("#")[0]
    }
    orphans = [_page_id(p) for p in PAGES if p not in linked and p.name != "index.md"]
    assert not orphans, f"pages no other page links to: {orphans}"


# -- the typing page is type-checked --------------------------------------------------------------


def test_typing_page_passes_mypy_strict(tmp_path: Path, mypy_strict: Any) -> None:
    """docs/typing.md promises types; its blocks, as one module, pass ``mypy --strict``."""
    page = DOCS / "typing.md"
    if not page.is_file():
        pytest.skip("docs/typing.md is not written yet")
    blocks = [b for b in fenced_blocks(page) if b.info in PYTHON and b.excerpt_of is None]
    lines: list[str] = []
    for block in blocks:
        lines += [""] * (block.first_line - 1 - len(lines))
        lines += block.code.splitlines()
    module = tmp_path / "typing_page.py"
    module.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, report = mypy_strict(module)
    assert status == 0, "docs/typing.md (line numbers are the page's):\n" + report
