"""The checks themselves: each looks at one domain over the network and returns a ``CheckResult``
with a verdict, the evidence it saw and, when something is wrong, a hint at the fix."""

from __future__ import annotations

import http.client
import re
import ssl
import time
from dataclasses import dataclass
from typing import Optional
from urllib.parse import SplitResult, urljoin, urlsplit

from ..esp import ORIGIN_HTTP, Origin
from .network import (
    CheckTimeout,
    Deadline,
    HttpAnswer,
    LookupFailed,
    Resolution,
    Resolver,
    decode_certificate,
    fetch,
    probing_context,
    tls_connect,
    verifying_context,
)
from .report import CheckResult, Verdict

NETWORK_ERRORS = (CheckTimeout, LookupFailed, OSError, http.client.HTTPException)
EXPIRY_WARNING_DAYS = 21
# DESIGN.md section 2: a front door that caches keeps answers 10 s; longer hides repeat clicks.
MAX_HIDDEN_SECONDS = 10
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
DEFAULT_PORTS = {"http": 80, "https": 443}
REACHABILITY_PATH = "/"
"""Asked of an ESP that documents no health path (``health_path`` None): any answer from it proves
only that the front door reaches something."""
FRONT_DOOR_REFUSALS = (421,)
"""Statuses only a front door gives for a tracking domain (it does not serve the name)."""
AMBIGUOUS_REFUSALS = (403,)
"""Statuses a front door gives when it does not serve the name (CloudFront, firewalls), which an ESP
could also give for ``/``."""
# OpenSSL verification codes (X509_V_ERR_*) that mean "the chain does not lead to a trusted root".
UNTRUSTED_CHAIN_CODES = {2, 18, 19, 20, 21}
EXPIRED_CODE, HOSTNAME_MISMATCH_CODE = 10, 62
CACHE_STATUS_HEADERS = ("x-cache", "cf-cache-status", "x-cache-status")


@dataclass(frozen=True)
class Settings:
    """Everything a check needs besides the domain."""

    origin: Origin
    resolver: Resolver
    https_port: int
    http_port: int
    timeout: float
    ca_bundle: Optional[str]
    app_links: tuple[str, ...] = ()
    """The app-link files to check (``apple``, ``android``); empty: no ``deep-links`` check."""
    redirect_http_to_https: bool = False
    """Whether the front door is meant to redirect plain HTTP to HTTPS on the same host (its
    ``redirect_http_to_https``): then ``http`` expects the redirect, otherwise it expects plain HTTP served."""

    def deadline(self) -> Deadline:
        return Deadline(self.timeout)

    @property
    def esp_port(self) -> int:
        """Where the ESP's endpoint listens for the front door: 443, or 80 for a plain-HTTP profile (ses)."""
        return 80 if self.origin.profile.origin_protocol == ORIGIN_HTTP else 443


def describe_error(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError):
        return f"TLS handshake failed ({error.reason or error})"
    return str(error) or type(error).__name__


# -- DNS ---------------------------------------------------------------------------------------


def check_dns(domain: str, settings: Settings) -> CheckResult:
    with settings.deadline() as deadline:
        return _check_dns(domain, settings, deadline)


def _check_dns(domain: str, settings: Settings, deadline: Deadline) -> CheckResult:
    try:
        resolution = settings.resolver.lookup(domain, settings.https_port, deadline)
    except (LookupFailed, CheckTimeout) as error:
        if isinstance(error, LookupFailed) and error.record_missing:
            hint = "create the record the front door needs (the component's dns_records output) or fix the name's spelling"
        else:
            hint = (
                "this says nothing about the record: the resolver this machine uses (/etc/resolv.conf) is unreachable "
                "or refused the query, or could not reach the domain's name servers (SERVFAIL: a broken delegation or "
                f"DNSSEC chain); retry, ask another resolver (dig {domain} @1.1.1.1), or check the front door "
                f"meanwhile with --resolve {domain}:{settings.https_port}:ADDRESS"
            )
        return CheckResult("dns", Verdict.FAIL, str(error), hint=hint)
    evidence = list(_where_it_points(resolution))
    esp_reason, note = _points_at_esp(resolution, settings, deadline)
    if note:
        evidence.append(note)
    if esp_reason:
        return CheckResult(
            "dns",
            Verdict.WARN,
            f"{domain} still points straight at the ESP endpoint {settings.origin.host} ({esp_reason})",
            tuple(evidence),
            hint="point the name at the front door (the component's dns_records output); until then "
            "tracking links only work over plain HTTP",
        )
    return CheckResult("dns", Verdict.PASS, f"resolves to {', '.join(resolution.addresses)}", tuple(evidence))


def _where_it_points(resolution: Resolution) -> tuple[str, ...]:
    if resolution.pinned:
        return (f"addresses pinned with --resolve: {', '.join(resolution.addresses)} (DNS not consulted)",)
    lines = [f"addresses: {', '.join(resolution.addresses)}"]
    if resolution.canonical_name and resolution.canonical_name != resolution.host:
        # getaddrinfo reports only the last name of a CNAME chain, not the names in between.
        lines.append(f"CNAME chain ends at {resolution.canonical_name}")
    return tuple(lines)


def _points_at_esp(
    resolution: Resolution, settings: Settings, deadline: Deadline
) -> tuple[Optional[str], Optional[str]]:
    """Why the domain looks like it points at the ESP (or None), and a note on what was not compared."""
    origin = settings.origin.host
    canonical = resolution.canonical_name or ""
    if canonical == origin or canonical.endswith("." + origin):
        return f"its CNAME chain ends at {canonical}", None
    port = settings.esp_port
    if resolution.pinned and not settings.resolver.is_pinned(origin, port):
        return None, f"not compared with {origin}'s addresses (pin {origin}:{port} with --resolve to compare)"
    try:
        esp_addresses = settings.resolver.lookup(origin, port, deadline).addresses
    except (LookupFailed, CheckTimeout) as error:
        return None, f"not compared with the ESP endpoint's addresses: {error}"
    shared = sorted(set(esp_addresses) & set(resolution.addresses))
    if shared:
        return f"it resolves to {origin}'s own addresses {', '.join(shared)}", None
    return None, None


# -- TLS ---------------------------------------------------------------------------------------


def check_certificate(domain: str, settings: Settings) -> CheckResult:
    with settings.deadline() as deadline:
        return _check_certificate(domain, settings, deadline)


def _check_certificate(domain: str, settings: Settings, deadline: Deadline) -> CheckResult:
    try:
        with tls_connect(
            settings.resolver, domain, settings.https_port, verifying_context(settings.ca_bundle), deadline
        ) as tls:
            return _judge_valid_certificate(domain, tls.getpeercert())
    except ssl.SSLCertVerificationError as error:
        return _judge_rejected_certificate(domain, error, _unverified_certificate(domain, settings, deadline))
    except NETWORK_ERRORS as error:
        return CheckResult(
            "tls-certificate",
            Verdict.FAIL,
            f"no TLS handshake on port {settings.https_port}: {describe_error(error)}",
            hint="the front door must serve HTTPS for the tracking domain on 443",
        )


def _unverified_certificate(domain: str, settings: Settings, deadline: Deadline) -> Optional[dict]:
    try:
        with tls_connect(settings.resolver, domain, settings.https_port, probing_context(), deadline) as tls:
            der = tls.getpeercert(binary_form=True)
    except NETWORK_ERRORS:
        return None
    return decode_certificate(der) if der else None


def _certificate_evidence(certificate: Optional[dict]) -> tuple[str, ...]:
    if not certificate:
        return ()
    return (
        f"subject: {_distinguished_name(certificate.get('subject', ()))}",
        f"names: {', '.join(_certificate_names(certificate)) or 'none'}",
        f"issuer: {_distinguished_name(certificate.get('issuer', ()))}",
        f"valid until: {certificate.get('notAfter', 'unknown')}",
    )


def _distinguished_name(rdns: tuple) -> str:
    return ", ".join(f"{key}={value}" for rdn in rdns for key, value in rdn) or "empty"


def _certificate_names(certificate: dict) -> list[str]:
    return [value for kind, value in certificate.get("subjectAltName", ()) if kind == "DNS"]


def _common_names(certificate: dict) -> list[str]:
    return [value.lower() for rdn in certificate.get("subject", ()) for key, value in rdn if key == "commonName"]


def _days_left(certificate: dict) -> int:
    """Whole days until expiry; negative once expired (-3: expired three full days ago)."""
    return int((ssl.cert_time_to_seconds(certificate["notAfter"]) - time.time()) / 86400)


def _day_count(days: int) -> str:
    return f"{days} day{'s' * (days != 1)}"


def _judge_valid_certificate(domain: str, certificate: dict) -> CheckResult:
    days = _days_left(certificate)
    evidence = _certificate_evidence(certificate)
    if days < EXPIRY_WARNING_DAYS:
        return CheckResult(
            "tls-certificate",
            Verdict.WARN,
            f"valid for {domain} and trusted, but expires in {_day_count(days)}",
            evidence,
            hint="managed certificates renew about 30 days ahead; one this close to expiry is not "
            "renewing (does DNS still point at the front door? is validation still passing?)",
        )
    return CheckResult(
        "tls-certificate", Verdict.PASS, f"valid for {domain}, trusted, expires in {_day_count(days)}", evidence
    )


def _judge_rejected_certificate(
    domain: str, error: ssl.SSLCertVerificationError, certificate: Optional[dict]
) -> CheckResult:
    evidence = _certificate_evidence(certificate)
    if error.verify_code == EXPIRED_CODE:
        ago = f" {_day_count(-_days_left(certificate))} ago" if certificate else ""
        summary, hint = (
            f"the certificate expired{ago}",
            "renew it; managed certificates renew only while DNS points at the front door and "
            "validation records exist",
        )
    elif error.verify_code == HOSTNAME_MISMATCH_CODE and certificate and not _certificate_names(certificate) \
            and domain in _common_names(certificate):
        summary, hint = (
            f"the certificate names {domain} only in its subject's common name (CN), with no DNS "
            "subjectAltName: browsers (Chrome 58+, iOS 13+, Firefox 48+) ignore the CN",
            "reissue the certificate with the domain in its subjectAltName (every public CA and the front "
            "doors' managed certificates do; hand-made ones often do not)",
        )
    elif error.verify_code == HOSTNAME_MISMATCH_CODE:
        covered = ", ".join(_certificate_names(certificate)) if certificate else "unknown names"
        summary, hint = (
            f"the certificate is not valid for {domain} (it covers {covered or 'no DNS name'})",
            "add the domain to the front door's certificate (the component's domains) and wait for "
            "issuance; the front door may be answering with its default certificate",
        )
    elif error.verify_code in UNTRUSTED_CHAIN_CODES:
        summary, hint = (
            f"the certificate chain is not trusted: {error.verify_message}",
            "serve the full chain from a public CA; self-signed or private-CA certificates fail "
            "in every mail client (for a private CA in split-horizon tests, pass --ca-bundle)",
        )
    else:
        summary, hint = f"the certificate is rejected: {error.verify_message}", None
    return CheckResult("tls-certificate", Verdict.FAIL, summary, evidence, hint)


MODERN_VERSIONS = (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2)
LEGACY_VERSIONS = (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1)
VERSION_NAMES = {
    ssl.TLSVersion.TLSv1_3: "TLS 1.3",
    ssl.TLSVersion.TLSv1_2: "TLS 1.2",
    ssl.TLSVersion.TLSv1_1: "TLS 1.1",
    ssl.TLSVersion.TLSv1: "TLS 1.0",
}


def check_protocols(domain: str, settings: Settings) -> CheckResult:
    try:
        with settings.deadline() as deadline:
            offered = {
                version: _accepts(domain, settings, version, deadline) for version in MODERN_VERSIONS + LEGACY_VERSIONS
            }
    except NETWORK_ERRORS as error:
        return CheckResult(
            "tls-protocols", Verdict.FAIL, f"could not probe TLS versions: {describe_error(error)}"
        )

    def names(versions: tuple, accepted: Optional[bool]) -> list[str]:
        return [VERSION_NAMES[v] for v in versions if offered[v] is accepted]

    evidence = tuple(
        f"{label}: {', '.join(found)}"
        for label, found in (
            ("accepted", names(MODERN_VERSIONS + LEGACY_VERSIONS, True)),
            ("refused", names(MODERN_VERSIONS + LEGACY_VERSIONS, False)),
            ("not tested (this Python's OpenSSL cannot offer it)", names(LEGACY_VERSIONS, None)),
        )
        if found
    )
    if not names(MODERN_VERSIONS, True):
        return CheckResult(
            "tls-protocols",
            Verdict.FAIL,
            "neither TLS 1.2 nor TLS 1.3 is offered: current browsers and mail clients cannot connect",
            evidence,
            hint="set the front door's minimum TLS version to 1.2 and allow 1.2 and 1.3",
        )
    if names(LEGACY_VERSIONS, True):
        return CheckResult(
            "tls-protocols",
            Verdict.WARN,
            f"{' and '.join(names(LEGACY_VERSIONS, True))} still accepted",
            evidence,
            hint="require TLS 1.2 or later (CloudFront TLSv1.2_2021, GCP SSL policy TLS_1_2, "
            "Azure TLS12, nginx ssl_protocols TLSv1.2 TLSv1.3)",
        )
    return CheckResult(
        "tls-protocols", Verdict.PASS, f"{', '.join(names(MODERN_VERSIONS, True))} offered; older refused", evidence
    )


def _accepts(domain: str, settings: Settings, version: ssl.TLSVersion, deadline: Deadline) -> Optional[bool]:
    """Whether the server completes a handshake at exactly ``version``; None when this client cannot
    offer that version at all (its OpenSSL was built or configured without it)."""
    try:
        with tls_connect(settings.resolver, domain, settings.https_port, probing_context(version), deadline):
            return True
    except ssl.SSLError as error:
        if error.reason == "NO_PROTOCOLS_AVAILABLE":
            return None
        return False
    except (ConnectionResetError, BrokenPipeError):
        return False


# -- HTTPS, HTTP, caching ------------------------------------------------------------------------


def check_https(domain: str, settings: Settings) -> tuple[CheckResult, Optional[HttpAnswer]]:
    """Whether HTTPS reaches the ESP; also returns the answer, the first of the caching check's pair."""
    try:
        answer = _fetch_health(domain, "https", settings.https_port, settings)
    except NETWORK_ERRORS as error:
        return (
            CheckResult(
                "https",
                Verdict.FAIL,
                f"no HTTPS answer: {describe_error(error)}",
                hint="HTTPS on 443 must answer for the tracking domain (see tls-* above)",
            ),
            None,
        )
    return _judge_esp_answer("https", answer, settings), answer


def check_http(domain: str, settings: Settings) -> CheckResult:
    try:
        answer = _fetch_health(domain, "http", settings.http_port, settings)
    except NETWORK_ERRORS as error:
        return CheckResult(
            "http",
            Verdict.FAIL,
            f"plain HTTP is broken: {describe_error(error)}",
            hint="links in emails already delivered are http://; serve port 80 (forward to the ESP "
            "or redirect to HTTPS on the same host)",
        )
    try:
        target = _redirect_target(answer)
    except BadLocation:
        target = None  # reported by _judge_esp_answer
    if target and target.scheme == "https" and target.hostname == domain and (target.port or 443) == settings.https_port:
        return _judge_https_redirect(answer, target, settings)
    result = _judge_esp_answer("http", answer, settings)
    if result.verdict is Verdict.PASS and settings.redirect_http_to_https:
        return CheckResult(
            "http", Verdict.WARN, f"served over plain HTTP, not redirected to HTTPS as --redirect-http-to-https expects: "
            f"{result.summary}", result.evidence,
            hint="turn the front door's redirect on (redirect_http_to_https: true), or leave --redirect-http-to-https "
            "out if plain HTTP is meant",
        )
    if result.verdict is Verdict.PASS:
        return CheckResult("http", Verdict.PASS, f"served over plain HTTP (no redirect): {result.summary}", result.evidence)
    return result


def _judge_https_redirect(answer: HttpAnswer, target: SplitResult, settings: Settings) -> CheckResult:
    """Plain HTTP answered with a redirect to HTTPS on the same host: what ``--redirect-http-to-https``
    asks for, otherwise a redirect nobody configured in the front door (the components' default is
    none: links in delivered mail are http://). Cloudflare's Always Use HTTPS zone setting answers
    every http:// URL of the zone so: "Reply to all requests for URLs that use "http" with a 301
    redirect to the equivalent "https" URL" (Cloudflare API, zone setting always_use_https)."""
    redirected = f"redirected to HTTPS on the same host ({answer.status} to {answer.header('location')})"
    evidence = (answer.describe(),)
    if settings.redirect_http_to_https:
        return CheckResult("http", Verdict.PASS, redirected, evidence)
    asked = urlsplit(answer.url)
    by_cloudflare = "cloudflare" in server_products(answer.header("server")) or bool(answer.header("cf-ray"))
    if by_cloudflare and answer.status == 301 and (target.path, target.query) == (asked.path, asked.query):
        return CheckResult(
            "http", Verdict.WARN,
            f"{redirected}, although no redirect was asked for (redirect_http_to_https is false): Cloudflare's "
            "Always Use HTTPS zone setting does this (dashboard: SSL/TLS > Edge Certificates > Always Use HTTPS)",
            evidence,
            hint="turn Always Use HTTPS off for the zone, or keep plain-HTTP links served on the tracking hosts "
            "with a Single Redirect as docs/front-doors/cloudflare.md#the-zones-always-use-https describes; "
            "meanwhile every http:// link in delivered mail lands on HTTPS, and fails on a name without its "
            "certificate. If the redirect is meant, pass --redirect-http-to-https",
        )
    return CheckResult(
        "http", Verdict.WARN, f"{redirected}, although no redirect was asked for (redirect_http_to_https is false)",
        evidence,
        hint="links in delivered mail are http://: forward plain HTTP to the ESP as the front door's default does; if "
        "the redirect is meant (redirect_http_to_https: true), pass --redirect-http-to-https",
    )


def _fetch_health(domain: str, scheme: str, port: int, settings: Settings) -> HttpAnswer:
    path = settings.origin.profile.health_path or REACHABILITY_PATH
    with settings.deadline() as deadline:
        return fetch(settings.resolver, scheme, domain, port, path, deadline)


def _judge_esp_answer(name: str, answer: HttpAnswer, settings: Settings) -> CheckResult:
    """Did the ESP answer the health path, or the front door itself (an error page)?"""
    profile, origin_host = settings.origin.profile, settings.origin.host
    server = answer.header("server")
    expected_server = profile.server_header
    evidence = (answer.describe(),)
    try:
        target = _redirect_target(answer)
    except BadLocation as error:
        return CheckResult(
            name, Verdict.FAIL, f"{answer.status} with a broken redirect: {error}", evidence,
            hint="a browser cannot follow this redirect; the front door or the ESP must send a valid absolute Location",
        )
    if target and _same_resource(target, urlsplit(answer.url)):
        return CheckResult(
            name, Verdict.FAIL, f"{answer.status} redirects to the URL that was asked for: a redirect loop", evidence,
            hint="the front door answers the tracking URL with a redirect to itself instead of forwarding it to "
            f"{origin_host} (check its redirect rules)",
        )
    if profile.health_path is None:
        return _judge_reachability(name, answer, settings, target)
    status_ok = answer.status in profile.health_statuses
    if status_ok and (expected_server is None or expected_server in server_products(server)):
        proof = f"Server: {server}" if expected_server else f"a status {profile.name} gives for {profile.health_path}"
        return CheckResult(name, Verdict.PASS, f"the ESP answered {answer.status} ({proof})", evidence)
    if target and target.hostname == origin_host:
        return _judge_redirect_to_esp(name, answer, target, settings, "the ESP itself is not contacted by this check")
    if status_ok:
        return CheckResult(
            name,
            Verdict.WARN,
            f"{answer.status} as the ESP would answer, but Server is {server or 'absent'!r}, not "
            f"{expected_server!r}: cannot tell whether the ESP answered",
            evidence,
            hint="let the ESP's Server header through (nginx: proxy_pass_header Server)",
        )
    return CheckResult(
        name,
        Verdict.FAIL,
        f"the front door answered {answer.status} {answer.reason} itself (Server: {server or 'absent'}), "
        f"not the ESP{f' ({expected_server})' if expected_server else ''}",
        evidence,
        hint=_error_status_hint(answer.status, settings),
    )


def _judge_reachability(name: str, answer: HttpAnswer, settings: Settings, target: Optional[SplitResult]) -> CheckResult:
    """For an ESP that documents no health path: only the front door's own refusals and gateway
    errors can be told apart from an answer of the ESP, so a pass proves reachability, no more."""
    profile, origin_host = settings.origin.profile, settings.origin.host
    evidence = (answer.describe(),)
    server = answer.header("server") or "absent"
    if target and target.hostname == origin_host:
        return _judge_redirect_to_esp(name, answer, target, settings, "reachability only")
    if answer.status >= 500 or answer.status in FRONT_DOOR_REFUSALS:
        return CheckResult(
            name, Verdict.FAIL, f"the front door answered {answer.status} {answer.reason} itself (Server: {server})",
            evidence, hint=_error_status_hint(answer.status, settings),
        )
    unknown = (
        f"{profile.name} documents no health path, so this cannot tell whether {profile.name} itself answered "
        "(reachability only)"
    )
    if answer.status in AMBIGUOUS_REFUSALS:
        return CheckResult(
            name, Verdict.WARN, f"{answer.status} {answer.reason} for {REACHABILITY_PATH}: the front door may refuse the "
            f"domain, or {profile.name} answered so; {unknown}", evidence, hint=_error_status_hint(answer.status, settings),
        )
    return CheckResult(name, Verdict.PASS, f"answered {answer.status} for {REACHABILITY_PATH} (Server: {server}); {unknown}", evidence)


def _judge_redirect_to_esp(name: str, answer: HttpAnswer, target: SplitResult, settings: Settings, note: str,
                           ) -> CheckResult:
    """A redirect-style front door (Cloudflare's recipe): the browser must follow it, over HTTPS when
    the link was HTTPS."""
    origin_host, evidence = settings.origin.host, (answer.describe(),)
    if target.scheme not in DEFAULT_PORTS:
        return CheckResult(
            name, Verdict.FAIL, f"redirects to a {target.scheme}: URL of {origin_host}, which browsers do not follow",
            evidence, hint=f"redirect to https://{origin_host} with the path and query string kept",
        )
    if name == "https" and target.scheme == "http":
        return CheckResult(
            name, Verdict.FAIL, f"redirects to http://{origin_host}: the click leaves HTTPS for plain HTTP", evidence,
            hint=f"redirect to https://{origin_host} (the redirect rule's target URL)",
        )
    return CheckResult(
        name, Verdict.PASS, f"redirects to the ESP endpoint {origin_host} (a redirect-style front door; {note})", evidence,
    )


class BadLocation(ValueError):
    """A redirect's Location that is not a usable URL."""


def _redirect_target(answer: HttpAnswer) -> Optional[SplitResult]:
    """Where a redirect points, resolved against the requested URL; None for other answers. A
    Location that a browser's URL parser (WHATWG URL) could read differently from ``urlsplit`` is
    refused rather than guessed at (see ``_ambiguity``)."""
    location = answer.header("location")
    if answer.status not in REDIRECT_STATUSES or not location:
        return None
    ambiguity = _ambiguity(location)
    if ambiguity:
        raise BadLocation(f"Location {location!r} {ambiguity}, which browsers and URL parsers read differently")
    try:
        target = urlsplit(urljoin(answer.url, location))
        target.port  # urlsplit checks the port only when it is read
    except ValueError as error:
        raise BadLocation(f"Location {location!r} is not a valid URL ({error})") from None
    return target


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _ambiguity(location: str) -> Optional[str]:
    """Why ``location`` is ambiguous, or None. WHATWG URL parsing, as browsers do it, reads a
    backslash as a slash in http(s) URLs (``https://evil.example\\@spgo.io/`` goes to evil.example,
    where ``urlsplit`` reads the host spgo.io after the ``@``), drops tabs and newlines, skips any
    number of slashes after ``https:`` (or none), and percent-decodes and IDNA-maps the host. A valid
    redirect needs none of that, nor user information before the host."""
    if "\\" in location:
        return "has a backslash"
    if _CONTROL.search(location):
        return "has a control character"
    scheme = _SCHEME.match(location)
    rest = location[scheme.end():] if scheme else location
    if scheme and scheme.group(1).lower() in DEFAULT_PORTS and not rest.startswith("//"):
        return f"has no // after {scheme.group(1)}:"
    if rest.startswith("///"):
        return "has more than two slashes before the host"
    if not rest.startswith("//"):
        return None  # a path on the same host
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    if "@" in authority:
        return "has user information (user@host) before the host"
    if "%" in authority or not authority.isascii():
        return "has a percent-encoded or non-ASCII host"
    return None


def _same_resource(first: SplitResult, second: SplitResult) -> bool:
    def key(url: SplitResult) -> tuple:
        return url.scheme, url.hostname, url.port or DEFAULT_PORTS.get(url.scheme), url.path or "/", url.query

    return key(first) == key(second)


def server_products(value: str) -> list[str]:
    """The product names in a Server field, lower case (RFC 9110 section 10.2.4: products separated
    by whitespace, comments in parentheses). A proxy that adds its own Server line beside the ESP's
    (Caddy does) makes the combined value a comma-separated list, read the same way."""
    without_comments = re.sub(r"\([^)]*\)", " ", value)
    return [token.split("/")[0].lower() for token in re.split(r"[\s,]+", without_comments) if token]


def _error_status_hint(status: int, settings: Settings) -> str:
    origin_host = settings.origin.host
    if status in (502, 503):
        how = "HTTP on 80" if settings.esp_port == 80 else "HTTPS on 443, and its TLS settings"
        return f"the front door cannot reach the ESP endpoint {origin_host}: check the origin host, {how}"
    if status == 504:
        return f"the ESP endpoint {origin_host} did not answer the front door in time"
    if status in (403, 404, 421):
        return (
            "the front door does not serve this domain: add it to the distribution's aliases / custom "
            "domains / server_name, or a firewall rule blocks the request"
        )
    return f"every path must be forwarded to {origin_host} unchanged"


def check_caching(domain: str, settings: Settings, first: Optional[HttpAnswer]) -> CheckResult:
    """``first`` is the HTTPS check's answer when it came from the ESP, else None."""
    if first is None:
        return CheckResult("caching", Verdict.SKIP, "skipped: HTTPS does not reach the ESP")
    try:
        second = _fetch_health(domain, "https", settings.https_port, settings)
    except NETWORK_ERRORS as error:
        return CheckResult("caching", Verdict.FAIL, f"the repeat request failed: {describe_error(error)}")
    evidence = (f"1st: {_cache_headers(first)}", f"2nd: {_cache_headers(second)}")
    if not _is_cache_hit(second):
        return CheckResult(
            "caching", Verdict.PASS, "no cache hit on the repeat request: repeat clicks reach the ESP", evidence
        )
    ttl = _cache_ttl(second)
    hidden = max(_int_header(second, "age") or 0, ttl or 0)
    ttl_text = f"TTL {ttl} s" if ttl is not None else "TTL not visible (no Cache-Control max-age)"
    if hidden > MAX_HIDDEN_SECONDS:
        return CheckResult(
            "caching",
            Verdict.WARN,
            f"the repeat request was a cache hit ({ttl_text}): repeat clicks are hidden from the ESP for "
            f"up to {hidden} s",
            evidence,
            hint=f"cache tracking answers for {MAX_HIDDEN_SECONDS} s at most (cache_ttl_seconds)",
        )
    return CheckResult("caching", Verdict.PASS, f"the repeat request was a cache hit ({ttl_text})", evidence)


def _cache_headers(answer: HttpAnswer) -> str:
    shown = [
        f"{name}: {answer.header(name)}"
        for name in (*CACHE_STATUS_HEADERS, "age", "cache-control")
        if answer.header(name)
    ]
    return "; ".join(shown) or "no cache headers"


def _is_cache_hit(answer: HttpAnswer) -> bool:
    return any("hit" in answer.header(name).lower() for name in CACHE_STATUS_HEADERS) or bool(
        _int_header(answer, "age")
    )


def _cache_ttl(answer: HttpAnswer) -> Optional[int]:
    """The shared-cache lifetime the response announces (s-maxage wins over max-age)."""
    directives = {}
    for part in answer.header("cache-control").split(","):
        key, _, value = part.strip().partition("=")
        if value.strip().isdigit():
            directives[key.lower()] = int(value)
    return directives.get("s-maxage", directives.get("max-age"))


def _int_header(answer: HttpAnswer, name: str) -> Optional[int]:
    value = answer.header(name).strip()
    return int(value) if value.isdigit() else None


# -- HSTS --------------------------------------------------------------------------------------


def check_hsts(domain: str, settings: Settings) -> CheckResult:
    parent = domain.split(".", 1)[1]
    try:
        with settings.deadline() as deadline:
            answer = fetch(
                settings.resolver, "https", parent, settings.https_port, "/", deadline, verifying_context(settings.ca_bundle)
            )
    except NETWORK_ERRORS as error:
        return CheckResult("hsts", Verdict.INFO, f"could not read {parent}'s HSTS policy: {describe_error(error)}")
    policy = answer.header("strict-transport-security")
    evidence = (f"{answer.url}: Strict-Transport-Security: {policy or 'absent'}",)
    if not policy:
        return CheckResult("hsts", Verdict.INFO, f"{parent} sends no HSTS header", evidence)
    directives = {part.strip().partition("=")[0].lower() for part in policy.split(";")}
    if "includesubdomains" in directives:
        return CheckResult(
            "hsts",
            Verdict.INFO,
            f"{parent} sends HSTS with includeSubDomains: browsers that visited {parent} refuse "
            f"http://{domain}, so HTTPS on the tracking domain is mandatory",
            evidence,
        )
    return CheckResult(
        "hsts", Verdict.INFO, f"{parent} sends HSTS without includeSubDomains: no effect on {domain}", evidence
    )

