"""Policies for the Azure front door (issue 4): Front Door Standard/Premium, checked on what the component
registers under the mock engine."""

import functools
import json
import re
import subprocess
import sys

import day_two
import pulumi
import pytest
import yaml

from conftest import ESP_CASES, OPT_IN_ESP_CASES, REPO, refusal, run_stack
from day_two import many
from tracking_cdn.azure import AzureFrontDoorTrackingDomain, custom_domain_name, derived_storage_account_name
from tracking_cdn.cli import main as cli_main
from tracking_cdn.deep_links import resolve_app_links
from tracking_cdn.diff import diff_plans
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import plan_document, stack_config
from tracking_cdn.stack import main as stack_program

PROFILE = "azure-native:cdn:Profile"
ENDPOINT = "azure-native:cdn:AFDEndpoint"
ORIGIN_GROUP = "azure-native:cdn:AFDOriginGroup"
ORIGIN = "azure-native:cdn:AFDOrigin"
CUSTOM_DOMAIN = "azure-native:cdn:AFDCustomDomain"
ROUTE = "azure-native:cdn:Route"
RULE_SET = "azure-native:cdn:RuleSet"
RULE = "azure-native:cdn:Rule"
RECORD = "azure-native:dns:RecordSet"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
STATIC_WEBSITE = "azure-native:storage:StorageAccountStaticWebsite"
BLOB = "azure-native:storage:Blob"
COMPONENT = "tracking-cdn:index:AzureFrontDoorTrackingDomain"
SERVING = (PROFILE, ENDPOINT, ORIGIN_GROUP, ORIGIN, CUSTOM_DOMAIN, ROUTE, RECORD)

DOMAINS = ["track.example.com", "click2.example.com"]
GROUP = "tracking-rg"

ALL_ESP_CASES = {**ESP_CASES, **OPT_IN_ESP_CASES}
ESPS = list(ALL_ESP_CASES)


def build(**args):
    """A program creating the component with ``args`` (domains and resource group defaulted)."""
    args.setdefault("domains", list(DOMAINS))
    args.setdefault("resource_group_name", GROUP)
    return lambda: AzureFrontDoorTrackingDomain("tracking", args)


def run(**args):
    return run_offline(build(**args))


@functools.lru_cache(maxsize=None)
def run_esp(esp):
    """One offline run per ESP profile with the defaults (shared by the per-profile policies)."""
    return run(**ALL_ESP_CASES[esp][0])


@functools.lru_cache(maxsize=None)
def run_zone():
    """The defaults plus an Azure DNS zone holding the tracking domains."""
    return run(dns_zone_name="example.com")


def outputs(result):
    return result.one(COMPONENT).outputs


def refused(**args):
    """The InvalidArgument the component raises for bad ``args``, and what was registered meanwhile."""
    return refusal(build(**args))


def custom_domain_for(result, domain):
    [found] = [d for d in result.of_type(CUSTOM_DOMAIN) if d.inputs["hostName"] == domain]
    return found


def id_of(result, resource):
    """The Azure resource ID other resources use for ``resource`` (the engine keeps IDs out of outputs, so
    it is read from the component's ``custom_domain_ids`` or rebuilt from the profile's path and name)."""
    kind = {CUSTOM_DOMAIN: "customDomains", ORIGIN_GROUP: "originGroups", RULE_SET: "ruleSets"}[resource.type]
    profile = result.one(PROFILE).outputs["name"]
    return (
        f"/subscriptions/<subscription-id>/resourceGroups/{resource.inputs['resourceGroupName']}"
        f"/providers/Microsoft.Cdn/profiles/{profile}/{kind}/{resource.outputs['name']}"
    )


def records(result, record_type):
    return {r.inputs["relativeRecordSetName"]: r for r in result.of_type(RECORD) if r.inputs["recordType"] == record_type}


# --- Profile, endpoint, origin ------------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ESPS)
def test_profile_is_front_door_standard_by_default(esp):
    result = run_esp(esp)
    profile = result.one(PROFILE)
    assert profile.inputs["sku"] == {"name": "Standard_AzureFrontDoor"}
    assert profile.inputs["location"] == "Global"
    assert profile.inputs["resourceGroupName"] == GROUP
    endpoint = result.one(ENDPOINT)
    assert endpoint.inputs["profileName"] == profile.outputs["name"]
    assert endpoint.inputs["enabledState"] == "Enabled"


def test_premium_sku_is_selectable():
    profile = run(sku="Premium_AzureFrontDoor").one(PROFILE)
    assert profile.inputs["sku"] == {"name": "Premium_AzureFrontDoor"}


@pytest.mark.parametrize("esp", ESPS)
def test_one_origin_is_the_esp_endpoint_over_https_with_certificate_check(esp):
    result = run_esp(esp)
    group = result.one(ORIGIN_GROUP)
    origin = result.one(ORIGIN)  # exactly one origin
    assert origin.inputs["originGroupName"] == group.outputs["name"]
    assert origin.inputs["hostName"] == ALL_ESP_CASES[esp][1]
    assert origin.inputs["httpsPort"] == 443
    assert origin.inputs["httpPort"] == 80  # used by ses alone (HttpOnly), see below
    assert origin.inputs["enforceCertificateNameCheck"] is True
    assert origin.inputs["enabledState"] == "Enabled"
    assert outputs(result)["origin_host"] == ALL_ESP_CASES[esp][1]


@pytest.mark.parametrize("esp", ESPS)
def test_origin_host_header_follows_the_esp_profile(esp):
    """SendGrid, SES, Iterable and Customer.io route on the tracking domain: a blank origin host header makes
    Front Door forward the viewer's Host; every other ESP receives its own host name."""
    origin = run_esp(esp).one(ORIGIN)
    _, host, needs_tracking_host = ALL_ESP_CASES[esp]
    if needs_tracking_host:
        assert not origin.inputs.get("originHostHeader")
    else:
        assert origin.inputs["originHostHeader"] == host


@pytest.mark.parametrize("esp", ESPS)
def test_no_health_probe_on_the_single_origin(esp):
    """Azure recommends no probe for one origin, and the ESP's 302 would read as unhealthy."""
    group = run_esp(esp).one(ORIGIN_GROUP)
    assert "healthProbeSettings" not in group.inputs


# --- Route ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ESPS)
def test_route_forwards_every_path_over_https_only_except_to_ses(esp):
    """SES is the documented exception (its endpoint is not known to hold a certificate for its own name):
    HttpOnly to it, and to it alone."""
    result = run_esp(esp)
    route = result.one(ROUTE)
    assert route.inputs["patternsToMatch"] == ["/*"]
    assert route.inputs["forwardingProtocol"] == ("HttpOnly" if esp == "ses" else "HttpsOnly")
    assert route.inputs["originGroup"] == {"id": id_of(result, result.one(ORIGIN_GROUP))}
    assert route.inputs["endpointName"] == result.one(ENDPOINT).outputs["name"]
    assert route.inputs["enabledState"] == "Enabled"
    assert not route.inputs.get("originPath")


@pytest.mark.parametrize("esp", ESPS)
def test_http_is_served_not_redirected_by_default(esp):
    route = run_esp(esp).one(ROUTE)
    assert set(route.inputs["supportedProtocols"]) == {"Http", "Https"}
    assert route.inputs["httpsRedirect"] == "Disabled"


def test_redirect_to_https_is_opt_in():
    route = run(redirect_http_to_https=True).one(ROUTE)
    assert route.inputs["httpsRedirect"] == "Enabled"
    assert set(route.inputs["supportedProtocols"]) == {"Http", "Https"}  # port 80 still answers (with the redirect)


@pytest.mark.parametrize("esp", ESPS)
def test_route_serves_every_tracking_domain_and_the_endpoint_host(esp):
    result = run_esp(esp)
    route = result.one(ROUTE)
    linked = [ref["id"] for ref in route.inputs["customDomains"]]
    assert sorted(linked) == sorted(id_of(result, d) for d in result.of_type(CUSTOM_DOMAIN))
    assert sorted(linked) == sorted(outputs(result)["custom_domain_ids"].values())
    assert route.inputs["linkToDefaultDomain"] == "Enabled"


def test_route_waits_for_the_origin():
    """Azure refuses a route whose origin group has no origin yet."""
    result = run_esp("sparkpost")
    assert result.one(ORIGIN).urn in result.one(ROUTE).dependencies


@pytest.mark.parametrize("esp", ESPS)
def test_user_agent_and_client_ip_reach_the_origin(esp):
    """Front Door passes User-Agent through and adds X-Forwarded-For / X-Azure-ClientIP by itself; nothing
    here may rewrite request headers (no rule with a header action)."""
    for caching in (False, True):
        result = run_esp(esp) if not caching else run(enable_caching=True, **ALL_ESP_CASES[esp][0])
        for rule in result.of_type(RULE):
            assert {action["name"] for action in rule.inputs["actions"]} == {"RouteConfigurationOverride"}


# --- Custom domains and certificates ------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ESPS)
def test_each_tracking_domain_gets_a_managed_certificate_with_tls12(esp):
    result = run_esp(esp)
    domains = result.of_type(CUSTOM_DOMAIN)
    assert sorted(d.inputs["hostName"] for d in domains) == sorted(DOMAINS)
    for domain in domains:
        assert domain.inputs["tlsSettings"]["certificateType"] == "ManagedCertificate"
        assert domain.inputs["tlsSettings"]["minimumTlsVersion"] == "TLS12"
        assert domain.inputs["profileName"] == result.one(PROFILE).outputs["name"]


def test_custom_domain_names_are_valid_distinct_and_derived_from_the_domain():
    lookalikes = ["track.ex-ample.com", "track-ex.ample.com", "xn--bcher-kva.example.com"]
    names = [custom_domain_name(domain) for domain in lookalikes]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.replace("-", "").isalnum() and not name.startswith("-") and not name.endswith("-")
    result = run(domains=lookalikes)
    assert {d.inputs["customDomainName"] for d in result.of_type(CUSTOM_DOMAIN)} == set(names)


def test_adding_a_domain_keeps_every_existing_urn_and_azure_name():
    before = run(domains=["track.example.com"], enable_caching=True, dns_zone_name="example.com")
    after = run(domains=["new.example.com", "track.example.com"], enable_caching=True, dns_zone_name="example.com")
    kept = {(r.urn, r.inputs.get("customDomainName")) for r in before.resources}
    assert kept <= {(r.urn, r.inputs.get("customDomainName")) for r in after.resources}
    assert len(after.resources) > len(before.resources)


# --- Caching ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ESPS)
def test_caching_is_off_by_default_so_every_click_and_open_is_counted(esp):
    result = run_esp(esp)
    assert "cacheConfiguration" not in result.one(ROUTE).inputs
    assert not result.of_type(RULE_SET) and not result.of_type(RULE)
    assert not result.one(ROUTE).inputs.get("ruleSets")
    assert not result.warnings


@pytest.mark.parametrize(("ttl", "duration"), [(None, "00:00:10"), (90, "00:01:30"), (3600, "01:00:00")])
def test_caching_when_enabled_uses_the_ttl_and_keeps_the_query_string_in_the_key(ttl, duration):
    args = {"enable_caching": True} if ttl is None else {"enable_caching": True, "cache_ttl_seconds": ttl}
    result = run(**args)
    rule_set = result.one(RULE_SET)
    rule = result.one(RULE)
    assert rule.inputs["ruleSetName"] == rule_set.outputs["name"]
    assert not rule.inputs.get("conditions")  # every request
    [action] = rule.inputs["actions"]
    cache = action["parameters"]["cacheConfiguration"]
    assert action["parameters"]["typeName"] == "DeliveryRuleRouteConfigurationOverrideActionParameters"
    assert cache["cacheDuration"] == duration
    assert cache["queryStringCachingBehavior"] == "UseQueryString"
    assert cache["cacheBehavior"] == "OverrideAlways"
    route = result.one(ROUTE)
    assert route.inputs["ruleSets"] == [{"id": id_of(result, rule_set)}]
    assert rule.urn in route.dependencies


@pytest.mark.parametrize("esp", ESPS)
def test_when_caching_the_esp_s_own_cache_control_decides_only_where_its_guide_says_so(esp):
    """Iterable's guide: "Object Caching: Use Origin Cache Headers" -> its Cache-Control first, our TTL where it
    sends none; every other ESP: our TTL whatever it says."""
    [action] = run(enable_caching=True, **ALL_ESP_CASES[esp][0]).one(RULE).inputs["actions"]
    cache = action["parameters"]["cacheConfiguration"]
    assert cache["cacheBehavior"] == ("OverrideIfOriginMissing" if esp.startswith("iterable") else "OverrideAlways")
    assert cache["cacheDuration"] == "00:00:10"


def test_ses_reaches_its_regional_endpoint_over_http_with_the_tracking_domain_as_host():
    result = run(esp="ses", esp_region="ap-southeast-2")
    origin = result.one(ORIGIN)
    assert origin.inputs["hostName"] == "r.ap-southeast-2.awstrack.me"
    assert origin.inputs["httpPort"] == 80 and not origin.inputs.get("originHostHeader")
    assert result.one(ROUTE).inputs["forwardingProtocol"] == "HttpOnly"
    assert set(result.one(ROUTE).inputs["supportedProtocols"]) == {"Http", "Https"}  # viewers: HTTPS as ever


# --- Deep links (issue 17) ----------------------------------------------------------------------------------

APPLE_FILE = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                        "components": [{"/": "/f/open-in-app/*"}]}]}}
ANDROID_FILE = [{"relation": ["delegate_permission/common.handle_all_urls"],
                 "target": {"namespace": "android_app", "package_name": "com.example.app",
                            "sha256_cert_fingerprints": [":".join(["14"] * 32)]}}]
APP_LINKS = {"apple_app_site_association": APPLE_FILE, "android_asset_links": ANDROID_FILE}
APPLE_PATH = "/.well-known/apple-app-site-association"
ANDROID_PATH = "/.well-known/assetlinks.json"


@functools.lru_cache(maxsize=None)
def run_links(redirect=False, well_known=False):
    args = {"app_links": APP_LINKS, "redirect_http_to_https": redirect}
    return run(**args, **({"well_known_origin": "www.example.com"} if well_known else {}))


def route_named(result, name):
    return result.named(f"tracking-{name}")


def served_files(result):
    """What the app-link route serves: request path -> (content type, bytes), by following the route's origin
    group to the static website and its origin_path into the $web blobs."""
    route = route_named(result, "app-links-route")
    origin = result.named("tracking-app-links-origin")
    account = result.one(STORAGE_ACCOUNT)
    assert route.inputs["originGroup"]["id"].endswith(f"/originGroups/{origin.inputs['originGroupName']}")
    assert origin.inputs["hostName"] == f"{account.inputs['accountName']}.<zone>.web.core.windows.net"
    blobs = {b.inputs["blobName"]: b for b in result.of_type(BLOB)}
    served = {}
    for path in route.inputs["patternsToMatch"]:
        blob = blobs[route.inputs["originPath"].lstrip("/") + path]
        assert blob.inputs["containerName"] == "$web"
        assert blob.inputs["accountName"] == account.inputs["accountName"]
        served[path] = (blob.inputs["contentType"], blob.inputs["source"].text.encode())
    return served


@pytest.mark.parametrize("redirect", [False, True])
def test_the_app_link_files_answer_with_the_exact_bytes_as_json_on_http_and_https_never_redirected(redirect):
    result = run_links(redirect=redirect)
    expected = {file.path: ("application/json", file.body) for file in resolve_app_links(APP_LINKS).files}
    assert served_files(result) == expected
    route = route_named(result, "app-links-route")
    assert sorted(route.inputs["patternsToMatch"]) == sorted([APPLE_PATH, ANDROID_PATH])  # exactly the two files
    assert set(route.inputs["supportedProtocols"]) == {"Http", "Https"}
    assert route.inputs["httpsRedirect"] == "Disabled"
    assert route.inputs["forwardingProtocol"] == "HttpsOnly"
    assert sorted(ref["id"] for ref in route.inputs["customDomains"]) == sorted(
        id_of(result, d) for d in result.of_type(CUSTOM_DOMAIN))
    assert route.inputs["endpointName"] == result.one(ENDPOINT).outputs["name"]


def test_only_the_files_given_are_taken_from_storage():
    result = run(app_links={"apple_app_site_association": json.dumps(APPLE_FILE)})
    assert list(served_files(result)) == [APPLE_PATH]
    assert served_files(result)[APPLE_PATH][1] == json.dumps(APPLE_FILE).encode()  # a JSON string: as given


def test_the_storage_origin_is_a_locked_down_static_website_reached_over_verified_https():
    result = run_links()
    account = result.one(STORAGE_ACCOUNT).inputs
    assert (account["kind"], account["sku"], account["enableHttpsTrafficOnly"], account["minimumTlsVersion"]) == (
        "StorageV2", {"name": "Standard_LRS"}, True, "TLS1_2")
    assert account["allowBlobPublicAccess"] is False
    assert re.fullmatch(r"[a-z0-9]{3,24}", account["accountName"])
    assert result.one(STATIC_WEBSITE).inputs["accountName"] == account["accountName"]
    origin = result.named("tracking-app-links-origin").inputs
    assert origin["originHostHeader"] == origin["hostName"]
    assert origin["httpsPort"] == 443 and origin["enforceCertificateNameCheck"] is True


def test_the_storage_account_name_is_stable_distinct_per_profile_or_given():
    """Derived from the profile's frontDoorId (unique to the profile, never replaced): no lookup, no collision."""
    def name(component="tracking", **args):
        result = run_offline(lambda: AzureFrontDoorTrackingDomain(
            component, {"domains": DOMAINS, "resource_group_name": GROUP, "app_links": APP_LINKS, **args}))
        account = result.one(STORAGE_ACCOUNT).inputs["accountName"]
        assert account == derived_storage_account_name(result.one(PROFILE).outputs["frontDoorId"]) or args
        return account

    assert name() == name() == run_links().one(STORAGE_ACCOUNT).inputs["accountName"]
    assert name() != name(component="other")
    assert name(storage_account_name="tracklinks01") == "tracklinks01"
    assert not run_links().invokes  # nothing looked up


@pytest.mark.parametrize("well_known", [False, True])
@pytest.mark.parametrize("redirect", [False, True])
def test_every_other_request_still_takes_the_click_path_to_the_esp_unchanged(redirect, well_known):
    plain = run(redirect_http_to_https=redirect)
    with_links = run_links(redirect=redirect, well_known=well_known)
    for kind in (ROUTE, ORIGIN, ORIGIN_GROUP, CUSTOM_DOMAIN, ENDPOINT, PROFILE):
        before = {r.urn: r.inputs for r in plain.of_type(kind)}
        assert before == {r.urn: r.inputs for r in with_links.of_type(kind) if r.urn in before}
    assert route_named(with_links, "route").inputs["patternsToMatch"] == ["/*"]  # /f/..., /q/..., the rest


@pytest.mark.parametrize("redirect", [False, True])
def test_well_known_origin_takes_the_other_well_known_paths_over_verified_https(redirect):
    result = run_links(redirect=redirect, well_known=True)
    route = route_named(result, "well-known-route")
    assert route.inputs["patternsToMatch"] == ["/.well-known/*"]
    assert route.inputs["httpsRedirect"] == ("Enabled" if redirect else "Disabled")
    assert route.inputs["forwardingProtocol"] == "HttpsOnly"
    origin = result.named("tracking-well-known-origin").inputs
    assert origin["hostName"] == origin["originHostHeader"] == "www.example.com"
    assert origin["enforceCertificateNameCheck"] is True
    assert sorted(route_named(result, "app-links-route").inputs["patternsToMatch"]) == [APPLE_PATH, ANDROID_PATH]
    alone = run(well_known_origin="www.example.com")
    assert not alone.of_type(STORAGE_ACCOUNT) and not alone.of_type(BLOB)
    assert route_named(alone, "well-known-route").inputs["patternsToMatch"] == ["/.well-known/*"]


def test_what_serves_the_files_is_protected_except_each_version_s_blobs():
    """A new version of the files is new blobs: the old ones go once the route has moved to the new ones."""
    result = run_links(well_known=True)
    for resource in result.resources:
        if resource.custom:
            assert resource.protect == (resource.type not in (BLOB, RULE_SET, RULE)), resource.name


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"storage_account_name": "tracklinks01"}, "storage_account_name"),
        ({"app_links": APP_LINKS, "storage_account_name": "Track-Links"}, "storage_account_name"),
        ({"app_links": APP_LINKS, "storage_account_name": "ab"}, "storage_account_name"),
        ({"app_links": APP_LINKS, "storage_account_name": "a" * 25}, "storage_account_name"),
        ({"app_links": APP_LINKS, "esp": "iterable"}, "app_links"),
        ({"well_known_origin": "www.example.com", "esp": "iterable-eu"}, "well_known_origin"),
        ({"well_known_origin": "track.example.com"}, "well_known_origin"),
        ({"app_links": {"apple_app_site_association": {"applinks": {}}}},
         "app_links.apple_app_site_association.applinks"),
    ],
)
def test_deep_link_mistakes_are_refused_before_anything_is_created(args, argument):
    error, registered = refused(**args)
    assert error.argument == argument
    assert registered == []


# --- DNS -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ESPS)
def test_without_a_zone_dns_records_lists_the_txt_and_cname_and_nothing_waits(esp):
    result = run_esp(esp)
    assert not result.of_type(RECORD)
    out = outputs(result)
    endpoint_host = result.one(ENDPOINT).outputs["hostName"]
    expected = []
    for domain in DOMAINS:
        token = custom_domain_for(result, domain).outputs["validationProperties"]["validationToken"]
        expected.append({"name": f"_dnsauth.{domain}", "type": "TXT", "value": token, "purpose": "validation"})
        expected.append({"name": domain, "type": "CNAME", "value": endpoint_host, "purpose": "route"})
    by_name = lambda record: (record["name"], record["type"])  # noqa: E731
    assert sorted(out["dns_records"], key=by_name) == sorted(expected, key=by_name)
    assert out["dns_records"][0]["purpose"] == "validation"  # validation first
    assert out["domain_validation_states"] == {domain: "Pending" for domain in DOMAINS}


def test_with_an_azure_dns_zone_the_cname_and_dnsauth_txt_are_created_there():
    result = run_zone()
    endpoint_host = result.one(ENDPOINT).outputs["hostName"]
    txts, cnames = records(result, "TXT"), records(result, "CNAME")
    assert set(txts) == {"_dnsauth.track", "_dnsauth.click2"}
    assert set(cnames) == {"track", "click2"}
    for domain in DOMAINS:
        relative = domain[: -len(".example.com")]
        token = custom_domain_for(result, domain).outputs["validationProperties"]["validationToken"]
        assert txts[f"_dnsauth.{relative}"].inputs["txtRecords"] == [{"value": [token]}]
        assert cnames[relative].inputs["cnameRecord"] == {"cname": endpoint_host}
    for record in result.of_type(RECORD):
        assert record.inputs["zoneName"] == "example.com"
        assert record.inputs["resourceGroupName"] == GROUP  # default: the front door's group
        assert record.inputs["ttl"] == 3600
    # the records created are exactly the ones dns_records lists
    listed = {(r["name"], r["type"]) for r in outputs(result)["dns_records"]}
    assert listed == {(f"{r.inputs['relativeRecordSetName']}.example.com", r.inputs["recordType"]) for r in result.of_type(RECORD)}


def test_cnames_switch_traffic_only_once_the_route_exists_and_nothing_waits_for_validation():
    result = run_zone()
    route = result.one(ROUTE)
    for cname in records(result, "CNAME").values():
        assert route.urn in cname.dependencies
    txt_urns = {r.urn for r in records(result, "TXT").values()}
    for resource in result.resources:
        assert not txt_urns & set(resource.dependencies), f"{resource.name} waits for a validation record"


def test_zone_in_another_resource_group_with_its_own_ttl():
    result = run(dns_zone_name="example.com", dns_zone_resource_group_name="dns-rg", dns_ttl_seconds=300)
    for record in result.of_type(RECORD):
        assert record.inputs["resourceGroupName"] == "dns-rg"
        assert record.inputs["ttl"] == 300
    assert result.one(PROFILE).inputs["resourceGroupName"] == GROUP


def test_domains_live_elsewhere_get_only_the_txt_until_cnames_are_asked_for():
    result = run(dns_zone_name="example.com", create_cname_records=False)
    assert set(records(result, "TXT")) == {"_dnsauth.track", "_dnsauth.click2"}
    assert not records(result, "CNAME")
    assert {r["type"] for r in outputs(result)["dns_records"]} == {"TXT", "CNAME"}


def test_resource_group_may_come_from_another_resource():
    def program():
        group = pulumi.Output.from_input("rg-from-elsewhere")
        AzureFrontDoorTrackingDomain("tracking", {"domains": DOMAINS, "resource_group_name": group})

    result = run_offline(program)
    assert {r.inputs["resourceGroupName"] for r in result.resources if r.custom} == {"rg-from-elsewhere"}


# --- Protection ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("esp", ESPS)
def test_live_serving_resources_are_protected_by_default(esp):
    result = run_esp(esp)
    for resource in result.resources:
        if resource.type in SERVING:
            assert resource.protect, f"{resource.name} is not protected"


def test_everything_that_serves_links_including_dns_is_protected_but_not_the_cache_rules():
    """Deleting the cache rule set (enable_caching back to False) only stops caching, once the route no
    longer references it: protecting it would only block that change."""
    result = run(dns_zone_name="example.com", enable_caching=True)
    assert {r.type for r in result.resources if r.custom} == set(SERVING) | {RULE_SET, RULE}
    assert all(r.protect == (r.type in SERVING) for r in result.resources if r.custom)


def test_protection_can_be_turned_off_to_tear_down():
    result = run(dns_zone_name="example.com", enable_caching=True, protect_serving_resources=False)
    assert not any(r.protect for r in result.resources)


# --- Outputs ------------------------------------------------------------------------------------------------------


def test_outputs_name_the_endpoint_profile_and_custom_domains():
    result = run_esp("sparkpost")
    out = outputs(result)
    endpoint = result.one(ENDPOINT)
    assert out["endpoint_host_name"] == endpoint.outputs["hostName"]
    assert out["endpoint_id"].endswith(f"/afdEndpoints/{endpoint.outputs['name']}")
    assert out["profile_name"] == result.one(PROFILE).outputs["name"]
    assert out["custom_domain_ids"] == {d: id_of(result, custom_domain_for(result, d)) for d in DOMAINS}
    assert out["domain_validation_tokens"] == {
        d: custom_domain_for(result, d).outputs["validationProperties"]["validationToken"] for d in DOMAINS
    }
    for resource in result.resources:
        assert resource.parent == result.one(COMPONENT).urn or resource.type == COMPONENT


# --- Bad inputs --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"resource_group_name": None}, "resource_group_name"),
        ({"resource_group_name": "  "}, "resource_group_name"),
        ({"resource_group_name": 42}, "resource_group_name"),
        ({"sku": "Standard_Microsoft"}, "sku"),
        ({"sku": pulumi.Output.from_input("Premium_AzureFrontDoor")}, "sku"),
        ({"domains": [f"t{i}.example.com" for i in range(101)]}, "domains"),
        ({"domains": [f"t{i}.example.com" for i in range(501)], "sku": "Premium_AzureFrontDoor"}, "domains"),
        ({"domains": []}, "domains"),
        ({"domains": ["*.example.com"]}, "domains[0]"),
        ({"domains": ["track.example.com", "Track.example.com."]}, "domains[1]"),
        ({"esp": "mailgun"}, "esp"),
        ({"esp": "sparkpost-enterprise"}, "tenant"),
        ({"esp": "custom"}, "origin_host"),
        ({"origin_host": "https://spgo.io/"}, "origin_host"),
        ({"cache_ttl_seconds": 10}, "cache_ttl_seconds"),
        ({"enable_caching": True, "cache_ttl_seconds": 0}, "cache_ttl_seconds"),
        ({"enable_caching": True, "cache_ttl_seconds": 86400}, "cache_ttl_seconds"),
        ({"enable_caching": "yes"}, "enable_caching"),
        ({"redirect_http_to_https": "false"}, "redirect_http_to_https"),
        ({"dns_zone_name": "other.com"}, "domains[0]"),
        ({"dns_zone_name": "track.example.com"}, "domains[0]"),
        ({"dns_zone_name": "https://example.com"}, "dns_zone_name"),
        ({"dns_zone_resource_group_name": "dns-rg"}, "dns_zone_resource_group_name"),
        ({"create_cname_records": False}, "create_cname_records"),
        ({"dns_zone_name": "example.com", "dns_ttl_seconds": 5}, "dns_ttl_seconds"),
        ({"zone_name": "example.com"}, "zone_name"),
    ],
)
def test_bad_input_is_refused_naming_the_argument_and_nothing_is_registered(args, argument):
    error, registered = refused(**args)
    assert error.argument == argument
    assert str(error).startswith(f"{argument}: ")
    assert registered == []


def test_profile_limits_follow_the_sku():
    error, _ = refused(domains=[f"t{i}.example.com" for i in range(101)])
    assert "100" in str(error) and "Premium_AzureFrontDoor" in str(error)


# --- Stack program and CLI -------------------------------------------------------------------------------------


def test_example_stack_builds_the_azure_front_door():
    result = run_stack("azure-example")
    component = result.one(COMPONENT)
    assert component.name == "tracking"
    assert result.stack_outputs["frontDoor"] == "azure"
    assert result.stack_outputs["originHost"] == "spgo.io"
    assert result.stack_outputs["endpointHostName"] == result.one(ENDPOINT).outputs["hostName"]
    assert len(result.stack_outputs["dnsRecords"]) == 2 * len(result.of_type(CUSTOM_DOMAIN))
    assert result.one(ROUTE).inputs["httpsRedirect"] == "Disabled"
    assert all(r.protect for r in result.resources if r.custom)


@pytest.mark.parametrize("count", [1, 10, 100])
def test_example_stack_works_for_1_10_and_100_domains(count):
    domains = [f"t{i}.example.com" for i in range(count)]
    result = run_stack("azure-example", {"tracking-cdn:domains": domains})
    assert sorted(d.inputs["hostName"] for d in result.of_type(CUSTOM_DOMAIN)) == sorted(domains)
    assert len(result.one(ROUTE).inputs["customDomains"]) == count
    assert len(result.stack_outputs["dnsRecords"]) == 2 * count


def test_example_stack_with_zone_and_caching_overrides():
    result = run_stack(
        "azure-example",
        {"tracking-cdn:dnsZoneName": "example.com", "tracking-cdn:enableCaching": True, "tracking-cdn:cacheTtlSeconds": 30},
    )
    assert len(result.of_type(RECORD)) == 4
    assert result.one(RULE).inputs["actions"][0]["parameters"]["cacheConfiguration"]["cacheDuration"] == "00:00:30"


def test_plan_renders_the_azure_example_offline(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli_main(["plan", "--stack", "azure-example"]) == 0
    printed = capsys.readouterr().out
    assert "OFFLINE RENDERING" in printed
    for token in (PROFILE, ENDPOINT, ORIGIN, CUSTOM_DOMAIN, ROUTE):
        assert token in printed
    assert "_dnsauth.track.example.com" in printed and "HttpsOnly" in printed


def test_importing_the_azure_front_door_loads_no_other_cloud_sdk():
    code = (
        "import sys, tracking_cdn.azure; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi_aws','pulumi_gcp','pulumi_cloudflare','pulumi_fastly')))"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "[]"


def test_importing_the_azure_front_door_leaves_the_storage_sdk_unloaded_until_app_links_need_it():
    """pulumi_azure_native loads a submodule's classes on first use, which costs a sixth of an azure-example
    plan: a stack without app_links must not pay for the storage ones (benchmarks/plan_speed.py)."""
    code = "import sys, tracking_cdn.azure; print(sorted(m for m in sys.modules if m.startswith('pulumi_azure_native.storage.')))"
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "[]"


# --- Day two: adopting records that already exist in the Azure DNS zone ------------------------------------

AZURE_DNS = {"domains": DOMAINS, "resource_group_name": GROUP, "dns_zone_name": "example.com"}
SUBSCRIPTION = "00000000-1111-2222-3333-444444444444"


def test_existing_record_sets_are_adopted_with_their_azure_resource_ids():
    """A live CNAME (to the ESP or Front Door classic) or a hand-made _dnsauth TXT makes Azure refuse to create
    the record set again: the component imports it instead (Pulumi's `import` option)."""
    result = run(**AZURE_DNS, dns_zone_resource_group_name="dns-rg", dns_zone_subscription_id=SUBSCRIPTION,
                 existing_dns_records=["Track.example.com.", "_dnsauth.click2.example.com"])
    zone_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/example.com"
    assert {r.name: r.import_id for r in result.of_type(RECORD)} == {
        "tracking-cname-track.example.com": f"{zone_id}/CNAME/track",
        "tracking-dnsauth-track.example.com": "",
        "tracking-cname-click2.example.com": "",
        "tracking-dnsauth-click2.example.com": f"{zone_id}/TXT/_dnsauth.click2",
    }
    assert not any(r.import_id for r in result.resources if r.type != RECORD)
    adopted = result.named("tracking-cname-track.example.com")
    assert adopted.protect and adopted.inputs["cnameRecord"] == {"cname": result.one(ENDPOINT).outputs["hostName"]}


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"existing_dns_records": ["track.example.com"]}, "existing_dns_records"),
        ({"dns_zone_subscription_id": SUBSCRIPTION}, "dns_zone_subscription_id"),
        ({**AZURE_DNS, "existing_dns_records": ["track.example.com"]}, "dns_zone_subscription_id"),
        ({**AZURE_DNS, "existing_dns_records": ["track.example.com"], "dns_zone_subscription_id": "my-sub"},
         "dns_zone_subscription_id"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION}, "dns_zone_subscription_id"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION, "existing_dns_records": ["www.example.com"]},
         "existing_dns_records[0]"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION, "create_cname_records": False,
          "existing_dns_records": ["track.example.com"]}, "existing_dns_records[0]"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION,
          "existing_dns_records": ["track.example.com", "TRACK.example.com"]}, "existing_dns_records[1]"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION, "existing_dns_records": ["track.example.com"],
          "dns_zone_resource_group_name": pulumi.Output.from_input("dns-rg")}, "dns_zone_resource_group_name"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION, "existing_dns_records": ["track.example.com"],
          "resource_group_name": pulumi.Output.from_input("rg")}, "resource_group_name"),
        ({**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION, "existing_dns_records": "track.example.com"},
         "existing_dns_records"),
    ],
)
def test_adoption_mistakes_are_refused_before_anything_is_created(args, argument):
    error, registered = refused(**args)
    assert error.argument == argument
    assert registered == []


# --- Day two: names Azure accepts ------------------------------------------------------------------------------

AUTONAMED = {PROFILE: 260, ENDPOINT: 46, ORIGIN_GROUP: 50, ORIGIN: 50, ROUTE: 50}
AZURE_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")
RANDOM_SUFFIX = "<random-suffix>"  # azure-native appends 8 random characters


def test_the_longest_component_name_accepted_makes_valid_azure_names():
    name = "a" + "-b" * 14  # 29 characters
    result = run_offline(lambda: AzureFrontDoorTrackingDomain(name, {"domains": DOMAINS, "resource_group_name": GROUP}))
    for resource in result.resources:
        if resource.type in AUTONAMED:
            azure_name = resource.outputs["name"].replace(RANDOM_SUFFIX, "1a2b3c4d")
            assert AZURE_NAME.fullmatch(azure_name) and len(azure_name) <= AUTONAMED[resource.type], azure_name
    endpoint_name = result.one(ENDPOINT).outputs["name"].replace(RANDOM_SUFFIX, "1a2b3c4d")
    assert len(endpoint_name) == 46  # exactly the limit: one more character is refused below


@pytest.mark.parametrize("name", ["a" * 30, "tracking_cdn", "-tracking", "", "tracking.cdn", "trâcking", None])
def test_a_component_name_that_makes_an_invalid_azure_name_is_refused(name):
    error, registered = refusal(
        lambda: AzureFrontDoorTrackingDomain(name, {"domains": DOMAINS, "resource_group_name": GROUP}))
    assert error.argument == "name"
    assert registered == []


def test_custom_domain_names_stay_valid_and_stable_for_the_longest_domains():
    labels = ["a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-a-b-c-d-1"] * 4  # 4 x 61 + 3 dots
    longest = ".".join(labels) + ".ex"  # 250 characters, 116 hyphens
    other = longest[:-2] + "ey"
    names = {custom_domain_name(longest), custom_domain_name(other)}
    assert len(names) == 2
    for name in names:
        assert AZURE_NAME.fullmatch(name) and len(name) <= 260
    assert custom_domain_name(longest) == custom_domain_name(longest)
    result = run(domains=[longest, "track.example.com"])
    assert custom_domain_for(result, longest).inputs["customDomainName"] == custom_domain_name(longest)


def test_the_day_two_commands_in_the_docs_name_the_example_stack_s_real_urns():
    """The `pulumi state unprotect` URNs (removing a domain) and the `pulumi import` name and parent (adopting a
    record with an older CLI) on docs/front-doors/azure.md are those of the example stack with a zone."""
    page = (REPO / "docs" / "front-doors" / "azure.md").read_text()
    result = run_stack("azure-example", {"tracking-cdn:dnsZoneName": "example.com"})
    by_urn = {r.urn: r for r in result.resources}
    unprotected = re.findall(r"pulumi state unprotect '([^']+)'", page)
    assert len(unprotected) == 3
    for urn in unprotected:
        assert by_urn[urn].protect and "click2.example.com" in by_urn[urn].name
    assert {by_urn[urn].type for urn in unprotected} == {CUSTOM_DOMAIN, RECORD}
    [(name, zone_id, parent)] = re.findall(
        r"pulumi import azure-native:dns:RecordSet (\S+) \\\s+(\S+) \\\s+--parent 'tracking=([^']+)'", page)
    imported = result.named(name)
    assert imported.parent == parent == result.one(COMPONENT).urn
    assert zone_id.endswith(f"/dnsZones/example.com/CNAME/{imported.inputs['relativeRecordSetName']}")


# --- Day two (issue 13): what a second `pulumi up` does to a live stack ------------------------------------

FIXTURES = REPO / "tests" / "fixtures"
STACK_FIXTURES = {
    # plan JSON made by the component as released before this version (fb54083) -> the same config today
    "plan-azure-example.json": {},
    "plan-azure-example-dns.json": {
        "tracking-cdn:dnsZoneName": "example.com", "tracking-cdn:dnsZoneResourceGroupName": "dns-rg",
        "tracking-cdn:enableCaching": True, "tracking-cdn:cacheTtlSeconds": 30,
        "tracking-cdn:redirectHttpToHttps": True,
    },
}


def stack_document(stack, overrides):
    """The plan JSON (`tracking-cdn plan --json`) of azure-example with ``overrides``, as stack ``stack``."""
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.azure-example.yaml").read_text())
    document["config"].update(overrides)
    config, secret_keys = stack_config(document)
    return plan_document(run_offline(stack_program, config=config, secret_keys=secret_keys, stack=stack), stack)


def changes(before_args, after_args):
    """What `pulumi up` does going from a stack deployed with ``before_args`` to ``after_args``."""
    return diff_plans(day_two.document("azure", before_args), day_two.document("azure", after_args))


def acting(diff):
    return {(r.type, r.name): r.action for r in diff.resources if r.custom and r.action != "same"}


@pytest.mark.parametrize("fixture", list(STACK_FIXTURES))
def test_deployed_stacks_see_no_resource_created_deleted_or_changed_by_this_version(fixture):
    before = json.loads((FIXTURES / fixture).read_text())
    after = stack_document(before["stack"], STACK_FIXTURES[fixture])
    moved = diff_plans(before, after)
    assert {r.urn for r in moved.resources} == {r["urn"] for r in before["resources"]}
    # The only change: the cache rule set is no longer protected (a state flag; nothing in Azure changes).
    unprotected = {(RULE_SET, "tracking-cache"), (RULE, "tracking-cache-ttl")} if "enableCaching" in str(
        STACK_FIXTURES[fixture]) else set()
    assert acting(moved) == {key: "update" for key in unprotected}
    for key in unprotected:
        assert [(c.path, c.old, c.new) for c in moved.by_name(key[1]).changes] == [("(protect)", True, False)]


@pytest.mark.parametrize("mode", [m for m in day_two.MODES if m.front_door == "azure"], ids=lambda m: m.id)
@pytest.mark.parametrize("before, after", [({}, {"enable_caching": True}), ({"enable_caching": True}, {})],
                         ids=["caching-on", "caching-off"])
def test_turning_caching_on_or_off_is_one_up_without_a_blocker(mode, before, after):
    transition = day_two.Transition("caching", tuple(day_two.BASE), tuple(day_two.BASE),
                                    lambda _: before, lambda _: after)
    verdict = day_two.Case(mode, transition).verdict()
    assert verdict.problems == ()
    cache_resources = {(RULE_SET, "track-cache"), (RULE, "track-cache-ttl")}
    assert acting(verdict.diff) == {
        (ROUTE, "track-route"): "update",  # ruleSets changes in place
        **{key: "delete" if before else "create" for key in cache_resources},
    }


def test_appending_a_domain_creates_its_resources_and_grows_the_route_in_place():
    base = {**AZURE_DNS, "domains": ["track.example.com"]}
    diff = changes(base, {**base, "domains": ["track.example.com", "new.example.com"]})
    assert acting(diff) == {
        (CUSTOM_DOMAIN, "track-domain-new.example.com"): "create",
        (RECORD, "track-dnsauth-new.example.com"): "create",
        (RECORD, "track-cname-new.example.com"): "create",
        (ROUTE, "track-route"): "update",
    }
    assert {c.path.split("[")[0] for c in diff.by_name("track-route").changes} == {"customDomains"}


@pytest.mark.parametrize("esp", ["sendgrid", "sparkpost-eu", "custom", "iterable", "customerio", "ses"])
def test_changing_the_esp_updates_the_origin_in_place(esp):
    diff = changes(AZURE_DNS, {**AZURE_DNS, **ALL_ESP_CASES[esp][0]})
    route = {(ROUTE, "track-route"): "update"} if esp == "ses" else {}  # forwardingProtocol HttpOnly, in place
    assert acting(diff) == {(ORIGIN, "track-origin"): "update", **route}
    assert {c.path for c in diff.by_name("track-origin").changes} <= {"hostName", "originHostHeader"}
    if route:
        assert [(c.path, c.new) for c in diff.by_name("track-route").changes] == [("forwardingProtocol", "HttpOnly")]


@pytest.mark.parametrize("mode", [m for m in day_two.MODES if m.front_door == "azure"], ids=lambda m: m.id)
def test_removing_a_domain_blocks_only_on_its_own_resources_named_after_it(mode):
    """The documented path: `pulumi state unprotect` of exactly these URNs, then `pulumi up`."""
    [case] = [c for c in day_two.cases((mode,)) if c.transition.id == "remove-last-domain"]
    verdict = case.verdict()
    assert verdict.problems == ()
    expected = {"track-domain-click3.example.com"}
    if mode.args.get("dns_zone_name"):
        expected |= {"track-cname-click3.example.com", "track-dnsauth-click3.example.com"}
    assert {r.name for r in verdict.expected_blockers} == expected
    assert all(r.action == "delete" for r in verdict.expected_blockers)


def test_more_than_100_domains_needs_premium_and_a_live_profile_is_upgraded_in_azure_first():
    """Standard takes 100 custom domains; `sku` is part of the profile's identity in azure-native (replacement:
    every domain, route and certificate with it), so a live Standard profile is upgraded in Azure (no
    downtime), refreshed, and only then given sku=Premium_AzureFrontDoor."""
    error, _ = refused(domains=many(101))
    assert error.argument == "domains" and "Premium_AzureFrontDoor" in str(error)
    standard = {**AZURE_DNS, "domains": many(11)}
    premium = {**standard, "sku": "Premium_AzureFrontDoor"}
    blockers = changes(standard, {**premium, "domains": many(101)}).blockers
    [profile] = [b for b in blockers if b.type == PROFILE]
    assert (profile.action, profile.forcing_path) == ("replace", "sku.name")
    assert {b.type for b in blockers} >= {ENDPOINT, CUSTOM_DOMAIN, ROUTE}  # all of it goes with the profile
    after_upgrade = changes(premium, {**premium, "domains": many(101)})  # `pulumi refresh` after the upgrade
    assert after_upgrade.blockers == []
    assert set(acting(after_upgrade).values()) == {"create", "update"}


def test_adopting_changes_no_urn_so_the_list_can_be_dropped_afterwards():
    adopting = {**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION, "existing_dns_records": ["track.example.com"]}
    assert {r.urn for r in run(**adopting).resources} == {r.urn for r in run(**AZURE_DNS).resources}
    assert acting(changes(adopting, AZURE_DNS)) == {}


def test_a_live_domain_keeps_its_record_until_approved_then_the_record_is_adopted():
    """Step 1 (TXT only, the live CNAME untouched) -> step 2 (the CNAME adopted and pointed at Front Door)."""
    step_1 = {**AZURE_DNS, "create_cname_records": False}
    step_2 = {**AZURE_DNS, "dns_zone_subscription_id": SUBSCRIPTION,
              "existing_dns_records": ["track.example.com", "click2.example.com"]}
    diff = changes(step_1, step_2)
    assert acting(diff) == {(RECORD, f"track-cname-{d}"): "create" for d in DOMAINS}
    assert {r.import_id for r in run(**step_2).of_type(RECORD) if r.inputs["recordType"] == "CNAME"} == {
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnsZones/example.com"
        f"/CNAME/{d.split('.')[0]}" for d in DOMAINS}


AZURE_MODES = [m for m in day_two.MODES if m.front_door == "azure"]
NEW_APPLE_FILE = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/*"}]}]}}


def transition_verdict(mode, before, after):
    transition = day_two.Transition("settings", tuple(day_two.BASE), tuple(day_two.BASE),
                                    lambda _: before, lambda _: after)
    return day_two.Case(mode, transition).verdict()


@pytest.mark.parametrize("mode", AZURE_MODES, ids=lambda m: m.id)
@pytest.mark.parametrize("added", [{"app_links": APP_LINKS}, {"well_known_origin": "www.example.com"},
                                   {"app_links": APP_LINKS, "well_known_origin": "www.example.com"}],
                         ids=["app-links", "well-known-origin", "both"])
def test_adding_deep_links_to_a_live_stack_only_creates_and_leaves_the_click_path_alone(mode, added):
    verdict = transition_verdict(mode, {}, added)
    assert verdict.problems == ()
    assert set(acting(verdict.diff).values()) == {"create"}


@pytest.mark.parametrize("mode", AZURE_MODES, ids=lambda m: m.id)
def test_changing_the_app_link_files_moves_the_route_to_new_blobs_in_place_then_drops_the_old_ones(mode):
    new_links = {**APP_LINKS, "apple_app_site_association": NEW_APPLE_FILE}
    verdict = transition_verdict(mode, {"app_links": APP_LINKS}, {"app_links": new_links})
    assert verdict.problems == ()
    moved = acting(verdict.diff)
    assert moved.pop((ROUTE, "track-app-links-route")) == "update"
    assert sorted(moved.values()) == ["create", "create", "delete", "delete"]
    assert {key[0] for key in moved} == {BLOB}
    route = verdict.diff.by_name("track-app-links-route")
    assert [c.path for c in route.changes] == ["originPath"]
    assert all(not r.protect for r in verdict.diff.resources if r.action == "delete")
