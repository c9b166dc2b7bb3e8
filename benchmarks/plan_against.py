"""How `tracking-cdn plan --against` scales with the size of the plans it compares.

A released plan (tests/fixtures/plan-cloudfront-example-11-domains.json: 41 resources, two
certificates with their validations, two distributions, Route 53 records) is copied side by side
under new names until the plan holds about 1,000, 2,000, 4,000 and 8,000 resources. The later plan
changes every certificate's key algorithm, which replaces every certificate: the worst case for the
analysis of live names losing HTTPS, which looks at what serves with each replaced certificate.
The same pair is also read from its JSON text, as ``--against`` does.

Prints, per size, the median seconds of ``load_plan`` + ``diff_plans`` and the ratio to the smallest
size; linear scaling prints a ratio of about 8 for 8,000 : 1,000 (quadratic: about 64).

Usage: python benchmarks/plan_against.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from tracking_cdn.diff import diff_plans, load_plan

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "plan-cloudfront-example-11-domains.json"
SIZES = (1000, 2000, 4000, 8000)
CERTIFICATE = "aws:acm/certificate:Certificate"


def copied(plan: dict[str, Any], copies: int) -> dict[str, Any]:
    """``plan`` with its resources repeated ``copies`` times, each copy under its own component name
    (``tracking`` -> ``tracking7``) and its own domains (``t0.example.com`` -> ``t0.c7.example.com``)."""
    resources = []
    for index in range(copies):
        text = json.dumps(plan["resources"])
        text = text.replace("::tracking", f"::tracking{index}").replace('"tracking', f'"tracking{index}')
        text = text.replace(".example.com", f".c{index}.example.com")
        resources += json.loads(text)
    return {**plan, "resources": resources}


def every_certificate_replaced(plan: dict[str, Any]) -> dict[str, Any]:
    later = copy.deepcopy(plan)
    for resource in later["resources"]:
        if resource["type"] == CERTIFICATE:
            resource["inputs"]["keyAlgorithm"] = "EC_prime256v1"
    return later


def median_seconds(old_text: str, new_text: str, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        diff = diff_plans(load_plan(old_text, "old"), load_plan(new_text, "new"))
        samples.append(time.perf_counter() - started)
    assert diff.counts().get("replace"), "the later plan must replace the certificates"
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per size (the median is printed)")
    args = parser.parse_args()
    released = json.loads(FIXTURE.read_text())
    per_copy = len(released["resources"])
    print(f"python {sys.version.split()[0]}; {per_copy} resources per copy of {FIXTURE.name}; "
          f"every certificate replaced; median of {args.repeats}")
    print(f"{'resources':>9} {'seconds':>8} {'ratio':>6}")
    baseline = None
    for size in SIZES:
        old = copied(released, round(size / per_copy))
        new = every_certificate_replaced(old)
        seconds = median_seconds(json.dumps(old), json.dumps(new), args.repeats)
        baseline = baseline or (len(old["resources"]), seconds)
        print(f"{len(old['resources']):>9} {seconds:>8.3f} {seconds / baseline[1]:>6.2f}")
    print(f"ratio {len(old['resources'])} : {baseline[0]} resources = {seconds / baseline[1]:.1f} "
          f"(linear: {len(old['resources']) / baseline[0]:.1f})")


if __name__ == "__main__":
    main()
