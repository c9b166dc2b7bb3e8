"""What KeyCDN would report for the KeyCDN front door's dynamic resources, for offline runs (no SDK
import). The ids KeyCDN gives a zone and an alias are known only after ``pulumi up``: placeholders."""

ZONE = "pulumi-python:dynamic/keycdn:Zone"
ZONE_ALIAS = "pulumi-python:dynamic/keycdn:ZoneAlias"


def _zone(inputs: dict, name: str) -> dict:
    return {"zone_id": f"<KeyCDN id of zone {inputs.get('name')}>", "adopted": False}


def _zone_alias(inputs: dict, name: str) -> dict:
    return {"alias_id": f"<KeyCDN id of zone alias {inputs.get('name')}>", "adopted": False}


RESOURCES = {ZONE: _zone, ZONE_ALIAS: _zone_alias}

CALLS: dict = {}
