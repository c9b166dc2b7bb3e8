"""Azure front door: Azure Front Door Standard/Premium in front of the ESP's tracking endpoint.

What it builds (seed ``000_*``, Azure section, moved from Front Door *classic* to Standard/Premium;
DESIGN.md sections 2 and 5):

    tracking domains --CNAME--> <endpoint>-<hash>.z01.azurefd.net   (AFDEndpoint)
    _dnsauth.<domain> TXT = validation token                        (AFDCustomDomain ownership check)
    Profile (Standard_AzureFrontDoor | Premium_AzureFrontDoor)
      AFDCustomDomain per tracking domain: Azure-managed certificate, minimum TLS 1.2
      Route "/*": Http + Https accepted, forwarded HttpsOnly, no redirect unless asked, custom domains linked
        -> AFDOriginGroup (no health probe: one origin) -> AFDOrigin <ESP endpoint>:443, certificate name check
      optional RuleSet/Rule: RouteConfigurationOverride cache action, TTL cache_ttl_seconds, query string in the key

Only this module imports ``pulumi_azure_native`` (its ``cdn`` and ``dns`` submodules only: importing the
whole package is very slow). No ``from __future__ import annotations``: Pulumi's schema inference reads
the annotations below.
"""

from typing import Any, Mapping, NotRequired, Optional

import pulumi
from pulumi_azure_native import cdn, dns

from .contract import (
    ROUTE,
    VALIDATION,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    collect_dns_records,
    dns_record,
    input_arg,
    plain_arg,
    resolve_settings,
)
from .domains import in_zone, validate_hostname
from .errors import InvalidArgument

STANDARD_SKU = "Standard_AzureFrontDoor"
PREMIUM_SKU = "Premium_AzureFrontDoor"
MAX_CUSTOM_DOMAINS = {STANDARD_SKU: 100, PREMIUM_SKU: 500}
"""Custom domains per Front Door profile (Azure subscription limits for Standard and Premium)."""
PROFILE_LOCATION = "Global"
"""Front Door profiles are global resources; Azure accepts only this location for them."""
ORIGIN_HTTPS_PORT = 443
ORIGIN_HTTP_PORT = 80
"""Required by the API, never used: the route forwards HttpsOnly."""
ROUTE_PATTERNS = ["/*"]
TLS_MINIMUM = "TLS12"
VALIDATION_RECORD_PREFIX = "_dnsauth"
"""Front Door Standard/Premium proves domain ownership with a TXT record at ``_dnsauth.<domain>``."""
RULE_SET_NAME = "TrackingCache"
"""Rule set names are letters and digits only (no hyphens), unique within the profile, which this
component owns, so a fixed name is safe."""
RULE_NAME = "CacheTtl"
CACHE_BEHAVIOR = "OverrideAlways"
"""For cacheable responses the TTL is ``cache_ttl_seconds`` whatever duration the ESP's Cache-Control
gives: a short, bounded cache."""
RESOURCE_GROUP_EXAMPLE = "the name of an existing resource group"
DEFAULT_DNS_TTL_SECONDS = 3600
MAX_DNS_TTL_SECONDS = 86400
LOAD_BALANCING = {"sample_size": 4, "successful_samples_required": 3, "additional_latency_in_milliseconds": 50}
"""Azure's portal defaults; with a single origin and no health probe they decide nothing."""


class AzureFrontDoorTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`AzureFrontDoorTrackingDomain`: the common ones plus the Azure settings below."""

    resource_group_name: pulumi.Input[str]
    """Resource group that holds the Front Door profile and its children (required; Front Door itself is
    global, the group only stores the metadata)."""
    sku: NotRequired[str]
    """``Standard_AzureFrontDoor`` (default) or ``Premium_AzureFrontDoor`` (WAF managed rule sets, Private
    Link origins; 500 custom domains instead of 100)."""
    enable_caching: NotRequired[bool]
    """Cache the ESP's answers for ``cache_ttl_seconds`` (query string always in the cache key) through a
    rule set. Default False: no cache configuration at all, so every click and open reaches the ESP and
    is counted."""
    dns_zone_name: NotRequired[str]
    """Name of an Azure DNS zone (e.g. ``example.com``) that holds every tracking domain. When given, the
    CNAME of each domain to the endpoint and its ``_dnsauth`` TXT validation record are created there;
    otherwise create the records listed in ``dns_records`` at your DNS provider. Default: none."""
    dns_zone_resource_group_name: NotRequired[pulumi.Input[str]]
    """Resource group of ``dns_zone_name`` (default: ``resource_group_name``)."""
    dns_ttl_seconds: NotRequired[int]
    """TTL of the records created in ``dns_zone_name`` (default 3600; 60 to 86400)."""
    create_cname_records: NotRequired[bool]
    """With ``dns_zone_name``: also create the CNAMEs that send traffic to Front Door (default True). Set
    False for domains that are live elsewhere (e.g. on Front Door classic): only the TXT records are
    created; switch to True once ``domain_validation_states`` shows Approved for every domain."""


class AzureFrontDoorTrackingDomain(TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on Azure Front Door Standard/Premium: one
    custom domain per tracking domain with an Azure-managed certificate (TLS 1.2 minimum), a ``/*`` route
    accepting HTTP and HTTPS that forwards every request over HTTPS (certificate name checked) to the
    ESP's tracking endpoint, no caching by default, and no redirect unless ``redirect_http_to_https``.
    Domain ownership is proved by a ``_dnsauth`` TXT record; nothing waits for it."""

    endpoint_host_name: pulumi.Output[str]
    """The endpoint's host name (``<name>-<hash>.z01.azurefd.net``): every tracking domain needs a CNAME
    to it. Also serves the route directly, e.g. ``curl -v https://<it>/f/a/`` before DNS is switched."""
    endpoint_id: pulumi.Output[str]
    """Resource ID of the Front Door endpoint (for security policies / WAF)."""
    profile_name: pulumi.Output[str]
    """Name of the Front Door profile."""
    custom_domain_ids: pulumi.Output[dict[str, str]]
    """Resource ID of the Front Door custom domain of each tracking domain."""
    domain_validation_tokens: pulumi.Output[dict[str, str]]
    """The ``_dnsauth.<domain>`` TXT value that proves ownership of each tracking domain (valid for 7 days;
    if it expires before validation, regenerate it in the portal, then ``pulumi refresh`` and ``up``)."""
    domain_validation_states: pulumi.Output[dict[str, str]]
    """Ownership validation state of each tracking domain as last read (``Pending`` at creation; run
    ``pulumi refresh`` to see ``Approved``). The certificate is issued once a domain is Approved."""

    def __init__(
        self,
        name: str,
        args: AzureFrontDoorTrackingDomainArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        sku = _sku(args)
        settings = resolve_settings(
            args,
            AzureFrontDoorTrackingDomainArgs,
            max_domains=MAX_CUSTOM_DOMAINS[sku],
            limit_reason=(
                f" (a {sku} profile takes at most {MAX_CUSTOM_DOMAINS[sku]} custom domains"
                + (f"; {PREMIUM_SKU} takes {MAX_CUSTOM_DOMAINS[PREMIUM_SKU]})" if sku == STANDARD_SKU else ")")
            ),
        )
        enable_caching = plain_arg(args, "enable_caching", bool, False)
        if not enable_caching and args.get("cache_ttl_seconds") is not None:
            raise InvalidArgument(
                "cache_ttl_seconds",
                "only applies with enable_caching=True (caching is off by default so every click and open "
                "reaches the ESP); set enable_caching too, or leave cache_ttl_seconds out",
            )
        if enable_caching and settings.cache_ttl_seconds == 0:
            raise InvalidArgument(
                "cache_ttl_seconds",
                "0 with enable_caching=True caches nothing; leave enable_caching False to turn caching off, "
                "or give 1 to 3600 seconds (default 10)",
            )
        zone = plain_arg(args, "dns_zone_name", str)
        relative_names = _relative_names(settings.domains, zone) if zone is not None else {}
        for key in ("dns_zone_resource_group_name", "dns_ttl_seconds", "create_cname_records"):
            if zone is None and args.get(key) is not None:
                raise InvalidArgument(key, "only used with dns_zone_name; give dns_zone_name too or leave it out")
        dns_ttl = bounded_int_arg(args, "dns_ttl_seconds", DEFAULT_DNS_TTL_SECONDS, 60, MAX_DNS_TTL_SECONDS)
        create_cnames = plain_arg(args, "create_cname_records", bool, True)
        resource_group = input_arg(args, "resource_group_name", RESOURCE_GROUP_EXAMPLE)
        zone_group = input_arg(args, "dns_zone_resource_group_name", RESOURCE_GROUP_EXAMPLE, default=resource_group)

        super().__init__(name, settings, opts)
        serving = self.child_opts(serving=True)
        origin = settings.origin

        profile = cdn.Profile(
            f"{name}-profile",
            resource_group_name=resource_group,
            location=PROFILE_LOCATION,
            sku={"name": sku},
            opts=serving,
        )
        in_profile = {"resource_group_name": resource_group, "profile_name": profile.name}
        endpoint = cdn.AFDEndpoint(
            f"{name}-endpoint",
            **in_profile,
            location=PROFILE_LOCATION,
            enabled_state="Enabled",
            opts=serving,
        )
        # One origin, so no health probe: Azure recommends disabling probes for a single origin (Front Door
        # sends every request to it anyway), and its probes count only 200 as healthy while the ESP's
        # health path answers 302 - a probe would only add load and a misleading "unhealthy" metric.
        origin_group = cdn.AFDOriginGroup(
            f"{name}-origins",
            **in_profile,
            load_balancing_settings=LOAD_BALANCING,
            session_affinity_state="Disabled",
            opts=serving,
        )
        afd_origin = cdn.AFDOrigin(
            f"{name}-origin",
            **in_profile,
            origin_group_name=origin_group.name,
            host_name=origin.host,
            # Blank host header = Front Door forwards the viewer's Host (the tracking domain), which SendGrid
            # routes on; every other ESP gets its own host name.
            origin_host_header=None if origin.sends_tracking_host else origin.host,
            https_port=ORIGIN_HTTPS_PORT,
            http_port=ORIGIN_HTTP_PORT,
            enforce_certificate_name_check=True,
            priority=1,
            weight=1000,
            enabled_state="Enabled",
            opts=serving,
        )

        custom_domains = {
            domain: cdn.AFDCustomDomain(
                f"{name}-domain-{domain}",
                **in_profile,
                custom_domain_name=custom_domain_name(domain),
                host_name=domain,
                tls_settings={"certificate_type": "ManagedCertificate", "minimum_tls_version": TLS_MINIMUM},
                opts=serving,
            )
            for domain in settings.domains
        }

        rule_sets = []
        route_dependencies: list[pulumi.Resource] = [afd_origin]
        if enable_caching:
            rule_set = cdn.RuleSet(f"{name}-cache", **in_profile, rule_set_name=RULE_SET_NAME, opts=serving)
            rule = cdn.Rule(
                f"{name}-cache-ttl",
                **in_profile,
                rule_set_name=rule_set.name,
                rule_name=RULE_NAME,
                order=1,
                actions=[cache_action(settings.cache_ttl_seconds)],
                match_processing_behavior="Continue",
                opts=serving,
            )
            rule_sets.append({"id": rule_set.id})
            route_dependencies.append(rule)

        route = cdn.Route(
            f"{name}-route",
            **in_profile,
            endpoint_name=endpoint.name,
            origin_group={"id": origin_group.id},
            custom_domains=[{"id": custom_domains[domain].id} for domain in settings.domains],
            patterns_to_match=ROUTE_PATTERNS,
            supported_protocols=["Http", "Https"],
            forwarding_protocol="HttpsOnly",
            https_redirect="Enabled" if settings.redirect_http_to_https else "Disabled",
            link_to_default_domain="Enabled",
            rule_sets=rule_sets or None,
            enabled_state="Enabled",
            # No cache_configuration: caching is off on the route; the optional rule set turns it on.
            # Azure refuses a route whose origin group has no origin yet, hence the explicit dependency.
            opts=self.child_opts(serving=True, depends_on=route_dependencies),
        )

        tokens = {domain: _validation_token(custom_domains[domain]) for domain in settings.domains}
        records = []
        for domain in settings.domains:
            records.append(dns_record(f"{VALIDATION_RECORD_PREFIX}.{domain}", "TXT", tokens[domain], VALIDATION))
            records.append(dns_record(domain, "CNAME", endpoint.host_name, ROUTE))
            if zone is None:
                continue
            relative = relative_names[domain]
            dns.RecordSet(
                f"{name}-dnsauth-{domain}",
                resource_group_name=zone_group,
                zone_name=zone,
                relative_record_set_name=f"{VALIDATION_RECORD_PREFIX}.{relative}",
                record_type="TXT",
                ttl=dns_ttl,
                txt_records=[{"value": [tokens[domain]]}],
                opts=serving,
            )
            if create_cnames:
                dns.RecordSet(
                    f"{name}-cname-{domain}",
                    resource_group_name=zone_group,
                    zone_name=zone,
                    relative_record_set_name=relative,
                    record_type="CNAME",
                    ttl=dns_ttl,
                    cname_record={"cname": endpoint.host_name},
                    # Send traffic only once the route that serves it exists.
                    opts=self.child_opts(serving=True, depends_on=[route]),
                )

        self.publish_outputs(
            origin_host=origin.host,
            dns_records=collect_dns_records(records),
            endpoint_host_name=endpoint.host_name,
            endpoint_id=endpoint.id,
            profile_name=profile.name,
            custom_domain_ids=_by_domain({domain: cd.id for domain, cd in custom_domains.items()}),
            domain_validation_tokens=_by_domain(tokens),
            domain_validation_states=_by_domain(
                {domain: cd.domain_validation_state for domain, cd in custom_domains.items()}
            ),
        )


def custom_domain_name(domain: str) -> str:
    """The Front Door name of a tracking domain's custom domain: letters, digits and hyphens only, derived
    from the domain alone (never from its position in the list) and distinct for distinct domains: every
    hyphen is doubled, then every dot becomes one hyphen (``click-2.example.com`` ->
    ``click--2-example-com``), which is reversible because labels never start or end with a hyphen."""
    return domain.replace("-", "--").replace(".", "-")


def cache_action(ttl_seconds: int) -> dict[str, Any]:
    """The rule action that turns caching on for ``ttl_seconds`` with the whole query string in the key."""
    hours, rest = divmod(ttl_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return {
        "name": "RouteConfigurationOverride",
        "parameters": {
            "type_name": "DeliveryRuleRouteConfigurationOverrideActionParameters",
            "cache_configuration": {
                "cache_behavior": CACHE_BEHAVIOR,
                "cache_duration": f"{hours:02d}:{minutes:02d}:{seconds:02d}",
                "query_string_caching_behavior": "UseQueryString",
                "is_compression_enabled": "Disabled",
            },
        },
    }


def _sku(args: Mapping[str, Any]) -> str:
    sku = plain_arg(args, "sku", str, STANDARD_SKU)
    if sku not in MAX_CUSTOM_DOMAINS:
        raise InvalidArgument("sku", f"unknown Front Door sku {sku!r}; choose {STANDARD_SKU} or {PREMIUM_SKU}")
    return sku


def _relative_names(domains: tuple[str, ...], zone_value: str) -> dict[str, str]:
    """Each domain's record name relative to the zone; refuses domains outside it or at its apex."""
    zone = validate_hostname(zone_value, argument="dns_zone_name")
    names = {}
    for index, domain in enumerate(domains):
        if domain == zone:
            raise InvalidArgument(
                f"domains[{index}]",
                f"{domain!r} is the apex of dns_zone_name {zone!r}, where a CNAME is not allowed; "
                f"use a subdomain such as 'track.{zone}'",
            )
        if not in_zone(domain, zone):
            raise InvalidArgument(
                f"domains[{index}]",
                f"{domain!r} is not inside dns_zone_name {zone!r}; every tracking domain must be in that zone "
                "(or leave dns_zone_name out and create the records listed in dns_records yourself)",
            )
        names[domain] = domain[: -len(zone) - 1]
    return names


def _validation_token(custom_domain: cdn.AFDCustomDomain) -> pulumi.Output[str]:
    return custom_domain.validation_properties.apply(
        lambda properties: (properties.validation_token if properties is not None else None) or ""
    )


def _by_domain(values: dict[str, Any]) -> pulumi.Output[dict[str, str]]:
    domains = list(values)
    return pulumi.Output.all(*values.values()).apply(
        lambda resolved: {domain: value or "" for domain, value in zip(domains, resolved)}
    )


__all__ = ["AzureFrontDoorTrackingDomain", "AzureFrontDoorTrackingDomainArgs", "custom_domain_name"]
