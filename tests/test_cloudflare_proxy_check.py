"""``tracking-cdn check`` against a Cloudflare front door in proxy mode, on loopback (issue 22), and
where each request goes once ``app_links`` are given (issue 17).

No Cloudflare account is reachable here, so the edge is a local stand-in (``cloudflare_edge``) that
applies exactly the resources a ``CloudflareTrackingDomain`` registered under the mock engine: its
proxied records, certificate packs and rules. Behind it, the ESP stand-in plays SendGrid
(``sendgrid.net``, with a certificate for its own name only, like SendGrid's). What a user depends
on: the click reaches the ESP with the tracking domain as ``Host`` (SendGrid routes on it), over
HTTPS although the ESP's certificate does not name the tracking domain (SSL Full), uncached, and a
name two levels deep is served with the certificate pack the component ordered."""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import json
import socket
import ssl
import threading
from typing import Iterator

import pulumi
import pytest

import cloudflare_edge
from cloudflare_edge import CloudflareEdge
from esp_standin import EspStandin
from scenarios import ANDROID_ASSET_LINKS, APPLE_APP_SITE_ASSOCIATION
from tracking_cdn import offline
from tracking_cdn.cli import main
from tracking_cdn.cloudflare import CloudflareTrackingDomain

ZONE = "example.invalid"
TRACK = "track.example.invalid"
DEEP = "ablink.m.example.invalid"
ESP_HOST = "sendgrid.net"
# check's TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")


def component_run(**args):
    def program():
        front_door = CloudflareTrackingDomain("t", {"domains": [TRACK, DEEP], "zone_name": ZONE, **args})
        pulumi.export("dns_records", front_door.dns_records)

    return offline.run_offline(program)


@pytest.fixture(scope="module")
def esp() -> Iterator[EspStandin]:
    with EspStandin(hostnames=(ESP_HOST,)) as standin:
        yield standin



@pytest.fixture
def edge(esp, tmp_path) -> Iterator[CloudflareEdge]:
    with CloudflareEdge(component_run(esp="sendgrid"), ZONE, origins={ESP_HOST: esp.port}) as running:
        running.ca_path = running.ca_file(tmp_path)
        yield running


def check(edge: CloudflareEdge, domain: str, capsys, *extra: str) -> tuple[int, dict[str, dict]]:
    """``tracking-cdn check DOMAIN --esp sendgrid --json`` with the domain and its parent pinned to the
    edge stand-in (no DNS query leaves the machine)."""
    argv = ["check", domain, "--esp", "sendgrid", "--json", "--ca-bundle", edge.ca_path,
            "--https-port", str(edge.https_port), "--http-port", str(edge.http_port), "--timeout", "5", *extra]
    for name in (domain, domain.split(".", 1)[1]):
        for port in (edge.https_port, edge.http_port):
            argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
    code = main(argv)
    document = json.loads(capsys.readouterr().out)
    (result,) = document["domains"]
    return code, {item["name"]: item for item in result["checks"]}


def requests_for(esp: EspStandin, since: int) -> list:
    return esp.requests[since:]


def test_check_passes_and_the_esp_receives_the_tracking_domain_as_host_over_https(edge, esp, capsys):
    before = len(esp.requests)
    code, checks = check(edge, TRACK, capsys)
    assert checks["https"]["verdict"] == "pass", checks["https"]
    assert checks["http"]["verdict"] == "pass", checks["http"]
    assert checks["tls-certificate"]["verdict"] == "pass"
    received = requests_for(esp, before)
    assert received, "nothing reached the ESP"
    assert {r.host for r in received} == {TRACK}, "SendGrid routes on Host: it must be the tracking domain"
    assert {r.server_name for r in received} == {TRACK}, "Full: SNI is the tracking domain, certificate unverified"
    assert all(r.user_agent for r in received)
    assert {seen.ssl_mode for seen in edge.seen if seen.host == TRACK} == {"full"}
    assert {json.dumps(seen.cache_settings) for seen in edge.seen if seen.host == TRACK} == {'{"cache": false}'}
    assert code == 0


def test_a_click_is_relayed_unchanged_path_query_and_answer(edge, esp):
    context = ssl.create_default_context(cafile=edge.ca_path)
    connection = http.client.HTTPConnection("127.0.0.1", edge.https_port, timeout=5)
    connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", edge.https_port)), server_hostname=TRACK)
    before = len(esp.requests)
    connection.request("GET", "/f/abc?target=https://shop.example.com/sale", headers={"Host": TRACK,
                                                                                       "User-Agent": "Mail/1.0"})
    response = connection.getresponse()
    response.read()
    assert response.status == 302 and response.getheader("Location") == "https://shop.example.com/sale"
    [received] = requests_for(esp, before)
    assert (received.path, received.query, received.host, received.user_agent) == (
        "/f/abc", "target=https://shop.example.com/sale", TRACK, "Mail/1.0")


def test_a_name_two_levels_deep_is_served_with_its_certificate_pack(edge, esp, capsys):
    before = len(esp.requests)
    _, checks = check(edge, DEEP, capsys)
    assert checks["tls-certificate"]["verdict"] == "pass", checks["tls-certificate"]
    assert checks["https"]["verdict"] == "pass"
    assert {r.host for r in requests_for(esp, before)} == {DEEP}


def test_without_its_certificate_pack_the_deep_name_fails_tls(esp, tmp_path, capsys):
    """Universal SSL's *.example.invalid does not cover ablink.m.example.invalid: the pack is what
    makes HTTPS work there (Braze: a one-level wildcard breaks the links)."""
    run = component_run(esp="sendgrid")
    run = dataclasses.replace(run, resources=[r for r in run.resources if "certificatePack" not in r.type])
    with CloudflareEdge(run, ZONE, origins={ESP_HOST: esp.port}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        _, checks = check(edge, DEEP, capsys)
    assert checks["tls-certificate"]["verdict"] == "fail"


def test_the_host_assertion_can_fail_a_rewriting_configuration_is_caught(esp, tmp_path, capsys):
    """Control: had the component installed an origin rule rewriting Host to the ESP's own name (what
    a naive proxy does), the same check would show SendGrid a Host it cannot route."""
    run = component_run(esp="sendgrid")
    ssl_rules = next(r for r in run.resources if r.inputs.get("phase") == "http_config_settings")
    rewrite = dataclasses.replace(ssl_rules, inputs={**ssl_rules.inputs, "phase": "http_request_origin", "rules": [
        {**ssl_rules.inputs["rules"][0], "action": "route", "actionParameters": {"hostHeader": ESP_HOST}}]})
    with CloudflareEdge(dataclasses.replace(run, resources=[*run.resources, rewrite]), ZONE,
                        origins={ESP_HOST: esp.port}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        before = len(esp.requests)
        check(edge, TRACK, capsys)
    assert {r.host for r in requests_for(esp, before)} == {ESP_HOST}


def test_without_the_ssl_rule_the_zone_mode_would_reach_the_esp_over_plain_http(esp, tmp_path, capsys):
    """Control for SSL Full: with the zone's own Flexible mode the edge talks HTTP to port 443 of the
    ESP, and the click fails; the component's configuration rule is what makes it HTTPS."""
    run = component_run(esp="sendgrid")
    run = dataclasses.replace(run, resources=[r for r in run.resources if r.inputs.get("phase") != "http_config_settings"])
    with CloudflareEdge(run, ZONE, origins={ESP_HOST: esp.port}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        _, checks = check(edge, TRACK, capsys)
    assert checks["https"]["verdict"] == "fail"


def test_redirect_mode_sends_the_browser_to_the_esp_host_instead(esp, tmp_path, capsys):
    """SparkPost's recipe on the same edge: both schemes answer a 301 to https://spgo.io (which the
    check recognises without following it), and nothing reaches an origin from the edge (the record is
    the originless AAAA 100::)."""
    run = component_run(esp="sparkpost", domains=[TRACK])
    with CloudflareEdge(run, ZONE, origins={}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        argv = ["check", TRACK, "--json", "--ca-bundle", edge.ca_path, "--https-port", str(edge.https_port),
                "--http-port", str(edge.http_port), "--timeout", "5"]
        for name in (TRACK, ZONE):
            for port in (edge.https_port, edge.http_port):
                argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
        code = main(argv)
        checks = {item["name"]: item for item in json.loads(capsys.readouterr().out)["domains"][0]["checks"]}
    assert code == 0
    for name in ("https", "http"):
        assert "redirects to the ESP endpoint spgo.io" in checks[name]["summary"]
    assert edge.seen and all(seen.ssl_mode is None for seen in edge.seen), "answered before any origin"


# --- deep links at the edge (issue 17): which requests the Worker gets ------------------------------

APPLE_PATH = "/.well-known/apple-app-site-association"
ANDROID_PATH = "/.well-known/assetlinks.json"
APP_LINKS = {"apple_app_site_association": APPLE_APP_SITE_ASSOCIATION, "android_asset_links": ANDROID_ASSET_LINKS}


def get(edge: CloudflareEdge, path: str, tls: bool) -> http.client.HTTPResponse:
    port = edge.https_port if tls else edge.http_port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    if tls:
        context = ssl.create_default_context(cafile=edge.ca_path)
        connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname=TRACK)
    connection.request("GET", path, headers={"Host": TRACK})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def served_by(response: http.client.HTTPResponse) -> str:
    if response.status == 301:
        return f"301 {response.getheader('Location')}"
    worker = response.getheader("X-Edge-Stand-In")
    return worker.split()[0] if worker else f"origin {response.status}"


WELL_KNOWN_ORIGIN = {"well_known_origin": "www.example.invalid"}


@pytest.mark.parametrize("profile, extra, expected", [
    ("sparkpost", {"app_links": APP_LINKS}, {
        APPLE_PATH: "worker", ANDROID_PATH: "worker", f"{ANDROID_PATH}?v=2": "worker",
        "/.well-known/security.txt": "301 https://spgo.io/.well-known/security.txt",
        "/f/abc?x=1": "301 https://spgo.io/f/abc?x=1",
    }),
    ("sparkpost", {"app_links": APP_LINKS, **WELL_KNOWN_ORIGIN}, {
        APPLE_PATH: "worker", ANDROID_PATH: "worker",
        "/.well-known/security.txt": "301 https://www.example.invalid/.well-known/security.txt",
        "/f/abc?x=1": "301 https://spgo.io/f/abc?x=1",
    }),
    ("sendgrid", {"app_links": APP_LINKS}, {
        APPLE_PATH: "worker", ANDROID_PATH: "worker",
        "/.well-known/security.txt": "origin 404", "/f/abc?x=1": "origin 302",
    }),
    # Without app_links the Worker fetches both files from well_known_origin: never a 301 for them.
    ("sparkpost", WELL_KNOWN_ORIGIN, {
        APPLE_PATH: "worker", f"{ANDROID_PATH}?v=2": "worker",
        "/.well-known/security.txt": "301 https://www.example.invalid/.well-known/security.txt",
        "/f/abc?x=1": "301 https://spgo.io/f/abc?x=1",
    }),
    ("sendgrid", WELL_KNOWN_ORIGIN, {
        APPLE_PATH: "worker", ANDROID_PATH: "worker",
        "/.well-known/security.txt": "301 https://www.example.invalid/.well-known/security.txt",
        "/f/abc?x=1": "origin 302",
    }),
], ids=["redirect", "redirect-well-known-origin", "proxy", "redirect-well-known-origin-only",
        "proxy-well-known-origin-only"])
def test_the_app_link_files_reach_the_worker_on_both_schemes_and_everything_else_goes_where_it_went(
        profile, extra, expected, esp, tmp_path):
    run = component_run(esp=profile, domains=[TRACK], account_id="acc", **extra)
    with CloudflareEdge(run, ZONE, origins={ESP_HOST: esp.port}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        for tls in (True, False):
            seen = {path: served_by(get(edge, path, tls)) for path in expected}
            assert seen == expected, f"{'https' if tls else 'http'}: {seen}"


def test_with_the_https_redirect_the_files_still_answer_on_plain_http(esp, tmp_path):
    run = component_run(esp="sendgrid", domains=[TRACK], app_links=APP_LINKS, account_id="acc",
                        redirect_http_to_https=True)
    with CloudflareEdge(run, ZONE, origins={ESP_HOST: esp.port}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        assert served_by(get(edge, APPLE_PATH, tls=False)) == "worker"
        assert served_by(get(edge, ANDROID_PATH, tls=False)) == "worker"
        assert served_by(get(edge, "/f/abc", tls=False)) == f"301 https://{TRACK}/f/abc"


# --- an ESP reached over plain HTTP (ses, issue 21) ------------------------------------------------


class _PlainHttpEsp(http.server.BaseHTTPRequestHandler):
    """SES's endpoint as the ``ses`` profile reaches it: plain HTTP; records each request's Host."""

    protocol_version = "HTTP/1.1"
    hosts: list = []

    def do_GET(self) -> None:
        type(self).hosts.append(self.headers.get("Host"))
        self.send_response_only(302)
        self.send_header("Location", "https://shop.example.com/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_ses_is_proxied_over_plain_http_with_the_tracking_domain_as_host(tmp_path, capsys):
    """SSL Flexible for the ses hosts: HTTPS from the browser to Cloudflare, HTTP to SES's endpoint, which
    receives the tracking domain as Host (the profile's documented exception)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PlainHttpEsp)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        run = component_run(esp="ses", esp_region="eu-west-1", domains=[TRACK])
        with CloudflareEdge(run, ZONE, origins={"r.eu-west-1.awstrack.me": server.server_address[1]}) as edge:
            edge.ca_path = edge.ca_file(tmp_path)
            response = get(edge, "/L0/abc", tls=True)
        assert response.status == 302 and response.getheader("Location") == "https://shop.example.com/"
        assert _PlainHttpEsp.hosts == [TRACK]
        assert {seen.ssl_mode for seen in edge.seen} == {"flexible"}
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(cloudflare_edge.NODE is None, reason="Node.js runs the Worker (.ci/run installs nodejs)")
@pytest.mark.parametrize("profile", ["sparkpost", "sendgrid"])
def test_check_app_links_passes_against_the_worker_the_component_uploads(profile, esp, tmp_path, capsys):
    """End to end: the component's rules and routes at the edge stand-in, its Worker code run by Node.js,
    and ``tracking-cdn check --app-links`` reading both files as iOS and Android would."""
    run = component_run(esp=profile, domains=[TRACK], app_links=APP_LINKS, account_id="acc")
    with CloudflareEdge(run, ZONE, origins={ESP_HOST: esp.port}) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        argv = ["check", TRACK, "--esp", profile, "--json", "--ca-bundle", edge.ca_path,
                "--https-port", str(edge.https_port), "--http-port", str(edge.http_port), "--timeout", "20"]
        for name in (TRACK, ZONE):
            for port in (edge.https_port, edge.http_port):
                argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
        main([*argv, "--app-links"])
        (result,) = json.loads(capsys.readouterr().out)["domains"]
    deep_links = next(item for item in result["checks"] if item["name"] == "deep-links")
    assert deep_links["verdict"] == "pass", deep_links
    evidence = " ".join(deep_links["evidence"])
    assert "iOS would associate ABCDE12345.com.example.app" in evidence
    assert "Android would verify com.example.app" in evidence


# --- the zone's Always Use HTTPS setting (issue 27 item 4) -------------------------------------------


def test_always_use_https_on_the_zone_is_reported_naming_the_setting_and_the_fix(esp, tmp_path, capsys):
    """The component asks for no redirect (redirect_http_to_https false), but a zone with Always Use
    HTTPS on answers every http:// link with a 301 to https: check names the setting, not a pass."""
    with CloudflareEdge(component_run(esp="sendgrid"), ZONE, origins={ESP_HOST: esp.port},
                        always_use_https=True) as edge:
        edge.ca_path = edge.ca_file(tmp_path)
        code, checks = check(edge, TRACK, capsys)
    http = checks["http"]
    assert (code, http["verdict"]) == (2, "warn")
    assert "Cloudflare's Always Use HTTPS zone setting does this" in http["summary"]
    assert "SSL/TLS > Edge Certificates > Always Use HTTPS" in http["summary"]
    assert "docs/front-doors/cloudflare.md" in http["hint"] and "--redirect-http-to-https" in http["hint"]
    assert checks["https"]["verdict"] == "pass"


def test_control_without_always_use_https_plain_http_is_served(edge, capsys):
    _, checks = check(edge, TRACK, capsys)
    assert checks["http"]["verdict"] == "pass" and "no redirect" in checks["http"]["summary"]
