"""Fastly front door: a VCL service in front of the ESP's tracking endpoint, with Fastly-managed
(Let's Encrypt by default) TLS subscriptions for the tracking domains.

What it builds (seed ``000_*`` Fastly section, seed ``003_*``; DESIGN.md sections 2 and 5):

    tracking domains --CNAME--> Fastly shared-SNI target (a subscription's managed-http CNAME)
        ServiceVcl: the tracking domains, ports 80 and 443, fallback TTL = cache_ttl_seconds
            -> backend esp-origin: <ESP endpoint>:443, TLS >= 1.2, certificate checked, SNI = ESP host
               (ses: port 80, plain HTTP, the profile's documented exception)
            -> backend well-known-origin (well_known_origin): /.well-known/* over verified TLS
            -> VCL snippets (app_links): the two app-link files, 200 application/json, never redirected
    TlsSubscription per domain (certificates="per-domain", the default since 0.2.0) or one for every domain
        ("shared", the 0.1 default: stacks made with 0.1 set it to keep theirs): _acme-challenge.<domain>
        CNAMEs validate them
    TlsSubscriptionValidation per subscription whose domains are in validated_domains: waits for issuance

Why a subscription per domain: a subscription's domains can only change with ``force_update`` while its
domains are active, and Fastly warns that "removing an active domain from a subscription or forcing the
deletion of a subscription may result in breaking TLS termination to that domain" (Fastly API,
``force`` on PATCH/DELETE /tls/subscriptions/{id}; docs.rs fastly-api ``PatchTlsSubParams``). A shared
subscription also ties every live name to the newest one: a domain whose validation CNAME is missing
keeps the whole subscription from issuing, and "If after 7 days Fastly is unable to issue a certificate,
the subscription state will change to failed and Fastly will stop retrying"
(https://www.fastly.com/documentation/reference/api/tls/subs/); and terraform-provider-fastly replaces a
subscription whose domains change while it is ``processing`` or ``renewing`` (CustomizeDiff ForceNewIf,
fastly/resource_fastly_tls_subscription.go). One subscription per domain makes adding a domain a create
and removing one a delete of that domain's own resources, and costs the same: Fastly bills TLS per
domain ("Each domain you add ... increases your monthly bill", "Trial accounts include up to two TLS
domains"; docs.fastly.com tls-prerequisites-and-limitations). Hence the default (issue 13: appending a
domain never risks a live name).

Fastly's defaults pass the viewer's User-Agent, cookies and query strings to the origin and add
``Fastly-Client-IP`` and ``X-Forwarded-For`` (seed ``000_*``: "Fastly default settings pass the user_agent
and ip_address through"): this module adds no header rule or VCL that could change that; its only
snippets (with ``app_links``) answer the two app-link paths themselves and touch no other request.

Only this module imports ``pulumi_fastly``. (No ``from __future__ import annotations``: Pulumi's schema
inference reads the annotations below.)
"""

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, Optional

import pulumi
import pulumi_fastly as fastly

from .contract import (
    APP_LINKS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    VALIDATION,
    WELL_KNOWN_ORIGIN,
    ComponentNameRule,
    FrontDoorSettings,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    check_component_name,
    collect_dns_records,
    dns_record,
    domain_subset_arg,
    input_arg,
    missing_from_the_cloud,
    plain_arg,
    resolve_settings,
)
from .deep_links import ANDROID_PATH, APPLE_PATH, WELL_KNOWN_PREFIX, DeepLinks
from .domains import validate_hostname
from .errors import InvalidArgument
from .esp import ORIGIN_HTTP as PLAIN_HTTP_ORIGIN
from .quotas import quota

HTTPS_PORT = 443
HTTP_PORT = 80
ORIGIN_MIN_TLS_VERSION = "1.2"
BACKEND_NAME = "esp-origin"
"""Fixed: a backend is named in the service's VCL; renaming it swaps the backend in the next version."""
WELL_KNOWN_BACKEND_NAME = "well-known-origin"
WELL_KNOWN_CONDITION_NAME = "well-known-path"
WELL_KNOWN_STATEMENT = 'req.url.path ~ "^/\\.well-known/"'
"""VCL: the path starts with ``/.well-known/`` (a regular expression; VCL strings take backslashes as is)."""
FORCE_TLS_SETTING_NAME = "force-tls"
NOT_APP_LINK_CONDITION_NAME = "not-app-link"
APP_LINK_STATUS = {APPLE_PATH: 601, ANDROID_PATH: 602}
"""The internal status ``vcl_recv`` raises for each app-link file and ``vcl_error`` turns into its 200, the
way Fastly's ``error`` statement answers at the edge (https://www.fastly.com/documentation/reference/vcl/statements/error/;
codes of the 600s are no HTTP status, so nothing else in the service raises them)."""
APP_LINK_SNIPPETS = {"recv": "tracking-cdn-app-links-recv", "error": "tracking-cdn-app-links-error"}
"""The two regular VCL snippets that answer the app-link files, by subroutine (their names are their keys)."""

X_FORWARDED_FOR = "append"
"""Fastly's own default: the client IP is appended to ``X-Forwarded-For`` (never ``clear``)."""

DEFAULT_DOMAIN_LIMIT = quota("fastly.domains-per-service").value
"""Fastly's default limit of domains per service; Fastly support raises it on request (quotas.py)."""
MAX_DOMAIN_LIMIT = quota("letsencrypt.names-per-certificate").value
"""A shared subscription is one certificate, and a Let's Encrypt certificate holds at most 100 names; per
domain, Let's Encrypt issues at most 50 new certificates per registered domain a week
(https://letsencrypt.org/docs/rate-limits/), so 100 new domains already take two weeks."""
DEFAULT_CERTIFICATE_AUTHORITY = "lets-encrypt"
CERTIFICATE_AUTHORITIES = ("lets-encrypt", "certainly", "globalsign")
"""The values the Fastly TLS subscription API accepts."""
ACME_CHALLENGE_PREFIX = "_acme-challenge."

SHARED = "shared"
PER_DOMAIN = "per-domain"
CERTIFICATE_MODES = (SHARED, PER_DOMAIN)
SHARED_MODE_WARNING = (
    "certificates='shared' (the 0.1 default): one TLS subscription holds every domain, and Fastly refuses to add or "
    "remove a domain on it while its domains are active (`tracking-cdn plan --against` reports that step as a "
    "blocker). Move to per-domain subscriptions, keeping the deployed domains on this one with "
    "shared_certificate_domains: docs/upgrading.md (Fastly)"
)

COMPONENT_NAME = ComponentNameRule(
    starts="Fastly and Pulumi names",
    pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),
    characters="ASCII letters, digits, '-' and '_', starting with a letter or digit",
    max_length=63,
    why="it starts the Fastly service name '<name>-service-<random>'",
)
"""Our bound on the component name (Fastly documents none for service names that we found): it starts the
service's auto-name ``<name>-service-<7 random>`` and every resource name, one DNS label's worth keeps
them readable in the Fastly console."""


class FastlyTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`FastlyTrackingDomain`: the common ones plus the Fastly settings below."""

    domain_limit: NotRequired[int]
    """Most tracking domains this component accepts (default 20, Fastly's default limit of domains per
    service; 1 to 100). Set it when Fastly support has raised your account's limit. 100 is the ceiling: a
    shared subscription is one certificate of at most 100 names, and per domain Let's Encrypt issues at
    most 50 new certificates per registered domain a week."""
    certificates: NotRequired[str]
    """How the domains get certificates. ``per-domain`` (default): one TLS subscription
    ``<name>-certificate-<domain>`` per domain, so adding a domain only creates its own subscription and
    removing one deletes only its own. ``shared`` (the default of 0.1; stacks made with 0.1 set it to keep
    their subscription): one subscription ``<name>-certificate`` for every domain; Fastly refuses to
    change its domains while they are live (adding or removing a domain fails). A live ``shared`` stack
    moves to ``per-domain`` in one ``pulumi up`` by listing its domains in ``shared_certificate_domains``
    (docs: Day two)."""
    shared_certificate_domains: NotRequired[list[str]]
    """With ``certificates="per-domain"`` (the default): the domains of a stack made with ``shared`` whose
    subscription ``<name>-certificate`` keeps them, exactly as deployed, so the move changes no
    certificate. Every other domain gets its own subscription. Only ever remove names from this list (with
    the domain itself): that subscription is edited with ``force_update``, which drops exactly the removed
    name; a name added to it would make Fastly re-issue the live certificate. Default: none."""
    validated_domains: NotRequired[list[str]]
    """The domains whose ``_acme-challenge`` CNAME (in ``dns_records``) exists: ``pulumi up`` waits until
    their certificate is issued (a ``TlsSubscriptionValidation`` per subscription whose domains are all
    listed). Append a new domain here once its CNAME exists, never in the ``up`` that adds it: its
    CNAME's value is only known after that ``up``. Default: none (nothing waits)."""
    wait_for_certificate: NotRequired[bool]
    """Wait for every domain's certificate (default False): True is ``validated_domains`` listing every
    domain. Use it only while the domain list does not change: a domain added with it on makes the ``up``
    wait for a CNAME nobody can have created."""
    draft_domains: NotRequired[list[str]]
    """With ``activate=False``: the domains that are only on the draft service version (added since the
    version you last activated). Fastly refuses a TLS subscription for a domain no active version holds,
    so theirs are not created yet (nor listed in ``dns_records``): activate the version in the Fastly
    console, remove them from this list and run ``pulumi up`` again. Default: none."""
    tls_configuration_id: NotRequired[pulumi.Input[str]]
    """ID of the Fastly TLS configuration the subscriptions' domains use (default: the account's default
    configuration). The route CNAME target follows from it."""
    certificate_authority: NotRequired[str]
    """Who issues the certificates: ``lets-encrypt`` (default), ``certainly`` or ``globalsign`` (paid
    accounts). Changing it replaces every subscription (terraform-provider-fastly: ForceNew)."""
    service_name: NotRequired[pulumi.Input[str]]
    """Name of the Fastly service as shown in the Fastly console (default: Pulumi auto-naming,
    ``<name>-service-<random>``)."""
    activate: NotRequired[bool]
    """Activate each new service version (default True). False leaves changes as a draft version to
    review and activate in the Fastly console; list the domains added since the active version in
    ``draft_domains``."""
    force_destroy: NotRequired[bool]
    """Let ``pulumi destroy`` delete the active service and a shared subscription while its domains are
    active (default False). Live links stop working when they go: also needs
    ``protect_serving_resources=False``. A per-domain subscription is always deletable once unprotected:
    it is deleted only when its domain is removed (see ``certificates``)."""


@dataclass(frozen=True)
class PlannedSubscription:
    """One TLS subscription the component registers: its resource name and the domains it covers."""

    resource_name: str
    waiter_name: str
    """The name of its ``TlsSubscriptionValidation``, when one waits for it."""
    domains: tuple[str, ...]
    shared: bool


@dataclass(frozen=True)
class FastlySettings:
    """The Fastly arguments, validated, beside the common ones."""

    common: FrontDoorSettings
    per_domain: bool
    subscriptions: tuple[PlannedSubscription, ...]
    validated: frozenset[str]
    authority: str
    configuration_id: Optional[pulumi.Input[str]]
    service_name: Optional[pulumi.Input[str]]
    activate: bool
    force_destroy: bool


class FastlyTrackingDomain(TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on Fastly: a VCL service holding the tracking
    domains, forwarding every request over TLS (certificate checked, SNI set) to the ESP's tracking
    endpoint with a short fallback TTL, and Fastly-managed TLS subscriptions (Let's Encrypt), one per
    domain by default so that adding a domain never touches a live certificate. Fastly's defaults pass the
    real User-Agent and client IP to the ESP. ``dns_records`` lists the ``_acme-challenge`` CNAMEs that
    validate the certificates and the CNAME each tracking domain must point at; create those in DNS.
    Plain-HTTP requests (links already delivered as ``http://``) are served too, or redirected to HTTPS
    when ``redirect_http_to_https`` is set. With ``app_links`` the service answers the two app-link files
    itself; with ``well_known_origin`` other ``/.well-known/*`` requests go to that host."""

    supports = frozenset({APP_LINKS, WELL_KNOWN_ORIGIN, ORIGIN_HTTP, ORIGIN_CACHE_CONTROL})

    service_id: pulumi.Output[str]
    """ID of the Fastly VCL service."""
    tls_subscription_id: pulumi.Output[str]
    """ID of the shared TLS subscription ``<name>-certificate`` (``fastly tls-subscription describe --id
    <id>`` shows its state) of a ``shared`` stack; empty when every domain has its own (the default: see
    ``tls_subscription_ids``)."""
    certificate_id: pulumi.Output[str]
    """ID of the shared subscription's certificate once issued; empty while it is pending or when there is
    no shared subscription (the default: see ``certificate_ids``)."""
    tls_subscription_ids: pulumi.Output[dict[str, str]]
    """Every domain with a subscription -> the ID of the subscription covering it (``draft_domains`` have
    none yet)."""
    certificate_ids: pulumi.Output[dict[str, str]]
    """Every domain with a subscription -> the ID of its issued certificate (with ``validated_domains``,
    set when ``pulumi up`` returns); empty while the subscription is pending."""

    def __init__(
        self,
        name: str,
        args: FastlyTrackingDomainArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        check_component_name(name, COMPONENT_NAME)
        config = _resolve(name, args)
        super().__init__(name, config.common, opts)
        service = self._service(name, config)
        subscriptions = {planned: self._subscription(planned, config, service) for planned in config.subscriptions}
        certificates = {planned: self._certificate_id(planned, subscription, config)
                        for planned, subscription in subscriptions.items()}
        shared = next((planned for planned in subscriptions if planned.shared), None)
        self.publish_outputs(
            origin_host=config.common.origin.host,
            dns_records=collect_dns_records(_dns_records(config.common.domains, subscriptions)),
            service_id=service.id,
            tls_subscription_id=subscriptions[shared].id if shared else "",
            certificate_id=certificates[shared] if shared else "",
            tls_subscription_ids=_by_domain({p: s.id for p, s in subscriptions.items()}),
            certificate_ids=_by_domain(certificates),
        )

    def _service(self, name: str, config: FastlySettings) -> fastly.ServiceVcl:
        settings = config.common
        origin = settings.origin
        deep_links, well_known_origin = settings.deep_links, settings.well_known_origin
        backends = [_esp_backend(origin.host, origin.sends_tracking_host, origin.profile.origin_protocol)]
        conditions = []
        if well_known_origin is not None:
            backends.append(_well_known_backend(well_known_origin))
            conditions.append(_well_known_condition())
        if deep_links and settings.redirect_http_to_https:
            conditions.append(_not_app_link_condition(deep_links))
        return fastly.ServiceVcl(
            f"{name}-service",
            name=config.service_name,
            comment=f"HTTPS front door for email tracking domains -> {origin.profile.name} ({origin.host}); "
            "managed by tracking-cdn",
            domains=[fastly.ServiceVclDomainArgs(name=domain) for domain in settings.domains],
            backends=backends,
            conditions=conditions or None,
            snippets=app_link_snippets(deep_links) if deep_links else None,
            default_ttl=settings.cache_ttl_seconds,
            request_settings=[_force_tls(exempt_app_links=deep_links is not None)]
            if settings.redirect_http_to_https else None,
            activate=config.activate,
            force_destroy=config.force_destroy,
            opts=self.child_opts(serving=True),
        )

    def _subscription(
        self, planned: PlannedSubscription, config: FastlySettings, service: fastly.ServiceVcl
    ) -> fastly.TlsSubscription:
        """A subscription after the service: with ``activate`` its domains are on the active version by
        the time the service's create/update returns (the provider activates before returning), and
        Fastly refuses a subscription for domains that no active service version holds."""
        return fastly.TlsSubscription(
            planned.resource_name,
            domains=list(planned.domains),
            certificate_authority=config.authority,
            configuration_id=config.configuration_id,
            # A domain's own subscription goes only with that domain (after `pulumi state unprotect`),
            # and Fastly refuses to delete one whose domain has TLS enabled without the flag.
            force_destroy=True if not planned.shared else config.force_destroy,
            # The shared subscription of a stack moved to per-domain only ever loses names.
            force_update=True if planned.shared and config.per_domain else None,
            opts=self.child_opts(serving=True, depends_on=[service]),
        )

    def _certificate_id(
        self, planned: PlannedSubscription, subscription: fastly.TlsSubscription, config: FastlySettings
    ) -> pulumi.Output[str]:
        """The certificate ID, through a waiter when every domain of the subscription is validated."""
        if not set(planned.domains) <= config.validated:
            return subscription.certificate_id.apply(lambda value: value or "")
        waiter = fastly.TlsSubscriptionValidation(
            planned.waiter_name,
            subscription_id=subscription.id,
            opts=self.child_opts(serving=True),
        )
        return waiter.certificate_id.apply(lambda value: value or "")


# --- arguments ----------------------------------------------------------------------------------------


def _resolve(name: str, args: FastlyTrackingDomainArgs) -> FastlySettings:
    """Every argument validated before anything is registered."""
    domain_limit = bounded_int_arg(
        args,
        "domain_limit",
        DEFAULT_DOMAIN_LIMIT,
        1,
        MAX_DOMAIN_LIMIT,
        note=f"Fastly's default per service; {MAX_DOMAIN_LIMIT} is the most names one Let's Encrypt certificate holds",
    )
    common = resolve_settings(
        args,
        FastlyTrackingDomainArgs,
        max_domains=domain_limit,
        limit_reason=(
            f" on one Fastly service (domain_limit={domain_limit}; Fastly's default is {DEFAULT_DOMAIN_LIMIT} "
            f"domains per service: once Fastly support has raised your limit, set domain_limit, up to "
            f"{MAX_DOMAIN_LIMIT}, the most names one certificate holds; or split the domains over several "
            "components)"
        ),
    )
    domains = common.domains
    authority = plain_arg(args, "certificate_authority", str, DEFAULT_CERTIFICATE_AUTHORITY)
    if authority not in CERTIFICATE_AUTHORITIES:
        raise InvalidArgument(
            "certificate_authority", f"{authority!r} is not one of {', '.join(CERTIFICATE_AUTHORITIES)}"
        )
    mode = plain_arg(args, "certificates", str, PER_DOMAIN)
    if mode not in CERTIFICATE_MODES:
        raise InvalidArgument("certificates", f"{mode!r} is not one of {', '.join(CERTIFICATE_MODES)}")
    activate = plain_arg(args, "activate", bool, True)
    shared_domains = domain_subset_arg(args, "shared_certificate_domains", domains)
    drafts = domain_subset_arg(args, "draft_domains", domains)
    validated = _validated_domains(args, domains)
    if shared_domains and mode != PER_DOMAIN:
        raise InvalidArgument(
            "shared_certificate_domains",
            "only with certificates='per-domain' (the default): with 'shared' every domain is on that one "
            "subscription; leave out certificates='shared' to move off it (docs: Day two)",
        )
    if drafts and activate:
        raise InvalidArgument(
            "draft_domains",
            "only with activate=False: with activate=True every domain is on the version this `pulumi up` "
            "activates; remove draft_domains",
        )
    for key, overlap in (("shared_certificate_domains", shared_domains & drafts), ("validated_domains", validated & drafts)):
        if overlap:
            raise InvalidArgument(
                key,
                f"{sorted(overlap)[0]!r} is also in draft_domains: a domain only on the draft version has no "
                "certificate yet",
            )
    if not activate and not drafts:
        pulumi.log.warn(
            "activate=False: Fastly refuses a TLS subscription for a domain no active service version holds; "
            "list the domains added since the version you last activated in draft_domains"
        )
    if mode == SHARED:
        pulumi.log.warn(SHARED_MODE_WARNING)
    return FastlySettings(
        common=common,
        per_domain=mode == PER_DOMAIN,
        subscriptions=plan_subscriptions(name, domains, mode, shared_domains, drafts),
        validated=validated,
        authority=authority,
        configuration_id=input_arg(args, "tls_configuration_id", "a TLS configuration ID, or leave it out"),
        service_name=input_arg(args, "service_name", "a service name such as 'tracking-links', or leave it out"),
        activate=activate,
        force_destroy=plain_arg(args, "force_destroy", bool, False),
    )


def _validated_domains(args: Mapping[str, Any], domains: tuple[str, ...]) -> frozenset[str]:
    wait_for_all = plain_arg(args, "wait_for_certificate", bool, False)
    if wait_for_all and args.get("validated_domains") is not None:
        raise InvalidArgument(
            "wait_for_certificate",
            "conflicts with validated_domains: wait_for_certificate: true means every domain; list the "
            "validated ones in validated_domains and remove wait_for_certificate",
        )
    return frozenset(domains) if wait_for_all else domain_subset_arg(args, "validated_domains", domains)


def plan_subscriptions(
    name: str, domains: tuple[str, ...], mode: str, shared_domains: frozenset[str], drafts: frozenset[str]
) -> tuple[PlannedSubscription, ...]:
    """The subscriptions to register, in ``domains`` order: one ``<name>-certificate`` for the shared
    domains (every domain with ``shared``), one ``<name>-certificate-<domain>`` for each other domain;
    ``drafts`` get none."""
    live = [domain for domain in domains if domain not in drafts]
    shared = tuple(d for d in live if mode == SHARED or d in shared_domains)
    own = [d for d in live if d not in shared]
    planned = [PlannedSubscription(f"{name}-certificate", f"{name}-certificate-validation", shared, True)] if shared else []
    return tuple(planned + [
        PlannedSubscription(f"{name}-certificate-{d}", f"{name}-certificate-validation-{d}", (d,), False) for d in own
    ])


# --- the service's blocks -------------------------------------------------------------------------------


def _esp_backend(origin_host: str, sends_tracking_host: bool, protocol: str) -> fastly.ServiceVclBackendArgs:
    """The ESP endpoint: on 443 over TLS, certificate checked against its own name, SNI set; for an ESP
    reached over plain HTTP (``ses``, esp.py's documented exception) on port 80 without TLS.

    ``Host``: SparkPost-style endpoints get their own host name; SendGrid, SES, Iterable and Customer.io
    route on the tracking domain, so the viewer's ``Host`` is passed through unchanged (no override)."""
    override_host = None if sends_tracking_host else origin_host
    if protocol == PLAIN_HTTP_ORIGIN:
        return fastly.ServiceVclBackendArgs(
            name=BACKEND_NAME, address=origin_host, port=HTTP_PORT, use_ssl=False, override_host=override_host
        )
    return _tls_backend(BACKEND_NAME, origin_host, override_host)


def _well_known_backend(host: str) -> fastly.ServiceVclBackendArgs:
    """``well_known_origin``: chosen for ``/.well-known/*`` (its request condition), verified TLS, Host = it."""
    return _tls_backend(WELL_KNOWN_BACKEND_NAME, host, host, request_condition=WELL_KNOWN_CONDITION_NAME)


def _tls_backend(
    name: str, host: str, override_host: Optional[str], request_condition: Optional[str] = None
) -> fastly.ServiceVclBackendArgs:
    return fastly.ServiceVclBackendArgs(
        name=name,
        address=host,
        port=HTTPS_PORT,
        use_ssl=True,
        ssl_check_cert=True,
        ssl_cert_hostname=host,
        ssl_sni_hostname=host,
        min_tls_version=ORIGIN_MIN_TLS_VERSION,
        override_host=override_host,
        request_condition=request_condition,
    )


def _path_is(path: str) -> str:
    """A VCL test of the request path (without query string); the paths are ours, plain ASCII without quotes."""
    return f'req.url.path == "{path}"'


def app_link_snippets(deep_links: DeepLinks) -> list[fastly.ServiceVclSnippetArgs]:
    """The files answered at the edge, exactly as deep_links.py produced them, by two VCL snippets: in
    ``vcl_recv`` the file's exact path raises its internal status, and ``vcl_error`` answers it with 200,
    ``application/json`` and the bytes through ``synthetic.base64``.

    Why not a response object: its content reaches the VCL Fastly generates, and app-link JSON nearly
    always holds ``"}``, which ends a VCL long string ``{"..."}``; Fastly's documentation does not say how
    it writes that content into VCL. Here the bytes are base64 (``A-Z a-z 0-9 + / =``) in a plain
    ``"..."`` string, which no JSON can end or escape, and ``synthetic.base64`` "is treated as
    base64-encoded and decoded, the resulting bytes are passed into the output buffer"
    (https://www.fastly.com/documentation/reference/vcl/statements/synthetic-base64/): the safety of the
    bytes depends on no escaping at all."""
    recv = [
        f'if (req.url.path == "{file.path}") {{\n  error {APP_LINK_STATUS[file.path]} "tracking-cdn app-link file";\n}}\n'
        for file in deep_links.files
    ]
    error = [
        f"if (obj.status == {APP_LINK_STATUS[file.path]}) {{\n"
        "  set obj.status = 200;\n"
        '  set obj.response = "OK";\n'
        f'  set obj.http.Content-Type = "{file.content_type}";\n'
        f'  synthetic.base64 "{base64.b64encode(file.body).decode("ascii")}";\n'
        "  return(deliver);\n"
        "}\n"
        for file in deep_links.files
    ]
    header = "# tracking-cdn: the app-link files, answered at the edge (200, application/json, never redirected)\n"
    return [
        fastly.ServiceVclSnippetArgs(name=APP_LINK_SNIPPETS[kind], type=kind, content=header + "".join(blocks))
        for kind, blocks in (("recv", recv), ("error", error))
    ]


def _not_app_link_condition(deep_links: DeepLinks) -> fastly.ServiceVclConditionArgs:
    """Every request but the app-link files: the HTTPS redirect applies to these only (Apple and Android
    refuse a redirect for the files)."""
    tests = " || ".join(_path_is(file.path) for file in deep_links.files)
    return fastly.ServiceVclConditionArgs(name=NOT_APP_LINK_CONDITION_NAME, type="REQUEST", statement=f"!({tests})")


def _well_known_condition() -> fastly.ServiceVclConditionArgs:
    """``/.well-known/*``, as SparkPost's deep-link guide selects its second Fastly host
    (``req.url ~ "^/\\.well-known/.*"``; SparkPost/support-docs
    ``content/docs/tech-resources/deep-links-self-serve.md``), on the path alone."""
    return fastly.ServiceVclConditionArgs(
        name=WELL_KNOWN_CONDITION_NAME, type="REQUEST", statement=WELL_KNOWN_STATEMENT
    )


def _force_tls(exempt_app_links: bool) -> fastly.ServiceVclRequestSettingArgs:
    """Redirect plain-HTTP requests to HTTPS (Fastly answers them with a redirect), except the app-link
    files when they are served; X-Forwarded-For as default."""
    return fastly.ServiceVclRequestSettingArgs(
        name=FORCE_TLS_SETTING_NAME,
        force_ssl=True,
        xff=X_FORWARDED_FOR,
        request_condition=NOT_APP_LINK_CONDITION_NAME if exempt_app_links else None,
    )


# --- outputs --------------------------------------------------------------------------------------------


def _dns_records(
    domains: tuple[str, ...], subscriptions: Mapping[PlannedSubscription, fastly.TlsSubscription]
) -> list[pulumi.Output]:
    """Per domain with a subscription: its ``_acme-challenge`` CNAME and its route CNAME, from the
    subscription's challenges."""
    covering = {domain: subscription for planned, subscription in subscriptions.items() for domain in planned.domains}
    records: list[pulumi.Output] = []
    for domain in (d for d in domains if d in covering):
        subscription = covering[domain]
        records.append(dns_record(
            ACME_CHALLENGE_PREFIX + domain,
            "CNAME",
            subscription.managed_dns_challenges.apply(lambda found, d=domain: _acme_target(found, d, subscription)),
            VALIDATION,
        ))
        records.append(dns_record(
            domain,
            "CNAME",
            subscription.managed_http_challenges.apply(lambda found, d=domain: _route_target(found, d, subscription)),
            ROUTE,
        ))
    return records


def _by_domain(values: Mapping[PlannedSubscription, pulumi.Input[str]]) -> pulumi.Output[dict[str, str]]:
    """``{domain: value of the subscription covering it}``, domains sorted."""
    pairs = sorted((domain, value) for planned, value in values.items() for domain in planned.domains)
    return pulumi.Output.all(*[value for _, value in pairs]).apply(
        lambda resolved: {domain: value for (domain, _), value in zip(pairs, resolved)}
    )


def _field(entry: Any, snake: str, camel: str) -> Any:
    """A field of a challenge entry, whether the SDK delivered it as an output type or a plain dict."""
    value = getattr(entry, snake, None)
    if value is None and isinstance(entry, Mapping):
        value = dict.get(entry, snake, dict.get(entry, camel))  # dict.get: no SDK key-name warning
    return value


def _acme_target(challenges: Optional[list], domain: str, subscription: fastly.TlsSubscription) -> str:
    """Value of the ``_acme-challenge.<domain>`` CNAME Fastly asks for (managed-dns challenge)."""
    wanted = (ACME_CHALLENGE_PREFIX + domain).lower()
    for entry in challenges or []:
        name = (_field(entry, "record_name", "recordName") or "").rstrip(".").lower()
        value = _field(entry, "record_value", "recordValue")
        if name == wanted and value:
            return value
    return missing_from_the_cloud(
        f"managedDnsChallenges entry for {wanted}",
        subscription,
        f"Fastly returned no managed DNS challenge for {wanted}; run `pulumi refresh` and check the TLS "
        "subscription in the Fastly console (Security > TLS management)",
    )


def _route_target(challenges: Optional[list], domain: str, subscription: fastly.TlsSubscription) -> str:
    """The CNAME target that routes ``domain`` to Fastly: the subscription's managed-http CNAME, i.e. the
    shared-SNI host name of its TLS configuration (e.g. ``j.sni.global.fastly.net``)."""
    for entry in challenges or []:
        name = (_field(entry, "record_name", "recordName") or "").rstrip(".").lower()
        kind = (_field(entry, "record_type", "recordType") or "").upper()
        values = list(_field(entry, "record_values", "recordValues") or [])
        if name == domain and kind == "CNAME" and values:
            return sorted(values)[0]
    return missing_from_the_cloud(
        f"managedHttpChallenges CNAME for {domain}",
        subscription,
        f"Fastly returned no CNAME target for {domain}; look up the CNAME of the subscription's TLS "
        "configuration (fastly.get_tls_configuration(...).dns_records) and point the domain at it",
    )



__all__ = ["FastlyTrackingDomain", "FastlyTrackingDomainArgs"]
