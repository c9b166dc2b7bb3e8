"""Apache httpd 2.4 site configuration (a file for /etc/apache2/sites-available/)."""

from __future__ import annotations

from ..errors import InvalidArgument
from .settings import OPENSSL_TLS12_CIPHERS, ProxySettings, format_address

# Module identifier -> the Debian command that enables it; checked when Apache reads the file.
REQUIRED_MODULES = {
    "ssl_module": "a2enmod ssl",
    "proxy_module": "a2enmod proxy",
    "proxy_http_module": "a2enmod proxy_http",
    "headers_module": "a2enmod headers",
    "http2_module": "a2enmod http2",
}
# Debian's ports.conf (and RHEL's httpd.conf/ssl.conf) already listen on 80 and 443.
STOCK_PORTS = (80, 443)


def render_apache(settings: ProxySettings, header: str = "") -> str:
    """The Apache configuration for ``settings``: global hardening and one virtual host per port."""
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
    lines += _virtual_host(settings, tls=False)
    lines += _virtual_host(settings, tls=True)
    return "\n".join(lines) + "\n"


def _virtual_host(settings: ProxySettings, *, tls: bool) -> list[str]:
    port = settings.https_port if tls else settings.http_port
    addresses = settings.listen_addresses or ("*",)
    first, *aliases = settings.domains
    lines = [
        "",
        f"<VirtualHost {' '.join(format_address(a, port) for a in addresses)}>",
        f"    ServerName {first}",
    ]
    if aliases:
        lines += [f"    ServerAlias {' '.join(aliases)}"]
    lines += ['    CustomLog "${APACHE_LOG_DIR}/tracking-cdn-access.log" combined']
    if tls:
        lines += [
            "    Protocols h2 http/1.1",
            "    SSLEngine on",
            f"    SSLCertificateFile {settings.cert_path}",
            f"    SSLCertificateKeyFile {settings.key_path}",
            "    SSLProtocol -all +TLSv1.2 +TLSv1.3",
            f"    SSLCipherSuite {OPENSSL_TLS12_CIPHERS}",
            "    SSLHonorCipherOrder off",
            "    SSLSessionTickets off",
        ]
    if settings.redirect_http_to_https and not tls:
        lines += [f'    Redirect permanent "/" "{settings.https_url_prefix(first)}/"']
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
        # mod_proxy appends the client's address to X-Forwarded-For; drop whatever the client sent so
        # the ESP records the real address, not a forged one.
        "    RequestHeader unset X-Forwarded-For early",
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
