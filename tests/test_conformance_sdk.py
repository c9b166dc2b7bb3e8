"""Every resource every scenario of every front door registers matches its provider SDK's generated input
types (``tests/sdk_types.py``): known property names, value types, required properties, constant
discriminators, azure-native enums and the value sets the provider schemas document. Broken inputs are
caught naming resource, property path and what is allowed. The scenario list itself
(``tests/scenarios.py``) is checked to exercise every argument and ESP profile of every front door."""

import copy
import dataclasses
import importlib

import pytest

import sdk_types
from scenarios import PLATFORM_SCENARIOS, SCENARIOS, platform_scenarios, refused_scenarios, scenario, scenarios
from tracking_cdn.esp import PROFILES
from tracking_cdn.platform import PLATFORMS, load_platform
from tracking_cdn.stack import FRONT_DOORS, load_front_door


DYNAMIC_FRONT_DOORS = ("keycdn",)
"""Front doors whose resources are our own dynamic resources: no provider SDK to check them against; their
registrations are checked against the API's stand-in (below, and tests/test_keycdn.py)."""


@pytest.mark.parametrize("case", [s for s in SCENARIOS if s.front_door not in DYNAMIC_FRONT_DOORS], ids=lambda s: s.id)
def test_every_registration_of_every_scenario_matches_the_provider_sdk_types(case):
    run = case.run()
    checked = [r for r in run.resources if sdk_types.sdk_checked(r)]
    assert checked, "the scenario registered no provider resource"
    problems = sdk_types.check_run(run)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("case", scenarios("keycdn"), ids=lambda s: s.id)
def test_every_keycdn_scenario_registers_what_keycdn_s_api_takes(case):
    """The zone's properties, as the client sends them, pass the stand-in's checks of KeyCDN's documented
    fields and values (tests/keycdn_standin.py, rows 8, 9 and 12); one alias per domain, on the zone."""
    from keycdn_standin import _ZONE_NAME, _zone_problem
    from tracking_cdn.keycdn import PULL_ZONE, ZoneSettings

    run = case.run()
    (zone,) = run.of_type("pulumi-python:dynamic/keycdn:Zone")
    fields = {"type": PULL_ZONE, **ZoneSettings.from_props(zone.inputs).to_api()}
    assert _zone_problem(fields) == "" and _ZONE_NAME.fullmatch(zone.inputs["name"]), fields
    aliases = run.of_type("pulumi-python:dynamic/keycdn:ZoneAlias")
    assert aliases and all(a.inputs["zone_id"] == f"<KeyCDN id of zone {zone.inputs['name']}>" for a in aliases)
    assert len({a.inputs["name"] for a in aliases}) == len(aliases)


# --- broken inputs are caught -------------------------------------------------------------------


def broken(scenario_id: str, token: str, change):
    """The first ``token`` registration of a scenario with its inputs changed by ``change`` (on a copy)."""
    registration = scenario(scenario_id).run().of_type(token)[0]
    registration = dataclasses.replace(registration, inputs=copy.deepcopy(registration.inputs))
    change(registration.inputs)
    return registration


BACKEND = "gcp:compute/backendService:BackendService"
SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy"
ROUTE = "azure-native:cdn:Route"
CUSTOM_DOMAIN = "azure-native:cdn:AFDCustomDomain"
RULE = "azure-native:cdn:Rule"
ENDPOINT = "azure-native:cdn:AFDEndpoint"
RULESET = "cloudflare:index/ruleset:Ruleset"
DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
SERVICE = "fastly:index/serviceVcl:ServiceVcl"
SUBSCRIPTION = "fastly:index/tlsSubscription:TlsSubscription"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy"
COOKIES = "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig"

BROKEN = {
    # case -> (scenario, type, change, property path reported, words the message must hold)
    "gcp-misspelt": ("gcp/sparkpost", BACKEND, lambda i: i.update(protcol=i.pop("protocol")), "protcol",
                     ["unknown property", "'protocol'"]),
    "gcp-nested-misspelt": ("gcp/sparkpost", BACKEND,
                            lambda i: i["backends"][0].update(grop=i["backends"][0].pop("group")),
                            "backends[0].grop", ["unknown property", "'group'"]),
    "gcp-wrong-type": ("gcp/sparkpost", BACKEND, lambda i: i.update(timeoutSec="30"), "timeoutSec",
                       ["expected an integer"]),
    "gcp-missing-required": ("gcp/sparkpost", BACKEND, lambda i: i["backends"][0].pop("group"), "backends[0].group",
                             ["required", "missing"]),
    "gcp-documented-value": ("gcp/sparkpost", SSL_POLICY, lambda i: i.update(minTlsVersion="TLS_1_4"), "minTlsVersion",
                             ["'TLS_1_2'", "'TLS_1_3'"]),
    "azure-misspelt": ("azure/sparkpost", ROUTE, lambda i: i.update(httpsRedirects="Disabled"), "httpsRedirects",
                       ["unknown property", "'httpsRedirect'"]),
    "azure-wrong-type": ("azure/sparkpost", ROUTE, lambda i: i.update(patternsToMatch="/*"), "patternsToMatch",
                         ["expected a list"]),
    "azure-enum": ("azure/sparkpost", ROUTE, lambda i: i.update(forwardingProtocol="HttpsOnIy"), "forwardingProtocol",
                   ["'HttpOnly'", "'HttpsOnly'", "'MatchRequest'"]),
    "azure-nested-enum": ("azure/sparkpost", CUSTOM_DOMAIN,
                          lambda i: i["tlsSettings"].update(minimumTlsVersion="TLS11"),
                          "tlsSettings.minimumTlsVersion", ["'TLS10'", "'TLS12'", "'TLS13'"]),
    "azure-missing-required": ("azure/sparkpost", ENDPOINT, lambda i: i.pop("profileName"), "profileName",
                               ["required", "missing"]),
    "azure-union-discriminator": ("azure/caching-10", RULE, lambda i: i["actions"][0].update(name="CacheOverride"),
                                  "actions[0]", ["name='RouteConfigurationOverride'", "name='CacheExpiration'"]),
    "azure-enum-inside-union": ("azure/caching-10", RULE,
                                lambda i: i["actions"][0]["parameters"]["cacheConfiguration"].update(
                                    cacheBehavior="Always"),
                                "actions[0].parameters.cacheConfiguration.cacheBehavior", ["'OverrideAlways'"]),
    "cloudflare-misspelt": ("cloudflare/sparkpost", DNS_RECORD, lambda i: i.update(proxy=i.pop("proxied")), "proxy",
                            ["unknown property", "'proxied'"]),
    "cloudflare-wrong-type": ("cloudflare/sparkpost", RULESET, lambda i: i["rules"][0].update(actionParameters="x"),
                              "rules[0].actionParameters", ["expected an object"]),
    "cloudflare-documented-value": ("cloudflare/sparkpost", DNS_RECORD, lambda i: i.update(type="CNAMES"), "type",
                                    ["'CNAME'", "'AAAA'"]),
    "cloudflare-missing-required": ("cloudflare/sparkpost", DNS_RECORD, lambda i: i.pop("zoneId"), "zoneId",
                                    ["required", "missing"]),
    "fastly-misspelt": ("fastly/sparkpost", SERVICE,
                        lambda i: i["backends"][0].update(sslCertHostnme=i["backends"][0].pop("sslCertHostname")),
                        "backends[0].sslCertHostnme", ["unknown property", "'sslCertHostname'"]),
    "fastly-wrong-type": ("fastly/sparkpost", SERVICE, lambda i: i["backends"][0].update(port="443"),
                          "backends[0].port", ["expected an integer"]),
    "fastly-missing-required": ("fastly/sparkpost", SUBSCRIPTION, lambda i: i.pop("certificateAuthority"),
                                "certificateAuthority", ["required", "missing"]),
    "aws-documented-value": ("cloudfront/sparkpost-zone", DISTRIBUTION,
                             lambda i: i["defaultCacheBehavior"].update(viewerProtocolPolicy="allow-al"),
                             "defaultCacheBehavior.viewerProtocolPolicy", ["'allow-all'", "'redirect-to-https'"]),
    # "Valid values are `lets-encrypt`, `globalsign` or `certainly`." (pulumi_fastly TlsSubscription)
    "fastly-documented-value": ("fastly/sparkpost", SUBSCRIPTION, lambda i: i.update(certificateAuthority="letsencrypt"),
                                "certificateAuthority", ["'lets-encrypt'", "'globalsign'", "'certainly'"]),
    # "Allowed values are `http1.1`, `http2`, `http2and3` and `http3`."
    "aws-allowed-values": ("cloudfront/sparkpost-zone", DISTRIBUTION, lambda i: i.update(httpVersion="http4"),
                           "httpVersion", ["'http2and3'", "'http3'"]),
    # "Valid values for `cookie_behavior` are `none`, `whitelist`, `allExcept`, and `all`."
    "aws-valid-values-for": ("cloudfront/sparkpost-zone", CACHE_POLICY,
                             lambda i: i[COOKIES.split(".")[0]]["cookiesConfig"].update(cookieBehavior="every"),
                             f"{COOKIES}.cookieBehavior", ["'none'", "'allExcept'", "'all'"]),
    # "Valid values: `SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`." on a list: each element
    "aws-valid-values-element": ("cloudfront/sparkpost-zone", DISTRIBUTION,
                                 lambda i: i["origins"][0]["customOriginConfig"].update(originSslProtocols=["TLSv1.3"]),
                                 "origins[0].customOriginConfig.originSslProtocols[0]", ["'TLSv1.2'"]),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_input_is_caught_naming_resource_property_and_what_is_allowed(case):
    scenario_id, token, change, path, words = BROKEN[case]
    registration = broken(scenario_id, token, change)
    problems = sdk_types.check_registration(registration)
    assert problems, f"the {case} input was accepted"
    assert all(p.resource == f"{token} {registration.name!r}" for p in problems)
    named = [p for p in problems if p.path == path]
    assert named, [str(p) for p in problems]
    assert any(all(word in p.message for word in words) for p in named), [str(p) for p in named]


def test_the_fastly_certificate_authorities_the_component_accepts_are_the_sdk_s_documented_ones():
    from tracking_cdn.fastly import CERTIFICATE_AUTHORITIES

    documented = sdk_types.documented_values(sdk_types.args_class(SUBSCRIPTION))["certificateAuthority"]
    assert sorted(documented) == sorted(CERTIFICATE_AUTHORITIES)


@pytest.mark.parametrize("module, input_type, prop", [
    # "Valid values for `shield` are included in the `GET /datacenters` API response": not a list
    ("pulumi_fastly", "ServiceVclBackendArgs", "shield"),
    # customFeatures' docstring lists the values of `profile` ("This can be one of `COMPATIBLE`, ...")
    ("pulumi_gcp.compute", "SSLPolicyArgs", "customFeatures"),
    # "One of: `1` (default) One server needs to respond. `0` ...": more than the list, not read
    ("pulumi_fastly", "ServiceVclLoggingKafkaArgs", "requiredAcks"),
])
def test_a_sentence_that_is_not_a_closed_list_of_this_property_s_values_is_not_read(module, input_type, prop):
    input_cls = getattr(importlib.import_module(module), input_type)
    assert prop not in sdk_types.documented_values(input_cls)


# --- the scenarios cover every argument and ESP profile --------------------------------------------


@pytest.mark.parametrize("front_door", FRONT_DOORS)
def test_every_argument_of_every_front_door_is_exercised(front_door):
    _, args_type = load_front_door(front_door)
    arguments = set(args_type.__required_keys__ | args_type.__optional_keys__)
    every = scenarios(front_door) + refused_scenarios(front_door)  # a refusal is tested too (test_shared.py)
    exercised = {key for s in every for key in s.args}
    assert arguments - exercised == set(), "add a scenario to tests/scenarios.py for each new argument"
    profiles = {s.args.get("esp", "sparkpost") for s in every if s.stack is None}
    assert set(PROFILES) <= profiles
    assert any(s.stack for s in scenarios(front_door)), "the example stack runs too"


# --- platform mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PLATFORM_SCENARIOS, ids=lambda s: s.id)
def test_every_registration_of_every_platform_scenario_matches_the_provider_sdk_types(case):
    run = case.run()
    assert any(r.type.endswith("TrackingTenant") for r in run.resources) or not case.tenants
    problems = sdk_types.check_run(run)
    assert [r for r in run.resources if sdk_types.sdk_checked(r)], "the scenario registered no provider resource"
    assert not problems, "\n".join(map(str, problems))


PLATFORM_BROKEN = {
    # case -> (scenario, type, change, property path reported, words the message must hold)
    "multitenant-misspelt": ("cloudfront-platform/sparkpost", "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
                             lambda i: i.update(tenantConfigs=i.pop("tenantConfig")), "tenantConfigs",
                             ["unknown property", "'tenantConfig'"]),
    "tenant-wrong-type": ("cloudfront-platform/tenants", "aws:cloudfront/distributionTenant:DistributionTenant",
                          lambda i: i.update(domains="track.acme.com"), "domains", ["expected a list"]),
    "tenant-missing-required": ("cloudfront-platform/tenants", "aws:cloudfront/distributionTenant:DistributionTenant",
                                lambda i: i.pop("distributionId"), "distributionId", ["required", "missing"]),
    "custom-hostname-misspelt": ("cloudflare-platform/tenants", "cloudflare:index/customHostname:CustomHostname",
                                 lambda i: i.update(hostName=i.pop("hostname")), "hostName", ["unknown property"]),
    "map-entry-missing-required": ("gcp-platform/tenants",
                                   "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
                                   lambda i: i.pop("map"), "map", ["required", "missing"]),
}


@pytest.mark.parametrize("case", PLATFORM_BROKEN)
def test_a_broken_platform_input_is_caught_naming_resource_and_property(case):
    scenario_id, token, change, path, words = PLATFORM_BROKEN[case]
    (found,) = [s for s in PLATFORM_SCENARIOS if s.id == scenario_id]
    registration = found.run().of_type(token)[0]
    registration = dataclasses.replace(registration, inputs=copy.deepcopy(registration.inputs))
    change(registration.inputs)
    problems = sdk_types.check_registration(registration)
    named = [p for p in problems if p.path == path]
    assert named, [str(p) for p in problems]
    assert any(all(word in p.message for word in words) for p in named), [str(p) for p in named]


@pytest.mark.parametrize("kind", PLATFORMS)
def test_every_argument_of_every_platform_and_tenant_is_exercised(kind):
    _, platform_args, _, tenant_args = load_platform(kind)
    every = platform_scenarios(kind)
    given = {key for s in every for key in s.platform_args}
    assert set(platform_args.__required_keys__ | platform_args.__optional_keys__) - given == set()
    given_tenant = {"platform", *(key for s in every for args in s.tenants.values() for key in args)}
    assert set(tenant_args.__required_keys__ | tenant_args.__optional_keys__) - given_tenant == set()
    assert any(s.linked for s in every), "tenants reading the platform's tenant_config, as from another stack"
    assert {s.platform_args.get("esp", "sparkpost") for s in every} >= {"sparkpost", "sendgrid", "custom"}
