"""The public testing toolkit, ``tracking_cdn.testing``: an integrator's own mocks and data sources next
to tracking-cdn's simulated cloud, and programs given as files as the Pulumi CLI runs them.

The fixtures (``offline_run``, ``simulated_cloud``, ``tracking_cdn_mocks``, ``tracking_cdn_calls``) are
used by the integrator's suite of examples/own-program, which tests/test_own_program.py runs.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi
import pytest

from tracking_cdn.testing import WARNINGS_FILTER, SimulatedCloud, UnsimulatedCall, run_offline

CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"


class TheirMocks(pulumi.runtime.Mocks):
    """An integrator's mocks: their own types get their own ids and outputs."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def new_resource(self, args):
        self.seen.append(args.typ)
        return f"their-{args.name}", {**args.inputs, "arn": f"arn:aws:s3:::{args.name}"}

    def call(self, args):
        if args.token == CALLER_IDENTITY:
            return {"accountId": "111111111111", "arn": "arn:aws:iam::111111111111:root", "userId": "u"}
        return {}


def program_with_their_resources() -> None:
    import pulumi_aws as aws

    from tracking_cdn.aws import CloudFrontTrackingDomain

    me = aws.get_caller_identity_output()
    aws.s3.Bucket("logs", bucket=me.account_id.apply(lambda account: f"logs-{account}"))
    CloudFrontTrackingDomain("track", {"domains": ["track.example.com"]})


def test_their_own_types_go_to_their_mocks_and_ours_are_simulated():
    mocks = TheirMocks()
    run = run_offline(program_with_their_resources, mocks=mocks)
    bucket = run.one("aws:s3/bucket:Bucket")
    assert (bucket.id, bucket.outputs["arn"], bucket.inputs["bucket"]) == ("their-logs", "arn:aws:s3:::logs", "logs-111111111111")
    assert mocks.seen == ["aws:s3/bucket:Bucket"], "only the types tracking-cdn does not simulate"
    assert run.one("aws:cloudfront/distribution:Distribution").outputs["domainName"].endswith(".cloudfront.net")
    assert run.named("track").outputs["route_targets"] == {"track.example.com": "<track-distribution>.cloudfront.net"}


def test_a_data_source_is_answered_by_call_results_without_mocks():
    """Before: UnsimulatedCall for getCallerIdentity, with no way to answer it."""
    run = run_offline(program_with_their_resources, calls={CALLER_IDENTITY: {"accountId": "222222222222"}})
    assert run.one("aws:s3/bucket:Bucket").inputs["bucket"] == "logs-222222222222"
    assert run.invokes == [CALLER_IDENTITY]


def test_call_results_come_first_then_tracking_cdns_lookups_then_their_mocks():
    class ZoneMocks(TheirMocks):
        def call(self, args):
            return {"id": "from-their-mocks"} if args.token == "cloudflare:index/getZone:getZone" else super().call(args)

    def program():
        from tracking_cdn.cloudflare import CloudflareTrackingDomain

        CloudflareTrackingDomain("t", {"domains": ["track.example.com"], "zone_name": "example.com"})

    zone_of = lambda run: run.named("t").outputs["zone_id"]  # noqa: E731
    assert zone_of(run_offline(program, mocks=ZoneMocks())) == "<zone id of example.com>"
    answered = {"cloudflare:index/getZone:getZone": lambda args: {"id": f"zone-{args['filter']['name']}"}}
    assert zone_of(run_offline(program, mocks=ZoneMocks(), calls=answered)) == "zone-example.com"


def test_an_unanswered_data_source_names_its_token_and_how_to_answer_it():
    with pytest.raises(UnsimulatedCall) as refused:
        run_offline(program_with_their_resources)
    assert refused.value.token == CALLER_IDENTITY
    assert f"calls={{{CALLER_IDENTITY!r}: {{...its outputs, camelCase...}}}} (run_offline" in str(refused.value)
    assert "--call-results" in str(refused.value)


def test_their_dynamic_resources_go_to_their_mocks():
    class Echo(pulumi.dynamic.ResourceProvider):
        def create(self, props):
            return pulumi.dynamic.CreateResult("x", props)

    class Theirs(pulumi.dynamic.Resource):
        def __init__(self, name):
            super().__init__(Echo(), name, {"domain": "a.example.com", "note": None})

    mocks = TheirMocks()
    run = run_offline(lambda: Theirs("mine"), mocks=mocks)
    assert run.named("mine").id == "their-mine"
    assert mocks.seen == ["pulumi-python:dynamic:Resource"]


def test_pulumis_own_test_style_with_the_simulated_cloud():
    pulumi.runtime.set_mocks(SimulatedCloud(TheirMocks()), preview=False)
    seen = {}

    @pulumi.runtime.test
    def check():
        from tracking_cdn.gcp import GcpLoadBalancerTrackingDomain

        front_door = GcpLoadBalancerTrackingDomain("links", {"domains": ["links.example.org"]})
        return front_door.route_targets.apply(seen.update)

    check()
    assert seen == {"links.example.org": "<IPv4 address of links-ipv4>"}


# --- programs given by path -----------------------------------------------------------------------------


def write_project(root: Path, main: str = "") -> Path:
    """A user's project: ``__main__.py`` importing its own module ``infra``, which reads a config file
    relative to the working directory, as a program run by the Pulumi CLI may."""
    program = root / main if main else root
    program.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(f"name: acme\nruntime: python\n{f'main: {main}' if main else ''}\n")
    (program / "__main__.py").write_text("import infra\n")
    (program / "domains.txt").write_text("track.example.com\n")
    (program / "infra.py").write_text(textwrap.dedent("""\
        import pathlib
        import pulumi
        from tracking_cdn.fastly import FastlyTrackingDomain

        domains = pathlib.Path("domains.txt").read_text().split()
        front_door = FastlyTrackingDomain("links", {"domains": domains})
        pulumi.export("targets", front_door.route_targets)
        pulumi.export("environment", pulumi.Config().get("environment"))
    """))
    return program


@pytest.mark.parametrize("main", ["", "src"], ids=["__main__.py", "main: src"])
def test_a_project_directory_runs_as_the_pulumi_cli_runs_it(tmp_path, main):
    """Before: run_offline took only a function (a __main__.py needed runpy)."""
    write_project(tmp_path, main)
    run = run_offline(tmp_path, config={"acme:environment": "dev"})
    assert run.stack_outputs["environment"] == "dev", "the project's name is the config namespace"
    assert run.stack_outputs["targets"] == {"track.example.com": "<tls-configuration>.sni.global.fastly.net"}
    assert "acme:environment" in run.config_read


def test_a_program_file_runs_and_each_run_imports_its_modules_afresh(tmp_path):
    program = write_project(tmp_path)
    before = set(sys.modules)
    first = run_offline(program / "__main__.py")
    second = run_offline(program / "__main__.py")
    assert [r.urn for r in first.resources] == [r.urn for r in second.resources] != []
    assert "infra" not in sys.modules and "infra" not in before


def test_a_module_the_test_imported_first_is_run_again_and_then_put_back(tmp_path, monkeypatch):
    program = write_project(tmp_path)
    monkeypatch.chdir(program)
    sys.path.insert(0, str(program))
    try:
        pulumi.runtime.set_mocks(SimulatedCloud(), preview=False)
        import infra  # noqa: F401  (as a test of the Pulumi guide does, under its own mocks)

        held = sys.modules["infra"]
        run = run_offline(program)
        assert run.of_type("tracking-cdn:index:FastlyTrackingDomain"), "the program's own import ran again"
        assert sys.modules["infra"] is held
    finally:
        sys.path.remove(str(program))
        sys.modules.pop("infra", None)


def test_a_virtualenv_inside_the_project_is_not_imported_afresh(tmp_path):
    """Pulumi keeps a project's virtualenv in the project directory: its packages stay imported."""
    program = write_project(tmp_path)
    package = program / "venv" / "lib" / "site"
    package.mkdir(parents=True)
    (package / "acme_helpers.py").write_text("VALUE = 1\n")
    (program / "__main__.py").write_text("import acme_helpers\nimport infra\n")
    sys.path.append(str(package))
    try:
        import acme_helpers

        run_offline(program)
        assert sys.modules["acme_helpers"] is acme_helpers
    finally:
        sys.path.remove(str(package))
        sys.modules.pop("acme_helpers", None)


def test_the_config_keys_a_program_asks_for_are_recorded(run_program):
    def program():
        pulumi.Config("acme").get("asked")
        pulumi.Config("acme").get("missing")

    run = run_program(program, config={"acme:asked": "1", "acme:ignored": "2"})
    assert {"acme:asked", "acme:missing"} <= set(run.config_read)
    assert "acme:ignored" not in run.config_read


def test_the_testing_module_imports_no_cloud_sdk():
    code = "import sys, tracking_cdn.testing; print(sorted(m for m in sys.modules if m.startswith('pulumi_')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_the_warnings_filter_is_the_one_this_suite_uses():
    import tomllib

    from conftest import REPO

    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert options["filterwarnings"] == [WARNINGS_FILTER]
