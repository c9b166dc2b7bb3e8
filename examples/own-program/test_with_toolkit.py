"""Unit tests with tracking_cdn.testing: the program runs as the Pulumi CLI runs it, tracking-cdn's
resources get the outputs the cloud would compute, and every registration can be inspected."""

import json
from pathlib import Path

import pulumi
import pytest

from tracking_cdn.testing import OfflineRun, SimulatedCloud

PROJECT = Path(__file__).parent
CONFIG = {
    "acme-mail:edgeRoleArn": "arn:aws:iam::210987654321:role/tracking-edge",
    "acme-mail:linkDomains": ["click.links.example.com", "open.links.example.com"],
    "acme-mail:marketingProject": "acme-marketing",
    "acme-mail:promoDomains": ["promo.example.org"],
}


@pytest.fixture
def run(offline_run) -> OfflineRun:
    return offline_run(PROJECT, config=CONFIG, stack="dev")


def test_the_front_door_lives_in_the_edge_account(run):
    edge = run.one("pulumi:providers:aws")
    distribution = run.one("aws:cloudfront/distribution:Distribution")
    # A provider's nested inputs reach the engine JSON-encoded, as Pulumi sends them.
    assert json.loads(edge.inputs["assumeRoles"])[0]["roleArn"] == CONFIG["acme-mail:edgeRoleArn"]
    assert distribution.provider.startswith(edge.urn + "::")


def test_the_certificate_is_in_us_east_1_whatever_the_edge_region(run):
    assert run.one("aws:acm/certificate:Certificate").inputs["region"] == "us-east-1"


def test_the_load_balancer_lives_in_the_marketing_project(run):
    marketing = run.one("pulumi:providers:gcp")
    assert marketing.inputs["project"] == "acme-marketing"
    assert run.one("gcp:compute/backendService:BackendService").provider.startswith(marketing.urn + "::")


def test_dns_points_at_the_distribution_and_the_load_balancer(run):
    targets = run.stack_outputs["routeTargets"]
    assert sorted(targets) == ["click.links.example.com", "open.links.example.com", "promo.example.org"]
    assert targets["click.links.example.com"].endswith(".cloudfront.net")
    assert targets["promo.example.org"] == run.one("gcp:compute/globalAddress:GlobalAddress").outputs["address"]


def test_the_serving_resources_are_protected(run):
    assert run.one("aws:cloudfront/distribution:Distribution").protect


def test_our_own_resources_get_our_own_mocks_outputs(run):
    assert run.one("aws:s3/bucket:Bucket").outputs["arn"] == "arn:aws:s3:::acme-mail-logs-123456789012"


@pulumi.runtime.test
def test_in_pulumis_own_style_with_the_simulated_cloud(simulated_cloud: SimulatedCloud):
    from tracking_cdn.aws import CloudFrontTrackingDomain

    links = CloudFrontTrackingDomain("links", {"domains": ["click.links.example.com"]})

    def check(targets):
        assert targets["click.links.example.com"].endswith(".cloudfront.net")

    return links.route_targets.apply(check)
