"""What SparkPost would report for a ``SparkPostTrackingDomain``, for offline runs (no SDK import).

Its verification is known only once ``pulumi up`` has asked SparkPost, so the plan shows placeholders
rather than an empty ``sparkpostVerified``. ``SparkPostTrackingDomain`` is the project's only dynamic
resource; the fake answers for resources with its properties and leaves any other dynamic resource to the
caller's own mocks (None: not one of ours).
"""

from typing import Optional

DYNAMIC_RESOURCE = "pulumi-python:dynamic:Resource"


def _tracking_domain(inputs: dict, name: str) -> Optional[dict]:
    if "domain" not in inputs or "api_base_url" not in inputs:
        return None
    return {
        "verified": "<SparkPost's verification, checked on pulumi up>",
        "cname_status": "<checked on pulumi up>",
        "compliance_status": "<checked on pulumi up>",
        "pending": "<what SparkPost still waits for, known on pulumi up>",
    }


RESOURCES = {DYNAMIC_RESOURCE: _tracking_domain}

CALLS: dict = {}
