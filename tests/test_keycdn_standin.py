"""The KeyCDN stand-in answers as its docstring's table says KeyCDN's API does, row by row, over raw
HTTP (not through the client under test), so the client's tests rest on the documented API."""

import base64
import http.client
import json
from typing import Any, Optional
from urllib.parse import urlencode

import pytest

from keycdn_standin import KeyCdnStandIn

KEY = "sk_prod_standin0000000000000000"


@pytest.fixture
def keycdn():
    with KeyCdnStandIn(KEY) as standin:
        yield standin


def call(
    standin: KeyCdnStandIn, method: str, path: str, form: Optional[dict] = None, *, key: str = KEY, raw: bytes = b""
) -> tuple[int, Any, dict[str, str]]:
    """(status, parsed JSON or raw bytes, headers) of one request, parameters form-encoded (row 2, C)."""
    host, port = standin.root_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    headers = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    body = raw or (urlencode(form).encode() if form is not None else None)
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data, answer_headers = response.read(), dict(response.getheaders())
    finally:
        connection.close()
    content_type = answer_headers.get("Content-Type", "")
    return response.status, json.loads(data) if "json" in content_type else data, answer_headers


def test_rows_2_3_basic_auth_with_the_key_and_json_even_for_errors(keycdn):
    status, body, headers = call(keycdn, "GET", "/zones.json", key="sk_prod_wrong")
    assert (status, body) == (401, {"status": "error", "description": "Unauthorized"})
    assert headers["Content-Type"] == "application/json"
    assert call(keycdn, "GET", "/zones.json")[:2] == (
        200, {"status": "success", "description": "Data successfully received.", "data": {"zones": []}}
    )


def test_rows_6_to_8_zones_are_added_read_edited_and_deleted_with_string_values(keycdn):
    status, body, _ = call(keycdn, "POST", "/zones.json", {"name": "tracking", "type": "pull",
                                                             "originurl": "https://sendgrid.net", "cachehostheader": "enabled"})
    assert status == 200 and body["status"] == "success"
    zone = body["data"]["zone"]
    assert isinstance(zone["id"], str) and zone["type"] == "pull" and zone["cachehostheader"] == "enabled"
    assert (zone["cachemaxexpire"], zone["sslcert"], zone["cacheignorequerystring"]) == ("1440", "shared", "enabled")

    assert call(keycdn, "GET", f"/zones/{zone['id']}.json")[1]["data"]["zone"] == zone
    edited = call(keycdn, "PUT", f"/zones/{zone['id']}.json", {"cachemaxexpire": "1", "sslcert": "letsencrypt"})[1]
    assert (edited["data"]["zone"]["cachemaxexpire"], edited["data"]["zone"]["name"]) == ("1", "tracking")
    assert call(keycdn, "DELETE", f"/zones/{zone['id']}.json")[:2] == (
        200, {"status": "success", "description": "Zone successfully deleted.", "data": {}}
    )
    assert call(keycdn, "GET", f"/zones/{zone['id']}.json")[:2] == (404, {"status": "error", "description": "Zone not found"})


@pytest.mark.parametrize("form", [
    {"name": "bad name!"}, {"name": "a" * 21}, {"name": "ok", "cachehostheader": "yes"}, {"name": "ok", "sslcert": "free"},
    {"name": "ok", "cachemaxexpire": "ten"},
])
def test_rows_4_8_12_a_bad_parameter_is_400(keycdn, form):
    status, body, _ = call(keycdn, "POST", "/zones.json", form)
    assert status == 400 and body["status"] == "error" and body["description"]


def test_row_12_a_zone_name_is_taken_once(keycdn):
    keycdn.add_zone("tracking")
    assert call(keycdn, "POST", "/zones.json", {"name": "tracking"})[0] == 400


def test_row_13_zone_aliases_are_listed_added_edited_and_deleted(keycdn):
    zone, other = keycdn.add_zone("tracking"), keycdn.add_zone("other")
    status, body, _ = call(keycdn, "POST", "/zonealiases.json", {"zone_id": zone["id"], "name": "track.example.com"})
    alias = body["data"]["zonealias"]
    assert status == 200 and alias == {"id": alias["id"], "zone_id": zone["id"], "name": "track.example.com"}
    assert call(keycdn, "GET", "/zonealiases.json")[1]["data"]["zonealiases"] == [alias]
    assert call(keycdn, "POST", "/zonealiases.json", {"zone_id": other["id"], "name": "track.example.com"})[0] == 400
    assert call(keycdn, "POST", "/zonealiases.json", {"zone_id": "999", "name": "x.example.com"})[0] == 400
    moved = call(keycdn, "PUT", f"/zonealiases/{alias['id']}.json", {"zone_id": other["id"]})[1]["data"]["zonealias"]
    assert moved["zone_id"] == other["id"]
    assert call(keycdn, "DELETE", f"/zonealiases/{alias['id']}.json")[0] == 200
    assert call(keycdn, "DELETE", f"/zonealiases/{alias['id']}.json")[0] == 404


def test_row_5_answers_carry_the_rate_limit_and_past_it_429(keycdn):
    keycdn.rate_limit = 2
    _, _, first = call(keycdn, "GET", "/zones.json")
    assert (first["X-Rate-Limit-Limit"], first["X-Rate-Limit-Remaining"]) == ("2", "1")
    assert call(keycdn, "GET", "/zones.json")[2]["X-Rate-Limit-Remaining"] == "0"
    status, body, headers = call(keycdn, "GET", "/zones.json")
    assert (status, body["status"], headers["X-Rate-Limit-Remaining"]) == (429, "error", "0")


def test_row_4_a_body_over_64_kb_is_413(keycdn):
    assert call(keycdn, "POST", "/zones.json", raw=b"name=" + b"x" * (64 * 1024))[0] == 413


def test_row_15_a_path_outside_the_api_is_a_web_page(keycdn):
    status, body, headers = call(keycdn, "GET", "/v1/zones.json")
    assert (status, headers["Content-Type"]) == (404, "text/html") and body.startswith(b"<html>")
