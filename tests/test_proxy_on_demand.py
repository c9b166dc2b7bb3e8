"""A self-hosted platform on a real Caddy (issue 31): the on-demand configuration that
`tracking-cdn proxy caddy --on-demand` renders, served on loopback in front of an ESP stand-in, with
`tracking-cdn ask-server` approving the platform's names. A certificate is obtained at the first
handshake for an approved name only (from Caddy's local CA, the test-only issuer: there is no ACME CA
here); requests reach the ESP as the single-sender proxy sends them; a name removed from the file stops
being served at once."""

import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from esp_standin import EspStandin
from proxy_runner import Proxy, free_port, require, running_server
from tracking_cdn.check.checks import server_products
from tracking_cdn.cli import main
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.proxy.ask import ApprovedNames, server
from tracking_cdn.proxy.on_demand import header, on_demand_settings, render_caddy_on_demand

APPROVED = "track.acme-mail.com"
OTHER_TENANT = "click.globex-news.com"
UNKNOWN = "evil.example.net"
USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A running ask server, ESP stand-in and Caddy, for the SendGrid profile (Host: the tracking domain)."""
    require("caddy")
    workdir = tmp_path_factory.mktemp("on-demand")
    names = workdir / "approved.txt"
    names.write_text(f"# the platform's tenants\n{APPROVED}\n{OTHER_TENANT.upper()}.\n")
    approved = ApprovedNames(names)
    ask = server(approved, ("127.0.0.1", 0))
    threading.Thread(target=ask.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    with EspStandin(hostnames=("sendgrid.net",)) as esp:
        settings = on_demand_settings(
            f"http://127.0.0.1:{ask.server_address[1]}/check", esp="sendgrid", local_ca=True, http_port=http_port,
            https_port=https_port, listen_addresses=["127.0.0.1"], upstream_address=f"127.0.0.1:{esp.port}",
            upstream_ca_file=esp.ca_file, caddy_admin="off",
        )
        config = render_caddy_on_demand(settings, header(settings))
        with running_server("caddy", config, workdir / "caddy", [http_port, https_port]):
            yield {"esp": esp, "approved": approved, "names": names, "workdir": workdir / "caddy",
                   "proxy": Proxy("caddy", http_port, https_port, ca_pem="")}
    ask.shutdown()
    ask.server_close()


def caddy_root(platform) -> str:
    """Caddy's local CA root, which it writes once it issues its first certificate."""
    path = platform["workdir"] / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    for _ in range(100):
        if path.exists():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"Caddy wrote no local root at {path}")


def handshake(platform, name: str) -> dict:
    """The certificate Caddy presents for ``name`` (SNI), verified against its local root."""
    first = ssl.create_default_context()
    first.check_hostname, first.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", platform["proxy"].https_port), timeout=20) as sock:
        with first.wrap_socket(sock, server_hostname=name):
            pass  # the first handshake makes Caddy ask, then issue
    context = ssl.create_default_context(cadata=caddy_root(platform))
    with socket.create_connection(("127.0.0.1", platform["proxy"].https_port), timeout=20) as sock:
        with context.wrap_socket(sock, server_hostname=name) as tls:
            return tls.getpeercert()


def get(platform, host: str, path: str, *, tls: bool, headers=None):
    proxy = platform["proxy"]
    if tls:
        proxy = Proxy("caddy", proxy.http_port, proxy.https_port, ca_pem=caddy_root(platform))
    return proxy.get(path, tls=tls, host=host, headers=headers)


def test_an_approved_name_gets_a_certificate_for_itself_at_its_first_handshake(platform):
    certificate = handshake(platform, APPROVED)
    names = [value for kind, value in certificate["subjectAltName"] if kind == "DNS"]
    assert names == [APPROVED]
    assert APPROVED in platform["approved"].asked, "Caddy asked the platform before issuing"


def test_a_name_the_platform_does_not_approve_gets_no_certificate(platform):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", platform["proxy"].https_port), timeout=20) as sock:
        with pytest.raises(ssl.SSLError):
            with context.wrap_socket(sock, server_hostname=UNKNOWN):
                pass
    assert UNKNOWN in platform["approved"].asked


def test_the_file_s_names_are_normalised_as_tracking_domains(platform):
    names = [value for kind, value in handshake(platform, OTHER_TENANT)["subjectAltName"] if kind == "DNS"]
    assert names == [OTHER_TENANT]


@pytest.mark.parametrize("tls", [True, False], ids=["https", "http"])
def test_a_click_reaches_the_esp_with_the_tenant_s_host_user_agent_and_query_string(platform, tls):
    esp = platform["esp"]
    before = len(esp.requests)
    status, headers, _ = get(platform, APPROVED, "/wf/click?upn=abc&x=1", tls=tls, headers={"User-Agent": USER_AGENT})
    assert status == 404, status  # the stand-in's own answer to a path it does not know
    assert server_products(headers["server"])[-1] == "msys-http", "the ESP's answer, relayed (port 80 not redirected)"
    (request,) = esp.wait_for_requests(before + 1)[before:]
    assert (request.path, request.query) == ("/wf/click", "upn=abc&x=1")
    assert request.host == APPROVED, "SendGrid routes on the tracking domain"
    assert request.user_agent == USER_AGENT
    assert request.x_forwarded_for == "127.0.0.1"
    assert request.server_name == "sendgrid.net", "SNI is the ESP's own name"


def test_a_request_for_a_name_the_platform_does_not_approve_never_reaches_the_esp(platform):
    esp = platform["esp"]
    before = len(esp.requests)
    status, _, _ = get(platform, UNKNOWN, "/f/abc", tls=False)
    assert status == 403
    time.sleep(0.3)
    assert len(esp.requests) == before


def test_a_name_removed_from_the_platform_stops_being_served_at_once(platform):
    handshake(platform, APPROVED)
    names = platform["names"]
    kept = names.read_text()
    try:
        names.write_text(f"{OTHER_TENANT}\n")
        status, _, _ = get(platform, APPROVED, "/f/abc", tls=True)
        assert status == 403, "its certificate is still in Caddy's storage; the request is refused"
    finally:
        names.write_text(kept)
    assert get(platform, APPROVED, "/q/open", tls=True)[0] == 200


def test_the_production_configuration_validates_offline_with_caddy(tmp_path):
    require("caddy")
    settings = on_demand_settings("http://127.0.0.1:9123/check", esp="sparkpost")
    path = tmp_path / "Caddyfile"
    path.write_text(render_caddy_on_demand(settings, header(settings)))
    text = path.read_text()
    assert "issuer internal" not in text and "\ton_demand\n" in text and "ask http://127.0.0.1:9123/check" in text
    assert "header_up Host spgo.io" in text, "SparkPost gets its own name as Host"
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "PATH": "/usr/bin:/bin"}
    # No network: validating must not depend on resolving the ESP's name.
    done = subprocess.run(["unshare", "-rn", "caddy", "validate", "--config", str(path), "--adapter", "caddyfile"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("url, words", [
    ("https://127.0.0.1:9123/check", ["http://127.0.0.1:9123/check"]),
    ("http://127.0.0.1:9123/", ["answers /check"]),
    ("http://ask.example.com:9123/check", ["IP address"]),
    ("http://127.0.0.1/check", ["http://127.0.0.1:9123/check"]),
])
def test_a_bad_ask_url_is_refused_naming_it(url, words):
    with pytest.raises(InvalidArgument) as error:
        on_demand_settings(url)
    assert error.value.argument == "ask_url" and all(word in str(error.value) for word in words), str(error.value)


def test_per_domain_settings_are_refused_with_on_demand():
    for argument in ("cert", "well_known_origin"):
        with pytest.raises(InvalidArgument) as error:
            on_demand_settings("http://127.0.0.1:9123/check", **{argument: "/x" if argument == "cert" else "www.x.com"})
        assert error.value.argument == argument


def test_a_remote_caddy_admin_is_refused_unless_allowed_then_warned_of(capsys):
    command = ["proxy", "caddy", "--on-demand", "http://127.0.0.1:9123/check", "--caddy-admin", "0.0.0.0:2019"]
    assert main(command) == 2
    assert "--caddy-admin: '0.0.0.0:2019' is not a loopback address" in capsys.readouterr().err
    assert main([*command, "--allow-remote-caddy-admin"]) == 0
    printed = capsys.readouterr()
    assert "warning: --caddy-admin" in printed.err
    assert "admin 0.0.0.0:2019" in printed.out and "firewall it" in printed.out


def test_the_ask_server_answers_as_caddy_expects(tmp_path):
    import http.client

    names = tmp_path / "approved.txt"
    names.write_text(f"{APPROVED}\n")
    ask = server(ApprovedNames(names), ("127.0.0.1", 0))
    threading.Thread(target=ask.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        def status(path):
            connection = http.client.HTTPConnection("127.0.0.1", ask.server_address[1], timeout=5)
            connection.request("GET", path)
            return connection.getresponse().status

        assert status(f"/check?domain={APPROVED}") == 200
        assert status(f"/check?domain={APPROVED.upper()}.") == 200
        assert status(f"/check?domain={UNKNOWN}") == 403
        assert status("/check") == 400 and status("/other?domain=x") == 404
        names.write_text(f"{UNKNOWN}\n")
        assert status(f"/check?domain={APPROVED}") == 403 and status(f"/check?domain={UNKNOWN}") == 200
    finally:
        ask.shutdown()
        ask.server_close()


def test_a_bad_line_in_the_names_file_is_refused_naming_it(tmp_path):
    from tracking_cdn.proxy.ask import read_approved

    names = tmp_path / "approved.txt"
    names.write_text(f"{APPROVED}\nhttps://bad.example.com/\n")
    with pytest.raises(InvalidArgument) as error:
        read_approved(names)
    assert error.value.argument == f"{names}:2"
