"""``tracking-cdn proxy nginx|apache|caddy``: print a self-hosted proxy configuration."""

from __future__ import annotations

import argparse
import re
import sys

from ..deep_links import ANDROID, APPLE, resolve_app_links
from ..errors import InvalidArgument, command_line_message
from ..esp import DEFAULT_ESP, PROFILES
from . import RENDERERS, SYSTEM_CA_FILE, ProxySettings, proxy_settings, render, write_app_link_files
from .settings import (
    DEFAULT_ACME_WEBROOT,
    DEFAULT_APACHE_LOG_DIR,
    DEFAULT_APP_LINKS_DIR,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_NGINX_VERSION,
    DEFAULT_READ_TIMEOUT,
    NGINX_UPSTREAM_RESOLVE,
    remote_caddy_admin_warning,
)

# proxy_settings argument -> the command-line option that sets it (for error messages).
OPTIONS = {
    "domains": "--domain",
    "esp": "--esp",
    "tenant": "--tenant",
    "origin_host": "--origin-host",
    "cert": "--cert",
    "key": "--key",
    "http_port": "--http-port",
    "https_port": "--https-port",
    "listen_addresses": "--listen-address",
    "upstream_ca_file": "--upstream-ca-file",
    "connect_timeout": "--connect-timeout",
    "read_timeout": "--read-timeout",
    "upstream_address": "--upstream-address",
    "allow_remote_caddy_admin": "--allow-remote-caddy-admin",  # before caddy_admin, which it contains
    "caddy_admin": "--caddy-admin",
    "redirect_http_to_https": "--redirect-http-to-https",
    "nginx_version": "--nginx-version",
    "nginx_resolvers": "--nginx-resolver",
    "apache_log_dir": "--apache-log-dir",
    "esp_region": "--esp-region",
    "app_links_dir": "--app-links-dir",
    "well_known_origin": "--well-known-origin",
    "well_known_origin_address": "--well-known-origin-address",
    "acme_webroot": "--acme-webroot",
}
APP_LINK_OPTIONS = {APPLE: "--apple-app-site-association", ANDROID: "--android-asset-links"}
"""``app_links`` key -> the option that gives that file."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("server", choices=sorted(RENDERERS), help="the web server to configure")
    parser.add_argument(
        "--domain", dest="domains", action="append", metavar="HOST",
        help="a tracking domain (repeat for several, e.g. the live one and its sibling); required but with --on-demand",
    )
    parser.add_argument(
        "--on-demand", metavar="ASK_URL", dest="ask_url",
        help="caddy only, platform mode: every name the ask endpoint approves (tracking-cdn ask-server, e.g. "
        "http://127.0.0.1:9123/check) instead of --domain, its certificate obtained at its first handshake",
    )
    parser.add_argument(
        "--esp", default=DEFAULT_ESP, metavar="PROFILE",
        help=f"ESP profile, one of {', '.join(PROFILES)} (default: {DEFAULT_ESP})",
    )
    parser.add_argument("--tenant", help="SparkPost Enterprise tenant (with --esp sparkpost-enterprise)")
    parser.add_argument(
        "--esp-region", metavar="REGION", help="AWS region of an SES account, e.g. eu-west-1 (with --esp ses)"
    )
    parser.add_argument("--origin-host", help="the ESP endpoint's host name (required by --esp custom)")
    parser.add_argument(
        "--cert", metavar="PATH",
        help="certificate chain (PEM); default: certbot's /etc/letsencrypt/live/<first domain>/fullchain.pem "
        "(nginx, Apache) or automatic HTTPS (Caddy)",
    )
    parser.add_argument("--key", metavar="PATH", help="private key of --cert; default: certbot's privkey.pem")
    parser.add_argument(
        "--acme-webroot", default=DEFAULT_ACME_WEBROOT, metavar="DIR",
        help=f"plain HTTP answers /.well-known/acme-challenge/ from DIR/.well-known/acme-challenge/, never "
        f"redirected or proxied, for `certbot certonly --webroot -w DIR` (default: {DEFAULT_ACME_WEBROOT}; "
        "Caddy without --cert answers its own challenges)",
    )
    parser.add_argument(
        "--redirect-http-to-https", action="store_true",
        help="answer port 80 with a redirect to HTTPS (default: proxy HTTP too, so old http:// links keep working)",
    )
    parser.add_argument("--http-port", default="80", help="default: 80")
    parser.add_argument("--https-port", default="443", help="default: 443")
    parser.add_argument(
        "--listen-address", dest="listen_addresses", action="append", default=[], metavar="IP",
        help="listen only on this IP address (repeatable); default: every IPv4 and IPv6 address",
    )
    parser.add_argument(
        "--upstream-ca-file", metavar="PATH",
        help=f"CA bundle that verifies the ESP's certificate; default: the system store ({SYSTEM_CA_FILE}"
        " for nginx and Apache; RHEL: /etc/pki/tls/certs/ca-bundle.crt)",
    )
    parser.add_argument(
        "--connect-timeout", default=str(DEFAULT_CONNECT_TIMEOUT), metavar="SECONDS",
        help=f"seconds to connect to the ESP (default: {DEFAULT_CONNECT_TIMEOUT})",
    )
    parser.add_argument(
        "--read-timeout", default=str(DEFAULT_READ_TIMEOUT), metavar="SECONDS",
        help=f"seconds to wait for the ESP's answer (default: {DEFAULT_READ_TIMEOUT})",
    )
    parser.add_argument(
        "--caddy-admin", metavar="off|HOST:PORT",
        help="Caddy's admin endpoint, on loopback (default: Caddy's own, localhost:2019, which 'systemctl reload caddy' "
        "needs)",
    )
    parser.add_argument(
        "--allow-remote-caddy-admin", action="store_true",
        help="accept a --caddy-admin address beyond loopback (Caddy's admin API has no authentication: whoever "
        "reaches it can replace the configuration; firewall it)",
    )
    first_resolving = ".".join(map(str, NGINX_UPSTREAM_RESOLVE))
    parser.add_argument(
        "--nginx-version", default=DEFAULT_NGINX_VERSION, metavar="VERSION",
        help=f"the nginx the file is for, as `nginx -v` shows it (default: {DEFAULT_NGINX_VERSION}, the oldest on a "
        f"supported Debian/Ubuntu LTS); {first_resolving} or later re-resolves the ESP's name while running "
        "(needs --nginx-resolver)",
    )
    parser.add_argument(
        "--nginx-resolver", dest="nginx_resolvers", action="append", default=[], metavar="IP",
        help=f"DNS server nginx {first_resolving}+ asks for the ESP's addresses (repeatable), e.g. 127.0.0.53",
    )
    parser.add_argument(
        "--apache-log-dir", default=DEFAULT_APACHE_LOG_DIR, metavar="PATH",
        help=f"directory of the Apache site's access log (default: {DEFAULT_APACHE_LOG_DIR}; RHEL: /var/log/httpd)",
    )
    deep_links = parser.add_argument_group(
        "app links (iOS universal links, Android App Links; docs/deep-links.md)",
        "Every tracking domain answers these files itself: 200, application/json, never redirected, on "
        "HTTP and HTTPS. The configuration reads them from --app-links-dir; everything else still goes "
        "to the ESP.",
    )
    deep_links.add_argument(
        "--apple-app-site-association", metavar="FILE",
        help="the JSON file to serve at /.well-known/apple-app-site-association (served byte for byte; at most 128 KB)",
    )
    deep_links.add_argument(
        "--android-asset-links", metavar="FILE",
        help="the JSON file to serve at /.well-known/assetlinks.json (served byte for byte; at most 128 KB)",
    )
    deep_links.add_argument(
        "--app-links-dir", default=DEFAULT_APP_LINKS_DIR, metavar="DIR",
        help=f"where the configuration reads the files from (default: {DEFAULT_APP_LINKS_DIR})",
    )
    deep_links.add_argument(
        "--write-app-links", action="store_true",
        help="also write the files into --app-links-dir (otherwise copy them there yourself: stderr says where)",
    )
    deep_links.add_argument(
        "--well-known-origin", metavar="HOST",
        help="your own web origin (e.g. www.example.com): every other /.well-known/* request goes there over "
        "verified HTTPS instead of to the ESP",
    )
    testing = parser.add_argument_group("test-only options (never use in production)")
    testing.add_argument(
        "--upstream-address", metavar="IP:PORT",
        help="TESTS ONLY: connect to this stand-in instead of the ESP's host (Apache reaches it as an "
        "HTTP CONNECT proxy); Host, SNI and certificate checks still use the ESP's name",
    )
    testing.add_argument(
        "--well-known-origin-address", metavar="IP:PORT",
        help="TESTS ONLY: the same for --well-known-origin",
    )


def run(args: argparse.Namespace) -> int:
    if args.ask_url is not None or not args.domains:
        return _run_on_demand(args)
    files = {key: getattr(args, key) for key in APP_LINK_OPTIONS if getattr(args, key) is not None}
    try:
        settings = proxy_settings(
            args.domains,
            esp=args.esp,
            tenant=args.tenant,
            origin_host=args.origin_host,
            esp_region=args.esp_region,
            cert=args.cert,
            key=args.key,
            redirect_http_to_https=args.redirect_http_to_https,
            http_port=_whole_number(args.http_port, "http_port"),
            https_port=_whole_number(args.https_port, "https_port"),
            listen_addresses=args.listen_addresses,
            upstream_ca_file=args.upstream_ca_file,
            connect_timeout=_whole_number(args.connect_timeout, "connect_timeout"),
            read_timeout=_whole_number(args.read_timeout, "read_timeout"),
            upstream_address=args.upstream_address,
            caddy_admin=args.caddy_admin,
            allow_remote_caddy_admin=args.allow_remote_caddy_admin,
            nginx_version=args.nginx_version,
            nginx_resolvers=args.nginx_resolvers,
            apache_log_dir=args.apache_log_dir,
            app_links=_app_links(files) if files else None,
            app_links_dir=args.app_links_dir,
            well_known_origin=args.well_known_origin,
            well_known_origin_address=args.well_known_origin_address,
            acme_webroot=args.acme_webroot,
        )
        config = render(args.server, settings)
    except InvalidArgument as error:
        if error.argument == "app_links":  # refused as a whole (by the ESP profile): name the first file given
            error = InvalidArgument(APP_LINK_OPTIONS[next(iter(files))], str(error)[len("app_links: "):])
        print(f"tracking-cdn proxy: error: {command_line_message(error, OPTIONS)}", file=sys.stderr)
        return 2
    try:
        _place_app_links(settings, files, write=args.write_app_links)
    except OSError as error:
        print(f"tracking-cdn proxy: error: --write-app-links: cannot write into {args.app_links_dir}: {error}", file=sys.stderr)
        return 1
    warning = remote_caddy_admin_warning(settings) if args.server == "caddy" else None
    if warning:
        print(f"tracking-cdn proxy: warning: --caddy-admin: {warning}", file=sys.stderr)
    sys.stdout.write(config)
    return 0


def _run_on_demand(args: argparse.Namespace) -> int:
    """``tracking-cdn proxy caddy --on-demand ASK_URL`` (the proxy command's options, no ``--domain``)."""
    from .on_demand import header, on_demand_settings, render_caddy_on_demand  # platform mode: its own module

    options = {**OPTIONS, "ask_url": "--on-demand"}
    try:
        if args.ask_url is None:
            raise InvalidArgument("domains", "give at least one tracking domain, or --on-demand ASK_URL (caddy)")
        if args.server != "caddy":
            raise InvalidArgument("ask_url", f"on-demand TLS is Caddy's; {args.server} takes --domain")
        if args.domains:
            raise InvalidArgument("domains", "not with --on-demand: the names come from the ask endpoint")
        settings = on_demand_settings(
            args.ask_url, esp=args.esp, tenant=args.tenant, origin_host=args.origin_host, esp_region=args.esp_region,
            redirect_http_to_https=args.redirect_http_to_https, http_port=_whole_number(args.http_port, "http_port"),
            https_port=_whole_number(args.https_port, "https_port"), listen_addresses=args.listen_addresses,
            upstream_ca_file=args.upstream_ca_file, connect_timeout=_whole_number(args.connect_timeout, "connect_timeout"),
            read_timeout=_whole_number(args.read_timeout, "read_timeout"), upstream_address=args.upstream_address,
            caddy_admin=args.caddy_admin, allow_remote_caddy_admin=args.allow_remote_caddy_admin, cert=args.cert,
            key=args.key, app_links=args.apple_app_site_association or args.android_asset_links,
            well_known_origin=args.well_known_origin,
        )
    except InvalidArgument as error:
        print(f"tracking-cdn proxy: error: {command_line_message(error, options)}", file=sys.stderr)
        return 2
    warning = remote_caddy_admin_warning(settings.proxy)
    if warning:
        print(f"tracking-cdn proxy: warning: --caddy-admin: {warning}", file=sys.stderr)
    sys.stdout.write(render_caddy_on_demand(settings, header(settings)))
    return 0


def _app_links(files: dict[str, str]) -> dict[str, str]:
    """The ``app_links`` value for the files given on the command line: each file's text, served
    exactly as it is once valid. Errors name the option and the file."""
    texts = {}
    for key, path in files.items():
        option = APP_LINK_OPTIONS[key]
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as error:
            raise InvalidArgument(option, f"cannot read {path!r}: {error.strerror or error}") from None
        try:
            texts[key] = data.decode("utf-8")
            resolve_app_links({key: texts[key]})
        except UnicodeDecodeError as error:
            raise InvalidArgument(option, f"{path!r} is not UTF-8 text ({error.reason} at byte {error.start})") from None
        except InvalidArgument as error:
            where = error.argument[len(f"app_links.{key}"):].lstrip(".")
            detail = str(error)[len(error.argument) + 2:]
            raise InvalidArgument(option, f"{path!r}{f' at {where}:' if where else ''} {detail}") from None
    return texts


def _place_app_links(settings: ProxySettings, files: dict[str, str], *, write: bool) -> None:
    if write:
        for path in write_app_link_files(settings):
            print(f"tracking-cdn proxy: wrote {path}", file=sys.stderr)
        return
    for source, (file, path) in zip(files.values(), settings.app_link_files):
        print(
            f"tracking-cdn proxy: the configuration answers {file.path} with {path}: copy {source} there "
            "(or add --write-app-links)",
            file=sys.stderr,
        )


def _whole_number(value: str, argument: str) -> int:
    # Parsed here rather than by argparse so every bad value gets the same one-line error; ASCII
    # digits only (str.isdigit() and int() also take "²" and "٢٠١٩").
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise InvalidArgument(argument, f"expected a whole number in ASCII digits such as 8080, got {value!r}")
    return int(value)
