"""The documentation site: it builds strictly and offline, its reference is generated from the code,
complete and shows the defaults the code uses, the front-door pages share one skeleton and each has a
complete deep-link example, and the README stays short with links that work on GitHub and on the site.

The site is built once per session with ``mkdocs build --strict`` (mkdocs.yml makes broken links,
missing anchors, nav entries without a page and pages left out of the nav fail it), inside a
network namespace where the kernel allows one, so a theme or plugin that fetched anything at build
time would fail here.
"""

import ast
import base64
import functools
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator, Optional

import headless
import pulumi
import pytest
import yaml
from conftest import REPO, run_stack

from tracking_cdn import contract
from tracking_cdn.deep_links import ANDROID_PATH, APPLE_PATH, resolve_app_links
from tracking_cdn.offline import OfflineRun, run_offline
from tracking_cdn.sparkpost import SparkPostTrackingDomain
from tracking_cdn.platform import PLATFORMS, load_platform
from tracking_cdn.stack import FRONT_DOORS, load_front_door

MKDOCS = [sys.executable, "-m", "mkdocs"]
FRONT_DOOR_SECTIONS = [
    "What it builds",
    "Use it",
    "Arguments",
    "Outputs",
    "DNS flow",
    "Day two: adding, removing and migrating domains",
    "Protection",
    "Limits and costs",
    "Troubleshooting",
]
"""The second-level sections of every page under docs/front-doors/, in this order (issue 18)."""
README_MAX_LINES = 250


def _offline() -> list[str]:
    """``unshare -rn`` (no network at all) when the kernel allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def build(project: Path, site: Path, **variables: str) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(site.parent), **variables}
    return subprocess.run(
        [*_offline(), *MKDOCS, "build", "--strict", "--config-file", str(project / "mkdocs.yml"),
         "--site-dir", str(site)],
        cwd=project, env=environment, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as ``mkdocs build --strict`` makes it from this work tree."""
    output = tmp_path_factory.mktemp("docs") / "site"
    started = time.monotonic()
    done = build(REPO, output)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    print(f"mkdocs build --strict: {time.monotonic() - started:.1f} s")
    return output


def page_html(site: Path, source: str) -> str:
    """The built HTML of the page whose source is ``docs/<source>`` (directory URLs)."""
    stem = source.removesuffix(".md")
    path = site / ("index.html" if stem == "index" else stem.removesuffix("/index") + "/index.html")
    return path.read_text()


class _Rows(HTMLParser):
    """Table rows as lists of cell texts, with the ids of the anchors inside each row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[set[str], list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        if tag == "tr":
            self.rows.append((set(), []))
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a" and self.rows and dict(attrs).get("id"):
            self.rows[-1][0].add(dict(attrs)["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def reference_rows(site: Path) -> dict[str, list[str]]:
    """Anchor id -> the cells of its row, over every page of the generated reference."""
    found: dict[str, list[str]] = {}
    for page in sorted((site / "reference").rglob("index.html")):
        parser = _Rows()
        parser.feed(page.read_text())
        for anchors, cells in parser.rows:
            for anchor in anchors:
                found.setdefault(anchor, cells)
    return found


def components() -> Iterator[tuple[type, type]]:
    """Every component and its args TypedDict: the front doors, SparkPostTrackingDomain, and the platforms and tenants."""
    for kind in FRONT_DOORS:
        yield load_front_door(kind)
    yield SparkPostTrackingDomain, inspect.get_annotations(SparkPostTrackingDomain.__init__)["args"]
    for kind in PLATFORMS:  # platform mode: each cloud's platform and tenant
        platform, platform_args, tenant, tenant_args = load_platform(kind)
        yield platform, platform_args
        yield tenant, tenant_args


def declared_outputs(component: type) -> list[str]:
    """The ``pulumi.Output[...]`` class annotations of ``component`` and its bases."""
    names = []
    for cls in reversed(component.__mro__):
        for name, annotation in inspect.get_annotations(cls).items():
            if getattr(annotation, "__origin__", None) is pulumi.Output and name not in names:
                names.append(name)
    return names


def test_the_site_builds_strictly_and_offline(site: Path):
    assert (site / "index.html").is_file()
    assert (site / "reference" / "cloudfront" / "index.html").is_file()
    assert not list(site.rglob("*.py")), "the docs tooling is not published with the site"


def test_every_argument_of_every_component_is_in_the_reference_with_a_description(site: Path):
    rows = reference_rows(site)
    checked = 0
    for component, args_type in components():
        assert args_type.__annotations__, args_type
        for argument in args_type.__annotations__:  # the inherited common arguments too
            cells = rows.get(f"{args_type.__name__.lower()}-{argument}")
            assert cells, f"{args_type.__name__}.{argument} is missing from the generated reference"
            name, type_, default, description = cells
            assert name.startswith(argument) and type_ and default, (argument, cells)
            assert len(description) > 10, f"{args_type.__name__}.{argument} has no description: {cells}"
            checked += 1
    assert checked > 50


def test_every_output_of_every_component_is_in_the_reference_with_a_description(site: Path):
    rows = reference_rows(site)
    for component, _ in components():
        outputs = declared_outputs(component)
        assert outputs, component
        for output in outputs:  # origin_host and dns_records, inherited, included
            cells = rows.get(f"{component.__name__.lower()}-{output}")
            assert cells, f"{component.__name__}.{output} is missing from the generated reference"
            name, type_, description = cells
            assert name.startswith(output) and type_, cells
            assert len(description) > 10, f"{component.__name__}.{output} has no description: {cells}"


def test_the_reference_shows_the_defaults_the_docstrings_state(site: Path):
    rows = reference_rows(site)
    assert rows["cloudfronttrackingdomainargs-cache_ttl_seconds"][2] == "10"
    assert rows["cloudfronttrackingdomainargs-domains"][2] == "required"
    assert rows["cloudfronttrackingdomainargs-esp"][2] == "sparkpost"
    assert rows["azurefrontdoortrackingdomainargs-resource_group_name"][2] == "required"
    assert rows["cloudfronttrackingdomainargs-hosted_zone_id"][1] == "Input[str]"
    assert "common" in rows["fastlytrackingdomainargs-redirect_http_to_https"][0]
    assert rows["cloudfronttrackingdomainargs-ses_https_policy"][2] == "REQUIRE"
    assert rows["azurefrontdoortrackingdomainargs-storage_account_name"][2].startswith("tcdn plus")
    assert rows["fastlytrackingdomainargs-wait_for_certificate"][3].startswith("Wait for every domain's certificate")


ARGUMENT_READERS = {"plain_arg": 3, "input_arg": 3, "bounded_int_arg": 2}
"""The ``tracking_cdn.contract`` readers of an argument, by the position of their ``default`` parameter."""


_UNKNOWN = object()
"""A default decided at run time (``default=resource_group``): not compared."""


def code_defaults(module: Any) -> dict[str, set[Any]]:
    """Argument name -> the defaults ``module`` gives it, where a default is a literal or a module
    constant: the reader's own (``plain_arg(args, "price_class", str, "PriceClass_All")``) or, for one
    read without a default, the ``or`` it is completed with in the same function
    (``policy = plain_arg(args, "ses_https_policy", str)`` ... ``policy or SES_HTTPS_POLICIES[0]``)."""
    found: dict[str, set[Any]] = {}
    for function in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(function, ast.FunctionDef):
            continue
        read_into: dict[str, str] = {}  # local variable -> the argument read into it
        for node in ast.walk(function):
            read = _argument_read(node)
            if read is not None:
                key, default = read
                if default is not None:
                    found.setdefault(key, set()).add(_module_value(default, module))
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                read = _argument_read(node.value)
                if read is not None:
                    read_into[node.targets[0].id] = read[0]
        for node in ast.walk(function):
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
                variable, default = node.values
                if isinstance(variable, ast.Name) and variable.id in read_into:
                    found.setdefault(read_into[variable.id], set()).add(_module_value(default, module))
    return {key: values - {_UNKNOWN} for key, values in found.items()}


def _argument_read(node: ast.AST) -> tuple[str, ast.expr | None] | None:
    """``(argument, default expression)`` when ``node`` is ``plain_arg(args, "<argument>", ...)`` or
    another reader with a constant argument name."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ARGUMENT_READERS):
        return None
    key = node.args[1] if len(node.args) > 1 else None
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None  # a reader called with a computed name (domain_subset_arg's own plain_arg)
    position = ARGUMENT_READERS[node.func.id]
    given = [keyword.value for keyword in node.keywords if keyword.arg == "default"]
    return key.value, node.args[position] if len(node.args) > position else (given[0] if given else None)


def _module_value(node: ast.expr, module: Any) -> Any:
    """A literal, a constant of ``module`` or an item of one (``SES_HTTPS_POLICIES[0]``), else _UNKNOWN."""
    if isinstance(node, ast.Name):
        return getattr(module, node.id, _UNKNOWN)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        container = _module_value(node.value, module)
        return _UNKNOWN if container is _UNKNOWN else container[node.slice.value]
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return _UNKNOWN
    return repr(value) if isinstance(value, (list, dict)) else value


def shown(value: Any) -> str:
    """How the reference's default column shows a default: the value, "—" for none or an empty list."""
    return "—" if value is None or value in ("[]", "{}") else str(value)


def test_every_default_in_the_reference_is_the_one_the_code_uses(site: Path):
    """The default column is read from docstrings; here it is compared with the default each argument
    is actually read with, so a docstring (or the generator) can never show another one."""
    rows = reference_rows(site)
    checked = 0
    for _, args_type in components():
        module = sys.modules[args_type.__module__]
        common, own = code_defaults(contract), code_defaults(module)
        for argument in args_type.__annotations__:
            values = (common.get(argument, set()) | own.get(argument, set())) - {None}
            if not values:
                continue  # no literal default in the code (computed, or absent = not set)
            assert len(values) == 1, f"{args_type.__name__}.{argument} is read with different defaults: {values}"
            cell = rows[f"{args_type.__name__.lower()}-{argument}"][2]
            assert cell == shown(values.pop()), f"{args_type.__name__}.{argument}: the reference shows {cell!r}"
            checked += 1
    assert checked > 40


def test_no_default_cell_is_cut_inside_a_parenthesis_or_a_code_span(site: Path):
    for anchor, cells in reference_rows(site).items():
        if len(cells) != 4 or cells[0] == "argument":
            continue
        default = cells[2]
        depth = 0
        for char in default:
            depth += {"(": 1, ")": -1}.get(char, 0)
            assert depth >= 0, f"{anchor}: {default!r}"
        assert depth == 0 and "`" not in default, f"{anchor}: {default!r}"


@functools.cache
def _reference_hook() -> Any:
    """docs/hooks/reference.py, the MkDocs hook that generates the reference (not a package module)."""
    spec = importlib.util.spec_from_file_location("tracking_cdn_docs_reference", REPO / "docs/hooks/reference.py")
    assert spec and spec.loader
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "docstring, default",
    [
        ("Edge TTL. Default: not cached (a bypass cache rule), so every click counts.", "not cached (a bypass cache rule)"),
        ("Name. Default: ``tcdn`` plus a hash (``frontDoorId``, unique); the same on every ``up``.",
         "``tcdn`` plus a hash (``frontDoorId``, unique)"),
        ("Key (default: the stack's config ``a:b``, as set).", "the stack's config ``a:b``"),
        ("Default: an unclosed (parenthesis, then more", "an unclosed"),
        ("Default: a ``code span that never closes", "a"),
        ("Policy: ``REQUIRE`` (default; opens and clicks over HTTPS) or ``REQUIRE_OPEN_ONLY``.", "``REQUIRE``"),
        ("TTL (default 300; 30 to 86400).", "``300``"),
        ("Default True in proxy mode; off otherwise.", "True in proxy mode"),
        ("Cache (default False: no cache).", "``False``"),
        ("Domains. Default: none (nothing waits).", "—"),
        ("Default cache TTL where the front door caches.", None),
    ],
)
def test_the_default_is_a_whole_clause_of_the_docstring(docstring: str, default: str):
    assert _reference_hook()._default(docstring) == default


def test_the_esp_profiles_table_lists_every_profile(site: Path):
    from tracking_cdn.esp import PROFILES

    rows = reference_rows(site)
    for name, profile in PROFILES.items():
        cells = rows[f"esp-{name}"]
        assert (profile.origin_host or profile.requires) in cells[1], cells


def test_no_page_retypes_an_argument_or_output_table():
    """Argument and output tables come from the code (a ``<!-- reference: ... -->`` directive)."""
    header = re.compile(r"^\|\s*`?(argument|output)`?\s*\|.*\n\|\s*:?-{3,}", re.M | re.I)
    for page in sorted((REPO / "docs").rglob("*.md")):
        retyped = header.search(page.read_text())
        assert not retyped, f"{page.relative_to(REPO)}: a retyped table: {retyped[0]!r}"


def test_front_door_pages_have_the_same_sections_in_the_same_order():
    pages = sorted((REPO / "docs" / "front-doors").glob("*.md"))
    assert len(pages) == len(FRONT_DOORS)
    for page in pages:
        headings = re.findall(r"^## (.+?)\s*$", page.read_text(), re.M)
        assert headings == FRONT_DOOR_SECTIONS, f"{page.relative_to(REPO)}: {headings}"


def test_front_door_pages_draw_the_request_path_and_the_dns_flow(site: Path):
    for page in sorted((REPO / "docs" / "front-doors").glob("*.md")):
        source = page.read_text()
        builds = source.split("## What it builds", 1)[1].split("\n## ", 1)[0]
        dns = source.split("## DNS flow", 1)[1].split("\n## ", 1)[0]
        assert "```mermaid" in builds and "```mermaid" in dns, page.name
        assert "<!-- reference: arguments" in source and "<!-- reference: outputs" in source, page.name
        html = page_html(site, f"front-doors/{page.name}")
        assert html.count('class="mermaid"') >= 2, page.name  # Material renders these in the browser
    assert 'class="mermaid"' in page_html(site, "index.md")


DEEP_LINKS_SECTION = "### Deep links: `app_links` and `well_known_origin`"


def deep_links_example(kind: str) -> tuple[str, dict[str, Any]]:
    """The Python program and the stack-file config of the example in the deep-links section of
    docs/front-doors/<kind>.md (issue 17: one complete example per front door)."""
    source = (REPO / "docs" / "front-doors" / f"{kind}.md").read_text()
    assert DEEP_LINKS_SECTION in source, f"{kind}.md has no deep-links section"
    section = re.split(r"^##+ ", source.split(DEEP_LINKS_SECTION, 1)[1], maxsplit=1, flags=re.M)[0]
    python = re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)
    stack = re.findall(r"^```yaml\n(.*?)^```", section, re.M | re.S)
    assert len(python) == 1 and len(stack) == 1, f"{kind}.md: one Python and one stack-file example, {python} {stack}"
    return python[0], yaml.safe_load(stack[0])["config"]


def _strings(value: Any) -> Iterator[str]:
    """Every string inside registered inputs (an asset's text too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, pulumi.StringAsset):
        yield value.text
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def answers_app_links(kind: str) -> bool:
    return contract.APP_LINKS in load_front_door(kind)[0].supports


@pytest.mark.parametrize("kind", [kind for kind in FRONT_DOORS if answers_app_links(kind)])
def test_each_front_door_page_has_a_complete_deep_link_example(kind: str):
    """Its Python form (tests/test_doc_snippets.py runs it too) and its stack-file form, added to the
    page's example stack, both serve the two files with the same bytes and use ``well_known_origin``."""
    python, config = deep_links_example(kind)
    files = resolve_app_links(config["tracking-cdn:appLinks"]).files
    assert {file.path for file in files} == {APPLE_PATH, ANDROID_PATH}
    program = compile(python, f"{kind}.md", "exec")
    runs: dict[str, OfflineRun] = {
        "Python": run_offline(lambda: exec(program, {"__name__": "__main__"})),
        "stack-file": run_stack(f"{kind}-example", config),
    }
    for form, run in runs.items():
        registered = "\n".join(_strings([resource.inputs for resource in run.resources]))
        for file in files:
            carried = (file.text, json.dumps(file.text), base64.b64encode(file.body).decode())  # Fastly: base64
            assert any(text in registered for text in carried), f"{form}: {file.path} not served"
        assert config["tracking-cdn:wellKnownOrigin"] in registered, f"{form}: well_known_origin not used"


@pytest.mark.parametrize("kind", [kind for kind in FRONT_DOORS if not answers_app_links(kind)])
def test_a_front_door_page_without_deep_links_says_they_are_refused(kind: str):
    source = (REPO / "docs" / "front-doors" / f"{kind}.md").read_text()
    section = source.split(DEEP_LINKS_SECTION, 1)[1].split("\n#", 1)[0]
    assert "refused" in section and "app_links" in section and "well_known_origin" in section


def test_a_broken_link_or_a_page_left_out_of_the_nav_fails_the_build(tmp_path: Path):
    project = _copy_of_the_docs(tmp_path)
    index = project / "docs" / "index.md"
    index.write_text(index.read_text() + "\n[gone](no-such-page.md) and [anchor](getting-started.md#no-such-anchor)\n")
    (project / "docs" / "orphan.md").write_text("# Not in the nav\n")
    done = build(project, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-page.md" in done.stderr and "no-such-anchor" in done.stderr, done.stderr
    assert "orphan.md" in done.stderr, done.stderr


def test_a_reference_directive_naming_nothing_fails_the_build(tmp_path: Path):
    project = _copy_of_the_docs(tmp_path)
    page = project / "docs" / "reference" / "cloudfront.md"
    page.write_text(page.read_text() + "\n<!-- reference: arguments tracking_cdn.aws.NoSuchArgs -->\n")
    done = build(project, tmp_path / "site")
    assert done.returncode != 0 and "NoSuchArgs" in done.stderr, done.stderr


def test_a_build_that_cannot_install_mermaid_fails_saying_so(tmp_path: Path):
    """A checkout whose Mermaid is not installed yet, built with no npm registry in reach (and an empty
    npm cache): the build fails saying what is missing and why, instead of publishing pages whose
    diagrams show as source text."""
    if not _offline():
        pytest.skip("needs a network namespace (unshare -rn): here npm would reach the registry")
    project = _copy_of_the_docs(tmp_path)
    shutil.rmtree(project / "docs" / "hooks" / "node_modules")
    done = build(project, tmp_path / "site", npm_config_fetch_retries="0")
    assert done.returncode != 0
    assert "Mermaid: the site's diagrams need @mermaid-js/tiny" in done.stderr, done.stderr
    assert "npm registry must be reachable" in done.stderr and "source text" in done.stderr, done.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def _copy_of_the_docs(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project)
    shutil.copytree(REPO / "docs", project / "docs")
    (project / "components").symlink_to(REPO / "components")
    return project


# --- README ---------------------------------------------------------------------------------------

README = REPO / "README.md"
LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def test_the_readme_is_short():
    assert len(README.read_text().splitlines()) <= README_MAX_LINES


@pytest.mark.parametrize("document", ["README.md", "CHANGELOG.md"])
def test_the_readme_and_changelog_links_work_on_github_and_on_the_site(site: Path, document: str):
    """Relative links to .md files resolve in the repository; their anchors exist on the built page."""
    targets = [match["target"] for match in LINK.finditer((REPO / document).read_text())]
    assert any(target.startswith("docs/") for target in targets)
    for target in targets:
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        assert (REPO / path).exists(), f"{document} links to {target}, which does not exist"
        if anchor and path.startswith("docs/") and path.endswith(".md"):
            html = page_html(site, path.removeprefix("docs/"))
            assert f'id="{anchor}"' in html, f"{document} links to {target}: no such anchor on the page"


def test_the_readme_has_what_a_new_user_needs():
    text = README.read_text()
    for front_door in ("cloudfront", "gcp", "azure", "cloudflare", "fastly"):
        assert f"(docs/front-doors/{front_door}.md)" in text
    assert "bash .ci/run" in text and ".venv/bin/tracking-cdn plan --stack cloudfront-example" in text
    assert "managed_certificate=True" in text  # when SparkPost's own HTTPS makes a front door unnecessary


# --- In a browser: headless Chromium, no network ----------------------------------------------------

MERMAID_FENCE = re.compile(r"^```mermaid\n(.*?)^```", re.M | re.S)
PAGES_WITH_DIAGRAMS = sorted(
    str(page.relative_to(REPO / "docs")) for page in (REPO / "docs").rglob("*.md") if MERMAID_FENCE.search(page.read_text())
)
FRONT_DOOR_PAGES = sorted(f"front-doors/{page.name}" for page in (REPO / "docs/front-doors").glob("*.md"))
REFERENCE_PAGES = sorted(str(page.relative_to(REPO / "docs")) for page in (REPO / "docs/reference").glob("*.md"))
SERVED = "http://docs.test"
"""A stand-in origin the browser fetches the site from, as from ``mkdocs serve`` (answered from the
built files by the test itself: nothing listens, nothing is resolved)."""
DESKTOP, PHONE = (1280, 900), (390, 844)
SCREENSHOTS = os.environ.get("TRACKING_CDN_SCREENSHOTS")
"""A directory to save a screenshot of every page the browser tests open, for review by eye."""


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = headless.find_chromium()
    if binary is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser tests cannot run: {reason}")
        pytest.skip(reason)
    return binary


def page_url(site: Path, source: str, origin: Optional[str] = None) -> str:
    """The URL of the page built from ``docs/<source>``: a file:// URL, or one under ``origin``."""
    stem = source.removesuffix(".md")
    path = "" if stem == "index" else stem.removesuffix("/index") + "/"
    return f"{origin}/{path}" if origin else (site / path / "index.html").as_uri()


def visit(browser: headless.Chromium, url: str, name: str) -> None:
    browser.open(url)
    if SCREENSHOTS:
        browser.screenshot(Path(SCREENSHOTS) / f"{name.replace('/', '-')}-{browser.width}.png")


def mermaid_sources(source: str) -> list[str]:
    return MERMAID_FENCE.findall((REPO / "docs" / source).read_text())


MERMAID_ERRORS = r"""
(async () => {
  // Why each diagram still left as source text was not drawn: Mermaid's own parse error.
  const errors = [];
  for (const [index, left] of [...document.querySelectorAll('pre.mermaid')].entries()) {
    try { await mermaid.parse(left.textContent); errors.push('parsed, not drawn: ' + left.textContent.slice(0, 60)); }
    catch (error) { errors.push(String(error.message || error).split('\n').slice(0, 3).join(' ')); }
  }
  return errors;
})()
"""


def drawn_diagrams(browser: headless.Chromium) -> list[tuple[int, int]]:
    """Width and height of every SVG Material drew into a diagram's (closed) shadow root."""
    sizes = []
    for node, in_shadow in headless.walk(browser.document()):
        if in_shadow and node.get("nodeName", "").lower() == "svg":
            box = browser.send("DOM.getBoxModel", {"nodeId": node["nodeId"]})["model"]
            sizes.append((box["width"], box["height"]))
    return sizes


@pytest.mark.parametrize(
    "origin, pages", [(None, PAGES_WITH_DIAGRAMS), (SERVED, ["index.md", *FRONT_DOOR_PAGES[:1]])], ids=["file", "served"]
)
def test_every_diagram_is_drawn_as_svg_with_no_network(site: Path, chromium: str, origin: Optional[str], pages: list[str]):
    """Opened from file:// (every page with a diagram) or from a server, with no network at all,
    every Mermaid fence is drawn by the Mermaid the site serves itself: an SVG of real size where the
    fence was, its source text gone, and no request for anything outside the site."""
    with headless.Chromium(chromium, width=DESKTOP[0], height=DESKTOP[1], served=(SERVED, site)) as browser:
        for source in pages:
            diagrams = mermaid_sources(source)
            assert diagrams, source
            visit(browser, page_url(site, source, origin), f"diagrams-{source}")
            drawn = browser.wait_until(f"document.querySelectorAll('div.mermaid').length >= {len(diagrams)}")
            if not drawn:
                mermaid = browser.evaluate("typeof mermaid") == "object"
                why = browser.evaluate(MERMAID_ERRORS) if mermaid else f"no Mermaid on the page: {browser.requests}"
                pytest.fail(f"{source}: diagrams left as source text: {why}")
            sizes = drawn_diagrams(browser)
            assert len(sizes) == len(diagrams), f"{source}: {len(diagrams)} diagrams, {len(sizes)} SVGs"
            assert all(width > 100 and height > 50 for width, height in sizes), f"{source}: {sizes}"
            text = browser.evaluate("document.body.innerText")
            for diagram in diagrams:
                assert diagram.splitlines()[0].strip() not in text, f"{source}: a diagram shows as source text"
        site_prefix = SERVED if origin else site.as_uri()
        outside = [url for url in browser.requests if not url.startswith((site_prefix, "data:"))]
        assert not outside, f"requests for something outside the site: {outside}"
        assert any(url.endswith("/assets/javascripts/mermaid.tiny.js") for url in browser.requests)


BROKEN_CODE_WORDS = r"""
(() => {
  // Every word of code in a table (a run of characters other than spaces, dots and slashes) drawn
  // on one line; each one that is not, with the text around the break.
  const broken = [];
  const range = document.createRange();
  for (const code of document.querySelectorAll('.md-typeset table code')) {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[^\s./]+/g)) {
        range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map(box => Math.round(box.top)));
        if (lines.size > 1) broken.push(`${word[0]} in ${code.textContent}`);
      }
    }
  }
  return broken;
})()
"""


@pytest.mark.parametrize(
    "viewport, pages", [(DESKTOP, ["index.md", *FRONT_DOOR_PAGES, *REFERENCE_PAGES]), (PHONE, REFERENCE_PAGES)],
    ids=["desktop", "phone"],
)
def test_no_code_in_a_reference_table_is_broken_inside_a_word(
    site: Path, chromium: str, viewport: tuple[int, int], pages: list[str]
):
    """An argument name (``cache_ttl_seconds``), a type or a value in a table may start a new line
    only between its words, never inside one: on a desktop, where the tables fit the page, and on a
    phone, where they scroll sideways instead."""
    with headless.Chromium(chromium, width=viewport[0], height=viewport[1]) as browser:
        checked = 0
        for source in pages:
            visit(browser, page_url(site, source), f"tables-{source}")
            assert browser.evaluate(BROKEN_CODE_WORDS) == [], source
            checked += browser.evaluate("document.querySelectorAll('.md-typeset table code').length")
        assert checked > 500


NAVIGATION_LABELS = r"""
(() => {
  // Each label of the main navigation that is on screen (a phone's drawer shows one level at a
  // time, the others slid out to its right): its text, and whether it ends past the navigation's
  // right edge (cut off, or hidden behind an ellipsis).
  const right = document.querySelector('.md-sidebar--primary .md-sidebar__scrollwrap').getBoundingClientRect().right;
  const range = document.createRange();
  return [...document.querySelectorAll('.md-sidebar--primary .md-nav__link .md-ellipsis')]
    .filter(label => label.offsetParent !== null && label.textContent.trim())
    .map(label => { range.selectNodeContents(label); return [label, range.getBoundingClientRect()]; })
    .filter(([label, box]) => box.width > 0 && box.left < right)
    .map(([label, box]) => [label.textContent.trim(), box.right > right + 0.5]);
})()
"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_navigation_shows_every_label_whole(site: Path, chromium: str, viewport: tuple[int, int]):
    """Every component's name is shown whole in the navigation (``GcpLoadBalancerTrackingDomain``
    was cut off as "GcpLoadBalancerTrackingDo…"), in the sidebar and in a phone's drawer."""
    with headless.Chromium(chromium, width=viewport[0], height=viewport[1]) as browser:
        visit(browser, page_url(site, "reference/gcp.md"), "navigation")
        browser.evaluate("document.getElementById('__drawer').checked = true")  # a phone's menu, opened
        browser.wait_until("document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0")
        labels = dict(browser.evaluate(NAVIGATION_LABELS))
        assert "GcpLoadBalancerTrackingDomain" in labels and "AzureFrontDoorTrackingDomain" in labels, labels
        assert not [label for label, cut in labels.items() if cut], labels


def test_no_navigation_section_repeats_its_name(site: Path):
    """A section's own page is the section ("Reference"), not a child named like it ("Reference ›
    Reference")."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    repeated = []

    def check(items: list[Any], section: Optional[str]) -> None:
        for item in items:
            title, target = next(iter(item.items())) if isinstance(item, dict) else (None, item)
            if isinstance(target, list):
                check(target, title)
            elif section and (title or _page_title(target)) == section:
                repeated.append(f"{section} › {section}")

    check(config["nav"], None)
    assert not repeated
    index_pages = [item for item in _nav_items(config["nav"]) if isinstance(item, str) and item.endswith("/index.md")]
    assert index_pages and "navigation.indexes" in config["theme"]["features"], index_pages
    html = page_html(site, "reference/index.md")
    assert not re.search(r">\s*Reference\s*</span>\s*</a>\s*</li>", html.split('class="md-nav__list"', 2)[-1])


def _page_title(source: str) -> str:
    first = re.search(r"^# (.+)$", (REPO / "docs" / source).read_text(), re.M)
    return first[1].strip().strip("`") if first else source


def _nav_items(items: list[Any]) -> Iterator[Any]:
    for item in items:
        target = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(target, list):
            yield from _nav_items(target)
        else:
            yield target


def test_the_import_story_is_one_story_with_the_pulumi_cli_version_it_depends_on():
    """pulumi/pulumi#19339 (Pulumi CLI 3.174.0): the import option imports a differing resource, then updates
    it. The pages that adopt live records tell that once, with the version, and link to it."""
    anchor = "dns-and-migration.md#adopting-a-record-that-already-exists-import-and-the-pulumi-cli-version"
    story = (REPO / "docs" / "dns-and-migration.md").read_text()
    assert "3.174.0" in story and "pulumi/pulumi#19339" in story and "`pulumi import`" in story
    for page in ("azure", "gcp", "cloudflare"):
        text = (REPO / "docs" / "front-doors" / f"{page}.md").read_text()
        assert anchor in text and "3.174.0" in text, page
        assert "adoption would fail" not in text and "import fails on the difference" not in text, page
