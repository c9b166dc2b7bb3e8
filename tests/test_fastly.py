"""Policies of the Fastly front door (issues 6, 13, 17, 21), checked on what the component registers
under the mock engine: a VCL service with one backend to the ESP (verified TLS; plain HTTP only for the
profile documented to need it), Fastly's default header handling kept, Let's Encrypt TLS subscriptions
(one per domain by default, or the shared one of stacks made with 0.1) whose challenge and route CNAMEs land in
``dns_records``, opt-in waiting per validated domain, draft versions, protection, the app-link files and
``/.well-known/*`` origin, day-two changes against the released component's plans, refusals of bad input
before anything is registered, the example stack and ``plan``."""

import json
import re
import subprocess
import sys
from typing import Optional

import pulumi
import pytest
import yaml

import day_two
from fastly_vcl import app_link_answer
from conftest import ESP_CASES, OPT_IN_ESP_CASES, REPO, refusal, run_stack
from scenarios import ANDROID_ASSET_LINKS, APPLE_APP_SITE_ASSOCIATION
from tracking_cdn import cli
from tracking_cdn.contract import ROUTE, VALIDATION
from tracking_cdn.deep_links import resolve_app_links
from tracking_cdn.diff import diff_plans
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.esp import PROFILES as esp_profiles
from tracking_cdn.fastly import DEFAULT_DOMAIN_LIMIT, MAX_DOMAIN_LIMIT, FastlyTrackingDomain
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import plan_document, stack_config
from tracking_cdn.stack import main as stack_program

COMPONENT = "tracking-cdn:index:FastlyTrackingDomain"
SERVICE = "fastly:index/serviceVcl:ServiceVcl"
SUBSCRIPTION = "fastly:index/tlsSubscription:TlsSubscription"
VALIDATION_RESOURCE = "fastly:index/tlsSubscriptionValidation:TlsSubscriptionValidation"
DOMAINS = ["track.example.com", "click2.example.com"]
PROFILES = {**ESP_CASES, **OPT_IN_ESP_CASES}
PLAIN_HTTP_PROFILES = {"ses"}
"""The profiles whose endpoint is reached over plain HTTP (esp.py's documented exception); no other."""
OUTPUTS = ("origin_host", "dns_records", "service_id", "tls_subscription_id", "certificate_id",
           "tls_subscription_ids", "certificate_ids")
SHARED = {"certificates": "shared"}
"""The 0.1 default, kept by stacks made with 0.1 (``certificates: shared``)."""
PER_DOMAIN = {"certificates": "per-domain"}


def build(args: dict, *, exports: bool = True):
    """Run a program creating one FastlyTrackingDomain named ``t``; its outputs are exported."""

    def program():
        front_door = FastlyTrackingDomain("t", args)
        if exports:
            for output in OUTPUTS:
                pulumi.export(output, getattr(front_door, output))

    return run_offline(program)


def refused(args: dict) -> tuple[InvalidArgument, list]:
    """The InvalidArgument ``args`` raise, and everything registered in that run (should be nothing)."""
    return refusal(lambda: FastlyTrackingDomain("t", args))


@pytest.fixture(scope="module", params=list(PROFILES), ids=list(PROFILES))
def profile(request):
    """One offline run per ESP profile, with the profile's expectations."""
    esp = request.param
    extra, host, passes_host = PROFILES[esp]
    run = build({"domains": DOMAINS, "esp": esp, **extra})
    return esp, run, host, passes_host


# --- the VCL service ------------------------------------------------------------------------------


def test_the_service_holds_every_tracking_domain(profile):
    _, run, _, _ = profile
    service = run.one(SERVICE)
    assert [d["name"] for d in service.inputs["domains"]] == DOMAINS
    assert service.parent == run.one(COMPONENT).urn


HTTPS_PROFILES = [esp for esp in PROFILES if esp not in PLAIN_HTTP_PROFILES]


@pytest.mark.parametrize("esp", HTTPS_PROFILES)
def test_one_backend_reaches_the_esp_endpoint_on_443_over_verified_tls(esp):
    extra, host, _ = PROFILES[esp]
    run = build({"domains": DOMAINS, **extra})
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
    run = build({"domains": DOMAINS, "activate": False, "force_destroy": True, **SHARED}, exports=False)
    assert run.one(SERVICE).inputs["activate"] is False
    assert run.one(SERVICE).inputs["forceDestroy"] is True
    assert run.one(SUBSCRIPTION).inputs["forceDestroy"] is True, "the shared subscription follows force_destroy"


def test_service_name_and_tls_configuration_are_passed_through():
    run = build(
        {"domains": DOMAINS, "service_name": "tracking-links", "tls_configuration_id": pulumi.Output.from_input("cfg1")},
        exports=False,
    )
    assert run.one(SERVICE).inputs["name"] == "tracking-links"
    assert [s.inputs["configurationId"] for s in run.of_type(SUBSCRIPTION)] == ["cfg1"] * len(DOMAINS)


# --- the TLS subscription and the DNS records -----------------------------------------------------


def own_subscription(run, domain: str):
    """The default (per-domain) subscription of ``domain`` in a run of the component named ``t``."""
    return run.named(f"t-certificate-{domain}")


def test_a_lets_encrypt_subscription_covers_each_tracking_domain_after_the_service_exists(profile):
    _, run, _, _ = profile
    assert subscription_domains(run) == {f"t-certificate-{d}": [d] for d in DOMAINS}
    for subscription in run.of_type(SUBSCRIPTION):
        assert subscription.inputs["certificateAuthority"] == "lets-encrypt"
        assert run.one(SERVICE).urn in subscription.dependencies, "Fastly needs the domains on a service first"
        assert subscription.parent == run.one(COMPONENT).urn


def test_dns_records_list_each_acme_challenge_cname_from_the_domains_subscription(profile):
    _, run, _, _ = profile
    validation = [r for r in run.stack_outputs["dns_records"] if r["purpose"] == VALIDATION]
    assert validation == [
        {"name": c["recordName"], "type": "CNAME", "value": c["recordValue"], "purpose": VALIDATION}
        for d in DOMAINS for c in own_subscription(run, d).outputs["managedDnsChallenges"]
    ]
    assert [r["name"] for r in validation] == [f"_acme-challenge.{d}" for d in DOMAINS]


def test_dns_records_route_each_tracking_domain_to_its_subscriptions_cname_target(profile):
    _, run, _, _ = profile
    routes = [r for r in run.stack_outputs["dns_records"] if r["purpose"] == ROUTE]
    assert [r["name"] for r in routes] == DOMAINS
    for record in routes:
        (expected,) = [
            c["recordValues"][0]
            for c in own_subscription(run, record["name"]).outputs["managedHttpChallenges"]
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
    assert [r.type for r in run.children_of(run.one(COMPONENT))] == [SERVICE, SUBSCRIPTION, SUBSCRIPTION]
    assert run.stack_outputs["certificate_ids"] == {
        d: own_subscription(run, d).outputs["certificateId"] for d in DOMAINS}
    assert run.stack_outputs["certificate_id"] == run.stack_outputs["tls_subscription_id"] == "", \
        "no shared subscription"


def test_waiting_for_the_certificate_is_opt_in():
    run = build({"domains": DOMAINS, "wait_for_certificate": True})
    for domain in DOMAINS:
        validation = run.named(f"t-certificate-validation-{domain}")
        assert validation.inputs["subscriptionId"] == run.stack_outputs["tls_subscription_ids"][domain]
        assert own_subscription(run, domain).urn in validation.dependencies
        assert run.stack_outputs["certificate_ids"][domain] == validation.outputs["certificateId"]
    assert not run.of_type("fastly:index/tlsActivation:TlsActivation"), "Fastly activates subscriptions itself"


def test_certificate_authority_can_be_chosen():
    for certificates in (PER_DOMAIN, SHARED):
        run = build({"domains": DOMAINS, "certificate_authority": "certainly", **certificates}, exports=False)
        assert {s.inputs["certificateAuthority"] for s in run.of_type(SUBSCRIPTION)} == {"certainly"}


# --- protection and stable names ------------------------------------------------------------------


@pytest.mark.parametrize("certificates", [PER_DOMAIN, SHARED], ids=["per-domain", "shared"])
def test_live_serving_resources_are_protected_by_default(certificates):
    run = build({"domains": DOMAINS, "wait_for_certificate": True, **certificates}, exports=False)
    for token in (SERVICE, SUBSCRIPTION, VALIDATION_RESOURCE):
        assert run.of_type(token) and all(r.protect for r in run.of_type(token)), f"{token} serves live links"


def test_protection_can_be_turned_off_to_tear_down():
    run = build({"domains": DOMAINS, "wait_for_certificate": True, "protect_serving_resources": False}, exports=False)
    for token in (SERVICE, SUBSCRIPTION, VALIDATION_RESOURCE):
        assert run.of_type(token) and not any(r.protect for r in run.of_type(token))


def test_adding_a_domain_keeps_every_urn_and_adds_only_its_subscription():
    before = build({"domains": DOMAINS[:1]}, exports=False)
    after = build({"domains": ["new.example.com", *DOMAINS]}, exports=False)
    kept = {r.urn for r in before.resources}
    assert kept <= {r.urn for r in after.resources}
    assert sorted(r.name for r in after.resources if r.urn not in kept) == [
        "t-certificate-click2.example.com", "t-certificate-new.example.com"]


def test_adding_a_domain_to_a_shared_stack_changes_no_urn():
    before = build({"domains": DOMAINS[:1], **SHARED}, exports=False)
    after = build({"domains": ["new.example.com", *DOMAINS], **SHARED}, exports=False)
    assert [r.urn for r in before.resources] == [r.urn for r in after.resources]


# --- one subscription per domain (issue 13), the default --------------------------------------------


def subscription_domains(run) -> dict[str, list[str]]:
    return {r.name: r.inputs["domains"] for r in run.of_type(SUBSCRIPTION)}


def test_per_domain_gives_each_domain_its_own_subscription_named_after_it():
    run = build({"domains": DOMAINS, **PER_DOMAIN})
    assert subscription_domains(run) == {f"t-certificate-{d}": [d] for d in DOMAINS}
    service = run.one(SERVICE)
    for subscription in run.of_type(SUBSCRIPTION):
        assert service.urn in subscription.dependencies, "Fastly needs the domain on an active service version first"
        assert subscription.protect and subscription.inputs["certificateAuthority"] == "lets-encrypt"
        assert "forceUpdate" not in subscription.inputs, "a domain's own subscription is never edited"


def test_a_domains_own_subscription_can_go_with_its_domain_in_one_up():
    """Fastly refuses to delete a subscription whose domain has TLS enabled unless forced, and the
    provider reads the flag from the state at delete time: it must already be set. Protection is the
    guard (the removal path unprotects exactly that URN)."""
    run = build({"domains": DOMAINS, **PER_DOMAIN})
    assert all(s.inputs["forceDestroy"] is True and s.protect for s in run.of_type(SUBSCRIPTION))
    assert run.one(SERVICE).inputs["forceDestroy"] is False, "the service still refuses to go while active"


def test_per_domain_records_come_from_each_domains_own_subscription():
    run = build({"domains": DOMAINS, **PER_DOMAIN})
    by_name = {r["name"]: r for r in run.stack_outputs["dns_records"]}
    for domain in DOMAINS:
        own = run.named(f"t-certificate-{domain}").outputs
        assert by_name[f"_acme-challenge.{domain}"]["value"] == own["managedDnsChallenges"][0]["recordValue"]
        route = [c["recordValues"][0] for c in own["managedHttpChallenges"] if c["recordType"] == "CNAME"]
        assert [by_name[domain]["value"]] == route
    assert run.stack_outputs["tls_subscription_ids"] == {
        d: run.named(f"t-certificate-{d}").id for d in DOMAINS}
    assert run.stack_outputs["tls_subscription_id"] == "", "no shared subscription"


def test_the_default_is_one_subscription_per_domain():
    """Issue 13: appending a domain to a stack on the defaults must never risk a live name."""
    default, explicit = build({"domains": DOMAINS}), build({"domains": DOMAINS, **PER_DOMAIN})
    assert sorted((r.urn, json.dumps(r.inputs, sort_keys=True)) for r in default.resources) == \
        sorted((r.urn, json.dumps(r.inputs, sort_keys=True)) for r in explicit.resources)
    assert subscription_domains(default) == {f"t-certificate-{d}": [d] for d in DOMAINS}


def test_shared_keeps_the_one_subscription_of_stacks_made_with_0_1():
    run = build({"domains": DOMAINS, **SHARED})
    assert subscription_domains(run) == {"t-certificate": DOMAINS}
    shared = run.one(SUBSCRIPTION)
    assert "forceUpdate" not in shared.inputs and shared.inputs["forceDestroy"] is False
    assert run.stack_outputs["tls_subscription_ids"] == {d: shared.id for d in DOMAINS}


def test_a_shared_stack_moved_to_per_domain_keeps_its_subscription_and_adds_new_domains_beside_it():
    run = build({"domains": [*DOMAINS, "new.example.com"], **PER_DOMAIN, "shared_certificate_domains": DOMAINS})
    assert subscription_domains(run) == {"t-certificate": DOMAINS, "t-certificate-new.example.com": ["new.example.com"]}
    shared = run.named("t-certificate")
    assert shared.inputs["forceUpdate"] is True, "its names can only be removed, which Fastly allows only when forced"
    assert shared.inputs["forceDestroy"] is False
    assert run.stack_outputs["tls_subscription_id"] == shared.id


@pytest.mark.parametrize("args, argument", [
    ({**SHARED, "shared_certificate_domains": DOMAINS}, "shared_certificate_domains"),
    ({"shared_certificate_domains": ["other.example.com"]}, "shared_certificate_domains[0]"),
    ({"certificates": "one-each"}, "certificates"),
])
def test_certificate_choices_are_checked(args, argument):
    error, registered = refused({"domains": DOMAINS, **args})
    assert error.argument == argument and registered == []


def test_shared_certificate_domains_with_shared_says_per_domain_is_the_default():
    error, _ = refused({"domains": DOMAINS, **SHARED, "shared_certificate_domains": DOMAINS})
    assert "certificates='per-domain' (the default)" in str(error) and "certificates='shared'" in str(error)


# --- waiting for issuance, per domain ----------------------------------------------------------------


def test_only_validated_domains_make_pulumi_up_wait():
    run = build({"domains": DOMAINS, **PER_DOMAIN, "validated_domains": ["click2.example.com"]})
    (waiter,) = run.of_type(VALIDATION_RESOURCE)
    assert waiter.name == "t-certificate-validation-click2.example.com" and waiter.protect
    assert waiter.inputs["subscriptionId"] == run.named("t-certificate-click2.example.com").id
    assert run.stack_outputs["certificate_ids"]["click2.example.com"] == waiter.outputs["certificateId"]
    assert run.stack_outputs["certificate_ids"]["track.example.com"] == \
        run.named("t-certificate-track.example.com").outputs["certificateId"]


def test_wait_for_certificate_is_every_domain_validated():
    waiting = build({"domains": DOMAINS, **PER_DOMAIN, "wait_for_certificate": True})
    listed = build({"domains": DOMAINS, **PER_DOMAIN, "validated_domains": DOMAINS})
    assert {r.name for r in waiting.of_type(VALIDATION_RESOURCE)} == {r.name for r in listed.of_type(VALIDATION_RESOURCE)} \
        == {f"t-certificate-validation-{d}" for d in DOMAINS}


def test_a_shared_subscription_waits_only_when_all_its_domains_are_validated():
    partly = build({"domains": DOMAINS, **SHARED, "validated_domains": DOMAINS[:1]})
    assert partly.of_type(VALIDATION_RESOURCE) == []
    fully = build({"domains": DOMAINS, **SHARED, "validated_domains": DOMAINS})
    assert [r.name for r in fully.of_type(VALIDATION_RESOURCE)] == ["t-certificate-validation"]


# --- draft service versions (activate=False) ---------------------------------------------------------


def test_draft_domains_are_served_by_the_draft_version_but_get_no_subscription_yet():
    run = build({"domains": DOMAINS, **PER_DOMAIN, "activate": False, "draft_domains": ["click2.example.com"]})
    assert [d["name"] for d in run.one(SERVICE).inputs["domains"]] == DOMAINS
    assert subscription_domains(run) == {"t-certificate-track.example.com": ["track.example.com"]}
    assert {r["name"] for r in run.stack_outputs["dns_records"]} == {
        "_acme-challenge.track.example.com", "track.example.com"}, "no record can be known for a draft domain"
    assert set(run.stack_outputs["tls_subscription_ids"]) == {"track.example.com"}


def test_a_draft_domain_gets_its_subscription_once_the_version_is_activated():
    draft = day_two_document({"domains": DOMAINS, **PER_DOMAIN, "activate": False,
                              "draft_domains": ["click2.example.com"]})
    activated = day_two_document({"domains": DOMAINS, **PER_DOMAIN, "activate": False})
    diff = diff_plans(draft, activated)
    assert acting(diff) == {(SUBSCRIPTION, "track-certificate-click2.example.com"): "create"}


def test_activate_false_without_draft_domains_warns():
    run = build({"domains": DOMAINS, **PER_DOMAIN, "activate": False}, exports=False)
    assert any("draft_domains" in warning for warning in run.warnings)


@pytest.mark.parametrize("args, argument", [
    ({"draft_domains": DOMAINS[:1]}, "draft_domains"),
    ({"activate": False, "draft_domains": ["other.example.com"]}, "draft_domains[0]"),
    ({**PER_DOMAIN, "activate": False, "draft_domains": DOMAINS[:1], "validated_domains": DOMAINS[:1]},
     "validated_domains"),
    ({**PER_DOMAIN, "activate": False, "draft_domains": DOMAINS[:1], "shared_certificate_domains": DOMAINS[:1]},
     "shared_certificate_domains"),
    ({"wait_for_certificate": True, "validated_domains": DOMAINS}, "wait_for_certificate"),
])
def test_contradicting_domain_lists_are_refused(args, argument):
    error, registered = refused({"domains": DOMAINS, **args})
    assert error.argument == argument and registered == []


# --- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "-tracking", "track ing", "track::ing", "tracking$1", "t" * 64])
def test_a_component_name_that_cannot_start_fastly_and_pulumi_names_is_refused(name):
    error, registered = refusal(lambda: FastlyTrackingDomain(name, {"domains": DOMAINS}))
    assert error.argument == "name" and registered == []


def test_the_longest_component_name_is_accepted():
    run = run_offline(lambda: FastlyTrackingDomain("t" * 63, {"domains": DOMAINS}))
    assert run.one(SERVICE).name == "t" * 63 + "-service"


# --- day two: the released component's plans, and what each change does -----------------------------

FIXTURES = REPO / "tests" / "fixtures"
STACK = "fastly-example"
RELEASED_CONFIG = {"tracking-cdn:certificates": None}
"""The released example stack file had no certificates key (every stack copied from it is 'shared')."""
RELEASED_PIN = {"tracking-cdn:certificates": "shared"}
"""The one line a stack made with 0.1 adds to keep its shared subscription (docs/upgrading.md)."""
VARIANTS = {
    # fixture suffix -> config over the released example stack (fixtures' stacks are fastly-example<suffix>)
    "": {},
    "-sendgrid-redirect-wait": {"tracking-cdn:esp": "sendgrid", "tracking-cdn:redirectHttpToHttps": True,
                                "tracking-cdn:waitForCertificate": True},
    "-11-domains": {"tracking-cdn:domains": [f"t{i}.example.com" for i in range(11)], "tracking-cdn:domainLimit": 100},
}


def released(variant: str) -> dict:
    return json.loads((FIXTURES / f"plan-{STACK}{variant}.json").read_text())


def upgraded(variant: str, **config) -> dict:
    """The plan of the same stack (the released config of the variant, then ``config``) today."""
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{STACK}.yaml").read_text())
    for key, value in {**RELEASED_CONFIG, **VARIANTS[variant], **config}.items():
        if value is None:
            document["config"].pop(key, None)
        else:
            document["config"][key] = value
    settings, secret_keys = stack_config(document)
    return plan_document(run_offline(stack_program, config=settings, secret_keys=secret_keys, stack=STACK + variant),
                         STACK + variant)


def day_two_document(args: dict) -> dict:
    return plan_document(run_offline(lambda: FastlyTrackingDomain("track", args), stack="day-two"), "day-two")


def acting(diff) -> dict:
    return {(r.type, r.name): r.action for r in diff.resources if r.custom and r.action != "same"}


def released_domains(variant: str) -> list[str]:
    return VARIANTS[variant].get("tracking-cdn:domains", ["track.example.com", "click2.example.com"])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_deployed_stacks_pinned_to_shared_see_nothing_change_with_this_version(variant):
    before = released(variant)
    diff = diff_plans(before, upgraded(variant, **RELEASED_PIN))
    assert {r.urn for r in diff.resources} == {r["urn"] for r in before["resources"]}
    assert acting(diff) == {}
    assert not diff.blockers and not diff.https_losses


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_without_the_pin_plan_against_the_released_plan_stops_on_the_shared_subscription(variant):
    """The safety net of an upgrade without ``certificates: shared``: the new default creates a subscription
    per domain and deletes the protected shared one (and its protected waiter), so `pulumi up` stops at
    preview (Pulumi refuses a protected resource's delete step in preview and update alike: pulumi/pulumi
    pkg/resource/deploy/step.go, ``DeleteStep.Apply``), and `plan --against` says so offline."""
    domains = released_domains(variant)
    waits = "tracking-cdn:waitForCertificate" in VARIANTS[variant]
    diff = diff_plans(released(variant), upgraded(variant))
    gone = [(SUBSCRIPTION, "tracking-certificate")] + ([(VALIDATION_RESOURCE, "tracking-certificate-validation")]
                                                       if waits else [])
    assert [(r.action, r.type, r.name) for r in diff.blockers] == [("delete", *g) for g in gone]
    created = {(SUBSCRIPTION, f"tracking-certificate-{d}") for d in domains}
    if waits:
        created |= {(VALIDATION_RESOURCE, f"tracking-certificate-validation-{d}") for d in domains}
    assert acting(diff) == {**{g: "delete" for g in gone}, **{c: "create" for c in created}}, "the service is untouched"
    if not waits:  # a waiter in the new plan stands for an issued certificate
        assert sorted(loss.name for loss in diff.https_losses) == sorted(domains)


def test_plan_against_the_released_plan_exits_1_naming_the_shared_subscription(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", STACK, "--against", str(FIXTURES / f"plan-{STACK}.json")]) == 1
    shown = capsys.readouterr().out
    blockers = shown.split("Blockers", 1)[1].split("\n\n", 1)[0]
    assert f"{SUBSCRIPTION}  tracking-certificate  [protected: pulumi up stops here]" in blockers
    assert "Live names that would lose HTTPS" in shown and "track.example.com" in shown


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_deployed_shared_stack_moves_to_per_domain_certificates_in_one_up_without_touching_a_certificate(variant):
    """The one-line move: a 0.1 stack (no certificates key, so the per-domain default) that lists its
    deployed domains in sharedCertificateDomains."""
    domains = released_domains(variant)
    moved = upgraded(variant, **{"tracking-cdn:sharedCertificateDomains": domains})
    diff = diff_plans(released(variant), moved)
    assert acting(diff) == {(SUBSCRIPTION, "tracking-certificate"): "update"}
    assert [(c.path, c.old, c.new) for c in diff.by_name("tracking-certificate").changes] == [("forceUpdate", None, True)]
    assert not diff.blockers and not diff.https_losses
    waiting = {"tracking-cdn:waitForCertificate": None, "tracking-cdn:validatedDomains": domains} \
        if "tracking-cdn:waitForCertificate" in VARIANTS[variant] else {}  # every domain but the new one
    appended = upgraded(variant, **{"tracking-cdn:sharedCertificateDomains": domains,
                                    "tracking-cdn:domains": [*domains, "new.example.com"], **waiting})
    diff = diff_plans(moved, appended)
    assert acting(diff) == {(SERVICE, "tracking-service"): "update",
                            (SUBSCRIPTION, "tracking-certificate-new.example.com"): "create"}
    assert not diff.blockers and not diff.https_losses


def test_removing_a_domain_deletes_only_its_own_protected_subscription():
    before = day_two_document({"domains": [*DOMAINS, "old.example.com"], **PER_DOMAIN})
    diff = diff_plans(before, day_two_document({"domains": DOMAINS, **PER_DOMAIN}))
    assert acting(diff) == {(SERVICE, "track-service"): "update",
                            (SUBSCRIPTION, "track-certificate-old.example.com"): "delete"}
    assert [r.name for r in diff.blockers] == ["track-certificate-old.example.com"], \
        "`pulumi state unprotect` of exactly this URN is the documented path"


def test_adding_a_live_domain_reveals_its_validation_cname_before_anything_routes_to_fastly():
    """Moving click.example.com, whose CNAME still points at the ESP: the first up creates its own
    subscription and lists its _acme-challenge CNAME; nothing waits (its value is new in this up); the
    route CNAME stays the user's to switch once the certificate is issued."""
    live = "click.example.com"
    first = build({"domains": [*DOMAINS, live], **PER_DOMAIN, "validated_domains": DOMAINS})
    assert {r.name for r in first.of_type(VALIDATION_RESOURCE)} == {f"t-certificate-validation-{d}" for d in DOMAINS}
    records = {(r["name"], r["purpose"]) for r in first.stack_outputs["dns_records"]}
    assert (f"_acme-challenge.{live}", VALIDATION) in records and (live, ROUTE) in records
    second = build({"domains": [*DOMAINS, live], **PER_DOMAIN, "validated_domains": [*DOMAINS, live]})
    assert f"t-certificate-validation-{live}" in {r.name for r in second.of_type(VALIDATION_RESOURCE)}


@pytest.mark.parametrize("esp", [e for e in PROFILES if e != "sparkpost"])
def test_changing_the_esp_updates_the_service_in_place(esp):
    extra = PROFILES[esp][0]
    before = day_two_document({"domains": DOMAINS, **PER_DOMAIN})
    diff = diff_plans(before, day_two_document({"domains": DOMAINS, **PER_DOMAIN, **extra}))
    assert acting(diff) == {(SERVICE, "track-service"): "update"}


# --- ESP profiles of issue 21 -----------------------------------------------------------------------


def test_ses_is_reached_over_plain_http_on_port_80_with_the_tracking_domain_as_host():
    """esp.py's documented exception: the bare r.<region>.awstrack.me is not known to present a
    certificate for its own name, so the backend speaks plain HTTP to it, and nothing TLS is set."""
    run = build({"domains": DOMAINS, "esp": "ses", "esp_region": "eu-west-1"})
    (backend,) = run.one(SERVICE).inputs["backends"]
    assert backend == {"name": "esp-origin", "address": "r.eu-west-1.awstrack.me", "port": 80, "useSsl": False}


@pytest.mark.parametrize("esp", list(PROFILES))
def test_plain_http_to_the_origin_is_only_for_the_profiles_documented_to_need_it(esp):
    extra, _, _ = PROFILES[esp]
    (backend,) = build({"domains": DOMAINS, **extra}, exports=False).one(SERVICE).inputs["backends"]
    plain_http = esp_profiles[esp].origin_protocol == "http"
    assert plain_http == (esp in PLAIN_HTTP_PROFILES)
    assert (backend["port"], backend["useSsl"]) == ((80, False) if plain_http else (443, True))


@pytest.mark.parametrize("esp", ["iterable", "iterable-eu"])
def test_iterables_cache_control_decides_and_our_ttl_is_only_the_fallback(esp):
    """Fastly's default_ttl is its 'fallback TTL': used only when the origin sends no Surrogate-Control,
    Cache-Control max-age or Expires (fastly.com/documentation/guides/full-site-delivery/caching/
    controlling-caching); no cache setting may override what Iterable sends."""
    inputs = build({"domains": DOMAINS, "esp": esp, "cache_ttl_seconds": 30}, exports=False).one(SERVICE).inputs
    assert inputs["defaultTtl"] == 30
    assert not inputs.get("cacheSettings") and not inputs.get("headers")
    assert "overrideHost" not in inputs["backends"][0], "Iterable routes on the tracking domain"


# --- app-link files and /.well-known/* (issue 17) -------------------------------------------------------

APPLE, ANDROID = APPLE_APP_SITE_ASSOCIATION, ANDROID_ASSET_LINKS
APP_LINKS = {"apple_app_site_association": APPLE, "android_asset_links": ANDROID}
APPLE_PATH = "/.well-known/apple-app-site-association"
ANDROID_PATH = "/.well-known/assetlinks.json"
CLICK_PATH = "/f/a/eJxNjrEOgyAURb_mQZ5dk"


def vcl_true(statement: str, path: str) -> bool:
    """What Fastly evaluates for a REQUEST condition of the forms this component writes, for a request
    whose ``req.url.path`` is ``path``: ``req.url.path == "..."``, ``req.url.path ~ "<regex>"``,
    ``a || b`` and ``!(...)``. Anything else fails the test."""
    statement = statement.strip()
    if statement.startswith("!(") and statement.endswith(")"):
        return not vcl_true(statement[2:-1], path)
    if " || " in statement:
        return any(vcl_true(part, path) for part in statement.split(" || "))
    match = re.fullmatch(r'req\.url\.path (==|~) "([^"%]*)"', statement)
    assert match, f"a condition this test cannot read: {statement}"
    return path == match[2] if match[1] == "==" else re.search(match[2], path) is not None


def conditions(run) -> dict[str, str]:
    found = {c["name"]: c for c in run.one(SERVICE).inputs.get("conditions", [])}
    assert all(c["type"] == "REQUEST" for c in found.values())
    return {name: c["statement"] for name, c in found.items()}


def answers(run, path: str) -> Optional[dict]:
    """What the service's app-link snippets answer for ``path`` (None: it goes on to the backends)."""
    return app_link_answer(run.one(SERVICE).inputs, path)


def test_the_app_link_files_are_answered_at_the_edge_with_the_contracts_exact_bytes():
    run = build({"domains": DOMAINS, "app_links": APP_LINKS}, exports=False)
    links = resolve_app_links(APP_LINKS)
    for file in links.files:
        answer = answers(run, file.path)
        assert (answer["status"], answer["response"], answer["content_type"]) == (200, "OK", "application/json")
        assert answer["body"] == file.body, "the bytes deep_links.py produced, as given"
        assert answers(run, file.path + ".bak") is None and answers(run, file.path.upper()) is None
    for path in (CLICK_PATH, "/q/open-pixel", "/.well-known/security.txt", "/"):
        assert answers(run, path) is None, f"{path} must still reach the ESP"


CLOSING_JSON = '{"applinks":{"details":[{"appIDs":["ABCDE12345.com.example.app"],"paths":["/f/*"]}]},"x":"\\"}"}'
"""An Apple file ending in ``"}`` (as nearly every one does) with ``"}`` and a backslash inside a string too:
what ends a VCL long string ``{"..."}`` and what an escaping scheme would have to get right."""


def test_app_link_bytes_reach_the_vcl_as_base64_so_no_json_can_end_or_escape_a_vcl_string():
    run = build({"domains": DOMAINS, "app_links": {"apple_app_site_association": CLOSING_JSON}}, exports=False)
    inputs = run.one(SERVICE).inputs
    assert "responseObjects" not in inputs, "no response object: its content's escaping into VCL is not documented"
    assert answers(run, APPLE_PATH)["body"] == CLOSING_JSON.encode()
    for snippet in inputs["snippets"]:
        code = snippet["content"]
        assert '{"' not in code and '"}' not in code, "no VCL long string"
        assert CLOSING_JSON not in code and "applinks" not in code, "the JSON never appears in the VCL as text"
        for literal in re.findall(r'"([^"]*)"', code):
            assert "%" not in literal and "\\" not in literal, f"a VCL string that needs escaping: {literal!r}"


def test_only_the_given_file_is_answered():
    run = build({"domains": DOMAINS, "app_links": {"android_asset_links": ANDROID}}, exports=False)
    assert answers(run, ANDROID_PATH)["body"] == resolve_app_links({"android_asset_links": ANDROID}).files[0].body
    assert answers(run, APPLE_PATH) is None


def test_the_click_path_is_unchanged_by_app_links():
    without = build({"domains": DOMAINS, "redirect_http_to_https": True}, exports=False).one(SERVICE).inputs
    with_links = build({"domains": DOMAINS, "redirect_http_to_https": True, "app_links": APP_LINKS},
                       exports=False).one(SERVICE).inputs
    assert with_links["backends"] == without["backends"], "the ESP backend stays the default for every other path"
    assert {k: v for k, v in with_links.items() if k not in ("conditions", "snippets", "requestSettings")} \
        == {k: v for k, v in without.items() if k != "requestSettings"}


def test_the_https_redirect_never_applies_to_the_app_link_files():
    run = build({"domains": DOMAINS, "redirect_http_to_https": True, "app_links": APP_LINKS}, exports=False)
    (setting,) = run.one(SERVICE).inputs["requestSettings"]
    assert setting["forceSsl"] is True and setting["xff"] == "append"
    redirected = conditions(run)[setting["requestCondition"]]
    assert not vcl_true(redirected, APPLE_PATH) and not vcl_true(redirected, ANDROID_PATH), "Apple and Android refuse redirects"
    for path in (CLICK_PATH, "/.well-known/other", "/"):
        assert vcl_true(redirected, path), f"{path} is still redirected to HTTPS"


def test_other_well_known_requests_go_to_the_well_known_origin_over_verified_tls():
    run = build({"domains": DOMAINS, "well_known_origin": "www.example.com", "app_links": APP_LINKS}, exports=False)
    esp, well_known = run.one(SERVICE).inputs["backends"]
    assert "requestCondition" not in esp, "the ESP backend is the default"
    assert well_known == {
        "name": "well-known-origin", "address": "www.example.com", "port": 443, "useSsl": True,
        "sslCheckCert": True, "sslCertHostname": "www.example.com", "sslSniHostname": "www.example.com",
        "minTlsVersion": "1.2", "overrideHost": "www.example.com", "requestCondition": "well-known-path"}
    selects = conditions(run)["well-known-path"]
    assert vcl_true(selects, "/.well-known/security.txt") and vcl_true(selects, "/.well-known/change-password")
    for path in (CLICK_PATH, "/well-known/x", "/f/.well-known/x", "/.well-knownx/"):
        assert not vcl_true(selects, path), f"{path} goes to the ESP"
    assert answers(run, APPLE_PATH), "the files are answered before any backend is chosen (vcl_recv)"


def test_a_nul_byte_never_reaches_a_synthetic_response():
    """A NUL byte ends a VCL synthetic string: the contract refuses it (raw control characters are not JSON)."""
    error, registered = refused({"domains": DOMAINS, "app_links": {"android_asset_links": '[{"relation":["a\x00"]}]'}})
    assert error.argument == "app_links.android_asset_links" and registered == []


@pytest.mark.parametrize("before, after", [
    ({}, {"app_links": APP_LINKS}),
    ({"app_links": {"android_asset_links": ANDROID}}, {"app_links": APP_LINKS}),
    ({"app_links": APP_LINKS}, {"app_links": {**APP_LINKS, "apple_app_site_association": json.dumps(APPLE)}}),
    ({}, {"well_known_origin": "www.example.com"}),
    ({"redirect_http_to_https": True}, {"redirect_http_to_https": True, "app_links": APP_LINKS}),
], ids=["add-app-links", "add-a-file", "change-content", "add-well-known-origin", "add-app-links-with-redirect"])
def test_adding_or_changing_deep_links_on_a_live_stack_updates_the_service_only(before, after):
    base = {"domains": DOMAINS, **PER_DOMAIN}
    diff = diff_plans(day_two_document({**base, **before}), day_two_document({**base, **after}))
    assert acting(diff) == {(SERVICE, "track-service"): "update"}
    (mode,) = [m for m in day_two.MODES if m.id == "fastly"]
    transition = day_two.Transition("deep-links", tuple(day_two.BASE), tuple(day_two.BASE),
                                    lambda _: before, lambda _: after)
    assert day_two.Case(mode, transition).verdict().problems == (), "every check of the day-two harness"


# --- limits ---------------------------------------------------------------------------------------


def test_more_domains_than_fastlys_default_limit_are_refused_naming_domains():
    error, registered = refused({"domains": [f"d{i}.example.com" for i in range(DEFAULT_DOMAIN_LIMIT + 1)]})
    assert error.argument == "domains" and "domain_limit" in str(error)
    assert registered == []


def test_a_raised_limit_allows_up_to_one_certificates_worth_of_domains():
    domains = [f"d{i}.example.com" for i in range(MAX_DOMAIN_LIMIT)]
    run = build({"domains": domains, "domain_limit": MAX_DOMAIN_LIMIT})
    assert len(run.one(SERVICE).inputs["domains"]) == MAX_DOMAIN_LIMIT
    assert subscription_domains(run) == {f"t-certificate-{d}": [d] for d in domains}
    assert len(run.stack_outputs["dns_records"]) == 2 * MAX_DOMAIN_LIMIT
    shared = build({"domains": domains, "domain_limit": MAX_DOMAIN_LIMIT, **SHARED}, exports=False)
    assert shared.one(SUBSCRIPTION).inputs["domains"] == domains, "one certificate holds at most 100 names"


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
    assert {r.name for r in run.of_type(VALIDATION_RESOURCE)} == {
        "tracking-certificate-validation-track.example.com", "tracking-certificate-validation-click2.example.com"}
    assert all(r.protect for r in run.of_type(VALIDATION_RESOURCE))
    (backend,) = run.one(SERVICE).inputs["backends"]
    assert backend["address"] == "sendgrid.net" and "overrideHost" not in backend
    assert run.one(SERVICE).inputs["requestSettings"][0]["forceSsl"] is True


def test_plan_renders_the_fastly_example_offline(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "fastly-example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OFFLINE RENDERING")
    assert f"+ {SERVICE}  tracking-service [protected]" in out
    for domain in ("track.example.com", "click2.example.com"):
        assert f"+ {SUBSCRIPTION}  tracking-certificate-{domain} [protected]" in out
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
