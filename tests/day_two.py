"""Day two on a live front door (issue 13 §2): the second ``pulumi up``s a user runs, judged offline.

Each transition is two offline runs of one front door, the stack as deployed (run 1) and the stack after
the user's change (run 2), turned into plan documents by the same code as ``tracking-cdn plan --json``
and compared by ``tracking_cdn.diff`` (the diff ``plan --against`` prints). What every front door must
pass, for every DNS setup it offers:

- no blocker: no protected resource is replaced or deleted, except the ones a removed domain owns,
  which the documented path (docs/plan-and-diff.md, "Removing a domain") unprotects first: the check
  walks that path (``pulumi state unprotect`` of exactly those URNs) and then expects no blocker;
- no live domain loses HTTPS (``diff.https_losses``): a certificate serving a name that stays is never
  replaced or deleted unless what serves with the new one waits for its issuance;
- no window (``diff.windows``, ``tracking_cdn.readiness``): no serving resource can reach a resource this
  ``up`` creates or changes before what that resource needs to serve exists;
- no ``up`` waits for DNS the user cannot have yet: a certificate waiter created for a name no earlier
  certificate covered, with no validation record in the stack, waits for a CNAME that only this
  ``up`` reveals (ACM's validation waits 15 minutes, then the ``up`` fails);
- every changed resource type has replacement rules (nothing left to "review");
- no step breaks a known API rule the providers do not check (the product's own
  ``replacements.ApiRule``s, which ``plan --against`` reports as blockers, e.g. Fastly's forced
  subscription edit);
- the change shows: the diff is not empty where the front door has something to change (and empty
  where the front door ignores the setting), so a transition that silently does nothing fails too.

    for case in cases():
        verdict = case.verdict()      # Verdict: .problems (empty = passes), .diff, .expected_blockers

Platform mode (issue 31) has its own modes and transitions (``PLATFORM_MODES``, ``PLATFORM_TRANSITIONS``,
``platform_cases()``): a platform and its tenants, in one stack or with the tenants in a stack of their
own reading the platform through a ``pulumi.StackReference``; ``judge_platform`` adds the rule of platform
mode: a tenant's change touches that tenant's resources only, a platform's change no tenant's.

Modes (``MODES``): CloudFront with Route 53 and with DNS elsewhere, GCP with Cloud DNS and elsewhere,
Azure with Azure DNS and elsewhere, Cloudflare, Fastly, KeyCDN. Transitions (``TRANSITIONS``): append a domain,
remove the last domain, change the cache TTL, turn the HTTP->HTTPS redirect on and off, change the ESP
profile, 1 -> 11 and 11 -> 101 domains. A mode says how its stack is configured for a set of domains
of which some are live (``Mode.domain_args``): that is where a front door's documented day-two path
(e.g. CloudFront's validation per domain) goes.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from tracking_cdn import diff as offline_diff
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import OfflineRun, run_offline
from tracking_cdn.plan import plan_document
from tracking_cdn.replacements import CERTIFICATES, ISSUANCE_WAITERS, certificate_names
from tracking_cdn.stack import load_front_door

COMPONENT_NAME = "track"
STACK = "day-two"
ZONE_ID = "Z0HOSTEDZONE"
BASE = ["click.example.com", "click2.example.com"]
APPENDED = "click3.example.com"
DNS_RECORD_TYPES = frozenset({
    "aws:route53/record:Record",
    "gcp:dns/recordSet:RecordSet",
    "azure-native:dns:RecordSet",
    "cloudflare:index/dnsRecord:DnsRecord",
})
"""Record types a stack creates validation records with (a certificate waiter then has its DNS)."""


def many(count: int) -> list[str]:
    return [f"t{i}.example.com" for i in range(count)]


def _domains_only(domains: list[str], live: list[str]) -> dict[str, Any]:
    return {"domains": domains}


@dataclass(frozen=True)
class Mode:
    """One front door with one DNS setup."""

    id: str
    front_door: str
    """A key of ``tracking_cdn.stack.FRONT_DOORS``."""
    args: Mapping[str, Any]
    domain_args: Callable[[list[str], list[str]], dict[str, Any]] = _domains_only
    """The arguments of a stack configured with ``domains`` (first argument) of which ``live`` (second)
    already serve: the front door's documented way to add a domain to a live stack."""
    ttl_args: Callable[[int], dict[str, Any]] = lambda ttl: {"cache_ttl_seconds": ttl}
    many_args: Mapping[str, Any] = field(default_factory=dict)
    """Extra arguments of the 1 -> 11 -> 101 domains transitions (the documented way to take 101)."""
    caches: bool = True
    """Whether a cache TTL changes anything on this front door."""
    redirects: bool = True
    """Whether ``redirect_http_to_https`` changes anything on this front door."""


MODES: tuple[Mode, ...] = (
    Mode("cloudfront-route53", "cloudfront", {"hosted_zone_id": ZONE_ID}),
    Mode("cloudfront-dns-elsewhere", "cloudfront", {},
         domain_args=lambda domains, live: {"domains": domains, "validated_domains": live}),
    # GCP's default: Certificate Manager, a DNS-authorized certificate per domain (docs/front-doors/gcp.md,
    # Day two). Classic certificates shared by up to 100 names, the legacy mode stacks made with 0.1 keep
    # (certificates: classic), are a mode of their own to show what they cannot do.
    Mode("gcp-cloud-dns", "gcp", {"managed_zone": "example-com"}, caches=False),
    Mode("gcp-dns-elsewhere", "gcp", {}, caches=False),
    Mode("gcp-classic", "gcp", {"managed_zone": "example-com", "certificates": "classic"}, caches=False),
    Mode("azure-dns", "azure", {"resource_group_name": "tracking-rg", "dns_zone_name": "example.com"},
         ttl_args=lambda ttl: {"enable_caching": True, "cache_ttl_seconds": ttl},
         many_args={"sku": "Premium_AzureFrontDoor"}),
    Mode("azure-dns-elsewhere", "azure", {"resource_group_name": "tracking-rg"},
         ttl_args=lambda ttl: {"enable_caching": True, "cache_ttl_seconds": ttl},
         many_args={"sku": "Premium_AzureFrontDoor"}),
    # Cloudflare's two recipes, with the mode explicit: an ESP change that needs the other recipe is
    # a migration with its own documented path (tests/test_cloudflare_day_two.py), refused up front
    # when the mode is given. Redirect mode neither caches nor adds an HTTPS hop; proxy mode's TTL is
    # the opt-in edge TTL.
    Mode("cloudflare-redirect", "cloudflare", {"zone_name": "example.com", "mode": "redirect"}, caches=False,
         redirects=False),
    Mode("cloudflare-proxy", "cloudflare", {"zone_name": "example.com", "mode": "proxy"},
         ttl_args=lambda ttl: {"edge_cache_ttl_seconds": ttl}),
    # Fastly's default: a TLS subscription per domain (docs/front-doors/fastly.md, Day two).
    Mode("fastly", "fastly", {}, many_args={"domain_limit": 100}),
    # A stack made with 0.1's shared subscription, moved to the default by listing its live BASE domains
    # in shared_certificate_domains: they stay on it.
    Mode("fastly-moved-from-shared", "fastly", {},
         domain_args=lambda domains, live: {"domains": domains,
                                            "shared_certificate_domains": [d for d in live if d in BASE]},
         many_args={"domain_limit": 100}),
    # The legacy mode stacks made with 0.1 keep (certificates: shared), to show what it cannot do.
    Mode("fastly-shared", "fastly", {"certificates": "shared"}, many_args={"domain_limit": 100}),
    # KeyCDN: one zone, an alias (with its own certificate) per domain; its cache time counts whole minutes,
    # so the change-ttl transition (10 s -> 60 s) goes from not cached to one minute.
    Mode("keycdn", "keycdn", {"zone_url_id": "1a2b3c"}),
)


@dataclass(frozen=True)
class Transition:
    """A change a user makes to a live stack: the domains and settings before and after."""

    id: str
    domains_before: tuple[str, ...]
    domains_after: tuple[str, ...]
    settings_before: Callable[[Mode], dict[str, Any]] = lambda mode: {}
    settings_after: Callable[[Mode], dict[str, Any]] = lambda mode: {}
    many: bool = False
    shows: Callable[[Mode], bool] = lambda mode: True
    """Whether the diff must show a change (False: the front door ignores this setting, the diff is empty)."""

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(d for d in self.domains_before if d not in self.domains_after)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(d for d in self.domains_after if d not in self.domains_before)


TRANSITIONS: tuple[Transition, ...] = (
    Transition("append-domain", tuple(BASE), (*BASE, APPENDED)),
    Transition("remove-last-domain", (*BASE, APPENDED), tuple(BASE)),
    Transition("change-ttl", tuple(BASE), tuple(BASE), lambda mode: mode.ttl_args(10),
               lambda mode: mode.ttl_args(60), shows=lambda mode: mode.caches),
    Transition("redirect-on", tuple(BASE), tuple(BASE), lambda mode: {"redirect_http_to_https": False},
               lambda mode: {"redirect_http_to_https": True}, shows=lambda mode: mode.redirects),
    Transition("redirect-off", tuple(BASE), tuple(BASE), lambda mode: {"redirect_http_to_https": True},
               lambda mode: {"redirect_http_to_https": False}, shows=lambda mode: mode.redirects),
    Transition("change-esp", tuple(BASE), tuple(BASE), lambda mode: {"esp": "sparkpost"},
               lambda mode: {"esp": "sendgrid"}),
    Transition("domains-1-to-11", tuple(many(1)), tuple(many(11)), many=True),
    Transition("domains-11-to-101", tuple(many(11)), tuple(many(101)), many=True),
)


# --- running ------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _run(front_door: str, args_json: str) -> OfflineRun:
    component, _ = load_front_door(front_door)
    args = json.loads(args_json)
    return run_offline(lambda: component(COMPONENT_NAME, args), stack=STACK)


def run(front_door: str, args: Mapping[str, Any]) -> OfflineRun:
    """The offline run of ``front_door`` with ``args`` (once per session)."""
    return _run(front_door, json.dumps(args, sort_keys=True))


@functools.lru_cache(maxsize=None)
def _document(front_door: str, args_json: str) -> dict[str, Any]:
    return plan_document(_run(front_door, args_json), STACK)


def document(front_door: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The plan document (``tracking-cdn plan --json``) of that run."""
    return _document(front_door, json.dumps(args, sort_keys=True))


@dataclass(frozen=True)
class Verdict:
    diff: offline_diff.Diff
    expected_blockers: tuple[offline_diff.ResourceDiff, ...]
    """Blockers the documented path handles: the protected resources a removed domain owns."""
    problems: tuple[str, ...]
    """Every broken requirement, one line each (resource, action, forcing property): empty = passes."""


@dataclass(frozen=True)
class Case:
    mode: Mode
    transition: Transition

    @property
    def id(self) -> str:
        return f"{self.mode.id}/{self.transition.id}"

    def args(self, after: bool) -> dict[str, Any]:
        t, mode = self.transition, self.mode
        domains = list(t.domains_after if after else t.domains_before)
        live = [d for d in t.domains_before if d in domains]
        settings = (t.settings_after if after else t.settings_before)(mode)
        return {**mode.args, **(mode.many_args if t.many else {}), **settings, **mode.domain_args(domains, live)}

    def runs(self) -> tuple[OfflineRun, OfflineRun]:
        return run(self.mode.front_door, self.args(False)), run(self.mode.front_door, self.args(True))

    def documents(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return document(self.mode.front_door, self.args(False)), document(self.mode.front_door, self.args(True))

    def verdict(self) -> Verdict:
        before, after = self.documents()
        return judge(before, after, self.transition, self.mode)


def cases(modes: tuple[Mode, ...] = MODES) -> list[Case]:
    return [Case(mode, transition) for mode in modes for transition in TRANSITIONS]


def refusal(case: Case) -> Optional[InvalidArgument]:
    """The InvalidArgument run 2 raises, or None when it is accepted."""
    try:
        case.runs()
    except InvalidArgument as error:
        return error
    return None


# --- judging -----------------------------------------------------------------------------------------


def describe(resource: offline_diff.ResourceDiff) -> str:
    return f"{resource.action} {resource.type} {resource.name}: {resource.reason or 'removed from the program'}"


def unprotected(plan: Mapping[str, Any], urns: set[str]) -> dict[str, Any]:
    """``plan`` after ``pulumi state unprotect`` of ``urns``."""
    return {**plan, "resources": [{**r, "protect": False} if r["urn"] in urns else r for r in plan["resources"]]}


def judge(before: Mapping[str, Any], after: Mapping[str, Any], transition: Transition, mode: Mode) -> Verdict:
    changes = offline_diff.diff_plans(before, after)
    expected = tuple(r for r in changes.blockers
                     if r.action == "delete" and any(domain in r.name for domain in transition.removed))
    walked = offline_diff.diff_plans(unprotected(before, {r.old_urn for r in expected}), after)
    problems = [f"blocker: {describe(r)}" for r in walked.blockers if r.stopped_by_protection]
    problems += [f"loses HTTPS: {loss.name}: {loss.why}" for loss in changes.https_losses]
    problems += [f"window: {window['why']}" for window in changes.windows]
    problems += [f"waits for DNS it cannot have: {line}" for line in stuck_waiters(changes, before, after)]
    problems += [f"no replacement rules: {describe(r)}" for r in changes.resources if r.action == "review"]
    changed = [r for r in changes.resources if r.action != "same"]
    if transition.shows(mode) and not changed:
        problems.append(f"the diff is empty: {transition.id} changes nothing on {mode.id}")
    if not transition.shows(mode) and changed:
        problems.append(f"{transition.id} should change nothing on {mode.id}: " + "; ".join(describe(r) for r in changed))
    inputs = {r["urn"]: json.dumps(r["inputs"]) for r in after["resources"]}
    for domain in (*transition.added[:1], *transition.removed[:1]):
        if not any(_mentions(r, domain, inputs) for r in changed):
            problems.append(f"no change mentions {domain}")
    problems += [f"refused by the API: {r.action} {r.type} {r.name}: {r.refusal}" for r in changes.resources
                 if r.refusal]
    return Verdict(changes, expected, tuple(problems))


def _mentions(resource: offline_diff.ResourceDiff, domain: str, inputs: Mapping[str, str]) -> bool:
    """Whether ``resource``'s step involves ``domain``: in its name, a changed value, or a new resource's inputs."""
    created = resource.action == "create" and domain in inputs.get(resource.urn, "")
    return created or domain in resource.name or any(domain in json.dumps([c.old, c.new]) for c in resource.changes)


def stuck_waiters(changes: offline_diff.Diff, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Certificate waiters this ``up`` creates for names no earlier certificate covered, where the stack
    creates no validation record: they wait for DNS the user can only create once the ``up`` runs."""
    known = set()
    for resource in before["resources"]:
        known |= certificate_names(resource["type"], resource["inputs"])
    by_urn = {r["urn"]: r for r in after["resources"]}
    found = []
    for outcome in changes.resources:
        if outcome.type not in ISSUANCE_WAITERS or outcome.action not in ("create", "replace"):
            continue
        waiter = by_urn[outcome.urn]
        for urn in waiter.get("dependencies", []):
            certificate = by_urn.get(urn)
            if certificate is None or certificate["type"] not in CERTIFICATES:
                continue
            new_names = sorted(certificate_names(certificate["type"], certificate["inputs"]) - known)
            records = [r for r in after["resources"] if r["type"] in DNS_RECORD_TYPES and urn in r.get("dependencies", [])]
            if new_names and not records:
                found.append(f"{outcome.action} {outcome.type} {outcome.name} waits for {certificate['name']}, "
                             f"whose validation CNAMEs of {', '.join(new_names[:3])}"
                             f"{' ...' if len(new_names) > 3 else ''} the stack does not create")
    return found


# --- platform mode --------------------------------------------------------------------------------------

PLATFORM_NAME = "track"
LIVE = {"validated": True}


@dataclass(frozen=True)
class PlatformMode:
    """One platform kind, with its tenants in the platform's stack or in a stack of their own."""

    id: str
    kind: str
    """A key of ``tracking_cdn.platform.PLATFORMS``."""
    platform_args: Mapping[str, Any] = field(default_factory=dict)
    ttl_args: Callable[[int], dict[str, Any]] = lambda ttl: {"cache_ttl_seconds": ttl}
    esp_change: tuple[str, str] = ("sparkpost", "sendgrid")
    caches: bool = True
    tenant_stack: bool = False
    """The tenants are the whole program, reading the platform through a ``pulumi.StackReference``."""


PLATFORM_MODES: tuple[PlatformMode, ...] = (
    PlatformMode("cloudfront-platform", "cloudfront"),
    PlatformMode("cloudfront-tenant-stack", "cloudfront", tenant_stack=True),
    PlatformMode("gcp-platform", "gcp", caches=False),
    PlatformMode("gcp-tenant-stack", "gcp", tenant_stack=True),
    # Proxy mode (the ESP change keeps to ESPs that route on the tracking domain: a redirect cannot carry it).
    PlatformMode("cloudflare-platform", "cloudflare", {"zone_name": "tracking-platform.net", "mode": "proxy"},
                 ttl_args=lambda ttl: {"edge_cache_ttl_seconds": ttl}, esp_change=("sendgrid", "customerio")),
    PlatformMode("cloudflare-tenant-stack", "cloudflare", tenant_stack=True),
)


@dataclass(frozen=True)
class PlatformTransition:
    """A change to a live platform: its tenants (name -> arguments) and its own settings, before and after."""

    id: str
    tenants_before: Mapping[str, Mapping[str, Any]]
    tenants_after: Mapping[str, Mapping[str, Any]]
    platform_before: Callable[[PlatformMode], dict[str, Any]] = lambda mode: {}
    platform_after: Callable[[PlatformMode], dict[str, Any]] = lambda mode: {}
    shows: Callable[[PlatformMode], bool] = lambda mode: True

    @property
    def changed_tenants(self) -> set[str]:
        """The tenants whose resources may change (every other tenant's, and the platform's, may not)."""
        names = set(self.tenants_before) | set(self.tenants_after)
        return {n for n in names if self.tenants_before.get(n) != self.tenants_after.get(n)}

    @property
    def removed_tenants(self) -> set[str]:
        return set(self.tenants_before) - set(self.tenants_after)

    @property
    def of_platform(self) -> bool:
        return not self.changed_tenants


LIVE_TENANTS = {"acme": {"domains": ["track.acme.com"], **LIVE}, "globex": {"domains": ["click.globex.com"], **LIVE}}
PLATFORM_TRANSITIONS: tuple[PlatformTransition, ...] = (
    PlatformTransition("add-tenant", LIVE_TENANTS, {**LIVE_TENANTS, "initech": {"domains": ["links.initech.com"]}}),
    PlatformTransition("remove-tenant", {**LIVE_TENANTS, "initech": {"domains": ["links.initech.com"], **LIVE}},
                       LIVE_TENANTS),
    PlatformTransition("tenant-adds-domain", LIVE_TENANTS,
                       {**LIVE_TENANTS, "acme": {"domains": ["track.acme.com", "click2.acme.com"], **LIVE}}),
    PlatformTransition("tenant-validated", {**LIVE_TENANTS, "initech": {"domains": ["links.initech.com"]}},
                       {**LIVE_TENANTS, "initech": {"domains": ["links.initech.com"], **LIVE}}),
    PlatformTransition("tenant-leaves-before-validation",
                       {**LIVE_TENANTS, "initech": {"domains": ["links.initech.com"]}}, LIVE_TENANTS),
    PlatformTransition("platform-changes-esp", LIVE_TENANTS, LIVE_TENANTS,
                       lambda mode: {"esp": mode.esp_change[0]}, lambda mode: {"esp": mode.esp_change[1]}),
    PlatformTransition("platform-changes-ttl", LIVE_TENANTS, LIVE_TENANTS, lambda mode: mode.ttl_args(10),
                       lambda mode: mode.ttl_args(60), shows=lambda mode: mode.caches),
)


def platform_program(mode: PlatformMode, platform_args: Mapping[str, Any],
                     tenants: Mapping[str, Mapping[str, Any]]) -> Callable[[], None]:
    """The program of ``mode``: the platform and its tenants, or (a tenant stack) the tenants alone."""
    from tracking_cdn.platform import TENANT_CONFIG_OUTPUT, load_platform

    platform_class, _, tenant_class, _ = load_platform(mode.kind)

    def program() -> None:
        import pulumi

        if mode.tenant_stack:
            platform: Any = pulumi.StackReference(f"acme-corp/tracking-cdn/{mode.kind}-platform").get_output(
                TENANT_CONFIG_OUTPUT)
        else:
            platform = platform_class(PLATFORM_NAME, {**mode.platform_args, **platform_args})
        for name, args in tenants.items():
            tenant_class(name, {"platform": platform, **args})

    return program


@functools.lru_cache(maxsize=None)
def _platform_document(mode_id: str, platform_json: str, tenants_json: str) -> dict[str, Any]:
    mode = next(m for m in PLATFORM_MODES if m.id == mode_id)
    program = platform_program(mode, json.loads(platform_json), json.loads(tenants_json))
    return plan_document(run_offline(program, stack=STACK), STACK)


@dataclass(frozen=True)
class PlatformCase:
    mode: PlatformMode
    transition: PlatformTransition

    @property
    def id(self) -> str:
        return f"{self.mode.id}/{self.transition.id}"

    def documents(self) -> tuple[dict[str, Any], dict[str, Any]]:
        t = self.transition
        return tuple(  # type: ignore[return-value]
            _platform_document(self.mode.id, json.dumps(settings(self.mode), sort_keys=True),
                               json.dumps(tenants, sort_keys=True))
            for settings, tenants in ((t.platform_before, t.tenants_before), (t.platform_after, t.tenants_after))
        )

    def verdict(self) -> Verdict:
        before, after = self.documents()
        return judge_platform(before, after, self.transition, self.mode)


def platform_cases() -> list[PlatformCase]:
    """Every transition on every mode; a platform's own transitions only where the platform is in the program."""
    return [PlatformCase(mode, transition) for mode in PLATFORM_MODES for transition in PLATFORM_TRANSITIONS
            if not (mode.tenant_stack and transition.of_platform)]


def owners(*plans: Mapping[str, Any]) -> dict[str, str]:
    """URN -> the component that owns the resource: a tenant's name, ``platform``, or "" (neither)."""
    resources = {r["urn"]: r for plan in plans for r in plan["resources"]}

    def owner(urn: str) -> str:
        while urn in resources:
            resource = resources[urn]
            if resource["type"].startswith("tracking-cdn:index:") and resource["type"].endswith("Tenant"):
                return resource["name"]
            if resource["type"].startswith("tracking-cdn:index:") and resource["type"].endswith("Platform"):
                return "platform"
            urn = resource["parent"]
        return ""

    return {urn: owner(urn) for urn in resources}


def judge_platform(before: Mapping[str, Any], after: Mapping[str, Any], transition: PlatformTransition,
                   mode: PlatformMode) -> Verdict:
    """``judge``'s checks (windows included), and platform mode's own: every step belongs to a tenant that
    changed (for a tenant's transition) or to the platform (for the platform's), never to another tenant; a removed
    tenant's protected resources are the only blockers, which the documented path unprotects."""
    changes = offline_diff.diff_plans(before, after)
    owned = owners(before, after)
    expected = tuple(r for r in changes.blockers if r.action == "delete" and owned.get(r.old_urn) in transition.removed_tenants)
    walked = offline_diff.diff_plans(unprotected(before, {r.old_urn for r in expected}), after)
    problems = [f"blocker: {describe(r)}" for r in walked.blockers if r.stopped_by_protection]
    problems += [f"loses HTTPS: {loss.name}: {loss.why}" for loss in changes.https_losses]
    problems += [f"window: {window['why']}" for window in changes.windows]
    problems += [f"no replacement rules: {describe(r)}" for r in changes.resources if r.action == "review"]
    problems += [f"refused by the API: {r.action} {r.type} {r.name}: {r.refusal}" for r in changes.resources if r.refusal]
    changed = [r for r in changes.resources if r.action != "same" and r.custom]
    allowed = {"platform"} if transition.of_platform else transition.changed_tenants
    for resource in changed:
        where = owned.get(resource.urn) or owned.get(resource.old_urn, "")
        if where not in allowed:
            whose = "the platform's" if where == "platform" else f"tenant {where!r}'s"
            problems.append(f"touches {whose} resources: {_step(resource)}")
        elif transition.of_platform and resource.action in ("replace", "delete") and resource.protect:
            problems.append(f"replaces or deletes a serving resource of the platform: {describe(resource)}")
    if transition.shows(mode) and not changed:
        problems.append(f"the diff is empty: {transition.id} changes nothing on {mode.id}")
    if not transition.shows(mode) and changed:
        problems.append(f"{transition.id} should change nothing on {mode.id}: " + "; ".join(describe(r) for r in changed))
    return Verdict(changes, expected, tuple(problems))


def _step(resource: offline_diff.ResourceDiff) -> str:
    """A step and what changes in it (the changed input paths of an update)."""
    what = resource.reason or ", ".join(change.path for change in resource.changes)
    return f"{resource.action} {resource.type} {resource.name}" + (f": {what}" if what else "")


__all__ = [
    "MODES", "PLATFORM_MODES", "PLATFORM_TRANSITIONS", "TRANSITIONS", "Case", "Mode", "PlatformCase", "PlatformMode",
    "PlatformTransition", "Transition", "Verdict", "cases", "judge", "judge_platform", "platform_cases", "refusal",
    "run",
]
