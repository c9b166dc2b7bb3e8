"""MkDocs hook: where lines may break, so that no name is cut in two or cut off.

- **Code in tables** breaks only between its words. Material lets code break anywhere, so a narrow
  column split argument names mid-word ("cache_ttl_s" / "econds"), and a browser's own rules would
  still break after every ``-`` (``certificate-`` / ``manager``). Each space-separated word of such
  code is wrapped in ``<span class="code-word">``, which never wraps (docs/stylesheets/extra.css);
  a long dotted name, path or URL (``tracking_cdn.gcp.GcpLoadBalancerTrackingDomain``) may also
  wrap after a ``.`` or ``/``, where a ``<wbr>`` says so. A word wider than its column widens the
  column instead.
- **Navigation labels** wrap between the words of a long name: a component's name
  (``GcpLoadBalancerTrackingDomain``) is one word to the browser, too wide for the sidebar, which
  cut it off with an ellipsis. A ``<wbr>`` before each inner capital lets it wrap as
  "GcpLoadBalancer / TrackingDomain" where it has to, and nowhere else.

Only the markup changes: the text, page titles and the search index are the same.
"""

from __future__ import annotations

import re
from typing import Any

TABLE = re.compile(r"<table>.*?</table>", re.S)
CODE = re.compile(r"<code>([^<]*)</code>")
NAV_LABEL = re.compile(r'(<span class="md-ellipsis">\s*)([^<]+?)(\s*</span>)')
INNER_CAPITAL = re.compile(r"(?<=[a-z])(?=[A-Z])")
LONG_WORD = 16
"""Navigation words shorter than this fit the sidebar as they are."""
LONG_CODE_WORD = 24
"""Code words shorter than this never wrap, not even after a ``.`` or ``/``."""
AFTER_SEPARATOR = re.compile(r"(?<=[./])(?=[^./])")


def code_words(code_html: str) -> str:
    """The HTML inside one ``<code>``, each space-separated word in a ``code-word`` span, with a
    ``<wbr>`` after the dots and slashes of a long one."""

    def word(match: re.Match[str]) -> str:
        text = match[0]
        if len(text) >= LONG_CODE_WORD:
            text = AFTER_SEPARATOR.sub("<wbr>", text)
        return f'<span class="code-word">{text}</span>'

    return re.sub(r"[^ ]+", word, code_html)


def breakable_label(label: str) -> str:
    """A navigation label with ``<wbr>`` before each inner capital of its long words."""
    return " ".join(INNER_CAPITAL.sub("<wbr>", word) if len(word) >= LONG_WORD else word for word in label.split(" "))


def on_page_content(html: str, **_: Any) -> str:
    """MkDocs event: code in the page's tables breaks only at spaces."""
    return TABLE.sub(lambda table: CODE.sub(lambda code: f"<code>{code_words(code[1])}</code>", table[0]), html)


def on_post_page(output: str, **_: Any) -> str:
    """MkDocs event: mark where the navigation's labels may wrap, on every page."""
    return NAV_LABEL.sub(lambda match: match[1] + breakable_label(match[2]) + match[3], output)
