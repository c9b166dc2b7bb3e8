"""A local stand-in for KeyCDN's Zones and Zone Aliases API, for tests: real HTTP on a free 127.0.0.1 port.

It answers as KeyCDN's documentation describes the API. Sources, cited per row below:

- [A] KeyCDN's API reference, keycdn.com/api (stored copies of 2019 to 2024: Overview, Authentication,
  Response Parameters, Errors with the HTTP Status Code Summary, Changelog).
- [P] KeyCDN support, "Pull Zone Settings" (keycdn.com/support/pull-zone-settings, updated February 24, 2022).
- [X] KeyCDN support, "X-Forwarded-Host (XFH)" (keycdn.com/support/x-forwarded-host, updated October 31, 2019).
- [F] KeyCDN's FAQ (keycdn.com/faq) and support "Frequently asked questions" (keycdn.com/support/frequently-asked-questions).
- [C] KeyCDN's own API clients on GitHub: keycdn/python-keycdn-api ``keycdn/keycdn.py`` (HTTP Basic with
  ``(key, '')``, parameters sent form-encoded, endpoint ``https://api.keycdn.com``) and keycdn/node-keycdn-api
  ``index.js`` (reads ``x-rate-limit-remaining``; an answer whose ``status`` is not ``success`` is an error
  with ``description``).
- [T] Third-party clients, for what KeyCDN's stored pages do not show: karlosmid/exkeycdn (``lib/zone.ex``,
  ``lib/zone_alias.ex``, README: the zone's and alias's field names, ``data.zone``/``data.zones``/
  ``data.zonealias``/``data.zonealiases``, values as strings ``enabled``/``disabled``, ``cachemaxexpire``
  1440 by default, ``X-Rate-Limit-Limit``/``X-Rate-Limit-Remaining`` of 60) and dominikschulz/keycdn
  (``api.go``: ids answered as strings). Such a row says "not in KeyCDN's stored docs".

| # | the API | source | this stand-in |
|---|---|---|---|
| 1 | Base URL ``https://api.keycdn.com``; HTTPS only ("Calls made over plain HTTP will fail") | A (changelog 2015-11-20, Authentication) | plain HTTP on loopback, as the client allows for tests only |
| 2 | HTTP Basic authentication, the API key as user name, empty password (``curl -u sk_prod_...:``) | A, C | anything else: 401 ``{"status": "error", "description": "Unauthorized"}`` (the status and wording not in KeyCDN's stored docs: HTTP Basic's 401) |
| 3 | "JSON will be returned in all responses from the API, including errors": ``{"status", "description", "data"}``, ``status`` ``success`` | A (Response Parameters, Example Response) | every answer; errors with ``status`` ``error`` (the word from C's check; not in KeyCDN's stored docs) |
| 4 | 400 "Often missing a required parameter", 403 "Access denied", 404 "The requested item does not exist", 413 "Maximum body size is 64 KB" | A (HTTP Status Code Summary) | 400 for a missing parameter or a name taken, 404 for an unknown id, 413 over 64 KB (the descriptions' wording not in KeyCDN's stored docs; the client relies on none) |
| 5 | Rate limited (changelog 2014-08-25 "Introduction of rate limiting", 2019-08-05 "Increased API rate limit"); answers carry ``X-Rate-Limit-Limit`` and ``X-Rate-Limit-Remaining`` | A (changelog), C (remaining), T (both; 60); the limit and the answer past it not in KeyCDN's stored docs | ``rate_limit``: requests allowed before 429 ``{"status": "error", ...}`` with both headers (429 is HTTP's, RFC 6585) |
| 6 | ``GET /zones.json`` lists zones: ``data.zones`` | A (the example request), T (shape) | same |
| 7 | ``GET /zones/{id}.json``: ``data.zone``; ``POST /zones.json`` adds one, ``PUT /zones/{id}.json`` edits it ("Edit Zone not require name parameter"), ``DELETE /zones/{id}.json`` | A (section names, changelog 2016-07-22), T (paths, ``data.zone``) | same; a DELETE answers ``data`` ``{}`` |
| 8 | A zone: ``id``, ``name``, ``type`` (``pull``/``push``), ``originurl``, ``cachehostheader`` (Forward Host Header), ``cachekeyhost`` (Cache Key Host), ``cacheignorequerystring`` (Ignore Query String), ``cacheignorecachecontrol`` (Ignore Cache Control), ``cachemaxexpire`` (Max Expire), ``forcessl`` (Force SSL), ``sslcert``; values as strings (``enabled``/``disabled``, digits) | P (the settings), A (changelog: Force SSL 2014-09-10, Let's Encrypt 2016-03-05, Forward Host Header and Cache Key Host 2017-09-01), T (field names, string values, ``sslcert`` ``shared``) | same fields and strings; a new zone's defaults as T shows them (``cachemaxexpire`` ``1440``, the flags ``disabled``, ``cacheignorequerystring`` ``enabled``, ``sslcert`` ``shared``) |
| 9 | ``sslcert`` ``letsencrypt``: KeyCDN issues each zone alias a Let's Encrypt certificate | A (changelog 2016-03-05), F ("We support the use of Let's Encrypt, shared, or custom TLS certificates"); the value's spelling and how long issuance takes not in KeyCDN's stored docs | takes ``shared``, ``letsencrypt``, ``custom``; issuance is the edge stand-in's (tests/keycdn_edge.py) |
| 10 | Max Expire: how long a cacheable answer is kept without asking the origin, when the origin sets no ``Cache-Control``/``Expires``; Ignore Cache Control makes it apply whatever the origin says | P | stored; the unit, minutes (T's default 1440), not in KeyCDN's stored docs |
| 11 | A zone's URL is ``<zone name>-<hex id>.kxcdn.com`` | X (``examplepull-hexid.kxcdn.com``); the API field holding it not in KeyCDN's stored docs | not in the answer |
| 12 | Zone names | no rule in KeyCDN's stored docs; T: "20 alphanumeric characters" | 1 to 20 letters and digits, unique in the account, else 400 |
| 13 | ``GET /zonealiases.json`` lists aliases (``data.zonealiases``: ``id``, ``zone_id``, ``name``); ``POST /zonealiases.json`` (``zone_id``, ``name``) adds one (``data.zonealias``), ``PUT /zonealiases/{id}.json`` edits it, ``DELETE /zonealiases/{id}.json``; no call reads one alias | A (section names: List, Add, Edit, Delete Zone Alias), T (paths, fields, shapes) | same; an alias name is taken once in the account (400), its ``zone_id`` must be a zone (400) |
| 14 | A custom subdomain is a CNAME to the zone, configured as a Zone Alias | F ("Is a custom subdomain supported?") | the edge stand-in serves an alias whose CNAME points at its zone |
| 15 | A path that is not the API (a wrong base URL) is some web server's page | — | 404 ``text/html``, not KeyCDN's JSON |

Faults are injected ahead of the normal handling (``inject``, ``outage``: tests/api_standin.py).
"""

from __future__ import annotations

import base64
import json
import re
from itertools import count
from typing import Any, Optional
from urllib.parse import parse_qs

from api_standin import Answer, ApiStandIn

NOT_FOUND_PAGE = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
MAX_BODY_BYTES = 64 * 1024
"""Row 4: "Maximum body size is 64 KB"."""
RATE_LIMIT_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining")
ZONE_FIELDS = (
    "originurl", "cachehostheader", "cachekeyhost", "cacheignorequerystring", "cacheignorecachecontrol",
    "cachemaxexpire", "forcessl", "sslcert",
)
FLAGS = ("cachehostheader", "cachekeyhost", "cacheignorequerystring", "cacheignorecachecontrol", "forcessl")
NEW_ZONE = {
    "status": "active", "type": "pull", "originurl": "", "cachehostheader": "disabled", "cachekeyhost": "disabled",
    "cacheignorequerystring": "enabled", "cacheignorecachecontrol": "enabled", "cachemaxexpire": "1440",
    "forcessl": "disabled", "sslcert": "shared",
}
"""Row 8: a new zone as T shows KeyCDN answering one (``status`` ``active``, ``type`` ``push`` unless given)."""
SSL_CERTIFICATES = ("shared", "letsencrypt", "custom")
_ZONE_NAME = re.compile(r"[A-Za-z0-9]{1,20}")
_PATH = re.compile(r"^/(zones|zonealiases)(?:/([^/]+))?\.json$")


def failure(description: str) -> dict[str, Any]:
    """KeyCDN's error body (row 3)."""
    return {"status": "error", "description": description}


def success(description: str, data: Any) -> dict[str, Any]:
    return {"status": "success", "description": description, "data": data}


class KeyCdnStandIn(ApiStandIn):
    """Start with ``with KeyCdnStandIn(api_key) as api:``; ``api.base_url`` is the API base URL."""

    def __init__(self, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.zones: dict[str, dict[str, Any]] = {}
        """Every zone by id, as the API shows it."""
        self.aliases: dict[str, dict[str, Any]] = {}
        """Every zone alias by id."""
        self.rate_limit: Optional[int] = None
        """Requests answered before every further one gets 429 (row 5); None: no limit."""
        self.answered = 0
        self._ids = count(190392)

    @property
    def base_url(self) -> str:
        return self.root_url

    # -- the world outside the API ---------------------------------------------------------
    def add_zone(self, name: str, **fields: str) -> dict[str, Any]:
        """A zone that exists before the test (made in the dashboard, by another stack, ...)."""
        zone = {"id": str(next(self._ids)), "name": name, **NEW_ZONE, **fields}
        self.zones[zone["id"]] = zone
        return zone

    def add_alias(self, zone_id: str, name: str) -> dict[str, Any]:
        alias = {"id": str(next(self._ids)), "zone_id": zone_id, "name": name}
        self.aliases[alias["id"]] = alias
        return alias

    def zone_named(self, name: str) -> Optional[dict[str, Any]]:
        return next((zone for zone in self.zones.values() if zone["name"] == name), None)

    def alias_named(self, name: str) -> Optional[dict[str, Any]]:
        return next((alias for alias in self.aliases.values() if alias["name"] == name), None)

    # -- HTTP ------------------------------------------------------------------------------
    def _parse_body(self, raw: bytes, headers: Any) -> Any:
        if not raw:
            return None
        if len(raw) > MAX_BODY_BYTES:
            return {"__too_large__": True}
        if "json" in (headers.get("Content-Type") or ""):
            return json.loads(raw)
        return {key: values[-1] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}

    def _answer(self, method: str, path: str, query: str, headers: Any, body: Any) -> Answer:
        status, payload, extra = self._route(method, path, headers, body or {})
        if self.rate_limit is not None:  # row 5, on every answer
            remaining = max(0, self.rate_limit - self.answered - 1)
            extra = {RATE_LIMIT_HEADERS[0]: str(self.rate_limit), RATE_LIMIT_HEADERS[1]: str(remaining), **extra}
        self.answered += 1
        return status, payload, extra

    def _route(self, method: str, path: str, headers: Any, body: dict[str, Any]) -> Answer:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, failure("Unauthorized"), {}
        if self.rate_limit is not None and self.answered >= self.rate_limit:
            return 429, failure("Too Many Requests"), {}
        if body.get("__too_large__"):
            return 413, failure("Request Entity Too Large"), {}
        found = _PATH.match(path)
        if not found:
            return 404, NOT_FOUND_PAGE, {"Content-Type": "text/html"}
        collection, item = found.groups()
        if collection == "zones":
            return self._zones(method, item, body)
        return self._aliases(method, item, body)

    def _zones(self, method: str, zone_id: Optional[str], body: dict[str, Any]) -> Answer:
        if zone_id is None:
            if method == "GET":
                return 200, success("Data successfully received.", {"zones": list(self.zones.values())}), {}
            if method == "POST":
                return self._add_zone(body)
            return 405, failure("Method Not Allowed"), {}
        zone = self.zones.get(zone_id)
        if zone is None:
            return 404, failure("Zone not found"), {}
        if method == "GET":
            return 200, success("Data successfully received.", {"zone": zone}), {}
        if method == "PUT":
            problem = _zone_problem(body)
            if problem:
                return 400, failure(problem), {}
            zone.update({key: body[key] for key in ZONE_FIELDS if key in body})
            return 200, success("Zone successfully updated.", {"zone": zone}), {}
        if method == "DELETE":
            del self.zones[zone_id]
            return 200, success("Zone successfully deleted.", {}), {}
        return 405, failure("Method Not Allowed"), {}

    def _add_zone(self, body: dict[str, Any]) -> Answer:
        name = body.get("name")
        if not isinstance(name, str) or not _ZONE_NAME.fullmatch(name):
            return 400, failure("Invalid zone name"), {}
        if self.zone_named(name):
            return 400, failure("Zone name already taken"), {}
        problem = _zone_problem(body)
        if problem:
            return 400, failure(problem), {}
        zone = self.add_zone(name, type=body.get("type", "push"), **{key: body[key] for key in ZONE_FIELDS if key in body})
        return 200, success("Zone successfully added.", {"zone": zone}), {}

    def _aliases(self, method: str, alias_id: Optional[str], body: dict[str, Any]) -> Answer:
        if alias_id is None:
            if method == "GET":
                return 200, success("Data successfully received.", {"zonealiases": list(self.aliases.values())}), {}
            if method == "POST":
                problem = self._alias_problem(body, None)
                if problem:
                    return 400, failure(problem), {}
                alias = self.add_alias(str(body["zone_id"]), body["name"])
                return 200, success("Zonealias successfully added.", {"zonealias": alias}), {}
            return 405, failure("Method Not Allowed"), {}
        alias = self.aliases.get(alias_id)
        if alias is None:
            return 404, failure("Zonealias not found"), {}
        if method == "PUT":
            problem = self._alias_problem({"name": alias["name"], "zone_id": alias["zone_id"], **body}, alias_id)
            if problem:
                return 400, failure(problem), {}
            alias.update(zone_id=str(body.get("zone_id", alias["zone_id"])), name=body.get("name", alias["name"]))
            return 200, success("Zonealias successfully updated.", {"zonealias": alias}), {}
        if method == "DELETE":
            del self.aliases[alias_id]
            return 200, success("Zonealias successfully deleted.", {}), {}
        return 405, failure("Method Not Allowed"), {}

    def _alias_problem(self, body: dict[str, Any], alias_id: Optional[str]) -> str:
        if not body.get("name") or not body.get("zone_id"):
            return "Missing parameter: zone_id and name are required"
        if str(body["zone_id"]) not in self.zones:
            return "Zone not found"
        taken = self.alias_named(body["name"])
        if taken is not None and taken["id"] != alias_id:
            return "Zonealias already taken"
        return ""


def _zone_problem(body: dict[str, Any]) -> str:
    for flag in FLAGS:
        if flag in body and body[flag] not in ("enabled", "disabled"):
            return f"Invalid value for {flag}"
    if "cachemaxexpire" in body and not str(body["cachemaxexpire"]).isdigit():
        return "Invalid value for cachemaxexpire"
    if "sslcert" in body and body["sslcert"] not in SSL_CERTIFICATES:
        return "Invalid value for sslcert"
    if "type" in body and body["type"] not in ("pull", "push"):
        return "Invalid zone type"
    return ""
