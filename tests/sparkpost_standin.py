"""A local stand-in for SparkPost's Tracking Domains API, for tests: real HTTP on a free 127.0.0.1 port.

It answers as SparkPost's *current* API description does. Sources, cited per row below:

- [A] SparkPost's developer docs, "Tracking Domains" (developers.sparkpost.com/api/tracking-domains):
  the API blueprint ``content/api/tracking-domains.apib`` of SparkPost/developers.sparkpost.com, at
  commit 8d9608859d423a2c3bd1abb7016ee556fa0eb037 (the edition with today's error shape; the previous
  one, 103816eab31a, still had ``code``/``description``).
- [S] SparkPost support, "Managed HTTPS for Tracking Domains", last updated 02/10/2026
  (support.sparkpost.com/docs/tech-resources/managed-https-for-tracking-domains).
- [T] the public sparkpost-terraform provider (github.com/sparkpost-terraform/terraform-provider-sparkpost),
  ``internal/provider/resource_tracking_domain_https_configuration.go`` and
  ``resource_tracking_domain_managed_certificate.go``.
- [I] issue 20, where the stored sources do not show the detail: the row says "per issue 20; not found
  in stored docs".

| # | the API today | source | this stand-in |
|---|---|---|---|
| 1 | Errors are ``{"errors": [{"message", "param"?, "value"?}]}``: no ``code``, no ``description`` | A | every error it sends (``error()``) |
| 2 | ``POST /tracking-domains`` ``{domain, secure}`` → 200 ``{"results": {"domain"}}`` | A | same; ``secure`` defaults to false, ``port`` follows ``secure`` (80/443) |
| 3 | POST of a name that exists → 409 ``{"message": "The tracking domain already exists"}`` | A | same, whichever account holds the name (row 13) |
| 4 | POST of an invalid name → 422 ``{"param": "domain", "message": "domain must be valid", "value"}`` | A | names with no dot or characters outside letters, digits, ``.`` and ``-`` |
| 5 | GET/PUT/DELETE of an invalid name → 400, same body | A | same |
| 6 | GET/PUT/DELETE/verify of an unknown name → 404 ``{"message": "resource not found"}`` | A | also for a name only another subaccount can see |
| 7 | ``GET /tracking-domains/{d}`` → 200 object: ``domain``, ``port``, ``secure``, ``default``, ``status`` ``{verified, cname_status, compliance_status}``, ``subaccount_id`` only when set | A | same, plus rows 14-15 |
| 8 | ``PUT`` ``{secure, default}`` → 200 ``{"results": {"domain"}}``; a new default unsets the previous one of the same account or subaccount; ``default`` on an unverified domain → 422 ``{"message": "Tracking domain '<d>' unverified."}`` | A | same |
| 9 | ``DELETE`` → 204 | A | same |
| 10 | ``POST .../verify`` → 200 ``{"results": {verified, cname_status, compliance_status}}``; a verified domain reports ``cname_status: ""`` | A (sample response), I | verified when the test has "pointed" the domain (``point()``); ``cname_status`` ``""`` once verified, ``invalid`` after a failed check, ``pending`` before any |
| 11 | verify of a ``secure`` domain requests ``https://<d>:443`` and answers 400 ``{"message": "HTTP request to https://<d>:443 failed.  Please verify that your redirect is functioning and that your SSL certificate is valid."}`` when that fails | A | a real TLS request (SNI and certificate checked against the domain) to where the test routes the domain (``route_https()``, e.g. an ``EspStandin`` playing the front door); no route, no DNS, a refused connection or a bad certificate → that 400 |
| 12 | ``GET /tracking-domains{?default,subaccounts}`` → 200 ``{"results": [objects]}``; ``default=true`` only defaults, ``false`` only the others; ``subaccounts`` a comma-separated list | A | same |
| 13 | Subaccounts: assigned on creation (``X-MSYS-SUBACCOUNT``), never moved; without the header a call sees the primary account's and every subaccount's domains; names are unique across them | A (assignment), per issue 20; not found in stored docs (visibility, uniqueness) | with the header only that subaccount's domains are visible |
| 14 | Managed HTTPS fields: ``uses_managed_certificate``, ``tls_certificate`` ``{issued_at, expires_at, error_code}``, ``status.tls_status`` (inactive, pending, valid, expired, failed, unavailable) | S (statuses, 90-day certificates), T (``UsesManagedCertificate``); per issue 20; not found in stored docs (field names) | ``tls_certificate`` present once managed HTTPS is enabled; ``tls_status`` ``inactive`` before |
| 15 | ``POST .../{d}/certificate/check`` (eligibility), then ``POST .../{d}/certificate/enable``; no API turns it off | T (order, no disable); per issue 20; not found in stored docs (paths, bodies) | check → 200 ``{"results": {"eligible": bool}}``; enable → 200 ``{"results": {"domain"}}``, 422 unverified, 400 not eligible |
| 16 | Managed HTTPS needs a verified domain whose CNAME points at a V2 endpoint (``v2.spgo.io``, ``eu.v2.spgo.io``); Let's Encrypt refuses some domains (``unavailable``) | S | eligible when pointed at a V2 endpoint and not in ``lets_encrypt_refuses``; issuance when the test calls ``issue_certificate()`` (or at once with ``issue_on_enable``) |
| 17 | Tracking domains created in the UI after December 2025 use managed HTTPS by default | S | ``add_domain(managed=True)`` |
| 18 | Tracking domains must be subdomains | S (UI note) | no rule: the client refuses a root domain before any request |
| 19 | ``Authorization: <API key>``; a wrong key is refused | A (header) | 401 ``{"errors": [{"message": "Unauthorized."}]}`` (body per issue 20's error shape; not found in stored docs) |
| 20 | A path that is not the API (a wrong base URL) is some web server's page | — | 404 ``text/html``, not SparkPost's JSON |
| 21 | POST of a name on a DNS blacklist → 400 ``{"param": "domain", "message": "domain is on a DNS blacklist", "value"}`` | A | names the test puts in ``dns_blacklisted`` |

Faults are injected ahead of the normal handling (``inject``, ``outage``: tests/api_standin.py).
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any, Optional
from urllib.parse import parse_qs, unquote

from api_standin import Answer, ApiStandIn

PREFIX = "/api/v1/tracking-domains"
V2_ENDPOINTS = ("v2.spgo.io", "eu.v2.spgo.io")
HTTPS_CHECK_FAILED = (
    "HTTP request to https://{domain}:443 failed.  Please verify that your redirect is functioning and that "
    "your SSL certificate is valid."
)
NOT_FOUND_PAGE = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
_VALID_NAME = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def error(message: str, param: Optional[str] = None, value: Optional[str] = None) -> dict[str, Any]:
    """SparkPost's error body today (row 1)."""
    entry: dict[str, Any] = {"message": message}
    if param is not None:
        entry.update(param=param, value=value)
    return {"errors": [entry]}


class SparkPostStandIn(ApiStandIn):
    """Start with ``with SparkPostStandIn(api_key) as api:``; ``api.base_url`` is the API base URL."""

    def __init__(self, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.domains: dict[str, dict[str, Any]] = {}
        """Every tracking domain by name (names are unique across accounts), as GET shows it."""
        self.dns: dict[str, str] = {}
        """Where each domain's CNAME points (``point()``); absent: not pointed anywhere yet."""
        self.https_routes: dict[str, tuple[int, str]] = {}
        """Domain -> (127.0.0.1 port, CA file) that ``https://<domain>:443`` reaches."""
        self.lets_encrypt_refuses: set[str] = set()
        self.dns_blacklisted: set[str] = set()
        """Names whose creation SparkPost refuses as on a DNS blacklist (row 21)."""
        self.issue_on_enable = False

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api/v1"

    # -- the world outside the API ---------------------------------------------------------
    def add_domain(
        self,
        domain: str,
        *,
        secure: bool = False,
        default: bool = False,
        subaccount: Optional[int] = None,
        verified: bool = False,
        managed: bool = False,
    ) -> dict[str, Any]:
        """A tracking domain that exists before the test (made in the UI, by another stack, ...); a
        ``managed`` one has a valid SparkPost-managed certificate (row 17)."""
        record = _new_domain(domain, secure, subaccount)
        record["default"] = default
        if verified or managed:
            record["status"].update(verified=True, cname_status="", compliance_status="valid")
        self.domains[domain] = record
        if managed:
            self.dns[domain] = V2_ENDPOINTS[0]
            _enable_managed_https(record)
            self.issue_certificate(domain)
        return record

    def domain(self, domain: str) -> Optional[dict[str, Any]]:
        return self.domains.get(domain)

    def point(self, domain: str, target: str = "front-door.example.net") -> None:
        """The domain's CNAME now resolves to ``target`` (a front door, or a V2 endpoint)."""
        self.dns[domain] = target

    def route_https(self, domain: str, port: int, ca_file: str) -> None:
        """``https://<domain>:443`` reaches 127.0.0.1:``port``, whose certificate ``ca_file`` issued."""
        self.https_routes[domain] = (port, ca_file)

    def issue_certificate(self, domain: str, issued_at: str = "2026-03-01T00:00:00Z") -> None:
        """SparkPost's managed certificate for ``domain`` is issued (valid 90 days, row 14)."""
        record = self.domains[domain]
        record["tls_certificate"].update(issued_at=issued_at, expires_at="2026-05-30T00:00:00Z", error_code=None)
        record["status"]["tls_status"] = "valid"

    def _answer(self, method: str, path: str, query: str, headers: Any, body: Optional[dict[str, Any]]) -> Answer:
        if headers.get("Authorization") != self.api_key:
            return 401, error("Unauthorized."), {}
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return 404, NOT_FOUND_PAGE, {"Content-Type": "text/html"}
        header = headers.get("X-MSYS-SUBACCOUNT")
        account = None if header is None else int(header)
        parts = [unquote(part) for part in path[len(PREFIX) :].split("/") if part]
        if not parts:
            if method == "POST":
                return self._create(account, body or {})
            return self._list(account, parse_qs(query)) if method == "GET" else (405, error("method not allowed"), {})
        domain, action = parts[0], parts[1:]
        if not _VALID_NAME.match(domain):
            return 400, error("domain must be valid", "domain", domain), {}
        record = self.domains.get(domain)
        if record is None or not _visible(record, account):
            return 404, error("resource not found"), {}
        return self._act(method, action, record, body or {})

    def _act(self, method: str, action: list[str], record: dict[str, Any], body: dict[str, Any]) -> Answer:
        if (method, action) == ("GET", []):
            return 200, {"results": record}, {}
        if (method, action) == ("PUT", []):
            return self._update(record, body)
        if (method, action) == ("DELETE", []):
            del self.domains[record["domain"]]
            return 204, None, {}
        if (method, action) == ("POST", ["verify"]):
            return self._verify(record)
        if (method, action) == ("POST", ["certificate", "check"]):
            return 200, {"results": {"eligible": self._eligible(record)}}, {}
        if (method, action) == ("POST", ["certificate", "enable"]):
            return self._enable_certificate(record)
        return 404, error("resource not found"), {}

    def _list(self, account: Optional[int], query: dict[str, list[str]]) -> Answer:
        results = [record for record in self.domains.values() if _visible(record, account)]
        if "default" in query:
            wanted = query["default"][0] == "true"
            results = [record for record in results if record["default"] == wanted]
        if "subaccounts" in query:
            ids = {int(item) for item in query["subaccounts"][0].split(",") if item}
            results = [record for record in results if record.get("subaccount_id") in ids]
        return 200, {"results": results}, {}

    def _create(self, account: Optional[int], body: dict[str, Any]) -> Answer:
        domain = body.get("domain")
        if not isinstance(domain, str) or not _VALID_NAME.match(domain):
            return 422, error("domain must be valid", "domain", domain), {}
        if domain in self.dns_blacklisted:
            return 400, error("domain is on a DNS blacklist", "domain", domain), {}
        if domain in self.domains:
            return 409, error("The tracking domain already exists"), {}
        self.domains[domain] = _new_domain(domain, bool(body.get("secure", False)), account)
        return 200, {"results": {"domain": domain}}, {}

    def _update(self, record: dict[str, Any], body: dict[str, Any]) -> Answer:
        if body.get("default") and not record["status"]["verified"]:
            return 422, error(f"Tracking domain '{record['domain']}' unverified."), {}
        if "secure" in body:
            record["secure"] = bool(body["secure"])
            record["port"] = 443 if record["secure"] else 80
        if body.get("default"):
            for other in self.domains.values():
                if other.get("subaccount_id") == record.get("subaccount_id"):
                    other["default"] = False
        if "default" in body:
            record["default"] = bool(body["default"])
        return 200, {"results": {"domain": record["domain"]}}, {}

    def _verify(self, record: dict[str, Any]) -> Answer:
        domain = record["domain"]
        if record["secure"] and not self._https_answers(record):
            return 400, error(HTTPS_CHECK_FAILED.format(domain=domain)), {}
        verified = domain in self.dns
        record["status"].update(
            verified=verified,
            cname_status="" if verified else "invalid",
            compliance_status="valid" if verified else "pending",
        )
        status = record["status"]
        return 200, {"results": {key: status[key] for key in ("verified", "cname_status", "compliance_status")}}, {}

    def _https_answers(self, record: dict[str, Any]) -> bool:
        """SparkPost's HTTPS check (row 11): through DNS to the front door (or SparkPost's own managed
        certificate on a V2 endpoint), a TLS handshake valid for the domain, and an HTTP answer."""
        domain = record["domain"]
        if domain not in self.dns:
            return False
        if self.dns[domain] in V2_ENDPOINTS:
            return record["status"]["tls_status"] == "valid"
        if domain not in self.https_routes:
            return False
        port, ca_file = self.https_routes[domain]
        context = ssl.create_default_context(cafile=ca_file)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
                with context.wrap_socket(raw, server_hostname=domain) as tls:
                    tls.sendall(f"GET /f/ HTTP/1.1\r\nHost: {domain}\r\nConnection: close\r\n\r\n".encode())
                    return tls.recv(9).startswith(b"HTTP/1.")
        except OSError:
            return False

    def _eligible(self, record: dict[str, Any]) -> bool:
        domain = record["domain"]
        return (
            record["status"]["verified"]
            and self.dns.get(domain) in V2_ENDPOINTS
            and domain not in self.lets_encrypt_refuses
        )

    def _enable_certificate(self, record: dict[str, Any]) -> Answer:
        if not record["status"]["verified"]:
            return 422, error(f"Tracking domain '{record['domain']}' unverified."), {}
        if not self._eligible(record):
            message = "tracking domain is not eligible for a managed certificate"
            return 400, error(message, "domain", record["domain"]), {}
        if not record["uses_managed_certificate"]:
            _enable_managed_https(record)
        if self.issue_on_enable:
            self.issue_certificate(record["domain"])
        return 200, {"results": {"domain": record["domain"]}}, {}


def _visible(record: dict[str, Any], account: Optional[int]) -> bool:
    """Without ``X-MSYS-SUBACCOUNT`` everything; with it, that subaccount's domains (row 13)."""
    return account is None or record.get("subaccount_id") == account


def _new_domain(domain: str, secure: bool, subaccount: Optional[int]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "domain": domain,
        "port": 443 if secure else 80,
        "secure": secure,
        "default": False,
        "status": {
            "verified": False, "cname_status": "pending", "compliance_status": "pending", "tls_status": "inactive"
        },
        "uses_managed_certificate": False,
    }
    if subaccount is not None:
        record["subaccount_id"] = subaccount
    return record


def _enable_managed_https(record: dict[str, Any]) -> None:
    record["uses_managed_certificate"] = True
    record["tls_certificate"] = {"issued_at": None, "expires_at": None, "error_code": None}
    record["status"]["tls_status"] = "pending"

