"""Where Caddy's CPU per proxied request goes: our Caddyfile against variants without parts of it.

Same set-up as proxy_throughput.py's loopback run (nginx stand-in ESP over TLS, wrk -t2 -c32 on
the proxy's HTTP port), for these Caddy configurations, interleaved over ``--repeat`` rounds:
  ours           - ``tracking-cdn proxy caddy`` output;
  no access log  - ours without the sites' ``log``;
  no header ops  - ours without the ``header_up -...`` deletions;
  minimal        - a bare ``reverse_proxy`` with only the ESP's TLS name and CA;
and nginx (ours) for scale. Prints the median CPU time per request of the proxy's processes and the
number of TLS connections the ESP accepted per run (its access log records each request's
connection serial), which shows whether upstream connections are reused.

Usage: python benchmarks/caddy_cost.py [--seconds 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from proxy_throughput import CLICK, DOMAIN, _write_certificates, run_wrk, standin_config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from proxy_runner import free_port, running_server  # noqa: E402

from tracking_cdn.proxy import proxy_settings, render  # noqa: E402


def variants(settings_for: dict, esp_port: int, http_port: int, ca: Path) -> dict[str, tuple[str, str]]:
    ours = render("caddy", proxy_settings([DOMAIN], **settings_for))
    minimal = (
        f"{{\n\tadmin off\n}}\nhttp://:{http_port} {{\n\tbind 127.0.0.1\n\treverse_proxy https://127.0.0.1:{esp_port} {{\n"
        f"\t\ttransport http {{\n\t\t\ttls_server_name spgo.io\n\t\t\ttls_trusted_ca_certs {ca}\n\t\t}}\n\t}}\n}}\n"
    )
    return {
        "caddy, ours": ("caddy", ours),
        "caddy, no access log": ("caddy", ours.replace("\tlog\n", "")),
        "caddy, no header ops": ("caddy", re.sub(r"\t\theader_up -.*\n", "", ours)),
        "caddy, minimal": ("caddy", minimal),
        "nginx, ours": ("nginx", render("nginx", proxy_settings([DOMAIN], **settings_for))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="caddy-cost-") as tmp, ExitStack() as servers:
        work = Path(tmp)
        certs = _write_certificates(work)
        esp_port, http_port, https_port = free_port(), free_port(), free_port()
        access_log = work / "esp-connections.log"
        esp = "log_format serial '$connection';\n" + standin_config(esp_port, certs["esp.crt"], certs["esp.key"]).replace(
            "access_log off;", f"access_log {access_log} serial;"
        )
        servers.enter_context(running_server("nginx", esp, work / "standin", [esp_port]))
        settings_for = dict(
            cert=str(certs["front.crt"]), key=str(certs["front.key"]), http_port=http_port, https_port=https_port,
            listen_addresses=["127.0.0.1"], upstream_address=f"127.0.0.1:{esp_port}",
            upstream_ca_file=str(certs["ca.pem"]), caddy_admin="off",
        )
        configurations = variants(settings_for, esp_port, http_port, certs["ca.pem"])
        cpu: dict[str, list[float]] = {name: [] for name in configurations}
        connections: dict[str, list[int]] = {name: [] for name in configurations}
        for round_number in range(args.repeat):
            for name, (server, config) in configurations.items():
                with running_server(server, config, work / f"{round_number}-{len(cpu[name])}-{server}", [http_port]) as proxy:
                    url = f"http://127.0.0.1:{http_port}{CLICK}"
                    run_wrk(url, 1, 32, 2, proxy.pid)  # warm-up
                    access_log.write_text("")
                    result = run_wrk(url, args.seconds, 32, 2, proxy.pid)
                    cpu[name].append(result.cpu_us_per_request)
                    connections[name].append(len(set(access_log.read_text().split())))
    print(f"wrk -t2 -c32 -d{args.seconds}s on the proxy's HTTP port, medians of {args.repeat} rounds")
    print(f"{'configuration':<24}{'CPU us/request':>16}{'ESP connections':>17}")
    for name in configurations:
        print(f"{name:<24}{statistics.median(cpu[name]):>16.0f}{statistics.median(connections[name]):>17.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
