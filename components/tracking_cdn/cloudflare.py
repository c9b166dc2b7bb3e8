"""Cloudflare front door: the tracking domains either redirect to the ESP or are proxied to it.

Two recipes, one per ESP family (see docs/front-doors/cloudflare.md):

- ``mode="redirect"`` (SparkPost's Cloudflare recipe, seed ``000_*``; the default for ESPs that do
  not route on the tracking domain): every request, HTTP or HTTPS, answers a 301 to
  ``https://<ESP host><same path>`` with the query string kept. A Single Redirect rule in phase
  ``http_request_dynamic_redirect``; legacy Page Rules only in ``mode="page_rules"``. The request
  never reaches an origin, so each tracking domain's record is Cloudflare's originless placeholder
  ``AAAA 100::`` and no SSL rule is needed (opt in with ``ssl_config_rule``).
- ``mode="proxy"`` (Braze's "Cloudflare - Sendgrid" recipe, seed ``003_*``; the default for ESPs that
  route on the tracking domain): a proxied ("orange cloud") CNAME per domain to the ESP host, SSL
  Full for exactly those hosts (configuration rule; Flexible for an ESP reached over HTTP, ``ses``),
  a cache rule (bypass unless ``edge_cache_ttl_seconds``; the ESP's own Cache-Control for
  ``iterable``), nothing that rewrites ``Host``; an advanced certificate pack for each domain deeper
  than Universal SSL covers.

A zone has ONE entry-point ruleset per phase. Creating one when the zone already has rules in that
phase fails at ``pulumi up`` ("A similar configuration with rules already exists") instead of wiping
them; carry those rules over with ``existing_*_rules`` after a ``pulumi import``, or set
``manage_rulesets=False`` and add the published ``*_rules`` outputs to the entry points you manage.

Imports only pulumi-cloudflare. (No ``from __future__ import annotations``: Pulumi's schema
inference reads the annotations.)
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, NotRequired, Optional, Required

import pulumi
import pulumi_cloudflare as cloudflare

from .contract import (
    APP_LINKS,
    MAX_CACHE_TTL_SECONDS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    WELL_KNOWN_ORIGIN,
    VALIDATION,
    DnsRecord,
    FrontDoorSettings,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    dns_record,
    input_arg,
    missing_from_the_cloud,
    plain_arg,
    resolve_settings,
)
from .deep_links import ANDROID_PATH, APPLE_PATH, CONTENT_TYPE, WELL_KNOWN_PREFIX, WellKnownFile
from .domains import in_zone, validate_hostname
from .errors import InvalidArgument
from .esp import CACHE_ORIGIN_HEADERS, Origin
from .esp import ORIGIN_HTTP as PLAIN_HTTP_ORIGIN
from .quotas import quota

REDIRECT = "redirect"
PAGE_RULES = "page_rules"
PROXY = "proxy"
MODES = (REDIRECT, PAGE_RULES, PROXY)
FORMER_MODE_NAMES = {"rulesets": REDIRECT}
"""``rulesets`` was the name of ``redirect`` before proxy mode existed; stacks that set it keep working."""

REDIRECT_PHASE = "http_request_dynamic_redirect"
CONFIG_PHASE = "http_config_settings"
CACHE_PHASE = "http_request_cache_settings"
RESERVED_REF_PREFIX = "tracking_cdn_"
REDIRECT_RULE_REF = "tracking_cdn_redirect"
WELL_KNOWN_RULE_REF = "tracking_cdn_well_known"
HTTPS_RULE_REF = "tracking_cdn_https"
CONFIG_RULE_REF = "tracking_cdn_ssl_{mode}"
CACHE_RULE_REF = "tracking_cdn_cache"
REDIRECT_STATUS = 301
SSL_FULL = "full"
"""SSL mode Full: HTTPS to the origin, its certificate not verified. Braze's SendGrid recipe and
Customer.io's guide ask for Full ("The Full (strict) mode will not work": the ESP holds no
certificate for your tracking domain, and the Host it receives is the tracking domain)."""
SSL_FLEXIBLE = "flexible"
"""SSL mode Flexible: plain HTTP to the origin, for profiles whose endpoint is reached over HTTP
(``ses``: the profile's documented exception, as on every front door). Full would connect with TLS
to port 443, which that endpoint is not known to serve for a custom tracking host."""
EDGE_TTL_FROM_ORIGIN = {"mode": "bypass_by_default"}
"""Cloudflare's "use cache-control header if present, bypass cache if not": for profiles whose guide
says to follow the origin's cache headers (``iterable``); without them nothing is cached (the plan
minimum TTLs rule out our 10 s default on Free and Pro)."""

ORIGINLESS_RECORD = ("AAAA", "100::")
"""Cloudflare's placeholder for a proxied hostname with no origin: "use the IPv6 reserved address
``100::`` or the IPv4 reserved address ``192.0.2.0``" (cloudflare/cloudflare-docs,
``support/troubleshooting/cloudflare-errors/troubleshooting-cloudflare-1xxx-errors.mdx``, error 1034)."""
RECORD_KEPT_AS_DEPLOYED = ["type", "content"]
"""Redirect mode leaves what a deployed record points at alone (``ignore_changes``): before the
placeholder, records were CNAMEs to the ESP host, and turning a live CNAME into an AAAA risks a
delete-then-create (terraform-provider-cloudflare 5.x updates ``type`` in place, but its acceptance
test ``TestAccCloudflareRecord_typeForceNewRecord`` expects a new record; Cloudflare refuses a CNAME
beside another record of the same name, so a replacement deletes first), during which the name does
not resolve and resolvers cache that answer for the zone's negative TTL. A redirect never reaches the
record's target, so the old CNAME serves exactly as well."""

UNIVERSAL_SSL_DEPTH = 1
"""Universal SSL (full setup) covers the apex and first-level subdomains only: "Deeper subdomains —
such as dev.www.example.com — are not covered" (cloudflare/cloudflare-docs
``ssl/edge-certificates/universal-ssl/limitations.mdx``)."""
CERTIFICATE_PACK = {
    "type": "advanced",
    "certificate_authority": "lets_encrypt",
    "validation_method": "txt",
    "validity_days": 90,
    "cloudflare_branding": False,
}
"""An advanced certificate (Advanced Certificate Manager add-on): DV, renewed by Cloudflare; TXT
validation, which Cloudflare completes itself on a full-setup zone (cloudflare-docs
``ssl/edge-certificates/advanced-certificate-manager/manage-certificates.mdx``). Every field of a pack
forces a new order (terraform-provider-cloudflare ``internal/services/certificate_pack/schema.go``:
RequiresReplace on each), so each deep domain gets its own pack and adding one never touches another."""

WORKER_MODULE = "worker.js"
WORKER_COMPATIBILITY_DATE = "2025-01-01"
"""The Workers runtime behaviour the app-link Worker is written against (it uses only ``fetch``,
``URL`` and ``Response``)."""
WORKER_ROUTE_ROLES = {APPLE_PATH: "applinks", ANDROID_PATH: "assetlinks"}
"""Resource-name role of each file's Workers route: ``<name>-<role>-<domain>``."""
WORKER_SCRIPT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]*$")
"""Cloudflare's Workers script names: "^[a-z0-9_][a-z0-9-_]*$" (API schema ``workers_script_name``),
at most 63 characters (Workers script naming conventions)."""
MAX_WORKER_SCRIPT_NAME = 63

FREE_PLAN_PAGE_RULES = quota("cloudflare.page-rules-free").value
"""Page rules a Free plan zone may have (Pro 20, Business 50; quotas.py)."""
MAX_EXPRESSION_LENGTH = quota("cloudflare.expression-length").value
"""Cloudflare's limit on one rule expression (quotas.py)."""
AUTOMATIC_TTL = 1
"""Proxied records always have TTL 'automatic' (1)."""
ZONE_LOOKUP = "cloudflare:index/getZone:getZone"
"""The data source that finds ``zone_name``'s id when ``zone_id`` is not given."""


class CloudflareTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`CloudflareTrackingDomain`: the common ones plus the zone, the recipe
    (``mode``) and how the rules are installed."""

    zone_name: Required[str]
    """The Cloudflare zone every tracking domain belongs to, e.g. ``example.com`` (required: the
    tracking domains are checked against it before anything is created). Looked up by name unless
    ``zone_id`` is given."""
    zone_id: NotRequired[pulumi.Input[str]]
    """The id of ``zone_name`` when you have it (e.g. from a ``cloudflare.Zone`` in your program);
    skips the lookup. It must be the id of ``zone_name``: that is not checked."""
    mode: NotRequired[str]
    """``proxy``: the tracking domains are proxied to the ESP, which sees them as ``Host`` (default
    for ESPs that route on the tracking domain: sendgrid, ses, iterable, iterable-eu, customerio,
    customerio-eu). ``redirect``: one Single Redirect rule
    answers a 301 to ``https://<ESP host><path>`` (default for the others; ``rulesets`` is its former
    name). ``page_rules``: the redirect as legacy Forwarding URL page rules, one per domain (counts
    against the plan's page rules). A redirect cannot carry the tracking domain to the ESP, so ESPs
    that route on it are refused in the redirect modes."""
    ssl_config_rule: NotRequired[bool]
    """Redirect modes: also take over the zone's ``http_config_settings`` entry point with an SSL Full
    rule for the tracking hosts (default False: a redirected request never reaches an origin, and the
    rule would claim the whole entry point). Stacks deployed before this option existed have that
    ruleset: set True to keep it. Proxy mode always has the rule (it is how HTTPS reaches the ESP)."""
    manage_rulesets: NotRequired[bool]
    """Create the zone's entry-point rulesets for the phases the mode uses (default True). False:
    create none; add the published ``redirect_rules``, ``config_rules`` and ``cache_rules`` to the
    entry-point rulesets you already manage."""
    existing_redirect_rules: NotRequired[list[dict[str, Any]]]
    """Rules the zone already has in ``http_request_dynamic_redirect`` (pulumi-cloudflare
    ``RulesetRuleArgs`` dicts, snake_case keys), kept after the tracking rules in the entry point
    this component owns. Default none."""
    existing_config_rules: NotRequired[list[dict[str, Any]]]
    """Rules the zone already has in ``http_config_settings``, kept before the tracking SSL rule (a
    later configuration rule wins, so the tracking hosts always get their SSL mode). Default none."""
    existing_cache_rules: NotRequired[list[dict[str, Any]]]
    """Rules the zone already has in ``http_request_cache_settings`` (proxy mode), kept before the
    tracking cache rule (a later cache rule wins). Default none."""
    page_rule_limit: NotRequired[int]
    """Page rules this component may create in ``mode="page_rules"``: your plan's allowance minus
    the page rules the zone already uses (default 3, a Free plan with none in use)."""
    manage_dns_records: NotRequired[bool]
    """Create a proxied DNS record for each tracking domain (default True). False: create none; the
    records are still listed in ``dns_records`` and must exist, proxied, for the rules to fire."""
    dns_record_target: NotRequired[str]
    """Redirect modes: make each record a proxied CNAME to this host instead of the originless
    ``AAAA 100::`` (the redirect answers before any origin is contacted, so the target is never
    used). Default: new records are ``AAAA 100::`` and records deployed as CNAMEs to the ESP host by
    earlier versions are kept as they are; ``"100::"`` turns those into the placeholder too. Not
    accepted in proxy mode, where the record is the route to the ESP."""
    edge_cache_ttl_seconds: NotRequired[int]
    """Proxy mode: cache the ESP's answers at Cloudflare's edge for this many seconds, 1 to 3600;
    default: not cached, so every open and click reaches the ESP (a bypass cache rule). Cloudflare's
    minimum edge TTL is 2 h on Free and 1 h on Pro plans (developers.cloudflare.com/cache/how-to/
    edge-browser-cache-ttl/): values below 3600 need a Business or Enterprise plan, and Free plans
    cannot set any value up to an hour. Refused for ESPs whose guide
    says to follow their own Cache-Control (iterable): their answers are cached as those headers say."""
    account_id: NotRequired[pulumi.Input[str]]
    """The Cloudflare account that holds the zone: needed with ``app_links`` or ``well_known_origin``,
    whose app-link files a Worker answers (an account-level script, ``<name>-app-links-<zone digest>``,
    on the Free plan's 100,000 requests a day: only the two app-link paths reach it)."""
    advanced_certificates: NotRequired[bool]
    """Order an advanced certificate pack (zone apex + the domain) for each tracking domain more than
    one level below the zone, which Universal SSL does not cover. Needs the Advanced Certificate
    Manager add-on. Default True in proxy mode; in the redirect modes default off (a warning names
    the uncovered domains). False: refuse such domains."""
    zone_always_use_https: NotRequired[bool]
    """Whether the zone's **Always Use HTTPS** setting (SSL/TLS > Edge Certificates, zone setting
    ``always_use_https``) is on. When it is, Cloudflare answers every ``http://`` request of the zone with
    a 301 to ``https://`` on the same host, whatever the component's rules say, and no rule turns it off
    for one host: Cloudflare's documented way to redirect only part of a zone is to turn it off and
    redirect the rest with a Single Redirect (developers.cloudflare.com/ssl/edge-certificates/
    encrypt-visitor-traffic/). True is refused in proxy mode with ``redirect_http_to_https`` false (plain
    HTTP links would not be served as asked) and for deep domains no certificate covers (old links would
    land on a name with no certificate), each with the fix. The zone setting cannot be read before
    anything exists, so the component takes your word; ``tracking-cdn check`` reports the 301 it causes on
    a live domain. Default False."""


@dataclass(frozen=True)
class RouteRecord:
    """What each tracking domain's proxied record is."""

    type: str
    content: str
    kept_as_deployed: bool
    """Leave a deployed record's type and content alone (see ``RECORD_KEPT_AS_DEPLOYED``)."""


@dataclass(frozen=True)
class CloudflareRecipe:
    """The validated Cloudflare arguments: which resources the component builds."""

    zone_name: str
    mode: str
    manage_rulesets: bool
    manage_dns_records: bool
    record: RouteRecord
    ssl_mode: Optional[str]
    """The SSL mode of the configuration rule; None: no configuration rule."""
    cache_settings: Optional[dict[str, Any]]
    """The cache rule's action parameters; None: no cache rule."""
    https_redirect: bool
    """Proxy mode: answer plain-HTTP requests with a 301 to HTTPS."""
    certificate_domains: tuple[str, ...]
    """Tracking domains that get an advanced certificate pack."""
    uncovered_domains: tuple[str, ...]
    """Tracking domains deeper than Universal SSL covers that get no pack (redirect modes, default)."""
    existing_rules: dict[str, list[dict[str, Any]]]
    """Rules carried over, by phase."""
    app_files: tuple[WellKnownFile, ...]
    """The app-link files the Worker answers with their bytes (``app_links``)."""
    origin_paths: tuple[str, ...]
    """The app-link paths the Worker fetches from ``well_known_origin`` (with it, those ``app_links``
    does not give): a redirect there is refused by Apple and Android."""
    account_id: Any
    """``account_id`` (a string or an Output of one) where the Worker goes, or None without one."""
    well_known_origin: Optional[str]
    """Where other ``/.well-known/*`` requests are redirected (``well_known_origin``), or None."""

    @property
    def worker_paths(self) -> tuple[str, ...]:
        """Every path the Worker takes (on a Workers route per domain), Apple's first; empty: no Worker."""
        taken = {file.path for file in self.app_files} | set(self.origin_paths)
        return tuple(path for path in WORKER_ROUTE_ROLES if path in taken)


def zone_id_output(parent: pulumi.Resource, zone_name: str, zone_id_arg: Any) -> pulumi.Output[str]:
    """The id of ``zone_name``: ``zone_id_arg`` when given, else looked up (``ZONE_LOOKUP``); a lookup that
    finds nothing is ``missing_from_the_cloud`` (a placeholder under unit-test mocks, a clear error in an up)."""
    if zone_id_arg is not None:
        return pulumi.Output.from_input(zone_id_arg)
    zone = cloudflare.get_zone_output(filter={"name": zone_name, "match": "all"}, opts=pulumi.InvokeOptions(parent=parent))
    return zone.id.apply(lambda found: found or missing_from_the_cloud(
        "zone id",
        f"the data source {ZONE_LOOKUP} (zone_name {zone_name!r})",
        f"Cloudflare found no zone named {zone_name!r}: check zone_name (the zone as the Cloudflare dashboard "
        "names it), or give zone_id",
    ))


class CloudflareTrackingDomain(TrackingDomainComponent):
    """Cloudflare front door for ESP click/open tracking domains: per tracking domain a proxied DNS
    record, and either a Single Redirect rule answering every request with a 301 to
    ``https://<ESP host><path>`` (``mode="redirect"``) or the proxy to the ESP with SSL Full, a cache
    rule and advanced certificates where Universal SSL falls short (``mode="proxy"``)."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL, APP_LINKS, WELL_KNOWN_ORIGIN})

    zone_id: pulumi.Output[str]
    """The id of the Cloudflare zone holding the tracking domains."""
    redirect_rules: pulumi.Output[list[dict[str, Any]]]
    """The Single Redirect rules (pulumi-cloudflare ``RulesetRuleArgs`` dicts) for phase
    ``http_request_dynamic_redirect``: the redirect to the ESP, ``/.well-known/*`` to
    ``well_known_origin``, and in proxy mode the HTTP to HTTPS redirect when asked for; none of them
    matches an app-link file. Put them first in your own entry point when ``manage_rulesets`` is False."""
    config_rules: pulumi.Output[list[dict[str, Any]]]
    """The configuration rules (the SSL mode of the tracking hosts) for phase
    ``http_config_settings``; put them last in your own entry point when ``manage_rulesets`` is False."""
    cache_rules: pulumi.Output[list[dict[str, Any]]]
    """The cache rules (proxy mode: bypass, or the edge TTL) for phase ``http_request_cache_settings``;
    put them last in your own entry point when ``manage_rulesets`` is False."""

    def __init__(
        self, name: str, args: CloudflareTrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        settings = resolve_settings(args, CloudflareTrackingDomainArgs)
        zone_id_arg = input_arg(args, "zone_id", "the id of zone_name, or leave it out to look it up")
        recipe = read_recipe(name, args, settings)
        super().__init__(name, settings, opts)
        self._warn(args, recipe)

        zone_id = zone_id_output(self, recipe.zone_name, zone_id_arg)
        selectors = [hosts_expression(hosts) for hosts in group_hosts(settings.domains)]
        rules = {
            REDIRECT_PHASE: build_redirect_rules(settings.domains, recipe, settings.origin.host),
            CONFIG_PHASE: build_config_rules(selectors, recipe.ssl_mode),
            CACHE_PHASE: build_cache_rules(selectors, recipe.cache_settings),
        }
        serving = self._entry_points(name, zone_id, recipe, rules)
        serving += self._page_rules(name, zone_id, recipe)
        serving += self._app_links_worker(name, zone_id, recipe)
        packs = self._certificate_packs(name, zone_id, recipe)
        validation = [pack.validation_records.apply(_txt_validation_records) for pack in packs.values()]
        routes = self._route_records(name, zone_id, recipe, depends_on=serving, packs=packs)

        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=pulumi.Output.all(*validation, *routes).apply(_flatten_records),
            zone_id=zone_id,
            redirect_rules=rules[REDIRECT_PHASE],
            config_rules=rules[CONFIG_PHASE],
            cache_rules=rules[CACHE_PHASE],
        )

    def _entry_points(
        self, name: str, zone_id: pulumi.Output[str], recipe: CloudflareRecipe, rules: dict[str, list[dict[str, Any]]]
    ) -> list[pulumi.Resource]:
        """The zone's entry-point rulesets of the phases that have tracking rules. Tracking rules go
        first in the redirect phase (a redirect ends evaluation: the first match wins) and last in the
        other phases (a later rule's setting overrides an earlier one's)."""
        if not recipe.manage_rulesets:
            return []
        created = []
        for phase, role, title in (
            (CONFIG_PHASE, "ssl", "configuration rules"),
            (CACHE_PHASE, "cache", "cache rules"),
            (REDIRECT_PHASE, "redirect", "single redirects"),
        ):
            if not rules[phase]:
                continue
            existing = recipe.existing_rules.get(phase, [])
            ordered = [*rules[phase], *existing] if phase == REDIRECT_PHASE else [*existing, *rules[phase]]
            # Proxy mode's HTTP->HTTPS redirect is an option, not what serves the links: turning it
            # off must be able to delete its entry point.
            serving = not (phase == REDIRECT_PHASE and recipe.mode == PROXY)
            created.append(
                cloudflare.Ruleset(
                    f"{name}-{role}",
                    zone_id=zone_id,
                    kind="zone",
                    phase=phase,
                    name=f"tracking-cdn {title}",
                    description=f"Zone entry point for {phase}, managed by tracking-cdn",
                    rules=ordered,
                    opts=self.child_opts(serving=serving),
                )
            )
        return created

    def _page_rules(self, name: str, zone_id: pulumi.Output[str], recipe: CloudflareRecipe) -> list[pulumi.Resource]:
        if recipe.mode != PAGE_RULES:
            return []
        forwarding_url = page_rule_forwarding_url(self.settings.origin.host)
        return [
            cloudflare.PageRule(
                f"{name}-forward-{domain}",
                zone_id=zone_id,
                target=page_rule_target(domain),
                actions={"forwarding_url": {"url": forwarding_url, "status_code": REDIRECT_STATUS}},
                status="active",
                opts=self.child_opts(serving=True),
            )
            for domain in self.settings.domains
        ]

    def _app_links_worker(self, name: str, zone_id: pulumi.Output[str], recipe: CloudflareRecipe) -> list[pulumi.Resource]:
        """A Worker answering the app-link files (200, application/json, the exact bytes of ``app_links``,
        or what ``well_known_origin`` answers for a file not given) and one Workers route per tracking
        domain and file. Every redirect rule leaves those paths alone (redirect rules run before
        Workers), so neither HTTP nor HTTPS requests for them are ever redirected."""
        if not recipe.worker_paths:
            return []
        script = cloudflare.WorkersScript(
            f"{name}-app-links",
            account_id=recipe.account_id,
            script_name=worker_script_name(name, recipe.zone_name),
            content=worker_module(recipe.app_files, recipe.origin_paths, recipe.well_known_origin),
            main_module=WORKER_MODULE,
            compatibility_date=WORKER_COMPATIBILITY_DATE,
            opts=self.child_opts(serving=True),
        )
        routes = [
            cloudflare.WorkersRoute(
                f"{name}-{WORKER_ROUTE_ROLES[path]}-{domain}",
                zone_id=zone_id,
                pattern=worker_route_pattern(domain, path),
                script=script.script_name,
                opts=self.child_opts(serving=True),
            )
            for domain in self.settings.domains
            for path in recipe.worker_paths
        ]
        return [script, *routes]

    def _certificate_packs(
        self, name: str, zone_id: pulumi.Output[str], recipe: CloudflareRecipe
    ) -> dict[str, cloudflare.CertificatePack]:
        """One advanced certificate pack per deep domain (its hosts: the zone apex, which Cloudflare
        requires in every pack, and the domain), by domain."""
        return {
            domain: cloudflare.CertificatePack(
                f"{name}-certificate-{domain}",
                zone_id=zone_id,
                hosts=[recipe.zone_name, domain],
                **CERTIFICATE_PACK,
                opts=self.child_opts(serving=True),
            )
            for domain in recipe.certificate_domains
        }

    def _route_records(
        self, name: str, zone_id: pulumi.Output[str], recipe: CloudflareRecipe, depends_on: list[pulumi.Resource],
        packs: dict[str, cloudflare.CertificatePack],
    ) -> list[pulumi.Output[DnsRecord]]:
        record = recipe.record
        if not recipe.manage_dns_records:
            return [
                dns_record(domain, record.type, record.content, ROUTE).apply(lambda r: [r])
                for domain in self.settings.domains
            ]
        purpose = "proxied to the ESP" if recipe.mode == PROXY else "proxied so the rule fires"
        routes = []
        for domain in self.settings.domains:
            # Created after the rules, and after its certificate pack for a name Universal SSL does not
            # cover: a record switched to proxied (e.g. an imported DNS-only CNAME) starts answering
            # through Cloudflare only once its rules and its certificate exist (the pack's create returns
            # once the pack is ordered, not issued: see docs/plan-and-diff.md, Windows). Delete before
            # replace: Cloudflare refuses a second A/AAAA/CNAME record of the same name.
            created = cloudflare.DnsRecord(
                f"{name}-{domain}",
                zone_id=zone_id,
                name=domain,
                type=record.type,
                content=record.content,
                proxied=True,
                ttl=AUTOMATIC_TTL,
                comment=f"tracking-cdn: {self.settings.origin.profile.name} tracking domain, {purpose}",
                opts=self.child_opts(
                    serving=True,
                    depends_on=[*depends_on, *([packs[domain]] if domain in packs else [])],
                    delete_before_replace=True,
                    ignore_changes=RECORD_KEPT_AS_DEPLOYED if record.kept_as_deployed else None,
                ),
            )
            routes.append(
                dns_record(
                    created.name.apply(lambda n, domain=domain: n or domain),
                    created.type.apply(lambda t: t or record.type),
                    created.content.apply(lambda c: c or record.content),
                    ROUTE,
                ).apply(lambda r: [r])
            )
        return routes

    def _warn(self, args: CloudflareTrackingDomainArgs, recipe: CloudflareRecipe) -> None:
        if recipe.uncovered_domains:
            pulumi.log.warn(
                f"{', '.join(recipe.uncovered_domains)}: more than one level below {recipe.zone_name}, which "
                f"Cloudflare's Universal SSL certificate does not cover ({recipe.zone_name} and "
                f"*.{recipe.zone_name} only), so HTTPS fails on these names until they have an advanced "
                "certificate: set advanced_certificates=True (Advanced Certificate Manager add-on).",
                resource=self,
            )
        if args.get("cache_ttl_seconds") is not None:
            reason = (
                "the tracking domains answer with a redirect and nothing is cached"
                if recipe.mode != PROXY
                else "proxy mode bypasses the cache unless edge_cache_ttl_seconds is set (Cloudflare's minimum "
                "edge TTL is 2 h on Free and 1 h on Pro plans, so a 10 s TTL needs Business or Enterprise)"
            )
            pulumi.log.warn(f"cache_ttl_seconds has no effect on Cloudflare: {reason}.", resource=self)
        if args.get("redirect_http_to_https") and recipe.mode != PROXY:
            pulumi.log.warn(
                "redirect_http_to_https has no effect on Cloudflare's redirect modes: every request, HTTP or "
                "HTTPS, is already answered with a 301 to https://<ESP host>.",
                resource=self,
            )


# --- arguments -> recipe ---------------------------------------------------------------------------


def read_recipe(name: str, args: CloudflareTrackingDomainArgs, settings: FrontDoorSettings) -> CloudflareRecipe:
    """Validate the Cloudflare arguments against the common ones (domains, ESP, deep links); refuses
    every conflict before anything is created."""
    domains, origin = settings.domains, settings.origin
    zone_name = validate_hostname(plain_arg(args, "zone_name", str), argument="zone_name")
    outside = [d for d in domains if not in_zone(d, zone_name)]
    if outside:
        raise InvalidArgument(
            "domains",
            f"{', '.join(outside)} not in the zone {zone_name!r}: every tracking domain must be "
            f"{zone_name} or a name under it (use one component per zone)",
        )
    mode = read_mode(args, origin)
    manage_rulesets = plain_arg(args, "manage_rulesets", bool, True)
    ssl_mode = _read_ssl_mode(args, mode, origin)
    cache_settings = _read_cache_settings(args, mode, origin)
    https_redirect = mode == PROXY and plain_arg(args, "redirect_http_to_https", bool, False)
    app_files, origin_paths, account_id = _read_deep_links(name, args, mode, settings, zone_name)
    owned_phases = {
        REDIRECT_PHASE: mode == REDIRECT or https_redirect or settings.well_known_origin is not None,
        CONFIG_PHASE: ssl_mode is not None,
        CACHE_PHASE: cache_settings is not None,
    }
    certificate_domains, uncovered = _read_certificate_domains(args, mode, domains, zone_name)
    _check_page_rule_limit(args, mode, domains)
    _check_always_use_https(args, https_redirect if mode == PROXY else None, uncovered)
    return CloudflareRecipe(
        zone_name=zone_name,
        mode=mode,
        manage_rulesets=manage_rulesets,
        manage_dns_records=plain_arg(args, "manage_dns_records", bool, True),
        record=_read_route_record(args, mode, origin),
        ssl_mode=ssl_mode,
        cache_settings=cache_settings,
        https_redirect=https_redirect,
        certificate_domains=certificate_domains,
        uncovered_domains=uncovered,
        existing_rules=_read_existing_rules(args, mode, manage_rulesets, owned_phases),
        app_files=app_files,
        origin_paths=origin_paths,
        account_id=account_id,
        well_known_origin=settings.well_known_origin,
    )


def _read_deep_links(
    name: str, args: CloudflareTrackingDomainArgs, mode: str, settings: FrontDoorSettings, zone_name: str
) -> tuple[tuple[WellKnownFile, ...], tuple[str, ...], Any]:
    """The app-link files the Worker answers, the app-link paths it fetches from ``well_known_origin``
    (every one ``app_links`` does not give: the well-known redirect must not take them) and the account
    the Worker goes to; refuses what cannot serve them."""
    app_files = settings.deep_links.files if settings.deep_links is not None else ()
    served = {file.path for file in app_files}
    origin_paths = () if settings.well_known_origin is None else tuple(
        path for path in WORKER_ROUTE_ROLES if path not in served
    )
    if mode == PAGE_RULES:
        for argument, given in (("app_links", app_files), ("well_known_origin", settings.well_known_origin)):
            if given:
                raise InvalidArgument(
                    argument, f"mode='{PAGE_RULES}' forwards every path of the tracking domains, /.well-known/* "
                    f"included; use mode='{REDIRECT}' (a Single Redirect rule that leaves those paths alone)",
                )
    account_id = input_arg(args, "account_id", "your Cloudflare account id")
    if app_files or origin_paths:
        worker_script_name(name, zone_name)
        if account_id is None:
            if app_files:
                why, alternative = "app_links are answered by a Worker, an account-level script", ""
            else:
                why = (
                    f"with well_known_origin, a Worker (an account-level script) fetches {APPLE_PATH} and "
                    f"{ANDROID_PATH} from it, since Apple and Android refuse the redirect the other /.well-known/ "
                    "paths get"
                )
                alternative = ", or leave well_known_origin out"
            raise InvalidArgument(
                "account_id", f"{why}: give the id of the Cloudflare account that holds the zone{alternative}"
            )
    return app_files, origin_paths, account_id


def _check_page_rule_limit(args: CloudflareTrackingDomainArgs, mode: str, domains: tuple[str, ...]) -> None:
    page_rule_limit = bounded_int_arg(args, "page_rule_limit", FREE_PLAN_PAGE_RULES, 0)
    if mode != PAGE_RULES and args.get("page_rule_limit") is not None:
        raise InvalidArgument("page_rule_limit", f"only applies to mode='{PAGE_RULES}' (mode is {mode!r})")
    if mode == PAGE_RULES and len(domains) > page_rule_limit:
        raise InvalidArgument(
            "domains",
            f"{len(domains)} domains need {len(domains)} page rules (one Forwarding URL rule each) but "
            f"page_rule_limit is {page_rule_limit} (default {FREE_PLAN_PAGE_RULES}, a Free plan); raise "
            f"page_rule_limit to what your plan leaves free, or use mode='{REDIRECT}' (one rule for all domains)",
        )


ALWAYS_USE_HTTPS_FIX = (
    "turn the zone's Always Use HTTPS off (SSL/TLS > Edge Certificates) and send the zone's other hosts to "
    "HTTPS with a Single Redirect rule (Cloudflare, Enforce HTTPS connections), then set "
    "zone_always_use_https: false"
)


def _check_always_use_https(args: CloudflareTrackingDomainArgs, https_redirect: Optional[bool],
                            uncovered: tuple[str, ...]) -> None:
    """Refuse what the zone's Always Use HTTPS would override (``https_redirect``: proxy mode's
    ``redirect_http_to_https``, None in the redirect modes)."""
    if not plain_arg(args, "zone_always_use_https", bool, False):
        return
    if https_redirect is False:
        raise InvalidArgument(
            "zone_always_use_https",
            "Always Use HTTPS answers every http:// tracking link with a 301 to https://, overriding "
            f"redirect_http_to_https: false, and no rule turns it off for one host: {ALWAYS_USE_HTTPS_FIX}; or "
            "set redirect_http_to_https: true if the tracking hosts may redirect to HTTPS",
        )
    if uncovered:
        raise InvalidArgument(
            "zone_always_use_https",
            f"Always Use HTTPS sends every http:// link to https://{uncovered[0]}"
            f"{' (and the other deep domains)' if len(uncovered) > 1 else ''}, which no certificate covers "
            "(Universal SSL covers one level below the zone): set advanced_certificates: true, or "
            f"{ALWAYS_USE_HTTPS_FIX}",
        )


def read_mode(args: CloudflareTrackingDomainArgs, origin: Origin) -> str:
    """``mode``, defaulting by ESP: proxy where the ESP routes on the tracking domain (it must reach
    the ESP as ``Host``, which a redirect cannot do), redirect otherwise (SparkPost's recipe)."""
    default = PROXY if origin.sends_tracking_host else REDIRECT
    given = plain_arg(args, "mode", str, default)
    mode = FORMER_MODE_NAMES.get(given, given)
    if mode not in MODES:
        raise InvalidArgument("mode", f"unknown mode {given!r}; choose {', '.join(MODES)} (default for this ESP: {default})")
    if mode != PROXY and origin.sends_tracking_host:
        raise InvalidArgument(
            "mode",
            f"{origin.profile.name} routes on the tracking domain (it must arrive as Host), but a redirect sends "
            f"browsers to https://{origin.host} with that host instead, which breaks its links; use "
            f"mode='{PROXY}' (the default for esp={origin.profile.name!r})",
        )
    return mode


def _read_ssl_mode(args: CloudflareTrackingDomainArgs, mode: str, origin: Origin) -> Optional[str]:
    wanted = plain_arg(args, "ssl_config_rule", bool)
    if mode == PROXY:
        if wanted is False:
            raise InvalidArgument(
                "ssl_config_rule",
                "proxy mode needs the SSL rule: without it the zone's own SSL mode applies to the tracking hosts "
                "(Flexible sends them to the ESP unencrypted, Full (strict) fails: the ESP has no certificate "
                "for your tracking domain)",
            )
        return SSL_FLEXIBLE if origin.profile.origin_protocol == PLAIN_HTTP_ORIGIN else SSL_FULL
    return SSL_FULL if wanted else None


def _read_cache_settings(args: CloudflareTrackingDomainArgs, mode: str, origin: Origin) -> Optional[dict[str, Any]]:
    ttl = bounded_int_arg(
        args, "edge_cache_ttl_seconds", None, 1, MAX_CACHE_TTL_SECONDS,
        note="below 3600 needs a Business or Enterprise plan",
    )
    if mode != PROXY:
        if ttl is not None:
            raise InvalidArgument(
                "edge_cache_ttl_seconds", f"only applies to mode='{PROXY}': a redirect is answered at the edge "
                "and never cached",
            )
        return None
    if origin.profile.cache_mode == CACHE_ORIGIN_HEADERS:
        if ttl is not None:
            raise InvalidArgument(
                "edge_cache_ttl_seconds",
                f"esp={origin.profile.name!r}: its guide says to follow the endpoint's own Cache-Control, which an "
                "edge TTL would override; leave it out (the cache follows those headers and caches nothing "
                "without them)",
            )
        return {"cache": True, "edge_ttl": EDGE_TTL_FROM_ORIGIN}
    if ttl is None:
        return {"cache": False}
    return {"cache": True, "edge_ttl": {"mode": "override_origin", "default": ttl}}


def _read_route_record(args: CloudflareTrackingDomainArgs, mode: str, origin: Origin) -> RouteRecord:
    target = plain_arg(args, "dns_record_target", str)
    if mode == PROXY:
        if target is not None:
            raise InvalidArgument(
                "dns_record_target",
                f"not used in mode='{PROXY}': each record is the route to the ESP, a CNAME to {origin.host} "
                "(origin_host changes it)",
            )
        return RouteRecord("CNAME", origin.host, kept_as_deployed=False)
    if target == ORIGINLESS_RECORD[1]:
        return RouteRecord(*ORIGINLESS_RECORD, kept_as_deployed=False)
    if target is not None:
        return RouteRecord("CNAME", validate_hostname(target, argument="dns_record_target"), kept_as_deployed=False)
    return RouteRecord(*ORIGINLESS_RECORD, kept_as_deployed=True)


def _read_certificate_domains(
    args: CloudflareTrackingDomainArgs, mode: str, domains: tuple[str, ...], zone_name: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(domains that get a certificate pack, deep domains left uncovered with a warning)."""
    deep = tuple(d for d in domains if depth_below_zone(d, zone_name) > UNIVERSAL_SSL_DEPTH)
    wanted = plain_arg(args, "advanced_certificates", bool)
    if wanted is None:
        wanted = mode == PROXY
        if not wanted:
            return (), deep
    if deep and not wanted:
        raise InvalidArgument(
            "domains",
            f"{', '.join(deep)} {'is' if len(deep) == 1 else 'are'} more than one level below {zone_name}, which "
            "Universal SSL does not cover, and advanced_certificates is False: such a name needs an advanced "
            "certificate (the paid Advanced Certificate Manager add-on) or a custom certificate (Business or "
            f"Enterprise plan); use names one level below {zone_name}, or set advanced_certificates=True",
        )
    return deep, ()


def _read_existing_rules(
    args: CloudflareTrackingDomainArgs, mode: str, manage_rulesets: bool, owned_phases: dict[str, bool]
) -> dict[str, list[dict[str, Any]]]:
    """``existing_*_rules`` by phase; refused where the component owns no entry point to carry them into."""
    existing = {}
    for key, phase, why_absent in (
        ("existing_redirect_rules", REDIRECT_PHASE,
         "redirect rules are only created in mode='redirect', or in proxy mode with redirect_http_to_https "
         "or well_known_origin"),
        ("existing_config_rules", CONFIG_PHASE,
         "the redirect modes create no configuration rule unless ssl_config_rule=True"),
        ("existing_cache_rules", CACHE_PHASE, "only proxy mode creates a cache rule"),
    ):
        rules = _rules_arg(args, key)
        if not rules:
            continue
        if not manage_rulesets:
            raise InvalidArgument(
                key, "only used when the component owns the entry-point rulesets; manage_rulesets is False"
            )
        if not owned_phases[phase]:
            raise InvalidArgument(
                key, f"there is no tracking-cdn entry point for {phase} to carry them into (mode={mode!r}: "
                f"{why_absent})",
            )
        existing[phase] = rules
    return existing


def _rules_arg(args: CloudflareTrackingDomainArgs, key: str) -> list[dict[str, Any]]:
    rules = plain_arg(args, key, list, [])
    for index, rule in enumerate(rules):
        where = f"{key}[{index}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("expression"), str) or not isinstance(
            rule.get("action"), str
        ):
            raise InvalidArgument(
                where, "expected a rule dict with at least 'action' and 'expression' (a RulesetRuleArgs dict)"
            )
        if str(rule.get("ref", "")).startswith(RESERVED_REF_PREFIX):
            raise InvalidArgument(
                where, f"refs starting with {RESERVED_REF_PREFIX!r} belong to the tracking rules; give the rule another ref"
            )
    return list(rules)


# --- rules ---------------------------------------------------------------------------------------


def hosts_expression(domains: tuple[str, ...], *conditions: str) -> str:
    """Rules-language expression matching exactly these hosts, on any scheme and port, and
    ``conditions`` (each a complete clause, joined with ``and``)."""
    return "(" + " and ".join(("http.host in {" + " ".join(f'"{d}"' for d in domains) + "}", *conditions)) + ")"


def group_hosts(domains: tuple[str, ...], *conditions: str) -> list[tuple[str, ...]]:
    """The domains in order, split into groups whose expression (with ``conditions``) fits Cloudflare's
    4,096 characters."""
    groups: list[tuple[str, ...]] = []
    current: tuple[str, ...] = ()
    for domain in domains:
        if current and len(hosts_expression(current + (domain,), *conditions)) > MAX_EXPRESSION_LENGTH:
            groups.append(current)
            current = ()
        current += (domain,)
    groups.append(current)
    return groups


def _ref(base: str, index: int) -> str:
    return base if index == 0 else f"{base}_{index + 1}"


WELL_KNOWN = f'starts_with(http.request.uri.path, "{WELL_KNOWN_PREFIX}")'
PLAIN_HTTP = "not ssl"


def not_worker_paths(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The clause keeping a rule off the paths the Worker takes (none without them)."""
    if not paths:
        return ()
    return ("not (http.request.uri.path in {" + " ".join(f'"{path}"' for path in paths) + "})",)


def build_redirect_rules(domains: tuple[str, ...], recipe: CloudflareRecipe, origin_host: str) -> list[dict[str, Any]]:
    """The Single Redirect rules, none of which matches a path the app-link Worker takes:

    - ``well_known_origin``: ``/.well-known/*`` but the two app-link files -> 301 to
      ``https://<well_known_origin><path>``;
    - redirect mode: everything else -> 301 to ``https://<origin><path>``, query string kept;
    - proxy mode with ``redirect_http_to_https``: plain HTTP -> 301 to the same URL over HTTPS."""
    keep_files = not_worker_paths(recipe.worker_paths)
    rules = []
    if recipe.well_known_origin is not None:
        rules += redirect_rules(
            WELL_KNOWN_RULE_REF, host_selectors(domains, WELL_KNOWN, *keep_files),
            f"tracking-cdn: {WELL_KNOWN_PREFIX}* -> https://{recipe.well_known_origin} (301, path and query kept)",
            f'concat("https://{recipe.well_known_origin}", http.request.uri.path)',
        )
    if recipe.mode == REDIRECT:
        # Without deep-link arguments the expression is the plain host set it always was.
        passed_on = (f"not {WELL_KNOWN}",) if recipe.well_known_origin is not None else keep_files
        rules += esp_redirect_rules(host_selectors(domains, *passed_on), origin_host)
    if recipe.https_redirect:
        rules += https_redirect_rules(host_selectors(domains, PLAIN_HTTP, *keep_files))
    return rules


def host_selectors(domains: tuple[str, ...], *conditions: str) -> list[str]:
    """Expressions matching the domains (and ``conditions``), as many as fit Cloudflare's limit."""
    return [hosts_expression(hosts, *conditions) for hosts in group_hosts(domains, *conditions)]


def esp_redirect_rules(selectors: list[str], origin_host: str) -> list[dict[str, Any]]:
    """Redirect mode: what ``selectors`` match -> 301 to ``https://<origin><path>``, query string kept."""
    return redirect_rules(
        REDIRECT_RULE_REF, selectors, f"tracking-cdn: tracking domains -> https://{origin_host} (301, path and query kept)",
        f'concat("https://{origin_host}", http.request.uri.path)',
    )


def https_redirect_rules(selectors: list[str]) -> list[dict[str, Any]]:
    """What ``selectors`` match (plain HTTP only, they say so) -> 301 to the same URL over HTTPS."""
    return redirect_rules(
        HTTPS_RULE_REF, selectors, "tracking-cdn: plain HTTP on the tracking domains -> HTTPS (301, path and query kept)",
        'concat("https://", http.host, http.request.uri.path)',
    )


def redirect_rules(ref: str, selectors: list[str], description: str, target: str) -> list[dict[str, Any]]:
    """One Single Redirect rule (301 to ``target``, query string kept) per expression of ``selectors``."""
    return [
        {
            "ref": _ref(ref, index),
            "description": description,
            "expression": selector,
            "action": "redirect",
            "action_parameters": {
                "from_value": {
                    "status_code": REDIRECT_STATUS,
                    "target_url": {"expression": target},
                    "preserve_query_string": True,
                }
            },
            "enabled": True,
        }
        for index, selector in enumerate(selectors)
    ]


def build_config_rules(selectors: list[str], ssl_mode: Optional[str]) -> list[dict[str, Any]]:
    """Configuration rules: the SSL mode of what ``selectors`` match (expressions of the tracking hosts)
    only; none when ``ssl_mode`` is None."""
    if ssl_mode is None:
        return []
    return [
        {
            "ref": _ref(CONFIG_RULE_REF.format(mode=ssl_mode), index),
            "description": f"tracking-cdn: SSL {ssl_mode.title()} for the tracking domains",
            "expression": selector,
            "action": "set_config",
            "action_parameters": {"ssl": ssl_mode},
            "enabled": True,
        }
        for index, selector in enumerate(selectors)
    ]


def build_cache_rules(selectors: list[str], cache_settings: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cache rules of what ``selectors`` match: bypass (every request reaches the ESP) or the edge TTL."""
    if cache_settings is None:
        return []
    if not cache_settings["cache"]:
        what = "bypass the cache (every open and click reaches the ESP)"
    elif cache_settings["edge_ttl"] == EDGE_TTL_FROM_ORIGIN:
        what = "cache only what the ESP's Cache-Control allows"
    else:
        what = f"cache at the edge for {cache_settings['edge_ttl']['default']} s"
    return [
        {
            "ref": _ref(CACHE_RULE_REF, index),
            "description": f"tracking-cdn: {what}",
            "expression": selector,
            "action": "set_cache_settings",
            "action_parameters": cache_settings,
            "enabled": True,
        }
        for index, selector in enumerate(selectors)
    ]


def worker_module(
    app_files: tuple[WellKnownFile, ...], origin_paths: tuple[str, ...] = (), well_known_origin: Optional[str] = None
) -> str:
    """The Worker (ES module) answering the app-link files, ``GET``/``HEAD`` only (other methods -> 405):

    - a file of ``app_files`` -> 200, ``application/json``, the exact bytes;
    - a path of ``origin_paths`` -> fetched from ``https://<well_known_origin><path>?<query>`` (its own
      ``Host``) and relayed as it answers, a redirect relayed, not followed: what every other front door
      does with ``/.well-known/*`` when ``well_known_origin`` is given;
    - any other path on its routes (the route patterns end in ``*`` so that a query string still
      matches) goes on to the zone's origin as if there were no Worker."""
    assert not origin_paths or well_known_origin is not None, "origin_paths are fetched from well_known_origin"
    assert {f.content_type for f in app_files} <= {CONTENT_TYPE}, "one content type for every app-link file"
    files = "".join(f"  [{json.dumps(f.path)}, {json.dumps(f.text)}],\n" for f in app_files)
    from_origin = "".join(f"  {json.dumps(path)},\n" for path in origin_paths)
    origin = json.dumps(f"https://{well_known_origin}" if well_known_origin is not None else None)
    return f"""// tracking-cdn: the app-link files of the tracking domains, never redirected (Apple and Android
// refuse redirects): FILES answered at Cloudflare's edge (200, {CONTENT_TYPE}, exact bytes),
// FROM_ORIGIN fetched from well_known_origin and relayed as it answers.
const FILES = new Map([
{files}]);
const HEADERS = {{ "content-type": {json.dumps(CONTENT_TYPE)} }};
const FROM_ORIGIN = new Set([
{from_origin}]);
const ORIGIN = {origin};

export default {{
  async fetch(request) {{
    const url = new URL(request.url);
    const body = FILES.get(url.pathname);
    const fromOrigin = FROM_ORIGIN.has(url.pathname);
    if (body === undefined && !fromOrigin) return fetch(request);
    if (request.method !== "GET" && request.method !== "HEAD") {{
      return new Response(null, {{ status: 405, headers: {{ allow: "GET, HEAD" }} }});
    }}
    if (fromOrigin) {{
      const headers = new Headers(request.headers);
      headers.delete("host");
      return fetch(ORIGIN + url.pathname + url.search, {{ method: request.method, headers, redirect: "manual" }});
    }}
    return new Response(request.method === "HEAD" ? null : body, {{ status: 200, headers: HEADERS }});
  }},
}};
"""


def worker_route_pattern(domain: str, path: str) -> str:
    """A Workers route for one file on one domain, any scheme. Route patterns match the whole URL,
    query string included, and cannot contain one, so the pattern ends in ``*`` (Cloudflare, Workers
    routes, matching behavior); the Worker itself checks the exact path."""
    return f"{domain}{path}*"


def worker_script_name(name: str, zone_name: str) -> str:
    """The app-link Worker's script name: ``<name>-app-links-<8 hex of the zone name>`` (script names
    are per account, so two zones' components named alike must not share one); refused naming ``name``
    when Cloudflare would refuse it."""
    script = f"{name}-app-links-{hashlib.sha256(zone_name.encode()).hexdigest()[:8]}"
    if not WORKER_SCRIPT_NAME.match(script) or len(script) > MAX_WORKER_SCRIPT_NAME:
        longest = MAX_WORKER_SCRIPT_NAME - len(script) + len(name)
        raise InvalidArgument(
            "name",
            f"{name!r} makes the Worker script name {script!r} (for app_links), which Cloudflare refuses: "
            f"use lowercase letters, digits, '_' and '-' (not first), at most {longest} characters",
        )
    return script


def page_rule_target(domain: str) -> str:
    """Matches every URL (path and query string) on the domain, HTTP and HTTPS."""
    return f"{domain}/*"


def page_rule_forwarding_url(origin_host: str) -> str:
    """``$1`` is what ``*`` matched: the path and query string after the first ``/``."""
    return f"https://{origin_host}/$1"


def depth_below_zone(domain: str, zone_name: str) -> int:
    """How many labels ``domain`` has below ``zone_name`` (0 for the apex)."""
    return domain.count(".") - zone_name.count(".")


def _txt_validation_records(records: Optional[list[Any]]) -> list[DnsRecord]:
    """A certificate pack's TXT validation records (empty until Cloudflare fills them in)."""
    return [
        DnsRecord(name=r.txt_name.rstrip("."), type="TXT", value=r.txt_value, purpose=VALIDATION)
        for r in records or []
        if r.txt_name and r.txt_value
    ]


def _flatten_records(groups: list[list[DnsRecord]]) -> list[DnsRecord]:
    """Every record, validation records first (they must exist before the route works)."""
    records = [record for group in groups for record in group]
    return sorted(records, key=lambda record: record["purpose"] != VALIDATION)


__all__ = ["CloudflareTrackingDomain", "CloudflareTrackingDomainArgs"]
