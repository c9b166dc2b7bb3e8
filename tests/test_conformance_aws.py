"""Every AWS resource every CloudFront scenario registers is accepted by terraform-provider-aws itself
(``terraform validate`` and ``terraform plan -refresh=false``, offline, dummy credentials); broken
inputs are caught and reported by resource and property; day two: Terraform decides replace vs update.

Needs the Terraform CLI and a filesystem mirror of hashicorp/aws (``tests/terraform_aws.py``). Without
them these tests skip, saying what is missing, except under ``CI=true``, where they fail: a CI machine
without them must not pass silently.

Version skew, handled in ``terraform_aws`` and pinned here: the mirror's provider (5.x) predates
pulumi-aws 7.x's per-resource ``region``; the certificate goes to a provider aliased to us-east-1.
"""

import copy
import dataclasses
import os

import pytest

import terraform_aws
from scenarios import platform_scenarios, scenario, scenarios
from tracking_cdn.offline import OfflineRun

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CERTIFICATE = "aws:acm/certificate:Certificate"
RECORD = "aws:route53/record:Record"
CLOUDFRONT = scenarios("cloudfront")


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    reason = terraform_aws.skip_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the AWS conformance check cannot run: {reason}")
        pytest.skip(reason)
    return terraform_aws.Workspace.create(tmp_path_factory.mktemp("terraform"))


@pytest.fixture(scope="session")
def matrix(workspace):
    """Every CloudFront scenario in one configuration, validated and planned once."""
    return terraform_aws.check_runs(workspace, {s.name: s.run() for s in CLOUDFRONT})


@pytest.mark.parametrize("case", CLOUDFRONT, ids=lambda s: s.name)
def test_every_cloudfront_scenario_plans_cleanly_with_terraform_provider_aws(case, matrix):
    found = [str(p) for p in matrix.problems if p.scenario == case.name]
    assert not found, "\n".join(found)


def test_the_plan_covers_every_aws_resource_of_every_scenario_and_warns_of_nothing(matrix):
    assert not [str(p) for p in matrix.problems if not p.scenario], "every problem maps back to a scenario"
    expected = sum(1 for s in CLOUDFRONT for r in s.run().resources if r.custom and r.type.startswith("aws:"))
    assert matrix.translated == expected > 1000
    assert matrix.planned == matrix.translated, "terraform plan created every translated resource"
    assert not matrix.warnings, "\n".join(map(str, matrix.warnings))


# --- the translation --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def zone_run():
    return scenario("cloudfront/sparkpost-zone").run()


def translated(workspace, run, name):
    return {t.registration.name: t for t in terraform_aws.translate(run, name, workspace.schema)}


def test_per_resource_region_becomes_a_us_east_1_provider_explicitly(workspace, zone_run):
    # Version skew: `region` on a resource is terraform-provider-aws 6.x; the 5.x mirror has none.
    certificate = translated(workspace, zone_run, "t")["track-certificate"]
    assert workspace.schema.block("aws_acm_certificate").field("region") is None
    assert certificate.region == "us-east-1" and "region" not in certificate.body
    assert certificate.provider.endswith(".us_east_1")


def test_pulumi_names_map_to_terraform_blocks_and_values_only_known_later_are_references(workspace, zone_run):
    resources = translated(workspace, zone_run, "t")
    distribution = resources["track-distribution"].body
    assert distribution["origin"][0]["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"
    assert distribution["default_cache_behavior"][0]["cache_policy_id"] == (
        "${aws_cloudfront_cache_policy.t__track-cache.id}"
    )
    alias = resources["track-a-click2.example.com"].body["alias"]
    assert alias == [{"zone_id": "Z2FDTNDATAQYW2", "evaluate_target_health": False,
                      "name": "${aws_cloudfront_distribution.t__track-distribution.domain_name}"}]
    validation_record = resources["track-validation-click2.example.com"].body
    assert validation_record["name"].startswith("${one([for e in aws_acm_certificate.t__track-certificate.")
    assert resources["track-cache"].body["name"].startswith("track-cache-"), "Pulumi auto-naming"


# --- broken inputs are caught -------------------------------------------------------------------


def broken(run: OfflineRun, name: str, change) -> OfflineRun:
    """``run`` with resource ``name``'s recorded inputs changed by ``change`` (in place on a copy)."""
    resources = []
    for registration in run.resources:
        if registration.name == name:
            registration = dataclasses.replace(registration, inputs=copy.deepcopy(registration.inputs))
            change(registration.inputs)
        resources.append(registration)
    return dataclasses.replace(run, resources=resources)


BROKEN = {
    # scenario -> (resource, change, property path reported, words the message must hold)
    "misspelt": ("track-distribution", lambda i: i.update(priceClas=i.pop("priceClass")), "priceClas",
                 ["price_class"]),
    "wrong-type": ("track-distribution", lambda i: i.update(isIpv6Enabled="yes please"), "isIpv6Enabled",
                   ["a bool is required"]),
    "bad-enum": ("track-distribution", lambda i: i.update(priceClass="PriceClass_Cheap"), "priceClass",
                 ["PriceClass_100", "PriceClass_200", "PriceClass_All"]),
    "bad-nested-enum": ("track-distribution",
                        lambda i: i["origins"][0]["customOriginConfig"].update(originProtocolPolicy="https"),
                        "origins[0].customOriginConfig.originProtocolPolicy", ["https-only", "match-viewer"]),
    "missing-required": ("track-distribution", lambda i: i.pop("enabled"), "", ['"enabled" is required']),
    "conflicting": ("track-certificate", lambda i: i.update(privateKey="-----BEGIN PRIVATE KEY-----"), "",
                    ["conflicts with private_key"]),
}


@pytest.fixture(scope="session")
def broken_check(workspace, zone_run):
    runs = {case: broken(zone_run, resource, change) for case, (resource, change, _, _) in BROKEN.items()}
    return terraform_aws.check_runs(workspace, runs, directory_name="broken")


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_input_is_caught_naming_resource_property_and_what_is_allowed(case, broken_check):
    resource, _, path, words = BROKEN[case]
    found = [p for p in broken_check.problems if p.scenario == case]
    assert found, f"terraform accepted the {case} input"
    assert all(p.resource.endswith(f"{resource!r}") for p in found), found
    if path:
        assert any(p.path == path for p in found), [str(p) for p in found]
    assert any(all(word in p.message for word in words) for p in found), [str(p) for p in found]


# --- day two: replace or update, decided by the provider ------------------------------------------


@pytest.fixture(scope="session")
def day_two(workspace, zone_run):
    renamed = broken(zone_run, "track-a-click2.example.com", lambda i: i.update(name="click3.example.com"))
    commented = broken(zone_run, "track-distribution", lambda i: i.update(comment="tracking links, renamed"))
    fewer = dataclasses.replace(zone_run, resources=[r for r in zone_run.resources
                                                     if r.name != "track-aaaa-click2.example.com"])
    moved = dataclasses.replace(zone_run, resources=[
        dataclasses.replace(r, name="track-a-moved", urn=r.urn.replace(r.name, "track-a-moved"))
        if r.name == "track-a-click2.example.com" else r
        for r in zone_run.resources
    ])
    pairs = {"same": (zone_run, zone_run), "renamed": (zone_run, renamed), "commented": (zone_run, commented),
             "fewer": (zone_run, fewer), "moved": (zone_run, moved), "moved-with-alias": (zone_run, moved)}
    aliases = {"moved-with-alias": {urn_of(zone_run, "track-a-click2.example.com"): urn_of(moved, "track-a-moved")}}
    return terraform_aws.plan_changes(workspace, pairs, aliases)


def urn_of(run, name):
    return run.named(name).urn


def actions(changes):
    return {change.name: change.action for change in changes.values()}


def test_the_same_program_again_changes_nothing(day_two, zone_run):
    assert actions(day_two["same"]) == {r.name: "no-op" for r in zone_run.resources if r.type.startswith("aws:")}


def test_a_route53_record_whose_name_changes_is_replaced(day_two):
    changes = day_two["renamed"]
    (record,) = [c for c in changes.values() if c.name == "track-a-click2.example.com"]
    assert record.action == "replace" and record.replace_paths == ("name",)
    assert {c.action for c in changes.values() if c is not record} == {"no-op"}


def test_a_distribution_whose_comment_changes_is_updated_in_place(day_two):
    assert {n: a for n, a in actions(day_two["commented"]).items() if a != "no-op"} == {"track-distribution": "update"}


def test_a_resource_left_out_of_the_program_is_deleted(day_two):
    assert {n: a for n, a in actions(day_two["fewer"]).items() if a != "no-op"} == {
        "track-aaaa-click2.example.com": "delete"
    }


def test_a_renamed_resource_is_replaced_unless_an_alias_carries_it_over(day_two):
    assert {n: a for n, a in actions(day_two["moved"]).items() if a != "no-op"} == {
        "track-a-click2.example.com": "delete", "track-a-moved": "create"
    }
    assert set(actions(day_two["moved-with-alias"]).values()) == {"no-op"}


# --- what a machine without Terraform is told ------------------------------------------------------


def test_a_missing_terraform_or_mirror_is_named_in_the_skip_reason(monkeypatch, tmp_path):
    monkeypatch.setenv(terraform_aws.MIRROR_ENV, str(tmp_path))
    assert f"no hashicorp/aws provider in the filesystem mirror {tmp_path}" in terraform_aws.skip_reason()
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "Terraform CLI is not on PATH" in terraform_aws.skip_reason()


# --- platform mode -------------------------------------------------------------------------------

PLATFORM_ONLY_IN_6X = ("aws_cloudfront_multitenant_distribution", "aws_cloudfront_distribution_tenant",
                       "aws_cloudfront_connection_group")
"""CloudFront SaaS Manager's resources, newer than the mirror's provider: the SDK-type layer checks them."""


def in_the_mirror(run: OfflineRun, workspace) -> OfflineRun:
    """``run`` without the AWS resources the mirror's provider does not have (``PLATFORM_ONLY_IN_6X``)."""
    kept = [r for r in run.resources
            if not (r.custom and r.type.startswith("aws:")) or terraform_aws.terraform_type(r.type) in workspace.schema.resources]
    return dataclasses.replace(run, resources=kept)


def test_the_cloudfront_platform_s_resources_the_mirror_has_plan_cleanly_with_terraform_provider_aws(workspace):
    assert not [t for t in PLATFORM_ONLY_IN_6X if t in workspace.schema.resources], (
        "the mirror now has CloudFront SaaS Manager: check those resources here too")
    runs = {f"platform-{s.name}": in_the_mirror(s.run(), workspace) for s in platform_scenarios("cloudfront")}
    check = terraform_aws.check_runs(workspace, runs, "platform")
    assert not check.problems, "\n".join(map(str, check.problems))
    # The cache policy of every scenario, the app-link store, its keys and function: what the mirror has.
    kept = {r.type for run in runs.values() for r in run.resources if r.custom}
    assert {"aws:cloudfront/cachePolicy:CachePolicy", "aws:cloudfront/keyValueStore:KeyValueStore",
            "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", "aws:cloudfront/function:Function"} <= kept
    assert check.planned == check.translated > len(runs)
