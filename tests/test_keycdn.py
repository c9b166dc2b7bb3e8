"""KeyCdnTrackingDomain: the component under the mock engine (what it registers, per ESP profile, and
what it refuses), its zone and zone-alias providers against a local stand-in of KeyCDN's API (real HTTP
on 127.0.0.1: create, read, update, delete, adoption, drift, interrupted creates), the client's
hardening (401, 404, 429 with rate-limit headers, 5xx, malformed JSON, oversized and slow answers, TLS),
the API key's secrecy, and the stack program's wiring."""

import base64
import json
import time
from pathlib import Path

import pulumi
import pytest
import yaml
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from conftest import REPO, run_stack
from esp_standin import EspStandin
from keycdn_standin import KeyCdnStandIn, failure
from scenarios import ANDROID_ASSET_LINKS
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.keycdn import (
    KeyCdnApi,
    KeyCdnError,
    KeyCdnRefused,
    KeyCdnTrackingDomain,
    KeyCdnZoneAliasProvider,
    KeyCdnZoneProvider,
    ZoneSettings,
)
from tracking_cdn.offline import run_offline
from tracking_cdn.rest import RetryPolicy

KEY = "sk_prod_zbSVNe8gVUMT4KjYcJWuyC86"
"""The shape of KeyCDN's keys (its API reference's example)."""
ZONE = "pulumi-python:dynamic/keycdn:Zone"
ALIAS = "pulumi-python:dynamic/keycdn:ZoneAlias"
DOMAINS = ["track.example.com", "click2.example.com"]
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, timeout=2.0, check_interval=0.05)
SETTINGS = ZoneSettings(
    origin_url="https://sendgrid.net", forward_host_header=True, cache_key_host=True, ignore_query_string=False,
    ignore_cache_control=True, cache_max_expire_minutes=0, force_ssl=False, ssl_certificate="letsencrypt",
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("KEYCDN_API_KEY", raising=False)
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "pulumi-home"))


@pytest.fixture
def keycdn():
    with KeyCdnStandIn(KEY) as standin:
        yield standin


def component(**args):
    """The component under the offline engine, its outputs exported as stack outputs."""
    base = {"domains": DOMAINS, "esp": "sendgrid", "zone_url_id": "1a2b3c", "keycdn_api_key": KEY}

    def program():
        front_door = KeyCdnTrackingDomain("tracking", {**base, **args})
        for name in ("origin_host", "dns_records", "zone_id", "zone_url", "alias_ids"):
            pulumi.export(name, getattr(front_door, name))

    return run_offline(program)


def zone_props(standin, **overrides):
    props = {"name": "tracking", **SETTINGS.as_props(), "api_base_url": standin.base_url, "api_key": KEY,
             "adopt_existing": False}
    return {**props, **overrides}


def alias_props(standin, zone_id, name="track.example.com", **overrides):
    return {"name": name, "zone_id": zone_id, "api_base_url": standin.base_url, "api_key": KEY,
            "adopt_existing": False, **overrides}


def form(standin, method="POST"):
    return [request.body for request in standin.requests if request.method == method]


# ------------------------------------------------------------------------------------------------
# What the component registers


@pytest.mark.parametrize(
    ("esp", "origin_url", "forwards_host"),
    [
        ({"esp": "sendgrid"}, "https://sendgrid.net", True),
        ({"esp": "sparkpost"}, "https://spgo.io", False),
        ({"esp": "sparkpost-eu"}, "https://eu.spgo.io", False),
        ({"esp": "sparkpost-enterprise", "tenant": "acme"}, "https://acme.et.e.sparkpost.com", False),
        ({"esp": "custom", "origin_host": "track.pmta.example.net"}, "https://track.pmta.example.net", False),
        ({"esp": "iterable"}, "https://links.iterable.com", True),
        ({"esp": "ses", "esp_region": "eu-west-1"}, "http://r.eu-west-1.awstrack.me", True),
    ],
)
def test_the_zone_reaches_the_esp_with_the_host_it_routes_on(esp, origin_url, forwards_host):
    run = component(**esp)
    zone = run.one(ZONE).inputs
    assert zone["origin_url"] == origin_url
    assert zone["forward_host_header"] is forwards_host, "SendGrid routes on the tracking domain; SparkPost on its own"
    assert zone["cache_key_host"] is forwards_host, "a domain's answers are never served for another's"
    assert zone["ignore_query_string"] is False, "the click's token is in the query string"
    assert zone["ssl_certificate"] == "letsencrypt" and zone["force_ssl"] is False
    assert zone["ignore_cache_control"] is (esp["esp"] != "iterable"), "Iterable's own Cache-Control decides"


@pytest.mark.parametrize(("ttl", "minutes"), [(None, 0), (0, 0), (30, 0), (60, 1), (600, 10), (3600, 60)])
def test_the_edge_cache_time_counts_whole_minutes_and_below_one_nothing_is_cached(ttl, minutes):
    run = component(**({} if ttl is None else {"cache_ttl_seconds": ttl}))
    assert run.one(ZONE).inputs["cache_max_expire_minutes"] == minutes


def test_a_cache_time_that_is_not_whole_minutes_is_refused_with_the_two_nearest():
    with pytest.raises(InvalidArgument, match=r"^cache_ttl_seconds: 90 is not a whole number of minutes.*60 or 120"):
        component(cache_ttl_seconds=90)


def test_plain_http_is_served_unless_the_redirect_is_asked():
    assert component().one(ZONE).inputs["force_ssl"] is False
    assert component(redirect_http_to_https=True).one(ZONE).inputs["force_ssl"] is True


def test_one_alias_per_domain_on_the_zone_each_protected_and_the_cnames_to_the_zone_url():
    run = component()
    zone = run.one(ZONE)
    aliases = {r.inputs["name"]: r for r in run.of_type(ALIAS)}
    assert sorted(aliases) == sorted(DOMAINS)
    for domain, alias in aliases.items():
        assert alias.name == f"tracking-alias-{domain}" and alias.protect and zone.urn in alias.dependencies
        assert alias.inputs["zone_id"] == f"<KeyCDN id of zone tracking>"
    assert zone.name == "tracking-zone" and zone.protect and zone.inputs["name"] == "tracking"
    outputs = run.stack_outputs
    assert outputs["zone_url"] == "tracking-1a2b3c.kxcdn.com" and outputs["origin_host"] == "sendgrid.net"
    assert outputs["alias_ids"] == {d: f"<KeyCDN id of zone alias {d}>" for d in DOMAINS}
    assert outputs["dns_records"] == [
        {"name": d, "type": "CNAME", "value": "tracking-1a2b3c.kxcdn.com", "purpose": "route"} for d in DOMAINS
    ]


def test_protection_can_be_turned_off():
    run = component(protect_serving_resources=False)
    assert not any(r.protect for r in run.of_type(ZONE) + run.of_type(ALIAS))


def test_the_zone_name_defaults_to_the_component_name_and_can_be_given():
    run = run_offline(lambda: KeyCdnTrackingDomain("Tracking_Links-1", {"domains": DOMAINS, "zone_url_id": "ab12"}))
    assert run.one(ZONE).inputs["name"] == "trackinglinks1"
    assert component(zone_name="clicks").stack_outputs["zone_url"] == "clicks-1a2b3c.kxcdn.com"


@pytest.mark.parametrize(
    ("args", "argument", "words"),
    [
        ({"zone_url_id": None}, "zone_url_id", "required"),
        ({"zone_url_id": "tracking-1a2b3c.kxcdn.com"}, "zone_url_id", "hex id"),
        ({"zone_name": "Tracking Zone"}, "zone_name", "1 to 20 lower-case letters and digits"),
        ({"zone_name": "a" * 21}, "zone_name", "1 to 20"),
        ({"esp": "customerio"}, "esp", "Customer.io"),
        ({"app_links": {"android_asset_links": ANDROID_ASSET_LINKS}}, "app_links", "not supported"),
        ({"well_known_origin": "www.example.com"}, "well_known_origin", "not supported"),
        ({"api_base_url": "http://api.keycdn.com"}, "api_base_url", "plain http"),
        ({"api_base_url": "https://u:hunter2@api.keycdn.com"}, "api_base_url", "credentials"),
        ({"keycdn_api_key": "two words"}, "keycdn_api_key", "spaces"),
        ({"adopt_existing": "yes"}, "adopt_existing", "bool"),
        ({"zone_id": "1"}, "zone_id", "not an argument"),
    ],
)
def test_bad_input_is_refused_naming_the_argument_before_anything_registers(args, argument, words):
    base = {"domains": DOMAINS, "esp": "sendgrid", "zone_url_id": "1a2b3c", "keycdn_api_key": KEY}
    registered = []

    def program():
        try:
            KeyCdnTrackingDomain("tracking", {k: v for k, v in {**base, **args}.items() if v is not None})
        except InvalidArgument as error:
            registered.append(error)

    run = run_offline(program)
    (error,) = registered
    assert error.argument == argument and words in str(error), str(error)
    assert run.resources == []
    assert "hunter2" not in str(error)


# ------------------------------------------------------------------------------------------------
# The API key: a secret everywhere


def test_the_key_is_a_secret_input_and_output_of_every_resource_and_absent_from_the_providers():
    run = component()
    for resource in run.of_type(ZONE) + run.of_type(ALIAS):
        assert rpc.is_rpc_secret(resource.inputs["api_key"]) and rpc.unwrap_rpc_secret(resource.inputs["api_key"]) == KEY
        assert KEY.encode() not in base64.b64decode(rpc.unwrap_rpc_secret(resource.inputs["__provider"]))
        assert KEY not in json.dumps({k: v for k, v in resource.inputs.items() if k != "api_key"})


def test_the_key_comes_from_the_argument_then_the_stack_s_secret_config():
    config = {"tracking-cdn:keycdnApiKey": "sk_prod_fromconfig0000000000"}

    def key_of(args):
        base = {"domains": DOMAINS, "zone_url_id": "1a2b3c"}
        run = run_offline(lambda: KeyCdnTrackingDomain("t", {**base, **args}), config=config,
                          secret_keys=tuple(config))
        return rpc.unwrap_rpc_secret(run.one(ZONE).inputs["api_key"])

    assert key_of({"keycdn_api_key": KEY}) == KEY
    assert key_of({}) == "sk_prod_fromconfig0000000000"


def test_a_missing_key_is_a_warning_at_plan_time():
    run = run_offline(lambda: KeyCdnTrackingDomain("t", {"domains": DOMAINS, "zone_url_id": "1a2b3c"}))
    assert any("no KeyCDN API key" in warning and "KEYCDN_API_KEY" in warning for warning in run.warnings)


def test_a_program_may_register_more_dynamic_resources_than_the_sdk_s_pickling_would_survive():
    """The SDK's serialize_provider wraps pickle's _batch_setitems once more at every call (pulumi/pulumi#17803):
    about 480 dynamic resources in one process and pickling fails. Registering ours leaves it as it was."""
    import pickle

    before = pickle._Pickler._batch_setitems
    component(domains=[f"t{i}.example.com" for i in range(3)])
    assert pickle._Pickler._batch_setitems is before


def test_the_serialized_providers_hold_no_key_after_use(keycdn):
    provider = KeyCdnZoneProvider(FAST)
    provider.create(zone_props(keycdn))
    assert KEY.encode() not in base64.b64decode(serialize_provider(provider))


# ------------------------------------------------------------------------------------------------
# The zone against the stand-in: create, read, update, delete, drift


def test_create_sends_a_pull_zone_with_every_setting_and_outputs_keycdn_s_answer(keycdn):
    outs = KeyCdnZoneProvider(FAST).create(zone_props(keycdn))

    (sent,) = form(keycdn)
    assert sent == {
        "name": "tracking", "type": "pull", "originurl": "https://sendgrid.net", "cachehostheader": "enabled",
        "cachekeyhost": "enabled", "cacheignorequerystring": "disabled", "cacheignorecachecontrol": "enabled",
        "cachemaxexpire": "0", "forcessl": "disabled", "sslcert": "letsencrypt",
    }
    authorization = keycdn.requests[-1].headers["Authorization"]
    assert authorization == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert outs.id == keycdn.zone_named("tracking")["id"] == outs.outs["zone_id"]
    assert outs.outs["adopted"] is False and outs.outs["origin_url"] == "https://sendgrid.net"


def test_numbers_the_engine_hands_over_as_floats_are_sent_as_keycdn_s_digits(keycdn):
    KeyCdnZoneProvider(FAST).create(zone_props(keycdn, cache_max_expire_minutes=5.0))
    assert form(keycdn)[0]["cachemaxexpire"] == "5" and keycdn.zone_named("tracking")["cachemaxexpire"] == "5"


def test_refresh_sees_a_zone_edited_in_the_dashboard_and_the_next_up_puts_back_only_what_changed(keycdn):
    provider = KeyCdnZoneProvider(FAST)
    outs = provider.create(zone_props(keycdn)).outs
    keycdn.zone_named("tracking").update(cacheignorequerystring="enabled", originurl="https://example.net")

    read = provider.read(outs["zone_id"], outs)
    assert (read.outs["ignore_query_string"], read.outs["origin_url"]) == (True, "https://example.net")
    assert provider.diff(read.id, read.outs, zone_props(keycdn)).changes is True

    updated = provider.update(read.id, read.outs, zone_props(keycdn)).outs
    assert form(keycdn, "PUT") == [{"originurl": "https://sendgrid.net", "cacheignorequerystring": "disabled"}]
    assert updated["origin_url"] == "https://sendgrid.net"
    assert provider.diff(read.id, updated, zone_props(keycdn)).changes is False


def test_changing_the_esp_or_the_ttl_updates_the_zone_in_place_and_a_new_name_replaces_it(keycdn):
    provider = KeyCdnZoneProvider(FAST)
    outs = provider.create(zone_props(keycdn)).outs
    for change in ({"origin_url": "https://spgo.io", "forward_host_header": False}, {"cache_max_expire_minutes": 1}):
        diff = provider.diff(outs["zone_id"], outs, zone_props(keycdn, **change))
        assert diff.changes is True and diff.replaces == []
    renamed = provider.diff(outs["zone_id"], outs, zone_props(keycdn, name="clicks"))
    assert renamed.replaces == ["name"] and renamed.delete_before_replace is False
    moved = provider.diff(outs["zone_id"], outs, zone_props(keycdn, api_base_url="https://api.example.net"))
    assert moved.replaces == ["api_base_url"] and moved.delete_before_replace is True


def test_a_zone_deleted_in_the_dashboard_drops_out_of_the_state_on_refresh(keycdn):
    provider = KeyCdnZoneProvider(FAST)
    outs = provider.create(zone_props(keycdn)).outs
    del keycdn.zones[outs["zone_id"]]
    assert provider.read(outs["zone_id"], outs).id == ""
    with pytest.raises(KeyCdnRefused, match="no longer in KeyCDN .*pulumi refresh"):
        provider.update(outs["zone_id"], outs, zone_props(keycdn, cache_max_expire_minutes=1))


def test_delete_removes_the_zone_and_tolerates_one_already_gone(keycdn):
    provider = KeyCdnZoneProvider(FAST)
    outs = provider.create(zone_props(keycdn)).outs
    provider.delete(outs["zone_id"], outs)
    assert keycdn.zones == {}
    provider.delete(outs["zone_id"], outs)


# ------------------------------------------------------------------------------------------------
# Adoption only when asked


def test_an_existing_zone_is_refused_unless_adoption_is_asked_and_nothing_changes(keycdn):
    keycdn.add_zone("tracking", originurl="https://www.example.com")
    with pytest.raises(KeyCdnRefused) as raised:
        KeyCdnZoneProvider(FAST).create(zone_props(keycdn))
    message = str(raised.value)
    assert "already exists in KeyCDN" in message and "did not create it" in message and "adopt_existing=True" in message
    assert [method for method, _ in keycdn.calls()] == ["GET"]


def test_an_adopted_zone_is_brought_to_the_settings_and_destroy_leaves_it(keycdn):
    existing = keycdn.add_zone("tracking", originurl="https://www.example.com")
    provider = KeyCdnZoneProvider(FAST)
    outs = provider.create(zone_props(keycdn, adopt_existing=True)).outs
    assert outs["adopted"] is True and outs["zone_id"] == existing["id"]
    assert existing["originurl"] == "https://sendgrid.net" and existing["sslcert"] == "letsencrypt"
    provider.delete(outs["zone_id"], outs)
    assert existing["id"] in keycdn.zones


def test_a_push_zone_of_the_same_name_is_refused_even_with_adoption(keycdn):
    keycdn.add_zone("tracking", type="push")
    with pytest.raises(KeyCdnRefused, match="push zone; a tracking domain needs a pull zone"):
        KeyCdnZoneProvider(FAST).create(zone_props(keycdn, adopt_existing=True))


def test_an_existing_alias_is_refused_and_an_adopted_one_moves_to_the_zone(keycdn):
    old_zone = keycdn.add_zone("legacy")
    zone = keycdn.add_zone("tracking")
    existing = keycdn.add_alias(old_zone["id"], "track.example.com")
    provider = KeyCdnZoneAliasProvider(FAST)
    with pytest.raises(KeyCdnRefused, match=f"on zone {old_zone['id']}"):
        provider.create(alias_props(keycdn, zone["id"]))

    outs = provider.create(alias_props(keycdn, zone["id"], adopt_existing=True)).outs
    assert (outs["adopted"], outs["alias_id"], existing["zone_id"]) == (True, existing["id"], zone["id"])
    provider.delete(outs["alias_id"], outs)
    assert existing["id"] in keycdn.aliases


# ------------------------------------------------------------------------------------------------
# Zone aliases: one per domain, and day two touches only its own


def test_an_alias_is_created_read_and_deleted_alone(keycdn):
    zone = keycdn.add_zone("tracking")
    other = keycdn.add_alias(zone["id"], "click2.example.com")
    provider = KeyCdnZoneAliasProvider(FAST)

    created = provider.create(alias_props(keycdn, zone["id"]))
    assert form(keycdn) == [{"zone_id": zone["id"], "name": "track.example.com"}]
    assert created.outs["alias_id"] == created.id and created.outs["adopted"] is False
    assert provider.read(created.id, created.outs).outs["zone_id"] == zone["id"]

    provider.delete(created.id, created.outs)
    assert list(keycdn.aliases) == [other["id"]], "the other domain's alias is untouched"
    assert provider.read(created.id, created.outs).id == ""


def test_an_alias_moved_to_another_zone_in_the_dashboard_is_moved_back(keycdn):
    zone, elsewhere = keycdn.add_zone("tracking"), keycdn.add_zone("other")
    provider = KeyCdnZoneAliasProvider(FAST)
    outs = provider.create(alias_props(keycdn, zone["id"])).outs
    keycdn.aliases[outs["alias_id"]]["zone_id"] = elsewhere["id"]

    read = provider.read(outs["alias_id"], outs)
    assert provider.diff(read.id, read.outs, alias_props(keycdn, zone["id"])).changes is True
    provider.update(read.id, read.outs, alias_props(keycdn, zone["id"]))
    assert keycdn.aliases[outs["alias_id"]]["zone_id"] == zone["id"]


# ------------------------------------------------------------------------------------------------
# Interrupted creates: recoverable, nothing lost, ownership kept


ZONE_CREATE = [("GET", "/zones.json"), ("POST", "/zones.json"), ("GET", "/zones/190392.json")]


@pytest.mark.parametrize("failing", range(len(ZONE_CREATE)), ids=[f"{i}-{m} {p}" for i, (m, p) in enumerate(ZONE_CREATE)])
def test_a_zone_create_interrupted_at_any_call_is_retried_with_nothing_lost_and_ownership_kept(keycdn, failing):
    provider = KeyCdnZoneProvider(FAST)
    keycdn.outage(after=failing, body=failure("Service Unavailable"))
    with pytest.raises(KeyCdnError):
        provider.create(zone_props(keycdn))
    keycdn.end_outage()

    outs = provider.create(zone_props(keycdn)).outs  # the next `pulumi up`

    assert outs["adopted"] is False
    assert [zone["name"] for zone in keycdn.zones.values()] == ["tracking"], "one zone, not two"
    provider.delete(outs["zone_id"], outs)
    assert keycdn.zones == {}


def test_an_alias_post_whose_answer_is_lost_for_good_is_read_back(keycdn):
    zone = keycdn.add_zone("tracking")
    keycdn.inject(lose_answer=True, method="POST")
    keycdn.inject(503, times=FAST.attempts - 1, body=failure("Service Unavailable"), method="POST")
    outs = KeyCdnZoneAliasProvider(FAST).create(alias_props(keycdn, zone["id"])).outs
    assert outs["adopted"] is False and len(keycdn.aliases) == 1


def test_a_leftover_alias_without_its_journal_entry_is_refused_naming_the_one_step(keycdn, tmp_path):
    zone = keycdn.add_zone("tracking")
    keycdn.outage(after=2, body=failure("Service Unavailable"))  # after the POST: the read and the undo fail
    with pytest.raises(KeyCdnError):
        KeyCdnZoneAliasProvider(FAST).create(alias_props(keycdn, zone["id"]))
    keycdn.end_outage()
    for entry in (tmp_path / "pulumi-home").rglob("*.json"):
        entry.unlink()
    with pytest.raises(KeyCdnRefused, match="interrupted .* delete it in KeyCDN"):
        KeyCdnZoneAliasProvider(FAST).create(alias_props(keycdn, zone["id"]))


# ------------------------------------------------------------------------------------------------
# The client: only KeyCDN's answers count; deadlines, caps, TLS, retries, the rate limit


def api(standin, policy=FAST):
    slept: list[float] = []
    return KeyCdnApi(KEY, standin.base_url, policy, sleep=slept.append), slept


def test_a_wrong_key_is_401_not_retried_and_the_message_says_what_to_do_without_the_key(keycdn):
    keycdn.api_key = "sk_prod_another000000000000"
    client, slept = api(keycdn)
    with pytest.raises(KeyCdnError) as raised:
        client.zones()
    message = str(raised.value)
    assert message.startswith("KeyCDN list zones failed: HTTP 401: Unauthorized. KeyCDN refused the API key")
    assert "after rotating it, set the new key and run `pulumi up` first" in message and KEY not in message
    assert len(keycdn.requests) == 1 and slept == []


def test_429_with_rate_limit_headers_is_retried_with_backoff_and_then_answers(keycdn):
    keycdn.rate_limit = 1
    keycdn.add_zone("tracking")
    client, slept = api(keycdn)
    client.zones()  # the one request the limit allows
    assert keycdn.requests and keycdn.answered == 1

    keycdn.inject(429, body=failure("Too Many Requests"), headers={"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Remaining": "0"})
    keycdn.rate_limit = None
    assert [zone.name for zone in client.zones()] == ["tracking"]
    assert slept == [0.01]


def test_a_rate_limit_that_does_not_lift_fails_after_bounded_attempts_naming_it(keycdn):
    keycdn.rate_limit = 0
    client, slept = api(keycdn)
    with pytest.raises(KeyCdnError, match="HTTP 429: Too Many Requests"):
        client.zones()
    assert len(keycdn.requests) == FAST.attempts and slept == [0.01, 0.02]
    assert keycdn.requests[-1].headers["Authorization"].startswith("Basic ")


def test_5xx_is_retried_and_malformed_json_is_an_error_not_a_success(keycdn):
    client, slept = api(keycdn)
    keycdn.inject(502, raw=b"<html>Bad Gateway</html>", content_type="text/html")
    assert client.zones() == [] and slept == [0.01]
    keycdn.inject(200, raw=b'{"status": "success", "data": {"zones": [', content_type="application/json")
    with pytest.raises(KeyCdnError, match=r"HTTP 200: the answer is not KeyCDN's API JSON .*check api_base_url"):
        client.zones()
    keycdn.inject(200, body={"status": "error", "description": "nope"})
    with pytest.raises(KeyCdnError, match="the answer is not KeyCDN's API JSON"):
        client.zones()


def test_a_404_from_a_wrong_base_url_is_an_error_not_a_deleted_zone(keycdn):
    wrong = zone_props(keycdn, api_base_url=keycdn.base_url + "/v1")
    with pytest.raises(KeyCdnError, match=r"HTTP 404: not KeyCDN's error JSON: '<html>.*check api_base_url"):
        KeyCdnZoneProvider(FAST).read("190392", wrong)


def test_an_oversized_answer_is_refused(keycdn):
    client, _ = api(keycdn)
    keycdn.inject(200, raw=b'{"status": "success", "data": {"zones": ["' + b"x" * client.max_answer_bytes + b'"]}}')
    with pytest.raises(KeyCdnError, match="larger than"):
        client.zones()


def test_a_slow_answer_is_cut_at_the_deadline_and_a_long_retry_after_ends_the_call(keycdn):
    client, _ = api(keycdn, RetryPolicy(attempts=1, timeout=0.5))
    keycdn.inject(200, body=failure("x" * 40), trickle=0.05)
    started = time.monotonic()
    with pytest.raises(KeyCdnError, match=r"no answer: network error: TimeoutError: .*0\.5 s deadline"):
        client.zones()
    assert time.monotonic() - started < 1.5

    client, slept = api(keycdn, RetryPolicy(attempts=3, max_delay=60, call_timeout=5))
    keycdn.inject(429, body=failure("Too Many Requests"), headers={"Retry-After": "30"})
    with pytest.raises(KeyCdnError, match="HTTP 429") as raised:
        client.zones()
    assert slept == [] and "call's 5 s deadline" in raised.value.__notes__[0]


def test_an_unverifiable_tls_certificate_fails_at_once():
    with EspStandin(hostnames=("127.0.0.1",)) as untrusted:
        client = KeyCdnApi(KEY, f"https://127.0.0.1:{untrusted.port}", FAST, sleep=lambda _: None)
        with pytest.raises(KeyCdnError, match="TLS certificate of 127.0.0.1 could not be verified .*not retried"):
            client.zones()


def test_the_key_is_redacted_in_every_rendering_a_server_echoes(keycdn):
    client, _ = api(keycdn, RetryPolicy(attempts=1))
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    for echo in (KEY, basic, json.dumps(KEY), KEY.lower()):
        keycdn.inject(500, body=failure(f"upstream said {echo}"))
        with pytest.raises(KeyCdnError) as raised:
            client.zones()
        assert KEY.lower() not in str(raised.value).lower() and basic.rstrip("=") not in str(raised.value)
        assert "[api key redacted]" in str(raised.value)


@pytest.mark.parametrize("key", ["sk_prod_with space", "sk-prod-dashes0000000", "short", "sk_prod_" + "é" * 20])
def test_a_key_keycdn_does_not_issue_is_refused_before_any_request(keycdn, key):
    with pytest.raises(InvalidArgument) as raised:
        KeyCdnZoneProvider(FAST).create(zone_props(keycdn, api_key=key))
    assert raised.value.argument == "keycdn_api_key" and key not in str(raised.value)
    assert keycdn.requests == []


def test_the_key_comes_from_the_environment_when_the_state_has_none(keycdn, monkeypatch):
    monkeypatch.setenv("KEYCDN_API_KEY", KEY)
    KeyCdnZoneProvider(FAST).create(zone_props(keycdn, api_key=None))
    assert keycdn.zone_named("tracking") is not None


# ------------------------------------------------------------------------------------------------
# The stack program


def test_the_example_stack_builds_the_keycdn_front_door_for_sendgrid():
    run = run_stack("keycdn-example")
    assert run.stack_outputs["frontDoor"] == "keycdn"
    assert run.one(ZONE).inputs["origin_url"] == "https://sendgrid.net"
    assert sorted(r.inputs["name"] for r in run.of_type(ALIAS)) == sorted(
        yaml.safe_load((REPO / "stacks" / "Pulumi.keycdn-example.yaml").read_text())["config"]["tracking-cdn:domains"]
    )


def test_the_stack_s_keycdn_api_key_is_a_secret_setting_read_as_the_argument():
    run = run_stack("keycdn-example", {"tracking-cdn:keycdnApiKey": KEY})
    inputs = run.one(ZONE).inputs
    assert rpc.is_rpc_secret(inputs["api_key"]) and rpc.unwrap_rpc_secret(inputs["api_key"]) == KEY


def test_a_keycdn_api_key_in_another_front_door_s_stack_is_refused_naming_keycdn():
    with pytest.raises(InvalidArgument, match="keycdnApiKey: unknown key for the cloudfront front door .*keycdn front door"):
        run_stack("cloudfront-example", {"tracking-cdn:keycdnApiKey": KEY})


# ------------------------------------------------------------------------------------------------
# In a user's own program, tested the way Pulumi's docs teach


USER_TEST = '''
import pulumi


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        outputs = dict(args.inputs)
        if args.typ == "pulumi-python:dynamic/keycdn:Zone":
            outputs["zone_id"] = "190392"
        if args.typ == "pulumi-python:dynamic/keycdn:ZoneAlias":
            outputs["alias_id"] = "alias-" + args.inputs["name"]
        return [args.name + "-id", outputs]

    def call(self, args):
        raise NotImplementedError(args.token)


pulumi.runtime.set_mocks(Mocks(), project="acme-links", stack="dev", preview=False)

from tracking_cdn.keycdn import KeyCdnTrackingDomain  # noqa: E402

links = KeyCdnTrackingDomain("links", {"domains": ["go.acme.example"], "esp": "sendgrid", "zone_url_id": "9f9f"})


@pulumi.runtime.test
def test_the_link_domain_points_at_the_zone():
    def check(values):
        records, alias_ids, zone_id = values
        assert records == [{"name": "go.acme.example", "type": "CNAME", "value": "links-9f9f.kxcdn.com",
                             "purpose": "route"}]
        assert alias_ids == {"go.acme.example": "alias-go.acme.example"} and zone_id == "190392"

    return pulumi.Output.all(links.dns_records, links.alias_ids, links.zone_id).apply(check)
'''


def test_the_component_works_in_a_user_s_own_program_under_pulumi_s_own_mocks(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "Pulumi.yaml").write_text("name: acme-links\nruntime: python\n")
    (tmp_path / "test_links.py").write_text(USER_TEST)
    environment = {**os.environ, "PYTHONPATH": str(REPO / "components")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_links.py"],
                          cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
