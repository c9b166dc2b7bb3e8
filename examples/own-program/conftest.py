"""tracking-cdn's test toolkit for every test here: the fixtures offline_run and simulated_cloud, fed
with this project's own mocks and data-source results."""

import pulumi
import pytest

pytest_plugins = ["tracking_cdn.testing"]


class AcmeMocks(pulumi.runtime.Mocks):
    """This project's own mocks, for the resources and data sources tracking-cdn does not simulate."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        if args.typ == "aws:s3/bucket:Bucket":
            outputs["arn"] = f"arn:aws:s3:::{args.inputs['bucket']}"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def tracking_cdn_mocks():
    return AcmeMocks()


@pytest.fixture
def tracking_cdn_calls():
    return {"aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "123456789012"}}
