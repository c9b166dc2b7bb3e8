"""What a self-hosted proxy configuration is rendered from, validated once for all three servers."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from ..domains import normalize_tracking_domains
from ..errors import InvalidArgument
from ..esp import DEFAULT_ESP, Origin, resolve_origin

SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"
"""Debian/Ubuntu's system CA bundle; nginx and Apache verify the ESP against it (Caddy uses the
system store directly)."""

CERTBOT_LIVE_DIR = "/etc/letsencrypt/live"
DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 10

# Mozilla "intermediate" TLS 1.2 suites (OpenSSL name, Go name). Its DHE suites are left out: they
# need a dhparam file, and every client that can do TLS 1.2 also does ECDHE. TLS 1.3 suites are not
# configurable in nginx/Apache/Caddy without extra directives and are all strong.
INTERMEDIATE_TLS12_CIPHERS: tuple[tuple[str, str], ...] = (
    ("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    ("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    ("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
)

OPENSSL_TLS12_CIPHERS = ":".join(openssl for openssl, _ in INTERMEDIATE_TLS12_CIPHERS)
"""The same suites as an OpenSSL cipher list, for nginx and Apache."""

# Characters that would end a directive or need server-specific quoting in any of the three formats.
_UNSAFE_PATH = re.compile(r"[\s\"'`;{}#$\\]")


@dataclass(frozen=True)
class ProxySettings:
    """Everything the nginx, Apache and Caddy renderers need; build it with ``proxy_settings``."""

    domains: tuple[str, ...]
    """The tracking domains, normalised; the first names the certbot certificate lineage."""
    origin: Origin
    """The ESP endpoint every request is forwarded to, and its profile (``Host`` policy)."""
    cert: Optional[str]
    """Certificate chain (PEM). None: certbot's path for nginx/Apache, automatic HTTPS for Caddy."""
    key: Optional[str]
    """Private key (PEM) for ``cert``."""
    redirect_http_to_https: bool
    """Port 80 answers 301 to HTTPS instead of proxying (off: links in delivered mail are http://)."""
    http_port: int
    """Port for plain HTTP (default 80); links in mail already delivered are http://."""
    https_port: int
    """Port for HTTPS (default 443)."""
    listen_addresses: tuple[str, ...]
    """IP addresses to listen on; empty means all (IPv4 and IPv6)."""
    upstream_ca_file: Optional[str]
    """CA bundle that verifies the ESP; None means the system store."""
    connect_timeout: int
    """Seconds to wait for a TCP+TLS connection to the ESP."""
    read_timeout: int
    """Seconds to wait for the ESP's response."""
    upstream_address: Optional[tuple[str, int]]
    """TESTS ONLY: reach the ESP at this IP and port instead of resolving its host name. Host name,
    SNI and certificate checks still use the ESP's host name."""
    caddy_admin: Optional[str]
    """Caddy's admin endpoint (``off`` or host:port); None keeps Caddy's default, which
    ``systemctl reload caddy`` needs."""

    @property
    def cert_path(self) -> str:
        return self.cert or f"{CERTBOT_LIVE_DIR}/{self.domains[0]}/fullchain.pem"

    @property
    def key_path(self) -> str:
        return self.key or f"{CERTBOT_LIVE_DIR}/{self.domains[0]}/privkey.pem"

    @property
    def origin_ca_file(self) -> str:
        return self.upstream_ca_file or SYSTEM_CA_FILE

    @property
    def upstream_host_header(self) -> Optional[str]:
        """The ``Host`` sent to the ESP: its own name, or None to pass the tracking domain on."""
        return None if self.origin.sends_tracking_host else self.origin.host

    def https_url_prefix(self, host: str) -> str:
        """``https://host`` plus the port when it is not 443 (for the optional redirect)."""
        return f"https://{host}" if self.https_port == 443 else f"https://{host}:{self.https_port}"


def proxy_settings(
    domains: Sequence[str],
    *,
    esp: str = DEFAULT_ESP,
    tenant: Optional[str] = None,
    origin_host: Optional[str] = None,
    cert: Optional[str] = None,
    key: Optional[str] = None,
    redirect_http_to_https: bool = False,
    http_port: int = 80,
    https_port: int = 443,
    listen_addresses: Sequence[str] = (),
    upstream_ca_file: Optional[str] = None,
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: int = DEFAULT_READ_TIMEOUT,
    upstream_address: Optional[str] = None,
    caddy_admin: Optional[str] = None,
) -> ProxySettings:
    """Validate the inputs (raising ``InvalidArgument`` naming the bad one) and build ``ProxySettings``.

    Defaults: ``esp="sparkpost"``; certbot's certificate paths; HTTP proxied (no redirect); ports 80
    and 443 on every address; the ESP verified against the system CA store; 5 s connect and 10 s
    read timeouts. ``upstream_address`` (``"127.0.0.1:8443"``) is for tests only.
    """
    normalized = normalize_tracking_domains(domains)
    origin = resolve_origin(esp, tenant=tenant, origin_host=origin_host)
    if (cert is None) != (key is None):
        missing = "key" if key is None else "cert"
        raise InvalidArgument(missing, "give both cert and key (the certificate chain and its private key), or neither")
    for name, value in (("cert", cert), ("key", key), ("upstream_ca_file", upstream_ca_file)):
        if value is not None:
            _check_path(name, value)
    _check_port("http_port", http_port)
    _check_port("https_port", https_port)
    if http_port == https_port:
        raise InvalidArgument("https_port", f"must differ from the HTTP port ({http_port})")
    _check_timeout("connect_timeout", connect_timeout)
    _check_timeout("read_timeout", read_timeout)
    return ProxySettings(
        domains=normalized,
        origin=origin,
        cert=cert,
        key=key,
        redirect_http_to_https=bool(redirect_http_to_https),
        http_port=http_port,
        https_port=https_port,
        listen_addresses=tuple(_check_ip("listen_addresses", a) for a in listen_addresses),
        upstream_ca_file=upstream_ca_file,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        upstream_address=None if upstream_address is None else _parse_address(upstream_address),
        caddy_admin=None if caddy_admin is None else _check_caddy_admin(caddy_admin),
    )


def format_address(address: str, port: int) -> str:
    """``host:port``, with IPv6 literals in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _check_path(argument: str, value: str) -> None:
    if not isinstance(value, str) or not value.startswith("/") or _UNSAFE_PATH.search(value):
        raise InvalidArgument(
            argument,
            f"expected an absolute file path without spaces, quotes or ;{{}}#$\\ "
            f"(e.g. '/etc/ssl/private/track.pem'), got {value!r}",
        )


def _check_port(argument: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidArgument(argument, f"expected a TCP port number between 1 and 65535, got {value!r}")


def _check_timeout(argument: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 300:
        raise InvalidArgument(argument, f"expected whole seconds between 1 and 300, got {value!r}")


def _check_ip(argument: str, value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise InvalidArgument(argument, f"expected an IP address such as 127.0.0.1 or ::1, got {value!r}") from None


def _parse_address(value: str) -> tuple[str, int]:
    host, sep, port = str(value).rpartition(":")
    host = host.strip("[]")
    if not sep or not port.isdigit():
        raise InvalidArgument("upstream_address", f"expected IP:PORT such as 127.0.0.1:8443, got {value!r}")
    _check_port("upstream_address", int(port))
    return _check_ip("upstream_address", host), int(port)


def _check_caddy_admin(value: str) -> str:
    if value == "off":
        return value
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise InvalidArgument("caddy_admin", f"expected 'off' or host:port such as localhost:2019, got {value!r}")
    if host != "localhost":
        _check_ip("caddy_admin", host.strip("[]"))
    _check_port("caddy_admin", int(port))
    return value


__all__ = [
    "ProxySettings",
    "proxy_settings",
    "format_address",
    "SYSTEM_CA_FILE",
    "INTERMEDIATE_TLS12_CIPHERS",
    "OPENSSL_TLS12_CIPHERS",
]
