"""Every code snippet of the documentation runs as written.

Which pages: ``DOCUMENTS``, README.md and every page under docs/ (a new page is covered as soon as it
exists). What runs, per fenced block:

- ```` ```python ```` — a Pulumi program: executed under the offline engine
  (``tracking_cdn.offline.run_offline``) and must register at least one resource. A block preceded
  by ``<!-- doc-test: script -->`` is a standalone script instead (it drives ``run_offline`` itself):
  run with this interpreter, it must exit 0.
- ```` ```bash ```` / ``sh`` / ``shell`` / ``console`` — split into commands (lines and ``&&``);
  each command must match a rule of ``SHELL_RULES``: either it runs (in a scratch copy of the
  project, cwd at its root, ``.venv`` linked to this virtualenv, and a PATH without it, so
  ``tracking-cdn`` alone fails as it would after ``pip install`` into a venv) and must exit 0, or
  it is not run, for the reason the rule gives. A command no rule knows fails the test: a new
  snippet needs a decision.
- Any block preceded by ``<!-- doc-test: skip: <reason> -->`` is not run (the reason is required).
- Any block preceded by ``<!-- doc-test: file <path> -->`` must be that file of the repository, byte for
  byte: a file of the example project ``examples/own-program``, whose own tests, plan and diff
  tests/test_own_program.py runs.
- Blocks in other languages (yaml, typescript, go, json, http, mermaid, text, none) are shown, not
  run: they are another language's program or data, a diagram, or a layout.

Markers are HTML comments on the line right before the fence, invisible in the rendered pages.
"""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
from conftest import REPO

from tracking_cdn.offline import run_offline

DOCUMENTS = ["README.md", *sorted(str(page.relative_to(REPO)) for page in (REPO / "docs").rglob("*.md"))]
"""The README and every page of the documentation site: a new page is covered as soon as it exists."""
PYTHON = {"python", "py"}
SHELL = {"bash", "sh", "shell", "console"}
RUN, NOT_RUN = "run", "not run"
SHELL_RULES: list[tuple[str, str, str]] = [
    # (command pattern, RUN or NOT_RUN, why)
    (r"(\.venv/bin/)?tracking-cdn proxy .* > /etc/\S+", NOT_RUN, "installs the configuration into the server's /etc"),
    (r"(\.venv/bin/)?tracking-cdn (plan|proxy) .*", RUN, "offline: renders without a cloud or network"),
    (r"cp \S+ \S+", RUN, "within the scratch copy of the project"),
    (r"python3 -m venv \.venv", NOT_RUN, "this suite already runs in the virtualenv .ci/run creates this way"),
    (r"(\.venv/bin/)?pip (install|wheel) .*", NOT_RUN, "needs the package registry; .ci/run installs the same way"),
    (r"bash \.ci/run", NOT_RUN, "it runs this test suite"),
    (r"(\.venv/bin/)?python -m pytest.*", NOT_RUN, "it runs this test suite"),
    (r"(\.venv/bin/)?python benchmarks/.*", NOT_RUN, "a benchmark: minutes, figures vary"),
    (r"pulumi .*", NOT_RUN, "needs the Pulumi CLI and a cloud account"),
    (r"(gcloud|aws|az|fastly) .*", NOT_RUN, "a cloud provider's own CLI: needs its account and credentials"),
    (r"(\.venv/bin/)?tracking-cdn check .*", NOT_RUN, "contacts the live tracking domain"),
    (r"curl .*", NOT_RUN, "contacts the network"),
    (r"(\.venv/bin/)?mkdocs .*", NOT_RUN, "tests/test_docs_site.py builds the site with --strict"),
    (r"\.venv/bin/python provider --write-schema", NOT_RUN,
     "rewrites the committed provider/schema.json, which tests/test_component_package.py compares"),
    (r"source \.venv/bin/activate", NOT_RUN, "changes the caller's shell only"),
]
PROJECT_FILES = ["Pulumi.yaml", "__main__.py", "stacks", "examples"]


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    language: str
    code: str
    marker: Optional[str]
    """The ``doc-test:`` marker before the fence: ``script``, ``skip: <reason>``, or None."""

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


FENCE = re.compile(r"^(?P<indent> *)```(?P<language>[\w+-]*)[^\n]*\n(?P<code>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
MARKER = re.compile(r"<!--\s*doc-test:\s*(?P<marker>.*?)\s*-->\s*$")


def blocks(document: str) -> list[Block]:
    text = (REPO / document).read_text()
    found = []
    for fence in FENCE.finditer(text):
        line = text.count("\n", 0, fence.start()) + 1
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        indent = len(fence["indent"])
        code = "".join(row[indent:] for row in fence["code"].splitlines(keepends=True))
        found.append(Block(document, line, fence["language"].lower(), code, marker["marker"] if marker else None))
    return found


ALL_BLOCKS = [block for document in DOCUMENTS for block in blocks(document)]
FILE_MARKER = re.compile(r"file (?P<path>examples/own-program/\S+)")
"""A block that shows a file of the example project, which tests/test_own_program.py runs."""
SHOWN_FILES = [block for block in ALL_BLOCKS if (block.marker or "").startswith("file ")]
RUNNABLE = [block for block in ALL_BLOCKS if block.language in PYTHON | SHELL and block not in SHOWN_FILES]


def shell_commands(code: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments dropped, ``&&`` split."""
    joined = re.sub(r"\\\n\s*", " ", code)
    commands = []
    for row in joined.splitlines():
        row = re.sub(r"(^|\s)#.*$", "", row).strip()
        commands += [part.strip() for part in row.split("&&") if part.strip()]
    return commands


def shell_rule(command: str) -> tuple[str, str]:
    for pattern, action, reason in SHELL_RULES:
        if re.fullmatch(pattern, command):
            return action, reason
    raise AssertionError(f"no rule in SHELL_RULES for {command!r}: add one (run it, or say why not)")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project's files (Pulumi.yaml, the stack program, the stacks) in a scratch directory."""
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    return tmp_path


def test_the_documents_exist_and_have_snippets():
    assert all((REPO / document).is_file() for document in DOCUMENTS)
    assert any(block.document == "README.md" and block.language in PYTHON for block in RUNNABLE)
    assert any(block.document == "README.md" and block.language in SHELL for block in RUNNABLE)


def test_every_skip_marker_gives_a_reason():
    for block in ALL_BLOCKS:
        if block.marker is not None:
            assert block.marker == "script" or re.fullmatch(r"skip: \S.*", block.marker) or FILE_MARKER.fullmatch(
                block.marker), f"{block.id}: {block.marker!r}"


@pytest.mark.parametrize("block", SHOWN_FILES, ids=lambda block: block.id)
def test_a_snippet_showing_a_file_of_the_example_project_is_that_file(block: Block):
    shown = FILE_MARKER.fullmatch(block.marker or "")
    assert shown, f"{block.id}: {block.marker!r} names no file of examples/own-program"
    assert block.code == (REPO / shown["path"]).read_text(), f"{block.id} differs from {shown['path']}"


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda block: block.id)
def test_the_snippet_runs_as_written(block: Block, project_copy: Path):
    if block.marker is not None and block.marker.startswith("skip"):
        pytest.skip(f"{block.id}: {block.marker}")
    if block.language in SHELL:
        run_shell(block, project_copy)
    elif block.marker == "script":
        done = subprocess.run([sys.executable, "-c", block.code], cwd=project_copy, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{block.id} failed:\n{done.stderr}"
    else:
        program = compile(block.code, block.id, "exec")
        run = run_offline(lambda: exec(program, {"__name__": "__main__"}))
        assert run.resources, f"{block.id} registered nothing"


def run_shell(block: Block, project: Path) -> None:
    environment = {**os.environ, "PATH": "/usr/local/bin:/usr/bin:/bin"}  # no virtualenv on PATH
    environment.pop("VIRTUAL_ENV", None)
    ran = 0
    for command in shell_commands(block.code):
        action, _ = shell_rule(command)
        if action == NOT_RUN:
            continue
        done = subprocess.run(["bash", "-c", command], cwd=project, env=environment, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{block.id}: `{command}` exited {done.returncode}:\n{done.stderr}"
        ran += 1
    if ran == 0:
        pytest.skip(f"{block.id}: every command is one no test here can run ({', '.join(shell_commands(block.code))})")


def test_shell_rules_decide_every_command_of_every_page():
    """Also for blocks marked skip: the rules document why each command is or is not run."""
    for block in ALL_BLOCKS:
        if block.language in SHELL and not (block.marker or "").startswith("skip"):
            for command in shell_commands(block.code):
                shell_rule(command)


def test_an_unknown_command_is_not_silently_skipped():
    with pytest.raises(AssertionError, match="no rule in SHELL_RULES"):
        shell_rule("rm -rf /")


def test_a_command_after_a_plain_pip_install_must_use_the_virtualenv_path(project_copy: Path):
    """`tracking-cdn` is not on PATH after `.venv/bin/pip install`: a page saying so would fail here."""
    block = Block("example", 1, "bash", "tracking-cdn plan --stack cloudfront-example\n", None)
    with pytest.raises(AssertionError, match="exited 127"):
        run_shell(block, project_copy)
