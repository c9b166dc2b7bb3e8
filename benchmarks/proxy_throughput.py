"""Throughput of the generated proxy configuration against the seed's literal one, on loopback.

Runs, in one go, under the same load generator (wrk, Debian package ``wrk``):
  direct  - the TLS stand-in ESP alone (wrk -> https stand-in), the ceiling;
  seed    - seed 002's literal nginx configuration (``location / { proxy_pass https://spgo.io; }``,
            nothing else; ``spgo.io`` replaced by the stand-in's address);
  ours    - ``tracking-cdn proxy nginx`` output (upstream keep-alive, verification on), and the same
            for Caddy. (Apache is left out: its test-only upstream override reaches the stand-in
            through an HTTP CONNECT tunnel, which this nginx stand-in does not offer.)
and prints requests/s and median latency for each, and the ratios ours/seed and ours/direct.

The stand-in ESP here is an nginx answering ``/f/...`` with a 302 over TLS (a Python stand-in would
be the bottleneck); its certificate is for ``spgo.io`` from a throwaway trustme CA, which the
generated configurations verify. The proxies are measured on their HTTP port (the leg that differs
between the configurations is proxy -> ESP). Every server runs one worker process.

Usage: python benchmarks/proxy_throughput.py [--seconds 8] [--connections 32] [--threads 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import trustme

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from proxy_runner import free_port, running_server  # noqa: E402

from tracking_cdn.proxy import proxy_settings, render  # noqa: E402

DOMAIN = "track.example.com"
ESP_HOST = "spgo.io"
CLICK = "/f/a/Hcv1nwnOfCFeZmc3EvMwsQ~~/AALoUwA~/RgRestfaPwRXA3Nw?target=https%3A%2F%2Fwww.example.com%2F"


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    median_ms: float
    errors: int


def standin_config(port: int, cert: Path, key: Path) -> str:
    return f"""server {{
    listen 127.0.0.1:{port} ssl;
    server_name {ESP_HOST};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    access_log off;
    location /f/ {{ return 302 https://www.example.com/; }}
}}
"""


def seed_config(port: int, esp_port: int) -> str:
    # Seed 002, "simple reverse-proxy", verbatim but for the listen address and the upstream's.
    return f"""server {{ # simple reverse-proxy
   listen       127.0.0.1:{port};
   server_name  {DOMAIN};

   # pass requests for dynamic content to rails/turbogears/zope, et al
   location / {{
     proxy_pass      https://127.0.0.1:{esp_port};
   }}
}}
"""


def run_wrk(name: str, url: str, seconds: int, connections: int, threads: int) -> Result:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Host: {DOMAIN}", url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"\s50%\s+([\d.]+)(us|ms|s)\b", output).groups()
    median_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Result(name, rps, median_ms, errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="duration of each wrk run (default 8)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent client connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", "nginx", "caddy") if not shutil.which(tool)]
    if missing:
        print(f"missing: {', '.join(missing)} (apt-get install wrk nginx caddy)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="proxy-bench-") as tmp, ExitStack() as servers:
        work = Path(tmp)
        ca = trustme.CA()
        ca_file = work / "esp-ca.pem"
        ca.cert_pem.write_to_path(ca_file)
        esp_cert, esp_key = _write_cert(ca, ESP_HOST, work / "esp")
        front_cert, front_key = _write_cert(ca, DOMAIN, work / "front")

        esp_port = free_port()
        servers.enter_context(running_server("nginx", standin_config(esp_port, esp_cert, esp_key), work / "standin", [esp_port]))
        seed_port = free_port()
        servers.enter_context(running_server("nginx", seed_config(seed_port, esp_port), work / "seed", [seed_port]))
        ours_ports = {}
        for server in ("nginx", "caddy"):
            http_port, https_port = free_port(), free_port()
            settings = proxy_settings(
                [DOMAIN], esp="sparkpost", cert=str(front_cert), key=str(front_key),
                http_port=http_port, https_port=https_port, listen_addresses=["127.0.0.1"],
                upstream_address=f"127.0.0.1:{esp_port}", upstream_ca_file=str(ca_file), caddy_admin="off",
            )
            servers.enter_context(running_server(server, render(server, settings), work / server, [http_port, https_port]))
            ours_ports[server] = http_port

        runs = [("direct (stand-in alone)", f"https://127.0.0.1:{esp_port}"), ("seed nginx", f"http://127.0.0.1:{seed_port}")]
        runs += [(f"ours {server}", f"http://127.0.0.1:{port}") for server, port in ours_ports.items()]
        run_wrk("warm-up", runs[0][1] + CLICK, 1, args.connections, args.threads)
        results = {name: run_wrk(name, url + CLICK, args.seconds, args.connections, args.threads) for name, url in runs}

    print(f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, GET {CLICK[:24]}... (302), loopback")
    print(f"{'configuration':<26}{'requests/s':>12}{'median ms':>12}{'errors':>8}")
    for result in results.values():
        print(f"{result.name:<26}{result.requests_per_second:>12.0f}{result.median_ms:>12.2f}{result.errors:>8}")
    direct, seed = results["direct (stand-in alone)"], results["seed nginx"]
    for server in ours_ports:
        ours = results[f"ours {server}"]
        print(
            f"ours {server}: {ours.requests_per_second / seed.requests_per_second:.1f}x the seed's throughput, "
            f"{ours.requests_per_second / direct.requests_per_second:.2f}x direct "
            f"(median latency {ours.median_ms / direct.median_ms:.1f}x direct)"
        )
    return 1 if any(result.errors for result in results.values()) else 0


def _write_cert(ca: trustme.CA, host: str, stem: Path) -> tuple[Path, Path]:
    issued = ca.issue_cert(host)
    cert, key = stem.with_suffix(".crt"), stem.with_suffix(".key")
    cert.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    key.write_bytes(issued.private_key_pem.bytes())
    return cert, key


if __name__ == "__main__":
    sys.exit(main())
