"""Day two on a live Cloudflare stack, judged offline with ``tracking-cdn plan --against``'s diff
(issue 13, issue 22): what a stack deployed with the released redirect-only component sees when the
library is upgraded (``tests/fixtures/plan-cloudflare-example*.json`` are that component's plans), the
recipe switch between redirect and proxy with its documented path, moving a live record in through
``pulumi import``, and certificate packs under added domains.

The transitions every front door passes (append, remove, TTL, redirect, ESP, 1 -> 11 -> 101) are in
``tests/test_day_two.py``; these are the Cloudflare-specific ones."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

import day_two
from conftest import REPO
from tracking_cdn import diff, offline
from tracking_cdn.cloudflare import CloudflareTrackingDomain
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.plan import plan_document, stack_config
from tracking_cdn.stack import main as stack_program

FIXTURES = REPO / "tests" / "fixtures"
STACK = "cloudflare-example"
RULESET = "cloudflare:index/ruleset:Ruleset"
DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
CERTIFICATE_PACK = "cloudflare:index/certificatePack:CertificatePack"
RELEASED_CONFIG = {"tracking-cdn:mode": "rulesets"}
"""What the released example stack file said, as every stack copied from it still does."""
VARIANTS = {
    # fixture suffix -> the variant's config over the released example stack (the fixtures' stack
    # names are cloudflare-example<suffix>)
    "": {},
    "-page-rules": {"tracking-cdn:mode": "page_rules"},
    "-deep": {"tracking-cdn:domains": ["track.mail.example.com", "track.example.com"]},
}
SENDGRID = "-sendgrid"


def released(variant: str) -> dict:
    return json.loads((FIXTURES / f"plan-cloudflare-example{variant}.json").read_text())


def upgraded(variant: str, **config) -> dict:
    """The plan of the same stack (its name, the released config of the variant, then ``config``) with
    this checkout's component and stack program."""
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{STACK}.yaml").read_text())
    document["config"].update({**RELEASED_CONFIG, **VARIANTS.get(variant, {}), **config})
    settings, secret_keys = stack_config(document)
    stack = f"{STACK}{variant}"
    return plan_document(offline.run_offline(stack_program, config=settings, secret_keys=secret_keys, stack=stack),
                         stack)


def unprotected(plan: dict, *names: str) -> dict:
    """``plan`` after ``pulumi state unprotect`` of the resources called ``names``."""
    return {**plan, "resources": [{**r, "protect": False} if r["name"] in names else r for r in plan["resources"]]}


def steps(changes: diff.Diff) -> dict[str, str]:
    return {r.name: r.action for r in changes.resources if r.action != "same"}


# --- upgrading a stack made by the released component ------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v or "example")
def test_upgrading_replaces_nothing_and_keeps_every_record_as_deployed(variant):
    changes = diff.diff_plans(released(variant), upgraded(variant))
    assert not [r for r in changes.resources if r.action in ("replace", "create")], steps(changes)
    for record in (r for r in changes.resources if r.type == DNS_RECORD):
        assert record.action in ("same", "update")
        assert not [c for c in record.changes if c.path in ("type", "content")], "a live CNAME stays a CNAME"
    assert not changes.https_losses


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v or "example")
def test_the_ssl_rule_becoming_opt_in_is_the_one_blocker_and_each_documented_way_out_clears_it(variant):
    changes = diff.diff_plans(released(variant), upgraded(variant))
    assert [(r.action, r.name) for r in changes.blockers] == [("delete", "tracking-ssl")]
    kept = diff.diff_plans(released(variant), upgraded(variant, **{"tracking-cdn:sslConfigRule": True}))
    assert kept.blockers == [] and steps(kept).get("tracking-ssl") is None, "sslConfigRule: true changes nothing"
    let_go = diff.diff_plans(unprotected(released(variant), "tracking-ssl"), upgraded(variant))
    assert let_go.blockers == [] and steps(let_go)["tracking-ssl"] == "delete"


def test_an_upgraded_record_converts_to_the_placeholder_only_when_asked():
    changes = diff.diff_plans(released(""), upgraded("", **{"tracking-cdn:dnsRecordTarget": "100::"}))
    record = changes.by_name("tracking-track.example.com")
    assert {c.path: c.new for c in record.changes if c.path in ("type", "content")} == {"type": "AAAA",
                                                                                        "content": "100::"}
    assert record.action in ("update", "replace")


def test_a_released_sendgrid_redirect_stack_is_refused_and_moves_to_proxy_by_its_documented_path():
    with pytest.raises(InvalidArgument) as refused:
        upgraded(SENDGRID, **{"tracking-cdn:esp": "sendgrid"})
    assert refused.value.argument.endswith("mode") and "mode='proxy'" in str(refused.value)
    before = released(SENDGRID)
    after = upgraded(SENDGRID, **{"tracking-cdn:esp": "sendgrid", "tracking-cdn:mode": "proxy"})
    changes = diff.diff_plans(before, after)
    assert [(r.action, r.name) for r in changes.blockers] == [("delete", "tracking-redirect")]
    assert steps(changes)["tracking-cache"] == "create"
    assert {r.action for r in changes.resources if r.type == DNS_RECORD} <= {"same", "update"}
    walked = diff.diff_plans(unprotected(before, "tracking-redirect"), after)
    assert walked.blockers == [] and not walked.https_losses


# --- switching recipes on a stack made by this component ---------------------------------------------

DOMAINS = ["click.example.com", "click2.example.com"]


def document(**args) -> dict:
    def program():
        CloudflareTrackingDomain("track", {"domains": DOMAINS, "zone_name": "example.com", **args})

    return plan_document(offline.run_offline(program, stack="day-two"), "day-two")


def test_redirect_to_proxy_creates_the_proxy_first_and_deletes_the_redirect_last_once_unprotected():
    before, after = document(esp="sparkpost"), document(esp="sendgrid")
    changes = diff.diff_plans(before, after)
    assert [(r.action, r.name) for r in changes.blockers] == [("delete", "track-redirect")]
    walked = diff.diff_plans(unprotected(before, "track-redirect"), after)
    assert walked.blockers == []
    assert steps(walked) == {
        "track-ssl": "create", "track-cache": "create", "track-redirect": "delete",
        "track-click.example.com": "update", "track-click2.example.com": "update",
    }, "records change in place (AAAA -> CNAME); Pulumi runs deletes last: no host without its rules"
    record = walked.by_name("track-click.example.com")
    assert {c.path: c.new for c in record.changes if c.path in ("type", "content")} == {
        "type": "CNAME", "content": "sendgrid.net"}


def test_proxy_https_redirect_toggles_without_a_blocker():
    plain, upgraded_https = document(esp="sendgrid"), document(esp="sendgrid", redirect_http_to_https=True)
    on = diff.diff_plans(plain, upgraded_https)
    off = diff.diff_plans(upgraded_https, plain)
    assert steps(on) == {"track-redirect": "create"} and steps(off) == {"track-redirect": "delete"}
    assert on.blockers == [] and off.blockers == []


def test_adding_a_deep_domain_orders_a_new_pack_and_leaves_the_serving_one_alone():
    before = document(esp="sendgrid", domains=["ablink.m.example.com"])
    after = document(esp="sendgrid", domains=["ablink.m.example.com", "ablink.x.example.com"])
    changes = diff.diff_plans(before, after)
    packs = {r.name: r.action for r in changes.resources if r.type == CERTIFICATE_PACK}
    assert packs == {"track-certificate-ablink.m.example.com": "same", "track-certificate-ablink.x.example.com": "create"}
    assert changes.blockers == [] and not changes.https_losses
    assert {r.action for r in changes.resources if r.type == RULESET} == {"update"}, "host lists change in place"


def test_removing_a_deep_domain_stops_on_its_own_pack_and_record_only():
    before = document(esp="sendgrid", domains=["ablink.m.example.com", "ablink.x.example.com"])
    after = document(esp="sendgrid", domains=["ablink.m.example.com"])
    changes = diff.diff_plans(before, after)
    assert sorted(r.name for r in changes.blockers) == [
        "track-ablink.x.example.com", "track-certificate-ablink.x.example.com"]
    walked = diff.diff_plans(unprotected(before, *(r.name for r in changes.blockers)), after)
    assert walked.blockers == [] and not walked.https_losses


# --- moving a live domain in with pulumi import ------------------------------------------------------


@pytest.mark.parametrize("esp, target", [("sparkpost", "spgo.io"), ("sendgrid", "sendgrid.net")])
def test_a_dns_only_cname_imported_under_the_documented_name_is_switched_to_proxied_in_place(esp, target):
    """``pulumi import cloudflare:index/dnsRecord:DnsRecord track-<domain> <zone>/<id> --parent <component>``
    puts the live record (DNS-only CNAME to the ESP, TTL 300) in the state under the component's own
    name; the next ``up`` updates it in place: proxied, TTL automatic, its CNAME kept."""
    after = document(esp=esp)
    before = copy.deepcopy(after)
    imported = next(r for r in before["resources"] if r["name"] == "track-click.example.com")
    imported["inputs"] = {"zoneId": imported["inputs"]["zoneId"], "name": "click.example.com", "type": "CNAME",
                          "content": target, "proxied": False, "ttl": 300, "comment": ""}
    imported["ignoreChanges"] = []
    changes = diff.diff_plans(before, after)
    record = changes.by_name("track-click.example.com")
    assert record.action == "update" and changes.blockers == []
    changed = {c.path: c.new for c in record.changes}
    assert changed["proxied"] is True and changed["ttl"] == 1
    assert "type" not in changed and "content" not in changed, "the live CNAME stays"


# --- deep links on a live stack (issue 17) -------------------------------------------------------------

WORKERS_SCRIPT = "cloudflare:index/workersScript:WorkersScript"
WORKERS_ROUTE = "cloudflare:index/workersRoute:WorkersRoute"
APPLE = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/*"}]}]}}
APPLE_V2 = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/app/*"}]}]}}
LINKS = {"account_id": "0123456789abcdef0123456789abcdef"}


@pytest.mark.parametrize("esp", ["sparkpost", "sendgrid"])
def test_adding_app_links_to_a_live_stack_creates_the_worker_and_replaces_nothing(esp):
    before = document(esp=esp)
    after = document(esp=esp, app_links={"apple_app_site_association": APPLE}, **LINKS)
    changes = diff.diff_plans(before, after)
    assert changes.blockers == [] and not changes.https_losses
    assert not [r for r in changes.resources if r.action in ("replace", "delete")], steps(changes)
    created = {r.type for r in changes.resources if r.action == "create"}
    assert created == {WORKERS_SCRIPT, WORKERS_ROUTE}
    expected_updates = {"track-redirect"} if esp == "sparkpost" else set()
    assert {r.name for r in changes.resources if r.action == "update"} == expected_updates, (
        "the redirect rule's expression learns to leave the two files alone, in place"
    )


def test_changing_app_links_updates_the_worker_in_place_and_nothing_else():
    before = document(app_links={"apple_app_site_association": APPLE}, **LINKS)
    after = document(app_links={"apple_app_site_association": APPLE_V2}, **LINKS)
    changes = diff.diff_plans(before, after)
    assert steps(changes) == {"track-app-links": "update"}
    assert [c.path for c in changes.by_name("track-app-links").changes] == ["content"]


def test_adding_the_android_file_adds_its_routes_and_rewrites_only_expressions():
    before = document(app_links={"apple_app_site_association": APPLE}, **LINKS)
    android = [{"relation": ["delegate_permission/common.handle_all_urls"],
                "target": {"namespace": "android_app", "package_name": "com.example.app",
                           "sha256_cert_fingerprints": [":".join(["AB"] * 32)]}}]
    after = document(app_links={"apple_app_site_association": APPLE, "android_asset_links": android}, **LINKS)
    changes = diff.diff_plans(before, after)
    assert changes.blockers == []
    assert steps(changes) == {"track-app-links": "update", "track-redirect": "update",
                              **{f"track-assetlinks-{d}": "create" for d in DOMAINS}}


def test_removing_app_links_stops_on_the_worker_and_its_routes_only():
    before = document(app_links={"apple_app_site_association": APPLE}, **LINKS)
    after = document()
    changes = diff.diff_plans(before, after)
    assert sorted(r.name for r in changes.blockers) == sorted(
        ["track-app-links", *(f"track-applinks-{d}" for d in DOMAINS)])
    walked = diff.diff_plans(unprotected(before, *(r.name for r in changes.blockers)), after)
    assert walked.blockers == []


@pytest.mark.parametrize("mode_id", ["cloudflare-redirect", "cloudflare-proxy"])
@pytest.mark.parametrize("before, after", [
    ({}, {"app_links": {"apple_app_site_association": APPLE}, **LINKS}),
    ({"app_links": {"apple_app_site_association": APPLE}, **LINKS},
     {"app_links": {"apple_app_site_association": APPLE_V2}, **LINKS}),
    ({}, {"well_known_origin": "www.example.com", **LINKS}),
    ({"app_links": {"apple_app_site_association": APPLE}, "well_known_origin": "www.example.com", **LINKS},
     {"well_known_origin": "www.example.com", **LINKS}),
], ids=["add-app-links", "change-app-links", "add-well-known-origin", "app-links-to-well-known-origin"])
def test_deep_link_changes_pass_every_check_of_the_day_two_harness(mode_id, before, after):
    (mode,) = [m for m in day_two.MODES if m.id == mode_id]
    transition = day_two.Transition("deep-links", tuple(day_two.BASE), tuple(day_two.BASE),
                                    lambda _: before, lambda _: after)
    assert day_two.Case(mode, transition).verdict().problems == ()


WELL_KNOWN_ORIGIN = {"well_known_origin": "www.example.com"}
NOT_FILES = ('not (http.request.uri.path in {"/.well-known/apple-app-site-association" '
             '"/.well-known/assetlinks.json"})')


@pytest.mark.parametrize("esp", ["sparkpost", "sendgrid"])
def test_a_live_well_known_origin_stack_gets_the_worker_for_the_app_link_files_and_loses_nothing(esp):
    """A stack deployed while ``well_known_origin`` sent the two app-link files a 301 too (no Worker, no
    exception for them in the well-known rule): the next ``up`` creates the Worker and its routes and
    rewrites that rule's expression in place; nothing is replaced or deleted."""
    after = document(esp=esp, **WELL_KNOWN_ORIGIN, **LINKS)
    before = copy.deepcopy(after)
    before["resources"] = [r for r in before["resources"] if r["type"] not in (WORKERS_SCRIPT, WORKERS_ROUTE)]
    redirect = next(r for r in before["resources"] if r["name"] == "track-redirect")
    for rule in redirect["inputs"]["rules"]:
        rule["expression"] = rule["expression"].replace(f" and {NOT_FILES}", "")
    assert redirect["inputs"]["rules"][0]["expression"] == (
        '(http.host in {"click.example.com" "click2.example.com"} and '
        'starts_with(http.request.uri.path, "/.well-known/"))'), "what that stack has"
    changes = diff.diff_plans(before, after)
    assert changes.blockers == [] and not changes.https_losses
    assert {r.type for r in changes.resources if r.action == "create"} == {WORKERS_SCRIPT, WORKERS_ROUTE}
    assert {r.name: r.action for r in changes.resources if r.action not in ("same", "create")} == {
        "track-redirect": "update"}


def test_removing_app_links_beside_well_known_origin_only_changes_the_worker_code():
    """The Worker and its routes stay: the files now come from well_known_origin instead."""
    before = document(app_links={"apple_app_site_association": APPLE}, **WELL_KNOWN_ORIGIN, **LINKS)
    after = document(**WELL_KNOWN_ORIGIN, **LINKS)
    changes = diff.diff_plans(before, after)
    assert steps(changes) == {"track-app-links": "update"} and changes.blockers == []
