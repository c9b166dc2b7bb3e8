"""Acme's mail infrastructure: what the program had before, plus two tracking-cdn front doors.

The CloudFront front door lives in a second AWS account ("edge", reached by assuming a role) and a
second region, with the Route 53 zone of its tracking domains beside it; the GCP load balancer lives in
the marketing project. Both get their provider through ``opts``, as any resource does.
"""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from tracking_cdn.aws import CloudFrontTrackingDomain
from tracking_cdn.gcp import GcpLoadBalancerTrackingDomain

config = pulumi.Config()  # this project's own settings: acme-mail:*

# What the program had before: a bucket for the mail logs in the main account, named after it.
account = aws.get_caller_identity()
mail_logs = aws.s3.Bucket("mail-logs", bucket=f"acme-mail-logs-{account.account_id}")

# The edge account, in its own region. The certificate CloudFront needs goes to us-east-1 whatever it is.
edge = aws.Provider(
    "edge",
    region=config.get("edgeRegion") or "eu-west-1",
    assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=config.require("edgeRoleArn"))],
)
links_zone = aws.route53.Zone("links", name="links.example.com", opts=pulumi.ResourceOptions(provider=edge))
links = CloudFrontTrackingDomain(
    "links",
    {
        "domains": config.require_object("linkDomains"),
        "hosted_zone_id": links_zone.zone_id,
        "hosted_zone_name": "links.example.com",
    },
    opts=pulumi.ResourceOptions(providers={"aws": edge}),
)

# The marketing project's tracking domain, on a Google Cloud load balancer, DNS hosted elsewhere.
marketing = gcp.Provider("marketing", project=config.require("marketingProject"))
promo = GcpLoadBalancerTrackingDomain(
    "promo",
    {"domains": config.require_object("promoDomains"), "esp": "sendgrid"},
    opts=pulumi.ResourceOptions(providers={"gcp": marketing}),
)

pulumi.export("mailLogsBucket", mail_logs.bucket)
# route_targets has the same name on every front door: where each tracking domain's DNS must point.
pulumi.export(
    "routeTargets",
    pulumi.Output.all(links.route_targets, promo.route_targets).apply(lambda targets: {**targets[0], **targets[1]}),
)
