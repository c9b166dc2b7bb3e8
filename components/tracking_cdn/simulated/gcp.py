"""What Google Cloud would compute for the GCP front door's resources, for offline runs.

No SDK import. Values known only after deployment are placeholders in angle brackets; names the
provider would auto-generate get a ``-<random>`` suffix, as Pulumi's auto-naming adds one.
"""

PROJECT = "<project>"


def _physical_name(inputs: dict, name: str) -> str:
    return inputs.get("name") or f"{name}-<random>"


def _global(collection: str):
    """A global compute resource: its name, id and self link as the API reports them."""

    def fake(inputs: dict, name: str) -> dict:
        physical = _physical_name(inputs, name)
        project = inputs.get("project") or PROJECT
        path = f"projects/{project}/global/{collection}/{physical}"
        return {
            "id": path,
            "name": physical,
            "project": project,
            "selfLink": f"https://www.googleapis.com/compute/v1/{path}",
        }

    return fake


def _address(inputs: dict, name: str) -> dict:
    version = inputs.get("ipVersion") or "IPV4"
    label = "IPv6" if version == "IPV6" else "IPv4"
    return {**_global("addresses")(inputs, name), "address": f"<{label} address of {name}>", "addressType": "EXTERNAL"}


def _managed_certificate(inputs: dict, name: str) -> dict:
    domains = list((inputs.get("managed") or {}).get("domains") or [])
    return {
        **_global("sslCertificates")(inputs, name),
        "certificateId": f"<certificate id of {name}>",
        "subjectAlternativeNames": domains,
        "expireTime": "<set once the certificate is ACTIVE>",
    }


def _network_endpoint(inputs: dict, name: str) -> dict:
    group = inputs.get("globalNetworkEndpointGroup", "<group>")
    return {"id": f"{group}/{inputs.get('fqdn') or inputs.get('ipAddress')}/{inputs.get('port')}"}


def _record_set(inputs: dict, name: str) -> dict:
    project = inputs.get("project") or PROJECT
    zone, record, record_type = inputs.get("managedZone"), inputs.get("name"), inputs.get("type")
    return {
        "id": f"projects/{project}/managedZones/{zone}/rrsets/{record}/{record_type}",
        "project": project,
    }


def _certificate_manager(collection: str):
    """A global Certificate Manager resource: its id as the API reports it."""

    def fake(inputs: dict, name: str) -> dict:
        physical = _physical_name(inputs, name)
        project = inputs.get("project") or PROJECT
        return {
            "id": f"projects/{project}/locations/global/{collection}/{physical}",
            "name": physical,
            "project": project,
            "location": "global",
        }

    return fake


def _dns_authorization(inputs: dict, name: str) -> dict:
    """A FIXED_RECORD authorization asks for a CNAME at ``_acme-challenge.<domain>`` to a name under
    ``authorize.certificatemanager.goog`` that only Google knows before it is created."""
    domain = inputs.get("domain")
    return {
        **_certificate_manager("dnsAuthorizations")(inputs, name),
        "type": inputs.get("type") or "FIXED_RECORD",
        "dnsResourceRecords": [
            {
                "name": f"_acme-challenge.{domain}.",
                "type": "CNAME",
                "data": f"<token of {domain}>.authorize.certificatemanager.goog.",
            }
        ],
    }


def _certificate_map_entry(inputs: dict, name: str) -> dict:
    """An entry lives under its map: ``.../certificateMaps/<map>/certificateMapEntries/<name>``."""
    return {
        **_certificate_manager(f"certificateMaps/{inputs.get('map')}/certificateMapEntries")(inputs, name),
        "state": "<ACTIVE once serving>",
    }


def _bucket(inputs: dict, name: str) -> dict:
    physical = _physical_name(inputs, name)
    return {
        "id": physical,
        "name": physical,
        "project": PROJECT,
        "url": f"gs://{physical}",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{physical}",
    }


def _bucket_object(inputs: dict, name: str) -> dict:
    bucket, object_name = inputs.get("bucket"), inputs.get("name")
    return {
        "id": f"{bucket}-{object_name}",
        "outputName": object_name,
        "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{bucket}/o/<{object_name} escaped>?alt=media",
        "md5hash": f"<md5 of {object_name}>",
    }


def _object_access_control(inputs: dict, name: str) -> dict:
    return {"id": f"{inputs.get('bucket')}/{inputs.get('object')}/{inputs.get('entity')}", "domain": "", "email": ""}


RESOURCES = {
    "gcp:compute/globalAddress:GlobalAddress": _address,
    "gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup": _global("networkEndpointGroups"),
    "gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint": _network_endpoint,
    "gcp:compute/backendService:BackendService": _global("backendServices"),
    "gcp:compute/backendBucket:BackendBucket": _global("backendBuckets"),
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:storage/bucketObject:BucketObject": _bucket_object,
    "gcp:storage/objectAccessControl:ObjectAccessControl": _object_access_control,
    "gcp:compute/uRLMap:URLMap": _global("urlMaps"),
    "gcp:compute/managedSslCertificate:ManagedSslCertificate": _managed_certificate,
    "gcp:compute/sSLPolicy:SSLPolicy": _global("sslPolicies"),
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": _global("targetHttpsProxies"),
    "gcp:compute/targetHttpProxy:TargetHttpProxy": _global("targetHttpProxies"),
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": _global("forwardingRules"),
    "gcp:dns/recordSet:RecordSet": _record_set,
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": _dns_authorization,
    "gcp:certificatemanager/certificate:Certificate": _certificate_manager("certificates"),
    "gcp:certificatemanager/certificateMap:CertificateMap": _certificate_manager("certificateMaps"),
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": _certificate_map_entry,
}

CALLS: dict = {}
