"""MkDocs hook: the argument and output reference, generated from the code when the site is built.

One source of truth: the tables are rendered from the components' own ``...Args`` TypedDicts (a
docstring under each field), their ``pulumi.Output[...]`` annotations (a docstring under each) and
``tracking_cdn.esp.PROFILES`` — never retyped. Fields are read statically with griffe (the library
mkdocstrings uses), so building the site imports no cloud SDK; griffe follows the TypedDict bases,
so a front door's table includes the common arguments it inherits from ``TrackingDomainArgs``
(Pulumi's own schema inference does not, see ``tracking_cdn.provider``).

A page asks for a table with a directive alone on its line, an HTML comment (invisible on GitHub):

    <!-- reference: arguments tracking_cdn.aws.CloudFrontTrackingDomainArgs -->      every argument
    <!-- reference: arguments tracking_cdn.aws.CloudFrontTrackingDomainArgs own -->  declared there only
    <!-- reference: outputs tracking_cdn.aws.CloudFrontTrackingDomain [own] -->      the Output attributes
    <!-- reference: fields tracking_cdn.contract.DnsRecord -->                        a TypedDict's fields
    <!-- reference: docstring tracking_cdn.aws.CloudFrontTrackingDomain -->          the class docstring
    <!-- reference: esp-profiles -->                                                 the ESP profiles

Each row carries an anchor ``<class name in lower case>-<field>`` for deep links. The default
column is read from the field's docstring, which states it in one of a few fixed forms (see
``DEFAULT``); "—" means the argument is not set unless given. An output without a docstring that
repeats an argument of the same name (``SparkPostTrackingDomain.domain``) is described by that
argument's docstring. ``tests/test_docs_site.py`` builds the site and checks that every argument and
output of every component appears in the reference with a description, and that every default shown
is the one the code reads the argument with.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import griffe
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ROOT / "components"
PACKAGE = "tracking_cdn"

DIRECTIVE = re.compile(
    r"^<!--\s*reference:\s*(?P<kind>[\w-]+)(?:\s+(?P<target>[\w.]+))?(?:\s+(?P<scope>own))?\s*-->[ \t]*$", re.M
)
DEFAULT = re.compile(
    # "``alias`` (default; ...)", "sparkpost (default)", "PriceClass_All (default, ...)"
    r"(?P<named>``[^`]+``|\b[\w.-]+)\s+\(default[,;)]"
    # "default: ``resource_group_name``", "Default: none", "default: the provider's project", or a value
    # right after the word: "(default 10; ...)", "Default False: ...", "Default True in proxy mode; ..."
    r"|\b[Dd]efault(?::\s+|\s+(?=``|-?\d|True\b|False\b|none\b))"
)
"""Where a docstring states its default. The default itself is the clause that follows (``_clause``):
one literal (``True``, ``10``, a ``code`` value) shown as code, "none" shown as "—", anything else
shown as the words the docstring uses."""
LITERAL = re.compile(r"``[^`]+``|-?\d+|True|False")
BACKTICKS = re.compile(r"`+")
WRAPPERS = re.compile(r"\b(?:typing\.)?(?:NotRequired|Required)\[(.*)\]$")


@dataclass(frozen=True)
class Field:
    """One argument or output as the reference shows it."""

    name: str
    type: str
    description: str
    declared_in: str
    required: bool = False
    default: Optional[str] = None


def load(path: str) -> griffe.Class:
    """The class at dotted ``path`` (``tracking_cdn.aws.CloudFrontTrackingDomainArgs``), read from source."""
    package = _package()
    found = package[path.removeprefix(f"{PACKAGE}.")]
    if not isinstance(found, griffe.Class):
        raise ValueError(f"{path} is not a class")
    return found


_loaded: dict[str, griffe.Module] = {}


def _package() -> griffe.Module:
    if PACKAGE not in _loaded:
        _loaded[PACKAGE] = griffe.load(PACKAGE, search_paths=[str(COMPONENTS)])
    return _loaded[PACKAGE]


def _attributes(cls: griffe.Class, own: bool) -> list[griffe.Attribute]:
    """Annotated class attributes in declaration order, inherited ones (bases first) unless ``own``."""
    ordered: list[griffe.Attribute] = []
    classes = [cls] if own else [*reversed(cls.mro()), cls]
    seen: set[str] = set()
    for declaring in classes:
        for name, member in declaring.members.items():
            if isinstance(member, griffe.Attribute) and member.annotation is not None and name not in seen:
                seen.add(name)
                ordered.append(cls.all_members[name] if name in cls.all_members else member)
    return ordered


def arguments(path: str, own: bool = False) -> list[Field]:
    """The fields of the TypedDict at ``path`` (with the inherited ones unless ``own``)."""
    cls = load(path)
    fields = []
    for attribute in _attributes(cls, own):
        annotation = str(attribute.annotation)
        description = _docstring(attribute)
        fields.append(
            Field(
                name=attribute.name,
                type=_type(annotation),
                description=description,
                declared_in=_declaring_class(attribute),
                required=not annotation.startswith("NotRequired["),
                default=_default(description),
            )
        )
    return fields


def outputs(path: str, own: bool = False, arguments_path: Optional[str] = None) -> list[Field]:
    """The ``pulumi.Output[...]`` attributes of the component at ``path``."""
    cls = load(path)
    described_arguments = {field.name: field for field in arguments(arguments_path)} if arguments_path else {}
    fields = []
    for attribute in _attributes(cls, own):
        annotation = str(attribute.annotation)
        match = re.fullmatch(r"(?:pulumi\.)?Output\[(.*)\]", annotation)
        if not match:
            continue
        description = _docstring(attribute)
        if not description and attribute.name in described_arguments:
            description = f"As the argument `{attribute.name}`: {described_arguments[attribute.name].description}"
        fields.append(Field(attribute.name, _type(match[1]), description, _declaring_class(attribute)))
    return fields


def arguments_type_of(component_path: str) -> str:
    """The dotted path of the TypedDict a component's ``__init__`` takes as ``args``."""
    component = load(component_path)
    init = component.all_members["__init__"]
    annotation = init.parameters["args"].annotation
    if hasattr(annotation, "canonical_path"):
        return annotation.canonical_path
    return f"{component.module.path}.{annotation}"


def _docstring(attribute: griffe.Attribute) -> str:
    return " ".join(attribute.docstring.value.split()) if attribute.docstring else ""


def _declaring_class(attribute: griffe.Object) -> str:
    target = attribute.target if isinstance(attribute, griffe.Alias) else attribute
    return target.parent.name if target.parent is not None else ""


def _type(annotation: str) -> str:
    match = WRAPPERS.fullmatch(annotation)
    annotation = match[1] if match else annotation
    return annotation.replace("pulumi.", "")


def _default(description: str) -> Optional[str]:
    match = DEFAULT.search(description)
    if not match:
        return None
    if match["named"]:
        return _code(match["named"])
    stated = _clause(description, match.end())
    if not stated:
        return None
    if re.match(r"none\b", stated):
        return "—"
    return _code(stated) if LITERAL.fullmatch(stated) else stated


def _clause(text: str, start: int) -> str:
    """The clause of ``text`` from ``start`` up to the first ``;``, ``,``, ``:``, sentence end or
    closing parenthesis that is not inside a code span or a parenthesis the clause opened: a
    parenthesis or code span is never cut in two (a cut one would break the table cell)."""
    depth, opened, index = 0, start, start
    while index < len(text):
        ticks = BACKTICKS.match(text, index)
        if ticks:
            closing = re.compile(rf"(?<!`){ticks[0]}(?!`)").search(text, ticks.end())
            if closing is None:  # a code span that never closes: the clause ends before it
                break
            index = closing.end()
            continue
        char = text[index]
        if char == "(":
            opened = index if depth == 0 else opened
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (char in ";,:" or char == "." and text[index + 1 : index + 2] in ("", " ")):
            break
        index += 1
    if depth:  # a parenthesis that never closes: the clause ends before it
        index = opened
    return text[start:index].strip()


def _code(text: str) -> str:
    return text if text.startswith("``") else f"``{text}``"


def markdown_text(text: str) -> str:
    """A docstring's reST-flavoured inline text as Markdown safe in a table cell: ``code`` and
    :role:`name` become code spans, angle brackets outside code are escaped, pipes too."""
    text = re.sub(r":\w+:`([^`]+)`", r"``\1``", text)
    parts = re.split(r"(``[^`]+``)", text)
    rendered = []
    for part in parts:
        if part.startswith("``") and part.endswith("``") and len(part) > 4:
            rendered.append("`" + part[2:-2].replace("|", "\\|") + "`")
        else:
            rendered.append(part.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|"))
    return "".join(rendered)


def _anchor(owner: str, name: str) -> str:
    return f'<a id="{owner.lower()}-{name}"></a>'


def _name_cell(owner: str, field: Field) -> str:
    """The field's name with its anchor, marked as common when a base class declares it."""
    common = "" if field.declared_in == owner else f"<br><small>common, from `{field.declared_in}`</small>"
    return f"{_anchor(owner, field.name)}`{field.name}`{common}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def arguments_table(path: str, own: bool = False) -> str:
    owner = path.rsplit(".", 1)[-1]
    return _table(
        ["argument", "type", "default", "description"],
        [
            [
                _name_cell(owner, field),
                f"`{markdown_text(field.type)}`",
                "**required**" if field.required else markdown_text(field.default or "—"),
                markdown_text(field.description),
            ]
            for field in arguments(path, own)
        ],
    )


def fields_table(path: str) -> str:
    """The fields of a TypedDict that is a value's shape rather than arguments (``DnsRecord``)."""
    owner = path.rsplit(".", 1)[-1]
    return _table(
        ["field", "type", "description"],
        [[_name_cell(owner, f), f"`{markdown_text(f.type)}`", markdown_text(f.description)] for f in arguments(path)],
    )


def outputs_table(path: str, own: bool = False) -> str:
    owner = path.rsplit(".", 1)[-1]
    try:
        arguments_path: Optional[str] = arguments_type_of(path)
    except KeyError:  # a base class such as TrackingDomainComponent takes no ``args``
        arguments_path = None
    return _table(
        ["output", "type", "description"],
        [
            [_name_cell(owner, f), f"`{markdown_text(f.type)}`", markdown_text(f.description)]
            for f in outputs(path, own, arguments_path)
        ],
    )


def docstring(path: str) -> str:
    cls = load(path)
    if cls.docstring is None:
        raise ValueError(f"{path} has no docstring")
    paragraphs = [" ".join(paragraph.split()) for paragraph in cls.docstring.value.split("\n\n")]
    return "\n\n".join(markdown_text(paragraph) for paragraph in paragraphs)


def esp_profiles_table() -> str:
    """``tracking_cdn.esp.PROFILES`` as a table (esp.py imports no Pulumi SDK)."""
    if str(COMPONENTS) not in sys.path:
        sys.path.insert(0, str(COMPONENTS))
    from tracking_cdn.esp import DEFAULT_ESP, PROFILES

    rows = []
    for profile in PROFILES.values():
        origin = f"`{profile.origin_host}`" if profile.origin_host else f"from `{profile.requires}`"
        origin += " over plain HTTP" if profile.origin_protocol == "http" else ""
        host = "the tracking domain" if profile.needs_tracking_host_header else "the origin host"
        statuses = ", ".join(str(status) for status in profile.health_statuses)
        server = f", `Server: {profile.server_header}`" if profile.server_header else ""
        name = f"`{profile.name}`" + (" (default)" if profile.name == DEFAULT_ESP else "")
        cookies = "all" if profile.needs_cookies else "as sent"
        health = f"`{profile.health_path}` → {statuses}{server}" if profile.health_path else "none documented: reachability"
        description = markdown_text(profile.description)
        rows.append([_anchor("esp", profile.name) + name, origin, host, cookies, health, description])
    header = ["`esp`", "origin host", "`Host` the ESP receives", "cookies forwarded", "health check", "description"]
    return _table(header, rows)


def render(kind: str, target: Optional[str], own: bool) -> str:
    """The Markdown a directive stands for."""
    if kind == "esp-profiles":
        return esp_profiles_table()
    if target is None:
        raise ValueError(f"reference directive {kind!r} needs a target")
    if kind == "arguments":
        return arguments_table(target, own)
    if kind == "outputs":
        return outputs_table(target, own)
    if kind == "fields":
        return fields_table(target)
    if kind == "docstring":
        return docstring(target)
    raise ValueError(f"unknown reference directive {kind!r}")


def expand(markdown: str) -> str:
    """``markdown`` with every directive replaced by what it stands for."""
    return DIRECTIVE.sub(lambda match: render(match["kind"], match["target"], bool(match["scope"])), markdown)


def on_pre_build(**_: Any) -> None:
    """MkDocs event: read the code afresh for every build (``mkdocs serve`` rebuilds on each change)."""
    _loaded.clear()


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """MkDocs event: expand the directives of each page before it is converted to HTML."""
    try:
        return expand(markdown)
    except (KeyError, ValueError) as error:  # a misspelt target must fail the build, not vanish
        raise PluginError(f"{page.file.src_uri}: reference directive: {error}") from error
