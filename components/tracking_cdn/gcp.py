"""GCP front door: a global external Application Load Balancer in front of the ESP's tracking endpoint.

What it builds (seed ``000_*``, GCP section; DESIGN.md sections 2 and 5):

    tracking domains --A/AAAA--> global address(es)
        :443 forwarding rule -> target HTTPS proxy (managed certificates, SSL policy TLS >= 1.2) -> URL map
        :80  forwarding rule -> target HTTP proxy -> the same URL map (or a redirect-only URL map)
    URL map (every host, every path) -> backend service (HTTPS, Cloud CDN off)
        -> Internet NEG INTERNET_FQDN_PORT -> <ESP endpoint>:443

Only this module imports ``pulumi_gcp``. (No ``from __future__ import annotations``: Pulumi's schema
inference reads the annotations below.)
"""

from typing import NotRequired, Optional

import pulumi
from pulumi_gcp import compute, dns

from .contract import (
    ROUTE,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    collect_dns_records,
    dns_record,
    input_arg,
    plain_arg,
    resolve_settings,
)
from .errors import InvalidArgument

LOAD_BALANCING_SCHEME = "EXTERNAL_MANAGED"
"""Global external Application Load Balancer (Envoy-based). The backend service and every forwarding rule
must use the same scheme, or GCP refuses to connect them."""
ORIGIN_PORT = 443
MAX_DOMAINS_PER_CERTIFICATE = 100
"""A Google-managed SSL certificate holds at most 100 domain names."""
MAX_CERTIFICATES_PER_PROXY = 15
"""A target HTTPS proxy references at most 15 SSL certificates."""
DEFAULT_DNS_TTL_SECONDS = 300
MAX_DNS_TTL_SECONDS = 86400
DEFAULT_ORIGIN_TIMEOUT_SECONDS = 30
MAX_ORIGIN_TIMEOUT_SECONDS = 300
STATUS_FORMAT = "get(managed.status, managed.domainStatus)"


class GcpLoadBalancerTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`GcpLoadBalancerTrackingDomain`: the common ones plus the GCP settings below.
    ``cache_ttl_seconds`` is accepted for compatibility but unused: Cloud CDN is off, nothing is cached."""

    managed_zone: NotRequired[pulumi.Input[str]]
    """Name (not DNS name) of a Cloud DNS managed zone holding the tracking domains. When given, the A (and
    AAAA) records pointing the domains at the load balancer are created there; otherwise create the records
    listed in ``dns_records`` at your DNS provider. Default: none."""
    dns_project: NotRequired[pulumi.Input[str]]
    """Project of ``managed_zone`` when it is not the provider's project. Default: the provider's project."""
    dns_ttl_seconds: NotRequired[int]
    """TTL of the A/AAAA records created in ``managed_zone`` (default 300; 30 to 86400)."""
    enable_ipv6: NotRequired[bool]
    """Also reserve a global IPv6 address with its own :80/:443 forwarding rules and AAAA records
    (default False: IPv4 only, which every client reaches, IPv6-only ones through NAT64)."""
    domains_per_certificate: NotRequired[int]
    """How many tracking domains share one Google-managed certificate (default 100, the GCP maximum; 1 to
    100). The proxy takes at most 15 certificates, so at most 15 x this many domains. Domains fill the
    certificates in list order; a certificate whose domains change is replaced (see the README), so a small
    value such as 1 keeps added domains from touching the certificates of live ones."""
    origin_timeout_seconds: NotRequired[int]
    """How long the load balancer waits for the ESP's response (backend service timeout; default 30, 1 to 300)."""


class GcpLoadBalancerTrackingDomain(TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on a Google Cloud global external Application
    Load Balancer: Google-managed certificates for the tracking domains, TLS 1.2 minimum, every host and
    path proxied over HTTPS to the ESP's tracking endpoint through an Internet network endpoint group, no
    caching. Plain-HTTP requests (links already delivered as ``http://``) are served too, or redirected to
    HTTPS when ``redirect_http_to_https`` is set. The certificates become ACTIVE only after the tracking
    domains' DNS points at ``ip_address`` (up to about an hour)."""

    ip_address: pulumi.Output[str]
    """The load balancer's global IPv4 address: every tracking domain needs an A record to it."""
    ipv6_address: pulumi.Output[str]
    """The global IPv6 address for AAAA records when ``enable_ipv6`` is set; empty otherwise."""
    certificate_names: pulumi.Output[list[str]]
    """Names of the Google-managed SSL certificates, in the order they cover ``domains``."""
    certificate_status_commands: pulumi.Output[list[str]]
    """One ``gcloud`` command per certificate showing its status (PROVISIONING until DNS points at the
    load balancer, then ACTIVE; FAILED_NOT_VISIBLE / FAILED_CAA_* explain themselves) and each domain's."""

    def __init__(
        self,
        name: str,
        args: GcpLoadBalancerTrackingDomainArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        per_certificate = bounded_int_arg(
            args, "domains_per_certificate", MAX_DOMAINS_PER_CERTIFICATE, 1, MAX_DOMAINS_PER_CERTIFICATE
        )
        settings = resolve_settings(
            args,
            GcpLoadBalancerTrackingDomainArgs,
            max_domains=per_certificate * MAX_CERTIFICATES_PER_PROXY,
            limit_reason=(
                f" (a target HTTPS proxy takes at most {MAX_CERTIFICATES_PER_PROXY} managed certificates of "
                f"domains_per_certificate={per_certificate} domains; the GCP maximum is "
                f"{MAX_DOMAINS_PER_CERTIFICATE} per certificate)"
            ),
        )
        enable_ipv6 = plain_arg(args, "enable_ipv6", bool, False)
        dns_ttl = bounded_int_arg(args, "dns_ttl_seconds", DEFAULT_DNS_TTL_SECONDS, 30, MAX_DNS_TTL_SECONDS)
        timeout = bounded_int_arg(
            args, "origin_timeout_seconds", DEFAULT_ORIGIN_TIMEOUT_SECONDS, 1, MAX_ORIGIN_TIMEOUT_SECONDS
        )
        managed_zone = input_arg(
            args, "managed_zone", "the Cloud DNS managed zone's name (e.g. 'example-com'), or leave it out"
        )
        dns_project = input_arg(args, "dns_project", "the managed zone's project id, or leave it out")
        if dns_project is not None and managed_zone is None:
            raise InvalidArgument("dns_project", "only used with managed_zone; give managed_zone too or leave it out")

        super().__init__(name, settings, opts)
        if "cache_ttl_seconds" in args:
            pulumi.log.warn(
                "cache_ttl_seconds has no effect on the GCP front door: Cloud CDN is off, every request "
                "reaches the ESP.",
                resource=self,
            )
        serving = self.child_opts(serving=True)
        origin = settings.origin

        # --- Backend: Internet NEG -> backend service -------------------------------------------
        neg = compute.GlobalNetworkEndpointGroup(
            f"{name}-origin",
            network_endpoint_type="INTERNET_FQDN_PORT",
            default_port=ORIGIN_PORT,
            # Static: a NEG cannot be updated in place, so a description naming the origin would
            # replace the whole NEG when only the endpoint changes.
            description="The ESP's tracking endpoint (Internet NEG)",
            opts=serving,
        )
        # A global Internet NEG holds a single endpoint, so a new origin host must replace the old
        # endpoint after deleting it (create-before-delete would be refused).
        compute.GlobalNetworkEndpoint(
            f"{name}-origin-endpoint",
            global_network_endpoint_group=neg.name,
            fqdn=origin.host,
            port=ORIGIN_PORT,
            opts=self.child_opts(serving=True, delete_before_replace=True),
        )
        backend = compute.BackendService(
            f"{name}-backend",
            description=f"Forwards every tracking request to https://{origin.host}",
            protocol="HTTPS",
            load_balancing_scheme=LOAD_BALANCING_SCHEME,
            enable_cdn=False,
            timeout_sec=timeout,
            backends=[compute.BackendServiceBackendArgs(group=neg.id)],
            custom_request_headers=_origin_request_headers(origin.host, origin.sends_tracking_host),
            opts=serving,
        )
        url_map = compute.URLMap(
            f"{name}-routes",
            description="Every host and path to the ESP tracking endpoint",
            default_service=backend.id,
            opts=serving,
        )

        # --- Certificates and TLS -----------------------------------------------------------------
        certificates = [
            compute.ManagedSslCertificate(
                f"{name}-certificate-{index}",
                description="Email tracking domains (Google-managed)",
                type="MANAGED",
                managed=compute.ManagedSslCertificateManagedArgs(domains=list(chunk)),
                opts=serving,
            )
            for index, chunk in enumerate(_chunks(settings.domains, per_certificate))
        ]
        tls_policy = compute.SSLPolicy(
            f"{name}-tls",
            description="Viewer TLS 1.2 or later, modern ciphers",
            min_tls_version="TLS_1_2",
            profile="MODERN",
            opts=serving,
        )
        https_proxy = compute.TargetHttpsProxy(
            f"{name}-https",
            url_map=url_map.id,
            ssl_certificates=[certificate.id for certificate in certificates],
            ssl_policy=tls_policy.id,
            opts=serving,
        )

        # --- Plain HTTP: same routes by default (old http:// links), or a redirect ---------------------
        http_routes = url_map
        if settings.redirect_http_to_https:
            http_routes = compute.URLMap(
                f"{name}-http-redirect",
                description="Plain HTTP answered with a 301 to the same URL over HTTPS",
                default_url_redirect=compute.URLMapDefaultUrlRedirectArgs(
                    https_redirect=True, redirect_response_code="MOVED_PERMANENTLY_DEFAULT", strip_query=False
                ),
                opts=serving,
            )
        http_proxy = compute.TargetHttpProxy(f"{name}-http", url_map=http_routes.id, opts=serving)

        # --- Addresses and forwarding rules ---------------------------------------------------------
        addresses = {"ipv4": compute.GlobalAddress(f"{name}-ipv4", ip_version="IPV4", opts=serving)}
        if enable_ipv6:
            addresses["ipv6"] = compute.GlobalAddress(f"{name}-ipv6", ip_version="IPV6", opts=serving)
        for version, address in addresses.items():
            for port, proxy in (("443", https_proxy), ("80", http_proxy)):
                compute.GlobalForwardingRule(
                    f"{name}-{version}-{port}",
                    ip_address=address.address,
                    ip_protocol="TCP",
                    port_range=port,
                    load_balancing_scheme=LOAD_BALANCING_SCHEME,
                    target=proxy.id,
                    opts=serving,
                )

        # --- DNS ----------------------------------------------------------------------------------
        record_types = {"ipv4": "A", "ipv6": "AAAA"}
        records = []
        for domain in settings.domains:
            for version, address in addresses.items():
                record_type = record_types[version]
                if managed_zone is not None:
                    dns.RecordSet(
                        f"{name}-{record_type.lower()}-{domain}",
                        managed_zone=managed_zone,
                        project=dns_project,
                        name=f"{domain}.",
                        type=record_type,
                        ttl=dns_ttl,
                        rrdatas=[address.address],
                        opts=serving,
                    )
                records.append(dns_record(domain, record_type, address.address, ROUTE))

        self.publish_outputs(
            origin_host=origin.host,
            dns_records=collect_dns_records(records),
            ip_address=addresses["ipv4"].address,
            ipv6_address=addresses["ipv6"].address if enable_ipv6 else "",
            certificate_names=pulumi.Output.all(*[certificate.name for certificate in certificates]),
            certificate_status_commands=pulumi.Output.all(
                *[
                    pulumi.Output.concat(
                        "gcloud compute ssl-certificates describe ",
                        certificate.name,
                        f" --global --format='{STATUS_FORMAT}'",
                    )
                    for certificate in certificates
                ]
            ),
        )


def _origin_request_headers(origin_host: str, sends_tracking_host: bool) -> list[str]:
    """Request headers the backend service adds toward the ESP.

    Toward an Internet NEG the load balancer forwards the viewer's ``Host`` header unchanged (the NEG's
    FQDN only decides where it connects); a ``Host`` custom request header on the backend service replaces
    it (GCP "custom headers in backend services": Host is configurable, with restrictions). So:
    - SendGrid routes on the tracking domain: nothing to add, ``Host: track.example.com`` passes through.
    - SparkPost-style and custom endpoints get their own host name, as a direct request to them would.
    The load balancer also passes the viewer's ``User-Agent`` and cookies unchanged and appends
    ``X-Forwarded-For: <client IP>, <load balancer IP>``, so the ESP sees the real client; nothing is
    needed for those.
    """
    return [] if sends_tracking_host else [f"Host: {origin_host}"]


def _chunks(domains: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    """Domains in list order, ``size`` per certificate: appending domains fills the last certificate and
    then adds new ones; certificates before it keep their names and domains."""
    return [domains[start : start + size] for start in range(0, len(domains), size)]


__all__ = ["GcpLoadBalancerTrackingDomain", "GcpLoadBalancerTrackingDomainArgs"]
