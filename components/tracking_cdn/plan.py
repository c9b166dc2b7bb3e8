"""``tracking-cdn plan``: what a stack would create, rendered offline.

Runs the real stack program (``tracking_cdn.stack``) under Pulumi's mock engine with the stack's
config file, so it needs neither the Pulumi CLI nor a cloud account. Values the cloud computes at
deploy time are shown as placeholders in angle brackets.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OFFLINE_NOTICE = (
    "OFFLINE RENDERING - not a cloud preview. The stack program ran under Pulumi's mock engine; no cloud\n"
    "was contacted and no state was read. Values in <angle brackets> are known only after `pulumi up`.\n"
    "Run `pulumi preview --stack {stack}` with credentials for the real diff."
)
SECRET_PLACEHOLDER = "<secret>"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="stack name: reads <stackConfigDir>/Pulumi.<stack>.yaml")
    parser.add_argument(
        "--project-dir", type=Path, default=None, help="directory holding Pulumi.yaml (default: nearest above cwd)"
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")


def run(args: argparse.Namespace) -> int:
    import yaml

    try:
        project_dir = args.project_dir or find_project_dir(Path.cwd())
        project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
        stack_file = project_dir / project.get("stackConfigDir", ".") / f"Pulumi.{args.stack}.yaml"
        if not stack_file.is_file():
            available = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stack_file.parent.glob("Pulumi.*.yaml"))
            raise PlanError(f"--stack: no {stack_file}; stacks here: {', '.join(available) or 'none'}")
        config, secret_keys = stack_config(yaml.safe_load(stack_file.read_text()) or {})
    except (OSError, yaml.YAMLError) as error:
        return _fail(str(error))
    except PlanError as error:
        return _fail(str(error))

    from .errors import InvalidArgument
    from .offline import run_offline
    from .stack import main as stack_program

    try:
        result = run_offline(
            stack_program, config=config, secret_keys=secret_keys, project=project["name"], stack=args.stack
        )
    except InvalidArgument as error:
        return _fail(f"stack {args.stack!r}: {error}")
    print(render_json(result, args.stack) if args.json else render_text(result, args.stack))
    return 0


class PlanError(Exception):
    pass


def find_project_dir(start: Path) -> Path:
    for directory in (start, *start.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    raise PlanError(f"--project-dir: no Pulumi.yaml in {start} or above")


def stack_config(stack_document: dict[str, Any]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Config as the Pulumi CLI hands it to a program: strings, structured values as JSON, secrets
    (``secure:`` values, which only the CLI can decrypt) replaced by a placeholder."""
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (stack_document.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[key] = SECRET_PLACEHOLDER
            secret_keys.append(key)
        elif isinstance(value, str):
            config[key] = value
        else:
            config[key] = json.dumps(value)
    return config, tuple(secret_keys)


def _fail(message: str) -> int:
    print(f"tracking-cdn plan: error: {message}", file=sys.stderr)
    return 2


def _shown_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    # Dynamic providers carry their pickled code in "__provider"; empty values are noise.
    return {key: value for key, value in inputs.items() if not key.startswith("__") and value not in (None, [], {}, "")}


def _plain(value: Any) -> Any:
    """Outputs of the mock engine as plain YAML/JSON values (whole floats back to ints)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return SECRET_PLACEHOLDER if "Output" in type(value).__name__ else str(value)


def render_text(result: Any, stack: str) -> str:
    import yaml

    lines = [OFFLINE_NOTICE.format(stack=stack), "", f"Stack {stack!r} would create {len(result.resources)} resources:"]
    depth = {}
    for resource in result.resources:
        level = depth.get(resource.parent, 0)
        depth[resource.urn] = level + 1
        indent = "  " * level
        marks = " [protected]" if resource.protect else ""
        lines.append(f"{indent}+ {resource.type}  {resource.name}{marks}")
        shown = _plain(_shown_inputs(resource.inputs))
        if shown:
            body = yaml.safe_dump(shown, sort_keys=True, default_flow_style=False, width=110).rstrip()
            lines.extend(f"{indent}    {line}" for line in body.splitlines())
    records = _plain(result.stack_outputs.get("dnsRecords") or [])
    lines += ["", "DNS records the tracking domains need (the stack creates those in zones it manages; create the rest):"]
    width = max([len(r["name"]) for r in records] + [4])
    for record in records:
        lines.append(f"  {record['name']:<{width}}  {record['type']:<5}  {record['value']}   ({record['purpose']})")
    others = {k: _plain(v) for k, v in result.stack_outputs.items() if k != "dnsRecords"}
    if others:
        lines += ["", "Stack outputs:"] + [f"  {key}: {json.dumps(value)}" for key, value in others.items()]
    if result.warnings:
        lines += ["", "Warnings:"] + [f"  - {warning}" for warning in result.warnings]
    lines += ["", f"To deploy for real: pulumi up --stack {stack}"]
    return "\n".join(lines)


def render_json(result: Any, stack: str) -> str:
    document = {
        "offline": True,
        "notice": OFFLINE_NOTICE.format(stack=stack).replace("\n", " "),
        "stack": stack,
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "protect": r.protect,
                "inputs": _plain(_shown_inputs(r.inputs)),
            }
            for r in result.resources
        ],
        "outputs": _plain(result.stack_outputs),
        "warnings": result.warnings,
    }
    return json.dumps(document, indent=2)

