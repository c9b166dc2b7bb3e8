"""Hostile documents, wherever tracking-cdn reads one (tracking_cdn.documents): a stack file or
Pulumi.yaml, a plan given to --against, an app-link file given to a front door, to `proxy` or
served to `check --app-links`. Each is refused in one line that says what and where, in bounded
time and memory: an alias bomb of ~500 bytes, nesting thousands of levels deep, integers of
thousands of digits, numbers beyond a 64-bit float. Ordinary documents read as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from hostile_peer import HostilePeer
from tracking_cdn import cli
from tracking_cdn.deep_links import resolve_app_links
from tracking_cdn.documents import MAX_DEPTH, DocumentError, load_json, load_yaml
from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import run_offline
from tracking_cdn.stack_config import StackConfigError
from tracking_cdn.stack import main as stack_program

# check's TLS 1.0/1.1 probes use deliberately deprecated protocol versions.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
PROJECT = "name: tracking-cdn\nruntime: python\nstackConfigDir: stacks\n"
STACK = ("config:\n  tracking-cdn:frontDoor: cloudfront\n  tracking-cdn:domains: [track.example.com]\n"
         "  tracking-cdn:validatedDomains: [track.example.com]\n")
AASA = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"], "components": [{"/": "/f/open/*"}]}]}}
DEEP_JSON = "[" * 10_000 + "]" * 10_000
LONG_INTEGER = "1" * 5000


def alias_bomb(levels: int) -> str:
    """The "billion laughs" in a namespace the program never reads: each anchor lists the previous
    one ten times, so the last expands to 10**levels strings."""
    lines = [f"  other:a{level}: &a{level} [{', '.join([f'*a{level - 1}' if level else 'lol'] * 10)}]"
             for level in range(levels)]
    return STACK + "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def plan(project: Path, stack_text: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    (project / "stacks" / "Pulumi.hostile.yaml").write_text(stack_text)
    code = cli.main(["plan", "--stack", "hostile", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code: int, out: str, err: str, *words: str) -> None:
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


# --- stack files and Pulumi.yaml -----------------------------------------------------------------------


def test_a_500_byte_alias_bomb_in_a_stack_file_is_refused_as_the_pulumi_cli_refuses_it(project, capsys):
    """Six levels expand to a million strings (the plan took seconds and hundreds of MB at seven,
    gigabytes at eight); yaml.v3, the Pulumi CLI's parser, refuses it as excessive aliasing."""
    bomb = alias_bomb(6)
    assert len(bomb) < 600
    assert_one_line_refusal(*plan(project, bomb, capsys), "stacks/Pulumi.hostile.yaml: contains excessive aliasing")


def test_the_bomb_is_refused_from_its_nodes_without_expanding_them():
    """Nine levels would be 10**9 strings: refused from the ~100 nodes written."""
    with pytest.raises(DocumentError, match="excessive aliasing: its aliases expand it to 1,358,024,699 nodes"):
        load_yaml(alias_bomb(9), "stack")


def test_a_merge_key_bomb_is_refused_before_the_mappings_are_merged():
    """PyYAML copies what ``<<`` merges into the mapping: nested merges multiply before any check
    on values could run."""
    text = "a0: &a0 {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9}\n" + "".join(
        f"a{level}: &a{level} {{<<: [{', '.join([f'*a{level - 1}'] * 10)}]}}\n" for level in range(1, 9))
    with pytest.raises(DocumentError, match="excessive aliasing"):
        load_yaml(text, "stack")


def test_a_bomb_in_pulumi_yaml_is_refused_too(project, capsys):
    (project / "Pulumi.yaml").write_text(PROJECT + alias_bomb(6).replace("config:\n", "other:\n", 1))
    assert_one_line_refusal(*plan(project, STACK, capsys), "Pulumi.yaml: contains excessive aliasing")


def test_an_anchor_containing_itself_is_refused():
    with pytest.raises(DocumentError, match="the anchor at line 1, column 4 contains an alias of itself"):
        load_yaml("a: &x [1, *x]\n", "stack")


def test_ordinary_aliases_read_as_before(project, capsys):
    text = STACK.replace("  tracking-cdn:domains: [track.example.com]\n", "  tracking-cdn:domains: &names [track.example.com]\n")
    text = text.replace("[track.example.com]\n", "*names\n", 2).replace("&names *names", "&names [track.example.com]")
    assert "validatedDomains: *names" in text
    code, out, err = plan(project, text, capsys)
    assert (code, err) == (0, "")
    assert load_yaml("a: &x [1, 2]\nb: [*x, *x]\nc: &y [&z [3], *z]\n", "s") == {
        "a": [1, 2], "b": [[1, 2], [1, 2]], "c": [[3], [3]]}


def test_a_stack_file_nested_500_deep_is_refused_in_one_line(project, capsys):
    code, out, err = plan(project, STACK + "  other:x: " + "[" * 500 + "]" * 500 + "\n", capsys)
    assert_one_line_refusal(code, out, err, f"is nested more than {MAX_DEPTH} levels deep (line 5, column")


def test_aliases_nesting_a_value_deeper_than_the_limit_are_refused():
    chain = "".join(f"k{i}: &k{i} [{f'*k{i - 1}' if i else 1}]\n" for i in range(MAX_DEPTH + 5))
    with pytest.raises(DocumentError, match="levels deep once its aliases are expanded"):
        load_yaml(chain, "stack")


def test_nesting_up_to_the_limit_is_read():
    assert load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "s")["a"] is not None
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, "s") is not None


def test_a_5000_digit_integer_in_a_stack_file_is_refused_in_one_line(project, capsys):
    code, out, err = plan(project, STACK + f"  other:x: {LONG_INTEGER}\n", capsys)
    assert_one_line_refusal(code, out, err, "has an integer of 5000 digits at line 5, column 12", "at most 20",
                            'quote it ("...") if it is text')


def test_a_long_number_quoted_in_yaml_is_text_as_the_refusal_suggests():
    assert load_yaml(f'a: "{LONG_INTEGER}"\nb: "1.0e+400"', "s") == {"a": LONG_INTEGER, "b": "1.0e+400"}
    with pytest.raises(DocumentError, match=r"1\.0e\+400 at line 1, column 4, beyond the range .* quote it"):
        load_yaml("a: 1.0e+400", "s")


def test_every_64_bit_integer_and_a_large_float_still_read():
    assert load_yaml("a: -9223372036854775808\nb: 18446744073709551615\nc: 1.5e+300", "s") == {
        "a": -9223372036854775808, "b": 18446744073709551615, "c": 1.5e300}
    assert load_json("[18446744073709551615, -1e308]", "s") == [18446744073709551615, -1e308]


def test_terminal_escapes_and_bidi_overrides_in_a_key_are_shown_escaped(project, capsys):
    code, out, err = plan(project, STACK + '  "tracking-cdn:es\\e[31mp\\u202e": sparkpost\n', capsys)
    assert_one_line_refusal(code, out, err, "tracking-cdn:es\\x1b[31mp\\u202e: unknown key")
    assert "\x1b" not in err and "\u202e" not in err
    config = {"tracking-cdn:frontDoor": "cloudfront", "tracking-cdn:domains": '["track.example.com"]',
              "tracking-cdn:es\x1b[31mp\u202e": "sparkpost"}
    with pytest.raises(StackConfigError) as refused:  # under pulumi up
        run_offline(stack_program, config=config)
    assert str(refused.value).startswith("tracking-cdn:es\\x1b[31mp\\u202e: unknown key")


# --- plans given to --against ------------------------------------------------------------------------


@pytest.mark.parametrize(("document", "words"), [
    (DEEP_JSON, f"is nested more than {MAX_DEPTH} levels deep"),
    (f'{{"format": {LONG_INTEGER}}}', "has an integer of 5000 digits"),
    ('{"format": 1e400}', "has the number 1e400, beyond the range of a 64-bit float"),
])
def test_a_hostile_plan_given_to_against_is_refused_in_one_line(project, capsys, document, words):
    (project / "old.json").write_text(document)
    code, out, err = plan(project, STACK, capsys, "--against", "old.json")
    assert_one_line_refusal(code, out, err, "--against: old.json: ", words, "give the output of `tracking-cdn plan")


# --- app-link files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    (DEEP_JSON, f"is nested more than {MAX_DEPTH} levels deep"),
    ('{"applinks": {"details": [], "n": ' + LONG_INTEGER + "}}", "has an integer of 5000 digits"),
    ('{"applinks": {"details": [], "n": 1e400}}', "has the number 1e400, beyond the range of a 64-bit float"),
])
def test_a_hostile_app_link_text_is_refused_naming_the_file(text, words):
    with pytest.raises(InvalidArgument) as refused:
        resolve_app_links({"apple_app_site_association": text})
    assert refused.value.argument == "app_links.apple_app_site_association" and words in str(refused.value)


def test_an_app_link_value_nested_10000_deep_in_python_is_refused_not_a_recursion_error():
    value: list = []
    for _ in range(10_000):
        value = [value]
    with pytest.raises(InvalidArgument, match=f"nested more than {MAX_DEPTH} levels deep"):
        resolve_app_links({"apple_app_site_association": {"applinks": {"details": value}}})


def test_a_deep_app_link_file_in_a_stack_file_is_refused_by_plan_in_one_line(project, capsys):
    text = STACK + f"  tracking-cdn:appLinks:\n    apple_app_site_association: '{DEEP_JSON}'\n"
    code, out, err = plan(project, text, capsys)
    assert_one_line_refusal(code, out, err, "tracking-cdn:appLinks.apple_app_site_association: is nested more than")


@pytest.mark.parametrize("text", [DEEP_JSON, '{"applinks": {"n": ' + LONG_INTEGER + "}}"])
def test_a_hostile_app_link_file_given_to_proxy_is_refused_naming_the_option(tmp_path, capsys, text):
    source = tmp_path / "aasa.json"
    source.write_text(text)
    code = cli.main(["proxy", "nginx", "--domain", "track.example.com", "--apple-app-site-association", str(source)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(f"tracking-cdn proxy: error: --apple-app-site-association: '{source}' ") and err.count("\n") == 1


@pytest.fixture(scope="module")
def app_link_server() -> Iterator[HostilePeer]:
    def answer(body: str) -> bytes:
        return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
                ).encode("ascii")

    answers = {"track.deep.invalid": answer(DEEP_JSON), "track.long.invalid": answer(f'[{LONG_INTEGER}]')}
    with HostilePeer(answers, names=[*answers, "deep.invalid", "long.invalid"]) as peer:
        yield peer


@pytest.mark.parametrize(("domain", "words"), [
    ("track.deep.invalid", f"is nested more than {MAX_DEPTH} levels deep"),
    ("track.long.invalid", "has an integer of 5000 digits"),
])
def test_check_reports_a_hostile_served_file_as_a_device_would_not_use_it(app_link_server, capsys, domain, words):
    cli.main(["check", *app_link_server.args(domain), "--app-links", "--json"])
    (report,) = json.loads(capsys.readouterr().out)["domains"]
    deep_links = next(item for item in report["checks"] if item["name"] == "deep-links")
    assert deep_links["verdict"] == "fail"
    assert "unexpected error" not in deep_links["summary"]
    assert f"iOS would not use it: apple-app-site-association: {words}" in deep_links["summary"]


def test_under_pulumi_up_a_5000_digit_config_value_is_a_refusal_naming_the_key_not_a_traceback():
    """The Pulumi CLI hands a top-level value over as its text: the stack program reads the number
    with the same bounds (before, json.loads raised ValueError past 4,300 digits)."""
    config = {"tracking-cdn:frontDoor": "cloudfront", "tracking-cdn:domains": '["track.example.com"]',
              "tracking-cdn:cacheTtlSeconds": LONG_INTEGER}
    with pytest.raises(StackConfigError, match="^tracking-cdn:cacheTtlSeconds: expected a whole number of seconds"):
        run_offline(stack_program, config=config)
