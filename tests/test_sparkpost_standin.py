"""The SparkPost stand-in answers as its docstring's table says SparkPost's API does today, row by
row, over raw HTTP (not through the client under test), so the client's tests rest on the current API
and not on an old edition of it."""

import http.client
import json
from typing import Any, Optional

import pytest

from esp_standin import EspStandin
from sparkpost_standin import HTTPS_CHECK_FAILED, SparkPostStandIn

KEY = "standin-test-key"
DOMAIN = "track.example.com"


@pytest.fixture
def sparkpost():
    with SparkPostStandIn(KEY) as standin:
        yield standin


def call(
    standin: SparkPostStandIn,
    method: str,
    path: str = "",
    body: Optional[dict] = None,
    *,
    subaccount: Optional[int] = None,
    key: str = KEY,
    prefix: str = "/api/v1/tracking-domains",
) -> tuple[int, Any, str]:
    """(status, parsed JSON or raw bytes, content type) of one request."""
    host, port = standin.root_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    headers = {"Authorization": key, "Content-Type": "application/json"}
    if subaccount is not None:
        headers["X-MSYS-SUBACCOUNT"] = str(subaccount)
    try:
        connection.request(method, prefix + path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        raw, content_type = response.read(), response.getheader("Content-Type", "")
    finally:
        connection.close()
    return response.status, json.loads(raw) if raw and "json" in content_type else raw, content_type


def test_rows_1_2_3_create_then_409_in_todays_error_shape(sparkpost):
    assert call(sparkpost, "POST", body={"domain": DOMAIN})[:2] == (200, {"results": {"domain": DOMAIN}})
    status, body, _ = call(sparkpost, "POST", body={"domain": DOMAIN, "secure": True})
    assert (status, body) == (409, {"errors": [{"message": "The tracking domain already exists"}]})


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("POST", "", {"domain": "baddomain"}, 422),  # row 4
    ("GET", "/baddomain", None, 400),  # row 5
    ("PUT", "/bad_domain.com", {"secure": True}, 400),
    ("DELETE", "/baddomain", None, 400),
])
def test_rows_4_5_invalid_names_name_the_param_and_value(sparkpost, method, path, body, status):
    value = (body or {}).get("domain") or path.lstrip("/")
    assert call(sparkpost, method, path, body)[:2] == (
        status, {"errors": [{"param": "domain", "message": "domain must be valid", "value": value}]}
    )


@pytest.mark.parametrize(("method", "path"), [
    ("GET", f"/{DOMAIN}"), ("PUT", f"/{DOMAIN}"), ("DELETE", f"/{DOMAIN}"), ("POST", f"/{DOMAIN}/verify"),
])
def test_row_6_unknown_names_are_404_resource_not_found(sparkpost, method, path):
    assert call(sparkpost, method, path, {})[:2] == (404, {"errors": [{"message": "resource not found"}]})


def test_rows_7_9_the_object_and_delete(sparkpost):
    call(sparkpost, "POST", body={"domain": DOMAIN, "secure": True})
    call(sparkpost, "POST", body={"domain": "click.example.com"}, subaccount=7)

    status, body, _ = call(sparkpost, "GET", f"/{DOMAIN}")
    assert status == 200
    assert body["results"] == {
        "domain": DOMAIN, "port": 443, "secure": True, "default": False, "uses_managed_certificate": False,
        "status": {"verified": False, "cname_status": "pending", "compliance_status": "pending", "tls_status": "inactive"},
    }
    assert call(sparkpost, "GET", "/click.example.com")[1]["results"]["subaccount_id"] == 7
    assert call(sparkpost, "DELETE", f"/{DOMAIN}")[:2] == (204, b"")


def test_row_8_default_needs_verification_and_moves_within_its_account(sparkpost):
    sparkpost.add_domain("old.example.com", default=True, verified=True)
    sparkpost.add_domain("sub.example.com", default=True, verified=True, subaccount=3)
    sparkpost.add_domain(DOMAIN)
    assert call(sparkpost, "PUT", f"/{DOMAIN}", {"default": True})[:2] == (
        422, {"errors": [{"message": f"Tracking domain '{DOMAIN}' unverified."}]}
    )
    sparkpost.domain(DOMAIN)["status"]["verified"] = True
    assert call(sparkpost, "PUT", f"/{DOMAIN}", {"default": True, "secure": True})[:2] == (
        200, {"results": {"domain": DOMAIN}}
    )
    assert [sparkpost.domain(d)["default"] for d in (DOMAIN, "old.example.com", "sub.example.com")] == [True, False, True]
    assert sparkpost.domain(DOMAIN)["port"] == 443


def test_row_10_verify_reports_an_empty_cname_status_once_verified(sparkpost):
    sparkpost.add_domain(DOMAIN)
    assert call(sparkpost, "POST", f"/{DOMAIN}/verify")[1] == {
        "results": {"verified": False, "cname_status": "invalid", "compliance_status": "pending"}
    }
    sparkpost.point(DOMAIN)
    assert call(sparkpost, "POST", f"/{DOMAIN}/verify")[1] == {
        "results": {"verified": True, "cname_status": "", "compliance_status": "valid"}
    }


def test_row_11_verify_of_a_secure_domain_checks_https_for_real(sparkpost):
    sparkpost.add_domain(DOMAIN, secure=True)
    sparkpost.point(DOMAIN)
    refused = {"errors": [{"message": HTTPS_CHECK_FAILED.format(domain=DOMAIN)}]}
    assert call(sparkpost, "POST", f"/{DOMAIN}/verify")[:2] == (400, refused)  # no front door at all

    with EspStandin(hostnames=("other.example.com",)) as wrong_certificate:
        sparkpost.route_https(DOMAIN, wrong_certificate.port, wrong_certificate.ca_file)
        assert call(sparkpost, "POST", f"/{DOMAIN}/verify")[0] == 400
    with EspStandin(hostnames=(DOMAIN,)) as front_door:
        sparkpost.route_https(DOMAIN, front_door.port, front_door.ca_file)
        assert call(sparkpost, "POST", f"/{DOMAIN}/verify")[1]["results"]["verified"] is True
        assert front_door.requests[0].server_name == DOMAIN


def test_rows_12_13_list_filters_and_subaccount_visibility(sparkpost):
    sparkpost.add_domain("a.example.com", default=True)
    sparkpost.add_domain("b.example.com", subaccount=5)
    sparkpost.add_domain("c.example.com", subaccount=6, default=True)

    def names(query: str = "", subaccount: Optional[int] = None) -> list[str]:
        return [d["domain"] for d in call(sparkpost, "GET", query, subaccount=subaccount)[1]["results"]]

    assert names() == ["a.example.com", "b.example.com", "c.example.com"]  # primary and subaccounts
    assert names("?default=true") == ["a.example.com", "c.example.com"]
    assert names("?default=false") == ["b.example.com"]
    assert names("?subaccounts=5,6") == ["b.example.com", "c.example.com"]
    assert names(subaccount=5) == ["b.example.com"]
    assert call(sparkpost, "GET", "/a.example.com", subaccount=5)[0] == 404
    assert call(sparkpost, "POST", body={"domain": "b.example.com"}, subaccount=6)[0] == 409  # unique across


def test_rows_14_to_16_managed_https(sparkpost):
    sparkpost.add_domain(DOMAIN, verified=True)
    sparkpost.point(DOMAIN)  # a front door, not a V2 endpoint
    check = f"/{DOMAIN}/certificate/check"
    assert call(sparkpost, "POST", check)[1] == {"results": {"eligible": False}}
    assert call(sparkpost, "POST", f"/{DOMAIN}/certificate/enable")[0] == 400

    sparkpost.point(DOMAIN, "v2.spgo.io")
    assert call(sparkpost, "POST", check)[1] == {"results": {"eligible": True}}
    assert call(sparkpost, "POST", f"/{DOMAIN}/certificate/enable")[:2] == (200, {"results": {"domain": DOMAIN}})
    record = call(sparkpost, "GET", f"/{DOMAIN}")[1]["results"]
    assert record["uses_managed_certificate"] is True and record["status"]["tls_status"] == "pending"
    assert record["tls_certificate"] == {"issued_at": None, "expires_at": None, "error_code": None}

    sparkpost.issue_certificate(DOMAIN)
    record = call(sparkpost, "GET", f"/{DOMAIN}")[1]["results"]
    assert record["status"]["tls_status"] == "valid" and record["tls_certificate"]["expires_at"]


def test_row_17_a_domain_made_in_the_ui_can_already_be_managed(sparkpost):
    sparkpost.add_domain(DOMAIN, secure=True, managed=True)
    record = call(sparkpost, "GET", f"/{DOMAIN}")[1]["results"]
    assert record["uses_managed_certificate"] is True and record["status"]["tls_status"] == "valid"
    assert call(sparkpost, "POST", f"/{DOMAIN}/verify")[1]["results"]["verified"] is True


def test_rows_19_20_wrong_key_and_wrong_path(sparkpost):
    assert call(sparkpost, "GET", f"/{DOMAIN}", key="wrong")[:2] == (401, {"errors": [{"message": "Unauthorized."}]})
    status, body, content_type = call(sparkpost, "GET", prefix="/v1/tracking-domains")
    assert (status, content_type) == (404, "text/html") and body.startswith(b"<html>")


def test_row_21_a_name_on_a_dns_blacklist_is_refused_and_not_created(sparkpost):
    sparkpost.dns_blacklisted.add("baddomain.example.com")
    assert call(sparkpost, "POST", body={"domain": "baddomain.example.com"})[:2] == (
        400, {"errors": [{"param": "domain", "message": "domain is on a DNS blacklist", "value": "baddomain.example.com"}]}
    )
    assert sparkpost.domain("baddomain.example.com") is None


def test_no_answer_carries_the_old_code_and_description_fields(sparkpost):
    answers = [
        call(sparkpost, "POST", body={"domain": "x"}),
        call(sparkpost, "GET", f"/{DOMAIN}"),
        call(sparkpost, "GET", f"/{DOMAIN}", key="wrong"),
    ]
    for _, body, _ in answers:
        assert set(body["errors"][0]) <= {"message", "param", "value"}
