"""The Platform mode page states the quotas the code enforces, as the code has them (docs/platform.md)."""

import re

import pytest

from conftest import REPO
from tracking_cdn.platform import quotas

PAGE = (REPO / "docs" / "platform.md").read_text()
TABLE = PAGE[PAGE.index("## Quotas and costs"):PAGE.index("Costs, per cloud")]


@pytest.mark.parametrize("quota", quotas.ALL, ids=lambda q: f"{q.product}-{q.unit}-{q.scope}"[:60])
def test_every_quota_the_code_enforces_is_in_the_docs_table_with_its_default_and_page(quota):
    rows = [line for line in TABLE.splitlines() if line.startswith(f"| {quota.product} |")]
    matching = [row for row in rows if f"| {quota.default:,} |" in row]
    assert matching, f"no row of the quota table states {quota.cited()}"
    page = re.match(r"https://\S+?(?=[ ,(]|$)", quota.source)[0]
    assert page in TABLE or any("same page" in row for row in matching), page
    if quota.argument:
        assert any(f"`{quota.argument}`" in row for row in matching), quota.argument


def test_the_table_has_no_row_the_code_does_not_know():
    rows = [line for line in TABLE.splitlines() if line.startswith("| ") and not line.startswith(("| product", "|---"))]
    assert len(rows) == len(quotas.ALL)
