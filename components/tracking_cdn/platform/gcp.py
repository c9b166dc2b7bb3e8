"""Google Cloud platform mode: ``GcpTrackingPlatform`` and ``GcpTrackingTenant``.

The platform is the single-sender front door's load balancer (``tracking_cdn.gcp``: the ESP's Internet
NEG and backend service, the HTTPS proxy with its TLS 1.2 policy, the HTTP proxy, the addresses and
forwarding rules) with an empty certificate map; a tenant adds, per domain, the Certificate Manager
certificate of the single-sender front door (a DNS authorization, the certificate, a map entry for the
domain: ``tracking_cdn.gcp.domain_certificate``) to that map. Adding a tenant adds map entries and
changes nothing of the load balancer.

The customer creates two records per domain (``dns_records``): the ``_acme-challenge`` CNAME, with which
Google issues the certificate whatever the domain points at (a live domain's certificate can be ACTIVE
before its traffic moves), and the A (AAAA) record to the load balancer. Nothing waits for them.

Imports only ``pulumi_gcp``. (No ``from __future__ import annotations``: Pulumi's schema inference
reads these annotations.)
"""

from typing import Any, NotRequired, Optional

import pulumi
from pulumi_gcp import certificatemanager, compute

from ..contract import (
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    VALIDATION,
    DnsRecord,
    bounded_int_arg,
    check_component_name,
    cloud_output,
    dns_record,
    plain_arg,
)
from ..gcp import (
    CERTIFICATE_MANAGER,
    CERTIFICATE_MECHANISMS,
    COMPONENT_NAME,
    DEFAULT_DNS_TTL_SECONDS,
    DEFAULT_ORIGIN_TIMEOUT_SECONDS,
    MAX_ORIGIN_TIMEOUT_SECONDS,
    GcpSettings,
    LoadBalancerSteps,
    ManagerCertificates,
    WellKnownRoutes,
    _address,
    authorization_record,
    domain_certificate,
)
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

KIND = "gcp"
CERTIFICATE_MANAGER_WRITES = cited_quota("gcp.certificate-manager-writes")
ACTIVE_ENTRY = "ACTIVE"
"""A certificate map entry's state once its certificate serves (``PENDING`` before)."""
WRITES_PER_DOMAIN = 3
"""Certificate Manager resources a tenant creates per domain: authorization, certificate, map entry."""


class GcpTrackingPlatformArgs(TrackingPlatformArgs):
    """Arguments of ``GcpTrackingPlatform``: the common platform ones plus the load balancer's."""

    enable_ipv6: NotRequired[bool]
    """Also reserve a global IPv6 address with its own :80/:443 forwarding rules; tenants' domains then
    need an AAAA record too (default False)."""
    origin_timeout_seconds: NotRequired[int]
    """How long the load balancer waits for the ESP's response (backend service timeout; default 30, 1 to 300)."""


class GcpTrackingPlatform(LoadBalancerSteps, TrackingPlatformComponent):
    """The shared Google Cloud front door of a platform: a global external Application Load Balancer
    proxying every host and path over HTTPS to the ESP through an Internet NEG, no caching, TLS 1.2
    minimum, serving HTTP too (or redirecting it), with a certificate map to which each tenant adds
    its domains' certificates."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL})
    kind = KIND

    ip_address: pulumi.Output[str]
    """The load balancer's global IPv4 address: every tenant's domains need an A record to it."""
    ipv6_address: pulumi.Output[str]
    """The global IPv6 address for AAAA records when ``enable_ipv6`` is set; empty otherwise."""
    certificate_map: pulumi.Output[str]
    """Name of the certificate map the tenants' map entries go to."""

    def __init__(self, name: str, args: GcpTrackingPlatformArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        common = resolve_platform_settings(args, GcpTrackingPlatformArgs)
        check_component_name(name, COMPONENT_NAME)
        config = GcpSettings(
            common=common, mechanism=CERTIFICATE_MECHANISMS[CERTIFICATE_MANAGER], per_certificate=1,
            enable_ipv6=plain_arg(args, "enable_ipv6", bool, False), dns_ttl=DEFAULT_DNS_TTL_SECONDS,
            origin_timeout=bounded_int_arg(args, "origin_timeout_seconds", DEFAULT_ORIGIN_TIMEOUT_SECONDS, 1,
                                           MAX_ORIGIN_TIMEOUT_SECONDS),
            managed_zone=None, dns_project=None, pending_cutover=frozenset(), imported_records=frozenset(),
            bucket_name=None, bucket_location="",
        )
        super().__init__(name, common, opts)
        self.tenant_counter = QuotaCounter(CERTIFICATE_MANAGER_WRITES, None, [(
            CERTIFICATE_MANAGER_WRITES.value + 1,
            f"each domain is {WRITES_PER_DOMAIN} Certificate Manager resources and the project may create "
            f"{CERTIFICATE_MANAGER_WRITES.value} a minute ({CERTIFICATE_MANAGER_WRITES.cited()}): a first `pulumi up` "
            "of this many is throttled; onboard tenants in batches, or in stacks of their own",
        )])
        if "cache_ttl_seconds" in args:
            pulumi.log.warn("cache_ttl_seconds has no effect on the GCP platform: Cloud CDN is off, every request "
                            "reaches the ESP.", resource=self)
        backend = self._origin(name, config)
        url_map = compute.URLMap(
            f"{name}-routes", description="Every host and path to the ESP tracking endpoint",
            default_service=backend.id, opts=self.child_opts(serving=True),
        )
        certificate_map = certificatemanager.CertificateMap(
            f"{name}-certificate-map", description="The tenants' tracking domains, one entry per domain",
            opts=self.child_opts(serving=True),
        )
        manager = ManagerCertificates(certificate_map, [], {})
        https_proxy = self._https_proxy(name, url_map, [], manager, config.mechanism)
        http_proxy = self._http_proxy(name, url_map, WellKnownRoutes([], None))
        addresses = self._addresses_and_rules(name, config, https_proxy, http_proxy)
        map_name = cloud_output(certificate_map, "name", certificate_map.name,
                                f"Google Cloud returned no name for the certificate map {certificate_map.pulumi_resource_name}")
        ipv4, ipv6 = _address(addresses["ipv4"]), _address(addresses["ipv6"]) if "ipv6" in addresses else ""
        self.publish_outputs(
            origin_host=common.origin.host,
            dns_records=[],
            tenant_config=pulumi.Output.all(map_name, ipv4, ipv6).apply(
                lambda values: {
                    "kind": KIND, "platform": name, "origin_host": common.origin.host, "esp": common.origin.profile.name,
                    "certificate_map": values[0], "ipv4_address": values[1], "ipv6_address": values[2],
                }
            ),
            ip_address=ipv4,
            ipv6_address=ipv6,
            certificate_map=map_name,
        )


class GcpTrackingTenantArgs(TrackingTenantArgs):
    """Arguments of ``GcpTrackingTenant``: the common tenant ones. App-link files per tenant are not
    offered: the load balancer answers them through its one URL map, which every tenant would change."""


class GcpTrackingTenant(TrackingTenantComponent):
    """One customer of a ``GcpTrackingPlatform``: per domain a Google-managed certificate with DNS
    authorization and a map entry in the platform's certificate map. ``dns_records`` lists the
    ``_acme-challenge`` CNAME (validation) and the A (AAAA) record to the load balancer (route)."""

    certificate_names: pulumi.Output[list[str]]
    """Names of the tenant's Certificate Manager certificates, in ``domains`` order."""

    def __init__(self, name: str, args: GcpTrackingTenantArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        tenant = resolve_tenant_settings(name, args, GcpTrackingTenantArgs)
        link = PlatformLink(args.get("platform"), GcpTrackingPlatform)
        domains = tenant.common.domains
        link.count_tenant(name, WRITES_PER_DOMAIN * len(domains))
        super().__init__(tenant, opts)
        certificate_map = link.get("certificate_map")
        validation, certificates, entries = [], [], []
        for domain in domains:
            authorization, certificate, entry = domain_certificate(self, name, domain, certificate_map)
            record_name, value = authorization_record(domain, authorization)
            validation.append(dns_record(record_name, "CNAME", value, VALIDATION))
            certificates.append(certificate.name)
            entries.append(entry.state)
        routes = link.config.apply(lambda config: route_records(domains, config))
        self.publish_tenant_outputs(
            link,
            pulumi.Output.all(pulumi.Output.all(*validation), routes).apply(lambda found: [*found[0], *found[1]]),
            per_domain(domains, entries),
            ACTIVE_ENTRY,
            certificate_names=pulumi.Output.all(*certificates),
        )


def route_records(domains: tuple[str, ...], config: dict[str, Any]) -> list[DnsRecord]:
    """The A record of each domain to the platform's address, and the AAAA record when it has IPv6."""
    records = [DnsRecord(name=d, type="A", value=config["ipv4_address"], purpose=ROUTE) for d in domains]
    if config["ipv6_address"]:
        records += [DnsRecord(name=d, type="AAAA", value=config["ipv6_address"], purpose=ROUTE) for d in domains]
    return records


__all__ = ["GcpTrackingPlatform", "GcpTrackingPlatformArgs", "GcpTrackingTenant", "GcpTrackingTenantArgs"]
