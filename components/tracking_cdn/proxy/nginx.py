"""nginx site configuration (a file for /etc/nginx/conf.d/, included inside ``http {}``)."""

from __future__ import annotations

from .settings import OPENSSL_TLS12_CIPHERS, ProxySettings, format_address

UPSTREAM_NAME = "tracking_cdn_esp"
# Idle keep-alive connections each worker keeps open to the ESP: the TLS handshake to the ESP is
# the expensive part of every request, so reuse is what makes this proxy fast.
UPSTREAM_KEEPALIVE = 32


def render_nginx(settings: ProxySettings, header: str = "") -> str:
    """The nginx configuration for ``settings``: an upstream block and one server per port."""
    lines = [header.rstrip("\n")] if header else []
    lines += _upstream(settings)
    lines += _server(settings, tls=False)
    lines += _server(settings, tls=True)
    return "\n".join(lines) + "\n"


def _upstream(settings: ProxySettings) -> list[str]:
    if settings.upstream_address:
        host, port = settings.upstream_address
        server = f"{format_address(host, port)};  # TESTS ONLY: stands in for {settings.origin.host}:443"
    else:
        # Resolved when nginx starts or reloads; `systemctl reload nginx` picks up new ESP addresses.
        server = f"{settings.origin.host}:443;"
    return [
        f"upstream {UPSTREAM_NAME} {{",
        f"    server {server}",
        f"    keepalive {UPSTREAM_KEEPALIVE};",
        "    keepalive_timeout 60s;",
        "}",
        "",
    ]


def _server(settings: ProxySettings, *, tls: bool) -> list[str]:
    port = settings.https_port if tls else settings.http_port
    suffix = " ssl http2" if tls else ""
    if settings.listen_addresses:
        listens = [f"    listen {format_address(a, port)}{suffix};" for a in settings.listen_addresses]
    else:
        listens = [f"    listen {port}{suffix};", f"    listen [::]:{port}{suffix};"]
    lines = ["server {", *listens, f"    server_name {' '.join(settings.domains)};", "    server_tokens off;"]
    if tls:
        lines += [
            f"    ssl_certificate {settings.cert_path};",
            f"    ssl_certificate_key {settings.key_path};",
            "    ssl_protocols TLSv1.2 TLSv1.3;",
            f"    ssl_ciphers {OPENSSL_TLS12_CIPHERS};",
            "    ssl_prefer_server_ciphers off;",
            "    ssl_session_cache shared:tracking_cdn:10m;",
            "    ssl_session_timeout 1d;",
            "    ssl_session_tickets off;",
        ]
    if settings.redirect_http_to_https and not tls:
        lines += [f"    return 301 {settings.https_url_prefix('$host')}$request_uri;"]
    else:
        lines += _location(settings)
    return lines + ["}", ""]


def _location(settings: ProxySettings) -> list[str]:
    host_header = settings.upstream_host_header or "$host"
    return [
        "    location / {",
        f"        proxy_pass https://{UPSTREAM_NAME};",
        "        proxy_http_version 1.1;",
        '        proxy_set_header Connection "";  # keep-alive to the ESP',
        f"        proxy_set_header Host {host_header};",
        # The client's own address, not a header it sent: the ESP records it as the clicker's IP.
        "        proxy_set_header X-Forwarded-For $remote_addr;",
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
