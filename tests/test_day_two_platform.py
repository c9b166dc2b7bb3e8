"""Day two on a live platform (issue 31): each transition of ``day_two.PLATFORM_TRANSITIONS`` (add a
tenant, remove one, a tenant adds a domain, a tenant is validated, a tenant leaves before validation, the
platform changes its ESP or its TTL) on each platform, its tenants in the platform's stack or in a stack of
their own, as ``tracking-cdn plan --against`` judges it: nothing of another tenant, or of the platform, is
created, updated, replaced or deleted; no blocker but a removed tenant's own protected resources; no live
name losing HTTPS; no window (tracking_cdn.readiness); no step without replacement rules or refused by the API."""

import pytest

import day_two
from plan_builder import component, plan, resource, urn

CASES = day_two.platform_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_live_platform_takes_the_change_touching_only_what_it_is_about(case):
    verdict = case.verdict()
    assert not verdict.problems, f"{case.id}:\n  " + "\n  ".join(verdict.problems)


def test_every_platform_meets_every_transition_and_tenant_stacks_every_tenant_transition():
    kinds = {mode.kind for mode in day_two.PLATFORM_MODES}
    assert kinds == {"cloudfront", "gcp", "cloudflare"}
    for kind in kinds:
        ids = {c.transition.id for c in CASES if c.mode.kind == kind and not c.mode.tenant_stack}
        assert ids == {t.id for t in day_two.PLATFORM_TRANSITIONS}
        stacked = {c.transition.id for c in CASES if c.mode.kind == kind and c.mode.tenant_stack}
        assert stacked == {t.id for t in day_two.PLATFORM_TRANSITIONS if not t.of_platform}


def test_removing_a_live_tenant_expects_exactly_its_own_protected_resources():
    case = next(c for c in CASES if c.id == "cloudfront-platform/remove-tenant")
    verdict = case.verdict()
    assert [r.name for r in verdict.expected_blockers] == ["initech-distribution-tenant"]
    assert verdict.diff.blockers == list(verdict.expected_blockers), "pulumi up stops on it without the unprotect"


def test_a_tenant_that_leaves_before_validation_is_deleted_with_a_plain_up():
    case = next(c for c in CASES if c.id == "cloudfront-platform/tenant-leaves-before-validation")
    verdict = case.verdict()
    assert verdict.expected_blockers == () and verdict.diff.blockers == []
    assert [r.name for r in verdict.diff.resources if r.action == "delete" and r.custom] == ["initech-distribution-tenant"]


# --- the check itself, on hand-built plans ---------------------------------------------------------------

TENANT = "tracking-cdn:index:CloudFrontTrackingTenant"
DISTRIBUTION_TENANT = "aws:cloudfront/distributionTenant:DistributionTenant"
ADD = next(t for t in day_two.PLATFORM_TRANSITIONS if t.id == "add-tenant")
MODE = day_two.PLATFORM_MODES[0]


def tenant_plan(*tenants, acme_domains=("track.acme.com",)):
    made = []
    for name in tenants:
        owner = component(name, TENANT)
        domains = acme_domains if name == "acme" else (f"track.{name}.com",)
        made += [owner, resource(DISTRIBUTION_TENANT, f"{name}-distribution-tenant",
                                 {"domains": [{"domain": d} for d in domains]}, parent=owner["urn"],
                                 urn_=urn(DISTRIBUTION_TENANT, f"{name}-distribution-tenant", TENANT))]
    return plan(*made)


def test_adding_a_tenant_that_touches_another_tenant_is_a_problem_naming_that_tenant_and_resource():
    clean = day_two.judge_platform(tenant_plan("acme", "globex"), tenant_plan("acme", "globex", "initech"), ADD, MODE)
    assert not clean.problems, clean.problems
    touched = day_two.judge_platform(tenant_plan("acme", "globex"),
                                     tenant_plan("acme", "globex", "initech", acme_domains=("x.acme.com",)), ADD, MODE)
    assert [p for p in touched.problems if p.startswith("touches")] == [
        f"touches tenant 'acme''s resources: update {DISTRIBUTION_TENANT} acme-distribution-tenant: domains[0].domain"
    ]
