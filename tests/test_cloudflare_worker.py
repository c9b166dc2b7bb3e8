"""The app-link Worker of ``CloudflareTrackingDomain`` (issue 17), run for real: the module the component
uploads is imported by Node.js (the Workers runtime's ``fetch``/``Request``/``Response`` API, which
Node implements) and its ``fetch`` handler is called with requests for the two files, another
``/.well-known/`` path and a click. ``fetch`` is replaced by a recorder first: a request the Worker
passes on is recorded, never sent anywhere."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Optional

import pytest

from tracking_cdn.cloudflare import worker_module
from tracking_cdn.deep_links import ANDROID_PATH, APPLE_PATH, resolve_app_links

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (.ci/run installs nodejs)")

APPLE = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/*"}]}]}}
ANDROID_TEXT = (
    '[{"relation": ["delegate_permission/common.handle_all_urls"], "target": {"namespace": "android_app", '
    '"package_name": "com.example.app", "sha256_cert_fingerprints": ["'
    + ":".join(["AB"] * 32)
    + '"]}}]'
)
"""Given as a JSON string, so served exactly as given (spaces included)."""

HARNESS = """
import { pathToFileURL } from "node:url";
const [modulePath, requestsJson] = process.argv.slice(2);
const passedOn = [];
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  passedOn.push({ url: request.url, method: request.method, redirect: request.redirect,
                  host: request.headers.get("host") });
  return new Response("from the origin", { status: 299 });
};
const worker = (await import(pathToFileURL(modulePath).href)).default;
const results = [];
for (const { method, url } of JSON.parse(requestsJson)) {
  const headers = { host: new URL(url).host, "user-agent": "AASA-Bot/1.0" };
  const response = await worker.fetch(new Request(url, { method, headers }));
  const body = Buffer.from(await response.arrayBuffer());
  results.push({
    method, url, status: response.status,
    headers: Object.fromEntries(response.headers),
    body: body.toString("base64"),
  });
}
console.log(JSON.stringify({ results, passedOn }));
"""


def run_worker(tmp_path: Path, app_links: Optional[dict], requests: list[tuple[str, str]],
               from_origin: tuple[str, ...] = (), origin: Optional[str] = None) -> tuple[list[dict], list[dict]]:
    """Each request's answer, and every request the Worker sent on (url, method, redirect, host)."""
    files = resolve_app_links(app_links).files if app_links else ()
    module = tmp_path / "worker.mjs"
    module.write_text(worker_module(files, from_origin, origin))
    harness = tmp_path / "harness.mjs"
    harness.write_text(HARNESS)
    wanted = json.dumps([{"method": method, "url": url} for method, url in requests])
    done = subprocess.run([NODE, str(harness), str(module), wanted], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    for result in output["results"]:
        result["body"] = base64.b64decode(result["body"])
    return output["results"], output["passedOn"]


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    requests = [
        ("GET", f"https://track.example.com{APPLE_PATH}"),
        ("GET", f"http://track.example.com{ANDROID_PATH}"),
        ("GET", f"https://track.example.com{ANDROID_PATH}?utm=x"),
        ("HEAD", f"https://track.example.com{APPLE_PATH}"),
        ("POST", f"https://track.example.com{APPLE_PATH}"),
        ("GET", "https://track.example.com/.well-known/security.txt"),
        ("GET", f"https://track.example.com{ANDROID_PATH}.bak"),
        ("GET", "https://track.example.com/f/abc?x=1"),
    ]
    app_links = {"apple_app_site_association": APPLE, "android_asset_links": ANDROID_TEXT}
    results, passed_on = run_worker(tmp_path_factory.mktemp("worker"), app_links, requests)
    bodies = {f.path: f.body for f in resolve_app_links(app_links).files}
    return {(r["method"], r["url"]): r for r in results}, passed_on, bodies


def test_both_files_answer_200_application_json_with_the_exact_bytes_on_http_and_https(answers):
    results, _, bodies = answers
    for url, path in ((f"https://track.example.com{APPLE_PATH}", APPLE_PATH),
                      (f"http://track.example.com{ANDROID_PATH}", ANDROID_PATH),
                      (f"https://track.example.com{ANDROID_PATH}?utm=x", ANDROID_PATH)):
        result = results[("GET", url)]
        assert result["status"] == 200, result
        assert result["headers"]["content-type"] == "application/json"
        assert result["body"] == bodies[path]
        assert "location" not in result["headers"]
    assert bodies[ANDROID_PATH] == ANDROID_TEXT.encode(), "a JSON string is served exactly as given"


def test_head_answers_without_a_body_and_other_methods_are_refused(answers):
    results, _, _ = answers
    head = results[("HEAD", f"https://track.example.com{APPLE_PATH}")]
    assert head["status"] == 200 and head["body"] == b"" and head["headers"]["content-type"] == "application/json"
    post = results[("POST", f"https://track.example.com{APPLE_PATH}")]
    assert post["status"] == 405 and post["headers"]["allow"] == "GET, HEAD"


def test_every_other_path_goes_on_to_the_origin_untouched(answers):
    results, passed_on, _ = answers
    for url in ("https://track.example.com/.well-known/security.txt", f"https://track.example.com{ANDROID_PATH}.bak",
                "https://track.example.com/f/abc?x=1"):
        assert results[("GET", url)]["status"] == 299, "the recorder's answer: the Worker called fetch(request)"
    assert [request["url"] for request in passed_on] == [
        "https://track.example.com/.well-known/security.txt", f"https://track.example.com{ANDROID_PATH}.bak",
        "https://track.example.com/f/abc?x=1"]
    assert {request["host"] for request in passed_on} == {"track.example.com"}, "the request itself, unchanged"


def test_only_the_given_file_is_answered(tmp_path):
    results, passed_on = run_worker(tmp_path, {"apple_app_site_association": APPLE},
                                    [("GET", f"https://t.example.com{APPLE_PATH}"),
                                     ("GET", f"https://t.example.com{ANDROID_PATH}")])
    assert [r["status"] for r in results] == [200, 299]
    assert [request["url"] for request in passed_on] == [f"https://t.example.com{ANDROID_PATH}"]


# --- well_known_origin: the files app_links does not give come from your own site ----------------------


def test_a_file_not_given_is_fetched_from_the_well_known_origin_and_relayed_never_redirected(tmp_path):
    """Apple and Android refuse a redirect: the Worker fetches the file from ``well_known_origin`` (path
    and query kept, its own Host) and relays the answer as it is, a redirect included (not followed)."""
    requests = [("GET", f"https://t.example.com{ANDROID_PATH}?v=2"), ("HEAD", f"http://t.example.com{ANDROID_PATH}"),
                ("POST", f"https://t.example.com{ANDROID_PATH}"), ("GET", f"https://t.example.com{APPLE_PATH}"),
                ("GET", "https://t.example.com/.well-known/security.txt")]
    results, passed_on = run_worker(tmp_path, {"apple_app_site_association": APPLE}, requests,
                                    from_origin=(ANDROID_PATH,), origin="www.example.com")
    statuses = [r["status"] for r in results]
    assert statuses == [299, 299, 405, 200, 299], "origin, origin, refused, answered, passed on"
    assert results[0]["body"] == b"from the origin" and "location" not in results[0]["headers"]
    assert passed_on[:2] == [
        {"url": f"https://www.example.com{ANDROID_PATH}?v=2", "method": "GET", "redirect": "manual", "host": None},
        {"url": f"https://www.example.com{ANDROID_PATH}", "method": "HEAD", "redirect": "manual", "host": None},
    ], "over HTTPS to well_known_origin whatever the scheme of the request; its Host is the origin's own"
    assert passed_on[2]["url"] == "https://t.example.com/.well-known/security.txt", "other paths: as before"


def test_without_app_links_both_files_come_from_the_well_known_origin(tmp_path):
    results, passed_on = run_worker(tmp_path, None, [("GET", f"https://t.example.com{APPLE_PATH}"),
                                                     ("GET", f"https://t.example.com{ANDROID_PATH}")],
                                    from_origin=(APPLE_PATH, ANDROID_PATH), origin="www.example.com")
    assert [r["status"] for r in results] == [299, 299]
    assert [request["url"] for request in passed_on] == [f"https://www.example.com{APPLE_PATH}",
                                                         f"https://www.example.com{ANDROID_PATH}"]
