"""Every limit a component enforces, with the page of the service it comes from.

Pure data (no SDK import), the sibling of ``replacements.py`` and ``readiness.py``. A front-door module
takes its numbers from here (``QUOTAS["cloudfront.function-size"].value``) and refuses what goes beyond
them before anything is created, naming the argument; docs/limits.md prints :func:`markdown_table`
(a test keeps the two equal), and ``tests/test_quotas.py`` ties every row to the refusal (or, for a
limit the component cannot reach, to the largest configuration staying within it).

Each row says what is limited in the words of the service's quota or limits page, the number, whether the
service raises it on request (``adjustable``), the page it was read on, and how the component enforces
it. A number read in an API field's docstring is not a quota: where a field's bound and the quota page
disagree (CloudFront Function code: the API field takes 40960 bytes, the quota is 10 KB), the quota
page wins.

To add a limit (a new resource type, a platform-mode component): add a :class:`Quota` row here with its
page, read the number from ``QUOTAS`` in the module that enforces it, and add the row's check to
``tests/test_quotas.py`` (a test fails while a row has none). Limits a component does not enforce, and
why, are listed in :data:`NOT_ENFORCED`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    """One limit of a cloud service that a component enforces."""

    key: str
    """``<service>.<limit>``, e.g. ``cloudfront.function-size``."""
    service: str
    limit: str
    """What is limited, in the words of the service's page."""
    value: int
    unit: str
    adjustable: bool
    """Whether the service raises it on request (the number is then only its default)."""
    page: str
    """The title of the page it comes from."""
    url: str
    enforced: str
    """How the component enforces it, naming the argument a user changes."""
    reachable: bool = True
    """False: no configuration the component accepts can exceed it (a test shows the largest stays within)."""
    argument: str = ""
    """The argument that takes the number the service granted you, for a raisable limit (empty: none)."""

    def cited(self) -> str:
        """The limit, its number and its page, as a refusal or a warning quotes it."""
        raisable = ", raisable" if self.adjustable else ""
        return f"{self.service}: {self.limit}, {self.value:,} {self.unit}{raisable} ({self.page}, {self.url})"


@dataclass(frozen=True)
class Unenforced:
    """A limit of a service the components deliberately do not enforce."""

    service: str
    limit: str
    why: str
    page: str
    url: str


CLOUDFRONT_QUOTAS = ("Quotas - Amazon CloudFront (CloudFront Developer Guide)",
                     "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html")
ACM_QUOTAS = ("Quotas - AWS Certificate Manager (ACM User Guide)",
              "https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html")
GCP_LB_QUOTAS = ("Quotas and limits - Cloud Load Balancing", "https://cloud.google.com/load-balancing/docs/quotas")
GCP_CERTIFICATE_MANAGER = ("Quotas and limits - Certificate Manager",
                           "https://cloud.google.com/certificate-manager/docs/quotas")
GCP_MAP_ENTRIES = ("Manage certificate map entries - Certificate Manager ('a maximum of four certificates')",
                   "https://cloud.google.com/certificate-manager/docs/map-entries")
AZURE_LIMITS = ("Azure subscription and service limits, quotas, and constraints: Azure Front Door Standard and Premium "
                "tier service limits",
                "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/azure-subscription-service-"
                "limits#azure-front-door-standard-and-premium-tier-service-limits")
AZURE_ROUTING_LIMITS = ("Front Door routing limits", "https://learn.microsoft.com/en-us/azure/frontdoor/front-door-routing-limits")
FASTLY_LIMITS = ("Network services resource limits (Fastly)", "https://docs.fastly.com/products/network-services-resource-limits")
FASTLY_SNIPPETS = ("About VCL Snippets (Fastly): Limitations of VCL Snippets", "https://docs.fastly.com/en/guides/about-vcl-snippets")
LETS_ENCRYPT = ("Rate Limits - Let's Encrypt", "https://letsencrypt.org/docs/rate-limits/")
CLOUDFLARE_EXPRESSIONS = ("Rule expressions - Cloudflare Ruleset Engine: maximum rule expression length",
                          "https://developers.cloudflare.com/ruleset-engine/rules-language/expressions/")
CLOUDFLARE_ADVANCED = ("Advanced certificates - Cloudflare SSL/TLS",
                       "https://developers.cloudflare.com/ssl/edge-certificates/advanced-certificate-manager/")
CLOUDFLARE_PAGE_RULES = ("Page Rules - Cloudflare Rules: Availability", "https://developers.cloudflare.com/rules/page-rules/")
CLOUDFRONT_TENANT_API = ("UpdateDistributionTenant - Amazon CloudFront API Reference, Domains ('Each distribution "
                         "tenant can have up to 5 domains'; the quotas page lists 100 aliases per tenant, which the API "
                         "does not take)",
                         "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistributionTenant.html")
CLOUDFLARE_SAAS_PLANS = ("Plans - Cloudflare for SaaS (Hostnames included, Max hostnames)",
                         "https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/plans/")
APPLE_AASA = ("Branch status: Apple's 128 KB limit on the apple-app-site-association file (iOS 9.3.1; Apple's own "
              "wording was not found)", "http://status.branch.io/incidents/b0c19p6hpq58")

_QUOTAS: tuple[Quota, ...] = (
    Quota("cloudfront.function-size", "Amazon CloudFront", "Maximum size of a CloudFront Function (its code)",
          10 * 1024, "bytes", False, *CLOUDFRONT_QUOTAS,
          "app_links: the function holding both files is refused beyond it, with its size; CreateFunction would "
          "answer FunctionSizeLimitExceeded (413) halfway through pulumi up"),
    Quota("cloudfront.aliases-per-distribution", "Amazon CloudFront", "Alternate domain names (CNAMEs) per distribution",
          100, "names", True, *CLOUDFRONT_QUOTAS,
          "max_names_per_certificate at most 100; with certificate_arn, at most 100 domains"),
    Quota("acm.names-per-certificate", "AWS Certificate Manager", "Number of domain names per ACM certificate",
          10, "names", True, *ACM_QUOTAS,
          "the default of max_names_per_certificate: 10 domains per certificate and distribution (raise both "
          "once ACM has raised yours, up to 100)"),
    Quota("gcp.managed-certificate-domains", "Google Cloud Load Balancing",
          "Domains per Google-managed SSL certificate", 100, "domains", False, *GCP_LB_QUOTAS,
          "certificates='classic': domains_per_certificate at most 100"),
    Quota("gcp.certificates-per-https-proxy", "Google Cloud Load Balancing",
          "SSL certificates per target HTTPS or target SSL proxy", 15, "certificates", False, *GCP_LB_QUOTAS,
          "certificates='classic': at most 15 x domains_per_certificate domains (certificate-manager has no such "
          "limit: a certificate map holds the certificates)"),
    Quota("gcp.certificates-per-map-entry", "Google Cloud Certificate Manager",
          "Certificates per certificate map entry", 4, "certificates", False, *GCP_MAP_ENTRIES,
          "by construction: each domain's map entry holds its one certificate", reachable=False),
    Quota("azure.custom-domains-standard", "Azure Front Door", "Maximum custom domains per profile (Standard tier)",
          100, "domains", False, *AZURE_LIMITS, "sku Standard_AzureFrontDoor (the default): at most 100 domains"),
    Quota("azure.custom-domains-premium", "Azure Front Door", "Maximum custom domains per profile (Premium tier)",
          500, "domains", False, *AZURE_LIMITS, "sku Premium_AzureFrontDoor: at most 500 domains"),
    Quota("azure.composite-routes", "Azure Front Door", "Composite route metric per profile", 5000, "(composite metric)",
          False, *AZURE_ROUTING_LIMITS,
          "by construction: at most 10 per domain (the ESP route, the app-link and well-known routes on HTTP and "
          "HTTPS, the cache override), so 500 domains make 5000", reachable=False),
    Quota("fastly.domains-per-service", "Fastly", "Domains per service", 20, "domains", True, *FASTLY_LIMITS,
          "the default of domain_limit: more domains are refused naming domain_limit (raise it once Fastly has)"),
    Quota("fastly.snippet-size", "Fastly", "Size of a VCL snippet", 1024 * 1024, "bytes", True, *FASTLY_SNIPPETS,
          "by construction: the app-link snippet holds at most two 128 KB files as base64", reachable=False),
    Quota("letsencrypt.names-per-certificate", "Let's Encrypt", "Names per certificate", 100, "names", False,
          *LETS_ENCRYPT, "Fastly: domain_limit at most 100 (a shared TLS subscription is one certificate)"),
    Quota("cloudflare.expression-length", "Cloudflare", "Maximum rule expression length", 4096, "characters", False,
          *CLOUDFLARE_EXPRESSIONS, "by splitting: the tracking hosts are spread over as many rules as keep each "
          "expression within it"),
    Quota("cloudflare.advanced-certificate-hosts", "Cloudflare", "Covered hostnames of an advanced certificate "
          "(besides the zone apex)", 50, "hostnames", False, *CLOUDFLARE_ADVANCED,
          "by construction: each pack covers the zone apex and one tracking domain", reachable=False),
    Quota("cloudflare.page-rules-free", "Cloudflare", "Page rules of a Free plan zone", 3, "page rules", True,
          *CLOUDFLARE_PAGE_RULES,
          "mode='page_rules': the default of page_rule_limit (Pro 20, Business 50: set what your plan leaves free)"),
    Quota("cloudfront.distribution-tenants", "Amazon CloudFront", "Distribution tenants per AWS account (multi-tenant "
          "distributions)", 10_000, "distribution tenants", True, *CLOUDFRONT_QUOTAS,
          "platform mode: the default of tenant_quota; a tenant beyond it in one program is refused naming domains, "
          "80% of it is warned (tenants in other stacks count too)", argument="tenant_quota"),
    Quota("cloudfront.domains-per-tenant", "Amazon CloudFront", "Domains per distribution tenant", 5, "domains", False,
          *CLOUDFRONT_TENANT_API, "platform mode: a CloudFront tenant with more domains is refused naming domains"),
    Quota("cloudfront.kvs-value-size", "Amazon CloudFront", "Maximum size of the value in a key-value pair (key value "
          "stores)", 1024, "bytes", False, *CLOUDFRONT_QUOTAS,
          "platform mode: app_links of a CloudFront tenant, each file at most 1 KB"),
    Quota("cloudfront.kvs-key-size", "Amazon CloudFront", "Maximum size of a key in a key-value pair (key value stores)",
          512, "bytes", False, *CLOUDFRONT_QUOTAS,
          "by construction: a key is a tenant's domain (at most 253 characters) and a file's path", reachable=False),
    Quota("cloudfront.kvs-store-size", "Amazon CloudFront", "Maximum size of an individual key value store", 5 * 1024 * 1024,
          "bytes", False, *CLOUDFRONT_QUOTAS,
          "platform mode: the app-link files (keys and values) of one program's tenants; the tenant going past it is "
          "refused naming domains (give it another platform)"),
    Quota("cloudflare.saas-hostnames", "Cloudflare for SaaS", "Max hostnames per zone (Free, Pro and Business plans; "
          "Enterprise: more on request)", 50_000, "custom hostnames", True, *CLOUDFLARE_SAAS_PLANS,
          "platform mode: the default of hostname_quota; a tenant beyond it in one program is refused naming domains, "
          "80% of it is warned", argument="hostname_quota"),
    Quota("cloudflare.saas-included-hostnames", "Cloudflare for SaaS", "Hostnames included per zone (Free, Pro and "
          "Business plans; each one more is billed, $0.10 a month)", 100, "custom hostnames", False, *CLOUDFLARE_SAAS_PLANS,
          "platform mode: warned when one program's tenants pass it (each one more is billed)"),
    Quota("gcp.certificate-manager-writes", "Google Cloud Certificate Manager", "Write requests (CREATE, PATCH and "
          "DELETE) per minute per project", 300, "write requests", True, *GCP_CERTIFICATE_MANAGER,
          "platform mode: warned when one program's tenants need more (3 per domain): a first pulumi up of that many "
          "is throttled, onboard in batches"),
    Quota("apple.app-site-association-size", "Apple", "Size of the apple-app-site-association file", 128 * 1024,
          "bytes", False, *APPLE_AASA, "app_links: each file at most 128 KB (assetlinks.json too)"),
)

QUOTAS: dict[str, Quota] = {quota.key: quota for quota in _QUOTAS}
assert len(QUOTAS) == len(_QUOTAS), "one row per key"

NOT_ENFORCED: tuple[Unenforced, ...] = (
    Unenforced("Google Cloud Certificate Manager", "Certificates, DNS authorizations and certificate map entries per "
               "project (one of each per tracking domain)",
               "adjustable project quotas shared with everything else in the project: the component cannot know "
               "what is left; a quota error names the resource", *GCP_CERTIFICATE_MANAGER),
    Unenforced("Google Cloud Load Balancing", "URL map sizes (host rules, path matchers, path rules)",
               "a URL map of the front door holds one host rule, one path matcher and at most three path rules", *GCP_LB_QUOTAS),
    Unenforced("Amazon CloudFront", "Distributions per AWS account (200, adjustable)",
               "shared with the account's other distributions; the component makes one per domain group and stops at "
               "100 (1000 domains) of its own", *CLOUDFRONT_QUOTAS),
    Unenforced("Cloudflare", "Advanced certificates per zone",
               "no number for plans other than Enterprise (up to 100 edge certificates per zone with an ACM "
               "subscription) is on the page; one pack per tracking domain deeper than Universal SSL covers",
               *CLOUDFLARE_ADVANCED),
    Unenforced("Amazon CloudFront", "Multi-tenant distributions (20) and connection groups (100) per AWS account, "
               "adjustable", "shared with the account's other SaaS Manager resources; a platform makes one of each",
               *CLOUDFRONT_QUOTAS),
    Unenforced("Let's Encrypt", "New certificates per registered domain (50 a week)",
               "a rate over time, not a size: adding more than 50 Fastly domains of one registered domain in a week "
               "delays the rest; spread large additions over weeks", *LETS_ENCRYPT),
)


def quota(key: str) -> Quota:
    return QUOTAS[key]


def markdown_table() -> str:
    """The table docs/limits.md shows (a test keeps the page equal to it)."""
    lines = ["| Service | Limit | Value | Raisable | How the component enforces it | Source |",
             "|---|---|---|---|---|---|"]
    for row in _QUOTAS:
        lines.append(f"| {row.service} | {row.limit} | {row.value:,} {row.unit} | {'yes' if row.adjustable else 'no'} | "
                     f"{row.enforced} | [{row.page}]({row.url}) |")
    lines += ["", "Not enforced:", "", "| Service | Limit | Why not | Source |", "|---|---|---|---|"]
    for item in NOT_ENFORCED:
        lines.append(f"| {item.service} | {item.limit} | {item.why} | [{item.page}]({item.url}) |")
    return "\n".join(lines)


__all__ = ["NOT_ENFORCED", "QUOTAS", "Quota", "Unenforced", "markdown_table", "quota"]
