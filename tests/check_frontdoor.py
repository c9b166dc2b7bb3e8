"""A real nginx front door on 127.0.0.1 for the ``tracking-cdn check`` tests, one server block per
situation the check must recognise, in front of the ESP stand-in (``esp_standin``).

Every tracking domain is a ``.invalid`` name reached through ``--resolve``; certificates come from
throwaway trustme CAs (one trusted through ``--ca-bundle``, one not).
"""

from __future__ import annotations

import datetime
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import trustme

from app_links_sample import AASA_TEXT, ASSET_LINKS_TEXT
from esp_standin import EspStandin

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEALTHY = "track.healthy.invalid"
REDIRECTING = "track.redirect.invalid"  # plain HTTP redirected to HTTPS on the same host
REDIRECT_TO_ESP = "track.toesp.invalid"  # Cloudflare's recipe: 301 to the ESP endpoint itself
FORBIDDEN = "track.forbidden.invalid"  # the front door answers 403 itself
BAD_GATEWAY = "track.badgateway.invalid"  # the origin is down: nginx answers 502
ORIGIN_TIMEOUT = "track.slow.invalid"  # the origin stalls: nginx gives up after 1 s with 504
HANGING = "track.hang.invalid"  # the origin stalls longer than the check's --timeout
CACHED = "track.cached.invalid"  # cached 10 s, as DESIGN.md asks
CACHED_LONG = "track.cachedlong.invalid"  # cached 1 h: repeat clicks hidden
EXPIRED = "track.expired.invalid"
EXPIRING = "track.soon.invalid"  # 5 days left
WRONG_NAME = "track.wrongname.invalid"
UNTRUSTED = "track.untrusted.invalid"
TLS10_ONLY = "track.tls10.invalid"  # on its own port, which offers TLS 1.0 only
HSTS_CHILD, HSTS_PARENT = "track.hsts.invalid", "hsts.invalid"
NXDOMAIN = "track.nxdomain.invalid"  # never pinned: looked up only where no query can leave the machine
# App-link files (--app-links); on every other name both paths go to the ESP stand-in, which answers 404.
APP_LINKS = "track.applinks.invalid"  # both files as devices require (Android's with "; charset=utf-8")
APP_LINKS_REDIRECT = "track.alredirect.invalid"  # Apple's file served, Android's redirected (301)
APP_LINKS_WRONG_TYPE = "track.altype.invalid"  # both files as text/plain
APP_LINKS_BAD_JSON = "track.aljson.invalid"  # Apple's file is not JSON, Android's is a JSON object
APP_LINKS_HTTP_ONLY = "track.alhttp.invalid"  # both files on plain HTTP only
APP_LINKS_UNTRUSTED = "track.aluntrusted.invalid"  # both files, behind a certificate from an unknown CA
GOOD_NAMES = (HEALTHY, REDIRECTING, REDIRECT_TO_ESP, FORBIDDEN, BAD_GATEWAY, ORIGIN_TIMEOUT, HANGING, CACHED, CACHED_LONG,
              TLS10_ONLY, HSTS_CHILD, HSTS_PARENT, APP_LINKS, APP_LINKS_REDIRECT, APP_LINKS_WRONG_TYPE,
              APP_LINKS_BAD_JSON, APP_LINKS_HTTP_ONLY)


def free_port() -> int:
    """A port nothing listens on (closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FrontDoor:
    """nginx with every situation's server block; ``https_port``/``http_port`` serve them all by SNI
    and Host, ``tls10_port`` serves TLS 1.0 only."""

    def __init__(self, directory: Path, esp: EspStandin, stalled_esp: EspStandin) -> None:
        self.directory = directory
        self.https_port, self.http_port, self.tls10_port = free_port(), free_port(), free_port()
        self.closed_port = free_port()
        self.ca = trustme.CA()
        self.ca_file = str(directory / "frontdoor-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self._write_config(esp, stalled_esp)
        self._process: subprocess.Popen | None = None

    def _certificate(self, name: str, cert: trustme.LeafCert) -> str:
        cert.private_key_and_cert_chain_pem.write_to_path(str(self.directory / f"{name}.pem"))
        return str(self.directory / f"{name}.pem")

    def _write_config(self, esp: EspStandin, stalled_esp: EspStandin) -> None:
        now = datetime.datetime.now(datetime.timezone.utc)
        good = self._certificate("good", self.ca.issue_cert(*GOOD_NAMES))
        expired = self._certificate(
            "expired", self.ca.issue_cert(EXPIRED, not_before=now - datetime.timedelta(days=90),
                                          not_after=now - datetime.timedelta(days=3)))
        expiring = self._certificate("soon", self.ca.issue_cert(EXPIRING, not_after=now + datetime.timedelta(days=5)))
        wrong_name = self._certificate("wrongname", self.ca.issue_cert("other.invalid"))
        untrusted = self._certificate("untrusted", trustme.CA().issue_cert(UNTRUSTED, APP_LINKS_UNTRUSTED))
        d = self.directory
        to_esp = f"proxy_pass https://127.0.0.1:{esp.port};"
        to_stalled = f"proxy_pass https://127.0.0.1:{stalled_esp.port};"

        def server(names: str, body: str, certificate: str = good, listen: str = "both", default: bool = False) -> str:
            ports = {"both": (f"{self.https_port} ssl", str(self.http_port)),
                     "https": (f"{self.https_port} ssl",), "http": (str(self.http_port),)}[listen]
            flag = " default_server" if default else ""
            listens = "".join(f"listen 127.0.0.1:{port}{flag};" for port in ports)
            return (f"server {{ {listens} server_name {names}; ssl_certificate {certificate}; "
                    f"ssl_certificate_key {certificate}; {body} }}\n")

        files = {"aasa": AASA_TEXT, "assetlinks.json": ASSET_LINKS_TEXT, "not-json": "{'applinks': {}}\n",
                 "object.json": '{"relation": []}\n'}
        for name, text in files.items():
            (d / name).write_text(text)
        aasa, android = "/.well-known/apple-app-site-association", "/.well-known/assetlinks.json"

        def answer_file(path: str, file: str, content_type: str = "application/json") -> str:
            return f'location = {path} {{ alias {d / file}; types {{ }} default_type "{content_type}"; }} '

        esp_elsewhere = "location / { " + to_esp + " }"
        good_files = answer_file(aasa, "aasa") + answer_file(android, "assetlinks.json") + esp_elsewhere
        (d / "nginx.conf").write_text(
            f"""
user root;
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  server_tokens off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  proxy_cache_path {d}/cache keys_zone=tracking:1m;
  ssl_protocols TLSv1.2 TLSv1.3;
  proxy_ssl_verify on; proxy_ssl_trusted_certificate {esp.ca_file};
  proxy_ssl_server_name on; proxy_ssl_name spgo.io; proxy_set_header Host spgo.io;
  proxy_pass_header Server;
  proxy_connect_timeout 2s;
  {server(HEALTHY + " " + HSTS_CHILD, "location / { " + to_esp + " }", default=True)}
  {server(REDIRECTING, "location / { " + to_esp + " }", listen="https")}
  {server(REDIRECTING, f"return 301 https://$host:{self.https_port}$request_uri;", listen="http")}
  {server(REDIRECT_TO_ESP, "return 301 https://spgo.io$request_uri;")}
  {server(FORBIDDEN, "return 403;")}
  {server(BAD_GATEWAY, f"location / {{ proxy_pass https://127.0.0.1:{self.closed_port}; }}")}
  {server(ORIGIN_TIMEOUT, "location / { proxy_read_timeout 1s; " + to_stalled + " }")}
  {server(HANGING, "location / { proxy_read_timeout 30s; " + to_stalled + " }")}
  {server(CACHED, "location / { proxy_cache tracking; proxy_cache_valid any 10s; expires 10s; "
                  "add_header X-Cache-Status $upstream_cache_status always; " + to_esp + " }")}
  {server(CACHED_LONG, "location / { proxy_cache tracking; proxy_cache_valid any 1h; expires 1h; "
                       "add_header X-Cache-Status $upstream_cache_status always; " + to_esp + " }")}
  {server(HSTS_PARENT, 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always; '
                       'return 200 "the parent site";')}
  {server(EXPIRED, "location / { " + to_esp + " }", expired)}
  {server(EXPIRING, "location / { " + to_esp + " }", expiring)}
  {server(WRONG_NAME, "location / { " + to_esp + " }", wrong_name)}
  {server(UNTRUSTED, "location / { " + to_esp + " }", untrusted)}
  {server(APP_LINKS, answer_file(aasa, "aasa") + answer_file(android, "assetlinks.json", "application/json; charset=utf-8")
                    + esp_elsewhere)}
  {server(APP_LINKS_REDIRECT, answer_file(aasa, "aasa") + f"location = {android} {{ return 301 https://www.example.com{android}; }} "
                             + esp_elsewhere)}
  {server(APP_LINKS_WRONG_TYPE, answer_file(aasa, "aasa", "text/plain") + answer_file(android, "assetlinks.json", "text/plain")
                               + esp_elsewhere)}
  {server(APP_LINKS_BAD_JSON, answer_file(aasa, "not-json") + answer_file(android, "object.json") + esp_elsewhere)}
  {server(APP_LINKS_HTTP_ONLY, good_files, listen="http")}
  {server(APP_LINKS_HTTP_ONLY, esp_elsewhere, listen="https")}
  {server(APP_LINKS_UNTRUSTED, good_files, untrusted)}
  server {{ listen 127.0.0.1:{self.tls10_port} ssl; server_name {TLS10_ONLY};
           ssl_certificate {good}; ssl_certificate_key {good};
           ssl_protocols TLSv1; ssl_ciphers DEFAULT:@SECLEVEL=0;
           location / {{ {to_esp} }} }}
}}
"""
        )

    def start(self) -> "FrontDoor":
        self._process = subprocess.Popen(
            [NGINX, "-e", str(self.directory / "error.log"), "-p", str(self.directory),
             "-c", str(self.directory / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"nginx did not start: {self._process.stderr.read().decode()}")
            if all(_listening(port) for port in (self.https_port, self.http_port, self.tls10_port)):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen within 10 s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def args(
        self, *domains: str, https_port: int | None = None, http_port: int | None = None, timeout: float = 3
    ) -> list[str]:
        """The check's command line for ``domains``, each pinned to 127.0.0.1 on both ports, and so is
        each one's parent domain (the HSTS check's): no name is looked up in DNS."""
        https_port = https_port or self.https_port
        http_port = http_port or self.http_port
        argv = [*domains, "--ca-bundle", self.ca_file, "--https-port", str(https_port),
                "--http-port", str(http_port), "--timeout", str(timeout)]
        for name in dict.fromkeys(name for domain in domains for name in (domain, domain.split(".", 1)[1])):
            for port in (https_port, http_port):
                argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
        return argv


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def running_front_door(directory: Path) -> Iterator[FrontDoor]:
    """A started front door with its ESP stand-ins; everything is stopped when the generator closes."""
    with EspStandin(hostnames=("spgo.io",)) as esp, EspStandin(
        hostnames=("spgo.io",), ca=esp.ca, stall_seconds=4
    ) as stalled:
        stalled.behaviour = "stall"
        front_door = FrontDoor(directory, esp, stalled).start()
        try:
            yield front_door
        finally:
            front_door.stop()
