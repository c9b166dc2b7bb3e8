"""What Azure would compute for the Front Door Standard/Premium resources, for offline runs.

Azure-native auto-names resources it is not given a name for (logical name plus a random suffix) and
builds resource IDs from the subscription; both are shown as placeholders in angle brackets. No SDK import.
"""

SUBSCRIPTION = "<subscription-id>"


def _name(inputs: dict, key: str, logical_name: str) -> str:
    return inputs.get(key) or f"{logical_name}<random-suffix>"


def _cdn_id(inputs: dict, *path: str) -> str:
    group = inputs.get("resourceGroupName") or "<resource-group>"
    profile = inputs.get("profileName") or "<profile>"
    tail = "".join(f"/{segment}" for segment in path)
    return (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Cdn/profiles/{profile}{tail}"
    )


def _profile(inputs: dict, name: str) -> dict:
    profile = _name(inputs, "profileName", name)
    return {
        "id": _cdn_id({**inputs, "profileName": profile}),
        "name": profile,
        "frontDoorId": f"<front-door-id of {profile}>",
        "provisioningState": "Succeeded",
        "resourceState": "Active",
    }


def _endpoint(inputs: dict, name: str) -> dict:
    endpoint = _name(inputs, "endpointName", name)
    return {
        "id": _cdn_id(inputs, "afdEndpoints", endpoint),
        "name": endpoint,
        # TenantReuse (the default scope) appends a hash to the endpoint name.
        "hostName": f"{endpoint}-<hash>.z01.azurefd.net",
        "deploymentStatus": "NotStarted",
        "provisioningState": "Succeeded",
    }


def _origin_group(inputs: dict, name: str) -> dict:
    group = _name(inputs, "originGroupName", name)
    return {"id": _cdn_id(inputs, "originGroups", group), "name": group, "provisioningState": "Succeeded"}


def _origin(inputs: dict, name: str) -> dict:
    origin = _name(inputs, "originName", name)
    group = inputs.get("originGroupName") or "<origin-group>"
    return {
        "id": _cdn_id(inputs, "originGroups", group, "origins", origin),
        "name": origin,
        "provisioningState": "Succeeded",
    }


def _custom_domain(inputs: dict, name: str) -> dict:
    domain = _name(inputs, "customDomainName", name)
    host = inputs.get("hostName", "<host>")
    return {
        "id": _cdn_id(inputs, "customDomains", domain),
        "name": domain,
        "domainValidationState": "Pending",
        "deploymentStatus": "NotStarted",
        "provisioningState": "Succeeded",
        "validationProperties": {
            "validationToken": f"<validation-token-for-{host}>",
            "expirationDate": "<7 days after creation>",
        },
    }


def _route(inputs: dict, name: str) -> dict:
    route = _name(inputs, "routeName", name)
    endpoint = inputs.get("endpointName") or "<endpoint>"
    return {
        "id": _cdn_id(inputs, "afdEndpoints", endpoint, "routes", route),
        "name": route,
        "provisioningState": "Succeeded",
    }


def _rule_set(inputs: dict, name: str) -> dict:
    rule_set = _name(inputs, "ruleSetName", name)
    return {"id": _cdn_id(inputs, "ruleSets", rule_set), "name": rule_set, "provisioningState": "Succeeded"}


def _rule(inputs: dict, name: str) -> dict:
    rule = _name(inputs, "ruleName", name)
    rule_set = inputs.get("ruleSetName") or "<rule-set>"
    return {"id": _cdn_id(inputs, "ruleSets", rule_set, "rules", rule), "name": rule, "provisioningState": "Succeeded"}


def _record_set(inputs: dict, name: str) -> dict:
    zone = inputs.get("zoneName", "<zone>")
    relative = inputs.get("relativeRecordSetName", "<record>")
    group = inputs.get("resourceGroupName") or "<resource-group>"
    record_type = inputs.get("recordType", "<type>")
    return {
        "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Network/dnszones/{zone}/"
        f"{record_type}/{relative}",
        "name": relative,
        "fqdn": f"{relative}.{zone}.",
        "provisioningState": "Succeeded",
    }


RESOURCES = {
    "azure-native:cdn:Profile": _profile,
    "azure-native:cdn:AFDEndpoint": _endpoint,
    "azure-native:cdn:AFDOriginGroup": _origin_group,
    "azure-native:cdn:AFDOrigin": _origin,
    "azure-native:cdn:AFDCustomDomain": _custom_domain,
    "azure-native:cdn:Route": _route,
    "azure-native:cdn:RuleSet": _rule_set,
    "azure-native:cdn:Rule": _rule,
    "azure-native:dns:RecordSet": _record_set,
}

CALLS: dict = {}
