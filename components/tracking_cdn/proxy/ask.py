"""``tracking-cdn ask-server``: the names a self-hosted platform approves, answered over HTTP on loopback.

Caddy's on-demand TLS issues a certificate at the first TLS handshake for a name; before it does, it
asks an endpoint whether the name is allowed (``GET <ask>?domain=<name>``; a 2xx allows it, "Required
for use in production environments, to prevent abuse", Caddy's ``on_demand_tls``). This server is that
endpoint for a platform: it answers 200 for the tracking domains listed in a file (one a line, ``#``
comments), 403 for every other name, and re-reads the file when it changes, so adding or removing a
tenant is writing the file. The on-demand configuration (``tracking_cdn.proxy.on_demand``) also asks it
before every request it relays (Caddy's ``forward_auth``), so a name removed from the file stops being
served at once, though its certificate stays in Caddy's storage until it expires.

Standard library only; listens on loopback unless told otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, urlsplit

from ..domains import validate_hostname
from ..errors import InvalidArgument

ASK_PATH = "/check"
"""The path Caddy asks (``?domain=<name>``)."""
DEFAULT_LISTEN = ("127.0.0.1", 9123)


def read_approved(path: Path) -> frozenset[str]:
    """The names of ``path``: one a line, normalised as tracking domains are; blank lines and ``#``
    comments ignored; a line that is not a host name is refused naming its line."""
    names = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if text:
            names.add(validate_hostname(text, argument=f"{path}:{number}"))
    return frozenset(names)


@dataclass
class ApprovedNames:
    """The approved names of a file, re-read when its modification time or size changes."""

    path: Path
    names: frozenset[str] = frozenset()
    stamp: Optional[tuple[int, int]] = None
    asked: list[str] = field(default_factory=list)
    """Every name asked about, in order (what Caddy asked; for tests and logs)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __contains__(self, name: str) -> bool:
        with self.lock:
            status = os.stat(self.path)
            stamp = (status.st_mtime_ns, status.st_size)
            if stamp != self.stamp:
                self.names, self.stamp = read_approved(self.path), stamp
            self.asked.append(name)
            return name in self.names


def normalized(name: str) -> str:
    """A name as asked (``Track.Example.com.``) as the file holds it."""
    return name.strip().lower().rstrip(".")


def server(approved: ApprovedNames, address: tuple[str, int] = DEFAULT_LISTEN) -> ThreadingHTTPServer:
    """An HTTP server answering ``GET|HEAD /check?domain=<name>``: 200 when ``approved`` holds the name,
    403 otherwise, 400 without a name, 404 for any other path."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            url = urlsplit(self.path)
            names = parse_qs(url.query).get("domain", [])
            if url.path != ASK_PATH:
                status, body = 404, "not found: ask /check?domain=<name>\n"
            elif len(names) != 1 or not names[0].strip():
                status, body = 400, "give one domain: /check?domain=<name>\n"
            elif normalized(names[0]) in approved:
                status, body = 200, "approved\n"
            else:
                status, body = 403, "not a tracking domain of this platform\n"
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: Caddy logs the outcome; ApprovedNames.asked keeps the questions

    return ThreadingHTTPServer(address, Handler)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--domains-file", required=True, type=Path, metavar="FILE",
                        help="the approved tracking domains, one a line (# comments); re-read when it changes")
    parser.add_argument("--listen", default=f"{DEFAULT_LISTEN[0]}:{DEFAULT_LISTEN[1]}", metavar="IP:PORT",
                        help=f"where to answer (default: {DEFAULT_LISTEN[0]}:{DEFAULT_LISTEN[1]}, loopback)")


def run(args: argparse.Namespace) -> int:
    host, _, port = args.listen.rpartition(":")
    try:
        if not port.isdigit() or not host:
            raise InvalidArgument("--listen", f"expected IP:PORT such as 127.0.0.1:9123, got {args.listen!r}")
        approved = ApprovedNames(args.domains_file)
        read_approved(args.domains_file)  # a bad file is refused before anything listens
        httpd = server(approved, (host.strip("[]"), int(port)))
    except (InvalidArgument, OSError) as error:
        print(f"tracking-cdn ask-server: error: {error}", file=sys.stderr)
        return 2
    print(f"tracking-cdn ask-server: answering http://{args.listen}{ASK_PATH}?domain=<name> from {args.domains_file}",
          file=sys.stderr)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
