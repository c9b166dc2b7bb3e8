"""``tracking-cdn check --app-links`` (issue 17) and the ESP profiles without a health path (issue 21),
against the real nginx front door of tests/check_frontdoor.py: good and broken app-link files (a
redirect, the wrong content type, invalid JSON, plain HTTP only, 404, an untrusted certificate) give
the verdict, the device's conclusion and the exit code a user relies on."""

from __future__ import annotations

import json
from typing import Iterator

import pytest

from app_links_sample import FINGERPRINT, PACKAGE, TEAM_APP
from check_frontdoor import (
    APP_LINKS, APP_LINKS_BAD_JSON, APP_LINKS_HTTP_ONLY, APP_LINKS_REDIRECT, APP_LINKS_UNTRUSTED, APP_LINKS_WRONG_TYPE,
    BAD_GATEWAY, FORBIDDEN, HEALTHY, FrontDoor, running_front_door,
)
from tracking_cdn.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
IOS_CONCLUSION = f"iOS would associate {TEAM_APP} (applinks: /f/open-in-app/*)"
ANDROID_CONCLUSION = f"Android would verify {PACKAGE} (delegate_permission/common.handle_all_urls, signed by {FINGERPRINT})"


@pytest.fixture(scope="module")
def front_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FrontDoor]:
    yield from running_front_door(tmp_path_factory.mktemp("frontdoor"))


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(["check", *argv])
    except SystemExit as exit:  # argparse refusing the command line
        code = exit.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def checks_of(argv: list[str], capsys) -> tuple[int, dict[str, dict]]:
    code, out, _ = run([*argv, "--json"], capsys)
    document = json.loads(out)
    assert document["exit_code"] == code
    (domain,) = document["domains"]
    return code, {item["name"]: item for item in domain["checks"]}


def deep_links(front_door: FrontDoor, domain: str, capsys, platforms: str = "") -> tuple[int, dict]:
    option = f"--app-links={platforms}" if platforms else "--app-links"
    code, checks = checks_of([*front_door.args(domain), option], capsys)
    return code, checks["deep-links"]


# --- deep links ---------------------------------------------------------------------------------------


def test_good_files_pass_and_say_what_each_device_concludes(front_door, capsys):
    code, checks = checks_of([*front_door.args(APP_LINKS), "--app-links"], capsys)
    assert code == 0
    assert list(checks) == ["dns", "tls-certificate", "tls-protocols", "https", "http", "caching", "deep-links", "hsts"]
    result = checks["deep-links"]
    assert result["verdict"] == "pass"
    assert result["summary"] == "served as iOS and Android require (200, application/json, no redirect, HTTPS, valid)"
    assert IOS_CONCLUSION in result["evidence"] and ANDROID_CONCLUSION in result["evidence"]
    # Content-Type parameters are allowed; what was received is shown.
    assert any("assetlinks.json -> 200 OK" in line and "application/json; charset=utf-8" in line
               for line in result["evidence"])


def test_without_the_option_there_is_no_deep_links_check(front_door, capsys):
    _, checks = checks_of(front_door.args(APP_LINKS), capsys)
    assert "deep-links" not in checks


def test_a_redirected_file_fails_naming_the_device_and_the_redirect(front_door, capsys):
    code, result = deep_links(front_door, APP_LINKS_REDIRECT, capsys)
    assert code == 1 and result["verdict"] == "fail"
    assert result["summary"] == (
        "Android would not use it: 301 redirect to https://www.example.com/.well-known/assetlinks.json "
        "(redirects are refused for this file)"
    )
    assert IOS_CONCLUSION in result["evidence"]  # Apple's file on the same domain is fine
    assert result["hint"]


def test_asking_for_one_platform_checks_only_its_file(front_door, capsys):
    code, result = deep_links(front_door, APP_LINKS_REDIRECT, capsys, platforms="apple")
    assert (code, result["verdict"]) == (0, "pass")
    assert result["summary"].startswith("served as iOS requires (200")
    assert not any("assetlinks" in line for line in result["evidence"])


def test_the_wrong_content_type_fails(front_door, capsys):
    code, result = deep_links(front_door, APP_LINKS_WRONG_TYPE, capsys)
    assert code == 1
    assert result["summary"] == (
        "iOS would not use it: Content-Type is 'text/plain', not application/json; "
        "Android would not use it: Content-Type is 'text/plain', not application/json"
    )


def test_invalid_json_and_the_wrong_shape_fail_with_what_a_device_would_trip_on(front_door, capsys):
    code, result = deep_links(front_door, APP_LINKS_BAD_JSON, capsys)
    assert code == 1
    ios, android = result["summary"].split("; Android would not use it: ")
    assert ios.startswith("iOS would not use it: apple-app-site-association: is not valid JSON: ")
    assert android == "assetlinks.json: must be a JSON list of statements, not a JSON object"


def test_files_on_plain_http_only_fail_and_say_so(front_door, capsys):
    code, result = deep_links(front_door, APP_LINKS_HTTP_ONLY, capsys)
    assert code == 1
    for device in ("iOS", "Android"):
        assert (f"{device} would not use it: 404 Not Found; plain HTTP serves it, but devices fetch it over "
                "HTTPS only") in result["summary"]
    assert any(line.startswith("GET http://") and "-> 200 OK" in line for line in result["evidence"])


def test_missing_files_fail_with_404(front_door, capsys):
    code, result = deep_links(front_door, HEALTHY, capsys)
    assert code == 1
    assert result["summary"] == "iOS would not use it: 404 Not Found; Android would not use it: 404 Not Found"


def test_an_untrusted_certificate_fails_even_though_the_files_are_right(front_door, capsys):
    code, result = deep_links(front_door, APP_LINKS_UNTRUSTED, capsys)
    assert code == 1
    assert result["summary"].startswith("iOS would not use it: HTTPS with a valid certificate is required (")


def test_text_output_shows_the_conclusions_under_the_check(front_door, capsys):
    code, out, _ = run([*front_door.args(APP_LINKS), "--app-links"], capsys)
    assert code == 0
    assert "  pass  deep-links       served as iOS and Android require" in out
    assert f"                         {IOS_CONCLUSION}" in out


def test_the_same_run_gives_the_same_report(front_door, capsys):
    argv = [*front_door.args(APP_LINKS_REDIRECT, APP_LINKS), "--app-links", "--json"]
    first = json.loads(run(argv, capsys)[1])
    second = json.loads(run(argv, capsys)[1])
    for document in (first, second):
        for domain in document["domains"]:
            for check in domain["checks"]:
                if check["name"] == "caching":  # Age and the cache status change between runs
                    check["evidence"] = []
    assert first == second


@pytest.mark.parametrize("value", ["ios", "apple,windows", ""])
def test_an_unknown_platform_is_refused(value, capsys):
    code, out, err = run(["track.example.com", f"--app-links={value}"], capsys)
    assert code == 2 and out == ""
    assert "argument --app-links: expected apple, android or apple,android" in err


# --- ESPs that document no health path (issue 21) ------------------------------------------------------


@pytest.mark.parametrize("esp", ["iterable", "iterable-eu", "customerio", "customerio-eu"])
def test_profiles_without_a_health_path_check_reachability_and_say_so(front_door, capsys, esp):
    code, checks = checks_of([*front_door.args(HEALTHY), "--esp", esp], capsys)
    assert code == 0
    reachable = (
        f"answered 404 for / (Server: msys-http); {esp} documents no health path, so this cannot tell "
        f"whether {esp} itself answered (reachability only)"
    )
    assert checks["https"]["summary"] == reachable
    assert checks["http"]["summary"] == f"served over plain HTTP (no redirect): {reachable}"
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "pass"
        assert checks[name]["evidence"][0].endswith("/ -> 404 Not Found; Server: msys-http")


def test_ses_needs_its_region_and_checks_reachability(front_door, capsys):
    code, _, err = run(["track.example.com", "--esp", "ses"], capsys)
    assert code == 2 and "error: --esp-region: the 'ses' profile needs the AWS region" in err
    code, checks = checks_of([*front_door.args(HEALTHY), "--esp", "ses", "--esp-region", "eu-west-1"], capsys)
    assert code == 0
    assert "reachability only" in checks["https"]["summary"]
    code, out, _ = run([*front_door.args(HEALTHY), "--esp", "ses", "--esp-region", "eu-west-1"], capsys)
    assert out.startswith("ESP ses (endpoint r.eu-west-1.awstrack.me)")


@pytest.mark.parametrize("domain, status, verdict", [(BAD_GATEWAY, 502, "fail"), (FORBIDDEN, 403, "warn")])
def test_reachability_still_fails_on_the_front_doors_own_errors(front_door, capsys, domain, status, verdict):
    code, checks = checks_of([*front_door.args(domain), "--esp", "iterable"], capsys)
    assert code == {"fail": 1, "warn": 2}[verdict]
    for name in ("https", "http"):
        assert checks[name]["verdict"] == verdict
        assert str(status) in checks[name]["summary"]
        assert checks[name]["hint"]


def test_ses_is_compared_with_its_endpoint_on_port_80(front_door, capsys):
    """SES is reached over plain HTTP: a domain resolving to the endpoint's own addresses on port 80
    still points at the ESP."""
    argv = [*front_door.args(HEALTHY), "--esp", "ses", "--esp-region", "eu-west-1",
            "--resolve", "r.eu-west-1.awstrack.me:80:127.0.0.1"]
    code, checks = checks_of(argv, capsys)
    assert code == 2
    assert "still points straight at the ESP endpoint r.eu-west-1.awstrack.me" in checks["dns"]["summary"]
