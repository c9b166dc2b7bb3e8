"""What Azure would compute for the Front Door Standard/Premium resources, for offline runs.

Azure-native auto-names resources it is not given a name for (logical name plus a random suffix) and
builds resource IDs from the subscription; both are shown as placeholders in angle brackets. No SDK import.
"""

from typing import Optional

from . import ResourceFake

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


def _in_profile(collection: str, name_key: str, parent: Optional[tuple[str, str, str]] = None) -> ResourceFake:
    """A resource of the profile: its (auto-)name and resource ID, under ``parent`` (collection, name
    input, placeholder) when it nests in another child, e.g. an origin in its origin group."""

    def fake(inputs: dict, name: str) -> dict:
        own = _name(inputs, name_key, name)
        path = (collection, own)
        if parent is not None:
            parent_collection, parent_key, placeholder = parent
            path = (parent_collection, inputs.get(parent_key) or placeholder, *path)
        return {"id": _cdn_id(inputs, *path), "name": own, "provisioningState": "Succeeded"}

    return fake


def _endpoint(inputs: dict, name: str) -> dict:
    endpoint = _in_profile("afdEndpoints", "endpointName")(inputs, name)
    # TenantReuse (the default scope) appends a hash to the endpoint name.
    return {**endpoint, "hostName": f"{endpoint['name']}-<hash>.z01.azurefd.net", "deploymentStatus": "NotStarted"}


def _custom_domain(inputs: dict, name: str) -> dict:
    host = inputs.get("hostName", "<host>")
    return {
        **_in_profile("customDomains", "customDomainName")(inputs, name),
        "domainValidationState": "Pending",
        "deploymentStatus": "NotStarted",
        "validationProperties": {
            "validationToken": f"<validation-token-for-{host}>",
            "expirationDate": "<7 days after creation>",
        },
    }


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


def _storage_account(inputs: dict, name: str) -> dict:
    account = inputs.get("accountName") or f"{name}<random-suffix>"
    group = inputs.get("resourceGroupName") or "<resource-group>"
    return {
        "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{account}",
        "name": account,
        # The zone digit of the web endpoint is Azure's choice (z1..z52).
        "primaryEndpoints": {
            "blob": f"https://{account}.blob.core.windows.net/",
            "web": f"https://{account}.<zone>.web.core.windows.net/",
        },
        "provisioningState": "Succeeded",
    }


def _static_website(inputs: dict, name: str) -> dict:
    return {"id": f"{inputs.get('accountName', '<account>')}/staticWebsite", "containerName": "$web"}


def _blob(inputs: dict, name: str) -> dict:
    blob = inputs.get("blobName") or name
    account = inputs.get("accountName", "<account>")
    return {
        "id": f"{account}/{inputs.get('containerName', '<container>')}/{blob}",
        "name": blob,
        "url": f"https://{account}.blob.core.windows.net/{inputs.get('containerName', '<container>')}/{blob}",
        "metadata": {},
    }


RESOURCES = {
    "azure-native:cdn:Profile": _profile,
    "azure-native:cdn:AFDEndpoint": _endpoint,
    "azure-native:cdn:AFDOriginGroup": _in_profile("originGroups", "originGroupName"),
    "azure-native:cdn:AFDOrigin": _in_profile(
        "origins", "originName", parent=("originGroups", "originGroupName", "<origin-group>")
    ),
    "azure-native:cdn:AFDCustomDomain": _custom_domain,
    "azure-native:cdn:Route": _in_profile("routes", "routeName", parent=("afdEndpoints", "endpointName", "<endpoint>")),
    "azure-native:cdn:RuleSet": _in_profile("ruleSets", "ruleSetName"),
    "azure-native:cdn:Rule": _in_profile("rules", "ruleName", parent=("ruleSets", "ruleSetName", "<rule-set>")),
    "azure-native:dns:RecordSet": _record_set,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:storage:StorageAccountStaticWebsite": _static_website,
    "azure-native:storage:Blob": _blob,
}

CALLS: dict = {}
