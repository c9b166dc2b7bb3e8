"""SparkPostTrackingDomain: the provider against a local stand-in of SparkPost's current Tracking
Domains API (real HTTP on 127.0.0.1, with a real TLS front door for SparkPost's HTTPS check), the
client's hardening, the API key's secrecy, input validation, and the wiring under the mock engine."""

import base64
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import pulumi
import pytest
import yaml
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from esp_standin import EspStandin
from sparkpost_standin import SparkPostStandIn, error
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import run_offline
from tracking_cdn.stack import main as stack_program
from tracking_cdn.sparkpost import (
    API_BASE_URLS,
    MAX_RESPONSE_BYTES,
    RetryPolicy,
    SparkPostApi,
    SparkPostError,
    SparkPostTrackingDomain,
    SparkPostTrackingDomainProvider,
    TrackingDomainRefused,
    parse_retry_after,
    register_from_config,
    resolve_api_base_url,
)

KEY = "0123456789abcdef0123456789abcdef01234567"
"""SparkPost issues 40 hexadecimal characters (the key in its API reference's examples)."""
NEW_KEY = "fedcba9876543210fedcba9876543210fedcba98"
DOMAIN = "track.example.com"
API = "/api/v1/tracking-domains"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, timeout=2.0, check_interval=0.05)
DYNAMIC = "pulumi-python:dynamic:Resource"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sparkpost():
    with SparkPostStandIn(KEY) as standin:
        yield standin


@pytest.fixture
def front_door(sparkpost):
    """The front door's HTTPS, as SparkPost's check reaches it: refusing connections until a test
    makes it answer (``front_door.behaviour = "answer"``)."""
    with EspStandin(hostnames=(DOMAIN,)) as server:
        server.behaviour = "refuse"
        sparkpost.route_https(DOMAIN, server.port, server.ca_file)
        yield server


@pytest.fixture
def provider() -> SparkPostTrackingDomainProvider:
    return SparkPostTrackingDomainProvider(FAST)


@pytest.fixture(autouse=True)
def no_ambient_key(monkeypatch):
    monkeypatch.delenv("SPARKPOST_API_KEY", raising=False)


@pytest.fixture(autouse=True)
def pulumi_home(monkeypatch, tmp_path) -> Path:
    """Where the provider keeps its journal of creates under way (``$PULUMI_HOME``, not ~/.pulumi)."""
    home = tmp_path / "pulumi-home"
    monkeypatch.setenv("PULUMI_HOME", str(home))
    return home


def props(standin: SparkPostStandIn, **overrides) -> dict:
    """Resource properties as the engine hands them to the provider."""
    base = {"domain": DOMAIN, "secure": True, "api_base_url": standin.base_url, "api_key": KEY, "wait_seconds": 0}
    return {key: value for key, value in {**base, **overrides}.items() if value is not None}


def recording_api(standin: SparkPostStandIn, policy: RetryPolicy = FAST, **options) -> tuple[SparkPostApi, list[float]]:
    slept: list[float] = []
    return SparkPostApi(KEY, standin.base_url, retry=policy, sleep=slept.append, **options), slept


def bodies(standin: SparkPostStandIn, method: str = "PUT") -> list[dict]:
    return [request.body for request in standin.requests if request.method == method]


# ------------------------------------------------------------------------------------------------
# Converging a domain the resource creates: insecure first, secure once SparkPost's HTTPS check passes


def test_create_verifies_over_http_then_switches_to_secure_once_the_https_check_passes(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)
    front_door.behaviour = "answer"

    result = provider.create(props(sparkpost))

    assert result.id == DOMAIN
    assert sparkpost.calls() == [
        ("GET", f"{API}/{DOMAIN}"),  # not there yet
        ("POST", API),
        ("GET", f"{API}/{DOMAIN}"),
        ("POST", f"{API}/{DOMAIN}/verify"),  # over HTTP
        ("PUT", f"{API}/{DOMAIN}"),
        ("POST", f"{API}/{DOMAIN}/verify"),  # over HTTPS, through the front door
        ("GET", f"{API}/{DOMAIN}"),
    ]
    assert sparkpost.requests[1].body == {"domain": DOMAIN, "secure": False}
    assert bodies(sparkpost) == [{"secure": True}]
    outs = result.outs
    assert (outs["secure"], outs["verified"], outs["cname_status"], outs["pending"]) == (True, True, "", "")
    assert (outs["adopted"], outs["default"]) == (False, False)
    assert sparkpost.domain(DOMAIN)["secure"] is True and front_door.requests[0].server_name == DOMAIN


def test_without_dns_the_domain_stays_insecure_and_the_pending_step_says_what_to_do(sparkpost, front_door, provider):
    outs = provider.create(props(sparkpost)).outs

    assert outs["secure"] is False and outs["verified"] is False
    assert outs["pending"].startswith(f"dns: SparkPost has not verified '{DOMAIN}' (cname_status 'invalid')")
    assert "'route' record" in outs["pending"] and "`pulumi up` again" in outs["pending"]
    assert bodies(sparkpost) == [], "secure must not be tried before DNS verifies"


def test_verify_400_while_the_front_door_is_not_ready_then_success_once_it_is(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)

    created = provider.create(props(sparkpost))  # the front door's certificate is not there yet

    outs = created.outs
    assert outs["secure"] is False and outs["verified"] is True
    assert outs["pending"].startswith(
        f"https: SparkPost's HTTPS check of '{DOMAIN}' failed: HTTP request to https://{DOMAIN}:443 failed."
    )
    assert "http:// links" in outs["pending"] and f"`tracking-cdn check {DOMAIN}`" in outs["pending"]
    assert bodies(sparkpost) == [{"secure": True}, {"secure": False}], "switched back at once"
    assert sparkpost.domain(DOMAIN)["secure"] is False

    front_door.behaviour = "answer"
    assert provider.diff(DOMAIN, outs, props(sparkpost)).changes is True  # the next `pulumi up` continues
    updated = provider.update(DOMAIN, outs, props(sparkpost)).outs
    assert (updated["secure"], updated["verified"], updated["pending"]) == (True, True, "")
    assert provider.diff(DOMAIN, updated, props(sparkpost)).changes is False


def test_the_front_door_becoming_ready_within_wait_seconds_completes_in_one_create(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)
    threading.Timer(0.3, lambda: setattr(front_door, "behaviour", "answer")).start()

    outs = provider.create(props(sparkpost, wait_seconds=10)).outs

    assert (outs["secure"], outs["pending"]) == (True, "")
    attempts = bodies(sparkpost)
    assert attempts[-1] == {"secure": True} and {"secure": False} in attempts


def test_waiting_is_bounded_by_wait_seconds(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)
    started = time.monotonic()
    outs = provider.create(props(sparkpost, wait_seconds=1)).outs
    assert time.monotonic() - started < 2.5
    assert outs["pending"].startswith("https:") and outs["secure"] is False


def test_a_domain_already_secure_is_not_switched_back_when_the_check_fails(sparkpost, front_door, provider):
    sparkpost.add_domain(DOMAIN, secure=True, verified=True)
    sparkpost.point(DOMAIN)

    outs = provider.create(props(sparkpost, adopt_existing=True)).outs

    assert bodies(sparkpost) == [] and sparkpost.domain(DOMAIN)["secure"] is True
    assert "The domain is secure: https:// links fail until this is fixed" in outs["pending"]


def test_secure_false_switches_back_to_http_links(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, secure=True, verified=True)
    sparkpost.point(DOMAIN)
    outs = provider.create(props(sparkpost, secure=False, adopt_existing=True)).outs
    assert outs["secure"] is False and outs["pending"] == "" and bodies(sparkpost) == [{"secure": False}]


# ------------------------------------------------------------------------------------------------
# Adoption only when asked; a retried create is not adoption


def test_an_existing_domain_is_refused_unless_adoption_is_asked_and_nothing_changes(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, default=True, verified=True)

    with pytest.raises(TrackingDomainRefused) as raised:
        provider.create(props(sparkpost))

    message = str(raised.value)
    assert "already exists" in message and "did not create it" in message and "Nothing was changed" in message
    assert "adopt_existing=True" in message and "sparkpost.adoptExisting" in message and "import" in message
    assert [method for method, _ in sparkpost.calls()] == ["GET"]
    assert sparkpost.domain(DOMAIN)["default"] is True


def test_adoption_converges_secure_keeps_the_default_and_destroy_leaves_the_domain(sparkpost, front_door, provider):
    sparkpost.add_domain(DOMAIN, default=True, verified=True)
    sparkpost.point(DOMAIN)
    front_door.behaviour = "answer"

    outs = provider.create(props(sparkpost, adopt_existing=True)).outs

    assert (outs["adopted"], outs["secure"], outs["default"]) == (True, True, True)
    assert ("POST", API) not in sparkpost.calls()
    assert all("default" not in body for body in bodies(sparkpost)), "the live default was changed unasked"
    assert provider.diff(DOMAIN, outs, props(sparkpost, adopt_existing=True)).changes is False

    provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is not None
    assert ("DELETE", f"{API}/{DOMAIN}") not in sparkpost.calls()


def test_a_create_retried_after_a_lost_answer_is_the_calls_own_domain_not_adoption(sparkpost, provider):
    # SparkPost creates the domain, but the answer never arrives; the retried POST gets the 409.
    sparkpost.inject(lose_answer=True, method="POST")

    outs = provider.create(props(sparkpost)).outs

    assert [path for method, path in sparkpost.calls() if method == "POST" and path == API] == [API, API]
    assert outs["adopted"] is False
    provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is None, "a domain this stack created is deleted with it"


def test_a_409_at_the_first_attempt_is_someone_elses_domain(sparkpost, provider):
    # Created by someone else between the lookup and the POST.
    sparkpost.add_domain(DOMAIN)
    sparkpost.inject(404, body=error("resource not found"), method="GET")
    with pytest.raises(TrackingDomainRefused, match="already exists"):
        provider.create(props(sparkpost))
    assert sparkpost.domain(DOMAIN) is not None


def test_a_409_at_the_first_attempt_is_adopted_when_adoption_is_asked(sparkpost, front_door, provider):
    # Made in SparkPost's UI between the lookup and the POST: the POST's 409 leads to adoption.
    sparkpost.add_domain(DOMAIN, default=True, verified=True)
    sparkpost.point(DOMAIN)
    front_door.behaviour = "answer"
    sparkpost.inject(404, body=error("resource not found"), method="GET")

    outs = provider.create(props(sparkpost, adopt_existing=True)).outs

    assert ("POST", API) in sparkpost.calls(), "the create reached SparkPost and got its 409"
    assert (outs["adopted"], outs["secure"], outs["default"]) == (True, True, True)
    provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is not None, "an adopted domain stays in SparkPost"


def test_a_name_on_a_dns_blacklist_is_reported_in_sparkposts_words_and_not_retried(sparkpost, provider):
    sparkpost.dns_blacklisted.add(DOMAIN)

    with pytest.raises(SparkPostError) as raised:
        provider.create(props(sparkpost))

    assert str(raised.value) == (
        f"SparkPost create tracking domain {DOMAIN} failed: HTTP 400: domain is on a DNS blacklist "
        f"(param 'domain', value '{DOMAIN}')"
    )
    assert [call for call in sparkpost.calls() if call[0] == "POST"] == [("POST", API)], "a 400 is not retried"
    assert sparkpost.domain(DOMAIN) is None


def test_a_domain_held_by_another_subaccount_is_refused_naming_the_owner(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, subaccount=9)
    with pytest.raises(TrackingDomainRefused, match="outside subaccount 4 .*unique across"):
        provider.create(props(sparkpost, subaccount=4.0))
    with pytest.raises(TrackingDomainRefused, match="belongs to subaccount 9, not to the primary account"):
        provider.create(props(sparkpost, adopt_existing=True))


def test_a_create_that_fails_after_its_post_deletes_the_domain_again(sparkpost, provider):
    sparkpost.inject(500, times=10, body=error("internal error"), method="PUT")
    sparkpost.point(DOMAIN)
    sparkpost.route_https(DOMAIN, 9, "/nonexistent")

    with pytest.raises(SparkPostError, match="HTTP 500") as raised:
        provider.create(props(sparkpost))

    assert sparkpost.domain(DOMAIN) is None
    switch_back, deleted = raised.value.__notes__  # the PUT {"secure": true} may have been carried out
    assert switch_back.startswith(f"tracking domain '{DOMAIN}' could not be switched back to insecure")
    assert deleted == f"tracking domain '{DOMAIN}', created by this failed create, was deleted again"


# ------------------------------------------------------------------------------------------------
# Interrupted creates and updates: recoverable, nothing lost, ownership kept (issue 28)

FULL_CREATE = [  # the calls of a create that goes all the way to secure, front door not ready yet
    ("GET", f"{API}/{DOMAIN}"), ("POST", API), ("GET", f"{API}/{DOMAIN}"), ("POST", f"{API}/{DOMAIN}/verify"),
    ("PUT", f"{API}/{DOMAIN}"), ("POST", f"{API}/{DOMAIN}/verify"), ("PUT", f"{API}/{DOMAIN}"),
    ("GET", f"{API}/{DOMAIN}"),
]


def test_the_calls_of_a_create_are_the_ones_the_interruption_tests_fail_in_turn(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)
    provider.create(props(sparkpost))
    assert sparkpost.calls() == FULL_CREATE


def test_a_post_whose_answer_is_lost_for_good_is_resolved_by_reading_the_domain_back(sparkpost, provider):
    # SparkPost creates the domain, the answer is lost, and SparkPost fails every retry of the POST.
    sparkpost.inject(lose_answer=True, method="POST")
    sparkpost.inject(503, times=FAST.attempts - 1, body=error("Service Unavailable"), method="POST")

    outs = provider.create(props(sparkpost))

    assert outs.outs["adopted"] is False
    provider.delete(DOMAIN, outs.outs)
    assert sparkpost.domain(DOMAIN) is None, "a domain this stack created is deleted with it"


@pytest.mark.parametrize("failing", range(len(FULL_CREATE)), ids=[f"{i}-{m} {p}" for i, (m, p) in enumerate(FULL_CREATE)])
def test_a_create_interrupted_at_any_call_is_retried_with_nothing_lost_and_ownership_kept(
    sparkpost, front_door, provider, failing
):
    sparkpost.point(DOMAIN)
    sparkpost.outage(after=failing, body=error("Service Unavailable"))  # SparkPost goes down at that call
    with pytest.raises((SparkPostError, TrackingDomainRefused)):
        provider.create(props(sparkpost))
    left = sparkpost.domain(DOMAIN)
    sparkpost.end_outage()

    outs = provider.create(props(sparkpost)).outs  # the next `pulumi up`

    assert outs["adopted"] is False, f"left behind {left}; the retry took it over as someone else's"
    assert outs["secure"] is False and sparkpost.domain(DOMAIN)["secure"] is False, "HTTPS never passed"
    assert outs["pending"].startswith("https:")
    provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is None


UPDATE_TO_SECURE = [  # an insecure, verified domain asked to become secure, front door not ready
    ("GET", f"{API}/{DOMAIN}"), ("POST", f"{API}/{DOMAIN}/verify"), ("PUT", f"{API}/{DOMAIN}"),
    ("POST", f"{API}/{DOMAIN}/verify"), ("PUT", f"{API}/{DOMAIN}"), ("GET", f"{API}/{DOMAIN}"),
]
SWITCH_BACK = 4


@pytest.mark.parametrize("failing", range(len(UPDATE_TO_SECURE)), ids=[f"{i}-{m} {p}" for i, (m, p) in enumerate(UPDATE_TO_SECURE)])
def test_an_update_to_secure_failing_at_any_call_never_leaves_https_links_without_https(
    sparkpost, front_door, provider, failing
):
    sparkpost.point(DOMAIN)
    olds = provider.create(props(sparkpost, secure=False)).outs
    before = len(sparkpost.requests)
    sparkpost.inject(503, times=FAST.attempts, after=failing, body=error("Service Unavailable"))

    try:
        provider.update(DOMAIN, olds, props(sparkpost))
    except SparkPostError as error_:
        if failing != SWITCH_BACK:
            assert "switched back" in " ".join(getattr(error_, "__notes__", [])) or sparkpost.domain(DOMAIN)["secure"] is False
    assert sparkpost.calls()[before:before + failing] == UPDATE_TO_SECURE[:failing]
    if failing != SWITCH_BACK:  # SparkPost refused the switch back itself: only the next `up` can
        assert sparkpost.domain(DOMAIN)["secure"] is False, "new mail would get https:// links the front door fails"

    outs = provider.update(DOMAIN, olds, props(sparkpost)).outs  # the next `pulumi up`
    assert (outs["secure"], sparkpost.domain(DOMAIN)["secure"]) == (False, False)
    assert outs["pending"].startswith("https:")


def test_a_provider_killed_after_its_post_leaves_a_domain_the_next_create_recognises(sparkpost, pulumi_home):
    # The engine's provider process is killed (SIGKILL) after SparkPost carried out its POST.
    sparkpost.inject(200, delay=30, method="GET", after=2)  # the read after the POST hangs
    code = (
        "import json, sys; from tracking_cdn.sparkpost import SparkPostTrackingDomainProvider, RetryPolicy; "
        "SparkPostTrackingDomainProvider(RetryPolicy(attempts=1, timeout=60)).create(json.loads(sys.argv[1]))"
    )
    environment = {**__import__("os").environ, "PULUMI_HOME": str(pulumi_home)}
    process = subprocess.Popen([sys.executable, "-c", code, json.dumps(props(sparkpost))], env=environment)
    try:
        deadline = time.monotonic() + 20
        while ("POST", API) not in sparkpost.calls() or len(sparkpost.requests) < 3:
            assert time.monotonic() < deadline and process.poll() is None, "the create did not get that far"
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    assert sparkpost.domain(DOMAIN) is not None

    outs = SparkPostTrackingDomainProvider(FAST).create(props(sparkpost)).outs

    assert outs["adopted"] is False
    assert not list(pulumi_home.rglob("*.json")), "the journal entry goes once the create is done"


def test_a_leftover_without_its_journal_entry_is_refused_naming_the_one_step(sparkpost, provider, pulumi_home):
    # As above, but the next `pulumi up` runs on another machine: the journal entry is not there.
    sparkpost.outage(after=2, body=error("Service Unavailable"))
    with pytest.raises(SparkPostError):
        provider.create(props(sparkpost))
    sparkpost.end_outage()
    for entry in pulumi_home.rglob("*.json"):
        entry.unlink()

    with pytest.raises(TrackingDomainRefused) as raised:
        provider.create(props(sparkpost))

    message = str(raised.value)
    assert "did not create it" in message and "interrupted" in message
    assert "delete it in SparkPost" in message and "docs/sparkpost.md" in message


# ------------------------------------------------------------------------------------------------
# Managed HTTPS (V2 endpoints)


def test_a_domain_with_a_sparkpost_managed_certificate_is_refused_in_front_of_a_cdn(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, secure=True, managed=True)  # created in the UI after December 2025

    with pytest.raises(TrackingDomainRefused) as raised:
        provider.create(props(sparkpost, adopt_existing=True))

    message = str(raised.value)
    assert "certificate managed by SparkPost (tls_status 'valid', expires 2026-05-30T00:00:00Z)" in message
    assert "breaks the renewals" in message and "Nothing was changed" in message
    assert "managed_certificate=True with esp sparkpost-v2" in message
    assert [method for method, _ in sparkpost.calls()] == ["GET", "GET"]


def test_a_managed_certificate_switched_on_in_the_ui_later_is_detected_on_update(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)
    front_door.behaviour = "answer"
    outs = provider.create(props(sparkpost)).outs
    sparkpost.domain(DOMAIN).update(uses_managed_certificate=True)

    with pytest.raises(TrackingDomainRefused, match="certificate managed by SparkPost"):
        provider.update(DOMAIN, outs, props(sparkpost))


def test_the_managed_path_enables_sparkposts_certificate_and_goes_secure_once_it_is_valid(sparkpost, provider):
    sparkpost.point(DOMAIN, "v2.spgo.io")
    wanted = props(sparkpost, managed_certificate=True)

    outs = provider.create(wanted).outs

    assert ("POST", f"{API}/{DOMAIN}/certificate/check") in sparkpost.calls()
    assert ("POST", f"{API}/{DOMAIN}/certificate/enable") in sparkpost.calls()
    assert (outs["uses_managed_certificate"], outs["tls_status"], outs["secure"]) == (True, "pending", False)
    assert outs["pending"].startswith(f"certificate: SparkPost's managed certificate for '{DOMAIN}' is 'pending'")

    sparkpost.issue_certificate(DOMAIN)
    outs = provider.update(DOMAIN, outs, wanted).outs
    assert (outs["tls_status"], outs["secure"], outs["pending"]) == ("valid", True, "")
    assert outs["certificate_expires_at"] == "2026-05-30T00:00:00Z"
    assert sum(call == ("POST", f"{API}/{DOMAIN}/certificate/enable") for call in sparkpost.calls()) == 1


def test_the_managed_path_completes_in_one_create_when_the_certificate_is_issued_in_time(sparkpost, provider):
    sparkpost.point(DOMAIN, "v2.spgo.io")
    sparkpost.issue_on_enable = True
    outs = provider.create(props(sparkpost, managed_certificate=True)).outs
    assert (outs["tls_status"], outs["secure"], outs["verified"], outs["pending"]) == ("valid", True, True, "")


def test_a_domain_not_eligible_for_a_managed_certificate_is_refused_and_removed_again(sparkpost, provider):
    sparkpost.point(DOMAIN)  # at a front door, not at v2.spgo.io
    with pytest.raises(TrackingDomainRefused, match="not eligible for a managed certificate.*dig CNAME"):
        provider.create(props(sparkpost, managed_certificate=True))
    assert sparkpost.domain(DOMAIN) is None


def test_a_managed_certificate_cannot_be_turned_off(sparkpost, provider):
    old = props(sparkpost, managed_certificate=True)
    with pytest.raises(TrackingDomainRefused, match="no API to turn that off"):
        provider.update(DOMAIN, old, props(sparkpost))
    assert sparkpost.requests == []


# ------------------------------------------------------------------------------------------------
# Default, delete, read, diff, subaccounts, keys


def test_default_is_set_once_verified_and_never_hits_sparkposts_422(sparkpost, front_door, provider):
    sparkpost.add_domain("old.example.com", default=True, verified=True)
    outs = provider.create(props(sparkpost, default=True)).outs

    assert outs["default"] is False and "default: SparkPost makes only a verified domain the default" in outs["pending"]
    assert all("default" not in body for body in bodies(sparkpost))

    sparkpost.point(DOMAIN)
    front_door.behaviour = "answer"
    outs = provider.update(DOMAIN, outs, props(sparkpost, default=True)).outs
    assert outs["default"] is True and outs["pending"] == ""
    assert sparkpost.domain("old.example.com")["default"] is False  # SparkPost moves its one default


def test_default_false_is_applied_when_given(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, default=True, verified=True)
    sparkpost.point(DOMAIN)
    outs = provider.create(props(sparkpost, secure=False, default=False, adopt_existing=True)).outs
    assert outs["default"] is False and {"default": False} in bodies(sparkpost)


def test_delete_removes_the_domain_and_tolerates_one_already_gone(sparkpost, provider):
    outs = provider.create(props(sparkpost)).outs
    provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is None
    assert sparkpost.calls()[-1] == ("DELETE", f"{API}/{DOMAIN}")

    provider.delete(DOMAIN, outs)  # SparkPost's own 404: nothing left to delete, not an error


def test_read_returns_live_state_and_an_empty_id_once_deleted_outside_pulumi(sparkpost, front_door, provider):
    sparkpost.point(DOMAIN)
    front_door.behaviour = "answer"
    outs = provider.create(props(sparkpost)).outs
    sparkpost.domain(DOMAIN)["secure"] = False  # someone switched it back in the UI

    read = provider.read(DOMAIN, outs)
    assert read.id == DOMAIN and read.outs["adopted"] is False
    assert read.outs["secure"] is False and read.outs["verified"] is True
    assert provider.diff(DOMAIN, read.outs, props(sparkpost)).changes is True

    del sparkpost.domains[DOMAIN]
    assert provider.read(DOMAIN, outs).id == ""


def test_read_of_an_import_marks_the_domain_adopted(sparkpost, provider):
    sparkpost.add_domain(DOMAIN, secure=True, verified=True)
    read = provider.read(DOMAIN, props(sparkpost))  # `pulumi import` passes the inputs only
    assert (read.id, read.outs["adopted"], read.outs["secure"]) == (DOMAIN, True, True)


def test_diff_replaces_on_identity_changes_and_updates_in_place_otherwise(sparkpost, provider):
    old = {**props(sparkpost), "default": False, "verified": True, "cname_status": "", "compliance_status": "valid"}

    assert provider.diff(DOMAIN, old, props(sparkpost)).changes is False  # no default asked: left alone
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
    assert {request.headers["X-MSYS-SUBACCOUNT"] for request in sparkpost.requests} == {"42"}
    assert sparkpost.domain(DOMAIN)["subaccount_id"] == 42


def test_the_key_comes_from_the_environment_when_the_state_has_none(sparkpost, provider, monkeypatch):
    monkeypatch.setenv("SPARKPOST_API_KEY", KEY)
    provider.create(props(sparkpost, api_key=None))
    assert {r.headers["Authorization"] for r in sparkpost.requests} == {KEY}


def test_no_key_anywhere_is_refused_before_any_request(sparkpost, provider):
    with pytest.raises(InvalidArgument, match="^api_key: no SparkPost API key.*SPARKPOST_API_KEY"):
        provider.create(props(sparkpost, api_key=None))
    assert sparkpost.requests == []


def test_a_rotated_key_says_to_run_up_first_without_retrying_or_showing_a_key(sparkpost, provider):
    provider.create(props(sparkpost))
    sparkpost.api_key = NEW_KEY  # the old one was revoked; the state still holds it
    before = len(sparkpost.requests)

    with pytest.raises(SparkPostError) as raised:
        provider.read(DOMAIN, props(sparkpost))

    message = str(raised.value)
    assert "HTTP 401" in message and "Unauthorized." in message
    assert "after rotating it, set the new key and run `pulumi up` first" in message
    assert KEY not in message
    assert sparkpost.calls()[before:] == [("GET", f"{API}/{DOMAIN}")], "a 401 is not retried"

    outs = provider.update(DOMAIN, props(sparkpost), props(sparkpost, api_key=NEW_KEY)).outs
    assert provider.read(DOMAIN, outs).id == DOMAIN


# ------------------------------------------------------------------------------------------------
# The client: only SparkPost's answers count; deadlines, caps, TLS, retries


@pytest.mark.parametrize(
    "answer",
    [
        {"raw": b"<html><body>Welcome</body></html>", "content_type": "text/html"},
        {"body": {"results": "x"}},
        {"body": [{"domain": DOMAIN}]},
        {"body": {"domain": DOMAIN}},
        {"raw": b""},
    ],
    ids=["html-page", "results-not-an-object", "a-list", "no-results", "empty"],
)
def test_a_200_that_is_not_sparkposts_json_is_an_error_not_a_success(sparkpost, answer):
    api, slept = recording_api(sparkpost)
    sparkpost.inject(200, **answer)
    with pytest.raises(SparkPostError, match=r"HTTP 200: the answer is not SparkPost's API JSON .*check api_base_url"):
        api.get(DOMAIN)
    assert slept == []


def test_a_404_from_a_wrong_base_url_neither_drops_the_resource_nor_counts_as_deleted(sparkpost, provider):
    wrong = props(sparkpost, api_base_url=sparkpost.root_url + "/v1")
    with pytest.raises(SparkPostError, match=r"HTTP 404: not SparkPost's error JSON: '<html>.*check api_base_url"):
        provider.read(DOMAIN, wrong)
    with pytest.raises(SparkPostError, match="HTTP 404"):
        provider.delete(DOMAIN, wrong)


def test_a_delete_answered_by_a_web_page_is_not_counted_as_done(sparkpost, provider):
    outs = provider.create(props(sparkpost)).outs
    sparkpost.inject(200, raw=b"<html>Moved to our new portal</html>", content_type="text/html", method="DELETE")
    with pytest.raises(SparkPostError, match=r"HTTP 200: the answer is not SparkPost's API JSON \(expected no body"):
        provider.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is not None


def test_an_answer_larger_than_the_cap_is_refused(sparkpost):
    api, _ = recording_api(sparkpost)
    sparkpost.inject(200, raw=b'{"results": {"domain": "' + b"x" * MAX_RESPONSE_BYTES + b'"}}')
    with pytest.raises(SparkPostError, match=f"larger than {MAX_RESPONSE_BYTES} bytes"):
        api.get(DOMAIN)


def test_a_trickled_answer_is_cut_at_the_overall_deadline(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=1, timeout=0.5))
    sparkpost.inject(200, body={"results": {"domain": DOMAIN, "padding": "x" * 40}}, trickle=0.05)
    started = time.monotonic()
    with pytest.raises(SparkPostError, match=r"no answer: network error: TimeoutError: .*0\.5 s deadline"):
        api.get(DOMAIN)
    assert time.monotonic() - started < 1.5  # the body alone would take over 3 s


def test_an_unverifiable_tls_certificate_fails_at_once_saying_so():
    with EspStandin(hostnames=("127.0.0.1",)) as untrusted:  # its own CA, unknown to the client
        slept: list[float] = []
        api = SparkPostApi(KEY, f"https://127.0.0.1:{untrusted.port}/api/v1", retry=FAST, sleep=slept.append)
        with pytest.raises(SparkPostError, match="TLS certificate of 127.0.0.1 could not be verified .*not retried"):
            api.get(DOMAIN)
    assert slept == []


def test_409_other_than_already_exists_is_an_error(sparkpost):
    api, _ = recording_api(sparkpost)
    sparkpost.inject(409, body=error("Something else conflicts."))
    with pytest.raises(SparkPostError, match="HTTP 409: Something else conflicts."):
        api.create(DOMAIN, False)


def test_422_quotes_sparkposts_message_param_and_value_and_is_not_retried(sparkpost):
    api, slept = recording_api(sparkpost)
    with pytest.raises(SparkPostError) as raised:
        api.create("exampledomaincom", True)
    assert str(raised.value) == (
        "SparkPost create tracking domain exampledomaincom failed: HTTP 422: domain must be valid "
        "(param 'domain', value 'exampledomaincom')"
    )
    assert len(sparkpost.requests) == 1 and slept == []


def test_429_is_retried_after_the_servers_retry_after(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=3, base_delay=0.01, max_delay=60))
    sparkpost.inject(429, headers={"Retry-After": "7"}, body=error("Too many requests"))

    assert api.create(DOMAIN, False) is True
    assert slept == [7.0]
    assert sparkpost.calls() == [("POST", API)] * 2


def test_retry_after_is_capped(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=2, base_delay=0.01, max_delay=5))
    sparkpost.inject(429, headers={"Retry-After": "3600"})
    api.create(DOMAIN, False)
    assert slept == [5.0]


def test_persistent_500_gives_up_after_bounded_attempts_with_exponential_backoff(sparkpost):
    api, slept = recording_api(sparkpost, RetryPolicy(attempts=4, base_delay=0.5, max_delay=30))
    sparkpost.inject(500, times=10, body=error("database unavailable"))

    with pytest.raises(SparkPostError, match=r"HTTP 500: database unavailable"):
        api.verify(DOMAIN)
    assert len(sparkpost.requests) == 4
    assert slept == [0.5, 1.0, 2.0]


def test_a_refused_connection_is_retried_then_reported():
    slept: list[float] = []
    with SparkPostStandIn(KEY) as closed:
        url = closed.base_url  # the port is free again once the stand-in stops
    api = SparkPostApi(KEY, url, retry=RetryPolicy(attempts=2, base_delay=0.01), sleep=slept.append)
    with pytest.raises(SparkPostError, match="no answer: network error: ConnectionRefusedError"):
        api.get(DOMAIN)
    assert slept == [0.01]


def test_a_redirect_is_an_error_and_the_key_is_not_replayed_elsewhere(sparkpost):
    with SparkPostStandIn("other") as elsewhere:
        sparkpost.inject(302, headers={"Location": f"{elsewhere.base_url}/tracking-domains/{DOMAIN}"})
        api, _ = recording_api(sparkpost)
        with pytest.raises(SparkPostError, match="HTTP 302"):
            api.get(DOMAIN)
        assert elsewhere.requests == []


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("12", 12.0), ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0), ("soon", None), (None, None)],
)
def test_retry_after_accepts_seconds_and_http_dates(header, seconds):
    from datetime import datetime, timezone

    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert parse_retry_after(header, now) == seconds


# ------------------------------------------------------------------------------------------------
# The API key and the base URL stay safe


def test_errors_never_contain_the_key_even_when_the_server_echoes_it(sparkpost):
    api, _ = recording_api(sparkpost, RetryPolicy(attempts=1))
    sparkpost.inject(500, body=error(f"your Authorization header was {KEY}"))
    with pytest.raises(SparkPostError) as raised:
        api.get(DOMAIN)
    assert KEY not in str(raised.value) and "[api key redacted]" in str(raised.value)
    assert KEY not in repr(api)


def test_the_key_is_redacted_in_every_rendering_of_an_echoed_answer(sparkpost):
    api, _ = recording_api(sparkpost, RetryPolicy(attempts=1))
    echoes = [
        {"body": error("no such domain", "domain", KEY)},  # shown as param/value, repr-quoted
        {"raw": b"<html>" + b"x" * (200 - 6 - len(KEY) // 2) + KEY.encode() + b"</html>", "content_type": "text/html"},
        {"raw": b"upstream said: Authorization=" + KEY.upper().encode(), "content_type": "text/plain"},
    ]
    for echo in echoes:
        sparkpost.inject(500, **echo)
        with pytest.raises(SparkPostError) as raised:
            api.get(DOMAIN)
        shown = str(raised.value)
        for part in (KEY, KEY[: len(KEY) // 2], KEY[len(KEY) // 2 :]):
            assert part.lower() not in shown.lower(), f"{part!r} shown in {shown!r}"


@pytest.mark.parametrize(
    "key", ["Ab'cd\\ef0123456789abcdef0123456789abcdef", "0123456789abcdef-test-key-do-not-leak", KEY[:-1], KEY + "0",
            "g" * 40],
    ids=["quote-and-backslash", "not-hex", "39-characters", "41-characters", "40-non-hex"],
)
def test_a_key_sparkpost_does_not_issue_is_refused_before_any_request_without_showing_it(sparkpost, provider, key):
    with pytest.raises(InvalidArgument) as raised:
        provider.create(props(sparkpost, api_key=key))
    assert raised.value.argument == "api_key" and "40 hexadecimal characters" in str(raised.value)
    assert key not in str(raised.value) and key[:10] not in str(raised.value)
    assert sparkpost.requests == []


def test_a_malformed_key_is_refused_without_showing_it(sparkpost):
    bad = "secret-part\r\nX-Injected: 1"
    with pytest.raises(InvalidArgument) as raised:
        SparkPostApi(bad, sparkpost.base_url)
    assert "secret-part" not in str(raised.value) and str(raised.value).startswith("api_key:")


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2@api.sparkpost.com/api/v1",
        "http://127.0.0.1:1@api.sparkpost.com/api/v1",
        "https://:hunter2@127.0.0.1/api/v1",
    ],
)
def test_a_base_url_with_credentials_is_refused_without_showing_them(url):
    with pytest.raises(InvalidArgument, match="^api_base_url: contains credentials") as raised:
        resolve_api_base_url(api_base_url=url)
    assert "hunter2" not in str(raised.value) and "127.0.0.1:1" not in str(raised.value)


@pytest.mark.parametrize("url", ["http://api.sparkpost.com/api/v1", "http://localhost:8080/api/v1", "http://10.0.0.1/v1"])
def test_plain_http_to_anything_but_a_loopback_address_is_refused_in_the_program_and_the_provider(url, provider):
    with pytest.raises(InvalidArgument, match="plain http, which would send the API key in clear"):
        resolve_api_base_url(api_base_url=url)
    with pytest.raises(InvalidArgument, match="plain http"):  # a URL from an older state
        provider.read(DOMAIN, {"domain": DOMAIN, "api_base_url": url, "api_key": KEY})


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


def test_a_provider_serialized_by_0_2_0_still_loads_and_works(sparkpost):
    """Every deployed stack holds its provider pickled by reference to tracking_cdn.sparkpost (0.2.0's
    SparkPostTrackingDomainProvider and RetryPolicy); refresh and destroy unpickle that one."""
    import dill

    serialized = (REPO / "tests" / "fixtures" / "sparkpost-provider-0.2.0.b64").read_text().strip()
    old = dill.loads(base64.b64decode(serialized))

    assert type(old) is SparkPostTrackingDomainProvider and old.retry.attempts == 5
    assert old.retry.call_timeout == RetryPolicy().call_timeout  # a field added since: its default
    outs = old.create(props(sparkpost)).outs
    assert old.read(DOMAIN, outs).id == DOMAIN
    old.delete(DOMAIN, outs)
    assert sparkpost.domain(DOMAIN) is None


def test_the_key_is_a_secret_input_and_output_and_absent_from_the_provider():
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


def test_defaults_are_secure_leave_default_alone_refuse_adoption_and_use_the_us_api():
    run = run_offline(lambda: SparkPostTrackingDomain("sp", {"domain": "Track.Example.com.", "api_key": KEY}))
    inputs = run.one(DYNAMIC).inputs
    assert inputs["domain"] == DOMAIN
    assert (inputs["secure"], inputs["adopt_existing"], inputs["managed_certificate"]) == (True, False, False)
    assert inputs["wait_seconds"] == 120
    assert inputs["api_base_url"] == API_BASE_URLS["us"] == "https://api.sparkpost.com/api/v1"
    assert "subaccount" not in inputs and "default" not in inputs


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"esp": "sparkpost-eu-v2"}, "https://api.eu.sparkpost.com/api/v1"),
        ({"esp": "sparkpost-enterprise", "tenant": "Acme"}, "https://acme.api.e.sparkpost.com/api/v1"),
        ({"esp": "sparkpost-enterprise", "api_base_url": "https://api.acme.example/api/v1/"},
         "https://api.acme.example/api/v1"),
        ({"region": "eu"}, "https://api.eu.sparkpost.com/api/v1"),
        ({"api_base_url": "http://[::1]:8080/api/v1"}, "http://[::1]:8080/api/v1"),
    ],
)
def test_the_api_base_url_follows_esp_tenant_region_or_the_explicit_url(args, expected):
    assert resolve_api_base_url(**args) == expected


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


def test_a_renamed_project_is_told_its_own_key_setting_and_following_it_works():
    """Pulumi.yaml renamed to my-tracking: the stack program refuses tracking-cdn: keys there, so the
    missing-key warning must name my-tracking:sparkpostApiKey."""
    config = {
        "aws:region": "us-west-2", "my-tracking:frontDoor": "cloudfront", "my-tracking:domains": [DOMAIN],
        "my-tracking:sparkpost": {"secure": True},
    }
    run = run_offline(stack_program, config=config, project="my-tracking")
    (warning,) = [warning for warning in run.warnings if "no SparkPost API key" in warning]
    assert "`pulumi config set --secret my-tracking:sparkpostApiKey <key>`" in warning and "tracking-cdn" not in warning

    key = "my-tracking:sparkpostApiKey"
    run = run_offline(stack_program, config={**config, key: KEY}, secret_keys=(key,), project="my-tracking")
    assert not [warning for warning in run.warnings if "API key" in warning]
    assert rpc.unwrap_rpc_secret(run.one(DYNAMIC).inputs["api_key"]) == KEY


@pytest.mark.parametrize("key", ["acme:sparkpostApiKey", "tracking-cdn:sparkpostApiKey"])
def test_a_program_of_another_name_reads_the_key_in_its_namespace_or_the_shipped_one(key):
    run = run_offline(lambda: SparkPostTrackingDomain("sp", {"domain": DOMAIN}), config={key: KEY},
                      secret_keys=(key,), project="acme")
    assert rpc.unwrap_rpc_secret(run.one(DYNAMIC).inputs["api_key"]) == KEY


def test_a_root_domain_is_refused_with_sparkposts_reason():
    with pytest.raises(InvalidArgument, match="^domain: 'example.com' is a root domain; SparkPost's tracking "
                                              "domains must be subdomains .*'track.example.com'"):
        run_offline(lambda: SparkPostTrackingDomain("sp", {"domain": "example.com", "api_key": KEY}))


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"domain": "https://track.example.com/"}, "domain"),
        ({"domain": "*.example.com"}, "domain"),
        ({"domain": "example.com"}, "domain"),
        ({}, "domain"),
        ({"domain": DOMAIN, "secure": "yes"}, "secure"),
        ({"domain": DOMAIN, "default": 1}, "default"),
        ({"domain": DOMAIN, "subaccount": "12"}, "subaccount"),
        ({"domain": DOMAIN, "subaccount": True}, "subaccount"),
        ({"domain": DOMAIN, "region": "ap"}, "region"),
        ({"domain": DOMAIN, "esp": "sendgrid"}, "esp"),
        ({"domain": DOMAIN, "esp": "sparkpost-enterprise"}, "tenant"),
        ({"domain": DOMAIN, "esp": "sparkpost-enterprise", "region": "us", "tenant": "acme"}, "region"),
        ({"domain": DOMAIN, "tenant": "acme"}, "tenant"),
        ({"domain": DOMAIN, "api_base_url": "http://api.sparkpost.com/api/v1"}, "api_base_url"),
        ({"domain": DOMAIN, "region": "eu", "api_base_url": "https://api.eu.sparkpost.com/api/v1"}, "api_base_url"),
        ({"domain": DOMAIN, "api_key": "two words"}, "api_key"),
        ({"domain": DOMAIN, "managed_certificate": True}, "managed_certificate"),
        ({"domain": DOMAIN, "esp": "sparkpost-v2", "managed_certificate": True, "secure": False}, "secure"),
        ({"domain": DOMAIN, "wait_seconds": 3600}, "wait_seconds"),
        ({"domain": DOMAIN, "adopt_existing": "yes"}, "adopt_existing"),
        ({"domain": DOMAIN, "port": 443}, "port"),
        ({"domain": pulumi.Output.from_input(DOMAIN)}, "domain"),
    ],
)
def test_bad_input_is_refused_naming_the_argument_before_anything_registers(args, argument):
    with pytest.raises(InvalidArgument) as raised:
        run_offline(lambda: SparkPostTrackingDomain("sp", {"api_key": KEY, **args}))
    assert raised.value.argument == argument


def test_the_managed_path_is_offered_for_v2_profiles():
    args = {"domain": DOMAIN, "api_key": KEY, "esp": "sparkpost-eu-v2", "managed_certificate": True}
    inputs = run_offline(lambda: SparkPostTrackingDomain("sp", args)).one(DYNAMIC).inputs
    assert inputs["managed_certificate"] is True and inputs["api_base_url"] == API_BASE_URLS["eu"]


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


def run_with_front_door(config: dict, returned: Optional[dict] = None, with_front_door: bool = True):
    def program():
        front_door = None
        if with_front_door:
            front_door = pulumi.ComponentResource("test:index:FrontDoor", "front")
            pulumi.CustomResource("test:index:Edge", "edge", {}, pulumi.ResourceOptions(parent=front_door))
        (returned if returned is not None else {}).update(register_from_config(front_door, pulumi.Config("tracking-cdn")))

    return run_offline(program, config=config, secret_keys=("tracking-cdn:sparkpostApiKey",))


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
    assert "default" not in resources["sparkpost-track.example.com"].inputs, "the other domain's default is left alone"


def test_new_config_keys_reach_the_resources():
    settings = {"adoptExisting": True, "waitSeconds": 600, "default": False}
    config = sparkpost_config(**{
        "tracking-cdn:sparkpost": settings,
        "tracking-cdn:esp": "sparkpost-enterprise",
        "tracking-cdn:tenant": "acme",
        "tracking-cdn:sparkpostApiKey": KEY,
    })
    for resource in run_with_front_door(config).of_type(DYNAMIC):
        inputs = resource.inputs
        assert (inputs["adopt_existing"], inputs["wait_seconds"], inputs["default"]) == (True, 600, False)
        assert inputs["api_base_url"] == "https://acme.api.e.sparkpost.com/api/v1"
        assert rpc.unwrap_rpc_secret(inputs["api_key"]) == KEY


def test_managed_certificates_are_configurable_only_without_a_front_door():
    config = sparkpost_config(**{
        "tracking-cdn:esp": "sparkpost-v2", "tracking-cdn:sparkpost": {"managedCertificate": True},
    })
    with pytest.raises(InvalidArgument, match="would break its renewals") as raised:
        run_with_front_door(config)
    assert raised.value.argument == "sparkpost.managedCertificate"

    resources = run_with_front_door(config, with_front_door=False).of_type(DYNAMIC)
    assert [r.inputs["managed_certificate"] for r in resources] == [True, True]
    assert all(r.dependencies == [] for r in resources)


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
        ({"tracking-cdn:esp": "sparkpost-enterprise", "tracking-cdn:sparkpost": {}}, "tenant"),
        ({"tracking-cdn:sparkpost": {"region": "apac"}}, "sparkpost.region"),
        ({"tracking-cdn:sparkpost": {"secure": "yes"}}, "sparkpost.secure"),
        ({"tracking-cdn:sparkpost": {"adoptExisting": 1}}, "sparkpost.adoptExisting"),
        ({"tracking-cdn:sparkpost": {"waitSeconds": -1}}, "sparkpost.waitSeconds"),
        ({"tracking-cdn:sparkpost": {"apiBaseUrl": "https://u:p@api.sparkpost.com/api/v1"}}, "sparkpost.apiBaseUrl"),
        ({"tracking-cdn:domains": ["example.com"]}, "domains[0]"),
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
    assert all(r.inputs["secure"] is True and r.inputs["adopt_existing"] is False for r in resources)
