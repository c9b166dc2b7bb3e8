"""The ``deep-links`` check (``--app-links``): are the app-link files served the way iOS and Android
require, and what would a device conclude from them?

Each file is fetched over HTTPS, its certificate verified, redirects not followed, and must answer
200 with ``Content-Type: application/json`` (parameters such as ``; charset=utf-8`` allowed) and a
body that ``tracking_cdn.deep_links`` reads as the platform's format (strict JSON, at most 128 KB).
Apple: "You must host the file using https:// with a valid certificate and with no redirects"
(https://developer.apple.com/documentation/xcode/supporting-associated-domains); Android: the file
must be "served over HTTPS without redirects", "Any response from the server besides HTTP 200 is
treated as an error" (https://developer.android.com/training/app-links/troubleshoot,
https://developers.google.com/digital-asset-links/v1/create-statement).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Callable, Sequence

from ..deep_links import (
    ANDROID_PATH,
    APPLE_PATH,
    CONTENT_TYPE,
    MAX_FILE_BYTES,
    STATUS,
    AppAssociation,
    describe_apple_app_site_association,
    describe_asset_links,
)
from ..errors import InvalidArgument
from .checks import NETWORK_ERRORS, REDIRECT_STATUSES, Settings, describe_error
from .network import Deadline, HttpAnswer, fetch, verifying_context
from .report import CheckResult, Verdict

NAME = "deep-links"


@dataclass(frozen=True)
class Platform:
    """One platform's file and how a device of that platform reads it."""

    device: str
    path: str
    describe: Callable[..., list[AppAssociation]]
    uses: str
    """What the device does with a good file, as a verb phrase."""


PLATFORMS = {
    "apple": Platform("iOS", APPLE_PATH, describe_apple_app_site_association, "would associate"),
    "android": Platform("Android", ANDROID_PATH, describe_asset_links, "would verify"),
}
"""By ``--app-links`` value (``tracking_cdn.check.APP_LINK_PLATFORMS``), in report order."""


class Unusable(Exception):
    """Why a device would not use the file; the message ends the sentence "<device> would not use it: "."""


def check_app_links(domain: str, settings: Settings, platforms: Sequence[str]) -> CheckResult:
    """Fetch each platform's file from ``domain`` within one deadline and judge it as a device would."""
    evidence: list[str] = []
    failures: list[str] = []
    with settings.deadline() as deadline:
        for key in platforms:
            platform = PLATFORMS[key]
            try:
                answer = _fetch_file(domain, platform, settings, deadline, evidence)
                associations = _read(platform, answer)
                evidence += [_conclusion(platform, association) for association in associations] or [
                    f"{platform.device}: the file names no app itself (include statements and web targets are "
                    "not followed by this check)"
                ]
            except Unusable as reason:
                failures.append(f"{platform.device} would not use it: {reason}")
    if failures:
        return CheckResult(
            NAME,
            Verdict.FAIL,
            "; ".join(failures),
            tuple(evidence),
            hint="answer each file on every tracking domain itself: 200, Content-Type application/json, no "
            "redirect, over HTTPS (app_links on a front door; tracking-cdn proxy --apple-app-site-association "
            "/ --android-asset-links); docs/deep-links.md",
        )
    devices = " and ".join(PLATFORMS[key].device for key in platforms)
    return CheckResult(
        NAME,
        Verdict.PASS,
        f"served as {devices} {'require' if len(platforms) > 1 else 'requires'} (200, {CONTENT_TYPE}, no redirect, "
        "HTTPS, valid)",
        tuple(evidence),
    )


def _fetch_file(domain: str, platform: Platform, settings: Settings, deadline: Deadline, evidence: list[str]) -> HttpAnswer:
    """The HTTPS answer for the platform's file, verified; raises ``Unusable`` with the reason when a
    device would not read it. Adds what was seen to ``evidence``."""
    try:
        answer = fetch(
            settings.resolver, "https", domain, settings.https_port, platform.path, deadline,
            verifying_context(settings.ca_bundle), max_body=MAX_FILE_BYTES,
        )
    except ssl.SSLCertVerificationError as error:
        evidence.append(f"GET https://{domain}{platform.path}: certificate rejected ({error.verify_message})")
        raise Unusable(f"HTTPS with a valid certificate is required ({error.verify_message})") from None
    except NETWORK_ERRORS as error:
        evidence.append(f"GET https://{domain}{platform.path}: {describe_error(error)}")
        raise Unusable(f"no HTTPS answer ({describe_error(error)}){_over_plain_http(domain, platform, settings, deadline, evidence)}") from None
    evidence.append(_describe(answer))
    if answer.status in REDIRECT_STATUSES:
        location = answer.header("location") or "no Location"
        raise Unusable(f"{answer.status} redirect to {location} (redirects are refused for this file)")
    if answer.status != STATUS:
        raise Unusable(f"{answer.status} {answer.reason}{_over_plain_http(domain, platform, settings, deadline, evidence)}")
    media_type = answer.header("content-type").split(";")[0].strip().lower()
    if media_type != CONTENT_TYPE:
        raise Unusable(f"Content-Type is {answer.header('content-type') or 'absent'!r}, not {CONTENT_TYPE}")
    if answer.body_truncated:
        raise Unusable(f"larger than {MAX_FILE_BYTES} bytes (128 KB), the size devices read")
    return answer


def _read(platform: Platform, answer: HttpAnswer) -> list[AppAssociation]:
    name = platform.path.rsplit("/", 1)[1]
    try:
        return platform.describe(answer.body, argument=name)
    except InvalidArgument as error:
        raise Unusable(str(error)) from None


def _over_plain_http(domain: str, platform: Platform, settings: Settings, deadline: Deadline, evidence: list[str]) -> str:
    """When HTTPS does not serve the file, whether plain HTTP does: a clause for the reason, or ""."""
    try:
        answer = fetch(settings.resolver, "http", domain, settings.http_port, platform.path, deadline, max_body=0)
    except NETWORK_ERRORS:
        return ""
    evidence.append(_describe(answer))
    if answer.status != STATUS:
        return ""
    return "; plain HTTP serves it, but devices fetch it over HTTPS only"


def _describe(answer: HttpAnswer) -> str:
    content_type = answer.header("content-type") or "absent"
    size = f"{len(answer.body)}{'+' if answer.body_truncated else ''} bytes"
    return f"{answer.describe()}; Content-Type: {content_type}; {size}"


def _conclusion(platform: Platform, association: AppAssociation) -> str:
    detail = association.service
    if association.paths:
        detail += ": " + ", ".join(association.paths)
    if association.fingerprints:
        detail += f", signed by {', '.join(association.fingerprints)}"
    return f"{platform.device} {platform.uses} {association.app_id} ({detail})"
