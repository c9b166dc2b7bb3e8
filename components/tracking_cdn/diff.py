"""``tracking-cdn plan --against``: what ``pulumi up`` would do to go from one plan to another, offline.

Both sides are plan documents (``tracking-cdn plan --json``, format 1, docs/development.md). Resources
are matched by URN, honouring ``aliases`` (also those a child inherits from its parent's). Each custom
resource is then ``create``, ``delete``, ``update`` (the inputs that change), ``replace`` (the input
that forces it, from ``replacements.TABLE``), ``same``, or ``review`` (changed, but the table has no
rules for its type: never silently an update). Components are only created or deleted.

Pulumi's semantics, as the diff applies them:

- An input whose ``propertyDependencies`` include a resource created or replaced in this diff is
  *unknown after apply* where its value holds something only the cloud computes (an offline
  placeholder ``<...>``); a value that merely echoes known inputs stays known. The plan records
  dependencies per top-level property, not per value, so each such value is attributed to the
  dependency it names (``_value_source``: the offline engine builds a computed value from its
  resource's name or inputs); a value that names none of them is taken as unknown whenever one of them
  is created or replaced. An unknown value in a forcing property forces a replacement, and the
  replacement cascades, so resources are processed in dependency order.
- Outputs of a resource *updated* in place are taken as unchanged (a bridged provider keeps a computed
  attribute's prior value unless it marks it new); where the table says an update recomputes outputs,
  the inputs that may carry them are flagged, without forcing anything: the plan does not record which
  output an input came from.
- An input path in ``ignoreChanges`` keeps its deployed (old) value, known, whatever the new plan says.
- A replacement creates the new resource, then deletes the old one, unless ``deleteBeforeReplace``
  (the option, or the provider's own rule) reverses that order. A change of explicit provider
  replaces the resource. A different parent or type without an alias is a different URN: delete and
  create.
- ``pulumi up`` refuses to replace or delete a resource protected in the state (the old plan's
  ``protect``): each such step is a *blocker*. So is a step a known API rule refuses
  (``replacements.ApiRule``, e.g. Fastly's edit of a subscription with active domains): ``pulumi up``
  fails on it.
- A list is a set of names (shown as the items added and removed) unless the table says its order
  matters (``TypeRules.ordered``: compared by position); a list of objects is compared by position,
  and shown as the items added and removed when they shifted (``shifts_as_sets``).

Beyond Pulumi's own rule, ``https_losses`` checks that no host name a certificate serves in both plans
is left without an issued certificate: a certificate serving live names may be replaced only when
what attaches the new one waits for its issuance (``replacements.ISSUANCE_WAITERS``).

Pure: standard library, ``documents`` and ``replacements`` only.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Collection, Iterator, Mapping, Optional, Sequence

from . import readiness
from .documents import DocumentError, load_json
from .replacements import (
    CERTIFICATES, ISSUANCE_WAITERS, ApiRule, certificate_names, normalize_path, paths_overlap, rules_for,
)

PLAN_FORMAT = 1
DIFF_FORMAT = 1
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
SECRET_PLACEHOLDER = "<secret>"
PLACEHOLDER = re.compile(r"<[^<>]+>")
"""How the offline engine writes a value only the cloud computes."""
UNKNOWN = "<unknown after apply>"
RESOURCE_KEYS = ("urn", "type", "name", "parent", "custom", "protect", "inputs")
ACTIONS = ("create", "update", "replace", "delete", "review", "same")
NOTICE = (
    "OFFLINE DIFF - not a cloud preview. Both plans were rendered under Pulumi's mock engine; no state was read.\n"
    "It cannot see drift, secrets' values, provider defaults or API rules: run `pulumi preview --stack {stack}`\n"
    "with credentials before `pulumi up` (docs/plan-and-diff.md)."
)
BLOCKER_EXIT_CODE = 1


class NotAPlan(ValueError):
    """A document ``--against`` cannot compare with; the message says why in one line."""


# --- reading the documents ---------------------------------------------------------------------------


def load_plan(text: str, source: str) -> dict[str, Any]:
    """The plan document in ``text`` (read from ``source``), checked for what the diff relies on."""
    try:
        document = load_json(text, source)
    except DocumentError as error:
        raise NotAPlan(f"{error}; give the output of `tracking-cdn plan --stack <stack> --json`") from None
    if not isinstance(document, dict) or "format" not in document:
        raise NotAPlan(f"{source}: not a plan document (no `format`); give the output of "
                       "`tracking-cdn plan --stack <stack> --json`")
    if document.get("document") == "diff":
        raise NotAPlan(f"{source}: a diff, not a plan; give the output of `tracking-cdn plan --stack <stack> --json`")
    if document["format"] != PLAN_FORMAT:
        raise NotAPlan(f"{source}: plan format {document['format']!r}; this tracking-cdn reads format {PLAN_FORMAT} "
                       "(render the plan again with this version)")
    resources = document.get("resources")
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise NotAPlan(f"{source}: `resources` is not a list of resources; not a plan document")
    for index, resource in enumerate(resources):
        missing = [key for key in RESOURCE_KEYS if key not in resource]
        if missing:
            raise NotAPlan(f"{source}: resources[{index}] has no {', '.join(missing)}; not a plan document")
    for key in ("project", "stack"):
        if not isinstance(document.get(key), str):
            raise NotAPlan(f"{source}: no `{key}`; not a plan document")
    return document


def check_comparable(old: Mapping[str, Any], new: Mapping[str, Any], source: str) -> None:
    """Refuse comparing plans of different projects or stacks (their URNs never match)."""
    for key in ("project", "stack"):
        if old[key] != new[key]:
            raise NotAPlan(f"{source}: a plan of {key} {old[key]!r}, not {new[key]!r}; compare plans of the same "
                           f"{key} (render it with `tracking-cdn plan --stack {new['stack']} --json` before the change)")


# --- the result ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One input path that changes: ``old`` -> ``new`` (``new`` is ``UNKNOWN`` when only known after apply)."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ResourceDiff:
    urn: str
    type: str
    name: str
    custom: bool
    action: str
    protect: bool
    """The protection ``pulumi up`` checks: the old plan's (the state's), the new plan's for a create."""
    changes: tuple[Change, ...] = ()
    reason: str = ""
    """Why it is replaced (or why it needs review), in words."""
    forcing_path: str = ""
    source: str = ""
    """Where the forcing rule comes from."""
    delete_before_replace: bool = False
    notes: tuple[str, ...] = ()
    old_urn: str = ""
    """The old URN when an alias carried the resource over (else equal to ``urn``)."""
    refusal: str = ""
    """Set when a known API rule refuses this step (``pulumi up`` fails on it): what it refuses."""
    refusal_source: str = ""
    refusal_remedy: str = ""

    @property
    def stopped_by_protection(self) -> bool:
        """Pulumi refuses the step: it replaces or deletes a resource protected in the state."""
        return self.protect and self.action in ("replace", "delete")

    @property
    def blocker(self) -> bool:
        return self.stopped_by_protection or bool(self.refusal)

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "oldUrn": self.old_urn,
            "type": self.type,
            "name": self.name,
            "custom": self.custom,
            "action": self.action,
            "protect": self.protect,
            "blocker": self.blocker,
            "changes": [{"path": c.path, "old": c.old, "new": c.new} for c in self.changes],
            "reason": self.reason,
            "forcingPath": self.forcing_path,
            "source": self.source,
            "deleteBeforeReplace": self.delete_before_replace,
            "notes": list(self.notes),
            "refusal": self.refusal,
            "refusalSource": self.refusal_source,
            "safePath": safe_path(self) if self.blocker else "",
        }


@dataclass(frozen=True)
class HttpsLoss:
    """A host name served with HTTPS in both plans whose certificate goes before a new one is issued."""

    name: str
    certificate: str
    """URN of the certificate resource replaced or deleted."""
    why: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "certificate": self.certificate, "why": self.why}


@dataclass
class Diff:
    project: str
    stack: str
    resources: list[ResourceDiff]
    """New-plan order (tree order), then the deleted resources in old-plan order."""
    https_losses: list[HttpsLoss] = field(default_factory=list)
    windows: list[dict[str, str]] = field(default_factory=list)
    """``readiness.Window.as_json`` of every window through a resource this ``up`` creates, replaces or updates."""

    @property
    def blockers(self) -> list[ResourceDiff]:
        return [r for r in self.resources if r.blocker]

    def by_name(self, name: str) -> ResourceDiff:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r} in the diff")
        return found[0]

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for r in self.resources if r.custom and r.action == action) for action in ACTIONS}

    @property
    def exit_code(self) -> int:
        if self.blockers:
            return BLOCKER_EXIT_CODE
        return readiness.WINDOW_EXIT_CODE if self.windows else 0


# --- matching (URNs and aliases) -------------------------------------------------------------------


def _urn_parts(urn: str) -> tuple[str, str, str]:
    """(stack and project prefix ``urn:pulumi:<stack>::<project>``, qualified type, name)."""
    prefix, qualified, name = urn.rsplit("::", 2)
    return prefix, qualified, name


def make_urn(stack: str, project: str, type_: str, name: str, parent: Optional[str]) -> str:
    """The URN the engine gives a resource (pulumi/pulumi sdk/go/common/resource/urn.go ``NewURN``)."""
    qualified = type_
    if parent:
        parent_type = _urn_parts(parent)[1]
        if parent_type != ROOT_STACK_TYPE:
            qualified = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def alias_urns(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]], stack: str, project: str,
               ) -> list[str]:
    """Every URN ``resource`` may have had: its aliases, and those inherited from its parent's aliases
    (the SDKs give a child an alias under each alias of its parent, renaming a name that starts with
    the parent's name)."""
    found: list[str] = []
    for alias in resource.get("aliases") or []:
        if "urn" in alias:
            found.append(alias["urn"])
        elif "spec" in alias:
            spec = alias["spec"]
            parent = None if spec.get("noParent") else (spec.get("parentUrn") or resource["parent"])
            found.append(make_urn(spec.get("stack") or stack, spec.get("project") or project,
                                  spec.get("type") or resource["type"], spec.get("name") or resource["name"], parent))
    parent = by_urn.get(resource["parent"])
    if parent is not None:
        parent_name = parent["name"]
        for parent_alias in alias_urns(parent, by_urn, stack, project):
            name = resource["name"]
            if name.startswith(parent_name):
                name = _urn_parts(parent_alias)[2] + name[len(parent_name):]
            found.append(make_urn(stack, project, resource["type"], name, parent_alias))
    return found


def match(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], stack: str, project: str,
          ) -> dict[str, str]:
    """New URN -> old URN for every new resource that existed before (by URN or an alias)."""
    old_urns = {r["urn"] for r in old}
    new_by_urn = {r["urn"]: r for r in new}
    taken: set[str] = set()
    matched: dict[str, str] = {}
    for resource in new:
        for candidate in [resource["urn"], *alias_urns(resource, new_by_urn, stack, project)]:
            if candidate in old_urns and candidate not in taken:
                matched[resource["urn"]] = candidate
                taken.add(candidate)
                break
    return matched


# --- comparing inputs -----------------------------------------------------------------------------------


def _join(path: str, key: Any) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))


PLAIN = (str, int, float, bool, type(None))


def changed_paths(old: Any, new: Any, path: str = "", ordered: Collection[str] = ()) -> list[Change]:
    """The leaf-most paths where ``new`` differs from ``old``. A list of plain values is a set of names,
    changed as a whole (described as the items added and removed), unless its normalised path is in
    ``ordered``; other lists are compared by position when their lengths are equal, as a whole otherwise."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [change for key in sorted(set(old) | set(new), key=str)
                for change in changed_paths(old.get(key), new.get(key), _join(path, key), ordered)]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        if normalize_path(path) in ordered or not all(isinstance(v, PLAIN) for v in old + new):
            return [change for index, (a, b) in enumerate(zip(old, new))
                    for change in changed_paths(a, b, _join(path, index), ordered)]
    return [Change(path, old, new)]


def shifts_as_sets(changes: list[Change], old: Any, new: Any, ordered: Collection[str] = ()) -> list[Change]:
    """``changes`` with those inside a list of objects whose items shifted (an item removed or inserted
    before others: more positions differ than items were added or removed) merged into one change of the
    whole list, described as the items added and removed; lists in ``ordered`` stay by position."""
    positions: dict[str, set[str]] = {}
    for change in changes:
        found = re.match(r"^([^\[]+)\[(\d+)\]", change.path)
        if found:
            positions.setdefault(found[1], set()).add(found[2])
    shifted = {}
    for path, changed in positions.items():
        before, after = _value_at(old, path), _value_at(new, path)
        if normalize_path(path) in ordered or not (isinstance(before, list) and isinstance(after, list)):
            continue
        added = [v for v in after if v not in before]
        removed = [v for v in before if v not in after]
        if len(changed) > max(len(added), len(removed)):
            shifted[path] = Change(path, before, after)
    kept = [c for c in changes if not any(c.path.startswith(f"{path}[") for path in shifted)]
    return kept + list(shifted.values())


def computed_leaves(value: Any, path: str) -> Iterator[str]:
    """Paths under ``value`` holding a value only the cloud computes (an offline placeholder)."""
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            yield from computed_leaves(value[key], _join(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from computed_leaves(item, _join(path, index))
    elif isinstance(value, str) and value != SECRET_PLACEHOLDER and PLACEHOLDER.search(value):
        yield path


def kept_as_deployed(old: dict[str, Any], new: dict[str, Any], ignored: Sequence[str]) -> dict[str, Any]:
    """``new`` with every ``ignore_changes`` path holding its ``old`` value, as the engine diffs it."""
    kept = copy.deepcopy(new)
    for path in ignored:
        parts = _parts(path)
        source, target = old, kept
        for part in parts[:-1]:
            source, target = _step(source, part), _step(target, part)
        last = parts[-1] if parts else None
        if isinstance(target, dict) and isinstance(source, dict) and last in source:
            target[last] = copy.deepcopy(source[last])
        elif isinstance(target, list) and isinstance(source, list) and isinstance(last, int) and last < min(
                len(source), len(target)):
            target[last] = copy.deepcopy(source[last])
    return kept


def _parts(path: str) -> list[Any]:
    """``a.b[0].c`` -> ``["a", "b", 0, "c"]``."""
    return [int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"[^.\[\]]+|\[\d+\]", path)]


def _step(value: Any, part: Any) -> Any:
    if isinstance(part, int):
        return value[part] if isinstance(value, list) and part < len(value) else None
    return value.get(part) if isinstance(value, dict) else None


def _value_at(value: Any, path: str) -> Any:
    for part in _parts(path):
        value = _step(value, part)
    return value


def with_unknowns(inputs: dict[str, Any], paths: Collection[str]) -> dict[str, Any]:
    """``inputs`` with the value at each of ``paths`` (existing leaves) replaced by ``UNKNOWN``."""
    marked = copy.deepcopy(inputs)
    for path in paths:
        *parents, last = _parts(path)
        target: Any = marked
        for part in parents:
            target = _step(target, part)
        if isinstance(target, (dict, list)):
            target[last] = UNKNOWN
    return marked


# --- the diff ---------------------------------------------------------------------------------------


def dependency_order(resources: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``resources`` with every resource after the ones it depends on (and its parent), otherwise in
    their given order."""
    by_urn = {r["urn"]: r for r in resources}
    position = {r["urn"]: index for index, r in enumerate(resources)}
    done: set[str] = set()
    ordered: list[Mapping[str, Any]] = []

    def visit(urn: str, trail: frozenset[str]) -> None:
        if urn in done or urn in trail or urn not in by_urn:
            return
        resource = by_urn[urn]
        for before in sorted({*resource.get("dependencies", []), resource["parent"]}, key=lambda u: position.get(u, -1)):
            visit(before, trail | {urn})
        done.add(urn)
        ordered.append(resource)

    for resource in resources:
        visit(resource["urn"], frozenset())
    return ordered


def diff_plans(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    """What ``pulumi up`` would do to the resources of ``old`` to reach ``new`` (see the module docstring)."""
    stack, project = new["stack"], new["project"]
    matched = match(old["resources"], new["resources"], stack, project)
    old_by_urn = {r["urn"]: r for r in old["resources"]}
    new = _keeping_auto_names(new, old_by_urn, matched)
    new_by_urn = {r["urn"]: r for r in new["resources"]}
    results: dict[str, ResourceDiff] = {}
    for resource in dependency_order(new["resources"]):
        previous = old_by_urn.get(matched.get(resource["urn"], ""))
        results[resource["urn"]] = _resource_diff(previous, resource, results, new_by_urn)
    kept = set(matched.values())
    deleted = [r for r in old["resources"] if r["urn"] not in kept]
    resources = [results[r["urn"]] for r in new["resources"]] + [_deleted(r) for r in deleted]
    diff = Diff(project, stack, resources)
    diff.https_losses = https_losses(old, new, diff, matched)
    changed = {r.urn for r in resources if r.action in ("create", "replace", "update")}
    diff.windows = readiness.found_in(new, changed)
    return diff


def _keeping_auto_names(new: Mapping[str, Any], old_by_urn: Mapping[str, Mapping[str, Any]],
                        matched: Mapping[str, str]) -> Mapping[str, Any]:
    """``new`` with the auto-name of every resource an alias carried over under another name put back:
    a bridged provider reuses the physical name it generated before (the old inputs' default), so the
    renamed resource keeps ``<old name>-<random>`` and so do the references to it."""
    renames = {}
    for resource in new["resources"]:
        previous = old_by_urn.get(matched.get(resource["urn"], ""))
        if previous is not None and previous["name"] != resource["name"] and "name" not in resource["inputs"] \
                and "name" not in previous["inputs"]:
            renames[f"{resource['name']}-<random>"] = f"{previous['name']}-<random>"
    if not renames:
        return new
    text = json.dumps(new["resources"])
    for generated, kept in renames.items():
        text = text.replace(json.dumps(generated)[1:-1], json.dumps(kept)[1:-1])
    return {**new, "resources": json.loads(text)}


def _deleted(old: Mapping[str, Any]) -> ResourceDiff:
    rules = rules_for(old["type"]) if old["custom"] else None
    refusal = rules.refusal("delete", (), {}, old["inputs"]) if rules else None
    return ResourceDiff(old["urn"], old["type"], old["name"], old["custom"], "delete", bool(old["protect"]),
                        old_urn=old["urn"], **_refused(refusal))


def _refused(rule: Optional[ApiRule]) -> dict[str, str]:
    """The ``ResourceDiff`` fields of a step ``rule`` refuses (none when it is None)."""
    if rule is None:
        return {}
    return {"refusal": rule.refusal, "refusal_source": rule.source, "refusal_remedy": rule.remedy}


def _resource_diff(old: Optional[Mapping[str, Any]], new: Mapping[str, Any], done: Mapping[str, ResourceDiff],
                   resources: Mapping[str, Mapping[str, Any]]) -> ResourceDiff:
    base = dict(urn=new["urn"], type=new["type"], name=new["name"], custom=new["custom"])
    if old is None:
        return ResourceDiff(**base, action="create", protect=bool(new["protect"]))
    base.update(protect=bool(old["protect"]), old_urn=old["urn"])
    if not new["custom"]:
        return ResourceDiff(**base, action="same")

    rules = rules_for(new["type"])
    ordered = rules.ordered if rules else ()
    ignored = new.get("ignoreChanges") or []
    inputs = kept_as_deployed(old["inputs"], new["inputs"], ignored)
    changes = changed_paths(old["inputs"], inputs, ordered=ordered)
    unknown, notes = _unknown_inputs(new, done, resources)
    unknown = {path: urn for path, urn in unknown.items()
               if not any(paths_overlap(normalize_path(path), normalize_path(i)) for i in ignored)}
    options = [Change(f"({option})", old.get(key), new.get(key))
               for option, key in (("protect", "protect"), ("deleteBeforeReplace", "deleteBeforeReplace"))
               if old.get(key) != new.get(key)]
    after = with_unknowns(inputs, unknown)
    shown = shifts_as_sets(changed_paths(old["inputs"], after, ordered=ordered), old["inputs"], after, ordered)
    shown = sorted(shown, key=lambda c: c.path) + options
    dbr = bool(new.get("deleteBeforeReplace"))

    if old.get("provider", "") != new.get("provider", ""):
        return ResourceDiff(**base, action="replace", changes=(*shown, Change("(provider)", old.get("provider"),
                            new.get("provider"))), reason="its explicit provider changes (a provider change replaces "
                            "the resource)", forcing_path="(provider)", delete_before_replace=dbr, notes=tuple(notes))
    if not shown:
        return ResourceDiff(**base, action="same", notes=tuple(notes))
    if rules is None:
        if not changes and not unknown:
            return ResourceDiff(**base, action="update", changes=tuple(shown), notes=tuple(notes))
        return ResourceDiff(**base, action="review", changes=tuple(shown), notes=tuple(notes),
                            reason=f"replacement rules unknown for {new['type']}: review with pulumi preview")

    for path, dependency in unknown.items():
        rule = rules.forcing_rule(path)
        if rule is not None:
            kind = done[dependency].action
            reason = (f"{path} is unknown after apply: it depends on {done[dependency].name} "
                      f"({done[dependency].type}), which is {'created' if kind == 'create' else 'replaced'}, "
                      f"and {_forcing(rule, rules)}")
            return _replaced(base, shown, path, rule, reason, dbr, rules, notes, old, new)
    for change in changes:
        rule = rules.forcing_rule(change.path)
        if rule is not None:
            reason = f"{change.path} changes, and {_forcing(rule, rules)}"
            return _replaced(base, shown, change.path, rule, reason, dbr, rules, notes, old, new)
    for change in changes:
        condition = rules.condition_for(change.path)
        if condition is not None:
            notes.append(f"{change.path}: {condition.condition} ({condition.source})")
    refusal = rules.refusal("update", [c.path for c in shown], new["inputs"], old["inputs"])
    return ResourceDiff(**base, action="update", changes=tuple(shown), notes=tuple(notes), **_refused(refusal))


def _forcing(rule: Any, rules: Any) -> str:
    if rule.path == "*":
        kept = f" but {', '.join(rules.updatable)}" if rules.updatable else ""
        return f"no input{kept} of {rules.type} changes in place"
    return f"{rule.path} forces a new resource"


def _replaced(base: dict, shown: list[Change], path: str, rule: Any, reason: str, dbr: bool, rules: Any,
              notes: list[str], old: Mapping[str, Any], new: Mapping[str, Any]) -> ResourceDiff:
    unless = rules.delete_before_replace_unless
    if unless is not None and not any(change.path in unless for change in shown):
        dbr = True  # the provider's own rule (sparkpost.py: the same domain moving deletes first)
    refusal = rules.refusal("replace", [c.path for c in shown], new["inputs"], old["inputs"])
    return ResourceDiff(**base, action="replace", changes=tuple(shown), reason=reason, forcing_path=path,
                        source=rule.source, delete_before_replace=dbr, notes=tuple(notes), **_refused(refusal))


def _unknown_inputs(new: Mapping[str, Any], done: Mapping[str, ResourceDiff],
                    resources: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """Input paths unknown after apply -> the created or replaced dependency they come from; and notes on
    inputs that may carry outputs an update recomputes."""
    unknown: dict[str, str] = {}
    notes: list[str] = []
    for key, urns in sorted(new.get("propertyDependencies", {}).items()):
        leaves = list(computed_leaves(new["inputs"].get(key), key))
        if not leaves:
            continue
        known = [urn for urn in urns if urn in done]
        fresh = [urn for urn in known if done[urn].action in ("create", "replace")]
        if fresh:
            marks = _distinctive_marks([resources[urn] for urn in known if urn in resources])
            for leaf in leaves:
                source = _value_source(_value_at(new["inputs"], leaf), marks)
                if source is None or source in fresh:
                    unknown.setdefault(leaf, source or fresh[0])
        for urn in known:
            dependency = done[urn]
            if dependency.action == "update":
                rules = rules_for(dependency.type)
                recomputed = rules.recomputed_outputs(c.path for c in dependency.changes) if rules else ()
                if recomputed:
                    notes.append(f"{key} may change after apply: {dependency.name} recomputes "
                                 f"{', '.join(recomputed)} when updated")
    return unknown, notes


MIN_MARK = 4
"""Shorter strings (a record type, a zone id like ``Z1``) say nothing about where a value came from."""


def _marks(resource: Mapping[str, Any]) -> set[str]:
    """What a value the cloud computes for ``resource`` may carry of it: its name and its string inputs
    (trailing dots dropped: a record's FQDN echoes its name without one)."""
    strings = [resource["name"], *readiness.strings_in(resource["inputs"])]
    return {text.rstrip(".") for text in strings if len(text.rstrip(".")) >= MIN_MARK}


def _distinctive_marks(candidates: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """URN -> the marks of each candidate that no other candidate has."""
    marks = {r["urn"]: _marks(r) for r in candidates}
    return {urn: own - set().union(*(m for other, m in marks.items() if other != urn)) for urn, own in marks.items()}


def _value_source(value: Any, marks: Mapping[str, set[str]]) -> Optional[str]:
    """The candidate a computed value names: the one with the longest distinctive mark inside it; None
    when it names none, or two equally well."""
    if not isinstance(value, str):
        return None
    best: dict[str, int] = {}
    for urn, own in marks.items():
        found = [len(mark) for mark in own if mark in value]
        if found:
            best[urn] = max(found)
    if not best:
        return None
    longest = max(best.values())
    named = [urn for urn, length in best.items() if length == longest]
    return named[0] if len(named) == 1 else None


# --- live names keep HTTPS ---------------------------------------------------------------------------


def https_losses(old: Mapping[str, Any], new: Mapping[str, Any], diff: Diff, matched: Mapping[str, str],
                 ) -> list[HttpsLoss]:
    """Host names covered by a serving certificate in both plans that would be served without an issued
    certificate at some point of the ``up``: their certificate is replaced or deleted, and no
    certificate that is already issued, or used only once issued, covers them in the new plan."""
    by_old = {r.old_urn: r for r in diff.resources if r.old_urn}
    by_new = {r.urn: r for r in diff.resources if r.action != "delete"}
    old_names = {r["urn"]: certificate_names(r["type"], r["inputs"]) for r in old["resources"] if r["custom"]}
    new_names = {r["urn"]: certificate_names(r["type"], r["inputs"]) for r in new["resources"] if r["custom"]}
    covering: dict[str, list[str]] = {}  # host name -> the new plan's certificates covering it
    for urn, names in new_names.items():
        for name in names:
            covering.setdefault(name, []).append(urn)
    live = set().union(*old_names.values()) & set(covering)
    old_dependents, new_dependents = _dependents_index(old), _dependents_index(new)
    losses: list[HttpsLoss] = []
    for certificate in old["resources"]:
        outcome = by_old.get(certificate["urn"])
        kind = CERTIFICATES.get(certificate["type"])
        if kind is None or outcome is None or outcome.action not in ("replace", "delete"):
            continue
        if kind.attached_by and not _attachers(certificate["urn"], old_dependents, kind, through_waiters=True):
            continue  # requested, not serving yet (e.g. a domain waiting for validation)
        for name in sorted(old_names[certificate["urn"]] & live):
            if not any(_issued_before_use(urn, new_dependents, by_new[urn], certificate["urn"])
                       for urn in covering[name]):
                losses.append(HttpsLoss(name, certificate["urn"], _loss_reason(outcome, new_dependents, kind)))
    return losses


def _dependents_index(plan: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """URN -> the custom resources of ``plan`` that depend on it, built once (a scan per lookup made
    ``--against`` quadratic in the number of resources)."""
    index: dict[str, list[Mapping[str, Any]]] = {}
    for resource in plan["resources"]:
        if resource["custom"]:
            for urn in dict.fromkeys(resource.get("dependencies", [])):
                index.setdefault(urn, []).append(resource)
    return index


def _attachers(urn: str, dependents: Mapping[str, list[Mapping[str, Any]]], kind: Any, through_waiters: bool,
               ) -> list[Mapping[str, Any]]:
    """Resources serving with the certificate ``urn``: directly, or also through a waiter."""
    direct = [r for r in dependents.get(urn, []) if r["type"] in kind.attached_by]
    if not through_waiters:
        return direct
    waiters = [r for r in dependents.get(urn, []) if r["type"] in ISSUANCE_WAITERS]
    return direct + [r for w in waiters for r in dependents.get(w["urn"], []) if r["type"] in kind.attached_by]


def _issued_before_use(urn: str, dependents: Mapping[str, list[Mapping[str, Any]]], outcome: ResourceDiff,
                       gone: str) -> bool:
    """Whether the new plan's certificate ``urn`` is already issued (kept from the old plan) or serves
    only once issued: created before the old one goes, a waiter created for it, and every resource
    serving with it taking it through that waiter."""
    if outcome.action in ("same", "update"):
        return outcome.old_urn != gone
    if outcome.action not in ("replace", "create") or outcome.delete_before_replace:
        return False
    kind = CERTIFICATES[outcome.type]
    waiters = [r for r in dependents.get(urn, []) if r["type"] in ISSUANCE_WAITERS]
    return bool(waiters) and not _attachers(urn, dependents, kind, through_waiters=False)


def _loss_reason(outcome: ResourceDiff, new_dependents: Mapping[str, list[Mapping[str, Any]]], kind: Any) -> str:
    if outcome.action == "delete":
        return "its certificate is deleted and no issued certificate covers it in the new plan"
    order = "deleted before its replacement exists" if outcome.delete_before_replace else "replaced"
    users = sorted(r["name"] for r in _attachers(outcome.urn, new_dependents, kind, through_waiters=False))
    if users:
        return (f"its certificate {outcome.name} is {order} (forced by {outcome.forcing_path}), and "
                f"{', '.join(users)} serves with the new one before it is issued")
    return (f"its certificate {outcome.name} is {order} (forced by {outcome.forcing_path}), and nothing waits "
            "for the new one to be issued before the old one is deleted")


# --- what to do about a blocker -------------------------------------------------------------------------


def safe_path(resource: ResourceDiff) -> str:
    """The ``pulumi up`` sequence docs/plan-and-diff.md gives for a blocker."""
    steps = []
    if resource.stopped_by_protection and resource.action == "delete":
        steps.append(f"if removing it is intended: pulumi state unprotect '{resource.old_urn}', then pulumi up "
                     "(see docs/plan-and-diff.md, 'Removing a domain')")
    elif resource.stopped_by_protection:
        steps.append("replacing it takes down what it serves: change the program so it updates in place; if the "
                     f"replacement is intended, pulumi state unprotect '{resource.old_urn}', then pulumi up")
    if resource.refusal:
        steps.append(f"the API refuses it: {resource.refusal_remedy}")
    return "; and ".join(steps)


# --- rendering -----------------------------------------------------------------------------------------

GROUPS = (
    ("replace", "Replace"),
    ("delete", "Delete"),
    ("create", "Create"),
    ("update", "Update"),
    ("review", "Review (replacement rules unknown: check with `pulumi preview`)"),
)
SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "review": "?"}
MAX_VALUE = 100
MAX_ITEMS = 6


def _compact(value: Any) -> str:
    """The value as JSON; a long one keeps its start and its end (where a resource id names the
    domain) around the count of characters left out."""
    text = value if value == UNKNOWN else json.dumps(value, sort_keys=True, ensure_ascii=False)
    if len(text) <= MAX_VALUE:
        return text
    keep = (MAX_VALUE - 20) // 2
    return f"{text[:keep]}...({len(text) - 2 * keep} characters)...{text[-keep:]}"


def _items(values: list[Any]) -> str:
    shown = ", ".join(_compact(v) for v in values[:MAX_ITEMS])
    return shown + (f" and {len(values) - MAX_ITEMS} more" if len(values) > MAX_ITEMS else "")


def describe_change(change: Change) -> str:
    """``path: old -> new``; a list (a set of names, or a list whose length changes) as the items added
    and removed."""
    old, new = change.old, change.new
    if isinstance(old, list) and isinstance(new, list):
        added = [v for v in new if v not in old]
        removed = [v for v in old if v not in new]
        parts = ([f"+ {_items(added)}"] if added else []) + ([f"- {_items(removed)}"] if removed else [])
        return f"{change.path}: {'; '.join(parts) or 'reordered'}"
    return f"{change.path}: {_compact(old)} -> {_compact(new)}"


def _entry(resource: ResourceDiff) -> list[str]:
    mark = "!" if resource.blocker else " "
    tags = ["[protected: pulumi up stops here]"] if resource.stopped_by_protection else []
    if resource.refusal:
        tags.append("[and refused by the API]" if tags else "[refused by the API: pulumi up stops here]")
    tag = "  " + " ".join(tags) if tags else ""
    lines = [f"  {mark} {SYMBOLS[resource.action]:<2} {resource.type}  {resource.name}{tag}"]
    if resource.old_urn and resource.old_urn != resource.urn:
        lines.append(f"        was {resource.old_urn} (alias)")
    if resource.reason:
        lines.append(f"        {resource.reason}")
    if resource.refusal:
        lines.append(f"        refused: {resource.refusal} ({resource.refusal_source})")
    if resource.action == "replace":
        order = "delete first, then create" if resource.delete_before_replace else "create first, then delete"
        lines.append(f"        {order}; rule: {resource.source}")
    lines.extend(f"        {describe_change(change)}" for change in resource.changes)
    lines.extend(f"        note: {note}" for note in resource.notes)
    if resource.blocker:
        lines.append(f"        safe path: {safe_path(resource)}")
    return lines


def summary(diff: Diff) -> str:
    counts = diff.counts()
    parts = [f"{counts['create']} to create", f"{counts['update']} to update", f"{counts['replace']} to replace",
             f"{counts['delete']} to delete", f"{counts['same']} unchanged"]
    if counts["review"]:
        parts.append(f"{counts['review']} to review")
    blockers = len(diff.blockers)
    tail = f"{blockers} blocker{'s' if blockers != 1 else ''} (pulumi up would stop)" if blockers else "no blocker"
    if diff.https_losses:
        tail += f"; {len(diff.https_losses)} live name(s) would lose HTTPS"
    if diff.windows:
        tail += f"; {len(diff.windows)} window(s) of errors on live links"
    return f"Summary: {', '.join(parts)}; {tail}"


def render_text(diff: Diff) -> str:
    lines = [NOTICE.format(stack=diff.stack), ""]
    components = [r for r in diff.resources if not r.custom and r.action in ("create", "delete")]
    if diff.blockers:
        lines.append("Blockers (protected resources pulumi up refuses to replace or delete, and steps the cloud's "
                     "API refuses):")
        for resource in diff.blockers:
            lines.extend(_entry(resource))
        lines.append("")
    if diff.https_losses:
        lines.append("Live names that would lose HTTPS:")
        lines.extend(f"  ! {loss.name}: {loss.why}" for loss in diff.https_losses)
        lines.append("")
    lines += readiness.render_lines_of(diff.windows)
    for action, title in GROUPS:
        group = [r for r in diff.resources if r.custom and r.action == action and not r.blocker]
        if group:
            lines.append(f"{title}:")
            for resource in group:
                lines.extend(_entry(resource))
            lines.append("")
    if components:
        lines.append("Components:")
        lines.extend(f"    {SYMBOLS[r.action]:<2} {r.type}  {r.name}" for r in components)
        lines.append("")
    if not any(r.action != "same" for r in diff.resources):
        lines += ["No changes.", ""]
    lines.append(summary(diff))
    return "\n".join(lines)


def render_json(diff: Diff) -> str:
    document = {
        "document": "diff",
        "format": DIFF_FORMAT,
        "offline": True,
        "notice": " ".join(NOTICE.format(stack=diff.stack).split()),
        "project": diff.project,
        "stack": diff.stack,
        "resources": [r.as_json() for r in diff.resources if r.action != "same"],
        "httpsLosses": [loss.as_json() for loss in diff.https_losses],
        "windows": diff.windows,
        "summary": {**diff.counts(), "blockers": len(diff.blockers), "httpsLosses": len(diff.https_losses),
                    "windows": len(diff.windows)},
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


__all__ = [
    "BLOCKER_EXIT_CODE",
    "Change",
    "Diff",
    "HttpsLoss",
    "NotAPlan",
    "ResourceDiff",
    "check_comparable",
    "diff_plans",
    "load_plan",
    "render_json",
    "render_text",
    "safe_path",
]
