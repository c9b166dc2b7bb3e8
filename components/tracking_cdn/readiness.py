"""What must exist before a resource can serve: the table ``tracking-cdn plan`` finds windows with.

Pure data and pure functions over plan documents (no SDK import), the sibling of ``replacements.py``
and ``quotas.py``. The Pulumi engine runs every step whose dependencies are done in parallel, so a
serving resource that starts pointing at a new resource before that resource can serve opens a
**window**: live links see errors for a while although nothing was replaced. Each :class:`Readiness`
entry says, for one kind of serving resource, what it points at (the target: another resource, or
itself) and what must exist before the target serves (the prerequisites), with what a user would see
in between, the fix, and the page the rule was read on.

:func:`windows` walks a plan document: for every serving resource of an entry, every target it points
at and every prerequisite of that target, the serving resource must wait for both, through
``dependencies`` (transitively; waiting for a component is waiting for its children). A missing wait is
a :class:`Window`. On a plan from nothing every resource is new; ``plan --against`` passes the URNs the
``up`` creates, replaces or updates, and only a window through one of those is reported (an endpoint
that already serves opens no window).

To add a resource type (a new front door, a platform-mode component): add a :class:`Readiness` row
with its ``serving`` and ``target`` types, how the serving resource points at the target
(:func:`depends_on`, :func:`names`, :func:`holds_output_of`, or ``SELF``), the prerequisite type and how it belongs to the
target (:func:`depends_on`, :func:`covers`, :func:`rule_names`, :func:`same`, :func:`named_by`, :func:`stores_a_file_of`), and its source; ``tests/test_readiness.py`` checks that
every row's types are registered by a component, that the components open no window on any day-two
transition, and that removing the wait of each row is caught.

Platform mode (``tracking_cdn.platform``) has rows of its own: a CloudFront distribution tenant waits for its
app-link keys and for its connection group and multi-tenant distribution; a Cloudflare custom hostname for
the zone's fallback origin, which waits for its record and the zone's rules; a Certificate Manager map
entry (single-sender and platform) for its certificate and that certificate's DNS authorization. A
tenant's CloudFront-managed certificate needs none: CloudFront requests and validates it for the
distribution tenant itself, and ``validated: true`` attaches the one ACM reports ``ISSUED`` (a lookup, not
a resource to wait for). The self-hosted Caddy on-demand proxy is no Pulumi resource: Caddy issues each
certificate at the first handshake, after the ask endpoint approved the name.

No row applies to Fastly or KeyCDN: a Fastly service version activates with every backend, domain
and snippet it holds at once, and a KeyCDN zone alias points at its zone by the zone's id (an output,
so always a dependency); their certificates are issued by the CDN once DNS points at it (Fastly's
waiter, ``TlsSubscriptionValidation``, is judged by the diff's "live names keep HTTPS" check; KeyCDN
issues the alias's certificate with no resource to wait for: its page says what ``check`` shows
before issuance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Mapping, Optional, Sequence

Resource = Mapping[str, Any]
Link = Callable[[Resource, Resource], bool]
"""``link(a, b)``: whether resource ``a`` is tied to resource ``b`` (a plan document's resources)."""

SELF = ""
"""A ``target`` of an entry whose serving resource is its own target (a DNS record serving a name)."""


def depends_on(a: Resource, b: Resource) -> bool:
    """``a`` lists ``b`` among its dependencies (it takes one of ``b``'s outputs, or ``depends_on``)."""
    return b["urn"] in a.get("dependencies", ())


def names(path: str) -> Link:
    """``a`` names ``b`` by a plain string: ``b``'s input ``path`` appears inside one of ``a``'s input
    strings (a URL map's rewrite to ``/<object name>``), which gives the engine no dependency."""

    def link(a: Resource, b: Resource) -> bool:
        value = b["inputs"].get(path)
        return isinstance(value, str) and len(value) > 3 and any(value in text for text in strings_in(a["inputs"]))

    link.__doc__ = f"names {path}"
    return link


def holds_output_of(a: Resource, b: Resource) -> bool:
    """``a`` holds an output of ``b``: a plan document shows a computed ARN or id as ``<b's name>`` or
    ``<b's name-id>`` inside it (``arn:aws:acm:...:certificate/<track-certificate>``,
    ``<track-connection-group-id>``), whether or not ``a`` depends on ``b``."""
    marks = (f"<{b['name']}>", f"<{b['name']}-id>")
    return any(mark in text for text in strings_in(a["inputs"]) for mark in marks)


def held_by(a: Resource, b: Resource) -> bool:
    """``b`` holds an output of ``a`` (:func:`holds_output_of` the other way round): a distribution tenant
    holding its connection group's id."""
    return holds_output_of(b, a)


def same(path: str) -> Link:
    """``a`` and ``b`` have the same input ``path`` (a custom hostname and the fallback origin of its zone)."""

    def link(a: Resource, b: Resource) -> bool:
        value = a["inputs"].get(path)
        return value is not None and value == b["inputs"].get(path)

    link.__doc__ = f"same {path}"
    return link


def named_by(path: str) -> Link:
    """``b``'s input ``path`` is ``a``'s name (its input ``name``): the record of a fallback origin."""

    def link(a: Resource, b: Resource) -> bool:
        value = b["inputs"].get(path)
        return isinstance(value, str) and value == a["inputs"].get("name")

    return link


def stores_a_file_of(a: Resource, b: Resource) -> bool:
    """A key value store key ``a`` holds an app-link file of one of the distribution tenant ``b``'s domains
    (its key is the domain and the file's path)."""
    key = a["inputs"].get("key")
    domains = [d.get("domain") for d in b["inputs"].get("domains") or [] if isinstance(d, Mapping)]
    return isinstance(key, str) and any(key.startswith(f"{domain}/") for domain in domains if domain)


def covers(hosts_path: str, name_path: str) -> Link:
    """``a``'s input list ``hosts_path`` holds ``b``'s input ``name_path`` (a certificate of the name)."""

    def link(a: Resource, b: Resource) -> bool:
        hosts = a["inputs"].get(hosts_path) or []
        return isinstance(hosts, list) and b["inputs"].get(name_path) in hosts

    return link


def rule_names(a: Resource, b: Resource) -> bool:
    """A ruleset ``a`` has a rule whose expression names ``b``'s host (its input ``name``, quoted)."""
    host = b["inputs"].get("name")
    return isinstance(host, str) and any(
        f'"{host}"' in str(rule.get("expression", "")) for rule in a["inputs"].get("rules") or [])


@dataclass(frozen=True)
class Readiness:
    """One rule: a ``serving`` resource that points at a ``target`` serves errors until every
    ``prerequisite`` of the target exists."""

    serving: str
    """Type token of the resource that serves (or routes) requests."""
    target: str
    """Type token of what it points at, or ``SELF``."""
    points_at: Optional[Link]
    """How the serving resource points at a target (None with ``SELF``)."""
    prerequisite: str
    """Type token of what the target needs before it can serve; the target itself counts too (a
    serving resource must wait for what it points at)."""
    belongs: Link
    """``belongs(prerequisite, target)``: the prerequisite is the target's."""
    sees: str
    """What a user sees meanwhile (status, error)."""
    fix: str
    source: str


SNI = "https://developers.cloudflare.com/ssl/edge-certificates/advanced-certificate-manager/"

READINESS: tuple[Readiness, ...] = (
    Readiness(
        "gcp:compute/backendService:BackendService", "gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup",
        depends_on, "gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint", depends_on,
        "HTTP 5xx from the load balancer: the backend service sends requests to an Internet NEG with no endpoint yet",
        "the backend service depends_on the GlobalNetworkEndpoint that fills the NEG",
        "GlobalNetworkEndpointGroup (pulumi-gcp registry: 'a global network endpoint group can only support a "
        "single endpoint', attached separately by GlobalNetworkEndpoint, the Compute API's attachNetworkEndpoints) "
        "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/globalnetworkendpointgroup/",
    ),
    Readiness(
        "gcp:compute/uRLMap:URLMap", "gcp:storage/bucketObject:BucketObject", names("name"),
        "gcp:storage/objectAccessControl:ObjectAccessControl", depends_on,
        "HTTP 404 on the app-link file until the object is uploaded, then 403 until it is public",
        "the URL map depends_on the BucketObject it rewrites to and its ObjectAccessControl (allUsers READER)",
        "Make data public (Cloud Storage): an object is readable by everyone only once shared publicly "
        "https://cloud.google.com/storage/docs/access-control/making-data-public; backend buckets: "
        "https://cloud.google.com/load-balancing/docs/https/ext-load-balancer-backend-buckets",
    ),
    Readiness(
        "cloudflare:index/dnsRecord:DnsRecord", SELF, None, "cloudflare:index/certificatePack:CertificatePack",
        covers("hosts", "name"),
        "a TLS error on https:// links (ERR_SSL_VERSION_OR_CIPHER_MISMATCH): the proxied name is deeper than "
        "Universal SSL covers and its advanced certificate pack is not ordered yet",
        "the proxied record depends_on the certificate pack whose hosts hold its name",
        "Advanced certificates (Cloudflare SSL/TLS): Universal SSL covers the apex and one level of subdomains; "
        f"deeper proxied names need an advanced certificate {SNI}",
    ),
    Readiness(
        "cloudflare:index/dnsRecord:DnsRecord", SELF, None, "cloudflare:index/ruleset:Ruleset", rule_names,
        "in proxy mode 525/526 errors (no SSL rule: the zone's own SSL mode applies to the ESP) or the ESP "
        "answering for a name it does not know; in redirect mode the record's placeholder address answers "
        "instead of the redirect",
        "the proxied record depends_on every ruleset whose rules name its host",
        "Configuration Rules (Cloudflare Rules): a rule's settings apply only to requests it matches, and "
        "a proxied record serves its requests through the zone's rules "
        "https://developers.cloudflare.com/rules/configuration-rules/settings/",
    ),
    Readiness(
        "aws:cloudfront/distribution:Distribution", "aws:acm/certificate:Certificate", holds_output_of,
        "aws:acm/certificateValidation:CertificateValidation", depends_on,
        "a distribution update refused, or served with a certificate not yet issued (TLS error on the new names)",
        "the distribution takes the ARN from the CertificateValidation (certificate_arn), not the Certificate",
        "Requirements for using SSL/TLS certificates with CloudFront: the certificate must be issued (ACM status "
        "ISSUED) before a distribution can use it "
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html",
    ),
    Readiness(
        "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry", "gcp:certificatemanager/certificate:Certificate",
        names("name"), "gcp:certificatemanager/dnsAuthorization:DnsAuthorization", depends_on,
        "a TLS error on https:// links of the entry's host: the map entry serves a certificate that cannot be "
        "issued before its DNS authorization exists",
        "the map entry takes the certificate's id, and the certificate the DnsAuthorization's id",
        "Deploy a Google-managed certificate with DNS authorization (Certificate Manager): the certificate is "
        "issued for the domains of its DNS authorizations, and a map entry serves it on the load balancer "
        "https://cloud.google.com/certificate-manager/docs/deploy-google-managed-dns-auth",
    ),
    Readiness(
        "aws:cloudfront/distributionTenant:DistributionTenant", SELF, None,
        "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", stores_a_file_of,
        "the ESP's answer (404) instead of the tenant's app-link file: the platform's function finds no key for "
        "the domain and passes the request on",
        "the distribution tenant depends_on the KeyvaluestoreKeys of its domains' files",
        "Helper methods for key value stores (CloudFront Developer Guide): get() returns an error when the key "
        "does not exist in the associated key value store "
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html",
    ),
    *(Readiness(
        "aws:cloudfront/distributionTenant:DistributionTenant", SELF, None, prerequisite, held_by,
        f"the customer's CNAME to a routing endpoint that does not route the tenant yet (CloudFront's own error, no "
        f"managed certificate issued): the tenant's {what} is not deployed",
        f"the distribution tenant takes the {what}'s id (the platform's tenant_config), so it waits for it",
        "Understand how multi-tenant distributions work (CloudFront Developer Guide): a multi-tenant distribution "
        "has no routing endpoint of its own and serves only through a connection group and its distribution "
        "tenants https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-config-options.html",
    ) for prerequisite, what in (("aws:cloudfront/connectionGroup:ConnectionGroup", "connection group"),
                                 ("aws:cloudfront/multitenantDistribution:MultitenantDistribution",
                                  "multi-tenant distribution"))),
    Readiness(
        "cloudflare:index/customHostname:CustomHostname", SELF, None,
        "cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin", same("zoneId"),
        "a Cloudflare error page on the customer's domain: a custom hostname routes to the zone's fallback origin, "
        "which is not set yet",
        "the custom hostname takes the platform's tenant_config, which holds the fallback origin's id",
        "Cloudflare for SaaS, get started: create the fallback origin, where custom hostname traffic is routed, "
        "before the custom hostnames https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/"
        "start/getting-started/",
    ),
    Readiness(
        "cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin", SELF, None,
        "cloudflare:index/dnsRecord:DnsRecord", named_by("origin"),
        "every custom hostname answers an error: the fallback origin is a name with no proxied record yet",
        "the fallback origin depends_on the proxied DnsRecord of its name",
        "Cloudflare for SaaS, get started: the fallback origin is a proxied A, AAAA or CNAME record of the SaaS "
        "zone https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/start/getting-started/",
    ),
    Readiness(
        "cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin", SELF, None,
        "cloudflare:index/ruleset:Ruleset", same("zoneId"),
        "in proxy mode 525/526 errors on every custom hostname (no SSL rule yet: the zone's own SSL mode applies "
        "to the ESP); in redirect mode the originless placeholder answers instead of the redirect",
        "the fallback origin depends_on every ruleset of the zone",
        "Configuration Rules (Cloudflare Rules): a rule's settings apply only to requests it matches; the "
        "platform's rules match every custom hostname https://developers.cloudflare.com/rules/configuration-rules/settings/",
    ),
    Readiness(
        "azure-native:cdn:Route", "azure-native:cdn:AFDOriginGroup", depends_on, "azure-native:cdn:AFDOrigin",
        depends_on,
        "HTTP 5xx from Front Door: the route forwards to an origin group with no origin in it",
        "the route depends_on the AFDOrigin of its origin group",
        "Origins and origin groups in Azure Front Door: an origin group is a set of origins that receive similar "
        "traffic; Front Door forwards a route's requests to an origin of the group "
        "https://learn.microsoft.com/en-us/azure/frontdoor/origin",
    ),
)

@dataclass(frozen=True)
class Window:
    """A serving resource that can reach ``target`` before ``prerequisite`` exists."""

    serving: str
    """URN."""
    target: str
    prerequisite: str
    rule: Readiness

    def line(self, by_urn: Mapping[str, Resource]) -> str:
        serving, target, prerequisite = (by_urn[urn] for urn in (self.serving, self.target, self.prerequisite))
        what = ("its own" if self.target == self.serving else f"{target['name']}'s")
        missing = "it" if self.prerequisite == self.target else f"{what} {_kind(prerequisite)} {prerequisite['name']}"
        pointed = "" if self.target == self.serving else f" points at {_kind(target)} {target['name']} and"
        return (f"{_kind(serving)} {serving['name']}{pointed} does not wait for {missing}: {self.rule.sees}. "
                f"Fix: {self.rule.fix}")

    def as_json(self, by_urn: Mapping[str, Resource]) -> dict[str, str]:
        return {"serving": self.serving, "target": self.target, "prerequisite": self.prerequisite,
                "sees": self.rule.sees, "fix": self.rule.fix, "source": self.rule.source, "why": self.line(by_urn)}


def windows(plan: Mapping[str, Any], changed: Optional[Collection[str]] = None,
            rules: Sequence[Readiness] = READINESS) -> list[Window]:
    """Every window of ``plan`` (a plan document): a serving resource of a rule that does not wait, through
    its dependencies, for a target it points at or a prerequisite of that target. ``changed``: the URNs the
    ``up`` creates, replaces or updates (None: a plan from nothing, every resource is new); a window is
    reported only when its target or prerequisite is among them."""
    resources: list[Resource] = plan["resources"]
    by_type: dict[str, list[Resource]] = {}
    for resource in resources:
        by_type.setdefault(resource["type"], []).append(resource)
    waits = _waits(resources)
    by_serving: dict[str, list[Readiness]] = {}
    for rule in rules:
        by_serving.setdefault(rule.serving, []).append(rule)
    found: list[Window] = []
    for serving in resources:
        for rule in by_serving.get(serving["type"], ()):
            targets = ([serving] if rule.target == SELF else
                       [t for t in by_type.get(rule.target, ()) if rule.points_at(serving, t)])
            for target in targets:
                needed = [] if target is serving else [target]
                needed += [p for p in by_type.get(rule.prerequisite, ()) if rule.belongs(p, target)]
                for prerequisite in needed:
                    if prerequisite["urn"] in waits(serving["urn"]):
                        continue
                    if changed is not None and not {target["urn"], prerequisite["urn"]} & set(changed):
                        continue
                    found.append(Window(serving["urn"], target["urn"], prerequisite["urn"], rule))
    return found


def _waits(resources: Iterable[Resource]) -> Callable[[str], frozenset[str]]:
    """``waits(urn)``: every URN the resource waits for before its step runs: its dependencies, theirs, and
    the children of any component among them."""
    by_urn = {r["urn"]: r for r in resources}
    children: dict[str, list[str]] = {}
    for resource in by_urn.values():
        if resource.get("parent"):
            children.setdefault(resource["parent"], []).append(resource["urn"])
    memo: dict[str, frozenset[str]] = {}

    def waits(urn: str) -> frozenset[str]:
        if urn not in memo:
            memo[urn] = frozenset()  # a cycle (none in a valid plan) ends here
            direct = set(by_urn.get(urn, {}).get("dependencies", ()))
            pending, seen = list(direct), set()
            while pending:
                item = pending.pop()
                if item in seen:
                    continue
                seen.add(item)
                pending.extend(children.get(item, ()))
            memo[urn] = frozenset(seen.union(*(waits(d) for d in seen if d != urn)))
        return memo[urn]

    return waits


def _kind(resource: Resource) -> str:
    return resource["type"].rsplit(":", 1)[-1]


def strings_in(value: Any) -> Iterable[str]:
    """Every string in a resource's inputs (nested mappings and lists walked); plan --against uses it too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def found_in(plan: Mapping[str, Any], changed: Optional[Collection[str]] = None) -> list[dict[str, str]]:
    """:func:`windows` of ``plan`` as their JSON (``Window.as_json``): what ``plan --json`` and the diff list."""
    by_urn = {r["urn"]: r for r in plan["resources"]}
    return [window.as_json(by_urn) for window in windows(plan, changed)]


def render_lines_of(found: Sequence[Mapping[str, str]]) -> list[str]:
    """The "Windows" section of ``plan`` and ``plan --against`` text (empty when there is none)."""
    if not found:
        return []
    return (["Windows (a serving resource could reach something before it can serve: live links would see errors "
             "during the up):"]
            + [f"  ! {window['why']}" for window in found] + [""])


WINDOW_EXIT_CODE = 3
"""The exit status of ``plan`` / ``plan --against`` with a window and no blocker."""

__all__ = ["READINESS", "SELF", "WINDOW_EXIT_CODE", "Readiness", "Window", "covers", "depends_on", "found_in",
           "held_by", "holds_output_of", "named_by", "names", "render_lines_of", "rule_names", "same", "stores_a_file_of",
           "windows"]
