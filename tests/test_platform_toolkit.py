"""Platform mode in someone else's program, as its engineers test it (the integrators' toolkit,
docs/own-program.md): every platform and tenant component builds under the mocks of Pulumi's unit-testing
guide (outputs = inputs, calls = ``{}``) and under mocks that answer nothing; a value the cloud computes
and the mocks left out becomes a placeholder naming it, with a warning (``contract.cloud_output``), never
``None`` in a record, a route target or a tenant's view of its platform; under ``SimulatedCloud`` the
integrator's own resources go to their own mocks and ours get the cloud's values; every tenant publishes
``route_targets`` through the base class; ``tracking-cdn plan`` and ``plan --against`` render a platform's
own project (tests/platform-program)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pulumi
import pytest
from conftest import REPO
from scenarios import PLATFORM_SCENARIOS
from test_any_mocks import BareMocks, EchoMocks, Warnings, assert_placeholders_explained
from test_testing import TheirMocks

from tracking_cdn import cli, contract
from tracking_cdn.platform import load_platform
from tracking_cdn.stack_config import output_names
from tracking_cdn.testing import SimulatedCloud, run_offline

PROJECT = REPO / "tests" / "platform-program"
SAAS_ZONE = {"zone_name": "tracking-platform.net"}
ARGS = {"cloudfront": {}, "cloudflare": SAAS_ZONE, "gcp": {}}


def build(mocks: pulumi.runtime.Mocks, program: Callable[[], list[pulumi.Resource]]) -> tuple[dict, list[str]]:
    """Run ``program`` under ``mocks`` as a ``@pulumi.runtime.test`` does; returns every output of every
    component it returns (``{component name: {output: value}}``) and the engine's warnings."""
    log = Warnings()
    pulumi.runtime.set_mocks(mocks, preview=False, logger=log)
    found: dict[str, dict[str, Any]] = {}

    @pulumi.runtime.test
    def check() -> pulumi.Output:
        components = program()
        return pulumi.Output.all(*[
            getattr(component, name).apply(
                lambda value, owner=component._name, name=name: found.setdefault(owner, {}).update({name: value}))
            for component in components for name in output_names(type(component))
        ])

    check()
    return found, log.warnings


def scenario_program(scenario) -> Callable[[], list[pulumi.Resource]]:
    platform_class, _, tenant_class, _ = load_platform(scenario.kind)

    def program() -> list[pulumi.Resource]:
        platform = platform_class("tracking", dict(scenario.platform_args))
        link = platform.tenant_config if scenario.linked else platform
        return [platform, *(tenant_class(name, {"platform": link, **args}) for name, args in scenario.tenants.items())]

    return program


def assert_nothing_is_none(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert_nothing_is_none(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for position, item in enumerate(value):
            assert_nothing_is_none(item, f"{where}[{position}]")
    else:
        assert value is not None, f"{where} is None: a value the mocks left out, silently"


@pytest.mark.parametrize("mocks", [EchoMocks, BareMocks], ids=["outputs-are-inputs", "no-outputs"])
@pytest.mark.parametrize("scenario", PLATFORM_SCENARIOS, ids=lambda scenario: scenario.id)
def test_every_platform_and_tenant_builds_under_the_unit_testing_guides_mocks(scenario, mocks):
    outputs, warnings = build(mocks(), scenario_program(scenario))
    platform_class, _, tenant_class, _ = load_platform(scenario.kind)
    assert set(outputs["tracking"]) == set(output_names(platform_class))
    assert outputs["tracking"]["route_targets"] == {}, "a platform serves no domain of its own"
    assert_nothing_is_none(outputs["tracking"]["tenant_config"], "tenant_config")
    for name, args in scenario.tenants.items():
        tenant = outputs[name]
        assert set(tenant) == set(output_names(tenant_class))
        assert_nothing_is_none(tenant["dns_records"], f"{name}.dns_records")
        assert set(tenant["route_targets"]) == set(args["domains"])
        assert all(isinstance(value, str) and value for value in tenant["route_targets"].values())
        assert tenant["status"] == "pending", "nothing the mocks answered says a domain is active"
    assert_placeholders_explained(outputs, warnings)


# --- what was silently wrong before, one by one ------------------------------------------------------


def one_tenant(kind: str) -> Callable[[], list[pulumi.Resource]]:
    platform_class, _, tenant_class, _ = load_platform(kind)

    def program() -> list[pulumi.Resource]:
        platform = platform_class("tracking", dict(ARGS[kind]))
        return [platform, tenant_class("acme", {"platform": platform, "domains": ["track.acme.com"]})]

    return program


MISSING = {
    # platform kind -> (what the tenant's route record pointed at before: None; the placeholder's name now)
    "cloudfront": "routingEndpoint",
    "gcp": "address",
}


@pytest.mark.parametrize("kind", MISSING)
def test_a_route_record_the_mocks_could_not_fill_names_what_is_missing(kind):
    """Before: the route record's value was a placeholder naming ``dns_records`` (CloudFront) or None (GCP:
    an A record to nowhere, and ``route_targets`` ``{"track.acme.com": None}``)."""
    outputs, warnings = build(EchoMocks(), one_tenant(kind))
    placeholder = contract.MISSING_FROM_MOCKS.format(what=MISSING[kind])
    assert outputs["acme"]["route_targets"] == {"track.acme.com": placeholder}
    assert any(f"the mocks gave no {MISSING[kind]}," in warning and "SimulatedCloud" in warning for warning in warnings)


def test_a_saas_zone_lookup_answered_with_nothing_leaves_no_custom_hostname_without_a_zone_id():
    """Before: the custom hostnames were registered with ``zoneId`` None, and no warning."""
    mocks = EchoMocks()
    outputs, warnings = build(mocks, one_tenant("cloudflare"))
    placeholder = contract.MISSING_FROM_MOCKS.format(what="zone id")
    hostnames = [inputs for typ, _, inputs in mocks.registered if typ == "cloudflare:index/customHostname:CustomHostname"]
    assert hostnames and all(inputs["zoneId"] == placeholder for inputs in hostnames)
    assert outputs["tracking"]["zone_id"] == placeholder
    assert any("getZone (zone_name 'tracking-platform.net'): the mocks gave no zone id" in w for w in warnings)


def test_a_validated_cloudfront_tenant_whose_certificate_lookup_found_nothing_says_so():
    """Before: the distribution tenant was registered with the certificate ARN None."""
    from tracking_cdn.platform.cloudfront import CloudFrontTrackingPlatform, CloudFrontTrackingTenant

    mocks = EchoMocks()

    def program() -> list[pulumi.Resource]:
        platform = CloudFrontTrackingPlatform("tracking", {})
        return [platform, CloudFrontTrackingTenant("acme", {"platform": platform, "domains": ["track.acme.com"],
                                                            "validated": True})]

    _, warnings = build(mocks, program)
    (tenant,) = [inputs for typ, _, inputs in mocks.registered if typ.endswith("distributionTenant:DistributionTenant")]
    assert tenant["customizations"]["certificate"]["arn"] == contract.MISSING_FROM_MOCKS.format(what="certificate ARN")
    assert any("aws:acm/getCertificate:getCertificate (domain 'track.acme.com', ISSUED): the mocks gave no "
               "certificate ARN" in warning for warning in warnings)


# --- the simulated cloud next to the integrator's own mocks ---------------------------------------------


def program_with_their_resources() -> None:
    import pulumi_aws as aws

    from tracking_cdn.platform.cloudfront import CloudFrontTrackingPlatform, CloudFrontTrackingTenant

    me = aws.get_caller_identity_output()
    aws.s3.Bucket("exports", bucket=me.account_id.apply(lambda account: f"exports-{account}"))
    platform = CloudFrontTrackingPlatform("links", {})
    CloudFrontTrackingTenant("acme", {"platform": platform, "domains": ["track.acme.com"]})


def test_their_own_types_go_to_their_mocks_and_the_platform_is_simulated():
    mocks = TheirMocks()
    run = run_offline(program_with_their_resources, mocks=mocks)
    assert run.one("aws:s3/bucket:Bucket").inputs["bucket"] == "exports-111111111111"
    assert mocks.seen == ["aws:s3/bucket:Bucket"], "only the types tracking-cdn does not simulate"
    endpoint = "<routing endpoint of links-connection-group>.cloudfront.net"
    assert run.named("acme").outputs["route_targets"] == {"track.acme.com": endpoint}
    assert run.named("links").outputs["route_targets"] == {}
    assert run.named("links").outputs["tenant_config"]["routing_endpoint"] == endpoint


@pytest.mark.parametrize("kind", sorted(ARGS))
def test_pulumis_own_test_style_with_the_simulated_cloud_for_every_platform(kind):
    outputs, warnings = build(SimulatedCloud(TheirMocks()), one_tenant(kind))
    (target,) = outputs["acme"]["route_targets"].values()
    assert target and "not in the mocks' answer" not in target
    assert [r["value"] for r in outputs["acme"]["dns_records"] if r["purpose"] == "route"][0] == target
    assert not any("the mocks gave no" in warning for warning in warnings)


# --- tracking-cdn plan on a platform's own project ------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "acme-saas"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def plan(*argv: str, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = cli.main(["plan", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_renders_a_platform_s_own_program(project: Path, capsys):
    code, text, err = plan("--cwd", str(project), "--stack", "dev", capsys=capsys)
    assert (code, err) == (0, "")
    assert "+ aws:s3/bucket:Bucket  exports\n    bucket: acme-saas-exports" in text
    assert "+ tracking-cdn:index:CloudFrontTrackingPlatform  links" in text
    assert "  + aws:cloudfront/distributionTenant:DistributionTenant  globex-distribution-tenant" in text
    assert "track.acme.com    CNAME  <routing endpoint of links-connection-group>.cloudfront.net   (route)" in text
    assert "Config: the 1 acme-saas:* key(s) are your program's own" in text
    assert "Windows" not in text


def test_plan_against_shows_a_new_tenant_as_that_tenant_s_resources_alone(project: Path, capsys):
    common = ["--cwd", str(project), "--stack", "dev"]
    code, before, _ = plan(*common, "--json", capsys=capsys)
    assert code == 0 and json.loads(before)["project"] == "acme-saas"
    (project / "before.json").write_text(before)
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "    initech:\n      - links.initech.com\n")
    code, text, err = plan(*common, "--against", str(project / "before.json"), capsys=capsys)
    assert (code, err) == (0, "")
    assert "+  aws:cloudfront/distributionTenant:DistributionTenant  initech-distribution-tenant" in text
    steps = [line.strip() for line in text.splitlines() if line.startswith("    ") and line.strip()[:2] in ("+ ", "~ ", "- ", "+-")]
    assert len(steps) == 2 and all("initech" in step for step in steps), steps
    assert "1 to create, 0 to update, 0 to replace, 0 to delete" in text and "no blocker" in text


# --- under a real engine, the same gap is an anomaly ---------------------------------------------------

REAL_ENGINE = """
import pulumi
from tracking_cdn import contract
from tracking_cdn.platform.cloudfront import CloudFrontTrackingPlatform, CloudFrontTrackingTenant

class EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name + "_id", args.inputs
    def call(self, args):
        return {}

contract.under_mock_engine = lambda: False  # what the components see under pulumi up
pulumi.runtime.set_mocks(EchoMocks(), preview=False)

@pulumi.runtime.test
def build():
    platform = CloudFrontTrackingPlatform("tracking", {})
    tenant = CloudFrontTrackingTenant("acme", {"platform": platform, "domains": ["track.acme.com"]})
    return tenant.dns_records

build()
"""


def test_under_a_real_engine_a_missing_routing_endpoint_fails_with_its_message():
    """In a process of its own: the failed run's pending outputs would be logged by a later test's engine."""
    done = subprocess.run([sys.executable, "-c", REAL_ENGINE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO / "components")})
    assert done.returncode != 0
    assert ("RuntimeError: CloudFront returned no routing endpoint for the connection group tracking-connection-group"
            in done.stderr), done.stderr[-2000:]
