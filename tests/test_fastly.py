"""Policies of the Fastly front door (issue 6), checked on what the component registers under the mock
engine: a VCL service with one TLS backend to the ESP, Fastly's default header handling kept, a
Let's Encrypt TLS subscription whose challenge and route CNAMEs land in ``dns_records``, opt-in waiting,
protection, refusals of bad input before anything is registered, the example stack and ``plan``."""

import json
import subprocess
import sys

import pulumi
import pytest

from conftest import ESP_CASES, REPO, refusal, run_stack
from tracking_cdn import cli
from tracking_cdn.contract import ROUTE, VALIDATION
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.fastly import DEFAULT_DOMAIN_LIMIT, MAX_DOMAIN_LIMIT, FastlyTrackingDomain
from tracking_cdn.offline import run_offline

COMPONENT = "tracking-cdn:index:FastlyTrackingDomain"
SERVICE = "fastly:index/serviceVcl:ServiceVcl"
SUBSCRIPTION = "fastly:index/tlsSubscription:TlsSubscription"
VALIDATION_RESOURCE = "fastly:index/tlsSubscriptionValidation:TlsSubscriptionValidation"
DOMAINS = ["track.example.com", "click2.example.com"]



def build(args: dict, *, exports: bool = True):
    """Run a program creating one FastlyTrackingDomain named ``t``; its outputs are exported."""

    def program():
        front_door = FastlyTrackingDomain("t", args)
        if exports:
            for output in ("origin_host", "dns_records", "service_id", "tls_subscription_id", "certificate_id"):
                pulumi.export(output, getattr(front_door, output))

    return run_offline(program)


def refused(args: dict) -> tuple[InvalidArgument, list]:
    """The InvalidArgument ``args`` raise, and everything registered in that run (should be nothing)."""
    return refusal(lambda: FastlyTrackingDomain("t", args))


@pytest.fixture(scope="module", params=list(ESP_CASES), ids=list(ESP_CASES))
def profile(request):
    """One offline run per ESP profile, with the profile's expectations."""
    esp = request.param
    extra, host, passes_host = ESP_CASES[esp]
    run = build({"domains": DOMAINS, "esp": esp, **extra})
    return esp, run, host, passes_host


# --- the VCL service ------------------------------------------------------------------------------


def test_the_service_holds_every_tracking_domain(profile):
    _, run, _, _ = profile
    service = run.one(SERVICE)
    assert [d["name"] for d in service.inputs["domains"]] == DOMAINS
    assert service.parent == run.one(COMPONENT).urn


def test_one_backend_reaches_the_esp_endpoint_on_443_over_verified_tls(profile):
    _, run, host, _ = profile
    (backend,) = run.one(SERVICE).inputs["backends"]
    assert backend["address"] == host
    assert backend["port"] == 443
    assert backend["useSsl"] is True
    assert backend["sslCheckCert"] is True, "the origin certificate must be verified"
    assert backend["sslCertHostname"] == host, "certificate checked against the ESP host"
    assert backend["sslSniHostname"] == host, "SNI names the ESP host"
    assert backend["minTlsVersion"] == "1.2"
    assert run.stack_outputs["origin_host"] == host


def test_host_header_follows_the_esp_profile(profile):
    esp, run, host, passes_host = profile
    (backend,) = run.one(SERVICE).inputs["backends"]
    if passes_host:
        assert "overrideHost" not in backend, f"{esp} routes on the tracking domain: the viewer's Host must reach it"
    else:
        assert backend["overrideHost"] == host, f"{esp} must receive its own host name as Host"


def test_fallback_ttl_is_ten_seconds_by_default(profile):
    _, run, _, _ = profile
    assert run.one(SERVICE).inputs["defaultTtl"] == 10


def test_fallback_ttl_follows_cache_ttl_seconds():
    run = build({"domains": DOMAINS, "cache_ttl_seconds": 30}, exports=False)
    assert run.one(SERVICE).inputs["defaultTtl"] == 30


def test_user_agent_and_client_ip_reach_the_esp_through_fastly_defaults(profile):
    """Fastly passes User-Agent and adds Fastly-Client-IP / X-Forwarded-For by default (seed 000): the
    service must configure nothing that could remove or rewrite request headers."""
    _, run, _, _ = profile
    inputs = run.one(SERVICE).inputs
    for rewriting_block in ("headers", "vcls", "snippets", "dynamicsnippets", "conditions", "responseObjects"):
        assert not inputs.get(rewriting_block), f"{rewriting_block} could change what reaches the ESP"
    assert set(inputs) <= {
        "activate", "backends", "comment", "defaultTtl", "domains", "forceDestroy", "name", "requestSettings",
    }, "an unexpected service block: check it keeps User-Agent, client IP, paths and query strings intact"


def test_the_https_redirect_keeps_the_client_ip_too():
    run = build({"domains": DOMAINS, "redirect_http_to_https": True}, exports=False)
    for setting in run.one(SERVICE).inputs["requestSettings"]:
        assert setting["xff"] == "append", "X-Forwarded-For must keep carrying the client IP"


def test_plain_http_is_served_by_default(profile):
    _, run, _, _ = profile
    settings = run.one(SERVICE).inputs.get("requestSettings") or []
    assert not any(setting.get("forceSsl") for setting in settings), "links delivered as http:// must keep working"


def test_plain_http_is_redirected_only_when_asked():
    run = build({"domains": DOMAINS, "redirect_http_to_https": True}, exports=False)
    settings = run.one(SERVICE).inputs["requestSettings"]
    assert len(settings) == 1 and settings[0]["forceSsl"] is True
    assert "requestCondition" not in settings[0], "the redirect applies to every request"


def test_service_activates_and_refuses_destroy_by_default(profile):
    _, run, _, _ = profile
    inputs = run.one(SERVICE).inputs
    assert inputs["activate"] is True
    assert inputs["forceDestroy"] is False


def test_activate_and_force_destroy_are_passed_through():
    run = build({"domains": DOMAINS, "activate": False, "force_destroy": True}, exports=False)
    assert run.one(SERVICE).inputs["activate"] is False
    assert run.one(SERVICE).inputs["forceDestroy"] is True
    assert run.one(SUBSCRIPTION).inputs["forceDestroy"] is True


def test_service_name_and_tls_configuration_are_passed_through():
    run = build(
        {"domains": DOMAINS, "service_name": "tracking-links", "tls_configuration_id": pulumi.Output.from_input("cfg1")},
        exports=False,
    )
    assert run.one(SERVICE).inputs["name"] == "tracking-links"
    assert run.one(SUBSCRIPTION).inputs["configurationId"] == "cfg1"


# --- the TLS subscription and the DNS records -----------------------------------------------------


def test_a_lets_encrypt_subscription_covers_the_tracking_domains_after_the_service_exists(profile):
    _, run, _, _ = profile
    subscription = run.one(SUBSCRIPTION)
    assert subscription.inputs["certificateAuthority"] == "lets-encrypt"
    assert subscription.inputs["domains"] == DOMAINS
    assert run.one(SERVICE).urn in subscription.dependencies, "Fastly needs the domains on a service first"
    assert subscription.parent == run.one(COMPONENT).urn


def test_dns_records_list_each_acme_challenge_cname_from_the_subscription(profile):
    _, run, _, _ = profile
    challenges = run.one(SUBSCRIPTION).outputs["managedDnsChallenges"]
    validation = [r for r in run.stack_outputs["dns_records"] if r["purpose"] == VALIDATION]
    assert validation == [
        {"name": c["recordName"], "type": "CNAME", "value": c["recordValue"], "purpose": VALIDATION} for c in challenges
    ]
    assert [r["name"] for r in validation] == [f"_acme-challenge.{d}" for d in DOMAINS]


def test_dns_records_route_each_tracking_domain_to_the_subscriptions_cname_target(profile):
    _, run, _, _ = profile
    http_challenges = run.one(SUBSCRIPTION).outputs["managedHttpChallenges"]
    routes = [r for r in run.stack_outputs["dns_records"] if r["purpose"] == ROUTE]
    assert [r["name"] for r in routes] == DOMAINS
    for record in routes:
        (expected,) = [
            c["recordValues"][0]
            for c in http_challenges
            if c["recordName"] == record["name"] and c["recordType"] == "CNAME"
        ]
        assert record["type"] == "CNAME" and record["value"] == expected, "the CNAME target, not the A records"


def test_validation_records_come_before_route_records(profile):
    _, run, _, _ = profile
    purposes = [r["purpose"] for r in run.stack_outputs["dns_records"]]
    assert purposes == sorted(purposes, key=lambda p: p != VALIDATION)


def test_nothing_waits_for_validation_by_default(profile):
    _, run, _, _ = profile
    assert run.of_type(VALIDATION_RESOURCE) == [], "DNS elsewhere must not make pulumi up hang"
    assert [r.type for r in run.children_of(run.one(COMPONENT))] == [SERVICE, SUBSCRIPTION]
    assert run.stack_outputs["certificate_id"] == run.one(SUBSCRIPTION).outputs["certificateId"]


def test_waiting_for_the_certificate_is_opt_in():
    run = build({"domains": DOMAINS, "wait_for_certificate": True})
    validation = run.one(VALIDATION_RESOURCE)
    assert validation.inputs["subscriptionId"] == run.stack_outputs["tls_subscription_id"]
    assert run.one(SUBSCRIPTION).urn in validation.dependencies
    assert run.stack_outputs["certificate_id"] == validation.outputs["certificateId"]
    assert not run.of_type("fastly:index/tlsActivation:TlsActivation"), "Fastly activates subscriptions itself"


def test_certificate_authority_can_be_chosen():
    run = build({"domains": DOMAINS, "certificate_authority": "certainly"}, exports=False)
    assert run.one(SUBSCRIPTION).inputs["certificateAuthority"] == "certainly"


# --- protection and stable names ------------------------------------------------------------------


def test_live_serving_resources_are_protected_by_default():
    run = build({"domains": DOMAINS, "wait_for_certificate": True}, exports=False)
    for token in (SERVICE, SUBSCRIPTION, VALIDATION_RESOURCE):
        assert run.one(token).protect, f"{token} serves live links"


def test_protection_can_be_turned_off_to_tear_down():
    run = build({"domains": DOMAINS, "wait_for_certificate": True, "protect_serving_resources": False}, exports=False)
    for token in (SERVICE, SUBSCRIPTION, VALIDATION_RESOURCE):
        assert not run.one(token).protect


def test_adding_a_domain_changes_no_urn():
    before = build({"domains": DOMAINS[:1]}, exports=False)
    after = build({"domains": ["new.example.com", *DOMAINS]}, exports=False)
    assert [r.urn for r in before.resources] == [r.urn for r in after.resources]


# --- limits ---------------------------------------------------------------------------------------


def test_more_domains_than_fastlys_default_limit_are_refused_naming_domains():
    error, registered = refused({"domains": [f"d{i}.example.com" for i in range(DEFAULT_DOMAIN_LIMIT + 1)]})
    assert error.argument == "domains" and "domain_limit" in str(error)
    assert registered == []


def test_a_raised_limit_allows_up_to_one_certificates_worth_of_domains():
    domains = [f"d{i}.example.com" for i in range(MAX_DOMAIN_LIMIT)]
    run = build({"domains": domains, "domain_limit": MAX_DOMAIN_LIMIT})
    assert len(run.one(SERVICE).inputs["domains"]) == MAX_DOMAIN_LIMIT
    assert run.one(SUBSCRIPTION).inputs["domains"] == domains
    assert len(run.stack_outputs["dns_records"]) == 2 * MAX_DOMAIN_LIMIT


# --- bad input: refused naming the argument, nothing registered -----------------------------------

BAD_INPUTS = [
    ({"domains": []}, "domains"),
    ({"domains": ["*.example.com"]}, "domains[0]"),
    ({"domains": ["example.com"]}, "domains[0]"),
    ({"domains": ["track.example.com", "TRACK.example.com."]}, "domains[1]"),
    ({"domains": DOMAINS, "esp": "mailchimp"}, "esp"),
    ({"domains": DOMAINS, "esp": "sparkpost-enterprise"}, "tenant"),
    ({"domains": DOMAINS, "esp": "custom"}, "origin_host"),
    ({"domains": DOMAINS, "esp": "custom", "origin_host": "https://track.pmta.example.net/"}, "origin_host"),
    ({"domains": DOMAINS, "cache_ttl_seconds": -1}, "cache_ttl_seconds"),
    ({"domains": DOMAINS, "cache_ttl": 10}, "cache_ttl"),
    ({"domains": DOMAINS, "domain_limit": 0}, "domain_limit"),
    ({"domains": DOMAINS, "domain_limit": MAX_DOMAIN_LIMIT + 1}, "domain_limit"),
    ({"domains": DOMAINS, "domain_limit": "20"}, "domain_limit"),
    ({"domains": DOMAINS, "certificate_authority": "digicert"}, "certificate_authority"),
    ({"domains": DOMAINS, "wait_for_certificate": "yes"}, "wait_for_certificate"),
    ({"domains": DOMAINS, "activate": pulumi.Output.from_input(True)}, "activate"),
    ({"domains": DOMAINS, "force_destroy": 1}, "force_destroy"),
    ({"domains": DOMAINS, "service_name": "  "}, "service_name"),
    ({"domains": DOMAINS, "tls_configuration_id": 42}, "tls_configuration_id"),
]


@pytest.mark.parametrize("args, argument", BAD_INPUTS, ids=[f"{a}-{i}" for i, (_, a) in enumerate(BAD_INPUTS)])
def test_bad_input_is_refused_naming_the_argument_before_anything_is_registered(args, argument):
    error, registered = refused(args)
    assert error.argument == argument
    assert registered == [], "nothing may be registered on bad input"


# --- example stack, stack program and plan --------------------------------------------------------


def test_the_example_stack_builds_the_fastly_front_door():
    run = run_stack("fastly-example")
    assert run.stack_outputs["frontDoor"] == "fastly"
    component = run.one(COMPONENT)
    assert {r.type for r in run.children_of(component)} == {SERVICE, SUBSCRIPTION}
    assert run.stack_outputs["originHost"] == "spgo.io"
    assert run.one(SERVICE).inputs["defaultTtl"] == 10
    names = {(r["name"], r["purpose"]) for r in run.stack_outputs["dnsRecords"]}
    assert ("_acme-challenge.track.example.com", VALIDATION) in names and ("track.example.com", ROUTE) in names
    assert {"serviceId", "tlsSubscriptionId", "certificateId"} <= set(run.stack_outputs)


@pytest.mark.parametrize("count", [1, 10])
def test_the_example_stack_scales_within_fastlys_default_limit(count):
    domains = [f"d{i}.track.example.com" for i in range(count)]
    run = run_stack("fastly-example", {"tracking-cdn:domains": domains})
    assert [d["name"] for d in run.one(SERVICE).inputs["domains"]] == domains
    assert len(run.stack_outputs["dnsRecords"]) == 2 * count


def test_the_example_stack_refuses_100_domains_clearly_unless_the_limit_was_raised():
    domains = [f"d{i}.track.example.com" for i in range(100)]
    with pytest.raises(InvalidArgument) as error:
        run_stack("fastly-example", {"tracking-cdn:domains": domains})
    assert error.value.argument == "tracking-cdn:domains"  # the stack program names the config key
    assert "at most 20" in str(error.value) and "domain_limit" in str(error.value)


def test_the_stack_program_reads_fastly_arguments_from_config():
    run = run_stack(
        "fastly-example",
        {"tracking-cdn:waitForCertificate": True, "tracking-cdn:esp": "sendgrid", "tracking-cdn:redirectHttpToHttps": True},
    )
    assert run.one(VALIDATION_RESOURCE).protect
    (backend,) = run.one(SERVICE).inputs["backends"]
    assert backend["address"] == "sendgrid.net" and "overrideHost" not in backend
    assert run.one(SERVICE).inputs["requestSettings"][0]["forceSsl"] is True


def test_plan_renders_the_fastly_example_offline(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "fastly-example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OFFLINE RENDERING")
    assert f"+ {SERVICE}  tracking-service [protected]" in out
    assert f"+ {SUBSCRIPTION}  tracking-certificate [protected]" in out
    assert "_acme-challenge.track.example.com" in out and "(validation)" in out and "(route)" in out


def test_plan_json_shows_the_backend(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "fastly-example", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    (service,) = [r for r in document["resources"] if r["type"] == SERVICE]
    assert service["inputs"]["backends"][0]["sslCheckCert"] is True


def test_the_fastly_module_loads_no_other_cloud_sdk():
    code = "import sys, tracking_cdn.fastly; print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('pulumi_')}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(loaded.replace("'", '"')) == ["pulumi_fastly"]
