"""Cost of the components, measured against a baseline taken in the same run.

For each front door and 1, 10 and 100 tracking domains:
  - evaluation: the stack program building the component under Pulumi's mock engine, against the
    same resources (same types, names and inputs, recorded from the component's own run) declared
    directly as plain resources, without the component's validation and mapping code;
  - import: `import tracking_cdn.<module>` in a fresh interpreter, against importing just the
    provider-SDK submodules that module uses.
Prints medians and the ratios component/baseline. Run: python benchmarks/components.py [kind ...]
"""

import argparse
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pulumi
import yaml

from tracking_cdn.errors import InvalidArgument
from tracking_cdn.offline import OfflineRun, run_offline
from tracking_cdn.plan import stack_config
from tracking_cdn.stack import FRONT_DOORS
from tracking_cdn.stack import main as stack_program

REPO = Path(__file__).resolve().parent.parent
DOMAIN_COUNTS = (1, 10, 100)


def example_config(kind: str, domain_count: int) -> tuple[dict[str, str], tuple[str, ...]]:
    """The kind's example stack config with ``domain_count`` generated domains in the same parent domain."""
    for path in sorted((REPO / "stacks").glob("Pulumi.*.yaml")):
        document = yaml.safe_load(path.read_text())
        if document["config"].get("tracking-cdn:frontDoor") == kind:
            parent = document["config"]["tracking-cdn:domains"][0].split(".", 1)[1]
            document["config"]["tracking-cdn:domains"] = [f"t{i}.{parent}" for i in range(domain_count)]
            return stack_config(document)
    raise SystemExit(f"no example stack for {kind}")


def replay(run: OfflineRun):
    """A program declaring ``run``'s resources directly, as plain custom resources."""

    def program() -> None:
        for resource in run.resources:
            if resource.custom:
                pulumi.CustomResource(resource.type, resource.name, dict(resource.inputs),
                                      opts=pulumi.ResourceOptions(protect=resource.protect))

    return program


def median_seconds(action, repeats: int) -> float:
    action()  # warm-up: imports, caches
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def import_seconds(statement: str, repeats: int = 5) -> float:
    code = f"import time; s = time.perf_counter(); {statement}; print(time.perf_counter() - s)"
    samples = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(repeats)
    ]
    return statistics.median(samples)


def sdk_submodules(module: str) -> list[str]:
    """The provider-SDK subpackages ``module`` loads beyond the SDK's own package import."""
    code = (
        "import sys; before = set(sys.modules); import {m}; "
        "print(' '.join(sorted({{n.rsplit('.', n.count('.') - 1)[0] for n in set(sys.modules) - before "
        "if n.startswith('pulumi_') and n.count('.') >= 1 and not n.split('.')[1].startswith('_') "
        "and n.split('.')[1] != 'config'}})))"
    )
    out = subprocess.run([sys.executable, "-c", code.format(m=module)], check=True, capture_output=True, text=True)
    return out.stdout.split()


def bench_kind(kind: str, repeats: int) -> None:
    print(f"\n== {kind} ({FRONT_DOORS[kind].module}.{FRONT_DOORS[kind].component})")
    print(f"{'domains':>8} {'resources':>9} {'component ms':>13} {'direct ms':>10} {'ratio':>6}")
    for count in DOMAIN_COUNTS:
        config, secret_keys = example_config(kind, count)
        try:
            run = run_offline(stack_program, config=config, secret_keys=secret_keys)
        except InvalidArgument as refusal:
            print(f"{count:>8}  refused before deploy: {refusal}")
            continue
        component = median_seconds(lambda: run_offline(stack_program, config=config, secret_keys=secret_keys), repeats)
        direct = median_seconds(lambda: run_offline(replay(run)), repeats)
        resources = sum(r.custom for r in run.resources)
        print(f"{count:>8} {resources:>9} {component * 1000:>13.1f} {direct * 1000:>10.1f} {component / direct:>6.2f}")
    module = FRONT_DOORS[kind].module
    submodules = sdk_submodules(module)
    ours = import_seconds(f"import {module}")
    sdk = import_seconds("import " + ", ".join(submodules))
    print(f"import {module}: {ours * 1000:.0f} ms; import {', '.join(submodules)}: {sdk * 1000:.0f} ms;"
          f" ratio {ours / sdk:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=f"front doors to measure (default all: {', '.join(FRONT_DOORS)})")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (median is printed)")
    args = parser.parse_args()
    unknown = set(args.kinds) - set(FRONT_DOORS)
    if unknown:
        parser.error(f"unknown front door(s) {sorted(unknown)}; choose from {', '.join(FRONT_DOORS)}")
    print(f"python {sys.version.split()[0]}, pulumi {version('pulumi')}, {args.repeats} timed runs per figure (median)")
    for kind in args.kinds or FRONT_DOORS:
        bench_kind(kind, args.repeats)


if __name__ == "__main__":
    main()
