"""``tracking-cdn plan --against``: the offline diff of two plan documents (``tracking_cdn.diff``).

Each rule of the diff on a hand-built pair of plans (``plan_builder``), then the command end to end on
a stack file: what it prints, its exit codes, the one-line refusals, byte-stable output, no secret."""

import json
import shutil
import subprocess
import sys

import pytest
from conftest import REPO
from plan_builder import COMPONENT, PROJECT, ROOT, STACK, component, plan, resource, urn

from tracking_cdn import cli
from tracking_cdn.diff import UNKNOWN, describe_change, diff_plans, render_json, render_text, safe_path
from tracking_cdn.replacements import KEYCDN_REPLACE_ON, SPARKPOST_REPLACE_ON, TABLE

RECORD = "aws:route53/record:Record"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
UNKNOWN_TYPE = "example:index/widget:Widget"
SUBSCRIPTION = "fastly:index/tlsSubscription:TlsSubscription"
ROUTE = "azure-native:cdn:Route"
CUSTOM_DOMAIN = "azure-native:cdn:AFDCustomDomain"
HTTPS_PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"


def record(resource_name="track-a", protect=True, **inputs):
    return resource(RECORD, resource_name, {"name": "click.example.com", "type": "A", "zoneId": "Z1", **inputs},
                    protect=protect)


# --- actions -------------------------------------------------------------------------------------------


def test_the_same_plan_changes_nothing():
    before = plan(record())
    diff = diff_plans(before, before)
    assert {r.action for r in diff.resources} == {"same"} and diff.exit_code == 0
    assert render_text(diff).endswith("No changes.\n\nSummary: 0 to create, 0 to update, 0 to replace, 0 to delete, "
                                      "1 unchanged; no blocker")


def test_a_changed_input_that_forces_nothing_is_an_update_listing_old_and_new():
    diff = diff_plans(plan(record(ttl=300)), plan(record(ttl=60)))
    step = diff.by_name("track-a")
    assert (step.action, [(c.path, c.old, c.new) for c in step.changes]) == ("update", [("ttl", 300, 60)])
    assert "ttl: 300 -> 60" in render_text(diff)


def test_a_forcing_input_replaces_naming_the_property_and_its_source():
    diff = diff_plans(plan(record(protect=False)), plan(record(protect=False, name="click9.example.com")))
    step = diff.by_name("track-a")
    assert step.action == "replace" and step.forcing_path == "name"
    assert "route53/record.go" in step.source and not step.delete_before_replace
    assert "create first, then delete" in render_text(diff) and diff.exit_code == 0


def test_a_nested_change_inside_a_forcing_block_forces():
    before = resource("gcp:compute/managedSslCertificate:ManagedSslCertificate", "cert", {"managed": {"domains": ["a"]}})
    after = resource("gcp:compute/managedSslCertificate:ManagedSslCertificate", "cert", {"managed": {"domains": ["a", "b"]}})
    assert diff_plans(plan(before), plan(after)).by_name("cert").action == "replace"


def test_created_and_deleted_resources_and_components():
    other = component("other")
    diff = diff_plans(plan(record("track-a")), {**plan(record("track-b")), "resources": plan()["resources"] + [other,
                      record("track-b")]})
    actions = {(r.name, r.action) for r in diff.resources if r.action != "same"}
    assert actions == {("other", "create"), ("track-b", "create"), ("track-a", "delete")}
    text = render_text(diff)
    assert "Components:\n    +  tracking-cdn:index:TestFrontDoor  other" in text


# --- blockers ----------------------------------------------------------------------------------------------


def test_replacing_or_deleting_a_protected_resource_is_a_blocker_with_the_safe_path():
    diff = diff_plans(plan(record(), record("track-b")), plan(record(zoneId="Z2")))
    assert [(r.name, r.action) for r in diff.blockers] == [("track-a", "replace"), ("track-b", "delete")]
    assert diff.exit_code == 1
    text = render_text(diff)
    assert text.index("Blockers") < text.index("Summary")
    assert f"pulumi state unprotect '{urn(RECORD, 'track-b')}', then pulumi up" in text
    assert text.endswith("2 blockers (pulumi up would stop)")


def subscription(domains, protect=True, **inputs):
    return resource(SUBSCRIPTION, "sub", {"certificateAuthority": "lets-encrypt", "domains": domains, **inputs},
                    protect=protect)


def test_a_step_the_cloud_s_api_refuses_is_a_blocker_citing_the_rule_with_a_safe_path():
    diff = diff_plans(plan(subscription(["a.example.com"])), plan(subscription(["a.example.com", "b.example.com"])))
    step = diff.by_name("sub")
    assert (step.action, step.blocker, step.stopped_by_protection) == ("update", True, False)
    assert "force_update" in step.refusal and "tls-subscription/update" in step.refusal_source
    assert diff.exit_code == 1
    text = render_text(diff)
    assert f"! ~  {SUBSCRIPTION}  sub  [refused by the API: pulumi up stops here]" in text
    assert text.index("Blockers") < text.index("domains: + \"b.example.com\"") < text.index("Summary")
    assert "shared_certificate_domains" in safe_path(step) and text.endswith("1 blocker (pulumi up would stop)")
    (listed,) = json.loads(render_json(diff))["resources"]
    assert listed["blocker"] and listed["refusal"] == step.refusal and listed["safePath"] == safe_path(step)


def test_a_forced_edit_and_a_change_of_the_force_flags_alone_are_not_refused():
    forced = diff_plans(plan(subscription(["a.example.com"], forceUpdate=True)),
                        plan(subscription(["a.example.com", "b.example.com"], forceUpdate=True)))
    assert forced.by_name("sub").action == "update" and not forced.blockers
    flag = diff_plans(plan(subscription(["a.example.com"])), plan(subscription(["a.example.com"], forceUpdate=True)))
    assert flag.by_name("sub").action == "update" and not flag.blockers


def test_a_subscription_deleted_without_force_destroy_is_refused_even_once_unprotected():
    step = diff_plans(plan(subscription(["a.example.com"], protect=False)), plan()).by_name("sub")
    assert step.action == "delete" and step.blocker and "force_destroy" in step.refusal
    assert safe_path(step).startswith("the API refuses it: ")
    protected = diff_plans(plan(subscription(["a.example.com"])), plan())
    both = protected.by_name("sub")
    assert both.stopped_by_protection and "pulumi state unprotect" in safe_path(both) and "force_destroy" in safe_path(both)
    assert "sub  [protected: pulumi up stops here] [and refused by the API]" in render_text(protected)
    assert not diff_plans(plan(subscription(["a.example.com"], protect=False, forceDestroy=True)), plan()).blockers


def test_protection_is_the_state_s_a_program_that_drops_it_still_stops():
    diff = diff_plans(plan(record()), plan(record(protect=False, zoneId="Z2")))
    assert diff.by_name("track-a").blocker
    assert "(protect): true -> false" in render_text(diff)


# --- unknowns after apply ------------------------------------------------------------------------------


def certificate(domains):
    return resource(CERTIFICATE, "cert", {"domainName": domains[0], "subjectAlternativeNames": domains[1:]})


def validation_record(domain, value="_<acm-token>.{d}.", ignore=(), answer="<acm answer>"):
    return resource(RECORD, f"track-validation-{domain}",
                    {"name": value.format(d=domain), "records": [answer], "type": "CNAME", "zoneId": "Z1"},
                    protect=True, depends={"name": [urn(CERTIFICATE, "cert")], "records": [urn(CERTIFICATE, "cert")]},
                    ignoreChanges=list(ignore))


def test_an_input_from_a_replaced_resource_is_unknown_and_a_forcing_one_cascades():
    before = plan(certificate(["a.example.com"]), validation_record("a.example.com"))
    after = plan(certificate(["a.example.com", "b.example.com"]), validation_record("a.example.com"))
    diff = diff_plans(before, after)
    step = diff.by_name("track-validation-a.example.com")
    assert step.action == "replace" and step.blocker and step.forcing_path == "name"
    assert step.reason == (f"name is unknown after apply: it depends on cert ({CERTIFICATE}), which is replaced, "
                           "and name forces a new resource")
    assert ("name", "_<acm-token>.a.example.com.", UNKNOWN) in [(c.path, c.old, c.new) for c in step.changes]


def test_a_known_value_from_a_replaced_resource_stays_known():
    known = {"value": "{d}", "answer": "a.example.com.acm-validations.aws."}
    before = plan(certificate(["a.example.com"]), validation_record("a.example.com", **known))
    after = plan(certificate(["a.example.com", "b.example.com"]), validation_record("a.example.com", **known))
    assert diff_plans(before, after).by_name("track-validation-a.example.com").action == "same"


def test_ignore_changes_keeps_the_deployed_value_known():
    ignore = ("name", "records")
    before = plan(certificate(["a.example.com"]), validation_record("a.example.com", ignore=ignore))
    after = plan(certificate(["a.example.com", "b.example.com"]),
                 validation_record("a.example.com", value="changed.{d}", ignore=ignore))
    assert diff_plans(before, after).by_name("track-validation-a.example.com").action == "same"


def domain_id(domain):
    return ("/subscriptions/<subscription-id>/resourceGroups/rg/providers/Microsoft.Cdn/profiles/track-profile<random>"
            f"/customDomains/{domain.replace('.', '-')}")


def custom_domain(domain, host=None):
    return resource(CUSTOM_DOMAIN, f"track-domain-{domain}", {
        "customDomainName": domain.replace(".", "-"), "hostName": host or domain, "profileName": "track-profile<random>",
        "resourceGroupName": "rg"}, protect=False)


def route(*domains):
    return resource(ROUTE, "track-route", {"customDomains": [{"id": domain_id(d)} for d in domains], "routeName": "r"},
                    depends={"customDomains": [urn(CUSTOM_DOMAIN, f"track-domain-{d}") for d in domains]})


def test_a_computed_value_is_unknown_only_when_its_own_dependency_is_created_or_replaced():
    a, b, c = "a.example.com", "b.example.com", "c.example.com"
    before = plan(custom_domain(a), custom_domain(b), route(a, b))
    diff = diff_plans(before, plan(custom_domain(a), custom_domain(b), custom_domain(c), route(a, b, c)))
    step = diff.by_name("track-route")
    old = [{"id": domain_id(a)}, {"id": domain_id(b)}]
    assert step.action == "update"
    assert [(c.path, c.old, c.new) for c in step.changes] == [("customDomains", old, [*old, {"id": UNKNOWN}])]
    text = render_text(diff)
    assert 'customDomains: + {"id": "<unknown after apply>"}' in text and "customDomains[" not in text
    replaced = diff_plans(before, plan(custom_domain(a), custom_domain(b, host="b2.example.com"), route(a, b)))
    assert replaced.by_name(f"track-domain-{b}").action == "replace"
    assert [(c.path, c.new) for c in replaced.by_name("track-route").changes] == [("customDomains[1].id", UNKNOWN)]


def fqdn_record(domain):
    return resource(RECORD, f"track-validation-{domain}", {"name": f"_<acm-token>.{domain}.", "type": "CNAME",
                                                           "zoneId": "Z1", "records": ["<answer>"]})


def waiter(*domains, known=()):
    fqdns = [f"_<acm-token>.{d}" for d in domains] + list(known)
    return resource(VALIDATION, "validation", {"certificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
                                               "validationRecordFqdns": fqdns},
                    depends={"validationRecordFqdns": [urn(RECORD, f"track-validation-{d}") for d in (*domains, *known)]})


def test_a_forcing_list_fed_by_several_resources_is_replaced_for_its_own_unknown_element_only():
    a, b, c = "a.example.com", "b.example.com", "c.example.com"
    before = plan(fqdn_record(a), fqdn_record(b), waiter(a, b))
    appended = diff_plans(before, plan(fqdn_record(a), fqdn_record(b), fqdn_record(c), waiter(a, b, c)))
    step = appended.by_name("validation")
    assert step.action == "replace" and step.forcing_path == "validationRecordFqdns[2]"
    assert f"it depends on track-validation-{c} ({RECORD}), which is created" in step.reason
    assert [describe_change(change) for change in step.changes] == ["validationRecordFqdns: + <unknown after apply>"]
    # b's record is replaced, but the name it feeds in is known: the others' computed names stay known too
    known = {**fqdn_record(b), "inputs": {**fqdn_record(b)["inputs"], "name": b}}
    moved = {**known, "inputs": {**known["inputs"], "zoneId": "Z2"}}
    diff = diff_plans(plan(fqdn_record(a), known, waiter(a, known=[b])), plan(fqdn_record(a), moved, waiter(a, known=[b])))
    assert diff.by_name(f"track-validation-{b}").action == "replace"
    assert diff.by_name("validation").action == "same"


def test_an_update_that_recomputes_outputs_flags_the_inputs_that_may_carry_them():
    subscription = "fastly:index/tlsSubscription:TlsSubscription"
    sub = lambda domains: resource(subscription, "sub", {"certificateAuthority": "lets-encrypt", "domains": domains})
    user = resource("example:index/consumer:Consumer", "consumer", {"challenge": "<challenge of a>"},
                    depends={"challenge": [urn(subscription, "sub")]})
    diff = diff_plans(plan(sub(["a"]), user), plan(sub(["a", "b"]), user))
    assert diff.by_name("sub").action == "update"
    consumer = diff.by_name("consumer")
    assert consumer.action == "same" and consumer.notes == (
        "challenge may change after apply: sub recomputes managedDnsChallenges, managedHttpChallenges when updated",)
    assert any("processing or renewing" in note for note in diff.by_name("sub").notes)


# --- lists --------------------------------------------------------------------------------------------


def test_a_list_of_names_shows_the_names_added_and_removed_not_every_shifted_position():
    domains = [f"t{i}.example.com" for i in range(11)]
    after = [d for d in domains if d != "t3.example.com"] + ["t11.example.com"]
    distribution = lambda aliases: resource(DISTRIBUTION, "distribution", {"aliases": aliases})
    step = diff_plans(plan(distribution(domains)), plan(distribution(after))).by_name("distribution")
    assert [describe_change(c) for c in step.changes] == ['aliases: + "t11.example.com"; - "t3.example.com"']
    swapped = diff_plans(plan(distribution(["a", "b"])), plan(distribution(["b", "a"]))).by_name("distribution")
    assert [describe_change(c) for c in swapped.changes] == ["aliases: reordered"]


def test_a_list_of_objects_whose_items_shifted_shows_the_items_added_and_removed():
    service = lambda domains: resource("fastly:index/serviceVcl:ServiceVcl", "service",
                                       {"domains": [{"name": d} for d in domains], "defaultTtl": 10})
    domains = [f"t{i}.example.com" for i in range(11)]
    after = [d for d in domains if d != "t3.example.com"] + ["t11.example.com"]
    step = diff_plans(plan(service(domains)), plan(service(after))).by_name("service")
    assert [describe_change(c) for c in step.changes] == [
        'domains: + {"name": "t11.example.com"}; - {"name": "t3.example.com"}']
    edited = diff_plans(plan(service(domains)), plan(service(["t0.example.org", *domains[1:]]))).by_name("service")
    assert [describe_change(c) for c in edited.changes] == ['domains[0].name: "t0.example.com" -> "t0.example.org"']


def test_a_long_value_keeps_its_end_where_an_id_names_the_domain():
    ids = lambda names: [f"/subscriptions/0000/resourceGroups/tracking-rg/providers/Microsoft.Cdn/profiles/"
                         f"tracking/customDomains/{name}" for name in names]
    route = lambda names: resource("azure-native:cdn:Route", "route", {"customDomains": [{"id": i} for i in ids(names)]})
    step = diff_plans(plan(route(["track-example-com", "t3-example-com"])),
                      plan(route(["track-example-com", "t4-example-com"]))).by_name("route")
    [shown] = [describe_change(c) for c in step.changes]
    assert "t3-example-com" in shown and "t4-example-com" in shown and "characters)" in shown, shown


def test_a_list_whose_order_matters_is_shown_by_position():
    proxy = lambda certificates: resource(HTTPS_PROXY, "https", {"sslCertificates": certificates})
    step = diff_plans(plan(proxy(["a", "b"])), plan(proxy(["b", "a"]))).by_name("https")
    assert [describe_change(c) for c in step.changes] == ['sslCertificates[0]: "a" -> "b"', 'sslCertificates[1]: "b" -> "a"']


# --- identity: aliases, parents, providers -------------------------------------------------------------


def test_an_alias_carries_a_renamed_resource_over():
    renamed = {**record("track-new"), "aliases": [{"urn": urn(RECORD, "track-a")}]}
    spec = {**record("track-new"), "aliases": [{"spec": {"name": "track-a", "parentUrn": ""}}]}
    for after in (renamed, spec):
        step = diff_plans(plan(record()), plan(after)).by_name("track-new")
        assert (step.action, step.old_urn) == ("same", urn(RECORD, "track-a"))


def test_a_child_inherits_its_renamed_parent_s_alias():
    old_parent = component("track")
    new_parent = {**component("links"), "aliases": [{"spec": {"name": "track", "parentUrn": ""}}]}
    new_urn = urn(RECORD, "links-a")
    child = {**record("links-a"), "urn": new_urn, "parent": new_parent["urn"]}
    before = {**plan(), "resources": [old_parent, record("track-a")]}
    after = {**plan(), "resources": [new_parent, child]}
    assert {r.action for r in diff_plans(before, after).resources} == {"same"}


def test_a_new_parent_without_alias_is_a_delete_and_a_create():
    moved = {**record(), "urn": urn(RECORD, "track-a", None), "parent": ROOT}
    diff = diff_plans(plan(record()), plan(moved))
    assert sorted(r.action for r in diff.resources if r.custom) == ["create", "delete"]
    assert diff.blockers[0].old_urn == urn(RECORD, "track-a")


def test_an_explicit_provider_change_replaces():
    step = diff_plans(plan(record(protect=False)), plan({**record(protect=False), "provider": "urn:p::id"})).by_name("track-a")
    assert (step.action, step.forcing_path) == ("replace", "(provider)")


def test_delete_before_replace_from_the_option_and_from_the_provider_s_rule():
    dbr = {**record(protect=False, name="b.example.com"), "deleteBeforeReplace": True}
    assert diff_plans(plan(record(protect=False)), plan(dbr)).by_name("track-a").delete_before_replace
    dynamic = lambda **inputs: resource("pulumi-python:dynamic:Resource", "sp", {"domain": "t.example.com", **inputs})
    same_domain = diff_plans(plan(dynamic(subaccount=1)), plan(dynamic(subaccount=2))).by_name("sp")
    assert same_domain.action == "replace" and same_domain.delete_before_replace
    new_domain = diff_plans(plan(dynamic()), plan(dynamic(domain="u.example.com"))).by_name("sp")
    assert new_domain.action == "replace" and not new_domain.delete_before_replace


def test_a_type_without_rules_is_left_for_review_never_called_an_update():
    widget = lambda size: resource(UNKNOWN_TYPE, "w", {"size": size})
    diff = diff_plans(plan(widget(1)), plan(widget(2)))
    assert diff.by_name("w").action == "review"
    text = render_text(diff)
    assert f"replacement rules unknown for {UNKNOWN_TYPE}: review with pulumi preview" in text
    assert "1 to review" in text


# --- live names keep HTTPS -------------------------------------------------------------------------------


def cloudfront(domains, waiter=True):
    cert = certificate(domains)
    made = [cert]
    arn_from = cert["urn"]
    if waiter:
        made.append(resource(VALIDATION, "validation", {"certificateArn": "<arn of cert>"},
                             depends={"certificateArn": [cert["urn"]]}))
        arn_from = made[-1]["urn"]
    made.append(resource(DISTRIBUTION, "distribution", {"aliases": domains,
                         "viewerCertificate": {"acmCertificateArn": "<arn of cert>"}}, protect=True,
                         depends={"aliases": [], "viewerCertificate": [arn_from]}))
    return plan(*made)


def test_a_certificate_replaced_behind_a_waiter_keeps_https_and_one_without_loses_it():
    safe = diff_plans(cloudfront(["a.example.com"]), cloudfront(["a.example.com", "b.example.com"]))
    assert not safe.https_losses and not safe.blockers
    unsafe = diff_plans(cloudfront(["a.example.com"], waiter=False),
                        cloudfront(["a.example.com", "b.example.com"], waiter=False))
    assert [(loss.name, loss.certificate) for loss in unsafe.https_losses] == [("a.example.com", urn(CERTIFICATE, "cert"))]
    assert "distribution serves with the new one before it is issued" in unsafe.https_losses[0].why
    assert "1 live name(s) would lose HTTPS" in render_text(unsafe)


# --- the command ----------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A copy of the project with one CloudFront stack: returns (directory, stack file)."""
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    stack = tmp_path / "stacks" / "Pulumi.cf.yaml"
    stack.write_text((REPO / "stacks" / "Pulumi.cloudfront-example.yaml").read_text())
    return tmp_path, stack


def plan_cli(project_dir, *flags, capsys):
    code = cli.main(["plan", "--stack", "cf", "--project-dir", str(project_dir), *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_json_then_against_prints_the_diff_and_its_blocker_exit_code(project, capsys):
    directory, stack = project
    code, before, _ = plan_cli(directory, "--json", capsys=capsys)
    assert code == 0
    (directory / "before.json").write_text(before)
    code, text, err = plan_cli(directory, "--against", str(directory / "before.json"), capsys=capsys)
    assert (code, err) == (0, "") and "No changes." in text
    stack.write_text(stack.read_text().replace("Z0123456789EXAMPLE", "Z0OTHERZONE"))
    code, text, err = plan_cli(directory, "--against", str(directory / "before.json"), capsys=capsys)
    assert code == 1 and err == ""
    assert text.startswith("OFFLINE DIFF - not a cloud preview.")
    assert "! +- aws:route53/record:Record  tracking-a-click2.example.com  [protected: pulumi up stops here]" in text
    assert "zoneId: \"Z0123456789EXAMPLE\" -> \"Z0OTHERZONE\"" in text
    code, again, _ = plan_cli(directory, "--against", str(directory / "before.json"), capsys=capsys)
    assert again == text, "byte-stable"
    code, document, _ = plan_cli(directory, "--against", str(directory / "before.json"), "--json", capsys=capsys)
    parsed = json.loads(document)
    assert code == 1 and parsed["document"] == "diff" and parsed["summary"]["blockers"] == 3
    assert document == json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert all(r["safePath"].startswith("replacing it takes down") for r in parsed["resources"] if r["blocker"])


def test_appending_a_domain_to_a_shared_fastly_subscription_is_a_blocker(tmp_path, capsys):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    stack = tmp_path / "stacks" / "Pulumi.fs.yaml"
    text = (REPO / "stacks" / "Pulumi.fastly-example.yaml").read_text()
    assert "  # tracking-cdn:certificates: shared\n" in text
    stack.write_text(text.replace("  # tracking-cdn:certificates: shared\n", "  tracking-cdn:certificates: shared\n"))
    command = ["plan", "--stack", "fs", "--project-dir", str(tmp_path)]
    assert cli.main([*command, "--json"]) == 0
    (tmp_path / "before.json").write_text(capsys.readouterr().out)
    stack.write_text(stack.read_text().replace("  tracking-cdn:domains:\n", "  tracking-cdn:domains:\n    - click3.example.com\n"))
    assert cli.main([*command, "--against", str(tmp_path / "before.json")]) == 1
    text = capsys.readouterr().out
    assert f"! ~  {SUBSCRIPTION}  tracking-certificate  [refused by the API: pulumi up stops here]" in text
    assert "1 blocker (pulumi up would stop)" in text


@pytest.mark.parametrize("content, words", [
    (None, "cannot read"),
    ("{not json", "is not valid JSON"),
    ('{"resources": []}', "not a plan document (no `format`)"),
    ('{"format": 2, "resources": []}', "plan format 2; this tracking-cdn reads format 1"),
    ('{"format": 1, "resources": [{"urn": "x"}], "project": "tracking-cdn", "stack": "cf"}', "resources[0] has no type"),
    ('{"format": 1, "document": "diff"}', "a diff, not a plan"),
    ('{"format": 1, "resources": [], "project": "tracking-cdn", "stack": "prod"}', "a plan of stack 'prod', not 'cf'"),
    ('{"format": 1, "resources": [], "project": "other", "stack": "cf"}', "a plan of project 'other'"),
])
def test_a_file_that_is_not_a_comparable_plan_is_refused_in_one_line(project, capsys, content, words):
    directory, _ = project
    path = directory / "before.json"
    if content is not None:
        path.write_text(content)
    code, out, err = plan_cli(directory, "--against", str(path), capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith("tracking-cdn plan: error: --against: ") and err.count("\n") == 1 and words in err


def test_a_secret_s_value_shows_in_no_diff(tmp_path):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    stack = tmp_path / "stacks" / "Pulumi.sp.yaml"
    base = (REPO / "stacks" / "Pulumi.sparkpost-example.yaml").read_text()
    run = lambda *flags: subprocess.run([sys.executable, "-m", "tracking_cdn.cli", "plan", "--stack", "sp",
                                         "--project-dir", str(tmp_path), *flags], capture_output=True, text=True)
    stack.write_text(base + "  tracking-cdn:sparkpostApiKey: first-secret-value\n")
    (tmp_path / "before.json").write_text(run("--json").stdout)
    stack.write_text(base + "  tracking-cdn:sparkpostApiKey: second-secret-value\n")
    for flags in ([], ["--json"]):
        done = run("--against", str(tmp_path / "before.json"), *flags)
        assert done.returncode == 0, done.stderr
        assert "secret-value" not in done.stdout + done.stderr


def test_the_diff_json_names_every_step_with_its_reason():
    diff = diff_plans(plan(record()), plan(record(zoneId="Z2")))
    (step,) = json.loads(render_json(diff))["resources"]
    assert step["action"] == "replace" and step["blocker"] and step["forcingPath"] == "zoneId"
    assert step["changes"] == [{"path": "zoneId", "old": "Z1", "new": "Z2"}]
    assert step["urn"] == urn(RECORD, "track-a") and COMPONENT and PROJECT and STACK


# --- the table --------------------------------------------------------------------------------------


def test_every_resource_type_a_front_door_registers_has_replacement_rules():
    from scenarios import SCENARIOS

    registered = {r.type for s in SCENARIOS for r in s.run().resources if r.custom}
    assert registered and registered <= set(TABLE), sorted(registered - set(TABLE))


def test_every_rule_cites_where_it_was_read():
    for rules in TABLE.values():
        every = [rules.every_input_forces] if rules.every_input_forces else []
        assert rules.source, rules.type
        for rule in (*rules.forces, *every, *rules.conditional):
            assert rule.source and rule.path, (rules.type, rule)


def test_the_table_copies_the_sparkpost_provider_s_own_replacement_rule():
    from tracking_cdn.sparkpost import SparkPostTrackingDomainProvider

    assert SPARKPOST_REPLACE_ON == SparkPostTrackingDomainProvider.replace_on
    assert tuple(rule.path for rule in TABLE["pulumi-python:dynamic:Resource"].forces) == SPARKPOST_REPLACE_ON


def test_the_table_copies_the_keycdn_providers_own_replacement_rules():
    from tracking_cdn.keycdn import KeyCdnZoneAliasProvider, KeyCdnZoneProvider

    for provider, token in ((KeyCdnZoneProvider, "Zone"), (KeyCdnZoneAliasProvider, "ZoneAlias")):
        assert provider.replace_on == KEYCDN_REPLACE_ON
        rules = TABLE[f"pulumi-python:dynamic/keycdn:{token}"]
        assert tuple(rule.path for rule in rules.forces) == KEYCDN_REPLACE_ON
        assert rules.delete_before_replace_unless == (provider.name_property,)
