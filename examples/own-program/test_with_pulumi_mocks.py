"""Unit tests as Pulumi's testing guide writes them: plain mocks (a resource's outputs are its inputs,
a data source answers {} unless told otherwise), the program imported after ``set_mocks``."""

import json

import pulumi


class MyMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        return [args.name + "_id", args.inputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": "123456789012"}
        return {}


pulumi.runtime.set_mocks(MyMocks(), project="acme-mail", stack="dev", preview=False)
pulumi.runtime.set_all_config({
    "acme-mail:edgeRoleArn": "arn:aws:iam::210987654321:role/tracking-edge",
    "acme-mail:linkDomains": json.dumps(["click.links.example.com"]),
    "acme-mail:marketingProject": "acme-marketing",
    "acme-mail:promoDomains": json.dumps(["promo.example.org"]),
})

import infra  # noqa: E402  (after the mocks, as the guide says)


@pulumi.runtime.test
def test_the_log_bucket_is_named_after_the_account():
    return infra.mail_logs.bucket.apply(lambda name: _assert_equal(name, "acme-mail-logs-123456789012"))


@pulumi.runtime.test
def test_every_tracking_domain_says_where_its_dns_must_point():
    def check(targets):
        links, promo = targets
        assert list(links) == ["click.links.example.com"]
        assert list(promo) == ["promo.example.org"]

    return pulumi.Output.all(infra.links.route_targets, infra.promo.route_targets).apply(check)


@pulumi.runtime.test
def test_the_validation_records_are_listed_for_the_zone_elsewhere():
    def check(records):
        assert {record["purpose"] for record in records} == {"validation", "route"}
        assert all(isinstance(record["value"], str) and record["value"] for record in records)

    return infra.promo.dns_records.apply(check)


def _assert_equal(actual, expected):
    assert actual == expected
