"""Day two on every front door (issue 13 §2): each transition of ``day_two.TRANSITIONS`` on each mode of
``day_two.MODES`` passes the checks ``day_two.judge`` makes (no blocker beyond a removed domain's own
resources, no live name losing HTTPS, no ``up`` waiting for DNS the user cannot have, no API refusal,
a diff that shows the change).

``KNOWN_FAILURES`` lists the transitions that fail today, with the breakage of issue 13 §3 behind each:
they are strict xfails, so the fix that makes one pass turns it into a failure until its entry goes.
The per-cloud engineers' to-do list; the failure message of each names the resource, the step and the
property forcing it.
"""

import pytest

import day_two
from day_two import cases, refusal
from plan_builder import plan, resource

GCP_CERTIFICATE_0 = (
    "issue 13 §3 GCP, classic certificates (certificates='classic': the legacy mode kept for stacks made with "
    "0.1, no longer the default): ManagedSslCertificate track-certificate-0 holds up to 100 names and "
    "managed.domains is immutable: a domain change replaces it (protected: the up stops) and the HTTPS proxy "
    "takes the new, unissued certificate at once. The default, certificate-manager (modes gcp-cloud-dns and "
    "gcp-dns-elsewhere), passes; the move to it: docs/front-doors/gcp.md, Day two"
)
FASTLY_SHARED_SUBSCRIPTION = (
    "issue 13 §3 Fastly, one shared subscription (certificates='shared': the legacy mode kept for stacks made "
    "with 0.1, no longer the default): TlsSubscription track-certificate holds every domain, and Fastly refuses "
    "to change the domains of a subscription whose domains are active unless forced, which Fastly warns 'may "
    "result in breaking TLS termination' (the API rule of replacements.py: plan --against reports the step as a "
    "blocker). The default, per-domain (modes fastly and fastly-moved-from-shared), "
    "passes; the move to it: docs/front-doors/fastly.md, Day two"
)
KNOWN_FAILURES: dict[str, str] = {
    **{f"gcp-classic/{t}": GCP_CERTIFICATE_0
       for t in ("append-domain", "remove-last-domain", "domains-1-to-11", "domains-11-to-101")},
    **{f"fastly-shared/{t}": FASTLY_SHARED_SUBSCRIPTION
       for t in ("append-domain", "remove-last-domain", "domains-1-to-11")},
}
"""Case id -> why it fails today (issue 13 §3). Remove an entry with the fix that makes it pass."""

REFUSED: dict[str, tuple[str, list[str]]] = {
    # Cloudflare: a redirect cannot carry the tracking domain SendGrid routes on; mode='proxy' is the way
    # (switching a live stack's recipe: tests/test_cloudflare_day_two.py).
    "cloudflare-redirect/change-esp": ("mode", ["routes on the tracking domain", "mode='proxy'"]),
    # Fastly: at most 100 domains per component, whatever domain_limit (fastly.MAX_DOMAIN_LIMIT).
    **{f"{mode}/domains-11-to-101": ("domains", ["101 domains", "at most 100", "domain_limit", "split the domains"])
       for mode in ("fastly", "fastly-moved-from-shared", "fastly-shared")},
}
"""Case id -> (argument, words of the message) for transitions a front door refuses up front."""

CASES = cases()


def _marked(case):
    reason = KNOWN_FAILURES.get(case.id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_marked(c) for c in CASES if c.id not in REFUSED])
def test_a_live_stack_takes_the_change_without_breaking_what_it_serves(case):
    verdict = case.verdict()
    assert not verdict.problems, f"{case.id}:\n  " + "\n  ".join(verdict.problems)


@pytest.mark.parametrize("case", [c for c in CASES if c.id in REFUSED], ids=lambda c: c.id)
def test_a_change_beyond_the_front_door_s_limits_is_refused_naming_the_argument(case):
    argument, words = REFUSED[case.id]
    error = refusal(case)
    assert error is not None, f"{case.id} was accepted"
    assert error.argument == argument
    assert all(word in str(error) for word in words), str(error)


def test_the_known_failures_and_refusals_name_real_cases():
    ids = {case.id for case in CASES}
    assert set(KNOWN_FAILURES) <= ids and set(REFUSED) <= ids


def test_every_mode_meets_every_transition():
    assert len(CASES) == len(day_two.MODES) * len(day_two.TRANSITIONS)
    assert {mode.front_door for mode in day_two.MODES} == {"cloudfront", "gcp", "azure", "cloudflare", "fastly", "keycdn"}


# --- the checks themselves, on hand-built plans ------------------------------------------------------

RECORD = "aws:route53/record:Record"
CERTIFICATE = "gcp:compute/managedSslCertificate:ManagedSslCertificate"
PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
REMOVE = next(t for t in day_two.TRANSITIONS if t.id == "remove-last-domain")
APPEND = next(t for t in day_two.TRANSITIONS if t.id == "append-domain")
MODE = day_two.MODES[0]


def records(*domains):
    return [resource(RECORD, f"track-a-{d}", {"name": d, "zoneId": "Z1", "type": "A"}, protect=True) for d in domains]


def test_removing_a_domain_expects_its_own_protected_resources_and_nothing_else():
    before = plan(*records(*REMOVE.domains_before))
    verdict = day_two.judge(before, plan(*records(*REMOVE.domains_after)), REMOVE, MODE)
    assert [r.name for r in verdict.expected_blockers] == [f"track-a-{day_two.APPENDED}"]
    assert verdict.diff.blockers == list(verdict.expected_blockers), "pulumi up stops on it without the unprotect"
    assert not verdict.problems, "the documented path (unprotect exactly those) leaves no blocker"


def test_any_other_blocker_is_a_problem_naming_resource_step_and_forcing_property():
    before = plan(*records(*REMOVE.domains_before))
    moved = records(*REMOVE.domains_after)
    moved[0]["inputs"]["zoneId"] = "Z2"
    verdict = day_two.judge(before, plan(*moved), REMOVE, MODE)
    assert verdict.problems == (
        f"blocker: replace {RECORD} track-a-click.example.com: zoneId changes, and zoneId forces a new resource",
    )


def gcp_plan(certificates: dict[str, list[str]]):
    made = [resource(CERTIFICATE, name, {"managed": {"domains": list(domains)}}, protect=False)
            for name, domains in certificates.items()]
    proxy = resource(PROXY, "track-https", {"sslCertificates": [f"<{name}-id>" for name in certificates]},
                     depends={"sslCertificates": [c["urn"] for c in made]})
    return plan(*made, proxy)


def test_a_certificate_replaced_under_live_names_is_caught_and_one_left_alone_is_not():
    shared = day_two.judge(gcp_plan({"cert-0": APPEND.domains_before}), gcp_plan({"cert-0": APPEND.domains_after}),
                           APPEND, MODE)
    assert [p for p in shared.problems if "HTTPS" in p] == [
        f"loses HTTPS: {d}: its certificate cert-0 is replaced (forced by managed.domains), and track-https serves "
        "with the new one before it is issued" for d in sorted(APPEND.domains_before)
    ]
    one_each = {f"cert-{d}": [d] for d in APPEND.domains_before}
    separate = day_two.judge(gcp_plan(one_each), gcp_plan({**one_each, "cert-new": [day_two.APPENDED]}), APPEND, MODE)
    assert not separate.problems, separate.problems


def test_an_api_refusal_is_the_product_s_own_rule_and_named_as_such():
    case = next(c for c in CASES if c.id == "fastly-shared/append-domain")
    verdict = case.verdict()
    (refused,) = [r for r in verdict.diff.resources if r.refusal]
    assert refused.blocker and not refused.stopped_by_protection
    assert verdict.problems == (
        f"refused by the API: update fastly:index/tlsSubscription:TlsSubscription track-certificate: {refused.refusal}",)


def test_a_change_that_shows_nowhere_is_a_problem():
    same = plan(*records(*APPEND.domains_before))
    verdict = day_two.judge(same, same, APPEND, MODE)
    assert verdict.problems == ("the diff is empty: append-domain changes nothing on cloudfront-route53",
                                "no change mentions click3.example.com")
