"""GCP front door: a global external Application Load Balancer in front of the ESP's tracking endpoint.

What it builds (seed ``000_*``, GCP section; DESIGN.md sections 2 and 5):

    tracking domains --A/AAAA--> global address(es)
        :443 forwarding rule -> target HTTPS proxy (certificates, SSL policy TLS >= 1.2) -> URL map
        :80  forwarding rule -> target HTTP proxy -> the same URL map (or a redirect-only URL map)
    URL map (every host, every path) -> backend service (HTTPS, Cloud CDN off)
        -> Internet NEG INTERNET_FQDN_PORT (one per origin host) -> <ESP endpoint>:443

Certificates are Certificate Manager certificates, one per domain with DNS authorization, in a
certificate map (``certificates="certificate-manager"``, the default since 0.2.0: adding a domain only
adds resources), or classic Compute Engine Google-managed certificates shared by up to 100 domains
(``certificates="classic"``, the 0.1 default: stacks made with 0.1 set it to keep theirs), with two
intermediate values to move a live stack from the second to the first without a request ever lacking a
certificate.

Only this module imports ``pulumi_gcp``. (No ``from __future__ import annotations``: Pulumi's schema
inference reads the annotations below.)
"""

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NotRequired, Optional

import pulumi
from pulumi_gcp import certificatemanager, compute, dns, storage

from .contract import (
    APP_LINKS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    VALIDATION,
    WELL_KNOWN_ORIGIN,
    ComponentNameRule,
    DnsRecord,
    FrontDoorSettings,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    check_component_name,
    cloud_output,
    collect_dns_records,
    dns_record,
    domain_subset_arg,
    input_arg,
    missing_from_the_cloud,
    plain_arg,
    resolve_settings,
    warn_zone_unchecked,
)
from .deep_links import WELL_KNOWN_PREFIX, DeepLinks
from .domains import in_zone, validate_hostname
from .errors import InvalidArgument
from .esp import ORIGIN_HTTP as PLAIN_HTTP_ORIGIN, Origin
from .quotas import quota

LOAD_BALANCING_SCHEME = "EXTERNAL_MANAGED"
"""Global external Application Load Balancer (Envoy-based). The backend service and every forwarding rule
must use the same scheme, or GCP refuses to connect them."""
ORIGIN_PORTS = {"HTTPS": 443, "HTTP": 80}
"""The port the NEG endpoint listens on, by the backend service's protocol toward the ESP."""
MAX_DOMAINS_PER_CERTIFICATE = quota("gcp.managed-certificate-domains").value
"""A Google-managed SSL certificate holds at most 100 domain names (quotas.py)."""
MAX_CERTIFICATES_PER_PROXY = quota("gcp.certificates-per-https-proxy").value
"""A target HTTPS proxy references at most 15 SSL certificates (quotas.py)."""
DEFAULT_DNS_TTL_SECONDS = 300
MAX_DNS_TTL_SECONDS = 86400
DEFAULT_ORIGIN_TIMEOUT_SECONDS = 30
MAX_ORIGIN_TIMEOUT_SECONDS = 300
CLASSIC_STATUS_FORMAT = "get(managed.status, managed.domainStatus)"
MANAGER_STATUS_FORMAT = "get(managed.state, managed.authorizationAttemptInfo, managed.provisioningIssue)"
DEFAULT_BUCKET_LOCATION = "US"
APP_LINK_OBJECT_PREFIX = "app-links"
APP_LINK_CACHE_CONTROL = "public, max-age=300"
"""Browsers and Apple's CDN may keep a file five minutes; a changed file is served by the load balancer
at once (new object, URL map switched), so a short lifetime lets the change reach them soon."""
PATH_MATCHER = "tracking"
BUCKET_NAME = re.compile(r"[a-z0-9][-_a-z0-9]{1,61}[a-z0-9]")
"""Cloud Storage bucket names: 3 to 63 lowercase letters, digits, ``-`` and ``_``, starting and ending
with a letter or digit (dots would need domain verification: refused here)."""
CERTIFICATE_MAP_PREFIX = "//certificatemanager.googleapis.com/"
"""``TargetHttpsProxy.certificate_map`` takes the map's id behind this prefix (SDK docstring of
``pulumi_gcp/compute/target_https_proxy.py``)."""

GCP_NAME = re.compile(r"[a-z][-a-z0-9]*")
"""What a component name may be made of: GCP resource names are ``[a-z]([-a-z0-9]*[a-z0-9])?`` of at
most 63 characters (SDK docstrings of every ``compute`` resource's ``name``); our suffixes end in a
letter or digit."""
MAX_GCP_NAME = 63
AUTONAME_SUFFIX = 8
"""Pulumi auto-names a GCP resource ``<logical name>-<7 random characters>`` (pulumi-gcp provider
``lowercaseAutoName``: separator ``-``, Randlen 7, Maxlen 63)."""
KEY_LENGTH = 8
"""Hex digits of the digest that keys a per-origin or per-domain name (bounded length, no dots)."""
AUTONAMED_SUFFIXES = ("-origin-" + "0" * KEY_LENGTH, "-certificate-map", f"-certificate-{MAX_CERTIFICATES_PER_PROXY - 1}",
                      "-http-redirect", "-backend", "-routes", "-deep-links", "-well-known", "-site-" + "0" * KEY_LENGTH)
"""Suffixes of the auto-named resources; the longest decides how long a component name may be."""
EXPLICIT_NAME_KINDS = ("auth", "cert", "entry")
"""Certificate Manager resources get explicit names ``<name>-<kind>-<digest of the domain>``."""
LONGEST_NAME_SUFFIX = max(
    *(len(suffix) + AUTONAME_SUFFIX for suffix in AUTONAMED_SUFFIXES),
    *(len(f"-{kind}-") + KEY_LENGTH for kind in EXPLICIT_NAME_KINDS),
)
"""The most characters a GCP name made from the component name adds to it."""
COMPONENT_NAME = ComponentNameRule(
    starts="a GCP resource name",
    pattern=GCP_NAME,
    characters="a lowercase letter followed by lowercase letters, digits and hyphens",
    max_length=MAX_GCP_NAME - LONGEST_NAME_SUFFIX,
    why=f"the longest GCP name made from it, name + {LONGEST_NAME_SUFFIX} characters of suffix, must stay "
    f"within GCP's {MAX_GCP_NAME}",
)


# --- Certificate mechanisms -----------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateMechanism:
    """Which certificates exist and which ones the HTTPS proxy presents."""

    classic: bool
    """Compute Engine Google-managed certificates exist and are attached to the proxy."""
    classic_serving: bool
    """They are what viewers get (False once a certificate map takes precedence over them)."""
    certificate_manager: bool
    """Certificate Manager certificates (DNS authorization) and their certificate map exist."""
    map_attached: bool
    """The certificate map is attached to the proxy."""


CLASSIC = "classic"
CERTIFICATE_MANAGER = "certificate-manager"
CERTIFICATE_MECHANISMS = {
    CLASSIC: CertificateMechanism(classic=True, classic_serving=True, certificate_manager=False, map_attached=False),
    # Step 1 of the move: Certificate Manager issues through DNS authorization while classic serves.
    "migrate-issue": CertificateMechanism(classic=True, classic_serving=True, certificate_manager=True,
                                          map_attached=False),
    # Step 2: the map is attached and takes precedence; the classic certificates stay attached so that
    # the proxy update only sets the map (terraform-provider-google's update sets ssl_certificates before
    # the map: removing both at once would leave the proxy without a certificate between two calls).
    # "Specifying both for the duration of the migration is the only safe approach"
    # (hashicorp/terraform-provider-google#12513; cloud.google.com/certificate-manager/docs/migrate).
    "migrate-attach": CertificateMechanism(classic=True, classic_serving=False, certificate_manager=True,
                                           map_attached=True),
    CERTIFICATE_MANAGER: CertificateMechanism(classic=False, classic_serving=False, certificate_manager=True,
                                              map_attached=True),
}
CLASSIC_WARNING = (
    "certificates='classic' (the 0.1 default): adding or removing a domain replaces a protected classic certificate "
    "that serves live names, so `pulumi up` stops on it (`tracking-cdn plan --against` shows the blocker). Move to "
    "Certificate Manager: docs/upgrading.md (Google Cloud)"
)


class GcpLoadBalancerTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`GcpLoadBalancerTrackingDomain`: the common ones plus the GCP settings below.
    ``cache_ttl_seconds`` is accepted for compatibility but unused: Cloud CDN is off, nothing is cached."""

    managed_zone: NotRequired[pulumi.Input[str]]
    """Name (not DNS name) of a Cloud DNS managed zone holding the tracking domains. When given, the A (and
    AAAA) records pointing the domains at the load balancer, and with Certificate Manager the DNS
    authorization records, are created there; otherwise create the records listed in ``dns_records`` at
    your DNS provider. Default: none."""
    managed_zone_dns_name: NotRequired[str]
    """DNS name of ``managed_zone`` (e.g. ``example.com``). Given, every tracking domain must be inside it:
    a domain outside the zone is refused before anything is created instead of failing in Cloud DNS.
    Default: not checked."""
    dns_project: NotRequired[pulumi.Input[str]]
    """Project of ``managed_zone`` when it is not the provider's project (required with
    ``import_route_records``, whose import ids name it). Default: the provider's project."""
    dns_ttl_seconds: NotRequired[int]
    """TTL of the records created in ``managed_zone`` (default 300; 30 to 86400)."""
    enable_ipv6: NotRequired[bool]
    """Also reserve a global IPv6 address with its own :80/:443 forwarding rules and AAAA records
    (default False: IPv4 only, which every client reaches, IPv6-only ones through NAT64)."""
    certificates: NotRequired[str]
    """How the tracking domains get certificates. ``certificate-manager`` (default): one Certificate
    Manager certificate per domain with DNS authorization (its ``_acme-challenge`` CNAME is in
    ``dns_records``, and created in ``managed_zone``), in a certificate map: adding a domain only adds
    resources, and a certificate is issued before the domain's traffic moves. ``classic`` (the default
    of 0.1; stacks made with 0.1 set it to keep their certificates): Compute Engine Google-managed
    certificates, issued only once the domains resolve to the load balancer, ``domains_per_certificate``
    domains each; a certificate whose domains change is replaced. To move a live ``classic`` stack: set
    ``migrate-issue``, wait for every certificate to be ACTIVE, set ``migrate-attach``, then
    ``certificate-manager`` (docs/front-doors/gcp.md, Day two)."""
    domains_per_certificate: NotRequired[int]
    """With ``certificates="classic"`` (and the ``migrate-*`` steps) only: how many tracking domains share
    one certificate (default 100, the GCP maximum; 1 to 100). The proxy takes at most 15 certificates, so
    at most 15 x this many domains. Domains fill the certificates in list order; a certificate whose
    domains change is replaced, so 1 keeps added domains from touching the certificates of live ones."""
    origin_timeout_seconds: NotRequired[int]
    """How long the load balancer waits for the ESP's response (backend service timeout; default 30, 1 to 300)."""
    deep_links_bucket_name: NotRequired[str]
    """With ``app_links``: the name of the Cloud Storage bucket holding the two files (bucket names are
    global: 3 to 63 lowercase letters, digits, ``-`` and ``_``). Default: Pulumi's auto-name
    ``<name>-deep-links-<7 random characters>``, kept for the stack's life."""
    deep_links_bucket_location: NotRequired[str]
    """With ``app_links``: the location of that bucket (default ``US``; e.g. ``EU`` or ``europe-west1``)."""
    pending_cutover_domains: NotRequired[list[str]]
    """With ``managed_zone`` and Certificate Manager certificates (the default): domains (of ``domains``)
    whose name still holds a live record in the zone, typically the CNAME to the ESP. Their certificate is
    issued and the load balancer serves them, but their A/AAAA records are not created, so mail keeps
    flowing while the certificate is issued. Switch the record atomically when the certificate is ACTIVE,
    then move the domain to ``import_route_records`` (docs: Day two). Default: none."""
    import_route_records: NotRequired[list[str]]
    """With ``managed_zone`` and ``dns_project``: domains (of ``domains``) whose A (and AAAA) records already
    exist in the zone with the values this component sets (address, ``dns_ttl_seconds``): Pulumi imports
    them instead of creating them, which Cloud DNS would refuse. Harmless to keep once imported. Default:
    none."""


class LoadBalancerSteps:
    """The steps of a global external Application Load Balancer in front of the ESP, shared by the
    single-sender front door and the platform (``tracking_cdn.platform.gcp``): the ESP's Internet NEG and
    backend service, the HTTPS proxy (TLS 1.2 policy, certificates or a certificate map), the HTTP proxy
    and the addresses with their forwarding rules. Mixed into a ``TrackingDomainComponent``: children get
    its ``child_opts``, and the plain-HTTP redirect follows its ``settings``."""

    if TYPE_CHECKING:  # not class annotations at run time: the schema analyzer reads those as outputs
        child_opts: Any
        settings: FrontDoorSettings

    # --- Backend: an Internet NEG per origin -> backend service ------------------------------------

    def _origin(self, name: str, config: "GcpSettings") -> compute.BackendService:
        """The NEG of the current origin and the backend service in front of it.

        A global Internet NEG holds one endpoint and cannot change in place, so each origin gets its own
        NEG keyed by host and port. A new ESP creates the new NEG and its endpoint, switches the backend
        service to it in place once the endpoint is attached (``depends_on``: the NEG's id alone would let
        the engine run the switch beside the attach, and a request meeting the empty NEG gets a 5xx), and
        only then (Pulumi deletes last) drops the old NEG: no request meets a missing endpoint. The NEG and
        endpoint are not protected for that reason; GCP itself refuses to delete a NEG a backend service
        uses, and the protected backend service keeps ``destroy`` from reaching it.
        The aliases keep the single NEG of earlier versions (``<name>-origin``) in place."""
        origin = config.common.origin
        protocol = _origin_protocol(origin)
        neg, endpoint = self._internet_neg(
            f"{name}-origin", origin.host, ORIGIN_PORTS[protocol], "The ESP's tracking endpoint (Internet NEG)",
            aliased=True,
        )
        return compute.BackendService(
            f"{name}-backend",
            description=f"Forwards every tracking request to {protocol.lower()}://{origin.host}",
            protocol=protocol,
            load_balancing_scheme=LOAD_BALANCING_SCHEME,
            enable_cdn=False,
            timeout_sec=config.origin_timeout,
            backends=[compute.BackendServiceBackendArgs(group=neg.id)],
            custom_request_headers=_origin_request_headers(origin.host, origin.sends_tracking_host),
            opts=self.child_opts(serving=True, depends_on=[endpoint]),
        )

    def _internet_neg(
        self, prefix: str, host: str, port: int, description: str, aliased: bool = False
    ) -> tuple[compute.GlobalNetworkEndpointGroup, compute.GlobalNetworkEndpoint]:
        """An Internet NEG holding ``host:port``, named ``<prefix>-<key>``, and its endpoint
        ``<prefix>-endpoint-<key>``: a backend service serves with the NEG only once the endpoint is in
        it. ``aliased``: they take over the single NEG ``<prefix>`` of earlier versions (see ``_origin``)."""
        key = _key(f"{host}:{port}")
        neg = compute.GlobalNetworkEndpointGroup(
            f"{prefix}-{key}",
            network_endpoint_type="INTERNET_FQDN_PORT",
            default_port=port,
            # Static: a NEG cannot be updated in place; the host lives in the endpoint.
            description=description,
            opts=self.child_opts(aliases=[pulumi.Alias(name=prefix)] if aliased else None),
        )
        endpoint = compute.GlobalNetworkEndpoint(
            f"{prefix}-endpoint-{key}",
            global_network_endpoint_group=neg.name,
            fqdn=host,
            port=port,
            opts=self.child_opts(aliases=[pulumi.Alias(name=f"{prefix}-endpoint")] if aliased else None),
        )
        return neg, endpoint

    def _https_proxy(
        self,
        name: str,
        url_map: compute.URLMap,
        classic: list[compute.ManagedSslCertificate],
        manager: "ManagerCertificates",
        mechanism: CertificateMechanism,
    ) -> compute.TargetHttpsProxy:
        tls_policy = compute.SSLPolicy(
            f"{name}-tls",
            description="Viewer TLS 1.2 or later, modern ciphers",
            min_tls_version="TLS_1_2",
            profile="MODERN",
            opts=self.child_opts(serving=True),
        )
        certificate_map = None
        if manager.certificate_map is not None and mechanism.map_attached:
            certificate_map = pulumi.Output.concat(CERTIFICATE_MAP_PREFIX, manager.certificate_map.id)
        return compute.TargetHttpsProxy(
            f"{name}-https",
            url_map=url_map.id,
            ssl_certificates=[certificate.id for certificate in classic] or None,
            certificate_map=certificate_map,
            ssl_policy=tls_policy.id,
            opts=self.child_opts(serving=True),
        )

    def _http_proxy(self, name: str, url_map: compute.URLMap, well_known: "WellKnownRoutes") -> compute.TargetHttpProxy:
        """Plain HTTP: the same routes by default (old ``http://`` links), or a redirect, except for the
        app-link files, which are never redirected (Apple and Android refuse a redirect). The redirect
        URL map is not protected: turning the redirect off repoints the protected HTTP proxy first and
        deletes the map last (GCP refuses to delete a URL map a proxy uses)."""
        http_routes = url_map
        if self.settings.redirect_http_to_https:
            redirect = compute.URLMapDefaultUrlRedirectArgs(
                https_redirect=True, redirect_response_code="MOVED_PERMANENTLY_DEFAULT", strip_query=False
            )
            http_routes = compute.URLMap(
                f"{name}-http-redirect",
                description="Plain HTTP answered with a 301 to the same URL over HTTPS",
                default_url_redirect=redirect,
                **well_known.url_map_args(redirect=redirect),
                opts=self.child_opts(depends_on=well_known.prerequisites),
            )
        return compute.TargetHttpProxy(f"{name}-http", url_map=http_routes.id, opts=self.child_opts(serving=True))

    def _addresses_and_rules(
        self,
        name: str,
        config: "GcpSettings",
        https_proxy: compute.TargetHttpsProxy,
        http_proxy: compute.TargetHttpProxy,
    ) -> dict[str, compute.GlobalAddress]:
        serving = self.child_opts(serving=True)
        addresses = {"ipv4": compute.GlobalAddress(f"{name}-ipv4", ip_version="IPV4", opts=serving)}
        if config.enable_ipv6:
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
        return addresses



class GcpLoadBalancerTrackingDomain(LoadBalancerSteps, TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on a Google Cloud global external Application
    Load Balancer: Google-managed certificates for the tracking domains (Certificate Manager with DNS
    authorization by default, or classic ones), TLS 1.2 minimum, every host and path proxied over HTTPS to
    the ESP's tracking endpoint through an Internet network endpoint group, no caching. Plain-HTTP requests
    (links already delivered as ``http://``) are served too, or redirected to HTTPS when
    ``redirect_http_to_https`` is set.
    Certificate Manager certificates become ACTIVE once their DNS authorization records (``dns_records``,
    purpose ``validation``) resolve; classic ones only after the tracking domains' DNS points at
    ``ip_address`` (up to about an hour)."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL, APP_LINKS, WELL_KNOWN_ORIGIN})
    """``ses``: the backend service reaches ``r.<region>.awstrack.me`` over HTTP on port 80 (see
    ``_origin_protocol``). ``iterable*``: nothing is cached (Cloud CDN off), so the origin's
    ``Cache-Control`` reaches the browser untouched and no cache of ours overrides it. ``app_links``: a
    backend bucket answers the two files (``_deep_links``); ``well_known_origin``: a second Internet NEG
    and backend service take ``/.well-known/*`` (``_well_known_origin``)."""

    ip_address: pulumi.Output[str]
    """The load balancer's global IPv4 address: every tracking domain needs an A record to it, so it is
    every domain's value in ``route_targets``."""
    ipv6_address: pulumi.Output[str]
    """The global IPv6 address for AAAA records when ``enable_ipv6`` is set; empty otherwise. Listed in
    ``dns_records``; ``route_targets`` holds the IPv4 address."""
    certificate_names: pulumi.Output[list[str]]
    """Names of the certificates: the classic ones in the order they cover ``domains``, then the
    Certificate Manager ones in ``domains`` order."""
    certificate_status_commands: pulumi.Output[list[str]]
    """One ``gcloud`` command per certificate showing its status (classic: PROVISIONING until DNS points
    at the load balancer, then ACTIVE; Certificate Manager: PROVISIONING until the DNS authorization
    record resolves, then ACTIVE; failures explain themselves)."""

    def __init__(
        self,
        name: str,
        args: GcpLoadBalancerTrackingDomainArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        config = _resolve(name, args)
        super().__init__(name, config.common, opts)
        if "cache_ttl_seconds" in args:
            pulumi.log.warn(
                "cache_ttl_seconds has no effect on the GCP front door: Cloud CDN is off, every request "
                "reaches the ESP.",
                resource=self,
            )
        backend = self._origin(name, config)
        well_known = WellKnownRoutes(self._deep_links(name, config), self._well_known_origin(name, config))
        url_map = compute.URLMap(
            f"{name}-routes",
            description="Every host and path to the ESP tracking endpoint",
            default_service=backend.id,
            **well_known.url_map_args(default_service=backend.id),
            opts=self.child_opts(serving=True, depends_on=well_known.prerequisites),
        )
        classic = self._classic_certificates(name, config)
        manager = self._certificate_manager(name, config)
        https_proxy = self._https_proxy(name, url_map, classic, manager, config.mechanism)
        http_proxy = self._http_proxy(name, url_map, well_known)
        addresses = self._addresses_and_rules(name, config, https_proxy, http_proxy)
        records = self._route_records(name, config, addresses) + self._validation_records(name, config, manager)

        certificates = [(_physical(c), "compute ssl-certificates", " --global", CLASSIC_STATUS_FORMAT) for c in classic]
        certificates += [(_physical(c), "certificate-manager certificates", "", MANAGER_STATUS_FORMAT)
                         for c in manager.certificates]
        self.publish_outputs(
            origin_host=config.common.origin.host,
            dns_records=collect_dns_records(records),
            ip_address=_address(addresses["ipv4"]),
            ipv6_address=_address(addresses["ipv6"]) if "ipv6" in addresses else "",
            certificate_names=pulumi.Output.all(*[certificate for certificate, *_ in certificates]),
            certificate_status_commands=pulumi.Output.all(
                *[
                    pulumi.Output.concat(f"gcloud {command} describe ", certificate, f"{scope} --format='{fields}'")
                    for certificate, command, scope, fields in certificates
                ]
            ),
        )

    # --- Deep links: the app-link files and /.well-known/* -------------------------------------------

    def _deep_links(self, name: str, config: "GcpSettings") -> list["AppLinkRoute"]:
        """A public-read bucket holding the app-link files, behind a backend bucket: one path rule per
        file sends exactly its path there (on HTTPS and on plain HTTP, never redirected).

        Each file is an object named by a digest of its bytes (``app-links/<digest>/<file>``) that the
        path rule reaches through a URL rewrite: changing a file creates the new object, repoints the
        URL maps in place once the new object and its public ACL exist (the rewrite names the object by a
        plain string, so the URL maps wait for both explicitly: a 404, then a 403, otherwise) and deletes
        the old object last, so the old bytes are served until the new ones are (an object replaced under the same name would be overwritten, then deleted by its own
        replacement). The objects and their ACLs are therefore not protected; the bucket and the backend
        bucket are. Only those objects are public (``allUsers`` READER on each object; the bucket keeps
        fine-grained access for that): Apple fetches its file from its own CDN, so it must be public."""
        if config.common.deep_links is None:
            return []
        serving = self.child_opts(serving=True)
        bucket = storage.Bucket(
            f"{name}-deep-links",
            name=config.bucket_name,
            location=config.bucket_location,
            uniform_bucket_level_access=False,
            public_access_prevention="inherited",
            opts=serving,
        )
        backend_bucket = compute.BackendBucket(
            f"{name}-deep-links",
            description="The app-link files of the tracking domains",
            bucket_name=bucket.name,
            enable_cdn=False,
            opts=serving,
        )
        routes = []
        for file in config.common.deep_links.files:
            file_name = file.path.rsplit("/", 1)[1]
            object_name = f"{APP_LINK_OBJECT_PREFIX}/{_key(file.text)}/{file_name}"
            stored = storage.BucketObject(
                f"{name}-{file_name}-{_key(file.text)}",
                bucket=bucket.name,
                name=object_name,
                content=file.text,
                content_type=file.content_type,
                cache_control=APP_LINK_CACHE_CONTROL,
                opts=self.child_opts(),
            )
            public = storage.ObjectAccessControl(
                f"{name}-{file_name}-{_key(file.text)}-public",
                bucket=bucket.name,
                object=stored.output_name,
                entity="allUsers",
                role="READER",
                opts=self.child_opts(),
            )
            routes.append(AppLinkRoute(file.path, f"/{object_name}", backend_bucket, (stored, public)))
        return routes

    def _well_known_origin(self, name: str, config: "GcpSettings") -> Optional[compute.BackendService]:
        """``/.well-known/*`` (but the app-link files) to the user's own web origin over HTTPS, with its
        own host name as ``Host``. As for the ESP, GCP verifies no Internet NEG's certificate."""
        host = config.common.well_known_origin
        if host is None:
            return None
        neg, endpoint = self._internet_neg(f"{name}-site", host, ORIGIN_PORTS["HTTPS"], "Your web origin (Internet NEG)")
        return compute.BackendService(
            f"{name}-well-known",
            description=f"Forwards /.well-known/* to https://{host}",
            protocol="HTTPS",
            load_balancing_scheme=LOAD_BALANCING_SCHEME,
            enable_cdn=False,
            timeout_sec=config.origin_timeout,
            backends=[compute.BackendServiceBackendArgs(group=neg.id)],
            custom_request_headers=[f"Host: {host}"],
            opts=self.child_opts(serving=True, depends_on=[endpoint]),
        )

    # --- Certificates -----------------------------------------------------------------------------

    def _classic_certificates(self, name: str, config: "GcpSettings") -> list[compute.ManagedSslCertificate]:
        """Compute Engine Google-managed certificates, ``domains_per_certificate`` domains each, named by
        slot. Protected while they serve; once a certificate map takes precedence (``migrate-attach``)
        they are not, so that the last migration step deletes them."""
        if not config.mechanism.classic:
            return []
        return [
            compute.ManagedSslCertificate(
                f"{name}-certificate-{index}",
                description="Email tracking domains (Google-managed)",
                type="MANAGED",
                managed=compute.ManagedSslCertificateManagedArgs(domains=list(chunk)),
                opts=self.child_opts(serving=config.mechanism.classic_serving),
            )
            for index, chunk in enumerate(_chunks(config.common.domains, config.per_certificate))
        ]

    def _certificate_manager(self, name: str, config: "GcpSettings") -> "ManagerCertificates":
        """Per domain a DNS authorization, a certificate it authorizes and a map entry for the host name,
        all keyed by the domain: adding a domain adds resources and changes none. A DNS-authorized
        certificate is issued once its ``_acme-challenge`` CNAME resolves, whatever the domain points at,
        so a live domain's certificate can be ACTIVE before its traffic moves (issue 13; load balancer
        authorization, by contrast, is for "new environments with no existing traffic":
        https://cloud.google.com/certificate-manager/docs/certificates)."""
        if not config.mechanism.certificate_manager:
            return ManagerCertificates(None, [], {})
        serving = self.child_opts(serving=True)
        certificate_map = certificatemanager.CertificateMap(
            f"{name}-certificate-map", description="Email tracking domains, one entry per domain", opts=serving
        )
        certificates, authorizations = [], {}
        for domain in config.common.domains:
            authorization, certificate, _ = domain_certificate(self, name, domain, certificate_map.name)
            certificates.append(certificate)
            authorizations[domain] = authorization
        return ManagerCertificates(certificate_map, certificates, authorizations)

    # --- DNS ----------------------------------------------------------------------------------------

    def _route_records(
        self, name: str, config: "GcpSettings", addresses: dict[str, compute.GlobalAddress]
    ) -> list[pulumi.Output[DnsRecord]]:
        """An A (AAAA) record per domain to the load balancer: created in ``managed_zone`` (or imported,
        or left to the user while a live record still stands), and listed in ``dns_records`` always."""
        records = []
        values = {version: _address(address) for version, address in addresses.items()}
        for domain in config.common.domains:
            for version, value in values.items():
                record_type = RECORD_TYPES[version]
                if config.managed_zone is not None and domain not in config.pending_cutover:
                    dns.RecordSet(
                        f"{name}-{record_type.lower()}-{domain}",
                        managed_zone=config.managed_zone,
                        project=config.dns_project,
                        name=f"{domain}.",
                        type=record_type,
                        ttl=config.dns_ttl,
                        rrdatas=[value],
                        opts=self.child_opts(
                            serving=True, import_=_record_import_id(config, domain, record_type)
                        ),
                    )
                records.append(dns_record(domain, record_type, value, ROUTE))
        return records

    def _validation_records(
        self, name: str, config: "GcpSettings", manager: "ManagerCertificates"
    ) -> list[pulumi.Output[DnsRecord]]:
        """The CNAME each DNS authorization asks for (``_acme-challenge.<domain>``), created in
        ``managed_zone`` and protected (renewals use it too), and listed in ``dns_records`` always."""
        records = []
        for domain, authorization in manager.authorizations.items():
            record_name, value = authorization_record(domain, authorization)
            if config.managed_zone is not None:
                dns.RecordSet(
                    f"{name}-validation-{domain}",
                    managed_zone=config.managed_zone,
                    project=config.dns_project,
                    name=record_name,
                    type="CNAME",
                    ttl=config.dns_ttl,
                    rrdatas=[value],
                    opts=self.child_opts(serving=True),
                )
            records.append(dns_record(record_name, "CNAME", value, VALIDATION))
        return records


RECORD_TYPES = {"ipv4": "A", "ipv6": "AAAA"}


@dataclass(frozen=True)
class AppLinkRoute:
    """One app-link file: its public path, the object path the load balancer rewrites it to, where, and
    what must exist before a URL map sends requests there (the object and its public-read ACL)."""

    path: str
    object_path: str
    backend_bucket: compute.BackendBucket
    ready: tuple[pulumi.Resource, ...]


@dataclass(frozen=True)
class WellKnownRoutes:
    """What the URL maps send elsewhere than the ESP: the app-link files, and ``/.well-known/*``."""

    files: list[AppLinkRoute]
    well_known_origin: Optional[compute.BackendService]

    @property
    def prerequisites(self) -> list[pulumi.Resource]:
        """What a URL map routing to the files waits for: the URL rewrite names each object by a plain
        string, which gives the engine no dependency on it."""
        return [resource for route in self.files for resource in route.ready]

    def url_map_args(
        self, default_service: Optional[pulumi.Input[str]] = None,
        redirect: Optional[compute.URLMapDefaultUrlRedirectArgs] = None,
    ) -> dict:
        """``host_rules``/``path_matchers`` for a URL map whose other requests go to ``default_service``
        (HTTPS, or plain HTTP without the redirect) or get ``redirect`` (plain HTTP with it: only the
        app-link files are exempt, ``/.well-known/*`` is redirected like the rest). Nothing when there
        is nothing to route, so a URL map without deep links keeps its inputs. Path rules match the
        longest path first, so each file's exact path wins over ``/.well-known/*``."""
        rules = [
            compute.URLMapPathMatcherPathRuleArgs(
                paths=[route.path],
                service=route.backend_bucket.id,
                route_action=compute.URLMapPathMatcherPathRuleRouteActionArgs(
                    url_rewrite=compute.URLMapPathMatcherPathRuleRouteActionUrlRewriteArgs(
                        path_prefix_rewrite=route.object_path
                    )
                ),
            )
            for route in self.files
        ]
        if self.well_known_origin is not None and redirect is None:
            rules.append(compute.URLMapPathMatcherPathRuleArgs(
                paths=[f"{WELL_KNOWN_PREFIX}*"], service=self.well_known_origin.id
            ))
        if not rules:
            return {}
        matcher = compute.URLMapPathMatcherArgs(
            name=PATH_MATCHER,
            default_service=default_service,
            default_url_redirect=None if redirect is None else compute.URLMapPathMatcherDefaultUrlRedirectArgs(
                https_redirect=redirect.https_redirect,
                redirect_response_code=redirect.redirect_response_code,
                strip_query=redirect.strip_query,
            ),
            path_rules=rules,
        )
        return {
            "host_rules": [compute.URLMapHostRuleArgs(hosts=["*"], path_matcher=PATH_MATCHER)],
            "path_matchers": [matcher],
        }


@dataclass(frozen=True)
class ManagerCertificates:
    """The Certificate Manager resources the proxy and the DNS records refer to."""

    certificate_map: Optional[certificatemanager.CertificateMap]
    certificates: list[certificatemanager.Certificate]
    authorizations: dict[str, certificatemanager.DnsAuthorization]


# --- Arguments ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GcpSettings:
    """Every argument of the GCP front door, validated, with defaults applied."""

    common: FrontDoorSettings
    mechanism: CertificateMechanism
    per_certificate: int
    enable_ipv6: bool
    dns_ttl: int
    origin_timeout: int
    managed_zone: Optional[pulumi.Input[str]]
    dns_project: Optional[pulumi.Input[str]]
    pending_cutover: frozenset[str]
    imported_records: frozenset[str]
    bucket_name: Optional[str]
    bucket_location: str


def _resolve(name: str, args: GcpLoadBalancerTrackingDomainArgs) -> GcpSettings:
    """Validate every argument (and the component name) before anything is created."""
    check_component_name(name, COMPONENT_NAME)
    mechanism = _mechanism(args)
    per_certificate = bounded_int_arg(
        args, "domains_per_certificate", MAX_DOMAINS_PER_CERTIFICATE, 1, MAX_DOMAINS_PER_CERTIFICATE
    )
    if not mechanism.classic and "domains_per_certificate" in args:
        raise InvalidArgument(
            "domains_per_certificate",
            "only for certificates='classic'; Certificate Manager (the default) gives every domain its own "
            "certificate: leave it out, or set certificates='classic' (stacks made with 0.1)",
        )
    max_domains, limit_reason = None, ""
    if mechanism.classic:
        max_domains = per_certificate * MAX_CERTIFICATES_PER_PROXY
        limit_reason = (
            f" (a target HTTPS proxy takes at most {MAX_CERTIFICATES_PER_PROXY} classic certificates of "
            f"domains_per_certificate={per_certificate} domains; the GCP maximum is "
            f"{MAX_DOMAINS_PER_CERTIFICATE} per certificate; certificates='certificate-manager' has no such limit)"
        )
    common = resolve_settings(
        args, GcpLoadBalancerTrackingDomainArgs, max_domains=max_domains, limit_reason=limit_reason
    )
    managed_zone = input_arg(
        args, "managed_zone", "the Cloud DNS managed zone's name (e.g. 'example-com'), or leave it out"
    )
    dns_project = input_arg(args, "dns_project", "the managed zone's project id, or leave it out")
    for key in ("dns_project", "managed_zone_dns_name", "pending_cutover_domains", "import_route_records"):
        if key in args and args[key] is not None and managed_zone is None:
            raise InvalidArgument(key, "only used with managed_zone; give managed_zone too or leave it out")
    _check_zone_dns_name(args, common.domains)
    if managed_zone is not None and args.get("managed_zone_dns_name") is None:
        warn_zone_unchecked("managed_zone", "managed_zone_dns_name", "Cloud DNS")
    if mechanism == CERTIFICATE_MECHANISMS[CLASSIC]:
        pulumi.log.warn(CLASSIC_WARNING)
    pending = domain_subset_arg(args, "pending_cutover_domains", common.domains)
    imported = domain_subset_arg(args, "import_route_records", common.domains)
    if pending and mechanism != CERTIFICATE_MECHANISMS[CERTIFICATE_MANAGER]:
        raise InvalidArgument(
            "pending_cutover_domains",
            "needs certificates='certificate-manager' (the default): a classic certificate is issued only once "
            "the domain resolves to the load balancer, so a domain moved before that would have no certificate",
        )
    both = sorted(pending & imported)
    if both:
        raise InvalidArgument(
            "import_route_records", f"{both[0]!r} is also in pending_cutover_domains; a domain is in one or the other"
        )
    if imported and not (isinstance(managed_zone, str) and isinstance(dns_project, str)):
        raise InvalidArgument(
            "import_route_records",
            "needs managed_zone and dns_project as plain strings (the import ids name the zone and its "
            "project, even when it is the provider's project)",
        )
    return GcpSettings(
        common=common,
        mechanism=mechanism,
        per_certificate=per_certificate,
        enable_ipv6=plain_arg(args, "enable_ipv6", bool, False),
        dns_ttl=bounded_int_arg(args, "dns_ttl_seconds", DEFAULT_DNS_TTL_SECONDS, 30, MAX_DNS_TTL_SECONDS),
        origin_timeout=bounded_int_arg(
            args, "origin_timeout_seconds", DEFAULT_ORIGIN_TIMEOUT_SECONDS, 1, MAX_ORIGIN_TIMEOUT_SECONDS
        ),
        managed_zone=managed_zone,
        dns_project=dns_project,
        pending_cutover=pending,
        imported_records=imported,
        bucket_name=_bucket_name(args, common.deep_links),
        bucket_location=_bucket_location(args, common.deep_links),
    )


def _bucket_name(args: GcpLoadBalancerTrackingDomainArgs, deep_links: Optional[DeepLinks]) -> Optional[str]:
    value = plain_arg(args, "deep_links_bucket_name", str)
    if value is None:
        return None
    if deep_links is None:
        raise InvalidArgument("deep_links_bucket_name", "only used with app_links; give app_links too or leave it out")
    if not BUCKET_NAME.fullmatch(value) or value.startswith("goog") or "google" in value:
        raise InvalidArgument(
            "deep_links_bucket_name",
            f"{value!r} is not a Cloud Storage bucket name: 3 to 63 lowercase letters, digits, '-' and '_', "
            "starting and ending with a letter or digit, not starting with 'goog' nor containing 'google' "
            "(or leave it out for an auto-named bucket)",
        )
    return value


def _bucket_location(args: GcpLoadBalancerTrackingDomainArgs, deep_links: Optional[DeepLinks]) -> str:
    value = plain_arg(args, "deep_links_bucket_location", str)
    if value is None:
        return DEFAULT_BUCKET_LOCATION
    if deep_links is None:
        raise InvalidArgument("deep_links_bucket_location", "only used with app_links; give app_links too or leave it out")
    if not re.fullmatch(r"[A-Za-z][-A-Za-z0-9]*[A-Za-z0-9]", value):
        raise InvalidArgument(
            "deep_links_bucket_location", f"{value!r} is not a Cloud Storage location such as 'US', 'EU' or 'europe-west1'"
        )
    return value.upper()


def _mechanism(args: GcpLoadBalancerTrackingDomainArgs) -> CertificateMechanism:
    value = plain_arg(args, "certificates", str, CERTIFICATE_MANAGER)
    if value not in CERTIFICATE_MECHANISMS:
        raise InvalidArgument(
            "certificates",
            f"unknown value {value!r}; choose {', '.join(repr(v) for v in CERTIFICATE_MECHANISMS)} "
            f"(the two migrate-* values are the steps from classic to certificate-manager)",
        )
    return CERTIFICATE_MECHANISMS[value]


def _check_zone_dns_name(args: GcpLoadBalancerTrackingDomainArgs, domains: tuple[str, ...]) -> None:
    value = plain_arg(args, "managed_zone_dns_name", str)
    if value is None:
        return
    zone = validate_hostname(value, argument="managed_zone_dns_name")
    for index, domain in enumerate(domains):
        if not in_zone(domain, zone):
            raise InvalidArgument(
                f"domains[{index}]",
                f"{domain!r} is not inside managed_zone_dns_name {zone!r}; Cloud DNS refuses records outside "
                "the zone (use a domain in the zone, or leave managed_zone out and create the records in "
                "dns_records at the domain's DNS provider)",
            )


def domain_certificate(
    owner: TrackingDomainComponent, name: str, domain: str, certificate_map: pulumi.Input[str]
) -> tuple[certificatemanager.DnsAuthorization, certificatemanager.Certificate, certificatemanager.CertificateMapEntry]:
    """For one domain, children of ``owner`` named after ``name`` and the domain: a DNS authorization, the
    Google-managed certificate it authorizes, and the entry serving it for the domain's host name in
    ``certificate_map`` (a map's name), all serving."""
    serving = owner.child_opts(serving=True)
    authorization = certificatemanager.DnsAuthorization(
        f"{name}-dns-authorization-{domain}",
        name=_explicit_name(name, "auth", domain),
        domain=domain,
        description=f"Lets Google issue the certificate of {domain}",
        opts=serving,
    )
    certificate = certificatemanager.Certificate(
        f"{name}-certificate-{domain}",
        name=_explicit_name(name, "cert", domain),
        description=f"Email tracking domain {domain} (Google-managed, DNS authorization)",
        managed=certificatemanager.CertificateManagedArgs(domains=[domain], dns_authorizations=[authorization.id]),
        opts=serving,
    )
    entry = certificatemanager.CertificateMapEntry(
        f"{name}-certificate-map-entry-{domain}",
        name=_explicit_name(name, "entry", domain),
        description=f"Serves the certificate of {domain}",
        map=certificate_map,
        hostname=domain,
        certificates=[certificate.id],
        opts=serving,
    )
    return authorization, certificate, entry


def authorization_record(
    domain: str, authorization: certificatemanager.DnsAuthorization
) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """(name, value) of the CNAME ``domain``'s DNS authorization asks for (``_acme-challenge.<domain>``)."""
    challenge = _challenge(domain, authorization)
    return challenge.apply(lambda r: r[0]), challenge.apply(lambda r: r[1])


# --- Names and small helpers ---------------------------------------------------------------------------


def _key(text: str) -> str:
    """A short, stable, name-safe key for ``text`` (a host or a domain)."""
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def _explicit_name(name: str, kind: str, domain: str) -> str:
    """The Certificate Manager name of ``domain``'s ``kind`` resource: deterministic, valid whatever the
    domain (``[a-zA-Z][a-zA-Z0-9_-]*``, at most 64 characters; SDK docstrings), stable across runs."""
    return f"{name}-{kind}-{_key(domain)}"


def _record_import_id(config: GcpSettings, domain: str, record_type: str) -> Optional[str]:
    """The id terraform-provider-google's ``google_dns_record_set`` importer takes
    (``projects/{project}/managedZones/{zone}/rrsets/{name}/{type}``, resource_dns_record_set.go), or
    None when the record is created."""
    if domain not in config.imported_records:
        return None
    return f"projects/{config.dns_project}/managedZones/{config.managed_zone}/rrsets/{domain}./{record_type}"


def _origin_protocol(origin: Origin) -> str:
    """The backend service's protocol toward the ESP: HTTPS on 443, except for a profile whose endpoint
    is reached over plain HTTP (``ses``: ``esp.SES`` says why), which gets HTTP on 80. GCP verifies no
    Internet NEG's certificate either way (backend authenticated TLS does not cover Internet NEGs)."""
    return "HTTP" if origin.profile.origin_protocol == PLAIN_HTTP_ORIGIN else "HTTPS"


def _origin_request_headers(origin_host: str, sends_tracking_host: bool) -> list[str]:
    """Request headers the backend service adds toward the ESP.

    Toward an Internet NEG the load balancer forwards the viewer's ``Host`` header unchanged (the NEG's
    FQDN only decides where it connects); a ``Host`` custom request header on the backend service replaces
    it (GCP "custom headers in backend services": Host is configurable, with restrictions). So:
    - SendGrid, SES, Iterable and Customer.io route on the tracking domain: nothing to add,
      ``Host: track.example.com`` passes through.
    - SparkPost-style and custom endpoints get their own host name, as a direct request to them would.
    The load balancer also passes the viewer's ``User-Agent`` and cookies unchanged and appends
    ``X-Forwarded-For: <client IP>, <load balancer IP>``, so the ESP sees the real client; nothing is
    needed for those.
    """
    return [] if sends_tracking_host else [f"Host: {origin_host}"]


# --- What Google Cloud computes ----------------------------------------------------------------------


def _address(address: compute.GlobalAddress) -> pulumi.Output[str]:
    """The IP address Google reserves for ``address``."""
    failure = f"Google Cloud returned no IP address for {address.pulumi_resource_name}"
    return cloud_output(address, "address", address.address, failure)


def _physical(certificate: pulumi.CustomResource) -> pulumi.Output[str]:
    """The certificate's name in Google Cloud (auto-named by Pulumi unless given)."""
    failure = f"Google Cloud returned no name for the certificate {certificate.pulumi_resource_name}"
    return cloud_output(certificate, "name", certificate.name, failure)


def _challenge(domain: str, authorization: certificatemanager.DnsAuthorization) -> pulumi.Output[tuple[str, str]]:
    """The name and value of the CNAME ``authorization`` asks for."""

    def first(found: Optional[list[Any]]) -> tuple[str, str]:
        if found and found[0].name and found[0].data:
            return found[0].name, found[0].data
        missing = missing_from_the_cloud(
            f"dnsResourceRecords entry for {domain}",
            authorization,
            f"Certificate Manager returned no DNS authorization record for {domain}",
        )
        return missing, missing

    return authorization.dns_resource_records.apply(first)


def _chunks(domains: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    """Domains in list order, ``size`` per certificate: appending domains fills the last certificate and
    then adds new ones; certificates before it keep their names and domains."""
    return [domains[start : start + size] for start in range(0, len(domains), size)]


__all__ = ["GcpLoadBalancerTrackingDomain", "GcpLoadBalancerTrackingDomainArgs"]
