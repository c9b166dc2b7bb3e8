"""App-link files on the self-hosted proxy (issue 17), run by the real nginx, Apache and Caddy on loopback.

Each tracking domain answers ``/.well-known/apple-app-site-association`` and
``/.well-known/assetlinks.json`` itself: 200, ``Content-Type: application/json``, the exact bytes of
``tracking_cdn.deep_links``, never redirected (with and without ``redirect_http_to_https``), on HTTPS
and plain HTTP; ``well_known_origin`` receives every other ``/.well-known/*`` request with its own
name as Host and SNI; every other request reaches the ESP exactly as without app links. Ends with
``tracking-cdn check --app-links`` against each server, and the command line's handling of the files.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest
import trustme

from app_links_sample import AASA_TEXT, ASSET_LINKS, ASSET_LINKS_TEXT, PACKAGE, TEAM_APP
from esp_standin import EspStandin
from proxy_runner import DOMAIN, SIBLING, Proxy, ProxyLauncher, last_request, readable_directory, require
from tracking_cdn.cli import main
from tracking_cdn.deep_links import ANDROID_PATH, APPLE_PATH, resolve_app_links
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.proxy import RENDERERS, SYSTEM_CA_FILE, proxy_settings, render, write_app_link_files

# check's TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
SERVERS = ("nginx", "apache", "caddy")
ESP_HOST = "spgo.io"
WEB_ORIGIN = "www.example.com"
CLICK = "/f/a/Hcv1nwnOfCFeZmc3EvMwsQ~~/AALoUwA~/RgRestfaPwRXA3Nw?target=https%3A%2F%2Fwww.example.com%2F"
APP_LINKS = {"apple_app_site_association": AASA_TEXT, "android_asset_links": ASSET_LINKS}
SERVED = {file.path: file.body for file in resolve_app_links(APP_LINKS).files}
"""What the contract says each path serves: Apple's string as given, Android's list serialised."""
OTHER_WELL_KNOWN = "/.well-known/openid-configuration"


@pytest.fixture(scope="module")
def front_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def start_proxy(tmp_path_factory, front_ca) -> ProxyLauncher:
    return ProxyLauncher(tmp_path_factory, front_ca)


@pytest.fixture(scope="module")
def served_dirs() -> Iterator[Callable[[], Path]]:
    """New directories for app-link files, readable by the servers' workers."""
    with readable_directory() as parent:
        yield lambda: Path(tempfile.mkdtemp(dir=parent))


@pytest.fixture
def served_dir(served_dirs) -> Path:
    return served_dirs()


@pytest.fixture(scope="module")
def esp() -> Iterator[EspStandin]:
    with EspStandin(hostnames=(ESP_HOST,)) as standin:
        yield standin


@pytest.fixture(scope="module")
def web_origin(esp: EspStandin) -> Iterator[EspStandin]:
    """The user's own web origin (well_known_origin), certified by the same throwaway CA as the ESP."""
    with EspStandin(hostnames=(WEB_ORIGIN,), ca=esp.ca) as standin:
        yield standin


def deep_link_options(directory: Path, web_origin: EspStandin | None = None, **overrides) -> dict:
    """``proxy_settings`` options for the app-link files (written into ``directory``) and optionally
    the web origin stand-in."""
    directory.chmod(0o755)
    options = dict(app_links=APP_LINKS, app_links_dir=str(directory), **overrides)
    if web_origin:
        options.update(well_known_origin=WEB_ORIGIN, well_known_origin_address=f"127.0.0.1:{web_origin.port}")
    write_app_link_files(proxy_settings([DOMAIN], **options))
    return options


@pytest.fixture(scope="module", params=[(s, r) for s in SERVERS for r in (False, True)],
                ids=[f"{s}{'-redirect' if r else ''}" for s in SERVERS for r in (False, True)])
def proxy(request, start_proxy, esp, web_origin, served_dirs) -> Iterator[Proxy]:
    """Each server with app links and a web origin, without and with ``redirect_http_to_https``."""
    server, redirect = request.param
    options = deep_link_options(served_dirs(), web_origin, redirect_http_to_https=redirect)
    running, proxy = start_proxy(server, esp, **options)
    with running:
        yield proxy


# --- the files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [APPLE_PATH, ANDROID_PATH])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_each_file_is_answered_200_as_json_byte_for_byte_and_never_redirected(proxy, esp, web_origin, path, tls):
    before = (len(esp.requests), len(web_origin.requests))
    for host in (DOMAIN, SIBLING):
        status, headers, body = proxy.get(path, tls=tls, host=host)
        assert (status, headers["content-type"], body) == (200, "application/json", SERVED[path])
        assert "location" not in headers
    assert (len(esp.requests), len(web_origin.requests)) == before, "the file was fetched from an upstream"


def test_the_apple_file_is_served_exactly_as_the_user_wrote_it(proxy):
    assert proxy.get(APPLE_PATH, tls=True)[2] == AASA_TEXT.encode()  # indentation and final newline kept


def test_clicks_still_reach_the_esp(proxy, esp):
    before = len(esp.requests)
    status, headers, _ = proxy.get(CLICK, tls=True)
    assert (status, headers["location"]) == (302, "https://www.example.com/")
    assert (last_request(esp, before).host, last_request(esp, before).path) == (ESP_HOST, CLICK.split("?")[0])
    status, headers, _ = proxy.get(CLICK, tls=False)
    if proxy.redirects_http:  # everything but the two files
        assert (status, headers["location"]) == (301, f"https://{DOMAIN}:{proxy.https_port}{CLICK}")
    else:
        assert status == 302 and len(esp.requests) == before + 2


def test_other_well_known_paths_go_to_the_web_origin_under_its_own_name(proxy, esp, web_origin):
    before, esp_before = len(web_origin.requests), len(esp.requests)
    paths = [OTHER_WELL_KNOWN, f"{APPLE_PATH}.bak", f"{ANDROID_PATH}/x"]  # only the exact paths are answered
    for path in paths:
        assert proxy.get(path, tls=True)[0] == 404  # the web origin stand-in's answer
    received = web_origin.wait_for_requests(before + len(paths))[before:]
    assert [(r.path, r.host, r.server_name) for r in received] == [(p, WEB_ORIGIN, WEB_ORIGIN) for p in paths]
    assert received[0].header_values("X-Forwarded-For") == ["127.0.0.1"]
    if not proxy.redirects_http:
        assert proxy.get(OTHER_WELL_KNOWN, tls=False)[0] == 404
        assert last_request(web_origin, before + len(paths)).host == WEB_ORIGIN
    assert len(esp.requests) == esp_before


@pytest.mark.parametrize("server", SERVERS)
def test_the_click_path_reaches_the_esp_exactly_as_without_app_links(server, start_proxy, esp, web_origin, served_dir):
    """Same request, same headers at the ESP, with and without app links and a web origin."""
    received = []
    for options in ({}, deep_link_options(served_dir, web_origin)):
        running, proxy = start_proxy(server, esp, **options)
        with running:
            for tls in (False, True):
                before = len(esp.requests)
                proxy.get(CLICK, tls=tls, headers={"User-Agent": "Mozilla/5.0 (test)", "Cookie": "a=1"})
                request = last_request(esp, before)
                received.append((request.method, request.path, request.query, request.server_name, request.headers))
    without, with_app_links = received[:2], received[2:]
    assert with_app_links == without


@pytest.mark.parametrize("server", SERVERS)
def test_without_a_web_origin_other_well_known_paths_still_go_to_the_esp(server, start_proxy, esp, served_dir):
    running, proxy = start_proxy(server, esp, **deep_link_options(served_dir))
    with running:
        before = len(esp.requests)
        assert proxy.get(OTHER_WELL_KNOWN, tls=True)[0] == 404
        assert (last_request(esp, before).path, last_request(esp, before).host) == (OTHER_WELL_KNOWN, ESP_HOST)
        assert proxy.get(APPLE_PATH, tls=True)[2] == SERVED[APPLE_PATH]


@pytest.mark.parametrize("server", SERVERS)
def test_a_web_origin_alone_receives_every_well_known_path(server, start_proxy, esp, web_origin):
    running, proxy = start_proxy(
        server, esp, well_known_origin=WEB_ORIGIN, well_known_origin_address=f"127.0.0.1:{web_origin.port}"
    )
    with running:
        before = len(web_origin.requests)
        assert proxy.get(APPLE_PATH, tls=True)[0] == 404
        assert (last_request(web_origin, before).path, last_request(web_origin, before).host) == (APPLE_PATH, WEB_ORIGIN)


@pytest.mark.parametrize("server", SERVERS)
def test_a_web_origin_whose_certificate_does_not_verify_is_refused(server, start_proxy, esp, served_dir):
    with EspStandin(hostnames=(WEB_ORIGIN,)) as impostor:  # its own CA, not the one the proxy trusts
        running, proxy = start_proxy(server, esp, **deep_link_options(served_dir, impostor))
        with running:
            assert proxy.get(OTHER_WELL_KNOWN, tls=True)[0] in (500, 502, 503)
            assert impostor.requests == []


@pytest.mark.parametrize("server", SERVERS)
def test_check_app_links_passes_against_the_proxy(
    server, start_proxy, esp, web_origin, served_dir, tmp_path, front_ca, capsys
):
    running, proxy = start_proxy(server, esp, **deep_link_options(served_dir, web_origin, redirect_http_to_https=True))
    ca_file = tmp_path / "front-ca.pem"
    front_ca.cert_pem.write_to_path(str(ca_file))
    with running:
        code = main([
            "check", DOMAIN, "--app-links", "--json", "--ca-bundle", str(ca_file), "--timeout", "5",
            "--https-port", str(proxy.https_port), "--http-port", str(proxy.http_port),
            "--resolve", f"{DOMAIN}:{proxy.https_port}:127.0.0.1", "--resolve", f"{DOMAIN}:{proxy.http_port}:127.0.0.1",
            "--resolve", f"example.com:{proxy.https_port}:127.0.0.1",
        ])
    (domain,) = json.loads(capsys.readouterr().out)["domains"]
    checks = {check["name"]: check for check in domain["checks"]}
    assert checks["deep-links"]["verdict"] == "pass", checks["deep-links"]
    evidence = " | ".join(checks["deep-links"]["evidence"])
    assert f"iOS would associate {TEAM_APP}" in evidence and f"Android would verify {PACKAGE}" in evidence
    assert checks["https"]["verdict"] == "pass" and code in (0, 2)


# --- what is rendered ------------------------------------------------------------------------------------


def test_production_output_reads_the_files_from_etc_and_verifies_the_web_origin():
    settings = proxy_settings([DOMAIN], app_links=APP_LINKS, well_known_origin=WEB_ORIGIN)
    nginx, apache, caddy = (render(server, settings) for server in SERVERS)
    for config in (nginx, apache, caddy):
        assert "/etc/tracking-cdn/well-known/apple-app-site-association" in config
        assert "/etc/tracking-cdn/well-known/assetlinks.json" in config
        assert "TESTS ONLY" not in config and "insecure" not in config.lower()
        assert AASA_TEXT not in config and '"applinks"' not in config  # files, not inline JSON
    assert "location = /.well-known/apple-app-site-association {" in nginx
    assert "server www.example.com:443;" in nginx and "proxy_ssl_name www.example.com;" in nginx
    assert nginx.count(f"proxy_ssl_trusted_certificate {SYSTEM_CA_FILE};") == 4  # ESP and web origin, both ports
    assert 'ProxyPass "/.well-known/" "https://www.example.com/.well-known/"' in apache
    assert "SSLProxyVerify require" in apache and "SSLProxyCheckPeerName on" in apache
    assert "reverse_proxy https://www.example.com {" in caddy and "header_up Host www.example.com" in caddy


@pytest.mark.parametrize("server", SERVERS)
def test_the_esp_part_of_the_configuration_is_kept_as_it_was(server):
    """The lines that forward a click to the ESP are all there, in the same order, with app links
    (Apache puts the exclusions of the app-link paths and the web origin's ProxyPass between them)."""
    plain = render(server, proxy_settings([DOMAIN]))
    with_links = render(server, proxy_settings([DOMAIN], app_links=APP_LINKS, well_known_origin=WEB_ORIGIN))
    marker = {"nginx": "    location / {", "apache": "    ProxyRequests off", "caddy": "(tracking_cdn_esp) {"}[server]
    start = plain.index(marker)
    esp_lines = plain[start:plain.index("\n}" if server != "apache" else "</VirtualHost>", start)].splitlines()
    remaining = iter(with_links[with_links.index(marker):].splitlines())
    missing = [line for line in esp_lines if not any(line == candidate for candidate in remaining)]
    assert missing == []


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"app_links": {"apple_app_site_association": "{"}}, "app_links.apple_app_site_association"),
        ({"app_links": {"android_asset_links": "x" * 200_000}}, "app_links.android_asset_links"),
        ({"app_links": {"apple_app_site_association": AASA_TEXT}, "app_links_dir": "well-known"}, "app_links_dir"),
        ({"app_links": {"apple_app_site_association": AASA_TEXT}, "app_links_dir": "/etc/a b"}, "app_links_dir"),
        ({"well_known_origin": DOMAIN}, "well_known_origin"),
        ({"well_known_origin": "https://www.example.com/"}, "well_known_origin"),
        ({"well_known_origin_address": "127.0.0.1:8443"}, "well_known_origin_address"),
        ({"well_known_origin": WEB_ORIGIN, "well_known_origin_address": "www:1"}, "well_known_origin_address"),
        ({"esp": "iterable", "app_links": {"apple_app_site_association": AASA_TEXT}}, "app_links"),
        ({"esp": "iterable-eu", "well_known_origin": WEB_ORIGIN}, "well_known_origin"),
    ],
)
def test_bad_deep_link_input_is_refused_naming_the_argument(options, argument):
    with pytest.raises(InvalidArgument) as error:
        proxy_settings([DOMAIN], **options)
    assert error.value.argument == argument


@pytest.mark.parametrize("server", sorted(RENDERERS))
@pytest.mark.parametrize(("field", "value"), [("app_links_dir", "/etc/x;y"), ("well_known_origin", "www.example.com\n}")])
def test_the_renderers_refuse_deep_link_values_they_would_have_to_quote(server, field, value):
    settings = proxy_settings([DOMAIN], app_links=APP_LINKS, well_known_origin=WEB_ORIGIN)
    with pytest.raises(InvalidArgument) as error:
        render(server, dataclasses.replace(settings, **{field: value}))
    assert error.value.argument == field


# --- the command -----------------------------------------------------------------------------------------


@pytest.fixture
def app_link_files(tmp_path: Path) -> tuple[str, str]:
    apple, android = tmp_path / "aasa.json", tmp_path / "assetlinks.json"
    apple.write_text(AASA_TEXT)
    android.write_text(ASSET_LINKS_TEXT)
    return str(apple), str(android)


def test_command_writes_the_files_byte_for_byte_and_prints_the_same_configuration(app_link_files, tmp_path, capsys):
    directory = tmp_path / "etc" / "well-known"
    arguments = ["--domain", DOMAIN, "--apple-app-site-association", app_link_files[0],
                 "--android-asset-links", app_link_files[1], "--app-links-dir", str(directory)]
    assert main(["proxy", "nginx", *arguments, "--write-app-links"]) == 0
    captured = capsys.readouterr()
    expected = proxy_settings([DOMAIN], app_links={"apple_app_site_association": AASA_TEXT,
                                                   "android_asset_links": ASSET_LINKS_TEXT}, app_links_dir=str(directory))
    assert captured.out == render("nginx", expected)
    for name, source in (("apple-app-site-association", app_link_files[0]), ("assetlinks.json", app_link_files[1])):
        assert (directory / name).read_bytes() == Path(source).read_bytes()
        assert (directory / name).stat().st_mode & 0o777 == 0o644
        assert f"wrote {directory / name}" in captured.err


def test_writing_the_files_never_follows_a_link_planted_in_the_directory(tmp_path):
    """Someone who can write the directory plants links at the old staging name and at the file
    itself, pointing at a file of root's: the command (often run as root) must neither write nor
    chmod it. It writes a fresh temporary file (O_EXCL | O_NOFOLLOW) and renames it over the link."""
    victim = tmp_path / "shadow"
    victim.write_text("root's secret\n")
    victim.chmod(0o600)
    directory = tmp_path / "well-known"
    directory.mkdir()
    (directory / ".assetlinks.json.tmp").symlink_to(victim)  # the predictable staging name
    (directory / "apple-app-site-association").symlink_to(victim)
    settings = proxy_settings([DOMAIN], app_links=APP_LINKS, app_links_dir=str(directory))
    written = write_app_link_files(settings)
    assert (victim.read_text(), victim.stat().st_mode & 0o777) == ("root's secret\n", 0o600)
    for path, (file, _) in zip(written, settings.app_link_files):
        assert not Path(path).is_symlink() and Path(path).read_bytes() == file.body
        assert Path(path).stat().st_mode & 0o777 == 0o644
    leftovers = sorted(p.name for p in directory.iterdir())
    assert leftovers == [".assetlinks.json.tmp", "apple-app-site-association", "assetlinks.json"], "no staging file left"


def test_command_without_write_says_where_the_files_go_and_writes_nothing(app_link_files, tmp_path, capsys):
    directory = tmp_path / "not-yet"
    assert main(["proxy", "caddy", "--domain", DOMAIN, "--android-asset-links", app_link_files[1],
                 "--app-links-dir", str(directory)]) == 0
    err = capsys.readouterr().err
    assert err == (f"tracking-cdn proxy: the configuration answers {ANDROID_PATH} with {directory}/assetlinks.json: "
                   f"copy {app_link_files[1]} there (or add --write-app-links)\n")
    assert not directory.exists()


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ("{not json", [], "--apple-app-site-association: '{file}' is not valid JSON: "),
        ("x" * 140_000, [], "--apple-app-site-association: '{file}' is 140000 bytes; the limit is 131072"),
        ('{"applinks": {"details": [{"appIDs": ["A.b"]}]}}', [],
         "--apple-app-site-association: '{file}' at applinks.details[0]: has neither components nor paths"),
        ('{"applinks": {}}\u00e9', [], "--apple-app-site-association: '{file}' has a non-ASCII character U+00E9"),
        (AASA_TEXT, ["--esp", "iterable"], "--apple-app-site-association: esp='iterable' serves /.well-known/"),
        (AASA_TEXT, ["--well-known-origin", DOMAIN], "--well-known-origin: 'track.example.com' is one of the tracking"),
        (AASA_TEXT, ["--app-links-dir", "relative"], "--app-links-dir: expected an absolute file path"),
    ],
)
def test_command_refuses_bad_files_naming_the_option(content, arguments, message, tmp_path, capsys):
    source = tmp_path / "aasa.json"
    source.write_text(content)
    code = main(["proxy", "apache", "--domain", DOMAIN, "--apple-app-site-association", str(source), *arguments])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.startswith(f"tracking-cdn proxy: error: {message.format(file=source)}")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_command_refuses_a_missing_file(tmp_path, capsys):
    assert main(["proxy", "nginx", "--domain", DOMAIN, "--android-asset-links", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err.startswith("tracking-cdn proxy: error: --android-asset-links: cannot read ")


def test_caddy_accepts_the_production_configuration_with_app_links(tmp_path: Path):
    """Automatic HTTPS (no certificate files) with the app-link handles and a web origin adapts cleanly."""
    require("caddy")
    caddyfile = tmp_path / "Caddyfile"
    settings = proxy_settings([DOMAIN, SIBLING], app_links=APP_LINKS, well_known_origin=WEB_ORIGIN,
                              redirect_http_to_https=True)
    caddyfile.write_text(render("caddy", settings))
    adapted = subprocess.run(
        ["caddy", "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=30, env=dict(os.environ, HOME=str(tmp_path)),
    )
    assert adapted.returncode == 0, adapted.stderr
    assert "/etc/tracking-cdn/well-known" in adapted.stdout and "application/json" in adapted.stdout
