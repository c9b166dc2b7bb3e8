"""Validation and normalisation of tracking domains (DESIGN.md section 6). Pure; no Pulumi import.

Normalisation is consistent everywhere: surrounding spaces, upper case and one trailing dot are
accepted and removed (``Track.Example.com.`` becomes ``track.example.com``); everything else that a
managed certificate or a DNS zone would refuse later is refused now, naming the argument.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Sequence

from .errors import InvalidArgument

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME_OR_PATH = re.compile(r"[/:?#@\s]")


def validate_hostname(value: Any, *, argument: str) -> str:
    """Normalise one host name (lower case, no trailing dot) or refuse it, naming ``argument``."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(argument, f"expected a host name such as 'track.example.com', got {value!r}")
    if not value.isascii():
        # Before lower-casing: str.lower() maps some non-ASCII letters to ASCII (the Kelvin sign
        # U+212A becomes "k"), which would silently turn one name into another.
        character = next(c for c in value if not c.isascii())
        raise InvalidArgument(
            argument,
            f"{value!r} is not ASCII (it contains U+{ord(character):04X}); give the punycode form "
            f"{_punycode_hint(value.strip())!r}",
        )
    name = value.strip().lower()
    if name.endswith("."):
        name = name[:-1]
    if _SCHEME_OR_PATH.search(name):
        raise InvalidArgument(
            argument,
            f"{value!r} is not a bare host name: give it without scheme, port, path or spaces "
            "(e.g. 'track.example.com', not 'https://track.example.com/')",
        )
    if name.startswith("*"):
        raise InvalidArgument(
            argument,
            f"{value!r} is a wildcard; managed certificates and CDN aliases need each tracking "
            "domain spelled out (e.g. 'track.example.com')",
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgument(argument, f"{value!r} is {len(name)} characters; the DNS limit is {MAX_NAME_LENGTH}")
    labels = name.split(".")
    for label in labels:
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidArgument(
                argument, f"label {label!r} of {value!r} is {len(label)} characters; the limit is {MAX_LABEL_LENGTH}"
            )
        if not _LABEL.match(label):
            raise InvalidArgument(
                argument,
                f"{value!r} has an invalid label {label!r}: labels are letters, digits and inner "
                "hyphens, separated by single dots",
            )
    if len(labels) < 2 or labels[-1].isdigit():
        raise InvalidArgument(argument, f"{value!r} is not a fully qualified domain name")
    return name


def normalize_tracking_domains(
    domains: Any, *, argument: str = "domains", max_count: Optional[int] = None, limit_reason: str = ""
) -> tuple[str, ...]:
    """Validate and normalise the tracking domains; refuses empty lists, duplicates, wildcards,
    bare registrable domains (a tracking domain is a subdomain, e.g. ``track.example.com``) and more
    names than ``max_count``."""
    if isinstance(domains, str) or not isinstance(domains, Sequence):
        raise InvalidArgument(argument, f"expected a list of host names such as ['track.example.com'], got {domains!r}")
    if not domains:
        raise InvalidArgument(argument, "give at least one tracking domain, e.g. ['track.example.com']")
    normalized: list[str] = []
    for index, value in enumerate(domains):
        name = validate_hostname(value, argument=f"{argument}[{index}]")
        if name.count(".") < 2:
            raise InvalidArgument(
                f"{argument}[{index}]",
                f"{value!r} looks like a whole domain; a tracking domain is a subdomain you dedicate "
                f"to links, e.g. 'track.{name}'",
            )
        if name in normalized:
            raise InvalidArgument(f"{argument}[{index}]", f"{value!r} is listed twice (as {name!r})")
        normalized.append(name)
    if max_count is not None and len(normalized) > max_count:
        raise InvalidArgument(
            argument, f"{len(normalized)} domains given; at most {max_count} are allowed{limit_reason}"
        )
    return tuple(normalized)


def validate_separate_host(value: Any, *, argument: str, tracking_domains: Sequence[str]) -> str:
    """A host name (``validate_hostname``) that is none of the tracking domains: requests a front door
    sends there would come back to it (``well_known_origin``)."""
    name = validate_hostname(value, argument=argument)
    if name in tracking_domains:
        raise InvalidArgument(
            argument,
            f"{value!r} is one of the tracking domains: requests sent there would loop back through this "
            "front door; give your own web origin, e.g. 'www.example.com'",
        )
    return name


def in_zone(domain: str, zone: str) -> bool:
    """Whether ``domain`` is the DNS zone ``zone`` or a name under it (``track.notexample.com`` is not
    under ``example.com``); both normalised."""
    return domain == zone or domain.endswith("." + zone)


def _punycode_hint(name: str) -> str:
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return "xn--..."

