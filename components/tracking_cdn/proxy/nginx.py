"""nginx site configuration (a file for /etc/nginx/conf.d/, included inside ``http {}``)."""

from __future__ import annotations

from .settings import (
    ACME_CHALLENGE_PATH,
    CLIENT_ADDRESS_HEADERS,
    NGINX_HTTP2_DIRECTIVE,
    NGINX_REJECT_HANDSHAKE,
    OPENSSL_TLS12_CIPHERS,
    ProxySettings,
    checked,
    format_address,
)

UPSTREAM_NAME = "tracking_cdn_esp"
WELL_KNOWN_UPSTREAM_NAME = "tracking_cdn_well_known"
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
    if settings.well_known_origin:
        lines += _well_known_upstream(settings, settings.well_known_origin)
    lines += _catch_all(settings, tls=False)
    lines += _catch_all(settings, tls=True)
    lines += _server(settings, tls=False)
    lines += _server(settings, tls=True)
    return "\n".join(lines) + "\n"


def _upstream(settings: ProxySettings) -> list[str]:
    lines = [f"upstream {UPSTREAM_NAME} {{"]
    if settings.upstream_address:
        host, port = settings.upstream_address
        lines += [
            f"    server {format_address(host, port)};  # TESTS ONLY: stands in for {settings.origin.host}:{settings.origin_port}"
        ]
    elif settings.nginx_resolves_upstream:
        # Re-resolved while running (nginx 1.27.3+), at the answer's TTL; kept-alive connections stay.
        resolvers = " ".join(f"[{a}]" if ":" in a else a for a in settings.nginx_resolvers)
        lines += [
            f"    zone {UPSTREAM_NAME} 64k;",
            f"    resolver {resolvers};",
            f"    server {settings.origin.host}:{settings.origin_port} resolve;",
        ]
    else:
        # Resolved when nginx starts or reloads only: `systemctl reload nginx` picks up new ESP
        # addresses (re-resolving while running needs nginx 1.27.3: see nginx_version).
        lines += [f"    server {settings.origin.host}:{settings.origin_port};"]
    return lines + _keepalive()


def _well_known_upstream(settings: ProxySettings, origin: str) -> list[str]:
    # Your own web origin for /.well-known/* (well_known_origin); resolved when nginx starts or reloads.
    lines = [f"upstream {WELL_KNOWN_UPSTREAM_NAME} {{"]
    if settings.well_known_origin_address:
        host, port = settings.well_known_origin_address
        lines += [f"    server {format_address(host, port)};  # TESTS ONLY: stands in for {origin}:443"]
    else:
        lines += [f"    server {origin}:443;"]
    return lines + _keepalive()


def _keepalive() -> list[str]:
    return [
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
        # The default server's protocols decide every handshake on its socket, before SNI picks a
        # server: without ours here, nginx before 1.23.4 would refuse TLS 1.3 to the tracking domains.
        lines += ["    ssl_reject_handshake on;  # no certificate is offered to an unknown name", *_tls_protocols()]
    elif tls:
        lines += _tls(settings)  # nginx before 1.19.4 cannot refuse the handshake itself
    return lines + [f"    return {MISDIRECTED};", "}", ""]


def _tls_protocols() -> list[str]:
    return [
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        f"    ssl_ciphers {OPENSSL_TLS12_CIPHERS};",
        "    ssl_prefer_server_ciphers off;",
    ]


def _tls(settings: ProxySettings) -> list[str]:
    return [
        f"    ssl_certificate {settings.cert_path};",
        f"    ssl_certificate_key {settings.key_path};",
        *_tls_protocols(),
        "    ssl_session_cache shared:tracking_cdn:10m;",
        "    ssl_session_timeout 1d;",
        "    ssl_session_tickets off;",
    ]


def _server(settings: ProxySettings, *, tls: bool) -> list[str]:
    lines = ["server {", *_listens(settings, tls=tls)]
    lines += [f"    server_name {' '.join(settings.domains)};", "    server_tokens off;"]
    lines += _tls(settings) if tls else _acme_challenge_location(settings)
    lines += _app_link_locations(settings)
    if settings.redirect_http_to_https and not tls:  # everything but the ACME challenges and app-link files
        redirect = f"return 301 {settings.https_url_prefix('$host')}$request_uri;"
        return lines + ["    location / {", f"        {redirect}", "    }", "}", ""]
    if settings.well_known_origin:
        lines += _well_known_location(settings, settings.well_known_origin)
    return lines + _location(settings) + ["}", ""]


def _acme_challenge_location(settings: ProxySettings) -> list[str]:
    # HTTP-01 challenge files from the ACME client's webroot (certbot --webroot -w DIR), on plain
    # HTTP, never redirected or proxied. `^~`: this prefix wins over any other location; only
    # files are answered (a directory or a missing file is 404), never a listing.
    return [
        f"    location ^~ {ACME_CHALLENGE_PATH} {{",
        f"        root {settings.acme_webroot};",
        "        try_files $uri =404;",
        "        autoindex off;",
        "    }",
    ]


def _app_link_locations(settings: ProxySettings) -> list[str]:
    # Exactly these paths, answered from the files in app_links_dir on both ports, never redirected
    # (Apple and Android refuse redirects for them). Apple's file has no extension: `types {}` empties
    # the extension table, so default_type decides for both files.
    lines = []
    for file, path in settings.app_link_files:
        lines += [
            f"    location = {file.path} {{",
            f"        alias {path};",
            "        types { }",
            f"        default_type {file.content_type};",
            "    }",
        ]
    return lines


def _well_known_location(settings: ProxySettings, origin: str) -> list[str]:
    # Every other /.well-known/* request goes to your own web origin, over verified HTTPS, with its
    # own name as Host and SNI.
    return [
        "    location /.well-known/ {",
        f"        proxy_pass https://{WELL_KNOWN_UPSTREAM_NAME};",
        *_forwarding(origin, "your web origin"),
        *_tls_to(origin, settings),
        *_timeouts(settings),
        "    }",
    ]


def _location(settings: ProxySettings) -> list[str]:
    if settings.origin_over_http:
        scheme, tls = "http", [
            # Documented exception (docs/esps.md): this ESP's endpoint is not known to present a
            # certificate for its own name, so it is reached over plain HTTP, unverified.
            f"        # plain HTTP to {settings.origin.host}: the {settings.origin.profile.name} profile's documented exception",
        ]
    else:
        scheme, tls = "https", _tls_to(settings.origin.host, settings)
    return [
        "    location / {",
        f"        proxy_pass {scheme}://{UPSTREAM_NAME};",
        *_forwarding(settings.upstream_host_header or "$host", "the ESP"),
        "        proxy_pass_header Server;  # the ESP's Server header shows the answer came from the ESP",
        "        proxy_redirect off;",
        *tls,
        *_timeouts(settings),
        "    }",
    ]


def _forwarding(host_header: str, upstream: str) -> list[str]:
    # Whatever the client claims about its address is dropped (an empty value is not sent); header
    # names with "_" are dropped by nginx itself (ignore_invalid_headers, on by default).
    spoofable = [
        f'        proxy_set_header {name} "";' for name in CLIENT_ADDRESS_HEADERS if name != "X-Forwarded-For"
    ]
    return [
        "        proxy_http_version 1.1;",
        f'        proxy_set_header Connection "";  # keep-alive to {upstream}',
        f"        proxy_set_header Host {host_header};",
        # The client's own address, not a header it sent: the ESP records it as the clicker's IP.
        "        proxy_set_header X-Forwarded-For $remote_addr;",
        *spoofable,
    ]


def _tls_to(host: str, settings: ProxySettings) -> list[str]:
    return [
        "        proxy_ssl_server_name on;",
        f"        proxy_ssl_name {host};",
        "        proxy_ssl_verify on;",
        "        proxy_ssl_verify_depth 4;",
        f"        proxy_ssl_trusted_certificate {settings.origin_ca_file};",
        "        proxy_ssl_protocols TLSv1.2 TLSv1.3;",
        "        proxy_ssl_session_reuse on;",
    ]


def _timeouts(settings: ProxySettings) -> list[str]:
    return [
        f"        proxy_connect_timeout {settings.connect_timeout}s;",
        f"        proxy_send_timeout {settings.read_timeout}s;",
        f"        proxy_read_timeout {settings.read_timeout}s;",
    ]
