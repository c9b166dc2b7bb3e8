"""ESP profiles: where each email service provider's tracking endpoint lives and what it needs.

Pure data and pure functions; no Pulumi import. Each profile cites its public source: SparkPost's
and Braze's CDN guides for SparkPost and SendGrid, the ESP's own guide for the others; what no public
source confirms is marked UNCONFIRMED.

What a front door reads from a profile (through ``Origin``): the origin host, whether the tracking
domain must reach the ESP as ``Host``, whether cookies must pass, the protocol to reach the origin
with, whether the origin's ``Cache-Control`` decides caching, and whether the ESP serves
``/.well-known/*`` itself. A front door that cannot do what a profile needs refuses it (see
``contract.py``, ``TrackingDomainComponent.supports``), naming ``esp`` and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .domains import validate_hostname
from .errors import InvalidArgument

ORIGIN_HTTPS = "https"
"""Reach the origin over HTTPS, verifying its certificate (the rule for every front door, DESIGN.md §2)."""
ORIGIN_HTTP = "http"
"""Reach the origin over plain HTTP: a documented exception, only where the ESP's endpoint is not known
to present a certificate for its own name (``ses``)."""

CACHE_OUR_TTL = "ttl"
"""Cache for ``cache_ttl_seconds`` whatever the origin says (where the front door caches)."""
CACHE_ORIGIN_HEADERS = "origin"
"""Follow the origin's ``Cache-Control``/``Expires``; ``cache_ttl_seconds`` only when the origin sends none."""


@dataclass(frozen=True)
class EspProfile:
    """What a front door needs to know about one ESP's tracking endpoint."""

    name: str
    description: str
    origin_host: Optional[str]
    """The endpoint host; None when it comes from ``tenant``, ``esp_region`` or ``origin_host``."""
    needs_tracking_host_header: bool
    """True when the ESP routes on the tracking domain, so the front door must pass it as ``Host``
    (SendGrid, SES, Iterable, Customer.io). Otherwise the front door sends the origin's own host name."""
    needs_cookies: bool
    """True when the ESP's guides ask for all cookies to be forwarded (SendGrid, per Braze; Iterable)."""
    health_path: Optional[str]
    """A path that the ESP answers without a valid tracking token; used by health checks. None when
    the ESP documents none: ``check`` then proves reachability only."""
    health_statuses: tuple[int, ...]
    """Status codes that prove the ESP itself answered ``health_path`` (empty when it is None)."""
    server_header: Optional[str]
    """The ``Server`` header the ESP sends, when it has a recognisable one."""
    requires: Optional[str] = None
    """The argument this profile needs besides ``esp`` (``tenant``, ``esp_region`` or ``origin_host``)."""
    origin_protocol: str = ORIGIN_HTTPS
    """``https`` (verified, the rule) or ``http`` (a documented exception: ``ses``)."""
    cache_mode: str = CACHE_OUR_TTL
    """``ttl``: our ``cache_ttl_seconds`` decides; ``origin``: the origin's ``Cache-Control`` decides and
    ``cache_ttl_seconds`` is only the default for responses without one (Iterable)."""
    serves_well_known: bool = False
    """True when the ESP itself serves ``/.well-known/apple-app-site-association`` and
    ``assetlinks.json`` on the tracking domain (Iterable): ``app_links`` and ``well_known_origin`` are
    refused for it, every ``/.well-known/*`` request must reach the ESP."""


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


def _iterable(name: str, description: str, host: str) -> EspProfile:
    """Iterable, from its own CloudFront guide (https://support.iterable.com/hc/en-us/articles/115000427446):

    - origin: "Iterable's default link tracking domain is links.iterable.com (USDC-based projects) or
      links.eu.iterable.com (EDC-based projects)"; Origin Protocol Policy "HTTPS Only";
    - Host: "Cache Based on Selected Request Headers: All" (the viewer's Host, the tracking domain,
      reaches Iterable);
    - cookies: "Forward Cookies: All" (the tracking domain "sets attribution-related cookies");
    - methods: GET, HEAD, OPTIONS, PUT, POST, DELETE ("If using Iterable's unsubscribe page, allow POST
      as well"); every front door forwards every method;
    - caching: "Object Caching: Use Origin Cache Headers" (minimum 0, default 86400): the origin's
      Cache-Control decides; where it sends none we use our own ``cache_ttl_seconds`` (10 s), not
      Iterable's one-day default, which would hide repeat clicks (DESIGN.md §2);
    - deep links: "At your link tracking domain, Iterable hosts files related to your mobile deep
      linking configuration: apple-app-site-association and assetlinks.json";
    - health: no path or answer documented, so ``check`` proves reachability only.
    """
    return EspProfile(
        name=name,
        description=description,
        origin_host=host,
        needs_tracking_host_header=True,
        needs_cookies=True,
        health_path=None,
        health_statuses=(),
        server_header=None,
        cache_mode=CACHE_ORIGIN_HEADERS,
        serves_well_known=True,
    )


def _customerio(name: str, description: str, host: str) -> EspProfile:
    """Customer.io, from its HTTPS link-tracking guide (https://docs.customer.io/journeys/https-link-verification):

    - origin: "track.customer.io or track-eu.customer.io depending on your account region", over HTTPS
      ("a server that proxies our link tracking domain ... using a valid SSL certificate");
    - Host: the tracking domain. Inferred, not stated: Customer.io's Cloudflare recipe is a proxied
      CNAME with no Host rewrite, and it requires SSL mode "Full. The Full (strict) mode will not
      work" -- the certificate Cloudflare meets does not name the tracking domain it asks for. On
      Cloudflare this is a documented exception to "verify the origin certificate";
    - cookies, methods, caching: UNCONFIRMED, the copies of the guide we could read stop before its
      CloudFront settings for them. Cookies are forwarded: an ESP that ignores them loses nothing, one
      that uses them would break without; our TTL applies as for SendGrid;
    - "Changing your link tracking domain will cause your existing tracked links to break";
    - health: no path or answer documented, so ``check`` proves reachability only.
    """
    return EspProfile(
        name=name,
        description=description,
        origin_host=host,
        needs_tracking_host_header=True,
        needs_cookies=True,
        health_path=None,
        health_statuses=(),
        server_header=None,
    )


SES = EspProfile(
    name="ses",
    description="Amazon SES: r.<esp_region>.awstrack.me",
    origin_host=None,
    needs_tracking_host_header=True,
    needs_cookies=True,
    health_path=None,
    health_statuses=(),
    server_header=None,
    requires="esp_region",
    origin_protocol=ORIGIN_HTTP,
)
"""Amazon SES custom open/click tracking domain, option 2 "Configuring an HTTPS Domain" of the SES
developer guide (repo awsdocs/amazon-ses-developer-guide ``doc-source/configure-custom-open-click-domains.md``;
https://docs.aws.amazon.com/ses/latest/dg/configure-custom-open-click-domains.html):

- origin: the region's SES tracking domain, ``r.<region>.awstrack.me``. AWS publishes a per-region
  table that no stored copy contains; the pattern comes from wraps-team/wraps
  (``packages/cli/src/infrastructure/resources/cloudfront.ts``: ``r.${config.region}.awstrack.me``)
  and links seen in the wild (``*.r.eu-west-1.awstrack.me``, ``*.r.ap-southeast-2.awstrack.me``).
  The table itself is UNCONFIRMED: ``origin_host`` overrides the host for a region that differs;
- Host: "Cache Based on Selected Request Headers: All" -- every viewer header, so the tracking domain
  reaches SES as Host; "Query String Forwarding and Caching: Forward all, cache based on all";
- cookies and methods: the guide is silent; wraps forwards all cookies (GET/HEAD/OPTIONS); we forward
  all cookies and every method, as for SendGrid;
- origin protocol: the guide is silent; wraps uses ``http-only`` ("SES tracking endpoint is HTTP"),
  and whether the bare ``r.<region>.awstrack.me`` presents a certificate for its own name is not known
  (a CDN reaching it over HTTPS would fail with 502 if it does not). So the origin is reached over
  plain HTTP: a documented exception, like the GCP front door's unverified origin;
- "The total size of headers, including cookies, of requests made to this server must not exceed
  8192 bytes";
- health: no path or answer documented, so ``check`` proves reachability only. SES tracking paths
  seen in the wild (``/L0/`` clicks, ``/I0/`` opens) are not documented and not relied on.
"""

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
        SES,
        _iterable("iterable", "Iterable, US data center (USDC) projects", "links.iterable.com"),
        _iterable("iterable-eu", "Iterable, EU data center (EDC) projects", "links.eu.iterable.com"),
        _customerio("customerio", "Customer.io, US region", "track.customer.io"),
        _customerio("customerio-eu", "Customer.io, EU region", "track-eu.customer.io"),
    )
}

DEFAULT_ESP = "sparkpost"

SES_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "sa-east-1",
    "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "af-south-1", "il-central-1", "me-central-1", "me-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5",
)
"""The AWS commercial-partition regions where SES sends email, so where a configuration set can have
open/click tracking on a custom domain: AWS General Reference, "Amazon Simple Email Service endpoints
and quotas" (https://docs.aws.amazon.com/general/latest/gr/ses.html), which matches the ``email``
service of partition ``aws`` in boto/botocore ``botocore/data/endpoints.json`` (1.43.11). Each region's
tracking host ``r.<region>.awstrack.me`` is confirmed for us-east-1 and eu-central-1 (Braze's SSL
click-tracking docs, Amazon SES section) and seen in links for eu-west-1 and ap-southeast-2; for the
others it is the same pattern, UNCONFIRMED (see ``SES``). A region added after this list: give
``origin_host``."""
OTHER_AWS_PARTITIONS = {
    "cn-": "China (cn-*) is a separate AWS partition (amazonaws.com.cn) whose SES tracking host is not "
           "documented as r.<region>.awstrack.me",
    "us-gov-": "AWS GovCloud (US) offers SES (without email receiving), but its open/click tracking host "
               "is not documented as r.<region>.awstrack.me",
    "eusc-": "the AWS European Sovereign Cloud is a separate AWS partition whose SES tracking host is not "
             "documented as r.<region>.awstrack.me",
}
"""Region prefixes of the AWS partitions other than the commercial one, with why the profile cannot name
their tracking host (AWS GovCloud (US) User Guide, "Amazon SES in AWS GovCloud (US)",
https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-ses.html)."""


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
    esp: str = DEFAULT_ESP,
    tenant: Optional[str] = None,
    origin_host: Optional[str] = None,
    *,
    esp_region: Optional[str] = None,
) -> Origin:
    """Resolve ``esp``/``tenant``/``esp_region``/``origin_host`` to the origin host, refusing missing or
    conflicting values. ``origin_host`` overrides the host any profile would use."""
    profile = get_profile(esp)
    if tenant is not None and profile.requires != "tenant":
        raise InvalidArgument(
            "tenant", f"only the 'sparkpost-enterprise' profile takes a tenant, not {profile.name!r}"
        )
    if esp_region is not None and profile.requires != "esp_region":
        raise InvalidArgument(
            "esp_region", f"only the 'ses' profile takes an esp_region (its endpoint's AWS region), not {profile.name!r}"
        )
    if origin_host is not None:
        if esp_region is not None:
            validate_aws_region(esp_region)
        host = validate_hostname(origin_host, argument="origin_host")
    elif profile.requires == "tenant":
        host = _enterprise_host(tenant)
    elif profile.requires == "esp_region":
        host = ses_tracking_host(esp_region)
    elif profile.requires == "origin_host":
        raise InvalidArgument(
            "origin_host", "the 'custom' ESP profile needs origin_host, the tracking endpoint's host name"
        )
    else:
        assert profile.origin_host is not None
        host = profile.origin_host
    return Origin(profile=profile, host=host)


def ses_tracking_host(esp_region: Optional[str]) -> str:
    """The SES tracking endpoint of an AWS region, ``r.<region>.awstrack.me`` (see ``SES``)."""
    if esp_region is None:
        raise InvalidArgument(
            "esp_region",
            "the 'ses' profile needs the AWS region you send from, such as 'eu-west-1' (the endpoint is "
            "r.<region>.awstrack.me)",
        )
    return f"r.{validate_aws_region(esp_region)}.awstrack.me"


def validate_aws_region(value: object) -> str:
    """One of ``SES_REGIONS`` (``eu-west-1``), lower-cased, or refused naming ``esp_region``: a misspelt
    region would make an origin that breaks every link."""
    valid = f"valid: {', '.join(SES_REGIONS)}"
    if not isinstance(value, str) or not value.isascii():  # before lower-casing, as host names are
        raise InvalidArgument("esp_region", f"expected the AWS region you send from with SES, got {value!r}; {valid}")
    region = value.strip().lower()
    if region in SES_REGIONS:
        return region
    partition = next((why for prefix, why in OTHER_AWS_PARTITIONS.items() if region.startswith(prefix)), None)
    if partition is not None:
        raise InvalidArgument(
            "esp_region",
            f"{value!r}: {partition}; leave esp_region out and set origin_host to the tracking host AWS gives "
            f"you there. Regions the ses profile knows: {', '.join(SES_REGIONS)}",
        )
    raise InvalidArgument(
        "esp_region",
        f"{value!r} is not an AWS region where SES sends email (r.<region>.awstrack.me would break every link); "
        f"{valid} (for a region added since, set origin_host)",
    )


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
