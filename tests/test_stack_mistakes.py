"""A new user's mistakes, in stack files and on the command line, each refused the same way:
`tracking-cdn plan` exits 2 with one line on stderr that names the key, file or flag and shows a
valid alternative, and renders nothing. The stack program raises the same refusals under `pulumi up`,
as a RunError, which Pulumi prints without a traceback."""

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pulumi
import pytest

from tracking_cdn import cli
from tracking_cdn.offline import run_offline
from tracking_cdn.stack_config import StackConfigError
from tracking_cdn.stack import main as stack_program

PROJECT = "name: tracking-cdn\nruntime: python\nstackConfigDir: stacks\n"
BASE = {
    "aws:region": "us-west-2",
    "tracking-cdn:frontDoor": "cloudfront",
    "tracking-cdn:domains": "[track.example.com]",
}


def stack_file(**changes: Optional[str]) -> str:
    """The base CloudFront stack file with keys set (YAML text) or removed (None). Keyword names
    stand for config keys: ``tc_`` is ``tracking-cdn:``, ``bare_`` a key without a namespace."""
    config = dict(BASE)
    for name, value in changes.items():
        key = name.replace("tc_", "tracking-cdn:").replace("bare_", "")
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return "config:\n" + "".join(f"  {key}: {value}\n" for key, value in config.items())


@dataclass(frozen=True)
class Mistake:
    id: str
    named: str
    """What the one-line message must name: the key, file or flag."""
    alternative: str
    """A valid alternative the message must show."""
    stack: Optional[str] = None
    """The text of stacks/Pulumi.mistake.yaml (None: the base stack file)."""
    argv: list[str] = field(default_factory=lambda: ["plan", "--stack", "mistake"])
    project: str = PROJECT
    """The text of Pulumi.yaml."""


MISTAKES = [
    # --- keys nothing reads ---------------------------------------------------------------------
    Mistake("key-case", "tracking-cdn:hostedZoneID", "tracking-cdn:hostedZoneId", stack_file(tc_hostedZoneID="Z123")),
    Mistake("key-acronym", "tracking-cdn:cacheTTLSeconds", "tracking-cdn:cacheTtlSeconds", stack_file(tc_cacheTTLSeconds="60")),
    Mistake("key-snake-case", "tracking-cdn:hosted_zone_id", "tracking-cdn:hostedZoneId", stack_file(tc_hosted_zone_id="Z123")),
    Mistake("key-typo", "tracking-cdn:redirectHttpToHtps", "tracking-cdn:redirectHttpToHttps",
            stack_file(tc_redirectHttpToHtps="true")),
    Mistake("key-of-another-front-door", "tracking-cdn:managedZone", "hostedZoneId", stack_file(tc_managedZone="example-com")),
    Mistake("key-unknown", "tracking-cdn:colour", "domains", stack_file(tc_colour="blue")),
    Mistake("sparkpost-subkey", "tracking-cdn:sparkpost.secur", "secure", stack_file(tc_sparkpost="{secur: true}")),
    # --- frontDoor ------------------------------------------------------------------------------
    Mistake("front-door-missing", "tracking-cdn:frontDoor", "cloudfront", stack_file(**{"tc_frontDoor": None})),
    Mistake("front-door-key-misspelt", "tracking-cdn:frontdoor", "tracking-cdn:frontDoor",
            stack_file(tc_frontDoor=None, tc_frontdoor="cloudfront")),
    Mistake("front-door-value-misspelt", "tracking-cdn:frontDoor", "did you mean cloudfront", stack_file(tc_frontDoor="cloudfrnt")),
    Mistake("front-door-unknown", "tracking-cdn:frontDoor", "fastly", stack_file(tc_frontDoor="akamai")),
    # --- namespaces -------------------------------------------------------------------------------
    Mistake("key-without-namespace", "'domains'", "tracking-cdn:domains",
            stack_file(tc_domains=None, bare_domains="[track.example.com]")),
    Mistake("front-door-without-namespace", "'frontDoor'", "tracking-cdn:frontDoor",
            stack_file(tc_frontDoor=None, bare_frontDoor="cloudfront")),
    Mistake("project-renamed", "tracking-cdn:frontDoor", "my-tracking:frontDoor", stack_file(),
            project=PROJECT.replace("tracking-cdn", "my-tracking")),
    Mistake("project-renamed-key-left-behind", "tracking-cdn:domains", "my-tracking:domains",
            "config:\n  my-tracking:frontDoor: cloudfront\n  tracking-cdn:domains: [track.example.com]\n",
            project=PROJECT.replace("tracking-cdn", "my-tracking")),
    # --- values: types from the argument annotations ----------------------------------------------
    Mistake("domains-not-a-list", "tracking-cdn:domains", "a list of domain names", stack_file(tc_domains="track.example.com")),
    Mistake("domains-empty-value", "tracking-cdn:domains", "a list of domain names", stack_file(tc_domains="")),
    Mistake("domains-missing", "tracking-cdn:domains", "required: a list of domain names", stack_file(tc_domains=None)),
    Mistake("domains-empty-list", "tracking-cdn:domains", "track.example.com", stack_file(tc_domains="[]")),
    Mistake("domain-wildcard", "tracking-cdn:domains[0]", "track.example.com", stack_file(tc_domains="['*.example.com']")),
    Mistake("domain-apex", "tracking-cdn:domains[0]", "track.example.com", stack_file(tc_domains="[example.com]")),
    Mistake("ttl-with-unit", "tracking-cdn:cacheTtlSeconds", "whole number of seconds", stack_file(tc_cacheTtlSeconds="10s")),
    Mistake("ttl-fraction", "tracking-cdn:cacheTtlSeconds", "whole number of seconds", stack_file(tc_cacheTtlSeconds="2.5")),
    Mistake("ttl-out-of-range", "tracking-cdn:cacheTtlSeconds", "0..3600", stack_file(tc_cacheTtlSeconds="86400")),
    Mistake("flag-yes", "tracking-cdn:redirectHttpToHttps", "true or false", stack_file(tc_redirectHttpToHttps="yes")),
    Mistake("flag-off", "tracking-cdn:protectServingResources", "true or false", stack_file(tc_protectServingResources="off")),
    Mistake("count-in-words", "tracking-cdn:maxNamesPerCertificate", "whole number", stack_file(tc_maxNamesPerCertificate="ten")),
    Mistake("zone-empty", "tracking-cdn:hostedZoneId", "Z0123456789ABC", stack_file(tc_hostedZoneId="''")),
    # A list or object where text is expected: the Pulumi CLI hands it over as JSON text, never a zone id.
    Mistake("text-given-a-list", "tracking-cdn:hostedZoneId", "expected text such as hostedZoneId: Z1",
            stack_file(tc_hostedZoneId="[Z1]")),
    Mistake("text-given-a-list-of-names", "tracking-cdn:hostedZoneName", "expected text such as hostedZoneName: example.com",
            stack_file(tc_hostedZoneName="[example.com]")),
    Mistake("text-given-a-list-gcp", "tracking-cdn:managedZone", "expected text such as managedZone: example-com",
            stack_file(tc_frontDoor="gcp", **{"aws:region": None}, **{"gcp:project": "p"}, tc_managedZone="[example-com]")),
    Mistake("text-given-an-object-azure", "tracking-cdn:resourceGroupName", "expected text such as resourceGroupName: x",
            stack_file(tc_frontDoor="azure", tc_resourceGroupName="{name: x}")),
    Mistake("text-given-a-list-fastly", "tracking-cdn:serviceName", "expected text such as serviceName: a",
            stack_file(tc_frontDoor="fastly", tc_serviceName="[a]")),
    Mistake("text-given-an-empty-list", "tracking-cdn:esp", "expected text", stack_file(tc_esp="[]")),
    Mistake("esp-misspelt", "tracking-cdn:esp", "sparkpost-eu", stack_file(tc_esp="sparkpst")),
    Mistake("enterprise-without-tenant", "tracking-cdn:tenant", "<tenant>.et.e.sparkpost.com",
            stack_file(tc_esp="sparkpost-enterprise")),
    Mistake("custom-without-origin", "tracking-cdn:originHost", "origin", stack_file(tc_esp="custom")),
    Mistake("origin-with-scheme", "tracking-cdn:originHost", "track.example.com", stack_file(tc_originHost="https://spgo.io/")),
    Mistake("name-not-a-name", "tracking-cdn:name", "expected text (one value, not a list)", stack_file(tc_name="[a, b]")),
    Mistake("sparkpost-not-an-object", "tracking-cdn:sparkpost", "an object", stack_file(tc_sparkpost="[secure]")),
    Mistake("sparkpost-flag-yes", "tracking-cdn:sparkpost.adoptExisting", "expected true or false, got 'yes'",
            stack_file(tc_sparkpost="{secure: true, adoptExisting: yes}")),
    Mistake("sparkpost-wait-in-words", "tracking-cdn:sparkpost.waitSeconds",
            "expected a whole number of seconds such as 10, got 'ten'", stack_file(tc_sparkpost="{waitSeconds: ten}")),
    Mistake("sparkpost-subaccount-quoted", "tracking-cdn:sparkpost.subaccount", "expected a whole number such as 10, got '12'",
            stack_file(tc_sparkpost="{subaccount: '12'}")),
    Mistake("sparkpost-region-a-list", "tracking-cdn:sparkpost.region", "expected text, got ['eu']",
            stack_file(tc_sparkpost="{region: [eu]}")),
    Mistake("api-key-without-sparkpost", "tracking-cdn:sparkpostApiKey", "add tracking-cdn:sparkpost",
            stack_file(tc_sparkpostApiKey="{secure: v1:ENCRYPTED==}")),
    Mistake("api-key-without-sparkpost-sendgrid", "tracking-cdn:sparkpostApiKey", "or remove this key",
            stack_file(tc_esp="sendgrid", tc_sparkpostApiKey="plain-text-key")),
    Mistake("sparkpost-with-sendgrid", "tracking-cdn:sparkpost", "sparkpost-eu",
            stack_file(tc_esp="sendgrid", tc_sparkpost="{secure: true}")),
    # --- frontDoor: none (SparkPost's managed certificate, no front door) ------------------------------
    Mistake("no-front-door-without-managed-certificate", "tracking-cdn:sparkpost", "managedCertificate: true",
            stack_file(tc_frontDoor="none", tc_esp="sparkpost-v2", tc_sparkpost="{secure: true}")),
    Mistake("no-front-door-with-front-door-key", "tracking-cdn:hostedZoneId", "domains",
            stack_file(tc_frontDoor="none", tc_hostedZoneId="Z123", tc_sparkpost="{managedCertificate: true}")),
    Mistake("no-front-door-on-a-v1-endpoint", "tracking-cdn:sparkpost.managedCertificate", "sparkpost-v2",
            stack_file(tc_frontDoor="none", tc_sparkpost="{managedCertificate: true}")),
    # --- the files ----------------------------------------------------------------------------------
    Mistake("stack-yaml-syntax", "stacks/Pulumi.mistake.yaml", "invalid YAML at line", stack_file() + "  tracking-cdn:esp: [sparkpost\n"),
    # Refused by the Pulumi CLI's YAML library (yaml.v3) too: PyYAML alone keeps the last value.
    Mistake("stack-duplicate-key", "stacks/Pulumi.mistake.yaml",
            'line 6, column 3: mapping key "tracking-cdn:esp" already defined at line 5',
            stack_file(tc_esp="sparkpost") + "  tracking-cdn:esp: sendgrid\n"),
    Mistake("stack-duplicate-nested-key", "stacks/Pulumi.mistake.yaml", 'mapping key "secure" already defined at line 5',
            stack_file(tc_sparkpost="{secure: true, secure: false}")),
    Mistake("project-duplicate-key", "Pulumi.yaml", 'line 4, column 1: mapping key "name" already defined at line 1',
            project=PROJECT + "name: other\n"),
    Mistake("stack-not-a-mapping", "stacks/Pulumi.mistake.yaml", "config:", "- tracking-cdn:frontDoor: cloudfront\n"),
    Mistake("config-not-a-mapping", "stacks/Pulumi.mistake.yaml", "tracking-cdn:esp: sparkpost", "config: [cloudfront]\n"),
    Mistake("project-without-name", "Pulumi.yaml", "name: tracking-cdn", project="runtime: python\nstackConfigDir: stacks\n"),
    Mistake("project-yaml-syntax", "Pulumi.yaml", "line", project="name: [tracking-cdn\n"),
    # --- the command line ---------------------------------------------------------------------------
    Mistake("stack-missing", "--stack", "--help", argv=["plan"]),
    Mistake("stack-unknown", "'nope'", "mistake", argv=["plan", "--stack", "nope"]),
    Mistake("stack-misspelt", "'mistak'", "did you mean mistake", argv=["plan", "--stack", "mistak"]),
    Mistake("stack-as-missing-path", "stacks/Pulumi.x.yaml", "stack name", argv=["plan", "--stack", "stacks/Pulumi.x.yaml"]),
    Mistake("stack-file-misnamed", "stacks/mistake.yaml", "Pulumi.<stack>.yaml", argv=["plan", "--stack", "stacks/mistake.yaml"]),
    Mistake("stack-name-with-space", "'my stack'", "cloudfront-example", argv=["plan", "--stack", "my stack"]),
    Mistake("project-dir-missing", "--project-dir", "Pulumi.yaml",
            argv=["plan", "--stack", "mistake", "--project-dir", "/nonexistent"]),
    Mistake("project-dir-a-file", "--project-dir", "Pulumi.yaml",
            argv=["plan", "--stack", "mistake", "--project-dir", "stacks/Pulumi.mistake.yaml"]),
    Mistake("project-dir-without-project", "--project-dir", "Pulumi.yaml",
            argv=["plan", "--stack", "mistake", "--project-dir", "stacks"]),
    Mistake("flag-misspelt", "--jsn", "--json", argv=["plan", "--stack", "mistake", "--jsn"]),
    # A misspelt required flag: the unknown flag and the one meant, not only "--stack is required".
    Mistake("required-flag-misspelt", "unrecognized arguments: --stak", "did you mean --stack?",
            argv=["plan", "--stak", "mistake"]),
    Mistake("command-misspelt", "'plna'", "plan", argv=["plna", "--stack", "mistake"]),
    Mistake("choice-misspelt", "'nginxx'", "did you mean nginx?", argv=["proxy", "nginxx", "--domain", "track.example.com"]),
    # A flag of another command: the hint comes from this command's own flags, and its --help.
    Mistake("flag-of-check-given-to-proxy", "--timeout 0", "did you mean --read-timeout? (see `tracking-cdn proxy --help`)",
            argv=["proxy", "nginx", "--domain", "track.example.com", "--timeout", "0"]),
    Mistake("flag-of-proxy-given-to-plan", "--domain a", "(see `tracking-cdn plan --help`)",
            argv=["plan", "--stack", "mistake", "--domain", "a"]),
    Mistake("flag-of-plan-given-to-proxy", "--json", "(see `tracking-cdn proxy --help`)",
            argv=["proxy", "nginx", "--domain", "track.example.com", "--json"]),
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "stacks").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exit:  # argparse refusing the command line
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def test_there_are_at_least_30_mistakes():
    assert len(MISTAKES) >= 30 and len({m.id for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_a_mistake_is_refused_in_one_line_naming_it_with_a_valid_alternative(mistake, project, capsys):
    (project / "Pulumi.yaml").write_text(mistake.project)
    (project / "stacks" / "Pulumi.mistake.yaml").write_text(mistake.stack if mistake.stack is not None else stack_file())
    (project / "stacks" / "mistake.yaml").write_text(stack_file())  # a stack file not named Pulumi.<stack>.yaml
    code, out, err = run_cli(mistake.argv, capsys)
    assert code == 2
    assert out == "", "nothing is rendered"
    assert err.endswith("\n") and err.count("\n") == 1, f"one line, got: {err!r}"
    assert err.startswith("tracking-cdn"), err
    assert mistake.named in err, f"must name {mistake.named!r}: {err}"
    assert mistake.alternative in err, f"must show {mistake.alternative!r}: {err}"


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.id.startswith("flag-of-")], ids=lambda m: m.id)
def test_an_unknown_flag_is_never_suggested_as_its_own_correction(mistake, project, capsys):
    (project / "Pulumi.yaml").write_text(PROJECT)
    (project / "stacks" / "Pulumi.mistake.yaml").write_text(stack_file())
    _, _, err = run_cli(mistake.argv, capsys)
    flag = mistake.named.split()[0]
    assert f"did you mean {flag}?" not in err
    assert f"tracking-cdn {mistake.argv[0]}: error:" in err


def test_a_refusal_under_pulumi_up_is_a_run_error_pulumi_prints_without_a_traceback():
    config = {**BASE, "tracking-cdn:hostedZoneID": "Z123"}
    with pytest.raises(StackConfigError) as raised:
        run_offline(stack_program, config=config)
    assert isinstance(raised.value, pulumi.RunError)
    assert str(raised.value).startswith("tracking-cdn:hostedZoneID: ") and "\n" not in str(raised.value)
    assert "did you mean tracking-cdn:hostedZoneId?" in str(raised.value)


def test_a_missing_provider_sdk_says_how_to_install_from_a_checkout(monkeypatch):
    monkeypatch.delitem(sys.modules, "tracking_cdn.fastly", raising=False)
    monkeypatch.setitem(sys.modules, "pulumi_fastly", None)  # import pulumi_fastly now fails
    with pytest.raises(StackConfigError) as raised:
        run_offline(stack_program, config={**BASE, "tracking-cdn:frontDoor": "fastly"})
    message = str(raised.value)
    assert message.startswith("tracking-cdn:frontDoor: ") and "pulumi_fastly" in message
    assert "pip install -e '.[fastly]'" in message and "pulumi-tracking-cdn[" not in message


def test_the_installed_command_prints_one_line_and_no_traceback(project):
    """The console script itself (not just cli.main), as a user runs it."""
    (project / "Pulumi.yaml").write_text(PROJECT)
    (project / "stacks" / "Pulumi.mistake.yaml").write_text(stack_file(tc_cacheTTLSeconds="60"))
    command = Path(sys.executable).parent / "tracking-cdn"
    done = subprocess.run([command, "plan", "--stack", "mistake"], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "tracking-cdn plan: error: stacks/Pulumi.mistake.yaml: tracking-cdn:cacheTTLSeconds: unknown key for the "
        "cloudfront front door; did you mean tracking-cdn:cacheTtlSeconds?\n"
    )


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """`tracking-cdn plan ... | head -1`: the reader closes the pipe; no BrokenPipeError traceback."""
    command = Path(sys.executable).parent / "tracking-cdn"
    repo = Path(__file__).resolve().parent.parent
    run = subprocess.Popen([command, "plan", "--stack", "cloudfront-example"], cwd=repo, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    run.stdout.close()  # before the plan is printed: every write to stdout fails
    err = run.stderr.read()
    assert run.wait(timeout=120) == 1
    assert err == ""


# --- what is not a mistake ---------------------------------------------------------------------------


def test_a_stack_file_path_is_accepted_as_stack(project, capsys):
    (project / "Pulumi.yaml").write_text(PROJECT)
    (project / "stacks" / "Pulumi.mistake.yaml").write_text(stack_file())
    by_name = run_cli(["plan", "--stack", "mistake"], capsys)
    by_path = run_cli(["plan", "--stack", "stacks/Pulumi.mistake.yaml"], capsys)
    qualified = run_cli(["plan", "--stack", "acme/tracking-cdn/mistake"], capsys)
    assert by_name[0] == 0 and by_name == by_path == qualified


def test_a_sparkpost_object_with_secure_true_is_settings_not_an_encrypted_secret(project, capsys):
    (project / "Pulumi.yaml").write_text(PROJECT)
    (project / "stacks" / "Pulumi.mistake.yaml").write_text(stack_file(tc_sparkpost="{secure: true}"))
    code, out, err = run_cli(["plan", "--stack", "mistake"], capsys)
    assert (code, err) == (0, "")
    sparkpost_resource = out[out.index("+ pulumi-python:dynamic:Resource") :]
    assert "    secure: true\n" in sparkpost_resource


def test_yes_and_dates_stay_strings_as_the_pulumi_cli_reads_them(project, capsys):
    """PyYAML alone reads `yes` as true; the Pulumi CLI (YAML 1.2) hands the program the string
    "yes", which `pulumi up` refuses: the plan must refuse it too, not render a deployment."""
    (project / "Pulumi.yaml").write_text(PROJECT)
    (project / "stacks" / "Pulumi.mistake.yaml").write_text(stack_file(tc_waitForDeployment="on"))
    code, _, err = run_cli(["plan", "--stack", "mistake"], capsys)
    assert code == 2 and "tracking-cdn:waitForDeployment: expected true or false, got 'on'" in err
