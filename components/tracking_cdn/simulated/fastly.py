"""What Fastly would compute for the Fastly front door's resources, for offline runs.

No SDK import. Values known only after deployment are placeholders in angle brackets. The TLS
subscription's challenges have the shape the Fastly API returns (``?include=tls_authorizations``): per
domain one ``managed-dns`` CNAME at ``_acme-challenge.<domain>`` into ``fastly-validations.com``, and the
``managed-http`` records that route the domain to Fastly: a CNAME to the TLS configuration's shared-SNI
host and the equivalent A records.
"""

SERVICE = "fastly:index/serviceVcl:ServiceVcl"
TLS_SUBSCRIPTION = "fastly:index/tlsSubscription:TlsSubscription"
TLS_SUBSCRIPTION_VALIDATION = "fastly:index/tlsSubscriptionValidation:TlsSubscriptionValidation"

ROUTE_CNAME_PLACEHOLDER = "<tls-configuration>.sni.global.fastly.net"
ANYCAST_PLACEHOLDERS = [f"<fastly anycast IPv4 {n}>" for n in range(1, 5)]


def _service(inputs: dict, name: str) -> dict:
    activate = inputs.get("activate", True) is not False
    return {
        "id": f"<service id of {name}>",
        "name": inputs.get("name") or f"{name}-<random>",
        "activeVersion": 1 if activate else 0,
        "clonedVersion": 1,
    }


def _tls_subscription(inputs: dict, name: str) -> dict:
    domains = list(inputs.get("domains") or [])
    dns_challenges = [
        {
            "recordName": f"_acme-challenge.{domain}",
            "recordType": "CNAME",
            "recordValue": f"<acme challenge of {domain}>.fastly-validations.com",
        }
        for domain in domains
    ]
    http_challenges = []
    for domain in domains:
        http_challenges.append({"recordName": domain, "recordType": "A", "recordValues": list(ANYCAST_PLACEHOLDERS)})
        http_challenges.append({"recordName": domain, "recordType": "CNAME", "recordValues": [ROUTE_CNAME_PLACEHOLDER]})
    return {
        "id": f"<tls subscription id of {name}>",
        "commonName": inputs.get("commonName") or (domains[0] if domains else ""),
        "configurationId": inputs.get("configurationId") or "<default tls configuration id>",
        "certificateId": "<certificate id once issued>",
        "state": "pending",
        "createdAt": "<created at deploy>",
        "updatedAt": "<updated at deploy>",
        "managedDnsChallenges": dns_challenges,
        "managedHttpChallenges": http_challenges,
    }


def _tls_subscription_validation(inputs: dict, name: str) -> dict:
    return {"id": f"<validation of {inputs.get('subscriptionId')}>", "certificateId": "<certificate id once issued>"}


RESOURCES = {
    SERVICE: _service,
    TLS_SUBSCRIPTION: _tls_subscription,
    TLS_SUBSCRIPTION_VALIDATION: _tls_subscription_validation,
}

CALLS: dict = {}
