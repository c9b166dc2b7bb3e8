"""The ESP profiles of issue 21 on the self-hosted proxy, run by the real nginx, Apache and Caddy on
loopback: Iterable and Customer.io get the tracking domain as Host over verified HTTPS; SES gets it
over plain HTTP (the profile's documented exception, said in the configuration); cookies pass both
ways and every method reaches the ESP. The ESP stand-ins record what they receive."""

from __future__ import annotations

from typing import Iterator

import pytest
import trustme

from app_links_sample import AASA_TEXT
from esp_standin import EspStandin
from proxy_runner import DOMAIN, SIBLING, ProxyLauncher, last_request, readable_directory
from tracking_cdn.deep_links import APPLE_PATH
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.proxy import proxy_settings, render

SERVERS = ("nginx", "apache", "caddy")
HTTPS_PROFILES = {
    "iterable": "links.iterable.com",
    "iterable-eu": "links.eu.iterable.com",
    "customerio": "track.customer.io",
    "customerio-eu": "track-eu.customer.io",
}
SES_HOST = "r.eu-west-1.awstrack.me"
CLICK = "/f/a/click-token"
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")


@pytest.fixture(scope="module")
def start_proxy(tmp_path_factory) -> ProxyLauncher:
    return ProxyLauncher(tmp_path_factory, trustme.CA())


@pytest.fixture(scope="module")
def ses() -> Iterator[EspStandin]:
    """SES's endpoint as the proxy reaches it: plain HTTP."""
    with EspStandin(hostnames=(SES_HOST,), tls=False) as standin:
        yield standin


def exchange(proxy, esp: EspStandin, method: str, *, tls: bool, host: str = DOMAIN):
    """One request with a cookie and (for methods with a body) a body; the answer and what the ESP got."""
    before = len(esp.requests)
    body = b"email=a%40example.com" if method in ("POST", "PUT", "PATCH") else None
    answer = proxy.get(
        f"{CLICK}?set_cookie=attribution%3Dabc", tls=tls, host=host, method=method, body=body,
        headers={"Cookie": "session=42; other=1"},
    )
    return answer, last_request(esp, before), body


@pytest.mark.parametrize("server", ["nginx", "caddy"])  # Apache refuses these profiles (below)
@pytest.mark.parametrize("profile", sorted(HTTPS_PROFILES))
def test_https_profiles_get_the_tracking_domain_as_host_cookies_and_every_method(server, profile, start_proxy):
    endpoint = HTTPS_PROFILES[profile]
    with EspStandin(hostnames=(endpoint,)) as esp:
        running, proxy = start_proxy(server, esp, esp_profile=profile)
        with running:
            for tls in (False, True):
                for method in METHODS:
                    (status, headers, _), received, body = exchange(proxy, esp, method, tls=tls, host=SIBLING)
                    assert status == 302 and headers["set-cookie"] == "attribution=abc; Path=/"
                    assert (received.method, received.host, received.server_name) == (method, SIBLING, endpoint)
                    assert received.header_values("Cookie") == ["session=42; other=1"]
                    assert received.body == (body or b"")
            # The ESP routes on Host: any other name is refused, never relayed.
            assert proxy.get(CLICK, tls=True, host="other.example.net", server_name=DOMAIN)[0] == 421


def test_iterables_own_well_known_files_reach_it(start_proxy):
    """Iterable serves the app-link files on the tracking domain itself: they are proxied like the rest."""
    with EspStandin(hostnames=("links.iterable.com",)) as esp:
        running, proxy = start_proxy("nginx", esp, esp_profile="iterable")
        with running:
            before = len(esp.requests)
            assert proxy.get(APPLE_PATH, tls=True)[0] == 404  # the stand-in's answer
            assert (last_request(esp, before).path, last_request(esp, before).host) == (APPLE_PATH, DOMAIN)


@pytest.mark.parametrize("server", SERVERS)
def test_ses_is_reached_over_plain_http_with_the_tracking_domain_as_host(server, start_proxy, ses):
    running, proxy = start_proxy(server, ses, esp_profile="ses", esp_region="eu-west-1")
    with running:
        for tls in (False, True):
            for method in METHODS:
                (status, headers, _), received, body = exchange(proxy, ses, method, tls=tls)
                assert status == 302 and headers["set-cookie"] == "attribution=abc; Path=/"
                assert (received.method, received.host, received.path) == (method, DOMAIN, CLICK)
                assert received.header_values("Cookie") == ["session=42; other=1"]
                assert received.header_values("X-Forwarded-For") == ["127.0.0.1"]
                assert received.body == (body or b"")
                if server == "apache":  # through its forward proxy: the request names SES's endpoint
                    assert received.target.startswith(f"http://{SES_HOST}/f/a/")


@pytest.mark.parametrize("server", SERVERS)
def test_ses_with_app_links_and_a_web_origin(server, start_proxy, ses):
    """SES over plain HTTP beside a web origin over verified HTTPS: each gets its own Host."""
    with readable_directory() as directory, EspStandin(hostnames=("www.example.com",)) as web:
        (directory / "apple-app-site-association").write_text(AASA_TEXT)
        running, proxy = start_proxy(
            server, ses, esp_profile="ses", esp_region="eu-west-1", upstream_ca_file=web.ca_file,
            app_links={"apple_app_site_association": AASA_TEXT}, app_links_dir=str(directory),
            well_known_origin="www.example.com", well_known_origin_address=f"127.0.0.1:{web.port}",
        )
        with running:
            assert proxy.get(APPLE_PATH, tls=True)[2] == AASA_TEXT.encode()
            assert proxy.get("/.well-known/security.txt", tls=True)[0] == 404
            assert (last_request(web, 0).host, last_request(web, 0).server_name) == ("www.example.com",) * 2
            (status, _, _), received, _ = exchange(proxy, ses, "GET", tls=True)
            assert (status, received.host) == (302, DOMAIN)


# --- what is rendered ------------------------------------------------------------------------------------


def test_ses_output_names_its_endpoint_on_port_80_and_says_why_it_is_plain_http():
    settings = proxy_settings([DOMAIN], esp="ses", esp_region="EU-West-1")
    nginx, apache, caddy = (render(server, settings) for server in SERVERS)
    for config in (nginx, apache, caddy):
        assert f"-> http://{SES_HOST} (ESP profile ses)" in config
        assert "# The ESP is reached over plain HTTP, unverified: the ses profile's documented exception" in config
        assert "https://r." not in config
    assert f"    server {SES_HOST}:80;" in nginx and "proxy_pass http://tracking_cdn_esp;" in nginx
    assert "proxy_set_header Host $host;" in nginx and "proxy_ssl" not in nginx
    assert f'ProxyPass "/" "http://{SES_HOST}/"' in apache and "ProxyPreserveHost on" in apache
    assert "SSLProxyEngine" not in apache
    assert f"reverse_proxy http://{SES_HOST}:80 {{" in caddy and "header_up Host {host}" in caddy
    assert "tls_server_name" not in caddy


@pytest.mark.parametrize("profile", sorted(HTTPS_PROFILES))
def test_https_profiles_verify_the_endpoint_and_pass_the_tracking_domain(profile):
    endpoint = HTTPS_PROFILES[profile]
    settings = proxy_settings([DOMAIN], esp=profile)
    nginx, caddy = render("nginx", settings), render("caddy", settings)
    assert f"server {endpoint}:443;" in nginx and f"proxy_ssl_name {endpoint};" in nginx
    assert "proxy_ssl_verify on;" in nginx and "proxy_set_header Host $host;" in nginx
    assert f"reverse_proxy https://{endpoint} {{" in caddy and f"tls_server_name {endpoint}" in caddy
    with pytest.raises(InvalidArgument) as error:  # mod_proxy would check the endpoint's certificate against Host
        render("apache", settings)
    assert error.value.argument == "esp"


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"esp": "ses"}, "esp_region"),
        ({"esp": "ses", "esp_region": "europe"}, "esp_region"),
        ({"esp": "sparkpost", "esp_region": "eu-west-1"}, "esp_region"),
    ],
)
def test_ses_region_is_required_and_checked(options, argument):
    with pytest.raises(InvalidArgument) as error:
        proxy_settings([DOMAIN], **options)
    assert error.value.argument == argument


def test_command_takes_the_ses_region(capsys):
    from tracking_cdn.cli import main

    assert main(["proxy", "caddy", "--domain", DOMAIN, "--esp", "ses", "--esp-region", "eu-west-1"]) == 0
    assert capsys.readouterr().out == render("caddy", proxy_settings([DOMAIN], esp="ses", esp_region="eu-west-1"))
    assert main(["proxy", "caddy", "--domain", DOMAIN, "--esp", "ses"]) == 2
    assert "error: --esp-region: the 'ses' profile needs the AWS region" in capsys.readouterr().err
