"""AWS CloudFront front door: ``CloudFrontTrackingDomain``.

CloudFront distribution(s) with an ACM certificate in us-east-1 in front of the ESP's tracking
endpoint, following SparkPost's CloudFront guide (seed ``000_*``) and Braze's SendGrid settings
(seeds ``003_*``/``004_*``), with cache and origin-request policies instead of the legacy
``forwarded_values``. Imports only ``pulumi_aws``.
(No ``from __future__ import annotations``: Pulumi's schema inference reads these annotations.)

Day two (adding and removing domains on a live stack) shapes the resources: every per-domain resource
is named after its domain (never a list index), a certificate group's certificate covers only the
domains that are ready to serve (validated), and a certificate whose group changes is replaced
create-before-delete, with its validation awaited before the distribution switches to it.
"""

import json
import re
from dataclasses import dataclass, replace
from typing import Any, NotRequired, Optional, Sequence

import pulumi
import pulumi_aws as aws

from .contract import (
    APP_LINKS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    WELL_KNOWN_ORIGIN,
    VALIDATION,
    ComponentNameRule,
    FrontDoorSettings,
    TrackingDomainArgs,
    TrackingDomainComponent,
    bounded_int_arg,
    check_component_name,
    cloud_output,
    collect_dns_records,
    dns_record,
    domain_subset_arg,
    input_arg,
    missing_from_the_cloud,
    plain_arg,
    resolve_settings,
    warn_zone_unchecked,
)
from .deep_links import WELL_KNOWN_PREFIX, DeepLinks
from .domains import in_zone, validate_hostname
from .errors import InvalidArgument
from .esp import CACHE_ORIGIN_HEADERS
from .esp import ORIGIN_HTTP as PLAIN_HTTP_ORIGIN
from .quotas import quota

CERTIFICATE_REGION = "us-east-1"
"""CloudFront only accepts ACM certificates from us-east-1, whatever the stack's region."""
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The Route 53 hosted zone of every CloudFront distribution, target of alias records."""
MAX_ALIASES_PER_DISTRIBUTION = quota("cloudfront.aliases-per-distribution").value
"""CloudFront's quota of alternate domain names (aliases) per distribution (quotas.py)."""
DEFAULT_NAMES_PER_CERTIFICATE = quota("acm.names-per-certificate").value
"""ACM's default quota of domain names per certificate (raisable up to 100 on request; quotas.py)."""
MAX_DOMAINS = 1000
"""At most 100 distributions per component (CloudFront's default quota is 200 per account)."""
MAX_CERTIFICATE_COMMON_NAME = 64
"""ACM refuses a certificate whose first domain name (the common name) exceeds 64 characters."""
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
CACHED_METHODS = ["GET", "HEAD"]
PRICE_CLASSES = ("PriceClass_All", "PriceClass_200", "PriceClass_100")
ROUTE_RECORD_TYPES = ("alias", "CNAME")
ORIGIN_ID = "esp"
ALIAS_RECORD_TYPE = "ALIAS"
"""How ``dns_records`` lists a Route 53 alias (an A and an AAAA record resolving to the distribution's
addresses, zone ``Z2FDTNDATAQYW2``): at another DNS provider, a CNAME to the same name (or that
provider's own ALIAS/ANAME type) does the same for a subdomain."""
ROUTE_CNAME_TTL = 300
VALIDATION_RECORD_TTL = 300
VALIDATION_RECORD_INPUTS_FROM_ACM = ["name", "records"]
"""Inputs of a validation record that ``ignore_changes`` keeps as they are. ACM gives each domain one
validation CNAME per account and reuses it for every later certificate naming that domain ("Each
record, created specifically for your domain and your account ... you can create replacement
certificates ... as long as the CNAME record remains in place",
https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html). When a domain joins a
certificate group, the group's certificate is replaced, and until the new one exists the record's
name reads as unknown: Pulumi would plan to replace every validation record of the group (a Route 53
record's name cannot change in place) and refuses to for a protected one. The values are the same
before and after, so the records keep theirs."""
STEP_TWO_VALIDATION_TIMEOUT = "15m"
"""With DNS elsewhere, a validated domain's CNAME already exists and ACM issues a certificate naming it
within minutes: waiting longer than this means a validation CNAME is missing, and the ``up`` fails
instead of hanging (the distribution keeps its current certificate)."""
ACM_VALIDATION_WINDOW_HOURS = 72
"""ACM tries to validate a new certificate for 72 hours, then marks it VALIDATION_TIMED_OUT
(https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/acm/aws.sdk.kotlin.services.acm.model/-certificate-detail/status.html)."""
PULUMI_NAME_SUFFIX = 8
"""Pulumi completes an auto-name with ``-`` and 7 random characters."""
MAX_COMPONENT_NAME = 128 - len("-cache") - PULUMI_NAME_SUFFIX
"""The component name starts the cache policy's name; CloudFront policy names hold at most 128 characters."""
APP_LINKS_FUNCTION_SUFFIX = "-app-links"
MAX_COMPONENT_NAME_WITH_APP_LINKS = 64 - len(APP_LINKS_FUNCTION_SUFFIX) - PULUMI_NAME_SUFFIX
"""With ``app_links`` the name also starts the CloudFront Function's, which holds at most 64 characters."""
COMPONENT_NAME = ComponentNameRule(
    starts="CloudFront resource names",
    # CloudFront function names "contain only alphanumeric characters, hyphens, and underscores, and must be
    # between 1 and 64 characters" (pulumi_aws ``cloudfront.Function`` ``name``); the console states the
    # same characters for policy names.
    pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),
    characters="ASCII letters, digits, '-' and '_', starting with a letter or digit",
    max_length=MAX_COMPONENT_NAME,
    why="the cache policy's name, '<name>-cache' plus Pulumi's 8-character suffix, must fit CloudFront's 128",
)
COMPONENT_NAME_WITH_APP_LINKS = replace(
    COMPONENT_NAME,
    max_length=MAX_COMPONENT_NAME_WITH_APP_LINKS,
    why=f"with app_links: the CloudFront Function's name, '<name>{APP_LINKS_FUNCTION_SUFFIX}' plus Pulumi's "
    "8-character suffix, must fit CloudFront's 64",
)

WELL_KNOWN_PATH_PATTERN = WELL_KNOWN_PREFIX + "*"
WELL_KNOWN_ORIGIN_ID = "well-known"
FUNCTION_RUNTIME = "cloudfront-js-2.0"
MAX_FUNCTION_CODE_BYTES = quota("cloudfront.function-size").value
"""CloudFront's quota on a function's size, 10 KB (quotas.py). The API field takes up to 40960 bytes (pulumi_aws
``cloudfront.Function`` ``code``), but the service answers larger code with FunctionSizeLimitExceeded."""
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""Managed cache policy CachingDisabled: ``/.well-known/*`` requests for your own origin are not cached
(and carry no tracking-domain Host to it)."""
WELL_KNOWN_ORIGIN_METHODS = ["GET", "HEAD", "OPTIONS"]

# Managed origin-request policies (ids are fixed by AWS; see "Use managed origin request policies").
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""Every viewer header except Host (so User-Agent reaches the ESP; Host is the ESP's own name), all
cookies, all query strings."""
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
"""Every viewer header including Host (the tracking domain, as SendGrid needs), all cookies, all query
strings."""

ORIGIN_CACHE_CONTROL_MAX_TTL = 31536000
"""With an ESP whose Cache-Control decides (Iterable), the longest an answer may be cached: one year,
Iterable's own maximum ("Object Caching: Use Origin Cache Headers", minimum 0, maximum 31536000,
https://support.iterable.com/hc/en-us/articles/115000427446)."""

SES_HTTPS_POLICIES = ("REQUIRE", "REQUIRE_OPEN_ONLY")
"""SES tracking options: REQUIRE (opens and clicks over HTTPS) or REQUIRE_OPEN_ONLY (opens over HTTPS,
clicks keep the link's protocol) -- "If REQUIRE, both open and click tracker uses HTTPS;
REQUIRE_OPEN_ONLY open tracker uses HTTPS and link tracker is same as original protocol"
(https://docs.aws.amazon.com/goto/WebAPI/sesv2-2019-09-27/PutConfigurationSetTrackingOptions). OPTIONAL
is SES without a front door: leave ``ses_configuration_sets`` out."""
_SES_CONFIGURATION_SET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""SES configuration set names: ASCII letters, digits, ``_`` and ``-``, at most 64 characters."""

ACM_ARN_EXAMPLE = "arn:aws:acm:us-east-1:<account>:certificate/<id>"
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")


class CloudFrontTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of ``CloudFrontTrackingDomain``: the common ones plus CloudFront's."""

    hosted_zone_id: NotRequired[pulumi.Input[str]]
    """Route 53 hosted zone holding the tracking domains. Given: the component creates the certificate
    validation records, waits for the certificate, and creates the route records itself. Not given:
    nothing waits; ``dns_records`` lists the records to create elsewhere (two-step flow, see
    ``validated_domains``)."""
    hosted_zone_name: NotRequired[str]
    """With ``hosted_zone_id``: the zone's DNS name (e.g. ``example.com``). Every tracking domain must be
    inside it, which is checked before anything is created (Route 53 would refuse the records only
    halfway through ``pulumi up``). Recommended."""
    validated_domains: NotRequired[list[str]]
    """DNS hosted elsewhere only: the tracking domains whose validation CNAME (listed in ``dns_records``)
    you have created. They are attached to the distributions with a certificate naming them, which the
    ``up`` waits for (at most 15 minutes). The others stay pending: a certificate that only reveals their
    validation CNAMEs is requested, nothing serving changes. Append a domain here once its CNAME exists."""
    certificate_validated: NotRequired[bool]
    """DNS hosted elsewhere only (default False): True is ``validated_domains`` listing every domain. Use it
    only while the domain list does not change; to add a domain to a live stack, list the live domains
    in ``validated_domains`` instead (nothing changes) and then append the new one to ``domains``."""
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
    distribution) or ``CNAME`` (a CNAME record)."""
    existing_route_records: NotRequired[list[str]]
    """With ``hosted_zone_id``: tracking domains whose name already has a CNAME in the zone, typically a
    live domain CNAMEd straight to the ESP. The component takes that CNAME over (Route 53
    ``allow_overwrite``) and points it at the distribution once the distribution serves the domain: one
    atomic switch, no gap. These domains get a CNAME route record whatever ``route_record_type`` says
    (Route 53 cannot replace a CNAME by alias A/AAAA records in one change); keep them listed."""
    wait_for_deployment: NotRequired[bool]
    """Wait until CloudFront reports the distribution Deployed before ``pulumi up`` completes (default
    True, so a finished ``up`` means the change is live at the edge; a few minutes per change)."""
    ses_configuration_sets: NotRequired[dict[str, str]]
    """``esp: ses`` only: SES configuration sets to create, by name, each with the tracking domain SES puts
    in its links (e.g. ``{"marketing": "click.example.com"}``). Each set's tracking options (custom
    redirect domain, ``ses_https_policy``) are set in ``esp_region`` only after the distribution serves
    that domain with an issued certificate (and, with ``hosted_zone_id``, its route record points at
    it): HTTPS links before then would all fail. The domain (or its parent domain) must be a verified
    SES identity. Send with the set (or make it your identity's default configuration set)."""
    ses_https_policy: NotRequired[str]
    """With ``ses_configuration_sets``: ``REQUIRE`` (default; opens and clicks over HTTPS) or
    ``REQUIRE_OPEN_ONLY`` (opens over HTTPS, clicks keep the link's own protocol)."""


class CloudFrontTrackingDomain(TrackingDomainComponent):
    """HTTPS tracking domains on AWS CloudFront: per group of up to ``max_names_per_certificate``
    domains one distribution and one DNS-validated ACM certificate (us-east-1), forwarding every
    method, path, query string and the real User-Agent to the ESP over HTTPS (TLS 1.2), caching for
    ``cache_ttl_seconds``, serving both HTTP and HTTPS. With a Route 53 zone it creates the validation
    and route records; without one it lists them in ``dns_records``.

    ESP profiles: ``ses`` is reached over plain HTTP (its documented exception, ``esp.SES``) with the
    tracking domain as Host; ``iterable*`` caching follows the endpoint's own Cache-Control, with
    ``cache_ttl_seconds`` only as the default.

    Deep links: a cache behavior for ``/.well-known/*`` (HTTP and HTTPS, never redirected) whose
    CloudFront Function answers the ``app_links`` files at the edge and passes every other request on,
    to the ESP or to ``well_known_origin``."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL, APP_LINKS, WELL_KNOWN_ORIGIN})

    distribution_ids: pulumi.Output[list[str]]
    """Ids of the CloudFront distributions, one per domain group, in group order."""
    distribution_domain_names: pulumi.Output[list[str]]
    """``*.cloudfront.net`` names of the distributions, in group order: the route CNAME targets. Per domain,
    ``route_targets`` gives the one its own distribution has."""
    certificate_arns: pulumi.Output[list[str]]
    """ARNs of the ACM certificates (us-east-1) serving (or, before validation, to serve) each group, in
    group order; the given ``certificate_arn`` if any."""
    aliases_attached: pulumi.Output[bool]
    """Whether every tracking domain is attached to a distribution with its certificate. False while a
    domain waits for validation (DNS elsewhere): do not point a domain at a distribution before it is
    attached (see ``pending_domains``)."""
    pending_domains: pulumi.Output[list[str]]
    """Tracking domains not attached yet (DNS elsewhere, validation CNAME not confirmed in
    ``validated_domains``); empty once every domain is served."""

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
        check_component_name(name, COMPONENT_NAME if settings.deep_links is None else COMPONENT_NAME_WITH_APP_LINKS)
        code = None if settings.deep_links is None else app_links_function_code(settings.deep_links)
        options.update(_domain_lists(args, settings.domains, options))
        groups = _domain_groups(settings.domains, _ready_domains(settings.domains, options), options)
        ses = _ses_tracking(args, settings, groups, options)
        super().__init__(name, settings, opts)
        self._name = name
        self._options = options

        cache_policy = self._cache_policy(settings)
        app_links = None if code is None else self._app_links_function(code)
        records: list[pulumi.Output] = []
        distributions: list[aws.cloudfront.Distribution] = []
        certificate_arns: list[pulumi.Input[str]] = []
        serving: dict[str, list[pulumi.Resource]] = {}  # per domain: its distribution and route records
        for index, group in enumerate(groups):
            suffix = "" if index == 0 else f"-{index + 1}"
            serving_arn, attached_arn = self._group_certificate(suffix, group, records)
            certificate_arns.append(serving_arn)
            distribution = self._distribution(suffix, settings, cache_policy, app_links, group.attached, attached_arn)
            distributions.append(distribution)
            for domain in group.domains:
                listed, created = self._route(domain, distribution)
                records.extend(listed)
                serving[domain] = [distribution, *created]
        if ses is not None:
            self._ses_configuration_sets(ses, serving)

        pending = [domain for group in groups for domain in group.domains if domain not in group.attached]
        if pending:
            pulumi.log.warn(_pending_message(pending), resource=self)
        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=collect_dns_records(records),
            distribution_ids=pulumi.Output.all(*[d.id for d in distributions]),
            distribution_domain_names=pulumi.Output.all(*[_domain_name(d) for d in distributions]),
            certificate_arns=pulumi.Output.all(*certificate_arns),
            aliases_attached=not pending,
            pending_domains=pending,
        )

    # --- the steps ------------------------------------------------------------------------------

    def _cache_policy(self, settings: FrontDoorSettings) -> aws.cloudfront.CachePolicy:
        return aws.cloudfront.CachePolicy(
            f"{self._name}-cache",
            comment=_comment(
                f"tracking-cdn {self._name}: {settings.cache_ttl_seconds}s TTL for {settings.origin.host}"
            ),
            **cache_policy_settings(settings),
            opts=self.child_opts(),
        )

    def _app_links_function(self, code: str) -> aws.cloudfront.Function:
        return aws.cloudfront.Function(
            f"{self._name}{APP_LINKS_FUNCTION_SUFFIX}",
            runtime=FUNCTION_RUNTIME,
            code=code,
            comment=_comment(f"tracking-cdn {self._name}: app-link files (apple-app-site-association, assetlinks.json)"),
            publish=True,
            # Serving: devices fetch the files from every tracking domain. A change of app_links updates the
            # code in place (same name, same ARN): the distributions keep their association.
            opts=self.child_opts(serving=True),
        )

    def _group_certificate(
        self, suffix: str, group: "DomainGroup", records: list[pulumi.Output]
    ) -> tuple[pulumi.Input[str], Optional[pulumi.Input[str]]]:
        """The certificate of one domain group: (its ARN, the ARN to attach once validated, or None
        while no domain of the group is attached). Appends the group's validation records to ``records``."""
        given = self._options["certificate_arn"]
        if given is not None:
            return given, given
        certificate = self._certificate(f"{self._name}-certificate{suffix}", group.certificate)
        fqdns = self._validation_records(certificate, group.certificate, records)
        if group.reveal:
            reveal = self._certificate(f"{self._name}-pending-certificate{suffix}", group.reveal)
            self._validation_records(reveal, [d for d in group.reveal if d not in group.attached], records)
        if not group.attached:
            return certificate.arn, None
        zone = self._options["hosted_zone_id"]
        validation = aws.acm.CertificateValidation(
            f"{self._name}-certificate-validation{suffix}",
            region=CERTIFICATE_REGION,
            certificate_arn=certificate.arn,
            validation_record_fqdns=fqdns or None,
            opts=self.child_opts(
                custom_timeouts=None if zone is not None else pulumi.CustomTimeouts(create=STEP_TWO_VALIDATION_TIMEOUT)
            ),
        )
        # The distribution takes the ARN from the validation: it switches certificates only once the
        # new one is issued (the old one is deleted after the switch: Pulumi creates before it deletes).
        return certificate.arn, validation.certificate_arn

    def _certificate(self, resource_name: str, domains: Sequence[str]) -> aws.acm.Certificate:
        """A DNS-validated certificate for ``domains`` (common name first)."""
        return aws.acm.Certificate(
            resource_name,
            region=CERTIFICATE_REGION,
            domain_name=domains[0],
            subject_alternative_names=list(domains[1:]),
            validation_method="DNS",
            key_algorithm="RSA_2048",
            tags={"tracking-cdn": self._name},
            # Not protected: AWS refuses to delete a certificate a distribution uses, and a group that
            # gains or loses a domain replaces its certificate (create first, then switch, then delete).
            opts=self.child_opts(),
        )

    def _validation_records(
        self, certificate: aws.acm.Certificate, domains: Sequence[str], records: list[pulumi.Output]
    ) -> list[pulumi.Output[str]]:
        """List each domain's validation CNAME; with a zone, create it and return the record FQDNs."""
        zone = self._options["hosted_zone_id"]
        fqdns: list[pulumi.Output[str]] = []
        for domain in domains:
            option = certificate.domain_validation_options.apply(
                lambda options_, domain=domain: _validation_option(options_, domain, certificate)
            )
            record_name, record_value = option.apply(lambda o: o[0]), option.apply(lambda o: o[1])
            records.append(dns_record(record_name, "CNAME", record_value, VALIDATION))
            if zone is None:
                continue
            validation_record = aws.route53.Record(
                f"{self._name}-validation-{domain}",
                zone_id=zone,
                name=record_name,
                type="CNAME",
                records=[record_value],
                ttl=VALIDATION_RECORD_TTL,
                # The CNAME may exist already (made by hand, or by an earlier certificate): it is the
                # same record, so taking it over is safe.
                allow_overwrite=True,
                # Serving: ACM renews the certificate through this record every year.
                opts=self.child_opts(serving=True, ignore_changes=VALIDATION_RECORD_INPUTS_FROM_ACM),
            )
            fqdns.append(validation_record.fqdn)
        return fqdns

    def _distribution(
        self,
        suffix: str,
        settings: FrontDoorSettings,
        cache_policy: aws.cloudfront.CachePolicy,
        app_links: Optional[aws.cloudfront.Function],
        aliases: Sequence[str],
        certificate_arn: Optional[pulumi.Input[str]],
    ) -> aws.cloudfront.Distribution:
        well_known = _well_known_behavior(settings, cache_policy, app_links)
        return aws.cloudfront.Distribution(
            f"{self._name}-distribution{suffix}",
            comment=_comment(f"tracking-cdn {self._name}{suffix}: tracking domains -> {settings.origin.host}"),
            enabled=True,
            aliases=list(aliases),
            origins=[
                _origin(ORIGIN_ID, settings.origin.host, origin_protocol_policy(settings)),
                *([_origin(WELL_KNOWN_ORIGIN_ID, settings.well_known_origin, "https-only")]
                  if settings.well_known_origin else []),
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
            # Only with app_links or well_known_origin, so a stack without them registers what it did before.
            ordered_cache_behaviors=[well_known] if well_known else None,
            viewer_certificate=(
                {
                    "acm_certificate_arn": certificate_arn,
                    "ssl_support_method": "sni-only",
                    "minimum_protocol_version": "TLSv1.2_2021",
                }
                if aliases
                else {"cloudfront_default_certificate": True}
            ),
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=self._options["price_class"],
            wait_for_deployment=self._options["wait_for_deployment"],
            tags={"tracking-cdn": self._name},
            opts=self.child_opts(serving=True),
        )

    def _route(
        self, domain: str, distribution: aws.cloudfront.Distribution
    ) -> tuple[list[pulumi.Output], list[aws.route53.Record]]:
        """The route record(s) of one tracking domain: (listed always, created in the zone when there is one)."""
        zone = self._options["hosted_zone_id"]
        takes_over = domain in self._options["existing_route_records"]
        target = _domain_name(distribution)
        if zone is None or takes_over or self._options["route_record_type"] == "CNAME":
            listed = [dns_record(domain, "CNAME", target, ROUTE)]
            if zone is None:
                return listed, []
            return listed, [aws.route53.Record(
                f"{self._name}-cname-{domain}",
                zone_id=zone,
                name=domain,
                type="CNAME",
                records=[target],
                ttl=ROUTE_CNAME_TTL,
                allow_overwrite=takes_over,
                opts=self.child_opts(serving=True),
            )]
        created = [
            aws.route53.Record(
                f"{self._name}-{record_type.lower()}-{domain}",
                zone_id=zone,
                name=domain,
                type=record_type,
                aliases=[
                    {"name": target, "zone_id": CLOUDFRONT_ZONE_ID, "evaluate_target_health": False}
                ],
                allow_overwrite=False,
                opts=self.child_opts(serving=True),
            )
            for record_type in ("A", "AAAA")
        ]
        # Listed as what it is: no DNS server accepts an A record holding a host name.
        return [dns_record(domain, ALIAS_RECORD_TYPE, target, ROUTE)], created

    def _ses_configuration_sets(self, ses: "SesTracking", serving: dict[str, list[pulumi.Resource]]) -> None:
        """One SES configuration set per entry, its tracking options pointing at the tracking domain, set
        only once the domain is served (SES's REQUIRE before then breaks every link; Pulumi creates a
        resource after everything in its ``depends_on`` and their own dependencies, so after the
        certificate validation the distribution waits for, and the distribution's deployment)."""
        for set_name, domain in ses.sets.items():
            aws.sesv2.ConfigurationSet(
                f"{self._name}-ses-{set_name}",
                region=ses.region,
                configuration_set_name=set_name,
                tracking_options={"custom_redirect_domain": domain, "https_policy": ses.https_policy},
                tags={"tracking-cdn": self._name},
                # Serving: every email sent with the set carries links to this domain; deleting the set
                # makes SES refuse mail that names it.
                opts=self.child_opts(serving=True, depends_on=serving[domain]),
            )


def cache_policy_settings(settings: FrontDoorSettings) -> dict[str, Any]:
    """TTLs and cache key of the component's cache policy.

    Default TTL = ``cache_ttl_seconds``; max TTL the same, so an origin ``Cache-Control: max-age`` can
    shorten caching but never stretch it and hide repeat clicks; min TTL 0, so ``no-cache`` is honoured.
    For an ESP whose guide says the origin's Cache-Control decides (Iterable), the max TTL is a year
    and ``cache_ttl_seconds`` applies only to answers without one.
    The key holds all query strings and the User-Agent (as SparkPost's guide asks: different browsers
    are different clicks); where the ESP routes on the tracking domain (SendGrid, SES, Iterable,
    Customer.io) also the Host, and all cookies where its guide forwards them. When nothing can be
    cached (every TTL 0), CloudFront refuses any cache-key contents: the key is empty and the
    origin-request policy alone forwards everything."""
    ttl = settings.cache_ttl_seconds
    follows_origin = settings.origin.profile.cache_mode == CACHE_ORIGIN_HEADERS
    max_ttl = ORIGIN_CACHE_CONTROL_MAX_TTL if follows_origin else ttl
    if max_ttl == 0:
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
        "max_ttl": max_ttl,
        "parameters_in_cache_key_and_forwarded_to_origin": parameters,
    }


def origin_protocol_policy(settings: FrontDoorSettings) -> str:
    """``https-only`` (TLS 1.2, CloudFront verifies the origin's certificate), except for an ESP whose
    endpoint is reached over plain HTTP as its documented exception (``ses``: see ``esp.SES``)."""
    return "http-only" if settings.origin.profile.origin_protocol == PLAIN_HTTP_ORIGIN else "https-only"


def _origin(origin_id: str, host: str, protocol_policy: str) -> dict[str, Any]:
    """A custom origin on ports 80/443, TLS 1.2 when over HTTPS (CloudFront then verifies its certificate
    against ``host``), Braze's timeouts (30 s read, 5 s keep-alive)."""
    return {
        "origin_id": origin_id,
        "domain_name": host,
        "custom_origin_config": {
            "http_port": 80,
            "https_port": 443,
            "origin_protocol_policy": protocol_policy,
            "origin_ssl_protocols": ["TLSv1.2"],
            "origin_read_timeout": 30,
            "origin_keepalive_timeout": 5,
        },
    }


def _well_known_behavior(
    settings: FrontDoorSettings, cache_policy: aws.cloudfront.CachePolicy, app_links: Optional[aws.cloudfront.Function]
) -> Optional[dict[str, Any]]:
    """The ``/.well-known/*`` cache behavior, or None without ``app_links`` and ``well_known_origin``.

    Viewer protocol ``allow-all`` whatever ``redirect_http_to_https`` says: Apple and Android refuse a
    redirect for the app-link files. The function (viewer request) answers those two files; every other
    ``/.well-known/*`` request goes on to ``well_known_origin`` (your own site: its own Host, not cached,
    GET/HEAD/OPTIONS) or to the ESP exactly as the default behavior sends it."""
    if app_links is None and settings.well_known_origin is None:
        return None
    behavior: dict[str, Any] = {"path_pattern": WELL_KNOWN_PATH_PATTERN, "viewer_protocol_policy": "allow-all",
                                "cached_methods": CACHED_METHODS, "compress": False}
    if settings.well_known_origin is not None:
        behavior.update(target_origin_id=WELL_KNOWN_ORIGIN_ID, allowed_methods=WELL_KNOWN_ORIGIN_METHODS,
                        cache_policy_id=CACHING_DISABLED, origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER)
    else:
        behavior.update(target_origin_id=ORIGIN_ID, allowed_methods=ALL_METHODS, cache_policy_id=cache_policy.id,
                        origin_request_policy_id=origin_request_policy_id(settings))
    if app_links is not None:
        behavior["function_associations"] = [{"event_type": "viewer-request", "function_arn": app_links.arn}]
    return behavior


def app_links_function_code(deep_links: DeepLinks) -> str:
    """The CloudFront Function (``cloudfront-js-2.0``, viewer request) answering the app-link files: 200,
    ``content-type: application/json``, the exact bytes of ``deep_links``; any other request is returned
    unchanged, so CloudFront sends it on to the behavior's origin. Refuses, naming ``app_links`` with the
    function's size and CloudFront's quota, a function larger than CloudFront takes.

    The files are single-quoted JavaScript string literals (``js_string``): JSON is full of double quotes
    and holds few single ones, so most files take few more bytes as code than as JSON. A generated response
    is never cached by CloudFront, so a change shows at once (Apple's CDN still fetches the file within a
    day)."""
    files = ",\n".join(f"  {js_string(file.path)}: {js_string(file.text)}" for file in deep_links.files)
    code = (
        "// tracking-cdn: the app-link files, answered at the edge (200, application/json, never redirected).\n"
        "var FILES = {\n" + files + "\n};\n"
        "function handler(event) {\n"
        "  var request = event.request;\n"
        "  if (!Object.prototype.hasOwnProperty.call(FILES, request.uri)) {\n"
        "    return request;\n"
        "  }\n"
        "  return {\n"
        "    statusCode: 200,\n"
        "    statusDescription: \"OK\",\n"
        f"    headers: {{\"content-type\": {{value: {json.dumps(deep_links.files[0].content_type)}}}}},\n"
        "    body: {encoding: \"text\", data: FILES[request.uri]}\n"
        "  };\n"
        "}\n"
    )
    size = len(code.encode("utf-8"))
    if size > MAX_FUNCTION_CODE_BYTES:
        raise InvalidArgument(
            "app_links",
            f"the files ({deep_links.total_bytes} bytes of JSON) make a CloudFront Function of {size} bytes, and "
            f"CloudFront's quota on a function is {MAX_FUNCTION_CODE_BYTES} bytes (10 KB, not adjustable: "
            "docs/limits.md); shorten the files (fewer paths or apps, no whitespace), or serve them from your own "
            "site with well_known_origin instead",
        )
    return code


JS_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def js_string(text: str) -> str:
    """``text`` as a single-quoted JavaScript string literal that reads back as exactly ``text``."""
    return "'" + "".join(JS_ESCAPES.get(character, character) for character in text) + "'"


def origin_request_policy_id(settings: FrontDoorSettings) -> str:
    """AllViewer when the ESP needs the tracking domain as Host (SendGrid), else AllViewerExceptHostHeader:
    either way every viewer header (User-Agent included), cookie and query string reaches the ESP."""
    return ALL_VIEWER if settings.origin.sends_tracking_host else ALL_VIEWER_EXCEPT_HOST_HEADER


def _comment(text: str) -> str:
    """CloudFront comments hold at most 128 characters."""
    return text if len(text) <= 128 else text[:125] + "..."


def _domain_name(distribution: aws.cloudfront.Distribution) -> pulumi.Output[str]:
    """The distribution's ``*.cloudfront.net`` name, which CloudFront assigns."""
    return cloud_output(
        distribution, "domainName", distribution.domain_name,
        f"CloudFront returned no domain name for the distribution {distribution.pulumi_resource_name}",
    )


def _validation_option(options: Sequence[Any], domain: str, certificate: aws.acm.Certificate) -> tuple[str, str]:
    """The name and value of the validation CNAME ACM asks for ``domain``."""
    for option in options or ():
        if option.domain_name == domain and option.resource_record_name and option.resource_record_value:
            return option.resource_record_name, option.resource_record_value
    missing = missing_from_the_cloud(
        f"domainValidationOptions entry for {domain}", certificate, f"ACM returned no DNS validation option for {domain}"
    )
    return missing, missing


def _pending_message(pending: list[str]) -> str:
    shown = ", ".join(pending[:5]) + (f" and {len(pending) - 5} more" if len(pending) > 5 else "")
    return (
        f"Step 1 of 2 (DNS hosted elsewhere): {len(pending)} domain(s) wait for certificate validation and are "
        f"not attached yet ({shown}). Create their 'validation' CNAMEs listed in dns_records, then add the "
        "domains to validated_domains and run `pulumi up` again (ACM tries for "
        f"{ACM_VALIDATION_WINDOW_HOURS} hours; the CNAME stays valid after that). Do not point a domain at a "
        "distribution before it is attached: it does not answer for that name yet."
    )


def _resolve_options(args: Any) -> dict[str, Any]:
    """The CloudFront-specific arguments, validated before anything registers."""
    zone = input_arg(args, "hosted_zone_id", "a Route 53 zone id such as 'Z0123456789ABC', or leave it out")
    zone_name = plain_arg(args, "hosted_zone_name", str)
    certificate_arn = certificate_arn_arg(args)
    validated = plain_arg(args, "certificate_validated", bool, False)
    validated_domains = plain_arg(args, "validated_domains", list)
    existing_routes = plain_arg(args, "existing_route_records", list)
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

    for key, given in (("certificate_validated", validated), ("validated_domains", validated_domains is not None)):
        if given and certificate_arn is not None:
            raise InvalidArgument(
                key, "conflicts with certificate_arn: a certificate you bring is attached at once; remove one of them"
            )
        if given and zone is not None:
            raise InvalidArgument(
                key,
                "conflicts with hosted_zone_id: with a Route 53 zone the component validates and attaches the "
                f"certificate itself; {key} is for DNS hosted elsewhere only",
            )
    if validated and validated_domains is not None:
        raise InvalidArgument(
            "certificate_validated",
            "conflicts with validated_domains: certificate_validated: true means every domain; list the "
            "validated ones in validated_domains and remove certificate_validated",
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
    for key, given in (
        ("route_record_type", record_type is not None),
        ("hosted_zone_name", zone_name is not None),
        ("existing_route_records", existing_routes is not None),
    ):
        if given and zone is None:
            raise InvalidArgument(
                key, "only applies with hosted_zone_id (the component creates records only in a Route 53 zone)"
            )
    if zone is not None and zone_name is None:
        warn_zone_unchecked("hosted_zone_id", "hosted_zone_name", "Route 53")

    if certificate_arn is not None:
        max_domains = MAX_ALIASES_PER_DISTRIBUTION
        limit_reason = " with certificate_arn (one distribution takes at most 100 aliases)"
    else:
        max_domains = MAX_DOMAINS
        limit_reason = f" per component ({MAX_DOMAINS // MAX_ALIASES_PER_DISTRIBUTION} distributions of 100)"
    return {
        "hosted_zone_id": zone,
        "hosted_zone_name": None if zone_name is None else validate_hostname(zone_name, argument="hosted_zone_name"),
        "certificate_arn": certificate_arn,
        "certificate_validated": validated,
        "validated_domains": validated_domains,
        "names_per_group": MAX_ALIASES_PER_DISTRIBUTION
        if certificate_arn is not None
        else (names or DEFAULT_NAMES_PER_CERTIFICATE),
        "price_class": price_class,
        "route_record_type": record_type or "alias",
        "wait_for_deployment": wait,
        "max_domains": max_domains,
        "limit_reason": limit_reason,
    }


def certificate_arn_arg(args: Any) -> Optional[pulumi.Input[str]]:
    """``args["certificate_arn"]``: an ACM certificate ARN in us-east-1 (or an Output of one), or None;
    a plain ARN of another form or region is refused naming ``certificate_arn``."""
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
    return certificate_arn


@dataclass(frozen=True)
class SesTracking:
    """The SES configuration sets to create (``ses_configuration_sets``), validated."""

    sets: dict[str, str]
    """Configuration set name -> the tracking domain in its links."""
    https_policy: str
    region: str
    """The SES region (``esp_region``): a configuration set lives in the region mail is sent from."""


def _ses_tracking(
    args: Any, settings: FrontDoorSettings, groups: list["DomainGroup"], options: dict[str, Any]
) -> Optional[SesTracking]:
    """``ses_configuration_sets`` and ``ses_https_policy``, refused where they would break links."""
    sets = plain_arg(args, "ses_configuration_sets", dict)
    policy = plain_arg(args, "ses_https_policy", str)
    if sets is None:
        if policy is not None:
            raise InvalidArgument("ses_https_policy", "only applies with ses_configuration_sets")
        return None
    if settings.origin.profile.name != "ses":
        raise InvalidArgument(
            "ses_configuration_sets", f"only for esp 'ses' (SES configuration sets), not {settings.origin.profile.name!r}"
        )
    if not sets:
        raise InvalidArgument("ses_configuration_sets", "give at least one {configuration set name: tracking domain}")
    if policy is not None and policy not in SES_HTTPS_POLICIES:
        raise InvalidArgument("ses_https_policy", f"{policy!r} is not one of {', '.join(SES_HTTPS_POLICIES)}")
    region = plain_arg(args, "esp_region", str)
    if region is None:
        raise InvalidArgument("esp_region", "ses_configuration_sets are created in the SES region: give esp_region")
    if not options["wait_for_deployment"]:
        raise InvalidArgument(
            "ses_configuration_sets",
            "needs wait_for_deployment (the default): SES must switch to HTTPS links only once CloudFront serves "
            "the domain, or every link fails",
        )
    attached = {domain for group in groups for domain in group.attached}
    resolved = {}
    for set_name, value in sets.items():
        key = f"ses_configuration_sets.{set_name}"
        if not isinstance(set_name, str) or not _SES_CONFIGURATION_SET_NAME.match(set_name):
            raise InvalidArgument(
                key, "a configuration set name is 1 to 64 ASCII letters, digits, '_' and '-' (e.g. 'marketing')"
            )
        domain = validate_hostname(value, argument=key)
        if domain not in settings.domains:
            raise InvalidArgument(key, f"{value!r} is not one of the tracking domains in domains")
        if domain not in attached:
            raise InvalidArgument(
                key,
                f"{domain!r} is not attached yet (DNS elsewhere, step 1): SES would send HTTPS links the front door "
                "does not serve; add the domain to validated_domains first, then this",
            )
        resolved[set_name] = domain
    return SesTracking(resolved, policy or SES_HTTPS_POLICIES[0], region.strip().lower())


def _domain_lists(args: Any, domains: tuple[str, ...], options: dict[str, Any]) -> dict[str, Any]:
    """Checks that need ``domains``: every domain inside ``hosted_zone_name``; ``validated_domains``
    and ``existing_route_records`` naming tracking domains (returned normalised)."""
    zone_name = options["hosted_zone_name"]
    for index, domain in enumerate(domains):
        if zone_name is not None and not in_zone(domain, zone_name):
            raise InvalidArgument(
                f"domains[{index}]",
                f"{domain!r} is not inside hosted_zone_name {zone_name!r}: Route 53 refuses records outside the "
                "zone; use a component per zone, or leave hosted_zone_id out and create the records yourself",
            )
    given = options["validated_domains"] is not None
    return {
        "validated_domains": domain_subset_arg(args, "validated_domains", domains) if given else None,
        "existing_route_records": domain_subset_arg(args, "existing_route_records", domains),
    }


def _ready_domains(domains: tuple[str, ...], options: dict[str, Any]) -> set[str]:
    """The tracking domains to attach now: all of them with a zone, a certificate of your own or
    ``certificate_validated``; with DNS elsewhere, those in ``validated_domains``."""
    if options["validated_domains"] is not None:
        return set(options["validated_domains"])
    attached_at_once = options["hosted_zone_id"] is not None or options["certificate_arn"] is not None
    return set(domains) if attached_at_once or options["certificate_validated"] else set()


@dataclass(frozen=True)
class DomainGroup:
    """The domains of one distribution and what its certificates cover, each list common name first."""

    domains: tuple[str, ...]
    attached: tuple[str, ...]
    """Served now: the distribution's aliases, and the names of its certificate."""
    certificate: tuple[str, ...]
    """The names of the group's certificate: the attached domains; while none is attached (DNS elsewhere,
    step 1), the whole group, whose validation CNAMEs are then the ones to create."""
    reveal: tuple[str, ...]
    """Once some domains are attached, the names of a certificate that only reveals the validation
    CNAMEs of the pending ones (nothing uses it; when ACM times it out after 72 hours nothing is lost:
    the CNAME stays the same for the next certificate naming the domain). Empty otherwise."""


def _domain_groups(domains: tuple[str, ...], ready: set[str], options: dict[str, Any]) -> list[DomainGroup]:
    """Split the domains, in the order given, into groups of ``names_per_group``: one certificate and one
    distribution each. Appending domains only fills the last group or adds a new one, so existing
    groups (their distributions and URNs) stay as they are."""
    size = options["names_per_group"]
    chunks = [domains[start : start + size] for start in range(0, len(domains), size)]
    if options["certificate_arn"] is not None:
        return [DomainGroup(chunk, chunk, chunk, ()) for chunk in chunks]
    groups = []
    for chunk in chunks:
        ordered = _common_name_first(chunk, "domains")
        attached = tuple(d for d in ordered if d in ready)
        pending = tuple(d for d in ordered if d not in ready)
        if attached:
            attached = _common_name_first(attached, "validated_domains")
        reveal: tuple[str, ...] = ()
        if attached and pending:
            # named by a pending domain of at most 64 characters, else by the group's (attached) common name
            named = any(len(d) <= MAX_CERTIFICATE_COMMON_NAME for d in pending)
            reveal = _common_name_first(pending if named else (ordered[0], *pending), "domains")
        groups.append(DomainGroup(ordered, attached, attached or ordered, reveal))
    return groups


def _common_name_first(domains: Sequence[str], argument: str) -> tuple[str, ...]:
    """``domains`` with the first one of at most 64 characters first: ACM's limit on a certificate's
    common name (its first domain); the others are subject alternative names."""
    short = [d for d in domains if len(d) <= MAX_CERTIFICATE_COMMON_NAME]
    if not short:
        hint = "; validate a shorter domain of the group first" if argument == "validated_domains" else ""
        raise InvalidArgument(
            argument,
            f"every domain of the certificate group {list(domains)} is longer than "
            f"{MAX_CERTIFICATE_COMMON_NAME} characters; ACM needs one of at most "
            f"{MAX_CERTIFICATE_COMMON_NAME} as the certificate's common name{hint}",
        )
    return (short[0], *[d for d in domains if d != short[0]])


__all__ = ["CloudFrontTrackingDomain", "CloudFrontTrackingDomainArgs"]
