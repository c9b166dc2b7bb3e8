"""The proxy renderers as pure functions: secure defaults, ESP profiles, and bad input refused.

What the configurations *do* is proved by tests/test_proxy_servers.py against the real servers; these
tests pin what that suite cannot see: the production defaults (certbot paths, the system CA store,
the real ESP host, every address) that the server tests replace with loopback test options.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from tracking_cdn.cli import main
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.proxy import RENDERERS, SYSTEM_CA_FILE, proxy_settings, render
from tracking_cdn.proxy.settings import CLIENT_ADDRESS_HEADERS, header_spellings

DOMAINS = ["Track.Example.com.", "click2.example.com"]


def rendered(server: str, **options) -> str:
    return render(server, proxy_settings(DOMAINS, **options))


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_certificates_default_to_certbot_paths_of_the_first_domain(server):
    config = rendered(server)
    assert "/etc/letsencrypt/live/track.example.com/fullchain.pem" in config
    assert "/etc/letsencrypt/live/track.example.com/privkey.pem" in config


def test_caddy_manages_certificates_itself_unless_given_files():
    automatic = rendered("caddy")
    assert "\ttls {" in automatic and "/etc/letsencrypt" not in automatic
    given = rendered("caddy", cert="/etc/ssl/track.pem", key="/etc/ssl/private/track.key")
    assert "\ttls /etc/ssl/track.pem /etc/ssl/private/track.key {" in given


def test_production_output_verifies_the_real_esp_against_the_system_store():
    nginx, apache, caddy = (rendered(server) for server in ("nginx", "apache", "caddy"))
    assert "server spgo.io:443;" in nginx
    assert "proxy_ssl_verify on;" in nginx and f"proxy_ssl_trusted_certificate {SYSTEM_CA_FILE};" in nginx
    assert 'ProxyPass "/" "https://spgo.io/"' in apache and "SSLProxyVerify require" in apache
    assert f"SSLProxyCACertificateFile {SYSTEM_CA_FILE}" in apache and "SSLProxyCheckPeerName on" in apache
    assert "reverse_proxy https://spgo.io {" in caddy
    assert "tls_trusted_ca_certs" not in caddy  # Caddy then uses the system store
    for config in (nginx, apache, caddy):
        assert "TESTS ONLY" not in config and "ProxyRemote" not in config
        assert "insecure" not in config.lower() and "proxy_ssl_verify off" not in config


def test_every_address_on_80_and_443_by_default():
    nginx = rendered("nginx")
    for listen in ("listen 80;", "listen [::]:80;", "listen 443 ssl http2;", "listen [::]:443 ssl http2;"):
        assert listen in nginx
    apache = rendered("apache")
    assert "<VirtualHost *:80>" in apache and "<VirtualHost *:443>" in apache
    assert "Listen" not in apache  # the distribution's ports.conf already listens on 80 and 443
    caddy = rendered("caddy")
    assert "http://track.example.com, http://click2.example.com {" in caddy
    assert "https://track.example.com, https://click2.example.com {" in caddy
    assert "bind" not in caddy and "http_port" not in caddy


@pytest.mark.parametrize("server", sorted(RENDERERS))
def test_http_is_proxied_unless_the_redirect_is_asked_for(server):
    assert "301" not in rendered(server)
    redirecting = rendered(server, redirect_http_to_https=True)
    assert "301" in redirecting or "Redirect permanent" in redirecting


def test_apache_listens_on_test_ports_it_is_given():
    config = rendered("apache", http_port=8080, https_port=8443, listen_addresses=["127.0.0.1"])
    assert "Listen 127.0.0.1:8080" in config and "Listen 127.0.0.1:8443" in config


@pytest.mark.parametrize(
    ("options", "host"),
    [
        ({"esp": "sparkpost-eu"}, "eu.spgo.io"),
        ({"esp": "sparkpost-enterprise", "tenant": "acme"}, "acme.et.e.sparkpost.com"),
        ({"esp": "custom", "origin_host": "Click.PMTA.example.net"}, "click.pmta.example.net"),
    ],
)
@pytest.mark.parametrize("server", sorted(RENDERERS))
def test_the_esp_profile_decides_host_sni_and_upstream(server, options, host):
    config = rendered(server, **options)
    assert "https://spgo.io" not in config and " spgo.io" not in config  # the default ESP is gone
    expected = {
        "nginx": [f"server {host}:443;", f"proxy_set_header Host {host};", f"proxy_ssl_name {host};"],
        "apache": [f'"https://{host}/"', "ProxyPreserveHost off"],
        "caddy": [f"reverse_proxy https://{host} {{", f"header_up Host {host}", f"tls_server_name {host}"],
    }[server]
    for line in expected:
        assert line in config


def test_sendgrid_gets_the_tracking_domain_as_host_and_apache_refuses_it():
    nginx = rendered("nginx", esp="sendgrid")
    assert "proxy_set_header Host $host;" in nginx and "proxy_ssl_name sendgrid.net;" in nginx
    caddy = rendered("caddy", esp="sendgrid")
    assert "header_up Host {host}" in caddy and "tls_server_name sendgrid.net" in caddy
    with pytest.raises(InvalidArgument) as error:
        rendered("apache", esp="sendgrid")
    assert error.value.argument == "esp"


@pytest.mark.parametrize(
    ("domains", "options", "argument"),
    [
        ([], {}, "domains"),
        (["example.com"], {}, "domains[0]"),
        (["track.example.com", "track;evil.example.com"], {}, "domains[1]"),
        (["track.example.com"], {"esp": "mailgun"}, "esp"),
        (["track.example.com"], {"esp": "sparkpost-enterprise"}, "tenant"),
        (["track.example.com"], {"cert": "/etc/ssl/a.pem"}, "key"),
        (["track.example.com"], {"key": "/etc/ssl/a.key"}, "cert"),
        (["track.example.com"], {"cert": "a.pem", "key": "/k"}, "cert"),
        (["track.example.com"], {"cert": "/a.pem; include /etc/passwd", "key": "/k"}, "cert"),
        (["track.example.com"], {"upstream_ca_file": "/ca}.pem"}, "upstream_ca_file"),
        (["track.example.com"], {"http_port": 0}, "http_port"),
        (["track.example.com"], {"https_port": 80}, "https_port"),
        (["track.example.com"], {"read_timeout": 0}, "read_timeout"),
        (["track.example.com"], {"connect_timeout": True}, "connect_timeout"),
        (["track.example.com"], {"listen_addresses": ["localhost"]}, "listen_addresses"),
        (["track.example.com"], {"upstream_address": "spgo.io:443"}, "upstream_address"),
        (["track.example.com"], {"upstream_address": "127.0.0.1"}, "upstream_address"),
        (["track.example.com"], {"caddy_admin": "0.0.0.0"}, "caddy_admin"),
        # Issue 16: IPv6 zone ids carry free text into the configuration (an injected Caddy
        # `respond`, an Apache `Header` line); none of the servers needs one.
        (["track.example.com"], {"listen_addresses": ["fe80::1%eth0\n}\n:80 {\n\trespond 200"]}, "listen_addresses"),
        (["track.example.com"], {"listen_addresses": ['fe80::1%x>\nHeader set X "1"\n<X']}, "listen_addresses"),
        (["track.example.com"], {"upstream_address": "[fe80::1%x;{}]:443"}, "upstream_address"),
        (["track.example.com"], {"caddy_admin": '[::1%x"$]:2019'}, "caddy_admin"),
        # Values nginx -t / apache2 -t would refuse, or that used to raise something else.
        (["track.example.com"], {"listen_addresses": ["127.0.0.1", "127.0.0.1"]}, "listen_addresses"),
        (["track.example.com"], {"listen_addresses": ["::1", "0:0::1"]}, "listen_addresses"),
        (["track.example.com"], {"listen_addresses": ["0.0.0.0", "127.0.0.1"]}, "listen_addresses"),
        (["track.example.com"], {"listen_addresses": None}, "listen_addresses"),
        (["track.example.com"], {"listen_addresses": "127.0.0.1"}, "listen_addresses"),
        (["track.example.com"], {"esp": "sparkpost-enterprise", "tenant": 5}, "tenant"),
        (["track.example.com"], {"caddy_admin": 5}, "caddy_admin"),
        (["track.example.com"], {"redirect_http_to_https": "no"}, "redirect_http_to_https"),
        (["track.example.com"], {"cert": "/etc/ssl/a\x00.pem", "key": "/k"}, "cert"),
        (["track.example.com"], {"upstream_ca_file": "/ca\x00"}, "upstream_ca_file"),
        (["track.example.com"], {"apache_log_dir": "/var/log/apache2\x00"}, "apache_log_dir"),
        (["track.example.com"], {"apache_log_dir": "${APACHE_LOG_DIR}"}, "apache_log_dir"),
        (["track.example.com"], {"acme_webroot": "var/www/acme"}, "acme_webroot"),
        (["track.example.com"], {"acme_webroot": "/var/www/acme\x00"}, "acme_webroot"),
        (["track.example.com"], {"acme_webroot": "/var/www/my acme"}, "acme_webroot"),
        (["track.example.com"], {"acme_webroot": "/var/www/acme;\n}"}, "acme_webroot"),
        (["track.example.com"], {"acme_webroot": None}, "acme_webroot"),
        (["track.example.com"], {"caddy_admin": "localhost:\u0662\u0660\u0661\u0669"}, "caddy_admin"),
        (["track.example.com"], {"upstream_address": "127.0.0.1:\u00b2"}, "upstream_address"),
        (["track.example.com"], {"nginx_version": "latest"}, "nginx_version"),
        (["track.example.com"], {"nginx_version": "1.27.3"}, "nginx_resolvers"),
        (["track.example.com"], {"nginx_resolvers": ["127.0.0.53"]}, "nginx_resolvers"),
        (["track.example.com"], {"nginx_version": "1.28", "nginx_resolvers": ["dns.example"]}, "nginx_resolvers"),
        # The ASCII check runs before lower-casing: the Kelvin sign (U+212A) lower-cases to "k".
        (["trac\u212a.example.com"], {}, "domains[0]"),
        (["track.example.com"], {"esp": "sparkpost-enterprise", "tenant": "acm\u212a"}, "tenant"),
        (["track.example.com"], {"esp": "custom", "origin_host": "clic\u212a.example.net"}, "origin_host"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(domains, options, argument):
    with pytest.raises(InvalidArgument) as error:
        proxy_settings(domains, **options)
    assert error.value.argument == argument
    assert str(error.value).startswith(f"{argument}: ")


@pytest.mark.parametrize("server", sorted(RENDERERS))
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("domains", ("track.example.com\n}\nserver {",)),
        ("cert", "/etc/ssl/track.pem; include /etc/passwd"),
        ("listen_addresses", ("fe80::1%eth0\n",)),
        ("caddy_admin", "localhost:2019\n}"),
        ("apache_log_dir", "/var/log/#"),
        ("upstream_ca_file", "/ca'.pem"),
        ("acme_webroot", "/var/www/acme\n}"),
        ("acme_webroot", '/var/www/"acme"'),
    ],
)
def test_the_renderers_refuse_values_they_would_have_to_quote(server, field, value):
    """A render-time guard behind proxy_settings' checks: settings built some other way cannot put
    whitespace, control characters or ;{}"'#$ into a configuration."""
    options = {"cert": "/etc/ssl/track.pem", "key": "/etc/ssl/track.key"} if field == "cert" else {}
    settings = dataclasses.replace(proxy_settings(["track.example.com"], **options), **{field: value})
    with pytest.raises(InvalidArgument) as error:
        render(server, settings)
    assert error.value.argument == field


@pytest.mark.parametrize("server", sorted(RENDERERS))
def test_other_names_are_caught_before_the_tracking_domains(server):
    config = rendered(server)
    assert config.count("421") >= 2  # plain HTTP and HTTPS
    tracking_site = {"nginx": "server_name track.example.com", "apache": "ServerName track.example.com"}.get(server)
    if tracking_site:  # nginx and Apache: the first server of an address is its default
        assert config.index("421") < config.index(tracking_site)
    assert "default_server" not in config  # Debian's default site already claims it on port 80


def test_nginx_refuses_unknown_names_in_the_handshake_from_1_19_4_on():
    assert "ssl_reject_handshake" not in rendered("nginx")  # 1.18 (Ubuntu 22.04) does not know it
    assert "    ssl_reject_handshake on;" in rendered("nginx", nginx_version="1.22")


def test_nginx_switches_http2_on_as_its_version_expects():
    assert "    listen 443 ssl http2;" in rendered("nginx", nginx_version="1.24")
    newer = rendered("nginx", nginx_version="1.26.3")  # `listen ... http2` is deprecated from 1.25.1
    assert "    listen 443 ssl;" in newer and "    http2 on;" in newer and "ssl http2" not in newer


def test_nginx_follows_the_esps_dns_only_where_it_can_keep_connections_alive_doing_so():
    old = rendered("nginx")
    assert "    server spgo.io:443;" in old and "resolve" not in old.replace("re-resolv", "")
    new = rendered("nginx", nginx_version="1.27.3", nginx_resolvers=["127.0.0.53", "::1"])
    upstream = new[new.index("upstream tracking_cdn_esp {"):new.index("}", new.index("upstream tracking_cdn_esp {"))]
    for line in ("    zone tracking_cdn_esp 64k;", "    resolver 127.0.0.53 [::1];", "    server spgo.io:443 resolve;",
                 "    keepalive 32;"):
        assert line in upstream


@pytest.mark.parametrize("server", sorted(RENDERERS))
def test_client_claims_about_its_address_are_dropped_in_every_spelling(server):
    config = rendered(server)
    if server == "nginx":  # nginx drops names with "_" itself (ignore_invalid_headers)
        for name in CLIENT_ADDRESS_HEADERS:
            expected = "X-Forwarded-For $remote_addr" if name == "X-Forwarded-For" else f'{name} ""'
            assert f"proxy_set_header {expected};" in config
        return
    for name in CLIENT_ADDRESS_HEADERS:
        for spelling in header_spellings(name):
            if server == "caddy" and spelling in ("X-Forwarded-For", "X-Forwarded-Host"):
                continue  # Caddy sets these itself from the connection
            line = f"RequestHeader unset {spelling} early" if server == "apache" else f"header_up -{spelling}"
            assert line in config


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_plain_http_answers_acme_challenges_from_the_default_webroot(server):
    """On by default (the ESP never needs the tracking domain's ACME challenges; without them a
    webroot renewal fails), on port 80 only, with the certbot command in the header."""
    config = rendered(server)
    http_server, https_server = config.split({"nginx": "listen 443 ssl", "apache": "<VirtualHost *:443>"}[server])[-2:]
    answered = {
        "nginx": "    location ^~ /.well-known/acme-challenge/ {\n        root /var/www/tracking-cdn-acme;",
        "apache": 'Alias "/.well-known/acme-challenge/" "/var/www/tracking-cdn-acme/.well-known/acme-challenge/"',
    }[server]
    assert answered in http_server and "acme-challenge" not in https_server
    assert "certbot certonly --webroot -w /var/www/tracking-cdn-acme -d track.example.com -d click2.example.com" in config
    assert "/srv/acme/.well-known/acme-challenge" in rendered(server, acme_webroot="/srv/acme/")


def test_caddy_answers_its_own_challenges_unless_given_certificate_files():
    assert "acme-challenge" not in rendered("caddy")
    given = rendered("caddy", cert="/etc/ssl/track.pem", key="/etc/ssl/private/track.key", acme_webroot="/srv/acme")
    http_site, https_site = given.split("https://track.example.com, https://click2.example.com {")
    assert "\thandle /.well-known/acme-challenge/* {\n\t\troot * /srv/acme\n\t\tfile_server\n\t}" in http_site
    assert "acme-challenge" not in https_site  # plain HTTP only


def test_command_takes_the_acme_webroot(capsys):
    assert main(["proxy", "apache", "--domain", "track.example.com", "--acme-webroot", "/srv/acme"]) == 0
    assert capsys.readouterr().out == render("apache", proxy_settings(["track.example.com"], acme_webroot="/srv/acme"))


def test_apache_names_its_log_directory_literally():
    assert "${" not in rendered("apache")  # ${APACHE_LOG_DIR} exists only in Debian's envvars
    assert 'CustomLog "/var/log/apache2/tracking-cdn-access.log" combined' in rendered("apache")
    assert 'CustomLog "/var/log/httpd/tracking-cdn-access.log"' in rendered("apache", apache_log_dir="/var/log/httpd/")


def test_unknown_server_is_refused():
    with pytest.raises(InvalidArgument, match="^server: .*nginx, apache, caddy"):
        render("lighttpd", proxy_settings(DOMAINS))


# --- the command ------------------------------------------------------------------------------------


def test_command_prints_the_renderers_output(capsys):
    assert main(["proxy", "nginx", "--domain", "track.example.com", "--esp", "sparkpost"]) == 0
    assert capsys.readouterr().out == render("nginx", proxy_settings(["track.example.com"]))


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["--domain", "track.example.com", "--domain", "nope"], "--domain #2: "),
        (["--domain", "track.example.com", "--esp", "mailgun"], "--esp: "),
        (["--domain", "track.example.com", "--cert", "/c.pem"], "--key: "),
        (["--domain", "track.example.com", "--https-port", "https"], "--https-port: "),
        (["--domain", "track.example.com", "--upstream-address", "x"], "--upstream-address: "),
        (["--domain", "track.example.com", "--http-port", "\u00b2"], "--http-port: expected a whole number in ASCII"),
        (["--domain", "track.example.com", "--https-port", "\u0662\u0660\u0661\u0669"], "--https-port: "),
        (["--domain", "track.example.com", "--caddy-admin", "localhost:\u0662\u0660\u0661\u0669"], "--caddy-admin: "),
        (["--domain", "track.example.com", "--connect-timeout", "0"], "--connect-timeout: expected whole seconds between 1 and 300"),
        (["--domain", "track.example.com", "--esp", "custom"], "--origin-host: the 'custom' ESP profile needs --origin-host"),
        (["--domain", "track.example.com", "--listen-address", "fe80::1%eth0\n}"], "--listen-address: "),
        (["--domain", "track.example.com", "--listen-address", "::1", "--listen-address", "::1"], "--listen-address: "),
        (["--domain", "track.example.com", "--nginx-version", "1.28"], "--nginx-resolver: "),
        (["--domain", "track.example.com", "--apache-log-dir", "logs"], "--apache-log-dir: "),
        (["--domain", "track.example.com", "--acme-webroot", "acme"], "--acme-webroot: expected an absolute file path"),
        (["--domain", "track.example.com", "--acme-webroot", "/var/www/a\tb"], "--acme-webroot: "),
    ],
)
def test_command_reports_bad_input_in_one_line_and_exits_2(capsys, arguments, option):
    assert main(["proxy", "caddy", *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"tracking-cdn proxy: error: {option}")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_command_imports_no_pulumi():
    code = (
        "import sys; from tracking_cdn.cli import main; "
        "main(['proxy', 'apache', '--domain', 'track.example.com']); "
        "assert not [m for m in sys.modules if m.startswith('pulumi')], 'pulumi imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ProxyPass" in result.stdout


# --- Caddy's admin API stays on loopback (issue 28) ----------------------------------------------------


@pytest.mark.parametrize("address", ["0.0.0.0:2019", "[::]:2019", "192.0.2.10:2019"])
def test_a_caddy_admin_address_beyond_loopback_is_refused_unless_allowed(address, capsys):
    """Caddy's admin API has no authentication: on 0.0.0.0, whoever reaches the host can POST /load a
    whole new configuration."""
    code = main(["proxy", "caddy", "--domain", "track.example.com", "--caddy-admin", address])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(f"tracking-cdn proxy: error: --caddy-admin: {address!r} is not a loopback address")
    assert "--allow-remote-caddy-admin" in err and err.count("\n") == 1

    code = main(["proxy", "caddy", "--domain", "track.example.com", "--caddy-admin", address,
                 "--allow-remote-caddy-admin"])
    out, err = capsys.readouterr()
    assert code == 0 and f"\tadmin {address}\n" in out
    assert "\t# WARNING: Caddy's admin API listens on" in out
    assert err.startswith("tracking-cdn proxy: warning: --caddy-admin: Caddy's admin API listens on") and "firewall" in err


@pytest.mark.parametrize("address", ["localhost:2019", "127.0.0.1:2019", "127.0.0.2:2020", "[::1]:2019", "off"])
def test_loopback_caddy_admin_addresses_are_accepted_without_a_warning(address, capsys):
    assert main(["proxy", "caddy", "--domain", "track.example.com", "--caddy-admin", address]) == 0
    out, err = capsys.readouterr()
    assert (f"\tadmin {address}\n" in out, err, "WARNING" in out) == (True, "", False)
