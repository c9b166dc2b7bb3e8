"""Run ``tracking-cdn check`` against a DNS resolver that answers as told, with no packet leaving the
machine. Run as root of a new user, network and mount namespace::

    unshare -rnm python tests/dns_stub.py ANSWER DOMAIN [check arguments ...]

There /etc/resolv.conf is a private file (bind-mounted over the real one) naming 127.0.0.1 as the
only resolver, and this script answers every query on 127.0.0.1:53 with ANSWER: ``nxdomain`` (no such
name), ``nodata`` (the name exists, no record of the type asked), ``servfail`` or ``refused``; with
``unreachable`` nothing listens there. glibc's getaddrinfo turns these into EAI_NONAME, EAI_NODATA
and EAI_AGAIN (the last three). Prints check's JSON report and exits with its code.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

RCODES = {"nxdomain": 3, "nodata": 0, "servfail": 2, "refused": 5}


def answer_queries(rcode: int) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 53))

    def serve() -> None:
        while True:
            query, client = server.recvfrom(512)
            ident, flags = struct.unpack(">HH", query[:4])
            end = 12
            while query[end]:  # the question's name, label by label
                end += query[end] + 1
            # A response (QR, RA, the query's RD) with the question and no answers.
            header = struct.pack(">HHHHHH", ident, 0x8080 | (flags & 0x0100) | rcode, 1, 0, 0, 0)
            server.sendto(header + query[12 : end + 5], client)

    threading.Thread(target=serve, daemon=True).start()


def main(answer: str, argv: list[str]) -> int:
    resolv = Path(tempfile.mkdtemp(prefix="dns-stub-")) / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    subprocess.run(["mount", "--bind", str(resolv), "/etc/resolv.conf"], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    if answer != "unreachable":
        answer_queries(RCODES[answer])
    from tracking_cdn.cli import main as cli

    return cli(["check", *argv, "--json"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
