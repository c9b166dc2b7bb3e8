"""Azure front door: Azure Front Door Standard/Premium in front of the ESP's tracking endpoint.

What it builds (seed ``000_*``, Azure section, moved from Front Door *classic* to Standard/Premium;
DESIGN.md sections 2 and 5):

    tracking domains --CNAME--> <endpoint>-<hash>.z01.azurefd.net   (AFDEndpoint)
    _dnsauth.<domain> TXT = validation token                        (AFDCustomDomain ownership check)
    Profile (Standard_AzureFrontDoor | Premium_AzureFrontDoor)
      AFDCustomDomain per tracking domain: Azure-managed certificate, minimum TLS 1.2
      Route "/*": Http + Https accepted, forwarded HttpsOnly (ses: HttpOnly), no redirect unless asked,
        custom domains linked
        -> AFDOriginGroup (no health probe: one origin) -> AFDOrigin <ESP endpoint>:443, certificate name check
      optional RuleSet/Rule: RouteConfigurationOverride cache action, TTL cache_ttl_seconds (the ESP's own
        Cache-Control first for iterable), query string in the key

Day two (issue 13): every per-domain resource is named after its domain (never a list index), so adding or
removing a domain creates or deletes exactly that domain's resources; record sets that already exist in the
Azure DNS zone are adopted with Pulumi's ``import`` option (``existing_dns_records``); component names that
would make an invalid Azure name are refused up front.

Deep links (issue 17): ``app_links`` files are blobs of a storage account's static website, a second origin
group, and a route for exactly their paths (never redirected); ``well_known_origin`` is a third origin group
and a route for ``/.well-known/*``. Everything else still takes the ``/*`` route to the ESP.

Only this module imports ``pulumi_azure_native`` (its ``cdn``, ``dns`` and ``storage`` submodules only:
importing the whole package is very slow). No ``from __future__ import annotations``:
Pulumi's schema inference reads the annotations below.
"""

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Mapping, NotRequired, Optional

import pulumi
from pulumi_azure_native import cdn, dns, storage

from .contract import (
    APP_LINKS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    WELL_KNOWN_ORIGIN,
    ROUTE,
    VALIDATION,
    ComponentNameRule,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    check_component_name,
    cloud_output,
    collect_dns_records,
    dns_record,
    input_arg,
    plain_arg,
    resolve_settings,
)
from .deep_links import WELL_KNOWN_PREFIX, DeepLinks
from .domains import in_zone, validate_hostname
from .errors import InvalidArgument
from .esp import CACHE_ORIGIN_HEADERS, ORIGIN_HTTP as ORIGIN_OVER_HTTP, Origin
from .quotas import quota

STANDARD_SKU = "Standard_AzureFrontDoor"
PREMIUM_SKU = "Premium_AzureFrontDoor"
MAX_CUSTOM_DOMAINS = {STANDARD_SKU: quota("azure.custom-domains-standard").value,
                      PREMIUM_SKU: quota("azure.custom-domains-premium").value}
"""Custom domains per Front Door profile (Azure subscription limits for Standard and Premium)."""
PROFILE_LOCATION = "Global"
"""Front Door profiles are global resources; Azure accepts only this location for them."""
ORIGIN_HTTPS_PORT = 443
ORIGIN_HTTP_PORT = 80
"""Used only for ``ses``, whose endpoint is reached over plain HTTP (``HttpOnly``); every other ESP is
reached over HTTPS (``HttpsOnly``) and this port is never used."""
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
CACHE_BEHAVIOR_ORIGIN_HEADERS = "OverrideIfOriginMissing"
"""For ESPs whose guide asks to follow their Cache-Control (Iterable: "Use Origin Cache Headers"): the
ESP's own duration applies, ``cache_ttl_seconds`` only where it sends none (SDK enum RuleCacheBehavior)."""
RESOURCE_GROUP_EXAMPLE = "the name of an existing resource group"
DEFAULT_DNS_TTL_SECONDS = 3600
MAX_DNS_TTL_SECONDS = 86400
LOAD_BALANCING = {"sample_size": 4, "successful_samples_required": 3, "additional_latency_in_milliseconds": 50}
"""Azure's portal defaults; with a single origin and no health probe they decide nothing."""

AUTONAME_RANDOM_CHARACTERS = 8
"""azure-native names a resource it is given no name for after its Pulumi name plus 8 random characters
(pulumi/pulumi-azure-native autonaming: "Resource name is URN name + random suffix",
``resource.NewUniqueName(randomSeed, name, 8, 0, nil)``)."""
AUTONAMED_CHILDREN = {"-profile": 260, "-endpoint": 46, "-origins": 50, "-origin": 50, "-route": 50}
"""Suffix of each auto-named child's Pulumi name -> the longest Azure name of its kind. Profiles: 1-260
(Azure/azure-rest-api-specs ``Microsoft.Cdn/stable/2024-09-01/afdx.json`` profileNameParameter). Front
Door endpoints: 2-46, because the endpoint's host label ``<name>-<16-character hash>`` must fit DNS's 63
(hashicorp/terraform-provider-azurerm ``validate.FrontDoorEndpointName``). Origin groups, origins, routes:
1-50 (learn.microsoft.com "Naming rules and restrictions for Azure resources", Microsoft.Cdn; the azurerm
provider allows 90, the stricter bound is kept). All: letters, digits and hyphens, starting and ending
with a letter or digit."""
COMPONENT_NAME = ComponentNameRule(
    starts="an Azure Front Door resource name",
    pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*"),
    characters="a letter or digit followed by letters, digits and hyphens",
    max_length=min(
        longest - len(suffix) - AUTONAME_RANDOM_CHARACTERS for suffix, longest in AUTONAMED_CHILDREN.items()
    ),
    why=f"the endpoint's Azure name, '<name>-endpoint' plus {AUTONAME_RANDOM_CHARACTERS} random characters, "
    f"must stay within Front Door's {AUTONAMED_CHILDREN['-endpoint']}",
)
"""What a component name may be: it starts the Azure name of every auto-named child, which the random
characters end (``<name>-endpoint<8 random characters>``, ...); the endpoint's is the shortest limit."""
MAX_CUSTOM_DOMAIN_NAME = 260
"""Custom-domain names: 2-260 letters, digits and hyphens, starting and ending with a letter or digit
(hashicorp/terraform-provider-azurerm ``validate.FrontDoorCustomDomainName``)."""
STORAGE_ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}")
"""Storage account names: 3-24 lowercase letters and digits, unique across Azure (SDK docstring of
``storage.StorageAccount.account_name``)."""
STORAGE_ACCOUNT_PREFIX = "tcdn"
STORAGE_SETTINGS = {
    "kind": "StorageV2",  # static websites need general-purpose v2
    "sku": {"name": "Standard_LRS"},
    "enable_https_traffic_only": True,
    "minimum_tls_version": "TLS1_2",
    # The static website serves $web "through anonymous access requests" whatever the container's access
    # level (learn.microsoft.com, "Static website hosting in Azure Storage"): no blob or container needs to
    # be public, so none may be.
    "allow_blob_public_access": False,
    # Shared-key access stays on: azure-native writes blobs and the static-website setting with the account
    # key (pulumi/pulumi-azure-native#2015: KeyBasedAuthenticationNotPermitted when it is off).
}
"""The storage account behind the app-link files (azure-native ``storage.StorageAccount``)."""
WEB_CONTAINER = "$web"
APP_LINK_VERSION_LENGTH = 16
"""Hex characters of the content hash that prefixes the blobs of one version of the app-link files."""
APP_LINK_NAMES = {"origin_group": "app-link-files", "origin": "static-website", "route": "app-link-files"}
WELL_KNOWN_NAMES = {"origin_group": "well-known", "origin": "well-known-origin", "route": "well-known"}
"""Fixed Azure names of the deep-link children: unique in a profile this component owns, where every other
child name carries azure-native's random suffix."""
WELL_KNOWN_PATTERN = WELL_KNOWN_PREFIX + "*"
SUBSCRIPTION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RECORD_SET_ID = (
    "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnsZones/{zone}/{type}/{name}"
)
"""Resource ID of an Azure DNS record set: the id ``pulumi import azure-native:dns:RecordSet`` takes."""


class AzureFrontDoorTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`AzureFrontDoorTrackingDomain`: the common ones plus the Azure settings below."""

    resource_group_name: pulumi.Input[str]
    """Resource group that holds the Front Door profile and its children (required; Front Door itself is
    global, the group only stores the metadata)."""
    sku: NotRequired[str]
    """``Standard_AzureFrontDoor`` (default) or ``Premium_AzureFrontDoor`` (WAF managed rule sets, Private
    Link origins; 500 custom domains instead of 100). Changing it replaces the profile: upgrade a live
    profile in Azure first (docs/front-doors/azure.md, "Day two")."""
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
    existing_dns_records: NotRequired[list[str]]
    """With ``dns_zone_name``: names from ``dns_records`` whose record set already exists in the zone (a
    live ``track.example.com`` CNAME to the ESP or to Front Door classic, a hand-made
    ``_dnsauth.track.example.com`` TXT). Azure refuses to create those again; the component adopts each
    with Pulumi's ``import`` option instead and then sets its value, so a live CNAME points at Front Door
    from that ``up`` on: list it only once the domain shows Approved in ``domain_validation_states``.
    Needs ``dns_zone_subscription_id``. Default: none."""
    dns_zone_subscription_id: NotRequired[str]
    """ID (a GUID) of the subscription that holds ``dns_zone_name``; only with ``existing_dns_records``,
    whose import IDs it is part of."""
    storage_account_name: NotRequired[str]
    """With ``app_links``: the name of the storage account whose static website serves the files (3-24
    lowercase letters and digits, unique across Azure; it is created, in the provider's default location).
    Default: ``tcdn`` plus 20 hex characters of a hash of the profile's ``frontDoorId``; that ID is unique to
    the profile, which is never replaced, so the name is the same on every ``up``. Changing it replaces the
    account."""


@dataclass(frozen=True)
class AzureDns:
    """Where and how the records go when the zone is in Azure DNS (``dns_zone_name``)."""

    zone: str
    relative_names: dict[str, str]
    """Tracking domain -> its name relative to the zone."""
    resource_group: Any
    ttl: int
    create_cnames: bool
    import_ids: dict[str, str]
    """Record name (``track.example.com``, ``_dnsauth.track.example.com``) -> the resource ID of the
    existing record set to adopt."""


class AzureFrontDoorTrackingDomain(TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on Azure Front Door Standard/Premium: one
    custom domain per tracking domain with an Azure-managed certificate (TLS 1.2 minimum), a ``/*`` route
    accepting HTTP and HTTPS that forwards every request over HTTPS (certificate name checked) to the
    ESP's tracking endpoint, no caching by default, and no redirect unless ``redirect_http_to_https``.
    Domain ownership is proved by a ``_dnsauth`` TXT record; nothing waits for it."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL, APP_LINKS, WELL_KNOWN_ORIGIN})

    endpoint_host_name: pulumi.Output[str]
    """The endpoint's host name (``<name>-<hash>.z01.azurefd.net``): every tracking domain needs a CNAME
    to it, so it is every domain's value in ``route_targets``. Also serves the route directly, e.g.
    ``curl -v https://<it>/f/a/`` before DNS is switched."""
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
        check_component_name(name, COMPONENT_NAME)
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
        enable_caching = _caching(args, settings.cache_ttl_seconds)
        resource_group = input_arg(args, "resource_group_name", RESOURCE_GROUP_EXAMPLE)
        azure_dns = _azure_dns(args, settings.domains, resource_group)
        storage_account = _storage_account_name(args, settings.deep_links)

        super().__init__(name, settings, opts)
        self.base_name = name
        self.in_profile: dict[str, Any] = {}
        profile, endpoint = self._profile_and_endpoint(resource_group, sku)
        origin_group, afd_origin = self._origin()
        custom_domains = self._custom_domains()
        rule_sets, rules = self._cache_rules() if enable_caching else ([], [])
        route = self._route(endpoint, origin_group, custom_domains, rule_sets, depends_on=[afd_origin, *rules])
        if settings.deep_links is not None:
            self._app_link_files(
                settings.deep_links, resource_group, storage_account, profile, endpoint, custom_domains
            )
        if settings.well_known_origin is not None:
            self._well_known_route(settings.well_known_origin, endpoint, custom_domains)
        tokens = {domain: _validation_token(custom_domains[domain]) for domain in settings.domains}
        endpoint_host = _endpoint_host(endpoint)
        if azure_dns is not None:
            self._zone_records(azure_dns, tokens, endpoint_host, route)

        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=collect_dns_records(_records_needed(settings.domains, tokens, endpoint_host)),
            endpoint_host_name=endpoint_host,
            endpoint_id=endpoint.id,
            profile_name=profile.name,
            custom_domain_ids=_by_domain({domain: cd.id for domain, cd in custom_domains.items()}),
            domain_validation_tokens=_by_domain(tokens),
            domain_validation_states=_by_domain(
                {domain: cd.domain_validation_state for domain, cd in custom_domains.items()}
            ),
        )

    def _profile_and_endpoint(self, resource_group: Any, sku: str) -> tuple[cdn.Profile, cdn.AFDEndpoint]:
        profile = cdn.Profile(
            f"{self.base_name}-profile",
            resource_group_name=resource_group,
            location=PROFILE_LOCATION,
            sku={"name": sku},
            opts=self.child_opts(serving=True),
        )
        self.in_profile = {"resource_group_name": resource_group, "profile_name": profile.name}
        endpoint = cdn.AFDEndpoint(
            f"{self.base_name}-endpoint",
            **self.in_profile,
            location=PROFILE_LOCATION,
            enabled_state="Enabled",
            opts=self.child_opts(serving=True),
        )
        return profile, endpoint

    def _origin(self) -> tuple[cdn.AFDOriginGroup, cdn.AFDOrigin]:
        """The ESP's endpoint as the only origin of its group. Blank host header = Front Door forwards the
        viewer's Host (the tracking domain), which SendGrid, SES, Iterable and Customer.io route on ("If
        you leave this blank, the request hostname determines this value", AFDOrigin.origin_host_header);
        every other ESP gets its own host name."""
        origin = self.settings.origin
        return self._single_origin(
            self.base_name, origin.host, host_header=None if origin.sends_tracking_host else origin.host
        )

    def _single_origin(
        self, prefix: str, host: pulumi.Input[str], host_header: Optional[pulumi.Input[str]],
        names: Optional[dict[str, str]] = None,
    ) -> tuple[cdn.AFDOriginGroup, cdn.AFDOrigin]:
        """An origin group ``<prefix>-origins`` whose only origin ``<prefix>-origin`` is ``host`` on 443 (and
        80, for an ESP reached over HTTP), its certificate name checked; Azure names from ``names`` or
        auto-named. One origin, so no health probe: Azure recommends disabling probes for a single origin
        (Front Door sends every request to it anyway), and its probes count only 200 as healthy while the
        ESP's health path answers 302 - a probe would only add load and a misleading "unhealthy" metric."""
        names = names or {}
        origin_group = cdn.AFDOriginGroup(
            f"{prefix}-origins",
            **self.in_profile,
            origin_group_name=names.get("origin_group"),
            load_balancing_settings=LOAD_BALANCING,
            session_affinity_state="Disabled",
            opts=self.child_opts(serving=True),
        )
        afd_origin = cdn.AFDOrigin(
            f"{prefix}-origin",
            **self.in_profile,
            origin_group_name=origin_group.name,
            origin_name=names.get("origin"),
            host_name=host,
            origin_host_header=host_header,
            https_port=ORIGIN_HTTPS_PORT,
            http_port=ORIGIN_HTTP_PORT,
            enforce_certificate_name_check=True,
            priority=1,
            weight=1000,
            enabled_state="Enabled",
            opts=self.child_opts(serving=True),
        )
        return origin_group, afd_origin

    def _custom_domains(self) -> dict[str, cdn.AFDCustomDomain]:
        """One custom domain per tracking domain, named after it: adding or removing a domain touches no other."""
        return {
            domain: cdn.AFDCustomDomain(
                f"{self.base_name}-domain-{domain}",
                **self.in_profile,
                custom_domain_name=custom_domain_name(domain),
                host_name=domain,
                tls_settings={"certificate_type": "ManagedCertificate", "minimum_tls_version": TLS_MINIMUM},
                opts=self.child_opts(serving=True),
            )
            for domain in self.settings.domains
        }

    def _cache_rules(self) -> tuple[list[dict[str, Any]], list[cdn.Rule]]:
        """The rule set that turns caching on. Not protected: deleting it (``enable_caching`` back to False)
        only stops caching, after the route no longer references it; no link depends on it."""
        rule_set = cdn.RuleSet(
            f"{self.base_name}-cache", **self.in_profile, rule_set_name=RULE_SET_NAME, opts=self.child_opts()
        )
        rule = cdn.Rule(
            f"{self.base_name}-cache-ttl",
            **self.in_profile,
            rule_set_name=rule_set.name,
            rule_name=RULE_NAME,
            order=1,
            actions=[cache_action(self.settings.cache_ttl_seconds, cache_behavior(self.settings.origin))],
            match_processing_behavior="Continue",
            opts=self.child_opts(),
        )
        return [{"id": rule_set.id}], [rule]

    def _route(
        self,
        endpoint: cdn.AFDEndpoint,
        origin_group: cdn.AFDOriginGroup,
        custom_domains: dict[str, cdn.AFDCustomDomain],
        rule_sets: list[dict[str, Any]],
        depends_on: list[pulumi.Resource],
    ) -> cdn.Route:
        """``/*`` on every custom domain to the ESP. The custom-domain list changes in place when domains
        come and go (RouteUpdatePropertiesParameters.customDomains, afdx.json)."""
        return cdn.Route(
            f"{self.base_name}-route",
            **self.in_profile,
            endpoint_name=endpoint.name,
            origin_group={"id": origin_group.id},
            custom_domains=[{"id": custom_domains[domain].id} for domain in self.settings.domains],
            patterns_to_match=ROUTE_PATTERNS,
            supported_protocols=["Http", "Https"],
            forwarding_protocol=forwarding_protocol(self.settings.origin),
            https_redirect="Enabled" if self.settings.redirect_http_to_https else "Disabled",
            link_to_default_domain="Enabled",
            rule_sets=rule_sets or None,
            enabled_state="Enabled",
            # No cache_configuration: caching is off on the route; the optional rule set turns it on.
            # Azure refuses a route whose origin group has no origin yet, hence the explicit dependency.
            opts=self.child_opts(serving=True, depends_on=depends_on),
        )

    def _app_link_files(
        self,
        deep_links: DeepLinks,
        resource_group: Any,
        account_name: Optional[str],
        profile: cdn.Profile,
        endpoint: cdn.AFDEndpoint,
        custom_domains: dict[str, cdn.AFDCustomDomain],
    ) -> None:
        """The app-link files as blobs of a storage account's static website, behind an origin group and a
        route for exactly their paths: 200, ``application/json``, the exact bytes of ``deep_links``, on HTTP
        and HTTPS, never redirected (Apple and Android refuse redirects for them).

        The blobs of one version of the files sit under a prefix made of their content hash, which the route
        reaches through its ``origin_path``: new content is new blobs, then the route moves to them in place,
        then the old blobs (not protected: nothing serves them any more) are deleted. Changing the files
        never replaces a resource and never leaves a moment without them."""
        account = storage.StorageAccount(
            f"{self.base_name}-app-links-storage",
            account_name=account_name or _front_door_id(profile).apply(derived_storage_account_name),
            resource_group_name=resource_group,
            **STORAGE_SETTINGS,
            opts=self.child_opts(serving=True),
        )
        in_account = {"resource_group_name": resource_group, "account_name": account.name}
        website = storage.StorageAccountStaticWebsite(
            f"{self.base_name}-app-links-website", **in_account, opts=self.child_opts(serving=True)
        )
        version = app_links_version(deep_links)
        blobs = [
            storage.Blob(
                f"{self.base_name}-app-link-{version}-{file.path.rsplit('/', 1)[1]}",
                **in_account,
                container_name=website.container_name,
                blob_name=f"{version}{file.path}",
                type="Block",
                content_type=file.content_type,
                source=pulumi.StringAsset(file.text),
                opts=self.child_opts(),
            )
            for file in deep_links.files
        ]
        web_host = _static_website_host(account)
        # The website answers only for its own name (AFDOrigin.origin_host_header: "Blob Storage ... require
        # this host header value to match the origin hostname by default").
        origin_group, origin = self._single_origin(f"{self.base_name}-app-links", web_host, web_host, APP_LINK_NAMES)
        self._extra_route(
            "app-links",
            APP_LINK_NAMES["route"],
            endpoint,
            origin_group,
            custom_domains,
            patterns=list(deep_links.paths),
            redirect=False,
            origin_path=f"/{version}",
            depends_on=[origin, *blobs],
        )

    def _well_known_route(
        self, host: str, endpoint: cdn.AFDEndpoint, custom_domains: dict[str, cdn.AFDCustomDomain]
    ) -> None:
        """Every other ``/.well-known/*`` request to ``well_known_origin`` over verified HTTPS (the app-link
        route's exact paths win over this pattern)."""
        origin_group, origin = self._single_origin(f"{self.base_name}-well-known", host, host, WELL_KNOWN_NAMES)
        self._extra_route(
            "well-known",
            WELL_KNOWN_NAMES["route"],
            endpoint,
            origin_group,
            custom_domains,
            patterns=[WELL_KNOWN_PATTERN],
            redirect=self.settings.redirect_http_to_https,
            origin_path=None,
            depends_on=[origin],
        )

    def _extra_route(
        self,
        purpose: str,
        route_name: str,
        endpoint: cdn.AFDEndpoint,
        origin_group: cdn.AFDOriginGroup,
        custom_domains: dict[str, cdn.AFDCustomDomain],
        *,
        patterns: list[str],
        redirect: bool,
        origin_path: Optional[str],
        depends_on: list[pulumi.Resource],
    ) -> cdn.Route:
        """A route for ``patterns`` on every tracking domain, over HTTPS to ``origin_group``; Front Door picks
        the most specific pattern, so ``/*`` (the ESP) keeps every other path."""
        return cdn.Route(
            f"{self.base_name}-{purpose}-route",
            **self.in_profile,
            endpoint_name=endpoint.name,
            route_name=route_name,
            origin_group={"id": origin_group.id},
            origin_path=origin_path,
            custom_domains=[{"id": custom_domains[domain].id} for domain in self.settings.domains],
            patterns_to_match=patterns,
            supported_protocols=["Http", "Https"],
            forwarding_protocol="HttpsOnly",
            https_redirect="Enabled" if redirect else "Disabled",
            link_to_default_domain="Enabled",
            enabled_state="Enabled",
            opts=self.child_opts(serving=True, depends_on=depends_on),
        )

    def _zone_records(
        self, azure_dns: AzureDns, tokens: dict[str, pulumi.Output[str]], endpoint_host: pulumi.Output[str],
        route: cdn.Route,
    ) -> None:
        """Each domain's ``_dnsauth`` TXT and (unless ``create_cname_records=False``) its CNAME in the zone,
        named after the domain; existing record sets are adopted (``existing_dns_records``)."""
        for domain in self.settings.domains:
            relative = azure_dns.relative_names[domain]
            txt_name = f"{VALIDATION_RECORD_PREFIX}.{domain}"
            dns.RecordSet(
                f"{self.base_name}-dnsauth-{domain}",
                resource_group_name=azure_dns.resource_group,
                zone_name=azure_dns.zone,
                relative_record_set_name=f"{VALIDATION_RECORD_PREFIX}.{relative}",
                record_type="TXT",
                ttl=azure_dns.ttl,
                txt_records=[{"value": [tokens[domain]]}],
                opts=self.child_opts(serving=True, import_=azure_dns.import_ids.get(txt_name)),
            )
            if azure_dns.create_cnames:
                dns.RecordSet(
                    f"{self.base_name}-cname-{domain}",
                    resource_group_name=azure_dns.resource_group,
                    zone_name=azure_dns.zone,
                    relative_record_set_name=relative,
                    record_type="CNAME",
                    ttl=azure_dns.ttl,
                    cname_record={"cname": endpoint_host},
                    # Send traffic only once the route that serves it exists.
                    opts=self.child_opts(
                        serving=True, depends_on=[route], import_=azure_dns.import_ids.get(domain)
                    ),
                )


def custom_domain_name(domain: str) -> str:
    """The Front Door name of a tracking domain's custom domain: letters, digits and hyphens only, derived
    from the domain alone (never from its position in the list) and distinct for distinct domains: every
    hyphen is doubled, then every dot becomes one hyphen (``click-2.example.com`` ->
    ``click--2-example-com``), which is reversible because labels never start or end with a hyphen. The
    rare name longer than Azure's 260 characters keeps its first 243 and a hash of the whole domain."""
    name = domain.replace("-", "--").replace(".", "-")
    if len(name) <= MAX_CUSTOM_DOMAIN_NAME:
        return name
    digest = hashlib.sha256(domain.encode()).hexdigest()[:16]
    return f"{name[: MAX_CUSTOM_DOMAIN_NAME - len(digest) - 1]}-{digest}"


def app_links_version(deep_links: DeepLinks) -> str:
    """The content hash that names one version of the app-link files (their paths and exact bytes)."""
    digest = hashlib.sha256()
    for file in deep_links.files:
        digest.update(f"{file.path}\n{file.content_type}\n".encode() + file.body + b"\n")
    return digest.hexdigest()[:APP_LINK_VERSION_LENGTH]


def derived_storage_account_name(front_door_id: str) -> str:
    """``tcdn`` and 20 hex characters of a hash of the profile's ``frontDoorId``: valid (3-24 lowercase
    letters and digits), the same on every ``up``, and different for every profile, so two stacks (in any
    subscription) never pick the same one."""
    digest = hashlib.sha256(front_door_id.encode()).hexdigest()
    return STORAGE_ACCOUNT_PREFIX + digest[: 24 - len(STORAGE_ACCOUNT_PREFIX)]


def _host_of(url: str) -> str:
    """``https://<account>.z6.web.core.windows.net/`` -> ``<account>.z6.web.core.windows.net``."""
    return url.split("://", 1)[-1].split("/", 1)[0]


def forwarding_protocol(origin: Origin) -> str:
    """``HttpsOnly``: every request reaches the ESP over HTTPS, its certificate name checked. The one
    documented exception is ``ses`` (``HttpOnly``): its endpoint is not known to present a certificate for
    its own name (see tracking_cdn.esp.SES)."""
    return "HttpOnly" if origin.profile.origin_protocol == ORIGIN_OVER_HTTP else "HttpsOnly"


def cache_behavior(origin: Origin) -> str:
    """``OverrideAlways`` (our TTL), or ``OverrideIfOriginMissing`` for ESPs whose Cache-Control decides."""
    return CACHE_BEHAVIOR_ORIGIN_HEADERS if origin.profile.cache_mode == CACHE_ORIGIN_HEADERS else CACHE_BEHAVIOR


def cache_action(ttl_seconds: int, behavior: str = CACHE_BEHAVIOR) -> dict[str, Any]:
    """The rule action that turns caching on for ``ttl_seconds`` (``behavior``: whether the ESP's
    Cache-Control may set another duration) with the whole query string in the key."""
    hours, rest = divmod(ttl_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return {
        "name": "RouteConfigurationOverride",
        "parameters": {
            "type_name": "DeliveryRuleRouteConfigurationOverrideActionParameters",
            "cache_configuration": {
                "cache_behavior": behavior,
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


def _caching(args: Mapping[str, Any], ttl_seconds: int) -> bool:
    enable_caching = plain_arg(args, "enable_caching", bool, False)
    if not enable_caching and args.get("cache_ttl_seconds") is not None:
        raise InvalidArgument(
            "cache_ttl_seconds",
            "only applies with enable_caching=True (caching is off by default so every click and open "
            "reaches the ESP); set enable_caching too, or leave cache_ttl_seconds out",
        )
    if enable_caching and ttl_seconds == 0:
        raise InvalidArgument(
            "cache_ttl_seconds",
            "0 with enable_caching=True caches nothing; leave enable_caching False to turn caching off, "
            "or give 1 to 3600 seconds (default 10)",
        )
    return enable_caching


ZONE_ONLY_ARGUMENTS = (
    "dns_zone_resource_group_name",
    "dns_ttl_seconds",
    "create_cname_records",
    "existing_dns_records",
    "dns_zone_subscription_id",
)


def _azure_dns(args: Mapping[str, Any], domains: tuple[str, ...], resource_group: Any) -> Optional[AzureDns]:
    """The Azure DNS settings, validated, or None without ``dns_zone_name``."""
    zone_value = plain_arg(args, "dns_zone_name", str)
    if zone_value is None:
        for key in ZONE_ONLY_ARGUMENTS:
            if args.get(key) is not None:
                raise InvalidArgument(key, "only used with dns_zone_name; give dns_zone_name too or leave it out")
        return None
    zone = validate_hostname(zone_value, argument="dns_zone_name")
    group = input_arg(args, "dns_zone_resource_group_name", RESOURCE_GROUP_EXAMPLE, default=resource_group)
    create_cnames = plain_arg(args, "create_cname_records", bool, True)
    relative_names = _relative_names(domains, zone)
    return AzureDns(
        zone=zone,
        relative_names=relative_names,
        resource_group=group,
        ttl=bounded_int_arg(args, "dns_ttl_seconds", DEFAULT_DNS_TTL_SECONDS, 60, MAX_DNS_TTL_SECONDS),
        create_cnames=create_cnames,
        import_ids=_import_ids(args, zone, relative_names, group, create_cnames),
    )


def _storage_account_name(args: Mapping[str, Any], deep_links: Optional[DeepLinks]) -> Optional[str]:
    """``storage_account_name`` validated (None: derive one), refused without ``app_links``."""
    name = plain_arg(args, "storage_account_name", str)
    if name is None:
        return None
    if deep_links is None:
        raise InvalidArgument("storage_account_name", "only used with app_links; give app_links too or leave it out")
    if not STORAGE_ACCOUNT_NAME.fullmatch(name):
        raise InvalidArgument(
            "storage_account_name",
            f"{name!r} is not a storage account name: 3 to 24 lowercase letters and digits, unique across Azure "
            "(or leave it out for a derived one)",
        )
    return name


def _relative_names(domains: tuple[str, ...], zone: str) -> dict[str, str]:
    """Each domain's record name relative to the zone; refuses domains outside it or at its apex."""
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


def _import_ids(
    args: Mapping[str, Any], zone: str, relative_names: dict[str, str], group: Any, create_cnames: bool
) -> dict[str, str]:
    """``existing_dns_records`` validated, each with the resource ID of the record set to adopt."""
    listed = plain_arg(args, "existing_dns_records", list, [])
    subscription = plain_arg(args, "dns_zone_subscription_id", str)
    if not listed:
        if subscription is not None:
            raise InvalidArgument(
                "dns_zone_subscription_id", "only used with existing_dns_records; give both or leave it out"
            )
        return {}
    if subscription is None or not SUBSCRIPTION_ID.fullmatch(subscription.strip().lower()):
        raise InvalidArgument(
            "dns_zone_subscription_id",
            f"existing_dns_records needs the ID of the zone's subscription, a GUID such as "
            f"'00000000-0000-0000-0000-000000000000' (`az account show --query id`), not {subscription!r}",
        )
    if not isinstance(group, str):
        argument = "dns_zone_resource_group_name" if args.get("dns_zone_resource_group_name") else "resource_group_name"
        raise InvalidArgument(
            argument,
            "must be a plain string when existing_dns_records is given: the import ID of each record set is "
            "built from it before anything is created",
        )
    record_types = {f"{VALIDATION_RECORD_PREFIX}.{d}": ("TXT", f"{VALIDATION_RECORD_PREFIX}.{r}")
                    for d, r in relative_names.items()}
    if create_cnames:
        record_types.update({d: ("CNAME", r) for d, r in relative_names.items()})
    import_ids = {}
    for index, value in enumerate(listed):
        record = value.strip().lower().removesuffix(".") if isinstance(value, str) else value
        if record not in record_types:
            raise InvalidArgument(
                f"existing_dns_records[{index}]",
                f"{value!r} is not a record this component creates; list names from dns_records: a tracking "
                f"domain (its CNAME{'' if create_cnames else ', only with create_cname_records'}) or "
                f"_dnsauth.<tracking domain> (its TXT)",
            )
        if record in import_ids:
            raise InvalidArgument(f"existing_dns_records[{index}]", f"{value!r} is listed twice")
        record_type, relative = record_types[record]
        import_ids[record] = RECORD_SET_ID.format(
            subscription=subscription.strip().lower(), group=group, zone=zone, type=record_type, name=relative
        )
    return import_ids


def _records_needed(
    domains: tuple[str, ...], tokens: dict[str, pulumi.Output[str]], endpoint_host: pulumi.Output[str]
) -> list[pulumi.Output[Any]]:
    """Every record the domains need (``dns_records``), whether or not the component creates it."""
    records = []
    for domain in domains:
        records.append(dns_record(f"{VALIDATION_RECORD_PREFIX}.{domain}", "TXT", tokens[domain], VALIDATION))
        records.append(dns_record(domain, "CNAME", endpoint_host, ROUTE))
    return records


def _validation_token(custom_domain: cdn.AFDCustomDomain) -> pulumi.Output[str]:
    """The ``_dnsauth`` TXT value Azure asks for; empty under a real engine while Azure has none."""
    token = custom_domain.validation_properties.apply(
        lambda properties: properties.validation_token if properties is not None else None
    )
    return cloud_output(custom_domain, "validationProperties.validationToken", token, None, real_default="")


# --- What Azure computes ----------------------------------------------------------------------------


def _endpoint_host(endpoint: cdn.AFDEndpoint) -> pulumi.Output[str]:
    """The endpoint's ``*.azurefd.net`` host name, which Azure assigns: the route CNAME target."""
    failure = f"Azure returned no host name for the Front Door endpoint {endpoint.pulumi_resource_name}"
    return cloud_output(endpoint, "hostName", endpoint.host_name, failure)


def _front_door_id(profile: cdn.Profile) -> pulumi.Output[str]:
    failure = f"Azure returned no frontDoorId for the Front Door profile {profile.pulumi_resource_name}"
    return cloud_output(profile, "frontDoorId", profile.front_door_id, failure)


def _static_website_host(account: "storage.StorageAccount") -> pulumi.Output[str]:
    """The host name of the storage account's static website (``primaryEndpoints.web``)."""
    failure = f"Azure returned no static website endpoint for the storage account {account.pulumi_resource_name}"
    web = account.primary_endpoints.apply(lambda endpoints: endpoints.web if endpoints is not None else None)
    return cloud_output(account, "primaryEndpoints.web", web, failure).apply(_host_of)


def _by_domain(values: dict[str, Any]) -> pulumi.Output[dict[str, str]]:
    domains = list(values)
    return pulumi.Output.all(*values.values()).apply(
        lambda resolved: {domain: value or "" for domain, value in zip(domains, resolved)}
    )


__all__ = ["AzureFrontDoorTrackingDomain", "AzureFrontDoorTrackingDomainArgs", "custom_domain_name"]
