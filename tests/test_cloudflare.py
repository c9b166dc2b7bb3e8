"""Policies of the Cloudflare front door, checked on what the component registers under the mock
engine.

Redirect mode (issue 5, SparkPost's recipe; the default for ESPs that do not route on the tracking
domain): every request to a tracking domain (HTTP or HTTPS) answers a 301 to ``https://<ESP
host><same path>`` with the query string kept; the records are originless ``AAAA 100::`` and a
deployed record is left as it is; no SSL rule unless asked for (issue 13).

Proxy mode (issue 22, Braze's SendGrid recipe; the default for ESPs that route on the tracking
domain): a proxied CNAME per domain to the ESP, SSL Full for exactly those hosts, no redirect, a
bypass cache rule (or the opted-in edge TTL), nothing that rewrites Host, an advanced certificate
pack only for names deeper than Universal SSL covers.

Both: existing rules carried over rather than wiped, domains outside the zone refused, protection,
the example stack and ``plan``."""

import json
import re

import pulumi
import pytest

from conftest import ESP_CASES, OPT_IN_ESP_CASES, REPO, refusal, run_stack
from scenarios import ANDROID_ASSET_LINKS, APPLE_APP_SITE_ASSOCIATION
from tracking_cdn import cli, offline
from tracking_cdn.cloudflare import (
    MAX_EXPRESSION_LENGTH,
    CloudflareTrackingDomain,
    group_hosts,
    hosts_expression,
)
from tracking_cdn.contract import ROUTE, VALIDATION
from tracking_cdn.errors import InvalidArgument

COMPONENT = "tracking-cdn:index:CloudflareTrackingDomain"
RULESET = "cloudflare:index/ruleset:Ruleset"
PAGE_RULE = "cloudflare:index/pageRule:PageRule"
DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
CERTIFICATE_PACK = "cloudflare:index/certificatePack:CertificatePack"
GET_ZONE = "cloudflare:index/getZone:getZone"
REDIRECT_PHASE = "http_request_dynamic_redirect"
CONFIG_PHASE = "http_config_settings"
CACHE_PHASE = "http_request_cache_settings"
ZONE = "example.com"
LOOKED_UP_ZONE_ID = "<zone id of example.com>"
DOMAINS = ["track.example.com", "click2.example.com"]
OUTPUTS = ("origin_host", "dns_records", "zone_id", "redirect_rules", "config_rules", "cache_rules")
CASES = {**ESP_CASES, **OPT_IN_ESP_CASES}
REDIRECTED_ESPS = [esp for esp, (_, _, routes_on_host) in CASES.items() if not routes_on_host]
PROXIED_ESPS = [esp for esp, (_, _, routes_on_host) in CASES.items() if routes_on_host]
SSL_MODE = {"ses": "flexible"}
"""The SSL mode of the proxied hosts where it is not Full: SES's endpoint is reached over HTTP (the
profile's documented exception). Customer.io: Full, "The Full (strict) mode will not work"."""
CACHE = {"iterable": {"cache": True, "edgeTtl": {"mode": "bypass_by_default"}},
         "iterable-eu": {"cache": True, "edgeTtl": {"mode": "bypass_by_default"}}}
"""The cache rule where it is not a bypass: Iterable's guide says to follow its Cache-Control."""


def args_for(esp: str = "sparkpost", **overrides) -> dict:
    extra = CASES[esp][0] if esp in CASES else {}
    return {"domains": list(DOMAINS), "zone_name": ZONE, "esp": esp, **extra, **overrides}


def build(args: dict):
    """Run a program creating one CloudflareTrackingDomain named ``t``; its outputs are exported."""

    def program():
        front_door = CloudflareTrackingDomain("t", args)
        for output in OUTPUTS:
            pulumi.export(output, getattr(front_door, output))

    return offline.run_offline(program)


def refused(args) -> tuple[InvalidArgument, list]:
    """The InvalidArgument ``args`` raise, and everything registered in that run (should be nothing)."""
    return refusal(lambda: CloudflareTrackingDomain("t", args))


def ruleset(run, phase: str):
    found = [r for r in run.of_type(RULESET) if r.inputs["phase"] == phase]
    assert len(found) == 1, f"expected one {phase} ruleset, found {len(found)}"
    return found[0]


def phases(run) -> set[str]:
    return {r.inputs["phase"] for r in run.of_type(RULESET)}


def hosts_of(expression: str) -> list[str]:
    """The hosts an ``(http.host in {...})`` expression matches; fails on any other expression shape."""
    match = re.fullmatch(r'\(http\.host in \{((?:"[a-z0-9.-]+" ?)+)\}\)', expression)
    assert match, f"not a plain host-set expression: {expression}"
    return re.findall(r'"([^"]+)"', match.group(1))


def tracking_rules(rules: list[dict]) -> list[dict]:
    return [rule for rule in rules if str(rule.get("ref", "")).startswith("tracking_cdn_")]


def routes(run) -> list[tuple]:
    return sorted((r["name"], r["type"], r["value"]) for r in run.stack_outputs["dns_records"] if r["purpose"] == ROUTE)


@pytest.fixture(scope="module", params=REDIRECTED_ESPS)
def redirect_run(request):
    esp = request.param
    return esp, CASES[esp][1], build(args_for(esp))


@pytest.fixture(scope="module", params=REDIRECTED_ESPS)
def page_rules_run(request):
    esp = request.param
    return esp, CASES[esp][1], build(args_for(esp, mode="page_rules"))


@pytest.fixture(scope="module", params=list(CASES))
def proxy_run(request):
    """Every ESP in proxy mode: the default for those that route on the tracking domain, asked for
    by the others."""
    esp = request.param
    mode = {} if esp in PROXIED_ESPS else {"mode": "proxy"}
    return esp, CASES[esp][1], build(args_for(esp, **mode))


# --- redirect mode: the redirect -----------------------------------------------------------------


def test_every_request_to_a_tracking_domain_answers_301_to_the_esp_host_with_path_and_query(redirect_run):
    esp, host, run = redirect_run
    redirect = ruleset(run, REDIRECT_PHASE)
    assert redirect.inputs["kind"] == "zone"
    [rule] = redirect.inputs["rules"]
    assert rule["action"] == "redirect" and rule["enabled"] is True
    assert sorted(hosts_of(rule["expression"])) == sorted(DOMAINS), "matches the tracking hosts, any scheme"
    from_value = rule["actionParameters"]["fromValue"]
    assert from_value["statusCode"] == 301
    assert from_value["targetUrl"] == {"expression": f'concat("https://{host}", http.request.uri.path)'}
    assert from_value["preserveQueryString"] is True


def test_http_and_https_are_both_redirected_no_scheme_condition(redirect_run):
    _, _, run = redirect_run
    for rule in ruleset(run, REDIRECT_PHASE).inputs["rules"]:
        assert "ssl" not in rule["expression"] and "scheme" not in rule["expression"]


def test_a_redirect_takes_over_no_other_entry_point(redirect_run):
    """A redirected request never reaches an origin: no SSL configuration rule (it would claim the
    zone's whole http_config_settings entry point) and nothing cached (issue 13)."""
    _, _, run = redirect_run
    assert phases(run) == {REDIRECT_PHASE}
    assert run.stack_outputs["config_rules"] == [] and run.stack_outputs["cache_rules"] == []


def test_the_ssl_rule_is_opt_in_in_redirect_mode_and_scoped_to_the_tracking_hosts():
    run = build(args_for(ssl_config_rule=True))
    [rule] = ruleset(run, CONFIG_PHASE).inputs["rules"]
    assert rule["action"] == "set_config" and rule["actionParameters"] == {"ssl": "full"}
    assert sorted(hosts_of(rule["expression"])) == sorted(DOMAINS)
    assert ruleset(run, CONFIG_PHASE).protect
    assert run.stack_outputs["config_rules"][0]["action_parameters"] == {"ssl": "full"}


def test_redirect_records_are_originless_placeholders_proxied_so_the_rule_fires(redirect_run):
    """Cloudflare's documented placeholder for a hostname without an origin, instead of a CNAME to an
    ESP host that may be on another Cloudflare account (error 1014)."""
    _, _, run = redirect_run
    records = {r.inputs["name"]: r for r in run.of_type(DNS_RECORD)}
    assert sorted(records) == sorted(DOMAINS)
    for record in records.values():
        assert (record.inputs["type"], record.inputs["content"]) == ("AAAA", "100::")
        assert record.inputs["proxied"] is True
        assert record.inputs["zoneId"] == LOOKED_UP_ZONE_ID
        assert record.inputs["ttl"] == 1, "proxied records take the automatic TTL"
    assert routes(run) == sorted((d, "AAAA", "100::") for d in DOMAINS)


def test_a_deployed_redirect_record_keeps_its_type_and_content(redirect_run):
    """Records deployed as CNAMEs to the ESP stay CNAMEs: turning a live CNAME into an AAAA is a
    delete-then-create that leaves the name unresolvable for a moment (negatively cached)."""
    _, _, run = redirect_run
    for record in run.of_type(DNS_RECORD):
        assert record.ignore_changes == ["type", "content"]
        assert record.delete_before_replace, "Cloudflare refuses two address/CNAME records of one name"


def test_an_explicit_record_target_is_a_cname_and_is_applied():
    run = build(args_for(esp="sparkpost-eu", dns_record_target="example.com"))
    for record in run.of_type(DNS_RECORD):
        assert (record.inputs["type"], record.inputs["content"]) == ("CNAME", "example.com")
        assert record.ignore_changes == [], "an explicit target is a decision: apply it"
    target = ruleset(run, REDIRECT_PHASE).inputs["rules"][0]["actionParameters"]["fromValue"]["targetUrl"]
    assert target["expression"].startswith('concat("https://eu.spgo.io"'), "the redirect still goes to the ESP"
    assert routes(run) == sorted((d, "CNAME", "example.com") for d in DOMAINS)


def test_records_are_created_after_the_rules(redirect_run, proxy_run):
    for _, _, run in (redirect_run, proxy_run):
        rules = {r.urn for r in run.of_type(RULESET)}
        assert rules
        for record in run.of_type(DNS_RECORD):
            assert rules <= set(record.dependencies)


def test_rulesets_not_page_rules_by_default(redirect_run):
    _, _, run = redirect_run
    assert run.of_type(PAGE_RULE) == [] and run.of_type(CERTIFICATE_PACK) == []


def test_the_zone_is_looked_up_by_name_and_every_child_uses_it(redirect_run, proxy_run):
    for _, _, run in (redirect_run, proxy_run):
        assert run.stack_outputs["zone_id"] == LOOKED_UP_ZONE_ID
        for child in run.children_of(run.one(COMPONENT)):
            assert child.inputs["zoneId"] == LOOKED_UP_ZONE_ID


def test_live_serving_resources_are_protected_by_default(redirect_run):
    _, _, run = redirect_run
    children = run.children_of(run.one(COMPONENT))
    assert {c.type for c in children} == {RULESET, DNS_RECORD}
    assert all(c.protect for c in children)


def test_published_rules_are_the_ones_installed(redirect_run):
    _, _, run = redirect_run
    installed = ruleset(run, REDIRECT_PHASE).inputs["rules"][0]
    [published] = run.stack_outputs["redirect_rules"]
    assert published["expression"] == installed["expression"]
    published_target = published["action_parameters"]["from_value"]["target_url"]
    assert published_target == installed["actionParameters"]["fromValue"]["targetUrl"]


def test_protection_can_be_turned_off_for_teardown():
    for args in (args_for(protect_serving_resources=False), args_for("sendgrid", protect_serving_resources=False,
                                                                     domains=["a.b.example.com"])):
        run = build(args)
        assert run.of_type(RULESET) and run.of_type(DNS_RECORD)
        assert not any(r.protect for r in run.resources)


def test_rulesets_is_the_former_name_of_redirect_mode():
    before, now = build(args_for(mode="rulesets")), build(args_for(mode="redirect"))
    assert sorted((r.urn, str(r.inputs)) for r in before.resources) == sorted((r.urn, str(r.inputs)) for r in now.resources)


# --- proxy mode (issue 22) -----------------------------------------------------------------------


def test_proxy_records_are_proxied_cnames_to_the_esp(proxy_run):
    _, host, run = proxy_run
    records = {r.inputs["name"]: r for r in run.of_type(DNS_RECORD)}
    assert sorted(records) == sorted(DOMAINS)
    for record in records.values():
        assert (record.inputs["type"], record.inputs["content"], record.inputs["proxied"]) == ("CNAME", host, True)
        assert record.inputs["ttl"] == 1
        assert record.ignore_changes == [], "the record is the route to the ESP: its target is always applied"
        assert record.delete_before_replace and record.protect
    assert routes(run) == sorted((d, "CNAME", host) for d in DOMAINS)


def test_proxy_mode_sets_ssl_full_for_exactly_the_tracking_hosts(proxy_run):
    esp, _, run = proxy_run
    [rule] = ruleset(run, CONFIG_PHASE).inputs["rules"]
    ssl_mode = SSL_MODE.get(esp, "full")
    assert rule["action"] == "set_config" and rule["actionParameters"] == {"ssl": ssl_mode}
    assert rule["ref"] == f"tracking_cdn_ssl_{ssl_mode}"
    assert sorted(hosts_of(rule["expression"])) == sorted(DOMAINS)


def test_an_esp_reached_over_http_gets_flexible_and_every_other_full_never_strict():
    assert ruleset(build(args_for("ses")), CONFIG_PHASE).inputs["rules"][0]["actionParameters"] == {"ssl": "flexible"}
    for esp in ("customerio", "customerio-eu", "sendgrid", "iterable"):
        assert ruleset(build(args_for(esp)), CONFIG_PHASE).inputs["rules"][0]["actionParameters"] == {"ssl": "full"}


def test_proxy_mode_redirects_nothing(proxy_run):
    _, _, run = proxy_run
    assert REDIRECT_PHASE not in phases(run) and run.of_type(PAGE_RULE) == []
    assert run.stack_outputs["redirect_rules"] == []


def test_proxy_mode_bypasses_the_cache_by_default_so_every_click_reaches_the_esp(proxy_run):
    esp, _, run = proxy_run
    [rule] = ruleset(run, CACHE_PHASE).inputs["rules"]
    assert rule["action"] == "set_cache_settings"
    assert rule["actionParameters"] == CACHE.get(esp, {"cache": False})
    assert sorted(hosts_of(rule["expression"])) == sorted(DOMAINS)


def test_iterable_is_cached_only_as_its_own_cache_control_says():
    """Iterable's guide: "Object Caching: Use Origin Cache Headers". Cloudflare's bypass_by_default
    follows them when present and caches nothing otherwise (no 10 s default below the plan minimum)."""
    run = build(args_for("iterable"))
    assert run.stack_outputs["cache_rules"][0]["action_parameters"] == {
        "cache": True, "edge_ttl": {"mode": "bypass_by_default"}}


def test_an_opted_in_edge_ttl_overrides_the_origin_for_the_tracking_hosts():
    run = build(args_for("sendgrid", edge_cache_ttl_seconds=10))
    [rule] = ruleset(run, CACHE_PHASE).inputs["rules"]
    assert rule["actionParameters"] == {"cache": True, "edgeTtl": {"mode": "override_origin", "default": 10}}
    assert run.warnings == []


def test_nothing_in_proxy_mode_rewrites_host_or_the_origin(proxy_run):
    """The ESP must see the tracking domain as Host: no origin rule, no transform rule, no host
    header or origin override in any rule the component installs."""
    _, _, run = proxy_run
    assert phases(run) <= {CONFIG_PHASE, CACHE_PHASE, REDIRECT_PHASE}
    for registration in run.of_type(RULESET):
        for rule in registration.inputs["rules"]:
            assert not {"hostHeader", "origin", "headers", "uri"} & set(rule["actionParameters"])


def test_proxy_mode_passes_well_known_paths_to_the_esp_unchanged(proxy_run):
    """No rule looks at the path: /.well-known/* reaches the ESP like every click (no 301, which
    Android's App Links verification refuses)."""
    _, _, run = proxy_run
    for registration in run.of_type(RULESET):
        for rule in registration.inputs["rules"]:
            assert "uri" not in rule["expression"] and "path" not in rule["expression"]


def test_sendgrid_builds_brazes_recipe_without_a_warning():
    run = build(args_for("sendgrid"))
    assert run.warnings == []
    assert phases(run) == {CONFIG_PHASE, CACHE_PHASE}
    assert run.of_type(CERTIFICATE_PACK) == [], "one-level names are covered by Universal SSL"


def test_proxy_serving_resources_are_protected(proxy_run):
    _, _, run = proxy_run
    assert all(c.protect for c in run.children_of(run.one(COMPONENT)))


def test_http_to_https_in_proxy_mode_is_a_redirect_of_plain_http_only_and_not_protected():
    run = build(args_for("sendgrid", redirect_http_to_https=True))
    redirect = ruleset(run, REDIRECT_PHASE)
    [rule] = redirect.inputs["rules"]
    assert rule["expression"] == hosts_expression(tuple(DOMAINS))[:-1] + " and not ssl)"
    from_value = rule["actionParameters"]["fromValue"]
    assert from_value["targetUrl"] == {"expression": 'concat("https://", http.host, http.request.uri.path)'}
    assert from_value["statusCode"] == 301 and from_value["preserveQueryString"] is True
    assert not redirect.protect, "turning the option off must be able to delete it"
    assert run.warnings == []


# --- certificates (issue 22) ----------------------------------------------------------------------

DEEP = "ablink.m.example.com"


def test_a_pack_is_ordered_only_for_names_deeper_than_universal_ssl_covers():
    run = build(args_for("sendgrid", domains=[DEEP, "track.example.com", "x.links.example.com"]))
    packs = {tuple(p.inputs["hosts"]): p for p in run.of_type(CERTIFICATE_PACK)}
    assert sorted(packs) == [("example.com", DEEP), ("example.com", "x.links.example.com")], (
        "one pack per deep name, with the zone apex Cloudflare requires in every pack"
    )
    for pack in packs.values():
        assert pack.inputs["type"] == "advanced" and pack.inputs["validationMethod"] == "txt"
        assert pack.inputs["certificateAuthority"] in ("google", "lets_encrypt", "ssl_com")
        assert pack.protect and pack.inputs["zoneId"] == LOOKED_UP_ZONE_ID
    assert run.warnings == []


def test_the_packs_validation_records_are_listed_first_in_dns_records():
    run = build(args_for("sendgrid", domains=[DEEP, "track.example.com"]))
    listed = run.stack_outputs["dns_records"]
    validation = [r for r in listed if r["purpose"] == VALIDATION]
    assert listed[: len(validation)] == validation
    assert {(r["name"], r["type"]) for r in validation} == {
        (f"_acme-challenge.{DEEP}", "TXT"), ("_acme-challenge.example.com", "TXT")
    }
    assert all(r["value"] for r in validation)


def test_adding_a_deep_domain_leaves_every_existing_pack_as_it_is():
    one = build(args_for("sendgrid", domains=[DEEP]))
    two = build(args_for("sendgrid", domains=[DEEP, "y.m.example.com"]))
    before = {p.urn: p.inputs for p in one.of_type(CERTIFICATE_PACK)}
    after = {p.urn: p.inputs for p in two.of_type(CERTIFICATE_PACK)}
    assert len(after) == 2 and {urn: after[urn] for urn in before} == before


@pytest.mark.parametrize("esp, extra", [("sendgrid", {}), ("sparkpost", {"advanced_certificates": True})],
                         ids=["proxy", "redirect"])
def test_a_deep_name_s_record_goes_proxied_only_after_its_certificate_pack(esp, extra):
    """A record switched to proxied (a live name being migrated) or created before its pack serves the
    name with no certificate that covers it; it waits for the pack of its own name, and only that one."""
    run = build(args_for(esp, domains=[DEEP, "y.m.example.com", "track.example.com"], **extra))
    packs = {p.inputs["hosts"][1]: p for p in run.of_type(CERTIFICATE_PACK)}
    for record in run.of_type(DNS_RECORD):
        waits_for = {domain for domain, pack in packs.items() if pack.urn in record.dependencies}
        assert waits_for == ({record.inputs["name"]} & set(packs)), record.inputs["name"]


def test_deep_domains_without_advanced_certificates_are_refused_with_the_reason():
    error, registered = refused(args_for("sendgrid", domains=[DEEP], advanced_certificates=False))
    assert error.argument == "domains" and DEEP in str(error) and "Advanced Certificate Manager" in str(error)
    assert registered == []
    assert build(args_for("sendgrid", advanced_certificates=False)).of_type(CERTIFICATE_PACK) == [], (
        "one-level names need no advanced certificate"
    )


def test_redirect_mode_flags_deep_domains_unless_it_orders_packs():
    run = build(args_for(domains=["track.mail.example.com", "track.example.com"]))
    flagged = [w for w in run.warnings if "Universal SSL" in w]
    assert len(flagged) == 1 and "track.mail.example.com" in flagged[0] and "advanced_certificates" in flagged[0]
    assert run.of_type(CERTIFICATE_PACK) == []
    ordered = build(args_for(domains=["track.mail.example.com", "track.example.com"], advanced_certificates=True))
    assert [p.inputs["hosts"] for p in ordered.of_type(CERTIFICATE_PACK)] == [["example.com", "track.mail.example.com"]]
    assert not [w for w in ordered.warnings if "Universal SSL" in w]


# --- page rules compatibility mode ---------------------------------------------------------------


def test_page_rules_mode_forwards_each_domain_with_a_301_to_the_esp(page_rules_run):
    _, host, run = page_rules_run
    rules = {r.inputs["target"]: r for r in run.of_type(PAGE_RULE)}
    assert sorted(rules) == sorted(f"{d}/*" for d in DOMAINS), "path and query string of every URL"
    for rule in rules.values():
        assert rule.inputs["actions"] == {"forwardingUrl": {"url": f"https://{host}/$1", "statusCode": 301}}
        assert rule.inputs["status"] == "active"
        assert rule.protect


def test_page_rules_mode_keeps_proxied_records_and_no_ruleset(page_rules_run):
    _, _, run = page_rules_run
    assert run.of_type(RULESET) == []
    assert all(r.inputs["proxied"] for r in run.of_type(DNS_RECORD)) and len(run.of_type(DNS_RECORD)) == 2
    with_ssl = build(args_for(mode="page_rules", ssl_config_rule=True))
    assert phases(with_ssl) == {CONFIG_PHASE}


def test_more_page_rules_than_the_free_plan_allows_are_refused():
    four = ["a.example.com", "b.example.com", "c.example.com", "d.example.com"]
    error, registered = refused(args_for(domains=four, mode="page_rules"))
    assert error.argument == "domains" and "page_rule_limit is 3" in str(error)
    assert registered == []
    allowed = build(args_for(domains=four, mode="page_rules", page_rule_limit=4))
    assert len(allowed.of_type(PAGE_RULE)) == 4


# --- coexisting with rules the zone already has ---------------------------------------------------

THEIR_REDIRECT = {
    "ref": "www_to_apex",
    "expression": '(http.host eq "www.example.com")',
    "action": "redirect",
    "action_parameters": {"from_value": {"status_code": 301, "target_url": {"value": "https://example.com"}}},
}
THEIR_CONFIG = {
    "ref": "strict_elsewhere",
    "expression": "true",
    "action": "set_config",
    "action_parameters": {"ssl": "strict"},
}
THEIR_CACHE = {
    "ref": "cache_static",
    "expression": '(http.request.uri.path.extension eq "css")',
    "action": "set_cache_settings",
    "action_parameters": {"cache": True},
}


def test_existing_rules_are_carried_over_not_wiped_and_tracking_rules_take_precedence():
    run = build(args_for(existing_redirect_rules=[THEIR_REDIRECT], existing_config_rules=[THEIR_CONFIG],
                         ssl_config_rule=True))
    redirect_rules = ruleset(run, REDIRECT_PHASE).inputs["rules"]
    assert [r["ref"] for r in redirect_rules] == ["tracking_cdn_redirect", "www_to_apex"], (
        "the first matching redirect wins: ours first, theirs kept"
    )
    assert redirect_rules[1]["actionParameters"]["fromValue"]["targetUrl"] == {"value": "https://example.com"}
    config_rules = ruleset(run, CONFIG_PHASE).inputs["rules"]
    assert [r["ref"] for r in config_rules] == ["strict_elsewhere", "tracking_cdn_ssl_full"], (
        "a later configuration rule overrides: theirs kept, ours last"
    )


def test_existing_cache_rules_are_kept_before_the_tracking_cache_rule():
    run = build(args_for("sendgrid", existing_cache_rules=[THEIR_CACHE], existing_config_rules=[THEIR_CONFIG]))
    assert [r["ref"] for r in ruleset(run, CACHE_PHASE).inputs["rules"]] == ["cache_static", "tracking_cdn_cache"]
    assert [r["ref"] for r in ruleset(run, CONFIG_PHASE).inputs["rules"]] == ["strict_elsewhere", "tracking_cdn_ssl_full"]


def test_without_manage_rulesets_no_entry_point_is_taken_over_and_the_rules_are_published():
    run = build(args_for(manage_rulesets=False))
    assert run.of_type(RULESET) == [] and run.of_type(PAGE_RULE) == []
    assert len(run.of_type(DNS_RECORD)) == 2
    [redirect] = run.stack_outputs["redirect_rules"]
    assert sorted(hosts_of(redirect["expression"])) == sorted(DOMAINS)
    target = redirect["action_parameters"]["from_value"]["target_url"]["expression"]
    assert target.startswith('concat("https://spgo.io"')
    proxy = build(args_for("sendgrid", manage_rulesets=False))
    assert proxy.of_type(RULESET) == []
    assert proxy.stack_outputs["config_rules"][0]["action_parameters"] == {"ssl": "full"}
    assert proxy.stack_outputs["cache_rules"][0]["action_parameters"] == {"cache": False}


def test_many_long_domains_are_split_over_rules_that_fit_cloudflares_expression_limit():
    domains = [f"click-tracking-{i:03d}.newsletters.marketing.example.com" for i in range(100)]
    for args, phase_list in (
        (args_for(domains=domains, ssl_config_rule=True), (REDIRECT_PHASE, CONFIG_PHASE)),
        (args_for("sendgrid", domains=domains, redirect_http_to_https=True), (REDIRECT_PHASE, CONFIG_PHASE, CACHE_PHASE)),
    ):
        run = build(args)
        for phase in phase_list:
            rules = tracking_rules(ruleset(run, phase).inputs["rules"])
            assert len(rules) > 1
            assert all(len(r["expression"]) <= MAX_EXPRESSION_LENGTH for r in rules)
            hosts = [h for r in rules for h in re.findall(r'"([^"]+)"', r["expression"])]
            assert hosts == domains
            assert len({r["ref"] for r in rules}) == len(rules)


def test_host_groups_keep_order_and_fit_the_limit():
    domains = tuple(f"t{i}-{'x' * 50}.example.com" for i in range(200))
    groups = group_hosts(domains)
    assert tuple(d for g in groups for d in g) == domains
    assert all(len(hosts_expression(g)) <= MAX_EXPRESSION_LENGTH for g in groups)
    with_clause = group_hosts(domains, "not ssl")
    assert len(with_clause) >= len(groups)
    assert all(len(hosts_expression(g, "not ssl")) <= MAX_EXPRESSION_LENGTH for g in with_clause)
    assert len(group_hosts(("a.example.com",))) == 1


# --- DNS options ---------------------------------------------------------------------------------


def test_dns_records_can_be_left_to_the_user_and_are_still_listed():
    run = build(args_for(manage_dns_records=False))
    assert run.of_type(DNS_RECORD) == []
    assert routes(run) == sorted((d, "AAAA", "100::") for d in DOMAINS)
    proxy = build(args_for("sendgrid", manage_dns_records=False))
    assert routes(proxy) == sorted((d, "CNAME", "sendgrid.net") for d in DOMAINS)


def test_a_given_zone_id_is_used_without_a_lookup():
    run = build(args_for(zone_id="0123abcd"))
    assert GET_ZONE not in run.invokes
    assert {c.inputs["zoneId"] for c in run.children_of(run.one(COMPONENT))} == {"0123abcd"}
    assert run.stack_outputs["zone_id"] == "0123abcd"
    assert build(args_for()).invokes == [GET_ZONE], "without zone_id the zone is looked up by name"


def test_adding_a_domain_keeps_every_existing_urn():
    for esp in ("sparkpost", "sendgrid"):
        one = build(args_for(esp, domains=["track.example.com"]))
        two = build(args_for(esp, domains=["click2.example.com", "track.example.com"]))
        assert {r.urn for r in one.resources} <= {r.urn for r in two.resources}


# --- warnings ------------------------------------------------------------------------------------


def test_arguments_without_effect_are_flagged():
    run = build(args_for(cache_ttl_seconds=30, redirect_http_to_https=True))
    assert any("cache_ttl_seconds has no effect" in w for w in run.warnings)
    assert any("redirect_http_to_https has no effect" in w for w in run.warnings)
    assert build(args_for()).warnings == []
    proxy = build(args_for("sendgrid", cache_ttl_seconds=10))
    [flagged] = [w for w in proxy.warnings if "cache_ttl_seconds" in w]
    assert "edge_cache_ttl_seconds" in flagged and "Business or Enterprise" in flagged


# --- refusals ------------------------------------------------------------------------------------

BAD_INPUTS = [
    ({"domains": DOMAINS}, "zone_name"),
    (args_for(zone_name="https://example.com/"), "zone_name"),
    (args_for(zone_name=pulumi.Output.from_input("example.com")), "zone_name"),
    (args_for(zone_id=""), "zone_id"),
    (args_for(zone_id=12345), "zone_id"),
    (args_for(domains=["track.example.org"]), "domains"),
    (args_for(domains=["track.notexample.com"]), "domains"),
    (args_for(mode="workers"), "mode"),
    (args_for(mode="Proxy"), "mode"),
    (args_for("sendgrid", mode="redirect"), "mode"),
    (args_for("sendgrid", mode="rulesets"), "mode"),
    (args_for("sendgrid", mode="page_rules"), "mode"),
    (args_for(manage_rulesets="yes"), "manage_rulesets"),
    (args_for(manage_dns_records=1), "manage_dns_records"),
    (args_for(ssl_config_rule="true"), "ssl_config_rule"),
    (args_for("sendgrid", ssl_config_rule=False), "ssl_config_rule"),
    (args_for(existing_redirect_rules={"expression": "true"}), "existing_redirect_rules"),
    (args_for(existing_redirect_rules=[{"action": "redirect"}]), "existing_redirect_rules[0]"),
    (args_for(ssl_config_rule=True, existing_config_rules=[{**THEIR_CONFIG, "ref": "tracking_cdn_ssl_full"}]),
     "existing_config_rules[0]"),
    (args_for(ssl_config_rule=True, existing_config_rules=[{**THEIR_CONFIG, "ref": "tracking_cdn_x"}]),
     "existing_config_rules[0]"),
    (args_for(manage_rulesets=False, ssl_config_rule=True, existing_config_rules=[THEIR_CONFIG]),
     "existing_config_rules"),
    (args_for(existing_config_rules=[THEIR_CONFIG]), "existing_config_rules"),
    (args_for(existing_cache_rules=[THEIR_CACHE]), "existing_cache_rules"),
    (args_for("sendgrid", existing_redirect_rules=[THEIR_REDIRECT]), "existing_redirect_rules"),
    (args_for(mode="page_rules", existing_redirect_rules=[THEIR_REDIRECT]), "existing_redirect_rules"),
    (args_for(page_rule_limit=20), "page_rule_limit"),
    (args_for(mode="page_rules", page_rule_limit=-1), "page_rule_limit"),
    (args_for(dns_record_target="http://example.com"), "dns_record_target"),
    (args_for("sendgrid", dns_record_target="example.com"), "dns_record_target"),
    (args_for(edge_cache_ttl_seconds=10), "edge_cache_ttl_seconds"),
    (args_for("sendgrid", edge_cache_ttl_seconds=0), "edge_cache_ttl_seconds"),
    (args_for("sendgrid", edge_cache_ttl_seconds=3601), "edge_cache_ttl_seconds"),
    (args_for("sendgrid", edge_cache_ttl_seconds=True), "edge_cache_ttl_seconds"),
    (args_for("iterable", edge_cache_ttl_seconds=60), "edge_cache_ttl_seconds"),
    (args_for("ses", mode="redirect"), "mode"),
    (args_for("customerio", mode="page_rules"), "mode"),
    (args_for("iterable-eu", mode="rulesets"), "mode"),
    (args_for("ses", esp_region="mars-1"), "esp_region"),
    (args_for(advanced_certificates="no"), "advanced_certificates"),
    (args_for(domains=["a.b.example.com"], advanced_certificates=False), "domains"),
    (args_for(esp="mailchimp"), "esp"),
    ({"domains": DOMAINS, "zone_name": ZONE, "esp": "sparkpost-enterprise"}, "tenant"),
    ({"domains": DOMAINS, "zone_name": ZONE, "esp": "custom"}, "origin_host"),
    (args_for(zone="example.com"), "zone"),
    (args_for(domains=["*.example.com"]), "domains[0]"),
]


@pytest.mark.parametrize("args, argument", BAD_INPUTS, ids=[f"{a}-{i}" for i, (_, a) in enumerate(BAD_INPUTS)])
def test_bad_input_is_refused_naming_the_argument_before_anything_registers(args, argument):
    error, registered = refused(args)
    assert error.argument == argument
    assert registered == []


def test_a_redirect_for_an_esp_that_routes_on_the_tracking_domain_is_refused_with_the_way_out():
    error, _ = refused(args_for("sendgrid", mode="redirect"))
    assert "routes on the tracking domain" in str(error) and "mode='proxy'" in str(error)


def test_a_domain_outside_the_zone_is_refused_with_a_clear_message():
    error, _ = refused(args_for(domains=["track.example.com", "click.example.net"]))
    assert "click.example.net" in str(error) and "example.com" in str(error)
    assert "track.example.com" not in str(error).split("not in")[0]


# --- the example stack and plan ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 10, 100])
def test_the_example_stack_serves_any_number_of_domains_in_its_zone(count):
    domains = [f"t{i}.example.com" for i in range(count)]
    run = run_stack("cloudflare-example", {"tracking-cdn:domains": domains})
    assert len(run.of_type(DNS_RECORD)) == count
    [rule] = ruleset(run, REDIRECT_PHASE).inputs["rules"]
    assert sorted(hosts_of(rule["expression"])) == sorted(domains)
    assert len(run.stack_outputs["dnsRecords"]) == count


def test_the_example_stack_redirects_to_sparkpost_and_exports_the_rules():
    run = run_stack("cloudflare-example")
    assert run.stack_outputs["frontDoor"] == "cloudflare"
    assert run.stack_outputs["originHost"] == "spgo.io"
    assert {"zoneId", "redirectRules", "configRules", "cacheRules", "dnsRecords"} <= set(run.stack_outputs)
    assert all(r.protect for r in run.children_of(run.one(COMPONENT)))
    rule = ruleset(run, REDIRECT_PHASE).inputs["rules"][0]
    assert rule["actionParameters"]["fromValue"]["statusCode"] == 301


def test_the_example_stack_proxies_sendgrid():
    run = run_stack("cloudflare-example", {"tracking-cdn:esp": "sendgrid", "tracking-cdn:mode": None})
    assert phases(run) == {CONFIG_PHASE, CACHE_PHASE} and run.warnings == []
    assert {r.inputs["content"] for r in run.of_type(DNS_RECORD)} == {"sendgrid.net"}


def test_the_example_stack_looks_the_zone_up_by_name_and_can_use_page_rules():
    run = run_stack("cloudflare-example", {"tracking-cdn:zoneId": None, "tracking-cdn:mode": "page_rules"})
    assert len(run.of_type(PAGE_RULE)) == 2
    assert {r.inputs["zoneId"] for r in run.of_type(PAGE_RULE)} == {LOOKED_UP_ZONE_ID}


def test_plan_renders_the_cloudflare_example_offline(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "cloudflare-example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OFFLINE RENDERING")
    assert "+ tracking-cdn:index:CloudflareTrackingDomain" in out
    assert 'concat("https://spgo.io", http.request.uri.path)' in out
    assert "track.example.com  AAAA  100::" in out.replace("   ", "  ")


# --- deep links: app_links, well_known_origin (issue 17) -----------------------------------------

WORKERS_SCRIPT = "cloudflare:index/workersScript:WorkersScript"
WORKERS_ROUTE = "cloudflare:index/workersRoute:WorkersRoute"
APPLE_PATH = "/.well-known/apple-app-site-association"
ANDROID_PATH = "/.well-known/assetlinks.json"
APP_LINKS = {"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION, "android_asset_links": ANDROID_ASSET_LINKS}
ACCOUNT = "0123456789abcdef0123456789abcdef"
NOT_FILES = f'not (http.request.uri.path in {{"{APPLE_PATH}" "{ANDROID_PATH}"}})'
WELL_KNOWN = 'starts_with(http.request.uri.path, "/.well-known/")'


def with_app_links(esp: str = "sparkpost", **overrides) -> dict:
    return args_for(esp, app_links=APP_LINKS, account_id=ACCOUNT, **overrides)


@pytest.mark.parametrize("esp", ["sparkpost", "sendgrid"])
def test_a_worker_answers_the_app_link_files_on_a_route_per_domain_and_file(esp):
    from tracking_cdn.deep_links import resolve_app_links

    run = build(with_app_links(esp))
    script = run.one(WORKERS_SCRIPT)
    assert script.inputs["accountId"] == ACCOUNT and script.inputs["mainModule"] == "worker.js"
    assert re.fullmatch(r"t-app-links-[0-9a-f]{8}", script.inputs["scriptName"])
    for file in resolve_app_links(APP_LINKS).files:
        assert json.dumps(file.text) in script.inputs["content"], "the exact bytes, as a JS string literal"
    routes = {r.inputs["pattern"]: r for r in run.of_type(WORKERS_ROUTE)}
    assert sorted(routes) == sorted(f"{d}{p}*" for d in DOMAINS for p in (APPLE_PATH, ANDROID_PATH)), (
        "exactly the two paths on every tracking domain, any scheme, any query string"
    )
    for route in routes.values():
        assert route.inputs["script"] == script.inputs["scriptName"] and route.inputs["zoneId"] == LOOKED_UP_ZONE_ID
    assert script.protect and all(r.protect for r in routes.values()), "they serve live files"
    for record in run.of_type(DNS_RECORD):
        assert {script.urn, *(r.urn for r in routes.values())} <= set(record.dependencies)


def test_the_esp_redirect_leaves_exactly_the_app_link_files_alone():
    run = build(with_app_links())
    [rule] = ruleset(run, REDIRECT_PHASE).inputs["rules"]
    assert rule["expression"] == hosts_expression(tuple(DOMAINS), NOT_FILES), (
        "/f/..., /q/... and every other /.well-known/ path still go to the ESP"
    )
    assert rule["actionParameters"]["fromValue"]["targetUrl"]["expression"].startswith('concat("https://spgo.io"')


def test_without_app_links_the_click_path_is_exactly_what_it_was():
    plain = build(args_for())
    [rule] = ruleset(plain, REDIRECT_PHASE).inputs["rules"]
    assert rule["expression"] == hosts_expression(tuple(DOMAINS)) == '(http.host in {"track.example.com" "click2.example.com"})'
    assert plain.of_type(WORKERS_SCRIPT) == [] and plain.of_type(WORKERS_ROUTE) == []
    with_links = build(with_app_links())
    unchanged = {r.urn: r.inputs for r in plain.of_type(DNS_RECORD)}
    assert {r.urn: r.inputs for r in with_links.of_type(DNS_RECORD)} == unchanged


def test_proxy_https_redirect_never_redirects_the_app_link_files():
    run = build(with_app_links("sendgrid", redirect_http_to_https=True))
    [rule] = ruleset(run, REDIRECT_PHASE).inputs["rules"]
    assert rule["expression"] == hosts_expression(tuple(DOMAINS), "not ssl", NOT_FILES)


@pytest.mark.parametrize("esp", ["sparkpost", "sendgrid"])
def test_other_well_known_paths_go_to_the_well_known_origin(esp):
    run = build(with_app_links(esp, well_known_origin="www.example.com"))
    rules = {r["ref"]: r for r in ruleset(run, REDIRECT_PHASE).inputs["rules"]}
    well_known = rules["tracking_cdn_well_known"]
    assert well_known["expression"] == hosts_expression(tuple(DOMAINS), WELL_KNOWN, NOT_FILES)
    target = well_known["actionParameters"]["fromValue"]
    assert target["targetUrl"] == {"expression": 'concat("https://www.example.com", http.request.uri.path)'}
    assert target["preserveQueryString"] is True
    if esp == "sparkpost":
        assert rules["tracking_cdn_redirect"]["expression"] == hosts_expression(tuple(DOMAINS), f"not {WELL_KNOWN}")
    else:
        assert set(rules) == {"tracking_cdn_well_known"}, "proxy mode redirects nothing else"


@pytest.mark.parametrize("esp", ["sparkpost", "sendgrid"])
def test_well_known_origin_without_app_links_never_redirects_the_app_link_files(esp):
    """Apple and Android refuse a redirect for their files: without ``app_links`` the Worker fetches both
    from ``well_known_origin`` (as every other front door forwards them there); only the other
    ``/.well-known/*`` paths are redirected."""
    run = build(args_for(esp, well_known_origin="www.example.com", account_id=ACCOUNT))
    rules = {r["ref"]: r for r in ruleset(run, REDIRECT_PHASE).inputs["rules"]}
    assert rules["tracking_cdn_well_known"]["expression"] == hosts_expression(tuple(DOMAINS), WELL_KNOWN, NOT_FILES)
    if esp == "sparkpost":
        assert rules["tracking_cdn_redirect"]["expression"] == hosts_expression(tuple(DOMAINS), f"not {WELL_KNOWN}")
    script = run.one(WORKERS_SCRIPT)
    assert script.inputs["accountId"] == ACCOUNT and script.protect
    assert 'const ORIGIN = "https://www.example.com";' in script.inputs["content"]
    assert sorted(r.inputs["pattern"] for r in run.of_type(WORKERS_ROUTE)) == sorted(
        f"{d}{p}*" for d in DOMAINS for p in (APPLE_PATH, ANDROID_PATH))


def test_with_one_file_given_the_other_comes_from_the_well_known_origin_through_the_worker():
    run = build(args_for(app_links={"android_asset_links": ANDROID_ASSET_LINKS}, account_id=ACCOUNT,
                         well_known_origin="www.example.com"))
    rules = {r["ref"]: r for r in ruleset(run, REDIRECT_PHASE).inputs["rules"]}
    assert rules["tracking_cdn_well_known"]["expression"] == hosts_expression(tuple(DOMAINS), WELL_KNOWN, NOT_FILES)
    assert len(run.of_type(WORKERS_ROUTE)) == 4, "a route per domain for each of the two files"



def test_app_links_refusals_name_the_argument():
    for args, argument, words in (
        (args_for(app_links=APP_LINKS), "account_id", "Worker"),
        (with_app_links(mode="page_rules"), "app_links", "mode='redirect'"),
        (args_for(mode="page_rules", well_known_origin="www.example.com"), "well_known_origin", "page_rules"),
        (with_app_links(), "name", None),
        (with_app_links("iterable"), "app_links", "iterable"),
        (args_for(well_known_origin="track.example.com"), "well_known_origin", "loop"),
        (args_for(well_known_origin="www.example.com"), "account_id", "well_known_origin"),
    ):
        create = (lambda a=args: CloudflareTrackingDomain("Track", a)) if argument == "name" else (
            lambda a=args: CloudflareTrackingDomain("t", a))
        error, registered = refusal(create)
        assert error.argument == argument, str(error)
        assert words is None or words in str(error), str(error)
        assert registered == []


def test_a_component_name_cloudflare_would_refuse_as_a_worker_name_is_refused_naming_name():
    error, _ = refusal(lambda: CloudflareTrackingDomain("a" * 45, with_app_links()))
    assert error.argument == "name" and "at most 44 characters" in str(error)
    assert build(args_for()).of_type(WORKERS_SCRIPT) == [], "without app_links the name is not a Worker's"
    accepted = refusal_free(lambda: CloudflareTrackingDomain("a" * 44, with_app_links()))
    assert accepted.of_type(WORKERS_SCRIPT)


def refusal_free(create):
    return offline.run_offline(create)


def test_the_example_stack_takes_app_links_from_its_config():
    run = run_stack("cloudflare-example", {"tracking-cdn:accountId": ACCOUNT, "tracking-cdn:appLinks": APP_LINKS,
                                           "tracking-cdn:wellKnownOrigin": "www.example.com"})
    assert run.one(WORKERS_SCRIPT).inputs["accountId"] == ACCOUNT
    assert len(run.of_type(WORKERS_ROUTE)) == 4


# --- the zone's Always Use HTTPS ---------------------------------------------------------------------


def test_always_use_https_on_the_zone_is_refused_where_it_would_redirect_plain_http_links_served_as_asked():
    """Cloudflare's Always Use HTTPS 301s every http:// request of the zone, before the rules, and no rule
    turns it off for one host: proxy mode without redirect_http_to_https cannot serve plain HTTP then."""
    error, registered = refused(args_for("sendgrid", zone_always_use_https=True))
    assert error.argument == "zone_always_use_https" and registered == []
    for words in ("redirect_http_to_https: false", "Always Use HTTPS off", "Single Redirect",
                  "zone_always_use_https: false", "redirect_http_to_https: true"):
        assert words in str(error), words


def test_always_use_https_on_the_zone_is_refused_for_deep_domains_no_certificate_covers():
    error, registered = refused(args_for("sparkpost", domains=[DEEP], zone_always_use_https=True))
    assert error.argument == "zone_always_use_https" and registered == []
    assert f"https://{DEEP}" in str(error) and "advanced_certificates: true" in str(error)


@pytest.mark.parametrize("esp, extra", [("sendgrid", {"redirect_http_to_https": True}),
                                        ("sparkpost", {}),
                                        ("sparkpost", {"domains": [DEEP], "advanced_certificates": True})],
                         ids=["proxy-redirecting", "redirect-mode", "redirect-mode-deep-with-pack"])
def test_always_use_https_on_the_zone_is_accepted_where_links_end_up_served_alike(esp, extra):
    """What Always Use HTTPS does there is what the component does anyway (or one hop more, to a name
    with a certificate): nothing changes in what is registered."""
    with_setting = build(args_for(esp, zone_always_use_https=True, **extra))
    without = build(args_for(esp, **extra))
    def registered(run):
        return sorted(json.dumps([r.type, r.name, r.inputs], sort_keys=True) for r in run.resources)

    assert registered(with_setting) == registered(without)
