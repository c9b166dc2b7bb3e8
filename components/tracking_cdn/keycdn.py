"""KeyCDN front door: a pull zone in front of the ESP's tracking endpoint, one zone alias per tracking
domain, Let's Encrypt certificates issued by KeyCDN.

What it builds (Braze's SSL click-tracking guide, seed ``003_*``: "KeyCDN — SendGrid"; KeyCDN's API,
keycdn.com/api; the facts and their sources are tabled in tests/keycdn_standin.py):

    tracking domains --CNAME--> <zone name>-<zone_url_id>.kxcdn.com (the zone's URL)
        KeyCdnZone (pull zone): origin URL https://<ESP endpoint> (ses: http://, its documented exception),
            Forward Host Header where the ESP routes on the tracking domain (SendGrid, SES, Iterable) and Cache
            Key Host with it; the query string in the cache key (Ignore Query String off); the edge cache time (Max Expire) from
            cache_ttl_seconds; Force SSL only with redirect_http_to_https; SSL: Let's Encrypt
        KeyCdnZoneAlias per domain: the tracking domain on the zone (KeyCDN issues its certificate)

No Pulumi or Terraform provider for KeyCDN is maintained, so the zone and its aliases are dynamic
resources over KeyCDN's REST API (``tracking_cdn.rest``: the hardened client and resource pattern
SparkPost's tracking domains use). Their type tokens are ``pulumi-python:dynamic/keycdn:Zone`` and
``pulumi-python:dynamic/keycdn:ZoneAlias``; the providers are pickled by reference to this module, so
``pulumi-tracking-cdn`` must stay installed where the program runs. No SDK is imported.

What KeyCDN does not let this component do, or does not document (docs/front-doors/keycdn.md): caching
counts whole minutes, so ``cache_ttl_seconds`` below 60 means not cached (the default 10 included);
KeyCDN's documented request to the origin carries no ``X-Forwarded-For``; the API shows no certificate
status, so nothing waits for issuance; the app-link files cannot be answered at the edge.
(No ``from __future__ import annotations``: Pulumi's schema inference reads the annotations below.)
"""

import base64
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NotRequired, Optional

import pulumi

from .contract import (
    ORIGIN_CACHE_CONTROL,
    ORIGIN_HTTP,
    ROUTE,
    ComponentNameRule,
    FrontDoorSettings,
    TrackingDomainArgs,
    TrackingDomainComponent,
    check_component_name,
    collect_dns_records,
    dns_record,
    plain_arg,
    resolve_settings,
)
from .errors import InvalidArgument
from .esp import CACHE_ORIGIN_HEADERS
from .esp import ORIGIN_HTTP as PLAIN_HTTP_ORIGIN
from .rest import (
    KEY_PROPERTY,
    ApiFailure,
    ApiKey,
    JsonApi,
    RestResource,
    RestResourceProvider,
    RetryPolicy,
    Shape,
    quote,
    text,
)
from .rest import validate_api_base_url as _validate_base_url

API_BASE_URL = "https://api.keycdn.com"
"""KeyCDN's API (keycdn.com/api, changelog 2015-11-20: "Changed the API base URL to api.keycdn.com")."""
API_KEY_SETTING = "keycdnApiKey"
"""The key's stack config key (a secret), in the program's namespace (``tracking-cdn:keycdnApiKey`` as shipped)."""
API_KEY_ENV = "KEYCDN_API_KEY"
API_KEY = ApiKey(
    service="KeyCDN",
    argument="keycdn_api_key",
    setting=API_KEY_SETTING,
    environment=API_KEY_ENV,
    shape=re.compile(r"[A-Za-z0-9_]{16,128}"),
    issued="letters, digits and '_' (such as sk_prod_...)",
    requirement="it must be a key of this account (Account Settings, API)",
)
"""KeyCDN's key. What it issues, as far as its docs show: the API reference's example key is
``sk_prod_zbSVNe8gVUMT4KjYcJWuyC86`` (letters, digits and ``_``); no length is documented."""
ZONE_URL_SUFFIX = "kxcdn.com"
"""A zone's URL is ``<zone name>-<hex id>.kxcdn.com`` (KeyCDN's X-Forwarded-Host guide)."""
LETS_ENCRYPT = "letsencrypt"
"""The zone's SSL setting for Let's Encrypt certificates (keycdn.com/api changelog 2016-03-05 "Added Let's
Encrypt"; the value's spelling is not in the stored docs, see tests/keycdn_standin.py)."""
PULL_ZONE = "pull"
SECONDS_PER_MINUTE = 60
UNSUPPORTED_ESPS: dict[str, str] = {
    name: "Customer.io's HTTPS link tracking works behind a CDN only if the CDN does not check Customer.io's "
          "certificate against the tracking domain (its Cloudflare recipe needs SSL 'Full', not 'Full (strict)'), "
          "and KeyCDN documents neither how it checks an origin's certificate nor the name it sends with Forward "
          "Host Header; use CloudflareTrackingDomain or FastlyTrackingDomain"
    for name in ("customerio", "customerio-eu")
}
"""ESP profiles KeyCDN is refused for, and why."""

COMPONENT_NAME = ComponentNameRule(
    starts="Pulumi resource names and the zone name",
    pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),
    characters="ASCII letters, digits, '-' and '_', starting with a letter or digit",
    max_length=63,
    why="it starts every resource name and, lower-cased without '-' and '_', the default zone name",
)
ZONE_NAME = re.compile(r"[a-z0-9]{1,20}")
"""Our rule for zone names: KeyCDN's stored docs give none; a third-party client documents 20 alphanumeric
characters, and the name starts the zone's URL, a DNS label."""
ZONE_URL_ID = re.compile(r"[0-9a-f]{1,32}")


# --------------------------------------------------------------------------------------------------
# KeyCDN's API


class KeyCdnError(ApiFailure):
    """A KeyCDN API call failed; the message says how, quoting KeyCDN, never the API key."""

    service = "KeyCDN"


SUCCESS = Shape(
    '{"status": "success", "data": ...}',
    lambda payload, raw: isinstance(payload, dict) and payload.get("status") == "success" and "data" in payload,
)


def _data(key: str, kind: type) -> Shape:
    """A success whose ``data`` holds ``key`` of type ``kind``."""
    return Shape(
        f'{{"status": "success", "data": {{"{key}": ...}}}}',
        lambda payload, raw: SUCCESS.fits(payload, raw)
        and isinstance(payload["data"], dict) and isinstance(payload["data"].get(key), kind),
    )


ZONE, ZONES = _data("zone", dict), _data("zones", list)
ALIAS, ALIASES = _data("zonealias", dict), _data("zonealiases", list)


@dataclass(frozen=True)
class ZoneSettings:
    """What the zone resource manages of a KeyCDN pull zone (its properties, KeyCDN's field names in
    ``FIELDS``)."""

    origin_url: str
    forward_host_header: bool
    cache_key_host: bool
    ignore_query_string: bool
    ignore_cache_control: bool
    cache_max_expire_minutes: int
    force_ssl: bool
    ssl_certificate: str

    FIELDS = {
        "origin_url": "originurl",
        "forward_host_header": "cachehostheader",
        "cache_key_host": "cachekeyhost",
        "ignore_query_string": "cacheignorequerystring",
        "ignore_cache_control": "cacheignorecachecontrol",
        "cache_max_expire_minutes": "cachemaxexpire",
        "force_ssl": "forcessl",
        "ssl_certificate": "sslcert",
    }

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> "ZoneSettings":
        settings = {name: props[name] for name in cls.FIELDS}
        # The engine hands numbers to a dynamic provider as floats: 1.0 would be sent as "1.0".
        settings["cache_max_expire_minutes"] = int(settings["cache_max_expire_minutes"])
        return cls(**settings)

    @classmethod
    def from_api(cls, zone: Mapping[str, Any]) -> "ZoneSettings":
        """KeyCDN answers every value as a string: ``enabled``/``disabled``, numbers in digits."""
        return cls(
            origin_url=text(zone.get("originurl")),
            forward_host_header=zone.get("cachehostheader") == "enabled",
            cache_key_host=zone.get("cachekeyhost") == "enabled",
            ignore_query_string=zone.get("cacheignorequerystring") == "enabled",
            ignore_cache_control=zone.get("cacheignorecachecontrol") == "enabled",
            cache_max_expire_minutes=_number(zone.get("cachemaxexpire")),
            force_ssl=zone.get("forcessl") == "enabled",
            ssl_certificate=text(zone.get("sslcert")),
        )

    def to_api(self, names: Optional[set[str]] = None) -> dict[str, str]:
        """The form fields for ``names`` (default: all), values as KeyCDN takes them."""
        fields = {}
        for name, field in self.FIELDS.items():
            if names is None or name in names:
                value = getattr(self, name)
                fields[field] = ("enabled" if value else "disabled") if isinstance(value, bool) else str(value)
        return fields

    def differences(self, other: "ZoneSettings") -> set[str]:
        return {name for name in self.FIELDS if getattr(self, name) != getattr(other, name)}

    def as_props(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    type: str
    settings: ZoneSettings

    @classmethod
    def from_api(cls, zone: Mapping[str, Any]) -> "Zone":
        return cls(text(zone.get("id")), text(zone.get("name")), text(zone.get("type")), ZoneSettings.from_api(zone))


@dataclass(frozen=True)
class ZoneAlias:
    id: str
    zone_id: str
    name: str

    @classmethod
    def from_api(cls, alias: Mapping[str, Any]) -> "ZoneAlias":
        return cls(text(alias.get("id")), text(alias.get("zone_id")), text(alias.get("name")).lower())


def _number(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1  # not a number KeyCDN documents: differs from every wanted value, so it is corrected


def validate_api_base_url(url: Any, argument: str = "api_base_url") -> str:
    return _validate_base_url(url, argument=argument, example=API_BASE_URL, service="KeyCDN")


class KeyCdnApi(JsonApi):
    """KeyCDN's Zones and Zone Aliases API (keycdn.com/api): HTTP Basic with the key as user name and no
    password, form-encoded parameters (as KeyCDN's own API clients send them), JSON answers
    ``{"status", "description", "data"}``, errors included."""

    failure = KeyCdnError
    key = API_KEY

    def __init__(
        self,
        api_key: str,
        base_url: str = API_BASE_URL,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._authorization = "Basic " + base64.b64encode(f"{API_KEY.issued_key(api_key)}:".encode()).decode()
        super().__init__(api_key.strip(), validate_api_base_url(base_url), retry, sleep)

    def __repr__(self) -> str:
        return f"KeyCdnApi({self.base_url!r})"

    # zones
    def zones(self) -> list[Zone]:
        reply = self._call("GET", "/zones.json", "list zones", shape=ZONES)
        return [Zone.from_api(zone) for zone in reply.payload["data"]["zones"] if isinstance(zone, dict)]

    def zone(self, zone_id: str) -> Optional[Zone]:
        """The zone; None when KeyCDN says there is none (404 with its error JSON; any other 404 is an error)."""
        reply = self._call("GET", f"/zones/{quote(zone_id)}.json", f"read zone {zone_id}", shape=ZONE, tolerate=(404,))
        return None if reply.status == 404 else Zone.from_api(reply.payload["data"]["zone"])

    def add_zone(self, name: str, settings: ZoneSettings) -> Zone:
        body = {"name": name, "type": PULL_ZONE, **settings.to_api()}
        reply = self._call("POST", "/zones.json", f"create zone {name}", body, shape=ZONE)
        return Zone.from_api(reply.payload["data"]["zone"])

    def edit_zone(self, zone_id: str, fields: Mapping[str, str]) -> Zone:
        reply = self._call("PUT", f"/zones/{quote(zone_id)}.json", f"update zone {zone_id}", fields, shape=ZONE)
        return Zone.from_api(reply.payload["data"]["zone"])

    def delete_zone(self, zone_id: str) -> None:
        """Already gone (KeyCDN's 404) counts as deleted."""
        self._call("DELETE", f"/zones/{quote(zone_id)}.json", f"delete zone {zone_id}", shape=SUCCESS, tolerate=(404,))

    # zone aliases
    def aliases(self) -> list[ZoneAlias]:
        reply = self._call("GET", "/zonealiases.json", "list zone aliases", shape=ALIASES)
        return [ZoneAlias.from_api(alias) for alias in reply.payload["data"]["zonealiases"] if isinstance(alias, dict)]

    def add_alias(self, zone_id: str, name: str) -> ZoneAlias:
        body = {"zone_id": zone_id, "name": name}
        reply = self._call("POST", "/zonealiases.json", f"create zone alias {name}", body, shape=ALIAS)
        return ZoneAlias.from_api(reply.payload["data"]["zonealias"])

    def edit_alias(self, alias_id: str, zone_id: str, name: str) -> ZoneAlias:
        body = {"zone_id": zone_id, "name": name}
        path = f"/zonealiases/{quote(alias_id)}.json"
        reply = self._call("PUT", path, f"update zone alias {name}", body, shape=ALIAS)
        return ZoneAlias.from_api(reply.payload["data"]["zonealias"])

    def delete_alias(self, alias_id: str, name: str) -> None:
        """Already gone (KeyCDN's 404) counts as deleted."""
        path = f"/zonealiases/{quote(alias_id)}.json"
        self._call("DELETE", path, f"delete zone alias {name}", shape=SUCCESS, tolerate=(404,))

    # the client's hooks
    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Authorization": self._authorization}

    def _encode(self, body: Mapping[str, Any]) -> tuple[bytes, str]:
        return urllib.parse.urlencode(body).encode(), "application/x-www-form-urlencoded"

    def _errors(self, payload: Any) -> tuple[str, ...]:
        if isinstance(payload, dict) and payload.get("status") == "error" and isinstance(payload.get("description"), str):
            return (payload["description"],)
        return ()



class KeyCdnRefused(RuntimeError):
    """KeyCDN's state rules out what the resource asks; the message says what to do."""


# --------------------------------------------------------------------------------------------------
# Dynamic providers and resources


class _KeyCdnProvider(RestResourceProvider):
    """What the zone and alias providers share: the API from the properties."""

    update_on: tuple[str, ...] = ()
    replace_on = ("name", "api_base_url")
    name_property = "name"

    def api(self, props: Mapping[str, Any]) -> KeyCdnApi:
        return KeyCdnApi(API_KEY.in_state(props), props["api_base_url"], self.retry)

    def _refusal(self, props: Mapping[str, Any], what: str) -> KeyCdnRefused:
        return KeyCdnRefused(
            f"{self.kind} {props['name']!r} already exists in KeyCDN ({what}) and this stack did not create it. "
            "Nothing was changed. To manage it here, set adopt_existing=True (stack config adoptExisting: true); "
            f"destroy then leaves it in KeyCDN. Or use another name. If a `pulumi up` of this stack was "
            "interrupted while creating it on another machine (this one has no record of that create), delete it "
            "in KeyCDN and run `pulumi up` again (docs/front-doors/keycdn.md, Day two)"
        )


class KeyCdnZoneProvider(_KeyCdnProvider):
    """CRUD of one KeyCDN pull zone. Properties: ``name``, the ``ZoneSettings`` fields, ``api_base_url``,
    ``api_key``, ``adopt_existing``; outputs: the same, as KeyCDN reports them, and ``adopted``."""

    kind = "zone"
    journal_service = "keycdn-zone"
    update_on = (*ZoneSettings.FIELDS, KEY_PROPERTY)

    def find(self, api: KeyCdnApi, props: Mapping[str, Any]) -> Optional[Zone]:
        return next((zone for zone in api.zones() if zone.name == props["name"]), None)

    def id_of(self, live: Zone) -> str:
        return live.id

    def post(self, api: KeyCdnApi, props: Mapping[str, Any]) -> Optional[str]:
        return api.add_zone(props["name"], ZoneSettings.from_props(props)).id

    def refuse_existing(self, api: KeyCdnApi, props: Mapping[str, Any], live: Zone) -> Exception:
        return self._refusal(props, f"id {live.id}, origin {live.settings.origin_url!r}")

    def converge(self, api: KeyCdnApi, id_: str, props: Mapping[str, Any], *, adopted: bool, confirmed: bool) -> dict[str, Any]:
        live = api.zone(id_)
        if live is None:
            raise KeyCdnRefused(
                f"zone {props['name']!r} (id {id_}) is no longer in KeyCDN (deleted outside Pulumi?): run `pulumi "
                "refresh` to drop it from the state, then `pulumi up` to create it again"
            )
        if live.type != PULL_ZONE:
            raise KeyCdnRefused(
                f"zone {props['name']!r} is a {live.type or 'unknown'} zone; a tracking domain needs a pull zone, "
                "which forwards every request to the ESP. Nothing was changed: use another zone name"
            )
        wanted = ZoneSettings.from_props(props)
        different = wanted.differences(live.settings)
        if different:
            live = api.edit_zone(id_, wanted.to_api(different))
        return _zone_outputs(props, live)

    def remove(self, api: KeyCdnApi, id_: str, props: Mapping[str, Any]) -> None:
        api.delete_zone(id_)

    def fetch(self, api: KeyCdnApi, id_: str, props: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        live = api.zone(id_)
        return None if live is None else _zone_outputs(props, live)


def _zone_outputs(props: Mapping[str, Any], live: Zone) -> dict[str, Any]:
    echoed = ("api_base_url", KEY_PROPERTY, "adopt_existing")
    return {**{key: props.get(key) for key in echoed}, "name": live.name, "zone_id": live.id,
            **live.settings.as_props()}


class KeyCdnZoneAliasProvider(_KeyCdnProvider):
    """CRUD of one KeyCDN zone alias. Properties: ``name`` (the tracking domain), ``zone_id``,
    ``api_base_url``, ``api_key``, ``adopt_existing``; outputs: the same, as KeyCDN reports them,
    ``alias_id`` and ``adopted``."""

    kind = "zone alias"
    journal_service = "keycdn-zone-alias"
    update_on = ("zone_id", KEY_PROPERTY)

    def find(self, api: KeyCdnApi, props: Mapping[str, Any]) -> Optional[ZoneAlias]:
        return next((alias for alias in api.aliases() if alias.name == props["name"]), None)

    def id_of(self, live: ZoneAlias) -> str:
        return live.id

    def post(self, api: KeyCdnApi, props: Mapping[str, Any]) -> Optional[str]:
        return api.add_alias(props["zone_id"], props["name"]).id

    def refuse_existing(self, api: KeyCdnApi, props: Mapping[str, Any], live: ZoneAlias) -> Exception:
        where = "on this zone" if live.zone_id == props["zone_id"] else f"on zone {live.zone_id}"
        return self._refusal(props, where)

    def converge(self, api: KeyCdnApi, id_: str, props: Mapping[str, Any], *, adopted: bool, confirmed: bool) -> dict[str, Any]:
        live = self._live(api, id_)
        if live is None:
            raise KeyCdnRefused(
                f"zone alias {props['name']!r} (id {id_}) is no longer in KeyCDN (deleted outside Pulumi?): run "
                "`pulumi refresh` to drop it from the state, then `pulumi up` to create it again"
            )
        if live.zone_id != str(props["zone_id"]):
            live = api.edit_alias(id_, str(props["zone_id"]), props["name"])
        return _alias_outputs(props, live)

    def remove(self, api: KeyCdnApi, id_: str, props: Mapping[str, Any]) -> None:
        api.delete_alias(id_, props["name"])

    def fetch(self, api: KeyCdnApi, id_: str, props: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        live = self._live(api, id_)
        return None if live is None else _alias_outputs(props, live)

    def _live(self, api: KeyCdnApi, id_: str) -> Optional[ZoneAlias]:
        # KeyCDN's API lists zone aliases; it has no call that reads one.
        return next((alias for alias in api.aliases() if alias.id == id_), None)


def _alias_outputs(props: Mapping[str, Any], live: ZoneAlias) -> dict[str, Any]:
    echoed = ("api_base_url", KEY_PROPERTY, "adopt_existing")
    return {**{key: props.get(key) for key in echoed}, "name": live.name, "zone_id": live.zone_id,
            "alias_id": live.id}


class KeyCdnZone(RestResource, module="keycdn", name="Zone"):
    """A KeyCDN pull zone (type ``pulumi-python:dynamic/keycdn:Zone``), as ``KeyCdnTrackingDomain`` sets
    it up; the key is a secret."""

    zone_id: pulumi.Output[str]
    """KeyCDN's id of the zone."""
    adopted: pulumi.Output[bool]
    """True when the zone existed before and was adopted (destroy leaves it in KeyCDN)."""

    def __init__(self, name: str, props: dict[str, Any], opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(KeyCdnZoneProvider(), name, props, opts)


class KeyCdnZoneAlias(RestResource, module="keycdn", name="ZoneAlias"):
    """A KeyCDN zone alias (type ``pulumi-python:dynamic/keycdn:ZoneAlias``): one tracking domain on a zone."""

    alias_id: pulumi.Output[str]
    """KeyCDN's id of the alias."""
    adopted: pulumi.Output[bool]
    """True when the alias existed before and was adopted (destroy leaves it in KeyCDN)."""

    def __init__(self, name: str, props: dict[str, Any], opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(KeyCdnZoneAliasProvider(), name, props, opts)


# --------------------------------------------------------------------------------------------------
# The component


class KeyCdnTrackingDomainArgs(TrackingDomainArgs):
    """Arguments of :class:`KeyCdnTrackingDomain`: the common ones plus the KeyCDN settings below."""

    zone_url_id: str
    """The hex id in your KeyCDN zone URLs, after the zone name: a zone's URL is
    ``<zone name>-<zone_url_id>.kxcdn.com`` (shown as the zone's URL in KeyCDN's dashboard). Every tracking
    domain's CNAME points at this zone's URL. Required."""
    zone_name: NotRequired[str]
    """Name of the pull zone, 1 to 20 lower-case letters and digits; it starts the zone's URL, so changing
    it replaces the zone (and changes the CNAME target). Default: the component name, lower-cased,
    without ``-`` and ``_``, cut to 20 characters."""
    keycdn_api_key: NotRequired[pulumi.Input[str]]
    """KeyCDN API key, kept as a secret in the state. Default: the stack's secret config
    ``<project>:keycdnApiKey`` (``tracking-cdn:keycdnApiKey`` is read too); without either, the provider
    uses the ``KEYCDN_API_KEY`` environment variable at every create/update/refresh/delete (not stored)."""
    api_base_url: NotRequired[str]
    """KeyCDN's API (default ``https://api.keycdn.com``); https only, no credentials in it."""
    adopt_existing: NotRequired[bool]
    """Take over a zone of the same name, and aliases of the same names, that already exist in KeyCDN
    (default False: refused). Adopted ones are brought to these settings, and destroy leaves them in KeyCDN."""


@dataclass(frozen=True)
class KeyCdnSettings:
    """The KeyCDN arguments, validated, beside the common ones."""

    common: FrontDoorSettings
    zone_name: str
    zone_url: str
    zone: ZoneSettings
    api_base_url: str
    adopt_existing: bool
    api_key: Optional[pulumi.Output[str]]


class KeyCdnTrackingDomain(TrackingDomainComponent):
    """HTTPS and HTTP front door for email tracking domains on KeyCDN: a pull zone forwarding every
    request to the ESP's tracking endpoint over HTTPS, the tracking domain as ``Host`` where the ESP
    routes on it (Forward Host Header), the query string in the cache key, and one zone alias per
    tracking domain with a Let's Encrypt certificate KeyCDN issues. ``dns_records`` lists the CNAME each
    domain must point at the zone's URL. KeyCDN caches in whole minutes: ``cache_ttl_seconds`` below 60
    (the default 10 included) means not cached, so every click and open reaches the ESP. Plain HTTP is
    served too, or redirected to HTTPS (Force SSL) with ``redirect_http_to_https``."""

    supports = frozenset({ORIGIN_HTTP, ORIGIN_CACHE_CONTROL})

    zone_id: pulumi.Output[str]
    """KeyCDN's id of the pull zone."""
    zone_url: pulumi.Output[str]
    """The zone's URL, ``<zone name>-<zone_url_id>.kxcdn.com``: every tracking domain's CNAME target."""
    alias_ids: pulumi.Output[dict[str, str]]
    """Every tracking domain -> KeyCDN's id of its zone alias."""

    def __init__(self, name: str, args: KeyCdnTrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        check_component_name(name, COMPONENT_NAME)
        config = resolve_keycdn(name, args)
        super().__init__(name, config.common, opts)
        zone = self._zone(name, config)
        aliases = {domain: self._alias(name, domain, zone, config) for domain in config.common.domains}
        self.publish_outputs(
            origin_host=config.common.origin.host,
            dns_records=collect_dns_records([dns_record(d, "CNAME", config.zone_url, ROUTE) for d in aliases]),
            zone_id=zone.zone_id,
            zone_url=config.zone_url,
            alias_ids=pulumi.Output.all(*[alias.alias_id for alias in aliases.values()]).apply(
                lambda ids: dict(zip(aliases, ids))
            ),
        )

    def _zone(self, name: str, config: KeyCdnSettings) -> KeyCdnZone:
        props = {"name": config.zone_name, **config.zone.as_props(), **self._api_props(config)}
        return KeyCdnZone(f"{name}-zone", props, self.child_opts(serving=True))

    def _alias(self, name: str, domain: str, zone: KeyCdnZone, config: KeyCdnSettings) -> KeyCdnZoneAlias:
        props = {"name": domain, "zone_id": zone.zone_id, **self._api_props(config)}
        return KeyCdnZoneAlias(f"{name}-alias-{domain}", props, self.child_opts(serving=True))

    @staticmethod
    def _api_props(config: KeyCdnSettings) -> dict[str, Any]:
        return {"api_base_url": config.api_base_url, KEY_PROPERTY: config.api_key,
                "adopt_existing": config.adopt_existing}


def resolve_keycdn(name: str, args: Mapping[str, Any]) -> KeyCdnSettings:
    """Every argument validated before anything is registered."""
    common = resolve_settings(args, KeyCdnTrackingDomainArgs)
    profile = common.origin.profile
    if profile.name in UNSUPPORTED_ESPS:
        raise InvalidArgument("esp", f"{profile.name!r} is not supported on KeyCDN: {UNSUPPORTED_ESPS[profile.name]}")
    zone_name = plain_arg(args, "zone_name", str) or re.sub(r"[-_]", "", name.lower())[:20]
    if not ZONE_NAME.fullmatch(zone_name):
        raise InvalidArgument(
            "zone_name", f"{zone_name!r} is not a zone name: 1 to 20 lower-case letters and digits, such as 'tracking'"
        )
    zone_url_id = plain_arg(args, "zone_url_id", str)
    if not ZONE_URL_ID.fullmatch(zone_url_id.strip().lower()):
        raise InvalidArgument(
            "zone_url_id",
            f"{zone_url_id!r} is not the hex id of a KeyCDN zone URL (<zone name>-<hex id>.kxcdn.com, e.g. "
            "'1a2b3c' in tracking-1a2b3c.kxcdn.com)",
        )
    api_key = API_KEY.for_state(args.get("keycdn_api_key"), f"zone {zone_name}")
    return KeyCdnSettings(
        common=common,
        zone_name=zone_name,
        zone_url=f"{zone_name}-{zone_url_id.strip().lower()}.{ZONE_URL_SUFFIX}",
        zone=zone_settings(common, cache_minutes(common.cache_ttl_seconds)),
        api_base_url=validate_api_base_url(plain_arg(args, "api_base_url", str, API_BASE_URL)),
        adopt_existing=plain_arg(args, "adopt_existing", bool, False),
        api_key=api_key,
    )


def cache_minutes(seconds: int) -> int:
    """KeyCDN's edge cache time (Max Expire) for ``cache_ttl_seconds``: it counts whole minutes, so below a
    minute nothing is cached; above, a time that is not whole minutes is refused."""
    if seconds >= SECONDS_PER_MINUTE and seconds % SECONDS_PER_MINUTE:
        raise InvalidArgument(
            "cache_ttl_seconds",
            f"{seconds} is not a whole number of minutes, and KeyCDN's cache time (Max Expire) counts minutes: give "
            f"{seconds // SECONDS_PER_MINUTE * SECONDS_PER_MINUTE} or {(seconds // SECONDS_PER_MINUTE + 1) * SECONDS_PER_MINUTE}"
            ", or less than 60 for no caching (every click reaches the ESP)",
        )
    return seconds // SECONDS_PER_MINUTE


def zone_settings(common: FrontDoorSettings, cache_minutes: int) -> ZoneSettings:
    """The pull zone for ``common``: the ESP over HTTPS (plain HTTP for an ESP reached so, ``ses``); the
    viewer's Host where the ESP routes on it, each domain cached apart then; the query string in the cache
    key (a click's token is in it); our cache time whatever the
    ESP says, unless the profile follows the ESP's Cache-Control; Force SSL only when asked."""
    origin = common.origin
    scheme = "http" if origin.profile.origin_protocol == PLAIN_HTTP_ORIGIN else "https"
    return ZoneSettings(
        origin_url=f"{scheme}://{origin.host}",
        forward_host_header=origin.sends_tracking_host,
        cache_key_host=origin.sends_tracking_host,
        ignore_query_string=False,  # query strings reach the ESP and are part of the cache key
        ignore_cache_control=origin.profile.cache_mode != CACHE_ORIGIN_HEADERS,
        cache_max_expire_minutes=cache_minutes,
        force_ssl=common.redirect_http_to_https,
        ssl_certificate=LETS_ENCRYPT,
    )


__all__ = ["KeyCdnTrackingDomain", "KeyCdnTrackingDomainArgs"]
