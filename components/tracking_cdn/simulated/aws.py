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


def _multitenant_distribution(inputs: dict, name: str) -> dict:
    # No routing endpoint of its own: tenants are reached through a connection group.
    return {
        "id": f"<{name}-id>",
        "arn": f"arn:aws:cloudfront::<account>:distribution/<{name}-id>",
        "domainName": "",
        "connectionMode": "tenant-only",
        "status": "Deployed",
        "etag": "<etag>",
    }


def _connection_group(inputs: dict, name: str) -> dict:
    return {
        "id": f"<{name}-id>",
        "arn": f"arn:aws:cloudfront::<account>:connection-group/<{name}-id>",
        "name": inputs.get("name") or f"<{name}>",
        "routingEndpoint": f"<routing endpoint of {name}>.cloudfront.net",
        "isDefault": False,
        "status": "Deployed",
        "etag": "<etag>",
    }


def _distribution_tenant(inputs: dict, name: str) -> dict:
    # Created without waiting: in progress, its domains inactive until the customer's CNAME and the
    # managed certificate are in place.
    return {
        "id": f"<{name}-id>",
        "arn": f"arn:aws:cloudfront::<account>:distribution-tenant/<{name}-id>",
        "status": "InProgress",
        "etag": "<etag>",
        "domains": [{"domain": item.get("domain"), "status": "inactive"} for item in inputs.get("domains") or []],
    }


def _key_value_store(inputs: dict, name: str) -> dict:
    store = inputs.get("name") or f"<{name}>"
    return {"id": store, "arn": f"arn:aws:cloudfront::<account>:key-value-store/<{name}-id>", "etag": "<etag>"}


def _key_value_store_key(inputs: dict, name: str) -> dict:
    return {"id": f"{inputs.get('keyValueStoreArn')},{inputs.get('key')}", "totalSizeInBytes": 0}


def _issued_certificate(args: dict) -> dict:
    """ACM's most recent issued certificate for a domain (the one CloudFront manages for a tenant)."""
    domain = args.get("domain")
    arn = f"arn:aws:acm:{args.get('region') or '<provider-region>'}:<account>:certificate/<issued for {domain}>"
    return {"id": arn, "arn": arn, "domain": domain, "status": "ISSUED", "statuses": args.get("statuses")}


RESOURCES = {
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": _certificate_validation,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/cachePolicy:CachePolicy": _cache_policy,
    "aws:cloudfront/function:Function": _function,
    "aws:sesv2/configurationSet:ConfigurationSet": _configuration_set,
    "aws:route53/record:Record": _record,
    "aws:cloudfront/multitenantDistribution:MultitenantDistribution": _multitenant_distribution,
    "aws:cloudfront/connectionGroup:ConnectionGroup": _connection_group,
    "aws:cloudfront/distributionTenant:DistributionTenant": _distribution_tenant,
    "aws:cloudfront/keyValueStore:KeyValueStore": _key_value_store,
    "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey": _key_value_store_key,
}

CALLS = {
    "aws:acm/getCertificate:getCertificate": _issued_certificate,
}
