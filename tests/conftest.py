"""Shared test helpers: run programs and stacks under the offline mock engine."""

from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import pytest
import yaml

from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import OfflineRun, Registration, run_offline
from tracking_cdn.plan import stack_config
from tracking_cdn.stack import main as stack_program

REPO = Path(__file__).resolve().parent.parent
STACK_FILES = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))

ESP_CASES: dict[str, tuple[dict[str, str], str, bool]] = {
    # ESP profile -> (its arguments, the endpoint it must reach (DESIGN.md section 3), whether the ESP
    # routes on the tracking domain, so that must reach it as Host). Written out, not read from esp.py:
    # these are the expectations the front doors are tested against.
    "sparkpost": ({"esp": "sparkpost"}, "spgo.io", False),
    "sparkpost-eu": ({"esp": "sparkpost-eu"}, "eu.spgo.io", False),
    "sparkpost-enterprise": ({"esp": "sparkpost-enterprise", "tenant": "acme"}, "acme.et.e.sparkpost.com", False),
    "sendgrid": ({"esp": "sendgrid"}, "sendgrid.net", True),
    "custom": ({"esp": "custom", "origin_host": "track.pmta.example.net"}, "track.pmta.example.net", False),
}

OPT_IN_ESP_CASES: dict[str, tuple[dict[str, str], str, bool]] = {
    # Same shape as ESP_CASES: the profiles of issue 21, which each front door's policy tests opt into
    # (``{**ESP_CASES, **OPT_IN_ESP_CASES}``) as its engineer takes them on. ``customerio*`` need nothing
    # new (the tracking domain as Host, as for SendGrid); ``ses`` needs the front door to reach its
    # endpoint over plain HTTP (ORIGIN_HTTP in ``supports``, tracking_cdn.contract) and ``iterable*`` to
    # follow the endpoint's Cache-Control (ORIGIN_CACHE_CONTROL): until then the front door refuses them.
    "customerio": ({"esp": "customerio"}, "track.customer.io", True),
    "customerio-eu": ({"esp": "customerio-eu"}, "track-eu.customer.io", True),
    "ses": ({"esp": "ses", "esp_region": "eu-west-1"}, "r.eu-west-1.awstrack.me", True),
    "iterable": ({"esp": "iterable"}, "links.iterable.com", True),
    "iterable-eu": ({"esp": "iterable-eu"}, "links.eu.iterable.com", True),
}


def stack_name(path: Path) -> str:
    return path.name[len("Pulumi.") : -len(".yaml")]


@pytest.fixture
def run_program() -> Callable[..., OfflineRun]:
    """Run a program (a no-argument callable creating resources) under fresh mocks; returns every
    registration with its inputs, options and outputs, and the stack outputs."""
    return run_offline


def run_stack(name: str, overrides: Optional[Mapping[str, Any]] = None) -> OfflineRun:
    """Run the repository's stack program with ``stacks/Pulumi.<name>.yaml`` and config ``overrides``
    (a value of None removes the key)."""
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{name}.yaml").read_text())
    for key, value in (overrides or {}).items():
        if value is None:
            document["config"].pop(key, None)
        else:
            document["config"][key] = value
    config, secret_keys = stack_config(document)
    return run_offline(stack_program, config=config, secret_keys=secret_keys, stack=name)


def refusal(create: Callable[[], Any]) -> tuple[InvalidArgument, list[Registration]]:
    """Run ``create`` (which should refuse its input) under the mock engine; returns the
    InvalidArgument it raised and every resource registered in that run (should be none)."""
    refusals: list[InvalidArgument] = []

    def program() -> None:
        try:
            create()
        except InvalidArgument as error:
            refusals.append(error)

    run = run_offline(program)
    assert refusals, "the input was accepted"
    return refusals[0], run.resources
