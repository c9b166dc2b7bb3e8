"""``tracking-cdn check`` against a front door that misbehaves on purpose (tests/hostile_peer.py, on
127.0.0.1): slow answers, bytes that would redraw the terminal, broken redirects, and header values
with the whitespace HTTP allows around them (issue 16)."""

from __future__ import annotations

import json
import time
from typing import Iterator

import pytest

from hostile_peer import HostilePeer, name_in_subject_only
from tracking_cdn.cli import main

ESCAPE = "\x1b[2K\r  pass  https            the ESP answered 302"  # erases the line, prints a fake verdict
TRICKLE = "track.trickle.invalid"
ANSI = "track.ansi.invalid"
LOOP = "track.loop.invalid"
BAD_PORT = "track.badport.invalid"
BAD_IPV6 = "track.badv6.invalid"
PADDED = "track.padded.invalid"
CADDY_STYLE = "track.twoservers.invalid"
# The TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
NAMES = (TRICKLE, ANSI, LOOP, BAD_PORT, BAD_IPV6, PADDED, CADDY_STYLE,
         "trickle.invalid", "ansi.invalid", "loop.invalid", "badport.invalid", "badv6.invalid", "padded.invalid",
         "twoservers.invalid")
ESP_CLICK = b"HTTP/1.1 302 Found\r\nServer: msys-http\r\nLocation: https://landing.example.com/\r\nContent-Length: 0\r\n\r\n"


def redirect(location: str, server: str = "") -> bytes:
    server_line = f"Server: {server}\r\n" if server else ""
    return f"HTTP/1.1 302 Found\r\n{server_line}Location: {location}\r\nContent-Length: 0\r\n\r\n".encode("latin-1")


@pytest.fixture(scope="module")
def peer() -> Iterator[HostilePeer]:
    answers = {
        ANSI: f"HTTP/1.1 403 Forbidden\r\nServer: {ESCAPE}\r\nContent-Length: 0\r\n\r\n".encode("latin-1"),
        LOOP: redirect("/f/a/"),  # relative: the very URL that was asked for
        BAD_PORT: redirect("https://track.badport.invalid:99999/", "front"),
        BAD_IPV6: redirect("https://[::1/", "front"),
        PADDED: b"HTTP/1.1 302 Found\r\nServer: \t msys-http \t\r\nLocation:  https://landing.example.com/ \r\n"
        b"Content-Length: 0\r\n\r\n",
        # Two Server lines, as Caddy sends in front of an ESP: one value "Caddy, msys-http" (RFC 9110 5.3).
        CADDY_STYLE: b"HTTP/1.1 302 Found\r\nServer: Caddy\r\nServer: msys-http\r\n"
        b"Location: https://landing.example.com/\r\nContent-Length: 0\r\n\r\n",
    }
    with HostilePeer(answers, names=NAMES, certificate_unit=ESCAPE) as running:
        yield running


def run_check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def checks_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    _, out = run_check([*argv, "--json"], capsys)
    (domain,) = json.loads(out)["domains"]
    return {item["name"]: item for item in domain["checks"]}


def test_a_trickled_answer_ends_at_the_deadline_as_a_failure(capsys):
    """--timeout bounds each check as a whole: a server sending one byte at a time cannot stretch a
    1 s check into minutes and then pass it."""
    with HostilePeer({TRICKLE: ESP_CLICK}, names=NAMES) as slow:
        slow.trickle_seconds = 0.1  # the whole answer would take about 10 s
        started = time.monotonic()
        checks = checks_of(slow.args(TRICKLE, timeout=1), capsys)
        elapsed = time.monotonic() - started
    assert elapsed < 3.5, f"a 1 s deadline per check took {elapsed:.1f} s"
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "fail"
        assert "no complete answer within 1 s" in checks[name]["summary"]


def test_server_controlled_text_cannot_redraw_the_terminal(peer, capsys):
    code, out = run_check(peer.args(ANSI), capsys)
    assert code == 1
    assert "\x1b" not in out and "\r" not in out
    assert "\\x1b[2K\\r  pass  https" in out  # shown, escaped: the Server header and the certificate subject
    assert out.count("\\x1b[2K") >= 2
    assert f"{ANSI}: FAIL" in out


def test_json_output_keeps_the_exact_text_escaped_by_json(peer, capsys):
    _, out = run_check([*peer.args(ANSI), "--json"], capsys)
    assert "\x1b" not in out and "\\u001b[2K" in out
    (domain,) = json.loads(out)["domains"]
    https = next(item for item in domain["checks"] if item["name"] == "https")
    assert ESCAPE in https["summary"]


def test_a_redirect_to_itself_is_a_failure_not_a_warning(peer, capsys):
    checks = checks_of(peer.args(LOOP), capsys)
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "fail"
        assert "redirect loop" in checks[name]["summary"]
        assert checks[name]["hint"]


@pytest.mark.parametrize(
    ("domain", "reason"),
    [(BAD_PORT, "Port out of range 0-65535"), (BAD_IPV6, "Invalid IPv6 URL")],
)
def test_an_unusable_location_is_a_failure_with_a_clear_message(peer, capsys, domain, reason):
    checks = checks_of(peer.args(domain), capsys)
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "fail"
        assert "unexpected error" not in checks[name]["summary"]
        assert "broken redirect: Location" in checks[name]["summary"] and reason in checks[name]["summary"]


def test_whitespace_around_header_values_is_not_part_of_them(peer, capsys):
    """RFC 9110 5.5: an ESP answering 'Server: msys-http ' is the ESP."""
    checks = checks_of(peer.args(PADDED), capsys)
    assert checks["https"]["verdict"] == "pass", checks["https"]
    assert "Server: msys-http)" in checks["https"]["summary"]
    assert "Location: https://landing.example.com/" in checks["https"]["evidence"][0]


def test_a_proxy_that_adds_its_own_server_line_still_shows_the_esp(peer, capsys):
    checks = checks_of(peer.args(CADDY_STYLE), capsys)
    assert checks["https"]["verdict"] == "pass"
    assert "Server: Caddy, msys-http" in checks["https"]["summary"]


# --- certificates as browsers verify them (issue 28) ----------------------------------------------------

CN_ONLY = "track.cnonly.invalid"


@pytest.mark.parametrize("ip_address", [None, "127.0.0.1"], ids=["no subjectAltName", "an IP subjectAltName only"])
def test_a_name_only_in_the_subject_common_name_fails_as_browsers_fail_it(capsys, ip_address):
    """Python's ssl falls back to the CN when no DNS name is listed; Chrome 58+, iOS 13+ and Firefox
    48+ do not, so neither does check (the certificate is otherwise trusted and current)."""
    with HostilePeer({CN_ONLY: ESP_CLICK}, names=(), certificate=name_in_subject_only(CN_ONLY, ip_address)) as peer:
        checks = checks_of(peer.args(CN_ONLY), capsys)
    certificate = checks["tls-certificate"]
    assert certificate["verdict"] == "fail"
    assert certificate["summary"] == (
        f"the certificate names {CN_ONLY} only in its subject's common name (CN), with no DNS subjectAltName: "
        "browsers (Chrome 58+, iOS 13+, Firefox 48+) ignore the CN")
    assert "subjectAltName" in certificate["hint"]
    assert f"subject: commonName={CN_ONLY}" in certificate["evidence"]


# --- Location read as browsers read it (issue 28) -----------------------------------------------------

LOCATIONS = {
    # A browser's URL parser reads "\" as "/": the host is evil.example.net; urlsplit read spgo.io.
    "track.backslash.invalid": ("https://evil.example.net\\@spgo.io/f/a/", "has a backslash"),
    "track.userinfo.invalid": ("https://user@spgo.io/f/a/", "has user information (user@host)"),
    "track.noslashes.invalid": ("https:spgo.io/f/a/", "has no // after https:"),
    "track.threeslashes.invalid": ("https:///spgo.io/f/a/", "has more than two slashes"),
    "track.tab.invalid": ("https://spgo\t.io/f/a/", "has a control character"),
    "track.encoded.invalid": ("https://spg%6F.io/f/a/", "has a percent-encoded or non-ASCII host"),
}
SCHEMES = {
    "track.ftp.invalid": "ftp://spgo.io/f/a/",
    "track.downgrade.invalid": "http://spgo.io/f/a/",
    "track.toesp.invalid": "https://spgo.io/f/a/",
}


@pytest.fixture(scope="module")
def redirects() -> Iterator[HostilePeer]:
    answers = {domain: redirect(location) for domain, (location, _) in LOCATIONS.items()}
    answers.update({domain: redirect(location) for domain, location in SCHEMES.items()})
    names = [*answers, *(domain.split(".", 1)[1] for domain in answers)]
    with HostilePeer(answers, names=names) as running:
        yield running


@pytest.mark.parametrize("domain", LOCATIONS)
def test_a_location_browsers_read_differently_fails_instead_of_passing_as_the_esp(redirects, capsys, domain):
    location, reason = LOCATIONS[domain]
    checks = checks_of(redirects.args(domain), capsys)
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "fail", checks[name]
        assert f"broken redirect: Location {location!r} {reason}" in checks[name]["summary"]


def test_a_redirect_to_a_scheme_browsers_do_not_follow_fails(redirects, capsys):
    checks = checks_of(redirects.args("track.ftp.invalid"), capsys)
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "fail"
        assert checks[name]["summary"] == "redirects to a ftp: URL of spgo.io, which browsers do not follow"


def test_a_redirect_from_https_to_plain_http_fails_and_from_http_it_passes(redirects, capsys):
    checks = checks_of(redirects.args("track.downgrade.invalid"), capsys)
    assert checks["https"]["verdict"] == "fail"
    assert checks["https"]["summary"] == "redirects to http://spgo.io: the click leaves HTTPS for plain HTTP"
    assert checks["http"]["verdict"] == "pass"


def test_control_a_plain_https_redirect_to_the_esp_passes(redirects, capsys):
    checks = checks_of(redirects.args("track.toesp.invalid"), capsys)
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "pass"
        assert "redirects to the ESP endpoint spgo.io" in checks[name]["summary"]
