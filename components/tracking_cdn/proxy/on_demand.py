"""A self-hosted platform: a Caddyfile with on-demand TLS for every tenant's tracking domains.

Instead of a list of domains, the configuration names an *ask* endpoint (``tracking-cdn ask-server``,
``tracking_cdn.proxy.ask``): Caddy obtains a certificate at the first TLS handshake for a name only once
that endpoint approves it (``on_demand_tls { ask }``), and every request, HTTP or HTTPS, is relayed to the
ESP only once it approves the request's host too (``forward_auth``): a name removed from the platform stops
being served at once. Everything else is the single-sender Caddyfile's (``tracking_cdn.proxy.caddy``):
the ESP behind the same ``reverse_proxy`` (Host as the ESP needs, the client's address in
X-Forwarded-For, its User-Agent, every path and query string, HTTPS to the ESP verified), ports 80 and
443, TLS 1.2 and 1.3 with Mozilla's intermediate ciphers, plain HTTP proxied unless redirected.

For Caddy 2.6 or later (Debian bookworm's). Pure functions, no Pulumi import.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidArgument
from .ask import ASK_PATH
from .caddy import SNIPPET, _bind, _global_options, _proxy_snippet
from .settings import INTERMEDIATE_TLS12_CIPHERS, ProxySettings, _check_ip, checked, proxy_settings

APPROVED_PLACEHOLDER = "tenants.on-demand.invalid"
"""``proxy_settings`` validates a list of tracking domains, which an on-demand configuration has none of: it
is given this reserved name (RFC 2606 ``.invalid``), and the settings keep no domain."""
LOCAL_CA = "internal"
"""TESTS ONLY: certificates from Caddy's own local CA instead of an ACME CA, so that a test can watch
on-demand issuance on loopback without the Internet."""


@dataclass(frozen=True)
class OnDemandSettings:
    """What the on-demand Caddyfile is rendered from: the proxy settings (no domains) and the ask endpoint."""

    proxy: ProxySettings
    ask_url: str
    """``http://<loopback IP>:<port>/check``: asked ``?domain=<name>`` before a certificate is obtained."""
    ask_address: tuple[str, int]
    local_ca: bool = False
    """TESTS ONLY: issue from Caddy's local CA (see ``LOCAL_CA``)."""


def on_demand_settings(ask_url: str, *, local_ca: bool = False, **options: Any) -> OnDemandSettings:
    """Validate the on-demand configuration's inputs: ``ask_url`` (plain HTTP to a loopback or private
    address, path ``/check``), and every option of ``proxy_settings`` but the domains, certificate files
    and app-link files (per tenant they would be the platform's to serve, which on-demand TLS does not
    know of). Raises ``InvalidArgument`` naming the bad one."""
    for argument in ("domains", "cert", "key", "app_links", "well_known_origin"):
        if options.get(argument) is not None:
            raise InvalidArgument(argument, "not with on-demand TLS: the platform's names come from the ask endpoint, "
                                  "their certificates from Caddy")
    address = _ask_address(ask_url)
    settings = proxy_settings([APPROVED_PLACEHOLDER], **options)
    return OnDemandSettings(dataclasses.replace(settings, domains=()), ask_url, address, local_ca)


def _ask_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url) if isinstance(url, str) else None
    example = f"http://127.0.0.1:9123{ASK_PATH}"
    if parts is None or parts.scheme != "http" or not parts.hostname or not parts.port or parts.query:
        raise InvalidArgument("ask_url", f"expected the ask endpoint as {example} (tracking-cdn ask-server), got {url!r}")
    if parts.path != ASK_PATH:
        raise InvalidArgument("ask_url", f"the ask endpoint answers {ASK_PATH}, not {parts.path or '/'!r}: e.g. {example}")
    return _check_ip("ask_url", parts.hostname), parts.port


def render_caddy_on_demand(settings: OnDemandSettings, header: str = "") -> str:
    """The Caddyfile of a self-hosted platform: one HTTPS and one HTTP site for every name the ask endpoint
    approves, both relaying to the ESP as the single-sender configuration does."""
    proxy = checked(settings.proxy)
    options = _global_options(proxy)
    body = options[1:-2] if options else []
    lines = [header.rstrip("\n")] if header else []
    lines += ["{", *body, "\ton_demand_tls {", f"\t\task {settings.ask_url}", "\t}", "}", ""]
    lines += _proxy_snippet(proxy)
    lines += _site(settings, tls=True) + _site(settings, tls=False)
    return "\n".join(lines) + "\n"


def _site(settings: OnDemandSettings, *, tls: bool) -> list[str]:
    proxy = settings.proxy
    lines = [f"{'https' if tls else 'http'}:// {{", *_bind(proxy), "\tlog"]
    if tls:
        lines += [
            "\ttls {",
            "\t\ton_demand",
            "\t\tprotocols tls1.2 tls1.3",
            f"\t\tciphers {' '.join(go for _, go in INTERMEDIATE_TLS12_CIPHERS)}",
            *([f"\t\tissuer {LOCAL_CA}", "\t\t# TESTS ONLY: Caddy's local CA instead of an ACME CA"] if settings.local_ca else []),
            "\t}",
        ]
    host, port = settings.ask_address
    # Every request first asks the platform about its host: a name removed from the platform is refused
    # (403 from the ask endpoint) before anything reaches the ESP, whatever certificate Caddy still has.
    lines += [f"\tforward_auth {host}:{port} {{", f"\t\turi {ASK_PATH}?domain={{host}}", "\t}"]
    redirect = proxy.redirect_http_to_https and not tls
    lines.append(f"\tredir {proxy.https_url_prefix('{host}')}{{uri}} 301" if redirect else f"\timport {SNIPPET}")
    return lines + ["}", ""]


def header(settings: OnDemandSettings) -> str:
    proxy = settings.proxy
    return (
        f"# Generated by `tracking-cdn proxy caddy --on-demand`: every name {settings.ask_url} approves -> "
        f"{proxy.origin_scheme}://{proxy.origin.host} (ESP profile {proxy.origin.profile.name}).\n"
        "# Install: save as /etc/caddy/Caddyfile, run `tracking-cdn ask-server --domains-file FILE` beside it, then: "
        "caddy validate --config /etc/caddy/Caddyfile && systemctl reload caddy\n"
    )


__all__ = ["OnDemandSettings", "header", "on_demand_settings", "render_caddy_on_demand"]
