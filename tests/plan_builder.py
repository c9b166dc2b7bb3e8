"""Hand-built plan documents (the ``tracking-cdn plan --json`` shape) for testing the offline diff on
exactly the situation a test names."""

from __future__ import annotations

from typing import Any, Optional

STACK = "dev"
PROJECT = "tracking-cdn"
ROOT = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
COMPONENT_TYPE = "tracking-cdn:index:TestFrontDoor"
COMPONENT = f"urn:pulumi:{STACK}::{PROJECT}::{COMPONENT_TYPE}::track"


def urn(type_: str, name: str, parent_type: Optional[str] = COMPONENT_TYPE) -> str:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


def component(name: str = "track", type_: str = COMPONENT_TYPE) -> dict[str, Any]:
    return resource(type_, name, custom=False, parent=ROOT, urn_=urn(type_, name, None))


def resource(type_: str, name: str, inputs: Optional[dict] = None, *, protect: bool = False,
             depends: Optional[dict[str, list[str]]] = None, custom: bool = True, parent: str = COMPONENT,
             urn_: Optional[str] = None, **fields: Any) -> dict[str, Any]:
    """A resource entry; ``depends`` maps an input to the URNs its value came from."""
    depends = depends or {}
    return {
        "urn": urn_ or urn(type_, name),
        "type": type_,
        "name": name,
        "parent": parent,
        "custom": custom,
        "protect": protect,
        "deleteBeforeReplace": False,
        "provider": "",
        "aliases": [],
        "dependencies": sorted({u for urns in depends.values() for u in urns}),
        "propertyDependencies": {key: sorted(urns) for key, urns in depends.items()},
        "ignoreChanges": [],
        "inputs": inputs or {},
        **fields,
    }


def plan(*resources: dict[str, Any], stack: str = STACK, project: str = PROJECT) -> dict[str, Any]:
    return {
        "format": 1,
        "offline": True,
        "notice": "test",
        "project": project,
        "stack": stack,
        "resources": [component(), *resources],
        "outputs": {},
        "warnings": [],
    }
