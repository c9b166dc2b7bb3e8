"""Policies for CloudFront platform mode (issue 31): a multi-tenant distribution and connection group
shared by every tenant, one distribution tenant per customer with a CloudFront-managed certificate,
checked on what the components register under the offline engine."""

import json
import shutil
import subprocess

import pulumi
import pytest

from app_links_sample import AASA, ASSET_LINKS
from conftest import ESP_CASES, OPT_IN_ESP_CASES, refusal
from tracking_cdn.aws import ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST_HEADER
from tracking_cdn.deep_links import ANDROID_PATH, APPLE_PATH, resolve_app_links
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import run_offline
from tracking_cdn.platform import TENANT_CONFIG_KEYS, COMMON_CONFIG_KEYS
from tracking_cdn.platform.cloudfront import CloudFrontTrackingPlatform, CloudFrontTrackingTenant
from tracking_cdn.plan import plain

DISTRIBUTION = "aws:cloudfront/multitenantDistribution:MultitenantDistribution"
CONNECTION_GROUP = "aws:cloudfront/connectionGroup:ConnectionGroup"
TENANT = "aws:cloudfront/distributionTenant:DistributionTenant"
CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy"
STORE = "aws:cloudfront/keyValueStore:KeyValueStore"
KEY = "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"
FUNCTION = "aws:cloudfront/function:Function"
PLATFORM_TYPE = "tracking-cdn:index:CloudFrontTrackingPlatform"
TENANT_TYPE = "tracking-cdn:index:CloudFrontTrackingTenant"


def platform_run(platform_args=None, **tenants):
    """A program with a platform (``platform_args``) and one tenant per keyword (its arguments)."""

    def program():
        platform = CloudFrontTrackingPlatform("tracking", dict(platform_args or {}))
        for name, args in tenants.items():
            CloudFrontTrackingTenant(name, {"platform": platform, **args})

    return run_offline(program)


def tenant_of(run, name):
    return next(r for r in run.of_type(TENANT) if r.name == f"{name}-distribution-tenant")


def outputs(run, type_token, name):
    return plain(next(r for r in run.of_type(type_token) if r.name == name).outputs)


@pytest.mark.parametrize("esp", {**ESP_CASES, **OPT_IN_ESP_CASES})
def test_every_request_of_every_tenant_reaches_the_esp_as_the_single_sender_front_door_sends_it(esp):
    args, host, routes_on_host = {**ESP_CASES, **OPT_IN_ESP_CASES}[esp]
    run = platform_run(args, acme={"domains": ["track.acme.com"]})
    distribution = run.one(DISTRIBUTION).inputs
    (origin,) = distribution["origins"]
    assert origin["domainName"] == host
    (config,) = origin["customOriginConfigs"]
    assert config["originProtocolPolicy"] == ("http-only" if esp == "ses" else "https-only")
    assert config["originSslProtocols"] == ["TLSv1.2"]
    behavior = distribution["defaultCacheBehavior"]
    # Every viewer header (User-Agent included), cookie and query string; Host too where the ESP routes on it.
    assert behavior["originRequestPolicyId"] == (ALL_VIEWER if routes_on_host else ALL_VIEWER_EXCEPT_HOST_HEADER)
    assert set(behavior["allowedMethods"]["items"]) == {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    policy = run.one(CACHE_POLICY).inputs
    assert policy["parametersInCacheKeyAndForwardedToOrigin"]["queryStringsConfig"]["queryStringBehavior"] == "all"
    assert "User-Agent" in policy["parametersInCacheKeyAndForwardedToOrigin"]["headersConfig"]["headers"]["items"]


def test_the_platform_caches_ten_seconds_by_default_and_serves_plain_http_for_links_already_delivered():
    run = platform_run({})
    assert run.one(CACHE_POLICY).inputs["defaultTtl"] == 10
    assert run.one(CACHE_POLICY).inputs["maxTtl"] == 10
    assert run.one(DISTRIBUTION).inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "allow-all"
    redirecting = platform_run({"redirect_http_to_https": True, "cache_ttl_seconds": 60})
    assert redirecting.one(DISTRIBUTION).inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert redirecting.one(CACHE_POLICY).inputs["defaultTtl"] == 60


def test_the_connection_group_serves_ipv6_and_the_platform_resources_that_serve_are_protected():
    run = platform_run({})
    group = run.one(CONNECTION_GROUP)
    assert group.inputs["ipv6Enabled"] is True and group.inputs["enabled"] is True
    assert group.protect and run.one(DISTRIBUTION).protect
    assert run.one(DISTRIBUTION).inputs["httpVersion"] == "http2and3"
    assert not platform_run({"protect_serving_resources": False}).one(DISTRIBUTION).protect


def test_a_certificate_of_the_platform_s_own_gives_tls_1_2_as_the_minimum():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"
    viewer = platform_run({"certificate_arn": arn}).one(DISTRIBUTION).inputs["viewerCertificate"]
    assert viewer == {"acmCertificateArn": arn, "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"}
    assert platform_run({}).one(DISTRIBUTION).inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}


def test_a_tenant_gets_a_distribution_tenant_in_the_platform_s_connection_group_for_exactly_its_domains():
    run = platform_run({}, acme={"domains": ["Track.Acme.com", "click.acme.com."]})
    tenant = tenant_of(run, "acme")
    assert tenant.inputs["domains"] == [{"domain": "track.acme.com"}, {"domain": "click.acme.com"}]
    assert tenant.inputs["distributionId"] == run.one(DISTRIBUTION).id
    assert tenant.inputs["connectionGroupId"] == run.one(CONNECTION_GROUP).id
    assert tenant.inputs["name"] == "tracking-acme"
    # The managed certificate is requested for the tenant's own names, validated by CloudFront itself.
    assert tenant.inputs["managedCertificateRequest"] == {
        "primaryDomainName": "track.acme.com", "validationTokenHost": "cloudfront",
        "certificateTransparencyLoggingPreference": "enabled",
    }


def test_a_tenant_whose_dns_is_not_there_yet_waits_for_nothing_and_is_not_protected():
    # The provider's wait for deployment would wait up to 3 hours for the certificate, so for the CNAME.
    run = platform_run({}, acme={"domains": ["track.acme.com"]})
    tenant = tenant_of(run, "acme")
    assert tenant.inputs["waitForDeployment"] is False
    assert "customizations" not in tenant.inputs
    assert not tenant.protect
    assert run.invokes == []


def test_the_customer_s_one_record_per_domain_is_a_cname_to_the_routing_endpoint():
    run = platform_run({}, acme={"domains": ["track.acme.com", "click.acme.com"]})
    endpoint = run.one(CONNECTION_GROUP).outputs["routingEndpoint"]
    records = outputs(run, TENANT_TYPE, "acme")["dns_records"]
    assert records == [
        {"name": "track.acme.com", "type": "CNAME", "value": endpoint, "purpose": "route"},
        {"name": "click.acme.com", "type": "CNAME", "value": endpoint, "purpose": "route"},
    ]
    found = outputs(run, TENANT_TYPE, "acme")
    assert found["status"] == "pending"
    assert found["domain_statuses"] == {"track.acme.com": "inactive", "click.acme.com": "inactive"}
    assert found["origin_host"] == "spgo.io"


def test_a_validated_tenant_attaches_its_issued_certificate_waits_for_it_and_is_protected():
    run = platform_run({}, acme={"domains": ["track.acme.com"], "validated": True})
    tenant = tenant_of(run, "acme")
    assert tenant.inputs["waitForDeployment"] is True
    assert tenant.inputs["customizations"]["certificate"]["arn"].startswith("arn:aws:acm:us-east-1:")
    assert "track.acme.com" in tenant.inputs["customizations"]["certificate"]["arn"]
    assert tenant.protect
    assert run.invokes == ["aws:acm/getCertificate:getCertificate"]


def test_a_certificate_of_the_tenant_s_own_is_attached_at_once_instead_of_a_managed_one():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"
    tenant = tenant_of(platform_run({}, acme={"domains": ["track.acme.com"], "certificate_arn": arn}), "acme")
    assert tenant.inputs["customizations"] == {"certificate": {"arn": arn}}
    assert "managedCertificateRequest" not in tenant.inputs


def test_tenants_are_independent_and_their_resources_are_named_after_them():
    run = platform_run({}, acme={"domains": ["track.acme.com"]}, globex={"domains": ["t.globex.com"]})
    assert sorted(r.name for r in run.of_type(TENANT)) == ["acme-distribution-tenant", "globex-distribution-tenant"]
    components = {r.urn: r.name for r in run.resources if r.type == TENANT_TYPE}
    for tenant in run.of_type(TENANT):
        assert components[tenant.parent] == tenant.name.split("-")[0]


def test_the_tenant_config_holds_what_a_tenant_in_another_stack_needs():
    config = outputs(platform_run({}), PLATFORM_TYPE, "tracking")["tenant_config"]
    assert set(config) == {*COMMON_CONFIG_KEYS, *TENANT_CONFIG_KEYS["cloudfront"]}
    assert config["kind"] == "cloudfront" and config["routing_endpoint"].endswith(".cloudfront.net")


def test_a_tenant_in_its_own_stack_reads_the_platform_through_a_stack_reference():
    def program():
        platform = pulumi.StackReference("acme-corp/tracking-cdn/platform")
        CloudFrontTrackingTenant("acme", {"platform": platform.get_output("tenantConfig"), "domains": ["track.acme.com"]})

    tenant = run_offline(program).one(TENANT)
    assert tenant.inputs["distributionId"] == "<distribution_id of stack acme-corp/tracking-cdn/platform>"
    assert tenant.inputs["connectionGroupId"] == "<connection_group_id of stack acme-corp/tracking-cdn/platform>"


@pytest.mark.parametrize("count", [6, 7])
def test_more_domains_than_a_distribution_tenant_takes_are_refused_citing_the_api(count):
    domains = [f"t{i}.acme.com" for i in range(count)]
    error, registered = refusal(lambda: CloudFrontTrackingTenant(
        "acme", {"platform": CloudFrontTrackingPlatform("tracking", {}), "domains": domains}))
    assert error.argument == "domains"
    assert "at most 5" in str(error) and "API_UpdateDistributionTenant" in str(error)
    assert not any(r.type == TENANT for r in registered)


def test_tenants_beyond_the_account_s_quota_are_refused_before_anything_of_them_is_registered():
    def create():
        platform = CloudFrontTrackingPlatform("tracking", {"tenant_quota": 2})
        for name in ("a", "b", "c"):
            CloudFrontTrackingTenant(name, {"platform": platform, "domains": [f"track.{name}.com"]})

    error, registered = refusal(create)
    assert error.argument == "domains"
    assert "'c'" in str(error) and "Distribution tenants per AWS account" in str(error) and "10,000 distribution tenants" in str(error)
    assert "tenant_quota" in str(error)
    assert sorted(r.name for r in registered if r.type == TENANT) == ["a-distribution-tenant", "b-distribution-tenant"]


def test_a_platform_nearing_the_quota_warns_once():
    run = platform_run({"tenant_quota": 5}, **{f"t{i}": {"domains": [f"track.t{i}.com"]} for i in range(5)})
    warnings = [w for w in run.warnings if "80% of 5" in w]
    assert len(warnings) == 1 and "other stacks count too" in warnings[0]


@pytest.mark.parametrize("name", ["Acme", "acme_corp", "-acme", "a" * 41])
def test_a_tenant_name_that_cannot_start_every_cloud_s_resource_names_is_refused(name):
    error, _ = refusal(lambda: CloudFrontTrackingTenant(
        name, {"platform": CloudFrontTrackingPlatform("tracking", {}), "domains": ["track.acme.com"]}))
    assert error.argument == "name"


def test_a_tenant_of_another_cloud_s_platform_or_of_nothing_is_refused_naming_platform():
    error, _ = refusal(lambda: CloudFrontTrackingTenant("acme", {"platform": "tracking", "domains": ["t.acme.com"]}))
    assert error.argument == "platform" and "tenantConfig" in str(error)
    error, _ = refusal(lambda: CloudFrontTrackingTenant(
        "acme", {"platform": {"kind": "gcp", "platform": "x"}, "domains": ["t.acme.com"]}))
    assert error.argument == "platform"


# --- app-link files per tenant ---------------------------------------------------------------------

APP_LINKS = {"apple_app_site_association": AASA, "android_asset_links": ASSET_LINKS}
FILES = {file.path: file.body for file in resolve_app_links(APP_LINKS).files}
HARNESS = r"""
const fs = require("fs");
globalThis.store = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));  // what new Function sees
const source = fs.readFileSync(process.argv[2], "utf8").replace(
  "import cf from 'cloudfront';",
  "const cf = {kvs: () => ({get: async (key) => { if (!(key in store)) throw new Error('KeyNotFound'); return store[key]; }})};");
const handler = new Function(source + "\nreturn handler;")();
const events = JSON.parse(fs.readFileSync(0, "utf8"));
Promise.all(events.map((event) => handler(event))).then((results) => process.stdout.write(JSON.stringify(results)));
"""


def edge(run, requests, tmp_path):
    """What the platform's function does with each (host, path): the store is what the tenants put in it."""
    if shutil.which("node") is None:
        pytest.fail("node is needed to run the CloudFront Function (Debian package nodejs, see .ci/run)")
    store = {key.inputs["key"]: key.inputs["value"] for key in run.of_type(KEY)}
    (tmp_path / "function.js").write_text(run.one(FUNCTION).inputs["code"])
    (tmp_path / "store.json").write_text(json.dumps(store))
    (tmp_path / "harness.js").write_text(HARNESS)
    events = [{"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.11"},
               "request": {"method": "GET", "uri": path, "querystring": {}, "cookies": {},
                           "headers": {"host": {"value": host}}}} for host, path in requests]
    done = subprocess.run(["node", str(tmp_path / "harness.js"), str(tmp_path / "function.js"), str(tmp_path / "store.json")],
                          input=json.dumps(events), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_each_tenant_answers_its_own_app_link_files_at_the_edge_and_nothing_else(tmp_path):
    run = platform_run({"tenant_app_links": True}, acme={"domains": ["track.acme.com"], "app_links": APP_LINKS},
                       globex={"domains": ["t.globex.com"]})
    behaviors = run.one(DISTRIBUTION).inputs["cacheBehaviors"]
    assert [b["pathPattern"] for b in behaviors] == ["/.well-known/*"]
    assert behaviors[0]["viewerProtocolPolicy"] == "allow-all", "never redirected: Apple and Android refuse that"
    results = edge(run, [("track.acme.com", APPLE_PATH), ("Track.Acme.com", ANDROID_PATH),
                         ("t.globex.com", APPLE_PATH), ("track.acme.com", "/.well-known/other")], tmp_path)
    for result, path in zip(results[:2], (APPLE_PATH, ANDROID_PATH)):
        assert result["statusCode"] == 200
        assert result["headers"] == {"content-type": {"value": "application/json"}}
        assert result["body"]["data"].encode("ascii") == FILES[path]
    assert "statusCode" not in results[2], "another tenant's files are not answered for this one"
    assert "statusCode" not in results[3], "other /.well-known/* paths go on to the ESP"


def test_a_tenant_s_app_link_files_exist_before_its_distribution_tenant_serves_them():
    run = platform_run({"tenant_app_links": True}, acme={"domains": ["track.acme.com"], "app_links": APP_LINKS})
    keys = {key.urn for key in run.of_type(KEY)}
    assert len(keys) == 2 and keys <= set(run.one(TENANT).dependencies)


def test_app_links_need_the_platform_s_store_and_fit_its_values():
    error, _ = refusal(lambda: CloudFrontTrackingTenant("acme", {
        "platform": CloudFrontTrackingPlatform("tracking", {}), "domains": ["t.acme.com"], "app_links": APP_LINKS}))
    assert error.argument == "app_links" and "tenant_app_links" in str(error)
    big = {"apple_app_site_association": {"applinks": {"details": [
        {"appIDs": [f"ABCDE12345.com.example.app{i}"], "components": [{"/": f"/f/{i}/*"}]} for i in range(30)]}}}
    error, _ = refusal(lambda: CloudFrontTrackingTenant("acme", {
        "platform": CloudFrontTrackingPlatform("tracking", {"tenant_app_links": True}), "domains": ["t.acme.com"],
        "app_links": big}))
    assert error.argument == "app_links" and "at most 1024" in str(error) and "key value stores" in str(error)


def test_bad_platform_arguments_are_refused_naming_them():
    for args, argument in (({"tenant_quota": 0}, "tenant_quota"), ({"esp": "nope"}, "esp"),
                           ({"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/x"}, "certificate_arn"),
                           ({"domains": ["t.acme.com"]}, "domains")):
        error, registered = refusal(lambda: CloudFrontTrackingPlatform("tracking", args))
        assert isinstance(error, InvalidArgument) and error.argument == argument and registered == []
