"""Fastly front door: a VCL service in front of the ESP's tracking endpoint, with a Fastly-managed
(Let's Encrypt by default) TLS subscription for the tracking domains.

What it builds (seed ``000_*`` Fastly section, seed ``003_*``; DESIGN.md sections 2 and 5):

    tracking domains --CNAME--> Fastly shared-SNI target (the subscription's managed-http-cname)
        ServiceVcl: the tracking domains, ports 80 and 443, fallback TTL = cache_ttl_seconds
            -> one backend: <ESP endpoint>:443, TLS >= 1.2, certificate checked, SNI = ESP host
    TlsSubscription (lets-encrypt) for the domains: _acme-challenge.<domain> CNAMEs validate it
    TlsSubscriptionValidation (only with wait_for_certificate) waits until the certificate is issued

Fastly's defaults pass the viewer's User-Agent to the origin and add ``Fastly-Client-IP`` and
``X-Forwarded-For`` (seed ``000_*``: "Fastly default settings pass the user_agent and ip_address
through"): this module adds no header rule, VCL or snippet that could change that.

Only this module imports ``pulumi_fastly``. (No ``from __future__ import annotations``: Pulumi's schema
inference reads the annotations below.)
"""

from collections.abc import Mapping
from typing import Any, NotRequired, Optional

import pulumi
import pulumi_fastly as fastly

from .contract import (
    ROUTE,
    VALIDATION,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    collect_dns_records,
    dns_record,
    input_arg,
    plain_arg,
    resolve_settings,
)
from .errors import InvalidArgument

ORIGIN_PORT = 443
ORIGIN_MIN_TLS_VERSION = "1.2"
BACKEND_NAME = "esp-origin"
"""Fixed: Fastly replaces a backend whose name changes."""
FORCE_TLS_SETTING_NAME = "force-tls"
X_FORWARDED_FOR = "append"
"""Fastly's own default: the client IP is appended to ``X-Forwarded-For`` (never ``clear``)."""

DEFAULT_DOMAIN_LIMIT = 20
"""Fastly's default limit of domains per service; Fastly support raises it on request."""
MAX_DOMAIN_LIMIT = 100
"""One TLS subscription covers every domain, and a Let's Encrypt certificate holds at most 100 names."""
DEFAULT_CERTIFICATE_AUTHORITY = "lets-encrypt"
CERTIFICATE_AUTHORITIES = ("lets-encrypt", "certainly", "globalsign")
"""The values the Fastly TLS subscription API accepts."""
ACME_CHALLENGE_PREFIX = "_acme-challenge."


class FastlyTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`FastlyTrackingDomain`: the common ones plus the Fastly settings below."""

    domain_limit: NotRequired[int]
    """Most tracking domains this component accepts (default 20, Fastly's default limit of domains per
    service; 1 to 100). Set it when Fastly support has raised your account's limit; 100 is the ceiling
    because one TLS subscription, i.e. one certificate, covers every domain."""
    certificate_authority: NotRequired[str]
    """Who issues the certificate: ``lets-encrypt`` (default), ``certainly`` or ``globalsign`` (paid
    accounts). Changing it replaces the TLS subscription."""
    tls_configuration_id: NotRequired[pulumi.Input[str]]
    """ID of the Fastly TLS configuration the subscription's domains use (default: the account's
    default configuration). The route CNAME target follows from it."""
    wait_for_certificate: NotRequired[bool]
    """Add a ``TlsSubscriptionValidation`` that makes ``pulumi up`` wait until the certificate is issued
    (default False: nothing waits for DNS you create elsewhere; the certificate is issued once the
    ``_acme-challenge`` CNAMEs exist). Turn it on when those records already exist or are created in the
    same program."""
    service_name: NotRequired[pulumi.Input[str]]
    """Name of the Fastly service as shown in the Fastly console (default: Pulumi auto-naming,
    ``<name>-service-<random>``)."""
    activate: NotRequired[bool]
    """Activate each new service version (default True). False leaves changes as a draft version to
    review and activate in the Fastly console."""
    force_destroy: NotRequired[bool]
    """Let ``pulumi destroy`` delete the active service and the subscription while its domains are
    active (default False). Live links stop working when they go: also needs
    ``protect_serving_resources=False``."""


class FastlyTrackingDomain(TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on Fastly: a VCL service holding the tracking
    domains, forwarding every request over TLS (certificate checked, SNI set) to the ESP's tracking
    endpoint with a short fallback TTL, and a Fastly-managed TLS subscription (Let's Encrypt) for the
    domains. Fastly's defaults pass the real User-Agent and client IP to the ESP. ``dns_records`` lists
    the ``_acme-challenge`` CNAMEs that validate the certificate and the CNAME each tracking domain must
    point at; create those in DNS. Plain-HTTP requests (links already delivered as ``http://``) are
    served too, or redirected to HTTPS when ``redirect_http_to_https`` is set."""

    service_id: pulumi.Output[str]
    """ID of the Fastly VCL service."""
    tls_subscription_id: pulumi.Output[str]
    """ID of the Fastly TLS subscription (``fastly tls-subscription describe --id <id>`` shows its state)."""
    certificate_id: pulumi.Output[str]
    """ID of the issued certificate: set once issued (with ``wait_for_certificate``, when ``pulumi up``
    returns); empty while the subscription is pending."""

    def __init__(
        self,
        name: str,
        args: FastlyTrackingDomainArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        domain_limit = bounded_int_arg(
            args,
            "domain_limit",
            DEFAULT_DOMAIN_LIMIT,
            1,
            MAX_DOMAIN_LIMIT,
            note=f"Fastly's default per service; {MAX_DOMAIN_LIMIT} is the most names one Let's Encrypt certificate holds",
        )
        settings = resolve_settings(
            args,
            FastlyTrackingDomainArgs,
            max_domains=domain_limit,
            limit_reason=(
                f" on one Fastly service (domain_limit={domain_limit}; Fastly's default is {DEFAULT_DOMAIN_LIMIT} "
                f"domains per service: once Fastly support has raised your limit, set domain_limit, up to "
                f"{MAX_DOMAIN_LIMIT}, the most names one certificate holds; or split the domains over several "
                "components)"
            ),
        )
        authority = plain_arg(args, "certificate_authority", str, DEFAULT_CERTIFICATE_AUTHORITY)
        if authority not in CERTIFICATE_AUTHORITIES:
            raise InvalidArgument(
                "certificate_authority", f"{authority!r} is not one of {', '.join(CERTIFICATE_AUTHORITIES)}"
            )
        wait = plain_arg(args, "wait_for_certificate", bool, False)
        activate = plain_arg(args, "activate", bool, True)
        force_destroy = plain_arg(args, "force_destroy", bool, False)
        configuration_id = input_arg(args, "tls_configuration_id", "a TLS configuration ID, or leave it out")
        service_name = input_arg(args, "service_name", "a service name such as 'tracking-links', or leave it out")

        super().__init__(name, settings, opts)
        origin = settings.origin

        service = fastly.ServiceVcl(
            f"{name}-service",
            name=service_name,
            comment=f"HTTPS front door for email tracking domains -> {origin.profile.name} ({origin.host}); "
            "managed by tracking-cdn",
            domains=[fastly.ServiceVclDomainArgs(name=domain) for domain in settings.domains],
            backends=[_backend(origin.host, origin.sends_tracking_host)],
            default_ttl=settings.cache_ttl_seconds,
            request_settings=[_force_tls()] if settings.redirect_http_to_https else None,
            activate=activate,
            force_destroy=force_destroy,
            opts=self.child_opts(serving=True),
        )
        subscription = fastly.TlsSubscription(
            f"{name}-certificate",
            domains=list(settings.domains),
            certificate_authority=authority,
            configuration_id=configuration_id,
            force_destroy=force_destroy,
            # Fastly refuses a subscription for domains that no service holds yet.
            opts=self.child_opts(serving=True, depends_on=[service]),
        )
        certificate_id: pulumi.Output[str] = subscription.certificate_id.apply(lambda value: value or "")
        if wait:
            validation = fastly.TlsSubscriptionValidation(
                f"{name}-certificate-validation",
                subscription_id=subscription.id,
                opts=self.child_opts(serving=True),
            )
            certificate_id = validation.certificate_id.apply(lambda value: value or "")

        records: list[pulumi.Output] = []
        for domain in settings.domains:
            records.append(
                dns_record(
                    ACME_CHALLENGE_PREFIX + domain,
                    "CNAME",
                    subscription.managed_dns_challenges.apply(lambda found, d=domain: _acme_target(found, d)),
                    VALIDATION,
                )
            )
            records.append(
                dns_record(
                    domain,
                    "CNAME",
                    subscription.managed_http_challenges.apply(lambda found, d=domain: _route_target(found, d)),
                    ROUTE,
                )
            )

        self.publish_outputs(
            origin_host=origin.host,
            dns_records=collect_dns_records(records),
            service_id=service.id,
            tls_subscription_id=subscription.id,
            certificate_id=certificate_id,
        )


def _backend(origin_host: str, sends_tracking_host: bool) -> fastly.ServiceVclBackendArgs:
    """The one backend: the ESP endpoint on 443 over TLS, certificate checked against its own name, SNI set.

    ``Host``: SparkPost-style endpoints get their own host name; SendGrid routes on the tracking domain,
    so the viewer's ``Host`` is passed through unchanged (no override)."""
    return fastly.ServiceVclBackendArgs(
        name=BACKEND_NAME,
        address=origin_host,
        port=ORIGIN_PORT,
        use_ssl=True,
        ssl_check_cert=True,
        ssl_cert_hostname=origin_host,
        ssl_sni_hostname=origin_host,
        min_tls_version=ORIGIN_MIN_TLS_VERSION,
        override_host=None if sends_tracking_host else origin_host,
    )


def _force_tls() -> fastly.ServiceVclRequestSettingArgs:
    """Redirect plain-HTTP requests to HTTPS (Fastly answers them with a redirect); X-Forwarded-For as default."""
    return fastly.ServiceVclRequestSettingArgs(name=FORCE_TLS_SETTING_NAME, force_ssl=True, xff=X_FORWARDED_FOR)


def _field(entry: Any, snake: str, camel: str) -> Any:
    """A field of a challenge entry, whether the SDK delivered it as an output type or a plain dict."""
    value = getattr(entry, snake, None)
    if value is None and isinstance(entry, Mapping):
        value = dict.get(entry, snake, dict.get(entry, camel))  # dict.get: no SDK key-name warning
    return value


def _acme_target(challenges: Optional[list], domain: str) -> str:
    """Value of the ``_acme-challenge.<domain>`` CNAME Fastly asks for (managed-dns challenge)."""
    wanted = (ACME_CHALLENGE_PREFIX + domain).lower()
    for entry in challenges or []:
        name = (_field(entry, "record_name", "recordName") or "").rstrip(".").lower()
        value = _field(entry, "record_value", "recordValue")
        if name == wanted and value:
            return value
    raise RuntimeError(
        f"Fastly returned no managed DNS challenge for {wanted}; run `pulumi refresh` and check the TLS "
        "subscription in the Fastly console (Security > TLS management)"
    )


def _route_target(challenges: Optional[list], domain: str) -> str:
    """The CNAME target that routes ``domain`` to Fastly: the subscription's managed-http CNAME, i.e. the
    shared-SNI host name of its TLS configuration (e.g. ``j.sni.global.fastly.net``)."""
    for entry in challenges or []:
        name = (_field(entry, "record_name", "recordName") or "").rstrip(".").lower()
        kind = (_field(entry, "record_type", "recordType") or "").upper()
        values = list(_field(entry, "record_values", "recordValues") or [])
        if name == domain and kind == "CNAME" and values:
            return sorted(values)[0]
    raise RuntimeError(
        f"Fastly returned no CNAME target for {domain}; look up the CNAME of the subscription's TLS "
        "configuration (fastly.get_tls_configuration(...).dns_records) and point the domain at it"
    )


__all__ = ["FastlyTrackingDomain", "FastlyTrackingDomainArgs"]
