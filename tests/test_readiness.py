"""Windows (tracking_cdn.readiness): a serving resource that can reach something before it can serve.

Every front door opens no window, from nothing and on every day-two transition (tests/test_day_two.py
judges ``diff.windows`` too); removing any one wait a readiness rule asks for, from a plan or from a
component, is caught and named, in ``plan`` and ``plan --against`` with their exit status; the plans of
released versions show the window this version closes."""

import json

import pulumi
import pytest
from conftest import REPO

import day_two
from tracking_cdn import cli, gcp, readiness
from tracking_cdn import diff as offline_diff
from tracking_cdn.offline import run_offline
from tracking_cdn.plan import plan_document
from tracking_cdn.platform import cloudfront as cloudfront_platform
from tracking_cdn.platform import load_platform
from tracking_cdn.readiness import READINESS, SELF, WINDOW_EXIT_CODE, windows

APP_LINKS = {"apple_app_site_association": {"applinks": {"details": [
    {"appIDs": ["ABCDE12345.com.example.app"], "paths": ["/f/*"]}]}}}
DEEP = ["ablink.m.example.com", "click.example.com"]
SCENARIOS = {
    # (front door, args) reaching every rule of the table
    "gcp-app-links": ("gcp", {"domains": ["click.example.com"], "managed_zone": "example-com", "app_links": APP_LINKS,
                              "well_known_origin": "www.example.com"}),
    "cloudflare-deep": ("cloudflare", {"domains": DEEP, "zone_name": "example.com", "mode": "proxy",
                                       "advanced_certificates": True}),
    "cloudfront": ("cloudfront", {"domains": ["click.example.com"], "hosted_zone_id": day_two.ZONE_ID}),
    "azure": ("azure", {"domains": ["click.example.com"], "resource_group_name": "tracking-rg",
                        "dns_zone_name": "example.com"}),
}


PLATFORM_SCENARIOS = {
    # (platform kind, platform args, tenants) reaching every platform-mode rule
    "cloudfront-platform": ("cloudfront", {"tenant_app_links": True},
                            {"acme": {"domains": ["track.acme.com"], "app_links": APP_LINKS, "validated": True}}),
    "cloudflare-platform": ("cloudflare", {"zone_name": "tracking-platform.net", "mode": "proxy"},
                            {"acme": {"domains": ["track.acme.com"]}}),
    "gcp-platform": ("gcp", {}, {"acme": {"domains": ["track.acme.com"]}}),
}
ALL_SCENARIOS = sorted([*SCENARIOS, *PLATFORM_SCENARIOS])


def platform_plan(kind: str, platform_args: dict, tenants: dict) -> dict:
    """The plan document of a platform and its tenants in one program, as ``tracking-cdn plan --json`` makes it."""
    platform_class, _, tenant_class, _ = load_platform(kind)

    def program() -> None:
        platform = platform_class("track", platform_args)
        for name, args in tenants.items():
            tenant_class(name, {"platform": platform, **args})

    return plan_document(run_offline(program), day_two.STACK)


def plan_of(scenario: str) -> dict:
    if scenario in PLATFORM_SCENARIOS:
        return platform_plan(*PLATFORM_SCENARIOS[scenario])
    front_door, args = SCENARIOS[scenario]
    return day_two.document(front_door, args)


def waits(plan: dict) -> list[tuple[str, str, str]]:
    """Every (serving URN, needed URN, rule) wait the table asks of ``plan``."""
    found = []
    for rule in READINESS:
        for serving in (r for r in plan["resources"] if r["type"] == rule.serving):
            targets = [serving] if rule.target == SELF else [
                t for t in plan["resources"] if t["type"] == rule.target and rule.points_at(serving, t)]
            for target in targets:
                needed = ([] if target is serving else [target]) + [
                    p for p in plan["resources"] if p["type"] == rule.prerequisite and rule.belongs(p, target)]
                found += [(serving["urn"], p["urn"], rule) for p in needed]
    return found


def without_dependency(plan: dict, urn: str, dropped: str) -> dict:
    """``plan`` with ``dropped`` removed from the dependencies of ``urn`` (one ``depends_on`` gone)."""
    return {**plan, "resources": [
        {**r, "dependencies": [d for d in r["dependencies"] if d != dropped]} if r["urn"] == urn else r
        for r in plan["resources"]]}


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_no_front_door_opens_a_window_from_nothing(scenario):
    assert windows(plan_of(scenario)) == []


def test_every_rule_of_the_table_is_reached_by_a_front_door():
    reached = {rule for scenario in ALL_SCENARIOS for _, _, rule in waits(plan_of(scenario))}
    assert reached == set(READINESS)


def test_every_rule_cites_its_source():
    for rule in READINESS:
        assert "https://" in rule.source and rule.sees and rule.fix, rule.serving


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_removing_any_one_wait_the_table_asks_for_is_caught_naming_both_resources(scenario):
    plan = plan_of(scenario)
    by_urn = {r["urn"]: r for r in plan["resources"]}
    cases = [(s, p) for s, p, _ in waits(plan) if p in by_urn[s]["dependencies"]]
    assert cases, "the front door waits directly for what it needs"
    caught = 0
    for serving, needed in cases:
        broken = without_dependency(plan, serving, needed)
        found = windows(broken)
        if needed in readiness._waits(broken["resources"])(serving) or not waits(broken):
            assert found == [], "still waits through another dependency"
            continue
        assert {w.serving for w in found} == {serving} and needed in {w.prerequisite for w in found}, (serving, needed)
        line = next(w for w in found if w.prerequisite == needed).line(by_urn)
        assert by_urn[serving]["name"] in line and by_urn[needed]["name"] in line and "Fix:" in line
        caught += 1
    assert caught, "at least one wait of the front door is its only path to what it needs"


def test_plan_against_reports_a_window_only_through_what_the_up_changes():
    """Changing the ESP creates a new NEG and endpoint: a backend service not waiting for the new endpoint
    is a window (and the day-two judge fails on it); one not waiting for an endpoint that already
    serves, unchanged, opens none."""
    case = next(c for c in day_two.cases() if c.id == "gcp-cloud-dns/change-esp")
    before, after = case.documents()
    backend = next(r for r in after["resources"] if r["name"] == "track-backend")
    endpoint = next(u for u in backend["dependencies"] if "globalNetworkEndpoint:" in u)
    broken = without_dependency(after, backend["urn"], endpoint)
    changes = offline_diff.diff_plans(before, broken)
    assert len(changes.windows) == 1 and "track-backend" in changes.windows[0]["why"]
    assert changes.exit_code == WINDOW_EXIT_CODE
    assert "Windows" in offline_diff.render_text(changes)
    assert json.loads(offline_diff.render_json(changes))["summary"]["windows"] == 1
    assert any(p.startswith("window: ") for p in day_two.judge(before, broken, case.transition, case.mode).problems)
    unchanged = offline_diff.diff_plans(before, without_dependency(before, backend["urn"], endpoint))
    assert unchanged.windows == [] and unchanged.exit_code == 0


def test_the_plans_of_released_versions_show_the_gcp_window_this_version_closes():
    """0.x plans: the backend service depended on its NEG alone (issue: no request meets an empty NEG)."""
    plan = json.loads((REPO / "tests" / "fixtures" / "plan-gcp-example.json").read_text())
    (window,) = windows(plan)
    assert window.rule.serving == "gcp:compute/backendService:BackendService"
    assert window.prerequisite.endswith("GlobalNetworkEndpoint::tracking-origin-endpoint")


@pytest.fixture
def backend_without_depends_on(monkeypatch):
    """The mutation: gcp.py's backend services lose their depends_on (the NEG's endpoint)."""
    original = gcp.compute.BackendService

    def mutated(name, *args, opts=None, **kwargs):
        return original(name, *args, opts=_without_depends_on(opts), **kwargs)

    monkeypatch.setattr(gcp.compute, "BackendService", mutated)


def _without_depends_on(opts) -> pulumi.ResourceOptions:
    copy = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(), opts)
    copy.depends_on = None
    return copy


def test_plan_names_the_window_of_a_component_that_lost_one_depends_on_with_exit_status_3(
        backend_without_depends_on, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli.main(["plan", "--stack", "gcp-example"]) == WINDOW_EXIT_CODE == 3
    text = capsys.readouterr().out
    assert "Windows" in text and "BackendService tracking-backend" in text and "GlobalNetworkEndpoint" in text
    assert "5xx" in text
    assert cli.main(["plan", "--stack", "gcp-example", "--json"]) == 3
    (window,) = json.loads(capsys.readouterr().out)["windows"]
    assert window["serving"].endswith("::tracking-backend") and window["source"].startswith("GlobalNetworkEndpointGroup")


@pytest.fixture
def tenant_without_depends_on(monkeypatch):
    """The mutation in platform mode: the CloudFront distribution tenant loses its depends_on (its app-link keys)."""
    original = cloudfront_platform.aws.cloudfront.DistributionTenant

    def mutated(resource_name, *args, opts=None, **kwargs):
        return original(resource_name, *args, opts=_without_depends_on(opts), **kwargs)

    monkeypatch.setattr(cloudfront_platform.aws.cloudfront, "DistributionTenant", mutated)


def test_a_platform_tenant_that_lost_one_depends_on_is_a_window_from_nothing_and_in_plan_against(
        tenant_without_depends_on):
    kind, platform_args, tenants = PLATFORM_SCENARIOS["cloudfront-platform"]
    plan = platform_plan(kind, platform_args, tenants)
    by_urn = {r["urn"]: r for r in plan["resources"]}
    (window,) = windows(plan)
    assert by_urn[window.serving]["name"] == "acme-distribution-tenant"
    assert by_urn[window.prerequisite]["type"] == "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"
    assert "404" in window.line(by_urn) and "Fix:" in window.line(by_urn)
    before = platform_plan(kind, platform_args, {})
    changes = offline_diff.diff_plans(before, plan)
    assert len(changes.windows) == 1 and "acme-distribution-tenant" in changes.windows[0]["why"]
    assert changes.exit_code == WINDOW_EXIT_CODE


def test_the_stack_plans_open_no_window(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    for stack in ("gcp-example", "cloudflare-example", "cloudfront-example", "azure-example", "fastly-example"):
        assert cli.main(["plan", "--stack", stack]) == 0, stack
        assert "Windows" not in capsys.readouterr().out


def test_the_module_stays_free_of_the_sdk():
    assert "import pulumi" not in (REPO / "components" / "tracking_cdn" / "readiness.py").read_text()
    assert readiness.__all__
