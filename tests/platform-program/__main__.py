"""A platform's own program (tests/test_platform_program.py plans it): its own bucket, and its customers'
tracking domains as tenants of one CloudFront platform, read from the stack's config."""

import pulumi
import pulumi_aws as aws

from tracking_cdn.platform.cloudfront import CloudFrontTrackingPlatform, CloudFrontTrackingTenant

config = pulumi.Config()
aws.s3.Bucket("exports", bucket="acme-saas-exports")
platform = CloudFrontTrackingPlatform("links", {"esp": config.get("esp") or "sparkpost"})
tenants = {
    name: CloudFrontTrackingTenant(name, {"platform": platform, "domains": domains})
    for name, domains in sorted(config.require_object("tenants").items())
}
pulumi.export("tenantConfig", platform.tenant_config)
pulumi.export("routeTargets", {name: tenant.route_targets for name, tenant in tenants.items()})
