"""The stack program in platform mode: a platform stack, or a stack of a platform's tenants.

``frontDoor: <cloud>-platform`` (``cloudfront-platform``, ``cloudflare-platform``, ``gcp-platform``) builds
the platform from the camelCase keys of its arguments and one tenant per entry of ``tenants``
(``{name: {domains: [...], validated: true, ...}}``, each tenant's camelCase arguments but ``platform``),
and exports the platform's outputs, its ``tenantConfig`` for tenant stacks, every tenant's records in
``dnsRecords`` and each tenant's ``domains``, ``status`` and records in ``tenants``.

``frontDoor: <cloud>-tenants`` builds only the tenants, reading the platform's ``tenantConfig`` from the
stack ``platformStack`` names (``org/project/stack``) through a ``pulumi.StackReference``: a platform's
tenants sharded over stacks of their own, deployed in parallel by Pulumi Deployments or the Automation
API (docs/platform.md). Mistakes are ``StackConfigError``s naming the key, as for front doors.
"""

from typing import Any

import pulumi

from ..contract import closest_name
from ..errors import InvalidArgument
from ..stack_config import (
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
from . import PLATFORMS, TENANT_CONFIG_OUTPUT, load_platform, platform_stack_kinds

STACK_KINDS: dict[str, tuple[str, bool]] = {
    name: (name.rsplit("-", 1)[0], name.endswith("-tenants")) for name in platform_stack_kinds()
}
"""``frontDoor`` value -> (platform kind, whether the stack holds tenants only)."""


def main(namespace: str, names: list[str], front_door: str) -> None:
    """The program of a platform stack or of a tenant stack (``front_door``, a key of ``STACK_KINDS``)."""
    kind, tenants_only = STACK_KINDS[front_door]
    config = pulumi.Config(namespace)
    try:
        platform_class, platform_args_type, tenant_class, tenant_args_type = load_platform(kind)
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.startswith("pulumi_"):
            raise StackConfigError(f"{namespace}:frontDoor", missing_sdk_message(front_door, missing.name,
                                                                                 PLATFORMS[kind].extra)) from None
        raise
    platform_keys = [] if tenants_only else [camel_case(key) for key in argument_types(platform_args_type)]
    own = ["frontDoor", "tenants", *(["platformStack"] if tenants_only else ["name"])]
    _check_names(namespace, names, [*own, *platform_keys], front_door)
    tenants = typed_setting(config, "tenants", dict) or {}
    if tenants_only:
        stack = config.get("platformStack")
        if not stack:
            raise StackConfigError(f"{namespace}:platformStack",
                                   "required: the platform's stack, org/project/stack, whose tenantConfig the tenants read")
        platform: Any = pulumi.StackReference(stack).get_output(TENANT_CONFIG_OUTPUT)
    else:
        with config_key_names(namespace):
            platform = platform_class(component_name(namespace, config.get("name")),
                                      args_from_config(config, platform_args_type))
        for output in output_names(platform_class):
            pulumi.export(camel_case(output), getattr(platform, output))
        pulumi.export(TENANT_CONFIG_OUTPUT, platform.tenant_config)
    built = {name: _tenant(namespace, tenant_class, tenant_args_type, platform, name, args)
             for name, args in sorted(tenants.items())}
    pulumi.export("frontDoor", front_door)
    pulumi.export("dnsRecords", pulumi.Output.all(*[tenant.dns_records for tenant in built.values()]).apply(
        lambda found: [record for records in found for record in records]))
    pulumi.export("tenants", {name: {"domains": list(tenant.settings.domains), "status": tenant.status,
                                     "dnsRecords": tenant.dns_records} for name, tenant in built.items()})


def _tenant(namespace: str, tenant_class: type, args_type: type, platform: Any, name: Any, given: Any) -> Any:
    """One tenant of ``tenants``: its camelCase keys read as the tenant's arguments; a mistake is
    refused naming ``tenants.<name>.<key>``."""
    where = f"{namespace}:tenants.{name}"
    if not isinstance(given, dict):
        raise StackConfigError(where, f"expected the tenant's arguments, e.g. {{domains: [track.{name}.com]}}, got {given!r}")
    keys = {camel_case(key): key for key in argument_types(args_type) if key != "platform"}
    args = {}
    for key, value in given.items():
        if key not in keys:
            near = closest_name(str(key), list(keys))
            hint = f"did you mean {near}?" if near else f"valid: {', '.join(sorted(keys))}"
            raise StackConfigError(f"{where}.{key}", f"not an argument of {tenant_class.__name__}; {hint}")
        args[keys[key]] = value
    try:
        return tenant_class(str(name), {"platform": platform, **args})
    except StackConfigError:
        raise
    except InvalidArgument as error:
        head, _, tail = error.argument.partition("[")
        shown = "" if head == "name" else f".{camel_case(head)}" + (f"[{tail}" if tail else "")
        raise StackConfigError(f"{where}{shown}", str(error)[len(error.argument) + 2:]) from None


def _check_names(namespace: str, names: list[str], valid: list[str], front_door: str) -> None:
    for name in names:
        if name in valid:
            continue
        near = closest_name(name, valid)
        why = " (SparkPost tracking domains are a single sender's)" if name in STACK_SETTINGS else ""
        hint = f"did you mean {namespace}:{near}?" if near else f"valid keys: {', '.join(sorted(valid))}"
        raise StackConfigError(f"{namespace}:{name}", f"unknown key for {front_door}{why}; {hint}")


__all__ = ["STACK_KINDS", "main"]
