"""What AWS would compute for the CloudFront front door's resources, for offline runs.

No SDK import. Values known only after deployment are readable placeholders in angle brackets; they
keep the shape the component's logic relies on (one ACM DNS validation option per domain name).
"""

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"


def _certificate(inputs: dict, name: str) -> dict:
    region = inputs.get("region") or "<provider-region>"
    names = [inputs.get("domainName")] + list(inputs.get("subjectAlternativeNames") or [])
    seen: list[str] = []
    for domain in names:
        if domain and domain not in seen:
            seen.append(domain)
    arn = f"arn:aws:acm:{region}:<account>:certificate/<{name}>"
    return {
        "id": arn,
        "arn": arn,
        "status": "PENDING_VALIDATION",
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_<acm-token>.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_<acm-answer>.{domain}.acm-validations.aws.",
            }
            for domain in seen
        ],
    }


def _certificate_validation(inputs: dict, name: str) -> dict:
    return {"id": f"<{name}>", "certificateArn": inputs.get("certificateArn")}


def _distribution(inputs: dict, name: str) -> dict:
    return {
        "id": f"<{name}-id>",
        "arn": f"arn:aws:cloudfront::<account>:distribution/<{name}-id>",
        "domainName": f"<{name}>.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": "Deployed",
        "etag": "<etag>",
    }


def _cache_policy(inputs: dict, name: str) -> dict:
    return {"id": f"<{name}-id>", "etag": "<etag>", "name": inputs.get("name") or f"<{name}>"}


def _function(inputs: dict, name: str) -> dict:
    function_name = inputs.get("name") or f"<{name}>"
    return {
        "id": function_name,
        "arn": f"arn:aws:cloudfront::<account>:function/{function_name}",
        "etag": "<etag>",
        "liveStageEtag": "<etag>",
        "status": "DEPLOYED",
    }


def _configuration_set(inputs: dict, name: str) -> dict:
    region = inputs.get("region") or "<provider-region>"
    set_name = inputs.get("configurationSetName")
    return {"id": set_name, "arn": f"arn:aws:ses:{region}:<account>:configuration-set/{set_name}"}


def _record(inputs: dict, name: str) -> dict:
    record_name = str(inputs.get("name") or "").rstrip(".")
    return {
        "id": f"{inputs.get('zoneId')}_{record_name}_{inputs.get('type')}",
        "fqdn": record_name,
    }


RESOURCES = {
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": _certificate_validation,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/cachePolicy:CachePolicy": _cache_policy,
    "aws:cloudfront/function:Function": _function,
    "aws:sesv2/configurationSet:ConfigurationSet": _configuration_set,
    "aws:route53/record:Record": _record,
}

CALLS: dict = {}
