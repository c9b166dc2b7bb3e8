"""``tracking-cdn plan``: what a stack would create, rendered offline.

Runs the project's own program (the one its ``Pulumi.yaml`` names: this repository's stack program,
``tracking_cdn.stack``, or a program of your own using the components) under Pulumi's mock engine with
the stack's config file, so it needs neither the Pulumi CLI nor a cloud account. Values the cloud
computes at deploy time are shown as placeholders in angle brackets, secrets as ``<secret>``. The
resources of tracking-cdn get the outputs the cloud would compute (``tracking_cdn.simulated``); any other
resource its inputs; a data source tracking-cdn does not simulate is answered from ``--call-results``
or refused, naming its token.

The output is a pure function of the project and stack files: the same input gives the same bytes
(resources in tree order, siblings by URN; keys sorted), so a plan can be kept in review and diffed.
``--json`` is the machine-readable form, versioned by its ``format`` field (see docs/development.md).
``--against <earlier --json output>`` prints what ``pulumi up`` would do to go from that plan to this
one, blockers included (``tracking_cdn.diff``; exit 1 when there is a blocker). Every mistake (a flag,
a file, a key, a value) exits 2 with one line on stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from . import SHIPPED_NAMESPACE
from .readiness import WINDOW_EXIT_CODE, found_in, render_lines_of

OFFLINE_NOTICE = (
    "OFFLINE RENDERING - not a cloud preview. The stack program ran under Pulumi's mock engine; no cloud\n"
    "was contacted and no state was read. Values in <angle brackets> are known only after `pulumi up`.\n"
    "Run `pulumi preview --stack {stack}` with credentials for the real diff."
)
SECRET_PLACEHOLDER = "<secret>"
PLAN_FORMAT = 1
"""Version of the ``--json`` document; bumped when a field changes meaning or goes away."""
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""Characters of a Pulumi stack name (a fully qualified one is ``org/project/stack``)."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack",
        required=True,
        help="stack name (reads <stackConfigDir>/Pulumi.<stack>.yaml) or the path of a Pulumi.<stack>.yaml file",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=None, help="directory holding Pulumi.yaml (default: nearest above cwd)"
    )
    parser.add_argument(
        "-C", "--cwd", type=Path, default=None, metavar="DIR",
        help="find the project from DIR, as `pulumi --cwd DIR` does: the nearest Pulumi.yaml at or above it "
        "(other paths stay relative to where you run the command)",
    )
    parser.add_argument(
        "--call-results", type=Path, default=None, metavar="FILE",
        help="YAML or JSON file answering data sources tracking-cdn does not simulate: <token>: {<output>: <value>}, "
        "e.g. 'aws:index/getCallerIdentity:getCallerIdentity: {accountId: \"123456789012\"}' (docs/own-program.md)",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON (format: docs/development.md)")
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        metavar="PLAN_JSON",
        help="compare with a plan saved earlier with --json: print what `pulumi up` would create, update, "
        "replace or delete, and the blockers it would stop on (exit 1 when there is one; docs/plan-and-diff.md)",
    )


class PlanError(Exception):
    """A mistake on the command line or in the project/stack files; the message names which."""


@dataclass(frozen=True)
class StackTarget:
    project: str
    """The project name: the namespace of the stack program's config keys."""
    stack: str
    stack_file: Path
    root: Path
    """The directory holding Pulumi.yaml."""
    program: Optional[Path] = None
    """The program the project's ``Pulumi.yaml`` names (``main``, else ``__main__.py``); None when the
    project has none: then the stack program ``tracking_cdn.stack`` runs, as the shipped project's does."""

    def stack_file_in_project(self) -> str:
        """The stack file as the plan names it: relative to the project when inside it (the same bytes
        from any working directory), else its absolute path."""
        stack_file, root = self.stack_file.absolute().parent.resolve() / self.stack_file.name, self.root.resolve()
        return str(stack_file.relative_to(root)) if stack_file.is_relative_to(root) else str(stack_file)


def run(args: argparse.Namespace) -> int:
    from . import diff

    try:
        target = locate_stack(args.stack, args.project_dir, search_from(args.cwd, args.project_dir))
        config, secret_keys = stack_config(read_stack_file(target.stack_file), target.project, _shown(target.stack_file))
        calls = read_call_results(args.call_results) if args.call_results is not None else {}
        before = read_plan(args.against) if args.against is not None else None
    except PlanError as error:
        return _fail(str(error))

    from pulumi import RunError

    from .errors import InvalidArgument
    from .offline import UnsimulatedCall, run_offline
    from .stack import main as stack_program

    program = target.program or stack_program
    try:
        result = run_offline(
            program, config=config, secret_keys=secret_keys, project=target.project, stack=target.stack, calls=calls
        )
    except (InvalidArgument, RunError) as error:
        return _fail(f"{_shown(target.stack_file)}: {error}")
    except UnsimulatedCall as error:
        return _fail(
            f"{_shown(target.stack_file)}: the data source {error.token} has no offline result: answer it in a YAML file, one line per "
            f"data source ({error.token}: {{<output>: <value>, ...}}, outputs in camelCase), and give it with "
            "--call-results FILE"
        )
    notes = config_notes(target, config, secret_keys, result.config_read)
    if before is not None:
        after = plan_document(result, target.stack, project=target.project, notes=notes)
        try:
            diff.check_comparable(before, after, _shown(args.against))
        except diff.NotAPlan as error:
            return _fail(f"--against: {error}")
        changes = diff.diff_plans(before, after)
        print(diff.render_json(changes) if args.json else diff.render_text(changes))
        return changes.exit_code
    if args.json:
        print(render_json(result, target.stack, project=target.project, notes=notes))
    else:
        print(render_text(result, target.stack, project=target.project, notes=notes, config_scope=config_scope(target, config)))
    return WINDOW_EXIT_CODE if windows_of(result, target.stack, target.project) else 0


def config_notes(target: StackTarget, config: dict[str, str], secret_keys: tuple[str, ...], read: list[str]) -> list[str]:
    """The plan's warnings about the stack file: a secret of tracking-cdn's in plain text and, in a project
    of another name, a ``tracking-cdn:`` key that nothing read (the settings of a program of your own are
    arguments it passes; tracking-cdn checks only the ``tracking-cdn:*`` keys its code reads)."""
    from .stack import SECRET_SETTINGS

    notes = [
        f"{key} is in plain text in {target.stack_file_in_project()}: store it encrypted with "
        f"`pulumi config set --secret {key} <value> --stack {target.stack}`"
        for key in dict.fromkeys(f"{namespace}:{setting}" for namespace in (target.project, SHIPPED_NAMESPACE)
                                 for setting in SECRET_SETTINGS)
        if key in config and key not in secret_keys
    ]
    if target.project != SHIPPED_NAMESPACE:
        notes += [
            f"{key} in {target.stack_file_in_project()} is read by nothing: the {SHIPPED_NAMESPACE}:* keys are the settings "
            f"of tracking-cdn's own stack program, and in this project ({target.project!r}) the components take theirs "
            "as arguments from your program; remove the key, or pass its value to the component"
            for key in sorted(config)
            if key.startswith(f"{SHIPPED_NAMESPACE}:") and key not in read
        ]
    return notes


def config_scope(target: StackTarget, config: dict[str, str]) -> Optional[str]:
    """In a project of another name, what the plan checked of the stack file's config: one line, or None."""
    own = [key for key in config if key.startswith(f"{target.project}:")]
    if target.project == SHIPPED_NAMESPACE or not own:
        return None
    return (
        f"Config: the {len(own)} {target.project}:* key(s) are your program's own, read by it and not checked by "
        f"tracking-cdn, which checks only the {SHIPPED_NAMESPACE}:* keys its code reads."
    )


def read_call_results(path: Path) -> dict[str, Any]:
    """The ``--call-results`` file: a mapping of data-source tokens to their outputs."""
    try:
        document = _load_yaml(path)
    except PlanError as error:
        raise PlanError(f"--call-results: {error}") from None
    example = "aws:index/getCallerIdentity:getCallerIdentity: {accountId: '123456789012'}"
    if not isinstance(document, dict):
        raise PlanError(f"--call-results: {_shown(path)}: expected a mapping of data-source tokens to outputs, e.g. {example}")
    for token, outputs in document.items():
        if not isinstance(token, str) or token.count(":") != 2:
            raise PlanError(f"--call-results: {_shown(path)}: {token!r} is not a data-source token such as {example.split(': ')[0]}")
        if not isinstance(outputs, dict):
            raise PlanError(
                f"--call-results: {_shown(path)}: {token}: expected the data source's outputs as a mapping, e.g. {example}, "
                f"got {type(outputs).__name__}"
            )
    return document


def read_plan(path: Path) -> dict[str, Any]:
    """The plan document ``--against`` names (the output of ``plan --json``)."""
    from .diff import NotAPlan, load_plan

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"--against: {_shown(path)}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    try:
        return load_plan(text, _shown(path))
    except NotAPlan as error:
        raise PlanError(f"--against: {error}") from None


# --- finding and reading the files --------------------------------------------------------------------


def search_from(cwd: Optional[Path], project_dir: Optional[Path]) -> Path:
    """Where the project's ``Pulumi.yaml`` is looked for (``--cwd``, else the working directory)."""
    if cwd is None:
        return Path.cwd()
    if project_dir is not None:
        raise PlanError("--cwd and --project-dir both say where the project is: give one of them")
    if not cwd.is_dir():
        raise PlanError(f"--cwd: {cwd} is not a directory; give a directory of the project (or below it)")
    return cwd


def locate_stack(stack: str, project_dir: Optional[Path], start: Optional[Path] = None) -> StackTarget:
    """The project and stack file ``--stack`` (and ``--project-dir``) designate; without ``project_dir``
    the project is the nearest ``Pulumi.yaml`` at or above ``start`` (default: the working directory)."""
    start = start or Path.cwd()
    as_path = Path(stack)
    if stack.endswith((".yaml", ".yml")) or ("/" in stack and as_path.is_file()):
        return _stack_from_file(as_path, project_dir, start)
    if "/" in stack and STACK_NAME.fullmatch(stack.rsplit("/", 1)[-1]) and stack.count("/") == 2:
        stack = stack.rsplit("/", 1)[-1]  # org/project/stack: the file is Pulumi.<stack>.yaml
    if not STACK_NAME.fullmatch(stack):
        raise PlanError(
            f"--stack: {stack!r} is neither a stack name (letters, digits, '-', '_', '.'; e.g. cloudfront-example "
            f"for stacks/Pulumi.cloudfront-example.yaml) nor an existing Pulumi.<stack>.yaml file"
        )
    root = _project_root(project_dir, start)
    project, config_dir, program = read_project(root)
    stack_file = config_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        available = stack_names(config_dir)
        near = _closest(stack, available)
        hint = f"did you mean {near}? " if near else ""
        raise PlanError(
            f"--stack: no stack {stack!r} (no {_shown(stack_file)}); {hint}stacks here: {', '.join(available) or 'none'}"
        )
    return StackTarget(project, stack, stack_file, root, program)


def _stack_from_file(path: Path, project_dir: Optional[Path], start: Path) -> StackTarget:
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", path.name)
    if not path.is_file():
        raise PlanError(
            f"--stack: no file {path}; give a stack name (cloudfront-example for stacks/Pulumi.cloudfront-example.yaml) "
            f"or the path of an existing stack file"
        )
    if match is None:
        raise PlanError(f"--stack: {path} is not named Pulumi.<stack>.yaml, so it names no stack; rename it, e.g. Pulumi.prod.yaml")
    if project_dir is None:
        project_dir = _find_project_dir(path.resolve().parent) or _find_project_dir(start)
        if project_dir is None:
            raise PlanError(f"--stack: no Pulumi.yaml in {path.parent} or above; give the project with --project-dir")
    root = _project_root(project_dir, start)
    project, _, program = read_project(root)
    return StackTarget(project, match.group(1), path, root, program)


def _project_root(project_dir: Optional[Path], start: Path) -> Path:
    if project_dir is None:
        found = _find_project_dir(start.resolve())
        if found is None:
            raise PlanError(f"no Pulumi.yaml in {start} or above; run in the project or give --cwd or --project-dir")
        return found
    if not project_dir.exists():
        raise PlanError(f"--project-dir: {project_dir} does not exist; give the directory holding Pulumi.yaml")
    if not project_dir.is_dir():
        raise PlanError(f"--project-dir: {project_dir} is not a directory; give the directory holding Pulumi.yaml")
    if not (project_dir / "Pulumi.yaml").is_file():
        raise PlanError(f"--project-dir: no Pulumi.yaml in {project_dir}; give the directory holding Pulumi.yaml")
    return project_dir


def _find_project_dir(start: Path) -> Optional[Path]:
    for directory in (start, *start.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    return None


def read_project(root: Path) -> tuple[str, Path, Optional[Path]]:
    """The project's name (the config namespace), its stack config directory and its program
    (``project_program``)."""
    path = root / "Pulumi.yaml"
    document = _load_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("name"), str) or not document["name"]:
        raise PlanError(f"{_shown(path)}: expected a mapping with the project's `name` (e.g. name: tracking-cdn)")
    config_dir = document.get("stackConfigDir", ".")
    if not isinstance(config_dir, str):
        raise PlanError(f"{_shown(path)}: stackConfigDir must be a directory path such as stacks, got {config_dir!r}")
    return document["name"], root / config_dir, project_program(root, document)


def project_program(root: Path, document: dict[str, Any]) -> Optional[Path]:
    """The program of the project at ``root`` (``document``: its ``Pulumi.yaml``): the file or directory
    named by ``main``, else ``root``'s ``__main__.py`` (the entry itself, so that ``Pulumi.yaml`` is not
    read twice); None when it has neither (refused
    when ``main`` names nothing, or the runtime is not Python: the plan runs Python programs only)."""
    path = root / "Pulumi.yaml"
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise PlanError(f"{_shown(path)}: runtime {runtime_name!r}: tracking-cdn plan runs Python programs only")
    main = document.get("main")
    if main is None:
        entry = root / "__main__.py"
        return entry if entry.is_file() else None
    if not isinstance(main, str) or not main:
        raise PlanError(f"{_shown(path)}: main must be the path of the program (a file or directory), got {main!r}")
    program = root / main
    if not (program.is_file() or (program / "__main__.py").is_file()):
        raise PlanError(f"{_shown(path)}: main: {main!r} names no program (a .py file, or a directory with __main__.py)")
    return program


def stack_names(config_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in config_dir.glob("Pulumi.*.yaml"))


def read_stack_file(path: Path) -> dict[str, Any]:
    document = _load_yaml(path)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise PlanError(f"{_shown(path)}: expected a mapping with a `config:` section, got {type(document).__name__}")
    return document


def _load_yaml(path: Path) -> Any:
    from .documents import DocumentError, load_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{_shown(path)}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    try:
        return load_yaml(text, _shown(path))
    except DocumentError as error:
        raise PlanError(str(error)) from None


def stack_config(
    stack_document: dict[str, Any], project: str = "tracking-cdn", source: str = "the stack file"
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Config as the Pulumi CLI hands it to a program: strings, structured values as JSON, secrets
    (``{secure: <ciphertext>}`` values, which only the CLI can decrypt) replaced by ``<secret>``.
    Refuses what the CLI would not read: a ``config`` that is not a mapping, keys without a namespace."""
    section = stack_document.get("config") or {}
    if not isinstance(section, dict):
        raise PlanError(f"{source}: `config` must be a mapping of <namespace>:<key> to values such as {project}:esp: sparkpost")
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in section.items():
        key = str(key)
        if ":" not in key:
            raise PlanError(
                f"{source}: config key {key!r} has no namespace; write {project}:{key} (keys are <namespace>:<name>, "
                f"and this program's namespace is the project name in Pulumi.yaml, {project!r})"
            )
        key = re.sub(r"^([^:]*):config:", r"\1:", key)  # the CLI's legacy form
        plain, secret = _decrypted_as_placeholders(value)
        config[key] = plain if isinstance(plain, str) else json.dumps(plain)
        if secret:
            secret_keys.append(key)
    return config, tuple(secret_keys)


def _decrypted_as_placeholders(value: Any) -> tuple[Any, bool]:
    """``value`` with every encrypted secret (a mapping whose only key is ``secure`` with a string,
    as the CLI writes them; ``{secure: true}`` is a plain object) replaced by ``<secret>``, and
    whether there was one."""
    if isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        items = {str(key): _decrypted_as_placeholders(item) for key, item in value.items()}
        return {key: item for key, (item, _) in items.items()}, any(secret for _, secret in items.values())
    if isinstance(value, list):
        items = [_decrypted_as_placeholders(item) for item in value]
        return [item for item, _ in items], any(secret for _, secret in items)
    return value, False


def _closest(name: str, candidates: list[str]) -> Optional[str]:
    import difflib

    near = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return near[0] if near else None


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return os.path.relpath(path) if Path(os.path.abspath(path)).is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def _fail(message: str) -> int:
    from .errors import printable

    print(f"tracking-cdn plan: error: {printable(' '.join(message.split()))}", file=sys.stderr)
    return 2


# --- rendering ---------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value of the mock engine as plain JSON: secrets as ``<secret>``, whole floats as ints,
    mapping keys sorted. Anything else is a bug in the renderer's assumptions, so it raises."""
    from pulumi.asset import StringAsset
    from pulumi.runtime import rpc

    if rpc.is_rpc_secret(value):
        return SECRET_PLACEHOLDER
    if value == rpc.UNKNOWN:
        return "<unknown>"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): plain(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, StringAsset):  # e.g. an Azure blob's source: shown, and diffed, by its text
        return {"StringAsset": value.text}
    raise TypeError(f"plan cannot render a {type(value).__name__}: {value!r}")


def _inputs(resource: Any) -> dict[str, Any]:
    # Dynamic providers carry their pickled code in "__provider": not an input a user sets.
    return plain({key: value for key, value in resource.inputs.items() if not key.startswith("__")})


def tree_order(resources: list[Any]) -> Iterator[tuple[int, Any]]:
    """(depth, resource) depth first from the top-level resources; siblings components first (a
    front door before the resources beside it), then by URN."""
    urns = {resource.urn for resource in resources}
    children: dict[Optional[str], list[Any]] = {}
    for resource in resources:
        children.setdefault(resource.parent if resource.parent in urns else None, []).append(resource)

    def walk(parent: Optional[str], depth: int) -> Iterator[tuple[int, Any]]:
        for resource in sorted(children.get(parent, []), key=lambda r: (r.custom, r.urn)):
            yield depth, resource
            yield from walk(resource.urn, depth + 1)

    return walk(None, 0)


def component_dns_records(result: Any) -> list[dict[str, Any]]:
    """The ``dns_records`` of every tracking-cdn component of a run, in tree order: the DNS records of a
    program that does not export its own ``dnsRecords``."""
    from .offline import COMPONENT_TYPE_PREFIX

    records = []
    for _, resource in tree_order(result.resources):
        if resource.type.startswith(COMPONENT_TYPE_PREFIX):
            records += plain(resource.outputs.get("dns_records") or [])
    return records


def _warnings(result: Any, notes: list[str]) -> list[str]:
    return sorted(set(result.warnings) | set(notes))


def render_text(
    result: Any,
    stack: str,
    project: str = "tracking-cdn",
    notes: Optional[list[str]] = None,
    config_scope: Optional[str] = None,
) -> str:
    """The plan as text; ``config_scope`` is a line saying what was checked of the config, if any."""
    import yaml

    count = len(result.resources)
    lines = [OFFLINE_NOTICE.format(stack=stack), ""]
    if config_scope:
        lines += [config_scope, ""]
    lines.append(f"Stack {stack!r} would create {count} resource{'s' * (count != 1)}:")
    for depth, resource in tree_order(result.resources):
        indent = "  " * depth
        marks = " [protected]" if resource.protect else ""
        lines.append(f"{indent}+ {resource.type}  {resource.name}{marks}")
        shown = {key: value for key, value in _inputs(resource).items() if value not in (None, [], {}, "")}
        if shown:
            body = yaml.safe_dump(shown, sort_keys=True, default_flow_style=False, width=110).rstrip()
            lines.extend(f"{indent}    {line}" for line in body.splitlines())
    outputs = plain(result.stack_outputs)
    records = outputs.pop("dnsRecords", None) or component_dns_records(result)
    lines += ["", "DNS records the tracking domains need (the stack creates those in zones it manages; create the rest):"]
    width = max([len(r["name"]) for r in records] + [4])
    for record in records:
        lines.append(f"  {record['name']:<{width}}  {record['type']:<5}  {record['value']}   ({record['purpose']})")
    if outputs:
        lines += ["", "Stack outputs:"] + [f"  {key}: {json.dumps(value, sort_keys=True)}" for key, value in outputs.items()]
    warnings = _warnings(result, notes or [])
    if warnings:
        lines += ["", "Warnings:"] + [f"  - {warning}" for warning in warnings]
    windows = windows_of(result, stack, project)
    if windows:
        lines += ["", *render_lines_of(windows)][:-1]
    lines += ["", f"To deploy for real: pulumi up --stack {stack}"]
    return "\n".join(lines)


def render_json(result: Any, stack: str, project: str = "tracking-cdn", notes: Optional[list[str]] = None) -> str:
    return json.dumps(plan_document(result, stack, project, notes), indent=2, sort_keys=True, ensure_ascii=False)


def plan_document(result: Any, stack: str, project: str = "tracking-cdn", notes: Optional[list[str]] = None) -> dict:
    """The ``--json`` document of an offline run (``tracking_cdn.offline.OfflineRun``): what ``render_json``
    prints and ``--against`` compares."""
    document = {
        "format": PLAN_FORMAT,
        "offline": True,
        "notice": " ".join(OFFLINE_NOTICE.format(stack=stack).split()),
        "project": project,
        "stack": stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "custom": r.custom,
                "protect": r.protect,
                "deleteBeforeReplace": r.delete_before_replace,
                "provider": r.provider,
                "aliases": sorted(r.aliases, key=lambda alias: json.dumps(alias, sort_keys=True)),
                "dependencies": sorted(r.dependencies),
                "propertyDependencies": {key: sorted(urns) for key, urns in r.property_dependencies.items()},
                "ignoreChanges": sorted(r.ignore_changes),
                "inputs": _inputs(r),
            }
            for _, r in tree_order(result.resources)
        ],
        "outputs": plain(result.stack_outputs),
        "warnings": _warnings(result, notes or []),
    }
    document["windows"] = found_in(document)
    return document


def windows_of(result: Any, stack: str, project: str = "tracking-cdn") -> list[dict[str, str]]:
    """The windows of an offline run (``readiness``): every resource is new in a plan from nothing."""
    return plan_document(result, stack, project)["windows"]
