"""Caddyfile for Caddy 2.6+ (Debian bookworm's package); a whole /etc/caddy/Caddyfile."""

from __future__ import annotations

from .settings import (
    CLIENT_ADDRESS_HEADERS,
    INTERMEDIATE_TLS12_CIPHERS,
    ProxySettings,
    checked,
    format_address,
    header_spellings,
)

SNIPPET = "tracking_cdn_esp"
# Idle keep-alive connections kept open to the ESP (Caddy's transport pools and reuses them).
UPSTREAM_KEEPALIVE = 32
# Set by Caddy itself from the connection (a client's own values are ignored: no trusted_proxies).
CADDY_FORWARDED_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host")


def render_caddy(settings: ProxySettings, header: str = "") -> str:
    """The Caddyfile for ``settings``. Without ``cert``/``key`` Caddy obtains and renews the
    certificates itself (automatic HTTPS); with them it serves those files and manages nothing.
    Other names get no certificate (the TLS handshake fails) and 421 on plain HTTP."""
    checked(settings)
    lines = [header.rstrip("\n")] if header else []
    lines += _global_options(settings)
    lines += _proxy_snippet(settings)
    lines += _site(settings, tls=False)
    lines += _site(settings, tls=True)
    lines += _catch_all(settings, tls=False)
    lines += _catch_all(settings, tls=True)
    return "\n".join(lines) + "\n"


def _global_options(settings: ProxySettings) -> list[str]:
    options = []
    if settings.http_port != 80:
        options.append(f"\thttp_port {settings.http_port}")
    if settings.https_port != 443:
        options.append(f"\thttps_port {settings.https_port}")
    if settings.caddy_admin is not None:
        options.append(f"\tadmin {settings.caddy_admin}")
    return ["{", *options, "}", ""] if options else []


def _proxy_snippet(settings: ProxySettings) -> list[str]:
    esp = settings.origin.host
    if settings.upstream_address:
        host, port = settings.upstream_address
        upstream = f"https://{format_address(host, port)}"
        comment = [f"\t# TESTS ONLY: {upstream} stands in for https://{esp}"]
    else:
        upstream, comment = f"https://{esp}", []
    host_header = settings.upstream_host_header or "{host}"
    trust = [f"\t\t\ttls_trusted_ca_certs {settings.upstream_ca_file}"] if settings.upstream_ca_file else []
    # Caddy sets X-Forwarded-For to the client's address and X-Forwarded-Host itself; every other
    # header (and spelling) in which a client could claim an address or host is dropped.
    spoofable = [
        f"\t\theader_up -{name}"
        for header in CLIENT_ADDRESS_HEADERS
        for name in header_spellings(header)
        if name not in CADDY_FORWARDED_HEADERS
    ]
    return [
        f"({SNIPPET}) {{",
        *comment,
        f"\treverse_proxy {upstream} {{",
        f"\t\theader_up Host {host_header}",
        *spoofable,
        "\t\ttransport http {",
        f"\t\t\ttls_server_name {esp}",
        *trust,
        f"\t\t\tdial_timeout {settings.connect_timeout}s",
        f"\t\t\tresponse_header_timeout {settings.read_timeout}s",
        "\t\t\tkeepalive 60s",
        f"\t\t\tkeepalive_idle_conns_per_host {UPSTREAM_KEEPALIVE}",
        "\t\t}",
        "\t}",
        "}",
        "",
    ]


def _site(settings: ProxySettings, *, tls: bool) -> list[str]:
    scheme = "https" if tls else "http"
    lines = [", ".join(f"{scheme}://{d}" for d in settings.domains) + " {", *_bind(settings)]
    lines.append("\tlog")
    if tls:
        files = f" {settings.cert} {settings.key}" if settings.cert and settings.key else ""
        lines += [
            f"\ttls{files} {{",
            "\t\tprotocols tls1.2 tls1.3",
            f"\t\tciphers {' '.join(go for _, go in INTERMEDIATE_TLS12_CIPHERS)}",
            "\t}",
        ]
    if settings.redirect_http_to_https and not tls:
        lines.append(f"\tredir {settings.https_url_prefix('{host}')}{{uri}} 301")
    else:
        lines.append(f"\timport {SNIPPET}")
    return lines + ["}", ""]


def _bind(settings: ProxySettings) -> list[str]:
    return [f"\tbind {' '.join(settings.listen_addresses)}"] if settings.listen_addresses else []


def _catch_all(settings: ProxySettings, *, tls: bool) -> list[str]:
    # A site without a host name matches whatever the tracking domains' sites do not (Caddy orders
    # sites by specificity). Over TLS an unknown name already fails the handshake (no certificate);
    # this answers a tracking domain's connection that asks for another Host.
    scheme = "https" if tls else "http"
    return ["# Every other name: refused (421 Misdirected Request), never relayed to the ESP.",
            f"{scheme}:// {{", *_bind(settings), "\trespond 421", "}", ""]
