"""What Fastly would answer from the app-link VCL snippets a ``FastlyTrackingDomain`` registers, read by a
small interpreter of exactly the statements the component writes (anything else fails the test):

    vcl_recv:   if (req.url.path == "<path>") { error <status> "<reason>"; }
    vcl_error:  if (obj.status == <status>) { set obj.status = 200; set obj.response = "OK";
                set obj.http.Content-Type = "<type>"; synthetic.base64 "<base64>"; return(deliver); }
"""

from __future__ import annotations

import base64
import re
from typing import Any, Optional

RECV_BLOCK = re.compile(r'if \(req\.url\.path == "([^"%]*)"\) \{\n  error (6\d\d) "[^"%]*";\n\}\n')
ERROR_BLOCK = re.compile(r"if \(obj\.status == (6\d\d)\) \{\n(.*?)\n\}\n", re.S)
STATEMENTS = {
    "status": re.compile(r"  set obj\.status = (\d{3});"),
    "response": re.compile(r'  set obj\.response = "([^"%]*)";'),
    "content_type": re.compile(r'  set obj\.http\.Content-Type = "([^"%]*)";'),
    "body": re.compile(r'  synthetic\.base64 "([A-Za-z0-9+/=]*)";'),
    "return": re.compile(r"  return\((deliver)\);"),
}
COMMENT = re.compile(r"#[^\n]*\n")


def snippets(service_inputs: dict[str, Any]) -> dict[str, str]:
    """The service's regular snippets by subroutine (one of each at most)."""
    found = service_inputs.get("snippets") or []
    by_type = {snippet["type"]: snippet["content"] for snippet in found}
    assert len(by_type) == len(found), "one snippet per subroutine"
    return by_type


def _blocks(pattern: re.Pattern[str], content: str) -> list[re.Match[str]]:
    """Every block of ``content`` (comments aside), which must be made of ``pattern`` blocks only."""
    code = COMMENT.sub("", content)
    blocks = list(pattern.finditer(code))
    assert "".join(block[0] for block in blocks) == code, f"a statement this reader does not know:\n{code}"
    return blocks


def app_link_answer(service_inputs: dict[str, Any], path: str) -> Optional[dict[str, Any]]:
    """The response Fastly answers a request for ``path`` with from the snippets, or None (the request goes on
    to the backends): ``status``, ``response``, ``content_type`` and the decoded ``body`` bytes."""
    found = snippets(service_inputs)
    if not found:
        return None
    raised = [int(status) for matched, status in (b.groups() for b in _blocks(RECV_BLOCK, found["recv"]))
              if matched == path]
    if not raised:
        return None
    (status,) = raised
    handlers = {int(b[1]): b[2] for b in _blocks(ERROR_BLOCK, found["error"])}
    lines = handlers[status].split("\n")
    answer: dict[str, Any] = {}
    for line, (key, statement) in zip(lines, STATEMENTS.items(), strict=True):
        matched = statement.fullmatch(line)
        assert matched, f"unexpected statement for {path}: {line!r}"
        answer[key] = matched[1]
    return {"status": int(answer["status"]), "response": answer["response"],
            "content_type": answer["content_type"], "body": base64.b64decode(answer["body"], validate=True)}
