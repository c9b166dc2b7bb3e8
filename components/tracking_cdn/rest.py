"""What the REST-backed dynamic resources share (SparkPost's tracking domains, KeyCDN's zones and zone
aliases): a hardened JSON client, and the pattern of their dynamic providers and resources.

**The client** (``JsonApi``, one subclass per service) uses the standard library only:

- one deadline per call (``RetryPolicy.call_timeout``: every attempt, wait and retry of it), and one per
  attempt (``timeout``: connecting, sending and reading the whole answer, so a server trickling its answer
  a byte at a time cannot hold a call);
- answers over ``max_answer_bytes`` are refused; only the service's own JSON counts as an answer (a 2xx
  of another shape, an HTML page, a 404 from a wrong base URL is an error, never "done" or "gone");
- 429, 5xx and network errors are retried with exponential backoff (or the server's ``Retry-After``),
  within the call's deadline; nothing else is retried, and an unverifiable TLS certificate fails at once;
  redirects are not followed (they would carry the key elsewhere);
- the key is redacted from every rendering of anything a server sends back (``Redactor``), and an error
  says whether an attempt may have been carried out although its answer was lost (``lost_answer``).

**The provider pattern** (``RestResourceProvider``): an object the resource creates is deleted by destroy;
an existing one is refused unless adoption is asked (``adopt_existing``), and an adopted one is left by
destroy; a create whose answer was lost is resolved by reading the object back, a create that fails after
it undoes it, and what an interruption leaves anyway is recognised by the next create from the journal of
creates under way (``CreateJournal``). ``RestResource`` registers the resource with the key as a secret.

No cloud SDK is imported; the dynamic providers are pickled by reference to the modules that define them.
"""

import base64
import email.utils
import hashlib
import http.client
import ipaddress
import json
import os
import pickle
import re
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping, Optional, Sequence

import pulumi
import pulumi.dynamic

from . import SHIPPED_NAMESPACE, __version__
from .errors import InvalidArgument

MAX_ANSWER_BYTES = 2 * 1024 * 1024
"""Larger answers are refused: the objects these APIs return are a few hundred bytes each."""
JOURNAL_DIRECTORY = "tracking-cdn/creates-under-way"
"""Under ``$PULUMI_HOME`` (default ``~/.pulumi``): the journal of creates under way on this machine."""


# --------------------------------------------------------------------------------------------------
# The client


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a client tries, and how often a provider repeats a service's checks."""

    attempts: int = 5
    """Tries per API call, the first included; retried are 429, 5xx and network errors/timeouts."""
    base_delay: float = 1.0
    """Seconds before the first retry; doubled for each further retry."""
    max_delay: float = 30.0
    """Cap on any single wait, including a server's ``Retry-After``."""
    timeout: float = 30.0
    """Overall deadline of one HTTP attempt: connecting, sending and reading the whole answer."""
    check_interval: float = 15.0
    """Seconds between two checks of a service's state (a verify, a certificate) while waiting for it."""
    call_timeout: float = 180.0
    """Overall deadline of one API call, its attempts and the waits between them included: no attempt
    starts, and no wait is begun, that would end after it. The default is longer than the five attempts
    and four waits above can take (165 s), so it binds only a slower policy or a long ``Retry-After``."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidArgument("attempts", f"must be at least 1, got {self.attempts}")

    def delay(self, retry: int, retry_after: Optional[float]) -> float:
        """Seconds to wait before retry number ``retry`` (0-based): the server's ``Retry-After`` when it
        sent one, otherwise exponential backoff; never more than ``max_delay``."""
        wanted = retry_after if retry_after is not None else self.base_delay * 2**retry
        return max(0.0, min(self.max_delay, wanted))


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


REDACTED = "[api key redacted]"


class Redactor:
    """Removes a secret from text, in every rendering a server or proxy could echo it back in: as sent,
    in any letter case, JSON- or Python-escaped, percent-encoded, and base64 (alone, or as the
    ``<key>:`` of HTTP Basic authentication)."""

    def __init__(self, secret: str) -> None:
        renderings = {
            secret,
            json.dumps(secret)[1:-1],
            repr(secret)[1:-1],
            repr(secret.replace("'", '"'))[1:-1],
            urllib.parse.quote(secret, safe=""),
            *(base64.b64encode(form.encode()).decode().rstrip("=") for form in (secret, secret + ":")),
        }
        longest_first = sorted(renderings, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, longest_first)), re.IGNORECASE)

    def __call__(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text)

    def __repr__(self) -> str:
        return "Redactor(<secret>)"


def is_loopback_address(host: str) -> bool:
    """A loopback IP literal. Names are not trusted: ``localhost`` can resolve elsewhere."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_api_base_url(url: Any, *, argument: str, example: str, service: str) -> str:
    """``url`` as an API base URL, or refused: ``https://`` only (plain ``http://`` to a loopback IP
    address, for tests), no credentials in it (they would sit in the state unencrypted; the service
    authenticates with the API key), no query or fragment."""
    if not isinstance(url, str):
        raise InvalidArgument(argument, f"expected a URL such as {example!r}, got {type(url).__name__}")
    parts = urllib.parse.urlsplit(url.strip())
    if "@" in parts.netloc:
        raise InvalidArgument(
            argument,
            "contains credentials (user:password@, not shown); they would be stored unencrypted in the "
            f"state. {service} authenticates with the API key alone: give the URL without them, e.g. {example!r}",
        )
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("https", "http") or not parts.hostname or not port_ok or parts.query or parts.fragment:
        raise InvalidArgument(argument, f"{url!r} is not an API base URL such as {example!r}")
    if parts.scheme == "http" and not is_loopback_address(parts.hostname):
        raise InvalidArgument(argument, f"{url!r} is plain http, which would send the API key in clear; use https://")
    return url.strip().rstrip("/")


class ApiFailure(RuntimeError):
    """An API call failed; the message says how, quoting the service, never the key. ``lost_answer``:
    an attempt may have been carried out although its answer was lost (a network error, a 5xx)."""

    service: ClassVar[str] = "the API"

    def __init__(self, action: str, status: Optional[int], detail: str, lost_answer: bool = False) -> None:
        self.action = action
        self.status = status
        self.detail = detail
        self.lost_answer = lost_answer
        where = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"{self.service} {action} failed: {where}: {detail}")


@dataclass(frozen=True)
class Shape:
    """What a 2xx answer of one call must look like to count as the service's."""

    description: str
    """For the error message, e.g. ``'{"results": {...}}'``."""
    fits: Callable[[Any, bytes], bool]
    """The parsed JSON (None if it is not JSON) and the raw body -> whether it is the service's."""


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any
    """The parsed JSON of the answer (None without a body)."""
    errors: tuple[Any, ...]
    """The service's errors, for a tolerated error status."""
    after_lost_answer: bool
    """An earlier attempt of this call may have been carried out, its answer lost (network error, 5xx)."""


class JsonApi:
    """A service's JSON API, as every client of this package calls one (see the module docstring).
    Subclasses set ``failure`` and implement the hooks below the ``_call`` they use."""

    failure: ClassVar[type[ApiFailure]] = ApiFailure
    max_answer_bytes: ClassVar[int] = MAX_ANSWER_BYTES
    key: ClassVar[Optional["ApiKey"]] = None
    """The service's key, for the message of a 401 or 403."""

    def __init__(self, secret: str, base_url: str, retry: RetryPolicy, sleep: Callable[[float], None]) -> None:
        self._redact = Redactor(secret)
        self.base_url = base_url
        self._endpoint = urllib.parse.urlsplit(base_url)
        self.retry = retry
        self._sleep = sleep

    @property
    def service(self) -> str:
        return self.failure.service

    # -- hooks ---------------------------------------------------------------------------------------
    def _target(self, path: str) -> str:
        """The request target of ``path`` (relative to the base URL)."""
        return f"{self._endpoint.path}{path}"

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": f"tracking-cdn/{__version__}"}

    def _encode(self, body: Mapping[str, Any]) -> tuple[bytes, str]:
        """The request body and its content type."""
        return json.dumps(body).encode(), "application/json"

    def _errors(self, payload: Any) -> tuple[Any, ...]:
        """The service's error entries in ``payload``, or () when it is not the service's error JSON."""
        return ()

    def _hint(self, status: int) -> str:
        """Appended to the message of a failed call: what to check for ``status``."""
        if status in (401, 403) and self.key is not None:
            return self.key.refused()
        return "; check api_base_url" if status == 404 else ""

    # -- calls ---------------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        action: str,
        body: Optional[Mapping[str, Any]] = None,
        *,
        shape: Shape,
        tolerate: Sequence[int] = (),
    ) -> Reply:
        """One API call with retries within the call's deadline. A 2xx must fit ``shape``; a
        ``tolerate``d status is returned when it carries the service's error JSON."""
        data, content_type = (None, None) if body is None else self._encode(body)
        deadline = time.monotonic() + self.retry.call_timeout
        lost_answer = False
        for attempt in range(self.retry.attempts):
            retry_after = None
            timeout = min(self.retry.timeout, max(0.0, deadline - time.monotonic()))
            try:
                status, raw, retry_after_header = self._send(method, path, data, content_type, timeout)
            except ssl.SSLCertVerificationError as error:
                raise self.failure(
                    action,
                    None,
                    f"the TLS certificate of {self._endpoint.hostname} could not be verified "
                    f"({error.verify_message}); not retried. Check api_base_url, or a proxy intercepting TLS",
                ) from None
            except (OSError, http.client.HTTPException) as error:  # refused/reset, DNS failure, deadline, cut body
                lost_answer = True
                failure = self.failure(action, None, f"network error: {self._redact(describe(error))}", True)
            else:
                reply = self._reply(action, status, raw, shape, tolerate, lost_answer)
                if reply is not None:
                    return reply
                lost_answer = lost_answer or status >= 500
                failure = self._failure(action, status, raw, lost_answer)
                if status != 429 and status < 500:
                    raise failure
                retry_after = parse_retry_after(retry_after_header)
            if attempt + 1 < self.retry.attempts:
                wait = self.retry.delay(attempt, retry_after)
                if time.monotonic() + wait >= deadline:
                    failure.add_note(f"not retried: the next attempt would start after the call's "
                                     f"{self.retry.call_timeout:g} s deadline")
                    break
                self._sleep(wait)
        raise failure

    def _reply(
        self, action: str, status: int, raw: bytes, shape: Shape, tolerate: Sequence[int], lost: bool
    ) -> Optional[Reply]:
        """The reply, if ``status``/``raw`` is one; None for an error status; raises for an answer that
        is not the service's (an HTML page, JSON of another shape, too large)."""
        if len(raw) > self.max_answer_bytes:
            raise self.failure(
                action, status, f"answer larger than {self.max_answer_bytes} bytes; not {self.service}'s API"
            )
        payload = parse_json(raw)
        if 200 <= status < 300:
            if not shape.fits(payload, raw):
                raise self.failure(
                    action,
                    status,
                    f"the answer is not {self.service}'s API JSON (expected {shape.description}, got "
                    f"{self._excerpt(raw)}); check api_base_url",
                )
            return Reply(status, payload, (), lost)
        errors = self._errors(payload)
        if status in tolerate and errors:
            return Reply(status, payload, errors, lost)
        return None

    def _failure(self, action: str, status: int, raw: bytes, lost_answer: bool) -> ApiFailure:
        errors = self._errors(parse_json(raw))
        detail = "; ".join(map(str, errors)) if errors else f"not {self.service}'s error JSON: {self._excerpt(raw)}"
        return self.failure(action, status, self._redact(detail + self._hint(status)), lost_answer)

    def _send(
        self, method: str, path: str, data: Optional[bytes], content_type: Optional[str], timeout: float
    ) -> tuple[int, bytes, Optional[str]]:
        """One HTTP exchange, all of it within ``timeout``: a per-read socket timeout alone would let a
        server trickling its answer a byte at a time hold the call forever."""
        endpoint = self._endpoint
        if endpoint.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                endpoint.hostname, endpoint.port, timeout=timeout, context=_TLS_CONTEXT
            )
        else:
            connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=timeout)
        headers = self._headers()
        if content_type is not None:
            headers["Content-Type"] = content_type
        deadline = _Deadline(timeout)
        try:
            connection.connect()
            deadline.watch(connection.sock)
            connection.request(method, self._target(path), body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read(self.max_answer_bytes + 1)
            if deadline.expired or (response.length and len(raw) <= self.max_answer_bytes):
                raise http.client.IncompleteRead(raw, response.length)  # cut short: by the deadline, or the server
            return response.status, raw, response.getheader("Retry-After")
        except (OSError, http.client.HTTPException):
            if deadline.expired:
                raise TimeoutError(f"no complete answer within the {timeout:g} s deadline") from None
            raise
        finally:
            deadline.cancel()
            connection.close()

    def _excerpt(self, raw: bytes) -> str:
        text = " ".join(self._redact(raw[: self.max_answer_bytes].decode("utf-8", "replace")).split())[:200]
        return repr(text) if text else "an empty body"


class _Deadline:
    """Ends an HTTP exchange after ``seconds``: shuts the watched socket down, which wakes up a read
    blocked on it (the socket itself: ``http.client`` hands it from the connection to the response)."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sock: Optional[socket.socket] = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Watch ``sock`` from now on; raises TimeoutError if the time is already up (slow connect)."""
        with self._lock:
            if self.expired:
                raise TimeoutError
            self._sock = sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                try:
                    socket.socket.shutdown(self._sock, socket.SHUT_RDWR)  # the TCP socket, under TLS too
                except OSError:
                    pass

    def cancel(self) -> None:
        self._timer.cancel()


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


_TLS_CONTEXT = _tls_context()


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def quote(value: Any) -> str:
    """``value`` as one path segment."""
    return urllib.parse.quote(str(value), safe="")


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def text(value: Any) -> str:
    return "" if value is None else str(value)


# --------------------------------------------------------------------------------------------------
# The journal of creates under way


class CreateJournal:
    """Creates under way on this machine, so that the next ``pulumi up`` recognises an object a create of
    this stack made before it was interrupted (its answer lost for good, the API down before the create
    could undo it, or the provider process killed).

    Pulumi records a resource only when its create returns, and a service's answer to the request that
    created an object can be lost: then the object exists and the stack does not know it. An entry
    (service, scope, the object's name) is written *before* that request and removed once the create has
    returned or undone what it did; a create that finds the object already there and an entry for it
    takes it over as its own (not adopted: destroy deletes it). An entry holds no secret.

    Where the journal cannot be written (a read-only home), creates go on without it; a leftover is then
    refused as any existing object is, with the one step that clears it."""

    def __init__(self, service: str, scope: str, directory: Optional[Path] = None) -> None:
        self.service = service
        self.scope = scope
        """The API and account the names are unique in."""
        self.directory = directory or Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi") / JOURNAL_DIRECTORY

    def _entry(self, name: str) -> Path:
        digest = hashlib.sha256("\n".join((self.service, self.scope, name)).encode()).hexdigest()[:32]
        return self.directory / f"{digest}.json"

    def _record(self, name: str) -> dict[str, str]:
        return {"service": self.service, "scope": self.scope, "name": name}

    def begin(self, name: str) -> None:
        """Record that a create of ``name`` is about to be sent."""
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.directory, suffix=".tmp", delete=False) as staged:
                json.dump(self._record(name), staged, sort_keys=True)
            os.replace(staged.name, self._entry(name))
        except OSError:
            pass  # no journal here: see the class docstring

    def holds(self, name: str) -> bool:
        try:
            return json.loads(self._entry(name).read_text()) == self._record(name)
        except (OSError, ValueError):
            return False

    def end(self, name: str) -> None:
        """The create of ``name`` is over: returned, undone, or found not to have happened."""
        try:
            self._entry(name).unlink(missing_ok=True)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------------
# The provider pattern


class RestResourceProvider(pulumi.dynamic.ResourceProvider):
    """CRUD of one object of a REST API, the way every resource of this package does it (see the module
    docstring). The object has a name unique in its API and account (``name_property``) and an id the
    service gives it. A subclass sets the class attributes and implements the hooks; ``converge`` brings
    the object to the properties and returns the outputs (``adopted`` is added here)."""

    kind: ClassVar[str]
    """What the object is called in messages: ``tracking domain``, ``zone``."""
    journal_service: ClassVar[str]
    """The journal's name for the service and kind of object."""
    name_property: ClassVar[str]
    replace_on: ClassVar[tuple[str, ...]]
    update_on: ClassVar[tuple[str, ...]]

    def __init__(self, retry: RetryPolicy = RetryPolicy()) -> None:
        super().__init__()
        self.retry = retry

    # -- hooks ---------------------------------------------------------------------------------------
    def api(self, props: Mapping[str, Any]) -> JsonApi:
        raise NotImplementedError

    def scope(self, api: JsonApi) -> str:
        """The API and account the object's name is unique in (the journal's scope)."""
        return api.base_url

    def find(self, api: JsonApi, props: Mapping[str, Any]) -> Optional[Any]:
        """The live object named by ``props``, None when there is none."""
        raise NotImplementedError

    def id_of(self, live: Any) -> str:
        raise NotImplementedError

    def post(self, api: JsonApi, props: Mapping[str, Any]) -> Optional[str]:
        """Create the object: its id when this call created it, None when the service says it exists."""
        raise NotImplementedError

    def hidden(self, api: JsonApi, props: Mapping[str, Any]) -> Exception:
        """The refusal when ``post`` says the object exists but ``find`` does not see it."""
        return RuntimeError(f"{api.service} says {self.kind} {props[self.name_property]!r} exists, but does not show it")

    def refuse_existing(self, api: JsonApi, props: Mapping[str, Any], live: Any) -> Exception:
        """The refusal of an object that exists already and whose adoption was not asked."""
        raise NotImplementedError

    def converge(
        self, api: JsonApi, id_: str, props: Mapping[str, Any], *, adopted: bool, confirmed: bool
    ) -> dict[str, Any]:
        """Bring the object to ``props``; the outputs. ``confirmed``: the object was as it is now before
        this resource touched it, or when its last ``up`` ended (adopted, or updated)."""
        raise NotImplementedError

    def remove(self, api: JsonApi, id_: str, props: Mapping[str, Any]) -> None:
        """Delete the object; already gone counts as deleted."""
        raise NotImplementedError

    def fetch(self, api: JsonApi, id_: str, props: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        """The outputs of the live object (refresh), None when it is gone."""
        raise NotImplementedError

    def check_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        """Refuse, before any request, an update the service cannot make."""

    def confirmed(self, olds: Mapping[str, Any]) -> bool:
        """Whether the outputs of the last ``up`` confirm the object's state (see ``converge``)."""
        return True

    def imported(self, props: Mapping[str, Any]) -> bool:
        """Whether ``read`` was given the inputs only (``pulumi import``): an object the stack did not create."""
        return "adopted" not in props

    def changed(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """The properties whose change is an update in place."""
        return [key for key in self.update_on if olds.get(key) != news.get(key)]

    # -- Pulumi's operations -------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        api = self.api(props)
        name = props[self.name_property]
        journal = CreateJournal(self.journal_service, self.scope(api))
        existing = self.find(api, props)
        if existing is None:
            journal.begin(name)
            created = self._post_reading_back(api, props, journal)
            if created is not None:
                return self._converge_new(api, created, props, journal, adopted=False)
            existing = self.find(api, props)  # created by someone else since the lookup
            if existing is None:
                raise self.hidden(api, props)
        elif journal.holds(name):  # made by a create of this stack that was interrupted before it returned
            return self._converge_new(api, self.id_of(existing), props, journal, adopted=False)
        if not props.get("adopt_existing"):
            raise self.refuse_existing(api, props, existing)
        return self._converge_new(api, self.id_of(existing), props, journal, adopted=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        self.check_update(olds, news)
        adopted = bool(olds.get("adopted"))
        confirmed = adopted or self.confirmed(olds)
        outs = self.converge(self.api(news), id_, news, adopted=adopted, confirmed=confirmed)
        return pulumi.dynamic.UpdateResult({**outs, "adopted": adopted})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("adopted"):
            pulumi.log.warn(f"{self.kind} {props[self.name_property]} was adopted, not created, by this stack: "
                            "left as it is")
            return
        self.remove(self.api(props), id_, props)

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        outs = self.fetch(self.api(props), id_, props)
        if outs is None:
            return pulumi.dynamic.ReadResult("", {})  # deleted outside Pulumi
        adopted = bool(props.get("adopted", self.imported(props)))
        return pulumi.dynamic.ReadResult(id_, {**outs, "adopted": adopted})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        replaces = [key for key in self.replace_on if olds.get(key) != news.get(key)]
        updates = self.changed(olds, news)
        return pulumi.dynamic.DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            # The same name moving to another account or API must leave the old one first.
            delete_before_replace=bool(replaces) and olds.get(self.name_property) == news.get(self.name_property),
        )

    # -- the create's steps --------------------------------------------------------------------------
    def _post_reading_back(self, api: JsonApi, props: Mapping[str, Any], journal: CreateJournal) -> Optional[str]:
        """``post``; an answer lost for good (the request may have been carried out) is resolved by reading
        the object back: absent a moment ago, present now, it is this call's."""
        name = props[self.name_property]
        try:
            created = self.post(api, props)
        except ApiFailure as error:
            if not error.lost_answer:
                journal.end(name)
                raise
            found = self.find(api, props)  # raises if the service cannot say: the journal entry stays
            if found is None:
                journal.end(name)
                raise
            return self.id_of(found)
        if created is None:
            journal.end(name)
        return created

    def _converge_new(
        self, api: JsonApi, id_: str, props: Mapping[str, Any], journal: CreateJournal, *, adopted: bool
    ) -> pulumi.dynamic.CreateResult:
        try:
            outs = self.converge(api, id_, props, adopted=adopted, confirmed=adopted)
        except Exception as error:
            if not adopted:  # leave nothing behind that the next `up` would have to adopt
                error.add_note(self._delete_again(api, id_, props, journal))
            raise
        journal.end(props[self.name_property])
        return pulumi.dynamic.CreateResult(id_, {**outs, "adopted": adopted})

    def _delete_again(self, api: JsonApi, id_: str, props: Mapping[str, Any], journal: CreateJournal) -> str:
        what = f"{self.kind} {props[self.name_property]!r}"
        try:
            self.remove(api, id_, props)
        except ApiFailure as error:
            return (
                f"{what}, created by this failed create, could not be deleted again ({error}); the next `pulumi up` "
                f"on this machine takes it over as this stack's (its journal of creates under way is in "
                f"{journal.directory}); elsewhere, delete it in {api.service} first"
            )
        journal.end(props[self.name_property])
        return f"{what}, created by this failed create, was deleted again"


KEY_PROPERTY = "api_key"
"""The state property of every REST resource that holds its API key: a secret, input and output."""


class RestResource(pulumi.dynamic.Resource):
    """A resource of a ``RestResourceProvider``: every output annotated on the class is registered (to
    be filled by the provider), and the key property is a secret, input and output. The provider object
    holds no secret: the key travels as that property."""

    def __init__(
        self,
        provider: RestResourceProvider,
        name: str,
        props: dict[str, Any],
        opts: Optional[pulumi.ResourceOptions],
    ) -> None:
        outputs = dict.fromkeys(key for key in type(self).__annotations__ if key not in props)
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=[KEY_PROPERTY])
        # The SDK's serialize_provider wraps pickle's _Pickler._batch_setitems (to sort dicts) on every call
        # and never unwraps it: each dynamic resource a process registers adds a frame to every later
        # pickle, and after about 480 of them pickling fails with RecursionError (pulumi/pulumi#17803;
        # pulumi 3.272.0, pulumi/dynamic/dynamic.py). Put the original back once ours is serialized.
        batch_setitems = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
        try:
            super().__init__(provider, name, {**props, **outputs}, pulumi.ResourceOptions.merge(opts, secret_opts))
        finally:
            pickle._Pickler._batch_setitems = batch_setitems  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ApiKey:
    """A service's API key: where a program and a provider find it, what the service issues, and every
    message about it (none shows the value)."""

    service: str
    argument: str
    """The resource or component argument that takes it, e.g. ``api_key``."""
    setting: str
    """The stack's secret config key, in the program's namespace, e.g. ``sparkpostApiKey``."""
    environment: str
    """The variable the provider reads when the state holds no key (never stored)."""
    shape: "re.Pattern[str]"
    """What the service issues; the provider refuses anything else before its first request."""
    issued: str
    """``shape`` in words."""
    requirement: str
    """What the key must be allowed, for the message of a 401 or 403."""

    def config_key(self, project: Optional[str]) -> str:
        """The setting's full config key in ``project`` (None: in a provider, which does not know the project)."""
        return f"{project or '<project>'}:{self.setting}"

    def text(self, value: Any, project: Optional[str] = None) -> str:
        """The key, if it can go into a request header (stripped): the program's check. ``tracking-cdn plan``
        sees an encrypted key as a placeholder, so the shape is the provider's check (``issued_key``)."""
        if not isinstance(value, str) or not value.strip():
            raise InvalidArgument(
                self.argument,
                f"no {self.service} API key: pass {self.argument}, or run `pulumi config set --secret "
                f"{self.config_key(project)} <key>`, or export {self.environment}",
            )
        if not all("\x21" <= char <= "\x7e" for char in value.strip()):
            raise InvalidArgument(
                self.argument, "contains spaces, line breaks or non-ASCII characters (value not shown); paste the key alone"
            )
        return value.strip()

    def issued_key(self, value: Any) -> str:
        """The key, if it has the shape of the keys the service issues: the provider's check."""
        key = self.text(value)
        if not self.shape.fullmatch(key):
            raise InvalidArgument(
                self.argument,
                f"is not a key {self.service} issues: those are {self.issued} (this one has {len(key)} characters; "
                f"value not shown). Paste the key alone, as {self.service} showed it when it was created",
            )
        return key

    def in_state(self, props: Mapping[str, Any]) -> Optional[str]:
        """The key a provider uses: the resource's (secret) ``KEY_PROPERTY``, else the environment variable."""
        return props.get(KEY_PROPERTY) or os.environ.get(self.environment)

    def for_state(self, value: Optional[pulumi.Input[str]], subject: str) -> Optional[pulumi.Output[str]]:
        """The key for a resource's state, as a secret: ``value``, else the stack's secret config ``setting``
        (in the project's namespace, then the shipped one). None leaves it to the environment variable,
        which the provider reads at each operation, and warns at plan time if that is not set either
        (``subject`` names what would fail to be created)."""
        project = pulumi.get_project()
        for namespace in dict.fromkeys([project, SHIPPED_NAMESPACE]):
            if value is None:
                value = pulumi.Config(namespace).get_secret(self.setting)
        if value is None:
            if not os.environ.get(self.environment):
                pulumi.log.warn(
                    f"no {self.service} API key for {subject}: creating it will fail unless {self.environment} is "
                    f"set, or the key given as {self.argument} or with `pulumi config set --secret "
                    f"{self.config_key(project)} <key>`"
                )
            return None
        if isinstance(value, pulumi.Output):
            return pulumi.Output.secret(value).apply(lambda key: self.text(key, project))
        return pulumi.Output.secret(self.text(value, project))

    def refused(self) -> str:
        """Appended to a 401 or 403: what to check, and how a rotated key reaches the state."""
        return (
            f". {self.service} refused the API key (not shown): {self.requirement}. `pulumi refresh` and "
            "`pulumi destroy` use the key stored at the last `pulumi up` (argument "
            f"{self.argument} or config {self.config_key(None)}); after rotating it, set the new key and run "
            f"`pulumi up` first. A key from {self.environment} alone is read at each operation"
        )
