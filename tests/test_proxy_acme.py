"""ACME HTTP-01 challenges on the self-hosted proxy, run by the real nginx, Apache and Caddy on loopback.

``certbot certonly --webroot -w DIR`` writes a challenge file into ``DIR/.well-known/acme-challenge/``
and Let's Encrypt fetches it over plain HTTP. Every tracking domain answers that prefix on port 80
from ``acme_webroot`` itself: the file's bytes with 200, a missing one with 404, never redirected
(with and without ``redirect_http_to_https``) and never relayed to the ESP or the web origin; nothing
else changes (other ``/.well-known/*`` paths, the app-link files, clicks, HTTPS). Caddy with its own
certificate files does the same; Caddy with automatic HTTPS answers its own challenges before any
handler, shown with the real Caddy in a network namespace of its own.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import trustme

from app_links_sample import AASA_TEXT, ASSET_LINKS
from esp_standin import EspStandin
from proxy_runner import DOMAIN, SIBLING, Proxy, ProxyLauncher, free_port, readable_directory, require, running_server
from tracking_cdn.deep_links import APPLE_PATH, resolve_app_links
from tracking_cdn.proxy import proxy_settings, render, write_app_link_files

SERVERS = ("nginx", "apache", "caddy")
ESP_HOST = "spgo.io"
WEB_ORIGIN = "www.example.com"
APP_LINKS = {"apple_app_site_association": AASA_TEXT, "android_asset_links": ASSET_LINKS}
SERVED = {file.path: file.body for file in resolve_app_links(APP_LINKS).files}
CHALLENGE = "/.well-known/acme-challenge/"
TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
KEY_AUTHORIZATION = f"{TOKEN}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI".encode()
SECRET = b"not for the web\n"
CLICK = "/f/a/Hcv1nwnOfCFeZmc3EvMwsQ~~/AALoUwA~/RgRestfaPwRXA3Nw"
VARIANTS = [(server, redirect, links) for server in SERVERS for redirect in (False, True) for links in (False, True)]


@dataclass
class Site:
    """A running proxy and where its other ``/.well-known/*`` requests go."""

    proxy: Proxy
    esp: EspStandin
    well_known_upstream: EspStandin
    """The web origin when the variant has one, else the ESP."""
    app_links: bool

    def upstream_counts(self) -> tuple[int, int]:
        return len(self.esp.requests), len(self.well_known_upstream.requests)


@pytest.fixture(scope="module")
def start_proxy(tmp_path_factory) -> ProxyLauncher:
    return ProxyLauncher(tmp_path_factory, trustme.CA())


@pytest.fixture(scope="module")
def esp() -> Iterator[EspStandin]:
    with EspStandin(hostnames=(ESP_HOST,)) as standin:
        yield standin


@pytest.fixture(scope="module")
def web_origin(esp: EspStandin) -> Iterator[EspStandin]:
    with EspStandin(hostnames=(WEB_ORIGIN,), ca=esp.ca) as standin:
        yield standin


@pytest.fixture(scope="module")
def served() -> Iterator[Path]:
    """Files the servers' workers can read: the ACME webroot as certbot leaves it mid-validation (one
    challenge file, an empty sub-directory, a file beside ``.well-known`` that must never be served)
    and the app-link files."""
    with readable_directory() as directory:
        webroot = directory / "acme"
        challenges = webroot / ".well-known" / "acme-challenge"
        (challenges / "subdirectory").mkdir(mode=0o755, parents=True)
        for path in (webroot, webroot / ".well-known", challenges):
            path.chmod(0o755)
        (challenges / TOKEN).write_bytes(KEY_AUTHORIZATION)
        (webroot / "secret.txt").write_bytes(SECRET)
        for path in (challenges / TOKEN, webroot / "secret.txt"):
            path.chmod(0o644)
        write_app_link_files(proxy_settings([DOMAIN], app_links=APP_LINKS, app_links_dir=str(directory / "well-known")))
        yield directory


@pytest.fixture(scope="module", params=VARIANTS, ids=[
    f"{s}{'-redirect' if r else ''}{'-app-links' if e else ''}" for s, r, e in VARIANTS
])
def site(request, start_proxy, esp, web_origin, served) -> Iterator[Site]:
    """Each server with the webroot, without and with ``redirect_http_to_https``, alone or with app
    links and a web origin (which then receives every other ``/.well-known/*`` request)."""
    server, redirect, app_links = request.param
    options = dict(acme_webroot=str(served / "acme"), redirect_http_to_https=redirect)
    if app_links:
        options.update(
            app_links=APP_LINKS, app_links_dir=str(served / "well-known"),
            well_known_origin=WEB_ORIGIN, well_known_origin_address=f"127.0.0.1:{web_origin.port}",
        )
    running, proxy = start_proxy(server, esp, **options)
    with running:
        yield Site(proxy, esp, web_origin if app_links else esp, app_links)


# --- the challenge prefix on port 80 -----------------------------------------------------------------


def test_a_challenge_file_is_answered_200_with_its_bytes_and_never_redirected(site):
    before = site.upstream_counts()
    for host in (DOMAIN, SIBLING):
        status, headers, body = site.proxy.get(f"{CHALLENGE}{TOKEN}", tls=False, host=host)
        assert (status, body) == (200, KEY_AUTHORIZATION)
        assert "location" not in headers
    assert site.upstream_counts() == before, "the challenge was fetched from an upstream"


def test_a_missing_challenge_is_404_from_the_proxy_itself(site):
    before = site.upstream_counts()
    status, headers, _ = site.proxy.get(f"{CHALLENGE}no-such-token", tls=False)
    assert status == 404 and "msys-http" not in headers.get("server", "")
    assert site.upstream_counts() == before, "a missing challenge was relayed upstream"


@pytest.mark.parametrize("path", [CHALLENGE, f"{CHALLENGE}subdirectory", f"{CHALLENGE}subdirectory/"])
def test_directories_are_never_listed(site, path):
    before = site.upstream_counts()
    status, headers, body = site.proxy.get(path, tls=False)
    assert status in (403, 404) and "location" not in headers
    assert TOKEN.encode() not in body and b"subdirectory" not in body
    assert site.upstream_counts() == before


@pytest.mark.parametrize("path", [
    f"{CHALLENGE}../../secret.txt", f"{CHALLENGE}%2e%2e/%2e%2e/secret.txt", f"{CHALLENGE}..%2f..%2fsecret.txt",
])
def test_no_file_outside_the_challenge_directory_is_served(site, path):
    status, _, body = site.proxy.get(path, tls=False)
    assert SECRET not in body and status != 200


# --- nothing else changes ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    CHALLENGE.rstrip("/"), f"/.well-known/acme-challengeX/{TOKEN}", "/.well-known/openid-configuration",
])
def test_other_paths_go_where_they_went_before(site, path):
    """Only the exact prefix is answered from the webroot: the rest is redirected, or goes to the web
    origin (``/.well-known/*``) or the ESP, as without it."""
    before = len(site.well_known_upstream.requests)
    status, headers, _ = site.proxy.get(path, tls=False)
    if site.proxy.redirects_http:
        assert (status, headers["location"]) == (301, f"https://{DOMAIN}:{site.proxy.https_port}{path}")
        return
    received = site.well_known_upstream.wait_for_requests(before + 1)[before:]
    assert (status, [request.path for request in received]) == (404, [path])  # the upstream stand-in's answer


def test_over_https_the_challenge_prefix_is_relayed_as_before(site):
    """Let's Encrypt asks on port 80; on 443 the prefix goes where every /.well-known/* path goes."""
    before = len(site.well_known_upstream.requests)
    status, _, body = site.proxy.get(f"{CHALLENGE}{TOKEN}", tls=True)
    assert status == 404 and KEY_AUTHORIZATION not in body
    received = site.well_known_upstream.wait_for_requests(before + 1)[before:]
    assert [request.path for request in received] == [f"{CHALLENGE}{TOKEN}"]


def test_clicks_still_reach_the_esp(site):
    before = len(site.esp.requests)
    assert site.proxy.get(CLICK, tls=True)[0] == 302
    status, headers, _ = site.proxy.get(CLICK, tls=False)
    if site.proxy.redirects_http:
        assert (status, headers["location"]) == (301, f"https://{DOMAIN}:{site.proxy.https_port}{CLICK}")
        assert [r.path for r in site.esp.wait_for_requests(before + 1)[before:]] == [CLICK]
    else:
        assert status == 302
        assert [r.path for r in site.esp.wait_for_requests(before + 2)[before:]] == [CLICK, CLICK]


def test_the_app_link_files_still_answer_on_both_ports(site):
    before = site.upstream_counts()
    for tls in (False, True):
        status, headers, body = site.proxy.get(APPLE_PATH, tls=tls)
        if site.app_links:
            assert (status, headers["content-type"], body) == (200, "application/json", SERVED[APPLE_PATH])
        else:  # no app links: relayed (or redirected) like any other path, never answered from a file
            assert status == (301 if site.proxy.redirects_http and not tls else 404)
    if site.app_links:
        assert site.upstream_counts() == before


# --- Caddy's automatic HTTPS -------------------------------------------------------------------------------


def test_caddy_with_automatic_https_has_no_webroot_and_answers_its_own_challenges():
    """Without certificate files Caddy is the ACME client: its HTTP-01 challenge is answered before
    any handler, so the output carries no webroot. Run in a network namespace of its own (Caddy tries
    to reach Let's Encrypt there and cannot: no packet leaves the machine), with a challenge planted
    in Caddy's storage as another Caddy sharing it would have left it."""
    require("caddy")
    if not shutil.which("unshare") and not os.environ.get("CI"):
        pytest.skip("unshare (util-linux) is not installed")
    assert CHALLENGE not in render("caddy", proxy_settings([DOMAIN]))
    code = "import json, test_proxy_acme as t; print(json.dumps([t.caddy_own_challenge(r) for r in (False, True)]))"
    result = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    plain, redirecting = json.loads(result.stdout.splitlines()[-1])
    assert plain == {"planted": [200, KEY_AUTHORIZATION.decode()], "other": 502}  # 502: the ESP handler, unreachable
    assert redirecting == {"planted": [200, KEY_AUTHORIZATION.decode()], "other": 301}


def caddy_own_challenge(redirect: bool) -> dict:
    """Inside ``unshare -rn``: start Caddy with the automatic-HTTPS output and a challenge in its
    storage (certmagic's distributed HTTP-01 solver: acme/<CA>/challenge_tokens/<domain>.json), then
    ask for that challenge and for another token on port 80."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with tempfile.TemporaryDirectory(prefix="caddy-acme-") as directory:
        return _ask_caddy_for_challenges(Path(directory), redirect)


def _ask_caddy_for_challenges(workdir: Path, redirect: bool) -> dict:
    tokens = workdir / "data" / "caddy" / "acme" / "acme-v02.api.letsencrypt.org-directory" / "challenge_tokens"
    tokens.mkdir(parents=True)
    (tokens / f"{DOMAIN}.json").write_text(json.dumps({
        "type": "http-01", "url": "https://acme.invalid/chall/1", "status": "pending", "token": TOKEN,
        "keyAuthorization": KEY_AUTHORIZATION.decode(), "identifier": {"type": "dns", "value": DOMAIN},
    }))
    http_port, https_port = free_port(), free_port()
    settings = proxy_settings(
        [DOMAIN], http_port=http_port, https_port=https_port, listen_addresses=["127.0.0.1"], caddy_admin="off",
        upstream_address=f"127.0.0.1:{free_port()}", redirect_http_to_https=redirect,
    )

    def get(token: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        try:
            connection.request("GET", f"{CHALLENGE}{token}", headers={"Host": DOMAIN})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    with running_server("caddy", render("caddy", settings), workdir, [http_port]):
        return {"planted": list(get(TOKEN)), "other": get("another-token")[0]}

