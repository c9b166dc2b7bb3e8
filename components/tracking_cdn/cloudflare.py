"""Cloudflare front door: the tracking domains answer a 301 to the ESP's HTTPS endpoint.

The seed's recipe (SparkPost CDN guide, Braze's Cloudflare guide): Cloudflare holds the certificate
for the tracking domain (Universal SSL) and every request, HTTP or HTTPS, is redirected with a 301 to
``https://<ESP host><same path>`` with the query string kept; SSL mode is Full for those hosts, and a
proxied DNS record must exist for each tracking domain or the rule never fires.

Built with Rulesets (a Single Redirect rule in phase ``http_request_dynamic_redirect`` and a
configuration rule in ``http_config_settings``); legacy Page Rules only in ``mode="page_rules"``.

A zone has ONE entry-point ruleset per phase. Creating one when the zone already has rules in that
phase fails at ``pulumi up`` ("A similar configuration with rules already exists") instead of wiping
them; carry those rules over with ``existing_redirect_rules`` / ``existing_config_rules`` after a
``pulumi import``, or set ``manage_rulesets=False`` and add the published ``redirect_rules`` and
``config_rules`` to the entry-point rulesets you already manage. See the README, section Cloudflare.

Imports only pulumi-cloudflare. (No ``from __future__ import annotations``: Pulumi's schema
inference reads the annotations.)
"""

from typing import Any, NotRequired, Optional, Required

import pulumi
import pulumi_cloudflare as cloudflare

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
from .domains import in_zone, validate_hostname
from .errors import InvalidArgument

RULESETS = "rulesets"
PAGE_RULES = "page_rules"
MODES = (RULESETS, PAGE_RULES)

REDIRECT_PHASE = "http_request_dynamic_redirect"
CONFIG_PHASE = "http_config_settings"
REDIRECT_RULE_REF = "tracking_cdn_redirect"
CONFIG_RULE_REF = "tracking_cdn_ssl_full"
REDIRECT_STATUS = 301
SSL_MODE = "full"

FREE_PLAN_PAGE_RULES = 3
"""Page rules a Free plan zone may have (Pro 20, Business 50)."""
MAX_EXPRESSION_LENGTH = 4096
"""Cloudflare's limit on one rule expression (Rules language reference)."""
AUTOMATIC_TTL = 1
"""Proxied records always have TTL 'automatic' (1)."""


class CloudflareTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`CloudflareTrackingDomain`: the common ones plus the zone and how the
    rules are installed."""

    zone_name: Required[str]
    """The Cloudflare zone every tracking domain belongs to, e.g. ``example.com`` (required: the
    tracking domains are checked against it before anything is created). Looked up by name unless
    ``zone_id`` is given."""
    zone_id: NotRequired[pulumi.Input[str]]
    """The id of ``zone_name`` when you have it (e.g. from a ``cloudflare.Zone`` in your program);
    skips the lookup. It must be the id of ``zone_name``: that is not checked."""
    mode: NotRequired[str]
    """``rulesets`` (default): one Single Redirect rule for all tracking domains (more only when they
    outgrow one 4,096-character expression). ``page_rules``: legacy compatibility mode, one
    Forwarding URL page rule per domain (counts against the plan's page rules). SSL Full is a
    configuration rule in both modes."""
    manage_rulesets: NotRequired[bool]
    """Create the zone's entry-point rulesets for the redirect and configuration phases (default
    True). False: create none; add the published ``redirect_rules`` and ``config_rules`` to the
    entry-point rulesets you already manage."""
    existing_redirect_rules: NotRequired[list[dict[str, Any]]]
    """Rules the zone already has in ``http_request_dynamic_redirect`` (pulumi-cloudflare
    ``RulesetRuleArgs`` dicts, snake_case keys), kept after the tracking redirect in the entry point
    this component owns. Default none."""
    existing_config_rules: NotRequired[list[dict[str, Any]]]
    """Rules the zone already has in ``http_config_settings``, kept before the tracking SSL rule (a
    later configuration rule wins, so the tracking hosts always get SSL Full). Default none."""
    page_rule_limit: NotRequired[int]
    """Page rules this component may create in ``mode="page_rules"``: your plan's allowance minus
    the page rules the zone already uses (default 3, a Free plan with none in use)."""
    manage_dns_records: NotRequired[bool]
    """Create a proxied DNS record for each tracking domain (default True). False: create none; the
    records are still listed in ``dns_records`` and must exist, proxied, for the rules to fire."""
    dns_record_target: NotRequired[str]
    """What each proxied CNAME points at (default: the ESP host, as the ESP's own setup asks). The
    redirect answers before any origin is contacted; point it at a host of your own zone (e.g. the
    zone apex) if Cloudflare answers error 1014 because the ESP host is on another Cloudflare account."""


class CloudflareTrackingDomain(TrackingDomainComponent):
    """Cloudflare front door for ESP click/open tracking domains: a proxied DNS record per tracking
    domain, a Single Redirect rule answering every request (HTTP or HTTPS) with a 301 to
    ``https://<ESP host><path>`` (query string kept), and a configuration rule setting SSL Full for
    those hosts. Cloudflare's Universal SSL certificate covers the tracking domains."""

    zone_id: pulumi.Output[str]
    """The id of the Cloudflare zone holding the tracking domains."""
    redirect_rules: pulumi.Output[list[dict[str, Any]]]
    """The Single Redirect rules (pulumi-cloudflare ``RulesetRuleArgs`` dicts; one, or more when the
    domains do not fit one 4,096-character expression) for phase ``http_request_dynamic_redirect``;
    put them first in your own entry point when ``manage_rulesets`` is False."""
    config_rules: pulumi.Output[list[dict[str, Any]]]
    """The configuration rules (SSL Full for the tracking hosts) for phase ``http_config_settings``;
    put them last in your own entry point when ``manage_rulesets`` is False."""

    def __init__(
        self, name: str, args: CloudflareTrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        settings = resolve_settings(args, CloudflareTrackingDomainArgs)
        zone_name = validate_hostname(plain_arg(args, "zone_name", str), argument="zone_name")
        zone_id_arg = input_arg(args, "zone_id", "the id of zone_name, or leave it out to look it up")
        mode = plain_arg(args, "mode", str, RULESETS)
        if mode not in MODES:
            raise InvalidArgument("mode", f"unknown mode {mode!r}; choose {' or '.join(MODES)} (default {RULESETS})")
        manage_rulesets = plain_arg(args, "manage_rulesets", bool, True)
        manage_dns = plain_arg(args, "manage_dns_records", bool, True)
        existing_redirect = _rules_arg(args, "existing_redirect_rules", REDIRECT_RULE_REF)
        existing_config = _rules_arg(args, "existing_config_rules", CONFIG_RULE_REF)
        page_rule_limit = bounded_int_arg(args, "page_rule_limit", FREE_PLAN_PAGE_RULES, 0)
        target = validate_hostname(
            plain_arg(args, "dns_record_target", str, settings.origin.host), argument="dns_record_target"
        )

        outside = [d for d in settings.domains if not in_zone(d, zone_name)]
        if outside:
            raise InvalidArgument(
                "domains",
                f"{', '.join(outside)} not in the zone {zone_name!r}: every tracking domain must be "
                f"{zone_name} or a name under it (use one component per zone)",
            )
        _refuse_conflicts(args, mode, manage_rulesets)
        if mode == PAGE_RULES and len(settings.domains) > page_rule_limit:
            raise InvalidArgument(
                "domains",
                f"{len(settings.domains)} domains need {len(settings.domains)} page rules (one Forwarding URL "
                f"rule each) but page_rule_limit is {page_rule_limit} (default {FREE_PLAN_PAGE_RULES}, a Free "
                f"plan); raise page_rule_limit to what your plan leaves free, or use mode='{RULESETS}' (one "
                "rule for all domains)",
            )
        super().__init__(name, settings, opts)
        self._warn_about_no_op_arguments(args)
        for domain in settings.domains:
            if _depth_below_zone(domain, zone_name) > 1:
                pulumi.log.warn(
                    f"{domain} is more than one level below {zone_name}: Cloudflare's free Universal SSL "
                    f"certificate covers only {zone_name} and *.{zone_name}, so HTTPS on this name needs an "
                    "Advanced certificate or Total TLS (not created by this component).",
                    resource=self,
                )

        if zone_id_arg is None:
            zone = cloudflare.get_zone_output(
                filter={"name": zone_name, "match": "all"}, opts=pulumi.InvokeOptions(parent=self)
            )
            zone_id: pulumi.Output[str] = zone.id
        else:
            zone_id = pulumi.Output.from_input(zone_id_arg)

        origin = settings.origin.host
        host_groups = group_hosts(settings.domains)
        redirect_rules = build_redirect_rules(host_groups, origin)
        config_rules = build_config_rules(host_groups)

        def entry_point(role: str, phase: str, title: str, rules: list[dict[str, Any]]) -> cloudflare.Ruleset:
            return cloudflare.Ruleset(
                f"{name}-{role}",
                zone_id=zone_id,
                kind="zone",
                phase=phase,
                name=f"tracking-cdn {title}",
                description=f"Zone entry point for {phase}, managed by tracking-cdn",
                rules=rules,
                opts=self.child_opts(serving=True),
            )

        serving_rules: list[pulumi.Resource] = []
        if manage_rulesets:
            # Ours first in the redirect phase (a redirect ends evaluation, so the first match wins)
            # and last in the configuration phase (a later rule's setting overrides an earlier one).
            serving_rules.append(entry_point("ssl", CONFIG_PHASE, "configuration rules", [*existing_config, *config_rules]))
            if mode == RULESETS:
                serving_rules.append(
                    entry_point("redirect", REDIRECT_PHASE, "single redirects", [*redirect_rules, *existing_redirect])
                )
        if mode == PAGE_RULES:
            for domain in settings.domains:
                serving_rules.append(
                    cloudflare.PageRule(
                        f"{name}-forward-{domain}",
                        zone_id=zone_id,
                        target=page_rule_target(domain),
                        actions={
                            "forwarding_url": {"url": page_rule_forwarding_url(origin), "status_code": REDIRECT_STATUS}
                        },
                        status="active",
                        opts=self.child_opts(serving=True),
                    )
                )

        records = []
        for domain in settings.domains:
            if manage_dns:
                # Created after the rules: a record switched to proxied (e.g. an imported DNS-only
                # CNAME) starts answering through Cloudflare only once the redirect exists.
                created = cloudflare.DnsRecord(
                    f"{name}-{domain}",
                    zone_id=zone_id,
                    name=domain,
                    type="CNAME",
                    content=target,
                    proxied=True,
                    ttl=AUTOMATIC_TTL,
                    comment=f"tracking-cdn: {settings.origin.profile.name} tracking domain, proxied so the rule fires",
                    opts=self.child_opts(serving=True, depends_on=serving_rules),
                )
                records.append(dns_record(created.name, "CNAME", created.content.apply(lambda c: c or target), ROUTE))
            else:
                records.append(dns_record(domain, "CNAME", target, ROUTE))

        self.publish_outputs(
            origin_host=origin,
            dns_records=collect_dns_records(records),
            zone_id=zone_id,
            redirect_rules=redirect_rules,
            config_rules=config_rules,
        )

    def _warn_about_no_op_arguments(self, args: CloudflareTrackingDomainArgs) -> None:
        if self.settings.origin.sends_tracking_host:
            pulumi.log.warn(
                f"{self.settings.origin.profile.name} routes on the tracking domain (Host header), but a redirect "
                f"sends browsers to https://{self.settings.origin.host} with that host instead. Test a real click "
                "link through the redirect before moving mail to it; Braze's Cloudflare recipe for SendGrid "
                "proxies instead of redirecting (not built by this component).",
                resource=self,
            )
        if args.get("cache_ttl_seconds") is not None:
            pulumi.log.warn(
                "cache_ttl_seconds has no effect on Cloudflare: the tracking domains answer with a redirect "
                "and nothing is cached (Free plans cannot set cache TTLs anyway).",
                resource=self,
            )
        if args.get("redirect_http_to_https"):
            pulumi.log.warn(
                "redirect_http_to_https has no effect on Cloudflare: every request, HTTP or HTTPS, is already "
                "answered with a 301 to https://<ESP host>.",
                resource=self,
            )


def hosts_expression(domains: tuple[str, ...]) -> str:
    """Rules-language expression matching exactly these hosts, on any scheme and port."""
    return "(http.host in {" + " ".join(f'"{d}"' for d in domains) + "})"


def group_hosts(domains: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The domains in order, split into groups whose expression fits Cloudflare's 4,096 characters."""
    groups: list[tuple[str, ...]] = []
    current: tuple[str, ...] = ()
    for domain in domains:
        if current and len(hosts_expression(current + (domain,))) > MAX_EXPRESSION_LENGTH:
            groups.append(current)
            current = ()
        current += (domain,)
    groups.append(current)
    return groups


def _ref(base: str, index: int) -> str:
    return base if index == 0 else f"{base}_{index + 1}"


def build_redirect_rules(host_groups: list[tuple[str, ...]], origin_host: str) -> list[dict[str, Any]]:
    """Single Redirect rules: 301 to ``https://<origin><path>``, query string kept."""
    return [
        {
            "ref": _ref(REDIRECT_RULE_REF, index),
            "description": f"tracking-cdn: tracking domains -> https://{origin_host} (301, path and query kept)",
            "expression": hosts_expression(hosts),
            "action": "redirect",
            "action_parameters": {
                "from_value": {
                    "status_code": REDIRECT_STATUS,
                    "target_url": {"expression": f'concat("https://{origin_host}", http.request.uri.path)'},
                    "preserve_query_string": True,
                }
            },
            "enabled": True,
        }
        for index, hosts in enumerate(host_groups)
    ]


def build_config_rules(host_groups: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    """Configuration rules: SSL mode Full for the tracking hosts only."""
    return [
        {
            "ref": _ref(CONFIG_RULE_REF, index),
            "description": "tracking-cdn: SSL Full for the tracking domains",
            "expression": hosts_expression(hosts),
            "action": "set_config",
            "action_parameters": {"ssl": SSL_MODE},
            "enabled": True,
        }
        for index, hosts in enumerate(host_groups)
    ]


def page_rule_target(domain: str) -> str:
    """Matches every URL (path and query string) on the domain, HTTP and HTTPS."""
    return f"{domain}/*"


def page_rule_forwarding_url(origin_host: str) -> str:
    """``$1`` is what ``*`` matched: the path and query string after the first ``/``."""
    return f"https://{origin_host}/$1"


def _depth_below_zone(domain: str, zone_name: str) -> int:
    return domain.count(".") - zone_name.count(".")


def _rules_arg(args: CloudflareTrackingDomainArgs, key: str, reserved_ref: str) -> list[dict[str, Any]]:
    rules = plain_arg(args, key, list, [])
    for index, rule in enumerate(rules):
        where = f"{key}[{index}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("expression"), str) or not isinstance(
            rule.get("action"), str
        ):
            raise InvalidArgument(
                where, "expected a rule dict with at least 'action' and 'expression' (a RulesetRuleArgs dict)"
            )
        if str(rule.get("ref", "")).startswith(reserved_ref):
            raise InvalidArgument(
                where, f"refs starting with {reserved_ref!r} belong to the tracking rules; give the rule another ref"
            )
    return list(rules)


def _refuse_conflicts(args: CloudflareTrackingDomainArgs, mode: str, manage_rulesets: bool) -> None:
    if not manage_rulesets:
        for key in ("existing_redirect_rules", "existing_config_rules"):
            if args.get(key):
                raise InvalidArgument(
                    key, "only used when the component owns the entry-point rulesets; manage_rulesets is False"
                )
    if mode == PAGE_RULES and args.get("existing_redirect_rules"):
        raise InvalidArgument(
            "existing_redirect_rules", f"mode='{PAGE_RULES}' creates no redirect ruleset to carry them into"
        )
    if mode != PAGE_RULES and args.get("page_rule_limit") is not None:
        raise InvalidArgument("page_rule_limit", f"only applies to mode='{PAGE_RULES}' (mode is {mode!r})")


__all__ = ["CloudflareTrackingDomain", "CloudflareTrackingDomainArgs"]
