"""Does a running proxy follow a change of the ESP's address? Run as root of a new user, network
and mount namespace (``unshare -rnm python tests/dns_follow.py SERVER``): there the ESP's name lives
in a private /etc/hosts (bind-mounted over the real one) and no packet can leave the machine.

Two ESP stand-ins listen on 127.0.0.2:443 and 127.0.0.3:443 under the same name. The proxy (the
production output of ``tracking-cdn proxy SERVER``: no test-only upstream address) first reaches the
one at .2; then the name is moved to .3 and .2 goes down. Printed, as JSON: the status of a click
right after the move (retried for ``FOLLOW_SECONDS``), whether .3 answered it, and for nginx the
same after ``nginx -s reload``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import trustme  # noqa: E402

from esp_standin import EspStandin  # noqa: E402
from proxy_runner import free_port, installed_nginx_version, running_server  # noqa: E402
from tracking_cdn.proxy import proxy_settings, render  # noqa: E402

ESP_NAME = "esp.tracking-cdn.test"
DOMAIN = "track.example.com"
FOLLOW_SECONDS = 8  # Go re-reads /etc/hosts at most every 5 s; nginx never does until reloaded


def click(port: int) -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/f/a/dns-follow", headers={"Host": DOMAIN})
        return connection.getresponse().status
    finally:
        connection.close()


def clicks_until_answered(port: int, standin: EspStandin, seconds: float) -> tuple[int, bool]:
    deadline = time.monotonic() + seconds
    while True:
        before = len(standin.requests)
        status = click(port)
        if (status == 302 and len(standin.requests) > before) or time.monotonic() > deadline:
            return status, len(standin.requests) > before
        time.sleep(0.5)


def main(server: str) -> dict:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    work = Path(tempfile.mkdtemp(prefix="dns-follow-"))
    hosts = work / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n127.0.0.2 {ESP_NAME}\n")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
    ca = trustme.CA()
    with EspStandin((ESP_NAME,), ca=ca, address="127.0.0.2", port=443) as old, EspStandin(
        (ESP_NAME,), ca=ca, address="127.0.0.3", port=443
    ) as new:
        http_port, https_port = free_port(), free_port()
        cert = ca.issue_cert(DOMAIN)
        cert.private_key_and_cert_chain_pem.write_to_path(str(work / "front.pem"))
        options = {"nginx_version": installed_nginx_version()} if server == "nginx" else {}
        settings = proxy_settings(
            [DOMAIN], esp="custom", origin_host=ESP_NAME, cert=str(work / "front.pem"), key=str(work / "front.pem"),
            http_port=http_port, https_port=https_port, listen_addresses=["127.0.0.1"], upstream_ca_file=old.ca_file,
            caddy_admin="off", **options,
        )
        with running_server(server, render(server, settings), work / server, [http_port, https_port]) as process:
            result = {"before": click(http_port), "old_answered": len(old.requests) == 1}
            hosts.write_text(f"127.0.0.1 localhost\n127.0.0.3 {ESP_NAME}\n")  # same file: the bind mount shows it
            old.behaviour = "refuse"  # down, kept-alive connections cut
            result["after"], result["new_answered"] = clicks_until_answered(http_port, new, FOLLOW_SECONDS)
            if server == "nginx":
                process.send_signal(signal.SIGHUP)  # `systemctl reload nginx`
                result["after_reload"], result["new_answered_after_reload"] = clicks_until_answered(http_port, new, 10)
    return result


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run inside `unshare -rnm`")
    print(json.dumps(main(sys.argv[1])))
