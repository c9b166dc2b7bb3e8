"""SparkPostTrackingDomain: the provider against a local stand-in of SparkPost's API (real HTTP on
127.0.0.1), the API key's secrecy, input validation, and the wiring under the mock engine."""

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pulumi
import pytest
import yaml
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from sparkpost_standin import SparkPostStandIn, error_body
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import run_offline
from tracking_cdn.sparkpost import (
    API_BASE_URLS,
    RetryPolicy,
    SparkPostApi,
    SparkPostError,
    SparkPostTrackingDomain,
    SparkPostTrackingDomainProvider,
    UnverifiedDomainError,
    parse_retry_after,
    register_from_config,
    resolve_api_base_url,
)

KEY = "0123456789abcdef-test-key-do-not-leak"
DOMAIN = "track.example.com"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, timeout=2.0)
DYNAMIC = "pulumi-python:dynamic:Resource"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sparkpost():
    with SparkPostStandIn(KEY) as standin:
        yield standin


@pytest.fixture
def provider() -> SparkPostTrackingDomainProvider:
    return SparkPostTrackingDomainProvider(FAST)


@pytest.fixture(autouse=True)
def no_ambient_key(monkeypatch):
    monkeypatch.delenv("SPARKPOST_API_KEY", raising=False)


def props(standin: SparkPostStandIn, **overrides) -> dict:
    """Resource properties as the engine hands them to the provider."""
    base = {"domain": DOMAIN, "secure": True, "default": False, "api_base_url": standin.base_url, "api_key": KEY}
    return {**base, **overrides}


def recording_api(standin: SparkPostStandIn, policy: RetryPolicy = FAST, **options) -> tuple[SparkPostApi, list[float]]:
    slept: list[float] = []
    return SparkPostApi(KEY, standin.base_url, retry=policy, sleep=slept.append, **options), slept


# ------------------------------------------------------------------------------------------------
# Lifecycle against the stand-in


def test_create_makes_a_secure_domain_and_reports_its_verification(sparkpost, provider):
    result = provider.create(props(sparkpost))

    assert result.id == DOMAIN
    live = sparkpost.domain(DOMAIN)
    assert live["secure"] is True and live["port"] == 443 and live["default"] is False
    assert ("POST", "/api/v1/tracking-domains") in sparkpost.calls()
    assert sparkpost.calls()[-1] == ("POST", f"/api/v1/tracking-domains/{DOMAIN}/verify")
    assert result.outs["verified"] is False
    assert result.outs["cname_status"] == "pending" and result.outs["compliance_status"] == "pending"


def test_create_reports_verified_once_dns_points_at_the_front_door(sparkpost, provider):
    sparkpost.dns_ready.add(DOMAIN)
    outs = provider.create(props(sparkpost)).outs
    assert (outs["verified"], outs["cname_status"], outs["compliance_status"]) == (True, "valid", "valid")


def test_create_adopts_an_existing_insecure_domain_instead_of_failing_on_409(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, secure=False)

    result = provider.create(props(sparkpost))

    assert result.id == DOMAIN
    assert sparkpost.domain(DOMAIN)["secure"] is True
    assert [call for call in sparkpost.calls() if call[0] == "PUT"], "the adopted domain must be switched by a PUT"


def test_a_409_other_than_domain_exists_is_an_error(sparkpost):
    api, _ = recording_api(sparkpost)
    sparkpost.inject(409, body=error_body("1601", "conflict", "Something else conflicts."))
    with pytest.raises(SparkPostError, match="1601.*Something else conflicts"):
        api.create(DOMAIN, True)


def test_default_on_a_verified_domain_verifies_before_setting_default(sparkpost, provider):
    sparkpost.dns_ready.add(DOMAIN)
    sparkpost.add_domain("old.example.com", default=True)

    provider.create(props(sparkpost, default=True))

    assert sparkpost.domain(DOMAIN)["default"] is True
    assert sparkpost.domain("old.example.com")["default"] is False
    methods = [method for method, path in sparkpost.calls() if DOMAIN in path]
    verify = sparkpost.calls().index(("POST", f"/api/v1/tracking-domains/{DOMAIN}/verify"))
    default_put = next(i for i, r in enumerate(sparkpost.requests) if r.method == "PUT" and r.body.get("default"))
    assert verify < default_put, methods


def test_default_on_an_unverified_domain_says_which_dns_to_fix_without_hitting_the_422(sparkpost, provider):
    with pytest.raises(UnverifiedDomainError) as raised:
        provider.create(props(sparkpost, default=True))

    message = str(raised.value)
    assert DOMAIN in message and "dns_records" in message and "default to false" in message
    assert not any((r.body or {}).get("default") is True for r in sparkpost.requests)
    assert sparkpost.domain(DOMAIN)["secure"] is True  # the secure switch itself went through


def test_update_switches_secure_and_default(sparkpost, provider):
    sparkpost.dns_ready.add(DOMAIN)
    old = provider.create(props(sparkpost, secure=False)).outs
    assert sparkpost.domain(DOMAIN)["secure"] is False

    outs = provider.update(DOMAIN, old, props(sparkpost, secure=True, default=True)).outs
    assert sparkpost.domain(DOMAIN)["secure"] is True and sparkpost.domain(DOMAIN)["default"] is True
    assert outs["verified"] is True

    provider.update(DOMAIN, outs, props(sparkpost, default=False))
    assert sparkpost.domain(DOMAIN)["default"] is False


def test_delete_removes_the_domain_and_tolerates_one_already_gone(sparkpost, provider):
    outs = provider.create(props(sparkpost)).outs
    provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is None
    assert sparkpost.calls()[-1] == ("DELETE", f"/api/v1/tracking-domains/{DOMAIN}")

    provider.delete(DOMAIN, outs)  # 404: nothing left to delete, not an error


def test_read_returns_live_state_and_an_empty_id_once_deleted_outside_pulumi(sparkpost, provider):
    sparkpost.dns_ready.add(DOMAIN)
    outs = provider.create(props(sparkpost)).outs
    sparkpost.domain(DOMAIN)["secure"] = False  # someone switched it back in the UI

    read = provider.read(DOMAIN, outs)
    assert read.id == DOMAIN
    assert read.outs["secure"] is False and read.outs["verified"] is True
    assert provider.diff(DOMAIN, read.outs, props(sparkpost)).changes is True

    del sparkpost.domains[(None, DOMAIN)]
    assert provider.read(DOMAIN, outs).id == ""


def test_diff_replaces_on_identity_changes_and_updates_in_place_otherwise(sparkpost, provider):
    old = {**props(sparkpost), "verified": True, "cname_status": "valid", "compliance_status": "valid"}

    assert provider.diff(DOMAIN, old, props(sparkpost)).changes is False
    in_place = provider.diff(DOMAIN, old, props(sparkpost, default=True))
    assert in_place.changes is True and in_place.replaces == []
    assert provider.diff(DOMAIN, old, props(sparkpost, api_key="rotated-key")).replaces == []

    renamed = provider.diff(DOMAIN, old, props(sparkpost, domain="click.example.com"))
    assert renamed.replaces == ["domain"] and renamed.delete_before_replace is False
    moved = provider.diff(DOMAIN, old, props(sparkpost, subaccount=7))
    assert moved.replaces == ["subaccount"] and moved.delete_before_replace is True


def test_subaccount_is_sent_as_x_msys_subaccount(sparkpost, provider):
    # The engine hands numbers to the provider as floats.
    provider.create(props(sparkpost, subaccount=42.0))
    assert sparkpost.requests[0].headers["X-MSYS-SUBACCOUNT"] == "42"
    assert sparkpost.domain(DOMAIN, subaccount=42) is not None and sparkpost.domain(DOMAIN) is None


def test_the_key_comes_from_the_environment_when_the_state_has_none(sparkpost, provider, monkeypatch):
    monkeypatch.setenv("SPARKPOST_API_KEY", KEY)
    without_key = {k: v for k, v in props(sparkpost).items() if k != "api_key"}
    provider.create(without_key)
    assert {r.headers["Authorization"] for r in sparkpost.requests} == {KEY}


def test_no_key_anywhere_is_refused_before_any_request(sparkpost, provider):
    without_key = {k: v for k, v in props(sparkpost).items() if k != "api_key"}
    with pytest.raises(InvalidArgument, match="^api_key: no SparkPost API key.*SPARKPOST_API_KEY"):
        provider.create(without_key)
    assert sparkpost.requests == []


# ------------------------------------------------------------------------------------------------
# Errors, retries, timeouts


def test_422_quotes_sparkposts_code_and_description_and_is_not_retried(sparkpost):
    api, slept = recording_api(sparkpost)
    with pytest.raises(SparkPostError) as raised:
        api.create("exampledomaincom", True)
    assert "HTTP 422" in str(raised.value) and "1300" in str(raised.value)
    assert "contains no '.'(s)" in str(raised.value)
    assert (raised.value.status, raised.value.code) == (422, "1300")
    assert len(sparkpost.requests) == 1 and slept == []


def test_429_is_retried_after_the_servers_retry_after(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=3, base_delay=0.01, max_delay=60))
    sparkpost.inject(429, headers={"Retry-After": "7"}, body=error_body("", "Too many requests", "slow down"))

    assert api.create(DOMAIN, True) is True
    assert slept == [7.0]
    assert sparkpost.calls() == [("POST", "/api/v1/tracking-domains")] * 2


def test_retry_after_is_capped(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=2, base_delay=0.01, max_delay=5))
    sparkpost.inject(429, headers={"Retry-After": "3600"})
    api.create(DOMAIN, True)
    assert slept == [5.0]


def test_500_then_success_is_retried_with_backoff(sparkpost, provider):
    sparkpost.inject(500, times=2, body=error_body("9999", "internal error", "try again"))
    assert provider.create(props(sparkpost)).id == DOMAIN


def test_persistent_500_gives_up_after_bounded_attempts_with_exponential_backoff(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=4, base_delay=0.5, max_delay=30))
    sparkpost.inject(500, times=10, body=error_body("9999", "internal error", "database unavailable"))

    with pytest.raises(SparkPostError, match=r"HTTP 500, error 9999 \(internal error\): database unavailable"):
        api.verify(DOMAIN)
    assert len(sparkpost.requests) == 4
    assert slept == [0.5, 1.0, 2.0]


def test_an_error_page_without_json_is_quoted(sparkpost):
    api, _ = recording_api(sparkpost, RetryPolicy(attempts=1))
    sparkpost.inject(502, body={"html": "<h1>Bad Gateway</h1>"})
    with pytest.raises(SparkPostError, match="HTTP 502.*Bad Gateway"):
        api.get(DOMAIN)


def test_every_call_has_a_timeout(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=2, base_delay=0.01, timeout=0.2))
    sparkpost.inject(200, times=2, delay=1.0)
    with pytest.raises(SparkPostError, match="no response.*(timed out|Timeout)"):
        api.get(DOMAIN)
    assert len(slept) == 1


def test_a_refused_connection_is_retried_then_reported():
    slept: list[float] = []
    with SparkPostStandIn(KEY) as closed:
        url = closed.base_url  # the port is free again once the stand-in stops
    api = SparkPostApi(KEY, url, retry=RetryPolicy(attempts=2, base_delay=0.01), sleep=slept.append)
    with pytest.raises(SparkPostError, match="no response, network error.*Connection ?Refused"):
        api.get(DOMAIN)
    assert slept == [0.01]


def test_a_redirect_is_an_error_and_the_key_is_not_replayed_elsewhere(sparkpost):
    with SparkPostStandIn("other") as elsewhere:
        sparkpost.inject(302, headers={"Location": f"{elsewhere.base_url}/tracking-domains/{DOMAIN}"})
        api, _ = recording_api(sparkpost)
        with pytest.raises(SparkPostError, match="HTTP 302"):
            api.get(DOMAIN)
        assert elsewhere.requests == []


def test_a_wrong_key_is_reported_once_without_retrying(sparkpost):
    api = SparkPostApi("wrong-key", sparkpost.base_url, retry=FAST, sleep=pytest.fail)
    with pytest.raises(SparkPostError, match="HTTP 401"):
        api.get(DOMAIN)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("12", 12.0), ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0), ("soon", None), (None, None)],
)
def test_retry_after_accepts_seconds_and_http_dates(header, seconds):
    from datetime import datetime, timezone

    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert parse_retry_after(header, now) == seconds


# ------------------------------------------------------------------------------------------------
# The API key stays secret


def test_errors_never_contain_the_key_even_when_the_server_echoes_it(sparkpost):
    api, _ = recording_api(sparkpost, RetryPolicy(attempts=1))
    sparkpost.inject(500, body=error_body("1", "echo", f"your Authorization header was {KEY}"))
    with pytest.raises(SparkPostError) as raised:
        api.get(DOMAIN)
    assert KEY not in str(raised.value) and "[api key redacted]" in str(raised.value)
    assert KEY not in repr(api)


def test_a_malformed_key_is_refused_without_showing_it(sparkpost):
    bad = "secret-part\r\nX-Injected: 1"
    with pytest.raises(InvalidArgument) as raised:
        SparkPostApi(bad, sparkpost.base_url)
    assert "secret-part" not in str(raised.value) and str(raised.value).startswith("api_key:")


def test_the_serialized_provider_holds_no_key_and_loads_in_a_fresh_interpreter(sparkpost, provider):
    provider.create(props(sparkpost))  # a provider that has been used must not have kept the key
    serialized = serialize_provider(provider)
    assert KEY.encode() not in base64.b64decode(serialized)

    # The engine's provider process unpickles it with nothing but this package installed.
    code = (
        "import base64, sys, dill; p = dill.loads(base64.b64decode(sys.stdin.read())); "
        "print(type(p).__name__, p.retry.attempts)"
    )
    loaded = subprocess.run([sys.executable, "-c", code], input=serialized, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["SparkPostTrackingDomainProvider", str(FAST.attempts)]


def test_the_key_is_a_secret_input_and_output_and_absent_from_the_provider(monkeypatch):
    captured = {}

    def capture(args: pulumi.ResourceTransformationArgs):
        captured["secret_outputs"] = args.opts.additional_secret_outputs
        return None

    run = run_offline(
        lambda: SparkPostTrackingDomain(
            "sp", {"domain": DOMAIN, "api_key": KEY}, pulumi.ResourceOptions(transformations=[capture])
        )
    )
    inputs = run.one(DYNAMIC).inputs
    assert rpc.is_rpc_secret(inputs["api_key"]) and rpc.unwrap_rpc_secret(inputs["api_key"]) == KEY
    assert captured["secret_outputs"] == ["api_key"]
    assert rpc.is_rpc_secret(inputs["__provider"])
    assert KEY.encode() not in base64.b64decode(rpc.unwrap_rpc_secret(inputs["__provider"]))
    assert KEY not in json.dumps({k: v for k, v in inputs.items() if k != "api_key"})


# ------------------------------------------------------------------------------------------------
# The resource: inputs, defaults, key resolution


def test_defaults_are_secure_not_default_us_region():
    run = run_offline(lambda: SparkPostTrackingDomain("sp", {"domain": "Track.Example.com.", "api_key": KEY}))
    inputs = run.one(DYNAMIC).inputs
    assert inputs["domain"] == DOMAIN
    assert (inputs["secure"], inputs["default"]) == (True, False)
    assert inputs["api_base_url"] == API_BASE_URLS["us"] == "https://api.sparkpost.com/api/v1"
    assert "subaccount" not in inputs


def test_the_key_argument_beats_config_which_beats_the_environment(monkeypatch):
    monkeypatch.setenv("SPARKPOST_API_KEY", "from-env")
    config = {"tracking-cdn:sparkpostApiKey": "from-config"}
    secret_keys = ("tracking-cdn:sparkpostApiKey",)

    def key_of(args: dict, config: dict) -> object:
        def program() -> None:
            SparkPostTrackingDomain("sp", {"domain": DOMAIN, **args})

        run = run_offline(program, config=config, secret_keys=secret_keys)
        return rpc.unwrap_rpc_secret(run.one(DYNAMIC).inputs.get("api_key"))

    assert key_of({"api_key": "from-arg"}, config) == "from-arg"
    assert key_of({}, config) == "from-config"
    assert key_of({}, {}) is None  # left to SPARKPOST_API_KEY, read by the provider: never in the state


def test_a_missing_key_is_a_warning_at_plan_time():
    run = run_offline(lambda: SparkPostTrackingDomain("sp", {"domain": DOMAIN}))
    assert any("no SparkPost API key" in warning and "SPARKPOST_API_KEY" in warning for warning in run.warnings)


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"domain": "https://track.example.com/"}, "domain"),
        ({"domain": "*.example.com"}, "domain"),
        ({}, "domain"),
        ({"domain": DOMAIN, "secure": "yes"}, "secure"),
        ({"domain": DOMAIN, "default": 1}, "default"),
        ({"domain": DOMAIN, "subaccount": "12"}, "subaccount"),
        ({"domain": DOMAIN, "subaccount": True}, "subaccount"),
        ({"domain": DOMAIN, "region": "ap"}, "region"),
        ({"domain": DOMAIN, "api_base_url": "http://api.sparkpost.com/api/v1"}, "api_base_url"),
        ({"domain": DOMAIN, "region": "eu", "api_base_url": "https://api.eu.sparkpost.com/api/v1"}, "api_base_url"),
        ({"domain": DOMAIN, "api_key": "two words"}, "api_key"),
        ({"domain": DOMAIN, "port": 443}, "port"),
        ({"domain": pulumi.Output.from_input(DOMAIN)}, "domain"),
    ],
)
def test_bad_input_is_refused_naming_the_argument_before_anything_registers(args, argument):
    with pytest.raises(InvalidArgument) as raised:
        run_offline(lambda: SparkPostTrackingDomain("sp", {"api_key": KEY, **args}))
    assert raised.value.argument == argument


@pytest.mark.parametrize(
    ("region", "url", "expected"),
    [
        ("eu", None, "https://api.eu.sparkpost.com/api/v1"),
        (None, "https://acme.example.net/api/v1/", "https://acme.example.net/api/v1"),
        (None, "http://127.0.0.1:8080/api/v1", "http://127.0.0.1:8080/api/v1"),
    ],
)
def test_api_base_url_from_region_or_explicit_https(region, url, expected):
    assert resolve_api_base_url(region, url) == expected


# ------------------------------------------------------------------------------------------------
# Stack program wiring


def sparkpost_config(**overrides) -> dict:
    config = {
        "tracking-cdn:domains": ["track.example.com", "click.example.com"],
        "tracking-cdn:esp": "sparkpost-eu",
        "tracking-cdn:sparkpost": {"secure": True, "default": "click.example.com", "subaccount": 3},
    }
    config.update(overrides)
    return {key: value for key, value in config.items() if value is not None}


def run_with_front_door(config: dict, returned: Optional[dict] = None):
    def program():
        front_door = pulumi.ComponentResource("test:index:FrontDoor", "front")
        pulumi.CustomResource("test:index:Edge", "edge", {}, pulumi.ResourceOptions(parent=front_door))
        (returned if returned is not None else {}).update(register_from_config(front_door, pulumi.Config("tracking-cdn")))

    return run_offline(program, config=config)


def test_one_resource_per_tracking_domain_created_after_the_front_door():
    returned: dict = {}
    run = run_with_front_door(sparkpost_config(), returned)
    edge = run.named("edge")
    assert sorted(returned) == ["click.example.com", "track.example.com"]
    resources = {r.name: r for r in run.of_type(DYNAMIC)}

    assert set(resources) == {"sparkpost-track.example.com", "sparkpost-click.example.com"}
    for name, resource in resources.items():
        assert edge.urn in resource.dependencies, f"{name} must wait for the front door's resources"
        assert resource.inputs["api_base_url"] == "https://api.eu.sparkpost.com/api/v1"  # from esp sparkpost-eu
        assert resource.inputs["subaccount"] == 3 and resource.inputs["secure"] is True
    assert resources["sparkpost-click.example.com"].inputs["default"] is True
    assert resources["sparkpost-track.example.com"].inputs["default"] is False


@pytest.mark.parametrize(("setting", "protected"), [(None, True), ("true", True), ("false", False)])
def test_tracking_domains_are_protected_like_the_front_door(setting, protected):
    run = run_with_front_door(sparkpost_config(**{"tracking-cdn:protectServingResources": setting}))
    assert {r.protect for r in run.of_type(DYNAMIC)} == {protected}


def test_nothing_is_created_without_sparkpost_config():
    run = run_with_front_door(sparkpost_config(**{"tracking-cdn:sparkpost": None}))
    assert run.of_type(DYNAMIC) == []


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"tracking-cdn:sparkpost": {"default": True}}, "sparkpost.default"),
        ({"tracking-cdn:sparkpost": {"default": "other.example.com"}}, "sparkpost.default"),
        ({"tracking-cdn:sparkpost": {"verify": True}}, "sparkpost.verify"),
        ({"tracking-cdn:sparkpost": ["secure"]}, "sparkpost"),
        ({"tracking-cdn:esp": "sendgrid"}, "sparkpost"),
        ({"tracking-cdn:esp": "sparkpost-enterprise", "tracking-cdn:sparkpost": {}}, "sparkpost.apiBaseUrl"),
        ({"tracking-cdn:sparkpost": {"region": "apac"}}, "region"),
    ],
)
def test_bad_sparkpost_config_is_refused_naming_the_key(overrides, argument):
    with pytest.raises(InvalidArgument) as raised:
        run_with_front_door(sparkpost_config(**overrides))
    assert raised.value.argument == argument


def test_the_example_stack_configures_a_secure_tracking_domain():
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.sparkpost-example.yaml").read_text())
    config = document["config"]
    assert config["tracking-cdn:frontDoor"] == "cloudfront" and config["aws:region"] == "us-west-2"
    assert "tracking-cdn:sparkpostApiKey" not in config, "a key in the file would be plain text or undecryptable"

    run = run_with_front_door({k: v for k, v in config.items() if k.startswith("tracking-cdn:")})
    resources = run.of_type(DYNAMIC)
    assert [r.inputs["domain"] for r in resources] == config["tracking-cdn:domains"]
    assert all(r.inputs["secure"] is True for r in resources)
