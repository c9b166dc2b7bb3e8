"""App-link files for the proxy and check tests: what a user would serve, and what devices read in them."""

from __future__ import annotations

import json

TEAM_APP = "ABCDE12345.com.example.app"
PACKAGE = "com.example.app"
FINGERPRINT = ":".join(["14", "6D", "E9", "83", "C5", "73", "06", "50"] * 4)
AASA = {"applinks": {"details": [{"appIDs": [TEAM_APP], "components": [{"/": "/f/open-in-app/*"}]}]}}
ASSET_LINKS = [
    {
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": PACKAGE, "sha256_cert_fingerprints": [FINGERPRINT]},
    }
]
AASA_TEXT = json.dumps(AASA, indent=2) + "\n"
"""The Apple file as a user writes it (indented, a final newline): served exactly as given."""
ASSET_LINKS_TEXT = json.dumps(ASSET_LINKS, indent=2) + "\n"
