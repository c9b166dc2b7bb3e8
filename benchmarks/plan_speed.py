"""`tracking-cdn plan` on the example stacks: this checkout against a baseline revision, in the same run.

The baseline (default: the merge base of HEAD and main) is checked out into a temporary `git worktree`,
removed afterwards. For each example stack both trees run `python -m tracking_cdn.cli plan --stack
<stack>` in fresh interpreters (their own `components/` first on the path, their own project and stack
files), alternately, so that the machine's load falls on both alike. Prints, per stack, the median wall
time and CPU time (user + system of the child) of each, and the ratios this checkout / baseline, then
the geometric means over the stacks. Run: python benchmarks/plan_speed.py [stack ...] [--repeats N]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """``revision`` in a temporary worktree (detached), removed on exit."""
    with tempfile.TemporaryDirectory(prefix="plan-baseline-") as scratch:
        tree = Path(scratch) / "tree"
        git("worktree", "add", "--detach", "--quiet", str(tree), revision)
        try:
            yield tree
        finally:
            git("worktree", "remove", "--force", str(tree))


def stacks(tree: Path) -> set[str]:
    return {path.name[len("Pulumi.") : -len(".yaml")] for path in (tree / "stacks").glob("Pulumi.*.yaml")}


def plan_once(tree: Path, stack: str) -> tuple[float, float]:
    """One `plan` of ``stack`` in ``tree``: (wall seconds, CPU seconds of the child)."""
    environment = {**os.environ, "PYTHONPATH": str(tree / "components")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tracking_cdn.cli", "plan", "--stack", stack], cwd=tree,
                          env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"plan --stack {stack} failed in {tree}:\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def geometric_mean(values: list[float]) -> float:
    return statistics.geometric_mean(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stacks", nargs="*", help="example stacks (default: every one both trees have)")
    parser.add_argument("--baseline", default=None, help="revision to compare with (default: merge base of HEAD and main)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per tree and stack (median is printed)")
    args = parser.parse_args()
    baseline = args.baseline or git("merge-base", "HEAD", "main")
    print(f"baseline {git('rev-parse', '--short', baseline)}, this checkout {git('rev-parse', '--short', 'HEAD')}"
          f"{' + uncommitted changes' if git('status', '--porcelain', '--untracked-files=no') else ''}; "
          f"python {sys.version.split()[0]}, {args.repeats} runs per figure (median), after one warm-up run each")
    with checkout(baseline) as base:
        names = sorted(args.stacks or (stacks(base) & stacks(REPO)))
        print(f"{'stack':<34}{'wall base/this (s)':>22}{'ratio':>8}{'CPU base/this (s)':>22}{'ratio':>8}")
        wall_ratios, cpu_ratios = [], []
        for stack in names:
            plan_once(base, stack), plan_once(REPO, stack)  # warm-up: file caches, .pyc files
            samples: dict[Path, list[tuple[float, float]]] = {base: [], REPO: []}
            for _ in range(args.repeats):
                for tree in (base, REPO):
                    samples[tree].append(plan_once(tree, stack))
            wall = {tree: statistics.median(s[0] for s in runs) for tree, runs in samples.items()}
            cpu = {tree: statistics.median(s[1] for s in runs) for tree, runs in samples.items()}
            wall_ratios.append(wall[REPO] / wall[base])
            cpu_ratios.append(cpu[REPO] / cpu[base])
            print(f"{stack:<34}{wall[base]:>11.2f} / {wall[REPO]:<8.2f}{wall_ratios[-1]:>8.2f}"
                  f"{cpu[base]:>11.2f} / {cpu[REPO]:<8.2f}{cpu_ratios[-1]:>8.2f}")
    print(f"{'geometric mean of the ratios':<34}{'':>22}{geometric_mean(wall_ratios):>8.2f}{'':>22}"
          f"{geometric_mean(cpu_ratios):>8.2f}")


if __name__ == "__main__":
    main()
