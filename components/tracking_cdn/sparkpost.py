"""Tell SparkPost that a tracking domain is served over HTTPS: the ``SparkPostTrackingDomain`` resource.

The last step of every front-door guide (seed ``000_*``, "Switch tracking domain to secure, and
validate"), and SparkPost's own managed HTTPS, as a Pulumi resource in three layers:

- ``SparkPostApi``: a standard-library client for SparkPost's Tracking Domains API as it is today
  (developers.sparkpost.com/api/tracking-domains, blueprint ``content/api/tracking-domains.apib`` in
  SparkPost/developers.sparkpost.com; ``tests/sparkpost_standin.py`` has the point-by-point table).
  Every attempt has an overall deadline (connect, send and the whole answer) and a size cap; 429, 5xx
  and network errors are retried with backoff (honouring ``Retry-After``), nothing else is; an
  unverifiable TLS certificate fails at once; only SparkPost's JSON counts as an answer (a 200 HTML
  page or a 404 from a wrong base URL is an error, not "done" or "gone"); errors quote SparkPost's
  ``message`` but never the API key.
- ``SparkPostTrackingDomainProvider``: the Pulumi dynamic provider, which converges a domain (below).
- ``SparkPostTrackingDomain``: the resource (arguments validated before anything registers), and
  ``register_from_config``, which the stack program calls.

Adoption: a tracking domain is named by every email sent with it, so the resource manages only what
it was asked to manage.

- Create looks the domain up first. Absent: it is created, and deleted again by destroy. A 409 "already
  exists" answering a *retried* POST, after an attempt whose answer was lost (timeout, reset, 5xx), is
  this call's own domain: that is not adoption.
- Present already (made in SparkPost's UI, by another stack, ...): refused, naming the two ways to take
  it over, ``adopt_existing=True`` or Pulumi's ``import``. An adopted domain is brought to the asked
  ``secure``, its ``default`` changes only when ``default`` is given, and destroy leaves it in SparkPost.
- A create that fails after its POST deletes the domain again, so a failed ``up`` leaves nothing that
  the next one would have to adopt. A POST whose answer is lost for good is resolved by reading the
  domain back. What an interruption leaves anyway (SparkPost down before the domain could be deleted
  again, the provider process killed) is recognised by the next create on the same machine from its
  journal of creates under way (``tracking_cdn.rest.CreateJournal``) and taken over as this stack's;
  elsewhere it is refused like any existing domain, naming the one step (docs/sparkpost.md).
- A switch to ``secure`` is undone in every failure path: new mail never gets ``https://`` links that
  HTTPS has not been seen to serve.

Convergence, in the order SparkPost's checks allow (the sparkpost-terraform provider does the same:
verify over plain HTTP, then HTTPS). SparkPost's verify of a ``secure`` domain requests
``https://<domain>:443`` and answers 400 until DNS points at the front door and its certificate is
issued, which is the normal state right after the front door is created. So a domain is created
insecure; verify (HTTP) is repeated until it passes; then ``secure: true`` is tried with a verify and
switched back at once if the HTTPS check fails (new mail keeps ``http://`` links, which the front door
serves), repeated until it passes. All waiting shares one bound, ``wait_seconds``. What is still
missing then does not fail ``pulumi up``: the outputs say it (``pending``: which step, what to run
next), ``secure``/``default`` report SparkPost's live values, and the next ``pulumi up`` sees the
difference and continues. With ``managed_certificate=True`` (V2 endpoints only) SparkPost holds the
certificate instead of a CDN: verify, ``certificate/check``, ``certificate/enable``, and ``secure``
once the certificate is valid.

The dynamic provider is pickled (dill) into the state *by reference* to this module, so the engine's
provider process imports ``tracking_cdn.sparkpost`` from the same environment that runs the program.
The provider object holds no secret: the API key travels as a secret resource property.
"""

import dataclasses
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NotRequired, Optional, Sequence, TypedDict, TypeVar

import pulumi

from .contract import bounded_int_arg, check_argument_names, plain_arg
from .domains import normalize_tracking_domains, validate_hostname
from .errors import InvalidArgument
from .esp import DEFAULT_ESP, resolve_origin
from .rest import (
    KEY_PROPERTY,
    ApiFailure,
    ApiKey,
    JsonApi,
    RestResource,
    RestResourceProvider,
    RetryPolicy,
    Shape,
    parse_retry_after,
    quote,
    text,
)
from .rest import validate_api_base_url as _validate_base_url

__all__ = [
    "RetryPolicy", "SparkPostApi", "SparkPostError", "SparkPostTrackingDomain", "SparkPostTrackingDomainArgs",
    "SparkPostTrackingDomainProvider", "TrackingDomainRefused", "parse_retry_after", "register_from_config",
    "resolve_api_base_url",
]

API_BASE_URLS: dict[str, str] = {
    "us": "https://api.sparkpost.com/api/v1",
    "eu": "https://api.eu.sparkpost.com/api/v1",
}
"""SparkPost's API per region (DESIGN.md section 3)."""

ENTERPRISE_API_BASE_URL = "https://{tenant}.api.e.sparkpost.com/api/v1"
"""SparkPost Enterprise's API of a tenant: SparkPost's SCIM guide gives the tenant's API as
``https://<tenant>.api.e.sparkpost.com/api/v1/...`` (support.sparkpost.com/docs/my-account-and-profile/scim)."""

REGION_BY_ESP: dict[str, Optional[str]] = {
    "sparkpost": "us",
    "sparkpost-v2": "us",
    "sparkpost-eu": "eu",
    "sparkpost-eu-v2": "eu",
    "sparkpost-enterprise": None,  # each tenant has its own API host
}
"""The API region of each SparkPost ESP profile."""

MANAGED_CERTIFICATE_ESPS = ("sparkpost-v2", "sparkpost-eu-v2")
"""Profiles whose endpoint (``v2.spgo.io``, ``eu.v2.spgo.io``) can serve a SparkPost-managed certificate
(support.sparkpost.com/docs/tech-resources/managed-https-for-tracking-domains, "Tracking Endpoints")."""

API_KEY_SETTING = "sparkpostApiKey"
"""The API key's stack config key (a secret), in the program's namespace: the project's name in
``Pulumi.yaml`` (``tracking-cdn:sparkpostApiKey`` as shipped)."""
API_KEY_ENV = "SPARKPOST_API_KEY"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
"""Larger answers are refused: a tracking-domain object is a few hundred bytes."""
DEFAULT_WAIT_SECONDS = 120
"""How long create/update wait for SparkPost's checks by default: enough for DNS and a front door that
was just deployed, short enough that ``pulumi up`` does not hang on DNS hosted elsewhere."""
MAX_WAIT_SECONDS = 1800
SETTLED_TLS_STATUSES = ("valid", "failed", "expired", "unavailable")
"""Managed-certificate statuses that waiting will not change (the support doc's "TLS Certificate Status")."""


# --------------------------------------------------------------------------------------------------
# HTTP client


@dataclass(frozen=True)
class DomainStatus:
    """A tracking domain's ``status`` object (also what verify returns)."""

    verified: bool
    cname_status: str
    """``""`` once verified; ``unverified``, ``pending``, ``invalid`` before."""
    compliance_status: str
    tls_status: str = ""
    """Managed certificate: ``inactive``, ``pending``, ``valid``, ``expired``, ``failed``, ``unavailable``."""

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> "DomainStatus":
        return cls(
            verified=results.get("verified") is True,
            cname_status=text(results.get("cname_status")),
            compliance_status=text(results.get("compliance_status")),
            tls_status=text(results.get("tls_status")),
        )


@dataclass(frozen=True)
class TrackingDomain:
    """A tracking domain as SparkPost reports it (``GET /tracking-domains/{domain}``)."""

    domain: str
    secure: bool
    default: bool
    subaccount: Optional[int]
    """``subaccount_id``: None for the primary account."""
    status: DomainStatus
    uses_managed_certificate: bool
    certificate_expires_at: str
    certificate_error: str

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> "TrackingDomain":
        status = results.get("status")
        certificate = results.get("tls_certificate")
        certificate = certificate if isinstance(certificate, dict) else {}
        subaccount = results.get("subaccount_id")
        return cls(
            domain=text(results.get("domain")),
            secure=results.get("secure") is True,
            default=results.get("default") is True,
            subaccount=int(subaccount) if isinstance(subaccount, (int, float)) and subaccount else None,
            status=DomainStatus.from_results(status if isinstance(status, dict) else {}),
            uses_managed_certificate=results.get("uses_managed_certificate") is True,
            certificate_expires_at=text(certificate.get("expires_at")),
            certificate_error=text(certificate.get("error_code")),
        )


@dataclass(frozen=True)
class Verification:
    """What ``POST .../verify`` said: the status, or SparkPost's reason for refusing the check (400)."""

    status: Optional[DomainStatus]
    refusal: str = ""

    @property
    def passed(self) -> bool:
        return self.status is not None and self.status.verified


@dataclass(frozen=True)
class ApiError:
    """One entry of SparkPost's ``{"errors": [{"message", "param", "value"}]}``."""

    message: str
    param: str = ""
    value: str = ""

    def __str__(self) -> str:
        pairs = (("param", self.param), ("value", self.value))
        about = ", ".join(f"{name} {value!r}" for name, value in pairs if value)
        return f"{self.message} ({about})" if about else self.message


class SparkPostError(ApiFailure):
    """A SparkPost API call failed; the message says how, quoting SparkPost, never the API key."""

    service = "SparkPost"


RESULTS = Shape(
    '{"results": {...}}', lambda payload, raw: isinstance(payload, dict) and isinstance(payload.get("results"), dict)
)
"""What every 2xx answer of SparkPost's carries, but DELETE's."""
NO_BODY = Shape("no body", lambda payload, raw: not raw.strip() or isinstance(payload, dict))
"""What SparkPost answers a DELETE with (204, no body)."""


API_KEY = ApiKey(
    service="SparkPost",
    argument="api_key",
    setting=API_KEY_SETTING,
    environment=API_KEY_ENV,
    shape=re.compile(r"[0-9A-Fa-f]{40}"),
    issued="40 hexadecimal characters",
    requirement="it must belong to this account and allow Tracking Domains: Read/Write",
)
"""SparkPost's key. It issues 40 hexadecimal characters (the keys of its API reference's examples, such
as ``Authorization: 14ac5499cfdd2bb2859e4476d2e5b1d2bad079bf``)."""


def validate_api_base_url(url: Any, argument: str = "api_base_url") -> str:
    """``url`` as an API base URL, or refused: ``https://`` only (plain ``http://`` to a loopback IP
    address, for tests), no credentials in it (they would sit in the state unencrypted; SparkPost
    authenticates with the API key), no query or fragment."""
    return _validate_base_url(url, argument=argument, example=API_BASE_URLS["eu"], service="SparkPost")


def resolve_api_base_url(
    esp: str = DEFAULT_ESP,
    region: Optional[str] = None,
    api_base_url: Optional[str] = None,
    tenant: Optional[str] = None,
) -> str:
    """The API base URL: ``api_base_url`` if given, else ``region``'s, else the one ``esp`` implies
    (an Enterprise tenant's own API, derived from ``tenant``)."""
    if esp not in REGION_BY_ESP:
        raise InvalidArgument("esp", f"{esp!r} is not a SparkPost profile; valid: {', '.join(REGION_BY_ESP)}")
    if region is not None and api_base_url is not None:
        raise InvalidArgument("api_base_url", "give region or api_base_url, not both")
    if api_base_url is not None:
        return validate_api_base_url(api_base_url)
    if region is not None:
        if region not in API_BASE_URLS:
            raise InvalidArgument("region", f"unknown SparkPost region {region!r}; valid: {', '.join(API_BASE_URLS)}")
        if REGION_BY_ESP[esp] is None:
            raise InvalidArgument(
                "region", f"{esp!r} accounts use their tenant's own API: give tenant (or api_base_url), not region"
            )
        return API_BASE_URLS[region]
    region_of_esp = REGION_BY_ESP[esp]
    if region_of_esp is not None:
        resolve_origin(esp, tenant)  # refuses a tenant given to a profile that takes none
        return API_BASE_URLS[region_of_esp]
    tenant_label = resolve_origin(esp, tenant).host.split(".")[0]  # validates the tenant as esp.py does
    return ENTERPRISE_API_BASE_URL.format(tenant=tenant_label)


class SparkPostApi(JsonApi):
    """SparkPost's Tracking Domains API (``/tracking-domains``), through the shared hardened client
    (``tracking_cdn.rest.JsonApi``)."""

    failure = SparkPostError
    max_answer_bytes = MAX_RESPONSE_BYTES
    key = API_KEY

    def __init__(
        self,
        api_key: str,
        base_url: str,
        subaccount: Optional[int] = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_key = API_KEY.issued_key(api_key)
        # The URL again here: it may come from an old state.
        super().__init__(self._api_key, validate_api_base_url(base_url), retry, sleep)
        self.subaccount = None if subaccount is None else int(subaccount)  # the engine hands numbers over as floats

    def __repr__(self) -> str:
        return f"SparkPostApi({self.base_url!r}, subaccount={self.subaccount!r})"

    def create(self, domain: str, secure: bool) -> bool:
        """``POST /tracking-domains``. True when this call created the domain, which includes a 409 "already
        exists" after an attempt whose answer was lost; False when it existed before (409 at once)."""
        action = f"create tracking domain {domain}"
        reply = self._call("POST", "", action, {"domain": domain, "secure": secure}, shape=RESULTS, tolerate=(409,))
        if reply.status == 409:
            if not any("already exists" in error.message.lower() for error in reply.errors):
                raise SparkPostError(action, 409, "; ".join(map(str, reply.errors)))
            return reply.after_lost_answer
        return True

    def get(self, domain: str) -> Optional[TrackingDomain]:
        """``GET /tracking-domains/{domain}``; None when SparkPost says it has no such domain (404 with its
        error JSON; any other 404, such as a wrong base URL's page, is an error)."""
        reply = self._call("GET", f"/{quote(domain)}", f"read tracking domain {domain}", shape=RESULTS, tolerate=(404,))
        return None if reply.status == 404 else TrackingDomain.from_results(reply.payload["results"])

    def update(self, domain: str, settings: Mapping[str, bool]) -> None:
        """``PUT /tracking-domains/{domain}`` with ``secure`` and/or ``default``."""
        self._call("PUT", f"/{quote(domain)}", f"update tracking domain {domain}", dict(settings), shape=RESULTS)

    def delete(self, domain: str) -> None:
        """``DELETE /tracking-domains/{domain}``; already gone (SparkPost's 404) counts as deleted."""
        self._call("DELETE", f"/{quote(domain)}", f"delete tracking domain {domain}", shape=NO_BODY, tolerate=(404,))

    def verify(self, domain: str) -> Verification:
        """``POST /tracking-domains/{domain}/verify``: SparkPost checks the domain now. A 400 is SparkPost
        refusing the check (for a secure domain: its HTTPS request failed), returned, not raised."""
        action = f"verify tracking domain {domain}"
        reply = self._call("POST", f"/{quote(domain)}/verify", action, shape=RESULTS, tolerate=(400,))
        if reply.status == 400:
            return Verification(None, self._redact("; ".join(map(str, reply.errors))))
        return Verification(DomainStatus.from_results(reply.payload["results"]))

    def certificate_eligible(self, domain: str) -> bool:
        """``POST /tracking-domains/{domain}/certificate/check``: may SparkPost manage its certificate?"""
        path = f"/{quote(domain)}/certificate/check"
        reply = self._call("POST", path, f"check managed-certificate eligibility of {domain}", shape=RESULTS)
        return reply.payload["results"].get("eligible") is True

    def enable_certificate(self, domain: str) -> None:
        """``POST /tracking-domains/{domain}/certificate/enable``: SparkPost starts issuing the certificate."""
        self._call("POST", f"/{quote(domain)}/certificate/enable", f"enable the managed certificate of {domain}",
                   shape=RESULTS)

    def _target(self, path: str) -> str:
        return f"{self._endpoint.path}/tracking-domains{path}"

    def _headers(self) -> dict[str, str]:
        headers = {**super()._headers(), "Authorization": self._api_key}
        if self.subaccount is not None:
            headers["X-MSYS-SUBACCOUNT"] = str(self.subaccount)
        return headers

    def _errors(self, payload: Any) -> tuple["ApiError", ...]:
        return _api_errors(payload)


def _api_errors(payload: Any) -> tuple[ApiError, ...]:
    """SparkPost's error entries, or () when ``payload`` is not SparkPost's error JSON."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list) or not errors:
        return ()
    entries = [entry for entry in errors if isinstance(entry, dict) and isinstance(entry.get("message"), str)]
    if len(entries) != len(errors):
        return ()
    return tuple(ApiError(entry["message"], text(entry.get("param")), text(entry.get("value"))) for entry in entries)


# --------------------------------------------------------------------------------------------------
# Convergence


class TrackingDomainRefused(RuntimeError):
    """SparkPost's state of the domain rules out what the resource asks; the message says what to do."""


@dataclass(frozen=True)
class Wanted:
    """What the resource asks of SparkPost, from its properties."""

    domain: str
    secure: bool
    default: Optional[bool]
    """None: leave SparkPost's default as it is."""
    subaccount: Optional[int]
    managed_certificate: bool
    wait_seconds: float

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> "Wanted":
        subaccount = props.get("subaccount")
        return cls(
            domain=props["domain"],
            secure=bool(props.get("secure", True)),
            default=props.get("default"),
            subaccount=None if subaccount is None else int(subaccount),
            managed_certificate=bool(props.get("managed_certificate", False)),
            wait_seconds=float(props.get("wait_seconds", DEFAULT_WAIT_SECONDS)),
        )


@dataclass(frozen=True)
class Converged:
    """SparkPost's state after converging, and what is still pending (empty when nothing is)."""

    live: TrackingDomain
    pending: str


T = TypeVar("T")
_FRONT_DOOR_ROUTE = "your front door (the 'route' record of its dns_records output)"
_V2_ENDPOINT = "SparkPost's V2 endpoint (CNAME v2.spgo.io, or eu.v2.spgo.io for EU accounts)"


def converge(
    api: SparkPostApi, wanted: Wanted, policy: RetryPolicy = RetryPolicy(), confirmed_secure: bool = False
) -> Converged:
    """Bring the existing tracking domain as close to ``wanted`` as SparkPost's checks allow within
    ``wanted.wait_seconds``; refuses (``TrackingDomainRefused``) before changing anything when the
    domain belongs elsewhere or its certificate is managed by SparkPost and the resource's is not.
    ``confirmed_secure``: a ``secure`` domain was secure before this resource touched it (adopted) or
    when its last ``up`` ended, so it is never switched back; otherwise a secure domain whose HTTPS
    check fails was left so by an interrupted run, and is."""
    live = _live(api, wanted.domain)
    _check_claim(live, wanted)
    waiting = _Waiting(time.monotonic() + wanted.wait_seconds, policy.check_interval)
    if wanted.managed_certificate:
        pending = _https_by_managed_certificate(api, live, waiting)
    elif wanted.secure:
        pending = _https_by_front_door(api, live, waiting, confirmed_secure)
    else:
        pending = _plain_http(api, live, waiting)
    live, default_pending = _default(api, _live(api, wanted.domain), wanted.default)
    return Converged(live, "\n".join(pending + default_pending))


@dataclass(frozen=True)
class _Waiting:
    deadline: float
    interval: float

    def until(self, attempt: Callable[[], T], done: Callable[[T], bool]) -> T:
        """``attempt()`` until ``done`` with it or the deadline is too close for another try."""
        while True:
            result = attempt()
            if done(result) or time.monotonic() + self.interval > self.deadline:
                return result
            time.sleep(self.interval)


def _live(api: SparkPostApi, domain: str) -> TrackingDomain:
    live = api.get(domain)
    if live is None:
        raise TrackingDomainRefused(
            f"tracking domain {domain!r} is no longer in SparkPost (deleted outside Pulumi?): run "
            "`pulumi refresh` to drop it from the state, then `pulumi up` to create it again"
        )
    return live


def _check_claim(live: TrackingDomain, wanted: Wanted) -> None:
    if live.subaccount != wanted.subaccount:
        fix = "remove subaccount" if live.subaccount is None else f"set subaccount to {live.subaccount}"
        raise TrackingDomainRefused(
            f"tracking domain {live.domain!r} belongs to {_owner(live.subaccount)}, not to "
            f"{_owner(wanted.subaccount)} as configured (SparkPost assigns a domain to an account when it is "
            f"created and never moves it): {fix}"
        )
    if live.uses_managed_certificate and not wanted.managed_certificate:
        raise TrackingDomainRefused(
            f"tracking domain {live.domain!r} uses a certificate managed by SparkPost (tls_status "
            f"{live.status.tls_status or 'unknown'!r}{_expiry(live)}). SparkPost renews it with Let's Encrypt's "
            "HTTP-01 check, which must reach SparkPost directly: a CDN or proxy in front of it breaks the "
            "renewals. Nothing was changed. Either keep SparkPost's certificate (no front door needed: "
            "DNS CNAME to v2.spgo.io or eu.v2.spgo.io, and managed_certificate=True with esp sparkpost-v2 or "
            "sparkpost-eu-v2 — or remove the domain from this stack), or put the CDN in front of another "
            f"name, such as a sibling of {live.domain!r}"
        )


def _https_by_front_door(api: SparkPostApi, live: TrackingDomain, waiting: _Waiting, confirmed: bool) -> list[str]:
    domain = live.domain
    if live.secure:
        check = api.verify(domain)
        if check.passed:
            return []
        if confirmed:  # secure before (adopted, or converged by an earlier `up`): reported, never switched back
            return [_https_pending(domain, check, switched_back=False)]
        api.update(domain, {"secure": False})  # left secure by an interrupted run: HTTPS never passed
    plain = waiting.until(lambda: api.verify(domain), lambda check: check.passed)
    if not plain.passed:
        return [_dns_pending(domain, plain, _FRONT_DOOR_ROUTE)]
    https = waiting.until(lambda: _try_secure(api, domain), lambda check: check.passed)
    return [] if https.passed else [_https_pending(domain, https, switched_back=True)]


def _try_secure(api: SparkPostApi, domain: str) -> Verification:
    """Switch to secure and let SparkPost check HTTPS; switch back at once if the check fails, so new
    mail gets ``http://`` links (which the front door serves), not ``https://`` ones that fail."""
    try:
        api.update(domain, {"secure": True})
        check = api.verify(domain)
    except Exception as error:  # the PUT may have been carried out, and HTTPS is not known to work
        error.add_note(_switch_back(api, domain))
        raise
    if not check.passed:
        api.update(domain, {"secure": False})
    return check


def _switch_back(api: SparkPostApi, domain: str) -> str:
    try:
        api.update(domain, {"secure": False})
    except SparkPostError as error:
        return (
            f"tracking domain {domain!r} could not be switched back to insecure ({error}): new mail may get "
            "https:// links until the next `pulumi up` switches it back"
        )
    return f"tracking domain {domain!r} was switched back to insecure: new mail keeps http:// links"


def _plain_http(api: SparkPostApi, live: TrackingDomain, waiting: _Waiting) -> list[str]:
    if live.secure:
        api.update(live.domain, {"secure": False})
    check = waiting.until(lambda: api.verify(live.domain), lambda result: result.passed)
    return [] if check.passed else [_dns_pending(live.domain, check, _FRONT_DOOR_ROUTE)]


def _https_by_managed_certificate(api: SparkPostApi, live: TrackingDomain, waiting: _Waiting) -> list[str]:
    domain = live.domain
    if not live.uses_managed_certificate:
        plain = waiting.until(lambda: api.verify(domain), lambda check: check.passed)
        if not plain.passed:
            return [_dns_pending(domain, plain, _V2_ENDPOINT)]
        if not api.certificate_eligible(domain):
            raise TrackingDomainRefused(
                f"SparkPost says tracking domain {domain!r} is not eligible for a managed certificate (its "
                "CNAME must point at v2.spgo.io or eu.v2.spgo.io, and Let's Encrypt refuses some domains). "
                "Check `dig CNAME " + domain + "`; if it does point there, use a front door (CDN or proxy) "
                "for HTTPS instead: managed_certificate=False"
            )
        api.enable_certificate(domain)
    live = waiting.until(lambda: _live(api, domain), lambda now: now.status.tls_status in SETTLED_TLS_STATUSES)
    tls_status = live.status.tls_status
    if tls_status == "unavailable":
        raise TrackingDomainRefused(
            f"SparkPost cannot manage a certificate for {domain!r} (tls_status 'unavailable': Let's Encrypt's "
            "policies refuse the domain); use a front door (CDN or proxy) for HTTPS: managed_certificate=False"
        )
    if tls_status != "valid":
        return [_certificate_pending(live)]
    if not live.secure:
        api.update(domain, {"secure": True})
    return []


def _default(api: SparkPostApi, live: TrackingDomain, wanted: Optional[bool]) -> tuple[TrackingDomain, list[str]]:
    if wanted is None or live.default == wanted:
        return live, []
    if wanted and not live.status.verified:
        return live, [
            f"default: SparkPost makes only a verified domain the default, and {live.domain!r} is not verified "
            "yet; it becomes the default on the `pulumi up` after the steps above pass"
        ]
    api.update(live.domain, {"default": wanted})
    return dataclasses.replace(live, default=wanted), []


def _dns_pending(domain: str, check: Verification, target: str) -> str:
    found = check.refusal or f"cname_status {check.status.cname_status if check.status else ''!r}"
    return (
        f"dns: SparkPost has not verified {domain!r} ({found}). Point it at {target}; "
        f"`tracking-cdn check {domain}` shows what is missing. Then run `pulumi up` again"
    )


def _https_pending(domain: str, check: Verification, switched_back: bool) -> str:
    reason = check.refusal or "the domain did not verify over HTTPS"
    state = (
        "The domain stays insecure for now: new mail gets http:// links, which the front door serves."
        if switched_back
        else "The domain is secure: https:// links fail until this is fixed."
    )
    return (
        f"https: SparkPost's HTTPS check of {domain!r} failed: {reason} {state} Wait until the front door's "
        f"certificate is issued and `tracking-cdn check {domain}` passes over HTTPS, then run `pulumi up` again"
    )


def _certificate_pending(live: TrackingDomain) -> str:
    error = f", error {live.certificate_error!r}" if live.certificate_error else ""
    return (
        f"certificate: SparkPost's managed certificate for {live.domain!r} is "
        f"{live.status.tls_status or 'not issued yet'!r}{error} (issuance usually takes up to 15 minutes; "
        "'failed' or 'expired': check the CNAME to the V2 endpoint and CAA records). The domain switches to "
        "secure on the `pulumi up` after it is 'valid'"
    )


def _owner(subaccount: Optional[int]) -> str:
    return "the primary account" if subaccount is None else f"subaccount {subaccount}"


def _expiry(live: TrackingDomain) -> str:
    return f", expires {live.certificate_expires_at}" if live.certificate_expires_at else ""


# --------------------------------------------------------------------------------------------------
# Dynamic provider


class SparkPostTrackingDomainProvider(RestResourceProvider):
    """CRUD of one SparkPost tracking domain, in the pattern every REST resource of this package follows
    (``tracking_cdn.rest.RestResourceProvider``: adoption only when asked, an interrupted create
    recoverable). Properties: ``domain``, ``secure``, ``default``, ``subaccount``, ``api_base_url``,
    ``api_key``, ``adopt_existing``, ``managed_certificate``, ``wait_seconds``; outputs add SparkPost's live
    state (see ``SparkPostTrackingDomain``)."""

    kind = "tracking domain"
    journal_service = "sparkpost"
    name_property = "domain"
    replace_on = ("domain", "subaccount", "api_base_url")
    update_on = ("secure", "managed_certificate", KEY_PROPERTY)

    def api(self, props: Mapping[str, Any]) -> SparkPostApi:
        return SparkPostApi(API_KEY.in_state(props), props["api_base_url"], props.get("subaccount"), self.retry)

    def scope(self, api: SparkPostApi) -> str:
        return f"{api.base_url} subaccount={api.subaccount}"

    def find(self, api: SparkPostApi, props: Mapping[str, Any]) -> Optional[TrackingDomain]:
        return api.get(props["domain"])

    def id_of(self, live: TrackingDomain) -> str:
        return live.domain

    def post(self, api: SparkPostApi, props: Mapping[str, Any]) -> Optional[str]:
        # Insecure at first: see the module docstring.
        return props["domain"] if api.create(props["domain"], secure=False) else None

    def hidden(self, api: SparkPostApi, props: Mapping[str, Any]) -> Exception:
        return TrackingDomainRefused(
            f"tracking domain {props['domain']!r} exists in SparkPost outside {_owner(api.subaccount)} (names are "
            "unique across the primary account and its subaccounts): set subaccount to its owner, or use "
            "another name"
        )

    def refuse_existing(self, api: SparkPostApi, props: Mapping[str, Any], live: TrackingDomain) -> Exception:
        return TrackingDomainRefused(
            f"tracking domain {live.domain!r} already exists in SparkPost ({_owner(live.subaccount)}, secure "
            f"{live.secure}, default {live.default}) and this stack did not create it. Nothing was "
            "changed. To manage it here, set adopt_existing=True (stack config sparkpost.adoptExisting: true) "
            "or import it (resource option import_); its default then changes only if you set default, and "
            "destroy leaves it in SparkPost. Or use another name. If a `pulumi up` of this stack was "
            "interrupted while creating it on another machine (this one has no record of that create), delete "
            "it in SparkPost and run `pulumi up` again (docs/sparkpost.md, \"Interrupted creates\")"
        )

    def converge(
        self, api: SparkPostApi, id_: str, props: Mapping[str, Any], *, adopted: bool, confirmed: bool
    ) -> dict[str, Any]:
        return _outputs(props, converge(api, Wanted.from_props(props), self.retry, confirmed_secure=confirmed))

    def remove(self, api: SparkPostApi, id_: str, props: Mapping[str, Any]) -> None:
        api.delete(props["domain"])

    def fetch(self, api: SparkPostApi, id_: str, props: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        live = api.get(id_)
        if live is None:
            return None
        return _outputs({**props, "domain": id_}, Converged(live, props.get("pending") or ""))

    def check_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        if olds.get("managed_certificate") and not news.get("managed_certificate"):
            raise TrackingDomainRefused(
                f"{news['domain']!r} uses a SparkPost-managed certificate, and SparkPost has no API to turn that "
                "off (sparkpost-terraform provider, tracking_domain_https_configuration): keep "
                "managed_certificate=True, or use a new domain name for a front door"
            )

    def confirmed(self, olds: Mapping[str, Any]) -> bool:
        return olds.get("secure") is True  # secure when the last `up` ended: never switched back

    def imported(self, props: Mapping[str, Any]) -> bool:
        # Refresh passes the prior outputs; `pulumi import` passes only the inputs (no "verified").
        return "verified" not in props

    def changed(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        updates = super().changed(olds, news)
        if news.get("default") is not None and olds.get("default") != news["default"]:
            updates.append("default")  # an unset default leaves SparkPost's as it is
        return updates


def _outputs(props: Mapping[str, Any], converged: Converged) -> dict[str, Any]:
    live = converged.live
    echoed = ("domain", "subaccount", "api_base_url", KEY_PROPERTY, "managed_certificate")
    return {
        **{key: props.get(key) for key in echoed},
        "secure": live.secure,
        "default": live.default,
        "verified": live.status.verified,
        "cname_status": live.status.cname_status,
        "compliance_status": live.status.compliance_status,
        "uses_managed_certificate": live.uses_managed_certificate,
        "tls_status": live.status.tls_status,
        "certificate_expires_at": live.certificate_expires_at,
        "pending": converged.pending,
    }


# --------------------------------------------------------------------------------------------------
# Resource


class SparkPostTrackingDomainArgs(TypedDict):
    """Arguments of ``SparkPostTrackingDomain``. All but ``api_key`` must be plain values."""

    domain: str
    """The tracking domain, a subdomain such as ``track.example.com`` (lower-cased, trailing dot removed)."""
    secure: NotRequired[bool]
    """Have SparkPost write ``https://`` tracking links (default True), once its HTTPS check passes."""
    default: NotRequired[bool]
    """True: make it the (sub)account's default tracking domain, once verified; False: make sure it is
    not. Default: leave SparkPost's choice as it is."""
    subaccount: NotRequired[int]
    """SparkPost subaccount id that owns the domain (sent as ``X-MSYS-SUBACCOUNT``); default: the primary account."""
    api_key: NotRequired[pulumi.Input[str]]
    """SparkPost API key with Tracking Domains read/write, kept as a secret in the state. Default: the
    stack's secret config ``<project>:sparkpostApiKey`` (``tracking-cdn:sparkpostApiKey`` is read too);
    without either, the provider uses the
    ``SPARKPOST_API_KEY`` environment variable at every create/update/refresh/delete (not stored)."""
    esp: NotRequired[str]
    """The SparkPost ESP profile (default ``sparkpost``): picks the API (EU for ``sparkpost-eu*``, the
    tenant's for ``sparkpost-enterprise``) and allows ``managed_certificate`` on the V2 profiles."""
    tenant: NotRequired[str]
    """``sparkpost-enterprise`` tenant: the API is ``https://<tenant>.api.e.sparkpost.com/api/v1``."""
    region: NotRequired[str]
    """``us`` (api.sparkpost.com) or ``eu`` (api.eu.sparkpost.com); default: from ``esp``."""
    api_base_url: NotRequired[str]
    """Explicit API base URL instead of ``esp``/``region``/``tenant``; https only, no credentials in it."""
    adopt_existing: NotRequired[bool]
    """Take over a tracking domain that already exists in SparkPost (default False: refused). Its
    ``default`` changes only if ``default`` is given, and destroy leaves it in SparkPost."""
    managed_certificate: NotRequired[bool]
    """Let SparkPost hold the certificate (Let's Encrypt) instead of a front door: V2 profiles only, DNS
    CNAME straight to ``v2.spgo.io``/``eu.v2.spgo.io``, no CDN in front (default False)."""
    wait_seconds: NotRequired[int]
    """How long create/update wait for SparkPost's checks (DNS, HTTPS, certificate) to pass before
    completing with the step left in ``pending`` (default 120; 0 to 1800)."""


class SparkPostTrackingDomain(RestResource):
    """A SparkPost tracking domain, switched to ``secure`` (HTTPS links) once SparkPost's checks pass.

    Creating a domain that already exists is refused unless ``adopt_existing``; delete removes a domain
    the resource created and leaves an adopted one. The API key is a secret in the state (input and
    output) and never part of the serialized provider."""

    domain: pulumi.Output[str]
    secure: pulumi.Output[bool]
    """SparkPost's live setting: False while the HTTPS step is pending."""
    default: pulumi.Output[bool]
    """SparkPost's live setting."""
    api_base_url: pulumi.Output[str]
    verified: pulumi.Output[bool]
    """Whether SparkPost has verified the domain (checked on every create/update, and on refresh)."""
    cname_status: pulumi.Output[str]
    """SparkPost's DNS check: empty once verified; ``unverified``, ``pending`` or ``invalid`` before."""
    compliance_status: pulumi.Output[str]
    """SparkPost's compliance check: ``pending``, ``valid`` or ``blocked``."""
    uses_managed_certificate: pulumi.Output[bool]
    """Whether SparkPost holds the domain's certificate (managed HTTPS)."""
    tls_status: pulumi.Output[str]
    """Managed certificate status: ``inactive``, ``pending``, ``valid``, ``expired``, ``failed``, ``unavailable``."""
    certificate_expires_at: pulumi.Output[str]
    """Managed certificate expiry (SparkPost renews 15 days before); empty without one."""
    adopted: pulumi.Output[bool]
    """True when the domain existed before and was adopted (destroy leaves it in SparkPost)."""
    pending: pulumi.Output[str]
    """Empty when SparkPost is as asked; otherwise each step still pending and what to run next."""

    def __init__(
        self, name: str, args: SparkPostTrackingDomainArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        props = resource_properties(args)
        # The argument, else <project>:sparkpostApiKey (tracking-cdn:sparkpostApiKey too), else
        # SPARKPOST_API_KEY, which the provider reads when it calls SparkPost (never in the state).
        props[KEY_PROPERTY] = API_KEY.for_state(args.get("api_key"), props["domain"])
        super().__init__(SparkPostTrackingDomainProvider(), name, props, opts)


def resource_properties(args: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``args`` (everything but the key) into the provider's properties; refuses bad input
    naming the argument, before anything registers."""
    check_argument_names(args, SparkPostTrackingDomainArgs)
    esp = plain_arg(args, "esp", str, DEFAULT_ESP)
    api_base_url = resolve_api_base_url(
        esp, plain_arg(args, "region", str), plain_arg(args, "api_base_url", str), plain_arg(args, "tenant", str)
    )
    secure = plain_arg(args, "secure", bool, True)
    managed = plain_arg(args, "managed_certificate", bool, False)
    if managed and esp not in MANAGED_CERTIFICATE_ESPS:
        raise InvalidArgument(
            "managed_certificate",
            f"SparkPost manages certificates only for domains on its V2 endpoints: esp "
            f"{' or '.join(MANAGED_CERTIFICATE_ESPS)} (CNAME v2.spgo.io / eu.v2.spgo.io), not {esp!r}",
        )
    if managed and not secure:
        raise InvalidArgument("secure", "managed_certificate=True is for https:// links; drop secure=False")
    return {
        "domain": validate_tracking_domain(plain_arg(args, "domain", str), argument="domain"),
        "secure": secure,
        "default": plain_arg(args, "default", bool),
        "subaccount": bounded_int_arg(args, "subaccount", None, 1, note="a SparkPost subaccount id"),
        "api_base_url": api_base_url,
        "adopt_existing": plain_arg(args, "adopt_existing", bool, False),
        "managed_certificate": managed,
        "wait_seconds": bounded_int_arg(args, "wait_seconds", DEFAULT_WAIT_SECONDS, 0, MAX_WAIT_SECONDS),
    }


def validate_tracking_domain(value: Any, *, argument: str) -> str:
    """A host name that SparkPost accepts as a tracking domain: a subdomain, not a root domain."""
    name = validate_hostname(value, argument=argument)
    if name.count(".") < 2:
        raise InvalidArgument(
            argument,
            f"{value!r} is a root domain; SparkPost's tracking domains must be subdomains (its managed-HTTPS "
            f"guide), e.g. 'track.{name}'",
        )
    return name


# --------------------------------------------------------------------------------------------------
# Stack program


class SparkPostConfig(TypedDict, total=False):
    """The stack config object ``sparkpost``: arguments of ``SparkPostTrackingDomainArgs`` in camelCase,
    and ``default`` (true/false, or the one domain to make the default). The stack program checks each
    value against its annotation, naming the key (``sparkpost.waitSeconds``)."""

    default: bool | str
    secure: bool
    subaccount: int
    region: str
    apiBaseUrl: str
    adoptExisting: bool
    waitSeconds: int
    managedCertificate: bool


SPARKPOST_CONFIG_KEYS = tuple(SparkPostConfig.__annotations__)
"""The keys of the stack config object ``sparkpost``."""
_ARGUMENT_OF_CONFIG_KEY = {key: re.sub(r"[A-Z]", lambda upper: f"_{upper[0].lower()}", key)
                           for key in SPARKPOST_CONFIG_KEYS if key != "default"}
"""``sparkpost`` keys that are arguments of ``SparkPostTrackingDomainArgs`` -> the argument (``waitSeconds`` ->
``wait_seconds``); ``default`` is the stack program's own."""
_CONFIG_KEY_OF_ARGUMENT = {argument: f"sparkpost.{key}" for key, argument in _ARGUMENT_OF_CONFIG_KEY.items()}


def register_from_config(
    front_door: Optional[pulumi.Resource], config: pulumi.Config
) -> dict[str, SparkPostTrackingDomain]:
    """One ``SparkPostTrackingDomain`` per configured tracking domain (keyed by domain), created after
    ``front_door`` (None: no front door, for ``managedCertificate``).

    Reads ``config`` (the project's namespace): ``domains``, ``esp``, ``tenant``, ``sparkpostApiKey``
    (secret) and the optional object ``sparkpost`` (keys ``secure``, ``default`` — true/false, or the one
    domain to make default; absent: SparkPost's default is left as it is —, ``subaccount``, ``region``,
    ``apiBaseUrl``, ``adoptExisting``, ``waitSeconds``, ``managedCertificate``). Without ``sparkpost``
    nothing is created. Bad values are refused naming the key (``sparkpost.waitSeconds``). The
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
    esp = config.get("esp") or DEFAULT_ESP
    if esp not in REGION_BY_ESP:
        raise InvalidArgument(
            "sparkpost",
            f"configured, but esp is {esp!r}; it applies to the SparkPost profiles: {', '.join(REGION_BY_ESP)}",
        )
    if settings.get("managedCertificate") is True and front_door is not None:
        raise InvalidArgument(
            "sparkpost.managedCertificate",
            "a SparkPost-managed certificate needs DNS pointing straight at SparkPost's V2 endpoint; a front "
            "door in front of it would break its renewals. Use SparkPostTrackingDomain with "
            "managed_certificate=True in a program without a front door (docs/sparkpost.md), or drop this key",
        )
    domains = normalize_tracking_domains(config.require_object("domains"))
    defaults = _default_flags(settings.get("default"), domains)
    base = {argument: settings[key] for key, argument in _ARGUMENT_OF_CONFIG_KEY.items() if key in settings}
    base["esp"] = esp
    if REGION_BY_ESP[esp] is None and config.get("tenant") and "apiBaseUrl" not in settings:
        base["tenant"] = config.get("tenant")
    api_key = config.get_secret(API_KEY_SETTING)
    if api_key is not None:
        base["api_key"] = api_key
    # Live links name these domains: protected like the front door's serving resources.
    opts = pulumi.ResourceOptions(
        depends_on=[front_door] if front_door is not None else None,
        protect=config.get_bool("protectServingResources") is not False,
    )
    return {
        domain: _resource_from_config(domain, {**base, "domain": domain, "default": defaults[domain]}, opts)
        for domain in domains
    }


def _resource_from_config(domain: str, args: dict[str, Any], opts: pulumi.ResourceOptions) -> SparkPostTrackingDomain:
    try:
        return SparkPostTrackingDomain(f"sparkpost-{domain}", args, opts)
    except InvalidArgument as error:
        key = _CONFIG_KEY_OF_ARGUMENT.get(error.argument)
        if key is None:
            raise
        raise InvalidArgument(key, str(error)[len(error.argument) + 2 :]) from None


def _default_flags(value: Any, domains: Sequence[str]) -> dict[str, Optional[bool]]:
    """Each domain's ``default`` from ``sparkpost.default``: absent leaves all as they are, false makes
    none the default, true (one domain only) or a domain's name makes that one the default."""
    if value is None or value is False:
        return dict.fromkeys(domains, value)
    if value is True:
        if len(domains) > 1:
            raise InvalidArgument(
                "sparkpost.default",
                f"SparkPost has one default tracking domain; with {len(domains)} domains name it, "
                f"e.g. default: {domains[0]}",
            )
        return {domains[0]: True}
    name = validate_hostname(value, argument="sparkpost.default")
    if name not in domains:
        raise InvalidArgument("sparkpost.default", f"{value!r} is not one of the tracking domains {list(domains)}")
    return {domain: True if domain == name else None for domain in domains}
