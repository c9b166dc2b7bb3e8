"""Policies of the CloudFront front door (`tracking_cdn.aws.CloudFrontTrackingDomain`), checked on the
resources it registers under the offline mock engine, for every ESP profile."""

import copy
import dataclasses
import fnmatch
import json
import re
import os
import shutil
import subprocess

import day_two
import pulumi
import pytest
import terraform_aws
from conftest import ESP_CASES, OPT_IN_ESP_CASES, REPO, refusal, run_stack
from scenarios import NO_ZONE

from tracking_cdn import cli
from tracking_cdn.aws import MAX_FUNCTION_CODE_BYTES, CloudFrontTrackingDomain, app_links_function_code
from tracking_cdn.deep_links import ANDROID_PATH, APPLE_PATH, resolve_app_links
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import plan_document, render_json

COMPONENT = "tracking-cdn:index:CloudFrontTrackingDomain"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"

# Facts from AWS's documentation ("Use managed origin request policies"; Route 53 alias targets).
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"  # every viewer header incl. Host, cookies, query strings
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # the same without Host
CLOUDFRONT_ALIAS_ZONE = "Z2FDTNDATAQYW2"
ZONE = "Z0HOSTEDZONE"
PROFILES = {**ESP_CASES, **OPT_IN_ESP_CASES}
"""Every ESP profile CloudFront serves: the first ones and those of issue 21."""
PLAIN_HTTP_ORIGINS = {"ses"}
"""Profiles reached over plain HTTP, their documented exception (``tracking_cdn.esp.SES``)."""
ORIGIN_CACHE_CONTROL = {"iterable", "iterable-eu"}
"""Profiles whose own Cache-Control decides caching (Iterable's guide)."""



def build(run_program, domains=("click2.example.com",), **args):
    return run_program(lambda: CloudFrontTrackingDomain("track", {"domains": list(domains), **args}))


def component_outputs(run):
    return run.one(COMPONENT).outputs


def behavior(run, name="track-distribution"):
    return run.named(name).inputs["defaultCacheBehavior"]


def cache_key(run):
    return run.one(CACHE_POLICY).inputs["parametersInCacheKeyAndForwardedToOrigin"]


def key_headers(run):
    config = cache_key(run)["headersConfig"]
    return set(config.get("headers", {}).get("items", [])) if config["headerBehavior"] == "whitelist" else set()


@pytest.fixture(params=PROFILES, scope="module")
def profile(request):
    return request.param


@pytest.fixture(scope="module")
def profile_run(profile):
    """The default front door for one profile, with a Route 53 zone (run once per profile)."""
    args = PROFILES[profile][0]
    return build(run_offline, hosted_zone_id=ZONE, **args)


# --- origin -------------------------------------------------------------------------------------


def test_the_origin_is_the_esp_endpoint_over_https_only_with_tls12(profile, profile_run):
    (origin,) = profile_run.one(DISTRIBUTION).inputs["origins"]
    assert origin["domainName"] == PROFILES[profile][1]
    config = origin["customOriginConfig"]
    # SES: plain HTTP, the profile's documented exception (its endpoint is not known to present a
    # certificate for its own name); every other ESP over HTTPS only
    expected = "http-only" if profile in PLAIN_HTTP_ORIGINS else "https-only"
    assert config["originProtocolPolicy"] == expected
    assert config["originSslProtocols"] == ["TLSv1.2"]
    assert (config["httpPort"], config["httpsPort"]) == (80, 443)
    assert behavior(profile_run)["targetOriginId"] == origin["originId"]
    assert component_outputs(profile_run)["origin_host"] == PROFILES[profile][1]


def test_every_method_reaches_the_origin_and_only_get_and_head_are_cached(profile_run):
    rules = behavior(profile_run)
    assert set(rules["allowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    assert set(rules["cachedMethods"]) == {"GET", "HEAD"}


def test_policies_are_used_instead_of_legacy_forwarded_values(profile_run):
    rules = behavior(profile_run)
    assert "forwardedValues" not in rules
    assert rules["cachePolicyId"], "the component's own cache policy"
    assert profile_run.one(CACHE_POLICY).urn in profile_run.one(DISTRIBUTION).dependencies
    assert rules["originRequestPolicyId"] in (ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST)


def test_all_query_strings_are_forwarded_and_part_of_the_cache_key(profile_run):
    assert cache_key(profile_run)["queryStringsConfig"]["queryStringBehavior"] == "all"
    # and the origin-request policy forwards all query strings too (both managed policies do)
    assert behavior(profile_run)["originRequestPolicyId"] in (ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST)


def test_default_ttl_is_10_seconds_and_the_origin_cannot_stretch_it(profile, profile_run):
    policy = profile_run.one(CACHE_POLICY).inputs
    if profile in ORIGIN_CACHE_CONTROL:
        # Iterable's guide: "Use Origin Cache Headers" (max 31536000); 10 s only without Cache-Control
        assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, 10, 31536000)
    else:
        assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, 10, 10)


def test_user_agent_reaches_the_origin(profile_run):
    # In the cache key (as SparkPost's guide asks: a different browser is a different click), which
    # CloudFront also forwards, and forwarded by the origin-request policy in any case.
    assert "User-Agent" in key_headers(profile_run)
    assert behavior(profile_run)["originRequestPolicyId"] in (ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST)


def test_sendgrid_gets_the_tracking_domain_as_host_with_cookies_and_others_get_their_own_host(profile, profile_run):
    # SendGrid, SES, Iterable and Customer.io route on the tracking domain: it reaches them as Host
    if PROFILES[profile][2]:
        assert behavior(profile_run)["originRequestPolicyId"] == ALL_VIEWER
        assert "Host" in key_headers(profile_run), "one cache entry per tracking domain"
        assert cache_key(profile_run)["cookiesConfig"]["cookieBehavior"] == "all"
    else:
        # Host stays the ESP's own name, or SparkPost would not recognise the request
        assert behavior(profile_run)["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
        assert "Host" not in key_headers(profile_run)


@pytest.mark.parametrize("ttl", [1, 300, 3600])
def test_the_cache_ttl_is_configurable(run_program, ttl):
    policy = build(run_program, cache_ttl_seconds=ttl).one(CACHE_POLICY).inputs
    assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, ttl, ttl)


@pytest.mark.parametrize("esp", ["sparkpost", "sendgrid"])
def test_ttl_zero_disables_caching_with_an_empty_cache_key_that_cloudfront_accepts(run_program, esp):
    run = build(run_program, esp=esp, cache_ttl_seconds=0)
    policy = run.one(CACHE_POLICY).inputs
    assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, 0, 0)
    key = policy["parametersInCacheKeyAndForwardedToOrigin"]
    # CloudFront refuses any cache-key contents when every TTL is 0
    assert key["headersConfig"]["headerBehavior"] == "none"
    assert key["cookiesConfig"]["cookieBehavior"] == "none"
    assert key["queryStringsConfig"]["queryStringBehavior"] == "none"
    assert not key["enableAcceptEncodingGzip"] and not key["enableAcceptEncodingBrotli"]
    # ...so the origin-request policy alone carries User-Agent, query strings (and Host for SendGrid)
    expected = ALL_VIEWER if esp == "sendgrid" else ALL_VIEWER_EXCEPT_HOST
    assert behavior(run)["originRequestPolicyId"] == expected
    assert any("cache_ttl_seconds=0" in warning for warning in run.warnings)


def test_ses_gets_every_viewer_header_query_string_and_cookie_over_http_and_caches_with_min_ttl_0(run_program):
    # SES's guide: cache on "All" headers (the tracking domain reaches SES as Host), "Forward all,
    # cache based on all" query strings; CloudFront: "You must specify 0 for MinTTL" with all headers
    run = build(run_program, esp="ses", esp_region="eu-west-1", hosted_zone_id=ZONE)
    (origin,) = run.one(DISTRIBUTION).inputs["origins"]
    assert origin["domainName"] == "r.eu-west-1.awstrack.me"
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "http-only"
    assert behavior(run)["originRequestPolicyId"] == ALL_VIEWER
    key = cache_key(run)
    assert key["queryStringsConfig"]["queryStringBehavior"] == "all"
    assert key["cookiesConfig"]["cookieBehavior"] == "all"
    assert {"Host", "User-Agent"} <= key_headers(run)
    assert run.one(CACHE_POLICY).inputs["minTtl"] == 0
    # viewers still get HTTPS with the tracking domain's certificate
    assert run.one(DISTRIBUTION).inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"


@pytest.mark.parametrize("esp", ["iterable", "iterable-eu"])
@pytest.mark.parametrize("ttl", [0, 10, 300])
def test_iterable_s_cache_control_decides_with_our_ttl_as_the_default(run_program, esp, ttl):
    run = build(run_program, esp=esp, cache_ttl_seconds=ttl)
    policy = run.one(CACHE_POLICY).inputs
    assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, ttl, 31536000)
    # answers can be cached, so the key keeps what tells clicks apart
    assert {"Host", "User-Agent"} <= key_headers(run)
    assert cache_key(run)["cookiesConfig"]["cookieBehavior"] == "all"
    # POST is allowed (Iterable's unsubscribe page posts back), HTTPS only to links.iterable.com
    assert "POST" in behavior(run)["allowedMethods"]
    assert run.one(DISTRIBUTION).inputs["origins"][0]["customOriginConfig"]["originProtocolPolicy"] == "https-only"


@pytest.mark.parametrize("esp, host", [("customerio", "track.customer.io"), ("customerio-eu", "track-eu.customer.io")])
def test_customerio_gets_the_tracking_domain_as_host_and_cookies_over_https(run_program, esp, host):
    run = build(run_program, esp=esp)
    (origin,) = run.one(DISTRIBUTION).inputs["origins"]
    assert origin["domainName"] == host and origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert behavior(run)["originRequestPolicyId"] == ALL_VIEWER
    assert cache_key(run)["cookiesConfig"]["cookieBehavior"] == "all"


# --- viewers ------------------------------------------------------------------------------------


def test_http_is_served_not_redirected_by_default(profile_run):
    assert behavior(profile_run)["viewerProtocolPolicy"] == "allow-all"


def test_redirecting_http_to_https_is_opt_in(run_program):
    run = build(run_program, redirect_http_to_https=True)
    assert behavior(run)["viewerProtocolPolicy"] == "redirect-to-https"


def test_viewers_get_sni_tls12_2021_ipv6_http2_and_3_at_every_edge_location(profile_run):
    distribution = profile_run.one(DISTRIBUTION).inputs
    assert distribution["viewerCertificate"]["sslSupportMethod"] == "sni-only"
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert distribution["isIpv6Enabled"] is True
    assert distribution["httpVersion"] == "http2and3"
    assert distribution["priceClass"] == "PriceClass_All"
    assert distribution["enabled"] is True


def test_the_price_class_can_be_lowered(run_program):
    assert build(run_program, price_class="PriceClass_100").one(DISTRIBUTION).inputs["priceClass"] == "PriceClass_100"


def test_up_waits_for_the_deployment_by_default_and_can_skip_it(run_program):
    assert build(run_program).one(DISTRIBUTION).inputs["waitForDeployment"] is True
    assert build(run_program, wait_for_deployment=False).one(DISTRIBUTION).inputs["waitForDeployment"] is False


def test_the_certificate_is_dns_validated_rsa2048_in_us_east_1_and_covers_the_aliases(profile_run):
    certificate = profile_run.one(CERTIFICATE).inputs
    assert certificate["region"] == "us-east-1"
    assert certificate["validationMethod"] == "DNS"
    assert certificate["keyAlgorithm"] == "RSA_2048"
    names = {certificate["domainName"], *certificate.get("subjectAlternativeNames", [])}
    distribution = profile_run.one(DISTRIBUTION).inputs
    assert names == set(distribution["aliases"]) == {"click2.example.com"}
    assert distribution["viewerCertificate"]["acmCertificateArn"] == profile_run.one(CERTIFICATE).outputs["arn"]
    assert profile_run.one(VALIDATION).inputs["region"] == "us-east-1"


def test_the_certificate_lands_in_us_east_1_whatever_the_stack_region():
    run = run_stack("cloudfront-example", {"aws:region": "eu-central-1"})
    assert run.one(CERTIFICATE).inputs["region"] == "us-east-1"
    assert run.one(VALIDATION).inputs["region"] == "us-east-1"


# --- several domains ----------------------------------------------------------------------------

MANY = [f"t{i}.example.com" for i in range(25)]


def certificate_names(registration):
    return [registration.inputs["domainName"], *registration.inputs.get("subjectAlternativeNames", [])]


def test_several_domains_share_one_distribution_and_certificate(run_program):
    domains = ["click2.example.com", "click2.example.org", "links.example.net"]
    run = build(run_program, domains, hosted_zone_id=ZONE)
    assert run.one(DISTRIBUTION).inputs["aliases"] == domains
    assert certificate_names(run.one(CERTIFICATE)) == domains


def test_more_domains_than_one_certificate_holds_are_split_into_groups_of_10(run_program):
    run = build(run_program, MANY, hosted_zone_id=ZONE)
    distributions = sorted(run.of_type(DISTRIBUTION), key=lambda r: r.name)
    certificates = run.of_type(CERTIFICATE)
    assert len(distributions) == len(certificates) == 3
    aliases = [d.inputs["aliases"] for d in distributions]
    assert [len(a) for a in aliases] == [10, 10, 5]
    assert sorted(sum(aliases, [])) == sorted(MANY), "every domain exactly once"
    by_arn = {c.outputs["arn"]: set(certificate_names(c)) for c in certificates}
    validated = {v.outputs["certificateArn"]: v for v in run.of_type(VALIDATION)}
    for distribution in distributions:
        arn = distribution.inputs["viewerCertificate"]["acmCertificateArn"]
        assert by_arn[arn] == set(distribution.inputs["aliases"]), "each distribution's certificate covers its aliases"
        assert arn in validated
    outputs = component_outputs(run)
    assert len(outputs["distribution_ids"]) == len(outputs["certificate_arns"]) == 3


def test_a_raised_acm_quota_puts_up_to_100_domains_on_one_distribution(run_program):
    domains = [f"t{i}.example.com" for i in range(100)]
    run = build(run_program, domains, max_names_per_certificate=100, hosted_zone_id=ZONE)
    assert run.one(DISTRIBUTION).inputs["aliases"] == domains
    assert len(certificate_names(run.one(CERTIFICATE))) == 100


def test_appending_domains_never_changes_existing_groups(run_program):
    def groups(run):
        return {
            r.name: (r.urn, r.inputs.get("aliases"), r.inputs.get("domainName"), r.inputs.get("subjectAlternativeNames"))
            for r in run.resources
            if r.type in (DISTRIBUTION, CERTIFICATE)
        }

    before = groups(build(run_program, MANY[:15], hosted_zone_id=ZONE))
    after = groups(build(run_program, MANY[:15] + ["added.example.com"] + MANY[15:21], hosted_zone_id=ZONE))
    assert set(before) == {"track-distribution", "track-certificate", "track-distribution-2", "track-certificate-2"}
    assert set(before) < set(after), "no distribution or certificate is renamed; a third group is added"
    for full in ("track-distribution", "track-certificate"):
        assert after[full] == before[full], "a full group is left exactly as it was"
    assert after["track-distribution-2"][0] == before["track-distribution-2"][0]
    assert after["track-distribution-2"][1][:5] == before["track-distribution-2"][1], "the last group only grows"


def test_a_domain_longer_than_64_characters_is_never_the_certificate_common_name(run_program):
    long_name = "a" * 60 + ".tracking.example.com"
    run = build(run_program, [long_name, "click2.example.com"], hosted_zone_id=ZONE)
    certificate = run.one(CERTIFICATE).inputs
    assert certificate["domainName"] == "click2.example.com"
    assert certificate["subjectAlternativeNames"] == [long_name]
    assert set(run.one(DISTRIBUTION).inputs["aliases"]) == {long_name, "click2.example.com"}


# --- DNS ----------------------------------------------------------------------------------------


def records(run, record_type):
    return [r for r in run.of_type(RECORD) if r.inputs["type"] == record_type or r.outputs.get("type") == record_type]


def test_with_a_hosted_zone_validation_and_alias_records_are_created_and_awaited(run_program):
    domains = ["click2.example.com", "links.example.com"]
    run = build(run_program, domains, hosted_zone_id=ZONE)
    certificate = run.one(CERTIFICATE)
    options = {o["domainName"]: o for o in certificate.outputs["domainValidationOptions"]}
    validation_records = [r for r in run.of_type(RECORD) if r.name.startswith("track-validation-")]
    assert {r.inputs["name"] for r in validation_records} == {options[d]["resourceRecordName"] for d in domains}
    for record in validation_records:
        # ACM's CNAME is the same for every certificate naming the domain: one that exists is taken over
        assert record.inputs["zoneId"] == ZONE and record.inputs["allowOverwrite"] is True
        assert record.inputs["type"] == "CNAME"
        assert record.inputs["records"] in ([o["resourceRecordValue"]] for o in options.values())
    validation = run.one(VALIDATION)
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert sorted(validation.inputs["validationRecordFqdns"]) == sorted(r.outputs["fqdn"] for r in validation_records)
    distribution = run.one(DISTRIBUTION)
    for domain in domains:
        for record_type in ("A", "AAAA"):
            (alias,) = [r for r in run.of_type(RECORD) if r.inputs["name"] == domain and r.inputs["type"] == record_type]
            assert alias.inputs["zoneId"] == ZONE and alias.inputs["allowOverwrite"] is False
            assert alias.inputs["aliases"] == [
                {"name": distribution.outputs["domainName"], "zoneId": CLOUDFRONT_ALIAS_ZONE, "evaluateTargetHealth": False}
            ]
    listed = {(r["name"], r["type"], r["value"], r["purpose"]) for r in component_outputs(run)["dns_records"]}
    # an alias is listed as what it is: no DNS server accepts an A record holding a host name
    assert {(d, "ALIAS", distribution.outputs["domainName"], "route") for d in domains} <= listed
    listed = {(name, kind, purpose) for name, kind, _, purpose in listed}
    assert {(options[d]["resourceRecordName"].rstrip("."), "CNAME", "validation") for d in domains} <= listed


def test_a_live_domain_can_be_switched_with_a_cname_record_instead_of_an_alias(run_program):
    run = build(run_program, hosted_zone_id=ZONE, route_record_type="CNAME")
    (route,) = [r for r in run.of_type(RECORD) if r.inputs["name"] == "click2.example.com"]
    assert route.inputs["type"] == "CNAME"
    assert route.inputs["records"] == [run.one(DISTRIBUTION).outputs["domainName"]]


def test_without_a_zone_nothing_waits_and_dns_records_list_what_to_create(profile, run_program):
    args = PROFILES[profile][0]
    run = build(run_program, ["click2.example.com", "links.example.com"], **args)
    assert run.of_type(RECORD) == [], "no zone, no records created"
    assert run.of_type(VALIDATION) == [], "nothing waits for a validation that cannot happen"
    assert len(run.of_type(CERTIFICATE)) == 1, "the certificate is requested so its records are known"
    distribution = run.one(DISTRIBUTION)
    assert distribution.inputs.get("aliases") in (None, []), "CloudFront refuses aliases without a valid certificate"
    assert distribution.inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    listed = component_outputs(run)["dns_records"]
    options = run.one(CERTIFICATE).outputs["domainValidationOptions"]
    assert [(r["name"], r["type"], r["value"]) for r in listed if r["purpose"] == "validation"] == [
        (o["resourceRecordName"].rstrip("."), "CNAME", o["resourceRecordValue"].rstrip(".")) for o in options
    ]
    assert [(r["name"], r["type"], r["value"]) for r in listed if r["purpose"] == "route"] == [
        (d, "CNAME", distribution.outputs["domainName"]) for d in ("click2.example.com", "links.example.com")
    ]
    assert component_outputs(run)["aliases_attached"] is False
    assert any("validated_domains" in w for w in run.warnings), "step 1 tells the user what comes next"


def test_step_two_attaches_the_validated_certificate_without_replacing_anything(run_program):
    step1 = build(run_program)
    step2 = build(run_program, certificate_validated=True)
    certificate = step2.one(CERTIFICATE)
    validation = step2.one(VALIDATION)
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert validation.inputs.get("validationRecordFqdns") in (None, [])
    distribution = step2.one(DISTRIBUTION).inputs
    assert distribution["aliases"] == ["click2.example.com"]
    assert distribution["viewerCertificate"]["acmCertificateArn"] == validation.outputs["certificateArn"]
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert step2.of_type(RECORD) == []
    assert component_outputs(step2)["aliases_attached"] is True
    for token in (DISTRIBUTION, CERTIFICATE, CACHE_POLICY):
        assert step1.one(token).urn == step2.one(token).urn
        assert step1.one(token).inputs.get("domainName") == step2.one(token).inputs.get("domainName")


ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"


@pytest.mark.parametrize("zone", [None, ZONE])
def test_a_given_certificate_is_attached_at_once_and_none_is_created(run_program, zone):
    run = build(run_program, ["click2.example.com", "links.example.com"], certificate_arn=ARN, hosted_zone_id=zone)
    assert run.of_type(CERTIFICATE) == [] and run.of_type(VALIDATION) == []
    distribution = run.one(DISTRIBUTION).inputs
    assert distribution["aliases"] == ["click2.example.com", "links.example.com"]
    assert distribution["viewerCertificate"]["acmCertificateArn"] == ARN
    listed = component_outputs(run)["dns_records"]
    assert listed and all(r["purpose"] == "route" for r in listed)
    assert component_outputs(run)["certificate_arns"] == [ARN]
    assert all(not r.name.startswith("track-validation-") for r in run.of_type(RECORD))


# --- protection and shape -----------------------------------------------------------------------


def test_live_serving_resources_are_protected_by_default(profile_run):
    protected = {r.name for r in profile_run.resources if r.protect}
    serving = {r.name for r in profile_run.of_type(DISTRIBUTION) + profile_run.of_type(RECORD)}
    assert serving and protected == serving
    # a certificate in use cannot be deleted (AWS refuses) and must stay replaceable when domains are added
    assert not profile_run.one(CERTIFICATE).protect


def test_protection_can_be_turned_off_to_tear_down(run_program):
    run = build(run_program, hosted_zone_id=ZONE, protect_serving_resources=False)
    assert run.of_type(DISTRIBUTION) and not any(r.protect for r in run.resources)


def test_every_resource_is_a_child_of_the_component(profile_run):
    component = profile_run.one(COMPONENT)
    assert component.name == "track"
    assert all(r.parent == component.urn for r in profile_run.resources if r is not component)


# --- bad inputs ---------------------------------------------------------------------------------

TOO_MANY = [f"t{i}.example.com" for i in range(101)]
BAD_INPUTS = [
    ({"domains": []}, "domains"),
    ({"domains": ["*.example.com"]}, "domains[0]"),
    ({"domains": ["click2.example.com", "Click2.Example.com."]}, "domains[1]"),
    ({"domains": ["example.com"]}, "domains[0]"),
    ({"domains": ["click2.example.com"], "esp": "mailchimp"}, "esp"),
    ({"domains": ["click2.example.com"], "esp": "sparkpost-enterprise"}, "tenant"),
    ({"domains": ["click2.example.com"], "esp": "custom"}, "origin_host"),
    ({"domains": ["click2.example.com"], "esp": "custom", "origin_host": "https://x.example.net/"}, "origin_host"),
    ({"domains": ["click2.example.com"], "cache_ttl_seconds": -1}, "cache_ttl_seconds"),
    ({"domains": ["click2.example.com"], "cache_ttl_seconds": 86400}, "cache_ttl_seconds"),
    ({"domains": ["click2.example.com"], "hosted_zone": ZONE}, "hosted_zone"),
    ({"domains": ["click2.example.com"], "hosted_zone_id": ""}, "hosted_zone_id"),
    ({"domains": ["click2.example.com"], "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"},
     "certificate_arn"),
    ({"domains": ["click2.example.com"], "certificate_arn": "my-certificate"}, "certificate_arn"),
    ({"domains": ["click2.example.com"], "certificate_arn": ARN, "certificate_validated": True},
     "certificate_validated"),
    ({"domains": ["click2.example.com"], "hosted_zone_id": ZONE, "certificate_validated": True},
     "certificate_validated"),
    ({"domains": ["click2.example.com"], "certificate_validated": "yes"}, "certificate_validated"),
    ({"domains": ["click2.example.com"], "max_names_per_certificate": 0}, "max_names_per_certificate"),
    ({"domains": ["click2.example.com"], "max_names_per_certificate": 101}, "max_names_per_certificate"),
    ({"domains": ["click2.example.com"], "certificate_arn": ARN, "max_names_per_certificate": 10},
     "max_names_per_certificate"),
    ({"domains": ["click2.example.com"], "price_class": "PriceClass_Cheap"}, "price_class"),
    ({"domains": ["click2.example.com"], "route_record_type": "CNAME"}, "route_record_type"),
    ({"domains": ["click2.example.com"], "hosted_zone_id": ZONE, "route_record_type": "TXT"}, "route_record_type"),
    ({"domains": ["click2.example.com"], "wait_for_deployment": "no"}, "wait_for_deployment"),
    ({"domains": TOO_MANY, "certificate_arn": ARN}, "domains"),
    ({"domains": [f"t{i}.example.com" for i in range(1001)]}, "domains"),
    ({"domains": ["a" * 60 + ".tracking.example.com", "b" * 60 + ".tracking.example.com"]}, "domains"),
]


@pytest.mark.parametrize("args, argument", BAD_INPUTS, ids=[f"{a}-{i}" for i, (_, a) in enumerate(BAD_INPUTS)])
def test_bad_input_is_refused_naming_the_argument_before_anything_registers(args, argument):
    error, registered = refusal(lambda: CloudFrontTrackingDomain("track", args))
    assert error.argument == argument
    assert str(error).startswith(f"{argument}: ")
    assert registered == []


def test_a_resource_decision_cannot_hang_on_an_output():
    error, registered = refusal(lambda: CloudFrontTrackingDomain(
        "track", {"domains": ["click2.example.com"], "certificate_validated": pulumi.Output.from_input(True)}
    ))
    assert registered == [] and error.argument == "certificate_validated"


def test_a_zone_id_from_another_resource_is_accepted(run_program):
    run = build(run_program, hosted_zone_id=pulumi.Output.from_input(ZONE))
    assert {r.inputs["zoneId"] for r in run.of_type(RECORD)} == {ZONE}


# --- example stack and plan ---------------------------------------------------------------------


def test_the_example_stack_builds_the_sibling_domain_in_its_route53_zone():
    run = run_stack("cloudfront-example")
    assert run.stack_outputs["frontDoor"] == "cloudfront"
    distribution = run.one(DISTRIBUTION)
    assert distribution.inputs["aliases"] == ["click2.example.com"]
    assert distribution.inputs["origins"][0]["domainName"] == "spgo.io"
    assert distribution.protect
    assert {r.inputs["zoneId"] for r in run.of_type(RECORD)} == {"Z0123456789EXAMPLE"}
    assert run.stack_outputs["aliasesAttached"] is True
    assert run.stack_outputs["distributionDomainNames"] == [distribution.outputs["domainName"]]


def test_the_example_stack_without_its_zone_is_the_two_step_flow():
    run = run_stack("cloudfront-example", NO_ZONE)
    assert run.of_type(RECORD) == [] and run.of_type(VALIDATION) == []
    assert {r["purpose"] for r in run.stack_outputs["dnsRecords"]} == {"validation", "route"}


def test_plan_renders_the_cloudfront_stack_offline(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "cloudfront-example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OFFLINE RENDERING - not a cloud preview")
    assert f"+ {DISTRIBUTION}  tracking-distribution [protected]" in out
    assert "region: us-east-1" in out
    assert "click2.example.com" in out and "(validation)" in out and "(route)" in out


# --- day two: adding, removing and migrating domains ----------------------------------------------
#
# A `pulumi up` after a config change must never replace or delete a protected resource serving live
# names, and never attach a certificate before it is issued. These tests compare two registrations of
# the component (run 1 = deployed, run 2 = the next `up`); Terraform's verdicts follow at the end.


def component(domains, **args):
    return run_offline(lambda: CloudFrontTrackingDomain("track", {"domains": list(domains), **args}))


def replaced_by(before, after):
    """Names of the resources of ``after`` whose inputs differ from ``before``'s in a property the
    provider cannot change in place (the ones these tests meet: a certificate's names)."""
    old = {r.urn: r for r in before.resources}
    return {
        r.name
        for r in after.resources
        if r.urn in old and r.type == CERTIFICATE
        and certificate_names(r) != certificate_names(old[r.urn])
    }


def test_appending_a_domain_keeps_the_validation_records_of_the_others_as_they_are(run_program):
    before = component(["a.example.com"], hosted_zone_id=ZONE)
    after = component(["a.example.com", "b.example.com"], hosted_zone_id=ZONE)
    assert replaced_by(before, after) == {"track-certificate"}, "the group's certificate gains a name"
    old, new = before.named("track-validation-a.example.com"), after.named("track-validation-a.example.com")
    assert new.urn == old.urn and new.inputs == old.inputs and new.protect
    # The record's name and value come from the certificate being replaced (unknown until the new one
    # exists): the record keeps its deployed ones instead of being replaced, as ACM reuses the CNAME.
    certificate = after.named("track-certificate").urn
    from_certificate = {key for key, urns in new.property_dependencies.items() if certificate in urns}
    assert from_certificate == {"name", "records"} <= set(new.ignore_changes)
    assert new.inputs["type"] == "CNAME", "a constant: a record's type cannot change in place either"


def test_a_replaced_certificate_is_attached_only_once_issued(run_program):
    after = component(["a.example.com", "b.example.com"], hosted_zone_id=ZONE)
    distribution, validation = after.one(DISTRIBUTION), after.one(VALIDATION)
    assert validation.urn in distribution.property_dependencies["viewerCertificate"]
    assert after.one(CERTIFICATE).urn not in distribution.property_dependencies["viewerCertificate"]
    assert not after.one(CERTIFICATE).delete_before_replace, "the new certificate exists before the old goes"
    assert set(validation.inputs["validationRecordFqdns"]) == {
        after.named(f"track-validation-{d}").outputs["fqdn"] for d in ("a.example.com", "b.example.com")
    }


ELSEWHERE_LIVE = {"domains": ["a.example.com"], "validated_domains": ["a.example.com"]}


def test_with_dns_elsewhere_a_new_domain_waits_without_touching_the_live_ones(run_program):
    before = component(**ELSEWHERE_LIVE)
    after = component(["a.example.com", "b.example.com"], validated_domains=["a.example.com"])
    for name in ("track-certificate", "track-certificate-validation", "track-distribution"):
        assert after.named(name).inputs == before.named(name).inputs, f"{name} is left as it is"
    reveal = after.named("track-pending-certificate")
    assert certificate_names(reveal) == ["b.example.com"]
    assert reveal.urn not in {u for r in after.resources for u in r.dependencies}, "nothing uses it"
    option = reveal.outputs["domainValidationOptions"][0]
    listed = component_outputs(after)["dns_records"]
    assert {"name": option["resourceRecordName"].rstrip("."), "type": "CNAME",
            "value": option["resourceRecordValue"].rstrip("."), "purpose": "validation"} in listed
    assert sum(r["purpose"] == "validation" for r in listed) == 2, "one validation CNAME per domain"
    assert component_outputs(after)["pending_domains"] == ["b.example.com"]
    assert component_outputs(after)["aliases_attached"] is False
    assert any("b.example.com" in w and "validated_domains" in w for w in after.warnings)


def test_with_dns_elsewhere_a_validated_domain_is_attached_with_a_certificate_awaited_first(run_program):
    before = component(["a.example.com", "b.example.com"], validated_domains=["a.example.com"])
    after = component(["a.example.com", "b.example.com"], validated_domains=["a.example.com", "b.example.com"])
    assert replaced_by(before, after) == {"track-certificate"}
    assert certificate_names(after.named("track-certificate")) == ["a.example.com", "b.example.com"]
    assert after.of_type(CERTIFICATE) == [after.named("track-certificate")], "the pending certificate goes"
    distribution = after.one(DISTRIBUTION)
    assert distribution.inputs["aliases"] == ["a.example.com", "b.example.com"]
    attached = distribution.inputs["viewerCertificate"]["acmCertificateArn"]
    assert attached == after.one(VALIDATION).outputs["certificateArn"]
    assert after.one(VALIDATION).urn in distribution.property_dependencies["viewerCertificate"]
    assert component_outputs(after)["pending_domains"] == [] and component_outputs(after)["aliases_attached"]
    assert not after.warnings


def test_certificate_validated_true_is_validated_domains_listing_every_domain(run_program):
    every = component(["a.example.com", "b.example.com"], certificate_validated=True)
    listed = component(["a.example.com", "b.example.com"], validated_domains=["b.example.com", "A.example.com."])
    assert {r.urn: r.inputs for r in every.resources} == {r.urn: r.inputs for r in listed.resources}


def test_a_domain_validated_first_in_a_group_gets_the_certificate_the_rest_keep_waiting(run_program):
    run = component(["a.example.com", "b.example.com", "c.example.com"], validated_domains=["b.example.com"])
    assert certificate_names(run.named("track-certificate")) == ["b.example.com"]
    assert run.one(DISTRIBUTION).inputs["aliases"] == ["b.example.com"]
    assert certificate_names(run.named("track-pending-certificate")) == ["a.example.com", "c.example.com"]
    assert component_outputs(run)["pending_domains"] == ["a.example.com", "c.example.com"]


def test_a_pending_certificate_is_named_by_a_short_domain_when_every_pending_one_is_long(run_program):
    long_name = "a" * 60 + ".tracking.example.com"
    run = component(["click2.example.com", long_name], validated_domains=["click2.example.com"])
    reveal = run.named("track-pending-certificate")
    assert certificate_names(reveal) == ["click2.example.com", long_name], "ACM needs a common name of <= 64"
    listed = [r["name"] for r in component_outputs(run)["dns_records"] if r["purpose"] == "validation"]
    assert len(listed) == 2 and len(set(listed)) == 2, "each domain's CNAME listed once"


def test_removing_the_last_domain_deletes_only_its_own_records_and_replaces_the_certificate(run_program):
    before = component(["a.example.com", "b.example.com"], hosted_zone_id=ZONE)
    after = component(["a.example.com"], hosted_zone_id=ZONE)
    gone = {r.name for r in before.resources} - {r.name for r in after.resources}
    assert gone == {f"track-{kind}-b.example.com" for kind in ("validation", "a", "aaaa")}
    assert all(before.named(name).protect for name in gone), "pulumi up stops: `pulumi state unprotect` these"
    assert replaced_by(before, after) == {"track-certificate"}
    assert after.one(DISTRIBUTION).inputs["aliases"] == ["a.example.com"]


def test_a_live_domain_cnamed_to_the_esp_is_taken_over_in_place(run_program):
    run = component(["click.example.com", "click2.example.com"], hosted_zone_id=ZONE,
                    existing_route_records=["Click.example.com"])
    (takeover,) = [r for r in run.of_type(RECORD) if r.inputs["name"] == "click.example.com"]
    assert takeover.name == "track-cname-click.example.com" and takeover.protect
    assert takeover.inputs["type"] == "CNAME" and takeover.inputs["allowOverwrite"] is True
    assert takeover.inputs["records"] == [run.one(DISTRIBUTION).outputs["domainName"]]
    # it is written only once the distribution serves the domain with an issued certificate
    assert run.one(DISTRIBUTION).urn in takeover.dependencies
    others = [r for r in run.of_type(RECORD) if r.inputs["name"] == "click2.example.com"]
    assert {r.inputs["type"] for r in others} == {"A", "AAAA"}
    assert not any(r.inputs["allowOverwrite"] for r in others), "a record nobody listed is never overwritten"


def test_every_domain_must_be_inside_the_named_zone(run_program):
    run = component(["click2.example.com", "t.mail.example.com"], hosted_zone_id=ZONE, hosted_zone_name="Example.com.")
    assert len(run.of_type(DISTRIBUTION)) == 1
    error, registered = refusal(lambda: CloudFrontTrackingDomain("track", {
        "domains": ["click2.example.com", "click2.notexample.com"], "hosted_zone_id": ZONE,
        "hosted_zone_name": "example.com",
    }))
    assert error.argument == "domains[1]" and "hosted_zone_name 'example.com'" in str(error)
    assert registered == []


@pytest.mark.parametrize("name", ["track.v2", "tráck", "-track", "", "a" * 115])
def test_a_component_name_cloudfront_refuses_is_refused_naming_name(name):
    error, registered = refusal(lambda: CloudFrontTrackingDomain(name, {"domains": ["click2.example.com"]}))
    assert error.argument == "name" and registered == []


def test_the_longest_accepted_name_fits_the_cache_policy_name(run_program):
    name = "a" * 114
    run = run_program(lambda: CloudFrontTrackingDomain(name, {"domains": ["click2.example.com"]}))
    assert len(f"{name}-cache") + 8 == 128, "Pulumi adds '-' and 7 characters"
    assert run.one(CACHE_POLICY).name == f"{name}-cache"


DAY_TWO_REFUSALS = [
    ({"validated_domains": ["click2.example.com"], "hosted_zone_id": ZONE}, "validated_domains"),
    ({"validated_domains": ["click2.example.com"], "certificate_arn": ARN}, "validated_domains"),
    ({"validated_domains": ["click2.example.com"], "certificate_validated": True}, "certificate_validated"),
    ({"validated_domains": ["click3.example.com"]}, "validated_domains[0]"),
    ({"validated_domains": ["*.example.com"]}, "validated_domains[0]"),
    ({"validated_domains": "click2.example.com"}, "validated_domains"),
    ({"hosted_zone_name": "example.com"}, "hosted_zone_name"),
    ({"hosted_zone_id": ZONE, "hosted_zone_name": "https://example.com"}, "hosted_zone_name"),
    ({"hosted_zone_id": ZONE, "hosted_zone_name": "example.org"}, "domains[0]"),
    ({"existing_route_records": ["click2.example.com"]}, "existing_route_records"),
    ({"hosted_zone_id": ZONE, "existing_route_records": ["click.example.com"]}, "existing_route_records[0]"),
    ({"domains": ["a" * 60 + ".tracking.example.com", "click2.example.com"],
      "validated_domains": ["a" * 60 + ".tracking.example.com"]}, "validated_domains"),
]


@pytest.mark.parametrize("args, argument", DAY_TWO_REFUSALS, ids=[a for _, a in DAY_TWO_REFUSALS])
def test_day_two_arguments_are_refused_naming_the_argument_before_anything_registers(args, argument):
    error, registered = refusal(lambda: CloudFrontTrackingDomain("track", {"domains": ["click2.example.com"], **args}))
    assert error.argument == argument and registered == []


# --- day two: a stack deployed by the previous version --------------------------------------------

RELEASED = "9c43f17"
"""The component version whose plans tests/fixtures/plan-cloudfront-example*.json keep."""
RELEASED_PLANS = {
    # fixture -> the cloudfront-example stack's config overrides it was rendered with
    "plan-cloudfront-example.json": {},
    "plan-cloudfront-example-11-domains.json": {"tracking-cdn:domains": MANY[:11]},
    "plan-cloudfront-example-cname.json": {"tracking-cdn:routeRecordType": "CNAME",
                                           "tracking-cdn:domains": ["click.example.com", "click2.example.com"]},
    "plan-cloudfront-example-dns-elsewhere.json": NO_ZONE,
    "plan-cloudfront-example-dns-elsewhere-step-2.json": {**NO_ZONE, "tracking-cdn:certificateValidated": True},
}


def as_released(run):
    """``run`` as the released component registered it: validation records without ``allow_overwrite``
    and ``ignore_changes`` (the only differences, as the next test shows)."""
    resources = []
    for registration in run.resources:
        if registration.type == RECORD and "-validation-" in registration.name:
            inputs = {**copy.deepcopy(registration.inputs), "allowOverwrite": False}
            registration = dataclasses.replace(registration, inputs=inputs, ignore_changes=[])
        resources.append(registration)
    return dataclasses.replace(run, resources=resources)


@pytest.mark.parametrize("fixture", RELEASED_PLANS)
def test_a_stack_deployed_by_the_released_version_keeps_every_resource_and_only_updates_records(fixture):
    released = json.loads((REPO / "tests" / "fixtures" / fixture).read_text())
    run = run_stack("cloudfront-example", RELEASED_PLANS[fixture])
    now = {r["urn"]: r for r in json.loads(render_json(run, "cloudfront-example"))["resources"]}
    then = {r["urn"]: r for r in released["resources"]}
    assert set(now) == set(then), "no resource created or deleted by the upgrade: every URN is kept"
    for urn, resource in now.items():
        assert resource["protect"] == then[urn]["protect"] and resource["aliases"] == []
        changed = {k for k in {*resource["inputs"], *then[urn]["inputs"]}
                   if resource["inputs"].get(k) != then[urn]["inputs"].get(k)}
        if resource["type"] == RECORD and "-validation-" in resource["name"]:
            assert changed == {"allowOverwrite"} and resource["inputs"]["allowOverwrite"] is True
        else:
            assert changed == set(), f"{resource['name']}: {changed}"
    released_again = json.loads(render_json(as_released(run), "cloudfront-example"))["resources"]
    assert {r["urn"]: r["inputs"] for r in released_again} == {urn: r["inputs"] for urn, r in then.items()}


# --- day two: what terraform-provider-aws decides -------------------------------------------------

A, B = "a.example.com", "b.example.com"
TRANSITIONS = {
    # name -> (run 1's arguments, run 2's arguments, every resource Terraform does not leave as it is)
    "append a domain": (
        {"domains": [A], "hosted_zone_id": ZONE}, {"domains": [A, B], "hosted_zone_id": ZONE},
        {"track-certificate": "replace", "track-certificate-validation": "replace", "track-distribution": "update",
         "track-validation-b.example.com": "create", "track-a-b.example.com": "create",
         "track-aaaa-b.example.com": "create"}),
    "1 to 11 domains": (
        {"domains": MANY[:1], "hosted_zone_id": ZONE}, {"domains": MANY[:11], "hosted_zone_id": ZONE},
        {"track-certificate": "replace", "track-certificate-validation": "replace", "track-distribution": "update",
         "track-certificate-2": "create", "track-certificate-validation-2": "create",
         "track-distribution-2": "create",
         **{f"track-{kind}-{d}": "create" for d in MANY[1:11] for kind in ("validation", "a", "aaaa")}}),
    "remove the last domain": (
        {"domains": [A, B], "hosted_zone_id": ZONE}, {"domains": [A], "hosted_zone_id": ZONE},
        {"track-certificate": "replace", "track-certificate-validation": "replace", "track-distribution": "update",
         "track-validation-b.example.com": "delete", "track-a-b.example.com": "delete",
         "track-aaaa-b.example.com": "delete"}),
    "change the TTL": (
        {"domains": [A], "hosted_zone_id": ZONE}, {"domains": [A], "hosted_zone_id": ZONE, "cache_ttl_seconds": 60},
        {"track-cache": "update"}),
    "toggle the redirect": (
        {"domains": [A], "hosted_zone_id": ZONE},
        {"domains": [A], "hosted_zone_id": ZONE, "redirect_http_to_https": True},
        {"track-distribution": "update"}),
    "change the ESP": (
        {"domains": [A], "hosted_zone_id": ZONE}, {"domains": [A], "hosted_zone_id": ZONE, "esp": "sendgrid"},
        {"track-cache": "update", "track-distribution": "update"}),
    "take over a live CNAME": (
        {"domains": [A], "hosted_zone_id": ZONE},
        {"domains": [A, "click.example.com"], "hosted_zone_id": ZONE, "existing_route_records": ["click.example.com"]},
        {"track-certificate": "replace", "track-certificate-validation": "replace", "track-distribution": "update",
         "track-validation-click.example.com": "create", "track-cname-click.example.com": "create"}),
    "DNS elsewhere: step 2": (
        {"domains": [A, B]}, {"domains": [A, B], "certificate_validated": True},
        {"track-certificate-validation": "create", "track-distribution": "update"}),
    "DNS elsewhere: append a pending domain": (
        {"domains": [A], "validated_domains": [A]}, {"domains": [A, B], "validated_domains": [A]},
        {"track-pending-certificate": "create"}),
    "DNS elsewhere: attach it once validated": (
        {"domains": [A, B], "validated_domains": [A]}, {"domains": [A, B], "validated_domains": [A, B]},
        {"track-certificate": "replace", "track-certificate-validation": "replace", "track-distribution": "update",
         "track-pending-certificate": "delete"}),
    "your certificate: append a domain": (
        {"domains": [A], "certificate_arn": ARN}, {"domains": [A, B], "certificate_arn": ARN},
        {"track-distribution": "update"}),
    "add app_links": (
        {"domains": [A], "hosted_zone_id": ZONE},
        {"domains": [A], "hosted_zone_id": ZONE, "app_links": {"apple_app_site_association": {
            "applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "paths": ["/f/*"]}]}}}},
        {"track-app-links": "create", "track-distribution": "update"}),
    "change app_links content": (
        {"domains": [A], "hosted_zone_id": ZONE, "app_links": {"apple_app_site_association": {
            "applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "paths": ["/f/*"]}]}}}},
        {"domains": [A], "hosted_zone_id": ZONE, "app_links": {"apple_app_site_association": {
            "applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "paths": ["/f/app/*"]}]}}}},
        {"track-app-links": "update"}),
    "SES: set the tracking options": (
        {"domains": [A], "hosted_zone_id": ZONE, "esp": "ses", "esp_region": "eu-west-1"},
        {"domains": [A], "hosted_zone_id": ZONE, "esp": "ses", "esp_region": "eu-west-1",
         "ses_configuration_sets": {"marketing": A}},
        {"track-ses-marketing": "create"}),
    "change the ESP to SES": (
        {"domains": [A], "hosted_zone_id": ZONE}, {"domains": [A], "hosted_zone_id": ZONE, "esp": "ses",
                                                   "esp_region": "eu-west-1"},
        {"track-cache": "update", "track-distribution": "update"}),
}


@pytest.fixture(scope="module")
def terraform_verdicts(tmp_path_factory):
    """terraform-provider-aws's plan for every transition, and for the upgrade of a stack deployed by the
    released version (11 domains, in a zone), in one configuration."""
    reason = terraform_aws.skip_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and terraform-provider-aws cannot judge the day-two plans: {reason}")
        pytest.skip(reason)
    workspace = terraform_aws.Workspace.create(tmp_path_factory.mktemp("terraform-day-two"))
    pairs = {name: (component(**before), component(**after)) for name, (before, after, _) in TRANSITIONS.items()}
    upgraded = component(MANY[:11], hosted_zone_id=ZONE)
    pairs["upgrade from the released version"] = (as_released(upgraded), upgraded)
    return terraform_aws.plan_changes(workspace, pairs)


@pytest.mark.parametrize("transition", TRANSITIONS)
def test_terraform_provider_aws_replaces_no_serving_resource_on_day_two(transition, terraform_verdicts):
    changes = {c.name: c.action for c in terraform_verdicts[transition].values() if c.action != "no-op"}
    assert changes == TRANSITIONS[transition][2]
    # the certificates and their validations are the only replacements, and they serve no name yet
    before = component(**TRANSITIONS[transition][0])
    protected = {r.name for r in before.resources if r.protect}
    assert not {n for n, a in changes.items() if a == "replace"} & protected


def test_terraform_provider_aws_upgrades_a_released_stack_by_updating_validation_records(terraform_verdicts):
    changes = terraform_verdicts["upgrade from the released version"]
    assert {c.name: c.action for c in changes.values() if c.action != "no-op"} == {
        f"track-validation-{d}": "update" for d in MANY[:11]
    }


# --- Amazon SES: the configuration set's tracking options -----------------------------------------

SES_SET = "aws:sesv2/configurationSet:ConfigurationSet"
SES = {"esp": "ses", "esp_region": "eu-west-1"}


def test_ses_configuration_sets_point_at_the_tracking_domain_once_it_is_served(run_program):
    run = component(["click.example.com", "click2.example.com"], hosted_zone_id=ZONE, **SES,
                    ses_configuration_sets={"marketing": "click.example.com", "receipts": "Click2.example.com"})
    sets = {r.inputs["configurationSetName"]: r for r in run.of_type(SES_SET)}
    assert set(sets) == {"marketing", "receipts"}
    marketing = sets["marketing"]
    assert marketing.name == "track-ses-marketing" and marketing.protect
    assert marketing.inputs["region"] == "eu-west-1", "the set lives where mail is sent from, not in us-east-1"
    assert marketing.inputs["trackingOptions"] == {"customRedirectDomain": "click.example.com", "httpsPolicy": "REQUIRE"}
    assert sets["receipts"].inputs["trackingOptions"]["customRedirectDomain"] == "click2.example.com"
    # REQUIRE before the front door serves the domain breaks every link: the set waits for the
    # distribution (which waits for the certificate validation and its own deployment) and the route
    distribution = run.one(DISTRIBUTION)
    assert distribution.inputs["waitForDeployment"] is True
    assert run.one(VALIDATION).urn in distribution.dependencies
    routes = {r.urn for r in run.of_type(RECORD) if r.inputs["name"] == "click.example.com"}
    assert {distribution.urn, *routes} <= set(marketing.dependencies)


def test_ses_https_policy_require_open_only_is_the_other_choice(run_program):
    run = component(["click.example.com"], **SES, validated_domains=["click.example.com"],
                    ses_configuration_sets={"marketing": "click.example.com"}, ses_https_policy="REQUIRE_OPEN_ONLY")
    assert run.one(SES_SET).inputs["trackingOptions"]["httpsPolicy"] == "REQUIRE_OPEN_ONLY"
    assert run.one(DISTRIBUTION).urn in run.one(SES_SET).dependencies


SES_REFUSALS = [
    ({"esp": "sparkpost", "ses_configuration_sets": {"m": "click2.example.com"}}, "ses_configuration_sets"),
    ({**SES, "ses_configuration_sets": {"m": "click2.example.com"}}, "ses_configuration_sets.m"),  # not attached
    ({**SES, "hosted_zone_id": ZONE, "ses_configuration_sets": {}}, "ses_configuration_sets"),
    ({**SES, "hosted_zone_id": ZONE, "ses_configuration_sets": {"m": "click3.example.com"}}, "ses_configuration_sets.m"),
    ({**SES, "hosted_zone_id": ZONE, "ses_configuration_sets": {"my set": "click2.example.com"}},
     "ses_configuration_sets.my set"),
    ({**SES, "hosted_zone_id": ZONE, "ses_configuration_sets": {"m": "click2.example.com"}, "ses_https_policy": "OPTIONAL"},
     "ses_https_policy"),
    ({**SES, "hosted_zone_id": ZONE, "ses_https_policy": "REQUIRE"}, "ses_https_policy"),
    ({**SES, "hosted_zone_id": ZONE, "ses_configuration_sets": {"m": "click2.example.com"}, "wait_for_deployment": False},
     "ses_configuration_sets"),
    ({"esp": "ses", "origin_host": "r.eu-west-1.awstrack.me", "hosted_zone_id": ZONE,
      "ses_configuration_sets": {"m": "click2.example.com"}}, "esp_region"),
]


@pytest.mark.parametrize("args, argument", SES_REFUSALS, ids=[f"{a}-{i}" for i, (_, a) in enumerate(SES_REFUSALS)])
def test_ses_configuration_sets_that_would_break_links_are_refused_before_anything_registers(args, argument):
    error, registered = refusal(lambda: CloudFrontTrackingDomain("track", {"domains": ["click2.example.com"], **args}))
    assert error.argument == argument and registered == []


# --- deep links: the app-link files at the edge ----------------------------------------------------
#
# A small CloudFront: the request goes to the first cache behavior whose path pattern matches (else the
# default one), its viewer-request function runs for real under node (the code the Function resource
# registers), and either the function's answer comes back or the request goes to the behavior's origin.

FUNCTION = "aws:cloudfront/function:Function"
APPLE_FILE = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                        "components": [{"/": "/f/open-in-app/*"}]}]}}
ANDROID_FILE = [{"relation": ["delegate_permission/common.handle_all_urls"],
                 "target": {"namespace": "android_app", "package_name": "com.example.app",
                            "sha256_cert_fingerprints": [":".join(["AB"] * 32)]}}]
APP_LINKS = {"apple_app_site_association": APPLE_FILE,
             "android_asset_links": json.dumps(ANDROID_FILE, indent=2) + "\n"}  # a string is served as given
FILES = {file.path: file.body for file in resolve_app_links(APP_LINKS).files}
NODE_HARNESS = r"""
const fs = require("fs");
const handler = new Function(fs.readFileSync(process.argv[2], "utf8") + "\nreturn handler;")();
const events = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(events.map((event) => handler(event))));
"""


def viewer_request(uri, host="click2.example.com", method="GET", querystring=None):
    """A CloudFront Functions viewer-request event (AWS's "CloudFront Functions event structure")."""
    return {"version": "1.0",
            "context": {"eventType": "viewer-request", "distributionId": "EDFDVBD6EXAMPLE", "requestId": "r1"},
            "viewer": {"ip": "198.51.100.11"},
            "request": {"method": method, "uri": uri, "querystring": querystring or {},
                        "headers": {"host": {"value": host}, "user-agent": {"value": "Mozilla/5.0"}},
                        "cookies": {}}}


def run_function(code, events, tmp_path):
    """The function's results for ``events``, run by node."""
    if shutil.which("node") is None:
        pytest.fail("node is needed to run the CloudFront Function (Debian package nodejs, see .ci/run)")
    (tmp_path / "function.js").write_text(code)
    (tmp_path / "harness.js").write_text(NODE_HARNESS)
    done = subprocess.run(["node", str(tmp_path / "harness.js"), str(tmp_path / "function.js")],
                          input=json.dumps(events), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def edge(run, requests, tmp_path):
    """What the first distribution does with each (scheme, uri, querystring): ("answer", response) from a
    function, ("redirect", location) from the viewer protocol policy, or ("origin", origin host, request)."""
    distribution = run.one(DISTRIBUTION).inputs
    origins = {o["originId"]: o["domainName"] for o in distribution["origins"]}
    codes = {f.outputs["arn"]: f.inputs["code"] for f in run.of_type(FUNCTION)}
    results = []
    for scheme, uri, querystring in requests:
        behavior = next((b for b in distribution.get("orderedCacheBehaviors") or []
                         if fnmatch.fnmatchcase(uri, b["pathPattern"])), distribution["defaultCacheBehavior"])
        if scheme == "http" and behavior["viewerProtocolPolicy"] == "redirect-to-https":
            results.append(("redirect", f"https://click2.example.com{uri}"))
            continue
        request = viewer_request(uri, querystring=querystring)
        for association in behavior.get("functionAssociations") or []:
            assert association["eventType"] == "viewer-request"
            (result,) = run_function(codes[association["functionArn"]], [request], tmp_path)
            if "statusCode" in result:
                results.append(("answer", result))
                break
            request = {**request, "request": result}
        else:
            results.append(("origin", origins[behavior["targetOriginId"]], request["request"]))
    return results


@pytest.mark.parametrize("redirect", [False, True])
def test_the_app_link_files_are_answered_at_the_edge_byte_for_byte_and_never_redirected(redirect, tmp_path):
    run = component(["click2.example.com"], hosted_zone_id=ZONE, app_links=APP_LINKS, redirect_http_to_https=redirect)
    requests = [(scheme, path, {}) for path in (APPLE_PATH, ANDROID_PATH) for scheme in ("http", "https")]
    requests.append(("https", ANDROID_PATH, {"v": {"value": "2"}}))  # a query string changes nothing
    for (scheme, path, _), (kind, response) in zip(requests, edge(run, requests, tmp_path)):
        assert kind == "answer", f"{scheme}://click2.example.com{path} was not answered at the edge"
        assert response["statusCode"] == 200
        assert response["headers"] == {"content-type": {"value": "application/json"}}
        assert response["body"]["encoding"] == "text"
        assert response["body"]["data"].encode("ascii") == FILES[path], "the exact bytes of deep_links"


def test_every_other_request_goes_to_the_esp_as_before(tmp_path):
    run = component(["click2.example.com"], hosted_zone_id=ZONE, app_links=APP_LINKS, redirect_http_to_https=True)
    other = "/.well-known/security.txt"
    results = edge(run, [("https", other, {}), ("https", "/f/abc", {"q": {"value": "1"}}), ("http", "/f/abc", {}),
                         ("https", "/.well-known/apple-app-site-association.json", {})], tmp_path)
    assert results[0][:2] == ("origin", "spgo.io") and results[0][2]["uri"] == other, "passed on unchanged"
    assert results[1][:2] == ("origin", "spgo.io") and results[1][2]["querystring"] == {"q": {"value": "1"}}
    assert results[2] == ("redirect", "https://click2.example.com/f/abc"), "the click path still redirects"
    assert results[3][:2] == ("origin", "spgo.io"), "only the two exact paths are answered"
    behavior = run.one(DISTRIBUTION).inputs["orderedCacheBehaviors"][0]
    default = run.one(DISTRIBUTION).inputs["defaultCacheBehavior"]
    # /.well-known/* for the ESP: what the default behavior sends, minus the redirect
    for key in ("targetOriginId", "allowedMethods", "cachedMethods", "cachePolicyId", "originRequestPolicyId"):
        assert behavior[key] == default[key], key


def test_without_app_links_the_click_path_registers_exactly_what_it_did(run_program):
    plain = component(["click2.example.com"], hosted_zone_id=ZONE)
    linked = component(["click2.example.com"], hosted_zone_id=ZONE, app_links=APP_LINKS)
    assert "orderedCacheBehaviors" not in plain.one(DISTRIBUTION).inputs and plain.of_type(FUNCTION) == []
    without_behaviors = {k: v for k, v in linked.one(DISTRIBUTION).inputs.items() if k != "orderedCacheBehaviors"}
    assert without_behaviors == plain.one(DISTRIBUTION).inputs
    for name in {r.name for r in plain.resources}:
        if name != "track-distribution":
            assert linked.named(name).inputs == plain.named(name).inputs, name


def test_well_known_origin_takes_the_other_well_known_requests_over_verified_https(tmp_path):
    run = component(["click2.example.com"], hosted_zone_id=ZONE, app_links=APP_LINKS, well_known_origin="www.example.com")
    (esp, own) = run.one(DISTRIBUTION).inputs["origins"]
    assert esp["domainName"] == "spgo.io" and own["domainName"] == "www.example.com"
    assert own["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert own["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    results = edge(run, [("https", "/.well-known/security.txt", {}), ("http", APPLE_PATH, {}), ("https", "/f/a", {})],
                   tmp_path)
    assert results[0][:2] == ("origin", "www.example.com")
    assert results[1][0] == "answer" and results[1][1]["body"]["data"].encode() == FILES[APPLE_PATH]
    assert results[2][:2] == ("origin", "spgo.io")
    behavior = run.one(DISTRIBUTION).inputs["orderedCacheBehaviors"][0]
    assert behavior["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST, "your site gets its own name as Host"
    assert behavior["cachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled"
    assert set(behavior["allowedMethods"]) == {"GET", "HEAD", "OPTIONS"}


def test_well_known_origin_alone_needs_no_function(tmp_path):
    run = component(["click2.example.com"], hosted_zone_id=ZONE, well_known_origin="www.example.com")
    assert run.of_type(FUNCTION) == []
    assert edge(run, [("https", APPLE_PATH, {})], tmp_path)[0][:2] == ("origin", "www.example.com")


def test_the_function_is_protected_published_and_shared_by_every_distribution():
    run = component(MANY[:11], hosted_zone_id=ZONE, app_links=APP_LINKS)
    function = run.one(FUNCTION)
    assert function.protect and function.name == "track-app-links"
    assert function.inputs["runtime"] == "cloudfront-js-2.0" and function.inputs["publish"] is True
    assert len(function.inputs["code"].encode()) <= MAX_FUNCTION_CODE_BYTES
    for distribution in run.of_type(DISTRIBUTION):
        (behavior,) = distribution.inputs["orderedCacheBehaviors"]
        assert behavior["pathPattern"] == "/.well-known/*" and behavior["viewerProtocolPolicy"] == "allow-all"
        assert behavior["functionAssociations"] == [{"eventType": "viewer-request",
                                                     "functionArn": function.outputs["arn"]}]


def apple_file_of(paths: int) -> dict:
    return {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                      "paths": [f"/f/campaign-{i:05d}/*" for i in range(paths)]}]}}


def test_files_over_cloudfront_s_10_kb_function_quota_are_refused_naming_app_links_their_size_and_the_quota():
    """CloudFront's quota on a function is 10 KB, whatever the API field's 40960 bytes: a 9.8 KB Apple file
    used to make 10.9 KB of code, accepted here and refused by CloudFront halfway through pulumi up."""
    big = apple_file_of(445)
    body = resolve_app_links({"apple_app_site_association": big}).total_bytes
    assert 9_700 < body < 10_240, "about 9.8 KB of JSON, within Apple's 128 KB"
    error, registered = refusal(lambda: CloudFrontTrackingDomain("track", {
        "domains": ["click2.example.com"], "app_links": {"apple_app_site_association": big}}))
    assert error.argument == "app_links" and registered == []
    size = int(re.search(r"a CloudFront Function of (\d+) bytes", str(error))[1])
    assert size > MAX_FUNCTION_CODE_BYTES == 10_240 and "10240 bytes" in str(error) and f"{body} bytes" in str(error)


def test_the_largest_accepted_files_make_a_function_within_the_quota_that_serves_them_exactly(tmp_path):
    def accepted(paths: int) -> bool:
        try:
            app_links_function_code(resolve_app_links({"apple_app_site_association": apple_file_of(paths)}))
        except InvalidArgument:
            return False
        return True

    fits = max(n for n in range(400, 445) if accepted(n))
    run = component(["click2.example.com"], hosted_zone_id=ZONE,
                    app_links={"apple_app_site_association": apple_file_of(fits)})
    code = run.one(FUNCTION).inputs["code"]
    assert MAX_FUNCTION_CODE_BYTES - 30 < len(code.encode()) <= MAX_FUNCTION_CODE_BYTES
    (result,) = edge(run, [("https", APPLE_PATH, {})], tmp_path)
    expected = resolve_app_links({"apple_app_site_association": apple_file_of(fits)}).files[0].body
    assert result[0] == "answer" and result[1]["body"]["data"].encode() == expected


def test_a_name_too_long_for_the_function_is_refused_with_app_links_only(run_program):
    name = "a" * 47
    assert run_program(lambda: CloudFrontTrackingDomain(name, {"domains": ["click2.example.com"]})).of_type(DISTRIBUTION)
    error, registered = refusal(lambda: CloudFrontTrackingDomain(name, {
        "domains": ["click2.example.com"], "app_links": APP_LINKS}))
    assert error.argument == "name" and "64" in str(error) and registered == []
    run = run_program(lambda: CloudFrontTrackingDomain("a" * 46, {"domains": ["click2.example.com"], "app_links": APP_LINKS}))
    assert len(run.one(FUNCTION).name) + 8 == 64


# --- deep links on a live stack: nothing that carries clicks is replaced ---------------------------

OTHER_APP_LINKS = {"apple_app_site_association": {**APPLE_FILE, "webcredentials": {"apps": ["ABCDE12345.com.example.app"]}}}
DEEP_LINK_TRANSITIONS = [
    day_two.Transition("add-app-links", tuple(day_two.BASE), tuple(day_two.BASE),
                       settings_after=lambda mode: {"app_links": APP_LINKS}),
    day_two.Transition("change-app-links-content", tuple(day_two.BASE), tuple(day_two.BASE),
                       settings_before=lambda mode: {"app_links": APP_LINKS},
                       settings_after=lambda mode: {"app_links": OTHER_APP_LINKS}),
    day_two.Transition("add-well-known-origin", tuple(day_two.BASE), tuple(day_two.BASE),
                       settings_before=lambda mode: {"app_links": APP_LINKS},
                       settings_after=lambda mode: {"app_links": APP_LINKS, "well_known_origin": "www.example.com"}),
]
CLOUDFRONT_MODES = [mode for mode in day_two.MODES if mode.front_door == "cloudfront"]


@pytest.mark.parametrize("case", [day_two.Case(m, t) for m in CLOUDFRONT_MODES for t in DEEP_LINK_TRANSITIONS],
                         ids=lambda case: case.id)
def test_adding_or_changing_app_links_on_a_live_stack_replaces_nothing(case):
    verdict = case.verdict()
    assert not verdict.problems, "\n".join(verdict.problems)
    steps = {r.name: r.action for r in verdict.diff.resources if r.action != "same"}
    expected = {
        "add-app-links": {"track-app-links": "create", "track-distribution": "update"},
        "change-app-links-content": {"track-app-links": "update"},
        "add-well-known-origin": {"track-distribution": "update"},
    }[case.transition.id]
    assert steps == expected
