"""`plan --against` grows linearly with the plans it compares.

Time is measured by benchmarks/plan_against.py (timed tests are flaky on shared machines); this test
counts work instead: how often the diff reads a resource's ``dependencies``. Reading them once per
resource and lookup (a scan of the whole plan for each certificate) made 8,000 resources take 9 s."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from plan_against import FIXTURE, copied, every_certificate_replaced  # noqa: E402

from tracking_cdn.diff import diff_plans  # noqa: E402


class CountingResource(dict):
    """A resource entry that counts the reads of its ``dependencies``."""

    reads = 0

    def __getitem__(self, key: str) -> Any:
        if key == "dependencies":
            CountingResource.reads += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key == "dependencies":
            CountingResource.reads += 1
        return super().get(key, default)


def dependency_reads(copies: int) -> int:
    old = copied(json.loads(FIXTURE.read_text()), copies)
    new = every_certificate_replaced(old)
    for plan in (old, new):
        plan["resources"] = [CountingResource(resource) for resource in plan["resources"]]
    CountingResource.reads = 0
    diff = diff_plans(old, new)
    assert diff.counts()["replace"] >= 2 * copies, "every certificate is replaced"
    return CountingResource.reads


def test_four_times_the_resources_is_four_times_the_work_when_every_certificate_is_replaced():
    small, large = dependency_reads(10), dependency_reads(40)
    assert large <= 4.4 * small, f"{small} reads for 410 resources, {large} for 1,640: not linear"
