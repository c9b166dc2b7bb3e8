"""ESP profiles: where each email service provider's tracking endpoint lives and what it needs.

Pure data and pure functions; no Pulumi import. Sources: DESIGN.md section 3 and the seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .domains import validate_hostname
from .errors import InvalidArgument


@dataclass(frozen=True)
class EspProfile:
    """What a front door needs to know about one ESP's tracking endpoint."""

    name: str
    description: str
    origin_host: Optional[str]
    """The endpoint host; None when it comes from ``tenant`` or ``origin_host``."""
    needs_tracking_host_header: bool
    """True when the ESP routes on the tracking domain, so the front door must pass it as ``Host``
    (SendGrid). Otherwise the front door sends the origin's own host name."""
    needs_cookies: bool
    """True when the ESP's guides ask for all cookies to be forwarded (SendGrid, per Braze)."""
    health_path: str
    """A path that the ESP answers without a valid tracking token; used by health checks."""
    health_statuses: tuple[int, ...]
    """Status codes that prove the ESP itself answered ``health_path``."""
    server_header: Optional[str]
    """The ``Server`` header the ESP sends, when it has a recognisable one."""
    requires: Optional[str] = None
    """The argument this profile needs besides ``esp`` (``tenant`` or ``origin_host``)."""


def _sparkpost(name: str, description: str, host: Optional[str], requires: Optional[str] = None) -> EspProfile:
    # SparkPost answers /f/ (the click path) with a 302 from its own server (seeds 000, 002).
    return EspProfile(
        name=name,
        description=description,
        origin_host=host,
        needs_tracking_host_header=False,
        needs_cookies=False,
        health_path="/f/a/",
        health_statuses=(302,),
        server_header="msys-http",
        requires=requires,
    )


PROFILES: dict[str, EspProfile] = {
    p.name: p
    for p in (
        _sparkpost("sparkpost", "SparkPost US", "spgo.io"),
        _sparkpost("sparkpost-eu", "SparkPost EU", "eu.spgo.io"),
        _sparkpost("sparkpost-v2", "SparkPost US, V2 tracking endpoint", "v2.spgo.io"),
        _sparkpost("sparkpost-eu-v2", "SparkPost EU, V2 tracking endpoint", "eu.v2.spgo.io"),
        _sparkpost(
            "sparkpost-enterprise",
            "SparkPost Enterprise: <tenant>.et.e.sparkpost.com",
            None,
            requires="tenant",
        ),
        EspProfile(
            name="sendgrid",
            description="SendGrid (also behind Braze)",
            origin_host="sendgrid.net",
            needs_tracking_host_header=True,
            needs_cookies=True,
            health_path="/wf/open",
            health_statuses=(200, 302, 400, 404),
            server_header=None,
        ),
        EspProfile(
            name="custom",
            description="Any other endpoint (PowerMTA+Signals, ...): give origin_host",
            origin_host=None,
            needs_tracking_host_header=False,
            needs_cookies=False,
            health_path="/",
            health_statuses=(200, 301, 302, 404),
            server_header=None,
            requires="origin_host",
        ),
    )
}

DEFAULT_ESP = "sparkpost"


@dataclass(frozen=True)
class Origin:
    """A resolved origin: the profile and the host every request is forwarded to."""

    profile: EspProfile
    host: str

    @property
    def sends_tracking_host(self) -> bool:
        """Whether the front door must forward the viewer's ``Host`` (the tracking domain)."""
        return self.profile.needs_tracking_host_header


def get_profile(esp: str) -> EspProfile:
    """The profile called ``esp``; unknown names are refused with the list of known ones."""
    if not isinstance(esp, str) or esp.strip().lower() not in PROFILES:
        known = ", ".join(PROFILES)
        raise InvalidArgument("esp", f"unknown ESP profile {esp!r}; known profiles: {known}")
    return PROFILES[esp.strip().lower()]


def resolve_origin(
    esp: str = DEFAULT_ESP, tenant: Optional[str] = None, origin_host: Optional[str] = None
) -> Origin:
    """Resolve ``esp``/``tenant``/``origin_host`` to the origin host, refusing missing or conflicting values."""
    profile = get_profile(esp)
    if tenant is not None and profile.requires != "tenant":
        raise InvalidArgument(
            "tenant", f"only the 'sparkpost-enterprise' profile takes a tenant, not {profile.name!r}"
        )
    if origin_host is not None:
        host = validate_hostname(origin_host, argument="origin_host")
    elif profile.requires == "tenant":
        host = _enterprise_host(tenant)
    elif profile.requires == "origin_host":
        raise InvalidArgument(
            "origin_host", "the 'custom' ESP profile needs origin_host, the tracking endpoint's host name"
        )
    else:
        assert profile.origin_host is not None
        host = profile.origin_host
    return Origin(profile=profile, host=host)


def _enterprise_host(tenant: Optional[str]) -> str:
    if not tenant:
        raise InvalidArgument(
            "tenant",
            "the 'sparkpost-enterprise' profile needs your tenant name "
            "(the endpoint is <tenant>.et.e.sparkpost.com; ask your Technical Account Manager)",
        )
    if not isinstance(tenant, str) or not tenant.isascii():  # checked before lower-casing, as host names are
        raise InvalidArgument("tenant", f"a tenant is one ASCII DNS label such as 'acme', not {tenant!r}")
    host = f"{tenant.strip().lower()}.et.e.sparkpost.com"
    validate_hostname(host, argument="tenant")
    if "." in tenant.strip():
        raise InvalidArgument("tenant", f"a tenant is one DNS label such as 'acme', not {tenant!r}")
    return host
