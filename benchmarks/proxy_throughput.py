"""The generated proxy configurations against SparkPost's reverse-proxy guide's, in two runs.

Configurations, measured under the same load generator (wrk, Debian package ``wrk``):
  direct  - the TLS stand-in ESP itself, without a proxy;
  guide   - the nginx configuration of SparkPost's reverse-proxy guide (seed 002), verbatim but for
            the addresses (``location / { proxy_pass https://spgo.io; }``, nothing else);
  ours    - ``tracking-cdn proxy nginx`` and ``tracking-cdn proxy caddy`` output (upstream
            keep-alive, the ESP's certificate verified).

Run 1, loopback: requests/s, median latency and the proxy's CPU time per request (its processes'
user+system time over the requests served), with ``--connections`` clients. Loopback shows what
each configuration costs in CPU, which is what limits it here.

Run 2, a real round trip between the proxy and the ESP: the ESP is reached through a relay that
delays every byte by half of ``--rtt-ms`` each way (benchmarks/delay_relay.py; the kernel here has
no netem), and "direct" is a client that pays the same round trip to the ESP. Median and p99 click
latency with ``--latency-connections`` clients. The physical limit of a proxy is one round trip plus
its own time; the guide's configuration opens a new TCP+TLS connection to the ESP for every click.

The stand-in ESP is an nginx answering ``/f/...`` with a 302 over TLS (a Python stand-in would be
the bottleneck), with a certificate for ``spgo.io`` from a throwaway trustme CA that our
configurations verify. Proxies are measured on their HTTP port (the leg that differs is proxy -> ESP).
Every server runs one worker process; everything shares this machine's cores. Each run is repeated
``--repeat`` times and the medians are printed.

Usage: python benchmarks/proxy_throughput.py [--seconds 5] [--repeat 3] [--rtt-ms 20]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import trustme

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from delay_relay import DelayRelay  # noqa: E402
from proxy_runner import free_port, running_server  # noqa: E402

from tracking_cdn.proxy import proxy_settings, render  # noqa: E402

DOMAIN = "track.example.com"
ESP_HOST = "spgo.io"
CLICK = "/f/a/Hcv1nwnOfCFeZmc3EvMwsQ~~/AALoUwA~/RgRestfaPwRXA3Nw?target=https%3A%2F%2Fwww.example.com%2F"
DIRECT, GUIDE = "direct (no proxy)", "SparkPost's guide, nginx"
OURS = ("nginx", "caddy")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    median_ms: float
    p99_ms: float
    errors: int
    cpu_us_per_request: float


@dataclass(frozen=True)
class Target:
    url: str
    pid: int
    """The process whose tree serves ``url`` (its CPU time is the configuration's cost)."""


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


def guide_config(port: int, esp_port: int) -> str:
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


def run_wrk(url: str, seconds: int, connections: int, threads: int, pid: int) -> Result:
    cpu_before = _tree_cpu_seconds(pid)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Host: {DOMAIN}", url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout
    cpu = _tree_cpu_seconds(pid) - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Result(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        median_ms=_percentile_ms(output, "50"),
        p99_ms=_percentile_ms(output, "99"),
        errors=errors,
        cpu_us_per_request=1e6 * cpu / max(requests, 1),
    )


def _percentile_ms(wrk_output: str, percent: str) -> float:
    value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", wrk_output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _tree_cpu_seconds(pid: int) -> float:
    """User+system CPU time of ``pid`` and its children (nginx's workers), in seconds."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    total = 0
    for process in (pid, *map(int, children)):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def start_configurations(servers: ExitStack, work: Path, esp_port: int, certs: dict[str, Path]) -> Iterator[tuple[str, Target]]:
    """Start the guide's configuration and ours in front of the ESP at ``esp_port``."""
    guide_port = free_port()
    guide = servers.enter_context(running_server("nginx", guide_config(guide_port, esp_port), work / "guide", [guide_port]))
    yield GUIDE, Target(f"http://127.0.0.1:{guide_port}{CLICK}", guide.pid)
    for server in OURS:
        http_port, https_port = free_port(), free_port()
        settings = proxy_settings(
            [DOMAIN], esp="sparkpost", cert=str(certs["front.crt"]), key=str(certs["front.key"]),
            http_port=http_port, https_port=https_port, listen_addresses=["127.0.0.1"],
            upstream_address=f"127.0.0.1:{esp_port}", upstream_ca_file=str(certs["ca.pem"]), caddy_admin="off",
        )
        process = servers.enter_context(running_server(server, render(server, settings), work / server, [http_port, https_port]))
        yield f"ours, {server}", Target(f"http://127.0.0.1:{http_port}{CLICK}", process.pid)


def measure(
    targets: dict[str, Target], repeat: int, run: Callable[[Target], Result], warm_up: Callable[[Target], Result]
) -> dict[str, Result]:
    """Every target ``repeat`` times, interleaved (a burst of load from elsewhere hits all of them
    alike), after one warm-up run each (connections to the ESP opened, as on a proxy in service);
    the median of each figure."""
    for target in targets.values():
        warm_up(target)
    rounds: dict[str, list[Result]] = {name: [] for name in targets}
    for _ in range(repeat):
        for name, target in targets.items():
            rounds[name].append(run(target))
    return {name: _median(results) for name, results in rounds.items()}


def _median(results: list[Result]) -> Result:
    return Result(*(statistics.median(getattr(r, field) for r in results) for field in Result.__dataclass_fields__))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per run; medians are printed (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="clients in the loopback run (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads in the loopback run (default 2)")
    parser.add_argument("--rtt-ms", type=float, default=20.0, help="proxy->ESP round trip in run 2 (default 20)")
    parser.add_argument("--latency-connections", type=int, default=4, help="clients in run 2 (default 4)")
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", "nginx", "caddy", "pgrep") if not shutil.which(tool)]
    if missing:
        print(f"missing: {', '.join(missing)} (apt-get install wrk nginx caddy procps)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="proxy-bench-") as tmp, ExitStack() as servers:
        work = Path(tmp)
        certs = _write_certificates(work)
        esp_port = free_port()
        esp = servers.enter_context(
            running_server("nginx", standin_config(esp_port, certs["esp.crt"], certs["esp.key"]), work / "standin", [esp_port])
        )

        loopback = {DIRECT: Target(f"https://127.0.0.1:{esp_port}{CLICK}", esp.pid)}
        loopback.update(start_configurations(servers, work / "loopback", esp_port, certs))
        wrk = lambda target: run_wrk(target.url, args.seconds, args.connections, args.threads, target.pid)  # noqa: E731
        warm = lambda target: run_wrk(target.url, 1, args.connections, args.threads, target.pid)  # noqa: E731
        throughput = measure(loopback, args.repeat, wrk, warm)

        relay = servers.enter_context(DelayRelay(esp_port, args.rtt_ms / 1000))
        delayed = {DIRECT: Target(f"https://127.0.0.1:{relay.port}{CLICK}", esp.pid)}
        delayed.update(start_configurations(servers, work / "delayed", relay.port, certs))
        slow_wrk = lambda target: run_wrk(target.url, args.seconds, args.latency_connections, 1, target.pid)  # noqa: E731
        slow_warm = lambda target: run_wrk(target.url, 1, args.latency_connections, 1, target.pid)  # noqa: E731
        latency = measure(delayed, args.repeat, slow_wrk, slow_warm)

    print(f"GET {CLICK[:24]}... (the ESP's 302); medians of {args.repeat} rounds of {args.seconds} s each")
    print(f"\nRun 1: loopback, wrk -t{args.threads} -c{args.connections}")
    print(f"{'configuration':<28}{'requests/s':>11}{'median ms':>11}{'CPU us/req':>12}{'errors':>8}")
    for name, result in throughput.items():
        print(f"{name:<28}{result.requests_per_second:>11.0f}{result.median_ms:>11.2f}"
              f"{result.cpu_us_per_request:>12.0f}{result.errors:>8}")
    guide = throughput[GUIDE]
    for server in OURS:
        ours = throughput[f"ours, {server}"]
        print(f"ours, {server}: {ours.requests_per_second / guide.requests_per_second:.1f}x the guide's throughput, "
              f"{ours.requests_per_second / throughput[DIRECT].requests_per_second:.2f}x direct; "
              f"{ours.cpu_us_per_request:.0f} us CPU per request against the guide's {guide.cpu_us_per_request:.0f}")

    print(f"\nRun 2: proxy -> ESP round trip {args.rtt_ms:g} ms, wrk -t1 -c{args.latency_connections}")
    print(f"{'configuration':<28}{'median ms':>11}{'p99 ms':>9}{'errors':>8}")
    for name, result in latency.items():
        print(f"{name:<28}{result.median_ms:>11.1f}{result.p99_ms:>9.1f}{result.errors:>8}")
    guide, direct = latency[GUIDE], latency[DIRECT]
    print(f"physical limit: one round trip ({args.rtt_ms:g} ms) plus the proxy's own time; "
          f"direct (a client one round trip from the ESP): {direct.median_ms:.1f} ms")
    for server in OURS:
        ours = latency[f"ours, {server}"]
        print(f"ours, {server}: median {ours.median_ms:.1f} ms = the round trip + {ours.median_ms - args.rtt_ms:.1f} ms, "
              f"{ours.median_ms / direct.median_ms:.2f}x direct; the guide's is {guide.median_ms / ours.median_ms:.1f}x ours "
              f"({guide.median_ms / args.rtt_ms:.1f} round trips)")
    failed = any(result.errors for results in (throughput, latency) for result in results.values())
    return 1 if failed else 0


def _write_certificates(work: Path) -> dict[str, Path]:
    ca = trustme.CA()
    files = {"ca.pem": work / "ca.pem"}
    ca.cert_pem.write_to_path(files["ca.pem"])
    for stem, host in (("esp", ESP_HOST), ("front", DOMAIN)):
        issued = ca.issue_cert(host)
        files[f"{stem}.crt"], files[f"{stem}.key"] = work / f"{stem}.crt", work / f"{stem}.key"
        files[f"{stem}.crt"].write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
        files[f"{stem}.key"].write_bytes(issued.private_key_pem.bytes())
    return files


if __name__ == "__main__":
    sys.exit(main())
