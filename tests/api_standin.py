"""What every local stand-in of a REST API shares (tests/sparkpost_standin.py, tests/keycdn_standin.py):
real HTTP on a free 127.0.0.1 port, every request recorded, and faults injected ahead of the normal
handling.

A stand-in subclasses ``ApiStandIn`` and implements ``_answer`` (and ``_parse_body`` when its API
is not sent JSON bodies); the answer is a status, a payload (any JSON value, or raw bytes) and extra
headers. Faults, for the tests of a client's hardening:

- ``inject(status, times=, method=, after=, ...)``: the next matching requests (after the next ``after``
  requests of any kind) get an answer of the test's choosing (any JSON, raw bytes such as an HTML page, extra headers), after a delay, trickled a byte
  at a time, or the request is carried out and its answer lost (the connection closed), as a timeout
  after the service acted looks;
- ``outage(after=n, ...)``: every request after the next ``n`` gets that fault, until
  ``end_outage()`` (a service that goes down in the middle of an operation, then comes back).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any, dict[str, str]]
"""Status, payload (JSON value or raw bytes) and extra headers of one response."""


@dataclass
class Recorded:
    """One request the stand-in received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    """Case-insensitive, as HTTP headers are."""
    body: Any
    """The parsed body (``_parse_body``), None without one."""


@dataclass
class Fault:
    """What happens instead of (or, with ``lose_answer``, after) the normal handling of a request."""

    status: int = 200
    body: Any = None
    """Any JSON value, sent as the body."""
    raw: Optional[bytes] = None
    """Bytes sent as the body instead of ``body``, with ``content_type``."""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    """Seconds between the body's bytes, sent one at a time."""
    lose_answer: bool = False
    """Handle the request normally, then close the connection without answering."""
    method: Optional[str] = None
    at: int = 0
    """The number of requests received before the first one this fault may apply to."""


class ApiStandIn:
    """Start with ``with Subclass(...) as api:``; ``api.root_url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._faults: deque[Fault] = deque()
        self._outage: Optional[tuple[int, Fault]] = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # -- faults and records ----------------------------------------------------------------
    def inject(self, status: int = 200, *, times: int = 1, after: int = 0, **options: Any) -> None:
        """Answer the next ``times`` requests (of ``method``, if given; not before the next ``after``
        requests have been answered) with ``status`` instead; see ``Fault``."""
        for _ in range(times):
            self._faults.append(Fault(status, at=len(self.requests) + after, **options))

    def outage(self, status: int = 503, *, after: int = 0, **options: Any) -> None:
        """From the request after the next ``after`` ones on, every request gets the fault (default: a
        503 with ``body``), until ``end_outage()``."""
        self._outage = (len(self.requests) + after, Fault(status, **options))

    def end_outage(self) -> None:
        self._outage = None

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request, in order."""
        return [(request.method, request.path) for request in self.requests]

    # -- for subclasses --------------------------------------------------------------------
    def _answer(self, method: str, path: str, query: str, headers: Message, body: Any) -> Answer:
        raise NotImplementedError

    def _parse_body(self, raw: bytes, headers: Message) -> Any:
        return json.loads(raw) if raw else None

    # -- HTTP ------------------------------------------------------------------------------
    def _take_fault(self, method: str) -> Optional[Fault]:
        received = len(self.requests) - 1  # before this one
        for fault in self._faults:
            if fault.method in (None, method) and fault.at <= received:
                self._faults.remove(fault)
                return fault
        if self._outage is not None and len(self.requests) > self._outage[0]:
            return self._outage[1]
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = standin._parse_body(raw, self.headers)
                url = urlsplit(self.path)
                with standin._lock:
                    standin.requests.append(Recorded(self.command, url.path, parse_qs(url.query), self.headers, body))
                    fault = standin._take_fault(self.command)
                    if fault is None or fault.lose_answer:
                        status, payload, headers = standin._answer(self.command, url.path, url.query, self.headers, body)
                if fault is None:
                    self._reply(status, encode(status, payload), headers)
                elif fault.lose_answer:
                    self.close_connection = True  # the service acted; the client never hears of it
                else:
                    time.sleep(fault.delay)
                    data = fault.raw if fault.raw is not None else encode(fault.status, fault.body)
                    self._reply(fault.status, data, {"Content-Type": fault.content_type, **fault.headers}, fault.trickle)

            def _reply(self, status: int, data: bytes, headers: dict[str, str], trickle: float = 0.0) -> None:
                try:
                    self.send_response(status)
                    for name, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if not trickle:
                        self.wfile.write(data)
                    for byte in data if trickle else b"":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(trickle)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (deadline tests)
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler


def encode(status: int, payload: Any) -> bytes:
    if status == 204 or payload is None:
        return b""
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()
