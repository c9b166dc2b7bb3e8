"""A local stand-in for Cloudflare's edge, driven by what a ``CloudflareTrackingDomain`` registered.

It serves the component's zone on 127.0.0.1 (HTTPS and plain HTTP) and applies, per request, exactly
the resources of an offline run, the way Cloudflare's documentation describes them:

- **DNS**: only hostnames with a *proxied* ``DnsRecord`` are served (rules fire only for proxied
  hostnames); an ``AAAA 100::`` record has no origin (error 523 if a request gets that far).
- **Certificates**: Universal SSL covers the apex and ``*.<zone>``; each ``CertificatePack``
  covers its ``hosts``; SNI picks the certificate (a name covered by none gets Universal SSL's, and
  the client sees the wrong name). TLS 1.2 and up.
- **Rulesets**, phase by phase: ``http_request_dynamic_redirect`` (the first matching redirect
  answers), ``http_config_settings`` (the last matching ``ssl`` wins; the zone's own mode
  otherwise), ``http_request_cache_settings`` (recorded, not cached: the tests assert caching on the
  resources), ``http_request_origin`` (origin rules, the way Cloudflare rewrites ``Host``, the
  origin and SNI: applied, so a test that looks at the Host the ESP receives can fail). A ruleset of
  any other phase is refused.
- **Workers routes** (after the redirect phase, as on Cloudflare): a request whose URL (host, path
  and query string, no scheme) matches a route pattern (``*`` = any characters) is handed to the
  route's Worker, the ``WorkersScript`` content the component registered, run by Node.js (its
  ``fetch`` API is the Workers one); a request the Worker passes on gets ``599``. The answer carries
  ``X-Edge-Stand-In: worker <script>``. Without Node.js the stand-in answers ``200`` with that header
  and no body.
- **Always Use HTTPS** (the zone setting, off unless ``always_use_https``): every plain-HTTP request
  of a proxied hostname is answered "with a 301 redirect to the equivalent https URL" (Cloudflare
  API, zone setting ``always_use_https``): same host, path and query, on the stand-in's HTTPS port.
- **Origin**: the proxied CNAME's target, reached through ``origins`` (host -> local port): SSL
  ``full`` = HTTPS without verifying the certificate, ``strict`` = verified against ``origin_ca``,
  ``flexible``/``off`` = plain HTTP; SNI and ``Host`` are the request's host unless a rule rewrites
  them. Cloudflare adds ``CF-Connecting-IP``/``X-Forwarded-For`` and answers with ``Server:
  cloudflare``.

The rules language understood is the subset the component writes (host sets, ``not ssl``, path
prefixes and path sets, ``concat(...)`` targets); anything else raises, so a new rule shape cannot
pass unnoticed.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import trustme

from edge_server import answer, serve
from tracking_cdn.offline import OfflineRun

RULESET = "cloudflare:index/ruleset:Ruleset"
DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
CERTIFICATE_PACK = "cloudflare:index/certificatePack:CertificatePack"
WORKERS_ROUTE = "cloudflare:index/workersRoute:WorkersRoute"
WORKERS_SCRIPT = "cloudflare:index/workersScript:WorkersScript"
NODE = shutil.which("node")
WORKER_HARNESS = """
import { pathToFileURL } from "node:url";
const [modulePath, method, url, headersJson] = process.argv.slice(2);
globalThis.fetch = async () => new Response("passed on by the Worker", { status: 599 });
const worker = (await import(pathToFileURL(modulePath).href)).default;
const response = await worker.fetch(new Request(url, { method, headers: JSON.parse(headersJson) }));
const body = Buffer.from(await response.arrayBuffer()).toString("base64");
console.log(JSON.stringify({ status: response.status, headers: [...response.headers], body }));
"""
PHASES = ("http_request_dynamic_redirect", "http_config_settings", "http_request_cache_settings",
          "http_request_origin")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}

_SET = r'\{((?:"[^"]+" ?)+)\}'
_CLAUSES = {
    # clause pattern -> (host, path, tls, values) -> whether it holds
    re.compile(rf"^http\.host in {_SET}$"): lambda host, path, tls, values: host in values,
    re.compile(r"^not ssl$"): lambda host, path, tls, values: not tls,
    re.compile(r'^starts_with\(http\.request\.uri\.path, "([^"]+)"\)$'):
        lambda host, path, tls, values: path.startswith(values[0]),
    re.compile(r'^not starts_with\(http\.request\.uri\.path, "([^"]+)"\)$'):
        lambda host, path, tls, values: not path.startswith(values[0]),
    re.compile(rf"^not \(http\.request\.uri\.path in {_SET}\)$"): lambda host, path, tls, values: path not in values,
}
_TARGET = re.compile(r'^concat\("https://([a-z0-9.-]*)"(, http\.host)?, http\.request\.uri\.path\)$')


def matches(expression: str, host: str, path: str, tls: bool) -> bool:
    """Whether a rule expression of the shapes the component writes (a parenthesised conjunction of
    the clauses in ``_CLAUSES``) matches the request."""
    if not (expression.startswith("(") and expression.endswith(")")):
        raise ValueError(f"expression the edge stand-in does not understand: {expression}")
    for clause in expression[1:-1].split(" and "):
        for pattern, holds in _CLAUSES.items():
            found = pattern.fullmatch(clause)
            if found:
                values = re.findall(r'"([^"]+)"', found.group(1)) if "{" in clause else list(found.groups())
                if not holds(host, path, tls, values):
                    return False
                break
        else:
            raise ValueError(f"clause the edge stand-in does not understand: {clause!r} in {expression}")
    return True


def redirect_location(parameters: dict[str, Any], host: str, path: str, query: str) -> str:
    from_value = parameters["fromValue"]
    target = _TARGET.fullmatch(from_value["targetUrl"]["expression"])
    if not target:
        raise ValueError(f"redirect target the edge stand-in does not understand: {from_value['targetUrl']}")
    base = target.group(1) + (host if target.group(2) else "")
    return f"https://{base}{path}" + (f"?{query}" if query and from_value.get("preserveQueryString") else "")


def covers(names: tuple[str, ...], host: str) -> bool:
    """Certificate name matching: exact, or a wildcard for exactly one label."""
    return any(name == host or (name.startswith("*.") and host.split(".", 1)[-1] == name[2:]) for name in names)


@dataclass
class EdgeRequest:
    """What the edge did with one request."""

    host: str
    tls: bool
    path: str
    worker: Optional[str] = None
    """The script of the Workers route that took the request."""
    ssl_mode: Optional[str] = None
    cache_settings: Optional[dict[str, Any]] = None
    origin_host_header: Optional[str] = None


@dataclass
class CloudflareEdge:
    run: OfflineRun
    zone_name: str
    origins: dict[str, int]
    """Origin host name -> port on 127.0.0.1."""
    origin_ca: Optional[trustme.CA] = None
    zone_ssl_mode: str = "flexible"
    """The zone's own SSL mode (Cloudflare's historical default): what applies without a rule."""
    always_use_https: bool = False
    """The zone's Always Use HTTPS setting (off by default on Cloudflare)."""
    ca: trustme.CA = field(default_factory=trustme.CA)
    seen: list[EdgeRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.records = {r.inputs["name"]: r.inputs for r in self.run.of_type(DNS_RECORD)}
        self.rules = {r.inputs["phase"]: r.inputs["rules"] for r in self.run.of_type(RULESET)}
        self.routes = [(r.inputs["pattern"], r.inputs["script"]) for r in self.run.of_type(WORKERS_ROUTE)]
        self._scripts = tempfile.TemporaryDirectory(prefix="edge-workers-")
        self.workers: dict[str, Path] = {}
        for script in self.run.of_type(WORKERS_SCRIPT):
            module = Path(self._scripts.name) / f"{script.inputs['scriptName']}.mjs"
            module.write_text(script.inputs["content"])
            self.workers[script.inputs["scriptName"]] = module
        (Path(self._scripts.name) / "harness.mjs").write_text(WORKER_HARNESS)
        unknown = set(self.rules) - set(PHASES)
        if unknown:
            raise ValueError(f"phases the edge stand-in does not apply: {sorted(unknown)}")
        certificates = [(self.zone_name, f"*.{self.zone_name}")]
        certificates += [tuple(p.inputs["hosts"]) for p in self.run.of_type(CERTIFICATE_PACK)]
        self.contexts = [(names, self._context(names)) for names in certificates]
        self.contexts[0][1].sni_callback = self._pick_certificate
        self._servers: list[ThreadingHTTPServer] = []

    # -- serving ---------------------------------------------------------------------------------
    def start(self) -> "CloudflareEdge":
        self.https_port = self._serve(tls=True)
        self.http_port = self._serve(tls=False)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._scripts.cleanup()

    def __enter__(self) -> "CloudflareEdge":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def ca_file(self, directory: Any) -> str:
        path = str(directory / "edge-ca.pem")
        self.ca.cert_pem.write_to_path(path)
        return path

    def _context(self, names: tuple[str, ...]) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ca.issue_cert(*names).configure_cert(context)
        return context

    def _pick_certificate(self, tls_socket: ssl.SSLSocket, server_name: Optional[str], _: ssl.SSLContext) -> None:
        for names, context in self.contexts:
            if server_name and covers(names, server_name):
                tls_socket.context = context
                return

    def _serve(self, tls: bool) -> int:
        server = serve(self.handle, self.contexts[0][1] if tls else None)
        self._servers.append(server)
        return server.server_address[1]

    # -- one request -------------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, tls: bool) -> None:
        host = (handler.headers.get("Host") or "").split(":")[0].lower()
        path, _, query = handler.path.partition("?")
        request = EdgeRequest(host=host, tls=tls, path=path)
        self.seen.append(request)
        record = self.records.get(host)
        if record is None or not record.get("proxied"):
            return _answer(handler, 409, {}, b"not a proxied hostname of this zone\n")  # DNS would not lead here
        if self.always_use_https and not tls:
            return _answer(handler, 301, {"Location": f"https://{host}:{self.https_port}{handler.path}"}, b"")
        for rule in self._matching("http_request_dynamic_redirect", host, path, tls)[:1]:  # the first match answers
            location = redirect_location(rule["actionParameters"], host, path, query)
            return _answer(handler, rule["actionParameters"]["fromValue"]["statusCode"], {"Location": location}, b"")
        url = host + handler.path
        for pattern, script in self.routes:
            if re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), url):
                request.worker = script
                return self._run_worker(handler, script, tls)
        request.ssl_mode = self.zone_ssl_mode
        for rule in self._matching("http_config_settings", host, path, tls):
            request.ssl_mode = rule["actionParameters"].get("ssl", request.ssl_mode)
        for rule in self._matching("http_request_cache_settings", host, path, tls):
            request.cache_settings = rule["actionParameters"]
        origin = record["content"] if record["type"] == "CNAME" else None
        host_header = sni = host
        for rule in self._matching("http_request_origin", host, path, tls):  # origin rules: the only Host rewrite
            parameters = rule["actionParameters"]
            host_header = parameters.get("hostHeader", host_header)
            origin = (parameters.get("origin") or {}).get("host", origin)
            sni = (parameters.get("sni") or {}).get("value", sni)
        request.origin_host_header = host_header
        if origin not in self.origins:
            return _answer(handler, 523, {}, b"origin is unreachable\n")
        self._forward(handler, request, origin, host_header, sni)

    def _run_worker(self, handler: BaseHTTPRequestHandler, script: str, tls: bool) -> None:
        marker = {"X-Edge-Stand-In": f"worker {script}"}
        if NODE is None or script not in self.workers:
            return _answer(handler, 200, marker, b"")
        url = f"{'https' if tls else 'http'}://{handler.headers.get('Host')}{handler.path}"
        done = subprocess.run(
            [NODE, str(Path(self._scripts.name) / "harness.mjs"), str(self.workers[script]), handler.command, url,
             json.dumps({k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}})],
            capture_output=True, text=True, timeout=30,
        )
        if done.returncode != 0:
            return _answer(handler, 500, marker, done.stderr.encode())
        answer = json.loads(done.stdout)
        headers = {**dict(answer["headers"]), **marker}
        headers.pop("content-length", None)
        _answer(handler, answer["status"], headers, base64.b64decode(answer["body"]),
                send_body=handler.command != "HEAD")

    def _matching(self, phase: str, host: str, path: str, tls: bool) -> list[dict[str, Any]]:
        return [rule for rule in self.rules.get(phase, []) if rule.get("enabled", True)
                and matches(rule["expression"], host, path, tls)]

    def _forward(self, handler: BaseHTTPRequestHandler, request: EdgeRequest, origin: str, host_header: str,
                 sni: str) -> None:
        port = self.origins[origin]
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if request.ssl_mode in ("full", "strict"):
            context = ssl.create_default_context()
            if request.ssl_mode == "full":
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            elif self.origin_ca is not None:
                self.origin_ca.configure_trust(context)
            try:
                sock = context.wrap_socket(sock, server_hostname=sni)
            except ssl.SSLError:
                sock.close()
                return _answer(handler, 526 if request.ssl_mode == "strict" else 525, {}, b"origin TLS failed\n")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.sock = sock
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        headers.update({"Host": host_header, "CF-Connecting-IP": handler.client_address[0],
                        "X-Forwarded-For": handler.client_address[0]})
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        try:
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except OSError:
            return _answer(handler, 520, {}, b"origin error\n")
        finally:
            connection.close()
        relayed = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length", "server"}}
        _answer(handler, response.status, relayed, payload, send_body=handler.command != "HEAD")



def _answer(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes,
            send_body: bool = True) -> None:
    answer(handler, status, {"Server": "cloudflare", **headers}, body, send_body)
