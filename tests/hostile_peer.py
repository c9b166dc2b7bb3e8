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
``certificate`` replaces it: a function of the peer's CA returning the PEM of a private key and its
certificate (``name_in_subject_only`` makes one that names a host in its subject CN alone).
"""

from __future__ import annotations

import socketserver
import ssl
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory
import datetime
import ipaddress
from typing import Callable, Iterable, Mapping, Optional

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
        self, answers: Mapping[str, bytes], *, names: Iterable[str], certificate_unit: str = "hostile peer",
        certificate: Optional[Callable[[trustme.CA], bytes]] = None,
    ) -> None:
        self.answers = dict(answers)
        self.trickle_seconds = 0.0
        self.ca = trustme.CA()
        self._tmp = TemporaryDirectory(prefix="hostile-peer-")
        self.ca_file = str(Path(self._tmp.name) / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        if certificate is None:
            self.ca.issue_cert(*names, organization_unit_name=certificate_unit).configure_cert(tls)
        else:
            leaf = Path(self._tmp.name) / "leaf.pem"
            leaf.write_bytes(certificate(self.ca))
            tls.load_cert_chain(str(leaf))
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


def name_in_subject_only(host: str, ip_address: Optional[str] = None) -> Callable[[trustme.CA], bytes]:
    """A certificate from the peer's CA naming ``host`` only in its subject's common name: no DNS
    subjectAltName (none at all, or only an IP address one), as hand-made certificates often are."""

    def issue(ca: trustme.CA) -> bytes:
        ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
        ca_certificate = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=90))
        )
        if ip_address is not None:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip_address))]), critical=False)
        leaf = builder.sign(ca_key, hashes.SHA256())
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()) + leaf.public_bytes(serialization.Encoding.PEM)

    return issue


__all__ = ["HostilePeer", "NOT_FOUND", "name_in_subject_only"]
