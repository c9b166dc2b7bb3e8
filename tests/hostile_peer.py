"""A front door that misbehaves on purpose, on 127.0.0.1, for ``tracking-cdn check``'s hardening tests.

API::

    from hostile_peer import HostilePeer

    with HostilePeer({"track.a.invalid": b"HTTP/1.1 302 Found\\r\\n..."}, names=[...]) as peer:
        peer.http_port, peer.https_port   # plain HTTP and HTTPS (TLS 1.2+), both on 127.0.0.1
        peer.ca_file                      # PEM of the throwaway CA that issued its certificate
        peer.trickle_seconds = 0.2        # write each answer one byte at a time, this far apart

Each connection reads one request, looks up its ``Host`` (port removed) in the answers and writes
those raw bytes back (unknown hosts get a 404), then closes. The certificate covers ``names``; its
subject's organizational unit is ``certificate_unit``, so a test can put hostile text there too.
"""

from __future__ import annotations

import socketserver
import ssl
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Iterable, Mapping

import trustme

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Handler(socketserver.BaseRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        peer = self.server.peer
        sock = self.request
        try:
            sock.settimeout(10)
            if self.server.tls is not None:
                sock = self.server.tls.wrap_socket(sock, server_side=True)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                request += chunk
            answer = peer.answers.get(_host(request), NOT_FOUND)
            if peer.trickle_seconds:
                for byte in answer:
                    sock.sendall(bytes([byte]))
                    time.sleep(peer.trickle_seconds)
            else:
                sock.sendall(answer)
        except OSError:
            pass  # the client gave up (e.g. its deadline cut the connection)
        finally:
            sock.close()


def _host(request: bytes) -> str:
    for line in request.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            return value.strip().decode("latin-1").rsplit(":", 1)[0].lower()
    return ""


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    peer: "HostilePeer"
    tls: ssl.SSLContext | None


class HostilePeer:
    def __init__(
        self, answers: Mapping[str, bytes], *, names: Iterable[str], certificate_unit: str = "hostile peer"
    ) -> None:
        self.answers = dict(answers)
        self.trickle_seconds = 0.0
        self.ca = trustme.CA()
        self._tmp = TemporaryDirectory(prefix="hostile-peer-")
        self.ca_file = str(Path(self._tmp.name) / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ca.issue_cert(*names, organization_unit_name=certificate_unit).configure_cert(tls)
        self._servers = [self._server(None), self._server(tls)]
        self.http_port, self.https_port = (server.server_address[1] for server in self._servers)

    def _server(self, tls: ssl.SSLContext | None) -> _Server:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.peer, server.tls = self, tls
        return server

    def __enter__(self) -> "HostilePeer":
        for server in self._servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._tmp.cleanup()

    def args(self, *domains: str, timeout: float = 3) -> list[str]:
        """``tracking-cdn check`` arguments for ``domains`` (and their parents, for HSTS), pinned here."""
        argv = [*domains, "--ca-bundle", self.ca_file, "--https-port", str(self.https_port),
                "--http-port", str(self.http_port), "--timeout", str(timeout)]
        for domain in domains:
            for name in (domain, domain.split(".", 1)[1]):
                for port in (self.https_port, self.http_port):
                    argv += ["--resolve", f"{name}:{port}:127.0.0.1"]
        return argv


__all__ = ["HostilePeer", "NOT_FOUND"]
