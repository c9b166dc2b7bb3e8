"""What the local stand-ins of CDN edges share (tests/cloudflare_edge.py, tests/keycdn_edge.py): an HTTP
server on a free 127.0.0.1 port, with TLS whose certificate an SNI callback picks, handing every request to
the edge, and the way an edge answers."""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

Handle = Callable[[BaseHTTPRequestHandler, bool], None]
"""The edge's handling of one request: the handler, and whether it came over TLS."""


def serve(handle: Handle, tls: Optional[ssl.SSLContext]) -> ThreadingHTTPServer:
    """A started server handing every request (every method) to ``handle``; with ``tls``, HTTPS (the
    context's ``sni_callback`` picks the certificate). Stop it with ``shutdown`` and ``server_close``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            handle(self, tls is not None)

        do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[socket.socket, Any]:
            sock, address = super().get_request()
            if tls is not None:
                sock = tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            return sock, address

        def finish_request(self, request: Any, client_address: Any) -> None:
            try:
                if tls is not None:
                    request.settimeout(10)
                    request.do_handshake()
            except (OSError, ValueError):
                return
            super().finish_request(request, client_address)

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


def answer(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes,
           send_body: bool = True) -> None:
    handler.send_response_only(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if send_body:
        handler.wfile.write(body)
