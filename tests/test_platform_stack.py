"""The stack program in platform mode (issue 31): the example platform stacks and the tenant stack run
offline as `tracking-cdn plan` runs them, `plan --against` shows a tenant's change as that tenant's alone,
and mistakes in a platform stack's config are refused naming the key."""

import json
import shutil

import pytest
import yaml

from conftest import REPO, STACK_FILES, run_stack, stack_name
from tracking_cdn import cli
from tracking_cdn.platform import TENANT_CONFIG_OUTPUT
from tracking_cdn.platform.stack import STACK_KINDS
from tracking_cdn.stack_config import StackConfigError


def front_door_of(path):
    return yaml.safe_load(path.read_text())["config"]["tracking-cdn:frontDoor"]


PLATFORM_STACK_FILES = [path for path in STACK_FILES if front_door_of(path) in STACK_KINDS]


def test_there_is_an_example_platform_stack_for_every_cloud_and_a_tenant_stack():
    kinds = {front_door_of(path) for path in PLATFORM_STACK_FILES}
    assert {"cloudfront-platform", "cloudflare-platform", "gcp-platform", "cloudfront-tenants"} <= kinds


@pytest.mark.parametrize("path", PLATFORM_STACK_FILES, ids=stack_name)
def test_every_platform_example_stack_runs_offline_and_lists_every_tenant_s_records(path):
    document = yaml.safe_load(path.read_text())["config"]
    run = run_stack(stack_name(path))
    tenants = run.stack_outputs["tenants"]
    assert set(tenants) == set(document["tracking-cdn:tenants"])
    for name, tenant in tenants.items():
        assert tenant["domains"] == document["tracking-cdn:tenants"][name]["domains"]
        assert tenant["status"] == "pending"
        assert {r["name"] for r in tenant["dnsRecords"] if r["purpose"] == "route"} == set(tenant["domains"])
    assert run.stack_outputs["dnsRecords"] == [r for name in sorted(tenants) for r in tenants[name]["dnsRecords"]]
    kind, tenants_only = STACK_KINDS[front_door_of(path)]
    assert (TENANT_CONFIG_OUTPUT in run.stack_outputs) is not tenants_only
    assert run.warnings == []


def test_a_tenant_stack_reads_its_platform_through_a_stack_reference():
    run = run_stack("cloudfront-tenants-example")
    (tenant, *_) = run.of_type("aws:cloudfront/distributionTenant:DistributionTenant")
    assert tenant.inputs["distributionId"] == "<distribution_id of stack acme-corp/tracking-cdn/cloudfront-platform-example>"


@pytest.fixture
def project(tmp_path):
    """A copy of the project, for stack files a test changes."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    return tmp_path


def test_plan_against_shows_a_new_tenant_as_that_tenant_s_resources_only(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    stack_file = project / "stacks" / "Pulumi.cloudfront-platform-example.yaml"
    assert cli.main(["plan", "--stack", "cloudfront-platform-example", "--json"]) == 0
    (project / "before.json").write_text(capsys.readouterr().out)
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["tracking-cdn:tenants"]["initech"] = {"domains": ["links.initech-mail.com"]}
    stack_file.write_text(yaml.safe_dump(document))
    assert cli.main(["plan", "--stack", "cloudfront-platform-example", "--against", "before.json", "--json"]) == 0
    steps = [r for r in json.loads(capsys.readouterr().out)["resources"] if r["action"] != "same"]
    assert [(r["action"], r["name"]) for r in steps] == [("create", "initech"), ("create", "initech-distribution-tenant")]


@pytest.mark.parametrize("overrides, key, words", [
    ({"tracking-cdn:tenants": {"acme": {"domain": ["t.acme.com"]}}}, "tracking-cdn:tenants.acme.domain", ["domains?"]),
    ({"tracking-cdn:tenants": {"acme": {"domains": ["t.acme.com"] * 2}}}, "tracking-cdn:tenants.acme.domains[1]",
     ["listed twice"]),
    ({"tracking-cdn:tenants": {"Acme": {"domains": ["t.acme.com"]}}}, "tracking-cdn:tenants.Acme", ["lowercase"]),
    ({"tracking-cdn:tenants": {"acme": ["t.acme.com"]}}, "tracking-cdn:tenants.acme", ["domains: [track.acme.com]"]),
    ({"tracking-cdn:sparkpost": {"domains": ["x"]}}, "tracking-cdn:sparkpost", ["single sender"]),
    ({"tracking-cdn:tenantQuote": 3}, "tracking-cdn:tenantQuote", ["tracking-cdn:tenantQuota"]),
])
def test_a_platform_stack_s_mistakes_are_refused_naming_the_key(overrides, key, words):
    with pytest.raises(StackConfigError) as error:
        run_stack("cloudfront-platform-example", overrides)
    assert error.value.argument == key, str(error.value)
    assert all(word in str(error.value) for word in words), str(error.value)


def test_a_tenant_stack_needs_its_platform_stack():
    with pytest.raises(StackConfigError) as error:
        run_stack("cloudfront-tenants-example", {"tracking-cdn:platformStack": None})
    assert error.value.argument == "tracking-cdn:platformStack"
