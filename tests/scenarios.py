"""Named scenarios of every front door: the offline runs the conformance checks (and the day-two
checks) iterate.

A scenario is a front door built with one set of arguments, or an example stack with config
overrides, run under the offline mock engine exactly as the policy tests (``test_<cloud>.py``) build
them: every ESP profile, DNS in the same cloud or elsewhere, every option and enumerated choice, and
domain counts at the limits. ``test_conformance_*.py`` checks each scenario's registrations against
the providers' own schemas; ``test_every_argument_of_every_front_door_is_exercised`` there keeps this
list honest as arguments are added.

    for scenario in scenarios("cloudfront"):
        run = scenario.run()        # tracking_cdn.offline.OfflineRun, built once per session

A scenario the front door refuses (``Scenario.refused``: the argument the refusal names) is kept apart,
in ``refused_scenarios``: one that asks for a capability its front door does not list in ``supports``
yet (tracking_cdn.contract: app_links, well_known_origin, an ESP reached over HTTP or following its
Cache-Control) is marked so automatically, and moves to ``scenarios`` when the front door implements it;
a combination refused for good is made with ``_refused`` in the front door's part (or in the shared
part, for every front door).

Scenario names are short slugs (``[a-z0-9-]``), unique per front door, used in test ids and to name
the resources of a scenario in the Terraform configuration.
"""

from __future__ import annotations

import functools
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

import pulumi

from conftest import ESP_CASES, OPT_IN_ESP_CASES, run_stack
from tracking_cdn.contract import needed_capabilities, resolve_settings
from tracking_cdn.esp import PROFILES
from tracking_cdn.offline import OfflineRun, run_offline
from tracking_cdn.stack import FRONT_DOORS, load_front_door

COMPONENT_NAME = "track"
"""The component's name in every component scenario (the policy tests use the same)."""
ZONE = "Z0HOSTEDZONE"
ACM_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"
TWO_DOMAINS = ["track.example.com", "click2.example.com"]


@dataclass(frozen=True)
class AnOutput:
    """An argument passed as a ``pulumi.Output`` of ``value`` (as when it comes from another resource);
    made inside each run, since an Output belongs to the run that created it."""

    value: Any


def many(count: int, prefix: str = "t") -> list[str]:
    return [f"{prefix}{i}.example.com" for i in range(count)]


def esp_args(esp: str) -> dict[str, Any]:
    """The arguments selecting ``esp``: the policy tests' ``ESP_CASES``/``OPT_IN_ESP_CASES`` where they
    have the profile (tenant / origin host / region included), otherwise just ``esp``."""
    cases = {**ESP_CASES, **OPT_IN_ESP_CASES}
    return dict(cases[esp][0]) if esp in cases else {"esp": esp}


@dataclass(frozen=True)
class Scenario:
    """One offline run of one front door."""

    front_door: str
    """A key of ``tracking_cdn.stack.FRONT_DOORS``."""
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    """The component's arguments (component scenarios)."""
    stack: Optional[str] = None
    """An example stack (``stacks/Pulumi.<stack>.yaml``) to run instead of the bare component."""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """Config overrides of the example stack (``None`` removes a key)."""
    refused: Optional[str] = None
    """The argument the front door's refusal names, for a scenario it refuses (nothing registered)."""

    @property
    def id(self) -> str:
        return f"{self.front_door}/{self.name}"

    def run(self) -> OfflineRun:
        return _run(self)

    def program(self) -> Callable[[], None]:
        """The component scenario as a program (for callers that run it themselves)."""
        component, _ = load_front_door(self.front_door)

        def program() -> None:
            args = {
                key: pulumi.Output.from_input(value.value) if isinstance(value, AnOutput) else value
                for key, value in self.args.items()
            }
            component(COMPONENT_NAME, args)

        return program


@functools.lru_cache(maxsize=None)
def _cached(scenario_id: str) -> OfflineRun:
    scenario = _BY_ID[scenario_id]
    if scenario.stack is not None:
        return run_stack(scenario.stack, dict(scenario.overrides))
    return run_offline(scenario.program())


def _run(scenario: Scenario) -> OfflineRun:
    return _cached(scenario.id)


def _component(front_door: str, name: str, **args: Any) -> Scenario:
    return Scenario(front_door, name, args=args)


def _stack(front_door: str, name: str, stack: str, **overrides: Any) -> Scenario:
    return Scenario(front_door, name, stack=stack, overrides=overrides)


def _refused(front_door: str, name: str, argument: str, **args: Any) -> Scenario:
    """A combination ``front_door`` refuses by design, naming ``argument``, before creating anything."""
    return Scenario(front_door, name, args=args, refused=argument)


def _unsupported_argument(scenario: Scenario) -> Optional[str]:
    """The argument asking for a capability the scenario's front door does not list in ``supports``
    yet (what ``TrackingDomainComponent`` refuses), or None."""
    if scenario.stack is not None:
        return None
    component, args_type = load_front_door(scenario.front_door)
    needed = needed_capabilities(resolve_settings(scenario.args, args_type))
    missing = [argument for capability, (argument, _) in needed.items() if capability not in component.supports]
    return missing[0] if missing else None


def _marked(scenario: Scenario) -> Scenario:
    if scenario.refused is not None:
        return scenario
    return dataclasses.replace(scenario, refused=_unsupported_argument(scenario))


# --- CloudFront (tests/test_aws.py) ----------------------------------------------------------------


NO_ZONE = {"tracking-cdn:hostedZoneId": None, "tracking-cdn:hostedZoneName": None}
"""The cloudfront-example stack with its DNS elsewhere."""


def _cloudfront() -> list[Scenario]:
    one = ["click2.example.com"]
    found = []
    for esp in PROFILES:
        found.append(_component("cloudfront", f"{esp}-zone", domains=one, hosted_zone_id=ZONE, **esp_args(esp)))
        found.append(_component("cloudfront", f"{esp}-dns-elsewhere", domains=TWO_DOMAINS, **esp_args(esp)))
    found += [
        _component("cloudfront", "step-2", domains=one, certificate_validated=True),
        _component("cloudfront", "certificate-arn", domains=TWO_DOMAINS, certificate_arn=ACM_ARN),
        _component("cloudfront", "certificate-arn-zone", domains=TWO_DOMAINS, certificate_arn=ACM_ARN,
                   hosted_zone_id=ZONE),
        _component("cloudfront", "zone-cname", domains=one, hosted_zone_id=ZONE, route_record_type="CNAME"),
        _component("cloudfront", "zone-alias", domains=one, hosted_zone_id=ZONE, route_record_type="alias"),
        _component("cloudfront", "zone-from-an-output", domains=one, hosted_zone_id=AnOutput(ZONE)),
        _component("cloudfront", "redirect", domains=one, redirect_http_to_https=True),
        _component("cloudfront", "no-redirect", domains=one, redirect_http_to_https=False),
        _component("cloudfront", "ttl-0", domains=one, cache_ttl_seconds=0),
        _component("cloudfront", "ttl-0-sendgrid", domains=one, cache_ttl_seconds=0, esp="sendgrid"),
        _component("cloudfront", "ttl-1", domains=one, cache_ttl_seconds=1),
        _component("cloudfront", "ttl-10", domains=one, cache_ttl_seconds=10),
        _component("cloudfront", "ttl-300", domains=one, cache_ttl_seconds=300),
        _component("cloudfront", "ttl-3600", domains=one, cache_ttl_seconds=3600),
        _component("cloudfront", "ttl-3600-sendgrid", domains=one, cache_ttl_seconds=3600, esp="sendgrid"),
        _component("cloudfront", "domains-3-zone", domains=["click2.example.com", "click2.example.org",
                                                           "links.example.net"], hosted_zone_id=ZONE),
        _component("cloudfront", "domains-11-zone", domains=many(11), hosted_zone_id=ZONE),
        _component("cloudfront", "domains-25-zone", domains=many(25), hosted_zone_id=ZONE),
        _component("cloudfront", "domains-101-zone", domains=many(101), hosted_zone_id=ZONE),
        _component("cloudfront", "domains-101-dns-elsewhere", domains=many(101)),
        _component("cloudfront", "domains-101-step-2", domains=many(101), certificate_validated=True),
        _component("cloudfront", "domains-100-one-certificate", domains=many(100), hosted_zone_id=ZONE,
                   max_names_per_certificate=100),
        _component("cloudfront", "domains-100-certificate-arn", domains=many(100), certificate_arn=ACM_ARN),
        _component("cloudfront", "long-common-name", domains=["a" * 60 + ".tracking.example.com",
                                                             "click2.example.com"], hosted_zone_id=ZONE),
        _component("cloudfront", "zone-named", domains=TWO_DOMAINS, hosted_zone_id=ZONE,
                   hosted_zone_name="example.com"),
        _component("cloudfront", "existing-route-records", domains=TWO_DOMAINS, hosted_zone_id=ZONE,
                   existing_route_records=["track.example.com"]),
        _component("cloudfront", "validated-one-of-two", domains=TWO_DOMAINS,
                   validated_domains=["click2.example.com"]),
        _component("cloudfront", "validated-every-domain", domains=TWO_DOMAINS, validated_domains=TWO_DOMAINS),
        _component("cloudfront", "domains-101-partly-validated", domains=many(101), validated_domains=many(95)),
        _component("cloudfront", "ses-configuration-sets", domains=TWO_DOMAINS, hosted_zone_id=ZONE,
                   **esp_args("ses"), ses_configuration_sets={"marketing": "track.example.com",
                                                              "receipts": "click2.example.com"}),
        _component("cloudfront", "ses-require-open-only", domains=TWO_DOMAINS, **esp_args("ses"),
                   validated_domains=["click2.example.com"], ses_configuration_sets={"marketing": "click2.example.com"},
                   ses_https_policy="REQUIRE_OPEN_ONLY"),
        _component("cloudfront", "ttl-0-iterable", domains=one, cache_ttl_seconds=0, esp="iterable"),
        _component("cloudfront", "no-wait-for-deployment", domains=one, wait_for_deployment=False),
        _component("cloudfront", "unprotected", domains=one, hosted_zone_id=ZONE, protect_serving_resources=False),
    ]
    found += [
        _component("cloudfront", f"price-class-{price_class.split('_')[1].lower()}", domains=one,
                   price_class=price_class)
        for price_class in ("PriceClass_All", "PriceClass_200", "PriceClass_100")
    ]
    found += [
        _stack("cloudfront", "stack-example", "cloudfront-example"),
        _stack("cloudfront", "stack-eu-central-1", "cloudfront-example", **{"aws:region": "eu-central-1"}),
        _stack("cloudfront", "stack-dns-elsewhere", "cloudfront-example", **NO_ZONE),
        _stack("cloudfront", "stack-step-2", "cloudfront-example",
               **NO_ZONE, **{"tracking-cdn:certificateValidated": True}),
        _stack("cloudfront", "stack-validated-domains", "cloudfront-example",
               **NO_ZONE, **{"tracking-cdn:domains": TWO_DOMAINS,
                             "tracking-cdn:validatedDomains": ["click2.example.com"]}),
        _stack("cloudfront", "stack-sparkpost", "sparkpost-example"),
    ]
    return found


# --- GCP (tests/test_gcp.py) -----------------------------------------------------------------------


def _gcp() -> list[Scenario]:
    # Certificate Manager is the default; classic (the 0.1 default stacks made with 0.1 keep) is spelled out.
    found = [_component("gcp", esp, domains=TWO_DOMAINS, **esp_args(esp)) for esp in PROFILES]
    found += [
        _component("gcp", "redirect", domains=TWO_DOMAINS, redirect_http_to_https=True),
        _component("gcp", "zone-ipv6-dns-project", domains=TWO_DOMAINS, managed_zone="example-com",
                   dns_project="dns-project", enable_ipv6=True, dns_ttl_seconds=120),
        _component("gcp", "ipv6", domains=TWO_DOMAINS, enable_ipv6=True),
        _component("gcp", "zone-from-an-output", domains=TWO_DOMAINS,
                   managed_zone=AnOutput("zone-from-elsewhere")),
        _component("gcp", "ttl-60", domains=TWO_DOMAINS, cache_ttl_seconds=60),
        _component("gcp", "classic-domains-250", domains=many(250), certificates="classic"),
        _component("gcp", "classic-domains-15-one-per-certificate", domains=many(15), certificates="classic",
                   domains_per_certificate=1),
        _component("gcp", "classic-zone-ipv6-redirect", domains=TWO_DOMAINS, certificates="classic",
                   managed_zone="example-com", dns_project="dns-project", enable_ipv6=True,
                   redirect_http_to_https=True),
        _component("gcp", "origin-timeout-300", domains=TWO_DOMAINS, origin_timeout_seconds=300),
        _component("gcp", "unprotected-everything", domains=TWO_DOMAINS, protect_serving_resources=False,
                   managed_zone="example-com", enable_ipv6=True, redirect_http_to_https=True),
        _component("gcp", "classic-named", domains=TWO_DOMAINS, certificates="classic", managed_zone="example-com",
                   managed_zone_dns_name="example.com"),
        _component("gcp", "certificate-manager-zone", domains=TWO_DOMAINS, certificates="certificate-manager",
                   managed_zone="example-com", managed_zone_dns_name="example.com.", enable_ipv6=True),
        _component("gcp", "certificate-manager-dns-elsewhere", domains=TWO_DOMAINS, certificates="certificate-manager"),
        _component("gcp", "certificate-manager-domains-101", domains=many(101), certificates="certificate-manager",
                   managed_zone="example-com"),
        _component("gcp", "migrate-issue", domains=TWO_DOMAINS, certificates="migrate-issue", managed_zone="example-com"),
        _component("gcp", "migrate-attach", domains=TWO_DOMAINS, certificates="migrate-attach",
                   managed_zone="example-com", domains_per_certificate=1),
        _component("gcp", "pending-cutover", domains=TWO_DOMAINS, certificates="certificate-manager",
                   managed_zone="example-com", enable_ipv6=True, pending_cutover_domains=["track.example.com"]),
        _component("gcp", "import-route-records", domains=TWO_DOMAINS, certificates="certificate-manager",
                   managed_zone="example-com", dns_project="dns-project", enable_ipv6=True,
                   import_route_records=["track.example.com"]),
        _component("gcp", "certificate-manager-unprotected", domains=TWO_DOMAINS, certificates="certificate-manager",
                   managed_zone="example-com", redirect_http_to_https=True, protect_serving_resources=False),
        _stack("gcp", "stack-example", "gcp-example"),
        _component("gcp", "deep-links-named-bucket-eu", domains=TWO_DOMAINS, certificates="certificate-manager",
                   managed_zone="example-com", redirect_http_to_https=True, well_known_origin="www.example.com",
                   app_links={"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION},
                   deep_links_bucket_name="acme-tracking-links", deep_links_bucket_location="europe-west1"),
        _stack("gcp", "stack-zone", "gcp-example", **{"tracking-cdn:managedZone": "example-com",
               "tracking-cdn:managedZoneDnsName": "example.com"}),
        _stack("gcp", "stack-classic-from-0-1", "gcp-example", **{"tracking-cdn:certificates": "classic"}),
    ]
    found += [_stack("gcp", f"stack-domains-{n}", "gcp-example", **{"tracking-cdn:domains": many(n)})
              for n in (1, 10, 100)]
    return found


# --- Azure (tests/test_azure.py) -------------------------------------------------------------------


def _azure() -> list[Scenario]:
    def azure(name: str, **args: Any) -> Scenario:
        return _component("azure", name, **{"domains": TWO_DOMAINS, "resource_group_name": "tracking-rg", **args})

    found = [azure(esp, **esp_args(esp)) for esp in PROFILES]
    found += [
        azure("premium", sku="Premium_AzureFrontDoor"),
        azure("standard", sku="Standard_AzureFrontDoor"),
        azure("redirect", redirect_http_to_https=True),
        azure("caching-10", enable_caching=True),
        azure("caching-90", enable_caching=True, cache_ttl_seconds=90),
        azure("caching-3600", enable_caching=True, cache_ttl_seconds=3600),
        azure("caching-iterable-origin-headers", enable_caching=True, **esp_args("iterable")),
        azure("caching-ses-over-http", enable_caching=True, redirect_http_to_https=True, **esp_args("ses")),
        azure("app-links-named-storage-zone", dns_zone_name="example.com", storage_account_name="tracklinks01",
              well_known_origin="www.example.com", app_links={"android_asset_links": ANDROID_ASSET_LINKS}),
        azure("zone", dns_zone_name="example.com"),
        azure("zone-other-group-ttl-300", dns_zone_name="example.com", dns_zone_resource_group_name="dns-rg",
              dns_ttl_seconds=300),
        azure("zone-txt-only", dns_zone_name="example.com", create_cname_records=False),
        azure("zone-adopts-existing-records", dns_zone_name="example.com", dns_zone_resource_group_name="dns-rg",
              existing_dns_records=["track.example.com", "_dnsauth.click2.example.com"],
              dns_zone_subscription_id="00000000-1111-2222-3333-444444444444"),
        azure("group-from-an-output", resource_group_name=AnOutput("rg-from-elsewhere")),
        azure("unprotected-everything", dns_zone_name="example.com", enable_caching=True,
              protect_serving_resources=False),
        _stack("azure", "stack-example", "azure-example"),
        _stack("azure", "stack-zone-caching", "azure-example", **{"tracking-cdn:dnsZoneName": "example.com",
               "tracking-cdn:enableCaching": True, "tracking-cdn:cacheTtlSeconds": 30}),
    ]
    found += [_stack("azure", f"stack-domains-{n}", "azure-example", **{"tracking-cdn:domains": many(n)})
              for n in (1, 10, 100)]
    return found


# --- Cloudflare (tests/test_cloudflare.py) ---------------------------------------------------------

THEIR_REDIRECT = {
    "ref": "www_to_apex",
    "expression": '(http.host eq "www.example.com")',
    "action": "redirect",
    "action_parameters": {"from_value": {"status_code": 301, "target_url": {"value": "https://example.com"}}},
}
THEIR_CONFIG = {"ref": "strict_elsewhere", "expression": "true", "action": "set_config",
                "action_parameters": {"ssl": "strict"}}
THEIR_CACHE = {"ref": "cache_static", "expression": '(http.request.uri.path.extension eq "css")',
               "action": "set_cache_settings", "action_parameters": {"cache": True}}


def _cloudflare() -> list[Scenario]:
    def cloudflare(name: str, **args: Any) -> Scenario:
        return _component("cloudflare", name, **{"domains": TWO_DOMAINS, "zone_name": "example.com", **args})

    routes_on_host = {esp for esp, profile in PROFILES.items() if profile.needs_tracking_host_header}
    app_links = {"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION, "android_asset_links": ANDROID_ASSET_LINKS}
    found = [cloudflare(esp, **esp_args(esp)) for esp in PROFILES]
    found += [cloudflare(f"page-rules-{esp}", mode="page_rules", **esp_args(esp))
              for esp in PROFILES if esp not in routes_on_host]
    found += [cloudflare(f"proxy-{esp}", mode="proxy", **esp_args(esp)) for esp in PROFILES if esp not in routes_on_host]
    four = ["a.example.com", "b.example.com", "c.example.com", "d.example.com"]
    deep = ["ablink.m.example.com", "track.example.com"]
    found += [
        cloudflare("redirect", mode="redirect"),
        cloudflare("rulesets", mode="rulesets"),
        cloudflare("page-rules-limit-4", domains=four, mode="page_rules", page_rule_limit=4),
        cloudflare("ssl-config-rule", ssl_config_rule=True),
        cloudflare("page-rules-ssl-config-rule", mode="page_rules", ssl_config_rule=True),
        cloudflare("existing-rules", existing_redirect_rules=[THEIR_REDIRECT], existing_config_rules=[THEIR_CONFIG],
                   ssl_config_rule=True),
        cloudflare("proxy-zone-always-use-https", esp="sendgrid", redirect_http_to_https=True,
                   zone_always_use_https=True),
        cloudflare("proxy-existing-rules", esp="sendgrid", redirect_http_to_https=True,
                   existing_redirect_rules=[THEIR_REDIRECT], existing_config_rules=[THEIR_CONFIG],
                   existing_cache_rules=[THEIR_CACHE]),
        cloudflare("unmanaged-rulesets", manage_rulesets=False),
        cloudflare("proxy-unmanaged-rulesets", esp="sendgrid", manage_rulesets=False),
        cloudflare("domains-100-long", domains=[f"click-tracking-{i:03d}.newsletters.marketing.example.com"
                                                for i in range(100)]),
        cloudflare("proxy-domains-100-long", esp="sendgrid", redirect_http_to_https=True,
                   domains=[f"click-tracking-{i:03d}.newsletters.marketing.example.com" for i in range(100)]),
        cloudflare("unmanaged-dns", manage_dns_records=False),
        cloudflare("record-target", dns_record_target="example.com"),
        cloudflare("zone-id", zone_id="0123abcd"),
        cloudflare("ignored-ttl-and-redirect", cache_ttl_seconds=30, redirect_http_to_https=True),
        cloudflare("proxy-https-redirect", esp="sendgrid", redirect_http_to_https=True),
        cloudflare("proxy-edge-ttl-10", esp="sendgrid", edge_cache_ttl_seconds=10),
        cloudflare("proxy-edge-ttl-3600", esp="sendgrid", edge_cache_ttl_seconds=3600),
        cloudflare("deep-domain", domains=deep),
        cloudflare("deep-domain-certificates", domains=deep, advanced_certificates=True),
        cloudflare("proxy-deep-domain", esp="sendgrid", domains=deep),
        cloudflare("proxy-no-advanced-certificates", esp="sendgrid", advanced_certificates=False),
        cloudflare("unprotected", protect_serving_resources=False),
        cloudflare("proxy-unprotected", esp="sendgrid", domains=deep, redirect_http_to_https=True,
                   protect_serving_resources=False),
        cloudflare("app-links-account-from-an-output", app_links=app_links, account_id=AnOutput("acc"),
                   well_known_origin="www.example.com"),
        cloudflare("proxy-app-links-https", esp="sendgrid", app_links=app_links,
                   account_id="0123456789abcdef0123456789abcdef", redirect_http_to_https=True,
                   well_known_origin="www.example.com"),
        _stack("cloudflare", "stack-example", "cloudflare-example"),
        _stack("cloudflare", "stack-sendgrid", "cloudflare-example", **{"tracking-cdn:esp": "sendgrid"}),
        _stack("cloudflare", "stack-lookup-page-rules", "cloudflare-example",
               **{"tracking-cdn:zoneId": None, "tracking-cdn:mode": "page_rules"}),
    ]
    found += [_stack("cloudflare", f"stack-domains-{n}", "cloudflare-example", **{"tracking-cdn:domains": many(n)})
              for n in (1, 10, 100)]
    return found + _cloudflare_refused(routes_on_host, app_links)


def _cloudflare_refused(routes_on_host: set[str], app_links: dict[str, Any]) -> list[Scenario]:
    """What the Cloudflare front door refuses by design (tracking_cdn.cloudflare.read_recipe)."""
    def refused(name: str, argument: str, **args: Any) -> Scenario:
        return _refused("cloudflare", name, argument, **{"domains": TWO_DOMAINS, "zone_name": "example.com", **args})

    # A redirect sends the browser to the ESP's own host: ESPs that route on the tracking domain break.
    found = [refused(f"{mode.replace('_', '-')}-{esp}", "mode", mode=mode, **esp_args(esp))
             for esp in sorted(routes_on_host) for mode in ("redirect", "page_rules")]
    found += [
        refused("page-rules-app-links", "app_links", mode="page_rules", app_links=app_links, account_id="acc"),
        refused("page-rules-well-known-origin", "well_known_origin", mode="page_rules",
                well_known_origin="www.example.com", account_id="acc"),
        refused("well-known-origin-without-account", "account_id", well_known_origin="www.example.com"),
        refused("app-links-without-account", "account_id", app_links=app_links),
        refused("redirect-edge-ttl", "edge_cache_ttl_seconds", edge_cache_ttl_seconds=3600),
        refused("iterable-edge-ttl", "edge_cache_ttl_seconds", esp="iterable", edge_cache_ttl_seconds=3600),
        refused("proxy-without-ssl-rule", "ssl_config_rule", esp="sendgrid", ssl_config_rule=False),
        refused("proxy-record-target", "dns_record_target", esp="sendgrid", dns_record_target="example.com"),
        refused("deep-domain-without-certificates", "domains", esp="sendgrid", domains=["ablink.m.example.com"],
                advanced_certificates=False),
        refused("page-rule-limit-in-redirect-mode", "page_rule_limit", page_rule_limit=20),
        refused("existing-cache-rules-in-redirect-mode", "existing_cache_rules", existing_cache_rules=[THEIR_CACHE]),
    ]
    return found


# --- Fastly (tests/test_fastly.py) -----------------------------------------------------------------


def _fastly() -> list[Scenario]:
    # A subscription per domain is the default; shared (the 0.1 default stacks made with 0.1 keep) is spelled out.
    def fastly(name: str, **args: Any) -> Scenario:
        return _component("fastly", name, **{"domains": TWO_DOMAINS, **args})

    found = [fastly(esp, **esp_args(esp)) for esp in PROFILES]
    found += [fastly(f"authority-{authority}", certificate_authority=authority)
              for authority in ("lets-encrypt", "certainly", "globalsign")]
    found += [
        fastly("ttl-0", cache_ttl_seconds=0),
        fastly("ttl-30", cache_ttl_seconds=30),
        fastly("ttl-3600", cache_ttl_seconds=3600),
        fastly("redirect", redirect_http_to_https=True),
        fastly("wait-for-certificate", wait_for_certificate=True),
        fastly("inactive-force-destroy", activate=False, force_destroy=True),
        fastly("named-with-tls-configuration", service_name="tracking-links",
               tls_configuration_id=AnOutput("cfg1")),
        fastly("domains-100", domains=many(100, "d"), domain_limit=100),
        fastly("unprotected", wait_for_certificate=True, protect_serving_resources=False),
        fastly("per-domain-spelled-out", certificates="per-domain"),
        fastly("validated-one", validated_domains=TWO_DOMAINS[1:]),
        fastly("moved-from-shared", domains=[*TWO_DOMAINS, "new.example.com"],
               shared_certificate_domains=TWO_DOMAINS, validated_domains=TWO_DOMAINS),
        fastly("draft", activate=False, draft_domains=TWO_DOMAINS[1:]),
        fastly("deep-links-ses-redirect", redirect_http_to_https=True,
               well_known_origin="www.example.com", **esp_args("ses"),
               app_links={"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION,
                          "android_asset_links": ANDROID_ASSET_LINKS}),
        fastly("shared", certificates="shared"),
        fastly("shared-domains-100", certificates="shared", domains=many(100, "d"), domain_limit=100),
        fastly("shared-validated-unprotected-force-destroy", certificates="shared", validated_domains=TWO_DOMAINS,
               protect_serving_resources=False, force_destroy=True),
        _stack("fastly", "stack-example", "fastly-example"),
        _stack("fastly", "stack-sendgrid-redirect-wait", "fastly-example", **{"tracking-cdn:waitForCertificate": True,
               "tracking-cdn:esp": "sendgrid", "tracking-cdn:redirectHttpToHttps": True}),
        _stack("fastly", "stack-shared-from-0-1", "fastly-example", **{"tracking-cdn:certificates": "shared"}),
    ]
    found += [_stack("fastly", f"stack-domains-{n}", "fastly-example", **{"tracking-cdn:domains": many(n)})
              for n in (1, 10)]
    return found


# --- KeyCDN (tests/test_keycdn.py) -----------------------------------------------------------------


def _keycdn() -> list[Scenario]:
    def keycdn(name: str, **args: Any) -> Scenario:
        return _component("keycdn", name, **{"domains": TWO_DOMAINS, "zone_url_id": "1a2b3c", **args})

    found = [keycdn(esp, **esp_args(esp)) for esp in PROFILES if not esp.startswith("customerio")]
    found += [
        keycdn("ttl-0", cache_ttl_seconds=0),
        keycdn("ttl-30", cache_ttl_seconds=30),
        keycdn("ttl-60", cache_ttl_seconds=60),
        keycdn("ttl-3600", cache_ttl_seconds=3600),
        keycdn("redirect", redirect_http_to_https=True),
        keycdn("named-zone-own-api", zone_name="clicks", api_base_url="https://api.keycdn.com", adopt_existing=True),
        keycdn("key-from-an-output", keycdn_api_key=AnOutput("sk_prod_zbSVNe8gVUMT4KjYcJWuyC86")),
        keycdn("domains-50", domains=many(50, "d")),
        keycdn("unprotected", protect_serving_resources=False),
        _refused("keycdn", "customerio", "esp", domains=TWO_DOMAINS, zone_url_id="1a2b3c", esp="customerio"),
        _refused("keycdn", "customerio-eu", "esp", domains=TWO_DOMAINS, zone_url_id="1a2b3c", esp="customerio-eu"),
        _refused("keycdn", "ttl-90", "cache_ttl_seconds", domains=TWO_DOMAINS, zone_url_id="1a2b3c",
                 cache_ttl_seconds=90),
        _refused("keycdn", "zone-url-id-a-url", "zone_url_id", domains=TWO_DOMAINS,
                 zone_url_id="tracking-1a2b3c.kxcdn.com"),
        _stack("keycdn", "stack-example", "keycdn-example"),
        _stack("keycdn", "stack-sparkpost-redirect", "keycdn-example", **{"tracking-cdn:esp": "sparkpost",
               "tracking-cdn:redirectHttpToHttps": True, "tracking-cdn:cacheTtlSeconds": 60}),
    ]
    return found


# --- The common arguments of issue 17 on every front door (shared part) ---------------------------

APPLE_APP_SITE_ASSOCIATION = {
    "applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/open-in-app/*"}]}]},
    "webcredentials": {"apps": ["ABCDE12345.com.example.app"]},
}
ANDROID_ASSET_LINKS = [{
    "relation": ["delegate_permission/common.handle_all_urls"],
    "target": {"namespace": "android_app", "package_name": "com.example.app",
               "sha256_cert_fingerprints": [":".join(["AB"] * 32)]},
}]
DEEP_LINK_BASE: dict[str, dict[str, Any]] = {
    # The smallest arguments each front door builds with (as in its own part above).
    "cloudfront": {"domains": ["click2.example.com"]},
    "gcp": {"domains": TWO_DOMAINS},
    "azure": {"domains": TWO_DOMAINS, "resource_group_name": "tracking-rg"},
    "cloudflare": {"domains": TWO_DOMAINS, "zone_name": "example.com", "account_id": "0123456789abcdef0123456789abcdef"},
    "fastly": {"domains": TWO_DOMAINS},
    "keycdn": {"domains": TWO_DOMAINS, "zone_url_id": "1a2b3c"},
}


def _deep_links() -> list[Scenario]:
    """``app_links`` (objects, JSON strings) and ``well_known_origin`` on every front door; names start
    with ``common-`` so a front door's own part can add its specific cases beside them."""
    found = []
    for front_door, base in DEEP_LINK_BASE.items():
        found += [
            _component(front_door, "common-app-links", **base,
                       app_links={"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION,
                                  "android_asset_links": ANDROID_ASSET_LINKS}),
            _component(front_door, "common-app-links-json-apple-only", **base,
                       app_links={"apple_app_site_association": '{"applinks": {"details": [{"appID": '
                                                                 '"ABCDE12345.com.example.app", "paths": ["/f/*"]}]}}'}),
            _component(front_door, "common-well-known-origin", **base, well_known_origin="www.example.com"),
            _component(front_door, "common-deep-links-redirect", **base, redirect_http_to_https=True,
                       well_known_origin="www.example.com",
                       app_links={"android_asset_links": ANDROID_ASSET_LINKS}),
            # Iterable serves both files on the tracking domain itself: every /.well-known/* must reach it.
            _refused(front_door, "common-iterable-app-links", "app_links", **base, esp="iterable",
                     app_links={"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION}),
            _refused(front_door, "common-iterable-eu-well-known-origin", "well_known_origin", **base,
                     esp="iterable-eu", well_known_origin="www.example.com"),
        ]
    return found


ALL_SCENARIOS: tuple[Scenario, ...] = tuple(
    _marked(s) for s in (*_cloudfront(), *_gcp(), *_azure(), *_cloudflare(), *_fastly(), *_keycdn(), *_deep_links())
)
SCENARIOS: tuple[Scenario, ...] = tuple(s for s in ALL_SCENARIOS if s.refused is None)
"""The scenarios the front doors build (the conformance checks run these)."""
REFUSED_SCENARIOS: tuple[Scenario, ...] = tuple(s for s in ALL_SCENARIOS if s.refused is not None)
"""The scenarios a front door refuses, naming ``Scenario.refused`` (tests/test_shared.py runs them)."""
_BY_ID = {scenario.id: scenario for scenario in ALL_SCENARIOS}
assert len(_BY_ID) == len(ALL_SCENARIOS), "scenario names must be unique per front door"
assert {s.front_door for s in SCENARIOS} == set(FRONT_DOORS)


def scenarios(front_door: str) -> list[Scenario]:
    """Every scenario ``front_door`` (a key of ``tracking_cdn.stack.FRONT_DOORS``) builds, in a fixed order."""
    return [scenario for scenario in SCENARIOS if scenario.front_door == front_door]


def refused_scenarios(front_door: str) -> list[Scenario]:
    """Every scenario ``front_door`` refuses (``Scenario.refused`` names the argument), in a fixed order."""
    return [scenario for scenario in REFUSED_SCENARIOS if scenario.front_door == front_door]


def scenario(scenario_id: str) -> Scenario:
    """The scenario named ``<front door>/<name>``."""
    return _BY_ID[scenario_id]


# --- platform mode ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformScenario:
    """One offline run of a platform (``tracking_cdn.platform``) with its tenants in the same program."""

    kind: str
    """A key of ``tracking_cdn.platform.PLATFORMS``."""
    name: str
    platform_args: Mapping[str, Any] = field(default_factory=dict)
    tenants: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: {"acme": {"domains": ["track.acme.com"]}})
    """Each tenant's arguments but ``platform``."""
    linked: bool = False
    """The tenants get the platform's ``tenant_config`` Output, as a tenant stack reads it through a
    ``pulumi.StackReference``, instead of the platform component."""

    @property
    def id(self) -> str:
        return f"{self.kind}-platform/{self.name}"

    def run(self) -> OfflineRun:
        return _platform_run(self)

    def program(self) -> Callable[[], None]:
        from tracking_cdn.platform import load_platform

        platform_class, _, tenant_class, _ = load_platform(self.kind)

        def program() -> None:
            platform = platform_class("tracking", dict(self.platform_args))
            link = platform.tenant_config if self.linked else platform
            for name, args in self.tenants.items():
                tenant_class(name, {"platform": link, **args})

        return program


@functools.lru_cache(maxsize=None)
def _platform_cached(scenario_id: str) -> OfflineRun:
    return run_offline(_PLATFORM_BY_ID[scenario_id].program())


def _platform_run(scenario: PlatformScenario) -> OfflineRun:
    return _platform_cached(scenario.id)


def _platform_esp_scenarios(kind: str, **base: Any) -> list[PlatformScenario]:
    """One scenario per ESP profile the ``kind`` platform serves (the others it refuses: its policy tests)."""
    from tracking_cdn.platform import load_platform, resolve_platform_settings

    platform_class, args_type, _, _ = load_platform(kind)
    found = []
    for esp in PROFILES:
        args = {**base, **esp_args(esp)}
        settings = resolve_platform_settings(args, args_type)
        if all(capability in platform_class.supports for capability in needed_capabilities(settings)):
            found.append(PlatformScenario(kind, esp, args))
    return found


TENANT_DOMAINS = {"acme": {"domains": ["track.acme.com", "click.acme.com"]},
                  "globex": {"domains": ["links.globex.com"], "validated": True},
                  "initech": {"domains": ["t.initech.com"], "validated": True, "protect_serving_resources": False}}


def _cloudfront_platform() -> list[PlatformScenario]:
    five = {"big": {"domains": many(5, "big")}}
    links = {"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION, "android_asset_links": ANDROID_ASSET_LINKS}
    return [
        *_platform_esp_scenarios("cloudfront"),
        PlatformScenario("cloudfront", "tenants", {}, TENANT_DOMAINS),
        PlatformScenario("cloudfront", "linked-tenants", {}, TENANT_DOMAINS, linked=True),
        PlatformScenario("cloudfront", "five-domains", {}, five),
        PlatformScenario("cloudfront", "no-caching-redirect", {"cache_ttl_seconds": 0, "redirect_http_to_https": True}),
        PlatformScenario("cloudfront", "options", {"certificate_arn": ACM_ARN, "wait_for_deployment": False,
                                                   "tenant_quota": 20000, "protect_serving_resources": False}),
        PlatformScenario("cloudfront", "tenant-certificate", {}, {"acme": {"domains": ["track.acme.com"],
                                                                          "certificate_arn": ACM_ARN}}),
        PlatformScenario("cloudfront", "app-links", {"tenant_app_links": True},
                         {"acme": {"domains": ["track.acme.com"], "app_links": links},
                          "globex": {"domains": ["links.globex.com"]}}),
    ]


PLATFORM_ZONE = {"zone_name": "tracking-platform.net"}


def _cloudflare_platform() -> list[PlatformScenario]:
    return [
        *_platform_esp_scenarios("cloudflare", **PLATFORM_ZONE),
        PlatformScenario("cloudflare", "tenants", PLATFORM_ZONE, TENANT_DOMAINS),
        PlatformScenario("cloudflare", "linked-tenants", PLATFORM_ZONE, TENANT_DOMAINS, linked=True),
        PlatformScenario("cloudflare", "proxy-cached", {**PLATFORM_ZONE, "mode": "proxy", "edge_cache_ttl_seconds": 60,
                                                        "fallback_origin": "origin.tracking-platform.net",
                                                        "cname_target": "links.tracking-platform.net"}),
        PlatformScenario("cloudflare", "redirect", {**PLATFORM_ZONE, "mode": "redirect", "esp": "sparkpost-eu",
                                                    "redirect_http_to_https": True}),
        PlatformScenario("cloudflare", "zone-id", {**PLATFORM_ZONE, "zone_id": "0123456789abcdef0123456789abcdef",
                                                   "hostname_quota": 100000, "protect_serving_resources": False,
                                                   "cache_ttl_seconds": 0}),
    ]


def _gcp_platform() -> list[PlatformScenario]:
    return [
        *_platform_esp_scenarios("gcp"),
        PlatformScenario("gcp", "tenants", {}, TENANT_DOMAINS),
        PlatformScenario("gcp", "linked-tenants", {}, TENANT_DOMAINS, linked=True),
        PlatformScenario("gcp", "options", {"enable_ipv6": True, "origin_timeout_seconds": 120,
                                            "redirect_http_to_https": True, "cache_ttl_seconds": 0,
                                            "protect_serving_resources": False}, TENANT_DOMAINS),
    ]


PLATFORM_SCENARIOS: tuple[PlatformScenario, ...] = (*_cloudfront_platform(), *_cloudflare_platform(), *_gcp_platform())
"""The platform-mode scenarios: every platform and tenant argument, every ESP profile a platform serves."""
_PLATFORM_BY_ID = {scenario.id: scenario for scenario in PLATFORM_SCENARIOS}
assert len(_PLATFORM_BY_ID) == len(PLATFORM_SCENARIOS), "platform scenario names must be unique per kind"


def platform_scenarios(kind: str) -> list[PlatformScenario]:
    """Every scenario of the ``kind`` platform, in a fixed order."""
    return [scenario for scenario in PLATFORM_SCENARIOS if scenario.kind == kind]
