"""Policies of the CloudFront front door (`tracking_cdn.aws.CloudFrontTrackingDomain`), checked on the
resources it registers under the offline mock engine, for every ESP profile."""

import pulumi
import pytest
from conftest import ESP_CASES, REPO, refusal, run_stack

from tracking_cdn import cli
from tracking_cdn.aws import CloudFrontTrackingDomain
from tracking_cdn.offline import run_offline

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


@pytest.fixture(params=ESP_CASES, scope="module")
def profile(request):
    return request.param


@pytest.fixture(scope="module")
def profile_run(profile):
    """The default front door for one profile, with a Route 53 zone (run once per profile)."""
    args = ESP_CASES[profile][0]
    return build(run_offline, hosted_zone_id=ZONE, **args)


# --- origin -------------------------------------------------------------------------------------


def test_the_origin_is_the_esp_endpoint_over_https_only_with_tls12(profile, profile_run):
    (origin,) = profile_run.one(DISTRIBUTION).inputs["origins"]
    assert origin["domainName"] == ESP_CASES[profile][1]
    config = origin["customOriginConfig"]
    assert config["originProtocolPolicy"] == "https-only"
    assert config["originSslProtocols"] == ["TLSv1.2"]
    assert config["httpsPort"] == 443
    assert behavior(profile_run)["targetOriginId"] == origin["originId"]
    assert component_outputs(profile_run)["origin_host"] == ESP_CASES[profile][1]


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


def test_default_ttl_is_10_seconds_and_the_origin_cannot_stretch_it(profile_run):
    policy = profile_run.one(CACHE_POLICY).inputs
    assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, 10, 10)


def test_user_agent_reaches_the_origin(profile_run):
    # In the cache key (as SparkPost's guide asks: a different browser is a different click), which
    # CloudFront also forwards, and forwarded by the origin-request policy in any case.
    assert "User-Agent" in key_headers(profile_run)
    assert behavior(profile_run)["originRequestPolicyId"] in (ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST)


def test_sendgrid_gets_the_tracking_domain_as_host_with_cookies_and_others_get_their_own_host(profile, profile_run):
    if ESP_CASES[profile][2]:
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
        assert record.inputs["zoneId"] == ZONE and record.inputs["allowOverwrite"] is False
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
    listed = {(r["name"], r["type"], r["purpose"]) for r in component_outputs(run)["dns_records"]}
    assert {(d, t, "route") for d in domains for t in ("A", "AAAA")} <= listed
    assert {(options[d]["resourceRecordName"].rstrip("."), "CNAME", "validation") for d in domains} <= listed


def test_a_live_domain_can_be_switched_with_a_cname_record_instead_of_an_alias(run_program):
    run = build(run_program, hosted_zone_id=ZONE, route_record_type="CNAME")
    (route,) = [r for r in run.of_type(RECORD) if r.inputs["name"] == "click2.example.com"]
    assert route.inputs["type"] == "CNAME"
    assert route.inputs["records"] == [run.one(DISTRIBUTION).outputs["domainName"]]


def test_without_a_zone_nothing_waits_and_dns_records_list_what_to_create(profile, run_program):
    args = ESP_CASES[profile][0]
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
    assert any("certificate_validated" in w for w in run.warnings), "step 1 tells the user what comes next"


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
    run = run_stack("cloudfront-example", {"tracking-cdn:hostedZoneId": None})
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
