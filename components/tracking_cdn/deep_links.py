"""App-link files on the tracking domain (issue 17): which paths, which exact bytes, which checks.

Pure; no Pulumi import (``tracking-cdn check`` and ``tracking-cdn proxy`` use it too). Every front door
that implements ``app_links`` serves what :func:`resolve_app_links` returns, byte for byte:

- the two paths :data:`APPLE_PATH` and :data:`ANDROID_PATH`, answered **200** with
  ``Content-Type: application/json`` (:data:`CONTENT_TYPE`), **never redirected** -- not even when
  ``redirect_http_to_https`` is on -- and never forwarded to the ESP; every other request (other
  ``/.well-known/*`` paths included, unless ``well_known_origin`` is given) still goes to the ESP.
  Apple: "You must host the file using https:// with a valid certificate and with no redirects"
  (https://developer.apple.com/documentation/xcode/supporting-associated-domains); Google: "Any
  response from the server besides HTTP 200 is treated as an error" and HTTPS "without redirects"
  (https://developers.google.com/digital-asset-links/v1/create-statement,
  https://developer.android.com/training/app-links/troubleshoot);
- the body (:attr:`WellKnownFile.body`): a JSON **string** given by the user is served exactly as given,
  once validated; a dict or list is serialised canonically -- keys sorted, no spaces, ASCII only
  (``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)``), whole-number floats
  written as integers (numbers from other languages cross gRPC as doubles) -- so the same value gives
  the same bytes from every language and on every ``pulumi up``;
- bodies are ASCII (a string with raw non-ASCII characters is refused: escape them as ``\\u00e9``,
  or pass the object), so every mechanism (a CloudFront Function, Fastly VCL, a Worker, a bucket object,
  an nginx config) carries them without an encoding question.

Validation (refused with ``InvalidArgument`` naming ``app_links.<file>``): valid JSON only (no ``NaN``,
no duplicate keys, no byte-order mark, no unpaired surrogates); the Apple file is a JSON object with at
least one of ``applinks``, ``webcredentials``, ``appclips`` or ``activitycontinuation`` (without one a
device finds no association); the Android file is a JSON list of statements, each with ``relation`` (a
list of strings) and ``target`` (an object), or an ``include`` statement
(https://developers.google.com/digital-asset-links/v1/statements). Each file is at most
:data:`MAX_FILE_BYTES` (128 KB): "Apple added a size limit of 128kb to the size of the
apple-app-site-association (AASA) file" (iOS 9.3.1; Branch, http://status.branch.io/incidents/b0c19p6hpq58
-- Apple's own wording for the limit was not found); Google documents no limit that we found, and the
same bound applies to ``assetlinks.json``. A front door whose mechanism carries less (a CloudFront
Function's code, for one) refuses beyond its own limit, naming ``app_links``.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .documents import MAX_DEPTH, DocumentError, load_json
from .errors import InvalidArgument
from .quotas import quota

if TYPE_CHECKING:
    from .esp import EspProfile

WELL_KNOWN_PREFIX = "/.well-known/"
APPLE_PATH = "/.well-known/apple-app-site-association"
"""Apple's path: "https://<fully qualified domain>/.well-known/apple-app-site-association" (no extension)."""
ANDROID_PATH = "/.well-known/assetlinks.json"
"""Android's path: "https://domain.name/.well-known/assetlinks.json"."""
CONTENT_TYPE = "application/json"
"""The content type of both files (Apple's file has no extension: servers default to
``application/octet-stream`` or ``text/plain``, SparkPost's deep-link guide says set application/json)."""
STATUS = 200
MAX_FILE_BYTES = quota("apple.app-site-association-size").value
"""Per file: Apple's 128 KB limit for the AASA file (see the module docstring; quotas.py), applied to both files."""

APPLE = "apple_app_site_association"
"""The ``app_links`` key of the Apple file."""
ANDROID = "android_asset_links"
"""The ``app_links`` key of the Android file."""
APPLE_SERVICES = ("applinks", "webcredentials", "appclips", "activitycontinuation")
"""Top-level keys of the Apple file a device acts on, one per associated-domain service
(https://developer.apple.com/documentation/xcode/supporting-associated-domains)."""
_FINGERPRINT = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){31}$")
"""A SHA-256 certificate fingerprint as Google writes it: 32 upper-case hex bytes separated by colons."""


@dataclass(frozen=True)
class WellKnownFile:
    """One file a front door answers itself: ``path`` -> 200, ``Content-Type: application/json``, ``body``."""

    path: str
    body: bytes
    """The exact bytes to serve (ASCII JSON)."""
    content_type: str = CONTENT_TYPE

    @property
    def text(self) -> str:
        """``body`` as text, for mechanisms that take a string (it is ASCII, so nothing is re-encoded)."""
        return self.body.decode("ascii")


@dataclass(frozen=True)
class DeepLinks:
    """The validated ``app_links``: the files to answer, Apple's first."""

    files: tuple[WellKnownFile, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(file.path for file in self.files)

    @property
    def total_bytes(self) -> int:
        """The bodies' combined size, for front doors whose mechanism caps what it carries."""
        return sum(len(file.body) for file in self.files)


@dataclass(frozen=True)
class AppAssociation:
    """One app a device would associate with the domain, as read from a served file."""

    platform: str
    """``ios`` or ``android``."""
    app_id: str
    """``<Team ID>.<bundle id>`` (Apple) or the package name (Android)."""
    service: str
    """Apple: ``applinks``, ``webcredentials``, ``appclips`` or ``activitycontinuation``; Android: the relation."""
    paths: tuple[str, ...] = ()
    """Apple ``applinks`` only: the URL patterns (``paths``, or the ``/`` of each ``components`` entry,
    ``NOT `` prefixed when excluded); empty for the other services."""
    fingerprints: tuple[str, ...] = ()
    """Android only: the signing certificates' SHA-256 fingerprints."""


def resolve_app_links(value: Any, *, argument: str = "app_links") -> Optional[DeepLinks]:
    """Validate ``app_links`` (a dict with ``apple_app_site_association`` and/or ``android_asset_links``,
    each a JSON string or the value itself); None when ``value`` is None."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgument(argument, f"expected a dict with {APPLE!r} and/or {ANDROID!r}, got {type(value).__name__}")
    unknown = sorted(str(key) for key in value if key not in (APPLE, ANDROID))
    if unknown:
        raise InvalidArgument(f"{argument}.{unknown[0]}", f"not a key of {argument}; valid: {APPLE}, {ANDROID}")
    files = []
    if value.get(APPLE) is not None:
        files.append(WellKnownFile(APPLE_PATH, apple_app_site_association_body(value[APPLE], argument=f"{argument}.{APPLE}")))
    if value.get(ANDROID) is not None:
        files.append(WellKnownFile(ANDROID_PATH, asset_links_body(value[ANDROID], argument=f"{argument}.{ANDROID}")))
    if not files:
        raise InvalidArgument(argument, f"give {APPLE!r} and/or {ANDROID!r}, or leave {argument} out")
    return DeepLinks(tuple(files))


def apple_app_site_association_body(value: Any, *, argument: str = f"app_links.{APPLE}") -> bytes:
    """The bytes to serve at :data:`APPLE_PATH` for ``value`` (a JSON string or a dict), validated."""
    body, document = _body_and_document(value, argument)
    describe_apple_app_site_association(document, argument=argument)
    return body


def asset_links_body(value: Any, *, argument: str = f"app_links.{ANDROID}") -> bytes:
    """The bytes to serve at :data:`ANDROID_PATH` for ``value`` (a JSON string or a list), validated."""
    body, document = _body_and_document(value, argument)
    describe_asset_links(document, argument=argument)
    return body


# --- what a device concludes ---------------------------------------------------------------------


def describe_apple_app_site_association(
    document: Any, *, argument: str = f"app_links.{APPLE}"
) -> list[AppAssociation]:
    """The associations a device reads from an Apple file (its bytes or its parsed JSON), in file order;
    refuses (``InvalidArgument`` naming ``argument``) a file a device would find nothing in or misread.

    Formats: ``applinks.details`` is a list of objects with ``appID`` or ``appIDs`` and ``components``
    (iOS 13+) or ``paths`` (older) (https://developer.apple.com/documentation/bundleresources/applinks/details-swift.dictionary);
    ``webcredentials``/``appclips``/``activitycontinuation`` carry ``apps``, a list of app ids
    (https://developer.apple.com/documentation/xcode/supporting-associated-domains)."""
    document = _parse(document, argument) if isinstance(document, (bytes, str)) else document
    if not isinstance(document, dict):
        raise InvalidArgument(argument, f"must be a JSON object (Apple's format), not a JSON {_json_type(document)}")
    if not any(service in document for service in APPLE_SERVICES):
        raise InvalidArgument(
            argument,
            f"has none of {', '.join(APPLE_SERVICES)}: a device would find no association in it "
            '(e.g. {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], '
            '"components": [{"/": "/f/*"}]}]}})',
        )
    found: list[AppAssociation] = []
    if "applinks" in document:
        found += _applinks(document["applinks"], f"{argument}.applinks")
    for service in APPLE_SERVICES[1:]:
        if service in document:
            apps = _field(document[service], "apps", list, f"{argument}.{service}")
            for index, app in enumerate(apps):
                found.append(AppAssociation("ios", _string(app, f"{argument}.{service}.apps[{index}]"), service))
    if not found:
        raise InvalidArgument(argument, "names no app: a device would associate nothing with the domain")
    return found


def describe_asset_links(document: Any, *, argument: str = f"app_links.{ANDROID}") -> list[AppAssociation]:
    """The Android apps a statement list delegates to (its bytes or its parsed JSON), in file order;
    ``web`` targets and ``include`` statements associate no app and are validated only. Refuses
    (``InvalidArgument`` naming ``argument``) what Android could not use.

    Format (https://developers.google.com/digital-asset-links/v1/statements): "a JSON array of one or
    more" statements ``{"relation": [...], "target": {...}}``; an ``android_app`` target has
    ``package_name`` and ``sha256_cert_fingerprints`` (upper-case, colon-separated, as Google's
    Digital Asset Links reference writes them)."""
    document = _parse(document, argument) if isinstance(document, (bytes, str)) else document
    if not isinstance(document, list):
        raise InvalidArgument(argument, f"must be a JSON list of statements, not a JSON {_json_type(document)}")
    if not document:
        raise InvalidArgument(argument, "is an empty list: Android would find no statement in it")
    found: list[AppAssociation] = []
    for index, statement in enumerate(document):
        where = f"{argument}[{index}]"
        if not isinstance(statement, dict):
            raise InvalidArgument(where, f"a statement is a JSON object, not a JSON {_json_type(statement)}")
        if "include" in statement:
            _string(statement["include"], f"{where}.include")
            continue
        relations = _field(statement, "relation", list, where)
        if not relations:
            raise InvalidArgument(f"{where}.relation", "is empty; e.g. ['delegate_permission/common.handle_all_urls']")
        relations = [_string(relation, f"{where}.relation[{i}]") for i, relation in enumerate(relations)]
        target = _field(statement, "target", dict, where)
        namespace = _string(target.get("namespace"), f"{where}.target.namespace")
        if namespace != "android_app":
            continue
        package = _string(target.get("package_name"), f"{where}.target.package_name")
        fingerprints = _field(target, "sha256_cert_fingerprints", list, f"{where}.target")
        if not fingerprints:
            raise InvalidArgument(f"{where}.target.sha256_cert_fingerprints", "is empty: no signing certificate matches")
        for i, fingerprint in enumerate(fingerprints):
            if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
                raise InvalidArgument(
                    f"{where}.target.sha256_cert_fingerprints[{i}]",
                    f"{fingerprint!r} is not a SHA-256 fingerprint as 32 upper-case hex bytes separated by colons "
                    "(e.g. '14:6D:E9:...:44:E5', as keytool -printcert prints it)",
                )
        found += [AppAssociation("android", package, relation, fingerprints=tuple(fingerprints)) for relation in relations]
    return found


# --- the pieces ----------------------------------------------------------------------------------


def _body_and_document(value: Any, argument: str) -> tuple[bytes, Any]:
    """The bytes to serve and the parsed document, refusing what is not strict, ASCII, bounded JSON."""
    if isinstance(value, str):
        position = next((i for i, c in enumerate(value) if not c.isascii()), None)
        if position is not None:
            raise InvalidArgument(
                argument,
                f"has a non-ASCII character U+{ord(value[position]):04X} at offset {position}: write it as a "
                "\\u escape (json.dumps does), or pass the object itself, so every front door serves the same bytes",
            )
        body = value.encode("ascii")
        _check_size(body, argument)
        return body, _parse(value, argument)
    document = _plain_json(value, argument)
    body = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")
    _check_size(body, argument)
    return body, document


def _check_size(body: bytes, argument: str) -> None:
    if len(body) > MAX_FILE_BYTES:
        raise InvalidArgument(
            argument,
            f"is {len(body)} bytes; the limit is {MAX_FILE_BYTES} (128 KB, Apple's limit for this file; "
            "devices ignore a larger one)",
        )


def _parse(text: Any, argument: str) -> Any:
    """Strict, bounded JSON (``tracking_cdn.documents.load_json``): no byte-order mark, NaN/Infinity,
    duplicate keys, unpaired surrogates, numbers beyond a 64-bit float, integers over 20 digits or
    nesting over 64 levels."""
    if text.startswith("\ufeff" if isinstance(text, str) else codecs.BOM_UTF8):
        raise InvalidArgument(argument, "starts with a byte-order mark; JSON parsers on devices may refuse it")
    try:
        document = load_json(text, argument, unique_keys=True)
    except DocumentError as error:
        raise InvalidArgument(argument, error.reason) from None
    _plain_json(document, argument)  # unpaired surrogates from \ud800-style escapes
    return document


def _plain_json(value: Any, path: str, depth: int = 0) -> Any:
    """``value`` as plain JSON data (dicts with string keys, lists, strings, finite numbers, booleans,
    null), tuples as lists and whole-number floats as integers, nested at most ``MAX_DEPTH`` levels
    (``depth`` is its own); anything else is refused, naming where."""
    if isinstance(value, (Mapping, list, tuple)) and depth >= MAX_DEPTH:
        raise InvalidArgument(path, f"is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        _string(value, path)
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidArgument(path, f"{value} is not a JSON number")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise InvalidArgument(path, f"has the key {key!r}: JSON object keys are strings")
            _string(key, path)
        return {key: _plain_json(item, f"{path}.{key}", depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    raise InvalidArgument(
        path,
        f"{type(value).__name__} is not a JSON value (dict, list, str, number, bool or None); "
        "it must be known when the program runs, not an Output",
    )


def _applinks(applinks: Any, where: str) -> list[AppAssociation]:
    details = _field(applinks, "details", list, where)
    found = []
    for index, detail in enumerate(details):
        at = f"{where}.details[{index}]"
        if not isinstance(detail, dict):
            raise InvalidArgument(at, f"a details entry is a JSON object, not a JSON {_json_type(detail)}")
        if "appIDs" in detail:
            ids = [_string(app, f"{at}.appIDs[{i}]") for i, app in enumerate(_field(detail, "appIDs", list, at))]
        elif "appID" in detail:
            ids = [_string(detail["appID"], f"{at}.appID")]
        else:
            raise InvalidArgument(at, "has neither appIDs nor appID: no app would handle these links")
        paths = _link_patterns(detail, at)
        found += [AppAssociation("ios", app, "applinks", paths=paths) for app in ids]
    return found


def _link_patterns(detail: dict[str, Any], at: str) -> tuple[str, ...]:
    if "components" in detail:
        patterns = []
        for index, component in enumerate(_field(detail, "components", list, at)):
            if not isinstance(component, dict):
                raise InvalidArgument(f"{at}.components[{index}]", "a component is a JSON object such as {\"/\": \"/f/*\"}")
            path = _string(component.get("/", "*"), f"{at}.components[{index}]./")
            patterns.append(f"NOT {path}" if component.get("exclude") is True else path)
        return tuple(patterns)
    if "paths" in detail:
        return tuple(_string(path, f"{at}.paths[{i}]") for i, path in enumerate(_field(detail, "paths", list, at)))
    raise InvalidArgument(at, "has neither components nor paths: it matches no link")


def _field(container: Any, key: str, expected: type, where: str) -> Any:
    if not isinstance(container, dict):
        raise InvalidArgument(where, f"must be a JSON object with {key!r}, not a JSON {_json_type(container)}")
    if key not in container:
        raise InvalidArgument(where, f"has no {key!r}")
    value = container[key]
    if not isinstance(value, expected):
        raise InvalidArgument(f"{where}.{key}", f"must be a JSON {_json_type(expected())}, not a JSON {_json_type(value)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgument(where, f"must be a JSON string, not a JSON {_json_type(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(where, f"{value!r} holds an unpaired surrogate (\\ud800-\\udfff): not valid Unicode") from None
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


# --- refusal shared by the front doors and the self-hosted proxy (added for tracking_cdn.proxy) ------


def refuse_when_esp_serves_well_known(profile: EspProfile, **given: Any) -> None:
    """Refuse ``app_links``/``well_known_origin`` (the keyword arguments that are not None, named by
    their keyword) for a profile whose ESP serves ``/.well-known/*`` itself (``profile.serves_well_known``:
    Iterable), where every such request must reach the ESP."""
    if not profile.serves_well_known:
        return
    for argument, value in given.items():
        if value is not None:
            raise InvalidArgument(
                argument,
                f"esp={profile.name!r} serves {APPLE_PATH} and {ANDROID_PATH} on the tracking domain itself (set up "
                "deep links in the ESP), so every /.well-known/* request must reach it; leave this argument out",
            )
