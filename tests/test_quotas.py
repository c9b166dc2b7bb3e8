"""Every enforced limit is the service's own (tracking_cdn.quotas), and every row of that table is tied to
what the component does at the limit: the last accepted value and the first refused one, the refusal
naming the argument and the number; or, for a limit no accepted configuration can reach, the largest
configuration staying within it. docs/limits.md shows the same table."""

import base64
import json
import re
from typing import Callable

import pytest
from conftest import REPO, refusal

from tracking_cdn import quotas
from tracking_cdn.aws import CloudFrontTrackingDomain, app_links_function_code
from tracking_cdn.azure import AzureFrontDoorTrackingDomain
from tracking_cdn.cloudflare import CloudflareTrackingDomain
from tracking_cdn.deep_links import APPLE_PATH, resolve_app_links
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.fastly import FastlyTrackingDomain, app_link_snippets
from tracking_cdn.gcp import GcpLoadBalancerTrackingDomain
from tracking_cdn.offline import run_offline

QUOTA = quotas.QUOTAS


def domains(count: int, zone: str = "example.com") -> list[str]:
    return [f"t{i}.{zone}" for i in range(count)]


def accepted(create: Callable[[], object]):
    return run_offline(create)


def refused_naming(create: Callable[[], object], argument: str, *words: str) -> None:
    error, registered = refusal(create)
    assert error.argument == argument, str(error)
    assert all(word in str(error) for word in words), str(error)
    assert registered == [], "refused before anything is registered"


def apple_file(paths: int, pad: str = "") -> dict:
    return {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                      "paths": [f"/f/c{pad}-{i:05d}/*" for i in range(paths)]}]}}


def function_size(document: dict) -> int:
    try:
        return len(app_links_function_code(resolve_app_links({"apple_app_site_association": document})).encode())
    except InvalidArgument as error:
        return int(re.search(r"a CloudFront Function of (\d+) bytes", str(error))[1])


# --- one check per row -----------------------------------------------------------------------------


def cloudfront_function_size(limit: int) -> None:
    last = next(paths for paths in range(300, 2000) if function_size(apple_file(paths + 1)) > limit)
    sizes = {paths: function_size(apple_file(paths)) for paths in (last, last + 1)}
    assert sizes[last] <= limit < sizes[last + 1]
    accepted(lambda: CloudFrontTrackingDomain("t", {"domains": ["click.example.com"],
                                                    "app_links": {"apple_app_site_association": apple_file(last)}}))
    refused_naming(lambda: CloudFrontTrackingDomain("t", {
        "domains": ["click.example.com"], "app_links": {"apple_app_site_association": apple_file(last + 1)}}),
        "app_links", f"{sizes[last + 1]} bytes", f"{limit} bytes")


def cloudfront_aliases_per_distribution(limit: int) -> None:
    run = accepted(lambda: CloudFrontTrackingDomain("t", {"domains": domains(limit), "max_names_per_certificate": limit,
                                                          "hosted_zone_id": "Z0HOSTEDZONE"}))
    (distribution,) = run.of_type("aws:cloudfront/distribution:Distribution")
    assert len(distribution.inputs["aliases"]) == limit
    refused_naming(lambda: CloudFrontTrackingDomain("t", {"domains": domains(2), "max_names_per_certificate": limit + 1}),
                   "max_names_per_certificate", str(limit))
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    refused_naming(lambda: CloudFrontTrackingDomain("t", {"domains": domains(limit + 1), "certificate_arn": arn}),
                   "domains", str(limit))


def acm_names_per_certificate(limit: int) -> None:
    run = accepted(lambda: CloudFrontTrackingDomain("t", {"domains": domains(limit + 1)}))
    certificates = run.of_type("aws:acm/certificate:Certificate")
    names = sorted(1 + len(c.inputs.get("subjectAlternativeNames") or []) for c in certificates)
    assert names == [1, limit], "the default fills one certificate with the quota's 10 names, then starts another"


def gcp_managed_certificate_domains(limit: int) -> None:
    classic = {"certificates": "classic"}
    run = accepted(lambda: GcpLoadBalancerTrackingDomain("t", {"domains": domains(limit), **classic}))
    (certificate,) = run.of_type("gcp:compute/managedSslCertificate:ManagedSslCertificate")
    assert len(certificate.inputs["managed"]["domains"]) == limit
    refused_naming(lambda: GcpLoadBalancerTrackingDomain("t", {
        "domains": domains(2), **classic, "domains_per_certificate": limit + 1}), "domains_per_certificate", str(limit))


def gcp_certificates_per_https_proxy(limit: int) -> None:
    one_each = {"certificates": "classic", "domains_per_certificate": 1}
    run = accepted(lambda: GcpLoadBalancerTrackingDomain("t", {"domains": domains(limit), **one_each}))
    (proxy,) = run.of_type("gcp:compute/targetHttpsProxy:TargetHttpsProxy")
    assert len(proxy.inputs["sslCertificates"]) == limit
    refused_naming(lambda: GcpLoadBalancerTrackingDomain("t", {"domains": domains(limit + 1), **one_each}),
                   "domains", str(limit))


def gcp_certificates_per_map_entry(limit: int) -> None:
    run = accepted(lambda: GcpLoadBalancerTrackingDomain("t", {"domains": domains(3)}))
    entries = run.of_type("gcp:certificatemanager/certificateMapEntry:CertificateMapEntry")
    assert entries and all(len(entry.inputs["certificates"]) == 1 <= limit for entry in entries)


AZURE = {"resource_group_name": "tracking-rg"}


def azure_custom_domains(sku: str) -> Callable[[int], None]:
    def check(limit: int) -> None:
        refused_naming(lambda: AzureFrontDoorTrackingDomain("t", {"domains": domains(limit + 1), **AZURE, "sku": sku}),
                       "domains", str(limit))
        run = accepted(lambda: AzureFrontDoorTrackingDomain("t", {"domains": domains(limit), **AZURE, "sku": sku}))
        assert len(run.of_type("azure-native:cdn:AFDCustomDomain")) == limit
    return check


def azure_composite_routes(limit: int) -> None:
    """Front Door's composite route metric (Front Door routing limits): per route, HTTP domains x paths
    plus HTTPS domains x paths, plus domains x route overrides per protocol; at the Premium maximum of
    domains, with every route the component makes and the cache override."""
    most = QUOTA["azure.custom-domains-premium"].value
    run = accepted(lambda: AzureFrontDoorTrackingDomain("t", {
        "domains": domains(most), **AZURE, "sku": "Premium_AzureFrontDoor", "enable_caching": True,
        "app_links": {"apple_app_site_association": apple_file(1), "android_asset_links": ASSET_LINKS},
        "well_known_origin": "www.example.com"}))
    overrides = sum(1 for rule in run.of_type("azure-native:cdn:Rule")
                    for action in rule.inputs["actions"] if action["name"] == "RouteConfigurationOverride")
    metric = 0
    for route in run.of_type("azure-native:cdn:Route"):
        hosts, protocols = len(route.inputs["customDomains"]), len(route.inputs["supportedProtocols"])
        metric += hosts * protocols * len(route.inputs["patternsToMatch"])
        metric += hosts * protocols * (overrides if route.inputs.get("ruleSets") else 0)
    assert len(run.of_type("azure-native:cdn:Route")) == 3 and overrides == 1
    assert metric <= limit, f"composite route metric {metric} > {limit}"


def fastly_domains_per_service(limit: int) -> None:
    accepted(lambda: FastlyTrackingDomain("t", {"domains": domains(limit)}))
    refused_naming(lambda: FastlyTrackingDomain("t", {"domains": domains(limit + 1)}), "domains", "domain_limit",
                   str(limit))


def fastly_snippet_size(limit: int) -> None:
    largest = QUOTA["apple.app-site-association-size"].value
    links = resolve_app_links({"apple_app_site_association": padded_apple_file(largest),
                               "android_asset_links": padded_asset_links(largest)})
    assert [len(f.body) for f in links.files] == [largest, largest]
    assert all(len(snippet.content.encode()) <= limit for snippet in app_link_snippets(links))


def letsencrypt_names_per_certificate(limit: int) -> None:
    accepted(lambda: FastlyTrackingDomain("t", {"domains": domains(limit), "domain_limit": limit,
                                                "certificates": "shared"}))
    refused_naming(lambda: FastlyTrackingDomain("t", {"domains": domains(2), "domain_limit": limit + 1}),
                   "domain_limit", str(limit))


CLOUDFLARE = {"zone_name": "example.com"}


def cloudflare_expression_length(limit: int) -> None:
    long = [f"{'x' * 50}-{i}.example.com" for i in range(101)]
    run = accepted(lambda: CloudflareTrackingDomain("t", {"domains": long, **CLOUDFLARE, "esp": "sendgrid"}))
    rules = [rule for ruleset in run.of_type("cloudflare:index/ruleset:Ruleset") for rule in ruleset.inputs["rules"]]
    assert len(rules) > 2, "the hosts are split over several rules"
    assert all(len(rule["expression"]) <= limit for rule in rules)


def cloudflare_advanced_certificate_hosts(limit: int) -> None:
    deep = [f"t{i}.m.example.com" for i in range(5)]
    run = accepted(lambda: CloudflareTrackingDomain("t", {"domains": deep, **CLOUDFLARE, "esp": "sendgrid"}))
    packs = run.of_type("cloudflare:index/certificatePack:CertificatePack")
    assert len(packs) == 5 and all(len(p.inputs["hosts"]) - 1 <= limit for p in packs), "the apex and one domain"


def cloudflare_page_rules_free(limit: int) -> None:
    page_rules = {**CLOUDFLARE, "mode": "page_rules"}
    run = accepted(lambda: CloudflareTrackingDomain("t", {"domains": domains(limit), **page_rules}))
    assert len(run.of_type("cloudflare:index/pageRule:PageRule")) == limit
    refused_naming(lambda: CloudflareTrackingDomain("t", {"domains": domains(limit + 1), **page_rules}),
                   "domains", "page_rule_limit", f"default {limit}")


def apple_app_site_association_size(limit: int) -> None:
    assert len(resolve_app_links({"apple_app_site_association": padded_apple_file(limit)}).files[0].body) == limit
    with pytest.raises(InvalidArgument) as error:
        resolve_app_links({"apple_app_site_association": padded_apple_file(limit + 1)})
    assert error.value.argument == "app_links.apple_app_site_association" and str(limit) in str(error.value)


ASSET_LINKS = [{"relation": ["delegate_permission/common.handle_all_urls"],
                "target": {"namespace": "android_app", "package_name": "com.example.app",
                           "sha256_cert_fingerprints": [":".join(["AB"] * 32)]}}]


def padded_apple_file(size: int) -> str:
    """An Apple file of exactly ``size`` bytes (a JSON string is served as given)."""
    base = json.dumps(apple_file(1), separators=(",", ":"))
    return base[:-1] + ',"x":"' + "a" * (size - len(base) - 7) + '"}'


def padded_asset_links(size: int) -> str:
    base = json.dumps(ASSET_LINKS, separators=(",", ":"))
    return base[:-2] + ',"x":"' + "a" * (size - len(base) - 7) + '"}]'


# --- platform mode ----------------------------------------------------------------------------------


def tenants_refused(program: Callable[[], None], tenant_type: str, argument: str, *words: str) -> list[str]:
    """Run ``program``, whose last tenant is refused: the refusal names ``argument`` and ``words``; returns
    the names of the tenants registered (the refused one is not)."""
    error, registered = refusal(program)
    assert error.argument == argument, str(error)
    assert all(word in str(error) for word in words), str(error)
    return sorted(r.name for r in registered if r.type == tenant_type)


CLOUDFRONT_TENANT = "tracking-cdn:index:CloudFrontTrackingTenant"
CLOUDFLARE_TENANT = "tracking-cdn:index:CloudflareTrackingTenant"
SAAS_ZONE = {"zone_name": "tracking-platform.net"}


def cloudfront_platform(platform_args: dict, tenants: dict, counted: int = 0, stored: int = 0) -> Callable[[], None]:
    """A CloudFront platform and its tenants; ``counted`` tenants and ``stored`` app-link bytes stand for
    the ones the program gave it before (building 10,000 tenants takes minutes)."""
    from tracking_cdn.platform.cloudfront import CloudFrontTrackingPlatform, CloudFrontTrackingTenant

    def program() -> None:
        platform = CloudFrontTrackingPlatform("tracking", platform_args)
        platform.tenant_counter.count, platform.app_link_bytes.count = counted, stored
        for name, args in tenants.items():
            CloudFrontTrackingTenant(name, {"platform": platform, **args})

    return program


def cloudflare_platform(tenants: dict, counted: int = 0) -> Callable[[], None]:
    from tracking_cdn.platform.cloudflare import CloudflareTrackingPlatform, CloudflareTrackingTenant

    def program() -> None:
        platform = CloudflareTrackingPlatform("tracking", SAAS_ZONE)
        platform.tenant_counter.count = counted
        for name, args in tenants.items():
            CloudflareTrackingTenant(name, {"platform": platform, **args})

    return program


def one_domain_tenants(*names: str) -> dict:
    return {name: {"domains": [f"track.{name}.com"]} for name in names}


def cloudfront_distribution_tenants(limit: int) -> None:
    """The default tenant_quota is the account's quota: the tenant that takes one program past it is refused."""
    accepted(cloudfront_platform({}, one_domain_tenants("a"), counted=limit - 1))
    registered = tenants_refused(cloudfront_platform({}, one_domain_tenants("a", "b"), counted=limit - 1),
                                 CLOUDFRONT_TENANT, "domains", "'b'", f"above {limit:,}", "tenant_quota")
    assert registered == ["a"]


def cloudfront_domains_per_tenant(limit: int) -> None:
    run = accepted(cloudfront_platform({}, {"acme": {"domains": domains(limit, "acme.com")}}))
    (tenant,) = run.of_type("aws:cloudfront/distributionTenant:DistributionTenant")
    assert len(tenant.inputs["domains"]) == limit
    assert tenants_refused(cloudfront_platform({}, {"acme": {"domains": domains(limit + 1, "acme.com")}}),
                           CLOUDFRONT_TENANT, "domains", str(limit)) == []


APP_LINK_PLATFORM = {"tenant_app_links": True}


def cloudfront_kvs_value_size(limit: int) -> None:
    def tenant(size: int) -> dict:
        return {"acme": {"domains": ["track.acme.com"], "app_links": {"apple_app_site_association": padded_apple_file(size)}}}

    run = accepted(cloudfront_platform(APP_LINK_PLATFORM, tenant(limit)))
    (key,) = run.of_type("aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey")
    assert len(key.inputs["value"].encode()) == limit
    assert tenants_refused(cloudfront_platform(APP_LINK_PLATFORM, tenant(limit + 1)), CLOUDFRONT_TENANT, "app_links",
                           f"{limit + 1} bytes", f"at most {limit}") == []


def cloudfront_kvs_key_size(limit: int) -> None:
    """The longest domain a tenant may have (253 characters) and the longer path make a key within it."""
    longest = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    assert len(longest) == 253
    links = {"apple_app_site_association": apple_file(1), "android_asset_links": ASSET_LINKS}
    run = accepted(cloudfront_platform(APP_LINK_PLATFORM, {"acme": {"domains": [longest], "app_links": links}}))
    keys = [key.inputs["key"] for key in run.of_type("aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey")]
    assert len(keys) == 2 and all(len(key.encode()) <= limit for key in keys)


def cloudfront_kvs_store_size(limit: int) -> None:
    """The store holds every tenant's keys and values: the tenant whose files would take it past the
    limit is refused."""
    links = {"apple_app_site_association": padded_apple_file(1000)}
    tenants = {name: {"domains": [f"track.{name}.com"], "app_links": links} for name in ("a", "b")}
    one = accepted(cloudfront_platform(APP_LINK_PLATFORM, {"a": tenants["a"]}))
    size = sum(len(k.inputs["key"].encode()) + len(k.inputs["value"].encode())
               for k in one.of_type("aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"))
    accepted(cloudfront_platform(APP_LINK_PLATFORM, {"a": tenants["a"]}, stored=limit - size))
    registered = tenants_refused(cloudfront_platform(APP_LINK_PLATFORM, tenants, stored=limit - size),
                                 CLOUDFRONT_TENANT, "domains", "'b'", f"above {limit:,}")
    assert registered == ["a"]


def cloudflare_saas_hostnames(limit: int) -> None:
    accepted(cloudflare_platform(one_domain_tenants("a"), counted=limit - 1))
    registered = tenants_refused(cloudflare_platform(one_domain_tenants("a", "b"), counted=limit - 1),
                                 CLOUDFLARE_TENANT, "domains", "'b'", f"above {limit:,}", "hostname_quota")
    assert registered == ["a"]


def billed_warnings(count: int) -> list[str]:
    run = accepted(cloudflare_platform({"acme": {"domains": domains(count, "acme.com")}}))
    assert len(run.of_type("cloudflare:index/customHostname:CustomHostname")) == count
    return [warning for warning in run.warnings if f"beyond the {QUOTA['cloudflare.saas-included-hostnames'].value}"
            in warning and "billed" in warning]


def cloudflare_saas_included_hostnames(limit: int) -> None:
    assert billed_warnings(limit) == [] and len(billed_warnings(limit + 1)) == 1


def certificate_manager_warnings(count: int) -> list[str]:
    from tracking_cdn.platform.gcp import GcpTrackingPlatform, GcpTrackingTenant

    def program() -> None:
        GcpTrackingTenant("acme", {"platform": GcpTrackingPlatform("tracking", {}), "domains": domains(count, "acme.com")})

    run = accepted(program)
    writes = [r for r in run.resources if r.type.startswith("gcp:certificatemanager/") and r.parent.endswith("::acme")]
    assert len(writes) == 3 * count, "a DNS authorization, a certificate and a map entry per domain"
    return [warning for warning in run.warnings if "a minute" in warning and "batches" in warning]


def gcp_certificate_manager_writes(limit: int) -> None:
    """One program's first up creates three Certificate Manager resources per domain: past the project's
    writes a minute it is throttled, which is warned."""
    assert certificate_manager_warnings(limit // 3) == []
    assert len(certificate_manager_warnings(limit // 3 + 1)) == 1


CHECKS: dict[str, Callable[[int], None]] = {
    "cloudfront.function-size": cloudfront_function_size,
    "cloudfront.aliases-per-distribution": cloudfront_aliases_per_distribution,
    "acm.names-per-certificate": acm_names_per_certificate,
    "gcp.managed-certificate-domains": gcp_managed_certificate_domains,
    "gcp.certificates-per-https-proxy": gcp_certificates_per_https_proxy,
    "gcp.certificates-per-map-entry": gcp_certificates_per_map_entry,
    "azure.custom-domains-standard": azure_custom_domains("Standard_AzureFrontDoor"),
    "azure.custom-domains-premium": azure_custom_domains("Premium_AzureFrontDoor"),
    "azure.composite-routes": azure_composite_routes,
    "fastly.domains-per-service": fastly_domains_per_service,
    "fastly.snippet-size": fastly_snippet_size,
    "letsencrypt.names-per-certificate": letsencrypt_names_per_certificate,
    "cloudflare.expression-length": cloudflare_expression_length,
    "cloudflare.advanced-certificate-hosts": cloudflare_advanced_certificate_hosts,
    "cloudflare.page-rules-free": cloudflare_page_rules_free,
    "apple.app-site-association-size": apple_app_site_association_size,
    "cloudfront.distribution-tenants": cloudfront_distribution_tenants,
    "cloudfront.domains-per-tenant": cloudfront_domains_per_tenant,
    "cloudfront.kvs-value-size": cloudfront_kvs_value_size,
    "cloudfront.kvs-key-size": cloudfront_kvs_key_size,
    "cloudfront.kvs-store-size": cloudfront_kvs_store_size,
    "cloudflare.saas-hostnames": cloudflare_saas_hostnames,
    "cloudflare.saas-included-hostnames": cloudflare_saas_included_hostnames,
    "gcp.certificate-manager-writes": gcp_certificate_manager_writes,
}


@pytest.mark.parametrize("key", sorted(QUOTA))
def test_the_component_enforces_the_number_of_the_service_s_own_page(key):
    CHECKS[key](QUOTA[key].value)


def test_every_row_has_its_check_and_every_check_its_row():
    assert set(CHECKS) == set(QUOTA)


def test_every_row_names_its_page_and_how_it_is_enforced():
    for row in QUOTA.values():
        assert row.page and re.match(r"https?://", row.url) and row.enforced and row.value > 0, row.key
        assert "docstring" not in row.page.lower(), f"{row.key}: a quota comes from the service's page, not an API field"
    for row in quotas.NOT_ENFORCED:
        assert row.why and re.match(r"https?://", row.url)


def test_the_limits_page_shows_the_table_of_the_code():
    page = (REPO / "docs" / "limits.md").read_text()
    shown = page.split("-->\n", 1)[1].split("\n<!-- /quotas -->", 1)[0]
    assert shown == quotas.markdown_table(), "regenerate the table of docs/limits.md from tracking_cdn.quotas"


def test_the_cloudfront_function_quota_is_the_service_s_10_kb_not_the_api_field_s_40960_bytes():
    assert QUOTA["cloudfront.function-size"].value == 10 * 1024
    assert not QUOTA["cloudfront.function-size"].adjustable


def test_the_app_link_bytes_of_a_max_size_file_decode_exactly_from_the_fastly_snippet():
    body = resolve_app_links({"apple_app_site_association": padded_apple_file(4096)}).files[0].body
    (recv, error) = app_link_snippets(resolve_app_links({"apple_app_site_association": padded_apple_file(4096)}))
    (encoded,) = re.findall(r'synthetic\.base64 "([^"]*)"', error.content)
    assert base64.b64decode(encoded) == body and APPLE_PATH in recv.content
