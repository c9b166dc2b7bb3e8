"""Policies of the shared pieces: ESP profiles, tracking-domain validation, common arguments."""

import pytest

from tracking_cdn.contract import (
    DEFAULT_CACHE_TTL_SECONDS,
    TrackingDomainArgs,
    resolve_settings,
)
from tracking_cdn.domains import normalize_tracking_domains, validate_hostname
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.esp import PROFILES, resolve_origin

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
    ],
)
def test_each_esp_profile_resolves_to_its_documented_origin(esp, extra, host):
    assert resolve_origin(esp, **extra).host == host


def test_only_sendgrid_needs_the_tracking_domain_as_host_header():
    assert {name for name, p in PROFILES.items() if p.needs_tracking_host_header} == {"sendgrid"}


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
    ],
)
def test_missing_or_conflicting_origin_settings_are_refused(kwargs, argument):
    with pytest.raises(InvalidArgument) as error:
        resolve_origin(**kwargs)
    assert error.value.argument == argument


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


def test_common_defaults():
    settings = resolve_settings({"domains": ["track.example.com"]}, TrackingDomainArgs)
    assert settings.origin.host == "spgo.io"
    assert settings.cache_ttl_seconds == DEFAULT_CACHE_TTL_SECONDS == 10
    assert settings.redirect_http_to_https is False
    assert settings.protect is True


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
    ],
)
def test_bad_common_arguments_are_refused_naming_them(args, argument):
    with pytest.raises(InvalidArgument) as error:
        resolve_settings(args, TrackingDomainArgs)
    assert error.value.argument == argument


def test_a_misspelt_argument_lists_the_valid_ones():
    with pytest.raises(InvalidArgument, match="redirect_http_to_https"):
        resolve_settings({"domains": ["track.example.com"], "redirect_https": True}, TrackingDomainArgs)
