"""``tracking-cdn check --tenants FILE | --plan PLAN_JSON`` (issue 31): every tenant of a platform checked
at once against a real nginx front door and the ESP stand-in on 127.0.0.1, a summary per tenant, bounded
by --deadline."""

import json
import time

import pytest

from check_frontdoor import BAD_GATEWAY, CACHED, HANGING, HEALTHY, running_front_door
from tracking_cdn.cli import main

# The TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")


@pytest.fixture(scope="module")
def front_door(tmp_path_factory):
    yield from running_front_door(tmp_path_factory.mktemp("frontdoor"))


def options(front_door, *domains, timeout=3):
    """The check's options pinning every domain to the front door (``FrontDoor.args`` without the domains)."""
    return front_door.args(*domains, timeout=timeout)[len(domains):]


def run(argv, capsys):
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_tenant_gets_a_summary_naming_its_failing_checks(front_door, capsys, tmp_path):
    tenants = tmp_path / "tenants.json"
    tenants.write_text(json.dumps({"acme": [HEALTHY], "globex": {"domains": [BAD_GATEWAY, CACHED]}}))
    code, out, _ = run(["--tenants", str(tenants), "--json", *options(front_door, HEALTHY, BAD_GATEWAY, CACHED)], capsys)
    document = json.loads(out)
    assert code == document["exit_code"] == 1
    acme, globex = document["tenants"]["acme"], document["tenants"]["globex"]
    assert acme["verdict"] == "pass" and acme["domains"] == {HEALTHY: "pass"} and acme["failing"] == []
    assert globex["verdict"] == "fail" and globex["domains"][BAD_GATEWAY] == "fail"
    assert f"{BAD_GATEWAY}: https" in globex["failing"]
    assert {c["name"] for c in globex["checks"][CACHED]} >= {"dns", "https", "http", "caching"}


def test_the_tenants_of_a_platform_stack_s_plan_are_checked(front_door, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format": 1, "outputs": {"tenants": {
        "acme": {"domains": [HEALTHY], "status": "pending", "dnsRecords": []}}}}))
    code, out, _ = run(["--plan", str(plan), *options(front_door, HEALTHY)], capsys)
    assert code == 0
    assert out.splitlines()[0].split() == ["acme", "PASS"]
    assert out.rstrip().endswith("1 tenant(s): 1 pass, 0 warn, 0 fail, 0 not checked; exit code 0")


def test_tenants_are_checked_concurrently_and_the_deadline_bounds_the_run(front_door, capsys, tmp_path):
    tenants = tmp_path / "tenants.json"
    tenants.write_text(json.dumps({"slow": [HANGING], "acme": [HEALTHY]}))
    started = time.monotonic()
    code, out, _ = run(["--tenants", str(tenants), "--deadline", "2", "--json",
                        *options(front_door, HANGING, HEALTHY, timeout=30)], capsys)
    assert time.monotonic() - started < 10, "the deadline ends the command"
    document = json.loads(out)
    assert code == 1
    assert document["tenants"]["slow"]["verdict"] == "not-checked"
    assert document["tenants"]["slow"]["domains"] == {HANGING: "not-checked"}
    assert document["tenants"]["acme"]["verdict"] == "pass", "a slow tenant does not hold the others up"


@pytest.mark.parametrize("content, words", [
    ("[1, 2]", ["expected an object of tenants"]),
    ('{"acme": ["Not A Domain"]}', ["acme", "not a bare host name"]),
    ("nope", ["not JSON"]),
    ('{"acme": ' * 70 + '[]' + '}' * 70, ["nested more than 64 levels deep"]),  # the one bounded loader's limits
])
def test_a_bad_tenants_file_is_refused_naming_it(content, words, capsys, tmp_path):
    tenants = tmp_path / "tenants.json"
    tenants.write_text(content)
    code, out, err = run(["--tenants", str(tenants)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("tracking-cdn check: error: --tenants") and all(w in err for w in words), err


def test_a_plan_without_tenants_and_mixed_arguments_are_refused(capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format": 1, "outputs": {"dnsRecords": []}}))
    code, _, err = run(["--plan", str(plan)], capsys)
    assert code == 2 and "no tenants output" in err
    code, _, err = run(["track.example.com", "--plan", str(plan)], capsys)
    assert code == 2 and "not with --tenants or --plan" in err
    code, _, err = run([], capsys)
    assert code == 2 and "give the DOMAIN(s)" in err
