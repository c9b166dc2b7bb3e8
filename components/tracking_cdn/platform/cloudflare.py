"""Cloudflare for SaaS: ``CloudflareTrackingPlatform`` and ``CloudflareTrackingTenant``.

The platform is a SaaS zone of the platform's own (a zone dedicated to it, as Cloudflare advises: "We
suggest using a domain other than your main company domain"), with a fallback origin and a CNAME
target; a tenant is one custom hostname per customer domain on that zone, with a DV certificate
Cloudflare issues and renews itself (HTTP validation, once the customer's CNAME points at the CNAME
target). What Braze's guide calls "Dedicated SSL with Custom Hostnames".

The zone's rules apply to every custom hostname, so the platform applies the single-sender front
door's recipe (``tracking_cdn.cloudflare``) to all of them at once, never naming one: ``mode="proxy"``
(the default for ESPs that route on the tracking domain) proxies to the ESP through the fallback origin,
the customer's domain as ``Host``, with SSL Full and a cache rule; ``mode="redirect"`` answers a 301 to
the ESP, its fallback origin Cloudflare's originless placeholder. Adding a tenant adds its custom
hostnames and changes nothing of the zone.

Imports only pulumi-cloudflare. (No ``from __future__ import annotations``: Pulumi's schema inference
reads these annotations.)
"""

from typing import Any, NotRequired, Optional, Required

import pulumi
import pulumi_cloudflare as cloudflare

from ..cloudflare import (
    AUTOMATIC_TTL,
    CACHE_PHASE,
    CONFIG_PHASE,
    ORIGINLESS_RECORD,
    PLAIN_HTTP,
    PROXY,
    REDIRECT,
    REDIRECT_PHASE,
    _read_cache_settings,
    _read_ssl_mode,
    build_cache_rules,
    build_config_rules,
    esp_redirect_rules,
    https_redirect_rules,
    read_mode,
    zone_id_output,
)
from ..contract import (
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    VALIDATION,
    DnsRecord,
    bounded_int_arg,
    dns_record,
    input_arg,
    plain_arg,
)
from ..domains import in_zone, validate_hostname
from ..errors import InvalidArgument
from ..quotas import quota as cited_quota
from . import (
    PlatformLink,
    QuotaCounter,
    TrackingPlatformArgs,
    TrackingPlatformComponent,
    TrackingTenantArgs,
    TrackingTenantComponent,
    per_domain,
    resolve_platform_settings,
    resolve_tenant_settings,
)

KIND = "cloudflare"
MAX_HOSTNAMES = cited_quota("cloudflare.saas-hostnames")
INCLUDED_HOSTNAMES = cited_quota("cloudflare.saas-included-hostnames")
ACTIVE_HOSTNAME = "active"
"""A custom hostname's status once Cloudflare validated it (``pending`` before)."""
DEFAULT_FALLBACK_LABEL = "fallback"
DEFAULT_CNAME_TARGET_LABEL = "customers"
HOSTNAME_SSL = {"method": "http", "type": "dv", "settings": {"min_tls_version": "1.2"}}
"""Each custom hostname's certificate: domain-validated over HTTP, which Cloudflare completes itself once
the customer's CNAME points at the zone; TLS 1.2 at least. The certificate authority is Cloudflare's
choice: selecting one is Enterprise-only (Cloudflare for SaaS plans, "Selectable CA")."""


class CloudflareTrackingPlatformArgs(TrackingPlatformArgs):
    """Arguments of ``CloudflareTrackingPlatform``: the common platform ones plus the SaaS zone's."""

    zone_name: Required[str]
    """The SaaS zone, e.g. ``tracking-platform.net``: a zone of the platform's own with Cloudflare for SaaS
    enabled, best one used for nothing else. Its own names are not custom hostnames: no tenant domain may
    be in it."""
    zone_id: NotRequired[pulumi.Input[str]]
    """The id of ``zone_name`` when you have it; skips the lookup."""
    mode: NotRequired[str]
    """``proxy`` (default for ESPs that route on the tracking domain) or ``redirect`` (default for the others):
    the single-sender front door's recipes (``CloudflareTrackingDomainArgs.mode``), for every custom hostname."""
    edge_cache_ttl_seconds: NotRequired[int]
    """Proxy mode: cache the ESP's answers at the edge for this many seconds, 1 to 3600 (values below
    3600 need a Business or Enterprise plan); default: not cached."""
    fallback_origin: NotRequired[str]
    """The zone's own name requests for custom hostnames go to (default ``fallback.<zone_name>``): a proxied
    record, a CNAME to the ESP in proxy mode, the originless ``AAAA 100::`` in redirect mode."""
    cname_target: NotRequired[str]
    """The name the customers CNAME their domains to (default ``customers.<zone_name>``)."""
    hostname_quota: NotRequired[int]
    """Custom hostnames the zone may have (default 50000, the most a Free, Pro or Business plan takes):
    raise it when Enterprise gives you more. A program giving the platform more is refused; past the 100
    a plan includes, each is billed (a warning says so)."""


class CloudflareTrackingPlatform(TrackingPlatformComponent):
    """The shared Cloudflare front door of a platform: a SaaS zone's fallback origin and CNAME target, and
    the zone's rules for every custom hostname (SSL Full and a cache rule in proxy mode, the 301 to the ESP
    in redirect mode)."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL})
    kind = KIND

    zone_id: pulumi.Output[str]
    """The id of the SaaS zone."""
    cname_target: pulumi.Output[str]
    """The name every tenant's domains are CNAMEd to."""

    def __init__(
        self, name: str, args: CloudflareTrackingPlatformArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        settings = resolve_platform_settings(args, CloudflareTrackingPlatformArgs)
        zone_name = validate_hostname(plain_arg(args, "zone_name", str), argument="zone_name")
        zone_id_arg = input_arg(args, "zone_id", "the id of zone_name, or leave it out to look it up")
        mode = read_mode(args, settings.origin)
        if mode not in (PROXY, REDIRECT):
            raise InvalidArgument("mode", f"{mode!r}: a platform takes {PROXY!r} or {REDIRECT!r} (page rules name hosts)")
        fallback = _zone_name_arg(args, "fallback_origin", DEFAULT_FALLBACK_LABEL, zone_name)
        target = _zone_name_arg(args, "cname_target", DEFAULT_CNAME_TARGET_LABEL, zone_name)
        if fallback == target:
            raise InvalidArgument("cname_target", f"{target!r} is the fallback origin too; give them different names")
        ssl_mode, cache = _read_ssl_mode(args, mode, settings.origin), _read_cache_settings(args, mode, settings.origin)
        quota = bounded_int_arg(args, "hostname_quota", MAX_HOSTNAMES.value, 1)
        super().__init__(name, settings, opts)
        self.zone_name = zone_name
        self.tenant_counter = QuotaCounter(MAX_HOSTNAMES, quota, [(
            INCLUDED_HOSTNAMES.value + 1,
            f"beyond the {INCLUDED_HOSTNAMES.value} a plan includes each is billed ({INCLUDED_HOSTNAMES.cited()})",
        )])

        zone_id = zone_id_output(self, zone_name, zone_id_arg)
        selector = custom_hostnames(zone_name)
        rules = {
            REDIRECT_PHASE: (esp_redirect_rules([selector], settings.origin.host) if mode == REDIRECT else [])
            + (https_redirect_rules([custom_hostnames(zone_name, PLAIN_HTTP)])
               if mode == PROXY and settings.redirect_http_to_https else []),
            CONFIG_PHASE: build_config_rules([selector], ssl_mode),
            CACHE_PHASE: build_cache_rules([selector], cache),
        }
        rulesets = self._rulesets(name, zone_id, rules, mode)
        record_type, content = ("CNAME", settings.origin.host) if mode == PROXY else ORIGINLESS_RECORD
        fallback_record = self._record(f"{name}-fallback", zone_id, fallback, record_type, content,
                                       "fallback origin of the custom hostnames", rulesets)
        target_record = self._record(f"{name}-cname-target", zone_id, target, "CNAME", fallback,
                                     "what customers CNAME their tracking domains to", [fallback_record])
        fallback_origin = cloudflare.CustomHostnameFallbackOrigin(
            f"{name}-fallback-origin", zone_id=zone_id, origin=fallback,
            # Custom hostnames are routed once their rules and both records exist.
            opts=self.child_opts(serving=True, depends_on=[fallback_record, target_record, *rulesets]),
        )
        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=[],
            tenant_config=pulumi.Output.all(zone_id, fallback_origin.id, target_record.name).apply(lambda values: {
                "kind": KIND, "platform": name, "origin_host": settings.origin.host, "esp": settings.origin.profile.name,
                "zone_id": values[0], "cname_target": values[2],
            }),
            zone_id=zone_id,
            cname_target=target_record.name,
        )

    def _rulesets(
        self, name: str, zone_id: pulumi.Output[str], rules: dict[str, list[dict[str, Any]]], mode: str
    ) -> list[cloudflare.Ruleset]:
        """The zone's entry points for the phases with rules; they are the zone's own, so the zone should
        be the platform's alone (an entry point that already has rules fails ``pulumi up`` instead of
        being overwritten, as for the single-sender front door)."""
        return [
            cloudflare.Ruleset(
                f"{name}-{role}", zone_id=zone_id, kind="zone", phase=phase, name=f"tracking-cdn {role} (platform)",
                description=f"Zone entry point for {phase}, managed by tracking-cdn: every custom hostname",
                rules=rules[phase],
                # The HTTPS redirect of proxy mode is an option; the rest is how the links are served.
                opts=self.child_opts(serving=not (phase == REDIRECT_PHASE and mode == PROXY)),
            )
            for phase, role in ((CONFIG_PHASE, "ssl"), (CACHE_PHASE, "cache"), (REDIRECT_PHASE, "redirect"))
            if rules[phase]
        ]

    def _record(
        self, resource: str, zone_id: pulumi.Output[str], record_name: str, record_type: str, content: str,
        purpose: str, depends_on: list[pulumi.Resource],
    ) -> cloudflare.DnsRecord:
        return cloudflare.DnsRecord(
            resource, zone_id=zone_id, name=record_name, type=record_type, content=content, proxied=True,
            ttl=AUTOMATIC_TTL, comment=f"tracking-cdn: {purpose}",
            opts=self.child_opts(serving=True, depends_on=depends_on, delete_before_replace=True),
        )


def custom_hostnames(zone_name: str, *conditions: str) -> str:
    """The expression matching every custom hostname of the zone (every host that is not the zone's
    own name or under it) and ``conditions``: rules that never name a tenant, so that adding one
    changes none."""
    own = f'(http.host eq "{zone_name}" or ends_with(http.host, ".{zone_name}"))'
    return "(" + " and ".join((f"not {own}", *conditions)) + ")"


def _zone_name_arg(args: Any, key: str, label: str, zone_name: str) -> str:
    value = plain_arg(args, key, str)
    name = f"{label}.{zone_name}" if value is None else validate_hostname(value, argument=key)
    if not in_zone(name, zone_name) or name == zone_name:
        raise InvalidArgument(key, f"{value!r} is not a name under zone_name {zone_name!r}")
    return name


class CloudflareTrackingTenantArgs(TrackingTenantArgs):
    """Arguments of ``CloudflareTrackingTenant``: the common tenant ones."""


class CloudflareTrackingTenant(TrackingTenantComponent):
    """One customer of a ``CloudflareTrackingPlatform``: a custom hostname per domain on the platform's
    zone, its DV certificate issued by Cloudflare. ``dns_records`` lists the CNAME to the platform's
    CNAME target (route: Cloudflare also validates the certificate through it) and the ``_cf-custom-hostname``
    TXT record (validation: activates the hostname before the CNAME moves, for a live domain)."""

    custom_hostname_ids: pulumi.Output[list[str]]
    """Ids of the custom hostnames, in ``domains`` order."""

    def __init__(
        self, name: str, args: CloudflareTrackingTenantArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        tenant = resolve_tenant_settings(name, args, CloudflareTrackingTenantArgs)
        link = PlatformLink(args.get("platform"), CloudflareTrackingPlatform)
        domains = tenant.common.domains
        if link.component is not None:
            inside = [d for d in domains if in_zone(d, link.component.zone_name)]
            if inside:
                raise InvalidArgument(
                    "domains", f"{', '.join(inside)} {'is' if len(inside) == 1 else 'are'} in the platform's own zone "
                    f"{link.component.zone_name!r}, not a customer's: give the customer's own domains",
                )
        link.count_tenant(name, len(domains))
        super().__init__(tenant, opts)
        hostnames = [
            cloudflare.CustomHostname(
                f"{name}-{domain}", zone_id=link.get("zone_id"), hostname=domain, ssl=HOSTNAME_SSL,
                opts=self.child_opts(serving=True),
            )
            for domain in domains
        ]
        target = link.get("cname_target")
        records: list[pulumi.Output[Any]] = [dns_record(d, "CNAME", target, ROUTE) for d in domains]
        records += [hostname.ownership_verification.apply(_prevalidation_record) for hostname in hostnames]
        self.publish_tenant_outputs(
            link,
            pulumi.Output.all(*records).apply(
                lambda found: sorted((r for r in found if r), key=lambda r: r["purpose"] != VALIDATION)),
            per_domain(domains, [hostname.status for hostname in hostnames]),
            ACTIVE_HOSTNAME,
            custom_hostname_ids=pulumi.Output.all(*[hostname.id for hostname in hostnames]),
        )


def _prevalidation_record(verification: Any) -> Optional[DnsRecord]:
    """The TXT record Cloudflare asks for to activate a hostname before its CNAME (None until known)."""
    if verification is None:
        return None
    read = verification.get if isinstance(verification, dict) else lambda key: getattr(verification, key, None)
    if not read("name") or not read("value"):
        return None
    return DnsRecord(name=str(read("name")).rstrip("."), type=str(read("type") or "TXT").upper(),
                     value=str(read("value")), purpose=VALIDATION)


__all__ = [
    "CloudflareTrackingPlatform", "CloudflareTrackingPlatformArgs", "CloudflareTrackingTenant",
    "CloudflareTrackingTenantArgs",
]
