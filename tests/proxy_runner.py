"""Run a real nginx, Apache httpd or Caddy, unprivileged paths in a temp dir, with a given site config.

``running_server(server, site_config, workdir, ports)`` is a context manager: it writes the minimal
main configuration each distribution would provide around a site file (nginx.conf's ``http {}``,
apache2.conf's modules and log format; Caddy needs none), starts the server in the foreground,
waits until every port in ``ports`` accepts connections on 127.0.0.1, and always stops it.
Used by tests/test_proxy_servers.py and benchmarks/proxy_throughput.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator, Sequence

EXECUTABLES = {"nginx": "nginx", "apache": "apache2", "caddy": "caddy"}
APACHE_MODULES_DIR = Path("/usr/lib/apache2/modules")
APACHE_MODULES = {
    "mpm_event_module": "mod_mpm_event.so",
    "authz_core_module": "mod_authz_core.so",
    "alias_module": "mod_alias.so",
    "ssl_module": "mod_ssl.so",
    "socache_shmcb_module": "mod_socache_shmcb.so",
    "proxy_module": "mod_proxy.so",
    "proxy_http_module": "mod_proxy_http.so",
    "headers_module": "mod_headers.so",
    "http2_module": "mod_http2.so",
}


class ServerFailed(RuntimeError):
    """The server exited or never listened; the message carries its error log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def installed_nginx_version() -> str:
    """The installed nginx's version, as ``nginx -v`` prints it (e.g. ``1.22.1``)."""
    output = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=True).stderr
    return re.search(r"nginx/([0-9.]+)", output).group(1)


def missing_executable(server: str) -> str | None:
    """The executable's name when it is not installed, else None."""
    name = EXECUTABLES[server]
    return None if shutil.which(name) else name


@contextlib.contextmanager
def running_server(server: str, site_config: str, workdir: Path, ports: Sequence[int]) -> Iterator[subprocess.Popen]:
    workdir.mkdir(parents=True, exist_ok=True)
    command, env = _PREPARE[server](site_config, workdir)
    log = (workdir / "stderr.log").open("wb")
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(process, ports, workdir)
        yield process
    finally:
        _stop(process)
        log.close()


def _prepare_nginx(site_config: str, workdir: Path) -> tuple[list[str], dict[str, str]]:
    (workdir / "site.conf").write_text(site_config)
    temp_paths = "\n".join(f"    {kind}_temp_path {workdir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (workdir / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log {workdir}/access.log;
{temp_paths}
    include {workdir}/site.conf;
}}
"""
    )
    return ["nginx", "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"], dict(os.environ)


def _prepare_apache(site_config: str, workdir: Path) -> tuple[list[str], dict[str, str]]:
    (workdir / "site.conf").write_text(site_config)
    modules = "\n".join(f"LoadModule {name} {APACHE_MODULES_DIR / so}" for name, so in APACHE_MODULES.items())
    # Apache refuses to serve as root; its workers switch to an unprivileged user (files are read
    # by the root parent at start-up).
    user = "User daemon\nGroup daemon\n" if os.geteuid() == 0 else ""
    (workdir / "httpd.conf").write_text(
        f"""ServerRoot {workdir}
DefaultRuntimeDir {workdir}
PidFile {workdir}/httpd.pid
Mutex file:{workdir} default
ErrorLog {workdir}/error.log
LogLevel warn
ServerName localhost
{user}{modules}
SSLSessionCache shmcb:{workdir}/ssl_scache(512000)
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
Include {workdir}/site.conf
"""
    )
    # No APACHE_LOG_DIR (Debian's envvars): the site configuration must name its log directory itself.
    env = {name: value for name, value in os.environ.items() if name != "APACHE_LOG_DIR"}
    return ["apache2", "-f", str(workdir / "httpd.conf"), "-DFOREGROUND"], env


def _prepare_caddy(site_config: str, workdir: Path) -> tuple[list[str], dict[str, str]]:
    (workdir / "Caddyfile").write_text(site_config)
    env = dict(
        os.environ,
        HOME=str(workdir),
        XDG_DATA_HOME=str(workdir / "data"),
        XDG_CONFIG_HOME=str(workdir / "config"),
    )
    return ["caddy", "run", "--config", str(workdir / "Caddyfile"), "--adapter", "caddyfile"], env


_PREPARE = {"nginx": _prepare_nginx, "apache": _prepare_apache, "caddy": _prepare_caddy}


def _wait_listening(process: subprocess.Popen, ports: Sequence[int], workdir: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(ports)
    while waiting:
        if process.poll() is not None:
            raise ServerFailed(f"{process.args[0]} exited with {process.returncode}:\n{_logs(workdir)}")
        if time.monotonic() > deadline:
            raise ServerFailed(f"{process.args[0]} did not listen on {waiting} within {timeout}s:\n{_logs(workdir)}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", waiting[0])) == 0:
                waiting.pop(0)
                continue
        time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _logs(workdir: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
        for path in sorted(workdir.glob("*.log"))
    )
