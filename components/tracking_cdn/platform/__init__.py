"""Platform mode: one front door shared by many customers' tracking domains (docs/platform.md).

A *platform* component is the shared front door of one cloud, pointing at the ESP: a CloudFront
multi-tenant distribution and connection group, a Cloudflare for SaaS zone's fallback origin, a
Google Cloud load balancer with a certificate map. A *tenant* component is one customer of it: its
tracking domains, their certificate, the DNS records the customer must create (``dns_records``) and
their status. Names say which is which: ``<Cloud>TrackingPlatform`` and ``<Cloud>TrackingTenant``,
one module per cloud here, each importing only its own provider SDK.

A tenant finds its platform through the ``platform`` argument: the platform component itself when
both live in one program, or the platform's ``tenant_config`` output read from the platform's stack
(``pulumi.StackReference(...).get_output("tenantConfig")``), so that tenants can live in stacks of
their own, deployed in parallel by Pulumi's own machinery (docs/platform.md, "Tenants in stacks of
their own"). Adding, changing or removing one tenant touches that tenant's resources only: nothing of
the platform or of another tenant is an input of it that could change.

Every tenant is created without waiting for the customer's DNS (a tenant whose customer never creates
the records blocks no ``pulumi up``) and unprotected until ``validated`` says its domains serve.

(No ``from __future__ import annotations``: Pulumi's schema inference reads these annotations.)
"""

import re
from dataclasses import dataclass
from typing import Any, Mapping, NotRequired, Optional, Required, Sequence, TypedDict

import pulumi

from ..contract import (
    DEFAULT_CACHE_TTL_SECONDS,
    ComponentNameRule,
    DnsRecord,
    FrontDoorSettings,
    TrackingDomainComponent,
    check_argument_names,
    check_component_name,
    plain_arg,
    resolve_settings,
)
from ..deep_links import resolve_app_links
from ..domains import normalize_tracking_domains
from ..errors import InvalidArgument
from ..quotas import Quota

TENANT_CONFIG_OUTPUT = "tenantConfig"
"""The stack output a platform stack exports its ``tenant_config`` as, for tenant stacks to read."""
TENANT_CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "cloudfront": ("distribution_id", "connection_group_id", "routing_endpoint", "app_links_store"),
    "cloudflare": ("zone_id", "cname_target"),
    "gcp": ("certificate_map", "ipv4_address", "ipv6_address"),
}
"""What each kind of platform's ``tenant_config`` holds, besides the keys every one has (``COMMON_CONFIG_KEYS``)."""
COMMON_CONFIG_KEYS = ("kind", "platform", "origin_host", "esp")
ACTIVE = "active"
PENDING = "pending"
TENANT_NAME = ComponentNameRule(
    starts="the names of a tenant's resources (and, on CloudFront, the distribution tenant's own name)",
    pattern=re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"),
    characters="lowercase letters, digits and inner hyphens (one DNS label, valid on every cloud)",
    max_length=40,
    why="GCP Certificate Manager names, '<tenant>-cert-' plus an 8-character digest of the domain, hold at most 64",
)


class TrackingPlatformArgs(TypedDict):
    """Arguments every platform takes: the ESP and how its tenants' links are served. They mean what
    the same arguments of a single-sender front door mean (``TrackingDomainArgs``), for every tenant."""

    esp: NotRequired[str]
    """ESP profile every tenant's links go to: sparkpost (default) or another profile of ``TrackingDomainArgs.esp``."""
    tenant: NotRequired[str]
    """With ``esp: sparkpost-enterprise``: the SparkPost Enterprise tenant (the ESP's, not a platform tenant)."""
    origin_host: NotRequired[str]
    """The ESP endpoint host; required for ``custom``, overrides the profile's host otherwise."""
    esp_region: NotRequired[str]
    """With ``esp: ses``: the AWS region of the SES account."""
    cache_ttl_seconds: NotRequired[int]
    """Default cache TTL where the platform caches (default 10; 0 to 3600)."""
    redirect_http_to_https: NotRequired[bool]
    """Answer plain HTTP with a redirect to HTTPS on every tenant's domains (default False: links
    already delivered as ``http://`` keep working)."""
    protect_serving_resources: NotRequired[bool]
    """Protect the platform's serving resources, and every validated tenant's, with Pulumi's
    ``protect`` (default True)."""


class TrackingTenantArgs(TypedDict):
    """Arguments every tenant takes: which platform, the customer's tracking domains, and whether they
    serve yet."""

    platform: Required[Any]
    """The platform this tenant belongs to: the platform component itself when both are in one
    program, or its ``tenant_config`` output from the platform's stack
    (``pulumi.StackReference("org/project/platform").get_output("tenantConfig")``)."""
    domains: list[str]
    """The customer's tracking domains, e.g. ``["track.customer.com"]``. Lower-cased, trailing dot removed."""
    validated: NotRequired[bool]
    """True once the customer's records (``dns_records``) exist and ``status`` is ``active``: the
    tenant serves live links, so its serving resources are protected (``protect_serving_resources``).
    Default False: nothing waits for the customer's DNS and a customer who never finishes can be
    removed with a plain ``pulumi up``."""
    protect_serving_resources: NotRequired[bool]
    """Protect a validated tenant's serving resources with Pulumi's ``protect`` (default True)."""


@dataclass(frozen=True)
class TenantSettings:
    """A tenant's own arguments, validated."""

    name: str
    common: FrontDoorSettings
    """The common settings (domains, app links, protection); ``origin`` is None: the platform's."""
    validated: bool


def resolve_platform_settings(args: Mapping[str, Any], args_type: type) -> FrontDoorSettings:
    """The common settings of a platform: ``resolve_settings`` without domains (tenants bring them)."""
    return resolve_settings(args, args_type, own_domains=False)


def resolve_tenant_settings(
    name: str, args: Mapping[str, Any], args_type: type, *, domains_quota: Optional[Quota] = None
) -> TenantSettings:
    """A tenant's name and own arguments, refused before anything is registered. ``domains_quota``:
    the product's limit on domains per tenant, if it has one."""
    check_argument_names(args, args_type)
    check_component_name(name, TENANT_NAME)
    limit = f" ({domains_quota.cited()})" if domains_quota else ""
    domains = normalize_tracking_domains(
        plain_arg(args, "domains", list), max_count=domains_quota.value if domains_quota else None,
        limit_reason=limit,
    )
    validated = plain_arg(args, "validated", bool, False)
    protect = plain_arg(args, "protect_serving_resources", bool, True) and validated
    return TenantSettings(
        name=name,
        common=FrontDoorSettings(
            domains=domains, origin=None, cache_ttl_seconds=DEFAULT_CACHE_TTL_SECONDS, redirect_http_to_https=False, protect=protect,
            deep_links=resolve_app_links(plain_arg(args, "app_links", dict)), well_known_origin=None,
        ),
        validated=validated,
    )


class TrackingPlatformComponent(TrackingDomainComponent):
    """Base of every platform: the common outputs, plus what its tenants read (``tenant_config``)."""

    tenant_config: pulumi.Output[dict[str, Any]]
    """Everything a tenant of this platform needs, as one object: export it from the platform's stack
    as ``tenantConfig`` for tenants in other stacks to read with a ``pulumi.StackReference``."""

    kind = ""
    """The platform's kind in ``tenant_config`` (``cloudfront``, ``cloudflare``, ``gcp``)."""
    tenant_counter: Optional["QuotaCounter"] = None
    """Counts the tenants (or hostnames) this program gives the platform against the product's quota."""

    def count_tenant(self, tenant: str, amount: int) -> None:
        """Count ``amount`` more of what ``tenant_counter`` counts for ``tenant`` (refused or warned)."""
        if self.tenant_counter is not None:
            self.tenant_counter.add(tenant, amount)


class QuotaCounter:
    """Counts the tenants (or hostnames) one program gives a platform against ``quota``: past ``limit``
    (the quota the cloud granted, default its default; None: no limit) the next tenant is refused naming ``domains``,
    before anything of it is registered; each ``(threshold, why)`` of ``notices``, and 80% of ``limit``,
    is warned once when reached. This program's count only: tenants in other stacks count too."""

    def __init__(self, quota: Quota, limit: Optional[int], notices: Sequence[tuple[int, str]] = ()) -> None:
        self.quota, self.limit, self.count = quota, limit, 0
        near = [(int(0.8 * limit), f"80% of {limit:,} ({quota.cited()})")] if limit is not None else []
        self.notices = sorted([*notices, *near])

    def add(self, tenant: str, amount: int) -> None:
        if self.limit is not None and self.count + amount > self.limit:
            raise InvalidArgument(
                "domains",
                f"tenant {tenant!r} would bring the platform's {self.quota.unit} in this program to "
                f"{self.count + amount:,}, above {self.limit:,} ({self.quota.cited()}); "
                + (f"ask the cloud for more and raise the platform's {self.quota.argument}, or " if self.quota.argument
                   else "")
                + "give the tenant to another platform",
            )
        before, self.count = self.count, self.count + amount
        for threshold, why in self.notices:
            if before < threshold <= self.count:
                pulumi.log.warn(
                    f"this program gives the platform {self.count:,} {self.quota.unit}: {why}; tenants in other "
                    "stacks count too"
                )


class PlatformLink:
    """A tenant's view of its platform (the ``platform`` argument): the platform component itself, or
    its ``tenant_config`` as a dict or an Output (from a ``pulumi.StackReference``)."""

    def __init__(self, value: Any, platform_class: type) -> None:
        self.component: Optional[TrackingPlatformComponent] = None
        if isinstance(value, TrackingPlatformComponent):
            if not isinstance(value, platform_class):
                raise InvalidArgument(
                    "platform", f"a {type(value).__name__} cannot hold this tenant; give a {platform_class.__name__}"
                )
            self.component = value
            config: Any = value.tenant_config
        elif isinstance(value, dict):  # known now: checked before anything is registered
            config = _checked_config(value, platform_class.kind, platform_class.__name__)
        elif isinstance(value, pulumi.Output):
            config = value
        else:
            raise InvalidArgument(
                "platform",
                f"expected the {platform_class.__name__} or its tenant_config output (e.g. "
                f"pulumi.StackReference(...).get_output({TENANT_CONFIG_OUTPUT!r})), got {type(value).__name__}",
            )
        kind = platform_class.kind
        self.config: pulumi.Output[dict[str, Any]] = pulumi.Output.from_input(config).apply(
            lambda resolved: _checked_config(resolved, kind, platform_class.__name__)
        )

    def get(self, key: str) -> pulumi.Output[Any]:
        """One value of the platform's ``tenant_config``."""
        return self.config.apply(lambda config: config[key])

    def count_tenant(self, tenant: str, domains: int) -> None:
        """Count the tenant against the platform's quota when the platform is in this program."""
        if self.component is not None:
            self.component.count_tenant(tenant, domains)


def _checked_config(config: Any, kind: str, platform_name: str) -> dict[str, Any]:
    """``config`` (a platform's ``tenant_config``) once it has every key of a ``kind`` platform and is not
    another kind's: a tenant in another stack learns this only when the platform stack's outputs are read."""
    found = config.get("kind") if isinstance(config, dict) else type(config).__name__
    missing = [key for key in (*COMMON_CONFIG_KEYS, *TENANT_CONFIG_KEYS[kind]) if not isinstance(config, dict)
               or key not in config]
    if missing or (found in PLATFORMS and found != kind):
        raise InvalidArgument(
            "platform",
            f"{found!r} is not the tenant_config of a {platform_name} (no {', '.join(missing) or 'match'}); read the "
            f"platform stack's {TENANT_CONFIG_OUTPUT!r} output",
        )
    return config


class TrackingTenantComponent(TrackingDomainComponent):
    """Base of every tenant: the common outputs (``origin_host`` is the platform's), plus its status."""

    status: pulumi.Output[str]
    """``active`` when the cloud reports every domain of the tenant active, else ``pending`` (waiting for
    the customer's records in ``dns_records``, or for the certificate). As fresh as the last ``pulumi up``
    or ``pulumi refresh``; ``tracking-cdn check --tenants`` looks now."""
    domain_statuses: pulumi.Output[dict[str, str]]
    """Each domain's status as the cloud reports it (CloudFront: ``active``/``inactive``; Cloudflare:
    the custom hostname's ``active``/``pending``...; Google Cloud: the map entry's ``ACTIVE``/``PENDING``)."""

    def __init__(self, tenant: TenantSettings, opts: Optional[pulumi.ResourceOptions]) -> None:
        super().__init__(tenant.name, tenant.common, opts)
        self.tenant = tenant

    def publish_tenant_outputs(
        self, link: PlatformLink, records: pulumi.Input[list[DnsRecord]],
        statuses: pulumi.Input[dict[str, str]], active_value: str, **outputs: Any,
    ) -> None:
        """Publish the common and tenant outputs: ``status`` is ``active`` when every value of
        ``statuses`` is ``active_value``."""
        self.publish_outputs(
            origin_host=link.get("origin_host"),
            dns_records=records,
            status=pulumi.Output.from_input(statuses).apply(lambda found: summary_status(found, active_value)),
            domain_statuses=statuses,
            **outputs,
        )


def summary_status(statuses: Mapping[str, Any], active_value: str) -> str:
    """``active`` when every domain's status is ``active_value`` (compared without case), else ``pending``."""
    values = [str(value or "").lower() for value in statuses.values()]
    return ACTIVE if values and all(value == active_value.lower() for value in values) else PENDING


def per_domain(domains: Sequence[str], statuses: Sequence[pulumi.Input[Any]]) -> pulumi.Output[dict[str, str]]:
    """``{domain: status}`` from one status output per domain (in ``domains`` order)."""
    return pulumi.Output.all(*statuses).apply(lambda found: {d: str(s or "") for d, s in zip(domains, found)})


@dataclass(frozen=True)
class PlatformKind:
    """A platform of the stack program (``frontDoor: <kind>-platform``), and its tenant."""

    module: str
    platform: str
    tenant: str
    extra: str
    """The pip extra that installs the provider SDK."""


PLATFORMS: dict[str, PlatformKind] = {
    "cloudfront": PlatformKind("tracking_cdn.platform.cloudfront", "CloudFrontTrackingPlatform",
                               "CloudFrontTrackingTenant", "aws"),
    "cloudflare": PlatformKind("tracking_cdn.platform.cloudflare", "CloudflareTrackingPlatform",
                               "CloudflareTrackingTenant", "cloudflare"),
    "gcp": PlatformKind("tracking_cdn.platform.gcp", "GcpTrackingPlatform", "GcpTrackingTenant", "gcp"),
}
"""Platform kinds by cloud; each module imports only its own provider SDK."""


def load_platform(kind: str) -> tuple[type, type, type, type]:
    """(platform class, its args, tenant class, its args) of ``kind``, a key of ``PLATFORMS``."""
    import importlib

    found = PLATFORMS[kind]
    module = importlib.import_module(found.module)
    return (getattr(module, found.platform), getattr(module, f"{found.platform}Args"),
            getattr(module, found.tenant), getattr(module, f"{found.tenant}Args"))


def platform_stack_kinds() -> list[str]:
    """The stack program's ``frontDoor`` values of platform mode (``cloudfront-platform``,
    ``cloudfront-tenants``, ...): ``tracking_cdn.platform.stack``."""
    return [f"{kind}{suffix}" for kind in PLATFORMS for suffix in ("-platform", "-tenants")]


__all__ = [
    "ACTIVE", "PENDING", "PLATFORMS", "TENANT_CONFIG_OUTPUT", "PlatformKind", "PlatformLink", "QuotaCounter",
    "TenantSettings", "TrackingPlatformArgs", "TrackingPlatformComponent", "TrackingTenantArgs",
    "TrackingTenantComponent", "load_platform", "per_domain", "platform_stack_kinds", "resolve_platform_settings",
    "resolve_tenant_settings", "summary_status",
]
