"""Policies for the GCP front door (issue 3), checked on what the component registers under the mock engine."""

import json

import pytest
import pulumi
from pulumi.runtime import rpc

from conftest import ESP_CASES, OPT_IN_ESP_CASES, REPO, refusal, run_stack
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.gcp import GcpLoadBalancerTrackingDomain
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import plain

NEG = "gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup"
ENDPOINT = "gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint"
BACKEND = "gcp:compute/backendService:BackendService"
URL_MAP = "gcp:compute/uRLMap:URLMap"
HTTPS_PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
HTTP_PROXY = "gcp:compute/targetHttpProxy:TargetHttpProxy"
CERTIFICATE = "gcp:compute/managedSslCertificate:ManagedSslCertificate"
SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy"
ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
RULE = "gcp:compute/globalForwardingRule:GlobalForwardingRule"
RECORD = "gcp:dns/recordSet:RecordSet"
DNS_AUTHORIZATION = "gcp:certificatemanager/dnsAuthorization:DnsAuthorization"
MANAGER_CERTIFICATE = "gcp:certificatemanager/certificate:Certificate"
CERTIFICATE_MAP = "gcp:certificatemanager/certificateMap:CertificateMap"
MAP_ENTRY = "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry"
COMPONENT = "tracking-cdn:index:GcpLoadBalancerTrackingDomain"

DOMAINS = ["track.example.com", "click2.example.com"]



def build(**args):
    """A program creating the component with ``args`` (domains default to DOMAINS)."""
    args.setdefault("domains", list(DOMAINS))
    return lambda: GcpLoadBalancerTrackingDomain("tracking", args)


def run(**args):
    return run_offline(build(**args))


def ref(resource):
    """How other resources refer to ``resource`` (its id: ``projects/<p>/global/<collection>/<name>``)."""
    assert resource.outputs.get("selfLink"), f"{resource.name} has no simulated self link"
    return resource.outputs["selfLink"].split("/compute/v1/", 1)[1]


def component_outputs(result):
    return result.one(COMPONENT).outputs


def by_port(result, port):
    return [rule for rule in result.of_type(RULE) if rule.inputs["portRange"] == port]


def target_of(result, rule, proxy_type):
    (proxy,) = [p for p in result.of_type(proxy_type) if ref(p) == rule.inputs["target"]]
    return proxy


def certificates_of(result):
    """Classic managed certificates in the order they cover ``domains`` (registration order is not program
    order)."""
    return sorted(result.of_type(CERTIFICATE), key=lambda c: int(c.name.rsplit("-", 1)[1]))


def map_certificates_of(result):
    """Host name -> the Certificate Manager certificate its map entry serves."""
    certificates = {c.id: c for c in result.of_type(MANAGER_CERTIFICATE)}
    return {e.inputs["hostname"]: certificates[e.inputs["certificates"][0]] for e in result.of_type(MAP_ENTRY)}


CLASSIC = {"certificates": "classic"}
"""The 0.1 default, kept by stacks made with 0.1 (``certificates: classic``)."""


def url_map_with_id(result, url_map_id):
    (found,) = [m for m in result.of_type(URL_MAP) if ref(m) == url_map_id]
    return found


PROFILE_CASES = {**ESP_CASES, **OPT_IN_ESP_CASES}
"""Every ESP profile the GCP front door serves (issue 21 profiles included)."""
PLAIN_HTTP_PROFILES = {"ses"}
"""Profiles whose endpoint is reached over HTTP on port 80 (SES: see tracking_cdn.esp.SES);
every other one over HTTPS on 443."""


@pytest.fixture(scope="module", params=list(PROFILE_CASES))
def profile_run(request):
    extra, origin_host, routes_on_tracking_host = PROFILE_CASES[request.param]
    return request.param, run(**extra), origin_host, routes_on_tracking_host


# --- Backend: Internet NEG -> HTTPS backend service, every host and path ---------------------------


def test_origin_is_an_internet_neg_holding_the_esp_host_on_443_or_80_for_plain_http(profile_run):
    name, result, origin_host, _ = profile_run
    port = 80 if name in PLAIN_HTTP_PROFILES else 443
    neg = result.one(NEG)
    assert neg.inputs["networkEndpointType"] == "INTERNET_FQDN_PORT"
    assert neg.inputs["defaultPort"] == port
    endpoint = result.one(ENDPOINT)
    assert endpoint.inputs["fqdn"] == origin_host
    assert endpoint.inputs["port"] == port
    assert endpoint.inputs["globalNetworkEndpointGroup"] == neg.outputs["name"]


def test_backend_service_reaches_the_neg_over_https_or_the_profile_s_plain_http_with_cloud_cdn_off(profile_run):
    name, result, origin_host, _ = profile_run
    backend = result.one(BACKEND)
    scheme = "http" if name in PLAIN_HTTP_PROFILES else "https"
    assert backend.inputs["protocol"] == scheme.upper()
    assert backend.inputs["description"].endswith(f"{scheme}://{origin_host}")
    assert backend.inputs["enableCdn"] is False
    assert "cdnPolicy" not in backend.inputs
    assert [b["group"] for b in backend.inputs["backends"]] == [ref(result.one(NEG))]


def test_every_host_and_path_goes_to_the_backend(profile_run):
    _, result, _, _ = profile_run
    https_routes = url_map_with_id(result, target_of(result, by_port(result, "443")[0], HTTPS_PROXY).inputs["urlMap"])
    assert https_routes.inputs["defaultService"] == ref(result.one(BACKEND))
    assert not https_routes.inputs.get("hostRules") and not https_routes.inputs.get("pathMatchers")


def test_host_the_esp_receives_follows_the_profile(profile_run):
    name, result, origin_host, routes_on_tracking_host = profile_run
    headers = result.one(BACKEND).inputs.get("customRequestHeaders") or []
    host_headers = [h for h in headers if h.split(":", 1)[0].strip().lower() == "host"]
    if routes_on_tracking_host:
        # SendGrid, SES, Iterable, Customer.io: the viewer's Host (the tracking domain) must pass untouched.
        assert host_headers == [], f"{name} needs the tracking domain as Host"
    else:
        assert host_headers == [f"Host: {origin_host}"]


def test_user_agent_and_client_ip_reach_the_origin_unaltered(profile_run):
    _, result, _, _ = profile_run
    headers = result.one(BACKEND).inputs.get("customRequestHeaders") or []
    overridden = {h.split(":", 1)[0].strip().lower() for h in headers}
    assert not overridden & {"user-agent", "x-forwarded-for", "cookie"}
    assert component_outputs(result)["origin_host"] == profile_run[2]


# --- Frontend ------------------------------------------------------------------------------------


def test_https_on_443_with_a_dns_authorized_certificate_per_domain_in_a_map_and_tls_1_2_by_default(profile_run):
    _, result, _, _ = profile_run
    (rule,) = by_port(result, "443")
    proxy = target_of(result, rule, HTTPS_PROXY)
    assert proxy.inputs["certificateMap"] == "//certificatemanager.googleapis.com/" + result.one(CERTIFICATE_MAP).id
    assert "sslCertificates" not in proxy.inputs and result.of_type(CERTIFICATE) == []
    served = map_certificates_of(result)
    assert sorted(served) == sorted(DOMAINS)
    assert all(certificate.inputs["managed"]["domains"] == [domain] for domain, certificate in served.items())
    policy = result.one(SSL_POLICY)
    assert proxy.inputs["sslPolicy"] == ref(policy)
    assert policy.inputs["minTlsVersion"] == "TLS_1_2"


def test_classic_certificates_hold_the_domains_on_the_proxy_with_tls_1_2():
    result = run(**CLASSIC)
    proxy = target_of(result, by_port(result, "443")[0], HTTPS_PROXY)
    certificates = certificates_of(result)
    assert proxy.inputs["sslCertificates"] == [ref(c) for c in certificates]
    assert "certificateMap" not in proxy.inputs and result.of_type(MANAGER_CERTIFICATE) == []
    assert [d for c in certificates for d in c.inputs["managed"]["domains"]] == DOMAINS
    assert all(c.inputs["type"] == "MANAGED" for c in certificates)
    assert result.one(SSL_POLICY).inputs["minTlsVersion"] == "TLS_1_2"


def test_http_is_served_not_redirected_by_default(profile_run):
    _, result, _, _ = profile_run
    (rule,) = by_port(result, "80")
    http_proxy = target_of(result, rule, HTTP_PROXY)
    routes = url_map_with_id(result, http_proxy.inputs["urlMap"])
    assert routes.inputs["defaultService"] == ref(result.one(BACKEND))
    assert not any(m.inputs.get("defaultUrlRedirect") for m in result.of_type(URL_MAP))


def test_one_ipv4_address_fronts_both_ports_by_default(profile_run):
    _, result, _, _ = profile_run
    address = result.one(ADDRESS)
    assert address.inputs["ipVersion"] == "IPV4"
    rules = result.of_type(RULE)
    assert sorted(r.inputs["portRange"] for r in rules) == ["443", "80"]
    assert {r.inputs["ipAddress"] for r in rules} == {address.outputs["address"]}
    assert component_outputs(result)["ip_address"] == address.outputs["address"]
    assert component_outputs(result)["ipv6_address"] == ""


def test_backend_and_forwarding_rules_share_one_load_balancing_scheme(profile_run):
    _, result, _, _ = profile_run
    schemes = {r.inputs["loadBalancingScheme"] for r in result.of_type(RULE)}
    assert schemes == {result.one(BACKEND).inputs["loadBalancingScheme"]} == {"EXTERNAL_MANAGED"}


# --- DNS and outputs -----------------------------------------------------------------------------


def test_without_a_zone_dns_records_list_the_validation_cname_and_an_a_record_per_domain(profile_run):
    _, result, _, _ = profile_run
    assert result.of_type(RECORD) == []
    address = result.one(ADDRESS).outputs["address"]
    records = component_outputs(result)["dns_records"]
    challenges = {a.inputs["domain"]: a.outputs["dnsResourceRecords"][0] for a in result.of_type(DNS_AUTHORIZATION)}
    assert records[:len(DOMAINS)] == [
        {"name": challenges[d]["name"].rstrip("."), "type": "CNAME", "value": challenges[d]["data"].rstrip("."),
         "purpose": "validation"}
        for d in DOMAINS
    ]
    assert [r["name"] for r in records[:len(DOMAINS)]] == [f"_acme-challenge.{d}" for d in DOMAINS]
    assert records[len(DOMAINS):] == [{"name": d, "type": "A", "value": address, "purpose": "route"} for d in DOMAINS]


def test_classic_certificates_need_only_the_a_records():
    result = run(**CLASSIC)
    address = result.one(ADDRESS).outputs["address"]
    assert component_outputs(result)["dns_records"] == [
        {"name": d, "type": "A", "value": address, "purpose": "route"} for d in DOMAINS]


def test_outputs_say_how_to_watch_each_certificate_provision(profile_run):
    _, result, _, _ = profile_run
    served = map_certificates_of(result)
    names = [served[d].inputs["name"] for d in DOMAINS]
    outputs = component_outputs(result)
    assert outputs["certificate_names"] == names
    assert len(outputs["certificate_status_commands"]) == len(names)
    for name, command in zip(names, outputs["certificate_status_commands"]):
        assert command.startswith(f"gcloud certificate-manager certificates describe {name} --format=")
        assert "managed.state" in command and "managed.authorizationAttemptInfo" in command


def test_outputs_say_how_to_watch_each_classic_certificate_provision():
    result = run(**CLASSIC)
    names = [c.outputs["name"] for c in certificates_of(result)]
    outputs = component_outputs(result)
    assert outputs["certificate_names"] == names
    assert len(outputs["certificate_status_commands"]) == len(names)
    for name, command in zip(names, outputs["certificate_status_commands"]):
        assert command.startswith(f"gcloud compute ssl-certificates describe {name} --global")
        assert "managed.status" in command and "managed.domainStatus" in command


# --- Protection ----------------------------------------------------------------------------------


def test_live_serving_resources_are_protected_by_default(profile_run):
    _, result, _, _ = profile_run
    serving = [r for r in result.resources if r.custom]
    expected = {NEG, ENDPOINT, BACKEND, URL_MAP, HTTPS_PROXY, HTTP_PROXY, SSL_POLICY, ADDRESS, RULE,
                DNS_AUTHORIZATION, MANAGER_CERTIFICATE, CERTIFICATE_MAP, MAP_ENTRY}
    assert {r.type for r in serving} == expected
    # The origin's NEG and endpoint are swapped for new ones when the ESP changes (the backend service is
    # repointed first, GCP refuses to delete a NEG in use): not protected, so that change is not blocked.
    assert sorted(r.type for r in serving if not r.protect) == sorted([NEG, ENDPOINT])
    component = result.one(COMPONENT)
    assert all(r.parent == component.urn for r in serving)


def test_protection_can_be_turned_off_to_tear_down():
    result = run(protect_serving_resources=False, managed_zone="example-com", enable_ipv6=True,
                 redirect_http_to_https=True)
    assert [r.name for r in result.resources if r.protect] == []
    assert result.of_type(RECORD)


# --- Options -------------------------------------------------------------------------------------


def test_redirect_http_to_https_answers_port_80_with_a_301_keeping_the_query():
    result = run(redirect_http_to_https=True)
    http_routes = url_map_with_id(result, target_of(result, by_port(result, "80")[0], HTTP_PROXY).inputs["urlMap"])
    redirect = http_routes.inputs["defaultUrlRedirect"]
    assert redirect["httpsRedirect"] is True
    assert redirect["stripQuery"] is False
    assert redirect["redirectResponseCode"] == "MOVED_PERMANENTLY_DEFAULT"
    assert "defaultService" not in http_routes.inputs
    https_routes = url_map_with_id(result, target_of(result, by_port(result, "443")[0], HTTPS_PROXY).inputs["urlMap"])
    assert https_routes.inputs["defaultService"] == ref(result.one(BACKEND))


def test_managed_zone_gets_a_and_aaaa_records_for_every_domain():
    result = run(managed_zone="example-com", dns_project="dns-project", enable_ipv6=True, dns_ttl_seconds=120)
    addresses = {a.inputs["ipVersion"]: a.outputs["address"] for a in result.of_type(ADDRESS)}
    assert set(addresses) == {"IPV4", "IPV6"}
    records = {(r.inputs["name"], r.inputs["type"]): r for r in result.of_type(RECORD)}
    routes = {(f"{d}.", t) for d in DOMAINS for t in ("A", "AAAA")}
    assert set(records) == routes | {(f"_acme-challenge.{d}.", "CNAME") for d in DOMAINS}
    for (name, record_type), record in records.items():
        assert record.inputs["managedZone"] == "example-com"
        assert record.inputs["project"] == "dns-project"
        assert record.inputs["ttl"] == 120
        assert record.protect
        if (name, record_type) in routes:
            assert record.inputs["rrdatas"] == [addresses["IPV4" if record_type == "A" else "IPV6"]]
    # dns_records lists them too, created or not.
    listed = {(r["name"], r["type"], r["value"]) for r in component_outputs(result)["dns_records"]}
    assert listed == {(n.rstrip("."), t, r.inputs["rrdatas"][0].rstrip(".")) for (n, t), r in records.items()}


def test_ipv6_adds_its_own_address_and_forwarding_rules_on_both_ports():
    result = run(enable_ipv6=True)
    (ipv6,) = [a for a in result.of_type(ADDRESS) if a.inputs["ipVersion"] == "IPV6"]
    rules = [r for r in result.of_type(RULE) if r.inputs["ipAddress"] == ipv6.outputs["address"]]
    assert sorted(r.inputs["portRange"] for r in rules) == ["443", "80"]
    assert component_outputs(result)["ipv6_address"] == ipv6.outputs["address"]
    routes = [r for r in component_outputs(result)["dns_records"] if r["purpose"] == "route"]
    assert sorted((r["name"], r["type"]) for r in routes) == sorted((d, t) for d in DOMAINS for t in ("A", "AAAA"))


def test_managed_zone_may_come_from_another_resource():
    result = run(managed_zone=pulumi.Output.from_input("zone-from-elsewhere"))
    assert {r.inputs["managedZone"] for r in result.of_type(RECORD)} == {"zone-from-elsewhere"}


@pytest.mark.parametrize("esp", ["iterable", "iterable-eu"])
def test_iterable_s_cache_control_reaches_the_browser_untouched_since_nothing_caches(esp):
    """Iterable asks for "Use Origin Cache Headers": with Cloud CDN off, no cache of ours overrides them."""
    result = run(**PROFILE_CASES[esp][0], cache_ttl_seconds=10)
    backend = result.one(BACKEND)
    assert backend.inputs["enableCdn"] is False and "cdnPolicy" not in backend.inputs
    assert not backend.inputs.get("customResponseHeaders")
    assert any("cache_ttl_seconds has no effect" in w for w in result.warnings)


def test_cache_ttl_is_reported_as_unused_since_nothing_is_cached():
    result = run(cache_ttl_seconds=60)
    assert any("cache_ttl_seconds has no effect" in w for w in result.warnings)
    assert result.one(BACKEND).inputs["enableCdn"] is False


# --- More than 100 domains -----------------------------------------------------------------------


def many(count, prefix="t"):
    return [f"{prefix}{i}.example.com" for i in range(count)]


def test_more_than_100_domains_get_more_classic_certificates_on_the_proxy():
    domains = many(250)
    result = run(domains=domains, **CLASSIC)
    certificates = certificates_of(result)
    assert [len(c.inputs["managed"]["domains"]) for c in certificates] == [100, 100, 50]
    assert [d for c in certificates for d in c.inputs["managed"]["domains"]] == domains
    assert result.one(HTTPS_PROXY).inputs["sslCertificates"] == [ref(c) for c in certificates]
    assert len(component_outputs(result)["dns_records"]) == 250


def test_appending_domains_keeps_existing_certificates_and_their_domains():
    before = run(domains=many(3), domains_per_certificate=1, **CLASSIC)
    after = run(domains=many(5), domains_per_certificate=1, **CLASSIC)
    old = {c.urn: c.inputs["managed"]["domains"] for c in before.of_type(CERTIFICATE)}
    new = {c.urn: c.inputs["managed"]["domains"] for c in after.of_type(CERTIFICATE)}
    assert len(new) == 5
    assert {urn: new[urn] for urn in old} == old
    # Records are named after their domain, not a list position.
    zone_before = {r.urn for r in run(domains=many(3), managed_zone="z").of_type(RECORD)}
    zone_after = {r.urn for r in run(domains=many(3)[1:], managed_zone="z").of_type(RECORD)}
    assert zone_after < zone_before


def test_classic_domain_limit_follows_certificates_per_proxy():
    with pytest.raises(InvalidArgument) as refused:
        run(domains=many(16), domains_per_certificate=1, **CLASSIC)
    assert refused.value.argument == "domains"
    assert "15" in str(refused.value)
    assert len(run(domains=many(15), domains_per_certificate=1, **CLASSIC).of_type(CERTIFICATE)) == 15
    with pytest.raises(InvalidArgument) as refused:
        run(domains=many(1501), **CLASSIC)
    assert refused.value.argument == "domains"


# --- Bad input -----------------------------------------------------------------------------------

BAD_INPUTS = [
    ({"domains": []}, "domains"),
    ({"domains": ["*.example.com"]}, "domains[0]"),
    ({"domains": ["example.com"]}, "domains[0]"),
    ({"domains": ["track.example.com", "TRACK.example.com."]}, "domains[1]"),
    ({"esp": "mailchimp"}, "esp"),
    ({"esp": "sparkpost-enterprise"}, "tenant"),
    ({"esp": "custom"}, "origin_host"),
    ({"origin_host": "https://spgo.io/"}, "origin_host"),
    ({"hosted_zone_id": "Z123"}, "hosted_zone_id"),
    ({"enable_ipv6": "yes"}, "enable_ipv6"),
    ({"enable_ipv6": pulumi.Output.from_input(True)}, "enable_ipv6"),
    ({"domains_per_certificate": 0}, "domains_per_certificate"),
    ({"domains_per_certificate": 101}, "domains_per_certificate"),
    ({"dns_ttl_seconds": 5}, "dns_ttl_seconds"),
    ({"origin_timeout_seconds": 0}, "origin_timeout_seconds"),
    ({"managed_zone": " "}, "managed_zone"),
    ({"managed_zone": 42}, "managed_zone"),
    ({"dns_project": "other"}, "dns_project"),
    ({"redirect_http_to_https": "false"}, "redirect_http_to_https"),
    ({"cache_ttl_seconds": -1}, "cache_ttl_seconds"),
]


@pytest.mark.parametrize("args, argument", BAD_INPUTS, ids=[a for _, a in BAD_INPUTS])
def test_bad_input_is_refused_naming_the_argument_and_nothing_is_registered(args, argument):
    error, registered = refusal(build(**args))
    assert error.argument == argument
    assert registered == []


# --- The example stack and `tracking-cdn plan` ---------------------------------------------------


def test_example_stack_builds_the_gcp_front_door():
    result = run_stack("gcp-example")
    component = result.one(COMPONENT)
    assert result.stack_outputs["frontDoor"] == "gcp"
    exported = ("ipAddress", "ipv6Address", "certificateNames", "certificateStatusCommands", "originHost", "dnsRecords")
    assert set(exported) <= set(result.stack_outputs)
    assert all(r.parent == component.urn for r in result.resources if r.custom)
    assert all(r.protect for r in result.resources if r.custom and r.type not in (NEG, ENDPOINT))


@pytest.mark.parametrize("count", [1, 10, 100])
def test_example_stack_works_with_any_domain_count(count):
    overrides = {"tracking-cdn:domains": many(count, "link")}
    if count == 10:
        overrides["tracking-cdn:managedZone"] = "example-com"
    result = run_stack("gcp-example", overrides)
    assert sorted(map_certificates_of(result)) == sorted(many(count, "link"))
    assert len(result.stack_outputs["dnsRecords"]) == 2 * count  # an A record and a validation CNAME each
    assert len(result.of_type(RECORD)) == (2 * count if count == 10 else 0)


def test_the_example_stack_keeps_classic_certificates_with_the_0_1_pin():
    result = run_stack("gcp-example", {"tracking-cdn:certificates": "classic"})
    assert [d for c in certificates_of(result) for d in c.inputs["managed"]["domains"]] == DOMAINS
    assert result.of_type(MANAGER_CERTIFICATE) == [] and len(result.stack_outputs["dnsRecords"]) == len(DOMAINS)


def test_plan_shows_the_gcp_example_offline(capsys, monkeypatch):
    from tracking_cdn.cli import main

    from conftest import REPO

    monkeypatch.chdir(REPO)
    assert main(["plan", "--stack", "gcp-example"]) == 0
    shown = capsys.readouterr().out
    assert "OFFLINE" in shown
    assert COMPONENT in shown and "INTERNET_FQDN_PORT" in shown
    assert "track.example.com" in shown and "[protected]" in shown


# --- Day two (issue 13): what a second `pulumi up` would do ----------------------------------------

FIXTURES = REPO / "tests" / "fixtures"


class Transition:
    """Run 1 (the deployed state) against run 2 (the new program), as the engine pairs them: by URN or
    by an alias naming the old URN. An aliased resource keeps the physical name it was auto-named with
    (the bridge reuses old auto-names), so run 2's references to it are rewritten to the old name."""

    def __init__(self, before: list[dict], after) -> None:
        old = {resource["urn"]: resource for resource in before if resource["custom"]}
        self.pairs, renames = {}, {}
        for resource in (r for r in after.resources if r.custom):
            for urn in [resource.urn] + [_alias_urn(resource, alias) for alias in resource.aliases]:
                if urn in old:
                    self.pairs[urn] = resource
                    if urn != resource.urn:
                        renames[f"{resource.name}-<random>"] = f"{old[urn]['name']}-<random>"
                    break
        self.before = old
        self.created = [r for r in after.resources if r.custom and r not in self.pairs.values()]
        self.deleted = [resource for urn, resource in old.items() if urn not in self.pairs]
        self.changed = {}
        for urn, resource in self.pairs.items():
            new_inputs = json.loads(_renamed(json.dumps(plain(resource.inputs)), renames))
            if new_inputs != old[urn]["inputs"]:
                self.changed[old[urn]["name"]] = (old[urn]["inputs"], new_inputs)

    def protected_deletions(self) -> list[str]:
        return sorted(resource["name"] for resource in self.deleted if resource["protect"])


def _alias_urn(resource, alias: dict) -> str:
    spec = alias.get("spec", {})
    return alias.get("urn") or resource.urn.rsplit("::", 1)[0] + "::" + spec.get("name", resource.name)


def _renamed(text: str, renames: dict[str, str]) -> str:
    for new, old in renames.items():
        text = text.replace(new, old)
    return text


def state_of(result) -> list[dict]:
    """Run 1 as the deployed state: what `tracking-cdn plan --json` lists for it."""
    return [
        {"urn": r.urn, "name": r.name, "type": r.type, "custom": r.custom, "protect": r.protect,
         "inputs": plain(r.inputs)}
        for r in result.resources
    ]


def transition(before_args: dict, after_args: dict) -> Transition:
    return Transition(state_of(run(**before_args)), run(**after_args))


RELEASED_PIN = {"tracking-cdn:certificates": "classic"}
"""The one line a stack made with 0.1 adds to keep its classic certificates (docs/upgrading.md)."""
STACK_FIXTURES = {
    # fixture (made by the component as released in 0.1) -> the same config today, without the pin
    "plan-gcp-example.json": {},
    "plan-gcp-example-zone.json": {"tracking-cdn:managedZone": "example-com", "tracking-cdn:dnsProject": "dns-project",
                                   "tracking-cdn:enableIpv6": True, "tracking-cdn:redirectHttpToHttps": True},
}


def released_plan(fixture: str) -> dict:
    """The fixture's plan as if it had been saved under the gcp-example stack name."""
    released = json.loads((FIXTURES / fixture).read_text())
    released = json.loads(json.dumps(released).replace(f"urn:pulumi:{released['stack']}::", "urn:pulumi:gcp-example::"))
    return {**released, "stack": "gcp-example"}


@pytest.mark.parametrize("fixture", list(STACK_FIXTURES))
def test_deployed_stacks_see_no_resource_created_deleted_or_changed_by_this_version(fixture):
    before = released_plan(fixture)["resources"]
    today = run_stack("gcp-example", {**STACK_FIXTURES[fixture], **RELEASED_PIN})
    moved = Transition(before, today)
    assert [r.name for r in moved.created] == []
    assert [r["name"] for r in moved.deleted] == []
    assert moved.changed == {}
    # The per-origin NEG took over the single NEG of earlier versions through an alias.
    assert {r["name"] for r in before if r["custom"]} - {r.name for r in today.resources} == {
        "tracking-origin", "tracking-origin-endpoint"}


@pytest.mark.parametrize("fixture", list(STACK_FIXTURES))
def test_plan_against_the_released_plan_shows_only_option_changes_and_no_blocker(fixture):
    """What a user upgrading the library sees with `tracking-cdn plan --against <saved plan>`."""
    from tracking_cdn.diff import diff_plans
    from tracking_cdn.plan import plan_document

    today = run_stack("gcp-example", {**STACK_FIXTURES[fixture], **RELEASED_PIN})
    changes = diff_plans(released_plan(fixture), plan_document(today, "gcp-example"))
    assert changes.blockers == [] and changes.https_losses == []
    moved = {r.name: r for r in changes.resources if r.action != "same"}
    assert {r.action for r in moved.values()} == {"update"}
    assert {c.path for r in moved.values() for c in r.changes} <= {"(protect)", "(deleteBeforeReplace)"}


@pytest.mark.parametrize("fixture", list(STACK_FIXTURES))
def test_a_stack_made_with_0_1_can_start_the_move_in_its_first_up_since_migrate_issue_only_creates(fixture):
    from tracking_cdn.diff import diff_plans
    from tracking_cdn.plan import plan_document

    today = run_stack("gcp-example", {**STACK_FIXTURES[fixture], "tracking-cdn:certificates": "migrate-issue"})
    changes = diff_plans(released_plan(fixture), plan_document(today, "gcp-example"))
    assert changes.blockers == [] and changes.https_losses == []
    created = {r.type for r in changes.resources if r.action == "create"}
    assert {DNS_AUTHORIZATION, MANAGER_CERTIFICATE, CERTIFICATE_MAP, MAP_ENTRY} <= created
    assert {r.action for r in changes.resources} <= {"same", "create", "update"}
    assert changes.by_name("tracking-https").action == "same", "the classic certificates keep serving"


@pytest.mark.parametrize("fixture", list(STACK_FIXTURES))
def test_without_the_pin_plan_against_the_released_plan_stops_on_the_classic_certificate(fixture):
    """The safety net of an upgrade without ``certificates: classic``: the new default would delete the
    protected classic certificate, so `pulumi up` stops at preview, and `plan --against` says so offline."""
    from tracking_cdn.diff import diff_plans
    from tracking_cdn.plan import plan_document

    changes = diff_plans(released_plan(fixture), plan_document(run_stack("gcp-example", STACK_FIXTURES[fixture]),
                                                               "gcp-example"))
    assert [(r.action, r.type, r.name) for r in changes.blockers] == [("delete", CERTIFICATE, "tracking-certificate-0")]
    assert sorted(loss.name for loss in changes.https_losses) == sorted(DOMAINS)


def test_plan_against_the_released_plan_exits_1_naming_the_classic_certificate(capsys, monkeypatch):
    from tracking_cdn.cli import main

    monkeypatch.chdir(REPO)
    assert main(["plan", "--stack", "gcp-example", "--against", str(FIXTURES / "plan-gcp-example.json")]) == 1
    shown = capsys.readouterr().out
    blockers = shown.split("Blockers", 1)[1].split("\n\n", 1)[0]
    assert "tracking-certificate-0" in blockers and "[protected: pulumi up stops here]" in blockers
    assert "Live names that would lose HTTPS" in shown and "track.example.com" in shown


@pytest.mark.parametrize("before, after", [("sparkpost", "sparkpost-eu"), ("sparkpost", "sendgrid"),
                                           ("sendgrid", "custom"), ("sparkpost", "ses"), ("ses", "iterable")])
def test_changing_the_esp_repoints_the_backend_in_place_and_never_empties_a_neg(before, after):
    moved = transition(PROFILE_CASES[before][0], PROFILE_CASES[after][0])
    # A new NEG with its endpoint for the new origin; the old pair goes after the backend moved.
    assert sorted(r.type for r in moved.created) == sorted([NEG, ENDPOINT])
    (endpoint,) = [r for r in moved.created if r.type == ENDPOINT]
    assert endpoint.inputs["fqdn"] == PROFILE_CASES[after][1]
    assert not endpoint.delete_before_replace
    assert sorted(r["type"] for r in moved.deleted) == sorted([NEG, ENDPOINT])
    assert moved.protected_deletions() == []
    # The backend service is updated in place (backends and the Host header are updatable), nothing else.
    assert set(moved.changed) == {"tracking-backend"}
    (new_neg,) = [r for r in moved.created if r.type == NEG]
    assert moved.changed["tracking-backend"][1]["backends"] == [{"group": ref(new_neg)}]


@pytest.mark.parametrize("extra", [{}, {"well_known_origin": "www.example.com"}], ids=["esp", "well-known-origin"])
def test_a_backend_service_switches_to_a_new_neg_only_once_its_endpoint_is_attached(extra):
    """The backend's reference to the NEG alone lets the engine attach the endpoint and repoint the backend
    at the same time: a request meeting the empty NEG gets a 5xx. It waits for the endpoint itself."""
    before = {"esp": "sparkpost", **extra}
    after = {"esp": "sendgrid", **({"well_known_origin": "www2.example.com"} if extra else {})}
    result = run(**after)
    moved = transition(before, after)
    for backend in result.of_type(BACKEND):
        (group,) = [neg for neg in result.of_type(NEG) if ref(neg) == backend.inputs["backends"][0]["group"]]
        (endpoint,) = [e for e in result.of_type(ENDPOINT) if e.inputs["globalNetworkEndpointGroup"] == group.outputs["name"]]
        assert endpoint.urn in backend.dependencies, f"{backend.name} does not wait for {endpoint.name}"
        if backend.name in moved.changed:
            assert endpoint.name in {r.name for r in moved.created}


def domains_of(count):
    return [f"t{i}.example.com" for i in range(count)]


@pytest.mark.parametrize("before, after", [(2, 3), (1, 11), (11, 101)])
def test_adding_domains_with_certificate_manager_only_adds_resources(before, after):
    common = {"certificates": "certificate-manager", "managed_zone": "example-com"}
    moved = transition({**common, "domains": domains_of(before)}, {**common, "domains": domains_of(after)})
    assert moved.deleted == [] and moved.changed == {}
    added = set(domains_of(after)) - set(domains_of(before))
    assert {r.name.rsplit("-", 1)[-1] for r in moved.created} == added
    per_domain = {RECORD: 2, DNS_AUTHORIZATION: 1, MANAGER_CERTIFICATE: 1, MAP_ENTRY: 1}  # A + validation CNAME
    assert sorted(r.type for r in moved.created) == sorted(t for t, n in per_domain.items() for _ in range(n * len(added)))


def test_classic_certificates_change_when_a_domain_joins_a_shared_certificate():
    """Why certificate-manager is the default: a classic certificate is immutable."""
    moved = transition({"domains": domains_of(2), **CLASSIC}, {"domains": domains_of(3), **CLASSIC})
    assert set(moved.changed) == {"tracking-certificate-0"}
    assert moved.before[next(u for u, r in moved.before.items() if r["name"] == "tracking-certificate-0")]["protect"]


def test_removing_a_domain_deletes_exactly_its_protected_resources_named_after_it():
    """The expected blocker: `pulumi state unprotect` of the URNs naming the domain (docs: Day two)."""
    common = {"certificates": "certificate-manager", "managed_zone": "example-com", "enable_ipv6": True}
    moved = transition({**common, "domains": domains_of(3)}, {**common, "domains": domains_of(2)})
    assert moved.created == [] and moved.changed == {}
    assert moved.protected_deletions() == sorted(
        f"tracking-{kind}-t2.example.com"
        for kind in ("a", "aaaa", "validation", "dns-authorization", "certificate", "certificate-map-entry"))


def test_toggling_the_redirect_never_deletes_a_protected_resource():
    on = transition({}, {"redirect_http_to_https": True})
    assert [r.type for r in on.created] == [URL_MAP] and on.deleted == []
    assert set(on.changed) == {"tracking-http"}
    off = transition({"redirect_http_to_https": True}, {})
    assert [r["name"] for r in off.deleted] == ["tracking-http-redirect"] and off.protected_deletions() == []
    assert off.created == [] and set(off.changed) == {"tracking-http"}


MIGRATION = ["classic", "migrate-issue", "migrate-attach", "certificate-manager"]


def test_moving_a_live_stack_to_certificate_manager_keeps_a_certificate_on_every_request():
    """The documented sequence: each `pulumi up` of the walk, from the state the previous one left."""
    runs = [run(certificates=step, managed_zone="example-com") for step in MIGRATION]
    proxies = [result.one(HTTPS_PROXY).inputs for result in runs]
    steps = [Transition(state_of(runs[i]), runs[i + 1]) for i in range(3)]
    # 1. migrate-issue: Certificate Manager certificates are created; what serves is untouched.
    assert steps[0].deleted == [] and steps[0].changed == {}
    assert {r.type for r in steps[0].created} == {DNS_AUTHORIZATION, MANAGER_CERTIFICATE, CERTIFICATE_MAP,
                                                  MAP_ENTRY, RECORD}
    assert "certificateMap" not in proxies[1]
    # 2. migrate-attach: the map is attached beside the classic certificates (one API call, the map takes
    #    precedence); the classic certificates stop being protected.
    assert steps[1].created == [] and steps[1].deleted == []
    assert set(steps[1].changed) == {"tracking-https"}
    assert proxies[2]["sslCertificates"] == proxies[1]["sslCertificates"]
    assert proxies[2]["certificateMap"].startswith("//certificatemanager.googleapis.com/projects/")
    assert not any(c.protect for c in runs[2].of_type(CERTIFICATE))
    # 3. certificate-manager: the classic certificates leave the proxy and are deleted, unblocked.
    assert steps[2].created == [] and steps[2].protected_deletions() == []
    assert {r["type"] for r in steps[2].deleted} == {CERTIFICATE}
    assert "sslCertificates" not in proxies[3] and proxies[3]["certificateMap"] == proxies[2]["certificateMap"]


def test_certificate_manager_gives_each_domain_its_own_dns_authorized_certificate_and_map_entry():
    result = run(certificates="certificate-manager", managed_zone="example-com")
    authorizations = {a.inputs["domain"]: a for a in result.of_type(DNS_AUTHORIZATION)}
    certificates = {c.inputs["managed"]["domains"][0]: c for c in result.of_type(MANAGER_CERTIFICATE)}
    entries = {e.inputs["hostname"]: e for e in result.of_type(MAP_ENTRY)}
    assert set(authorizations) == set(certificates) == set(entries) == set(DOMAINS)
    certificate_map = result.one(CERTIFICATE_MAP)
    for domain in DOMAINS:
        assert certificates[domain].inputs["managed"] == {"domains": [domain],
                                                          "dnsAuthorizations": [authorizations[domain].id]}
        assert entries[domain].inputs["certificates"] == [certificates[domain].id]
        assert entries[domain].inputs["map"] == certificate_map.outputs["name"]
    proxy = result.one(HTTPS_PROXY)
    assert proxy.inputs["certificateMap"] == "//certificatemanager.googleapis.com/" + certificate_map.id
    assert "sslCertificates" not in proxy.inputs and result.of_type(CERTIFICATE) == []
    # The DNS authorization CNAMEs are created in the zone and listed as validation records.
    validations = {r.inputs["name"]: r for r in result.of_type(RECORD) if r.inputs["type"] == "CNAME"}
    assert set(validations) == {f"_acme-challenge.{d}." for d in DOMAINS}
    assert all(r.protect for r in validations.values())
    listed = [r for r in component_outputs(result)["dns_records"] if r["purpose"] == "validation"]
    assert {(r["name"], r["type"]) for r in listed} == {(f"_acme-challenge.{d}", "CNAME") for d in DOMAINS}
    assert [r["value"] for r in listed] == [validations[f"_acme-challenge.{r['name'][16:]}."].inputs["rrdatas"][0]
                                            .rstrip(".") for r in listed]
    names = component_outputs(result)["certificate_names"]
    assert names == [certificates[d].inputs["name"] for d in DOMAINS]
    assert all(c.startswith("gcloud certificate-manager certificates describe ")
               for c in component_outputs(result)["certificate_status_commands"])


def test_a_live_domain_keeps_its_record_until_the_cutover_then_its_record_is_imported():
    live = "track.example.com"
    common = {"certificates": "certificate-manager", "managed_zone": "example-com", "dns_project": "dns-project"}
    pending = run(**common, pending_cutover_domains=[live])
    routes = {r.inputs["name"] for r in pending.of_type(RECORD) if r.inputs["type"] == "A"}
    assert routes == {"click2.example.com."}
    assert f"_acme-challenge.{live}." in {r.inputs["name"] for r in pending.of_type(RECORD)}
    assert any(r["name"] == live and r["type"] == "A" for r in component_outputs(pending)["dns_records"])
    assert live in {e.inputs["hostname"] for e in pending.of_type(MAP_ENTRY)}
    adopted = run(**common, import_route_records=[live])
    (record,) = [r for r in adopted.of_type(RECORD) if r.inputs["name"] == f"{live}." and r.inputs["type"] == "A"]
    assert record.import_id == f"projects/dns-project/managedZones/example-com/rrsets/{live}./A"
    assert record.protect
    assert all(r.import_id == "" for r in adopted.resources if r is not record)
    # From the pending state, the import only adds the record.
    moved = Transition(state_of(pending), adopted)
    assert [r.name for r in moved.created] == [f"tracking-a-{live}"] and moved.deleted == [] and moved.changed == {}


def test_component_name_of_the_maximum_length_makes_valid_gcp_names():
    name = "t" * 39
    result = run_offline(lambda: GcpLoadBalancerTrackingDomain(
        name, {"domains": DOMAINS, "certificates": "migrate-attach", "redirect_http_to_https": True}))
    for resource in (r for r in result.resources if r.custom):
        physical = resource.inputs.get("name")
        length = len(physical) if physical and resource.type.startswith("gcp:certificatemanager") else len(
            resource.name) + 8  # "-" + 7 random characters of Pulumi's auto-naming
        if resource.type.startswith(("gcp:compute/globalNetworkEndpoint:", "gcp:dns/")):
            continue  # no GCP name
        assert length <= 63, resource.name


BAD_NAMES = ["Tracking", "1tracking", "tracking_cdn", "tracking.example", "t" * 40, ""]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_component_name_that_makes_an_invalid_gcp_name_is_refused(name):
    error, registered = refusal(lambda: GcpLoadBalancerTrackingDomain(name, {"domains": DOMAINS}))
    assert error.argument == "name" and registered == []
    assert "lowercase" in str(error) or "at most 39" in str(error)


DAY_TWO_BAD_INPUTS = [
    ({"managed_zone": "example-com", "managed_zone_dns_name": "example.org"}, "domains[0]"),
    ({"managed_zone": "example-com", "managed_zone_dns_name": "not a zone"}, "managed_zone_dns_name"),
    ({"managed_zone_dns_name": "example.com"}, "managed_zone_dns_name"),
    ({"certificates": "managed"}, "certificates"),
    ({"certificates": "certificate-manager", "domains_per_certificate": 1}, "domains_per_certificate"),
    ({"managed_zone": "example-com", "pending_cutover_domains": ["track.example.com"], **CLASSIC},
     "pending_cutover_domains"),
    ({"managed_zone": "example-com", "pending_cutover_domains": ["track.example.com"], "certificates": "migrate-issue"},
     "pending_cutover_domains"),
    ({"domains_per_certificate": 50}, "domains_per_certificate"),
    ({"certificates": "certificate-manager", "pending_cutover_domains": ["track.example.com"]},
     "pending_cutover_domains"),
    ({"certificates": "certificate-manager", "managed_zone": "example-com",
      "pending_cutover_domains": ["other.example.com"]}, "pending_cutover_domains[0]"),
    ({"managed_zone": "example-com", "import_route_records": ["track.example.com"]}, "import_route_records"),
    ({"managed_zone": pulumi.Output.from_input("z"), "dns_project": "p",
      "import_route_records": ["track.example.com"]}, "import_route_records"),
    ({"certificates": "certificate-manager", "managed_zone": "example-com", "dns_project": "p",
      "pending_cutover_domains": ["track.example.com"], "import_route_records": ["track.example.com"]},
     "import_route_records"),
]


@pytest.mark.parametrize("args, argument", DAY_TWO_BAD_INPUTS, ids=[a for _, a in DAY_TWO_BAD_INPUTS])
def test_day_two_mistakes_are_refused_before_anything_is_created(args, argument):
    error, registered = refusal(build(**args))
    assert error.argument == argument
    assert registered == []


def test_zone_dns_name_accepts_domains_inside_the_zone():
    result = run(managed_zone="example-com", managed_zone_dns_name="Example.com.")
    assert sorted(r.inputs["type"] for r in result.of_type(RECORD)) == ["A", "A", "CNAME", "CNAME"]


def test_the_classic_domain_limit_points_at_certificate_manager():
    error, _ = refusal(build(domains=domains_of(16), domains_per_certificate=1, **CLASSIC))
    assert error.argument == "domains" and "certificates='certificate-manager' has no such limit" in str(error)


def test_domains_per_certificate_without_classic_says_how_to_keep_classic_certificates():
    error, _ = refusal(build(domains_per_certificate=1))
    assert error.argument == "domains_per_certificate"
    assert "Certificate Manager (the default)" in str(error) and "certificates='classic'" in str(error)


# --- Deep links (issue 17): the app-link files from a bucket, /.well-known/* to your origin --------

BUCKET = "gcp:storage/bucket:Bucket"
OBJECT = "gcp:storage/bucketObject:BucketObject"
OBJECT_ACL = "gcp:storage/objectAccessControl:ObjectAccessControl"
BACKEND_BUCKET = "gcp:compute/backendBucket:BackendBucket"
FINGERPRINT = ":".join(["14"] * 32)
APP_LINKS = {
    "apple_app_site_association": {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                                            "components": [{"/": "/f/open-in-app/*"}]}]}},
    "android_asset_links": [{"relation": ["delegate_permission/common.handle_all_urls"],
                             "target": {"namespace": "android_app", "package_name": "com.example.app",
                                        "sha256_cert_fingerprints": [FINGERPRINT]}}],
}
CHANGED_APP_LINKS = {**APP_LINKS, "apple_app_site_association": {"applinks": {"details": [
    {"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/app/*"}]}]}}}
FILES = {"/.well-known/apple-app-site-association", "/.well-known/assetlinks.json"}


def path_rules(url_map):
    (matcher,) = url_map.inputs["pathMatchers"]
    return {path: rule for rule in matcher["pathRules"] for path in rule["paths"]}


def http_routes_of(result):
    return url_map_with_id(result, target_of(result, by_port(result, "80")[0], HTTP_PROXY).inputs["urlMap"])


def https_routes_of(result):
    return url_map_with_id(result, target_of(result, by_port(result, "443")[0], HTTPS_PROXY).inputs["urlMap"])


def test_the_app_link_files_are_exactly_the_contract_s_bytes_public_read_as_application_json():
    from tracking_cdn.deep_links import resolve_app_links

    result = run(app_links=APP_LINKS)
    expected = {f.path: f for f in resolve_app_links(APP_LINKS).files}
    bucket = result.one(BUCKET)
    assert bucket.inputs["uniformBucketLevelAccess"] is False  # per-object ACLs: only the files are public
    assert bucket.inputs["location"] == "US"
    objects = {o.inputs["name"]: o for o in result.of_type(OBJECT)}
    rules = path_rules(https_routes_of(result))
    assert set(FILES) <= set(rules)
    for path, file in expected.items():
        object_name = rules[path]["routeAction"]["urlRewrite"]["pathPrefixRewrite"].lstrip("/")
        stored = objects[object_name]
        # The provider marks an object's content sensitive: it reaches the engine as a secret.
        assert rpc.is_rpc_secret(stored.inputs["content"])
        assert rpc.unwrap_rpc_secret(stored.inputs["content"]).encode("ascii") == file.body
        assert stored.inputs["contentType"] == "application/json"
        assert stored.inputs["bucket"] == bucket.outputs["name"]
    acls = result.of_type(OBJECT_ACL)
    assert sorted(a.inputs["object"] for a in acls) == sorted(objects)
    assert {(a.inputs["entity"], a.inputs["role"], a.inputs["bucket"]) for a in acls} == {
        ("allUsers", "READER", bucket.outputs["name"])}
    backend_bucket = result.one(BACKEND_BUCKET)
    assert backend_bucket.inputs["bucketName"] == bucket.outputs["name"] and backend_bucket.inputs["enableCdn"] is False


@pytest.mark.parametrize("redirect", [False, True])
def test_exactly_the_two_paths_go_to_the_bucket_on_https_and_plain_http_never_redirected(redirect):
    result = run(app_links=APP_LINKS, redirect_http_to_https=redirect)
    backend_bucket = ref(result.one(BACKEND_BUCKET))
    for routes in (https_routes_of(result), http_routes_of(result)):
        rules = path_rules(routes)
        assert set(rules) == FILES
        assert {rule["service"] for rule in rules.values()} == {backend_bucket}
        assert all("urlRedirect" not in rule for rule in rules.values())
        assert routes.inputs["hostRules"] == [{"hosts": ["*"], "pathMatcher": "tracking"}]
    (matcher,) = http_routes_of(result).inputs["pathMatchers"]
    if redirect:  # everything else on port 80 is still redirected
        assert matcher["defaultUrlRedirect"]["httpsRedirect"] is True and "defaultService" not in matcher
    else:
        assert http_routes_of(result) is https_routes_of(result)


def test_with_app_links_the_click_path_and_everything_else_still_go_to_the_esp():
    result = run(app_links=APP_LINKS)
    backend = ref(result.one(BACKEND))
    routes = https_routes_of(result)
    (matcher,) = routes.inputs["pathMatchers"]
    assert routes.inputs["defaultService"] == matcher["defaultService"] == backend
    assert not any(p.startswith("/f") or p.endswith("*") for p in path_rules(routes))  # /f/..., /.well-known/x: ESP


def test_app_links_leave_every_click_path_resource_as_it_was():
    without, with_files = run(), run(app_links=APP_LINKS)
    for kind in (NEG, ENDPOINT, BACKEND, HTTPS_PROXY, HTTP_PROXY, SSL_POLICY, ADDRESS, RULE, DNS_AUTHORIZATION,
                 MANAGER_CERTIFICATE, CERTIFICATE_MAP, MAP_ENTRY):
        before = {r.name: r.inputs for r in without.of_type(kind)}
        assert before == {r.name: r.inputs for r in with_files.of_type(kind)}, kind
    (before,), (after,) = without.of_type(URL_MAP), with_files.of_type(URL_MAP)
    assert {k: v for k, v in after.inputs.items() if k not in ("hostRules", "pathMatchers")} == before.inputs


def test_well_known_origin_takes_other_well_known_paths_over_https_with_its_own_host():
    result = run(app_links=APP_LINKS, well_known_origin="www.example.com", redirect_http_to_https=True)
    (site,) = [b for b in result.of_type(BACKEND) if b.name == "tracking-well-known"]
    assert site.inputs["protocol"] == "HTTPS" and site.inputs["customRequestHeaders"] == ["Host: www.example.com"]
    (site_neg,) = [n for n in result.of_type(NEG) if ref(n) in [b["group"] for b in site.inputs["backends"]]]
    (site_endpoint,) = [e for e in result.of_type(ENDPOINT) if e.inputs["globalNetworkEndpointGroup"] ==
                        site_neg.outputs["name"]]
    assert (site_endpoint.inputs["fqdn"], site_endpoint.inputs["port"]) == ("www.example.com", 443)
    rules = path_rules(https_routes_of(result))
    assert set(rules) == FILES | {"/.well-known/*"} and rules["/.well-known/*"]["service"] == ref(site)
    assert set(path_rules(http_routes_of(result))) == FILES  # plain HTTP: the rest is redirected
    assert site.protect and not site_neg.protect


def test_well_known_origin_alone_adds_only_the_well_known_route():
    result = run(well_known_origin="www.example.com")
    assert result.of_type(BUCKET) == [] and set(path_rules(https_routes_of(result))) == {"/.well-known/*"}


def test_the_bucket_name_and_location_can_be_given():
    result = run(app_links=APP_LINKS, deep_links_bucket_name="acme-tracking-links", deep_links_bucket_location="eu")
    assert result.one(BUCKET).inputs["name"] == "acme-tracking-links"
    assert result.one(BUCKET).inputs["location"] == "EU"


def test_adding_app_links_to_a_live_stack_only_adds_resources_and_updates_the_url_maps():
    for extra in ({}, {"redirect_http_to_https": True}, CLASSIC):
        moved = transition(extra, {**extra, "app_links": APP_LINKS, "well_known_origin": "www.example.com"})
        assert moved.deleted == []
        assert set(moved.changed) == {"tracking-routes"} | ({"tracking-http-redirect"} if extra.get(
            "redirect_http_to_https") else set())
        for name, (old, new) in moved.changed.items():  # only the routing fields of a URL map (updatable)
            assert {k for k in set(old) | set(new) if old.get(k) != new.get(k)} == {"hostRules", "pathMatchers"}


def test_changing_app_links_content_swaps_objects_and_repoints_the_url_maps_in_place():
    common = {"app_links": APP_LINKS, "redirect_http_to_https": True}
    moved = transition(common, {**common, "app_links": CHANGED_APP_LINKS})
    assert sorted(r.type for r in moved.created) == [OBJECT, OBJECT_ACL]
    assert sorted(r["type"] for r in moved.deleted) == [OBJECT, OBJECT_ACL] and moved.protected_deletions() == []
    assert set(moved.changed) == {"tracking-routes", "tracking-http-redirect"}
    (new_object,) = [r for r in moved.created if r.type == OBJECT]
    for old, new in moved.changed.values():
        assert "/" + new_object.inputs["name"] in json.dumps(new["pathMatchers"])


@pytest.mark.parametrize("redirect", [False, True], ids=["http-served", "http-redirected"])
def test_a_url_map_rewrites_to_a_new_object_only_once_the_object_and_its_public_acl_exist(redirect):
    """The rewrite names the object by a plain string, which gives the engine no dependency: without an
    explicit one, the URL maps switch while the object is still uploading (404) or not yet public (403)."""
    common = {"app_links": APP_LINKS, "redirect_http_to_https": redirect}
    result = run(**{**common, "app_links": CHANGED_APP_LINKS})
    moved = transition(common, {**common, "app_links": CHANGED_APP_LINKS})
    new = {r.urn for r in moved.created}
    assert len(new) == 2  # the object and its ACL
    for url_map in result.of_type(URL_MAP):
        assert url_map.name in moved.changed
        assert new <= set(url_map.dependencies), f"{url_map.name} does not wait for {sorted(new - set(url_map.dependencies))}"


def test_the_bucket_and_backend_bucket_are_protected_and_the_content_addressed_objects_are_not():
    result = run(app_links=APP_LINKS)
    assert result.one(BUCKET).protect and result.one(BACKEND_BUCKET).protect
    assert not any(r.protect for r in result.of_type(OBJECT) + result.of_type(OBJECT_ACL))


DEEP_LINK_BAD_INPUTS = [
    ({"deep_links_bucket_name": "links"}, "deep_links_bucket_name"),
    ({"app_links": APP_LINKS, "deep_links_bucket_name": "Links"}, "deep_links_bucket_name"),
    ({"app_links": APP_LINKS, "deep_links_bucket_name": "my.links.example.com"}, "deep_links_bucket_name"),
    ({"app_links": APP_LINKS, "deep_links_bucket_name": "google-links"}, "deep_links_bucket_name"),
    ({"deep_links_bucket_location": "EU"}, "deep_links_bucket_location"),
    ({"app_links": APP_LINKS, "deep_links_bucket_location": "eu west"}, "deep_links_bucket_location"),
    ({"app_links": APP_LINKS, "esp": "iterable"}, "app_links"),
    ({"well_known_origin": "track.example.com"}, "well_known_origin"),
]


@pytest.mark.parametrize("args, argument", DEEP_LINK_BAD_INPUTS, ids=[a for _, a in DEEP_LINK_BAD_INPUTS])
def test_deep_link_mistakes_are_refused_before_anything_is_created(args, argument):
    error, registered = refusal(build(**args))
    assert error.argument == argument
    assert registered == []
