"""Policies for Google Cloud and Cloudflare platform mode (issue 31): one load balancer with a certificate
map, or one Cloudflare for SaaS zone, for every tenant; a tenant adds its domains' certificates or
custom hostnames and nothing else."""

import pytest

from conftest import ESP_CASES, refusal
from tracking_cdn.offline import run_offline
from tracking_cdn.platform import COMMON_CONFIG_KEYS, TENANT_CONFIG_KEYS
from tracking_cdn.platform.cloudflare import CloudflareTrackingPlatform, CloudflareTrackingTenant
from tracking_cdn.platform.gcp import GcpTrackingPlatform, GcpTrackingTenant
from tracking_cdn.plan import plain

ZONE = "tracking-platform.net"
MAP_ENTRY = "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry"
MAP = "gcp:certificatemanager/certificateMap:CertificateMap"
HTTPS_PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
BACKEND = "gcp:compute/backendService:BackendService"
RULE = "gcp:compute/globalForwardingRule:GlobalForwardingRule"
HOSTNAME = "cloudflare:index/customHostname:CustomHostname"
FALLBACK = "cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin"
RECORD = "cloudflare:index/dnsRecord:DnsRecord"
RULESET = "cloudflare:index/ruleset:Ruleset"


def run(platform_class, tenant_class, platform_args, **tenants):
    def program():
        platform = platform_class("tracking", dict(platform_args))
        for name, args in tenants.items():
            tenant_class(name, {"platform": platform, **args})

    return run_offline(program)


def component_outputs(result, token, name):
    return plain(next(r for r in result.resources if r.type == token and r.name == name).outputs)


# --- Google Cloud -----------------------------------------------------------------------------------

def gcp(platform_args=None, **tenants):
    return run(GcpTrackingPlatform, GcpTrackingTenant, platform_args or {}, **tenants)


@pytest.mark.parametrize("esp", ESP_CASES)
def test_gcp_the_load_balancer_sends_every_request_to_the_esp_with_the_host_it_needs(esp):
    args, host, routes_on_host = ESP_CASES[esp]
    backend = gcp(args).one(BACKEND).inputs
    assert backend["protocol"] == "HTTPS" and backend["enableCdn"] is False
    assert backend["customRequestHeaders"] == ([] if routes_on_host else [f"Host: {host}"])


def test_gcp_the_platform_serves_http_and_https_and_its_proxy_presents_the_tenants_certificate_map():
    result = gcp({})
    assert sorted(r.inputs["portRange"] for r in result.of_type(RULE)) == ["443", "80"]
    assert result.one(HTTPS_PROXY).inputs["certificateMap"].endswith(result.one(MAP).id)
    assert result.of_type(MAP_ENTRY) == []


def test_gcp_a_tenant_adds_one_map_entry_per_domain_to_the_platform_s_map_and_lists_both_records():
    result = gcp({"enable_ipv6": True}, acme={"domains": ["track.acme.com", "click.acme.com"]})
    entries = result.of_type(MAP_ENTRY)
    assert sorted(e.inputs["hostname"] for e in entries) == ["click.acme.com", "track.acme.com"]
    assert {e.inputs["map"] for e in entries} == {result.one(MAP).outputs["name"]}
    records = component_outputs(result, "tracking-cdn:index:GcpTrackingTenant", "acme")["dns_records"]
    assert [(r["type"], r["purpose"]) for r in records if r["name"] == "track.acme.com"] == [("A", "route"), ("AAAA", "route")]
    assert {r["name"] for r in records if r["purpose"] == "validation"} == {
        "_acme-challenge.track.acme.com", "_acme-challenge.click.acme.com"}


def test_gcp_a_pending_tenant_is_unprotected_and_a_validated_one_protected():
    result = gcp({}, acme={"domains": ["track.acme.com"]}, globex={"domains": ["t.globex.com"], "validated": True})
    by_host = {e.inputs["hostname"]: e.protect for e in result.of_type(MAP_ENTRY)}
    assert by_host == {"track.acme.com": False, "t.globex.com": True}


def test_gcp_a_program_creating_more_than_a_minute_of_certificate_manager_writes_is_warned():
    result = gcp({}, **{f"t{i}": {"domains": [f"a.t{i}.com", f"b.t{i}.com"]} for i in range(51)})
    assert any("300 a minute" in w and "batches" in w for w in result.warnings)
    assert not any("300 a minute" in w for w in gcp({}, t0={"domains": ["a.t0.com"]}).warnings)


def test_gcp_the_tenant_config_holds_what_a_tenant_in_another_stack_needs():
    config = component_outputs(gcp({}), "tracking-cdn:index:GcpTrackingPlatform", "tracking")["tenant_config"]
    assert set(config) == {*COMMON_CONFIG_KEYS, *TENANT_CONFIG_KEYS["gcp"]} and config["ipv6_address"] == ""


# --- Cloudflare -------------------------------------------------------------------------------------

def saas(platform_args=None, **tenants):
    return run(CloudflareTrackingPlatform, CloudflareTrackingTenant, {"zone_name": ZONE, **(platform_args or {})},
               **tenants)


def test_cloudflare_proxy_mode_sends_custom_hostnames_to_the_esp_through_the_fallback_origin():
    result = saas({"esp": "sendgrid"})
    fallback = next(r for r in result.of_type(RECORD) if r.name == "tracking-fallback").inputs
    assert (fallback["type"], fallback["content"], fallback["proxied"]) == ("CNAME", "sendgrid.net", True)
    assert result.one(FALLBACK).inputs["origin"] == f"fallback.{ZONE}"
    rules = {r.inputs["phase"]: r.inputs["rules"] for r in result.of_type(RULESET)}
    assert rules["http_config_settings"][0]["actionParameters"] == {"ssl": "full"}
    assert rules["http_request_cache_settings"][0]["actionParameters"] == {"cache": False}
    assert "http_request_dynamic_redirect" not in rules, "port 80 is served, not redirected"


def test_cloudflare_redirect_mode_answers_every_custom_hostname_with_the_esp_s_redirect():
    result = saas({"esp": "sparkpost"})
    (ruleset,) = result.of_type(RULESET)
    (rule,) = ruleset.inputs["rules"]
    assert rule["actionParameters"]["fromValue"] == {
        "statusCode": 301, "preserveQueryString": True,
        "targetUrl": {"expression": 'concat("https://spgo.io", http.request.uri.path)'}}
    fallback = next(r for r in result.of_type(RECORD) if r.name == "tracking-fallback").inputs
    assert (fallback["type"], fallback["content"]) == ("AAAA", "100::")


def test_cloudflare_the_rules_match_every_custom_hostname_and_never_name_a_tenant():
    result = saas({"esp": "sendgrid"}, acme={"domains": ["track.acme.com"]})
    for ruleset in result.of_type(RULESET):
        for rule in ruleset.inputs["rules"]:
            assert "acme" not in rule["expression"]
            assert rule["expression"].startswith(f'(not (http.host eq "{ZONE}"')


def test_cloudflare_a_tenant_gets_a_custom_hostname_per_domain_validated_over_http_with_tls_1_2():
    result = saas({}, acme={"domains": ["track.acme.com", "click.acme.com"]})
    hostnames = result.of_type(HOSTNAME)
    assert sorted(h.inputs["hostname"] for h in hostnames) == ["click.acme.com", "track.acme.com"]
    assert all(h.inputs["ssl"] == {"method": "http", "type": "dv", "settings": {"minTlsVersion": "1.2"}}
               for h in hostnames)
    outputs = component_outputs(result, "tracking-cdn:index:CloudflareTrackingTenant", "acme")
    routes = [r for r in outputs["dns_records"] if r["purpose"] == "route"]
    assert routes == [{"name": d, "type": "CNAME", "value": f"customers.{ZONE}", "purpose": "route"}
                      for d in ("track.acme.com", "click.acme.com")]
    assert {r["name"] for r in outputs["dns_records"] if r["purpose"] == "validation"} == {
        "_cf-custom-hostname.track.acme.com", "_cf-custom-hostname.click.acme.com"}
    assert outputs["status"] == "pending"


def test_cloudflare_the_included_hostnames_are_warned_about_and_the_plan_s_maximum_refused():
    many = {f"t{i}": {"domains": [f"track.t{i}.com"]} for i in range(101)}
    assert any("beyond the 100" in w and "$0.10" in w for w in saas({}, **many).warnings)

    def create():
        platform = CloudflareTrackingPlatform("tracking", {"zone_name": ZONE, "hostname_quota": 2})
        for name in ("a", "b", "c"):
            CloudflareTrackingTenant(name, {"platform": platform, "domains": [f"track.{name}.com"]})

    error, registered = refusal(create)
    assert error.argument == "domains" and "50,000 custom hostnames" in str(error) and "hostname_quota" in str(error)
    assert len([r for r in registered if r.type == HOSTNAME]) == 2


def test_cloudflare_a_tenant_domain_in_the_platform_s_own_zone_is_refused():
    error, _ = refusal(lambda: CloudflareTrackingTenant("acme", {
        "platform": CloudflareTrackingPlatform("tracking", {"zone_name": ZONE}), "domains": [f"acme.{ZONE}"]}))
    assert error.argument == "domains" and "own zone" in str(error)


@pytest.mark.parametrize("args, argument", [
    ({"mode": "page_rules"}, "mode"),
    ({"esp": "sendgrid", "mode": "redirect"}, "mode"),
    ({"fallback_origin": "fallback.elsewhere.com"}, "fallback_origin"),
    ({"cname_target": f"fallback.{ZONE}"}, "cname_target"),
    ({"mode": "redirect", "edge_cache_ttl_seconds": 60}, "edge_cache_ttl_seconds"),
])
def test_cloudflare_bad_platform_arguments_are_refused_naming_them(args, argument):
    error, registered = refusal(lambda: CloudflareTrackingPlatform("tracking", {"zone_name": ZONE, **args}))
    assert error.argument == argument and registered == []
