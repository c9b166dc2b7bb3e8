"""``tracking-cdn check``: verify live tracking domains end to end (DNS, TLS, the ESP behind the
front door over HTTPS and HTTP, caching, the parent domain's HSTS, and with ``--app-links`` the
app-link files).

Only argument parsing lives here, so building the ``tracking-cdn`` parser stays cheap; the checks
(standard library only: ssl, socket, http.client, concurrent.futures) load when the command runs.
"""

from __future__ import annotations

import argparse
import re

from ..domains import validate_hostname
from ..errors import InvalidArgument
from ..esp import DEFAULT_ESP, PROFILES

EPILOG = """\
exit codes: 0 every check passed; 1 at least one check failed; 2 warnings but no failure
(2 is also the code for a refused command line, reported on stderr before anything is checked).
--resolve works like curl's: HOST:PORT:ADDRESS[,ADDRESS...] answers lookups of HOST for connections
to PORT, without DNS. Pin the ESP endpoint (e.g. spgo.io:443:ADDRESS) to compare a pinned domain
with it. --app-links takes an optional value: put it after the domains, or write --app-links=apple."""
APP_LINK_PLATFORMS = ("apple", "android")
"""The ``--app-links`` values, in report order."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("domains", nargs="*", metavar="DOMAIN", help="tracking domain(s) to check, e.g. track.example.com")
    platform = parser.add_argument_group(
        "platform mode: every tenant of a platform (docs/platform.md), a JSON summary per tenant with --json")
    platform.add_argument("--tenants", metavar="FILE",
                          help='the tenants and their domains: a JSON object {"acme": ["track.acme.com"], ...}')
    platform.add_argument("--plan", metavar="PLAN_JSON",
                          help="the tenants of a platform stack's plan (tracking-cdn plan --json; its tenants output)")
    platform.add_argument("--deadline", type=_positive_seconds, default=None, metavar="SECONDS",
                          help="with --tenants or --plan: report what is not checked after SECONDS as such and stop "
                          "(default: none; each check is bounded by --timeout anyway)")
    parser.add_argument("--esp", default=DEFAULT_ESP, help=f"ESP profile: {', '.join(PROFILES)} (default: {DEFAULT_ESP})")
    parser.add_argument("--tenant", help="tenant name, for --esp sparkpost-enterprise")
    parser.add_argument("--origin-host", help="the ESP endpoint's host name (required for --esp custom)")
    parser.add_argument("--esp-region", metavar="REGION", help="AWS region of an SES account, for --esp ses (e.g. eu-west-1)")
    parser.add_argument(
        "--app-links", nargs="?", const=",".join(APP_LINK_PLATFORMS), type=_platforms, metavar="apple,android",
        help="also check the app-link files (deep-links check): Apple's apple-app-site-association and/or "
        "Android's assetlinks.json, 200, application/json, valid, no redirect, over HTTPS, and what a device "
        "would conclude (default when given: both)",
    )
    parser.add_argument(
        "--redirect-http-to-https", action="store_true",
        help="the front door redirects plain HTTP to HTTPS on the same host (its redirect_http_to_https is true): "
        "expect that redirect (default: expect plain HTTP served, and warn about a redirect, such as Cloudflare's "
        "Always Use HTTPS)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument(
        "--timeout", type=_positive_seconds, default=10.0, metavar="SECONDS",
        help="deadline of each check of each domain: its lookups, connections, handshakes and reads "
        "together (default: 10)",
    )
    parser.add_argument(
        "--resolve", type=_resolve_entry, action="append", default=[], metavar="HOST:PORT:ADDRESS",
        help="use ADDRESS for HOST on PORT instead of DNS, like curl (repeatable)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PATH",
        help="trust the CA certificates in this PEM file instead of the system's (like curl --cacert)",
    )
    parser.add_argument("--https-port", type=_port, default=443, metavar="PORT", help="HTTPS port (default: 443)")
    parser.add_argument("--http-port", type=_port, default=80, metavar="PORT", help="plain-HTTP port (default: 80)")


def run(args: argparse.Namespace) -> int:
    if args.tenants is not None or args.plan is not None or args.deadline is not None:
        from .tenants import main as check_tenants  # platform mode: every tenant of a platform

        return check_tenants(args)
    if not args.domains:
        import sys

        print("tracking-cdn check: error: give the DOMAIN(s) to check, or --tenants FILE / --plan PLAN_JSON "
              "(see `tracking-cdn check --help`)", file=sys.stderr)
        return 2
    from .runner import main  # the network stack loads only when the command runs

    return main(args)


def _positive_seconds(value: str) -> float:
    # ASCII digits only: float() also reads other scripts' digits, such as "٢.٥".
    seconds = float(value) if re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", value) else 0.0
    if not 0 < seconds <= 300:
        raise argparse.ArgumentTypeError(
            f"expected seconds greater than 0 and at most 300, such as 5 or 2.5, got {value!r}"
        )
    return seconds


def _platforms(value: str) -> tuple[str, ...]:
    asked = {item.strip().lower() for item in value.split(",")}
    if not asked <= set(APP_LINK_PLATFORMS):
        raise argparse.ArgumentTypeError(
            f"expected apple, android or apple,android, got {value!r} (put --app-links after the domains)"
        )
    return tuple(platform for platform in APP_LINK_PLATFORMS if platform in asked)


def _port(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a TCP port 1-65535, such as 8443, got {value!r}")
    return int(value)


def _resolve_entry(value: str) -> tuple[tuple[str, int], tuple[str, ...]]:
    """``HOST:PORT:ADDRESS[,ADDRESS...]`` (IPv6 addresses in brackets) as ``((host, port), addresses)``."""
    import ipaddress

    host, _, rest = value.partition(":")
    port, _, addresses = rest.partition(":")
    example = "e.g. track.example.com:443:127.0.0.1"
    if not (host and port and addresses):
        raise argparse.ArgumentTypeError(f"expected HOST:PORT:ADDRESS ({example}), got {value!r}")
    try:
        name = validate_hostname(host, argument="--resolve")
        parsed = tuple(str(ipaddress.ip_address(item.strip().strip("[]"))) for item in addresses.split(","))
    except (InvalidArgument, ValueError) as error:
        raise argparse.ArgumentTypeError(f"{value!r}: {error} ({example})")
    return (name, _port(port)), parsed
