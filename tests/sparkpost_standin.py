"""A local stand-in for SparkPost's tracking-domains API, for tests.

Real HTTP on a free 127.0.0.1 port, answering as SparkPost's API blueprint documents (DESIGN.md
section 3): POST 200 / 409 code 1602 / 422 code 1300, GET 200 / 404 code 1600, PUT 200 / 422 when
``default`` is asked of an unverified domain, DELETE 204 / 404, POST .../verify with the status
object. Domains are kept per subaccount (``X-MSYS-SUBACCOUNT``). Tests decide which domains' DNS is
"right" (``dns_ready``) and can inject faults (429, 500, slow answers) ahead of the normal handling.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import unquote

PREFIX = "/api/v1/tracking-domains"
Answer = tuple[int, dict[str, Any], dict[str, str]]
"""Status, JSON body and extra headers of one response."""
# The blueprint's 422s: no dot, or characters outside letters, digits, dots and hyphens.
_VALID_NAME = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass
class Recorded:
    """One request the stand-in received."""

    method: str
    path: str
    headers: Message
    """Case-insensitive, as HTTP headers are."""
    body: Optional[dict[str, Any]]


@dataclass
class Fault:
    """An answer given instead of the normal one, for the next matching request."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    method: Optional[str] = None


def error_body(code: str, message: str, description: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "description": description}]}


class SparkPostStandIn:
    """Start with ``with SparkPostStandIn(api_key) as api:``; ``api.base_url`` is the API base URL."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.domains: dict[tuple[Optional[str], str], dict[str, Any]] = {}
        self.dns_ready: set[str] = set()
        self.requests: list[Recorded] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v1"

    def __enter__(self) -> "SparkPostStandIn":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def add_domain(
        self, domain: str, *, secure: bool = False, default: bool = False, subaccount: Optional[int] = None
    ) -> None:
        """A tracking domain that exists at SparkPost before the test (e.g. created by hand)."""
        self.domains[(_key(subaccount), domain)] = _new_domain(domain, secure, default)

    def domain(self, domain: str, subaccount: Optional[int] = None) -> Optional[dict[str, Any]]:
        return self.domains.get((_key(subaccount), domain))

    def inject(self, status: int, *, times: int = 1, **options: Any) -> None:
        """Answer the next ``times`` requests (of ``method``, if given) with ``status`` instead."""
        for _ in range(times):
            self._faults.append(Fault(status, **options))

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request, in order."""
        return [(request.method, request.path) for request in self.requests]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with standin._lock:
                    standin.requests.append(Recorded(self.command, self.path, self.headers, body))
                    fault = standin._take_fault(self.command)
                    if fault is None:
                        status, payload, headers = standin._answer(self.command, self.path, self.headers, body)
                if fault is not None:
                    time.sleep(fault.delay)
                    status, payload, headers = fault.status, fault.body, fault.headers
                self._reply(status, payload, headers)

            def _reply(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = b"" if status == 204 else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler

    def _take_fault(self, method: str) -> Optional[Fault]:
        for fault in self._faults:
            if fault.method in (None, method):
                self._faults.remove(fault)
                return fault
        return None

    def _answer(self, method: str, path: str, headers: Any, body: Optional[dict[str, Any]]) -> Answer:
        if headers.get("Authorization") != self.api_key:
            return 401, {"errors": [{"message": "Unauthorized."}]}, {}
        if not path.startswith(PREFIX):
            return 404, error_body("1600", "resource not found", f"no such endpoint {path}"), {}
        account = headers.get("X-MSYS-SUBACCOUNT")
        parts = [unquote(part) for part in path[len(PREFIX):].split("/") if part]
        if not parts and method == "POST":
            return self._create(account, body or {})
        if not parts:
            return 405, error_body("1001", "method not allowed", method), {}
        domain = parts[0]
        record = self.domains.get((account, domain))
        if record is None:
            return 404, error_body("1600", "resource not found", f"Resource not found: {domain}"), {}
        if parts[1:] == ["verify"] and method == "POST":
            record["status"] = _status(domain in self.dns_ready)
            return 200, {"results": record["status"]}, {}
        if parts[1:]:
            return 404, error_body("1600", "resource not found", f"no such endpoint {path}"), {}
        if method == "GET":
            return 200, {"results": record}, {}
        if method == "DELETE":
            del self.domains[(account, domain)]
            return 204, {}, {}
        return self._update(account, record, body or {})

    def _create(self, account: Optional[str], body: dict[str, Any]) -> Answer:
        domain = body.get("domain")
        if not domain:
            return 422, error_body("1400", "required field is missing", "field 'domain' is required"), {}
        if not _VALID_NAME.match(domain):
            description = (
                f"Error domain name contains no '.'(s) for domain: '{domain}'"
                if "." not in domain
                else f"Error domain name contains invalid characters or spaces for domain: '{domain}'"
            )
            return 422, error_body("1300", "invalid data format/type", description), {}
        if (account, domain) in self.domains:
            return 409, error_body("1602", "resource conflict", "The tracking domain already exists."), {}
        self.domains[(account, domain)] = _new_domain(domain, bool(body.get("secure", False)), False)
        return 200, {"results": {"domain": domain}}, {}

    def _update(self, account: Optional[str], record: dict[str, Any], body: dict[str, Any]) -> Answer:
        if body.get("default") and not record["status"]["verified"]:
            description = f"Tracking domain '{record['domain']}' unverified."
            return 422, error_body("1300", "invalid data format/type", description), {}
        if "secure" in body:
            record["secure"] = bool(body["secure"])
            record["port"] = 443 if record["secure"] else 80
        if body.get("default"):
            for (other_account, _), other in self.domains.items():
                if other_account == account:
                    other["default"] = False
        if "default" in body:
            record["default"] = bool(body["default"])
        return 200, {"results": {"domain": record["domain"]}}, {}


def _key(subaccount: Optional[int]) -> Optional[str]:
    return None if subaccount is None else str(subaccount)


def _new_domain(domain: str, secure: bool, default: bool) -> dict[str, Any]:
    port = 443 if secure else 80
    return {"domain": domain, "port": port, "secure": secure, "default": default, "status": _status(False)}


def _status(verified: bool) -> dict[str, Any]:
    if verified:
        return {"verified": True, "cname_status": "valid", "compliance_status": "valid"}
    return {"verified": False, "cname_status": "pending", "compliance_status": "pending"}
