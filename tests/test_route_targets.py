"""``route_targets``: where DNS must point, one output of the same name on every front door.

Derived from the route records of ``dns_records`` in the shared base class, so it agrees with them on
every scenario (tests/scenarios.py), and with each front door's own output that says the same thing:
CloudFront's ``distribution_domain_names``, GCP's ``ip_address``, Azure's ``endpoint_host_name``.
"""

import pytest
from scenarios import SCENARIOS, scenario

from tracking_cdn.contract import ROUTE, TrackingDomainComponent, route_targets
from tracking_cdn.stack import FRONT_DOORS, load_front_door
from tracking_cdn.stack_config import output_names


def the_component(run):
    return next(r for r in run.resources if r.type.startswith("tracking-cdn:index:"))


@pytest.mark.parametrize("front_door", FRONT_DOORS)
def test_every_front_door_declares_route_targets_from_the_base_class(front_door):
    component, _ = load_front_door(front_door)
    assert "route_targets" in output_names(component)
    assert "route_targets" not in vars(component).get("__annotations__", {}), "declared once, in the base class"
    assert "route_targets" in TrackingDomainComponent.__annotations__


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda case: case.id)
def test_route_targets_maps_each_domain_to_its_route_record(case):
    outputs = the_component(case.run()).outputs
    routes = {}
    for record in outputs["dns_records"]:
        if record["purpose"] == ROUTE:
            routes.setdefault(record["name"], []).append(record)
    assert list(outputs["route_targets"]) == [domain for domain in outputs["route_targets"] if domain in routes]
    assert set(outputs["route_targets"]) == set(routes)
    for domain, target in outputs["route_targets"].items():
        assert target in [record["value"] for record in routes[domain]]
        if case.front_door == "cloudfront":
            assert target in outputs["distribution_domain_names"]
        elif case.front_door == "gcp":
            assert target == outputs["ip_address"]
        elif case.front_door == "azure":
            assert target == outputs["endpoint_host_name"]


def test_a_domain_with_an_a_and_an_aaaa_record_points_at_the_ipv4_address():
    outputs = the_component(scenario("gcp/ipv6").run()).outputs
    assert {record["type"] for record in outputs["dns_records"] if record["purpose"] == ROUTE} == {"A", "AAAA"}
    assert set(outputs["route_targets"].values()) == {outputs["ip_address"]}


def test_a_fastly_draft_domain_has_no_route_target_yet():
    run = scenario("fastly/draft").run()
    outputs = the_component(run).outputs
    assert "click2.example.com" not in outputs["route_targets"]
    assert "track.example.com" in outputs["route_targets"]


def test_the_first_of_cname_alias_a_aaaa_wins_whatever_the_order():
    records = [
        {"name": "t.example.com", "type": "AAAA", "value": "2001:db8::1", "purpose": "route"},
        {"name": "t.example.com", "type": "A", "value": "192.0.2.1", "purpose": "route"},
        {"name": "_acme-challenge.t.example.com", "type": "CNAME", "value": "x.example.net", "purpose": "validation"},
        {"name": "u.example.com", "type": "AAAA", "value": "2001:db8::2", "purpose": "route"},
    ]
    assert route_targets(records, ["u.example.com", "t.example.com", "v.example.com"]) == {
        "u.example.com": "2001:db8::2",
        "t.example.com": "192.0.2.1",
    }


def test_the_stack_program_exports_route_targets():
    from conftest import run_stack

    assert run_stack("cloudfront-example").stack_outputs["routeTargets"] == {
        "click2.example.com": "<tracking-distribution>.cloudfront.net"
    }
