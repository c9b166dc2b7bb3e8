"""What a stack reference reads offline: a platform stack's ``tenantConfig``, for tenant stacks.

A tenant stack reads its platform's outputs through a ``pulumi.StackReference``, which only the Pulumi
service can answer. Offline, the referenced stack's ``tenantConfig`` holds every key any platform's
has (``tracking_cdn.platform``), each a placeholder naming the stack it would be read from.
"""

from tracking_cdn.platform import COMMON_CONFIG_KEYS, TENANT_CONFIG_KEYS, TENANT_CONFIG_OUTPUT


def _stack_reference(inputs: dict, name: str) -> dict:
    stack = inputs.get("name") or name
    keys = dict.fromkeys(COMMON_CONFIG_KEYS)
    for kind_keys in TENANT_CONFIG_KEYS.values():
        keys.update(dict.fromkeys(kind_keys))
    config = {key: f"<{key} of stack {stack}>" for key in keys}
    return {"outputs": {TENANT_CONFIG_OUTPUT: config}, "secretOutputNames": []}


RESOURCES = {"pulumi:pulumi:StackReference": _stack_reference}
CALLS: dict = {}
