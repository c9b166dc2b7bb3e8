"""The generated nginx, Apache and Caddy configurations, run by the real servers on loopback.

Each server runs the renderer's own output; only the documented test options differ from what a
user gets: listen ports and address, ``upstream_address`` + ``upstream_ca_file`` (the stand-in ESP),
the certificate paths, and Caddy's admin endpoint turned off. A missing server fails these tests
(CI installs all three); outside CI (``CI`` unset) it is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import trustme

from esp_standin import PIXEL_GIF, EspStandin
from proxy_runner import DOMAIN, SIBLING, Proxy, ProxyLauncher, last_request, require
from tracking_cdn.check.checks import server_products
from tracking_cdn.proxy import proxy_settings, render
from tracking_cdn.proxy.settings import CLIENT_ADDRESS_HEADERS, header_spellings

SERVERS = ("nginx", "apache", "caddy")
OTHER = "other.example.net"  # a name the proxy does not serve
ESP_HOST = "spgo.io"  # the SparkPost profile's endpoint
CLICK = "/f/a/Hcv1nwnOfCFeZmc3EvMwsQ~~/AALoUwA~/RgRestfaPwRXA3Nw"
TARGET_QUERY = "target=https%3A%2F%2Fwww.example.com%2Flanding%3Fa%3D1%26b%3D2"
# What each server answers when the ESP cannot be used (Apache says 500 for a failed TLS handshake).
GATEWAY_ERRORS = (500, 502, 503, 504)
VERSION_DISCLOSURE = re.compile(r"(nginx|apache|caddy|debian|openssl)[/ ]*\d", re.IGNORECASE)


@pytest.fixture(scope="module")
def front_ca() -> trustme.CA:
    """The throwaway CA of the proxy's own certificate for the tracking domains."""
    return trustme.CA()


@pytest.fixture(scope="module")
def esp() -> Iterator[EspStandin]:
    with EspStandin(hostnames=(ESP_HOST,)) as standin:
        yield standin


@pytest.fixture(scope="module")
def start_proxy(tmp_path_factory, front_ca) -> ProxyLauncher:
    """Start ``server`` with the rendered configuration for the given settings overrides."""
    return ProxyLauncher(tmp_path_factory, front_ca)


@pytest.fixture(scope="module", params=SERVERS)
def proxy(request, start_proxy, esp) -> Iterator[Proxy]:
    """One running proxy per server, in front of the healthy stand-in, shared by the module."""
    running, proxy = start_proxy(request.param, esp)
    with running:
        yield proxy


# --- what a mail client sees --------------------------------------------------------------------


@pytest.mark.parametrize("tls", [False, True], ids=["http-80", "https-443"])
def test_click_on_both_ports_gets_the_esp_redirect(proxy: Proxy, esp: EspStandin, tls: bool):
    status, headers, _ = proxy.get(f"{CLICK}?{TARGET_QUERY}", tls=tls)
    assert status == 302, "HTTP is proxied, not redirected by the proxy"
    assert headers["location"] == "https://www.example.com/landing?a=1&b=2"
    # The answer must come from the ESP (its Server header); Caddy adds a Server line of its own
    # before the ESP's (https://github.com/caddyserver/caddy/issues/6275), which check reads too.
    assert headers["server"] in ("msys-http", "Caddy, msys-http")


def test_open_pixel_is_the_esps_gif(proxy: Proxy):
    status, headers, body = proxy.get("/q/dTQ8riSBz-pkMhoxuXiAKw~~/AAAEAgA~", tls=True)
    assert (status, headers["content-type"], body) == (200, "image/gif", PIXEL_GIF)


def test_sibling_domain_is_served_too(proxy: Proxy):
    status, headers, _ = proxy.get(f"{CLICK}?{TARGET_QUERY}", tls=True, host=SIBLING)
    assert (status, server_products(headers["server"])[-1]) == (302, "msys-http")


def test_https_offers_http2(proxy: Proxy):
    alpn = proxy.client_context()
    alpn.set_alpn_protocols(["h2", "http/1.1"])
    with proxy.handshake(alpn) as tls:
        assert tls.selected_alpn_protocol() == "h2"


# --- what the ESP receives ------------------------------------------------------------------------


@pytest.mark.parametrize("tls", [False, True], ids=["http-80", "https-443"])
def test_path_query_user_agent_and_client_ip_reach_the_esp(proxy: Proxy, esp: EspStandin, tls: bool):
    before = len(esp.requests)
    path = "/f/open-in-app/0Y6UTAhVwx-JEnEF7sntYQ~~/AAAEAgA~/RgRh%2Fenc%20oded%7E%41%3B"
    proxy.get(
        f"{path}?{TARGET_QUERY}&empty=&x=1&x=2",
        tls=tls,
        headers={"User-Agent": "Mozilla/5.0 (test; GoogleImageProxy)", "X-Forwarded-For": "203.0.113.66"},
    )
    received = last_request(esp, before)
    assert (received.path, received.query) == (path, f"{TARGET_QUERY}&empty=&x=1&x=2")
    assert received.user_agent == "Mozilla/5.0 (test; GoogleImageProxy)"
    # The client's real address, not the X-Forwarded-For it forged.
    assert received.x_forwarded_for == "127.0.0.1"


def test_client_claims_about_its_address_never_reach_the_esp(proxy: Proxy, esp: EspStandin):
    """The ESP sees one client address, the one the proxy saw: every header in which a client can
    claim another address or host (in every spelling) is dropped or replaced."""
    before = len(esp.requests)
    forged = {spelling: "203.0.113.66" for name in CLIENT_ADDRESS_HEADERS for spelling in header_spellings(name)}
    proxy.get(CLICK, tls=True, headers=forged)
    received = last_request(esp, before)
    sent = {name.replace("_", "-").lower(): value for name, value in received.headers}
    assert "203.0.113.66" not in " ".join(sent.values()), received.headers
    assert received.header_values("X-Forwarded-For") == ["127.0.0.1"]
    assert received.header_values("X-Forwarded-Host") in ([], [DOMAIN])  # Apache and Caddy add their own


def test_other_names_never_reach_the_esp(proxy: Proxy, esp: EspStandin):
    before = len(esp.requests)
    assert proxy.get(CLICK, tls=False, host=OTHER)[0] == 421
    assert proxy.get(f"http://{OTHER}{CLICK}", tls=False)[0] == 421  # absolute URI, tracking Host
    assert proxy.get(CLICK, tls=True, host=OTHER, server_name=DOMAIN)[0] == 421
    if proxy.server == "apache":  # Apache cannot refuse the handshake: it shows its certificate, then 421
        assert proxy.get(CLICK, tls=True, host=OTHER, server_name=OTHER)[0] == 421
    else:
        with pytest.raises(ssl.SSLError):
            proxy.get(CLICK, tls=True, host=OTHER, server_name=OTHER)
    assert len(esp.requests) == before, [(r.host, r.path) for r in esp.requests[before:]]


def test_nginx_older_than_1_19_4_refuses_other_names_after_the_handshake(start_proxy, esp: EspStandin):
    running, proxy = start_proxy("nginx", esp, nginx_version="1.18")
    with running:
        before = len(esp.requests)
        assert proxy.get(CLICK, tls=True, host=OTHER, server_name=OTHER)[0] == 421
        assert proxy.get(CLICK, tls=True)[0] == 302
        assert len(esp.requests) == before + 1


def test_esp_gets_its_own_host_name_as_host_and_sni(proxy: Proxy, esp: EspStandin):
    before = len(esp.requests)
    proxy.get(CLICK, tls=True)
    received = last_request(esp, before)
    assert (received.host, received.server_name) == (ESP_HOST, ESP_HOST)


@pytest.mark.parametrize("server", ["nginx", "caddy"])  # Apache refuses this profile (see the renderer)
def test_sendgrid_gets_the_tracking_domain_as_host_but_its_own_name_as_sni(server: str, start_proxy):
    with EspStandin(hostnames=("sendgrid.net",)) as sendgrid:
        running, proxy = start_proxy(server, sendgrid, esp_profile="sendgrid")
        with running:
            assert proxy.get("/wf/click?upn=abc", tls=True, host=SIBLING)[0] == 404  # the stand-in's answer
            received = last_request(sendgrid, 0)
            assert (received.host, received.server_name) == (SIBLING, "sendgrid.net")
            # Any other Host would be relayed to SendGrid as it is: refused instead.
            assert proxy.get("/wf/click?upn=abc", tls=False, host=OTHER)[0] == 421
            assert proxy.get("/wf/click?upn=abc", tls=True, host=OTHER, server_name=SIBLING)[0] == 421
            assert proxy.get(f"http://{OTHER}/wf/click?upn=abc", tls=False, host=SIBLING)[0] == 421
            assert len(sendgrid.requests) == 1


def test_long_tracking_url_passes(proxy: Proxy, esp: EspStandin):
    before = len(esp.requests)
    token = "A" * 2048
    status, _, _ = proxy.get(f"/f/a/{token}?{TARGET_QUERY}", tls=True)
    assert status == 302
    assert last_request(esp, before).path == f"/f/a/{token}"


def test_connections_to_the_esp_are_reused(proxy: Proxy, esp: EspStandin):
    proxy.get(CLICK, tls=True)  # warm the pool of this port's handler
    connections_before = esp.connections
    for _ in range(10):
        assert proxy.get(CLICK, tls=True)[0] == 302
    assert esp.connections - connections_before <= 2, "each click opened a new TLS connection to the ESP"


# --- TLS towards the client -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused_and_1_2_and_1_3_accepted(proxy: Proxy):
    old = ssl.create_default_context()
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer TLS 1.1 at all
    with pytest.raises(ssl.SSLError):
        proxy.handshake(old).close()
    tls12 = proxy.client_context()
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    with proxy.handshake(tls12) as tls:
        assert tls.version() == "TLSv1.2"
    tls13 = proxy.client_context()
    tls13.minimum_version = ssl.TLSVersion.TLSv1_3
    with proxy.handshake(tls13) as tls:
        assert tls.version() == "TLSv1.3"


# --- failures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("server", SERVERS)
def test_esp_certificate_from_an_untrusted_ca_is_refused(server: str, start_proxy, esp: EspStandin):
    impostor_ca_file = str(Path(esp.ca_file).with_name("impostor-ca.pem"))
    trustme.CA().cert_pem.write_to_path(impostor_ca_file)
    running, proxy = start_proxy(server, esp, upstream_ca_file=impostor_ca_file)
    with running:
        before = len(esp.requests)
        status, _, _ = proxy.get(CLICK, tls=True)
        assert status in GATEWAY_ERRORS
        assert len(esp.requests) == before, "a request reached an ESP whose certificate did not verify"


@pytest.mark.parametrize("server", SERVERS)
def test_esp_certificate_for_another_name_is_refused(server: str, start_proxy):
    with EspStandin(hostnames=("not-the-esp.example.net",)) as wrong_name:
        running, proxy = start_proxy(server, wrong_name)
        with running:
            status, _, _ = proxy.get(CLICK, tls=True)
            assert status in GATEWAY_ERRORS
            assert wrong_name.requests == []


@pytest.mark.parametrize("server", SERVERS)
def test_esp_down_gives_a_prompt_bad_gateway_without_version(server: str, start_proxy):
    with EspStandin(hostnames=(ESP_HOST,)) as down:
        running, proxy = start_proxy(server, down)
        with running:
            assert proxy.get(CLICK, tls=True)[0] == 302  # the proxy now holds a kept-alive connection
            down.behaviour = "refuse"
            for tls in (False, True):
                started = time.monotonic()
                status, headers, body = proxy.get(CLICK, tls=tls)
                assert status in GATEWAY_ERRORS
                assert time.monotonic() - started < 3
                assert not VERSION_DISCLOSURE.search(headers.get("server", "") + body.decode("latin-1"))


@pytest.mark.parametrize("server", SERVERS)
def test_hanging_esp_times_out_with_a_gateway_error(server: str, start_proxy):
    with EspStandin(hostnames=(ESP_HOST,), stall_seconds=8) as hanging:
        running, proxy = start_proxy(server, hanging, read_timeout=1)
        hanging.behaviour = "stall"
        with running:
            started = time.monotonic()
            status, _, _ = proxy.get(CLICK, tls=True)
            assert status in GATEWAY_ERRORS
            assert time.monotonic() - started < 5, "the read timeout was not applied"


@pytest.mark.parametrize("server", SERVERS)
def test_opt_in_redirect_sends_http_to_https(server: str, start_proxy, esp: EspStandin):
    running, proxy = start_proxy(server, esp, redirect_http_to_https=True)
    with running:
        for host in (DOMAIN, SIBLING):  # each domain to its own HTTPS URL
            status, headers, _ = proxy.get(f"{CLICK}?{TARGET_QUERY}", tls=False, host=host)
            assert status == 301
            assert headers["location"] == f"https://{host}:{proxy.https_port}{CLICK}?{TARGET_QUERY}"
        assert proxy.get(CLICK, tls=True)[0] == 302
        assert proxy.get(CLICK, tls=False, host=OTHER)[0] == 421


def test_caddy_accepts_the_automatic_https_configuration(tmp_path: Path):
    """The production Caddyfile (no cert files: Caddy obtains them) is valid for this Caddy."""
    require("caddy")
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(render("caddy", proxy_settings([DOMAIN, SIBLING], esp="sparkpost")))
    adapted = subprocess.run(
        ["caddy", "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=30, env=dict(os.environ, HOME=str(tmp_path)),
    )
    assert adapted.returncode == 0, adapted.stderr
    config = json.loads(adapted.stdout)
    listens = sorted(address for server in config["apps"]["http"]["servers"].values() for address in server["listen"])
    assert listens == [":443", ":80"]
    assert "certificates" not in config["apps"].get("tls", {}), "no certificate files: Caddy manages them"
    for server in config["apps"]["http"]["servers"].values():
        assert not server.get("automatic_https", {}).get("disable"), "automatic HTTPS must stay on"


@pytest.mark.parametrize("server", SERVERS)
def test_a_change_of_the_esps_address(server: str):
    """Caddy and Apache resolve the ESP's name again for new connections; nginx before 1.27.3 (what
    Debian/Ubuntu LTS ship) keeps the addresses it resolved at start, answering 502 once they go
    down, until it is reloaded: the cost docs/proxy.md states. Runs tests/dns_follow.py in namespaces
    of its own (a private /etc/hosts, no network), so no name is looked up in real DNS."""
    require(server)
    if not shutil.which("unshare") and not os.environ.get("CI"):
        pytest.skip("unshare (util-linux) is not installed")
    script = Path(__file__).with_name("dns_follow.py")
    result = subprocess.run(
        ["unshare", "-rnm", sys.executable, str(script), server], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert (outcome["before"], outcome["old_answered"]) == (302, True)
    if server == "nginx":
        assert outcome["after"] in GATEWAY_ERRORS and not outcome["new_answered"]
        assert (outcome["after_reload"], outcome["new_answered_after_reload"]) == (302, True)
    else:
        assert (outcome["after"], outcome["new_answered"]) == (302, True)
