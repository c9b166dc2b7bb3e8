"""The tenant and hostname quotas of each platform product, each with the page it is read from.

Pure data, no Pulumi import: the one place platform mode's numbers live (the quota table of the
zero-downtime work can take these rows as they are). A platform refuses or warns, before anything is
registered, when one program goes past them (``tracking_cdn.platform.QuotaCounter``); quotas that no
program can count (per account, across stacks) are documented in docs/platform.md.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOUDFRONT_QUOTAS = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"
CLOUDFRONT_TENANT_API = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistributionTenant.html"
CLOUDFLARE_SAAS_PLANS = "https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/plans/"
CLOUDFLARE_SAAS_QUOTAS = "https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/quotas-and-billing/"
CERTIFICATE_MANAGER_QUOTAS = "https://cloud.google.com/certificate-manager/docs/quotas"


@dataclass(frozen=True)
class Quota:
    """One quota: its default value, what it counts and where it is stated."""

    product: str
    unit: str
    """What is counted, plural (``distribution tenants``)."""
    default: int
    scope: str
    """Per what (``per AWS account``)."""
    adjustable: bool
    source: str
    """The page stating it, with the section or row."""
    argument: str = ""
    """The platform argument that raises the limit to the quota the cloud granted you (empty: none)."""

    def cited(self) -> str:
        adjustable = ", adjustable" if self.adjustable else ""
        return f"{self.product}: {self.default:,} {self.unit} {self.scope}{adjustable}; {self.source}"


CLOUDFRONT_DISTRIBUTION_TENANTS = Quota(
    "CloudFront", "distribution tenants", 10_000, "per AWS account", True,
    f"{CLOUDFRONT_QUOTAS}, Quotas on multi-tenant distributions", "tenant_quota",
)
CLOUDFRONT_MULTITENANT_DISTRIBUTIONS = Quota(
    "CloudFront", "multi-tenant distributions", 20, "per AWS account", True,
    f"{CLOUDFRONT_QUOTAS}, Quotas on multi-tenant distributions",
)
CLOUDFRONT_CONNECTION_GROUPS = Quota(
    "CloudFront", "connection groups", 100, "per AWS account", True,
    f"{CLOUDFRONT_QUOTAS}, Quotas on multi-tenant distributions",
)
CLOUDFRONT_DOMAINS_PER_TENANT = Quota(
    "CloudFront", "domains", 5, "per distribution tenant", False,
    f"{CLOUDFRONT_TENANT_API} (Domains: 'Each distribution tenant can have up to 5 domains'; the quotas page lists "
    "100 aliases per distribution tenant, adjustable, but the API takes 5)",
)
CLOUDFRONT_KVS_VALUE_BYTES = Quota(
    "CloudFront", "bytes", 1024, "per value of a key value store", False,
    f"{CLOUDFRONT_QUOTAS}, Quotas on key value stores (maximum size of the value in a key-value pair: 1 KB)",
)
CLOUDFRONT_KVS_KEY_BYTES = Quota(
    "CloudFront", "bytes", 512, "per key of a key value store", False,
    f"{CLOUDFRONT_QUOTAS}, Quotas on key value stores",
)
CLOUDFRONT_KVS_STORE_BYTES = Quota(
    "CloudFront", "bytes", 5 * 1024 * 1024, "per key value store", False,
    f"{CLOUDFRONT_QUOTAS}, Quotas on key value stores (maximum size of an individual key value store: 5 MB)",
)
CLOUDFLARE_INCLUDED_HOSTNAMES = Quota(
    "Cloudflare for SaaS", "custom hostnames", 100, "included per zone on Free, Pro and Business plans "
    "(then $0.10 a month each)", False, f"{CLOUDFLARE_SAAS_PLANS} (Hostnames included; Price per additional hostname)",
)
CLOUDFLARE_MAX_HOSTNAMES = Quota(
    "Cloudflare for SaaS", "custom hostnames", 50_000, "per zone on Free, Pro and Business plans (Enterprise: "
    "more on request)", True,
    f"{CLOUDFLARE_SAAS_PLANS} (Max hostnames); past the API enforcement threshold creation is refused: "
    f"{CLOUDFLARE_SAAS_QUOTAS}", "hostname_quota",
)
CERTIFICATE_MANAGER_WRITES = Quota(
    "Certificate Manager", "write requests", 300, "per minute per project", True,
    f"{CERTIFICATE_MANAGER_QUOTAS}, Rate quotas (CREATE, PATCH and DELETE calls)",
)

ALL: tuple[Quota, ...] = (
    CLOUDFRONT_DISTRIBUTION_TENANTS, CLOUDFRONT_MULTITENANT_DISTRIBUTIONS, CLOUDFRONT_CONNECTION_GROUPS,
    CLOUDFRONT_DOMAINS_PER_TENANT, CLOUDFRONT_KVS_VALUE_BYTES, CLOUDFRONT_KVS_KEY_BYTES, CLOUDFRONT_KVS_STORE_BYTES,
    CLOUDFLARE_INCLUDED_HOSTNAMES, CLOUDFLARE_MAX_HOSTNAMES, CERTIFICATE_MANAGER_WRITES,
)
"""Every quota platform mode knows, for the docs' table."""

