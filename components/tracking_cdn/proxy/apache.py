"""Apache httpd 2.4 site configuration (a file for /etc/apache2/sites-available/)."""

from __future__ import annotations

from ..errors import InvalidArgument
from .settings import (
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
    if settings.origin.sends_tracking_host:
        # mod_proxy sends the preserved Host as SNI and checks the ESP certificate against it, so the
        # ESP's certificate could never verify.
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
    if settings.redirect_http_to_https and not tls:
        # To the requested tracking domain (SERVER_NAME is the request's host with
        # UseCanonicalName Off), path and query kept.
        lines += [
            "    UseCanonicalName Off",
            '    <Location "/">',
            f'        Redirect permanent "{settings.https_url_prefix("%{SERVER_NAME}")}%{{REQUEST_URI}}"',
            "    </Location>",
        ]
    else:
        lines += _proxy(settings)
    return lines + ["</VirtualHost>"]


def _proxy(settings: ProxySettings) -> list[str]:
    esp = settings.origin.host
    lines = [
        "    SSLProxyEngine on",
        "    SSLProxyVerify require",
        "    SSLProxyVerifyDepth 4",
        "    SSLProxyCheckPeerName on",
        "    SSLProxyCheckPeerExpire on",
        f"    SSLProxyCACertificateFile {settings.origin_ca_file}",
        "    SSLProxyProtocol -all +TLSv1.2 +TLSv1.3",
        "    ProxyRequests off",
        "    # Host: the ESP's own name (Apache allows no comment after a directive)",
        "    ProxyPreserveHost off",
        # Whatever the client claims about its address or host is dropped, in every spelling; then
        # mod_proxy adds X-Forwarded-For (the client's address), X-Forwarded-Host and -Server itself.
        *(f"    RequestHeader unset {name} early" for h in CLIENT_ADDRESS_HEADERS for name in header_spellings(h)),
        "    ProxyAddHeaders on",
    ]
    if settings.upstream_address:
        host, port = settings.upstream_address
        lines += [
            f"    # TESTS ONLY: reach a stand-in for {esp} through an HTTP CONNECT tunnel",
            f'    ProxyRemote "https://{esp}" "http://{format_address(host, port)}"',
        ]
    # The tracking URL goes to the ESP byte for byte: encoded slashes are accepted and not decoded,
    # and nocanon stops mod_proxy re-encoding the path. Backend connections are pooled and reused
    # (keep-alive) for up to ttl seconds idle.
    lines += [
        "    AllowEncodedSlashes NoDecode",
        f'    ProxyPass "/" "https://{esp}/" nocanon connectiontimeout={settings.connect_timeout} '
        f"timeout={settings.read_timeout} ttl=60",
    ]
    return lines
