"""The components under anyone's mocks: Pulumi's unit-testing guide, as an integrator writes it.

The guide's mocks answer a resource with its own inputs as outputs and every data source with ``{}``
(``EchoMocks``); some answer a resource with nothing at all (``BareMocks``). Under either, every
component of every scenario (tests/scenarios.py) constructs and every output resolves: a value the cloud
would compute and the mocks left out becomes a placeholder naming it (``MISSING_FROM_MOCKS``), and a
warning says what is missing and how to supply it, never a traceback from inside a provider SDK and
never a silently wrong value (a record with no zone id). Under a real engine the same gap is a real
anomaly and fails with the message it always had.
"""

import gc
import logging
import re
from typing import Any, Callable

import pulumi
import pytest
from scenarios import COMPONENT_NAME, SCENARIOS, AnOutput

from tracking_cdn import contract
from tracking_cdn.stack import load_front_door
from tracking_cdn.stack_config import output_names

PLACEHOLDER = re.compile(re.escape(contract.MISSING_FROM_MOCKS).replace(r"\{what\}", "(?P<what>[^>]*)"))


class EchoMocks(pulumi.runtime.Mocks):
    """The mocks of Pulumi's unit-testing guide, keeping what was registered."""

    def __init__(self) -> None:
        self.registered: list[tuple[str, str, dict]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.registered.append((args.typ, args.name, dict(args.inputs)))
        return args.name + "_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return {}


class BareMocks(EchoMocks):
    """Mocks that answer every resource with no outputs at all."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        super().new_resource(args)
        return args.name + "_id", {}


class Warnings(logging.Logger):
    """The engine's log, as ``set_mocks(logger=...)`` takes it: the warnings kept."""

    def __init__(self) -> None:
        super().__init__("engine")
        self.warnings: list[str] = []

    def warning(self, message: object, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.warnings.append(str(message))


def under_mocks(mocks: pulumi.runtime.Mocks, create: Callable[[], Any], preview: bool = False) -> tuple[dict, list[str]]:
    """Build ``create()``'s component under ``mocks`` as a ``@pulumi.runtime.test`` does; returns its
    outputs that resolved (in a preview, one computed from a value the mocks left out stays unknown, as
    in a real preview) and the warnings."""
    log = Warnings()
    pulumi.runtime.set_mocks(mocks, preview=preview, logger=log)
    found: dict[str, Any] = {}

    @pulumi.runtime.test
    def build() -> pulumi.Output:
        component = create()
        return pulumi.Output.all(*[
            getattr(component, name).apply(lambda value, name=name: found.update({name: value}))
            for name in output_names(type(component))
        ])

    build()
    return found, log.warnings


def component(front_door: str, args: dict[str, Any], name: str = COMPONENT_NAME) -> Callable[[], Any]:
    cls, _ = load_front_door(front_door)

    def create() -> Any:
        given = {key: pulumi.Output.from_input(v.value) if isinstance(v, AnOutput) else v for key, v in args.items()}
        return cls(name, given)

    return create


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []


def assert_resolved_and_explained(outputs: dict, warnings: list[str], domains: list[str]) -> None:
    """Every record and route target is a string; each placeholder is named by a warning saying how to
    supply it; no warning sends a unit-test author to `pulumi refresh`."""
    assert outputs["dns_records"], "dns_records is empty"
    for record in outputs["dns_records"]:
        assert all(isinstance(record[key], str) and record[key] for key in ("name", "type", "value", "purpose")), record
    assert set(outputs["route_targets"]) <= set(domains)
    assert all(isinstance(value, str) and value for value in outputs["route_targets"].values())
    assert_placeholders_explained(outputs, warnings)


def assert_placeholders_explained(outputs: dict, warnings: list[str]) -> None:
    for text in strings(outputs):
        for missing in PLACEHOLDER.finditer(text):
            assert any(f"the mocks gave no {missing['what']}," in warning and "Mocks" in warning
                       for warning in warnings), f"{missing[0]} is in the outputs, but no warning names it"
    assert not any("pulumi refresh" in warning for warning in warnings)


COMPONENT_SCENARIOS = [scenario for scenario in SCENARIOS if scenario.stack is None]


@pytest.mark.parametrize("mocks", [EchoMocks, BareMocks], ids=["outputs-are-inputs", "no-outputs"])
@pytest.mark.parametrize("scenario", COMPONENT_SCENARIOS, ids=lambda scenario: scenario.id)
def test_every_scenario_builds_under_the_unit_testing_guides_mocks(scenario, mocks):
    outputs, warnings = under_mocks(mocks(), component(scenario.front_door, dict(scenario.args)))
    assert set(outputs) == set(output_names(load_front_door(scenario.front_door)[0]))
    assert_resolved_and_explained(outputs, warnings, scenario.args["domains"])


@pytest.mark.parametrize("front_door", ["cloudfront", "gcp", "azure", "cloudflare", "fastly"])
def test_a_preview_under_mocks_builds_too(front_door):
    """In a preview a resource's values the mocks left out are unknown, as the cloud's are in a real
    preview; a data source still answers (Cloudflare's zone lookup: a placeholder and a warning)."""
    scenario = next(s for s in COMPONENT_SCENARIOS if s.front_door == front_door)
    outputs, warnings = under_mocks(EchoMocks(), component(front_door, dict(scenario.args)), preview=True)
    assert outputs["origin_host"]
    assert_placeholders_explained(outputs, warnings)


# --- the failures an integrator met, one by one ------------------------------------------------------


DOMAIN = "track.example.com"
REPORTED = {
    # front door -> (its arguments beyond the domain, the error it raised before, the value now a placeholder)
    "cloudfront": ({}, "ACM returned no DNS validation option", "domainValidationOptions entry for track.example.com"),
    "gcp": ({}, "'NoneType' object is not subscriptable", "dnsResourceRecords entry for track.example.com"),
    "azure": ({"resource_group_name": "rg"}, "'NoneType' object has no attribute 'rstrip'", "hostName"),
    "fastly": ({}, "Fastly returned no managed DNS challenge",
               "managedDnsChallenges entry for _acme-challenge.track.example.com"),
}


@pytest.mark.parametrize("front_door", REPORTED)
def test_the_reported_crash_is_a_named_placeholder_and_a_warning(front_door):
    extra, _, missing = REPORTED[front_door]
    outputs, warnings = under_mocks(EchoMocks(), component(front_door, {"domains": [DOMAIN], **extra}))
    assert any(contract.MISSING_FROM_MOCKS.format(what=missing) in text for text in strings(outputs["dns_records"]))
    warning = next(w for w in warnings if f"the mocks gave no {missing}," in w)
    assert "tracking_cdn.testing.SimulatedCloud" in warning and "new_resource" in warning


def test_a_zone_lookup_answered_with_nothing_leaves_no_record_without_a_zone_id():
    mocks = EchoMocks()
    outputs, warnings = under_mocks(mocks, component("cloudflare", {"domains": [DOMAIN], "zone_name": "example.com"}))
    placeholder = contract.MISSING_FROM_MOCKS.format(what="zone id")
    assert outputs["zone_id"] == placeholder
    zoned = [inputs for _, _, inputs in mocks.registered if "zoneId" in inputs]
    assert zoned and all(inputs["zoneId"] == placeholder for inputs in zoned)
    assert any("cloudflare:index/getZone:getZone (zone_name 'example.com'): the mocks gave no zone id" in w
               for w in warnings)


def test_sparkpost_tracking_domain_builds_under_the_guides_mocks():
    from tracking_cdn.sparkpost import SparkPostTrackingDomain

    log = Warnings()
    pulumi.runtime.set_mocks(EchoMocks(), preview=False, logger=log)
    found = {}

    @pulumi.runtime.test
    def build():
        domain = SparkPostTrackingDomain("sparkpost", {"domain": DOMAIN, "api_key": "key"})
        return pulumi.Output.all(domain.domain, domain.secure, domain.pending).apply(
            lambda values: found.update(domain=values[0], secure=values[1])
        )

    build()
    assert found == {"domain": DOMAIN, "secure": True}


# --- under a real engine, the same gap is an anomaly ---------------------------------------------------


@pytest.fixture
def real_engine(monkeypatch):
    """What the components see under ``pulumi up``: not the mock engine. The other outputs that waited on
    the failed value are collected afterwards, quietly: asyncio would log each as "Future exception was
    never retrieved"."""
    monkeypatch.setattr(contract, "under_mock_engine", lambda: False)
    yield
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()
    pulumi.runtime.settings.SETTINGS.outputs.clear()
    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.disabled = True
    try:
        gc.collect()
    finally:
        asyncio_log.disabled = False


@pytest.mark.parametrize("front_door", ["cloudfront", "fastly"])
def test_under_a_real_engine_a_missing_value_still_fails_with_its_message(front_door, real_engine):
    extra, message, _ = REPORTED[front_door]
    with pytest.raises(RuntimeError, match=message):
        under_mocks(EchoMocks(), component(front_door, {"domains": [DOMAIN], **extra}))


def test_under_a_real_engine_a_missing_zone_is_named(real_engine):
    with pytest.raises(RuntimeError, match="Cloudflare found no zone named 'example.com'"):
        under_mocks(EchoMocks(), component("cloudflare", {"domains": [DOMAIN], "zone_name": "example.com"}))


def test_under_a_real_engine_azure_keeps_an_empty_validation_token_empty(real_engine):
    class AzureAssigns(EchoMocks):
        def new_resource(self, args):
            resource_id, outputs = super().new_resource(args)
            if args.typ == "azure-native:cdn:AFDEndpoint":
                outputs = {**outputs, "hostName": "tracking-abc.z01.azurefd.net"}
            return resource_id, outputs

    outputs, _ = under_mocks(AzureAssigns(), component("azure", {"domains": [DOMAIN], "resource_group_name": "rg"}))
    assert outputs["domain_validation_tokens"] == {DOMAIN: ""}
    assert outputs["route_targets"] == {DOMAIN: "tracking-abc.z01.azurefd.net"}
