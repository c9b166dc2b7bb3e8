"""Policies of the shared pieces: ESP profiles, tracking-domain validation, common arguments, and the
capability declaration that makes a front door refuse what it does not implement."""

import re
from typing import Optional

import pytest

from conftest import ESP_CASES, OPT_IN_ESP_CASES, refusal
from scenarios import DEEP_LINK_BASE, REFUSED_SCENARIOS
from tracking_cdn.contract import (
    APP_LINKS,
    DEFAULT_CACHE_TTL_SECONDS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    WELL_KNOWN_ORIGIN,
    ComponentNameRule,
    TrackingDomainArgs,
    TrackingDomainComponent,
    check_component_name,
    domain_subset_arg,
    resolve_settings,
)
from tracking_cdn.domains import normalize_tracking_domains, validate_hostname
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.esp import CACHE_ORIGIN_HEADERS, CACHE_OUR_TTL, ORIGIN_HTTP as HTTP, ORIGIN_HTTPS, PROFILES, resolve_origin
from tracking_cdn.deep_links import MAX_FILE_BYTES
from tracking_cdn.offline import run_offline
from tracking_cdn.stack import FRONT_DOORS, load_front_door

import pulumi


@pytest.mark.parametrize(
    "esp, extra, host",
    [
        ("sparkpost", {}, "spgo.io"),
        ("sparkpost-eu", {}, "eu.spgo.io"),
        ("sparkpost-v2", {}, "v2.spgo.io"),
        ("sparkpost-eu-v2", {}, "eu.v2.spgo.io"),
        ("sparkpost-enterprise", {"tenant": "acme"}, "acme.et.e.sparkpost.com"),
        ("sendgrid", {}, "sendgrid.net"),
        ("custom", {"origin_host": "Track.PMTA.example.net."}, "track.pmta.example.net"),
        ("ses", {"esp_region": "eu-west-1"}, "r.eu-west-1.awstrack.me"),
        ("ses", {"esp_region": " AP-Southeast-2 "}, "r.ap-southeast-2.awstrack.me"),
        ("ses", {"esp_region": "il-central-1"}, "r.il-central-1.awstrack.me"),
        ("iterable", {}, "links.iterable.com"),
        ("iterable-eu", {}, "links.eu.iterable.com"),
        ("customerio", {}, "track.customer.io"),
        ("customerio-eu", {}, "track-eu.customer.io"),
    ],
)
def test_each_esp_profile_resolves_to_its_documented_origin(esp, extra, host):
    assert resolve_origin(esp, **extra).host == host


def test_the_front_door_test_tables_cover_every_profile_with_its_origin_and_host_mode():
    cases = {**ESP_CASES, **OPT_IN_ESP_CASES}
    assert set(cases) == set(PROFILES) - {"sparkpost-v2", "sparkpost-eu-v2"}
    for name, (args, host, host_mode) in cases.items():
        extra = {key: value for key, value in args.items() if key != "esp"}
        origin = resolve_origin(name, **extra)
        assert (origin.host, origin.sends_tracking_host) == (host, host_mode), name


def test_esps_that_route_on_the_tracking_domain_get_it_as_host_header():
    routes_on_host = {name for name, p in PROFILES.items() if p.needs_tracking_host_header}
    assert routes_on_host == {"sendgrid", "ses", "iterable", "iterable-eu", "customerio", "customerio-eu"}


def test_only_ses_is_reached_over_plain_http():
    assert {name for name, p in PROFILES.items() if p.origin_protocol != ORIGIN_HTTPS} == {"ses"}
    assert PROFILES["ses"].origin_protocol == HTTP


def test_iterable_caches_as_its_origin_says_and_serves_the_well_known_files_itself():
    for name, profile in PROFILES.items():
        iterable = name.startswith("iterable")
        assert profile.cache_mode == (CACHE_ORIGIN_HEADERS if iterable else CACHE_OUR_TTL), name
        assert profile.serves_well_known is iterable, name


@pytest.mark.parametrize("esp", ["ses", "iterable", "iterable-eu", "customerio", "customerio-eu"])
def test_esps_without_a_documented_health_answer_are_checked_for_reachability_only(esp):
    profile = PROFILES[esp]
    assert (profile.health_path, profile.health_statuses, profile.server_header) == (None, (), None)


def test_profiles_that_existed_before_keep_every_field():
    sendgrid = PROFILES["sendgrid"]
    assert (sendgrid.health_path, sendgrid.health_statuses, sendgrid.needs_cookies) == ("/wf/open", (200, 302, 400, 404), True)
    for name in ("sparkpost", "sparkpost-eu", "sparkpost-v2", "sparkpost-eu-v2", "sparkpost-enterprise", "sendgrid", "custom"):
        profile = PROFILES[name]
        assert (profile.origin_protocol, profile.cache_mode, profile.serves_well_known) == (ORIGIN_HTTPS, CACHE_OUR_TTL, False)


def test_sparkpost_health_check_expects_the_click_path_redirect_from_msys():
    profile = PROFILES["sparkpost"]
    assert (profile.health_path, profile.health_statuses, profile.server_header) == ("/f/a/", (302,), "msys-http")


def test_an_explicit_origin_host_overrides_the_profile():
    assert resolve_origin("sparkpost", origin_host="click.relay.example.net").host == "click.relay.example.net"


def test_unknown_esp_is_refused_with_the_known_names():
    with pytest.raises(InvalidArgument) as error:
        resolve_origin("mailgun")
    assert error.value.argument == "esp"
    for name in PROFILES:
        assert name in str(error.value)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"esp": "sparkpost-enterprise"}, "tenant"),
        ({"esp": "sparkpost-enterprise", "tenant": "acme.corp"}, "tenant"),
        ({"esp": "sparkpost", "tenant": "acme"}, "tenant"),
        ({"esp": "custom"}, "origin_host"),
        ({"esp": "custom", "origin_host": "https://track.example.net/"}, "origin_host"),
        ({"esp": "custom", "origin_host": "track.example.net:8443"}, "origin_host"),
        ({"esp": "ses"}, "esp_region"),
        ({"esp": "ses", "esp_region": ""}, "esp_region"),
        ({"esp": "ses", "esp_region": "eu-west"}, "esp_region"),
        ({"esp": "ses", "esp_region": "europe"}, "esp_region"),
        ({"esp": "ses", "esp_region": "eu-west-1.evil.example"}, "esp_region"),
        ({"esp": "ses", "esp_region": "https://eu-west-1"}, "esp_region"),
        ({"esp": "ses", "esp_region": "eu-west-\u0661"}, "esp_region"),  # ARABIC-INDIC DIGIT ONE
        ({"esp": "ses", "esp_region": "eu-\u212aest-1"}, "esp_region"),  # KELVIN SIGN lower-cases to "k"
        ({"esp": "ses", "esp_region": "bad-region-1", "origin_host": "r.eu-west-1.awstrack.me"}, "esp_region"),
        ({"esp": "sparkpost", "esp_region": "eu-west-1"}, "esp_region"),
        ({"esp": "custom", "origin_host": "t.example.net", "esp_region": "eu-west-1"}, "esp_region"),
        ({"esp": "ses", "esp_region": "eu-west-1", "tenant": "acme"}, "tenant"),
    ],
)
def test_missing_or_conflicting_origin_settings_are_refused(kwargs, argument):
    with pytest.raises(InvalidArgument) as error:
        resolve_origin(**kwargs)
    assert error.value.argument == argument


@pytest.mark.parametrize("region, words", [
    ("eu-wset-1", "not an AWS region where SES sends"),
    ("zz-nowhere-9", "not an AWS region where SES sends"),
    ("us-east-7", "not an AWS region where SES sends"),
    ("cn-north-1", "China"),
    ("cn-northwest-1", "China"),
    ("us-gov-west-1", "GovCloud"),
    ("us-gov-east-1", "GovCloud"),
    ("eusc-de-east-1", "European Sovereign Cloud"),
])
def test_a_misspelt_or_unsupported_ses_region_is_refused_listing_the_valid_ones(region, words):
    """An origin at r.<misspelt region>.awstrack.me would break every link: refused, naming esp_region,
    with the regions that work (and for another AWS partition, why and what to do instead)."""
    with pytest.raises(InvalidArgument) as error:
        resolve_origin("ses", esp_region=region)
    message = str(error.value)
    assert error.value.argument == "esp_region" and message.startswith("esp_region: ")
    assert words in message
    assert all(valid in message for valid in ("eu-west-1", "us-east-1", "ap-southeast-2", "il-central-1"))
    if region.startswith(("cn-", "us-gov-", "eusc-")):
        assert "origin_host" in message, "what works there: the tracking host AWS gives you"


def test_another_partition_works_through_origin_host():
    origin = resolve_origin("ses", origin_host="r.us-gov-west-1.awstrack.me")
    assert origin.host == "r.us-gov-west-1.awstrack.me"


def test_a_missing_ses_region_says_what_to_give():
    with pytest.raises(InvalidArgument, match=r"^esp_region: .*AWS region.*'eu-west-1'.*r\.<region>\.awstrack\.me"):
        resolve_origin("ses")


def test_an_explicit_origin_host_overrides_the_ses_region_host():
    origin = resolve_origin("ses", origin_host="r.eu-central-1.awstrack.me")
    assert (origin.host, origin.profile.origin_protocol) == ("r.eu-central-1.awstrack.me", HTTP)


def test_domains_are_normalised_consistently():
    assert normalize_tracking_domains([" Track.Example.COM. ", "click2.example.com"]) == (
        "track.example.com",
        "click2.example.com",
    )


@pytest.mark.parametrize(
    "domains, argument, hint",
    [
        ([], "domains", "at least one"),
        ("track.example.com", "domains", "list"),
        (["*.example.com"], "domains[0]", "wildcard"),
        (["track.example.com", "TRACK.example.com."], "domains[1]", "twice"),
        (["bücher.example.com"], "domains[0]", "xn--bcher-kva.example.com"),
        (["example.com"], "domains[0]", "subdomain"),
        (["a" * 64 + ".example.com"], "domains[0]", "63"),
        ([("a" * 60 + ".") * 4 + "example.com"], "domains[0]", "253"),
        (["track_1.example.com"], "domains[0]", "invalid label"),
        (["-track.example.com"], "domains[0]", "invalid label"),
        (["track..example.com"], "domains[0]", "invalid label"),
        (["https://track.example.com/"], "domains[0]", "scheme"),
        (["10.0.0.1.2"], "domains[0]", "fully qualified"),
    ],
)
def test_bad_tracking_domains_are_refused_naming_the_argument(domains, argument, hint):
    with pytest.raises(InvalidArgument) as error:
        normalize_tracking_domains(domains)
    assert error.value.argument == argument
    assert hint in str(error.value)


def test_more_domains_than_the_front_door_allows_are_refused():
    with pytest.raises(InvalidArgument, match=r"^domains: 3 domains given; at most 2 are allowed \(limit\)"):
        normalize_tracking_domains(["a.example.com", "b.example.com", "c.example.com"], max_count=2, limit_reason=" (limit)")


def test_validate_hostname_names_the_argument():
    with pytest.raises(InvalidArgument, match="^origin_host: "):
        validate_hostname("", argument="origin_host")


DOMAINS = ("track.example.com", "click.example.com")


def test_a_list_of_some_tracking_domains_is_normalised_like_domains():
    args = {"validated_domains": ["Click.Example.com.", "track.example.com"]}
    assert domain_subset_arg(args, "validated_domains", DOMAINS) == {"click.example.com", "track.example.com"}
    assert domain_subset_arg({}, "validated_domains", DOMAINS) == frozenset()


@pytest.mark.parametrize(
    "listed, hint",
    [
        (["track.example.com", "other.example.com"], "'other.example.com' is not one of the tracking domains"),
        (["track.example.com", "TRACK.example.com."], "listed twice (as 'track.example.com')"),
        (["track.example.com", "https://click.example.com/"], "not a bare host name"),
    ],
)
def test_a_list_of_tracking_domains_refuses_unknown_and_repeated_names_naming_the_entry(listed, hint):
    with pytest.raises(InvalidArgument) as error:
        domain_subset_arg({"draft_domains": listed}, "draft_domains", DOMAINS)
    assert error.value.argument == "draft_domains[1]" and hint in str(error.value)


@pytest.mark.parametrize("name, hint", [("Track", "use lowercase letters (e.g. 'tracking'), at most 10"),
                                        ("track\n", "use lowercase letters"),
                                        ("a" * 11, "is 11 characters; at most 10 (the suffix needs 5)")])
def test_a_component_name_the_cloud_would_refuse_is_refused_naming_name_and_the_reason(name, hint):
    rule = ComponentNameRule(starts="Example names", pattern=re.compile("[a-z]+"), characters="lowercase letters",
                             max_length=10, why="the suffix needs 5")
    with pytest.raises(InvalidArgument) as error:
        check_component_name(name, rule)
    assert error.value.argument == "name" and hint in str(error.value)


def test_common_defaults():
    settings = resolve_settings({"domains": ["track.example.com"]}, TrackingDomainArgs)
    assert settings.origin.host == "spgo.io"
    assert settings.cache_ttl_seconds == DEFAULT_CACHE_TTL_SECONDS == 10
    assert settings.redirect_http_to_https is False
    assert settings.protect is True
    assert (settings.deep_links, settings.well_known_origin) == (None, None)


def test_the_ses_region_is_a_common_argument():
    settings = resolve_settings({"domains": ["track.example.com"], "esp": "ses", "esp_region": "eu-west-1"}, TrackingDomainArgs)
    assert settings.origin.host == "r.eu-west-1.awstrack.me"


@pytest.mark.parametrize(
    "args, argument",
    [
        ({}, "domains"),
        ({"domains": ["track.example.com"], "domain": ["x"]}, "domain"),
        ({"domains": ["track.example.com"], "cache_ttl_seconds": -1}, "cache_ttl_seconds"),
        ({"domains": ["track.example.com"], "cache_ttl_seconds": 86400}, "cache_ttl_seconds"),
        ({"domains": ["track.example.com"], "cache_ttl_seconds": True}, "cache_ttl_seconds"),
        ({"domains": ["track.example.com"], "cache_ttl_seconds": "10"}, "cache_ttl_seconds"),
        ({"domains": ["track.example.com"], "redirect_http_to_https": "yes"}, "redirect_http_to_https"),
        ({"domains": ["track.example.com"], "esp": "sparkpost-enterprise"}, "tenant"),
        ({"domains": pulumi.Output.from_input(["track.example.com"])}, "domains"),
        ({"domains": ["track.example.com"], "esp": "ses"}, "esp_region"),
        ({"domains": ["track.example.com"], "esp_region": "eu-west-1"}, "esp_region"),
        ({"domains": ["track.example.com"], "esp": "ses", "esp_region": pulumi.Output.from_input("eu-west-1")},
         "esp_region"),
    ],
)
def test_bad_common_arguments_are_refused_naming_them(args, argument):
    with pytest.raises(InvalidArgument) as error:
        resolve_settings(args, TrackingDomainArgs)
    assert error.value.argument == argument


@pytest.mark.parametrize(
    "key, meant",
    [
        ("hosted_zone_ID", "hosted_zone_id"),   # case
        ("hostedZoneId", "hosted_zone_id"),     # the stack file's spelling, in a Python program
        ("hosted_zone", "hosted_zone_id"),      # a word short
        ("redirect_https", "redirect_http_to_https"),
    ],
)
def test_a_misspelt_argument_in_a_program_is_refused_with_the_closest_one(key, meant):
    """As a stack file's misspelt key is: the argument meant, not every valid one, and nothing created."""
    from tracking_cdn.aws import CloudFrontTrackingDomain

    error, registered = refusal(lambda: CloudFrontTrackingDomain("t", {"domains": ["track.example.com"], key: "x"}))
    assert error.argument == key and not registered
    assert str(error) == f"{key}: not an argument of CloudFrontTrackingDomainArgs; did you mean {meant}?"


def test_an_argument_close_to_none_is_refused_with_the_valid_ones():
    with pytest.raises(InvalidArgument) as error:
        resolve_settings({"domains": ["track.example.com"], "colour": "blue"}, TrackingDomainArgs)
    assert error.value.argument == "colour"
    assert "valid: " in str(error.value) and "redirect_http_to_https" in str(error.value)


# --- what a front door does not implement, it refuses --------------------------------------------


def _front_door(supports: frozenset[str]) -> type[TrackingDomainComponent]:
    class Door(TrackingDomainComponent):
        """A front door declaring ``supports`` that registers one serving resource."""

        def __init__(self, name: str, args: TrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
            super().__init__(name, resolve_settings(args, TrackingDomainArgs), opts)
            pulumi.CustomResource("test:index:Door", f"{name}-door", {}, opts=self.child_opts(serving=True))
            self.publish_outputs(origin_host=self.settings.origin.host, dns_records=[])

    Door.supports = supports
    return Door


APPLE = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/*"}]}]}}
NEEDS = {
    # capability -> (arguments needing it, the argument the refusal names, words of the message)
    APP_LINKS: ({"app_links": {"apple_app_site_association": APPLE}}, "app_links", "app-link files"),
    WELL_KNOWN_ORIGIN: ({"well_known_origin": "www.example.com"}, "well_known_origin", "/.well-known/*"),
    ORIGIN_HTTP: ({"esp": "ses", "esp_region": "eu-west-1"}, "esp", "esp: 'ses' is not supported"),
    ORIGIN_CACHE_CONTROL: ({"esp": "iterable-eu"}, "esp", "Cache-Control"),
}


@pytest.mark.parametrize("capability", NEEDS)
def test_a_front_door_refuses_an_argument_it_does_not_implement_naming_it_before_creating_anything(capability):
    args, argument, words = NEEDS[capability]
    door = _front_door(frozenset(NEEDS) - {capability})
    error, registered = refusal(lambda: door("track", {"domains": ["track.example.com"], **args}))
    assert error.argument == argument
    assert "not supported by Door yet" in str(error) and words in str(error)
    assert registered == []


@pytest.mark.parametrize("capability", NEEDS)
def test_a_front_door_that_declares_a_capability_builds_with_it(capability):
    args, _, _ = NEEDS[capability]
    door = _front_door(frozenset({capability}))
    run = run_offline(lambda: door("track", {"domains": ["track.example.com"], **args}))
    assert [r.type for r in run.resources if r.custom] == ["test:index:Door"]


def test_front_doors_declare_nothing_beyond_the_first_contract_by_default():
    assert TrackingDomainComponent.supports == frozenset()
    door = _front_door(TrackingDomainComponent.supports)
    run = run_offline(lambda: door("track", {"domains": ["track.example.com"], "esp": "customerio"}))
    assert [r.type for r in run.resources if r.custom] == ["test:index:Door"], "customerio needs nothing new"


@pytest.mark.parametrize("case", REFUSED_SCENARIOS, ids=lambda s: s.id)
def test_every_scenario_a_front_door_refuses_is_refused_naming_its_argument_with_nothing_created(case):
    error, registered = refusal(case.program())
    assert error.argument == case.refused, str(error)
    assert str(error).startswith(f"{case.refused}: "), "the message names the argument first"
    assert registered == []


def test_every_front_door_has_combinations_it_refuses_by_design():
    assert {case.front_door for case in REFUSED_SCENARIOS} == set(FRONT_DOORS)


# --- a bad app-links file, on every front door ---------------------------------------------------

OVERSIZED_APPLE = {"applinks": {"details": [
    {"appIDs": [f"ABCDE12345.com.example.app{i}"], "components": [{"/": f"/f/app-{i}/*"}]} for i in range(2000)
]}}
BAD_APP_LINKS = {
    # case -> (app_links, the argument the refusal names, words of the message)
    "invalid-json": ({"android_asset_links": '[{"relation": ["delegate_permission/common.handle_all_urls"],}]'},
                     "app_links.android_asset_links", "is not valid JSON"),
    "oversized": ({"apple_app_site_association": OVERSIZED_APPLE}, "app_links.apple_app_site_association",
                  f"the limit is {MAX_FILE_BYTES}"),
}


@pytest.mark.parametrize("case", BAD_APP_LINKS)
@pytest.mark.parametrize("front_door", FRONT_DOORS)
def test_every_front_door_refuses_a_bad_app_links_file_naming_it_before_creating_anything(front_door, case):
    app_links, argument, words = BAD_APP_LINKS[case]
    component, _ = load_front_door(front_door)
    error, registered = refusal(lambda: component("track", {**DEEP_LINK_BASE[front_door], "app_links": app_links}))
    assert error.argument == argument and words in str(error), str(error)
    assert registered == []
