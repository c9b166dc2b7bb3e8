"""Policies of the Cloudflare front door (issue 5), checked on what the component registers under the
mock engine: every request to a tracking domain (HTTP or HTTPS) answers a 301 to
``https://<ESP host><same path>`` with the query string kept, SSL Full for those hosts, a proxied DNS
record per domain, Rulesets by default and Page Rules only on request (within the plan's limit),
existing rules carried over rather than wiped, domains outside the zone refused, protection, the
example stack and ``plan``."""

import re

import pulumi
import pytest

from conftest import ESP_CASES, REPO, refusal, run_stack
from tracking_cdn import cli, offline
from tracking_cdn.cloudflare import (
    MAX_EXPRESSION_LENGTH,
    CloudflareTrackingDomain,
    group_hosts,
    hosts_expression,
)
from tracking_cdn.contract import ROUTE
from tracking_cdn.errors import InvalidArgument

COMPONENT = "tracking-cdn:index:CloudflareTrackingDomain"
RULESET = "cloudflare:index/ruleset:Ruleset"
PAGE_RULE = "cloudflare:index/pageRule:PageRule"
DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
GET_ZONE = "cloudflare:index/getZone:getZone"
REDIRECT_PHASE = "http_request_dynamic_redirect"
CONFIG_PHASE = "http_config_settings"
ZONE = "example.com"
LOOKED_UP_ZONE_ID = "<zone id of example.com>"
DOMAINS = ["track.example.com", "click2.example.com"]
OUTPUTS = ("origin_host", "dns_records", "zone_id", "redirect_rules", "config_rules")


def args_for(esp: str = "sparkpost", **overrides) -> dict:
    extra = ESP_CASES[esp][0] if esp in ESP_CASES else {}
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


def hosts_of(expression: str) -> list[str]:
    """The hosts an ``(http.host in {...})`` expression matches; fails on any other expression shape."""
    match = re.fullmatch(r'\(http\.host in \{((?:"[a-z0-9.-]+" ?)+)\}\)', expression)
    assert match, f"not a plain host-set expression: {expression}"
    return re.findall(r'"([^"]+)"', match.group(1))


def tracking_rules(rules: list[dict]) -> list[dict]:
    return [rule for rule in rules if str(rule.get("ref", "")).startswith("tracking_cdn_")]


@pytest.fixture(scope="module", params=ESP_CASES)
def profile_run(request):
    esp = request.param
    return esp, ESP_CASES[esp][1], build(args_for(esp))


@pytest.fixture(scope="module", params=ESP_CASES)
def page_rules_run(request):
    esp = request.param
    return esp, ESP_CASES[esp][1], build(args_for(esp, mode="page_rules"))


# --- the redirect --------------------------------------------------------------------------------


def test_every_request_to_a_tracking_domain_answers_301_to_the_esp_host_with_path_and_query(profile_run):
    esp, host, run = profile_run
    redirect = ruleset(run, REDIRECT_PHASE)
    assert redirect.inputs["kind"] == "zone"
    [rule] = redirect.inputs["rules"]
    assert rule["action"] == "redirect" and rule["enabled"] is True
    assert sorted(hosts_of(rule["expression"])) == sorted(DOMAINS), "matches the tracking hosts, any scheme"
    from_value = rule["actionParameters"]["fromValue"]
    assert from_value["statusCode"] == 301
    assert from_value["targetUrl"] == {"expression": f'concat("https://{host}", http.request.uri.path)'}
    assert from_value["preserveQueryString"] is True


def test_http_and_https_are_both_redirected_no_scheme_condition(profile_run):
    _, _, run = profile_run
    for phase in (REDIRECT_PHASE, CONFIG_PHASE):
        for rule in ruleset(run, phase).inputs["rules"]:
            assert "ssl" not in rule["expression"] and "scheme" not in rule["expression"]


def test_ssl_mode_is_full_for_the_tracking_hosts_only(profile_run):
    _, _, run = profile_run
    config = ruleset(run, CONFIG_PHASE)
    [rule] = config.inputs["rules"]
    assert rule["action"] == "set_config" and rule["actionParameters"] == {"ssl": "full"}
    assert sorted(hosts_of(rule["expression"])) == sorted(DOMAINS)


def test_a_proxied_record_exists_for_each_tracking_domain_so_the_rule_fires(profile_run):
    _, host, run = profile_run
    records = {r.inputs["name"]: r for r in run.of_type(DNS_RECORD)}
    assert sorted(records) == sorted(DOMAINS)
    for record in records.values():
        assert record.inputs["proxied"] is True
        assert (record.inputs["type"], record.inputs["content"]) == ("CNAME", host)
        assert record.inputs["zoneId"] == LOOKED_UP_ZONE_ID
        assert record.inputs["ttl"] == 1, "proxied records take the automatic TTL"


def test_records_are_created_after_the_rules(profile_run):
    _, _, run = profile_run
    rules = {r.urn for r in run.of_type(RULESET)}
    for record in run.of_type(DNS_RECORD):
        assert rules <= set(record.dependencies)


def test_rulesets_not_page_rules_by_default(profile_run):
    _, _, run = profile_run
    assert run.of_type(PAGE_RULE) == []
    assert {r.inputs["phase"] for r in run.of_type(RULESET)} == {REDIRECT_PHASE, CONFIG_PHASE}


def test_dns_records_list_every_proxied_record(profile_run):
    _, host, run = profile_run
    listed = run.stack_outputs["dns_records"]
    assert sorted((r["name"], r["type"], r["value"], r["purpose"]) for r in listed) == sorted(
        (d, "CNAME", host, ROUTE) for d in DOMAINS
    )
    assert run.stack_outputs["origin_host"] == host


def test_the_zone_is_looked_up_by_name_and_every_child_uses_it(profile_run):
    _, _, run = profile_run
    assert run.stack_outputs["zone_id"] == LOOKED_UP_ZONE_ID
    component = run.one(COMPONENT)
    for child in run.children_of(component):
        assert child.inputs["zoneId"] == LOOKED_UP_ZONE_ID


def test_live_serving_resources_are_protected_by_default(profile_run):
    _, _, run = profile_run
    component = run.one(COMPONENT)
    children = run.children_of(component)
    assert {c.type for c in children} == {RULESET, DNS_RECORD}
    assert all(c.protect for c in children)


def test_published_rules_are_the_ones_installed(profile_run):
    _, _, run = profile_run
    installed = ruleset(run, REDIRECT_PHASE).inputs["rules"][0]
    [published] = run.stack_outputs["redirect_rules"]
    assert published["expression"] == installed["expression"]
    published_target = published["action_parameters"]["from_value"]["target_url"]
    assert published_target == installed["actionParameters"]["fromValue"]["targetUrl"]
    [config] = run.stack_outputs["config_rules"]
    assert config["action_parameters"] == {"ssl": "full"}


def test_protection_can_be_turned_off_for_teardown():
    run = build(args_for(protect_serving_resources=False))
    assert run.of_type(RULESET) and run.of_type(DNS_RECORD)
    assert not any(r.protect for r in run.resources)


# --- page rules compatibility mode ---------------------------------------------------------------


def test_page_rules_mode_forwards_each_domain_with_a_301_to_the_esp(page_rules_run):
    _, host, run = page_rules_run
    rules = {r.inputs["target"]: r for r in run.of_type(PAGE_RULE)}
    assert sorted(rules) == sorted(f"{d}/*" for d in DOMAINS), "path and query string of every URL"
    for rule in rules.values():
        assert rule.inputs["actions"] == {"forwardingUrl": {"url": f"https://{host}/$1", "statusCode": 301}}
        assert rule.inputs["status"] == "active"
        assert rule.protect


def test_page_rules_mode_keeps_ssl_full_and_proxied_records_but_no_redirect_ruleset(page_rules_run):
    _, _, run = page_rules_run
    assert [r.inputs["phase"] for r in run.of_type(RULESET)] == [CONFIG_PHASE]
    assert ruleset(run, CONFIG_PHASE).inputs["rules"][0]["actionParameters"] == {"ssl": "full"}
    assert all(r.inputs["proxied"] for r in run.of_type(DNS_RECORD)) and len(run.of_type(DNS_RECORD)) == 2


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


def test_existing_rules_are_carried_over_not_wiped_and_tracking_rules_take_precedence():
    run = build(args_for(existing_redirect_rules=[THEIR_REDIRECT], existing_config_rules=[THEIR_CONFIG]))
    redirect_rules = ruleset(run, REDIRECT_PHASE).inputs["rules"]
    assert [r["ref"] for r in redirect_rules] == ["tracking_cdn_redirect", "www_to_apex"], (
        "the first matching redirect wins: ours first, theirs kept"
    )
    assert redirect_rules[1]["actionParameters"]["fromValue"]["targetUrl"] == {"value": "https://example.com"}
    config_rules = ruleset(run, CONFIG_PHASE).inputs["rules"]
    assert [r["ref"] for r in config_rules] == ["strict_elsewhere", "tracking_cdn_ssl_full"], (
        "a later configuration rule overrides: theirs kept, ours last"
    )


def test_without_manage_rulesets_no_entry_point_is_taken_over_and_the_rules_are_published():
    run = build(args_for(manage_rulesets=False))
    assert run.of_type(RULESET) == [] and run.of_type(PAGE_RULE) == []
    assert len(run.of_type(DNS_RECORD)) == 2
    [redirect] = run.stack_outputs["redirect_rules"]
    assert sorted(hosts_of(redirect["expression"])) == sorted(DOMAINS)
    target = redirect["action_parameters"]["from_value"]["target_url"]["expression"]
    assert target.startswith('concat("https://spgo.io"')
    assert run.stack_outputs["config_rules"][0]["action_parameters"] == {"ssl": "full"}


def test_many_long_domains_are_split_over_rules_that_fit_cloudflares_expression_limit():
    domains = [f"click-tracking-{i:03d}.newsletters.marketing.example.com" for i in range(100)]
    run = build(args_for(domains=domains))
    for phase in (REDIRECT_PHASE, CONFIG_PHASE):
        rules = tracking_rules(ruleset(run, phase).inputs["rules"])
        assert len(rules) > 1
        assert all(len(r["expression"]) <= MAX_EXPRESSION_LENGTH for r in rules)
        assert [h for r in rules for h in hosts_of(r["expression"])] == domains
        assert len({r["ref"] for r in rules}) == len(rules)


def test_host_groups_keep_order_and_fit_the_limit():
    domains = tuple(f"t{i}-{'x' * 50}.example.com" for i in range(200))
    groups = group_hosts(domains)
    assert tuple(d for g in groups for d in g) == domains
    assert all(len(hosts_expression(g)) <= MAX_EXPRESSION_LENGTH for g in groups)
    assert len(group_hosts(("a.example.com",))) == 1


# --- DNS options ---------------------------------------------------------------------------------


def test_dns_records_can_be_left_to_the_user_and_are_still_listed():
    run = build(args_for(manage_dns_records=False))
    assert run.of_type(DNS_RECORD) == []
    assert sorted(r["name"] for r in run.stack_outputs["dns_records"]) == sorted(DOMAINS)
    assert all(r["value"] == "spgo.io" for r in run.stack_outputs["dns_records"])


def test_the_record_target_can_be_a_host_of_the_zone_to_avoid_error_1014():
    run = build(args_for(esp="sendgrid", dns_record_target="example.com"))
    assert {r.inputs["content"] for r in run.of_type(DNS_RECORD)} == {"example.com"}
    target = ruleset(run, REDIRECT_PHASE).inputs["rules"][0]["actionParameters"]["fromValue"]["targetUrl"]
    assert target["expression"].startswith('concat("https://sendgrid.net"'), "the redirect still goes to the ESP"


def test_a_given_zone_id_is_used_without_a_lookup():
    run = build(args_for(zone_id="0123abcd"))
    assert GET_ZONE not in run.invokes
    assert {c.inputs["zoneId"] for c in run.children_of(run.one(COMPONENT))} == {"0123abcd"}
    assert run.stack_outputs["zone_id"] == "0123abcd"
    assert build(args_for()).invokes == [GET_ZONE], "without zone_id the zone is looked up by name"


def test_adding_a_domain_keeps_every_existing_urn():
    one = build(args_for(domains=["track.example.com"]))
    two = build(args_for(domains=["click2.example.com", "track.example.com"]))
    assert {r.urn for r in one.resources} <= {r.urn for r in two.resources}


# --- warnings ------------------------------------------------------------------------------------


def test_arguments_without_effect_on_a_redirect_are_flagged():
    run = build(args_for(cache_ttl_seconds=30, redirect_http_to_https=True))
    assert any("cache_ttl_seconds has no effect" in w for w in run.warnings)
    assert any("redirect_http_to_https has no effect" in w for w in run.warnings)
    assert build(args_for()).warnings == []


@pytest.mark.parametrize("esp", ESP_CASES)
def test_a_redirect_losing_the_host_an_esp_routes_on_is_flagged(esp):
    run = build(args_for(esp))
    flagged = [w for w in run.warnings if "routes on the tracking domain" in w]
    assert len(flagged) == (1 if esp == "sendgrid" else 0)


def test_domains_deeper_than_universal_ssl_covers_are_flagged():
    run = build(args_for(domains=["track.mail.example.com", "track.example.com"]))
    flagged = [w for w in run.warnings if "Universal SSL" in w]
    assert len(flagged) == 1 and "track.mail.example.com" in flagged[0]


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
    (args_for(manage_rulesets="yes"), "manage_rulesets"),
    (args_for(manage_dns_records=1), "manage_dns_records"),
    (args_for(existing_redirect_rules={"expression": "true"}), "existing_redirect_rules"),
    (args_for(existing_redirect_rules=[{"action": "redirect"}]), "existing_redirect_rules[0]"),
    (args_for(existing_config_rules=[{**THEIR_CONFIG, "ref": "tracking_cdn_ssl_full"}]), "existing_config_rules[0]"),
    (args_for(manage_rulesets=False, existing_config_rules=[THEIR_CONFIG]), "existing_config_rules"),
    (args_for(mode="page_rules", existing_redirect_rules=[THEIR_REDIRECT]), "existing_redirect_rules"),
    (args_for(page_rule_limit=20), "page_rule_limit"),
    (args_for(mode="page_rules", page_rule_limit=-1), "page_rule_limit"),
    (args_for(dns_record_target="http://example.com"), "dns_record_target"),
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
    assert {"zoneId", "redirectRules", "configRules", "dnsRecords"} <= set(run.stack_outputs)
    assert all(r.protect for r in run.children_of(run.one(COMPONENT)))
    rule = ruleset(run, REDIRECT_PHASE).inputs["rules"][0]
    assert rule["actionParameters"]["fromValue"]["statusCode"] == 301


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
    assert "track.example.com  CNAME  spgo.io" in out.replace("   ", "  ")
