"""Runs every check for every domain, concurrently, and prints the report."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

from ..domains import normalize_tracking_domains
from ..errors import InvalidArgument, command_line_message
from ..esp import resolve_origin
from .checks import (
    Settings,
    check_caching,
    check_certificate,
    check_dns,
    check_hsts,
    check_http,
    check_https,
    check_protocols,
)
from .app_links import NAME as DEEP_LINKS
from .app_links import check_app_links
from .network import Resolver, verifying_context
from .report import CheckResult, DomainReport, Verdict, exit_code, render_json, render_text

MAX_PARALLEL_DOMAINS = 16
NEEDS_DNS = ("tls-certificate", "tls-protocols", "https", "http", "caching")
# Library argument -> the command-line argument that sets it (for error messages).
OPTIONS = {
    "domains": "DOMAIN", "esp": "--esp", "tenant": "--tenant", "origin_host": "--origin-host", "esp_region": "--esp-region",
}


def main(args: argparse.Namespace) -> int:
    try:
        domains = normalize_tracking_domains(args.domains)
        settings = _settings(args)
    except InvalidArgument as error:
        print(f"tracking-cdn check: error: {command_line_message(error, OPTIONS)}", file=sys.stderr)
        return 2
    reports = check_domains(domains, settings)
    render = render_json if args.json else render_text
    print(render(reports, settings.origin.host, settings.origin.profile.name))
    return exit_code(reports)


def _settings(args: argparse.Namespace) -> Settings:
    origin = resolve_origin(args.esp, tenant=args.tenant, origin_host=args.origin_host, esp_region=args.esp_region)
    if args.ca_bundle is not None:
        try:
            verifying_context(args.ca_bundle)
        except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
            raise InvalidArgument("--ca-bundle", f"{args.ca_bundle!r} is not a readable PEM file of CA certificates ({error})")
    return Settings(
        origin=origin,
        resolver=Resolver(dict(args.resolve)),  # a repeated HOST:PORT: the last one wins
        https_port=args.https_port,
        http_port=args.http_port,
        timeout=args.timeout,
        ca_bundle=args.ca_bundle,
        app_links=args.app_links or (),
        redirect_http_to_https=args.redirect_http_to_https,
    )


def check_domains(domains: Sequence[str], settings: Settings) -> list[DomainReport]:
    """One report per domain, in the order given; domains are checked concurrently."""
    with ThreadPoolExecutor(max_workers=min(len(domains), MAX_PARALLEL_DOMAINS)) as pool:
        return list(pool.map(lambda domain: check_domain(domain, settings), domains))


def check_domain(domain: str, settings: Settings) -> DomainReport:
    dns = _guarded("dns", lambda: check_dns(domain, settings))
    with ThreadPoolExecutor(max_workers=6) as pool:
        hsts = pool.submit(_guarded, "hsts", lambda: check_hsts(domain, settings))
        if dns.verdict is Verdict.FAIL:
            needs_dns = NEEDS_DNS + ((DEEP_LINKS,) if settings.app_links else ())
            skipped = [CheckResult(name, Verdict.SKIP, "skipped: no address for the name (see dns)") for name in needs_dns]
            return DomainReport(domain, (dns, *skipped, hsts.result()))
        certificate = pool.submit(_guarded, "tls-certificate", lambda: check_certificate(domain, settings))
        protocols = pool.submit(_guarded, "tls-protocols", lambda: check_protocols(domain, settings))
        http = pool.submit(_guarded, "http", lambda: check_http(domain, settings))
        deep_links = (
            pool.submit(_guarded, DEEP_LINKS, lambda: check_app_links(domain, settings, settings.app_links))
            if settings.app_links else None
        )
        try:
            https, first_answer = check_https(domain, settings)
        except Exception as error:  # noqa: BLE001 - see _guarded
            https, first_answer = _unexpected("https", error), None
        # Caching is measured on answers from the ESP; an error page's caching tells nothing.
        reached_esp = first_answer if https.verdict is not Verdict.FAIL else None
        caching = _guarded("caching", lambda: check_caching(domain, settings, reached_esp))
        optional = (deep_links.result(),) if deep_links else ()
        return DomainReport(
            domain, (dns, certificate.result(), protocols.result(), https, http.result(), caching, *optional, hsts.result())
        )


def _guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    # A server can answer in ways no check foresaw; report it as that check's failure instead of
    # losing every other domain's report to a traceback.
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - reported, not swallowed
        return _unexpected(name, error)


def _unexpected(name: str, error: Exception) -> CheckResult:
    return CheckResult(name, Verdict.FAIL, f"unexpected error: {type(error).__name__}: {error}")
