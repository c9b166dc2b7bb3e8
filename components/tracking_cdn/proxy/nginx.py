"""nginx site configuration (a file for /etc/nginx/conf.d/, included inside ``http {}``)."""

from __future__ import annotations

from .settings import (
    CLIENT_ADDRESS_HEADERS,
    NGINX_HTTP2_DIRECTIVE,
    NGINX_REJECT_HANDSHAKE,
    OPENSSL_TLS12_CIPHERS,
    ProxySettings,
    checked,
    format_address,
)

UPSTREAM_NAME = "tracking_cdn_esp"
# Idle keep-alive connections each worker keeps open to the ESP: the TLS handshake to the ESP is
# the expensive part of every request, so reuse is what makes this proxy fast.
UPSTREAM_KEEPALIVE = 32
# Answer to a request for a name this configuration does not serve (RFC 9110 section 15.5.20).
MISDIRECTED = 421


def render_nginx(settings: ProxySettings, header: str = "") -> str:
    """The nginx configuration for ``settings``: an upstream block, a catch-all server per port that
    refuses every other name, and the tracking domains' server per port."""
    checked(settings)
    lines = [header.rstrip("\n")] if header else []
    lines += _upstream(settings)
    lines += _catch_all(settings, tls=False)
    lines += _catch_all(settings, tls=True)
    lines += _server(settings, tls=False)
    lines += _server(settings, tls=True)
    return "\n".join(lines) + "\n"


def _upstream(settings: ProxySettings) -> list[str]:
    lines = [f"upstream {UPSTREAM_NAME} {{"]
    if settings.upstream_address:
        host, port = settings.upstream_address
        lines += [f"    server {format_address(host, port)};  # TESTS ONLY: stands in for {settings.origin.host}:443"]
    elif settings.nginx_resolves_upstream:
        # Re-resolved while running (nginx 1.27.3+), at the answer's TTL; kept-alive connections stay.
        resolvers = " ".join(f"[{a}]" if ":" in a else a for a in settings.nginx_resolvers)
        lines += [
            f"    zone {UPSTREAM_NAME} 64k;",
            f"    resolver {resolvers};",
            f"    server {settings.origin.host}:443 resolve;",
        ]
    else:
        # Resolved when nginx starts or reloads only: `systemctl reload nginx` picks up new ESP
        # addresses (re-resolving while running needs nginx 1.27.3: see nginx_version).
        lines += [f"    server {settings.origin.host}:443;"]
    return lines + [
        f"    keepalive {UPSTREAM_KEEPALIVE};",
        "    keepalive_timeout 60s;",
        "}",
        "",
    ]


def _listens(settings: ProxySettings, *, tls: bool) -> list[str]:
    port = settings.https_port if tls else settings.http_port
    http2_directive = settings.nginx_version >= NGINX_HTTP2_DIRECTIVE
    suffix = (" ssl" if http2_directive else " ssl http2") if tls else ""
    if settings.listen_addresses:
        lines = [f"    listen {format_address(a, port)}{suffix};" for a in settings.listen_addresses]
    else:
        lines = [f"    listen {port}{suffix};", f"    listen [::]:{port}{suffix};"]
    return lines + (["    http2 on;"] if tls and http2_directive else [])


def _catch_all(settings: ProxySettings, *, tls: bool) -> list[str]:
    # First in the file, so it is the default server of these addresses unless another file marks
    # one `default_server` (Debian's default site does on port 80; that one never proxies either).
    # Any Host or SNI other than the tracking domains ends here and never reaches the ESP.
    lines = ["# Every other name: refused, never relayed to the ESP.", "server {", *_listens(settings, tls=tls)]
    lines += ["    server_tokens off;"]
    if tls and settings.nginx_version >= NGINX_REJECT_HANDSHAKE:
        lines += ["    ssl_reject_handshake on;  # no certificate is offered to an unknown name"]
    elif tls:
        lines += _tls(settings)  # nginx before 1.19.4 cannot refuse the handshake itself
    return lines + [f"    return {MISDIRECTED};", "}", ""]


def _tls(settings: ProxySettings) -> list[str]:
    return [
        f"    ssl_certificate {settings.cert_path};",
        f"    ssl_certificate_key {settings.key_path};",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        f"    ssl_ciphers {OPENSSL_TLS12_CIPHERS};",
        "    ssl_prefer_server_ciphers off;",
        "    ssl_session_cache shared:tracking_cdn:10m;",
        "    ssl_session_timeout 1d;",
        "    ssl_session_tickets off;",
    ]


def _server(settings: ProxySettings, *, tls: bool) -> list[str]:
    lines = ["server {", *_listens(settings, tls=tls)]
    lines += [f"    server_name {' '.join(settings.domains)};", "    server_tokens off;"]
    if tls:
        lines += _tls(settings)
    if settings.redirect_http_to_https and not tls:
        lines += [f"    return 301 {settings.https_url_prefix('$host')}$request_uri;"]
    else:
        lines += _location(settings)
    return lines + ["}", ""]


def _location(settings: ProxySettings) -> list[str]:
    host_header = settings.upstream_host_header or "$host"
    # Whatever the client claims about its address is dropped (an empty value is not sent); header
    # names with "_" are dropped by nginx itself (ignore_invalid_headers, on by default).
    spoofable = [
        f'        proxy_set_header {name} "";' for name in CLIENT_ADDRESS_HEADERS if name != "X-Forwarded-For"
    ]
    return [
        "    location / {",
        f"        proxy_pass https://{UPSTREAM_NAME};",
        "        proxy_http_version 1.1;",
        '        proxy_set_header Connection "";  # keep-alive to the ESP',
        f"        proxy_set_header Host {host_header};",
        # The client's own address, not a header it sent: the ESP records it as the clicker's IP.
        "        proxy_set_header X-Forwarded-For $remote_addr;",
        *spoofable,
        "        proxy_pass_header Server;  # the ESP's Server header shows the answer came from the ESP",
        "        proxy_redirect off;",
        "        proxy_ssl_server_name on;",
        f"        proxy_ssl_name {settings.origin.host};",
        "        proxy_ssl_verify on;",
        "        proxy_ssl_verify_depth 4;",
        f"        proxy_ssl_trusted_certificate {settings.origin_ca_file};",
        "        proxy_ssl_protocols TLSv1.2 TLSv1.3;",
        "        proxy_ssl_session_reuse on;",
        f"        proxy_connect_timeout {settings.connect_timeout}s;",
        f"        proxy_send_timeout {settings.read_timeout}s;",
        f"        proxy_read_timeout {settings.read_timeout}s;",
        "    }",
    ]
