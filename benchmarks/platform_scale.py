"""Platform mode at scale: `tracking-cdn plan` and `plan --against` of a platform stack with 10, 100,
1,000 and 5,000 tenants, and of 5,000 tenants over 50 shard stacks, against the single-sender front door
with as many domains, measured in the same run.

Each figure is one `tracking-cdn plan` process, as a user runs it: wall time and peak resident memory
(the process's own, from wait4). `plan` renders the stack from nothing; `plan --against` renders it with
one tenant more and compares it with the saved plan of the stack without it (the second `pulumi up` of
an onboarding). Every tenant has one domain. Printed per row: the figures, the time per tenant, and the
ratio to the single-sender front door's `plan` of the same number of domains (where it accepts that
many: CloudFront refuses more than its distribution quota). The shard rows are the sum of the 50 shard
stacks' times (they deploy in parallel; the sum is the machine time) and the largest shard's memory.

Run: python benchmarks/platform_scale.py [--cloud cloudfront|cloudflare|gcp] [--counts 10 100 ...]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "tracking_cdn.cli"]
COUNTS = (10, 100, 1000, 5000)
SHARDS = 50
SHARDED_TENANTS = 5000
SINGLE_SENDER_MAX = 1000
"""The largest single-sender baseline measured: beyond it the baseline alone takes minutes per figure."""


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mb: float


def run_plan(stack_file: Path, out: Path, against: Path | None = None) -> Measure:
    """One `tracking-cdn plan --json` process (with ``--against`` a saved plan): its time and peak RSS."""
    command = [*CLI, "plan", "--project-dir", str(REPO), "--stack", str(stack_file), "--json"]
    if against is not None:
        command += ["--against", str(against)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "components"), os.environ.get("PYTHONPATH", "")])}
    errors = out.with_suffix(".stderr")
    start = time.perf_counter()
    with out.open("w") as stdout, errors.open("w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=stack_file.parent)
        _, status, usage = os.wait4(process.pid, 0)  # this process's own peak memory, not every child's
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) or (against is None and code):
        raise SystemExit(f"plan of {stack_file.name} failed ({code}):\n{errors.read_text()[-2000:]}")
    peak_kb = usage.ru_maxrss
    return Measure(elapsed, peak_kb / 1024)


def example(name: str) -> dict:
    return yaml.safe_load((REPO / "stacks" / f"Pulumi.{name}.yaml").read_text())


def tenants(first: int, count: int) -> dict:
    return {f"customer{i}": {"domains": [f"track.customer{i}.com"]} for i in range(first, first + count)}


def write_stack(directory: Path, name: str, document: dict) -> Path:
    path = directory / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=True))
    return path


def platform_document(cloud: str, count: int) -> dict:
    document = example(f"{cloud}-platform-example")
    document["config"]["tracking-cdn:tenants"] = tenants(0, count)
    return document


def shard_document(cloud: str, shard: int, per_shard: int) -> dict:
    document = platform_document(cloud, 0)
    config = {key: value for key, value in document["config"].items()
              if not key.startswith("tracking-cdn:") or key == "tracking-cdn:frontDoor"}
    config["tracking-cdn:frontDoor"] = f"{cloud}-tenants"
    config["tracking-cdn:platformStack"] = f"acme-corp/tracking-cdn/{cloud}-platform"
    config["tracking-cdn:tenants"] = tenants(shard * per_shard, per_shard)
    return {"config": config}


def single_sender_document(cloud: str, count: int) -> dict:
    document = example(f"{cloud}-example")
    config = document["config"]
    config["tracking-cdn:domains"] = [f"track.customer{i}.com" for i in range(count)]
    for key in [key for key in config if "Zone" in key or "zone" in key]:
        del config[key]  # the customers' domains are in no zone of ours
    return document


def plan_and_against(directory: Path, name: str, before: dict, after: dict) -> tuple[Measure, Measure]:
    """`plan` of ``before``, then `plan --against` that plan of ``after`` (one tenant more)."""
    saved = directory / f"{name}.plan.json"
    planned = run_plan(write_stack(directory, name, before), saved)
    later = directory / "next"  # the same stack (same name), changed
    later.mkdir(exist_ok=True)
    diff = later / f"{name}.diff.json"
    compared = run_plan(write_stack(later, name, after), diff, saved)
    new_tenants = set(after["config"]["tracking-cdn:tenants"]) - set(before["config"]["tracking-cdn:tenants"])
    touched = [(r["action"], r["name"]) for r in json.loads(diff.read_text())["resources"]
               if r["action"] != "create" or not any(r["name"].startswith(t) for t in new_tenants)]
    if touched:  # a figure of a plan that changes other tenants would measure the wrong thing
        raise SystemExit(f"{name}: adding {sorted(new_tenants)} also touches {touched[:5]}")
    return planned, compared


def row(label: str, tenants_count: int, planned: Measure, compared: Measure, baseline: Measure | None) -> str:
    ratio = f"{planned.seconds / baseline.seconds:>8.2f}" if baseline else f"{'-':>8}"
    return (f"{label:<22} {tenants_count:>7} {planned.seconds:>8.1f} {planned.peak_mb:>8.0f} "
            f"{planned.seconds / tenants_count * 1000:>8.1f} {compared.seconds:>9.1f} {compared.peak_mb:>8.0f} "
            f"{compared.seconds / tenants_count * 1000:>8.1f} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloud", choices=("cloudfront", "cloudflare", "gcp"), default="cloudfront")
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS))
    parser.add_argument("--shards", type=int, default=SHARDS, help=f"shard stacks for {SHARDED_TENANTS} tenants (0: skip)")
    options = parser.parse_args()
    cloud = options.cloud
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores (shared), cloud {cloud}; one process per figure")
    print(f"{'stack':<22} {'tenants':>7} {'plan s':>8} {'peak MB':>8} {'ms/tnt':>8} "
          f"{'against s':>9} {'peak MB':>8} {'ms/tnt':>8} {'vs 1-snd':>8}", flush=True)
    with tempfile.TemporaryDirectory(prefix="platform-scale-") as tmp:
        directory = Path(tmp)
        for count in options.counts:
            baseline = None
            if count <= SINGLE_SENDER_MAX:
                try:
                    baseline = run_plan(write_stack(directory, f"single-{count}", single_sender_document(cloud, count)),
                                        directory / f"single-{count}.plan.json")
                except SystemExit as refused:  # the single-sender front door refuses this many domains
                    print(f"  single sender, {count} domains: {str(refused).splitlines()[-1][:100]}")
            planned, compared = plan_and_against(
                directory, f"platform-{count}", platform_document(cloud, count), platform_document(cloud, count + 1)
            )
            print(row("one platform stack", count, planned, compared, baseline), flush=True)
            if baseline:
                print(f"{'  single sender':<22} {count:>7} {baseline.seconds:>8.1f} {baseline.peak_mb:>8.0f} "
                      f"{baseline.seconds / count * 1000:>8.1f}")
        if options.shards:
            per_shard = SHARDED_TENANTS // options.shards
            plans, againsts = [], []
            for shard in range(options.shards):
                before = shard_document(cloud, shard, per_shard)
                after = shard_document(cloud, shard, per_shard)
                after["config"]["tracking-cdn:tenants"].update(tenants(SHARDED_TENANTS + shard, 1))
                planned, compared = plan_and_against(directory, f"shard-{shard}", before, after)
                plans.append(planned)
                againsts.append(compared)
            total = Measure(sum(m.seconds for m in plans), max(m.peak_mb for m in plans))
            total_against = Measure(sum(m.seconds for m in againsts), max(m.peak_mb for m in againsts))
            print(row(f"{options.shards} shards (sum)", per_shard * options.shards, total, total_against, None))
            slowest = max(plans, key=lambda m: m.seconds)
            print(f"{'  one shard (slowest)':<22} {per_shard:>7} {slowest.seconds:>8.1f} {slowest.peak_mb:>8.0f} "
                  f"{slowest.seconds / per_shard * 1000:>8.1f}")


if __name__ == "__main__":
    main()
