"""A local stand-in for an ESP's tracking endpoint (SparkPost-like), for tests on loopback.

API::

    from esp_standin import EspStandin

    with EspStandin(hostnames=("spgo.io",)) as esp:   # HTTPS on 127.0.0.1:<free port>
                                                      # (address=, port= to choose another;
                                                      # tls=False: plain HTTP, as SES is reached)
        esp.port            # the TCP port it listens on (127.0.0.1)
        esp.ca_file         # PEM file of its own throwaway CA (trustme); trust this to verify it
        esp.ca              # the trustme.CA itself (e.g. to issue more certificates)
        esp.url("/f/abc")   # "https://127.0.0.1:<port>/f/abc"
        esp.requests        # list[RecordedRequest], one per request received, in order
        esp.connections     # how many TLS connections were accepted (keep-alive shows as fewer)
        esp.wait_for_requests(n, timeout)  # the first n requests (they are recorded from server threads)
        esp.behaviour = "stall"            # "answer" (default), "stall", "refuse"; see below

Answers, like SparkPost's tracking endpoint (seed 002):
- ``/f/...`` (clicks): ``302`` with ``Location: https://landing.example.com/`` (or the ``target`` query
  parameter when given), ``Server: msys-http``, empty body;
- ``/q/...`` (opens): ``200`` with a 43-byte GIF, ``Server: msys-http``;
- anything else: ``404``, ``Server: msys-http``;
- a ``set_cookie=NAME=VALUE`` query parameter adds ``Set-Cookie: NAME=VALUE; Path=/`` to the answer
  (an ESP that sets attribution cookies, as Iterable's tracking domain does).

Every method is answered the same way (GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH). Every request
is recorded (``RecordedRequest``: method, path, query, host, user_agent, x_forwarded_for,
server_name — the SNI the client sent, or None — headers, every header line as received, names as
sent, and the body). With ``tls=False`` the stand-in speaks plain HTTP and also takes the absolute
request target a forward proxy is sent (``GET http://host/path``): ``target`` records it as received.

Behaviours, switchable at any time: ``"answer"`` (default); ``"stall"`` — accept connections and
requests but answer only after ``stall_seconds`` (an ESP that hangs, for read timeouts);
``"refuse"`` — close the listening socket and cut open connections, so the ESP is down
(connections refused); switching back to ``"answer"`` listens again on the same port.

The port also accepts an HTTP ``CONNECT`` preface before the TLS handshake, so a client can reach
it as if through a forward proxy (Apache's ``ProxyRemote``; see ``tracking_cdn.proxy``).
Certificates are issued for ``hostnames`` by the stand-in's own CA; pass ``ca=`` to share a CA.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Iterable, Optional
from urllib.parse import parse_qs, urlsplit

import trustme

LANDING_PAGE = "https://landing.example.com/"
# The 43-byte transparent GIF every ESP serves as its open pixel.
PIXEL_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
SERVER_HEADER = "msys-http"
BEHAVIOURS = ("answer", "stall", "refuse")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    host: Optional[str]
    user_agent: Optional[str]
    x_forwarded_for: Optional[str]
    server_name: Optional[str]
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    target: str = ""
    """The request target as received (``/f/...``, or ``http://host/f/...`` through a forward proxy)."""

    def header_values(self, name: str) -> list[str]:
        """Every value of the header ``name`` (case-insensitive), in the order received."""
        return [value for key, value in self.headers if key.lower() == name.lower()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real endpoint
    server: "_TlsServer"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

    def _answer(self, send_body: bool) -> None:
        standin = self.server.standin
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        standin._record(
            RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parts.query,
                host=self.headers.get("Host"),
                user_agent=self.headers.get("User-Agent"),
                x_forwarded_for=self.headers.get("X-Forwarded-For"),
                server_name=getattr(self.connection, "standin_server_name", None),
                headers=tuple(self.headers.items()),
                body=self.rfile.read(length) if length else b"",
                target=self.path,
            )
        )
        if standin.behaviour == "stall":
            time.sleep(standin.stall_seconds)
        body = b""
        if parts.path.startswith("/f/"):
            status, content_type = 302, "text/plain"
            location = parse_qs(parts.query).get("target", [LANDING_PAGE])[0]
        elif parts.path.startswith("/q/"):
            status, content_type, location, body = 200, "image/gif", None, PIXEL_GIF
        else:
            status, content_type, location = 404, "text/plain", None
        self.send_response_only(status)
        self.send_header("Server", SERVER_HEADER)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        for cookie in parse_qs(parts.query).get("set_cookie", []):
            self.send_header("Set-Cookie", f"{cookie}; Path=/")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the records are the log
        pass


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    standin: "EspStandin"
    tls: Optional[ssl.SSLContext]

    def finish_request(self, request: socket.socket, client_address: object) -> None:
        # TLS (and the optional CONNECT preface) happen in the request thread, not the accept loop.
        if self.tls is None:  # plain HTTP
            self.standin._opened(request)
            try:
                return super().finish_request(request, client_address)
            finally:
                self.standin._closed(request)
        try:
            request.settimeout(10)
            if request.recv(1, socket.MSG_PEEK) != b"\x16":  # not a TLS ClientHello: CONNECT
                _accept_connect_preface(request)
            tls_socket = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            return
        self.standin._opened(tls_socket)
        tls_socket.settimeout(None)
        try:
            super().finish_request(tls_socket, client_address)
        finally:
            self.standin._closed(tls_socket)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up before its answer (a proxy past its read timeout) is normal here;
        # anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _accept_connect_preface(sock: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk or len(data) > 16384:
            raise ValueError("not a CONNECT request")
        data += chunk
    if not data.startswith(b"CONNECT "):
        raise ValueError("not a CONNECT request")
    sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")


class EspStandin:
    """An HTTPS (or plain HTTP) server on 127.0.0.1 that behaves like an ESP tracking endpoint and
    records requests."""

    def __init__(
        self,
        hostnames: Iterable[str] = ("spgo.io",),
        *,
        ca: Optional[trustme.CA] = None,
        stall_seconds: float = 30.0,
        address: str = "127.0.0.1",
        port: int = 0,
        tls: bool = True,
    ) -> None:
        self.tls = tls
        self.ca = ca or trustme.CA()
        self.hostnames = tuple(hostnames)
        self.stall_seconds = stall_seconds
        self.requests: list[RecordedRequest] = []
        self.connections = 0
        self._open_connections: set[socket.socket] = set()
        self._behaviour = "answer"
        self._lock = threading.Lock()
        self._tmp = TemporaryDirectory(prefix="esp-standin-")
        self.ca_file = str(Path(self._tmp.name) / "esp-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self._server: Optional[_TlsServer] = None
        self._thread: Optional[threading.Thread] = None
        self.address = address
        self.port = port

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "EspStandin":
        server = _TlsServer((self.address, self.port), _Handler)
        server.standin = self
        server.tls = self._tls_context() if self.tls else None
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection (kept-alive ones too)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            for connection in self._open_connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self._tmp.cleanup()

    def __enter__(self) -> "EspStandin":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- behaviour -------------------------------------------------------------------------
    @property
    def behaviour(self) -> str:
        return self._behaviour

    @behaviour.setter
    def behaviour(self, value: str) -> None:
        if value not in BEHAVIOURS:
            raise ValueError(f"behaviour must be one of {BEHAVIOURS}, not {value!r}")
        if value == "refuse":
            self.stop()  # the port stays reserved by nobody: connections are refused
        elif self._server is None:
            self.start()  # same port again
        self._behaviour = value

    # -- records ---------------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"{'https' if self.tls else 'http'}://{self.address}:{self.port}{path}"

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            self._open_connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._open_connections.discard(connection)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests[:count])
            time.sleep(0.02)
        with self._lock:
            return list(self.requests)

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ca.issue_cert(*self.hostnames).configure_cert(context)
        context.sni_callback = _remember_server_name
        return context


def _remember_server_name(tls_socket: ssl.SSLSocket, server_name: Optional[str], _: ssl.SSLContext) -> None:
    tls_socket.standin_server_name = server_name  # type: ignore[attr-defined]
