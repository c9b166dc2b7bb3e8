"""The components inside someone else's program, as its engineers use them.

``examples/own-program`` is an integrator's project: its own ``Pulumi.yaml`` (project ``acme-mail``),
its own resources and data source next to a CloudFront and a GCP front door on explicit providers, and
its own unit tests (with plain Pulumi mocks and with ``tracking_cdn.testing``). Each test works on a
copy of it in a scratch directory, with tracking-cdn importable as after ``pip install``.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from tracking_cdn import cli
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import render_json
from tracking_cdn.stack import main as stack_program

EXAMPLE = REPO / "examples" / "own-program"
CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the integrator's project (its sources only)."""
    copy = tmp_path / "acme-mail"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return copy


def plan(*argv: str, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = cli.main(["plan", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_projects_own_unit_tests_pass(project: Path):
    """Their suite, as they run it (``python -m pytest`` in the project): plain Pulumi mocks and the toolkit.
    Before: under plain mocks the CloudFront front door raised 'ACM returned no DNS validation option'."""
    environment = {**os.environ, "PYTHONPATH": str(REPO / "components")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                          env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    written = sum(len(re.findall(r"^def test_", path.read_text(), re.M)) for path in project.glob("test_*.py"))
    assert f"{written} passed" in done.stdout, done.stdout
    assert "warning" not in done.stdout.lower(), "the SDKs' deprecation notices are filtered, as the docs say"


def test_plan_renders_their_program_with_their_resources(project: Path, capsys):
    """Before: `plan` ran tracking-cdn's stack program, which refused the stack (no acme-mail:frontDoor)."""
    code, text, err = plan("--cwd", str(project), "--stack", "dev", "--call-results",
                           str(project / "call-results.yaml"), capsys=capsys)
    assert (code, err) == (0, "")
    assert "+ aws:s3/bucket:Bucket  mail-logs\n    bucket: acme-mail-logs-123456789012" in text, "their data source answered"
    assert "+ pulumi:providers:aws  edge" in text and "+ pulumi:providers:gcp  marketing" in text
    assert "+ aws:cloudfront/distribution:Distribution  links-distribution [protected]" in text
    assert re.search(r"click\.links\.example\.com +ALIAS +<links-distribution>\.cloudfront\.net +\(route\)", text)
    assert re.search(r"promo\.example\.org +A +<IPv4 address of promo-ipv4> +\(route\)", text)
    assert "Config: the 4 acme-mail:* key(s) are your program's own" in text
    assert '  routeTargets: {"click.links.example.com": "<links-distribution>.cloudfront.net"' in text


def test_plan_in_the_project_directory_is_the_same_as_with_cwd_below_it(project: Path, capsys, monkeypatch):
    below = project / "notes"
    below.mkdir()
    results = str(project / "call-results.yaml")
    _, with_cwd, _ = plan("--cwd", str(below), "--stack", "dev", "--call-results", results, capsys=capsys)
    monkeypatch.chdir(project)
    code, inside, err = plan("--stack", "dev", "--call-results", "call-results.yaml", capsys=capsys)
    assert (code, err) == (0, "") and inside == with_cwd


def test_plan_against_diffs_their_program(project: Path, capsys):
    common = ["--cwd", str(project), "--stack", "dev", "--call-results", str(project / "call-results.yaml")]
    code, before, _ = plan(*common, "--json", capsys=capsys)
    assert code == 0 and json.loads(before)["project"] == "acme-mail"
    (project / "before.json").write_text(before)
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("    - click.links.example.com\n",
                                               "    - click.links.example.com\n    - open.links.example.com\n"))
    code, text, err = plan(*common, "--against", str(project / "before.json"), capsys=capsys)
    assert (code, err) == (0, "")
    assert "+  aws:route53/record:Record  links-a-open.links.example.com" in text
    assert '~  aws:cloudfront/distribution:Distribution  links-distribution\n        aliases: + "open.links.example.com"' in text
    assert "aws:s3/bucket:Bucket" not in text, "their unchanged bucket is unchanged"


def test_a_data_source_nothing_answers_is_refused_in_one_line_naming_its_token(project: Path, capsys):
    code, out, err = plan("--cwd", str(project), "--stack", "dev", capsys=capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and f"the data source {CALLER_IDENTITY} has no offline result" in err
    assert "--call-results FILE" in err


@pytest.mark.parametrize("content, words", [
    ("- just a list\n", "expected a mapping of data-source tokens to outputs"),
    ("getCallerIdentity: {accountId: '1'}\n", "'getCallerIdentity' is not a data-source token"),
    (f"{CALLER_IDENTITY}: 123456789012\n", "expected the data source's outputs as a mapping"),
    (f"{CALLER_IDENTITY}: {{accountId: [\n", "invalid YAML"),
])
def test_a_call_results_file_it_cannot_use_is_refused_in_one_line(project: Path, capsys, content, words):
    (project / "call-results.yaml").write_text(content)
    code, out, err = plan("--cwd", str(project), "--stack", "dev", "--call-results", str(project / "call-results.yaml"),
                          capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith("tracking-cdn plan: error: --call-results: ")
    assert err.count("\n") == 1 and words in err


def test_their_own_keys_are_theirs_and_a_tracking_cdn_key_nothing_reads_is_pointed_out(project: Path, capsys):
    """Before: tracking-cdn's stack program ran and refused acme-mail:* keys it did not know."""
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "  acme-mail:costCentre: mail-42\n  tracking-cdn:esp: sendgrid\n")
    code, text, err = plan("--cwd", str(project), "--stack", "dev", "--call-results", str(project / "call-results.yaml"),
                           capsys=capsys)
    assert (code, err) == (0, "")
    assert "Config: the 5 acme-mail:* key(s) are your program's own" in text
    assert "tracking-cdn:esp in Pulumi.dev.yaml is read by nothing" in text
    assert "acme-mail:costCentre" not in text


def test_a_plain_text_api_key_that_the_components_read_is_pointed_out(project: Path, capsys):
    """SparkPostTrackingDomain reads <project>:sparkpostApiKey, so that key of theirs is tracking-cdn's concern."""
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "  acme-mail:sparkpostApiKey: plain-text-key\n")
    code, text, _ = plan("--cwd", str(project), "--stack", "dev", "--call-results", str(project / "call-results.yaml"),
                         capsys=capsys)
    assert code == 0 and "acme-mail:sparkpostApiKey is in plain text in Pulumi.dev.yaml" in text


def test_the_program_pulumi_yaml_names_with_main_is_the_one_planned(project: Path, capsys):
    source = project / "src"
    source.mkdir()
    for name in ("__main__.py", "infra.py"):
        (project / name).rename(source / name)
    (project / "Pulumi.yaml").write_text((project / "Pulumi.yaml").read_text() + "main: src\n")
    code, text, err = plan("--cwd", str(project), "--stack", "dev", "--call-results", str(project / "call-results.yaml"),
                           capsys=capsys)
    assert (code, err) == (0, "") and "+ aws:s3/bucket:Bucket  mail-logs" in text


@pytest.mark.parametrize("project_yaml, words", [
    ("name: acme-mail\nruntime: nodejs\n", "runtime 'nodejs': tracking-cdn plan runs Python programs only"),
    ("name: acme-mail\nruntime: python\nmain: src/\n", "main: 'src/' names no program"),
])
def test_a_program_it_cannot_run_is_refused_in_one_line(project: Path, capsys, project_yaml, words):
    (project / "Pulumi.yaml").write_text(project_yaml)
    code, out, err = plan("--cwd", str(project), "--stack", "dev", capsys=capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1 and words in err


@pytest.mark.parametrize("extra, words", [
    (["--cwd", "/nonexistent"], "--cwd: /nonexistent is not a directory"),
    (["--cwd", ".", "--project-dir", "."], "--cwd and --project-dir both say where the project is"),
])
def test_cwd_mistakes_are_refused_in_one_line(capsys, extra, words):
    code, out, err = plan("--stack", "dev", *extra, capsys=capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1 and words in err


@pytest.mark.parametrize("stack", ["cloudfront-example", "sparkpost-example"])
def test_our_own_project_plans_its_stack_program_as_before(stack, capsys, monkeypatch):
    """The shipped project's __main__.py is the program now planned: the same plan as the stack program."""
    monkeypatch.chdir(REPO)
    code, document, err = plan("--stack", stack, "--json", capsys=capsys)
    assert (code, err) == (0, "")
    from tracking_cdn.plan import read_stack_file, stack_config

    config, secret_keys = stack_config(read_stack_file(REPO / "stacks" / f"Pulumi.{stack}.yaml"))
    direct = run_offline(stack_program, config=config, secret_keys=secret_keys, project="tracking-cdn", stack=stack)
    assert json.loads(document) == json.loads(render_json(direct, stack))
