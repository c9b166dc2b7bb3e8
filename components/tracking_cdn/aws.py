"""AWS CloudFront front door: ``CloudFrontTrackingDomain``.

CloudFront distribution(s) with an ACM certificate in us-east-1 in front of the ESP's tracking
endpoint, following SparkPost's CloudFront guide (seed ``000_*``) and Braze's SendGrid settings
(seeds ``003_*``/``004_*``), with cache and origin-request policies instead of the legacy
``forwarded_values``. Imports only ``pulumi_aws``.
(No ``from __future__ import annotations``: Pulumi's schema inference reads these annotations.)
"""

import re
from typing import Any, NotRequired, Optional, Sequence

import pulumi
import pulumi_aws as aws

from .contract import (
    ROUTE,
    VALIDATION,
    FrontDoorSettings,
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

CERTIFICATE_REGION = "us-east-1"
"""CloudFront only accepts ACM certificates from us-east-1, whatever the stack's region."""
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The Route 53 hosted zone of every CloudFront distribution, target of alias records."""
MAX_ALIASES_PER_DISTRIBUTION = 100
"""CloudFront's limit on alternate domain names (aliases) per distribution."""
DEFAULT_NAMES_PER_CERTIFICATE = 10
"""ACM's default quota of domain names per certificate (raisable up to 100 on request)."""
MAX_DOMAINS = 1000
"""At most 100 distributions per component (CloudFront's default quota is 200 per account)."""
MAX_CERTIFICATE_COMMON_NAME = 64
"""ACM refuses a certificate whose first domain name (the common name) exceeds 64 characters."""
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
CACHED_METHODS = ["GET", "HEAD"]
PRICE_CLASSES = ("PriceClass_All", "PriceClass_200", "PriceClass_100")
ROUTE_RECORD_TYPES = ("alias", "CNAME")
ORIGIN_ID = "esp"
ROUTE_CNAME_TTL = 300
VALIDATION_RECORD_TTL = 300
STEP_TWO_VALIDATION_TIMEOUT = "15m"
"""With DNS elsewhere and ``certificate_validated``, the certificate should already be issued: waiting
longer than this means a validation CNAME is missing, and the ``up`` fails instead of hanging."""

# Managed origin-request policies (ids are fixed by AWS; see "Use managed origin request policies").
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""Every viewer header except Host (so User-Agent reaches the ESP; Host is the ESP's own name), all
cookies, all query strings."""
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
"""Every viewer header including Host (the tracking domain, as SendGrid needs), all cookies, all query
strings."""

ACM_ARN_EXAMPLE = "arn:aws:acm:us-east-1:<account>:certificate/<id>"
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")


class CloudFrontTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of ``CloudFrontTrackingDomain``: the common ones plus CloudFront's."""

    hosted_zone_id: NotRequired[pulumi.Input[str]]
    """Route 53 hosted zone holding the tracking domains. Given: the component creates the certificate
    validation records, waits for the certificate, and creates the route records itself. Not given:
    nothing waits; ``dns_records`` lists the records to create elsewhere (two-step flow, see
    ``certificate_validated``)."""
    certificate_validated: NotRequired[bool]
    """DNS hosted elsewhere only, step 2 (default False). Set True once ACM shows the certificate(s) as
    Issued, after you created the validation CNAMEs from ``dns_records``: the component then attaches
    the tracking domains and the certificate to the distribution(s). While False, the distributions
    serve only their ``*.cloudfront.net`` names."""
    certificate_arn: NotRequired[pulumi.Input[str]]
    """An existing ACM certificate in us-east-1 covering every tracking domain. No certificate is
    created; the domains are attached at once (one distribution, at most 100 domains)."""
    max_names_per_certificate: NotRequired[int]
    """Domains per ACM certificate and distribution (default 10, ACM's default quota; up to 100 if your
    ACM quota is raised). More domains are split, in the order given, into further certificate and
    distribution groups: append new domains at the end so existing groups stay unchanged."""
    price_class: NotRequired[str]
    """CloudFront price class: PriceClass_All (default, every edge location), PriceClass_200 or
    PriceClass_100."""
    route_record_type: NotRequired[str]
    """With ``hosted_zone_id``: ``alias`` (default; Route 53 alias A and AAAA records to the
    distribution) or ``CNAME`` (a CNAME record; lets you import a live domain's existing CNAME and
    switch it in place)."""
    wait_for_deployment: NotRequired[bool]
    """Wait until CloudFront reports the distribution Deployed before ``pulumi up`` completes (default
    True, so a finished ``up`` means the change is live at the edge; a few minutes per change)."""


class CloudFrontTrackingDomain(TrackingDomainComponent):
    """HTTPS tracking domains on AWS CloudFront: per group of up to ``max_names_per_certificate``
    domains one distribution and one DNS-validated ACM certificate (us-east-1), forwarding every
    method, path, query string and the real User-Agent to the ESP over HTTPS (TLS 1.2), caching for
    ``cache_ttl_seconds``, serving both HTTP and HTTPS. With a Route 53 zone it creates the validation
    and route records; without one it lists them in ``dns_records``."""

    distribution_ids: pulumi.Output[list[str]]
    """Ids of the CloudFront distributions, one per domain group, in group order."""
    distribution_domain_names: pulumi.Output[list[str]]
    """``*.cloudfront.net`` names of the distributions, in group order: the route CNAME targets."""
    certificate_arns: pulumi.Output[list[str]]
    """ARNs of the ACM certificates (us-east-1), in group order; the given ``certificate_arn`` if any."""
    aliases_attached: pulumi.Output[bool]
    """Whether the tracking domains and certificates are attached to the distributions. False during
    step 1 of the DNS-elsewhere flow: do not point a live domain at the distribution until True."""

    def __init__(
        self, name: str, args: CloudFrontTrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        options = _resolve_options(args)
        settings = resolve_settings(
            args,
            CloudFrontTrackingDomainArgs,
            max_domains=options["max_domains"],
            limit_reason=options["limit_reason"],
        )
        groups = _domain_groups(settings.domains, options)
        super().__init__(name, settings, opts)

        zone = options["hosted_zone_id"]
        own_certificate = options["certificate_arn"] is None
        attach = zone is not None or not own_certificate or options["certificate_validated"]

        cache_policy = aws.cloudfront.CachePolicy(
            f"{name}-cache",
            comment=_comment(f"tracking-cdn {name}: {settings.cache_ttl_seconds}s TTL for {settings.origin.host}"),
            **cache_policy_settings(settings),
            opts=self.child_opts(),
        )

        records: list[pulumi.Output] = []
        distributions: list[aws.cloudfront.Distribution] = []
        certificate_arns: list[pulumi.Input[str]] = []
        for index, group in enumerate(groups):
            suffix = "" if index == 0 else f"-{index + 1}"
            attached_arn: Optional[pulumi.Input[str]] = None
            if own_certificate:
                certificate = aws.acm.Certificate(
                    f"{name}-certificate{suffix}",
                    region=CERTIFICATE_REGION,
                    domain_name=group[0],
                    subject_alternative_names=list(group[1:]),
                    validation_method="DNS",
                    key_algorithm="RSA_2048",
                    tags={"tracking-cdn": name},
                    # Not protected: AWS refuses to delete a certificate a distribution uses, and adding
                    # a domain to the group must be able to replace it (create first, then switch).
                    opts=self.child_opts(),
                )
                certificate_arns.append(certificate.arn)
                fqdns: list[pulumi.Output[str]] = []
                for domain in group:
                    option = certificate.domain_validation_options.apply(
                        lambda options_, domain=domain: _validation_option(options_, domain)
                    )
                    record_name = option.apply(lambda o: o.resource_record_name)
                    record_type = option.apply(lambda o: o.resource_record_type)
                    record_value = option.apply(lambda o: o.resource_record_value)
                    records.append(dns_record(record_name, "CNAME", record_value, VALIDATION))
                    if zone is not None:
                        validation_record = aws.route53.Record(
                            f"{name}-validation-{domain}",
                            zone_id=zone,
                            name=record_name,
                            type=record_type,
                            records=[record_value],
                            ttl=VALIDATION_RECORD_TTL,
                            allow_overwrite=False,
                            # Serving: ACM renews the certificate through this record every year.
                            opts=self.child_opts(serving=True),
                        )
                        fqdns.append(validation_record.fqdn)
                if attach:
                    validation = aws.acm.CertificateValidation(
                        f"{name}-certificate-validation{suffix}",
                        region=CERTIFICATE_REGION,
                        certificate_arn=certificate.arn,
                        validation_record_fqdns=fqdns or None,
                        opts=self.child_opts(
                            custom_timeouts=None
                            if zone is not None
                            else pulumi.CustomTimeouts(create=STEP_TWO_VALIDATION_TIMEOUT)
                        ),
                    )
                    attached_arn = validation.certificate_arn
            else:
                attached_arn = options["certificate_arn"]
                certificate_arns.append(attached_arn)

            distribution = aws.cloudfront.Distribution(
                f"{name}-distribution{suffix}",
                comment=_comment(f"tracking-cdn {name}{suffix}: tracking domains -> {settings.origin.host}"),
                enabled=True,
                aliases=list(group) if attach else [],
                origins=[
                    {
                        "origin_id": ORIGIN_ID,
                        "domain_name": settings.origin.host,
                        "custom_origin_config": {
                            "http_port": 80,
                            "https_port": 443,
                            "origin_protocol_policy": "https-only",
                            "origin_ssl_protocols": ["TLSv1.2"],
                            "origin_read_timeout": 30,
                            "origin_keepalive_timeout": 5,
                        },
                    }
                ],
                default_cache_behavior={
                    "target_origin_id": ORIGIN_ID,
                    "viewer_protocol_policy": "redirect-to-https" if settings.redirect_http_to_https else "allow-all",
                    "allowed_methods": ALL_METHODS,
                    "cached_methods": CACHED_METHODS,
                    "cache_policy_id": cache_policy.id,
                    "origin_request_policy_id": origin_request_policy_id(settings),
                    "compress": False,
                },
                viewer_certificate=(
                    {
                        "acm_certificate_arn": attached_arn,
                        "ssl_support_method": "sni-only",
                        "minimum_protocol_version": "TLSv1.2_2021",
                    }
                    if attach
                    else {"cloudfront_default_certificate": True}
                ),
                restrictions={"geo_restriction": {"restriction_type": "none"}},
                http_version="http2and3",
                is_ipv6_enabled=True,
                price_class=options["price_class"],
                wait_for_deployment=options["wait_for_deployment"],
                tags={"tracking-cdn": name},
                opts=self.child_opts(serving=True),
            )
            distributions.append(distribution)

            for domain in group:
                records.extend(self._route(name, domain, distribution, zone, options["route_record_type"]))

        if not attach:
            pulumi.log.warn(
                "Step 1 of 2 (DNS hosted elsewhere): the certificate is requested but not attached. Create "
                "the 'validation' CNAMEs listed in dns_records; once ACM shows the certificate Issued, set "
                "certificate_validated: true and run `pulumi up` again. Do not point a live tracking domain "
                "at the distribution before then: it does not answer for that name yet.",
                resource=self,
            )

        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=collect_dns_records(records),
            distribution_ids=pulumi.Output.all(*[d.id for d in distributions]),
            distribution_domain_names=pulumi.Output.all(*[d.domain_name for d in distributions]),
            certificate_arns=pulumi.Output.all(*certificate_arns),
            aliases_attached=attach,
        )

    def _route(
        self,
        name: str,
        domain: str,
        distribution: aws.cloudfront.Distribution,
        zone: Optional[pulumi.Input[str]],
        record_type: str,
    ) -> list[pulumi.Output]:
        """The route record(s) of one tracking domain: created in the zone when there is one, listed always."""
        if zone is None or record_type == "CNAME":
            if zone is not None:
                aws.route53.Record(
                    f"{name}-cname-{domain}",
                    zone_id=zone,
                    name=domain,
                    type="CNAME",
                    records=[distribution.domain_name],
                    ttl=ROUTE_CNAME_TTL,
                    allow_overwrite=False,
                    opts=self.child_opts(serving=True),
                )
            return [dns_record(domain, "CNAME", distribution.domain_name, ROUTE)]
        listed = []
        for record_type_ in ("A", "AAAA"):
            aws.route53.Record(
                f"{name}-{record_type_.lower()}-{domain}",
                zone_id=zone,
                name=domain,
                type=record_type_,
                aliases=[
                    {"name": distribution.domain_name, "zone_id": CLOUDFRONT_ZONE_ID, "evaluate_target_health": False}
                ],
                allow_overwrite=False,
                opts=self.child_opts(serving=True),
            )
            listed.append(dns_record(domain, record_type_, distribution.domain_name, ROUTE))
        return listed


def cache_policy_settings(settings: FrontDoorSettings) -> dict[str, Any]:
    """TTLs and cache key of the component's cache policy.

    Default TTL = ``cache_ttl_seconds``; max TTL the same, so an origin ``Cache-Control: max-age`` can
    shorten caching but never stretch it and hide repeat clicks; min TTL 0, so ``no-cache`` is honoured.
    The key holds all query strings and the User-Agent (as SparkPost's guide asks: different browsers
    are different clicks); for SendGrid also the Host (the tracking domain) and all cookies. A TTL of 0
    disables caching, and CloudFront then refuses any cache-key contents: the key is empty and the
    origin-request policy alone forwards everything."""
    ttl = settings.cache_ttl_seconds
    if ttl == 0:
        parameters = {
            "headers_config": {"header_behavior": "none"},
            "cookies_config": {"cookie_behavior": "none"},
            "query_strings_config": {"query_string_behavior": "none"},
            "enable_accept_encoding_gzip": False,
            "enable_accept_encoding_brotli": False,
        }
    else:
        headers = ["Host", "User-Agent"] if settings.origin.sends_tracking_host else ["User-Agent"]
        parameters = {
            "headers_config": {"header_behavior": "whitelist", "headers": {"items": headers}},
            "cookies_config": {"cookie_behavior": "all" if settings.origin.profile.needs_cookies else "none"},
            "query_strings_config": {"query_string_behavior": "all"},
            "enable_accept_encoding_gzip": True,
            "enable_accept_encoding_brotli": True,
        }
    return {
        "default_ttl": ttl,
        "min_ttl": 0,
        "max_ttl": ttl,
        "parameters_in_cache_key_and_forwarded_to_origin": parameters,
    }


def origin_request_policy_id(settings: FrontDoorSettings) -> str:
    """AllViewer when the ESP needs the tracking domain as Host (SendGrid), else AllViewerExceptHostHeader:
    either way every viewer header (User-Agent included), cookie and query string reaches the ESP."""
    return ALL_VIEWER if settings.origin.sends_tracking_host else ALL_VIEWER_EXCEPT_HOST_HEADER


def _comment(text: str) -> str:
    """CloudFront comments hold at most 128 characters."""
    return text if len(text) <= 128 else text[:125] + "..."


def _validation_option(options: Sequence[Any], domain: str) -> Any:
    for option in options or ():
        if option.domain_name == domain:
            return option
    raise RuntimeError(f"ACM returned no DNS validation option for {domain}")


def _resolve_options(args: Any) -> dict[str, Any]:
    """The CloudFront-specific arguments, validated before anything registers."""
    zone = input_arg(args, "hosted_zone_id", "a Route 53 zone id such as 'Z0123456789ABC', or leave it out")
    certificate_arn = input_arg(args, "certificate_arn", f"an ACM certificate ARN ({ACM_ARN_EXAMPLE})")
    if isinstance(certificate_arn, str):
        match = _ACM_ARN.match(certificate_arn)
        if not match:
            raise InvalidArgument(
                "certificate_arn",
                f"{certificate_arn!r} is not an ACM certificate ARN ({ACM_ARN_EXAMPLE})",
            )
        if match["region"] != CERTIFICATE_REGION:
            raise InvalidArgument(
                "certificate_arn",
                f"the certificate is in {match['region']}; CloudFront only uses ACM certificates from "
                f"{CERTIFICATE_REGION}: request or import it there",
            )
    validated = plain_arg(args, "certificate_validated", bool, False)
    names = bounded_int_arg(
        args,
        "max_names_per_certificate",
        None,
        1,
        MAX_ALIASES_PER_DISTRIBUTION,
        note=f"default {DEFAULT_NAMES_PER_CERTIFICATE}, ACM's default quota; CloudFront takes at most 100 aliases "
        "per distribution",
    )
    price_class = plain_arg(args, "price_class", str, "PriceClass_All")
    record_type = plain_arg(args, "route_record_type", str, None)
    wait = plain_arg(args, "wait_for_deployment", bool, True)

    if validated and certificate_arn is not None:
        raise InvalidArgument(
            "certificate_validated",
            "conflicts with certificate_arn: a certificate you bring is attached at once; remove one of them",
        )
    if validated and zone is not None:
        raise InvalidArgument(
            "certificate_validated",
            "conflicts with hosted_zone_id: with a Route 53 zone the component validates and attaches the "
            "certificate itself; certificate_validated is step 2 of the DNS-elsewhere flow only",
        )
    if names is not None and certificate_arn is not None:
        raise InvalidArgument(
            "max_names_per_certificate",
            "conflicts with certificate_arn: with your own certificate all domains go on one distribution",
        )
    if price_class not in PRICE_CLASSES:
        raise InvalidArgument("price_class", f"{price_class!r} is not one of {', '.join(PRICE_CLASSES)}")
    if record_type is not None and record_type not in ROUTE_RECORD_TYPES:
        raise InvalidArgument("route_record_type", f"{record_type!r} is not one of {', '.join(ROUTE_RECORD_TYPES)}")
    if record_type is not None and zone is None:
        raise InvalidArgument(
            "route_record_type",
            "only applies with hosted_zone_id (the component creates route records only in a Route 53 zone)",
        )

    if certificate_arn is not None:
        max_domains = MAX_ALIASES_PER_DISTRIBUTION
        limit_reason = " with certificate_arn (one distribution takes at most 100 aliases)"
    else:
        max_domains = MAX_DOMAINS
        limit_reason = f" per component ({MAX_DOMAINS // MAX_ALIASES_PER_DISTRIBUTION} distributions of 100)"
    return {
        "hosted_zone_id": zone,
        "certificate_arn": certificate_arn,
        "certificate_validated": validated,
        "names_per_group": MAX_ALIASES_PER_DISTRIBUTION
        if certificate_arn is not None
        else (names or DEFAULT_NAMES_PER_CERTIFICATE),
        "price_class": price_class,
        "route_record_type": record_type or "alias",
        "wait_for_deployment": wait,
        "max_domains": max_domains,
        "limit_reason": limit_reason,
    }


def _domain_groups(domains: tuple[str, ...], options: dict[str, Any]) -> list[tuple[str, ...]]:
    """Split the domains, in the order given, into groups of ``names_per_group``: one certificate and one
    distribution each. Appending domains only fills the last group or adds a new one, so existing
    groups (their certificates, distributions and URNs) stay as they are.

    Each certificate's common name is the group's first domain of at most 64 characters (ACM's limit);
    the others are subject alternative names."""
    size = options["names_per_group"]
    groups = [domains[start : start + size] for start in range(0, len(domains), size)]
    if options["certificate_arn"] is not None:
        return groups
    ordered = []
    for group in groups:
        short = [d for d in group if len(d) <= MAX_CERTIFICATE_COMMON_NAME]
        if not short:
            raise InvalidArgument(
                "domains",
                f"every domain of the certificate group {list(group)} is longer than "
                f"{MAX_CERTIFICATE_COMMON_NAME} characters; ACM needs one of at most "
                f"{MAX_CERTIFICATE_COMMON_NAME} as the certificate's common name",
            )
        first = short[0]
        ordered.append((first, *[d for d in group if d != first]))
    return ordered


__all__ = ["CloudFrontTrackingDomain", "CloudFrontTrackingDomainArgs"]
