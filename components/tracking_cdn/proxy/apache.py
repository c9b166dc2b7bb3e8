"""Apache httpd 2.4 site configuration (a file for /etc/apache2/sites-available/)."""

from __future__ import annotations

import re

from ..deep_links import CONTENT_TYPE
from ..errors import InvalidArgument
from .settings import (
    ACME_CHALLENGE_PATH,
    CLIENT_ADDRESS_HEADERS,
    OPENSSL_TLS12_CIPHERS,
    ProxySettings,
    checked,
    format_address,
    header_spellings,
)

# Module identifier -> the Debian command that enables it; checked when Apache reads the file.
REQUIRED_MODULES = {
    "ssl_module": "a2enmod ssl",
    "proxy_module": "a2enmod proxy",
    "proxy_http_module": "a2enmod proxy_http",
    "headers_module": "a2enmod headers",
    "http2_module": "a2enmod http2",
    "alias_module": "a2enmod alias",
}
# Debian's ports.conf (and RHEL's httpd.conf/ssl.conf) already listen on 80 and 443.
STOCK_PORTS = (80, 443)
# The catch-all virtual host's own name: a reserved name no tracking domain can have (RFC 2606).
CATCH_ALL_NAME = "catch-all.tracking-cdn.invalid"


def render_apache(settings: ProxySettings, header: str = "") -> str:
    """The Apache configuration for ``settings``: global hardening, a catch-all virtual host per port
    that refuses every other name, and the tracking domains' virtual host per port."""
    checked(settings)
    if settings.origin.sends_tracking_host and not settings.origin_over_http:
        # mod_proxy sends the preserved Host as SNI and checks the ESP certificate against it, so the
        # ESP's certificate could never verify (over plain HTTP, ses, there is no certificate to check).
        raise InvalidArgument(
            "esp",
            f"the {settings.origin.profile.name!r} profile needs the tracking domain as Host, which "
            "Apache cannot send while verifying the ESP's certificate; use nginx or Caddy",
        )
    lines = [header.rstrip("\n")] if header else []
    for module, command in REQUIRED_MODULES.items():
        lines += [f"<IfModule !{module}>", f'    Error "tracking-cdn: enable {module} ({command})"', "</IfModule>"]
    lines += [
        "",
        "# Server-wide: no version in the Server header or on error pages.",
        "ServerTokens Prod",
        "ServerSignature Off",
        "",
    ]
    for port in (settings.http_port, settings.https_port):
        if port not in STOCK_PORTS:
            lines += [f"Listen {format_address(a, port)}" for a in settings.listen_addresses] or [f"Listen {port}"]
    lines += _catch_all(settings, tls=False)
    lines += _catch_all(settings, tls=True)
    lines += _virtual_host(settings, tls=False)
    lines += _virtual_host(settings, tls=True)
    return "\n".join(lines) + "\n"


def _opening(settings: ProxySettings, port: int) -> str:
    addresses = settings.listen_addresses or ("*",)
    return f"<VirtualHost {' '.join(format_address(a, port) for a in addresses)}>"


def _catch_all(settings: ProxySettings, *, tls: bool) -> list[str]:
    # The first virtual host of an address is its default: a Host or SNI that is not a tracking
    # domain lands here and gets 421, never the ESP. (Apache cannot refuse the TLS handshake for an
    # unknown name; the client is shown the tracking certificate, which does not name its host.)
    lines = ["", "# Every other name: refused (421 Misdirected Request), never relayed to the ESP."]
    lines += [_opening(settings, settings.https_port if tls else settings.http_port), f"    ServerName {CATCH_ALL_NAME}"]
    if tls:
        lines += _tls(settings)
    return lines + ['    Redirect 421 "/"', "</VirtualHost>"]


def _tls(settings: ProxySettings) -> list[str]:
    return [
        "    SSLEngine on",
        f"    SSLCertificateFile {settings.cert_path}",
        f"    SSLCertificateKeyFile {settings.key_path}",
        "    SSLProtocol -all +TLSv1.2 +TLSv1.3",
        f"    SSLCipherSuite {OPENSSL_TLS12_CIPHERS}",
        "    SSLHonorCipherOrder off",
        "    SSLSessionTickets off",
    ]


def _virtual_host(settings: ProxySettings, *, tls: bool) -> list[str]:
    first, *aliases = settings.domains
    lines = ["", _opening(settings, settings.https_port if tls else settings.http_port), f"    ServerName {first}"]
    if aliases:
        lines += [f"    ServerAlias {' '.join(aliases)}"]
    lines += [f'    CustomLog "{settings.apache_log_dir}/tracking-cdn-access.log" combined']
    if tls:
        lines += ["    Protocols h2 http/1.1", *_tls(settings)]
    if not tls:
        lines += _acme_challenges(settings)
    lines += _app_links(settings)
    if settings.redirect_http_to_https and not tls:
        # To the requested tracking domain (SERVER_NAME is the request's host with
        # UseCanonicalName Off), path and query kept; the ACME challenges and the app-link files
        # are never redirected.
        lines += [
            "    UseCanonicalName Off",
            f'    <LocationMatch "^(?!({"|".join(_served_here(settings))}))/">',
            f'        Redirect permanent "{settings.https_url_prefix("%{SERVER_NAME}")}%{{REQUEST_URI}}"',
            "    </LocationMatch>",
        ]
    else:
        lines += _proxy(settings, tls=tls)
    return lines + ["</VirtualHost>"]


def _served_here(settings: ProxySettings) -> list[str]:
    """Regular expressions of the plain-HTTP paths answered from files: the ACME challenge prefix and
    the exact app-link paths."""
    paths = settings.deep_links.paths if settings.deep_links else ()
    return [re.escape(ACME_CHALLENGE_PATH), *(f"{re.escape(path)}$" for path in paths)]


def _acme_challenges(settings: ProxySettings) -> list[str]:
    # HTTP-01 challenge files from the ACME client's webroot (certbot --webroot -w DIR), on plain
    # HTTP, never redirected or proxied; files only (Options None: no listing).
    return [
        f'    Alias "{ACME_CHALLENGE_PATH}" "{settings.acme_challenge_dir}/"',
        f'    <Directory "{settings.acme_challenge_dir}">',
        "        Require all granted",
        "        Options None",
        "        AllowOverride None",
        "    </Directory>",
    ]


def _app_links(settings: ProxySettings) -> list[str]:
    # Exactly these paths, answered from the files in app_links_dir on both ports, as
    # application/json (Apple's file has no extension), never proxied or redirected.
    if not settings.deep_links:
        return []
    lines = [
        f'    AliasMatch "^{re.escape(file.path)}$" "{path}"' for file, path in settings.app_link_files
    ]
    return lines + [
        f'    <Directory "{settings.app_links_dir}">',
        "        Require all granted",
        "        Options None",
        "        AllowOverride None",
        f"        ForceType {CONTENT_TYPE}",
        "    </Directory>",
    ]


def _proxy(settings: ProxySettings, *, tls: bool) -> list[str]:
    esp = settings.origin.host
    lines = _tls_to_upstream(settings) if not settings.origin_over_http or settings.well_known_origin else []
    lines += ["    ProxyRequests off"]
    if settings.origin_over_http:
        lines += [
            f"    # Plain HTTP to {esp}: the {settings.origin.profile.name} profile's documented exception (docs/esps.md)",
            "    # Host: the tracking domain, which this ESP routes on",
            "    ProxyPreserveHost on",
        ]
    else:
        lines += ["    # Host: the ESP's own name (Apache allows no comment after a directive)", "    ProxyPreserveHost off"]
    lines += [
        # Whatever the client claims about its address or host is dropped, in every spelling; then
        # mod_proxy adds X-Forwarded-For (the client's address), X-Forwarded-Host and -Server itself.
        *(f"    RequestHeader unset {name} early" for h in CLIENT_ADDRESS_HEADERS for name in header_spellings(h)),
        "    ProxyAddHeaders on",
    ]
    if settings.upstream_address:
        lines += _test_tunnel(f"{settings.origin_scheme}://{esp}", settings.upstream_address)
    if settings.well_known_origin_address:
        lines += _test_tunnel(f"https://{settings.well_known_origin}", settings.well_known_origin_address)
    # The tracking URL goes to the ESP byte for byte: encoded slashes are accepted and not decoded,
    # and nocanon stops mod_proxy re-encoding the path. Backend connections are pooled and reused
    # (keep-alive) for up to ttl seconds idle. The first ProxyPass that matches wins: the ACME
    # challenges (plain HTTP) and the app-link files are not proxied, other /.well-known/* go to
    # well_known_origin, the rest to the ESP.
    lines += ["    AllowEncodedSlashes NoDecode"]
    lines += [] if tls else [f'    ProxyPass "{ACME_CHALLENGE_PATH}" "!"']
    lines += [f'    ProxyPassMatch "^{re.escape(path)}$" "!"' for path in settings.deep_links.paths] if settings.deep_links else []
    if settings.well_known_origin:
        origin = settings.well_known_origin
        lines += [
            f'    ProxyPass "/.well-known/" "https://{origin}/.well-known/" {_pool_options(settings)}',
            '    <Location "/.well-known/">',
            "        # Host: your web origin's own name, whatever the ESP's profile asks",
            "        ProxyPreserveHost off",
            "    </Location>",
        ]
    lines += [f'    ProxyPass "/" "{settings.origin_scheme}://{esp}/" {_pool_options(settings)}']
    return lines


def _tls_to_upstream(settings: ProxySettings) -> list[str]:
    return [
        "    SSLProxyEngine on",
        "    SSLProxyVerify require",
        "    SSLProxyVerifyDepth 4",
        "    SSLProxyCheckPeerName on",
        "    SSLProxyCheckPeerExpire on",
        f"    SSLProxyCACertificateFile {settings.origin_ca_file}",
        "    SSLProxyProtocol -all +TLSv1.2 +TLSv1.3",
    ]


def _test_tunnel(url: str, address: tuple[str, int]) -> list[str]:
    host, port = address
    how = "an HTTP CONNECT tunnel" if url.startswith("https:") else "an HTTP forward proxy"
    return [
        f"    # TESTS ONLY: reach a stand-in for {url} through {how}",
        f'    ProxyRemote "{url}" "http://{format_address(host, port)}"',
    ]


def _pool_options(settings: ProxySettings) -> str:
    return f"nocanon connectiontimeout={settings.connect_timeout} timeout={settings.read_timeout} ttl=60"
