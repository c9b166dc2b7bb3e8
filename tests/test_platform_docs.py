"""The Platform mode page sends its reader to the one table of enforced limits (docs/limits.md, generated
from tracking_cdn.quotas) instead of keeping a second one, and names the arguments that raise them."""

from conftest import REPO

from tracking_cdn import quotas

PAGE = (REPO / "docs" / "platform.md").read_text()
SECTION = PAGE[PAGE.index("## Quotas and costs"):PAGE.index("Costs, per cloud")]
PLATFORM_ROWS = [row for row in quotas.QUOTAS.values() if row.enforced.startswith("platform mode")]


def test_the_quotas_section_links_the_limits_table_and_keeps_none_of_its_own():
    assert "[Limits](limits.md)" in SECTION
    assert not any(line.startswith("|") for line in SECTION.splitlines()), "the limits are one table, on limits.md"


def test_every_platform_limit_is_a_row_of_the_one_table_and_its_argument_is_named_on_the_page():
    assert {row.key.split(".")[0] for row in PLATFORM_ROWS} == {"cloudfront", "cloudflare", "gcp"}
    for row in PLATFORM_ROWS:
        assert row.limit in quotas.markdown_table()
        if row.argument:
            assert f"`{row.argument}`" in SECTION, row.argument
