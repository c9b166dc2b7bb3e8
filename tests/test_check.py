"""``tracking-cdn check`` against a real nginx front door and the ESP stand-in on 127.0.0.1: every
situation of issue 8 gives the verdict, evidence and exit code a user (or cron) relies on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from check_frontdoor import (
    BAD_GATEWAY, CACHED, CACHED_LONG, EXPIRED, EXPIRING, FORBIDDEN, HANGING, HEALTHY, HSTS_CHILD,
    NXDOMAIN, ORIGIN_TIMEOUT, REDIRECT_TO_ESP, REDIRECTING, TLS10_ONLY, UNTRUSTED, WRONG_NAME, FrontDoor, free_port,
    running_front_door,
)
from tracking_cdn.check import checks
from tracking_cdn.cli import main

REPO = Path(__file__).resolve().parent.parent
# The TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")


@pytest.fixture(scope="module")
def front_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FrontDoor]:
    yield from running_front_door(tmp_path_factory.mktemp("frontdoor"))


def run_check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``tracking-cdn check ARGV`` in-process; returns the exit code, stdout and stderr."""
    try:
        code = main(["check", *argv])
    except SystemExit as exit:  # argparse refusing the command line
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def checks_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:
    """Exit code and the ``--json`` checks of the one domain in ``argv``, by check name."""
    code, out, err = run_check([*argv, "--json"], capsys)
    assert "Traceback" not in out + err
    document = json.loads(out)
    assert document["exit_code"] == code
    (domain,) = document["domains"]
    return code, {item["name"]: item for item in domain["checks"]}


def verdicts(checks: dict[str, dict]) -> dict[str, str]:
    return {name: item["verdict"] for name, item in checks.items()}


def test_a_healthy_domain_passes_every_check_and_reaches_the_esp(front_door, capsys):
    code, checks = checks_of(front_door.args(HEALTHY), capsys)
    assert code == 0
    assert verdicts(checks) == {
        "dns": "pass", "tls-certificate": "pass", "tls-protocols": "pass", "https": "pass",
        "http": "pass", "caching": "pass", "hsts": "info",
    }
    assert "msys-http" in checks["https"]["summary"] and "302" in checks["https"]["summary"]
    assert "no redirect" in checks["http"]["summary"]
    assert "refused: TLS 1.1, TLS 1.0" in checks["tls-protocols"]["evidence"]
    assert "names: " in " ".join(checks["tls-certificate"]["evidence"])


def test_human_output_names_each_verdict_and_the_exit_code(front_door, capsys):
    code, out, _ = run_check(front_door.args(HEALTHY), capsys)
    assert code == 0
    assert f"{HEALTHY}: PASS" in out
    assert "pass  https" in out and "the ESP answered 302 (Server: msys-http)" in out
    assert out.rstrip().endswith("exit code 0")


def test_http_redirected_to_https_on_the_same_host_passes_when_meant_and_says_so(front_door, capsys):
    code, checks = checks_of([*front_door.args(REDIRECTING), "--redirect-http-to-https"], capsys)
    assert code == 0
    assert checks["http"]["verdict"] == "pass"
    assert "redirected to HTTPS on the same host" in checks["http"]["summary"]


def test_a_redirect_to_https_nobody_asked_for_is_a_warning(front_door, capsys):
    """The front doors' default is no redirect (links in delivered mail are http://): a redirect
    without --redirect-http-to-https was configured somewhere else, e.g. a zone setting."""
    code, checks = checks_of(front_door.args(REDIRECTING), capsys)
    assert (code, checks["http"]["verdict"]) == (2, "warn")
    assert "although no redirect was asked for (redirect_http_to_https is false)" in checks["http"]["summary"]
    assert "Always Use HTTPS" not in checks["http"]["summary"], "nginx answered, not Cloudflare"
    assert "--redirect-http-to-https" in checks["http"]["hint"]


def test_plain_http_served_when_a_redirect_is_meant_is_a_warning(front_door, capsys):
    code, checks = checks_of([*front_door.args(HEALTHY), "--redirect-http-to-https"], capsys)
    assert (code, checks["http"]["verdict"]) == (2, "warn")
    assert checks["http"]["summary"].startswith("served over plain HTTP, not redirected to HTTPS")


def test_a_redirect_style_front_door_to_the_esp_passes_both_schemes(front_door, capsys):
    code, checks = checks_of(front_door.args(REDIRECT_TO_ESP), capsys)
    assert code == 0
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "pass"
        assert "redirects to the ESP endpoint spgo.io" in checks[name]["summary"]
        assert "Location: https://spgo.io/f/a/" in checks[name]["evidence"][0]


@pytest.mark.parametrize(
    "domain, expected",
    [
        (EXPIRED, "expired 3 days ago"),
        (WRONG_NAME, "not valid for track.wrongname.invalid (it covers other.invalid)"),
        (UNTRUSTED, "chain is not trusted"),
    ],
)
def test_a_bad_certificate_fails_with_what_is_wrong(front_door, capsys, domain, expected):
    code, checks = checks_of(front_door.args(domain), capsys)
    assert code == 1
    certificate = checks["tls-certificate"]
    assert certificate["verdict"] == "fail"
    assert expected in certificate["summary"]
    assert certificate["hint"]
    # The ESP is still reached through the front door: the certificate is the one problem reported.
    assert checks["https"]["verdict"] == "pass"


def test_a_certificate_close_to_expiry_is_a_warning(front_door, capsys):
    code, checks = checks_of(front_door.args(EXPIRING), capsys)
    assert code == 2
    assert checks["tls-certificate"]["verdict"] == "warn"
    assert "expires in 4 days" in checks["tls-certificate"]["summary"]


def test_a_certificate_expiring_tomorrow_says_1_day():
    not_after = time.strftime("%b %d %H:%M:%S %Y GMT", time.gmtime(time.time() + 1.5 * 86400))
    result = checks._judge_valid_certificate("track.example.com", {"notAfter": not_after})
    assert result.summary.endswith("expires in 1 day")


def test_a_tls_1_0_only_server_fails(front_door, capsys):
    code, checks = checks_of(front_door.args(TLS10_ONLY, https_port=front_door.tls10_port), capsys)
    assert code == 1
    protocols = checks["tls-protocols"]
    assert protocols["verdict"] == "fail"
    assert "accepted: TLS 1.0" in protocols["evidence"]
    assert checks["https"]["verdict"] == "fail"


def test_a_closed_http_port_fails_the_http_check(front_door, capsys):
    code, checks = checks_of(front_door.args(HEALTHY, http_port=free_port()), capsys)
    assert code == 1
    assert checks["http"]["verdict"] == "fail"
    assert "connection refused" in checks["http"]["summary"]
    assert checks["https"]["verdict"] == "pass"


@pytest.mark.parametrize("domain, status", [(FORBIDDEN, 403), (BAD_GATEWAY, 502), (ORIGIN_TIMEOUT, 504)])
def test_a_front_door_error_page_is_not_mistaken_for_the_esp(front_door, capsys, domain, status):
    code, checks = checks_of(front_door.args(domain), capsys)
    assert code == 1
    for name in ("https", "http"):
        assert checks[name]["verdict"] == "fail"
        assert f"answered {status}" in checks[name]["summary"] and "not the ESP (msys-http)" in checks[name]["summary"]
        assert checks[name]["hint"]
    assert checks["caching"]["verdict"] == "skip"


def test_an_answer_slower_than_the_timeout_fails_within_the_timeout(front_door, capsys):
    argv = front_door.args(HANGING, timeout=1)
    started = time.monotonic()
    code, checks = checks_of(argv, capsys)
    assert time.monotonic() - started < 3.5
    assert code == 1
    assert checks["https"]["verdict"] == "fail"
    assert "no complete answer within 1 s" in checks["https"]["summary"]


def run_without_network(script: str) -> subprocess.CompletedProcess:
    """Python ``script`` in a network namespace of its own (only loopback, and that down): a name
    that is not pinned fails to resolve there without a DNS query leaving the machine."""
    if not shutil.which("unshare") and not os.environ.get("CI"):
        pytest.skip("unshare (util-linux) is not installed")
    return subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", script],
        capture_output=True, text=True, timeout=60, cwd=REPO, env=os.environ.copy(),
    )


def check_with_resolver(answer: str) -> subprocess.CompletedProcess:
    """``tracking-cdn check NXDOMAIN`` in namespaces of its own whose only DNS resolver, on
    127.0.0.1, answers every query with ``answer`` (tests/dns_stub.py): no query leaves the machine."""
    if not shutil.which("unshare") and not os.environ.get("CI"):
        pytest.skip("unshare (util-linux) is not installed")
    return subprocess.run(
        ["unshare", "-rnm", sys.executable, str(REPO / "tests" / "dns_stub.py"), answer, NXDOMAIN, "--timeout", "3"],
        capture_output=True, text=True, timeout=60, cwd=REPO, env=os.environ.copy(),
    )


@pytest.mark.parametrize(("answer", "summary"), [
    ("nxdomain", f"{NXDOMAIN} does not resolve: no such name (Name or service not known)"),
    ("nodata", f"{NXDOMAIN} does not resolve: the name has no address record (No address associated with hostname)"),
])
def test_a_missing_record_fails_dns_says_so_and_skips_the_rest(answer, summary):
    result = check_with_resolver(answer)
    assert result.returncode == 1, result.stderr
    (domain,) = json.loads(result.stdout)["domains"]
    checks = {item["name"]: item for item in domain["checks"]}
    assert (checks["dns"]["verdict"], checks["dns"]["summary"]) == ("fail", summary)
    assert checks["dns"]["hint"].startswith("create the record the front door needs")
    assert {checks[name]["verdict"] for name in ("tls-certificate", "https", "http", "caching")} == {"skip"}


@pytest.mark.parametrize("answer", ["unreachable", "servfail", "refused"])
def test_a_resolver_that_gives_no_answer_is_not_reported_as_a_missing_record(answer):
    """"Temporary failure in name resolution" used to get the missing record's hint: create the record."""
    result = check_with_resolver(answer)
    assert result.returncode == 1, result.stderr
    (domain,) = json.loads(result.stdout)["domains"]
    dns = next(item for item in domain["checks"] if item["name"] == "dns")
    assert dns["verdict"] == "fail"
    assert dns["summary"] == (f"could not look up {NXDOMAIN}: the DNS resolver gave no usable answer "
                              "(Temporary failure in name resolution)")
    assert dns["hint"].startswith("this says nothing about the record")
    assert f"--resolve {NXDOMAIN}:443:ADDRESS" in dns["hint"]


def test_a_domain_still_pointing_at_the_esp_is_a_warning(front_door, capsys):
    argv = front_door.args(HEALTHY) + ["--resolve", "spgo.io:443:127.0.0.1"]
    code, checks = checks_of(argv, capsys)
    assert code == 2
    assert checks["dns"]["verdict"] == "warn"
    assert "still points straight at the ESP endpoint spgo.io" in checks["dns"]["summary"]


def test_caching_within_10_seconds_passes_and_reports_the_hit(front_door, capsys):
    code, checks = checks_of(front_door.args(CACHED), capsys)
    assert code == 0
    assert checks["caching"]["verdict"] == "pass"
    assert "cache hit (TTL 10 s)" in checks["caching"]["summary"]
    assert "X-Cache-Status: HIT".lower() in checks["caching"]["evidence"][1].lower()


def test_caching_that_hides_repeat_clicks_is_a_warning(front_door, capsys):
    code, checks = checks_of(front_door.args(CACHED_LONG), capsys)
    assert code == 2
    assert checks["caching"]["verdict"] == "warn"
    assert "hidden from the ESP for up to 3600 s" in checks["caching"]["summary"]


def test_hsts_with_include_subdomains_on_the_parent_is_reported(front_door, capsys):
    code, checks = checks_of(front_door.args(HSTS_CHILD), capsys)  # pins the parent, HSTS_PARENT, too
    assert code == 0
    assert checks["hsts"]["verdict"] == "info"
    assert "includeSubDomains" in checks["hsts"]["summary"] and "HTTPS on the tracking domain is mandatory" in checks["hsts"]["summary"]


def test_domains_are_checked_concurrently_and_reported_in_order(front_door, capsys):
    argv = front_door.args(HANGING, HEALTHY, EXPIRED, timeout=1)
    started = time.monotonic()
    code, out, _ = run_check([*argv, "--json"], capsys)
    elapsed = time.monotonic() - started
    document = json.loads(out)
    assert code == 1
    assert [(d["domain"], d["verdict"]) for d in document["domains"]] == [
        (HANGING, "fail"), (HEALTHY, "pass"), (EXPIRED, "fail"),
    ]
    failed = {d["domain"]: [c["name"] for c in d["checks"] if c["verdict"] == "fail"] for d in document["domains"]}
    assert failed == {HANGING: ["https", "http"], HEALTHY: [], EXPIRED: ["tls-certificate"]}
    assert elapsed < 3.5  # one hanging domain costs its 1 s timeout once, not once per domain


@pytest.mark.parametrize(
    "argv, message",
    [
        (["https://track.example.com/"], "error: DOMAIN #1: 'https://track.example.com/' is not a bare host name"),
        (["track.example.com", "--esp", "mailgun"], "error: --esp: unknown ESP profile 'mailgun'; known profiles: sparkpost"),
        (["track.example.com", "--esp", "custom"], "error: --origin-host: the 'custom' ESP profile needs --origin-host"),
        (["track.example.com", "--esp", "sparkpost-enterprise", "--tenant", "acm\u212a"], "error: --tenant: a tenant is one ASCII"),
        (["trac\u212a.example.com"], "DOMAIN #1: 'trac\u212a.example.com' is not ASCII (it contains U+212A)"),
        (["track.example.com", "--resolve", "track.example.com:443"], "argument --resolve: expected HOST:PORT:ADDRESS"),
        (["track.example.com", "--resolve", "track.example.com:443:localhost"], "does not appear to be an IPv4 or IPv6"),
        (["track.example.com", "--timeout", "0"], "argument --timeout: expected seconds greater than 0 and at most 300"),
        (["track.example.com", "--timeout", "\u0662.\u0665"], "argument --timeout: expected seconds greater than 0"),
        (["track.example.com", "--https-port", "70000"], "argument --https-port: expected a TCP port 1-65535, such as 8443"),
        (["track.example.com", "--https-port", "\u00b2"], "argument --https-port: expected a TCP port 1-65535"),
        (["track.example.com", "--ca-bundle", "/nonexistent/ca.pem"], "--ca-bundle: '/nonexistent/ca.pem' is not a readable PEM file"),
    ],
)
def test_bad_input_is_refused_with_exit_2_in_one_line_naming_the_argument(argv, message, capsys):
    code, out, err = run_check(argv, capsys)
    assert code == 2
    assert message in err
    assert out == "" and "Traceback" not in err and err.count("\n") == 1


def test_the_command_imports_no_pulumi_module():
    result = run_without_network(
        "import sys\n"
        "from tracking_cdn.cli import main\n"
        f"code = main(['check', '{NXDOMAIN}', '--timeout', '2', '--json'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi')), code, file=sys.stderr)\n"
    )
    assert result.stderr.strip().splitlines()[-1] == "[] 1", result.stderr
    assert json.loads(result.stdout)["domains"][0]["checks"][0]["verdict"] == "fail"
