"""Reading the YAML and JSON documents tracking-cdn is handed, in bounded time and memory.

Every document the project reads goes through here: ``Pulumi.yaml`` and stack files
(:func:`load_yaml`), plans given to ``plan --against``, app-link files (given to a front door, to
``tracking-cdn proxy``, or fetched by ``tracking-cdn check --app-links``) and the JSON config values
the stack program reads (:func:`load_json`). A document beyond these bounds is refused with one
:class:`DocumentError` line (saying where in YAML), before the rest of tracking-cdn walks it:

- **aliases** (YAML): a document whose aliases make up most of it once expanded is refused as the
  Pulumi CLI's YAML parser (Go yaml.v3) refuses it, "excessive aliasing": more than 100 aliased
  nodes among more than 1,000, at a ratio above yaml.v3's (99 % up to 400,000 nodes, falling to
  10 % at 4,000,000; gopkg.in/yaml.v3 decode.go, ``allowedAliasRatio``), here over the whole
  document. A ~500-byte file of nested aliases (the "billion laughs") would otherwise expand to
  gigabytes. An anchor that contains its own alias is refused too.
- **nesting**: at most :data:`MAX_DEPTH` levels of lists and objects, aliases expanded (no
  document we read needs ten; Python's parsers and the code walking their result recurse per level).
- **integers**: at most :data:`MAX_INTEGER_DIGITS` digits, which holds every 64-bit integer (no
  setting, plan or app-link file needs more, and Python refuses to convert past 4,300 digits).
- **numbers beyond a 64-bit float** (``1e400``, valid JSON syntax) are refused: Python and
  JavaScript's ``JSON.parse`` read Infinity, which JSON cannot write back, and other parsers refuse
  the number (RFC 8259 section 6 leaves such numbers to each implementation). ``NaN`` and
  ``Infinity`` are not JSON and are refused as such.

YAML is read as the Pulumi CLI reads it (YAML 1.2 core schema, see :func:`load_yaml`).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Optional

MAX_DEPTH = 64
"""Levels of nested lists and objects a document may have (aliases expanded)."""
MAX_INTEGER_DIGITS = 20
"""Digits an integer may have: every 64-bit integer, signed or not, has at most 20."""
ALIAS_MIN_ALIASED, ALIAS_MIN_NODES = 100, 1000
ALIAS_RATIO_LOW, ALIAS_RATIO_HIGH = 400_000, 4_000_000
"""yaml.v3's bounds: below ``ALIAS_RATIO_LOW`` nodes 99 % may be aliased, above ``ALIAS_RATIO_HIGH`` 10 %."""


class DocumentError(ValueError):
    """A document refused while reading it; ``reason`` completes the sentence "<source> ...", and
    ``str()`` is ``"<source>: <reason>"``, one line."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


# --- JSON -------------------------------------------------------------------------------------------


def load_json(text: str | bytes, source: str, *, unique_keys: bool = False) -> Any:
    """The JSON document ``text`` (read from ``source``), refusing what the module docstring lists
    and, with ``unique_keys``, an object with the same key twice (parsers disagree on which wins)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DocumentError(source, f"is not UTF-8 text: {error}") from None

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        document = dict(pairs)
        if len(document) < len(pairs):
            seen: set[str] = set()
            duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
            raise DocumentError(source, f"has the key {duplicate!r} twice in one object (parsers disagree on which wins)")
        return document

    def no_constant(name: str) -> Any:
        raise DocumentError(source, f"is not valid JSON: {name} is not a JSON number")

    try:
        document = json.loads(
            text, object_pairs_hook=no_duplicates if unique_keys else None, parse_constant=no_constant,
            parse_int=lambda digits: _integer(digits, source), parse_float=lambda digits: _float(digits, source),
        )
    except json.JSONDecodeError as error:
        raise DocumentError(
            source, f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:  # nested thousands of levels deep: beyond what the parser itself can read
        raise DocumentError(source, f"is nested more than {MAX_DEPTH} levels deep") from None
    if isinstance(document, (dict, list)):
        _check_json_depth(document, source)
    return document


def _check_json_depth(document: Any, source: str) -> None:
    """Refuse ``document`` nested deeper than ``MAX_DEPTH``: a walk without recursion, after the
    parse (the C parser is fast, and refuses what would exhaust the stack itself), one level of
    lists and objects at a time (no bookkeeping per value)."""
    level, depth = [document], 1
    while level:
        if depth > MAX_DEPTH:
            raise DocumentError(source, f"is nested more than {MAX_DEPTH} levels deep")
        below = []
        for value in level:
            below.extend(child for child in (value.values() if isinstance(value, dict) else value)
                         if isinstance(child, (dict, list)))
        level, depth = below, depth + 1


def _integer(digits: str, source: str) -> int:
    if len(digits.lstrip("-+")) > MAX_INTEGER_DIGITS:
        raise DocumentError(source, _too_many_digits(digits))
    return int(digits)


def _float(text: str, source: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise DocumentError(source, _out_of_float_range(text))
    return value


def _too_many_digits(digits: str, where: str = "", text_hint: str = "") -> str:
    count = len(digits.lstrip("-+"))
    return (f"has an integer of {count} digits{where} ({_abbreviated(digits)}); at most {MAX_INTEGER_DIGITS} are read "
            f"(every 64-bit integer){text_hint}")


def _out_of_float_range(text: str, where: str = "", text_hint: str = "") -> str:
    return (f"has the number {_abbreviated(text)}{where}, beyond the range of a 64-bit float (about 1.8e308): parsers "
            f"read it as Infinity or refuse it; write a smaller number{text_hint}")


_QUOTE_IF_TEXT = "; quote it (\"...\") if it is text, such as an id"


def _abbreviated(text: str, keep: int = 12) -> str:
    return text if len(text) <= 2 * keep + 3 else f"{text[:keep]}...{text[-keep:]}"


# --- YAML -------------------------------------------------------------------------------------------


def load_yaml(text: str, source: str) -> Any:
    """The YAML document ``text`` (read from ``source``) as the Pulumi CLI (Go yaml.v3, YAML 1.2 core
    schema) reads it: only true/false are booleans (``yes``, ``on`` stay strings), decimal integers
    only (``010`` is ten), dates stay strings; a key given twice in a mapping is refused ("mapping
    key ... already defined at line N", yaml.v3's words; PyYAML alone keeps the last value); and the
    bounds of the module docstring, checked on the parsed nodes before any value is built. Syntax
    errors say where: "invalid YAML at line L, column C: ..."."""
    import yaml

    try:
        return yaml.load(text, Loader=_pulumi_yaml_loader(source))  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DocumentError(source, f"invalid YAML{where}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise DocumentError(source, f"invalid YAML: {str(error).splitlines()[0]}") from None


_LOADER: Any = None


def _pulumi_yaml_loader(source: str) -> Any:
    global _LOADER
    if _LOADER is None:
        _LOADER = _define_loader()
    return lambda stream: _LOADER(stream, source)


def _define_loader() -> Any:
    import yaml

    class PulumiYamlLoader(yaml.SafeLoader):
        def __init__(self, stream: Any, source: str) -> None:
            super().__init__(stream)
            self.source = source
            self.depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            # The composer recurses once per level: stop before Python's recursion limit does.
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise DocumentError(
                        self.source, f"is nested more than {MAX_DEPTH} levels deep (line {mark.line + 1}, "
                        f"column {mark.column + 1})"
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_document(self, node: Any) -> Any:
            _check_expansion(node, self.source)  # before anything is built: merge keys copy what they merge
            return super().construct_document(node)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                if key in first_line:
                    raise yaml.constructor.ConstructorError(
                        None, None, f'mapping key "{key}" already defined at line {first_line[key]}', key_node.start_mark
                    )
                first_line[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep)

        def construct_decimal(self, node: Any) -> int:
            digits = self.construct_scalar(node)
            if len(digits.lstrip("-+")) > MAX_INTEGER_DIGITS:
                raise DocumentError(self.source, _too_many_digits(digits, f" at {_mark(node)}", _QUOTE_IF_TEXT))
            return int(digits, 10)

        def construct_finite_float(self, node: Any) -> float:
            value = self.construct_yaml_float(node)
            if math.isinf(value) and "inf" not in node.value.lower():  # .inf is YAML's own infinity
                raise DocumentError(self.source, _out_of_float_range(node.value, f" at {_mark(node)}", _QUOTE_IF_TEXT))
            return value

    replaced = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp"}
    PulumiYamlLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in replaced]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    PulumiYamlLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    PulumiYamlLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
    PulumiYamlLoader.add_constructor("tag:yaml.org,2002:int", PulumiYamlLoader.construct_decimal)
    PulumiYamlLoader.add_constructor("tag:yaml.org,2002:float", PulumiYamlLoader.construct_finite_float)
    return PulumiYamlLoader


def _mark(node: Any) -> str:
    return f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}"


def _check_expansion(root: Any, source: str) -> None:
    """Refuse ``root`` (a composed YAML node graph, where an alias is the anchored node itself) when
    its aliases expand it as yaml.v3 would refuse, or deeper than ``MAX_DEPTH``; in time linear in
    the number of nodes written, whatever they expand to.

    Per node, children first: ``decodes``, the nodes yaml.v3 decodes for it (an alias counts itself
    and its anchor's decodes); ``aliased``, those of them decoded through an alias when the node is
    decoded where it is written; ``depth``, its nesting once expanded. A depth-first walk in document
    order meets each node first where it is written (YAML defines an anchor before its aliases);
    every later edge to it is an alias, and one to a node still being walked is an anchor
    containing itself."""
    decodes: dict[int, int] = {}
    aliased: dict[int, int] = {}
    depth: dict[int, int] = {}
    # Frames of the walk: [node, its children, how many were looked at, which edges are aliases].
    frames: list[list[Any]] = [[root, _children(root), 0, []]]
    walking = {id(root)}
    while frames:
        frame = frames[-1]
        node, children, looked_at, alias_edges = frame
        if looked_at < len(children):
            child = children[looked_at]
            frame[2] += 1
            if id(child) in walking:
                raise DocumentError(source, f"the anchor at {_mark(child)} contains an alias of itself")
            alias_edges.append(id(child) in decodes)
            if id(child) not in decodes:
                walking.add(id(child))
                frames.append([child, _children(child), 0, []])
            continue
        frames.pop()
        walking.discard(id(node))
        edges = list(zip(children, alias_edges))
        decodes[id(node)] = 1 + sum(decodes[id(child)] + is_alias for child, is_alias in edges)
        aliased[id(node)] = sum(decodes[id(child)] if is_alias else aliased[id(child)] for child, is_alias in edges)
        depth[id(node)] = 0 if _is_scalar(node) else 1 + max((depth[id(child)] for child in children), default=0)
        if depth[id(node)] > MAX_DEPTH:
            raise DocumentError(
                source, f"is nested more than {MAX_DEPTH} levels deep once its aliases are expanded ({_mark(node)})"
            )
    total, through_aliases = decodes[id(root)], aliased[id(root)]
    if through_aliases > ALIAS_MIN_ALIASED and total > ALIAS_MIN_NODES and through_aliases / total > _allowed_alias_ratio(total):
        raise DocumentError(
            source, f"contains excessive aliasing: its aliases expand it to {total:,} nodes, {through_aliases:,} of them "
            "through aliases (the Pulumi CLI refuses it too); write the values out instead of nesting aliases"
        )


def _is_scalar(node: Any) -> bool:
    return isinstance(node.value, str)


def _children(node: Any) -> list[Any]:
    """A collection node's nodes in document order (a mapping's keys and values, alternately)."""
    if _is_scalar(node):
        return []
    return [item for entry in node.value for item in (entry if isinstance(entry, tuple) else (entry,))]


def _allowed_alias_ratio(decodes: int) -> float:
    """yaml.v3's ``allowedAliasRatio``."""
    if decodes <= ALIAS_RATIO_LOW:
        return 0.99
    if decodes >= ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decodes - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW)
