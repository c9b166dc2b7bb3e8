"""Cost of the components, measured against a baseline taken in the same run.

For each front door and 1, 10 and 100 tracking domains:
  - evaluation: the stack program building the component under Pulumi's mock engine, against the
    same resources (same types, names and inputs, recorded from the component's own run) declared
    directly with the provider SDK's classes, without the component's validation and mapping code;
  - import: `import tracking_cdn.<module>` in a fresh interpreter, against importing just the
    provider-SDK modules holding the resource types it registers.
Prints medians and the ratios component/baseline. Run: python benchmarks/components.py [kind ...]
"""

import argparse
import importlib
import re
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

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


def sdk_class(type_token: str) -> type:
    """The provider SDK's class for a type token (``aws:cloudfront/distribution:Distribution`` is
    ``pulumi_aws.cloudfront.Distribution``; ``index`` resources live at the package's top level)."""
    package, module, name = type_token.split(":")
    module = module.split("/")[0]
    sdk = "pulumi_" + package.replace("-", "_")
    return getattr(importlib.import_module(sdk if module == "index" else f"{sdk}.{module}"), name)


DYNAMIC = "pulumi-python:dynamic"
"""Our dynamic resources (KeyCDN's zone and aliases) have no SDK class: their baseline is the resource class
itself, declared directly with the recorded properties (``dynamic_class``)."""


def dynamic_class(type_token: str) -> type:
    from tracking_cdn.keycdn import KeyCdnZone, KeyCdnZoneAlias

    return {"pulumi-python:dynamic/keycdn:Zone": KeyCdnZone, "pulumi-python:dynamic/keycdn:ZoneAlias": KeyCdnZoneAlias}[type_token]


def snake_keys(value: Any) -> Any:
    """Wire-format (camelCase) inputs back to the SDK's keyword form."""
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower(): snake_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snake_keys(item) for item in value]
    return value


def replay(run: OfflineRun) -> Callable[[], None]:
    """A program declaring ``run``'s resources directly with the provider SDK's classes: same
    types, names, inputs and protection, none of the component's validation or mapping code."""

    def program() -> None:
        for resource in run.resources:
            opts = pulumi.ResourceOptions(protect=resource.protect)
            if resource.custom and resource.type.startswith(DYNAMIC):
                props = {key: value for key, value in resource.inputs.items() if key != "__provider"}
                dynamic_class(resource.type)(resource.name, props, opts)
            elif resource.custom:
                sdk_class(resource.type)(resource.name, **snake_keys(resource.inputs), opts=opts)

    replayed = {r.name: r.inputs for r in run_offline(program).resources}
    assert replayed == {r.name: r.inputs for r in run.resources if r.custom}, "the baseline must declare the same resources"
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


def sdk_modules(run: OfflineRun) -> list[str]:
    """The provider-SDK modules holding the resource types ``run`` registered: ``aws:cloudfront/...``
    is in ``pulumi_aws.cloudfront``, ``azure-native:cdn:...`` in ``pulumi_azure_native.cdn``,
    ``cloudflare:index/...`` in ``pulumi_cloudflare`` itself."""
    modules = set()
    for resource in run.resources:
        package, module = resource.type.split(":")[:2]
        if package in ("tracking-cdn", "pulumi-python"):
            continue
        module = module.split("/")[0]
        sdk = "pulumi_" + package.replace("-", "_")
        modules.add(sdk if module == "index" else f"{sdk}.{module}")
    return sorted(modules) or ["pulumi.dynamic"]  # dynamic resources only: what they need of Pulumi


def bench_kind(kind: str, repeats: int) -> None:
    print(f"\n== {kind} ({FRONT_DOORS[kind].module}.{FRONT_DOORS[kind].component})")
    print(f"{'domains':>8} {'resources':>9} {'component ms':>13} {'direct ms':>10} {'ratio':>6}")
    used_modules: list[str] = []
    for count in DOMAIN_COUNTS:
        config, secret_keys = example_config(kind, count)
        try:
            run = run_offline(stack_program, config=config, secret_keys=secret_keys)
        except InvalidArgument as refusal:
            print(f"{count:>8}  refused before deploy: {refusal}")
            continue
        component = median_seconds(
            lambda config=config, secret_keys=secret_keys: run_offline(
                stack_program, config=config, secret_keys=secret_keys
            ),
            repeats,
        )
        direct = median_seconds(lambda program=replay(run): run_offline(program), repeats)
        resources = sum(r.custom for r in run.resources)
        used_modules = used_modules or sdk_modules(run)
        print(f"{count:>8} {resources:>9} {component * 1000:>13.1f} {direct * 1000:>10.1f} {component / direct:>6.2f}")
    module = FRONT_DOORS[kind].module
    ours = import_seconds(f"import {module}")
    sdk = import_seconds("import " + ", ".join(used_modules))
    print(f"import {module}: {ours * 1000:.0f} ms; import {', '.join(used_modules)}: {sdk * 1000:.0f} ms;"
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
