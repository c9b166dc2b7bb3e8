"""The stack program: builds the front door a stack's config asks for.

Config (namespace ``tracking-cdn``): ``frontDoor`` picks the component (cloudfront, gcp, azure,
cloudflare, fastly); ``name`` names it (default ``tracking``; keep it stable, it is part of every
URN); every other key is the camelCase name of an argument of that component (``domains``,
``esp``, ``hostedZoneId``, ...), except ``sparkpost`` and ``sparkpostApiKey``, which create a
``SparkPostTrackingDomain`` per domain after the front door (see ``tracking_cdn.sparkpost``).
Provider settings use the providers' own namespaces (``aws:region``).
"""

import importlib
import json
import typing
from dataclasses import dataclass
from typing import Any

import pulumi

from .errors import InvalidArgument
from .sparkpost import register_from_config as register_sparkpost_domains

DEFAULT_COMPONENT_NAME = "tracking"


@dataclass(frozen=True)
class FrontDoorKind:
    module: str
    component: str
    extra: str
    """The pip extra that installs the provider SDK."""


FRONT_DOORS: dict[str, FrontDoorKind] = {
    "cloudfront": FrontDoorKind("tracking_cdn.aws", "CloudFrontTrackingDomain", "aws"),
    "gcp": FrontDoorKind("tracking_cdn.gcp", "GcpLoadBalancerTrackingDomain", "gcp"),
    "azure": FrontDoorKind("tracking_cdn.azure", "AzureFrontDoorTrackingDomain", "azure"),
    "cloudflare": FrontDoorKind("tracking_cdn.cloudflare", "CloudflareTrackingDomain", "cloudflare"),
    "fastly": FrontDoorKind("tracking_cdn.fastly", "FastlyTrackingDomain", "fastly"),
}


def load_front_door(kind_name: str) -> tuple[type, type]:
    """The component class and its args TypedDict for ``frontDoor``; refuses unknown kinds."""
    kind = FRONT_DOORS.get(kind_name)
    if kind is None:
        raise InvalidArgument("frontDoor", f"unknown front door {kind_name!r}; choose one of {', '.join(FRONT_DOORS)}")
    try:
        module = importlib.import_module(kind.module)
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.startswith("pulumi_"):
            raise InvalidArgument(
                "frontDoor", f"{kind_name!r} needs {missing.name}: pip install 'pulumi-tracking-cdn[{kind.extra}]'"
            ) from None
        raise
    return getattr(module, kind.component), getattr(module, f"{kind.component}Args")


def camel_case(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.title() for word in rest)


def args_from_config(config: pulumi.Config, args_type: type) -> dict[str, Any]:
    """Read every argument of ``args_type`` from its camelCase config key; string-typed arguments are
    taken verbatim, others (lists, numbers, booleans, objects) parsed as JSON/YAML values."""
    args: dict[str, Any] = {}
    # pulumi.Input refers to "Output[T]" by a forward reference; resolve it here, once.
    hints = typing.get_type_hints(args_type, localns={"Output": pulumi.Output, "T": pulumi.output.T})
    for key, annotation in hints.items():
        raw = config.get(camel_case(key))
        if raw is None:
            continue
        if _accepts_str(annotation):
            args[key] = raw
            continue
        try:
            args[key] = json.loads(raw)
        except json.JSONDecodeError:
            raise InvalidArgument(f"{config.name}:{camel_case(key)}", f"expected a YAML/JSON value, got {raw!r}") from None
    return args


def _accepts_str(annotation: Any) -> bool:
    """True for ``str`` and unions holding it (``pulumi.Input[str]``, ``Optional[str]``)."""
    return annotation is str or (typing.get_origin(annotation) is typing.Union and str in typing.get_args(annotation))


def output_names(component_class: type) -> list[str]:
    """The outputs a component declares (``pulumi.Output`` class annotations), base class first."""
    names: list[str] = []
    for cls in reversed(component_class.__mro__):
        for key, annotation in getattr(cls, "__annotations__", {}).items():
            if getattr(annotation, "__origin__", None) is pulumi.Output and key not in names:
                names.append(key)
    return names


def main() -> None:
    config = pulumi.Config()
    kind_name = config.require("frontDoor")
    component_class, args_type = load_front_door(kind_name)
    front_door = component_class(config.get("name") or DEFAULT_COMPONENT_NAME, args_from_config(config, args_type))
    pulumi.export("frontDoor", kind_name)
    for name in output_names(component_class):
        pulumi.export(camel_case(name), getattr(front_door, name))
    # Optional last step: tell SparkPost the domains are secure (config `sparkpost`), after the front door.
    sparkpost_domains = register_sparkpost_domains(front_door, config)
    if sparkpost_domains:
        pulumi.export("sparkpostVerified", {domain: r.verified for domain, r in sparkpost_domains.items()})
