"""The network side of ``check``: name resolution (honouring ``--resolve``), TLS handshakes and
single HTTP requests, each bounded by a deadline. Standard library only."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from .. import __version__

USER_AGENT = f"tracking-cdn-check/{__version__}"
MAX_BODY_BYTES = 65536  # error pages are small; never read a large body
# Old protocols are only offered for probing; OpenSSL 3 refuses them at its default security level.
LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"


class CheckTimeout(Exception):
    """The check's time budget (``--timeout``) ran out."""


class LookupFailed(Exception):
    """The name does not resolve: ``record_missing`` when DNS answered that it has no address (no
    such name, or no A/AAAA record), otherwise the resolver gave no usable answer (unreachable,
    refused, SERVFAIL), which says nothing about the record."""

    def __init__(self, message: str, record_missing: bool) -> None:
        super().__init__(message)
        self.record_missing = record_missing


# getaddrinfo's answers (glibc): what DNS said about the name, and the codes of a resolver that
# could not say (EAI_AGAIN for no answer, REFUSED and SERVFAIL alike; EAI_FAIL for other failures).
MISSING_RECORD = {
    socket.EAI_NONAME: "no such name",
    getattr(socket, "EAI_NODATA", socket.EAI_NONAME): "the name has no address record",
}
RESOLVER_FAILURES = (socket.EAI_AGAIN, socket.EAI_FAIL)


class Deadline:
    """One check's time budget, for everything the check does together (lookups, connections, TLS
    handshakes, reads). Every blocking step gets what is left of it, and when it runs out a watchdog
    shuts down the check's connections: a server that trickles its answer a byte at a time resets a
    socket's own timeout at every byte, so per-read timeouts alone never end such a check.

    Use it as a context manager; leaving it stops the watchdog."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False
        self._watchdog = threading.Timer(seconds, self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()

    def __enter__(self) -> "Deadline":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._watchdog.cancel()

    @property
    def expired(self) -> bool:
        return self._cut or time.monotonic() >= self._end

    def remaining(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0 or self._cut:
            raise self.timeout()
        return left

    def timeout(self, what: str = "no answer") -> CheckTimeout:
        return CheckTimeout(f"{what} within {self.seconds:g} s (--timeout)")

    def watch(self, sock: socket.socket) -> socket.socket:
        """Register ``sock`` (the object that owns the connection now) to be cut at the deadline."""
        with self._lock:
            self._sockets.append(sock)
            cut = self._cut
        if cut:
            _shut_down(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self._cut = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for an SSLSocket (whose own shutdown() would drop its TLS
    # state under a read in progress): the blocked read returns at once with end-of-file.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or handed over to an SSLSocket


@dataclass(frozen=True)
class Resolution:
    host: str
    addresses: tuple[str, ...]
    canonical_name: Optional[str]
    """The end of the CNAME chain as the system resolver reports it (None when pinned)."""
    pinned: bool
    """True when ``--resolve`` supplied the addresses and DNS was not consulted."""


class Resolver:
    """Resolves ``(host, port)`` like curl: a ``--resolve HOST:PORT:ADDRESS`` pin wins, otherwise the
    system resolver is asked (getaddrinfo, so /etc/hosts and split-horizon DNS apply)."""

    def __init__(self, pins: Mapping[tuple[str, int], tuple[str, ...]]) -> None:
        self._pins = dict(pins)

    def is_pinned(self, host: str, port: int) -> bool:
        return (host, port) in self._pins

    def lookup(self, host: str, port: int, deadline: Deadline) -> Resolution:
        if (host, port) in self._pins:
            return Resolution(host, self._pins[host, port], None, pinned=True)
        answer = _getaddrinfo_within(host, port, deadline)
        addresses = tuple(dict.fromkeys(info[4][0] for info in answer))
        canonical = next((info[3] for info in answer if info[3]), None)
        return Resolution(host, addresses, canonical.rstrip(".").lower() if canonical else None, pinned=False)


def _getaddrinfo_within(host: str, port: int, deadline: Deadline) -> list[Any]:
    # getaddrinfo has no timeout of its own: run it in a daemon thread and stop waiting at the
    # deadline (a hung resolver must not hold the command or its exit).
    outcome: dict[str, Any] = {}

    def lookup() -> None:
        try:
            outcome["answer"] = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_CANONNAME
            )
        except OSError as error:
            outcome["error"] = error

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        raise deadline.timeout(f"DNS lookup of {host} gave no answer")
    if "error" in outcome:
        raise _lookup_failure(host, outcome["error"])
    return outcome["answer"]


def _lookup_failure(host: str, error: OSError) -> LookupFailed:
    detail = error.args[-1]
    if isinstance(error, socket.gaierror) and error.errno in RESOLVER_FAILURES:
        return LookupFailed(f"could not look up {host}: the DNS resolver gave no usable answer ({detail})", False)
    meaning = MISSING_RECORD.get(getattr(error, "errno", None))
    return LookupFailed(f"{host} does not resolve{f': {meaning}' if meaning else ''} ({detail})", True)


def connect(resolver: Resolver, host: str, port: int, deadline: Deadline) -> socket.socket:
    """A TCP connection to the first address of ``host`` that accepts one."""
    resolution = resolver.lookup(host, port, deadline)
    error: Optional[OSError] = None
    for address in resolution.addresses:
        try:
            return deadline.watch(socket.create_connection((address, port), timeout=deadline.remaining()))
        except socket.timeout:
            raise deadline.timeout(f"{address} port {port} did not accept a connection")
        except OSError as refused:
            error = refused
    raise ConnectionError(f"{host} port {port} ({', '.join(resolution.addresses)}): {_describe_os_error(error)}")


def _describe_os_error(error: Optional[OSError]) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    return str(error) if error else "no address"


def verifying_context(ca_bundle: Optional[str]) -> ssl.SSLContext:
    """What a browser does: trusted chain and the right name, in a DNS subjectAltName only. Python
    (OpenSSL) otherwise falls back to the subject's common name when no DNS name is listed; Chrome
    58+ (https://chromestatus.com/feature/4981025180483584), iOS 13 and macOS 10.15
    (https://support.apple.com/en-us/103769) and Firefox 48+ do not. ``ca_bundle`` replaces the system
    trust store, like curl's ``--cacert``."""
    context = ssl.create_default_context(cafile=ca_bundle)
    context.hostname_checks_common_name = False
    return context


def probing_context(version: Optional[ssl.TLSVersion] = None) -> ssl.SSLContext:
    """No verification (the certificate is judged separately); optionally exactly one TLS version."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if version is not None:
        context.set_ciphers(LEGACY_CIPHERS)
        context.minimum_version = context.maximum_version = version
    return context


def tls_connect(
    resolver: Resolver, host: str, port: int, context: ssl.SSLContext, deadline: Deadline
) -> ssl.SSLSocket:
    raw = connect(resolver, host, port, deadline)
    try:
        raw.settimeout(deadline.remaining())
        tls = deadline.watch(context.wrap_socket(raw, server_hostname=host, do_handshake_on_connect=False))
    except BaseException:
        raw.close()
        raise
    try:
        tls.do_handshake()
        return tls
    except BaseException as error:
        tls.close()
        if isinstance(error, socket.timeout) or deadline.expired:
            raise deadline.timeout(f"TLS handshake with {host} port {port} did not finish") from error
        raise


def decode_certificate(der: bytes) -> dict[str, Any]:
    """The same dictionary ``getpeercert()`` gives, for a certificate that failed verification
    (``getpeercert()`` returns nothing then). Uses CPython's certificate decoder, which only reads files."""
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as pem:
        pem.write(ssl.DER_cert_to_PEM_cert(der))
        pem.flush()
        return ssl._ssl._test_decode_cert(pem.name)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class HttpAnswer:
    url: str
    status: int
    reason: str
    headers: Mapping[str, str]
    """Field values by lower-case name, parsed as RFC 9110 section 5 says: surrounding whitespace
    removed, repeated fields combined with ", "."""
    body: bytes = b""
    """The body, at most the ``max_body`` bytes ``fetch`` was asked to read."""
    body_truncated: bool = False
    """True when the body was longer than ``max_body``."""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def describe(self) -> str:
        shown = [f"{name}: {self.header(name)}" for name in ("Server", "Location") if self.header(name)]
        return f"GET {self.url} -> {self.status} {self.reason}" + "".join(f"; {item}" for item in shown)


def field_values(lines: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header field lines as RFC 9110 section 5 reads them: names case-insensitive; leading and
    trailing whitespace (SP, HTAB) is not part of a value (5.5); a line folded onto the next one is
    one value (RFC 9112 section 5.2); repeated lines combine into one value joined by ", " (5.3)."""
    values: dict[str, list[str]] = {}
    for name, value in lines:
        values.setdefault(name.lower(), []).append(_OBS_FOLD.sub(" ", value).strip(" \t"))
    return {name: ", ".join(parts) for name, parts in values.items()}


_OBS_FOLD = re.compile(r"\r?\n[ \t]+")


def fetch(
    resolver: Resolver,
    scheme: str,
    host: str,
    port: int,
    path: str,
    deadline: Deadline,
    tls_context: Optional[ssl.SSLContext] = None,
    max_body: int = MAX_BODY_BYTES,
) -> HttpAnswer:
    """One ``GET``, sent to the pinned/resolved address with the real ``Host`` and SNI, finished
    within ``deadline`` as a whole; at most ``max_body`` bytes of the body are read."""
    default_port = 443 if scheme == "https" else 80
    authority = host if port == default_port else f"{host}:{port}"
    url = f"{scheme}://{authority}{path}"
    if scheme == "https":
        sock: socket.socket = tls_connect(resolver, host, port, tls_context or probing_context(), deadline)
    else:
        sock = connect(resolver, host, port, deadline)
    connection = http.client.HTTPConnection(host, port)
    connection.sock = sock
    try:
        sock.settimeout(deadline.remaining())
        connection.request("GET", path, headers={"Host": authority, "User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        body = response.read(max_body + 1)
        answer = HttpAnswer(
            url, response.status, response.reason, field_values(response.getheaders()),
            body[:max_body], len(body) > max_body,
        )
    except (OSError, http.client.HTTPException) as error:
        # Silence ends in the socket's timeout, trickling in the watchdog's cut: both are the deadline.
        if isinstance(error, socket.timeout) or deadline.expired:
            raise deadline.timeout(f"GET {url}: no complete answer") from error
        raise
    finally:
        connection.close()
    if deadline.expired:  # the watchdog cut a trickled answer short: it is not the whole answer
        raise deadline.timeout(f"GET {url}: no complete answer")
    return answer
