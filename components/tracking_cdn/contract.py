"""The contract every front door shares: common arguments and outputs, their validation, the DNS
record shape, and the component base class.

Front-door modules map this contract onto one cloud; nothing here is cloud-specific.
(No ``from __future__ import annotations``: Pulumi's schema inference reads these annotations.)
"""

import difflib
import inspect
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NotRequired, Optional, Sequence, TypedDict

import pulumi

from .deep_links import DeepLinks, refuse_when_esp_serves_well_known, resolve_app_links
from .domains import normalize_tracking_domains, validate_hostname, validate_separate_host
from .errors import InvalidArgument
from .esp import CACHE_ORIGIN_HEADERS, DEFAULT_ESP, Origin, resolve_origin
from .esp import ORIGIN_HTTP as PLAIN_HTTP_ORIGIN

DEFAULT_CACHE_TTL_SECONDS = 10
"""Long enough to absorb a burst from link-scanning gateways, short enough to count repeat clicks."""
MAX_CACHE_TTL_SECONDS = 3600
"""Beyond an hour a cache would hide most repeat opens and clicks; refuse it as a likely mistake."""

ROUTE = "route"
VALIDATION = "validation"
ROUTE_TARGET_TYPES = ("CNAME", "ALIAS", "A", "AAAA")
"""The route record a domain's ``route_targets`` value comes from, when it has several: the first type
of this list (a host name before an address, IPv4 before IPv6)."""
MISSING_FROM_MOCKS = "<{what}: not in the mocks' answer>"
"""The placeholder for a cloud-computed value that the mocks of a unit test did not supply."""

# Capabilities beyond the first contract. A front door lists the ones it implements in its class
# attribute ``supports``; any other that the arguments need is refused before anything is created.
APP_LINKS = "app_links"
"""Answers ``settings.deep_links`` itself (``app_links``): 200, application/json, no redirect."""
WELL_KNOWN_ORIGIN = "well_known_origin"
"""Sends ``/.well-known/*`` (except the app-link files) to ``settings.well_known_origin`` over verified HTTPS."""
ORIGIN_HTTP = "origin_http"
"""Reaches the origin over plain HTTP (``origin.profile.origin_protocol == "http"``: ``ses``)."""
ORIGIN_CACHE_CONTROL = "origin_cache_control"
"""Follows the origin's ``Cache-Control``, ``cache_ttl_seconds`` as the default
(``origin.profile.cache_mode == "origin"``: ``iterable``, ``iterable-eu``)."""


class AppLinks(TypedDict):
    """The app-link files every tracking domain answers itself: 200, ``Content-Type: application/json``,
    never redirected (docs/deep-links.md). Give one or both."""

    apple_app_site_association: NotRequired[Any]
    """Apple's ``/.well-known/apple-app-site-association``: an object (a dict; served as compact JSON with
    sorted keys) or a JSON string (served exactly as given). It must name an app under ``applinks``,
    ``webcredentials``, ``appclips`` or ``activitycontinuation``; at most 128 KB."""
    android_asset_links: NotRequired[Any]
    """Android's ``/.well-known/assetlinks.json``: a list of statements (served as compact JSON with
    sorted keys) or a JSON string (served exactly as given), each statement with ``relation`` and
    ``target``; at most 128 KB."""


class TrackingDomainArgs(TypedDict):
    """Arguments every front door takes. ``domains``, ``esp``, ``tenant``, ``origin_host`` and the
    numbers/flags shape the resources, so they must be plain values known when the program runs."""

    domains: list[str]
    """The tracking domains to serve, e.g. ``["track.example.com"]``. Lower-cased, trailing dot removed."""
    esp: NotRequired[str]
    """ESP profile: sparkpost (default), sparkpost-eu, sparkpost-v2, sparkpost-eu-v2, sparkpost-enterprise, sendgrid,
    ses, iterable, iterable-eu, customerio, customerio-eu, custom."""
    tenant: NotRequired[str]
    """Tenant of a ``sparkpost-enterprise`` account: the endpoint is ``<tenant>.et.e.sparkpost.com``."""
    origin_host: NotRequired[str]
    """The ESP endpoint host; required for ``custom``, overrides the profile's host otherwise."""
    esp_region: NotRequired[str]
    """AWS region of an ``ses`` account, e.g. ``eu-west-1``: the endpoint is ``r.<esp_region>.awstrack.me``."""
    cache_ttl_seconds: NotRequired[int]
    """Default cache TTL where the front door caches (default 10; 0 to 3600)."""
    redirect_http_to_https: NotRequired[bool]
    """Answer plain-HTTP requests with a redirect to HTTPS (default False: links already delivered as
    ``http://`` keep working through the front door)."""
    protect_serving_resources: NotRequired[bool]
    """Protect the resources that serve live links (front door, certificates, DNS records) from
    deletion with Pulumi's ``protect`` (default True). Set False to tear a stack down."""
    app_links: NotRequired[AppLinks]
    """App-link files (iOS universal links, Android App Links) answered on every tracking domain:
    ``apple_app_site_association`` and/or ``android_asset_links``. Everything else still goes to the ESP.
    Refused for ESPs that serve these files themselves (Iterable)."""
    well_known_origin: NotRequired[str]
    """Host name of your own web origin (e.g. ``www.example.com``) that receives every other
    ``/.well-known/*`` request, over verified HTTPS, instead of the ESP. Refused for ESPs that serve
    ``/.well-known/*`` themselves (Iterable)."""


class DnsRecord(TypedDict):
    """A DNS record the tracking domains need, whether or not the component created it."""

    name: str
    """Fully qualified record name, without a trailing dot."""
    type: str
    """Record type: CNAME, A, AAAA or TXT; or ALIAS (CloudFront with a Route 53 zone): a Route 53 alias, an A
    and an AAAA record that resolve to ``value``'s addresses; at another DNS provider, a CNAME to ``value``
    (or that provider's own ALIAS/ANAME type) does the same for a subdomain."""
    value: str
    """Record value."""
    purpose: str
    """``route`` (points the tracking domain at the front door) or ``validation`` (certificate or ownership)."""


@dataclass(frozen=True)
class FrontDoorSettings:
    """The common arguments, validated and with defaults applied."""

    domains: tuple[str, ...]
    """The tracking domains; empty for a platform (its tenants bring them, ``tracking_cdn.platform``)."""
    origin: Optional[Origin]
    """The ESP endpoint; None for a platform's tenant, which serves through its platform's origin."""
    cache_ttl_seconds: int
    redirect_http_to_https: bool
    protect: bool
    deep_links: Optional[DeepLinks]
    """The app-link files to answer (``app_links``), or None."""
    well_known_origin: Optional[str]
    """Where other ``/.well-known/*`` requests go (``well_known_origin``), or None: to the ESP."""


def resolve_settings(
    args: Mapping[str, Any], args_type: type, *, max_domains: Optional[int] = None, limit_reason: str = "",
    own_domains: bool = True,
) -> FrontDoorSettings:
    """Validate the common arguments of ``args`` (a dict typed ``args_type``) and apply the defaults.
    ``own_domains=False`` for a platform (``tracking_cdn.platform``): it serves its tenants' domains,
    so ``args`` has none."""
    check_argument_names(args, args_type)
    domains = normalize_tracking_domains(
        plain_arg(args, "domains", list), max_count=max_domains, limit_reason=limit_reason
    ) if own_domains else ()
    origin = resolve_origin(
        plain_arg(args, "esp", str, DEFAULT_ESP),
        plain_arg(args, "tenant", str),
        plain_arg(args, "origin_host", str),
        esp_region=plain_arg(args, "esp_region", str),
    )
    deep_links = resolve_app_links(plain_arg(args, "app_links", dict))
    well_known_origin = plain_arg(args, "well_known_origin", str)
    if well_known_origin is not None:
        well_known_origin = validate_separate_host(well_known_origin, argument="well_known_origin", tracking_domains=domains)
    refuse_when_esp_serves_well_known(origin.profile, app_links=deep_links, well_known_origin=well_known_origin)
    return FrontDoorSettings(
        domains=domains,
        origin=origin,
        cache_ttl_seconds=bounded_int_arg(args, "cache_ttl_seconds", DEFAULT_CACHE_TTL_SECONDS, 0, MAX_CACHE_TTL_SECONDS),
        redirect_http_to_https=plain_arg(args, "redirect_http_to_https", bool, False),
        protect=plain_arg(args, "protect_serving_resources", bool, True),
        deep_links=deep_links,
        well_known_origin=well_known_origin,
    )


def needed_capabilities(settings: FrontDoorSettings) -> dict[str, tuple[str, str]]:
    """The capabilities (``APP_LINKS``, ...) that ``settings`` ask of a front door, each with the argument
    that asks for it and what it takes, for the refusal message."""
    needed: dict[str, tuple[str, str]] = {}
    if settings.deep_links is not None:
        needed[APP_LINKS] = ("app_links", "answering the app-link files itself (docs/deep-links.md)")
    if settings.well_known_origin is not None:
        needed[WELL_KNOWN_ORIGIN] = ("well_known_origin", "sending /.well-known/* to a second origin (docs/deep-links.md)")
    if settings.origin is None:  # a platform's tenant: its platform checked the ESP's needs
        return needed
    profile = settings.origin.profile
    if profile.origin_protocol == PLAIN_HTTP_ORIGIN:
        needed[ORIGIN_HTTP] = ("esp", f"reaching the {profile.name} endpoint over plain HTTP (docs/esps.md)")
    if profile.cache_mode == CACHE_ORIGIN_HEADERS:
        needed[ORIGIN_CACHE_CONTROL] = (
            "esp",
            f"following the {profile.name} endpoint's Cache-Control headers, as its guide asks (docs/esps.md)",
        )
    return needed


def refuse_unsupported(component: type, settings: FrontDoorSettings) -> None:
    """Refuse, naming the argument, what ``settings`` need and ``component.supports`` does not list: no
    front door silently ignores an argument it does not implement."""
    for capability, (argument, what) in needed_capabilities(settings).items():
        if capability not in component.supports:
            subject = f"{settings.origin.profile.name!r} is " if argument == "esp" and settings.origin else ""
            raise InvalidArgument(argument, f"{subject}not supported by {component.__name__} yet: it needs {what}")


def closest_name(name: str, candidates: Iterable[str]) -> Optional[str]:
    """The candidate ``name`` most likely meant: the same up to case, ``_`` and ``-``
    (``hosted_zone_ID``, ``hostedZoneId`` -> ``hosted_zone_id``), else the most similar by ``difflib``."""
    folded = {re.sub(r"[_-]", "", candidate).lower(): candidate for candidate in candidates}
    key = re.sub(r"[_-]", "", name).lower()
    if key in folded:
        return folded[key]
    near = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[near[0]] if near else None


def check_argument_names(args: Any, args_type: type) -> None:
    """``args`` is a dict of ``args_type``'s keys with its required ones set. An unknown key is refused
    with the closest valid one (or all of them, when none is close), so a typo never silently drops a
    setting."""
    if not isinstance(args, Mapping):
        raise InvalidArgument("args", f"expected a dict of {args_type.__name__}, got {type(args).__name__}")
    known = set(args_type.__annotations__)
    for key in args:
        if key not in known:
            near = closest_name(str(key), sorted(known))
            hint = f"did you mean {near}?" if near else f"valid: {', '.join(sorted(known))}"
            raise InvalidArgument(key, f"not an argument of {args_type.__name__}; {hint}")
    for key in getattr(args_type, "__required_keys__", ()):
        if args.get(key) is None:
            raise InvalidArgument(key, f"required by {args_type.__name__}")


@dataclass(frozen=True)
class ComponentNameRule:
    """What a front door's component name may be: it starts the names of the resources it creates."""

    starts: str
    """What the name starts, e.g. ``"CloudFront resource names"``."""
    pattern: re.Pattern[str]
    """The characters it may be made of (matched whole)."""
    characters: str
    """``pattern`` in words, e.g. ``"ASCII letters, digits, '-' and '_', starting with a letter or digit"``."""
    max_length: int
    why: str
    """Where ``max_length`` comes from: the longest name made from the component name and the cloud's limit."""


def check_component_name(name: Any, rule: ComponentNameRule) -> None:
    """Refuse, naming ``name``, a component name that breaks ``rule``, saying what is valid and why."""
    if not isinstance(name, str) or not rule.pattern.fullmatch(name):
        raise InvalidArgument(
            "name",
            f"{name!r} cannot start {rule.starts}: use {rule.characters} (e.g. 'tracking'), at most "
            f"{rule.max_length} characters",
        )
    if len(name) > rule.max_length:
        raise InvalidArgument("name", f"{name!r} is {len(name)} characters; at most {rule.max_length} ({rule.why})")


def plain_arg(args: Mapping[str, Any], key: str, expected: type, default: Any = None) -> Any:
    """``args[key]`` as a plain value of type ``expected`` (``default`` when absent or None).

    Outputs are refused: these values decide which resources exist, so they must be known up front.
    Front doors read their own arguments with it before ``resolve_settings``, so it refuses
    ``args`` that are not a dict too."""
    value = _mapping(args).get(key)
    if value is None:
        return default
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        raise InvalidArgument(
            key, "must be a plain value known when the program runs, not an Output (it decides which resources exist)"
        )
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise InvalidArgument(key, f"expected {expected.__name__}, got {type(value).__name__} {value!r}")
    return value


def domain_subset_arg(args: Mapping[str, Any], key: str, domains: Sequence[str]) -> frozenset[str]:
    """``args[key]``: a list of some of the tracking ``domains`` (empty when absent), normalised as they
    are (``validate_hostname``); a name that is not one of them, or is listed twice, is refused naming
    ``key[i]``."""
    found: set[str] = set()
    for index, value in enumerate(plain_arg(args, key, list, [])):
        name = validate_hostname(value, argument=f"{key}[{index}]")
        if name not in domains:
            raise InvalidArgument(f"{key}[{index}]", f"{value!r} is not one of the tracking domains in domains")
        if name in found:
            raise InvalidArgument(f"{key}[{index}]", f"{value!r} is listed twice (as {name!r})")
        found.add(name)
    return frozenset(found)


def bounded_int_arg(
    args: Mapping[str, Any], key: str, default: Optional[int], low: int, high: Optional[int] = None, note: str = ""
) -> Optional[int]:
    """``plain_arg`` for a whole number from ``low`` to ``high`` (no upper bound when None); ``note``
    says where the bounds come from, after the default, in the error message."""
    value = plain_arg(args, key, int, default)
    if value is None or (low <= value and (high is None or value <= high)):
        return value
    bounds = f"outside {low}..{high}" if high is not None else f"below {low}"
    details = "; ".join(part for part in (f"default {default}" if default is not None else "", note) if part)
    raise InvalidArgument(key, f"{value} is {bounds}" + (f" ({details})" if details else ""))


def input_arg(args: Mapping[str, Any], key: str, example: str, default: Any = None) -> Any:
    """``args[key]`` as a string, or an Output of one (a zone id or resource group from another
    resource), ``default`` when absent; empty strings and other types are refused. ``example``
    names what is expected, e.g. ``"a Route 53 zone id such as 'Z0123456789ABC'"``."""
    value = _mapping(args).get(key)
    if value is None:
        return default
    if isinstance(value, str):
        if not value.strip():
            raise InvalidArgument(key, f"is empty; give {example}")
        return value.strip()
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        return value
    raise InvalidArgument(key, f"expected {example} (a string or an Output of one), got {type(value).__name__} {value!r}")


def warn_zone_unchecked(zone_argument: str, zone_name_argument: str, dns_service: str) -> None:
    """Warn that a zone given by id alone (``zone_argument`` without ``zone_name_argument``) leaves the
    tracking domains unchecked against it. Warned rather than looked up: offline, a zone id says nothing
    of the zone's name (the offline engine would have to invent one), and the id may be an output known
    only after apply, when a refusal can no longer come before the first resource
    (docs/dns-and-migration.md)."""
    pulumi.log.warn(
        f"{zone_argument} without {zone_name_argument}: the tracking domains are not checked against the zone, and "
        f"{dns_service} refuses a record outside it only halfway through `pulumi up`; give {zone_name_argument} (the "
        "zone's DNS name, e.g. 'example.com') to check every domain before anything is created"
    )


def _mapping(args: Any) -> Mapping[str, Any]:
    if not isinstance(args, Mapping):
        raise InvalidArgument("args", f"expected a dict of arguments, got {type(args).__name__}")
    return args


def under_mock_engine() -> bool:
    """Whether the program runs under Pulumi's mock engine (``pulumi.runtime.set_mocks``: unit tests,
    ``tracking-cdn plan``), where what the cloud computes is whatever the mocks answered."""
    from pulumi.runtime import mocks, settings

    return isinstance(settings.SETTINGS.monitor, mocks.MockMonitor)


def missing_from_the_cloud(
    what: str, source: "pulumi.Resource | str", failure: Optional[str], real_default: Any = None
) -> Any:
    """Stand-in for ``what``, a value the cloud computes that ``source`` (a resource, or a description of a
    data source) came back without. Under the mock engine the mocks did not supply it (Pulumi's documented mocks answer a
    resource with its own inputs and a data source with ``{}``): warn, naming it and how to supply it,
    and return a placeholder naming it, so nothing downstream is silently wrong. Under a real engine it is
    a real anomaly: raise ``RuntimeError(failure)``, or return ``real_default`` when ``failure`` is None
    (a value the cloud may legitimately leave empty)."""
    if not under_mock_engine():
        if failure is None:
            return real_default
        raise RuntimeError(failure)
    placeholder = MISSING_FROM_MOCKS.format(what=what)
    if isinstance(source, pulumi.Resource):
        source = f"{source.pulumi_resource_type} {source.pulumi_resource_name!r}"
    pulumi.log.warn(
        f"{source}: the mocks gave no {what}, a value the cloud computes; {placeholder} stands in for it. "
        "Return it from your pulumi.runtime.Mocks (new_resource for a resource, call for a data source), or "
        "wrap them in tracking_cdn.testing.SimulatedCloud, which answers every tracking-cdn resource and lookup "
        "as the cloud would (docs/own-program.md)"
    )
    return placeholder


def cloud_output(
    resource: pulumi.Resource, what: str, output: pulumi.Output[Any], failure: Optional[str], real_default: Any = None
) -> pulumi.Output[Any]:
    """``output``, the cloud-computed property ``what`` (its wire name) of ``resource``, with an empty
    value (None, ``""``, ``[]``) handled by ``missing_from_the_cloud``."""
    return output.apply(
        lambda value: value if value not in (None, "", []) else missing_from_the_cloud(what, resource, failure, real_default)
    )


def dns_record(
    name: pulumi.Input[str], type: pulumi.Input[str], value: pulumi.Input[str], purpose: str
) -> pulumi.Output[DnsRecord]:
    """One entry of ``dns_records``; names and values are stripped of their trailing dot. A name or value
    that came back as None is ``missing_from_the_cloud``."""

    def record(name: Optional[str], type: str, value: Optional[str]) -> DnsRecord:
        failure = f"no {{what}} for a {purpose} {type} record of dns_records"
        if name is None:
            name = missing_from_the_cloud("record name", "dns_records", failure.format(what="name"))
        if value is None:
            what = f"value of the {type} record {name}"
            value = missing_from_the_cloud(what, "dns_records", failure.format(what="value"))
        return DnsRecord(name=name.rstrip("."), type=type, value=value.rstrip("."), purpose=purpose)

    return pulumi.Output.all(name, type, value).apply(lambda resolved: record(*resolved))


def route_targets(records: Sequence[DnsRecord], domains: Sequence[str]) -> dict[str, str]:
    """``route_targets`` from ``dns_records``: each of ``domains`` with a route record -> its value, the
    first of its types in ``ROUTE_TARGET_TYPES`` order, in ``domains`` order."""
    rank = {record_type: position for position, record_type in enumerate(ROUTE_TARGET_TYPES)}
    found: dict[str, DnsRecord] = {}
    for record in records:
        if record["purpose"] != ROUTE:
            continue
        kept = found.get(record["name"])
        if kept is None or rank.get(record["type"], len(rank)) < rank.get(kept["type"], len(rank)):
            found[record["name"]] = record
    return {domain: found[domain]["value"] for domain in domains if domain in found}


def collect_dns_records(records: Sequence[pulumi.Input[DnsRecord]]) -> pulumi.Output[list[DnsRecord]]:
    """All records as one output list, validation records first (they must exist before the route works)."""
    return pulumi.Output.all(*records).apply(
        lambda resolved: sorted(resolved, key=lambda record: record["purpose"] != VALIDATION)
    )


class TrackingDomainComponent(pulumi.ComponentResource):
    """Base of every front door: type token ``tracking-cdn:index:<ClassName>`` and the common outputs."""

    origin_host: pulumi.Output[str]
    """The ESP endpoint host every request is forwarded to."""
    dns_records: pulumi.Output[list[DnsRecord]]
    """Every DNS record the tracking domains need (``purpose`` ``route`` or ``validation``), whether or not
    the component created it: create the ones in zones the component does not manage."""
    route_targets: pulumi.Output[dict[str, str]]
    """Where DNS must point, the same on every front door: each tracking domain -> the value of its
    ``route`` record in ``dns_records`` (a host name, or the IP address of an A record, as on GCP). A domain
    with several route records (GCP's A and AAAA with ``enable_ipv6``) maps to the first of its CNAME,
    ALIAS, A and AAAA records; ``dns_records`` lists them all. A domain with no route record yet (Fastly's
    ``draft_domains``) is absent. Derived from ``dns_records``, so a front door adds no code for it."""

    supports = frozenset()
    """The capabilities beyond the first contract this front door implements (``APP_LINKS``,
    ``WELL_KNOWN_ORIGIN``, ``ORIGIN_HTTP``, ``ORIGIN_CACHE_CONTROL``): a front door overrides it, e.g.
    ``supports = frozenset({APP_LINKS})``, as it implements them. Arguments needing any other are refused
    (``refuse_unsupported``) before anything is registered. Not annotated: it is no output."""

    def __init__(self, name: str, settings: FrontDoorSettings, opts: Optional[pulumi.ResourceOptions]) -> None:
        refuse_unsupported(type(self), settings)
        super().__init__(f"tracking-cdn:index:{type(self).__name__}", name, None, opts)
        self.settings = settings
        if settings.cache_ttl_seconds == 0:
            pulumi.log.warn(
                "cache_ttl_seconds=0: link-scanning mail gateways that fetch every link can inflate click "
                "counts; the default of 10 s absorbs them.",
                resource=self,
            )

    def child_opts(self, *, serving: bool = False, **options: Any) -> pulumi.ResourceOptions:
        """Options for a child; ``serving`` children (live front door, certificates, DNS) are protected
        unless ``protect_serving_resources`` is False."""
        return pulumi.ResourceOptions(parent=self, protect=serving and self.settings.protect, **options)

    def publish_outputs(self, **outputs: Any) -> None:
        """Assign and register every output the class declares, and only those; ``route_targets`` is
        derived here from ``dns_records``."""
        declared = {
            key
            for cls in type(self).__mro__
            for key, annotation in inspect.get_annotations(cls).items()
            if getattr(annotation, "__origin__", None) is pulumi.Output
        } - {"route_targets"}
        if set(outputs) != declared:
            raise TypeError(f"{type(self).__name__} must publish exactly {sorted(declared)}, got {sorted(outputs)}")
        domains = self.settings.domains
        outputs["route_targets"] = pulumi.Output.from_input(outputs["dns_records"]).apply(
            lambda records: route_targets(records, domains)
        )
        for key, value in outputs.items():
            setattr(self, key, pulumi.Output.from_input(value))
        self.register_outputs(outputs)
