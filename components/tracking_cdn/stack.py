"""The stack program: builds the front door a stack's config asks for.

Config (namespace: the project's name in ``Pulumi.yaml``, ``tracking-cdn`` as shipped): ``frontDoor``
picks the component (cloudfront, gcp, azure, cloudflare, fastly, or ``none`` for a SparkPost V2 tracking
domain on SparkPost's own managed certificate, with no front door); ``name`` names it (default
``tracking``; keep it stable, it is part of every URN); every other key is the camelCase name of an
argument of that component (``domains``, ``esp``, ``hostedZoneId``, ...), except ``sparkpost`` and
``sparkpostApiKey``, which create a ``SparkPostTrackingDomain`` per domain after the front door (see
``tracking_cdn.sparkpost``). Provider settings use the providers' own namespaces (``aws:region``).

Every key of the project's namespace must be one of those: a misspelt key is refused with the
closest valid one, never ignored, and every value is checked against the argument's type before
anything is created. Refusals are ``StackConfigError``: one line naming the key, under ``pulumi up``
as under ``tracking-cdn plan``.
"""

import importlib
import re
import typing
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from .contract import ROUTE, DnsRecord, closest_name
from . import SHIPPED_NAMESPACE
from .errors import InvalidArgument
from .esp import DEFAULT_ESP, resolve_origin
from .platform import platform_stack_kinds
from .sparkpost import register_from_config as register_sparkpost_domains
from .stack_config import (
    STACK_SETTINGS,
    StackConfigError,
    args_from_config,
    argument_types,
    camel_case,
    component_name,
    config_key_names,
    missing_sdk_message,
    output_names,
    typed_setting,
)

SECRET_SETTINGS = ("sparkpostApiKey", "keycdnApiKey")
"""Keys that belong in the stack file only encrypted (``pulumi config set --secret``)."""

NO_FRONT_DOOR = "none"
"""``frontDoor: none``: no front door; SparkPost serves HTTPS itself with a managed certificate (V2
endpoints), and the stack only manages the SparkPost tracking domains (``sparkpost.managedCertificate``)."""


class SparkPostOnlyArgs(typing.TypedDict):
    """The keys ``frontDoor: none`` reads besides the stack program's own (see
    ``tracking_cdn.sparkpost.register_from_config``)."""

    domains: list[str]
    esp: typing.NotRequired[str]
    tenant: typing.NotRequired[str]
    protect_serving_resources: typing.NotRequired[bool]


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
    "keycdn": FrontDoorKind("tracking_cdn.keycdn", "KeyCdnTrackingDomain", "keycdn"),
}


def load_front_door(kind_name: str) -> tuple[type, type]:
    """The component class and its args TypedDict for ``frontDoor``; refuses unknown kinds and
    says how to install a missing provider SDK."""
    kind = FRONT_DOORS.get(kind_name)
    if kind is None:
        near = closest_name(kind_name, [*FRONT_DOORS, NO_FRONT_DOOR, *platform_stack_kinds()])
        choices = (f"choose one of {', '.join(FRONT_DOORS)} (or {NO_FRONT_DOOR}: SparkPost's managed certificate; "
                   f"platform mode: {', '.join(platform_stack_kinds())})")
        hint = f"did you mean {near}? ({choices})" if near else choices
        raise InvalidArgument("frontDoor", f"unknown front door {kind_name!r}; {hint}")
    try:
        module = importlib.import_module(kind.module)
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.startswith("pulumi_"):
            raise InvalidArgument("frontDoor", missing_sdk_message(kind_name, missing.name, kind.extra)) from None
        raise
    return getattr(module, kind.component), getattr(module, f"{kind.component}Args")


# --- the keys of a stack --------------------------------------------------------------------------


def configured_keys() -> list[str]:
    """Every config key the program was given (``namespace:name``), in the form ``pulumi.Config``
    reads (the legacy ``namespace:config:name`` form normalised)."""
    keys = {*runtime_config.get_config_env(), *runtime_config.CONFIG.get()}
    return sorted({re.sub(r"^([^:]*):config:", r"\1:", key) for key in keys})


def check_namespaces(namespace: str, keys: list[str]) -> None:
    """Refuse settings of this program written under another project's namespace: the namespace
    ``tracking-cdn`` of the example stacks, or any namespace holding a ``frontDoor``."""
    foreign = sorted({key.split(":", 1)[0] for key in keys if ":" in key} - {namespace})
    for other in foreign:
        if other == SHIPPED_NAMESPACE or f"{other}:frontDoor" in keys:
            names = [key.split(":", 1)[1] for key in keys if key.startswith(f"{other}:")]
            name = "frontDoor" if "frontDoor" in names else names[0]
            raise StackConfigError(
                f"{other}:{name}",
                f"the config namespace follows the project name in Pulumi.yaml, which is {namespace!r}: "
                f"write {namespace}:{name} (rename every {other}: key), or set `name: {other}` in Pulumi.yaml",
            )


def front_door_setting(namespace: str, names: list[str]) -> str:
    """The configured ``frontDoor``, or a refusal that says what to write."""
    value = pulumi.Config(namespace).get("frontDoor")
    if value is not None:
        return value
    near = closest_name("frontDoor", names)
    if near:
        raise StackConfigError(f"{namespace}:{near}", f"unknown key; did you mean {namespace}:frontDoor?")
    raise StackConfigError(
        f"{namespace}:frontDoor",
        f"required: the front door to build, one of {', '.join(FRONT_DOORS)} (e.g. `{namespace}:frontDoor: cloudfront` "
        f"in the stack file's config)",
    )


def check_setting_names(namespace: str, names: list[str], args_type: type, kind_name: str) -> None:
    """Every key of the namespace is read by the program: refuse the others with the closest valid key."""
    valid = [*STACK_SETTINGS, *(camel_case(key) for key in argument_types(args_type))]
    for name in names:
        if name in valid:
            continue
        elsewhere = sorted(kind for kind in FRONT_DOORS if kind != kind_name and name in _argument_names(kind))
        where = f" (it is an argument of the {' and '.join(elsewhere)} front door)" if elsewhere else ""
        near = closest_name(name, valid)
        hint = f"did you mean {namespace}:{near}?" if near else f"valid keys: {', '.join(sorted(valid))}"
        raise StackConfigError(f"{namespace}:{name}", f"unknown key for the {kind_name} front door{where}; {hint}")


def check_api_key_is_used(namespace: str, names: list[str]) -> None:
    """``sparkpostApiKey`` is read by the SparkPost step alone: refused without ``sparkpost``, which
    would leave the key unused."""
    if "sparkpostApiKey" in names and "sparkpost" not in names:
        raise StackConfigError(
            f"{namespace}:sparkpostApiKey",
            f"nothing uses this key without {namespace}:sparkpost: it is the API key with which the SparkPost "
            f"step tells SparkPost the tracking domains are served over HTTPS; add {namespace}:sparkpost "
            "(docs/sparkpost.md), or remove this key",
        )


def _argument_names(kind_name: str) -> set[str]:
    try:
        _, args_type = load_front_door(kind_name)
    except (InvalidArgument, ImportError):
        return set()
    return {camel_case(key) for key in argument_types(args_type)}


def main() -> None:
    namespace = pulumi.get_project()
    config = pulumi.Config(namespace)
    keys = configured_keys()
    check_namespaces(namespace, keys)
    names = [key.split(":", 1)[1] for key in keys if key.startswith(f"{namespace}:")]
    kind_name = front_door_setting(namespace, names)
    if kind_name in platform_stack_kinds():
        from .platform.stack import main as platform_stack

        platform_stack(namespace, names, kind_name)
        return
    if kind_name == NO_FRONT_DOOR:
        check_setting_names(namespace, names, SparkPostOnlyArgs, kind_name)
        sparkpost_domains = _sparkpost_without_front_door(namespace, config)
    else:
        with config_key_names(namespace):
            component_class, args_type = load_front_door(kind_name)
        check_setting_names(namespace, names, args_type, kind_name)
        check_api_key_is_used(namespace, names)
        settings = {
            key: typed_setting(config, key, annotation)
            for key, annotation in STACK_SETTINGS.items()
            if key not in SECRET_SETTINGS  # read by the SparkPost step, as a secret
        }
        args = args_from_config(config, args_type)
        with config_key_names(namespace):
            front_door = component_class(component_name(namespace, settings["name"]), args)
            for name in output_names(component_class):
                pulumi.export(camel_case(name), getattr(front_door, name))
            # Optional last step: tell SparkPost the domains are secure (config `sparkpost`), after the front door.
            sparkpost_domains = register_sparkpost_domains(front_door, config)
    pulumi.export("frontDoor", kind_name)
    if sparkpost_domains:
        pulumi.export("sparkpostVerified", {domain: r.verified for domain, r in sparkpost_domains.items()})
        # What SparkPost still waits for (DNS, the HTTPS check, a certificate), per domain; "" when nothing.
        pulumi.export("sparkpostPending", {domain: r.pending for domain, r in sparkpost_domains.items()})


def _sparkpost_without_front_door(namespace: str, config: pulumi.Config) -> dict[str, Any]:
    """``frontDoor: none``: only the SparkPost tracking domains, on SparkPost's managed certificate."""
    args_from_config(config, SparkPostOnlyArgs)  # types and required keys, refused naming the key
    if config.get("name") is not None:
        raise StackConfigError(config.full_key("name"), f"names a front door component; frontDoor is {NO_FRONT_DOOR}")
    sparkpost = typed_setting(config, "sparkpost", STACK_SETTINGS["sparkpost"])
    if not sparkpost or sparkpost.get("managedCertificate") is not True:
        raise StackConfigError(
            config.full_key("sparkpost"),
            f"frontDoor: {NO_FRONT_DOOR} serves HTTPS with SparkPost's managed certificate only: set "
            f"{namespace}:sparkpost with managedCertificate: true (esp sparkpost-v2 or sparkpost-eu-v2), "
            "or choose a front door",
        )
    with config_key_names(namespace):
        domains = register_sparkpost_domains(None, config)
        origin = resolve_origin(config.get("esp") or DEFAULT_ESP, config.get("tenant"))
    # The one record each domain needs: its CNAME straight to SparkPost's V2 endpoint.
    pulumi.export("dnsRecords", [DnsRecord(name=d, type="CNAME", value=origin.host, purpose=ROUTE) for d in domains])
    return domains
