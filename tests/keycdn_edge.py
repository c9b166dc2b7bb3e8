"""A local stand-in for KeyCDN's edge, driven by what a ``KeyCdnTrackingDomain`` registered.

It serves the zone's aliases on 127.0.0.1 (HTTPS and plain HTTP) with the zone's settings, the way
KeyCDN's documentation describes them (sources as in tests/keycdn_standin.py):

- **Aliases**: only the names with a ``ZoneAlias`` of the zone are served (a CNAME to the zone, F);
  anything else gets 404.
- **Certificates**: an alias whose Let's Encrypt certificate KeyCDN has issued (``issue(name)``) is
  served with it; before, the shared ``*.kxcdn.com`` certificate is the one presented (KeyCDN's
  "shared" TLS certificate, F), which does not name the tracking domain. How long issuance takes is
  not in KeyCDN's stored docs. TLS 1.2 and up.
- **Force SSL** (A changelog): plain HTTP answered with a redirect to HTTPS on the same host (the
  status, 301, not in KeyCDN's stored docs); without it plain HTTP is served as HTTPS is.
- **Origin** (P, X): the zone's origin URL, reached through ``origins`` (host -> local port) over its
  scheme, TLS verified against ``origin_ca`` with SNI = the origin URL's host (what KeyCDN checks and
  sends there, with Forward Host Header on, is not in its stored docs); ``Host`` is the origin URL's
  host, or the viewer's with Forward Host Header; ``X-Forwarded-Host`` is the viewer's ``Host``,
  ``X-Forwarded-Scheme`` its scheme, ``X-Pull: KeyCDN`` (X's sample request); the viewer's
  ``User-Agent``, cookies, path and query string pass unchanged. The sample request shows no
  ``X-Forwarded-For``, and none is added. The origin's answer is relayed, ``Server`` included (whether
  KeyCDN relays it is not in its stored docs).
- **Cache** (P, F): GET and HEAD answers of status 200, 301 or 302 only; kept Max Expire minutes when
  Ignore Cache Control is on, or when the origin sends no ``Cache-Control``/``Expires``; 0 minutes
  keeps nothing. The key is the path with the query string (unless Ignore Query String), and the host
  with Cache Key Host. ``X-Cache: HIT`` or ``MISS`` on every answer (F).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import urlsplit

import trustme

from edge_server import answer, serve
from tracking_cdn.offline import OfflineRun

ZONE = "pulumi-python:dynamic/keycdn:Zone"
ZONE_ALIAS = "pulumi-python:dynamic/keycdn:ZoneAlias"
SHARED_CERTIFICATE = "*.kxcdn.com"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
CACHEABLE = (200, 301, 302)


@dataclass
class Forwarded:
    """One request the edge sent to the origin."""

    host_header: str
    server_name: str
    path: str
    headers: dict[str, str]


@dataclass
class KeyCdnEdge:
    run: OfflineRun
    origins: dict[str, int]
    """Origin host name -> port on 127.0.0.1."""
    origin_ca: Optional[trustme.CA] = None
    ca: trustme.CA = field(default_factory=trustme.CA)
    forwarded: list[Forwarded] = field(default_factory=list)

    def __post_init__(self) -> None:
        (zone,) = [r.inputs for r in self.run.of_type(ZONE)]
        self.zone = zone
        self.aliases = {r.inputs["name"] for r in self.run.of_type(ZONE_ALIAS)}
        self.contexts: dict[str, ssl.SSLContext] = {SHARED_CERTIFICATE: self._context(SHARED_CERTIFICATE)}
        self.contexts[SHARED_CERTIFICATE].sni_callback = self._pick_certificate
        self._cache: dict[tuple[str, str], tuple[float, int, list[tuple[str, str]], bytes]] = {}
        self._servers: list[ThreadingHTTPServer] = []

    def issue(self, name: str) -> None:
        """KeyCDN has issued the alias's Let's Encrypt certificate."""
        assert name in self.aliases, f"{name} is not an alias of the zone"
        self.contexts[name] = self._context(name)

    def ca_file(self, directory: Any) -> str:
        path = str(directory / "keycdn-edge-ca.pem")
        self.ca.cert_pem.write_to_path(path)
        return path

    # -- serving ---------------------------------------------------------------------------------
    def __enter__(self) -> "KeyCdnEdge":
        self.https_port = self._serve(tls=True)
        self.http_port = self._serve(tls=False)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def _context(self, name: str) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ca.issue_cert(name).configure_cert(context)
        return context

    def _pick_certificate(self, tls_socket: ssl.SSLSocket, server_name: Optional[str], _: ssl.SSLContext) -> None:
        if server_name in self.contexts:
            tls_socket.context = self.contexts[server_name]

    def _serve(self, tls: bool) -> int:
        server = serve(self.handle, self.contexts[SHARED_CERTIFICATE] if tls else None)
        self._servers.append(server)
        return server.server_address[1]

    # -- one request -------------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, tls: bool) -> None:
        host = (handler.headers.get("Host") or "").split(":")[0].lower()
        if host not in self.aliases:
            return answer(handler, 404, {}, b"not a zone alias\n")
        if self.zone["force_ssl"] and not tls:
            port = "" if self.https_port == 443 else f":{self.https_port}"  # this edge's HTTPS, as KeyCDN's on 443
            return answer(handler, 301, {"Location": f"https://{host}{port}{handler.path}"}, b"")
        path, _, query = handler.path.partition("?")
        key = (host if self.zone["cache_key_host"] else "", path if self.zone["ignore_query_string"] else handler.path)
        cached = self._cache.get(key) if handler.command in ("GET", "HEAD") else None
        if cached is not None and cached[0] > time.monotonic():
            _, status, headers, body = cached
            return answer(handler, status, {**dict(headers), "X-Cache": "HIT"}, body, handler.command != "HEAD")
        status, headers, body = self._forward(handler, host, tls)
        seconds = self._keep_for(handler.command, status, headers)
        if seconds:
            self._cache[key] = (time.monotonic() + seconds, status, headers, body)
        answer(handler, status, {**dict(headers), "X-Cache": "MISS"}, body, handler.command != "HEAD")

    def _keep_for(self, method: str, status: int, headers: list[tuple[str, str]]) -> int:
        if method not in ("GET", "HEAD") or status not in CACHEABLE:
            return 0
        origin_decides = not self.zone["ignore_cache_control"] and any(
            name.lower() in ("cache-control", "expires") for name, _ in headers
        )
        return 0 if origin_decides else int(self.zone["cache_max_expire_minutes"]) * 60

    def _forward(self, handler: BaseHTTPRequestHandler, host: str, tls: bool) -> tuple[int, list[tuple[str, str]], bytes]:
        origin = urlsplit(self.zone["origin_url"])
        port = self.origins[origin.hostname]
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if origin.scheme == "https":
            context = ssl.create_default_context()
            if self.origin_ca is not None:
                self.origin_ca.configure_trust(context)
            try:
                sock = context.wrap_socket(sock, server_hostname=origin.hostname)
            except ssl.SSLError:
                sock.close()
                return 502, [], b"origin TLS failed\n"
        host_header = host if self.zone["forward_host_header"] else origin.hostname
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
        headers.update({"Host": host_header, "X-Forwarded-Host": host, "X-Forwarded-Scheme": "https" if tls else "http",
                        "X-Pull": "KeyCDN"})
        self.forwarded.append(Forwarded(host_header, origin.hostname, handler.path, headers))
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.sock = sock
        try:
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except OSError:
            return 502, [], b"origin error\n"
        finally:
            connection.close()
        relayed = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
        return response.status, relayed, payload

