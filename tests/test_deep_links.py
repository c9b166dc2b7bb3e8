"""Policies of the app-link files (issue 17) every front door serves from ``tracking_cdn.deep_links``:
the paths, the exact bytes (the same for the same value, whatever the language), what is refused
before anything is created, and what a device would read from the files."""

import json
import subprocess
import sys

import pulumi
import pytest

from conftest import REPO, run_stack
from fastly_vcl import app_link_answer
from tracking_cdn import deep_links
from tracking_cdn.contract import TrackingDomainArgs, resolve_settings
from tracking_cdn.deep_links import (
    ANDROID_PATH,
    APPLE_PATH,
    CONTENT_TYPE,
    MAX_FILE_BYTES,
    AppAssociation,
    describe_apple_app_site_association,
    describe_asset_links,
    resolve_app_links,
)
from tracking_cdn.errors import InvalidArgument

TEAM_APP = "ABCDE12345.com.example.app"
FINGERPRINT = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"
AASA = {
    "applinks": {
        "details": [{"appIDs": [TEAM_APP], "components": [{"/": "/f/open-in-app/*"}, {"/": "/f/a/*", "exclude": True}]}]
    },
    "webcredentials": {"apps": [TEAM_APP]},
}
ASSET_LINKS = [
    {
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": "com.example.app", "sha256_cert_fingerprints": [FINGERPRINT]},
    }
]
APPLE_KEY, ANDROID_KEY = "app_links.apple_app_site_association", "app_links.android_asset_links"


def served(**files):
    """The files ``app_links`` with ``files`` resolves to, as {path: (body, content type)}."""
    links = resolve_app_links(files)
    return {file.path: (file.body, file.content_type) for file in links.files}


def refused(app_links) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as error:
        resolve_app_links(app_links)
    return error.value


# --- where and what ------------------------------------------------------------------------------


def test_the_two_files_are_answered_at_the_platforms_paths_as_json():
    assert (APPLE_PATH, ANDROID_PATH) == ("/.well-known/apple-app-site-association", "/.well-known/assetlinks.json")
    files = served(apple_app_site_association=AASA, android_asset_links=ASSET_LINKS)
    assert list(files) == [APPLE_PATH, ANDROID_PATH]
    assert {content_type for _, content_type in files.values()} == {CONTENT_TYPE} == {"application/json"}


def test_only_the_files_given_are_answered():
    assert list(served(android_asset_links=ASSET_LINKS)) == [ANDROID_PATH]
    assert list(served(apple_app_site_association=AASA)) == [APPLE_PATH]


def test_an_object_is_served_as_compact_json_with_sorted_keys():
    body, _ = served(apple_app_site_association=AASA)[APPLE_PATH]
    assert body == json.dumps(AASA, sort_keys=True, separators=(",", ":")).encode()
    assert body.startswith(b'{"applinks":{"details":[{"appIDs":["ABCDE12345.com.example.app"],"components":[{"/":')


def test_the_same_value_gives_the_same_bytes_whatever_the_key_order_or_number_type():
    # Object keys arrive in any order from other languages (a protobuf Struct is a map), numbers as doubles.
    reordered = {
        "version": 2.0,
        "webcredentials": {"apps": [TEAM_APP]},
        "applinks": {"details": [{"components": [{"/": "/f/open-in-app/*"}, {"exclude": True, "/": "/f/a/*"}],
                                  "appIDs": [TEAM_APP]}]},
    }
    body = served(apple_app_site_association={**AASA, "version": 2})[APPLE_PATH][0]
    assert served(apple_app_site_association=reordered)[APPLE_PATH][0] == body
    assert b'"version":2,' in body


def test_list_order_is_kept_as_given():
    two = ["ZZZZZ12345.com.example.other", TEAM_APP]
    forward = served(apple_app_site_association={"webcredentials": {"apps": two}})[APPLE_PATH][0]
    backward = served(apple_app_site_association={"webcredentials": {"apps": two[::-1]}})[APPLE_PATH][0]
    assert forward == b'{"webcredentials":{"apps":["ZZZZZ12345.com.example.other","ABCDE12345.com.example.app"]}}'
    assert backward != forward


def test_a_json_string_is_served_exactly_as_given():
    text = '{\n  "applinks": {"details": [{"appID": "ABCDE12345.com.example.app", "paths": ["/f/*"]}]}\n}\n'
    assert served(apple_app_site_association=text)[APPLE_PATH][0] == text.encode()
    listed = json.dumps(ASSET_LINKS, indent=4)
    assert served(android_asset_links=listed)[ANDROID_PATH][0] == listed.encode()


def test_non_ascii_in_an_object_is_escaped_so_every_body_is_ascii():
    aasa = {**AASA, "applinks": {"details": [{"appIDs": [TEAM_APP], "components": [{"/": "/f/caf\u00e9/*", "comment": "\u2028"}]}]}}
    body = served(apple_app_site_association=aasa)[APPLE_PATH][0]
    assert body.isascii() and b"/f/caf\\u00e9/*" in body and b"\\u2028" in body
    assert resolve_app_links({"apple_app_site_association": aasa}).files[0].text == body.decode()


def test_total_bytes_is_what_a_front_door_with_a_combined_limit_compares():
    links = resolve_app_links({"apple_app_site_association": AASA, "android_asset_links": ASSET_LINKS})
    assert links.total_bytes == sum(len(file.body) for file in links.files)
    assert links.paths == (APPLE_PATH, ANDROID_PATH)


def test_a_file_of_exactly_128_kb_is_served_and_one_byte_more_is_refused():
    padding = MAX_FILE_BYTES - len(json.dumps({**AASA, "pad": ""}, sort_keys=True, separators=(",", ":")))
    assert MAX_FILE_BYTES == 131072
    assert len(served(apple_app_site_association={**AASA, "pad": "x" * padding})[APPLE_PATH][0]) == MAX_FILE_BYTES
    error = refused({"apple_app_site_association": {**AASA, "pad": "x" * (padding + 1)}})
    assert error.argument == APPLE_KEY and "131073 bytes" in str(error) and "128 KB" in str(error)
    text = json.dumps(ASSET_LINKS) + " " * MAX_FILE_BYTES
    assert refused({"android_asset_links": text}).argument == ANDROID_KEY


# --- refused before anything is created ----------------------------------------------------------


@pytest.mark.parametrize(
    "app_links, argument, words",
    [
        ({}, "app_links", "apple_app_site_association"),
        ({"apple_app_site_association": None}, "app_links", "leave app_links out"),
        ("{}", "app_links", "expected a dict"),
        ({"apple": AASA}, "app_links.apple", "valid: apple_app_site_association, android_asset_links"),
        ({"apple_app_site_association": "{applinks: {}}"}, APPLE_KEY, "not valid JSON"),
        ({"apple_app_site_association": '{"applinks": NaN}'}, APPLE_KEY, "NaN is not a JSON number"),
        ({"apple_app_site_association": {"applinks": float("nan")}}, f"{APPLE_KEY}.applinks", "not a JSON number"),
        ({"apple_app_site_association": '{"applinks": {"details": []}, "applinks": {}}'}, APPLE_KEY, "'applinks' twice"),
        ({"apple_app_site_association": "\ufeff" + json.dumps(AASA)}, APPLE_KEY, "non-ASCII character U+FEFF"),
        ({"apple_app_site_association": json.dumps(AASA)[:-1] + ', "x": "caf\u00e9"}'}, APPLE_KEY, "U+00E9"),
        ({"apple_app_site_association": '{"webcredentials": {"apps": ["\\ud800"]}}'}, f"{APPLE_KEY}.webcredentials.apps[0]",
         "unpaired surrogate"),
        ({"apple_app_site_association": {"webcredentials": {"apps": ["\ud800"]}}}, f"{APPLE_KEY}.webcredentials.apps[0]",
         "unpaired surrogate"),
        ({"apple_app_site_association": [AASA]}, APPLE_KEY, "must be a JSON object"),
        ({"apple_app_site_association": {"\u0430pplinks": AASA["applinks"]}}, APPLE_KEY, "none of applinks"),  # Cyrillic a
        ({"apple_app_site_association": {"applinks": {"apps": []}}}, f"{APPLE_KEY}.applinks", "no 'details'"),
        ({"apple_app_site_association": {"applinks": {"details": {"appID": TEAM_APP}}}}, f"{APPLE_KEY}.applinks.details",
         "must be a JSON list"),
        ({"apple_app_site_association": {"applinks": {"details": [{"paths": ["*"]}]}}}, f"{APPLE_KEY}.applinks.details[0]",
         "neither appIDs nor appID"),
        ({"apple_app_site_association": {"applinks": {"details": [{"appID": TEAM_APP}]}}}, f"{APPLE_KEY}.applinks.details[0]",
         "neither components nor paths"),
        ({"apple_app_site_association": {"applinks": {"details": [{"appIDs": TEAM_APP, "paths": ["*"]}]}}},
         f"{APPLE_KEY}.applinks.details[0].appIDs", "must be a JSON list"),
        ({"apple_app_site_association": {"webcredentials": {"apps": []}}}, APPLE_KEY, "names no app"),
        ({"apple_app_site_association": {"applinks": {"details": [{1: TEAM_APP}]}}}, f"{APPLE_KEY}.applinks.details[0]",
         "keys are strings"),
        ({"apple_app_site_association": {"applinks": {"details": {TEAM_APP}}}}, f"{APPLE_KEY}.applinks.details",
         "set is not a JSON value"),
        ({"android_asset_links": ASSET_LINKS[0]}, ANDROID_KEY, "must be a JSON list"),
        ({"android_asset_links": []}, ANDROID_KEY, "empty list"),
        ({"android_asset_links": "[]"}, ANDROID_KEY, "empty list"),
        ({"android_asset_links": [{"target": ASSET_LINKS[0]["target"]}]}, f"{ANDROID_KEY}[0]", "no 'relation'"),
        ({"android_asset_links": [{**ASSET_LINKS[0], "relation": "delegate_permission/common.handle_all_urls"}]},
         f"{ANDROID_KEY}[0].relation", "must be a JSON list"),
        ({"android_asset_links": [{**ASSET_LINKS[0], "relation": []}]}, f"{ANDROID_KEY}[0].relation", "is empty"),
        ({"android_asset_links": [{"relation": ASSET_LINKS[0]["relation"]}]}, f"{ANDROID_KEY}[0]", "no 'target'"),
        ({"android_asset_links": [{**ASSET_LINKS[0], "target": {"package_name": "com.example.app"}}]},
         f"{ANDROID_KEY}[0].target.namespace", "must be a JSON string"),
        ({"android_asset_links": [{**ASSET_LINKS[0], "target": {**ASSET_LINKS[0]["target"], "sha256_cert_fingerprints": [
            FINGERPRINT.lower()]}}]}, f"{ANDROID_KEY}[0].target.sha256_cert_fingerprints[0]", "upper-case"),
        ({"android_asset_links": [{**ASSET_LINKS[0], "target": {**ASSET_LINKS[0]["target"], "sha256_cert_fingerprints": [
            FINGERPRINT[:59]]}}]}, f"{ANDROID_KEY}[0].target.sha256_cert_fingerprints[0]", "32 upper-case hex bytes"),
        ({"android_asset_links": [{**ASSET_LINKS[0], "target": {**ASSET_LINKS[0]["target"], "sha256_cert_fingerprints": []}}]},
         f"{ANDROID_KEY}[0].target.sha256_cert_fingerprints", "is empty"),
        ({"android_asset_links": ["com.example.app"]}, f"{ANDROID_KEY}[0]", "a statement is a JSON object"),
    ],
)
def test_bad_app_links_are_refused_naming_the_file_and_the_place_in_it(app_links, argument, words):
    error = refused(app_links)
    assert error.argument == argument, str(error)
    assert words in str(error)


def test_an_output_inside_app_links_is_refused_as_it_must_be_known_up_front():
    error = refused({"apple_app_site_association": {"applinks": pulumi.Output.from_input(AASA["applinks"])}})
    assert error.argument == f"{APPLE_KEY}.applinks" and "not an Output" in str(error)


def test_web_targets_and_include_statements_are_valid_statements():
    statements = [
        *ASSET_LINKS,
        {"relation": ["delegate_permission/common.get_login_creds"], "target": {"namespace": "web", "site": "https://www.example.com"}},
        {"include": "https://www.example.com/.well-known/assetlinks.json"},
    ]
    assert list(served(android_asset_links=statements)) == [ANDROID_PATH]


# --- the common arguments -------------------------------------------------------------------------


def settings(**args):
    return resolve_settings({"domains": ["track.example.com", "click2.example.com"], **args}, TrackingDomainArgs)


def test_app_links_and_well_known_origin_are_common_arguments():
    resolved = settings(app_links={"apple_app_site_association": AASA}, well_known_origin=" WWW.Example.com. ")
    assert resolved.deep_links == resolve_app_links({"apple_app_site_association": AASA})
    assert resolved.well_known_origin == "www.example.com"


@pytest.mark.parametrize(
    "args, argument, words",
    [
        ({"well_known_origin": "https://www.example.com/"}, "well_known_origin", "bare host name"),
        ({"well_known_origin": "click2.example.com"}, "well_known_origin", "loop back"),
        ({"well_known_origin": "CLICK2.example.com."}, "well_known_origin", "loop back"),
        ({"well_known_origin": "www.\u212aexample.com"}, "well_known_origin", "U+212A"),
        ({"well_known_origin": 443}, "well_known_origin", "expected str"),
        ({"app_links": [AASA]}, "app_links", "expected dict"),
        ({"app_links": pulumi.Output.from_input({"apple_app_site_association": AASA})}, "app_links", "not an Output"),
        ({"esp": "iterable", "app_links": {"apple_app_site_association": AASA}}, "app_links", "serves /.well-known"),
        ({"esp": "iterable-eu", "well_known_origin": "www.example.com"}, "well_known_origin", "set up deep links in the ESP"),
    ],
)
def test_bad_deep_link_arguments_are_refused_naming_them(args, argument, words):
    with pytest.raises(InvalidArgument) as error:
        settings(**args)
    assert error.value.argument == argument
    assert words in str(error.value)


def test_the_stack_program_reads_app_links_from_config_and_the_front_door_answers_for_it():
    run = run_stack("fastly-example", {"tracking-cdn:appLinks": {"android_asset_links": ASSET_LINKS}})
    answer = app_link_answer(run.one("fastly:index/serviceVcl:ServiceVcl").inputs, deep_links.ANDROID_PATH)
    assert answer["body"] == deep_links.asset_links_body(ASSET_LINKS)


def test_the_component_schema_takes_either_file_as_any_json_value():
    schema = json.loads((REPO / "provider" / "schema.json").read_text())
    app_links = schema["types"]["tracking-cdn:index:AppLinks"]["properties"]
    assert {name: spec["$ref"] for name, spec in app_links.items()} == {
        "appleAppSiteAssociation": "pulumi.json#/Any",
        "androidAssetLinks": "pulumi.json#/Any",
    }
    for resource in schema["resources"].values():
        assert resource["inputProperties"]["appLinks"]["$ref"] == "#/types/tracking-cdn:index:AppLinks"
        assert resource["inputProperties"]["wellKnownOrigin"]["type"] == "string"


# --- what a device concludes ----------------------------------------------------------------------


def test_a_device_reads_the_apps_and_link_patterns_of_an_apple_file():
    body = served(apple_app_site_association=AASA)[APPLE_PATH][0]
    assert describe_apple_app_site_association(body) == [
        AppAssociation("ios", TEAM_APP, "applinks", paths=("/f/open-in-app/*", "NOT /f/a/*")),
        AppAssociation("ios", TEAM_APP, "webcredentials"),
    ]


def test_the_older_apple_format_with_app_id_and_paths_is_read_too():
    legacy = {"applinks": {"apps": [], "details": [{"appID": TEAM_APP, "paths": ["/f/*", "NOT /f/q/*"]}]}}
    assert describe_apple_app_site_association(json.dumps(legacy)) == [
        AppAssociation("ios", TEAM_APP, "applinks", paths=("/f/*", "NOT /f/q/*"))
    ]


def test_a_device_reads_the_android_apps_of_a_statement_list():
    body = served(android_asset_links=ASSET_LINKS)[ANDROID_PATH][0]
    assert describe_asset_links(body) == [
        AppAssociation("android", "com.example.app", "delegate_permission/common.handle_all_urls", fingerprints=(FINGERPRINT,))
    ]


def test_a_served_file_that_is_not_json_is_reported_not_crashed_on():
    with pytest.raises(InvalidArgument, match="not valid JSON"):
        describe_apple_app_site_association(b"<html>Not Found</html>")
    with pytest.raises(InvalidArgument, match="not UTF-8"):
        describe_asset_links(b"\xff\xfe[]")


def test_check_and_proxy_can_use_the_module_without_loading_pulumi():
    code = "import sys, tracking_cdn.deep_links; assert not [m for m in sys.modules if m.startswith('pulumi')], sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert deep_links.__name__ == "tracking_cdn.deep_links"
