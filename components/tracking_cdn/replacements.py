"""Which input changes replace a resource: the table ``tracking-cdn plan --against`` decides with.

Pure data and pure functions (no SDK import), one entry per resource type token the components
register. A change of an input replaces the resource when its property path matches a forcing path of
the type (what the provider marks ``ForceNew`` / ``RequiresReplace`` / ``forceNew``); every other change
is an update in place. Paths use the wire names of the plan document (camelCase for bridged and
azure-native providers, the dynamic provider's own keys), ``.`` into objects and ``[]`` into list
elements (``origins[].domainName``). A path matches a changed path when one is a prefix of the other:
a change deep inside a forcing block forces, and so does adding or removing the whole block.

Each rule cites where it was read: the Terraform provider a bridged Pulumi provider wraps
(pulumi-aws 7.x wraps terraform-provider-aws 6.x, pulumi-gcp 10.x terraform-provider-google, whose
compute resources are generated from magic-modules, pulumi-cloudflare 6.x terraform-provider-cloudflare
5.x, pulumi-fastly terraform-provider-fastly), pulumi-azure-native's own differ, or our dynamic
provider's ``diff``. ``confirmed=False`` marks a rule inferred rather than read in that source (the
source named is where to confirm it); ``tests/test_replacements_aws_terraform.py`` checks every AWS
verdict the day-two scenarios reach against terraform-provider-aws itself.

Beside the forcing rules, an entry holds the API rules its provider does not check (``refusals``: a step
the provider plans, the cloud's API refuses, so ``pulumi up`` fails on it) and the lists whose order
matters (``ordered``: every other list is a set of names, shown as the names added and removed).

What the table cannot hold, and the diff therefore cannot see, is in docs/plan-and-diff.md: rules that
depend on live state (``condition``), API-side refusals nobody has written down here, defaults a
provider fills in.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

# --- sources --------------------------------------------------------------------------------------

AWS_SOURCE = "hashicorp/terraform-provider-aws"
ACM_CERTIFICATE_SOURCE = f"{AWS_SOURCE} internal/service/acm/certificate.go (ForceNew: true)"
ACM_VALIDATION_SOURCE = f"{AWS_SOURCE} internal/service/acm/certificate_validation.go"
ROUTE53_RECORD_SOURCE = f"{AWS_SOURCE} internal/service/route53/record.go (name, zone_id: ForceNew: true)"
CLOUDFRONT_TENANT_API = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionTenant.html"
AWS_REGION_SOURCE = (
    "https://hashicorp.github.io/terraform-provider-aws/enhanced-region-support (6.x per-resource region; "
    "a resource moves region only by replacement)"
)
MAGIC_MODULES = "GoogleCloudPlatform/magic-modules mmv1/products"
STORAGE_OBJECT_SOURCE = (
    "hashicorp/terraform-provider-google google/services/storage/resource_storage_bucket_object.go (ForceNew: true)"
)
IMMUTABLE = "immutable: true (every field forces a new resource except those with an update_url)"
AZURE_DIFF_SOURCE = (
    "pulumi/pulumi-azure-native provider/pkg/provider/diff.go calculateDetailedDiff: every parameter of the "
    "resource's URL path forces replacement, and every property marked forceNew"
)
AZURE_FORCE_NEW_SOURCE = "pulumi/pulumi-azure-native provider/pkg/gen/replacement.go forceNewMap (Cdn/Profile)"
AZURE_MUTABILITY_SOURCE = (
    "pulumi/pulumi-azure-native provider/pkg/gen/replacement.go: create-only properties (x-ms-mutability "
    "without update) are forceNew; Microsoft.Cdn AFD spec, AFDDomainProperties.hostName"
)
AZURE_AFD_SPEC_SOURCE = (
    "Azure/azure-rest-api-specs specification/cdn/resource-manager/Microsoft.Cdn/stable/2024-09-01/afdx.json "
    "(AFDOriginGroupUpdatePropertiesParameters, AFDOriginUpdatePropertiesParameters, RouteUpdatePropertiesParameters, "
    "RuleUpdatePropertiesParameters: no x-ms-mutability, so no create-only property) and "
    "pulumi/pulumi-azure-native provider/pkg/gen/replacement.go forceNewMap (Cdn: Profile alone)"
)
AZURE_STORAGE_CUSTOM_SOURCE = (
    "pulumi/pulumi-azure-native provider/pkg/resources/customresources/custom_storage.go (StorageAccountStaticWebsite: "
    "update = createOrUpdate; Blob: WillReplaceOnChanges / ForceNew on source, contentMd5, type)"
)
CLOUDFLARE_SOURCE = "cloudflare/terraform-provider-cloudflare internal/services"
FASTLY_SUBSCRIPTION_SOURCE = "fastly/terraform-provider-fastly fastly/resource_fastly_tls_subscription.go"
FASTLY_SERVICE_SOURCE = (
    "fastly/terraform-provider-fastly fastly/base_fastly_service.go (no ForceNew attribute; resourceServiceUpdate "
    "clones the active version) and fastly/block_fastly_service_*.go (blocks created, updated or deleted in that version)"
)
SPARKPOST_SOURCE = "components/tracking_cdn/sparkpost.py SparkPostTrackingDomainProvider.replace_on (rest.py diff)"
KEYCDN_REPLACE_ON = ("name", "api_base_url")
"""The KeyCDN zone and alias providers' ``replace_on`` as the table copies it (a test keeps them equal)."""
KEYCDN_SOURCE = "components/tracking_cdn/keycdn.py KeyCdnZoneProvider/KeyCdnZoneAliasProvider.replace_on (rest.py diff)"
KEYCDN_ZONE_SOURCE = (
    f"{KEYCDN_SOURCE}; every other setting is an Edit Zone, PUT /zones/{{id}}.json (keycdn.com/api; 'Changed Edit "
    "Zone to not require name parameter', 2016-07-22); a zone's URL is <zone name>-<hex id>.kxcdn.com "
    "(keycdn.com/support/x-forwarded-host), so a new name is a new zone the CNAMEs must move to"
)
KEYCDN_ALIAS_SOURCE = (
    f"{KEYCDN_SOURCE}; zone_id is an Edit Zone Alias, PUT /zonealiases/{{id}}.json (keycdn.com/api, Zone Aliases API)"
)
FASTLY_FORCE_SOURCE = (
    "pulumi_fastly TlsSubscription force_update, force_destroy ('... even if it has active domains'); Fastly CLI "
    "tls-subscription update --force, https://fastly.com/documentation/reference/cli/tls-subscription/update"
)


@dataclass(frozen=True)
class Rule:
    """One input path whose change replaces the resource."""

    path: str
    source: str
    confirmed: bool = True
    """False: inferred, not read in ``source``; confirm there."""
    condition: str = ""
    """Set when the provider replaces only in some live state the offline diff cannot see (it then
    reports an update with this caveat)."""


@dataclass(frozen=True)
class ApiRule:
    """A step the provider plans and the cloud's API refuses: ``pulumi up`` fails on it, so the diff
    makes it a blocker. ``action`` ``update``: an update that changes one of ``paths`` while the new
    inputs do not set ``unless`` true. ``delete``: a delete (a replacement deletes the old resource too)
    while the deployed inputs do not set ``unless`` true."""

    action: str
    refusal: str
    """What the API refuses, and when (a user reads it next to the step)."""
    source: str
    remedy: str
    """The safe path: what to change instead."""
    unless: str = ""
    paths: tuple[str, ...] = ()

    def refuses(self, action: str, changed_paths: Iterable[str], new_inputs: dict[str, Any],
                old_inputs: dict[str, Any]) -> bool:
        if self.action == "update":
            changed = [normalize_path(path) for path in changed_paths]
            return action == "update" and not new_inputs.get(self.unless) and any(
                paths_overlap(path, rule) for path in changed for rule in self.paths)
        return action in ("delete", "replace") and not old_inputs.get(self.unless)


@dataclass(frozen=True)
class TypeRules:
    """Replacement rules of one resource type."""

    type: str
    forces: tuple[Rule, ...] = ()
    every_input_forces: Optional[Rule] = None
    """Set (path ``*``) for resources the provider cannot update at all: every input forces, except
    ``updatable``."""
    updatable: tuple[str, ...] = ()
    conditional: tuple[Rule, ...] = ()
    recomputed_on_update: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(changed input path, outputs the provider marks unknown when it changes in place)."""
    delete_before_replace_unless: Optional[tuple[str, ...]] = None
    """Set when the provider itself asks for delete-before-replace: always (``()``), or unless one of
    these inputs changes too."""
    refusals: tuple[ApiRule, ...] = ()
    ordered: tuple[str, ...] = ()
    """List inputs whose order matters (shown by position); every other list is compared as a set."""
    source: str = ""
    """Where the whole entry was read: that no input besides the rules forces a replacement."""
    confirmed: bool = True
    """False: that no other input forces is inferred, not read in ``source``."""
    notes: str = ""

    def forcing_rule(self, changed_path: str) -> Optional[Rule]:
        """The rule a change at ``changed_path`` (list indices allowed) triggers, or None (an update)."""
        path = normalize_path(changed_path)
        for rule in self.forces:
            if paths_overlap(path, rule.path):
                return rule
        if self.every_input_forces is not None and not any(paths_overlap(path, keep) for keep in self.updatable):
            return self.every_input_forces
        return None

    def condition_for(self, changed_path: str) -> Optional[Rule]:
        path = normalize_path(changed_path)
        return next((rule for rule in self.conditional if paths_overlap(path, rule.path)), None)

    def refusal(self, action: str, changed_paths: Iterable[str], new_inputs: dict[str, Any],
                old_inputs: dict[str, Any]) -> Optional[ApiRule]:
        """The API rule that refuses this step, or None."""
        paths = list(changed_paths)
        return next((rule for rule in self.refusals if rule.refuses(action, paths, new_inputs, old_inputs)), None)

    def recomputed_outputs(self, changed_paths: Iterable[str]) -> tuple[str, ...]:
        paths = [normalize_path(path) for path in changed_paths]
        return tuple(sorted({
            output
            for trigger, outputs in self.recomputed_on_update
            for path in paths
            if paths_overlap(path, trigger)
            for output in outputs
        }))


def normalize_path(path: str) -> str:
    """``origins[0].domainName`` -> ``origins[].domainName``."""
    return re.sub(r"\[\d+\]", "[]", path)


def paths_overlap(changed: str, rule: str) -> bool:
    """Whether a change at ``changed`` touches ``rule``: equal, or one inside the other."""
    def inside(inner: str, outer: str) -> bool:
        return inner == outer or inner.startswith(outer + ".") or inner.startswith(outer + "[]")

    return inside(changed, rule) or inside(rule, changed)


def _rules(type_token: str, source: str, *paths: str, confirmed: bool = True, **more: Any) -> TypeRules:
    return TypeRules(
        type_token, forces=tuple(Rule(path, source, confirmed) for path in paths), source=source,
        confirmed=confirmed, **more,
    )


def _immutable(type_token: str, yaml: str, *updatable: str, confirmed: bool = True, notes: str = "") -> TypeRules:
    source = f"{MAGIC_MODULES}/{yaml}: {IMMUTABLE}"
    return TypeRules(
        type_token, every_input_forces=Rule("*", source, confirmed), updatable=updatable, source=source,
        confirmed=confirmed, notes=notes,
    )


def _manager(resource: str, yaml: str, *immutable: str) -> TypeRules:
    """A Certificate Manager resource: its ``immutable: true`` fields force replacement, the rest
    (description, labels, a map entry's certificates) change with a PATCH."""
    name = resource[0].upper() + resource[1:]
    return _rules(f"gcp:certificatemanager/{resource}:{name}",
                  f"{MAGIC_MODULES}/certificatemanager/{yaml} (immutable: true)", *immutable)


def _azure(type_token: str, *path_parameters: str, extra: tuple[Rule, ...] = (), read_in: str = "") -> TypeRules:
    """An azure-native resource: its URL path parameters (the SDK's ``*_name`` arguments that name the
    resource and its parents) force replacement. That no body property is forceNew besides ``extra`` is
    confirmed where ``read_in`` names where it was read (the API spec's mutability and azure-native's
    forceNew list), unconfirmed otherwise."""
    return TypeRules(
        type_token, forces=tuple(Rule(p, AZURE_DIFF_SOURCE) for p in path_parameters) + extra,
        source=read_in or AZURE_DIFF_SOURCE, confirmed=bool(read_in),
    )


# --- the table ------------------------------------------------------------------------------------

_TABLE: tuple[TypeRules, ...] = (
    # AWS (CloudFront front door)
    TypeRules(
        "aws:acm/certificate:Certificate",
        forces=(
            *(Rule(path, ACM_CERTIFICATE_SOURCE) for path in (
                "domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm",
                "certificateAuthorityArn", "validationOptions")),
            Rule("region", AWS_REGION_SOURCE, confirmed=False),
        ),
        recomputed_on_update=(("domainName", ("domainValidationOptions",)),
                              ("subjectAlternativeNames", ("domainValidationOptions",))),
        source=ACM_CERTIFICATE_SOURCE,
        notes="CustomizeDiff sets domain_validation_options anew when the names change (a replacement anyway).",
    ),
    _rules("aws:acm/certificateValidation:CertificateValidation", ACM_VALIDATION_SOURCE,
           "certificateArn", "validationRecordFqdns", "region", confirmed=False),
    _rules("aws:cloudfront/cachePolicy:CachePolicy", f"{AWS_SOURCE} internal/service/cloudfront/cache_policy.go",
           confirmed=False, notes="No ForceNew attribute: every change is an UpdateCachePolicy."),
    _rules("aws:cloudfront/distribution:Distribution", f"{AWS_SOURCE} internal/service/cloudfront/distribution.go",
           confirmed=False, notes="No ForceNew attribute: every change is an UpdateDistribution."),
    _rules("aws:cloudfront/function:Function", f"{AWS_SOURCE} internal/service/cloudfront/function.go", "name",
           confirmed=False, notes="code, comment, runtime and publish change in place (UpdateFunction, then "
           "PublishFunction); the ARN keeps the name, so behaviors referencing it do not change."),
    _rules("aws:sesv2/configurationSet:ConfigurationSet",
           f"{AWS_SOURCE} internal/service/sesv2/configuration_set.go", "configurationSetName", "region",
           confirmed=False, notes="tracking_options and tags change in place."),
    _rules("aws:route53/record:Record", ROUTE53_RECORD_SOURCE, "name", "zoneId",
           notes="type and records change in place (one ChangeResourceRecordSets batch)."),
    # AWS (CloudFront platform mode: SaaS Manager)
    _rules("aws:cloudfront/multitenantDistribution:MultitenantDistribution",
           f"{AWS_SOURCE} internal/service/cloudfront/multitenant_distribution.go", confirmed=False,
           notes="No RequiresReplace in its schema: every change is an update of the distribution config. "
           "Provider releases before hashicorp/terraform-provider-aws#48782 did not wait for the update's "
           "deployment, and some failed to update (#46034): docs/platform.md."),
    _rules("aws:cloudfront/connectionGroup:ConnectionGroup", f"{AWS_SOURCE} internal/service/cloudfront/connection_group.go "
           "(name: RequiresReplace)", "name",
           notes="enabled, ipv6_enabled and the Anycast IP list change in place."),
    TypeRules(
        "aws:cloudfront/distributionTenant:DistributionTenant",
        forces=(Rule("distributionId", f"{AWS_SOURCE} internal/service/cloudfront/distribution_tenant.go "
                                       "(distribution_id: RequiresReplace)"),),
        refusals=(ApiRule(
            "update", "CloudFront refuses to rename a distribution tenant: 'This name can't be updated after you "
            "create the distribution tenant' (CreateDistributionTenant, Name)", CLOUDFRONT_TENANT_API,
            "keep the tenant's name (its platform's name and its own): a new name is a new tenant, created beside "
            "the old one with the domains moved in a second step", paths=("name",)),),
        source=f"{AWS_SOURCE} internal/service/cloudfront/distribution_tenant.go",
        notes="Domains, the managed-certificate request, customizations and enabled change in place "
              "(UpdateDistributionTenant); wait_for_deployment and tags make no API call of their own.",
    ),
    _rules("aws:cloudfront/keyValueStore:KeyValueStore", f"{AWS_SOURCE} internal/service/cloudfront/key_value_store.go",
           "name", confirmed=False, notes="comment changes in place."),
    _rules("aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey",
           f"{AWS_SOURCE} internal/service/cloudfront/keyvaluestore_key.go", "key", "keyValueStoreArn",
           confirmed=False, notes="value changes in place (PutKey)."),
    # Google Cloud (load balancer front door)
    _immutable("gcp:compute/managedSslCertificate:ManagedSslCertificate", "compute/ManagedSslCertificate.yaml"),
    _immutable("gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint", "compute/GlobalNetworkEndpoint.yaml"),
    _immutable("gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup",
               "compute/GlobalNetworkEndpointGroup.yaml"),
    dataclasses.replace(
        _immutable("gcp:compute/targetHttpsProxy:TargetHttpsProxy", "compute/TargetHttpsProxy.yaml",
                   "sslCertificates", "certificateManagerCertificates", "certificateMap", "sslPolicy", "urlMap",
                   "quicOverride", "serverTlsPolicy"),
        # "the first certificate in the list of SSL certificates is considered the primary SSL certificate",
        # used when the client sends no SNI (https://cloud.google.com/compute/docs/load-balancing/http/ssl-certificates).
        ordered=("sslCertificates",),
    ),
    _immutable("gcp:compute/targetHttpProxy:TargetHttpProxy", "compute/TargetHttpProxy.yaml", "urlMap",
               confirmed=False, notes="By analogy with TargetHttpsProxy (setUrlMap)."),
    _immutable("gcp:compute/globalForwardingRule:GlobalForwardingRule", "compute/GlobalForwardingRule.yaml",
               "target", "labels", confirmed=False),
    _immutable("gcp:compute/globalAddress:GlobalAddress", "compute/GlobalAddress.yaml", "labels", confirmed=False),
    _rules("gcp:compute/backendService:BackendService", f"{MAGIC_MODULES}/compute/BackendService.yaml",
           "name", "project", confirmed=False, notes="Updated with a PUT of the whole resource."),
    _rules("gcp:compute/uRLMap:URLMap", f"{MAGIC_MODULES}/compute/UrlMap.yaml", "name", "project", confirmed=False),
    _rules("gcp:compute/sSLPolicy:SSLPolicy", f"{MAGIC_MODULES}/compute/SslPolicy.yaml",
           "name", "description", "project", confirmed=False),
    _manager("certificate", "Certificate.yaml", "name", "location", "scope", "selfManaged", "managed", "tags", "project"),
    _manager("certificateMapEntry", "CertificateMapEntry.yaml", "name", "map", "hostname", "matcher", "tags", "project"),
    _manager("dnsAuthorization", "DnsAuthorization.yaml", "name", "location", "domain", "type", "tags", "project"),
    _rules("gcp:certificatemanager/certificateMap:CertificateMap", f"{MAGIC_MODULES}/certificatemanager/CertificateMap.yaml",
           "name", "tags", "project", confirmed=False, notes="By analogy with the map's entries: description and "
           "labels change in place."),
    _rules("gcp:compute/backendBucket:BackendBucket", f"{MAGIC_MODULES}/compute/BackendBucket.yaml",
           "name", "project", confirmed=False, notes="bucket_name, enable_cdn and the rest change with a PUT."),
    _rules("gcp:storage/bucket:Bucket",
           "hashicorp/terraform-provider-google google/services/storage/resource_storage_bucket.go",
           "name", "location", "project", confirmed=False,
           notes="ACL mode, public access prevention and the rest change with a PATCH."),
    TypeRules(
        "gcp:storage/bucketObject:BucketObject",
        forces=(
            *(Rule(path, STORAGE_OBJECT_SOURCE) for path in (
                "content", "contentType", "contentEncoding", "contentLanguage", "source", "detectMd5hash")),
            *(Rule(path, STORAGE_OBJECT_SOURCE, confirmed=False) for path in ("bucket", "name", "cacheControl")),
        ),
        source=STORAGE_OBJECT_SOURCE,
        confirmed=False,
        notes="An object is rewritten, never edited: the GCP front door names each app-link object by a "
              "digest of its bytes, so a new content is a new object, never a replacement.",
    ),
    _rules("gcp:storage/objectAccessControl:ObjectAccessControl", f"{MAGIC_MODULES}/storage/ObjectAccessControl.yaml",
           "bucket", "object", "entity", confirmed=False, notes="role changes in place."),
    _rules("gcp:dns/recordSet:RecordSet",
           "hashicorp/terraform-provider-google google/services/dns/resource_dns_record_set.go",
           "managedZone", "name", "project", confirmed=False,
           notes="ttl, rrdatas and type change in place (one Cloud DNS change)."),
    # Azure (Front Door Standard/Premium front door)
    _azure("azure-native:cdn:Profile", "resourceGroupName", "profileName",
           extra=(Rule("location", AZURE_FORCE_NEW_SOURCE), Rule("sku.name", AZURE_FORCE_NEW_SOURCE))),
    _azure("azure-native:cdn:AFDEndpoint", "resourceGroupName", "profileName", "endpointName",
           extra=(Rule("location", AZURE_MUTABILITY_SOURCE, confirmed=False),)),
    _azure("azure-native:cdn:AFDOriginGroup", "resourceGroupName", "profileName", "originGroupName",
           read_in=AZURE_AFD_SPEC_SOURCE),
    _azure("azure-native:cdn:AFDOrigin", "resourceGroupName", "profileName", "originGroupName", "originName",
           read_in=AZURE_AFD_SPEC_SOURCE),
    _azure("azure-native:cdn:AFDCustomDomain", "resourceGroupName", "profileName", "customDomainName",
           extra=(Rule("hostName", AZURE_MUTABILITY_SOURCE, confirmed=False),)),
    _azure("azure-native:cdn:Route", "resourceGroupName", "profileName", "endpointName", "routeName",
           read_in=AZURE_AFD_SPEC_SOURCE),
    _azure("azure-native:cdn:RuleSet", "resourceGroupName", "profileName", "ruleSetName"),
    _azure("azure-native:cdn:Rule", "resourceGroupName", "profileName", "ruleSetName", "ruleName",
           read_in=AZURE_AFD_SPEC_SOURCE),
    _azure("azure-native:storage:StorageAccount", "resourceGroupName", "accountName",
           extra=(Rule("location", AZURE_FORCE_NEW_SOURCE.replace("Cdn/Profile", "Storage/StorageAccount")),
                  Rule("isHnsEnabled", AZURE_FORCE_NEW_SOURCE.replace("Cdn/Profile", "Storage/StorageAccount")))),
    _azure("azure-native:storage:StorageAccountStaticWebsite", "resourceGroupName", "accountName",
           read_in=AZURE_STORAGE_CUSTOM_SOURCE),
    _azure("azure-native:storage:Blob", "resourceGroupName", "accountName", "containerName", "blobName",
           extra=tuple(Rule(path, AZURE_STORAGE_CUSTOM_SOURCE) for path in ("source", "contentMd5", "type")),
           read_in=AZURE_STORAGE_CUSTOM_SOURCE),
    _azure("azure-native:dns:RecordSet", "resourceGroupName", "zoneName", "relativeRecordSetName", "recordType"),
    # Cloudflare
    _rules("cloudflare:index/dnsRecord:DnsRecord", f"{CLOUDFLARE_SOURCE}/dns_record/schema.go (RequiresReplace)",
           "zoneId", notes="type, name and content change in place (the API's record update)."),
    _rules("cloudflare:index/ruleset:Ruleset", f"{CLOUDFLARE_SOURCE}/ruleset/schema.go (RequiresReplace)",
           "zoneId", "accountId"),
    _rules("cloudflare:index/certificatePack:CertificatePack",
           f"{CLOUDFLARE_SOURCE}/certificate_pack/schema.go (RequiresReplace on every input; hosts: "
           "RequiresReplaceIfConfigured)", "zoneId", "certificateAuthority", "type", "validationMethod",
           "validityDays", "cloudflareBranding", "hosts"),
    _rules("cloudflare:index/pageRule:PageRule", f"{CLOUDFLARE_SOURCE}/page_rule/schema.go", "zoneId",
           confirmed=False),
    _rules("cloudflare:index/workersScript:WorkersScript",
           f"{CLOUDFLARE_SOURCE}/workers_script/schema.go (RequiresReplace)", "accountId", "scriptName",
           notes="content, main_module and compatibility_date upload a new version in place."),
    _rules("cloudflare:index/workersRoute:WorkersRoute",
           f"{CLOUDFLARE_SOURCE}/workers_route/schema.go (RequiresReplace)", "zoneId", "routeId",
           notes="pattern and script change in place."),
    _rules("cloudflare:index/customHostname:CustomHostname", f"{CLOUDFLARE_SOURCE}/custom_hostname/schema.go",
           "zoneId", "hostname", confirmed=False,
           notes="ssl, custom_metadata and the custom origin change in place (the API's Edit Custom Hostname)."),
    _rules("cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin",
           f"{CLOUDFLARE_SOURCE}/custom_hostname_fallback_origin/schema.go", "zoneId", confirmed=False,
           notes="origin changes in place (the API's Update Fallback Origin)."),
    # Fastly
    _rules("fastly:index/serviceVcl:ServiceVcl", FASTLY_SERVICE_SOURCE,
           notes="Every change is an update: name and comment in place, anything else (domains, backends, "
           "conditions, response objects, request settings, default_ttl) on a cloned version that is validated, "
           "then activated when activate is true. A block renamed (backend, condition, response object) is "
           "swapped inside that version, not a new service."),
    TypeRules(
        "fastly:index/tlsSubscription:TlsSubscription",
        forces=(Rule("certificateAuthority", f"{FASTLY_SUBSCRIPTION_SOURCE} (ForceNew: true)"),),
        conditional=tuple(
            Rule(path, f"{FASTLY_SUBSCRIPTION_SOURCE} CustomizeDiff ForceNewIf",
                 condition="replaced while the subscription is processing or renewing (updated when issued or pending)")
            for path in ("domains", "configurationId", "commonName")
        ),
        recomputed_on_update=(("domains", ("managedDnsChallenges", "managedHttpChallenges")),),
        refusals=(
            ApiRule("update", "Fastly refuses to edit a subscription (its domains, common name or TLS configuration) "
                    "whose domains are active, as a deployed stack's are, unless the update is forced (force_update)",
                    FASTLY_FORCE_SOURCE,
                    "keep this subscription's domains as deployed: with the Fastly front door, move the stack to "
                    "certificates='per-domain' with its deployed domains in shared_certificate_domains (docs/upgrading.md, "
                    "Fastly), so that a new domain gets a subscription of its own; forcing the edit (force_update) "
                    "re-issues the live certificate, which Fastly warns can disable production traffic",
                    unless="forceUpdate", paths=("domains", "commonName", "configurationId")),
            ApiRule("delete", "Fastly refuses to delete a subscription whose domains are active, as a deployed "
                    "stack's are, unless the deployed subscription has force_destroy",
                    FASTLY_FORCE_SOURCE,
                    "keep the subscription (with the Fastly front door: certificates='per-domain' and its deployed "
                    "domains in shared_certificate_domains, docs/upgrading.md); to delete it anyway, set force_destroy "
                    "in a pulumi up of its own first (the deployed value counts), knowing its domains lose TLS",
                    unless="forceDestroy"),
        ),
        source=FASTLY_SUBSCRIPTION_SOURCE,
        notes="force_update and force_destroy change in place (the update PATCHes only what changed, with "
              "?force= from force_update). The Fastly front door gives each domain its own subscription so that "
              "it never changes the domains of one (certificates='per-domain', the default).",
    ),
    _rules("fastly:index/tlsSubscriptionValidation:TlsSubscriptionValidation",
           "fastly/terraform-provider-fastly fastly/resource_fastly_tls_subscription_validation.go",
           "subscriptionId", confirmed=False),
    # SparkPost tracking domain (our dynamic provider)
    TypeRules(
        "pulumi-python:dynamic:Resource",
        forces=tuple(Rule(path, SPARKPOST_SOURCE) for path in ("domain", "subaccount", "api_base_url")),
        delete_before_replace_unless=("domain",),  # the same domain moving to another account or API
        source=SPARKPOST_SOURCE,
        notes="The type token every Python dynamic resource shares; these are SparkPostTrackingDomain's rules.",
    ),
    # KeyCDN front door (our dynamic providers)
    TypeRules(
        "pulumi-python:dynamic/keycdn:Zone",
        forces=tuple(Rule(path, KEYCDN_SOURCE) for path in KEYCDN_REPLACE_ON),
        delete_before_replace_unless=("name",),  # a zone name is taken once in the account
        source=KEYCDN_ZONE_SOURCE,
        notes="The origin, the cache settings, Forward Host Header, Force SSL and the key change in place.",
    ),
    TypeRules(
        "pulumi-python:dynamic/keycdn:ZoneAlias",
        forces=tuple(Rule(path, KEYCDN_SOURCE) for path in KEYCDN_REPLACE_ON),
        delete_before_replace_unless=("name",),  # an alias name is taken once in the account
        source=KEYCDN_ALIAS_SOURCE,
        notes="One alias per tracking domain: adding or removing a domain creates or deletes its own alias only.",
    ),
)

TABLE: dict[str, TypeRules] = {rules.type: rules for rules in _TABLE}
assert len(TABLE) == len(_TABLE), "one entry per type"

SPARKPOST_REPLACE_ON = ("domain", "subaccount", "api_base_url")
"""The dynamic provider's ``replace_on`` as the table copies it (a test keeps the two equal)."""



def rules_for(type_token: str) -> Optional[TypeRules]:
    return TABLE.get(type_token)


def unconfirmed() -> list[tuple[str, str, str]]:
    """(type, path, source) of every rule inferred rather than read in its source; path ``(others)``
    when that no other input forces is the inference."""
    found = []
    for rules in _TABLE:
        every = [rules.every_input_forces] if rules.every_input_forces else []
        for rule in (*rules.forces, *every, *rules.conditional):
            if not rule.confirmed:
                found.append((rules.type, rule.path, rule.source))
        if not rules.confirmed and not every:
            found.append((rules.type, "(others)", rules.source))
    return found


# --- certificates and live names (the "no live domain loses HTTPS" rule) ----------------------------


@dataclass(frozen=True)
class CertificateKind:
    """A resource type that holds the certificate of some host names."""

    names: tuple[str, ...]
    """Input paths holding the names it covers."""
    attached_by: tuple[str, ...] = ()
    """Types that serve with it by referencing it (a CloudFront distribution, a GCP HTTPS proxy). Empty:
    it serves its names by itself as soon as it is issued (a Fastly subscription, an Azure custom domain)."""


CERTIFICATES: dict[str, CertificateKind] = {
    "aws:acm/certificate:Certificate": CertificateKind(
        ("domainName", "subjectAlternativeNames"), ("aws:cloudfront/distribution:Distribution",)),
    "gcp:compute/managedSslCertificate:ManagedSslCertificate": CertificateKind(
        ("managed.domains",), ("gcp:compute/targetHttpsProxy:TargetHttpsProxy",)),
    "gcp:certificatemanager/certificate:Certificate": CertificateKind(
        ("managed.domains",), ("gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",)),
    "cloudflare:index/certificatePack:CertificatePack": CertificateKind(("hosts",)),
    "azure-native:cdn:AFDCustomDomain": CertificateKind(("hostName",)),
    "fastly:index/tlsSubscription:TlsSubscription": CertificateKind(("domains",)),
    # KeyCDN issues each zone alias its own Let's Encrypt certificate, which goes with the alias.
    "pulumi-python:dynamic/keycdn:ZoneAlias": CertificateKind(("name",)),
}
ISSUANCE_WAITERS: frozenset[str] = frozenset({
    "aws:acm/certificateValidation:CertificateValidation",
    "fastly:index/tlsSubscriptionValidation:TlsSubscriptionValidation",
})
"""Types whose create completes only once the certificate they depend on is issued: a resource that
takes the certificate through one of them is attached only after issuance."""


def certificate_names(type_token: str, inputs: dict[str, Any]) -> frozenset[str]:
    """The host names a certificate resource covers, from its inputs (empty for other types)."""
    kind = CERTIFICATES.get(type_token)
    if kind is None:
        return frozenset()
    names: set[str] = set()
    for path in kind.names:
        value: Any = inputs
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        values = value if isinstance(value, list) else [value]
        names.update(v for v in values if isinstance(v, str) and v)
    return frozenset(names)


__all__ = [
    "ApiRule",
    "CERTIFICATES",
    "ISSUANCE_WAITERS",
    "TABLE",
    "CertificateKind",
    "Rule",
    "TypeRules",
    "certificate_names",
    "normalize_path",
    "paths_overlap",
    "rules_for",
    "unconfirmed",
]
