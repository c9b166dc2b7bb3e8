"""What a self-hosted proxy configuration is rendered from, validated once for all three servers."""

from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

from ..deep_links import (
    ANDROID_PATH,
    APPLE_PATH,
    DeepLinks,
    WellKnownFile,
    refuse_when_esp_serves_well_known,
    resolve_app_links,
)
from ..domains import normalize_tracking_domains, validate_separate_host
from ..errors import InvalidArgument
from ..esp import DEFAULT_ESP, ORIGIN_HTTP, Origin, resolve_origin

SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"
"""Debian/Ubuntu's system CA bundle; nginx and Apache verify the ESP against it (Caddy uses the
system store directly)."""

CERTBOT_LIVE_DIR = "/etc/letsencrypt/live"
DEFAULT_APP_LINKS_DIR = "/etc/tracking-cdn/well-known"
"""Where the configurations read the app-link files from (``app_links_dir``). The files are not
written into the configuration itself: JSON needs quotes and braces, which no rendered value may hold."""
DEFAULT_ACME_WEBROOT = "/var/www/tracking-cdn-acme"
"""The webroot an ACME client (``certbot certonly --webroot -w DIR``) writes HTTP-01 challenge files
into; the configurations answer ``/.well-known/acme-challenge/`` on plain HTTP from it."""
ACME_CHALLENGE_PATH = "/.well-known/acme-challenge/"
"""Where an ACME server looks for an HTTP-01 challenge file, always on port 80 (RFC 8555 section 8.3)."""
APP_LINK_FILE_NAMES = {APPLE_PATH: "apple-app-site-association", ANDROID_PATH: "assetlinks.json"}
"""The name of each app-link file in ``app_links_dir``: the last part of the path it answers."""
DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_READ_TIMEOUT = 10
DEFAULT_APACHE_LOG_DIR = "/var/log/apache2"
"""Debian/Ubuntu's Apache log directory (RHEL: /var/log/httpd), written as a literal path: the
``${APACHE_LOG_DIR}`` variable exists only in Debian's envvars file."""

DEFAULT_NGINX_VERSION = "1.18"
"""The oldest nginx a supported Debian/Ubuntu LTS ships (Debian 11, Ubuntu 22.04: 1.18.0; Debian 12:
1.22.1; Ubuntu 24.04: 1.24.0; Debian 13: 1.26.3). The output works there and on every later version."""
NGINX_REJECT_HANDSHAKE = (1, 19, 4)
"""``ssl_reject_handshake`` (refuse TLS for names the server does not serve) appeared in nginx 1.19.4."""
NGINX_HTTP2_DIRECTIVE = (1, 25, 1)
"""From nginx 1.25.1 HTTP/2 is switched on with ``http2 on;``; ``listen ... http2`` is deprecated."""
NGINX_UPSTREAM_RESOLVE = (1, 27, 3)
"""``server ... resolve`` in an ``upstream`` (re-resolve the ESP's name while keeping connections
alive) is in open-source nginx since 1.27.3 (https://nginx.org/en/docs/http/ngx_http_upstream_module.html)."""

CLIENT_ADDRESS_HEADERS = (
    "X-Forwarded-For", "X-Real-IP", "Forwarded", "True-Client-IP", "X-Forwarded-Host", "X-Client-IP", "Client-IP",
    # What CDNs in front of a proxy add, and what some frameworks read when no CDN is there.
    "CF-Connecting-IP", "Fastly-Client-IP", "X-Cluster-Client-IP", "X-Original-Forwarded-For",
)
"""Headers in which a client could claim another client's address (or another host); whatever the
client sent in them is removed before the request reaches the ESP, which sees only the address the
proxy itself puts in X-Forwarded-For."""

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

# Characters that would end a directive, start a comment or a variable, or need server-specific
# quoting in any of the three formats; none of the renderers quotes values, so none may contain them.
_UNSAFE_VALUE = re.compile(r"[\s\x00-\x1f\x7f\"'`;{}#$\\]")
_ASCII_NUMBER = re.compile(r"[0-9]+")
_NGINX_VERSION = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})(?:\.([0-9]{1,3}))?")


@dataclass(frozen=True)
class ProxySettings:
    """Everything the nginx, Apache and Caddy renderers need; build it with ``proxy_settings``."""

    domains: tuple[str, ...]
    """The tracking domains, normalised; the first names the certbot certificate lineage."""
    origin: Origin
    """The ESP endpoint every request is forwarded to, and its profile (``Host`` policy, protocol)."""
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
    nginx_version: tuple[int, int, int]
    """The nginx the configuration is for; decides which directives it may use."""
    nginx_resolvers: tuple[str, ...]
    """DNS servers nginx (1.27.3+) asks to re-resolve the ESP's name while running."""
    apache_log_dir: str
    """Directory of the Apache site's access log."""
    deep_links: Optional[DeepLinks] = None
    """The app-link files answered on every tracking domain (``app_links``), or None."""
    app_links_dir: str = DEFAULT_APP_LINKS_DIR
    """The directory the configuration reads the app-link files from (see ``app_link_files``)."""
    well_known_origin: Optional[str] = None
    """Your own web origin, which receives every other ``/.well-known/*`` request over verified HTTPS
    (None: they go to the ESP like everything else)."""
    well_known_origin_address: Optional[tuple[str, int]] = None
    """TESTS ONLY: reach ``well_known_origin`` at this IP and port; Host, SNI and the certificate
    check still use its host name."""
    acme_webroot: str = DEFAULT_ACME_WEBROOT
    """The ACME client's webroot: plain HTTP answers ``/.well-known/acme-challenge/<token>`` with the
    file ``<acme_webroot>/.well-known/acme-challenge/<token>`` (see ``acme_challenge_dir``)."""

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
    def origin_over_http(self) -> bool:
        """Whether the ESP is reached over plain HTTP (``ses``: the profile's documented exception)."""
        return self.origin.profile.origin_protocol == ORIGIN_HTTP

    @property
    def origin_scheme(self) -> str:
        return "http" if self.origin_over_http else "https"

    @property
    def origin_port(self) -> int:
        return 80 if self.origin_over_http else 443

    @property
    def app_link_files(self) -> tuple[tuple[WellKnownFile, str], ...]:
        """Each app-link file with the path the configuration reads it from, Apple's first."""
        files = self.deep_links.files if self.deep_links else ()
        return tuple((file, f"{self.app_links_dir}/{APP_LINK_FILE_NAMES[file.path]}") for file in files)

    @property
    def acme_challenge_dir(self) -> str:
        """The directory the HTTP-01 challenge files are answered from (where certbot writes them)."""
        return self.acme_webroot.rstrip("/") + ACME_CHALLENGE_PATH.rstrip("/")

    @property
    def upstream_host_header(self) -> Optional[str]:
        """The ``Host`` sent to the ESP: its own name, or None to pass the tracking domain on."""
        return None if self.origin.sends_tracking_host else self.origin.host

    @property
    def nginx_resolves_upstream(self) -> bool:
        """Whether the nginx output re-resolves the ESP's name while running (needs 1.27.3+)."""
        return self.upstream_address is None and self.nginx_version >= NGINX_UPSTREAM_RESOLVE

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
    allow_remote_caddy_admin: bool = False,
    nginx_version: str = DEFAULT_NGINX_VERSION,
    nginx_resolvers: Sequence[str] = (),
    apache_log_dir: str = DEFAULT_APACHE_LOG_DIR,
    esp_region: Optional[str] = None,
    app_links: Optional[Mapping[str, Any]] = None,
    app_links_dir: str = DEFAULT_APP_LINKS_DIR,
    well_known_origin: Optional[str] = None,
    well_known_origin_address: Optional[str] = None,
    acme_webroot: str = DEFAULT_ACME_WEBROOT,
) -> ProxySettings:
    """Validate the inputs (raising ``InvalidArgument`` naming the bad one) and build ``ProxySettings``.

    Defaults: ``esp="sparkpost"``; certbot's certificate paths; HTTP proxied (no redirect); ports 80
    and 443 on every address; the ESP verified against the system CA store; 5 s connect and 10 s
    read timeouts; nginx 1.18 directives (``nginx_version="1.27.3"`` or later, with
    ``nginx_resolvers``, re-resolves the ESP's name while running); Apache logs in /var/log/apache2.
    ``esp="ses"`` needs ``esp_region`` and reaches the ESP over plain HTTP (the profile's documented
    exception). ``app_links`` (``apple_app_site_association`` and/or ``android_asset_links``, each a
    JSON string or the value itself, as the front doors take it) makes every tracking domain answer
    those files itself, read from ``app_links_dir`` (write them there with ``write_app_link_files``);
    ``well_known_origin`` sends every other ``/.well-known/*`` request to your own web origin.
    Plain HTTP answers ACME HTTP-01 challenges (``/.well-known/acme-challenge/``) from the files an
    ACME client writes into ``acme_webroot`` (default /var/www/tracking-cdn-acme), never redirected
    or proxied, so ``certbot certonly --webroot`` can issue and renew the certificate (Caddy without
    ``cert``/``key`` answers its own challenges and does not use it).
    ``caddy_admin`` must be a loopback address (or ``off``) unless ``allow_remote_caddy_admin``: Caddy's
    admin API has no authentication, and whoever reaches it can replace the configuration.
    ``upstream_address`` and ``well_known_origin_address`` (``"127.0.0.1:8443"``) are for tests only.
    """
    normalized = normalize_tracking_domains(domains)
    origin = resolve_origin(esp, tenant=tenant, origin_host=origin_host, esp_region=esp_region)
    deep_links = resolve_app_links(app_links)
    _check_path("app_links_dir", app_links_dir)
    _check_path("acme_webroot", acme_webroot)
    if well_known_origin is not None:
        well_known_origin = validate_separate_host(well_known_origin, argument="well_known_origin", tracking_domains=normalized)
    elif well_known_origin_address is not None:
        raise InvalidArgument("well_known_origin_address", "stands in for well_known_origin: give well_known_origin too")
    refuse_when_esp_serves_well_known(origin.profile, app_links=deep_links, well_known_origin=well_known_origin)
    if (cert is None) != (key is None):
        missing = "key" if key is None else "cert"
        raise InvalidArgument(missing, "give both cert and key (the certificate chain and its private key), or neither")
    for name, value in (("cert", cert), ("key", key), ("upstream_ca_file", upstream_ca_file)):
        if value is not None:
            _check_path(name, value)
    _check_path("apache_log_dir", apache_log_dir)
    if not isinstance(redirect_http_to_https, bool):
        raise InvalidArgument("redirect_http_to_https", f"expected True or False, got {redirect_http_to_https!r}")
    _check_port("http_port", http_port)
    _check_port("https_port", https_port)
    if http_port == https_port:
        raise InvalidArgument("https_port", f"must differ from the HTTP port ({http_port})")
    _check_timeout("connect_timeout", connect_timeout)
    _check_timeout("read_timeout", read_timeout)
    version = _parse_nginx_version(nginx_version)
    resolvers = _check_ip_list("nginx_resolvers", nginx_resolvers)
    if resolvers and version < NGINX_UPSTREAM_RESOLVE:
        raise InvalidArgument(
            "nginx_resolvers", f"nginx re-resolves upstream names from 1.27.3 on; set nginx_version to 1.27.3 or later "
            f"(it is {nginx_version!r}), or leave the resolvers out",
        )
    if version >= NGINX_UPSTREAM_RESOLVE and not resolvers and upstream_address is None:
        raise InvalidArgument(
            "nginx_resolvers", "nginx 1.27.3+ re-resolves the ESP's name only through a resolver it is given: "
            "give the address of a DNS server, e.g. 127.0.0.53 (systemd-resolved)",
        )
    return ProxySettings(
        domains=normalized,
        origin=origin,
        cert=cert,
        key=key,
        redirect_http_to_https=redirect_http_to_https,
        http_port=http_port,
        https_port=https_port,
        listen_addresses=_check_listen_addresses(listen_addresses),
        upstream_ca_file=upstream_ca_file,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        upstream_address=None if upstream_address is None else _parse_address("upstream_address", upstream_address),
        caddy_admin=None if caddy_admin is None else _check_caddy_admin(caddy_admin, allow_remote_caddy_admin),
        nginx_version=version,
        nginx_resolvers=resolvers,
        apache_log_dir=apache_log_dir.rstrip("/") or "/",
        deep_links=deep_links,
        app_links_dir=app_links_dir.rstrip("/") or "/",
        well_known_origin=well_known_origin,
        well_known_origin_address=None if well_known_origin_address is None
        else _parse_address("well_known_origin_address", well_known_origin_address),
        acme_webroot=acme_webroot.rstrip("/") or "/",
    )


def write_app_link_files(settings: ProxySettings) -> list[str]:
    """Write the app-link files where the configuration reads them (``settings.app_links_dir``), byte
    for byte, readable by the web server (0644); return the paths written. Each file is replaced in
    one step, so a server never reads half a file.

    Each is written into a new temporary file of that directory with a name nobody can predict,
    created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (``tempfile.mkstemp``) and chmod-ed through its
    descriptor, then renamed over the file, which replaces a symbolic link rather than following it:
    a link planted in the directory can never make the command (often run as root) write or chmod
    another file. (Whoever can write the directory can still replace the files afterwards: keep it
    writable by root only.)"""
    written = []
    for file, path in settings.app_link_files:
        target = Path(path)
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        descriptor, staging = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(descriptor, "wb") as staged:
                os.fchmod(staged.fileno(), 0o644)
                staged.write(file.body)
            os.replace(staging, target)
        except BaseException:
            os.unlink(staging)
            raise
        written.append(str(target))
    return written


def checked(settings: ProxySettings) -> ProxySettings:
    """``settings`` itself, once every value a renderer writes into a configuration is known to be a
    single token: no whitespace, control character or ``"'`;{}#$\\`` (the renderers quote nothing).
    ``proxy_settings`` already refuses such values; this guards settings built any other way."""
    for name, value in _rendered_values(settings):
        if isinstance(value, str) and _UNSAFE_VALUE.search(value):
            raise InvalidArgument(name, f"{value!r} cannot be written into a server configuration safely")
    return settings


def header_spellings(name: str) -> tuple[str, ...]:
    """``name`` with each ``-`` also spelled ``_``: servers that map header names to variables
    (CGI, PHP, many frameworks) read ``X_Forwarded_For`` as ``X-Forwarded-For``."""
    spellings = [""]
    for character in name:
        spellings = [s + c for s in spellings for c in ("-_" if character == "-" else character)]
    return tuple(spellings)


def format_address(address: str, port: int) -> str:
    """``host:port``, with IPv6 literals in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _rendered_values(settings: ProxySettings) -> Iterator[tuple[str, Any]]:
    for field in fields(settings):
        value = getattr(settings, field.name)
        if isinstance(value, Origin):
            yield "origin_host", value.host
            yield "esp", value.profile.name
        elif isinstance(value, DeepLinks):
            yield from ((field.name, path) for path in value.paths)  # the bodies go to files, not the config
        elif isinstance(value, tuple):
            yield from ((field.name, item) for item in value)
        else:
            yield field.name, value


def _check_path(argument: str, value: str) -> None:
    if not isinstance(value, str) or not value.startswith("/") or _UNSAFE_VALUE.search(value):
        raise InvalidArgument(
            argument,
            f"expected an absolute file path without spaces, control characters, quotes or ;{{}}#$\\ "
            f"(e.g. '/etc/ssl/private/track.pem'), got {value!r}",
        )


def _check_port(argument: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidArgument(argument, f"expected a TCP port number between 1 and 65535, got {value!r}")


def _check_timeout(argument: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 300:
        raise InvalidArgument(argument, f"expected whole seconds between 1 and 300, got {value!r}")


def _check_ip(argument: str, value: str) -> str:
    if isinstance(value, str) and "%" in value:
        # An IPv6 zone id is free text to the ipaddress module ("fe80::1%eth0;}..."), and none of the
        # three servers needs one to listen on or reach an address.
        raise InvalidArgument(argument, f"expected an IP address without a zone id (%...), such as ::1, got {value!r}")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise InvalidArgument(argument, f"expected an IP address such as 127.0.0.1 or ::1, got {value!r}") from None


def _check_ip_list(argument: str, values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidArgument(argument, f"expected a list of IP addresses such as ['127.0.0.1'], got {values!r}")
    addresses = tuple(_check_ip(argument, value) for value in values)
    for index, address in enumerate(addresses):
        if address in addresses[:index]:
            raise InvalidArgument(argument, f"{values[index]!r} is listed twice")
    return addresses


def _check_listen_addresses(values: Sequence[str]) -> tuple[str, ...]:
    addresses = _check_ip_list("listen_addresses", values)
    for wildcard in ("0.0.0.0", "::"):
        same_family = [a for a in addresses if (":" in a) == (":" in wildcard)]
        if wildcard in addresses and len(same_family) > 1:
            raise InvalidArgument(
                "listen_addresses", f"{wildcard} already covers {', '.join(a for a in same_family if a != wildcard)}; "
                "give either the wildcard or the specific addresses",
            )
    return addresses


def _port_number(argument: str, text: str, example: str, value: str) -> int:
    # ASCII digits only: str.isdigit() and int() also take "²" or "٢٠١٩".
    if not _ASCII_NUMBER.fullmatch(text):
        raise InvalidArgument(argument, f"expected {example}, got {value!r}")
    port = int(text)
    _check_port(argument, port)
    return port


def _parse_address(
    argument: str, value: str, example: str = "IP:PORT such as 127.0.0.1:8443 or [::1]:8443"
) -> tuple[str, int]:
    if not isinstance(value, str):
        raise InvalidArgument(argument, f"expected {example}, got {value!r}")
    host, separator, port = value.rpartition(":")
    if not separator or (":" in host and not (host.startswith("[") and host.endswith("]"))):
        raise InvalidArgument(argument, f"expected {example}, got {value!r}")
    return _check_ip(argument, host[1:-1] if host.startswith("[") else host), _port_number(argument, port, example, value)


def _check_caddy_admin(value: str, allow_remote: bool) -> str:
    if value == "off":
        return value
    example = "'off' or HOST:PORT such as localhost:2019 or 127.0.0.1:2019"
    if isinstance(value, str) and value.startswith("localhost:"):
        return f"localhost:{_port_number('caddy_admin', value[len('localhost:'):], example, value)}"
    address, port = _parse_address("caddy_admin", value, example)
    if not ipaddress.ip_address(address).is_loopback and allow_remote is not True:
        raise InvalidArgument(
            "caddy_admin", f"{value!r} is not a loopback address: Caddy's admin API has no authentication, so anyone "
            "who can reach it could replace the whole configuration (POST /load); give localhost:2019, 127.0.0.1:PORT "
            "or 'off', or set allow_remote_caddy_admin if it is meant (a host firewall in front of it)",
        )
    return format_address(address, port)


def remote_caddy_admin_warning(settings: ProxySettings) -> Optional[str]:
    """The warning for a Caddy admin endpoint beyond loopback (``allow_remote_caddy_admin``), or None."""
    admin = settings.caddy_admin
    if admin is None or admin == "off" or admin.startswith("localhost:"):
        return None
    if ipaddress.ip_address(admin.rpartition(":")[0].strip("[]")).is_loopback:
        return None
    return (f"Caddy's admin API listens on {admin}, beyond loopback and without authentication: whoever reaches it "
            "can replace the whole configuration (POST /load); firewall it")


def _parse_nginx_version(value: str) -> tuple[int, int, int]:
    match = _NGINX_VERSION.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise InvalidArgument("nginx_version", f"expected a version such as 1.22 or 1.27.3 (nginx -v), got {value!r}")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


__all__ = [
    "ProxySettings",
    "proxy_settings",
    "write_app_link_files",
    "remote_caddy_admin_warning",
    "checked",
    "header_spellings",
    "format_address",
    "SYSTEM_CA_FILE",
    "CLIENT_ADDRESS_HEADERS",
    "INTERMEDIATE_TLS12_CIPHERS",
    "OPENSSL_TLS12_CIPHERS",
]
