"""What a team that adopts and pins a release relies on: one version number everywhere, a changelog
whose released versions name the commits they were released at (and each is that version), each
breaking change with its upgrade step, the license text the metadata declares, a checkout that
ignores what building leaves behind, and documentation that quotes no figure no script printed.

Elsewhere: tests/test_docs_site.py checks the changelog's links; ``.ci/run`` fails when installing
the package prints a warning from our packaging."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from typing import Optional

import pytest
from conftest import REPO

import tracking_cdn
from tracking_cdn import cli

VERSION = tracking_cdn.__version__
CHANGELOG = REPO / "CHANGELOG.md"
CATEGORIES = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
"""Keep a Changelog's kinds of change, in its order."""
APACHE_2_0_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
"""Of the license text as the Apache Software Foundation publishes it (LICENSE-2.0.txt, 202 lines)."""


@dataclass(frozen=True)
class Release:
    version: str
    date: Optional[str]
    body: str


def changelog() -> list[Release]:
    text = CHANGELOG.read_text()
    headings = list(re.finditer(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?[ \t]*$", text, re.M))
    ends = [heading.start() for heading in headings[1:]] + [len(text)]
    return [Release(h["version"], h["date"], text[h.end() : end]) for h, end in zip(headings, ends)]


def released() -> list[Release]:
    return [release for release in changelog() if release.version != "Unreleased"]


def entries(body: str) -> list[str]:
    """The bullets of a section, each with its continuation lines."""
    return [entry.strip() for entry in re.split(r"^- ", body, flags=re.M)[1:]]


def semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# --- one version ------------------------------------------------------------------------------------


def test_the_version_is_one_number(capsys: pytest.CaptureFixture[str]):
    """pyproject.toml reads it from ``tracking_cdn.__version__``; ``tracking-cdn --version`` and the
    component package's schema (which tests/test_component_package.py compares with the served one)
    say the same."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tracking_cdn.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    with pytest.raises(SystemExit) as exit:
        cli.main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out == f"tracking-cdn {VERSION}\n"
    assert json.loads((REPO / "provider" / "schema.json").read_text())["version"] == VERSION


def test_the_docs_name_the_current_version_where_they_name_one():
    """The wheel a build makes and the tag a component-package URL names follow the version."""
    pages = {path: path.read_text() for path in [REPO / "README.md", *(REPO / "docs").rglob("*.md")]}
    wheels = {(path.name, found) for path, text in pages.items() for found in re.findall(r"pulumi_tracking_cdn-([\d.]+)-py3", text)}
    tags = {(path.name, found) for path, text in pages.items() for found in re.findall(r"/provider@v([\d.]+)", text)}
    assert wheels and tags
    assert {found for _, found in wheels | tags} == {VERSION}, sorted(wheels | tags)


# --- the changelog ------------------------------------------------------------------------------------


def test_the_changelog_starts_unreleased_then_lists_every_version_newest_first():
    releases = changelog()
    assert releases[0].version == "Unreleased" and releases[0].date is None
    versions = [release.version for release in released()]
    assert VERSION in versions, f"CHANGELOG.md has no section for the current version {VERSION}"
    assert versions == sorted(versions, key=semver, reverse=True) and len(set(versions)) == len(versions)
    assert versions[-1] == "0.1.0", "every version since the first release"
    dates = [release.date for release in released()]
    assert all(dates) and dates == sorted(dates, reverse=True), dates


def test_every_changelog_section_sorts_its_changes_by_keep_a_changelog_kind():
    for release in changelog():
        kinds = re.findall(r"^### (.+?)\s*$", release.body, re.M)
        assert kinds, f"{release.version}: no changes listed"
        assert set(kinds) <= set(CATEGORIES) and len(set(kinds)) == len(kinds), (release.version, kinds)
        assert kinds == sorted(kinds, key=CATEGORIES.index), (release.version, kinds)
        for kind, changes in zip(kinds, re.split(r"^### .+$", release.body, flags=re.M)[1:]):
            assert entries(changes), f"{release.version} {kind}: empty"


def test_every_breaking_change_says_how_to_upgrade():
    breaking = [entry for release in changelog() for entry in entries(release.body) if "**Breaking" in entry]
    assert breaking, "0.2.0 changed defaults that deployed stacks notice"
    for entry in breaking:
        assert entry.startswith("**Breaking:**") and "**Upgrade:**" in entry, entry


def test_each_released_version_names_the_commit_it_was_released_at():
    """So that a user can install exactly that version from a checkout (docs/getting-started.md)."""
    for release in released():
        commits = re.findall(r"Released at commit `([0-9a-f]{40})`", release.body)
        assert len(commits) == 1, f"{release.version}: name the full commit id once"
        assert release.body.strip().startswith("Released at commit"), release.version


def test_each_named_commit_is_that_version():
    git = shutil.which("git")
    history = git and subprocess.run([git, "-C", str(REPO), "rev-parse", "--git-dir"], capture_output=True).returncode == 0
    if not history:
        reason = "needs git and the repository's history (a checkout, not an unpacked archive)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the released commits cannot be checked: {reason}")
        pytest.skip(reason)
    for release in released():
        (commit,) = re.findall(r"Released at commit `([0-9a-f]{40})`", release.body)
        shown = subprocess.run([git, "-C", str(REPO), "show", f"{commit}:components/tracking_cdn/__init__.py"],
                               capture_output=True, text=True)
        assert shown.returncode == 0, f"{release.version}: commit {commit} is not in this repository: {shown.stderr}"
        assert f'__version__ = "{release.version}"' in shown.stdout, f"{commit} is not version {release.version}"


# --- license and packaging ----------------------------------------------------------------------------


def test_the_license_is_the_apache_2_0_text_the_metadata_declares():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0", "an SPDX expression, not the deprecated {text = ...} table"
    assert project["license-files"] == ["LICENSE"]
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")], "SPDX replaces them"
    assert hashlib.sha256((REPO / "LICENSE").read_bytes()).hexdigest() == APACHE_2_0_SHA256
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77 for r in requires), requires


def test_what_building_leaves_behind_is_ignored_by_git():
    """The site mkdocs builds by default and the Mermaid npm installs for it are never committed."""
    git = shutil.which("git")
    if not git or subprocess.run([git, "-C", str(REPO), "rev-parse"], capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    paths = ["site/index.html", "docs/hooks/node_modules/@mermaid-js/tiny/package.json", "dist/x.whl"]
    ignored = subprocess.run([git, "-C", str(REPO), "check-ignore", "--no-index", *paths], capture_output=True, text=True)
    assert ignored.stdout.split() == paths


# --- figures in the documentation -------------------------------------------------------------------


def test_the_docs_quote_no_figure_that_no_script_prints():
    """A measured figure comes from a script under benchmarks/ that prints it, and the page names the
    script. No script prints the size or the duration of the test suite, so no page quotes them."""
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("**/*.md"))]:
        text = page.read_text()
        suite = re.search(r"\b\d[\d,]* (tests|passed)\b|\b\d+ min \d+ s\b", text)
        assert not suite, f"{page.relative_to(REPO)}: {suite[0]!r}"
        if re.search(r"\d ms\b|\d req/s\b", text):
            assert "benchmarks/" in text, f"{page.relative_to(REPO)} quotes measurements without their script"
