"""Run a real nginx, Apache httpd or Caddy, unprivileged paths in a temp dir, with a given site config.

``running_server(server, site_config, workdir, ports)`` is a context manager: it writes the minimal
main configuration each distribution would provide around a site file (nginx.conf's ``http {}``,
apache2.conf's modules and log format; Caddy needs none), starts the server in the foreground,
waits until every port in ``ports`` accepts connections on 127.0.0.1, and always stops it.
Used by tests/test_proxy_*.py and benchmarks/proxy_throughput.py.

``ProxyLauncher`` renders ``tracking_cdn.proxy``'s configuration for a server with the documented
test options (loopback ports, the stand-in ESP as ``upstream_address``, throwaway certificates) and
gives the running server with a ``Proxy`` client that talks to it as a mail client would.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ContextManager, Iterator, Optional, Sequence

import pytest
import trustme

from tracking_cdn.check.network import field_values
from tracking_cdn.proxy import proxy_settings, render

DOMAIN = "track.example.com"
SIBLING = "click2.example.com"

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


def require(server: str) -> None:
    """Skip outside CI when ``server`` is not installed; fail in CI (which installs all three)."""
    missing = missing_executable(server)
    if missing and not os.environ.get("CI"):
        pytest.skip(f"{missing} is not installed (CI installs it; these tests fail there without it)")
    assert not missing, f"{missing} is not installed; .ci/run must install the Debian package"


@dataclass
class Proxy:
    server: str
    http_port: int
    https_port: int
    ca_pem: str
    """The CA of the proxy's certificate, which a mail client would trust."""
    redirects_http: bool = False
    """Whether the configuration redirects plain HTTP to HTTPS (``redirect_http_to_https``)."""

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem)

    def get(
        self, path: str, *, tls: bool, host: str = DOMAIN, headers: Optional[dict] = None, timeout: float = 15,
        server_name: Optional[str] = None, method: str = "GET", body: Optional[bytes] = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """A request through the proxy as a mail client would send it: SNI and Host are the tracking
        domain (or ``server_name`` / ``host``; ``path`` may be an absolute URI). Header values are read
        as RFC 9110 says (repeated lines combined), so a duplicated header shows."""
        port = self.https_port if tls else self.http_port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.connect()
            if tls:
                context = self.client_context()
                context.check_hostname = server_name is None
                connection.sock = context.wrap_socket(connection.sock, server_hostname=server_name or host)
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in {"Host": host, **(headers or {})}.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, field_values(response.getheaders()), response.read()
        finally:
            connection.close()

    def handshake(self, context: ssl.SSLContext) -> ssl.SSLSocket:
        sock = socket.create_connection(("127.0.0.1", self.https_port), timeout=10)
        try:
            return context.wrap_socket(sock, server_hostname=DOMAIN)
        except BaseException:
            sock.close()
            raise


class ProxyLauncher:
    """Starts ``server`` with the rendered configuration for the tracking domains (``DOMAIN`` and
    ``SIBLING``), in front of an ESP stand-in, with ``proxy_settings`` overrides."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, front_ca: trustme.CA) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.front_ca = front_ca
        directory = tmp_path_factory.mktemp("front-cert")
        issued = front_ca.issue_cert(DOMAIN, SIBLING)
        self.cert, self.key = directory / "fullchain.pem", directory / "privkey.pem"
        self.cert.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
        self.key.write_bytes(issued.private_key_pem.bytes())

    def __call__(
        self, server: str, esp_standin: Any, esp_profile: str = "sparkpost", **overrides: Any
    ) -> tuple[ContextManager[subprocess.Popen], Proxy]:
        require(server)
        http_port, https_port = free_port(), free_port()
        options: dict[str, Any] = dict(
            cert=str(self.cert),
            key=str(self.key),
            http_port=http_port,
            https_port=https_port,
            listen_addresses=["127.0.0.1"],
            upstream_address=f"127.0.0.1:{esp_standin.port}",
            caddy_admin="off",
        )
        if esp_standin.tls:
            options["upstream_ca_file"] = esp_standin.ca_file
        workdir = self.tmp_path_factory.mktemp(server)
        if server == "nginx":  # the directives this nginx has (e.g. ssl_reject_handshake from 1.19.4)
            options["nginx_version"] = installed_nginx_version()
        options.update(overrides, apache_log_dir=str(workdir))
        config = render(server, proxy_settings([DOMAIN, SIBLING], esp=esp_profile, **options))
        return running_server(server, config, workdir, [http_port, https_port]), Proxy(
            server, http_port, https_port, self.front_ca.cert_pem.bytes().decode(),
            redirects_http=options.get("redirect_http_to_https", False),
        )


def last_request(esp: Any, before: int) -> Any:
    """The request the ESP stand-in received after the first ``before`` ones (waiting for it)."""
    recorded = esp.wait_for_requests(before + 1)
    assert len(recorded) == before + 1, "the ESP stand-in received nothing"
    return recorded[-1]


@contextlib.contextmanager
def readable_directory() -> Iterator[Path]:
    """A new directory that the servers' workers can read, as /etc/tracking-cdn is (Apache's workers
    run as an unprivileged user; pytest's own temporary directories are private)."""
    with tempfile.TemporaryDirectory(prefix="tracking-cdn-test-") as directory:
        os.chmod(directory, 0o755)
        yield Path(directory)
