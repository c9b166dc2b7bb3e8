"""Tell SparkPost that a tracking domain is served over HTTPS: the ``SparkPostTrackingDomain`` resource.

The last step of every front-door guide (seed ``000_*``, "Switch tracking domain to secure, and validate";
DESIGN.md section 3) as a Pulumi resource, in three layers that are testable on their own:

- ``SparkPostApi``: a small standard-library client for SparkPost's tracking-domains API, with a timeout
  on every call, bounded retries with exponential backoff on 429/5xx and network errors (honouring
  ``Retry-After``), and errors that quote SparkPost's code and description but never the API key;
- ``SparkPostTrackingDomainProvider``: the Pulumi dynamic provider (create/read/update/delete/diff);
- ``SparkPostTrackingDomain``: the resource, which validates its arguments before anything registers,
  and ``register_from_config`` which the stack program calls.

The dynamic provider is pickled (dill) into the state *by reference* to this module, so the engine's
provider process imports ``tracking_cdn.sparkpost`` from the same environment that runs the program.
The provider object holds no secret: the API key travels as a secret resource property.
"""

import email.utils
import http.client
import ipaddress
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, NotRequired, Optional, Sequence, TypedDict

import pulumi
import pulumi.dynamic

from . import __version__
from .contract import bounded_int_arg, check_argument_names, plain_arg
from .domains import normalize_tracking_domains, validate_hostname
from .errors import InvalidArgument

API_BASE_URLS: dict[str, str] = {
    "us": "https://api.sparkpost.com/api/v1",
    "eu": "https://api.eu.sparkpost.com/api/v1",
}
"""SparkPost's API per region (DESIGN.md section 3)."""

REGION_BY_ESP: dict[str, Optional[str]] = {
    "sparkpost": "us",
    "sparkpost-v2": "us",
    "sparkpost-eu": "eu",
    "sparkpost-eu-v2": "eu",
    "sparkpost-enterprise": None,  # each tenant has its own API host: give apiBaseUrl
}
"""The API region of each SparkPost ESP profile, used when the stack config names no region."""

API_KEY_CONFIG = "tracking-cdn:sparkpostApiKey"
API_KEY_ENV = "SPARKPOST_API_KEY"
DOMAIN_EXISTS_CODE = "1602"
"""SparkPost's error code for ``POST /tracking-domains`` when the domain already exists (409)."""

_LOOPBACK_NAMES = {"localhost"}
_SECRET_PROPERTY = "api_key"


# --------------------------------------------------------------------------------------------------
# HTTP client


@dataclass(frozen=True)
class RetryPolicy:
    """How hard ``SparkPostApi`` tries: bounded attempts, exponential backoff, a timeout per call."""

    attempts: int = 5
    """Tries per API call, the first included; retried are 429, 5xx and network errors/timeouts."""
    base_delay: float = 1.0
    """Seconds before the first retry; doubled for each further retry."""
    max_delay: float = 30.0
    """Cap on any single wait, including a server's ``Retry-After``."""
    timeout: float = 30.0
    """Seconds allowed for each HTTP call (connect and read)."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidArgument("attempts", f"must be at least 1, got {self.attempts}")

    def delay(self, retry: int, retry_after: Optional[float]) -> float:
        """Seconds to wait before retry number ``retry`` (0-based): the server's ``Retry-After`` when it
        sent one, otherwise exponential backoff; never more than ``max_delay``."""
        wanted = retry_after if retry_after is not None else self.base_delay * 2**retry
        return max(0.0, min(self.max_delay, wanted))


@dataclass(frozen=True)
class DomainStatus:
    """SparkPost's verification status of a tracking domain (``POST .../verify`` results)."""

    verified: bool
    cname_status: str
    compliance_status: str

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> "DomainStatus":
        return cls(
            verified=bool(results.get("verified", False)),
            cname_status=str(results.get("cname_status", "unverified")),
            compliance_status=str(results.get("compliance_status", "pending")),
        )

    def as_outputs(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "cname_status": self.cname_status,
            "compliance_status": self.compliance_status,
        }


class SparkPostError(RuntimeError):
    """A SparkPost API call failed; the message quotes SparkPost's error code and description."""

    def __init__(self, action: str, status: Optional[int], code: str, message: str, description: str) -> None:
        self.action = action
        self.status = status
        self.code = code
        self.description = description
        where = f"HTTP {status}" if status is not None else "no response"
        detail = f"error {code} ({message})" if code else message
        super().__init__(f"SparkPost {action} failed: {where}, {detail}: {description}")


class UnverifiedDomainError(RuntimeError):
    """``default: true`` was asked for a domain SparkPost has not verified (SparkPost refuses it with 422)."""

    def __init__(self, domain: str, status: DomainStatus) -> None:
        self.domain = domain
        self.status = status
        super().__init__(
            f"SparkPost has not verified tracking domain {domain!r} (cname_status {status.cname_status!r}, "
            f"compliance_status {status.compliance_status!r}), and only a verified domain can be the "
            f"default. Point {domain} at your front door (the 'route' record in the front door's "
            "dns_records output), wait until its certificate is issued and "
            f"`tracking-cdn check {domain}` passes, then run `pulumi up` again; or set default to false "
            "until then."
        )


def validate_api_key(api_key: Any) -> str:
    """The key, if it can go into an ``Authorization`` header; the message never shows the value."""
    if not isinstance(api_key, str) or not api_key.strip():
        raise InvalidArgument(
            "api_key",
            f"no SparkPost API key: pass api_key, or run `pulumi config set --secret {API_KEY_CONFIG} <key>`, "
            f"or export {API_KEY_ENV}",
        )
    if not all("\x21" <= char <= "\x7e" for char in api_key.strip()):
        raise InvalidArgument(
            "api_key", "contains spaces, line breaks or non-ASCII characters (value not shown); paste the key alone"
        )
    return api_key.strip()


def resolve_api_base_url(region: Optional[str] = None, api_base_url: Optional[str] = None) -> str:
    """The API base URL for ``region`` (``us`` by default) or the explicit ``api_base_url``.

    An explicit URL must be ``https://`` (plain ``http://`` only to a loopback address, for tests)."""
    if region is not None and api_base_url is not None:
        raise InvalidArgument("api_base_url", "give region or api_base_url, not both")
    if api_base_url is None:
        name = "us" if region is None else region
        if name not in API_BASE_URLS:
            raise InvalidArgument("region", f"unknown SparkPost region {region!r}; valid: {', '.join(API_BASE_URLS)}")
        return API_BASE_URLS[name]
    if not isinstance(api_base_url, str):
        raise InvalidArgument("api_base_url", f"expected a URL such as {API_BASE_URLS['us']!r}, got {api_base_url!r}")
    url = urllib.parse.urlsplit(api_base_url.strip())
    if url.scheme not in ("https", "http") or not url.hostname or url.query or url.fragment:
        raise InvalidArgument(
            "api_base_url", f"{api_base_url!r} is not an API base URL such as {API_BASE_URLS['eu']!r}"
        )
    if url.scheme == "http" and not _is_loopback(url.hostname):
        raise InvalidArgument(
            "api_base_url", f"{api_base_url!r} is plain http; the API key may only travel over https"
        )
    return api_base_url.strip().rstrip("/")


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class SparkPostApi:
    """SparkPost's tracking-domains API (``/tracking-domains``), as in its public API blueprint."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        subaccount: Optional[int] = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_key = validate_api_key(api_key)
        self.base_url = base_url.rstrip("/")
        self.subaccount = subaccount
        self.retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"SparkPostApi({self.base_url!r}, subaccount={self.subaccount!r})"

    def create(self, domain: str, secure: bool) -> bool:
        """``POST /tracking-domains``; False when the domain already exists (409, code 1602)."""
        action = f"create tracking domain {domain}"
        status, payload = self._call("POST", "", action, {"domain": domain, "secure": secure}, allow=(409,))
        if status == 409:
            error = self._error(action, status, payload)
            if error.code != DOMAIN_EXISTS_CODE:
                raise error
            return False
        return True

    def get(self, domain: str) -> Optional[dict[str, Any]]:
        """``GET /tracking-domains/{domain}`` results; None when SparkPost has no such domain (404)."""
        status, payload = self._call("GET", f"/{_quote(domain)}", f"read tracking domain {domain}", allow=(404,))
        return None if status == 404 else dict(payload.get("results") or {})

    def update(self, domain: str, settings: Mapping[str, bool]) -> None:
        """``PUT /tracking-domains/{domain}`` with ``secure`` and/or ``default``."""
        self._call("PUT", f"/{_quote(domain)}", f"update tracking domain {domain}", dict(settings))

    def delete(self, domain: str) -> None:
        """``DELETE /tracking-domains/{domain}``; already gone (404) counts as deleted."""
        self._call("DELETE", f"/{_quote(domain)}", f"delete tracking domain {domain}", allow=(404,))

    def verify(self, domain: str) -> DomainStatus:
        """``POST /tracking-domains/{domain}/verify``: SparkPost checks the domain now."""
        _, payload = self._call("POST", f"/{_quote(domain)}/verify", f"verify tracking domain {domain}")
        return DomainStatus.from_results(payload.get("results") or {})

    def _call(
        self, method: str, path: str, action: str, body: Optional[dict[str, Any]] = None, allow: Sequence[int] = ()
    ) -> tuple[int, dict[str, Any]]:
        """One API call with retries; returns (status, JSON body) for 2xx and the ``allow``ed statuses."""
        request = urllib.request.Request(
            f"{self.base_url}/tracking-domains{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers=self._headers(),
        )
        for attempt in range(self.retry.attempts):
            retry_after = None
            try:
                status, headers, raw = self._send(request)
            except (OSError, http.client.HTTPException) as error:  # refused/reset, DNS failure, timeout, cut body
                failure = SparkPostError(action, None, "", "network error", self._redact(_describe(error)))
            else:
                payload = _json(raw)
                if status < 300 or status in allow:
                    return status, payload
                failure = self._error(action, status, payload, raw)
                if status != 429 and status < 500:
                    raise failure
                retry_after = parse_retry_after(headers.get("Retry-After"))
            if attempt + 1 < self.retry.attempts:
                self._sleep(self.retry.delay(attempt, retry_after))
        raise failure

    def _send(self, request: urllib.request.Request) -> tuple[int, Mapping[str, str], bytes]:
        try:
            with _OPENER.open(request, timeout=self.retry.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 4xx/5xx: a real answer, not a transport failure
            with error:
                return error.code, error.headers, error.read()

    def _headers(self) -> dict[str, str]:
        headers = {
            "Authorization": self._api_key,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": f"tracking-cdn/{__version__}",
        }
        if self.subaccount is not None:
            headers["X-MSYS-SUBACCOUNT"] = str(int(self.subaccount))  # the engine hands numbers over as floats
        return headers

    def _error(self, action: str, status: int, payload: Mapping[str, Any], raw: bytes = b"") -> SparkPostError:
        """SparkPostError from SparkPost's ``{"errors": [{code, message, description}]}`` body."""
        errors = payload.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        fallback = raw.decode("utf-8", "replace").strip()[:200] or "no error details in the response"
        return SparkPostError(
            action,
            status,
            self._redact(str(first.get("code", ""))),
            self._redact(str(first.get("message", "error"))),
            self._redact(str(first.get("description", "") or fallback)),
        )

    def _redact(self, text: str) -> str:
        # A misbehaving server or proxy could echo the Authorization header back.
        return text.replace(self._api_key, "[api key redacted]")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would replay the Authorization header to wherever a redirect points; the API never
    redirects, so a 3xx is reported as the error it is."""

    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _quote(domain: str) -> str:
    return urllib.parse.quote(domain, safe="")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _describe(error: Exception) -> str:
    reason = getattr(error, "reason", None)  # URLError wraps the socket error
    return f"{type(reason or error).__name__}: {reason or error}"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------------------------------
# Dynamic provider


def converge(api: SparkPostApi, domain: str, secure: bool, default: bool) -> DomainStatus:
    """Bring an existing tracking domain to the wanted ``secure``/``default`` and return its status.

    SparkPost refuses ``default: true`` (422) until the domain is verified, so that case verifies
    first and stops with a message saying what to fix instead of passing the 422 on."""
    api.update(domain, {"secure": secure} if default else {"secure": secure, "default": False})
    status = api.verify(domain)
    if default:
        if not status.verified:
            raise UnverifiedDomainError(domain, status)
        api.update(domain, {"secure": secure, "default": True})
    return status


class SparkPostTrackingDomainProvider(pulumi.dynamic.ResourceProvider):
    """CRUD of one SparkPost tracking domain. Properties: ``domain``, ``secure``, ``default``,
    ``subaccount`` (optional), ``api_base_url``, ``api_key``; outputs add the verification status."""

    _REPLACE_ON = ("domain", "subaccount", "api_base_url")
    _UPDATE_ON = ("secure", "default", _SECRET_PROPERTY)

    def __init__(self, retry: RetryPolicy = RetryPolicy()) -> None:
        super().__init__()
        self.retry = retry

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        api = self._api(props)
        domain = props["domain"]
        api.create(domain, props["secure"])  # an existing domain is adopted: converge sets it as asked
        status = converge(api, domain, props["secure"], props["default"])
        return pulumi.dynamic.CreateResult(domain, _outputs(props, status))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        status = converge(self._api(news), news["domain"], news["secure"], news["default"])
        return pulumi.dynamic.UpdateResult(_outputs(news, status))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self._api(props).delete(props["domain"])  # already gone (404) is what delete wants

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        results = self._api(props).get(id_)
        if results is None:
            return pulumi.dynamic.ReadResult("", {})  # deleted outside Pulumi
        live = {
            **props,
            "secure": bool(results.get("secure", props.get("secure"))),
            "default": bool(results.get("default", props.get("default"))),
        }
        return pulumi.dynamic.ReadResult(id_, _outputs(live, DomainStatus.from_results(results.get("status") or {})))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        replaces = [key for key in self._REPLACE_ON if olds.get(key) != news.get(key)]
        updates = [key for key in self._UPDATE_ON if olds.get(key) != news.get(key)]
        return pulumi.dynamic.DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            # The same domain moving to another account or API must leave the old one first.
            delete_before_replace=bool(replaces) and olds.get("domain") == news.get("domain"),
        )

    def _api(self, props: Mapping[str, Any]) -> SparkPostApi:
        api_key = props.get(_SECRET_PROPERTY) or os.environ.get(API_KEY_ENV)
        return SparkPostApi(api_key, props["api_base_url"], props.get("subaccount"), self.retry)


def _outputs(props: Mapping[str, Any], status: DomainStatus) -> dict[str, Any]:
    keys = ("domain", "secure", "default", "subaccount", "api_base_url", _SECRET_PROPERTY)
    return {**{key: props.get(key) for key in keys}, **status.as_outputs()}


# --------------------------------------------------------------------------------------------------
# Resource


class SparkPostTrackingDomainArgs(TypedDict):
    """Arguments of ``SparkPostTrackingDomain``. All but ``api_key`` must be plain values."""

    domain: str
    """The tracking domain, e.g. ``track.example.com`` (lower-cased, trailing dot removed)."""
    secure: NotRequired[bool]
    """Have SparkPost write ``https://`` tracking links (default True: the front door serves HTTPS)."""
    default: NotRequired[bool]
    """Make it the account's default tracking domain (default False). Needs a verified domain."""
    subaccount: NotRequired[int]
    """SparkPost subaccount id that owns the domain (sent as ``X-MSYS-SUBACCOUNT``); default: the account itself."""
    api_key: NotRequired[pulumi.Input[str]]
    """SparkPost API key with Tracking Domains read/write, kept as a secret in the state. Default: the
    stack's secret config ``tracking-cdn:sparkpostApiKey``; without either, the provider uses the
    ``SPARKPOST_API_KEY`` environment variable at every create/update/refresh/delete (not stored)."""
    region: NotRequired[str]
    """``us`` (default, api.sparkpost.com) or ``eu`` (api.eu.sparkpost.com)."""
    api_base_url: NotRequired[str]
    """Explicit API base URL instead of ``region`` (e.g. SparkPost Enterprise); https only."""


class SparkPostTrackingDomain(pulumi.dynamic.Resource):
    """A SparkPost tracking domain switched to ``secure`` (HTTPS links) and verified.

    Create adopts a domain that already exists at SparkPost; delete removes it from SparkPost. The API
    key is a secret in the state (input and output) and never part of the serialized provider."""

    domain: pulumi.Output[str]
    secure: pulumi.Output[bool]
    default: pulumi.Output[bool]
    api_base_url: pulumi.Output[str]
    verified: pulumi.Output[bool]
    """Whether SparkPost has verified the domain (checked on every create/update, and on refresh)."""
    cname_status: pulumi.Output[str]
    """SparkPost's CNAME check: ``unverified``, ``pending``, ``invalid`` or ``valid``."""
    compliance_status: pulumi.Output[str]
    """SparkPost's compliance check: ``pending``, ``valid`` or ``blocked``."""

    def __init__(
        self, name: str, args: SparkPostTrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        props = resource_properties(args)
        props[_SECRET_PROPERTY] = resolve_api_key(args.get("api_key"))
        if props[_SECRET_PROPERTY] is None and not os.environ.get(API_KEY_ENV):
            pulumi.log.warn(
                f"no SparkPost API key for {props['domain']}: creating it will fail unless {API_KEY_ENV} is "
                f"set, or the key given as api_key or with `pulumi config set --secret {API_KEY_CONFIG} <key>`",
            )
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=[_SECRET_PROPERTY])
        super().__init__(
            SparkPostTrackingDomainProvider(),
            name,
            {**props, "verified": None, "cname_status": None, "compliance_status": None},
            pulumi.ResourceOptions.merge(opts, secret_opts),
        )


def resource_properties(args: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``args`` (everything but the key) into the provider's properties; refuses bad input
    naming the argument, before anything registers."""
    check_argument_names(args, SparkPostTrackingDomainArgs)
    return {
        "domain": validate_hostname(plain_arg(args, "domain", str), argument="domain"),
        "secure": plain_arg(args, "secure", bool, True),
        "default": plain_arg(args, "default", bool, False),
        "subaccount": bounded_int_arg(args, "subaccount", None, 1, note="a SparkPost subaccount id"),
        "api_base_url": resolve_api_base_url(plain_arg(args, "region", str), plain_arg(args, "api_base_url", str)),
    }


def resolve_api_key(api_key: Optional[pulumi.Input[str]] = None) -> Optional[pulumi.Output[str]]:
    """The API key for the resource's state, as a secret: the argument, else the stack's secret config
    ``tracking-cdn:sparkpostApiKey``. None leaves it to ``SPARKPOST_API_KEY``, which the provider
    reads when it calls SparkPost (so that key never enters the state)."""
    if api_key is None:
        namespace, key = API_KEY_CONFIG.split(":")
        api_key = pulumi.Config(namespace).get_secret(key)
    if api_key is None:
        return None
    if isinstance(api_key, pulumi.Output):
        return pulumi.Output.secret(api_key).apply(validate_api_key)
    return pulumi.Output.secret(validate_api_key(api_key))


# --------------------------------------------------------------------------------------------------
# Stack program


SPARKPOST_CONFIG_KEYS = ("secure", "default", "subaccount", "region", "apiBaseUrl")


def register_from_config(front_door: pulumi.Resource, config: pulumi.Config) -> dict[str, SparkPostTrackingDomain]:
    """One ``SparkPostTrackingDomain`` per configured tracking domain (keyed by domain), created after
    ``front_door``.

    Reads ``config`` (namespace ``tracking-cdn``): ``domains``, ``esp`` and the optional object
    ``sparkpost`` (keys ``secure``, ``default`` — true/false, or the one domain to make default —,
    ``subaccount``, ``region``, ``apiBaseUrl``). Without ``sparkpost`` nothing is created. The
    resources are protected unless ``protectServingResources`` is false, as the front door's are."""
    settings = config.get_object("sparkpost")
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise InvalidArgument(
            "sparkpost", f"expected an object with keys {', '.join(SPARKPOST_CONFIG_KEYS)}, got {settings!r}"
        )
    for key in settings:
        if key not in SPARKPOST_CONFIG_KEYS:
            raise InvalidArgument(f"sparkpost.{key}", f"unknown key; valid: {', '.join(SPARKPOST_CONFIG_KEYS)}")
    esp = config.get("esp") or "sparkpost"
    if esp not in REGION_BY_ESP:
        raise InvalidArgument(
            "sparkpost",
            f"configured, but esp is {esp!r}; it applies to the SparkPost profiles: {', '.join(REGION_BY_ESP)}",
        )
    domains = normalize_tracking_domains(config.require_object("domains"))
    default_domain = _default_domain(settings.get("default", False), domains)
    api_base_url = settings.get("apiBaseUrl")
    region = settings.get("region") or (None if api_base_url else REGION_BY_ESP[esp])
    if region is None and api_base_url is None:
        raise InvalidArgument("sparkpost.apiBaseUrl", f"required for esp {esp!r}: your tenant's API base URL")
    # Live links name this domain: protected like the front door's serving resources.
    protect = config.get_bool("protectServingResources") is not False
    base = {"secure": settings.get("secure", True), "subaccount": settings.get("subaccount")}
    base.update({"region": region} if api_base_url is None else {"api_base_url": api_base_url})
    return {
        domain: SparkPostTrackingDomain(
            f"sparkpost-{domain}",
            {"domain": domain, "default": domain == default_domain, **base},
            pulumi.ResourceOptions(depends_on=[front_door], protect=protect),
        )
        for domain in domains
    }


def _default_domain(value: Any, domains: Sequence[str]) -> Optional[str]:
    """The one domain to make SparkPost's default, from ``sparkpost.default`` (a flag or a domain)."""
    if value is False:
        return None
    if value is True:
        if len(domains) > 1:
            raise InvalidArgument(
                "sparkpost.default",
                f"SparkPost has one default tracking domain; with {len(domains)} domains name it, "
                f"e.g. default: {domains[0]}",
            )
        return domains[0]
    name = validate_hostname(value, argument="sparkpost.default")
    if name not in domains:
        raise InvalidArgument("sparkpost.default", f"{value!r} is not one of the tracking domains {list(domains)}")
    return name
