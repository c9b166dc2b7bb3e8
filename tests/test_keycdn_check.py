"""``tracking-cdn check`` against a KeyCDN front door, on loopback (issue 29).

No KeyCDN account is reachable here, so the edge is a local stand-in (``keycdn_edge``) that applies
exactly the zone and aliases a ``KeyCdnTrackingDomain`` registered under the mock engine. Behind it,
the ESP stand-in plays SendGrid or SparkPost. What a user depends on: before KeyCDN has issued a
domain's certificate the check says so (the shared *.kxcdn.com certificate does not name the domain)
while plain HTTP already works; once issued, everything passes; the click reaches the ESP with the
Host it routes on, the viewer's User-Agent, path and query string; nothing is cached by default."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from typing import Iterator

import pulumi
import pytest

from esp_standin import EspStandin
from keycdn_edge import KeyCdnEdge
from tracking_cdn import offline
from tracking_cdn.cli import main
from tracking_cdn.keycdn import KeyCdnTrackingDomain

TRACK = "track.example.invalid"
CLICK = "click2.example.invalid"
# check's TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")


def component_run(**args):
    def program():
        KeyCdnTrackingDomain("tracking", {"domains": [TRACK, CLICK], "zone_url_id": "1a2b3c",
                                          "keycdn_api_key": "sk_prod_zbSVNe8gVUMT4KjYcJWuyC86", **args})

    return offline.run_offline(program)


@pytest.fixture(scope="module")
def sendgrid() -> Iterator[EspStandin]:
    with EspStandin(hostnames=("sendgrid.net",)) as standin:
        yield standin


@pytest.fixture(scope="module")
def sparkpost() -> Iterator[EspStandin]:
    with EspStandin(hostnames=("spgo.io",)) as standin:
        yield standin


def edge_for(standin: EspStandin, host: str, **args) -> KeyCdnEdge:
    return KeyCdnEdge(component_run(**args), origins={host: standin.port}, origin_ca=standin.ca)


def check(edge: KeyCdnEdge, domain: str, esp: str, tmp_path, capsys, *flags: str) -> tuple[int, dict[str, dict]]:
    """``tracking-cdn check DOMAIN --esp ESP --json [FLAGS]`` with the domain and its parent pinned to the
    edge stand-in (no DNS query leaves the machine)."""
    argv = ["check", domain, "--esp", esp, "--json", "--ca-bundle", edge.ca_file(tmp_path),
            "--https-port", str(edge.https_port), "--http-port", str(edge.http_port), "--timeout", "5", *flags]
    for name in (domain, domain.split(".", 1)[1]):
        for port in (edge.https_port, edge.http_port):
            argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
    code = main(argv)
    (result,) = json.loads(capsys.readouterr().out)["domains"]
    return code, {item["name"]: item for item in result["checks"]}


def click(edge: KeyCdnEdge, tmp_path, path: str, tls: bool = True) -> http.client.HTTPResponse:
    port = edge.https_port if tls else edge.http_port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    if tls:
        context = ssl.create_default_context(cafile=edge.ca_file(tmp_path))
        connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname=TRACK)
    connection.request("GET", path, headers={"Host": TRACK, "User-Agent": "Mail/1.0", "Cookie": "sg=1"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_until_keycdn_issues_the_certificate_check_fails_tls_and_says_why_while_http_works(sendgrid, tmp_path, capsys):
    with edge_for(sendgrid, "sendgrid.net", esp="sendgrid") as edge:
        code, checks = check(edge, TRACK, "sendgrid", tmp_path, capsys)
    assert code != 0
    assert checks["tls-certificate"]["verdict"] == "fail"
    assert "*.kxcdn.com" in json.dumps(checks["tls-certificate"]), checks["tls-certificate"]
    assert checks["http"]["verdict"] == "pass", "links already delivered as http:// keep working meanwhile"


def test_once_issued_every_check_passes_and_sendgrid_gets_the_tracking_domain_as_host(sendgrid, tmp_path, capsys):
    with edge_for(sendgrid, "sendgrid.net", esp="sendgrid") as edge:
        edge.issue(TRACK)
        before = len(sendgrid.requests)
        code, checks = check(edge, TRACK, "sendgrid", tmp_path, capsys)
        forwarded = edge.forwarded
    assert code == 0, checks
    for name in ("tls-certificate", "https", "http", "caching"):
        assert checks[name]["verdict"] == "pass", checks[name]
    received = sendgrid.requests[before:]
    assert received and {r.host for r in received} == {TRACK}, "SendGrid routes on Host (Forward Host Header)"
    assert all(r.user_agent for r in received)
    assert {f.headers["X-Forwarded-Host"] for f in forwarded} == {TRACK}


def test_a_click_reaches_the_esp_unchanged_and_is_not_cached_by_default(sendgrid, tmp_path):
    with edge_for(sendgrid, "sendgrid.net", esp="sendgrid") as edge:
        edge.issue(TRACK)
        before = len(sendgrid.requests)
        answers = [click(edge, tmp_path, "/f/abc?target=https://shop.example.com/sale") for _ in range(2)]
    assert [(a.status, a.getheader("Location"), a.getheader("X-Cache")) for a in answers] == [
        (302, "https://shop.example.com/sale", "MISS")] * 2, "the repeat click reaches the ESP and is counted"
    received = sendgrid.requests[before:]
    assert [(r.path, r.query, r.user_agent) for r in received] == [
        ("/f/abc", "target=https://shop.example.com/sale", "Mail/1.0")] * 2
    assert all(("Cookie", "sg=1") in r.headers for r in received)


def test_with_a_minute_of_cache_the_repeat_click_is_a_hit_and_each_query_string_is_its_own(sendgrid, tmp_path):
    with edge_for(sendgrid, "sendgrid.net", esp="sendgrid", cache_ttl_seconds=60) as edge:
        edge.issue(TRACK)
        statuses = [click(edge, tmp_path, path).getheader("X-Cache") for path in ("/f/a?t=1", "/f/a?t=1", "/f/a?t=2")]
    assert statuses == ["MISS", "HIT", "MISS"]


def test_sparkpost_gets_its_own_host_name_and_check_passes(sparkpost, tmp_path, capsys):
    with edge_for(sparkpost, "spgo.io", esp="sparkpost") as edge:
        edge.issue(TRACK)
        before = len(sparkpost.requests)
        code, checks = check(edge, TRACK, "sparkpost", tmp_path, capsys)
    assert code == 0, checks
    assert "msys-http" in checks["https"]["summary"]
    assert {r.host for r in sparkpost.requests[before:]} == {"spgo.io"}


def test_with_the_redirect_plain_http_is_sent_to_https_on_the_same_host(sparkpost, tmp_path, capsys):
    with edge_for(sparkpost, "spgo.io", esp="sparkpost", redirect_http_to_https=True) as edge:
        edge.issue(TRACK)
        code, checks = check(edge, TRACK, "sparkpost", tmp_path, capsys, "--redirect-http-to-https")
    assert "redirected to HTTPS on the same host" in checks["http"]["summary"]
    assert code == 0, checks
