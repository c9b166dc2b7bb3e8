"""What Cloudflare would compute, for offline runs (no SDK import). Unknown values are placeholders."""


def _zone_by_name(args: dict) -> dict:
    name = (args.get("filter") or {}).get("name")
    if not name or args.get("zoneId"):
        raise ValueError(f"offline getZone answers a lookup by filter.name only, got {args!r}")
    zone_id = f"<zone id of {name}>"
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "status": "active",
        "plan": {"name": f"<plan of {name}>"},
        "nameServers": [f"<name servers of {name}>"],
    }


def _dns_record(inputs: dict, name: str) -> dict:
    return {"id": f"<dns record id of {inputs.get('name')}>", "proxiable": True, "createdOn": "<created on deploy>"}


def _ruleset(inputs: dict, name: str) -> dict:
    return {"id": f"<ruleset id of {inputs.get('phase')}>", "lastUpdated": "<updated on deploy>"}


def _page_rule(inputs: dict, name: str) -> dict:
    return {"id": f"<page rule id of {inputs.get('target')}>", "createdOn": "<created on deploy>"}


def _certificate_pack(inputs: dict, name: str) -> dict:
    # One TXT token per host (cloudflare-docs: "a certificate with five hostnames ... will require
    # five DCV tokens"); the values are issued by Cloudflare when the pack is ordered.
    hosts = inputs.get("hosts") or []
    return {
        "id": f"<certificate pack id of {', '.join(hosts)}>",
        "status": "pending_validation",
        "validationRecords": [
            {"txtName": f"_acme-challenge.{host}", "txtValue": f"<validation token for {host}>", "status": "pending"}
            for host in hosts
        ],
    }


def _workers_script(inputs: dict, name: str) -> dict:
    return {"id": inputs.get("scriptName"), "createdOn": "<created on deploy>", "etag": "<etag of the upload>"}


def _workers_route(inputs: dict, name: str) -> dict:
    return {"id": f"<workers route id of {inputs.get('pattern')}>"}


def _custom_hostname(inputs: dict, name: str) -> dict:
    # Created pending: active once the customer's CNAME (or the TXT pre-validation record) is there.
    host = inputs.get("hostname")
    return {
        "id": f"<custom hostname id of {host}>",
        "status": "pending",
        "createdAt": "<created on deploy>",
        "ownershipVerification": {"name": f"_cf-custom-hostname.{host}", "type": "txt", "value": f"<token for {host}>"},
        "ownershipVerificationHttp": {
            "httpUrl": f"http://{host}/.well-known/cf-custom-hostname-challenge/<id>", "httpBody": f"<token for {host}>",
        },
        "verificationErrors": [],
    }


def _fallback_origin(inputs: dict, name: str) -> dict:
    return {"id": f"<fallback origin of {inputs.get('zoneId')}>", "status": "<active once deployed>", "errors": []}


RESOURCES = {
    "cloudflare:index/dnsRecord:DnsRecord": _dns_record,
    "cloudflare:index/ruleset:Ruleset": _ruleset,
    "cloudflare:index/pageRule:PageRule": _page_rule,
    "cloudflare:index/certificatePack:CertificatePack": _certificate_pack,
    "cloudflare:index/workersScript:WorkersScript": _workers_script,
    "cloudflare:index/workersRoute:WorkersRoute": _workers_route,
    "cloudflare:index/customHostname:CustomHostname": _custom_hostname,
    "cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin": _fallback_origin,
}

CALLS = {
    "cloudflare:index/getZone:getZone": _zone_by_name,
}
