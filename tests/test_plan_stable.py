"""`tracking-cdn plan` is a pure function of its input: the same project and stack files give the same
bytes, text and JSON, so a plan can be kept in review and diffed (and `plan --against` compares two
of them). The JSON keeps the shape docs/development.md documents, and never shows a secret."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest
from conftest import REPO, STACK_FILES, stack_name

from tracking_cdn import cli
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import PLAN_FORMAT, SECRET_PLACEHOLDER, render_json

RESOURCE_FIELDS = {
    "urn", "type", "name", "parent", "custom", "protect", "deleteBeforeReplace", "provider", "aliases",
    "dependencies", "propertyDependencies", "ignoreChanges", "inputs",
}
SECRET_WRAPPER = "4dabf18193072939515e22adb298388d"  # Pulumi's wire signature key for secrets

RENDER_ALL = """
import sys
from tracking_cdn import cli
for stack in sys.argv[1:]:
    for flags in ([], ["--json"]):
        cli.main(["plan", "--stack", stack, *flags])
"""


def plans_in_fresh_interpreters(hash_seeds: tuple[int, ...]) -> list[str]:
    """Every example stack's text and JSON plan, printed by one interpreter per hash seed (the order
    of sets, and of dicts built from them, differs between them), run side by side."""
    names = [stack_name(path) for path in STACK_FILES]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RENDER_ALL, *names],
            cwd=REPO, env={**os.environ, "PYTHONHASHSEED": str(seed)}, stdout=subprocess.PIPE, text=True,
        )
        for seed in hash_seeds
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs)
    return outputs


def test_three_runs_of_every_example_stack_give_identical_bytes():
    first, second, third = plans_in_fresh_interpreters((1, 2, 3))
    assert first.count("To deploy for real:") == first.count('"format": 1') == len(STACK_FILES), "every plan was rendered"
    assert first == second == third


@pytest.mark.parametrize("path", STACK_FILES, ids=stack_name)
def test_repeated_runs_in_one_process_give_identical_bytes(path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    outputs = []
    for _ in range(3):
        for flags in ([], ["--json"]):
            assert cli.main(["plan", "--stack", stack_name(path), *flags]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]


def plan_document(stack: str, capsys, monkeypatch) -> tuple[str, dict]:
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", stack, "--json"]) == 0
    text = capsys.readouterr().out
    return text, json.loads(text)


@pytest.mark.parametrize("path", STACK_FILES, ids=stack_name)
def test_the_json_plan_has_the_documented_shape(path, capsys, monkeypatch):
    text, document = plan_document(stack_name(path), capsys, monkeypatch)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "keys sorted"
    assert document["format"] == PLAN_FORMAT and document["offline"] is True
    assert (document["project"], document["stack"]) == ("tracking-cdn", stack_name(path))
    resources = document["resources"]
    seen: set[str] = set()
    for resource in resources:
        assert set(resource) == RESOURCE_FIELDS
        assert resource["parent"] in seen or resource["parent"].endswith("::pulumi:pulumi:Stack::tracking-cdn-" + stack_name(path)), \
            "parents come before their children"
        seen.add(resource["urn"])
        assert resource["dependencies"] == sorted(resource["dependencies"])
        for urns in resource["propertyDependencies"].values():
            assert urns == sorted(urns) and set(urns) <= set(resource["dependencies"])
    assert len(seen) == len(resources), "URNs are unique"
    assert document["warnings"] == sorted(document["warnings"])
    assert document["outputs"]["dnsRecords"]


def test_an_input_from_another_resource_records_its_property_dependency(capsys, monkeypatch):
    """What `plan --against` needs to tell which inputs become unknown when a resource is replaced."""
    _, document = plan_document("cloudfront-example", capsys, monkeypatch)
    by_name = {resource["name"]: resource for resource in document["resources"]}
    distribution, cache_policy = by_name["tracking-distribution"], by_name["tracking-cache"]
    assert distribution["propertyDependencies"]["defaultCacheBehavior"] == [cache_policy["urn"]]
    assert distribution["protect"] is True and distribution["custom"] is True


def test_aliases_reach_the_registration_and_the_plan():
    def program():
        pulumi.CustomResource("test:index:Thing", "new-name", {}, opts=pulumi.ResourceOptions(
            aliases=[pulumi.Alias(name="old-name"), "urn:pulumi:offline::tracking-cdn::test:index:Thing::older"]))

    run = run_offline(program)
    thing = run.one("test:index:Thing")
    assert {"spec": {"name": "old-name", "parentUrn": ""}} in thing.aliases
    assert {"urn": "urn:pulumi:offline::tracking-cdn::test:index:Thing::older"} in thing.aliases
    (planned,) = json.loads(render_json(run, "offline"))["resources"]
    assert planned["aliases"] == sorted(thing.aliases, key=lambda alias: json.dumps(alias, sort_keys=True))


def test_urns_are_the_ones_the_pulumi_engine_gives():
    """Top-level resources carry no root-stack type; children carry their parent's whole type chain."""

    class Outer(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("test:index:Outer", name)
            inner = pulumi.ComponentResource("test:index:Inner", f"{name}-inner", opts=pulumi.ResourceOptions(parent=self))
            pulumi.CustomResource("test:index:Leaf", f"{name}-leaf", {}, opts=pulumi.ResourceOptions(parent=inner))

    run = run_offline(lambda: Outer("o"), stack="dev")
    assert run.one("test:index:Outer").urn == "urn:pulumi:dev::tracking-cdn::test:index:Outer::o"
    assert run.one("test:index:Leaf").urn == "urn:pulumi:dev::tracking-cdn::test:index:Outer$test:index:Inner$test:index:Leaf::o-leaf"


def test_plan_leaves_no_event_loop_open_at_exit(tmp_path):
    """An event loop left open is finalised at interpreter exit, in an order that sometimes closes its
    socket first: `Exception ignored in: BaseEventLoop.__del__ ... Invalid file descriptor: -1` on
    stderr, about one run in ten. Python's ResourceWarning reports every loop left open, every run:
    here, on a Cloudflare stack whose data-source lookup and deep name (a certificate pack) once did."""
    import yaml

    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.cloudflare-example.yaml").read_text())
    config = document["config"]
    config["tracking-cdn:esp"] = "sendgrid"
    config["tracking-cdn:domains"] = [*config["tracking-cdn:domains"], "ablink.m.example.com"]
    (tmp_path / "stacks" / "Pulumi.deep.yaml").write_text(yaml.safe_dump(document))
    command = Path(sys.executable).parent / "tracking-cdn"
    done = subprocess.run(
        [command, "plan", "--stack", "deep"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "always::ResourceWarning"},
    )
    assert done.returncode == 0 and "certificate-ablink.m.example.com" in done.stdout
    assert done.stderr == ""


# --- secrets ----------------------------------------------------------------------------------------


def secret_project(tmp_path: Path, api_key_yaml: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (tmp_path / "stacks").mkdir()
    stack = (REPO / "stacks" / "Pulumi.sparkpost-example.yaml").read_text()
    (tmp_path / "stacks" / "Pulumi.secret.yaml").write_text(stack + f"  tracking-cdn:sparkpostApiKey: {api_key_yaml}\n")
    return tmp_path


@pytest.mark.parametrize("flags", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize(
    "api_key_yaml", ["plain-text-key-1234", "\n    secure: v1:ENCRYPTEDciphertext=="], ids=["plain-text", "encrypted"]
)
def test_every_secret_renders_as_a_placeholder(tmp_path, capsys, flags, api_key_yaml):
    project = secret_project(tmp_path, api_key_yaml)
    assert cli.main(["plan", "--stack", "secret", "--project-dir", str(project), *flags]) == 0
    out = capsys.readouterr().out
    assert SECRET_PLACEHOLDER in out
    for leaked in ("plain-text-key-1234", "ENCRYPTEDciphertext", SECRET_WRAPPER):
        assert leaked not in out


def test_a_plain_text_secret_in_the_stack_file_is_pointed_out(tmp_path, capsys):
    project = secret_project(tmp_path, "plain-text-key-1234")
    assert cli.main(["plan", "--stack", "secret", "--project-dir", str(project)]) == 0
    assert "tracking-cdn:sparkpostApiKey is in plain text" in capsys.readouterr().out


@pytest.mark.parametrize("flags", [[], ["--json"]], ids=["text", "json"])
def test_the_plain_text_secret_warning_gives_the_same_bytes_from_any_working_directory(tmp_path, capsys, monkeypatch, flags):
    project = secret_project(tmp_path / "project", "plain-text-key-1234")
    outputs = []
    for cwd in (project, project / "stacks", Path("/")):
        monkeypatch.chdir(cwd)
        assert cli.main(["plan", "--stack", "secret", "--project-dir", str(project), *flags]) == 0
        outputs.append(capsys.readouterr().out)
    assert "is in plain text in stacks/Pulumi.secret.yaml:" in outputs[0]
    assert outputs[0] == outputs[1] == outputs[2]


def test_sparkpost_verification_renders_as_known_after_up_not_as_no_domain(capsys, monkeypatch):
    _, document = plan_document("sparkpost-example", capsys, monkeypatch)
    verified = document["outputs"]["sparkpostVerified"]
    assert list(verified) == ["track.example.com"]
    assert "pulumi up" in verified["track.example.com"]
