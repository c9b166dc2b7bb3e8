"""MkDocs hook: ```` ```mermaid ```` fences become diagrams, drawn by a Mermaid the site serves itself.

Material draws each Mermaid fence in the reader's browser. Left alone, it loads Mermaid from a CDN at
view time, so a page read offline (from ``file://``, or behind a firewall) shows the diagram's source
text instead. This hook serves Mermaid from the site: ``@mermaid-js/tiny`` (Mermaid's one-file
browser build, about 2.5 MB, no dependencies), at the version ``package-lock.json`` beside this file
pins, installed with ``npm ci`` into ``docs/hooks/node_modules`` (not committed), is published as
``assets/javascripts/mermaid.tiny.js`` and loaded on every page. Material uses a ``mermaid`` already
defined instead of fetching its own.

The install is the only step that needs a network: ``npm ci`` runs when the installed version is not
the locked one (the first build of a checkout, or after the lock changes), and a later build reuses
it with none. When npm or the registry cannot be reached, the build fails with a message saying so,
rather than publishing pages whose diagrams would show as source text.

The fence is registered here too: Material's documented setup names its formatter in mkdocs.yml with
a ``!!python/name:`` tag, which makes mkdocs.yml unreadable to plain YAML loaders
(``yaml.safe_load``, used by tests and tools).

``python docs/hooks/mermaid.py`` installs Mermaid ahead of a build that will run without a network
(``.ci/run`` does; the docs tests build inside a network namespace).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

HOOKS = Path(__file__).resolve().parent
PACKAGE = "@mermaid-js/tiny"
INSTALLED = HOOKS / "node_modules" / PACKAGE
SCRIPT = INSTALLED / "dist" / "mermaid.tiny.js"
SITE_PATH = "assets/javascripts/mermaid.tiny.js"
"""Where the site serves Mermaid, relative to its root."""
NPM_CI = ("ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund")
"""``npm`` arguments that install exactly what package-lock.json pins (integrity checked), from npm's cache when it has it."""


class MermaidUnavailable(Exception):
    """Mermaid could not be installed; the message says why and what to do."""


def locked_version() -> str:
    lock = json.loads((HOOKS / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{PACKAGE}"]["version"]


def installed_version() -> Optional[str]:
    try:
        return json.loads((INSTALLED / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def npm_errors(output: str) -> list[str]:
    """npm's own error lines, without the pointer to its log file."""
    return [
        line.removeprefix("npm error").strip()
        for line in output.splitlines()
        if line.startswith("npm error") and "complete log" not in line
    ]


def ensure_mermaid() -> Path:
    """The locked Mermaid's browser script, installed with ``npm ci`` first when it is not there."""
    wanted = locked_version()
    if installed_version() == wanted and SCRIPT.is_file():
        return SCRIPT
    where = f"{PACKAGE} {wanted} (docs/hooks/package-lock.json)"
    npm = shutil.which("npm")
    if npm is None:
        raise MermaidUnavailable(
            f"the site's diagrams need {where}, installed with npm, which is not on PATH: install Node.js "
            "and npm (Debian: apt-get install nodejs npm), or run `npm ci` in docs/hooks where npm is"
        )
    done = subprocess.run([npm, *NPM_CI], cwd=HOOKS, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or installed_version() != wanted or not SCRIPT.is_file():
        said = next(reversed(npm_errors(done.stderr + done.stdout)), f"exit status {done.returncode}")
        raise MermaidUnavailable(
            f"the site's diagrams need {where}, and `npm ci` in docs/hooks could not install it ({said}). "
            "The npm registry must be reachable for the first build of a checkout; later builds reuse "
            "docs/hooks/node_modules and need no network. Nothing was built: without Mermaid every "
            "diagram would show as its source text"
        )
    return SCRIPT


def on_config(config: Any, **_: Any) -> Any:
    """MkDocs event: register the Mermaid fence with pymdownx.superfences (listed in mkdocs.yml), make
    sure Mermaid is installed, and load it on every page before Material looks for it."""
    from mkdocs.exceptions import PluginError
    from pymdownx.superfences import fence_code_format

    superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = superfences.setdefault("custom_fences", [])
    if not any(fence.get("name") == "mermaid" for fence in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})
    try:
        ensure_mermaid()
    except MermaidUnavailable as error:
        raise PluginError(f"Mermaid: {error}") from error
    if SITE_PATH not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(SITE_PATH)
    return config


def on_files(files: Any, config: Any, **_: Any) -> Any:
    """MkDocs event: publish the installed Mermaid script at ``SITE_PATH`` (``mkdocs serve`` too)."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, SITE_PATH, abs_src_path=str(SCRIPT)))
    return files


if __name__ == "__main__":
    try:
        print(f"{PACKAGE} {locked_version()}: {ensure_mermaid().relative_to(HOOKS.parent.parent)}")
    except MermaidUnavailable as error:
        sys.exit(f"Mermaid: {error}")
