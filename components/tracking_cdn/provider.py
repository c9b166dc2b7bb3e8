"""The front doors as a Pulumi component package, for TypeScript, Go, C#, Java and YAML programs.

``provider/PulumiPlugin.yaml`` (runtime python) makes ``provider/`` a source-based component package:
``pulumi package add`` and the engine run ``provider/__main__.py``, which calls :func:`main`. It
serves the front doors of ``tracking_cdn.stack.FRONT_DOORS`` (all but ``PYTHON_ONLY``) with Pulumi's own component provider
(``pulumi.provider.experimental``: the schema is inferred from the ``...Args`` TypedDicts and the
``Output`` annotations; type tokens ``tracking-cdn:index:<ClassName>``), adjusted where that SDK
falls short for these components:

- **Descriptions.** The SDK reads a field's docstring from the source of the class being analysed
  only, so the common arguments (declared on ``TrackingDomainArgs``) and the common outputs
  (declared on ``TrackingDomainComponent``) came out undescribed. :func:`complete_schema` fills
  every missing description from the class that declares the field, dedents them all, and spells
  the argument and output names they mention as the schema does (``hostedZoneId``).
- **Whole numbers.** Numbers cross gRPC as doubles, and the SDK hands ``integer`` inputs to the
  component as floats (``30.0``: ``ComponentProvider.map_input_properties`` converts them to ``int``
  and then overwrites the result with the original value), which the components rightly refuse as
  not an ``int``. Whole numbers are converted; a fractional one is refused naming the property.
- **Bad input.** A component's ``InvalidArgument`` comes back as an input-property error naming the
  schema property (``cacheTtlSeconds``), with the argument names in its message spelled as the
  schema spells them, instead of a Python traceback.

``SparkPostTrackingDomain`` is not served: it is a custom resource with a Python dynamic provider,
the host's gRPC server implements Construct but no Create/Update/Delete, and a dynamic resource
registered from here would have its provider started in the consuming program's environment
(pulumi/pulumi#5455, #16918). For that last reason the KeyCDN front door, whose zone and aliases are
dynamic resources, is not served either (``PYTHON_ONLY``). docs/multi-language.md says what to use
instead.

Starting the provider imports all five cloud SDKs (``pulumi_cloudflare`` alone takes about 1.2 s),
so the first ``pulumi preview`` in a program that uses the package waits a few seconds for it.

``python provider --write-schema`` (from the repository root) rewrites the committed
``provider/schema.json`` that tests/test_component_package.py compares with what the provider serves.
"""

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import pulumi
import pulumi.provider
from pulumi.errors import InputPropertyError
from pulumi.provider.experimental.analyzer import Analyzer, PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from . import __version__
from .contract import TrackingDomainArgs, TrackingDomainComponent
from .errors import InvalidArgument
from .stack import FRONT_DOORS, load_front_door

PACKAGE = "tracking-cdn"
"""The package name: first part of every type token, ``tracking-cdn:index:CloudFrontTrackingDomain``."""
NAMESPACE = "tracking-cdn"
"""Names the generated SDKs (``@tracking-cdn/tracking-cdn`` on npm); without it Pulumi would name the
Node.js SDK ``@pulumi/tracking-cdn``, as if Pulumi published it."""
WRITE_SCHEMA = "--write-schema"
PYTHON_ONLY = ("keycdn",)
"""Front doors built on Python dynamic resources: usable from Python programs only (see the module docstring)."""


def front_door_components() -> list[type[TrackingDomainComponent]]:
    """Every front door's component class served to other languages, in ``FRONT_DOORS`` order."""
    return [load_front_door(kind)[0] for kind in FRONT_DOORS if kind not in PYTHON_ONLY]


def args_type_of(component: type) -> type:
    """The ``...Args`` TypedDict a component's ``__init__`` takes as ``args`` (where the SDK reads inputs)."""
    return inspect.get_annotations(component.__init__)["args"]


class TrackingCdnProvider(ComponentProvider):
    """Pulumi's component provider for the front doors, with complete descriptions, whole-number
    inputs as ``int`` and bad input reported as an input-property error (see the module docstring)."""

    def __init__(self, components: Sequence[type[TrackingDomainComponent]], version: str = __version__) -> None:
        super().__init__(list(components), PACKAGE, NAMESPACE, version)
        self.components = {component.__name__: component for component in components}
        self.schema = json.dumps(complete_schema(json.loads(self.schema), components))

    def construct(
        self, name: str, resource_type: str, inputs: pulumi.Inputs, options: Optional[pulumi.ResourceOptions] = None
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            if not isinstance(error.inner, InvalidArgument):
                raise  # a defect, not bad input: the traceback is what the report needs
            component = self.components[resource_type.rsplit(":", 1)[-1]]
            raise schema_spelled_error(error.inner, component) from None

    def map_input_properties(
        self,
        inputs: pulumi.Inputs,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> pulumi.Inputs:
        mapped = dict(super().map_input_properties(inputs, properties, mapping, component_name, property_path))
        for schema_name, definition in properties.items():
            if definition.type is PropertyType.INTEGER and mapping[schema_name] in mapped:
                path = f"{property_path}.{schema_name}" if property_path else schema_name
                mapped[mapping[schema_name]] = whole_number(mapped[mapping[schema_name]], path)
        return mapped


def whole_number(value: Any, path: str) -> Any:
    """``value`` of an ``integer`` property as an ``int`` when it arrived as a whole float; Outputs
    and other types pass through (the component refuses them with its own message)."""
    if not isinstance(value, float):
        return value
    if not value.is_integer():
        raise InputPropertyError(path, f"expected a whole number, got {value}")
    return int(value)


def schema_names(component: type[TrackingDomainComponent]) -> dict[str, str]:
    """Python name -> schema name of each input and output of ``component`` that the schema spells
    differently (``origin_host`` -> ``originHost``)."""
    own_classes = [cls for cls in component.__mro__ if issubclass(cls, TrackingDomainComponent)]
    outputs = [key for cls in own_classes for key in inspect.get_annotations(cls)]
    keys = {*args_type_of(component).__annotations__, *outputs}
    return {key: camel_case(key) for key in keys if camel_case(key) != key}


def respell(text: str, names: dict[str, str]) -> str:
    """``text`` with every whole-word Python name of ``names`` replaced by its schema name."""
    if not names:
        return text
    pattern = r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b"
    return re.sub(pattern, lambda match: names[match[1]], text)


def schema_spelled_error(error: InvalidArgument, component: type[TrackingDomainComponent]) -> InputPropertyError:
    """``error`` as the engine reports bad input: the property path and the reason, with argument
    names spelled as in the schema."""
    names = schema_names(component)
    reason = str(error).removeprefix(f"{error.argument}: ")
    return InputPropertyError(respell(error.argument, names), respell(reason, names))


def complete_schema(schema: dict[str, Any], components: Iterable[type[TrackingDomainComponent]]) -> dict[str, Any]:
    """``schema`` with a description on every property: inputs from the args TypedDict or, for the
    common ones, ``TrackingDomainArgs``; outputs from the component class or a base class. Every
    description is dedented (docstring continuation lines carry the source's indentation) and names
    the component's inputs and outputs as the schema does."""
    analyzer = Analyzer(PACKAGE)
    for component in components:
        token = f"{PACKAGE}:index:{component.__name__}"
        resource = schema["resources"][token]
        args_type = args_type_of(component)
        _describe(resource["inputProperties"], args_type, (args_type, TrackingDomainArgs), analyzer)
        _describe(resource["properties"], component, component.__mro__, analyzer)
        schema["resources"][token] = _tidy_descriptions(resource, schema_names(component))
    schema["types"] = _tidy_descriptions(schema["types"], {})
    return schema


def _describe(properties: dict[str, Any], declared_by: type, owners: Sequence[type], analyzer: Analyzer) -> None:
    python_names = {camel_case(key): key for cls in declared_by.__mro__ for key in inspect.get_annotations(cls)}
    for schema_name, definition in properties.items():
        if definition.get("description"):
            continue
        python_name = python_names[schema_name]
        description = next(filter(None, (analyzer.get_docstring(owner, python_name) for owner in owners)), None)
        if description:
            definition["description"] = description
            if "items" in definition:  # as the SDK does for the properties it describes
                definition["items"].setdefault("description", description)


def _tidy_descriptions(node: Any, names: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: respell(inspect.cleandoc(value), names)
            if key == "description" and isinstance(value, str)
            else _tidy_descriptions(value, names)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_tidy_descriptions(item, names) for item in node]
    return node


def schema_text(provider: TrackingCdnProvider) -> str:
    """The schema as committed in ``provider/schema.json``: indented, one trailing newline."""
    return json.dumps(json.loads(provider.schema), indent=2) + "\n"


def main(argv: Sequence[str], schema_file: Path) -> int:
    """Serve the package (Pulumi passes the engine address and logging flags), or with
    ``--write-schema`` rewrite ``schema_file`` and exit."""
    provider = TrackingCdnProvider(front_door_components())
    if list(argv) == [WRITE_SCHEMA]:
        schema_file.write_text(schema_text(provider))
        print(f"wrote {schema_file}", file=sys.stderr)
        return 0
    # What component_provider_host does after collecting the components: serve over gRPC and print
    # the port on stdout for the engine.
    pulumi.provider.main(provider, list(argv))
    return 0


__all__ = ["NAMESPACE", "PACKAGE", "TrackingCdnProvider", "complete_schema", "front_door_components", "main"]
