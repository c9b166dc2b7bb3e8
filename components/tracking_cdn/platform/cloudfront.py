"""CloudFront SaaS Manager: ``CloudFrontTrackingPlatform`` and ``CloudFrontTrackingTenant``.

The platform is a multi-tenant distribution (the ESP as its origin, the cache and origin-request
policies of the single-sender front door, ``tracking_cdn.aws``) and a connection group, whose routing
endpoint every tenant's domains are CNAMEd to. A tenant is one distribution tenant with the customer's
domains and a CloudFront-managed certificate, HTTP-validated by CloudFront itself once the customer's
CNAME points at the routing endpoint: the only record the customer creates.

The DNS flow, in two ``pulumi up``s (docs/platform.md, CloudFront):

1. The tenant is created with its managed-certificate request and nothing waits: the provider's own
   wait for deployment would wait for the certificate, up to 3 hours (terraform-provider-aws
   ``internal/service/cloudfront/distribution_tenant.go``, ``waitManagedCertificateReady``).
2. Once the CNAME exists and the certificate is issued, ``validated: true`` attaches the certificate
   (CloudFront issues it, the tenant must then name it: ``customizations.certificate.arn``, found by
   its primary domain in ACM) and waits until the tenant is deployed with it.

Imports only ``pulumi_aws``. (No ``from __future__ import annotations``: Pulumi's schema inference
reads these annotations.)
"""

import json
from typing import Any, NotRequired, Optional

import pulumi
import pulumi_aws as aws

from ..aws import (
    ALL_METHODS,
    CACHED_METHODS,
    CERTIFICATE_REGION,
    COMPONENT_NAME,
    COMPONENT_NAME_WITH_APP_LINKS,
    FUNCTION_RUNTIME,
    ORIGIN_ID,
    WELL_KNOWN_PATH_PATTERN,
    _origin,
    cache_policy_settings,
    certificate_arn_arg,
    origin_protocol_policy,
    origin_request_policy_id,
)
from ..contract import (
    APP_LINKS,
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    AppLinks,
    FrontDoorSettings,
    bounded_int_arg,
    check_component_name,
    cloud_output,
    collect_dns_records,
    dns_record,
    missing_from_the_cloud,
    plain_arg,
)
from ..deep_links import CONTENT_TYPE, WellKnownFile
from ..errors import InvalidArgument
from ..quotas import quota as cited_quota
from . import (
    PlatformLink,
    QuotaCounter,
    TrackingPlatformArgs,
    TrackingPlatformComponent,
    TrackingTenantArgs,
    TrackingTenantComponent,
    resolve_platform_settings,
    resolve_tenant_settings,
)

DISTRIBUTION_TENANTS = cited_quota("cloudfront.distribution-tenants")
DOMAINS_PER_TENANT = cited_quota("cloudfront.domains-per-tenant")
KVS_VALUE_BYTES = cited_quota("cloudfront.kvs-value-size")
KVS_STORE_BYTES = cited_quota("cloudfront.kvs-store-size")

KIND = "cloudfront"
CERTIFICATE_LOOKUP = "aws:acm/getCertificate:getCertificate"
ACTIVE_DOMAIN = "active"
"""A distribution tenant's domain status once it serves (``inactive`` before)."""
VALIDATION_TOKEN_HOST = "cloudfront"
"""CloudFront serves the HTTP validation token itself once the domain points at it ("Choose this mode
if you can point the domain's DNS to CloudFront immediately", ManagedCertificateDetails.ValidationTokenHost).
The other value, ``self-hosted``, needs the token on the domain's current server: for a tracking
domain that is the ESP's, which cannot serve it (bring ``certificate_arn`` instead)."""
TENANT_PARAMETER = "tracking_tenant"
"""terraform-provider-aws requires a multi-tenant distribution's ``tenant_config``
(multitenant_distribution.go: "TenantConfig must be specified"): one optional parameter, used by no
setting, naming the tenant in CloudFront's console."""
APP_LINKS_FUNCTION_CODE = """\
// tracking-cdn: each tenant's app-link files, from the key value store (key: host + path), answered
// at the edge (200, application/json, never redirected); every other request goes on to the ESP.
import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const request = event.request;
  const host = request.headers.host ? request.headers.host.value.toLowerCase() : '';
  let body;
  try {
    body = await kvs.get(host + request.uri);
  } catch (missing) {
    return request;
  }
  return {
    statusCode: 200,
    statusDescription: 'OK',
    headers: {'content-type': {value: %s}},
    body: {encoding: 'text', data: body}
  };
}
""" % json.dumps(CONTENT_TYPE)


class CloudFrontTrackingPlatformArgs(TrackingPlatformArgs):
    """Arguments of ``CloudFrontTrackingPlatform``: the common platform ones plus CloudFront's."""

    certificate_arn: NotRequired[pulumi.Input[str]]
    """An ACM certificate in us-east-1 for the platform's own names, attached to the multi-tenant
    distribution with SNI and the TLSv1.2_2021 security policy. Default: CloudFront's default
    certificate (tenants present their own managed certificates; see docs/platform.md for what the
    security policy is then)."""
    tenant_app_links: NotRequired[bool]
    """Let tenants answer app-link files (their ``app_links``): a CloudFront key value store holding each
    tenant's files and a function answering them on ``/.well-known/*`` (default False)."""
    tenant_quota: NotRequired[int]
    """Distribution tenants this AWS account may have (default 10000, CloudFront's default quota):
    raise it to what AWS granted you. A program giving the platform more is refused."""
    wait_for_deployment: NotRequired[bool]
    """Wait until CloudFront reports the distribution and connection group deployed before ``pulumi up``
    completes (default True)."""


class CloudFrontTrackingPlatform(TrackingPlatformComponent):
    """The shared CloudFront front door of a platform: a multi-tenant distribution forwarding every
    method, path, query string and the real User-Agent to the ESP over HTTPS (TLS 1.2), caching for
    ``cache_ttl_seconds``, serving HTTP and HTTPS, and a connection group (IPv6, HTTP/2 and 3) whose
    routing endpoint every tenant's domains are CNAMEd to."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL})
    kind = KIND

    distribution_id: pulumi.Output[str]
    """Id of the multi-tenant distribution."""
    connection_group_id: pulumi.Output[str]
    """Id of the connection group the tenants are in."""
    routing_endpoint: pulumi.Output[str]
    """The connection group's routing endpoint (``*.cloudfront.net``): every tenant's domains are CNAMEd to it."""

    def __init__(
        self, name: str, args: CloudFrontTrackingPlatformArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        settings = resolve_platform_settings(args, CloudFrontTrackingPlatformArgs)
        app_links = plain_arg(args, "tenant_app_links", bool, False)
        check_component_name(name, COMPONENT_NAME_WITH_APP_LINKS if app_links else COMPONENT_NAME)
        certificate_arn = certificate_arn_arg(args)
        quota = bounded_int_arg(args, "tenant_quota", DISTRIBUTION_TENANTS.value, 1)
        wait = plain_arg(args, "wait_for_deployment", bool, True)
        super().__init__(name, settings, opts)
        self.tenant_counter = QuotaCounter(DISTRIBUTION_TENANTS, quota)
        self.app_link_bytes = QuotaCounter(KVS_STORE_BYTES, KVS_STORE_BYTES.value)
        self.tenant_app_links = app_links

        cache_policy = aws.cloudfront.CachePolicy(
            f"{name}-cache",
            comment=f"tracking-cdn {name}: {settings.cache_ttl_seconds}s TTL for {settings.origin.host}"[:128],
            **cache_policy_settings(settings),
            opts=self.child_opts(),
        )
        store, function = self._app_links(name) if app_links else (None, None)
        connection_group = aws.cloudfront.ConnectionGroup(
            f"{name}-connection-group",
            enabled=True,
            ipv6_enabled=True,
            wait_for_deployment=wait,
            tags={"tracking-cdn": name},
            opts=self.child_opts(serving=True),
        )
        distribution = aws.cloudfront.MultitenantDistribution(
            f"{name}-distribution",
            **multitenant_distribution_args(name, settings, cache_policy.id, function, certificate_arn),
            tags={"tracking-cdn": name},
            opts=self.child_opts(serving=True),
        )
        routing_endpoint = cloud_output(
            connection_group, "routingEndpoint", connection_group.routing_endpoint,
            f"CloudFront returned no routing endpoint for the connection group {connection_group.pulumi_resource_name}",
        )
        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=[],
            tenant_config=pulumi.Output.all(
                distribution.id, connection_group.id, routing_endpoint, _store_arn_of(store) if store else ""
            ).apply(lambda values: {
                "kind": KIND, "platform": name, "origin_host": settings.origin.host, "esp": settings.origin.profile.name,
                "distribution_id": values[0], "connection_group_id": values[1], "routing_endpoint": values[2],
                "app_links_store": values[3],
            }),
            distribution_id=distribution.id,
            connection_group_id=connection_group.id,
            routing_endpoint=routing_endpoint,
        )

    def _app_links(self, name: str) -> tuple[aws.cloudfront.KeyValueStore, aws.cloudfront.Function]:
        """The key value store of the tenants' app-link files and the function answering them; both
        serving (every tenant's devices fetch the files through them)."""
        store = aws.cloudfront.KeyValueStore(
            f"{name}-app-links",
            comment=f"tracking-cdn {name}: the tenants' app-link files (key: host + path)",
            opts=self.child_opts(serving=True),
        )
        function = aws.cloudfront.Function(
            f"{name}-app-links",
            runtime=FUNCTION_RUNTIME,
            code=APP_LINKS_FUNCTION_CODE,
            comment=f"tracking-cdn {name}: the tenants' app-link files",
            publish=True,
            key_value_store_associations=[store.arn],
            opts=self.child_opts(serving=True),
        )
        return store, function


def multitenant_distribution_args(
    name: str, settings: FrontDoorSettings, cache_policy_id: pulumi.Input[str],
    app_links: Optional[aws.cloudfront.Function], certificate_arn: Optional[pulumi.Input[str]],
) -> dict[str, Any]:
    """The multi-tenant distribution: the single-sender front door's origin and behaviors
    (``tracking_cdn.aws``), in the shape multi-tenant distributions take (origin ``id``, a list of
    custom origin configs, allowed methods as one object); ``/.well-known/*`` through the app-link
    function when there is one, never redirected (Apple and Android refuse a redirect)."""
    origin = _origin(ORIGIN_ID, settings.origin.host, origin_protocol_policy(settings))
    behavior = {
        "target_origin_id": ORIGIN_ID,
        "allowed_methods": {"items": ALL_METHODS, "cached_methods": CACHED_METHODS},
        "cache_policy_id": cache_policy_id,
        "origin_request_policy_id": origin_request_policy_id(settings),
        "compress": False,
    }
    well_known = None if app_links is None else [{
        **behavior,
        "path_pattern": WELL_KNOWN_PATH_PATTERN,
        "viewer_protocol_policy": "allow-all",
        "function_associations": [{"event_type": "viewer-request", "function_arn": app_links.arn}],
    }]
    return {
        "comment": f"tracking-cdn {name}: tenants' tracking domains -> {settings.origin.host}"[:128],
        "enabled": True,
        "origins": [{
            "id": origin["origin_id"], "domain_name": origin["domain_name"],
            "custom_origin_configs": [origin["custom_origin_config"]],
        }],
        "default_cache_behavior": {
            **behavior,
            "viewer_protocol_policy": "redirect-to-https" if settings.redirect_http_to_https else "allow-all",
        },
        "cache_behaviors": well_known,
        "viewer_certificate": (
            {"acm_certificate_arn": certificate_arn, "ssl_support_method": "sni-only",
             "minimum_protocol_version": "TLSv1.2_2021"}
            if certificate_arn is not None else {"cloudfront_default_certificate": True}
        ),
        "restrictions": {"geo_restriction": {"restriction_type": "none"}},
        "http_version": "http2and3",
        "tenant_config": {"parameter_definitions": [{
            "name": TENANT_PARAMETER,
            "definitions": [{"string_schemas": [{
                "required": False, "default_value": "-", "comment": "the tracking-cdn tenant (not used in routing)",
            }]}],
        }]},
    }


class CloudFrontTrackingTenantArgs(TrackingTenantArgs):
    """Arguments of ``CloudFrontTrackingTenant``: the common tenant ones plus CloudFront's."""

    app_links: NotRequired[AppLinks]
    """App-link files this tenant's domains answer (``apple_app_site_association`` and/or
    ``android_asset_links``), from the platform's key value store: needs the platform's
    ``tenant_app_links``; each file at most 1 KB (the store's limit on a value)."""
    certificate_arn: NotRequired[pulumi.Input[str]]
    """An ACM certificate in us-east-1 covering every domain of the tenant, already issued (DNS-validated
    beforehand): used instead of a CloudFront-managed one, for a live domain whose DNS cannot move to
    CloudFront before a certificate exists. Default: a CloudFront-managed certificate."""


class CloudFrontTrackingTenant(TrackingTenantComponent):
    """One customer of a ``CloudFrontTrackingPlatform``: a distribution tenant with the customer's
    domains (at most 5) in the platform's connection group, and a CloudFront-managed certificate
    requested for exactly those names. ``dns_records`` holds the one record the customer creates per
    domain, a CNAME to the routing endpoint, through which CloudFront also validates the certificate."""

    supports = frozenset({APP_LINKS})

    distribution_tenant_id: pulumi.Output[str]
    """Id of the distribution tenant."""

    def __init__(
        self, name: str, args: CloudFrontTrackingTenantArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        tenant = resolve_tenant_settings(name, args, CloudFrontTrackingTenantArgs,
                                         domains_quota=DOMAINS_PER_TENANT)
        link = PlatformLink(args.get("platform"), CloudFrontTrackingPlatform)
        certificate_arn = certificate_arn_arg(args)
        files = app_link_files(tenant.common)
        if files and link.component is not None and not link.component.tenant_app_links:
            raise InvalidArgument(
                "app_links", f"the platform {link.component._name!r} has no key value store for them: set its "
                "tenant_app_links to true first",
            )
        link.count_tenant(name, 1)
        stored = app_link_bytes(tenant.common.domains, files)
        if files and link.component is not None:
            link.component.app_link_bytes.add(name, stored)
        super().__init__(tenant, opts)
        domains = tenant.common.domains

        keys = [self._app_link(domain, file, link) for domain in domains for file in files]
        distribution_tenant = aws.cloudfront.DistributionTenant(
            f"{name}-distribution-tenant",
            name=pulumi.Output.concat(link.get("platform"), "-", name),
            distribution_id=link.get("distribution_id"),
            connection_group_id=link.get("connection_group_id"),
            domains=[{"domain": domain} for domain in domains],
            enabled=True,
            **self._certificate(domains, certificate_arn, tenant.validated),
            tags={"tracking-cdn": name},
            # Its app-link files exist before the tenant serves them.
            opts=self.child_opts(serving=True, depends_on=keys or None),
        )
        routing_endpoint = link.get("routing_endpoint")
        self.publish_tenant_outputs(
            link,
            collect_dns_records([dns_record(domain, "CNAME", routing_endpoint, ROUTE) for domain in domains]),
            distribution_tenant.domains.apply(lambda found: _domain_statuses(domains, found)),
            ACTIVE_DOMAIN,
            distribution_tenant_id=distribution_tenant.id,
        )

    def _certificate(
        self, domains: tuple[str, ...], certificate_arn: Optional[pulumi.Input[str]], validated: bool
    ) -> dict[str, Any]:
        """The certificate inputs: a certificate of your own, attached at once; else a managed one,
        requested without waiting (step 1), then attached once validated (step 2)."""
        if certificate_arn is not None:
            return {"customizations": {"certificate": {"arn": certificate_arn}}, "wait_for_deployment": True}
        inputs: dict[str, Any] = {
            "managed_certificate_request": {
                "primary_domain_name": domains[0],
                "validation_token_host": VALIDATION_TOKEN_HOST,
                "certificate_transparency_logging_preference": "enabled",
            },
            "wait_for_deployment": validated,
        }
        if validated:
            issued = aws.acm.get_certificate_output(
                domain=domains[0], statuses=["ISSUED"], most_recent=True, region=CERTIFICATE_REGION,
                opts=pulumi.InvokeOutputOptions(parent=self),
            )
            inputs["customizations"] = {"certificate": {"arn": issued.arn.apply(
                lambda arn: arn or missing_from_the_cloud(
                    "certificate ARN", f"the data source {CERTIFICATE_LOOKUP} (domain {domains[0]!r}, ISSUED)",
                    f"ACM has no issued certificate for {domains[0]}: wait until the tenant's status is active "
                    "before setting validated",
                ))}}
        return inputs

    def _app_link(self, domain: str, file: WellKnownFile, link: PlatformLink) -> aws.cloudfront.KeyvaluestoreKey:
        """One file of one domain in the platform's key value store, under the key its function looks up."""
        store = link.get("app_links_store").apply(lambda arn: _store_arn(arn, self.tenant.name))
        return aws.cloudfront.KeyvaluestoreKey(
            f"{self.tenant.name}-{file.path.rsplit('/', 1)[1]}-{domain}",
            key_value_store_arn=store,
            key=store_key(domain, file),
            value=file.text,
            opts=self.child_opts(serving=True),
        )


def app_link_files(settings: FrontDoorSettings) -> tuple[WellKnownFile, ...]:
    """The tenant's app-link files, each refused naming ``app_links`` when larger than a key value
    store value may be."""
    files = settings.deep_links.files if settings.deep_links is not None else ()
    for file in files:
        if len(file.body) > KVS_VALUE_BYTES.value:
            raise InvalidArgument(
                "app_links", f"{file.path} is {len(file.body)} bytes; a key value store value holds at most "
                f"{KVS_VALUE_BYTES.value} ({KVS_VALUE_BYTES.cited()})",
            )
    return files


def store_key(domain: str, file: WellKnownFile) -> str:
    """The key value store key of one file on one domain: the host and the path, as the platform's
    function looks it up."""
    return f"{domain}{file.path}"


def app_link_bytes(domains: tuple[str, ...], files: tuple[WellKnownFile, ...]) -> int:
    """What the tenant's files take in the platform's key value store (keys and values). A key, a domain
    and a file's path, stays within the store's 512 bytes by construction (quotas.py)."""
    return sum(len(store_key(domain, file).encode()) + len(file.body) for domain in domains for file in files)


def _store_arn_of(store: aws.cloudfront.KeyValueStore) -> pulumi.Output[str]:
    """The ARN CloudFront gives the platform's key value store."""
    return cloud_output(store, "arn", store.arn, f"CloudFront returned no ARN for the key value store {store.pulumi_resource_name}")


def _store_arn(arn: str, tenant: str) -> str:
    if not arn:
        raise InvalidArgument(
            "app_links", f"tenant {tenant!r}: its platform has no key value store for app-link files (set the "
            "platform's tenant_app_links to true first)",
        )
    return arn


def _domain_statuses(domains: tuple[str, ...], found: Any) -> dict[str, str]:
    """Each domain's status as the distribution tenant reports it (``inactive`` until it serves)."""
    reported = {}
    for item in found or []:
        domain = item.get("domain") if isinstance(item, dict) else getattr(item, "domain", None)
        status = item.get("status") if isinstance(item, dict) else getattr(item, "status", None)
        reported[domain] = status or ""
    return {domain: reported.get(domain, "") for domain in domains}


__all__ = [
    "CloudFrontTrackingPlatform", "CloudFrontTrackingPlatformArgs", "CloudFrontTrackingTenant",
    "CloudFrontTrackingTenantArgs",
]
