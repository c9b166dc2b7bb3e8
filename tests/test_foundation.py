"""Policies of the foundation: the offline engine, the stack program, `plan`, imports, and the
components' publishable shape."""

import json
import re
import subprocess
import sys
import time
import typing

import pulumi
import pytest
import yaml
from conftest import REPO, STACK_FILES, refusal, run_stack, stack_name

from tracking_cdn import cli
from tracking_cdn.contract import (
    ROUTE,
    VALIDATION,
    TrackingDomainArgs,
    TrackingDomainComponent,
    collect_dns_records,
    dns_record,
    resolve_settings,
)
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import UnsimulatedCall, _RecordingMonitor, run_offline
from tracking_cdn.stack import FRONT_DOORS, NO_FRONT_DOOR, load_front_door
from tracking_cdn.stack_config import args_from_config

CLOUD_SDKS = {"pulumi_aws", "pulumi_gcp", "pulumi_azure_native", "pulumi_cloudflare", "pulumi_fastly"}
SDK_OF_FRONT_DOOR = {
    "cloudfront": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "azure": "pulumi_azure_native",
    "cloudflare": "pulumi_cloudflare",
    "fastly": "pulumi_fastly",
    "keycdn": None,  # KeyCDN's API is called with the standard library: no SDK
}


class _Demo(TrackingDomainComponent):
    """A minimal front door used to test the shared machinery."""

    def __init__(self, name: str, args: TrackingDomainArgs, opts: typing.Optional[pulumi.ResourceOptions] = None) -> None:
        settings = resolve_settings(args, TrackingDomainArgs)
        super().__init__(name, settings, opts)
        door = pulumi.CustomResource("test:index:Door", f"{name}-door", {"origin": settings.origin.host},
                                     opts=self.child_opts(serving=True))
        scratch = pulumi.CustomResource("test:index:Scratch", f"{name}-scratch", {}, opts=self.child_opts())
        self.publish_outputs(
            origin_host=settings.origin.host,
            dns_records=collect_dns_records(
                [dns_record(d, "CNAME", door.id, ROUTE) for d in settings.domains]
                + [dns_record(f"_v.{settings.domains[0]}.", "CNAME", scratch.id, VALIDATION)]
            ),
        )


# --- offline engine ----------------------------------------------------------------------------


def test_offline_run_records_every_resource_with_parent_and_protection(run_program):
    run = run_program(lambda: _Demo("track", {"domains": ["track.example.com"]}))
    component = run.one("tracking-cdn:index:_Demo")
    door, scratch = run.one("test:index:Door"), run.one("test:index:Scratch")
    assert door.parent == scratch.parent == component.urn
    assert door.protect and not scratch.protect
    assert door.inputs == {"origin": "spgo.io"}


def test_serving_resources_can_be_unprotected_for_teardown(run_program):
    run = run_program(lambda: _Demo("track", {"domains": ["track.example.com"], "protect_serving_resources": False}))
    assert not any(r.protect for r in run.resources)


def test_dns_records_list_validation_first_without_trailing_dots(run_program):
    def program():
        pulumi.export("records", _Demo("track", {"domains": ["a.example.com", "b.example.com"]}).dns_records)

    records = run_program(program).stack_outputs["records"]
    assert [r["purpose"] for r in records] == [VALIDATION, ROUTE, ROUTE]
    assert records[0]["name"] == "_v.a.example.com"
    assert all(set(r) == {"name", "type", "value", "purpose"} for r in records)


def test_stack_outputs_survive_whichever_engine_call_finishes_last(run_program, monkeypatch):
    """The mock engine registers an empty root stack of the same URN before the program's own; on a busy
    machine its worker thread may finish last, which left a plan without outputs now and then."""
    register = _RecordingMonitor.RegisterResourceOutputs

    def empty_ones_late(self, request):
        if not request.outputs.fields:
            time.sleep(0.3)
        return register(self, request)

    monkeypatch.setattr(_RecordingMonitor, "RegisterResourceOutputs", empty_ones_late)
    assert run_program(lambda: pulumi.export("frontDoor", "none")).stack_outputs == {"frontDoor": "none"}


def test_each_offline_run_starts_from_nothing(run_program):
    first = run_program(lambda: _Demo("one", {"domains": ["track.example.com"]}))
    second = run_program(lambda: _Demo("two", {"domains": ["track.example.com"]}))
    assert {r.name for r in first.resources}.isdisjoint({r.name for r in second.resources})


def test_an_unsimulated_lookup_fails_loudly(run_program):
    def program():
        pulumi.export("x", pulumi.runtime.invoke("nowhere:index:getThing", {}).value)

    with pytest.raises(UnsimulatedCall, match="nowhere:index:getThing"):
        run_program(program)


def test_bad_input_is_refused_before_anything_registers():
    error, registered = refusal(lambda: _Demo("track", {"domains": ["*.example.com"]}))
    assert str(error).startswith("domains[0]: ") and "wildcard" in str(error)
    assert registered == []


@pytest.mark.parametrize("kind", FRONT_DOORS)
def test_every_front_door_refuses_args_that_are_not_a_dict(kind):
    component_class, _ = load_front_door(kind)
    error, registered = refusal(lambda: component_class("track", ["track.example.com"]))
    assert error.argument == "args" and "dict" in str(error)
    assert registered == []


def test_a_program_error_propagates_out_of_the_offline_run(run_program):
    def program():
        _Demo("track", {"domains": ["*.example.com"]})

    with pytest.raises(InvalidArgument, match=r"^domains\[0\]: "):
        run_program(program)


def test_ttl_zero_is_allowed_with_a_warning(run_program):
    run = run_program(lambda: _Demo("track", {"domains": ["track.example.com"], "cache_ttl_seconds": 0}))
    assert any("cache_ttl_seconds=0" in warning for warning in run.warnings)


# --- stack program ------------------------------------------------------------------------------


def test_stack_config_values_become_typed_arguments():
    config_values = {
        "tracking-cdn:domains": '["track.example.com"]',
        "tracking-cdn:esp": "sendgrid",
        "tracking-cdn:tenant": "123",
        "tracking-cdn:cacheTtlSeconds": "30",
        "tracking-cdn:redirectHttpToHttps": "true",
    }
    seen = {}

    def program():
        seen.update(args_from_config(pulumi.Config(), TrackingDomainArgs))

    run_offline(program, config=config_values)
    assert seen == {
        "domains": ["track.example.com"],
        "esp": "sendgrid",
        "tenant": "123",  # string-typed: kept verbatim, not parsed as a number
        "cache_ttl_seconds": 30,
        "redirect_http_to_https": True,
    }


def test_an_unknown_front_door_is_refused_with_the_choices():
    with pytest.raises(InvalidArgument) as error:
        load_front_door("akamai")
    assert error.value.argument == "frontDoor"
    assert all(kind in str(error.value) for kind in FRONT_DOORS)


def front_door_of(path) -> str:
    return yaml.safe_load(path.read_text())["config"]["tracking-cdn:frontDoor"]


FRONT_DOOR_STACK_FILES = [path for path in STACK_FILES if front_door_of(path) in FRONT_DOORS]
"""The example stacks of one front door each (not ``none``, nor platform mode's: tests/test_platform_stack.py)."""


def test_there_is_an_example_stack_for_every_front_door():
    configured = {front_door_of(path) for path in STACK_FILES}
    assert set(FRONT_DOORS) <= configured


@pytest.mark.parametrize("path", FRONT_DOOR_STACK_FILES, ids=stack_name)
def test_every_example_stack_runs_offline_and_lists_its_dns_records(path):
    run = run_stack(stack_name(path))
    kind = FRONT_DOORS[run.stack_outputs["frontDoor"]]
    component = run.one(f"tracking-cdn:index:{kind.component}")
    children = [r for r in run.resources if r.parent == component.urn]
    assert children, "the front door registers its resources as children"
    records = run.stack_outputs["dnsRecords"]
    assert records and all(r["purpose"] in (ROUTE, VALIDATION) for r in records)
    assert run.stack_outputs["originHost"]


@pytest.mark.parametrize("path", STACK_FILES, ids=stack_name)
def test_no_example_stack_warns_about_its_own_settings(path):
    """A shipped stack is one to copy: none sets off the project's own warnings (sparkpost-example gave
    'hosted_zone_id without hosted_zone_name'). Only a missing SparkPost or KeyCDN API key is expected:
    the files say to set it outside them, with SPARKPOST_API_KEY / KEYCDN_API_KEY or as a secret."""
    warnings = run_stack(stack_name(path)).warnings
    missing_key = ("no SparkPost API key for ", "no KeyCDN API key for ")
    assert [warning for warning in warnings if not warning.startswith(missing_key)] == []


# --- plan ---------------------------------------------------------------------------------------


def test_without_a_front_door_the_stack_manages_only_sparkposts_managed_certificate_domains():
    (path,) = [path for path in STACK_FILES if front_door_of(path) == NO_FRONT_DOOR]
    run = run_stack(stack_name(path))
    (domain,) = run.resources
    assert domain.type == "pulumi-python:dynamic:Resource" and domain.inputs["managed_certificate"] is True
    assert domain.protect, "the tracking domain serves live links"
    assert run.stack_outputs["dnsRecords"] == [
        {"name": "track.example.com", "type": "CNAME", "value": "v2.spgo.io", "purpose": ROUTE}
    ]
    assert set(run.stack_outputs["sparkpostPending"]) == {"track.example.com"}


@pytest.mark.parametrize("path", FRONT_DOOR_STACK_FILES, ids=stack_name)
def test_plan_says_it_is_offline_and_shows_resources_and_dns(path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", stack_name(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OFFLINE RENDERING - not a cloud preview")
    assert "DNS records the tracking domains need" in out
    assert "+ tracking-cdn:index:" in out


def test_plan_counts_its_resources_in_words(capsys, monkeypatch):
    """One resource is "1 resource", not "1 resources" (the SparkPost-managed stack has one)."""
    monkeypatch.chdir(REPO)
    counts = {}
    for name in ("sparkpost-managed-example", "cloudfront-example"):
        assert cli.main(["plan", "--stack", name]) == 0
        counts[name] = re.search(r"would create (\d+ \w+):", capsys.readouterr().out)[1]
    assert counts["sparkpost-managed-example"] == "1 resource"
    assert re.fullmatch(r"\d+ resources", counts["cloudfront-example"])


def test_plan_json_is_machine_readable(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    name = stack_name(STACK_FILES[0])
    assert cli.main(["plan", "--stack", name, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["offline"] is True and document["resources"] and "dnsRecords" in document["outputs"]


def test_plan_of_a_missing_stack_lists_the_available_ones(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "nope"]) == 2
    err = capsys.readouterr().err
    assert "--stack" in err and stack_name(STACK_FILES[0]) in err


def test_plan_reports_bad_stack_config_without_a_traceback(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: tracking-cdn\nruntime: python\n")
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  tracking-cdn:frontDoor: cloudfront\n  tracking-cdn:domains: ['*.example.com']\n"
    )
    assert cli.main(["plan", "--stack", "bad", "--project-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "domains[0]" in err and "wildcard" in err and "Traceback" not in err


# --- imports ------------------------------------------------------------------------------------


def _loaded_modules(code: str) -> set[str]:
    script = code + "\nimport sys, json; print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    return set(json.loads(output.splitlines()[-1]))


def test_the_package_and_cli_load_no_pulumi_sdk():
    loaded = _loaded_modules("import tracking_cdn, tracking_cdn.cli; tracking_cdn.cli.build_parser()")
    assert not {m for m in loaded if m.startswith("pulumi")}


@pytest.mark.parametrize("kind", FRONT_DOORS)
def test_a_front_door_module_loads_only_its_own_provider_sdk(kind):
    loaded = _loaded_modules(f"import {FRONT_DOORS[kind].module}")
    assert loaded & CLOUD_SDKS == {SDK_OF_FRONT_DOOR[kind]} - {None}


# --- publishable shape (the schema itself: tests/test_component_package.py) --------------------------


def test_components_use_the_tracking_cdn_type_token(run_program):
    run = run_program(lambda: _Demo("track", {"domains": ["track.example.com"]}))
    assert run.resources[0].type == "tracking-cdn:index:_Demo"
