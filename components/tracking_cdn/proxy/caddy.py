"""Caddyfile for Caddy 2.6+ (Debian bookworm's package); a whole /etc/caddy/Caddyfile."""

from __future__ import annotations

from typing import Optional

from .settings import (
    ACME_CHALLENGE_PATH,
    CLIENT_ADDRESS_HEADERS,
    INTERMEDIATE_TLS12_CIPHERS,
    ProxySettings,
    checked,
    format_address,
    header_spellings,
    remote_caddy_admin_warning,
)

SNIPPET = "tracking_cdn_esp"
WELL_KNOWN_SNIPPET = "tracking_cdn_well_known"
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
    if settings.well_known_origin:
        lines += _well_known_snippet(settings, settings.well_known_origin)
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
        warning = remote_caddy_admin_warning(settings)
        options += [f"\t# WARNING: {warning}"] if warning else []
        options.append(f"\tadmin {settings.caddy_admin}")
    return ["{", *options, "}", ""] if options else []


def _proxy_snippet(settings: ProxySettings) -> list[str]:
    esp = settings.origin.host
    if settings.origin_over_http:
        production = f"http://{esp}:{settings.origin_port}"
        transport = [f"\t\t\t# plain HTTP to {esp}: the {settings.origin.profile.name} profile's documented exception"]
    else:
        production, transport = f"https://{esp}", _tls_to(esp, settings)
    return [
        f"({SNIPPET}) {{",
        *_reverse_proxy(production, settings.upstream_address, settings.upstream_host_header or "{host}", transport, settings),
        "}",
        "",
    ]


def _well_known_snippet(settings: ProxySettings, origin: str) -> list[str]:
    # Every other /.well-known/* request goes to your own web origin, over verified HTTPS, with its
    # own name as Host and SNI.
    return [
        f"({WELL_KNOWN_SNIPPET}) {{",
        *_reverse_proxy(f"https://{origin}", settings.well_known_origin_address, origin, _tls_to(origin, settings), settings),
        "}",
        "",
    ]


def _reverse_proxy(
    production: str, test_address: Optional[tuple[str, int]], host_header: str, transport: list[str],
    settings: ProxySettings,
) -> list[str]:
    """A ``reverse_proxy`` to ``production`` (or, in tests, ``test_address``) with ``transport``'s
    TLS lines (or a comment saying why there are none)."""
    if test_address:
        upstream = f"{production.partition('://')[0]}://{format_address(*test_address)}"
        comment = [f"\t# TESTS ONLY: {upstream} stands in for {production}"]
    else:
        upstream, comment = production, []
    # Caddy sets X-Forwarded-For to the client's address and X-Forwarded-Host itself; every other
    # header (and spelling) in which a client could claim an address or host is dropped.
    spoofable = [
        f"\t\theader_up -{name}"
        for header in CLIENT_ADDRESS_HEADERS
        for name in header_spellings(header)
        if name not in CADDY_FORWARDED_HEADERS
    ]
    return [
        *comment,
        f"\treverse_proxy {upstream} {{",
        f"\t\theader_up Host {host_header}",
        *spoofable,
        "\t\ttransport http {",
        *transport,
        f"\t\t\tdial_timeout {settings.connect_timeout}s",
        f"\t\t\tresponse_header_timeout {settings.read_timeout}s",
        "\t\t\tkeepalive 60s",
        f"\t\t\tkeepalive_idle_conns_per_host {UPSTREAM_KEEPALIVE}",
        "\t\t}",
        "\t}",
    ]


def _tls_to(host: str, settings: ProxySettings) -> list[str]:
    trust = [f"\t\t\ttls_trusted_ca_certs {settings.upstream_ca_file}"] if settings.upstream_ca_file else []
    return [f"\t\t\ttls_server_name {host}", *trust]


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
    redirect = settings.redirect_http_to_https and not tls
    rest = f"redir {settings.https_url_prefix('{host}')}{{uri}} 301" if redirect else f"import {SNIPPET}"
    # The most specific `handle` wins and only one runs: the ACME challenges (plain HTTP, when the
    # certificate comes from another ACME client), the app-link files, then (unless redirected)
    # other /.well-known/* to your web origin, then everything else.
    handles = [] if tls or obtains_certificates_itself(settings) else _acme_challenge_handle(settings)
    handles += _app_link_handles(settings)
    if settings.well_known_origin and not redirect:
        handles += ["\thandle /.well-known/* {", f"\t\timport {WELL_KNOWN_SNIPPET}", "\t}"]
    if not handles:
        return lines + [f"\t{rest}", "}", ""]
    return lines + handles + ["\thandle {", f"\t\t{rest}", "\t}", "}", ""]


def obtains_certificates_itself(settings: ProxySettings) -> bool:
    """Automatic HTTPS (no ``cert``/``key``): Caddy obtains and renews the certificates and answers
    its own ACME HTTP-01 challenges on port 80 before any handler runs, so the output needs no
    webroot (Caddy's modules/caddyhttp/server.go: "guarantee ACME HTTP challenges; handle them
    separately from any user-defined handlers"; tests/test_proxy_acme.py shows it with Caddy 2.6)."""
    return settings.cert is None


def _acme_challenge_handle(settings: ProxySettings) -> list[str]:
    # The certificate files come from another ACME client (certbot certonly --webroot -w DIR): its
    # HTTP-01 challenge files, never redirected or proxied; file_server lists no directory.
    return [
        f"\thandle {ACME_CHALLENGE_PATH}* {{",
        f"\t\troot * {settings.acme_webroot}",
        "\t\tfile_server",
        "\t}",
    ]


def _app_link_handles(settings: ProxySettings) -> list[str]:
    # Exactly these paths, answered from the files in app_links_dir on both schemes, never
    # redirected; Content-Type set here, as Apple's file has no extension.
    lines = []
    for file, path in settings.app_link_files:
        directory, _, name = path.rpartition("/")
        lines += [
            f"\thandle {file.path} {{",
            f"\t\troot * {directory or '/'}",
            f"\t\trewrite * /{name}",
            f"\t\theader Content-Type {file.content_type}",
            "\t\tfile_server",
            "\t}",
        ]
    return lines


def _bind(settings: ProxySettings) -> list[str]:
    return [f"\tbind {' '.join(settings.listen_addresses)}"] if settings.listen_addresses else []


def _catch_all(settings: ProxySettings, *, tls: bool) -> list[str]:
    # A site without a host name matches whatever the tracking domains' sites do not (Caddy orders
    # sites by specificity). Over TLS an unknown name already fails the handshake (no certificate);
    # this answers a tracking domain's connection that asks for another Host.
    scheme = "https" if tls else "http"
    return ["# Every other name: refused (421 Misdirected Request), never relayed to the ESP.",
            f"{scheme}:// {{", *_bind(settings), "\trespond 421", "}", ""]
